"""Viability fitness: the benefits of culture and communication, the costs of brains."""

from __future__ import annotations

import numpy as np

from evo.core.kernels.rule import nonallocating_kernel


@nonallocating_kernel
def fitness(state, rule, slots, env_state):
    """Viability fitness of each listed slot into `state.fitness`, floored at 0.

    w = baseline + T                                            (tools, below)
        + comm_benefit * success rate                            (Nowak & Krakauer 1999)
        - mirror_cost * g_mirror^2 - assoc_cost * g_assoc^2      (costly brains: our assumption)
        +/- env_benefit (behaviour right/wrong), - env_benefit * individual_cost if learned alone
                                                                 (Rogers 1988)

    Tools: X = sum_k log1p(max(z_k, 0)) (saturating returns per type: our assumption) and
    T = tool_benefit * X, or, with `tool_saturation` S > 0, T = tool_benefit * S * (1 - exp(-X/S)):
    diminishing returns of a whole toolkit, bounded by tool_benefit * S, with the same slope at
    X = 0 (a forager gains less from the sixtieth tool type than from the first: our assumption,
    after the diminishing returns of subsistence effort in optimal foraging, Stephens & Krebs
    1986). Bounded benefits let a costly mirror system stop paying once culture is rich.
    """
    n_lineages = state.skill.shape[1]
    for r in range(slots.size):
        i = slots[r]
        w = rule.baseline_fitness
        if rule.tool_saturation > 0.0:
            toolkit = 0.0
            for k in range(n_lineages):
                if state.skill[i, k] > 0.0:
                    toolkit += np.log1p(state.skill[i, k])
            w += rule.tool_benefit * rule.tool_saturation * -np.expm1(-toolkit / rule.tool_saturation)
        else:
            for k in range(n_lineages):
                if state.skill[i, k] > 0.0:
                    w += rule.tool_benefit * np.log1p(state.skill[i, k])
        if state.attempts[i] > 0:
            w += rule.comm_benefit * state.successes[i] / state.attempts[i]
        w -= rule.mirror_cost * state.g_mirror[i] ** 2 + rule.assoc_cost * state.g_assoc[i] ** 2
        if rule.env_benefit > 0.0:
            w += rule.env_benefit if state.behaviour[i] == env_state else -rule.env_benefit
            if state.alone[i]:
                w -= rule.env_benefit * rule.individual_cost
        state.fitness[i] = max(w, 0.0)

"""Viability fitness: the benefits of culture and communication, the costs of brains."""

from __future__ import annotations

import numpy as np

from evo.core.kernels.rule import nonallocating_kernel


@nonallocating_kernel
def fitness(state, rule, slots, env_state):
    """Viability fitness of each listed slot into `state.fitness`, floored at 0.

    w = baseline + tool_benefit * sum_k log1p(max(z_k, 0))      (saturating returns: our assumption)
        + comm_benefit * success rate                            (Nowak & Krakauer 1999)
        - mirror_cost * g_mirror^2 - assoc_cost * g_assoc^2      (costly brains: our assumption)
        +/- env_benefit (behaviour right/wrong), - env_benefit * individual_cost if learned alone
                                                                 (Rogers 1988)
    """
    n_lineages = state.skill.shape[1]
    for r in range(slots.size):
        i = slots[r]
        w = rule.baseline_fitness
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

"""Twin of `evo.core.kernels.selection`."""

from __future__ import annotations

import math


def fitness(state, rule, slots, env_state) -> None:
    """Viability fitness of each listed slot into state.fitness[slot], floored at 0.

    The terms are added one at a time (each lineage's tool_benefit * log1p term, then the
    communication term, then both gene costs together, then the environment), which is the
    grouping the kernel uses; the documented formula fixes the value only up to rounding.
    """
    r = rule
    for i in slots:
        w = r.baseline_fitness
        if r.tool_saturation > 0.0:
            toolkit = sum(math.log1p(z) for z in state.skill[i] if z > 0.0)
            w += r.tool_benefit * r.tool_saturation * -math.expm1(-toolkit / r.tool_saturation)
        else:
            for z in state.skill[i]:
                w += r.tool_benefit * math.log1p(max(z, 0.0))
        if state.attempts[i] > 0:
            w += r.comm_benefit * state.successes[i] / state.attempts[i]
        w -= r.mirror_cost * state.g_mirror[i] ** 2 + r.assoc_cost * state.g_assoc[i] ** 2
        if r.env_benefit > 0.0:
            w += r.env_benefit if state.behaviour[i] == env_state else -r.env_benefit
            if state.alone[i]:
                w -= r.env_benefit * r.individual_cost
        state.fitness[i] = max(w, 0.0)

"""Twins of `evo.core.kernels.reproduction`."""

from __future__ import annotations

from tests.reference.stream import draw_index


def choose_parents(rng, state, members_by_camp, births_per_camp) -> list[int]:
    """Parents drawn with replacement proportional to `state.fitness` within each camp, camp by
    camp.

    One uniform per birth, times the camp's total fitness, located on the running total; a camp
    whose fitness is all zero draws one uniform index per birth. Empty camps give no parents.
    """
    weights = state.fitness
    parents: list[int] = []
    for camp, births in enumerate(births_per_camp):
        group_members = members_by_camp.get(camp, [])
        if not group_members or births == 0:
            continue
        total = 0.0
        for x in group_members:
            total += weights[x]
        for _ in range(births):
            if total > 0.0:
                target = rng.random() * total
                running = 0.0
                chosen = None
                for x in group_members:
                    running += weights[x]
                    if running > target:
                        chosen = x
                        break
                if chosen is None:  # rounding put the target at the very top
                    chosen = [x for x in group_members if weights[x] > 0.0][-1]
            else:
                chosen = group_members[draw_index(rng, len(group_members))]
            parents.append(chosen)
    return parents


def mutate(rng, value: float, rate: float, sd: float, flip: bool) -> float:
    """With probability `rate` (one uniform), flip 0<->1 or take a Gaussian step reflected into
    [0, 1] (one standard normal)."""
    if not rng.random() < rate:
        return value
    if flip:
        return 1.0 - value
    x = value + sd * rng.standard_normal()
    while not 0.0 <= x <= 1.0:
        x = -x if x < 0.0 else 2.0 - x
    return x


def inherit(rng, state, rule, parents, children) -> None:
    """Each child takes its parent's genes (mirror, then assoc, each maybe mutated) and camp."""
    for p, c in zip(parents, children, strict=True):
        state.g_mirror[c] = mutate(rng, state.g_mirror[p], rule.mutation_rate, rule.mutation_sd,
                                   rule.flip)
        state.g_assoc[c] = mutate(rng, state.g_assoc[p], rule.assoc_mutation_rate,
                                  rule.mutation_sd, rule.flip)
        state.camp[c] = state.camp[p]
        state.parent[c] = p

"""Reproduction within camps proportional to fitness, with inheritance and mutation of the genes."""

from __future__ import annotations

import numpy as np
from numba import njit

from evo.core import stream
from evo.core.kernels.rule import nonallocating_kernel


@njit(cache=True, inline="always")
def _mutate(rng, value, rate, sd, flip):
    """Mutation: with probability `rate`, a Gaussian step reflected into [0, 1], or 0<->1 flip."""
    if stream.uniform(rng) >= rate:
        return value
    if flip:
        return 1.0 - value
    x = value + sd * stream.normal(rng)
    while x < 0.0 or x > 1.0:
        x = -x if x < 0.0 else 2.0 - x
    return x


@njit(cache=True)
def choose_parents(rng, state, start, members, births_per_camp):
    """Parents for each camp's births, drawn with replacement proportional to `state.fitness`.

    Wright-Fisher sampling within a camp (Ewens 2004); a camp whose members all have zero fitness
    draws parents uniformly. One uniform per birth, inverted on the cumulative fitness. Camps are
    CSR (`start`, `members`), as from `camp_members`.
    """
    weights = state.fitness
    total_births = 0
    for c in range(births_per_camp.size):
        total_births += births_per_camp[c]
    parents = np.empty(total_births, np.int64)
    out = 0
    for c in range(births_per_camp.size):
        lo = start[c]
        n = start[c + 1] - lo
        if n == 0 or births_per_camp[c] == 0:
            continue
        cum = np.empty(n)
        acc = 0.0
        for r in range(n):
            acc += weights[members[lo + r]]
            cum[r] = acc
        for _ in range(births_per_camp[c]):
            if acc > 0.0:
                x = stream.uniform(rng) * acc
                r = np.searchsorted(cum, x, side="right")
                if r >= n:
                    r = n - 1
            else:
                r = stream.below(rng, n)
            parents[out] = members[lo + r]
            out += 1
    return parents[:out]


@nonallocating_kernel
def inherit(rng, state, rule, parents, children):
    """Children take their parent's genes with mutation and are born into the parent's camp.

    Random draws per birth: one uniform per gene (mirror, then assoc), plus one normal for each
    Gaussian mutation. Asexual inheritance of a quantitative trait: our simplification.
    """
    for r in range(parents.size):
        p = parents[r]
        c = children[r]
        state.g_mirror[c] = _mutate(rng, state.g_mirror[p], rule.mutation_rate, rule.mutation_sd,
                                    rule.flip)
        state.g_assoc[c] = _mutate(rng, state.g_assoc[p], rule.assoc_mutation_rate,
                                   rule.mutation_sd, rule.flip)
        state.camp[c] = state.camp[p]
        state.parent[c] = p


@njit(cache=True)
def reproduce(rng, state, rule, start, members, births_per_camp, children):
    """`choose_parents`, then `inherit` into `children` (one slot per birth), in one call.

    The same draws in the same order as the two calls; one call per generation fewer (each costs
    some microseconds of argument handling). Returns the parents.
    """
    parents = choose_parents(rng, state, start, members, births_per_camp)
    inherit(rng, state, rule, parents, children)
    return parents

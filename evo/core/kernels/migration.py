"""Stepping-stone migration between neighbouring camps (Kimura & Weiss 1964)."""

from __future__ import annotations

import numpy as np
from numba import njit

from evo.core import stream
from evo.core.kernels.selection import fitness


@njit(cache=True)
def migrate(rng, state, rule, slots, neighbour_start, neighbours):
    """Each listed individual moves to a uniformly chosen neighbour camp with `migration_rate`.

    Stepping-stone migration between neighbouring demes (Kimura & Weiss 1964; Powell, Shennan &
    Thomas 2009). One uniform per individual, one more per mover (the neighbour); the camps'
    neighbours are CSR (`neighbour_start`, `neighbours`). Returns the movers' slots.
    """
    camp, rate = state.camp, rule.migration_rate
    moved = np.empty(slots.size, np.int64)
    n_moved = 0
    for r in range(slots.size):
        i = slots[r]
        if stream.uniform(rng) < rate:
            c = camp[i]
            lo = neighbour_start[c]
            n = neighbour_start[c + 1] - lo
            if n > 0:
                camp[i] = neighbours[lo + stream.below(rng, n)]
                moved[n_moved] = i
                n_moved += 1
    return moved[:n_moved]


@njit(cache=True)
def fitness_then_migrate(rng, state, rule, slots, env_state, neighbour_start, neighbours):
    """`fitness` of the listed slots, then their `migrate`, in one call; returns the movers."""
    fitness(state, rule, slots, env_state)
    return migrate(rng, state, rule, slots, neighbour_start, neighbours)

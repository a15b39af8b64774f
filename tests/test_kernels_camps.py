"""Camp kernels against their plain-Python twins: camp membership and migration."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as hs

from evo.core import kernels
from evo.core.state import PopulationState
from tests import reference as ref
from tests.kernel_twins import (
    PROPERTY,
    assert_same_state,
    assert_same_stream,
    random_neighbours,
    rule_with,
    twin_of,
    two_rngs,
)

# --- camp_members ----------------------------------------------------------------------------


@PROPERTY
@given(seed=hs.integers(0, 2**32 - 1), size=hs.integers(0, 15), n_camps=hs.integers(1, 5))
def test_camp_members_matches_twin(seed, size, n_camps):
    g = np.random.default_rng(seed)
    camp = g.integers(0, n_camps, size)
    mask = g.random(size) < 0.6
    start, members = kernels.camp_members(camp, mask, n_camps)
    ref_start, ref_members = ref.camp_members(camp.tolist(), mask.tolist(), n_camps)
    np.testing.assert_array_equal(start, ref_start)
    np.testing.assert_array_equal(members, ref_members)


def test_camp_members_nobody_selected():
    start, members = kernels.camp_members(np.array([0, 2, 1]), np.zeros(3, np.bool_), 3)
    np.testing.assert_array_equal(start, [0, 0, 0, 0])
    assert members.size == 0


# --- migrate ---------------------------------------------------------------------------------


@PROPERTY
@given(seed=hs.integers(0, 2**31), capacity=hs.integers(0, 16), n_camps=hs.integers(1, 5),
       rate=hs.sampled_from([0.0, 0.3, 1.0]))
def test_migrate_matches_twin(seed, capacity, n_camps, rate):
    g = np.random.default_rng(seed)
    s = PopulationState.allocate(capacity, 0, 0, 1)
    s.camp[:] = g.integers(0, n_camps, capacity)
    camp = s.camp
    slots = np.flatnonzero(g.random(capacity) < 0.8)
    n_start, neighbours = random_neighbours(g, n_camps)
    before = camp.copy()
    twin, rule = twin_of(s), rule_with(migration_rate=rate)
    rng_k, rng_t = two_rngs(seed)
    moved = kernels.migrate(rng_k, s, rule, slots, n_start, neighbours)
    by_camp = ref.camps_from_csr(n_start, neighbours)
    ref_moved = ref.migrate(rng_t, twin, rule, slots.tolist(), by_camp)
    np.testing.assert_array_equal(moved, ref_moved)
    assert_same_state(s, twin)
    assert_same_stream(rng_k, rng_t)
    # invariants: movers went to a listed neighbour, nobody else changed camp
    for i in range(capacity):
        if i in moved:
            assert camp[i] in by_camp[before[i]]
        else:
            assert camp[i] == before[i]
    if rate == 0.0:
        assert moved.size == 0



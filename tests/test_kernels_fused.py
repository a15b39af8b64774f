"""Fused kernels equal their parts run in order; the rule options that reach every kernel."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hs

from evo.core import kernels
from evo.core.kernels import gestures
from evo.core.params import Params
from evo.core.state import PopulationState
from tests import reference as ref
from tests.kernel_twins import (
    PROPERTY,
    assert_same_state,
    assert_same_stream,
    random_neighbours,
    random_state,
    rule_with,
    twin_of,
    two_rngs,
)

# --- fused kernels ---------------------------------------------------------------------------


@PROPERTY
@given(seed=hs.integers(0, 2**31), capacity=hs.integers(2, 16), n_camps=hs.integers(1, 4),
       mutation_rate=hs.sampled_from([0.0, 0.5, 1.0]))
def test_reproduce_is_choose_parents_then_inherit(seed, capacity, n_camps, mutation_rate):
    s = random_state(seed, capacity, 0, 0, 1, n_camps)
    start, members = kernels.camp_members(s.camp, s.alive, n_camps)
    births = np.random.default_rng(seed).integers(0, 3, n_camps) * (np.diff(start) > 0)
    free = np.flatnonzero(~s.alive)
    births[:] = 0 if births.sum() > free.size else births
    children = free[:births.sum()]
    rule = rule_with(mutation_rate=mutation_rate, assoc_mutation_rate=0.5, mutation_sd=0.2)
    twin = twin_of(s)
    rng_k, rng_t = two_rngs(seed)
    parents = kernels.reproduce(rng_k, s, rule, start, members, births, children)
    ref_parents = ref.choose_parents(rng_t, twin, ref.camps_from_csr(start, members),
                                     births.tolist())
    ref.inherit(rng_t, twin, rule, ref_parents, children.tolist())
    assert parents.tolist() == ref_parents
    assert_same_state(s, twin)
    assert_same_stream(rng_k, rng_t)


@PROPERTY
@given(seed=hs.integers(0, 2**31), capacity=hs.integers(1, 12), rate=hs.sampled_from([0.0, 0.5]))
def test_fitness_then_migrate_is_fitness_then_migrate(seed, capacity, rate):
    g = np.random.default_rng(seed)
    s = random_state(seed, capacity, 2, 0, 1, 3)
    slots = np.flatnonzero(s.alive)
    n_start, neighbours = random_neighbours(g, 3)
    rule = rule_with(migration_rate=rate)
    twin = twin_of(s)
    rng_k, rng_t = two_rngs(seed)
    moved = kernels.fitness_then_migrate(rng_k, s, rule, slots, 1, n_start, neighbours)
    ref.fitness(twin, rule, slots.tolist(), 1)
    ref_moved = ref.migrate(rng_t, twin, rule, slots.tolist(), ref.camps_from_csr(n_start, neighbours))
    assert moved.tolist() == ref_moved
    assert_same_state(s, twin)
    assert_same_stream(rng_k, rng_t)


@pytest.mark.parametrize("scores", [[0, 0, 0, 0], [2, 0, 1, 0], [3, 1, 1, 2], [1, 2, 3, 0],
                                    [5, 4, 4, 4], [0, 7, 0, 1]])
def test_full_inventory_replaces_the_first_least_used_variant(scores):
    """The dropped variant is the first with the lowest use score (np.argmin), zeros or not."""
    st = PopulationState.allocate(1, 0, 1, len(scores))
    st.gestures[0, 0] = np.arange(10, 10 + len(scores))
    st.scores[0, 0] = scores
    st.n_known[0, 0] = len(scores)
    assert gestures._add_variant(st, 0, 0, 99) == 1
    worst = int(np.argmin(scores))
    assert st.gestures[0, 0, worst] == 99 and st.scores[0, 0, worst] == 0
    kept = [j for j in range(len(scores)) if j != worst]
    assert np.array_equal(st.gestures[0, 0, kept], np.arange(10, 10 + len(scores))[kept])


def test_the_private_nrt_option_is_accepted_and_removes_reference_counting():
    """`_nrt=False` (evo.core.kernels.rule) is outside numba's documented API: check it still works.

    A kernel compiled with it has no reference-count calls; the same function compiled plainly has
    them, so this test fails if a numba version ignores or drops the option.
    """
    from numba import njit

    from evo.core.kernels.selection import fitness

    state = PopulationState.allocate(4, 2, 1, 2)
    rule = kernels.make_rule(Params())
    options = {k: v for k, v in fitness.targetoptions.items() if k not in ("cache", "nopython")}
    assert options.get("_nrt") is False
    irs = []
    for compiled in (njit(**options)(fitness.py_func), njit(fitness.py_func)):
        compiled(state, rule, np.arange(2), 0)
        irs.append("".join(compiled.inspect_llvm().values()))
    without, with_rc = irs
    assert "NRT_incref" in with_rc
    assert "NRT_incref" not in without

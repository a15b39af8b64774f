"""The inheritance kernel against its plain-Python twin, plus invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hs

from evo.core import kernels
from evo.core.state import PopulationState
from tests import reference as ref
from tests.kernel_twins import (
    PROPERTY,
    assert_same_state,
    assert_same_stream,
    kernel_rng,
    random_state,
    rule_with,
    twin_of,
    two_rngs,
)

# --- inherit ---------------------------------------------------------------------------------


def check_inherit(seed, flip, mutation_rate, assoc_rate, mutation_sd, capacity=14):
    g = np.random.default_rng(seed)
    s = random_state(seed, capacity, 0, 0, 1)
    if flip:
        s.g_mirror[:] = g.integers(0, 2, capacity)
        s.g_assoc[:] = g.integers(0, 2, capacity)
    living, free = np.flatnonzero(s.alive), np.flatnonzero(~s.alive)
    n = min(free.size, int(g.integers(0, capacity + 1)))
    children = g.permutation(free)[:n]
    parents = g.choice(living, n) if living.size else np.empty(0, np.int64)
    children = children[:parents.size]
    rule = rule_with(mutation_rate=mutation_rate, assoc_mutation_rate=assoc_rate,
                     mutation_sd=mutation_sd, flip=flip)
    twin = twin_of(s)
    rng_k, rng_t = two_rngs(seed)
    kernels.inherit(rng_k, s, rule, parents, children)
    ref.inherit(rng_t, twin, rule, parents.tolist(), children.tolist())
    assert_same_state(s, twin)
    assert_same_stream(rng_k, rng_t)
    assert ((s.g_mirror >= 0) & (s.g_mirror <= 1)).all()
    assert ((s.g_assoc >= 0) & (s.g_assoc <= 1)).all()
    np.testing.assert_array_equal(s.parent[children], parents)
    np.testing.assert_array_equal(s.camp[children], s.camp[parents])


@PROPERTY
@given(seed=hs.integers(0, 2**31), flip=hs.booleans(),
       mutation_rate=hs.sampled_from([0.0, 0.3, 1.0]), assoc_rate=hs.sampled_from([0.0, 0.7]),
       mutation_sd=hs.sampled_from([0.05, 0.5, 40.0]), capacity=hs.integers(1, 16))
def test_inherit_property(seed, flip, mutation_rate, assoc_rate, mutation_sd, capacity):
    check_inherit(seed, flip, mutation_rate, assoc_rate, mutation_sd, capacity)


@pytest.mark.parametrize("flip", [False, True])
def test_inherit_explicit(flip):
    for seed in range(5):
        check_inherit(seed, flip, 1.0, 1.0, 0.3, capacity=30)


def test_inherit_large_steps_stay_in_unit_interval():
    """Gaussian steps far larger than [0, 1] are reflected back into it."""
    n = 500
    s = PopulationState.allocate(n + 3, 0, 0, 1)
    s.g_mirror[:3] = s.g_assoc[:3] = [0.0, 1.0, 0.5]
    parents = np.arange(n) % 3
    rule = rule_with(mutation_rate=1.0, assoc_mutation_rate=1.0, mutation_sd=25.0, flip=False)
    kernels.inherit(kernel_rng(0), s, rule, parents, np.arange(3, n + 3))
    assert ((s.g_mirror >= 0) & (s.g_mirror <= 1)).all()
    assert ((s.g_assoc >= 0) & (s.g_assoc <= 1)).all()
    assert np.unique(s.g_mirror[3:]).size > n // 2  # they did move



"""The behaviour-learning kernel against its plain-Python twin."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as hs

from evo.core import kernels
from evo.core.kernels import Camps
from evo.core.state import PopulationState
from tests import reference as ref
from tests.kernel_twins import (
    PROPERTY,
    assert_same_state,
    assert_same_stream,
    kernel_rng,
    learners_of,
    random_state,
    rule_with,
    twin_camps,
    twin_of,
    two_rngs,
)

# --- learn_behaviour -------------------------------------------------------------------------


@PROPERTY
@given(seed=hs.integers(0, 2**31), capacity=hs.integers(1, 14), n_camps=hs.integers(1, 4),
       env_state=hs.integers(0, 3), learned=hs.booleans())
def test_learn_behaviour_matches_twin(seed, capacity, n_camps, env_state, learned):
    s = random_state(seed, capacity, 0, 0, 1, n_camps, learned=learned)
    camps = kernels.camps_of(s, n_camps)
    learners = learners_of(s)
    twin, rule = twin_of(s), rule_with()
    rng_k, rng_t = two_rngs(seed)
    kernels.learn_behaviour(rng_k, s, rule, camps, learners, env_state)
    ref.learn_behaviour(rng_t, twin, rule, twin_camps(camps), learners.tolist(), env_state)
    assert_same_state(s, twin)
    assert_same_stream(rng_k, rng_t)


def test_learn_behaviour_pure_strategy_draws_no_uniform():
    """Mirror 1 (a pure strategy): no uniform for the choice; a camp without adults: alone."""
    s = PopulationState.allocate(4, 0, 0, 1)
    s.camp[:] = [0, 0, 0, 1]
    s.behaviour[:] = [5, 5, -1, -1]
    s.g_mirror[:] = [1, 1, 1, 1]
    start, adults = kernels.camp_members(s.camp, np.array([True, False, False, False]), 2)
    rng = kernel_rng(1)
    kernels.learn_behaviour(rng, s, rule_with(), Camps(start, adults, start, adults),
                            np.array([1, 3]), 9)
    np.testing.assert_array_equal(s.behaviour, [5, 5, -1, 9])
    np.testing.assert_array_equal(s.alone, [False, False, False, True])
    expected = ref.Xoshiro.from_seed(1)
    expected.random()  # the only draw: learner 1 picks its demonstrator among camp 0's adults
    assert rng.tolist() == expected.words



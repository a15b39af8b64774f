"""The tool-learning kernel against its plain-Python twin, plus invariants."""

from __future__ import annotations

import itertools

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
    learners_of,
    random_state,
    rule_with,
    twin_camps,
    twin_of,
    two_rngs,
)

# --- tool_learning ---------------------------------------------------------------------------


def check_tool_learning(seed, demonstrator, keep_best, innovation_rate, teaching_gain, *,
                        capacity=12, lineages=3, meanings=2, n_camps=3, episodes=2,
                        sample_size=3, mirror_gain=0.9, learning_budget=0.0, spread=0.0,
                        experience=0):
    s = random_state(seed, capacity, lineages, meanings, 4, n_camps)
    g = np.random.default_rng(seed + 1)
    preferred = g.integers(-1, 2, (capacity, meanings))  # small ids: shared conventions are common
    camps = kernels.camps_of(s, n_camps)
    learners = learners_of(s)
    rule = rule_with(demonstrator=demonstrator, demonstrator_sample=sample_size,
                     learning_episodes=episodes, alpha=6.0, mirror_gain=mirror_gain, beta=1.0,
                     keep_best=keep_best, innovation_rate=innovation_rate, innovation_mode=-1.0,
                     teaching_gain=teaching_gain, learning_budget=learning_budget,
                     assoc_experience=experience)
    difficulty = kernels.lineage_difficulty(lineages, spread)
    twin = twin_of(s)
    rng_k, rng_t = two_rngs(seed)
    matched = kernels.tool_learning(rng_k, s, rule, camps, learners, preferred, difficulty)
    ref_matched = ref.tool_learning(rng_t, twin, rule, twin_camps(camps), learners.tolist(),
                                    preferred.tolist(), difficulty.tolist())
    assert matched == ref_matched
    assert_same_state(s, twin)
    assert_same_stream(rng_k, rng_t)
    return matched


@pytest.mark.parametrize(
    ("demonstrator", "keep_best", "innovation_rate", "teaching_gain"),
    list(itertools.product(range(4), (True, False), (0.0, 0.4, 1.0), (0.0, 0.5))),
)
def test_tool_learning_matches_twin(demonstrator, keep_best, innovation_rate, teaching_gain):
    for seed in (3, 17):
        check_tool_learning(seed, demonstrator, keep_best, innovation_rate, teaching_gain)


@PROPERTY
@given(seed=hs.integers(0, 2**31), demonstrator=hs.integers(0, 3), keep_best=hs.booleans(),
       innovation_rate=hs.sampled_from([0.0, 0.25, 0.9, 1.0]),
       teaching_gain=hs.sampled_from([0.0, 0.3, 1.0]), capacity=hs.integers(1, 14),
       lineages=hs.integers(1, 4), meanings=hs.integers(0, 3), n_camps=hs.integers(1, 4),
       episodes=hs.integers(1, 3), sample_size=hs.integers(1, 4))
def test_tool_learning_property(seed, demonstrator, keep_best, innovation_rate, teaching_gain,
                                capacity, lineages, meanings, n_camps, episodes, sample_size):
    check_tool_learning(seed, demonstrator, keep_best, innovation_rate, teaching_gain, capacity=capacity,
                        lineages=lineages, meanings=meanings, n_camps=n_camps, episodes=episodes,
                        sample_size=sample_size)


@pytest.mark.parametrize(
    ("demonstrator", "keep_best", "innovation_rate", "teaching_gain", "learning_budget"),
    list(itertools.product(range(4), (True, False), (0.0, 1.0), (0.0, 0.5), (0.5, 3.0, 30.0))),
)
def test_tool_learning_with_a_budget_matches_twin(demonstrator, keep_best, innovation_rate,
                                                  teaching_gain, learning_budget):
    for seed in (3, 17):
        check_tool_learning(seed, demonstrator, keep_best, innovation_rate, teaching_gain,
                            episodes=3, learning_budget=learning_budget)


@pytest.mark.parametrize(("demonstrator", "experience", "spread", "budget"),
                         list(itertools.product(range(4), range(3), (0.0, 0.8), (0.0, 3.0))))
def test_tool_learning_difficulty_and_experience_match_twin(demonstrator, experience, spread,
                                                            budget):
    for seed in (5, 23):
        check_tool_learning(seed, demonstrator, True, 1.0, 0.5, lineages=4, spread=spread,
                            experience=experience, learning_budget=budget)


def test_all_experience_trains_matching_in_every_tool_episode():
    """"all" counts every episode that has a model; the other two count some of them."""
    counts = [check_tool_learning(9, 1, True, 1.0, 0.0, capacity=14, experience=e)
              for e in range(3)]
    s = random_state(9, 14, 3, 2, 4, 3)
    learners, camps = learners_of(s), kernels.camps_of(s, 3)
    with_adults = sum(camps.adult_start[s.camp[i] + 1] > camps.adult_start[s.camp[i]]
                      for i in learners)
    assert counts[2] == 2 * 3 * with_adults  # all: every (episode, learner, lineage) with a model
    assert counts[0] <= counts[2] and 0 < counts[1] <= counts[2]


def test_lineage_difficulty_is_lognormal_around_one():
    np.testing.assert_array_equal(kernels.lineage_difficulty(5, 0.0), np.ones(5))
    d = kernels.lineage_difficulty(8, 0.7)
    assert np.all(np.diff(d) > 0)  # lineage 0 the easiest
    assert np.prod(d) == pytest.approx(1.0)  # symmetric quantiles: geometric mean 1
    assert np.std(np.log(d)) == pytest.approx(0.7, rel=0.15)  # 8 quantiles under-spread a little


def test_tool_learning_budget_caps_each_lineage():
    """A learner's positive skill gained per lineage never costs more than its share B/K."""
    s = random_state(8, 30, 2, 0, 1, 1)
    s.skill[:] = np.abs(s.skill) * 50.0  # rich demonstrators, so the budget binds
    s.g_mirror[:] = 0.5
    s.m_learned[:] = 0.0
    s.g_assoc[:] = 0.0  # no associative learning: the unit time stays 1 - 0.9 * 0.5
    learners = learners_of(s)
    s.skill[learners] = 0.0
    rule = rule_with(demonstrator=kernels.RULE_BEST, demonstrator_sample=1, learning_episodes=3,
                     alpha=1.0, mirror_gain=0.9, beta=1.0, keep_best=True, innovation_rate=0.0,
                     innovation_mode=-1.0, teaching_gain=0.0, learning_budget=4.0)
    kernels.tool_learning(kernel_rng(1), s, rule, kernels.camps_of(s, 1), learners,
                          np.full((30, 0), -1))
    per_lineage_cap = 4.0 / 2 / (1.0 - 0.9 * 0.5)
    assert learners.size > 0
    assert np.all(s.skill[learners] <= per_lineage_cap * (1 + 1e-12))
    assert np.isclose(s.skill[learners].max(), per_lineage_cap)


def test_tool_learning_learns_something():
    """Guard against vacuous agreement: the random cases above do copy and do match episodes."""
    assert check_tool_learning(5, kernels.RULE_BEST, True, 0.0, 0.0, capacity=30,
                               mirror_gain=1.0) > 0


def tied_demonstrators(demonstrator, seed):
    """Three adults of equal skill with different conventions; the learner shares the last one's.

    Which tied adult is the demonstrator decides whether the teaching discount applies.
    """
    s = PopulationState.allocate(4, 1, 1, 1)
    s.alive[:] = True
    s.age[:] = [1, 1, 1, 0]
    s.skill[:3, 0] = 2.0
    s.parent[3] = 2
    preferred = np.array([[5], [6], [7], [7]])
    camps = kernels.camps_of(s, 1)
    learners = np.array([3])
    rule = rule_with(demonstrator=demonstrator, demonstrator_sample=3, learning_episodes=1,
                     alpha=6.0, mirror_gain=0.9, beta=1.0, keep_best=False, innovation_rate=0.0,
                     innovation_mode=-1.0, teaching_gain=0.5)
    twin = twin_of(s)
    rng_k, rng_t = two_rngs(seed)
    kernels.tool_learning(rng_k, s, rule, camps, learners, preferred)
    ref.tool_learning(rng_t, twin, rule, twin_camps(camps), learners.tolist(), preferred.tolist())
    assert_same_state(s, twin)
    assert_same_stream(rng_k, rng_t)
    return s.skill[3, 0]


def test_tool_learning_ties_go_to_the_first_adult():
    """Best: the first adult in slot order on ties (no shared convention: the full loss alpha)."""
    gumbel = ref.Xoshiro.from_seed(0).gumbel()
    assert tied_demonstrators(kernels.RULE_BEST, 0) == 2.0 - 6.0 + gumbel
    for seed in range(20):
        tied_demonstrators(kernels.RULE_SAMPLE_BEST, seed)


def test_tool_learning_teaching_through_the_parent():
    """Parent rule, shared convention: loss alpha (1 - teaching_gain), one Gumbel drawn."""
    gumbel = ref.Xoshiro.from_seed(1).gumbel()
    assert tied_demonstrators(kernels.RULE_PARENT, 1) == 2.0 - 6.0 * 0.5 + gumbel


def test_tool_learning_no_adults_or_no_parent_draws_nothing():
    s = PopulationState.allocate(3, 2, 0, 1)
    s.alive[:] = True
    s.camp[:] = [0, 1, 1]
    s.age[:] = [1, 0, 0]
    camps = kernels.camps_of(s, 2)  # camp 1 has no adult
    no_conventions = np.zeros((3, 0), np.int64)
    for demonstrator in range(4):
        rule = rule_with(demonstrator=demonstrator, demonstrator_sample=2, learning_episodes=3,
                         alpha=6.0, innovation_rate=0.5, teaching_gain=0.0)
        rng = kernel_rng(2)
        before = rng.copy()
        kernels.tool_learning(rng, s, rule, camps, np.array([1, 2]), no_conventions)
        assert (rng == before).all()
    s.camp[:] = 0  # now with an adult, but the parent rule and no parent: nothing either
    camps = kernels.camps_of(s, 2)
    rng = kernel_rng(2)
    before = rng.copy()
    kernels.tool_learning(rng, s, rule_with(demonstrator=kernels.RULE_PARENT, innovation_rate=0.5),
                          camps, np.array([1, 2]), no_conventions)
    assert (rng == before).all()
    assert (s.skill == 0).all()



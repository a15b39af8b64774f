"""Every numba kernel against its plain-Python twin (tests/reference/), plus invariants.

Kernel and twin run from two generators with one seed; their outputs must be equal exactly and the
generators must end in the same state (same draws, in the same order).
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from evo.core import kernels, stream
from evo.core.kernels import Camps, gestures
from evo.core.params import Params
from evo.core.state import FIELDS, PopulationState
from tests import reference as ref

PROPERTY = settings(max_examples=25, deadline=None)
GESTURE_FIELDS = ("gestures", "scores", "n_known")  # the twins hold them as `inventory`


# --- builders --------------------------------------------------------------------------------


def kernel_rng(seed: int) -> np.ndarray:
    """The kernels' stream state as a model seeded with `seed` would start it."""
    return stream.seeded(np.random.default_rng(seed))


def two_rngs(seed: int) -> tuple[np.ndarray, ref.Xoshiro]:
    """The kernels' stream state and the twin's plain-Python generator, in the same state."""
    return kernel_rng(seed), ref.Xoshiro.from_seed(seed)


def assert_same_stream(rng_kernel: np.ndarray, rng_twin: ref.Xoshiro) -> None:
    assert rng_kernel.tolist() == rng_twin.words


def gene(g: np.random.Generator, n: int) -> np.ndarray:
    """Gene values in [0, 1] with exact 0s and 1s mixed in (the no-draw cases)."""
    return np.where(g.random(n) < 0.2, g.integers(0, 2, n).astype(float), g.random(n))


def random_state(seed: int, capacity: int = 12, lineages: int = 3, meanings: int = 2,
                 variants: int = 4, n_camps: int = 3, alive_share: float = 0.85,
                 learned: bool = True) -> PopulationState:
    """A small random state: ages 0 (learners) and 1+ (adults), genes, skills, inventories."""
    g = np.random.default_rng(seed)
    s = PopulationState.allocate(capacity, lineages, meanings, variants)
    s.alive[:] = g.random(capacity) < alive_share
    s.camp[:] = g.integers(0, n_camps, capacity)
    s.age[:] = g.integers(0, 3, capacity)
    s.g_mirror[:] = gene(g, capacity)
    s.g_assoc[:] = gene(g, capacity)
    s.m_learned[:] = g.random(capacity) * 0.5 if learned else 0.0
    s.skill[:] = g.normal(1.0, 2.0, (capacity, lineages))
    if g.random() < 0.5:  # whole-number skills: ties between demonstrators
        s.skill[:] = np.round(s.skill)
    pool = 2 * variants + 1  # a small pool of ids, so that partners often share words
    for i in range(capacity):
        for m in range(meanings):
            n = int(g.integers(0, variants + 1))
            s.gestures[i, m, :n] = g.choice(pool, n, replace=False)
            s.scores[i, m, :n] = g.integers(0, 4, n)
            s.n_known[i, m] = n
    s.attempts[:] = g.integers(0, 5, capacity)
    s.successes[:] = np.minimum(s.attempts, g.integers(0, 5, capacity))
    s.behaviour[:] = g.integers(0, 3, capacity)
    s.alone[:] = g.random(capacity) < 0.5
    s.fitness[:] = np.where(g.random(capacity) < 0.3, 0.0, g.random(capacity) * 2)
    adult = s.alive & (s.age >= 1)
    for i in range(capacity):  # a parent: an adult of the learner's camp, or none
        same_camp = np.flatnonzero(adult & (s.camp == s.camp[i]))
        if same_camp.size and g.random() < 0.8:
            s.parent[i] = g.choice(same_camp)
    return s


def counters_for(s: PopulationState) -> np.ndarray:
    """[next variant id, dropped, words total] consistent with the state's inventories."""
    next_id = int(s.gestures.max()) + 1 if s.gestures.size else 0
    return np.array([max(next_id, 0), 0, int(s.n_known.sum())], np.int64)


def counters_dict(counters: np.ndarray) -> dict:
    return dict(zip(("next_variant", "dropped", "words_total"), counters.tolist(), strict=True))


def inventory_of(s: PopulationState) -> list[list[list[list[int]]]]:
    """inventory[i][m] = [[variant, score], ...] from the arrays."""
    return [
        [
            [[int(s.gestures[i, m, j]), int(s.scores[i, m, j])] for j in range(s.n_known[i, m])]
            for m in range(s.n_known.shape[1])
        ]
        for i in range(s.capacity)
    ]


def twin_of(s: PopulationState) -> SimpleNamespace:
    """The twins' state: every array of `FIELDS` as a list, the gesture arrays as `inventory`."""
    lists = {name: getattr(s, name).tolist() for name in FIELDS if name not in GESTURE_FIELDS}
    return SimpleNamespace(**lists, inventory=inventory_of(s), cap=s.gestures.shape[2])


def assert_same_state(s: PopulationState, twin: SimpleNamespace) -> None:
    """Kernel and twin left every per-slot array equal (a kernel touches only what it should)."""
    for name in FIELDS:
        if name not in GESTURE_FIELDS:
            assert getattr(s, name).tolist() == getattr(twin, name), name
    assert inventory_of(s) == twin.inventory


def rule_with(**overrides) -> kernels.Rule:
    """The default parameters' rule constants with some replaced (by `Rule` field)."""
    return kernels.make_rule(Params(), **overrides)


def twin_camps(camps: Camps) -> SimpleNamespace:
    return SimpleNamespace(members=ref.camps_from_csr(camps.start, camps.members),
                           adults=ref.camps_from_csr(camps.adult_start, camps.adults))


def learners_of(s: PopulationState) -> np.ndarray:
    return np.flatnonzero(s.alive & (s.age == 0))


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


# --- gestures --------------------------------------------------------------------------------


@PROPERTY
@given(seed=hs.integers(0, 2**31), meanings=hs.integers(1, 3), variants=hs.integers(1, 4))
def test_preferred_variants_matches_twin(seed, meanings, variants):
    s = random_state(seed, 10, 1, meanings, variants)
    slots = np.flatnonzero(np.random.default_rng(seed).random(10) < 0.7)
    got = kernels.preferred_variants(s, slots)
    np.testing.assert_array_equal(got, np.array(ref.preferred_variants(twin_of(s), slots),
                                                np.int64).reshape(slots.size, meanings))


def test_preferred_variants_ties_and_empty():
    s = PopulationState.allocate(1, 0, 2, 3)
    s.gestures[0, 0, :3] = [7, 5, 9]
    s.scores[0, 0, :3] = [1, 2, 2]
    s.n_known[0] = [3, 0]
    got = kernels.preferred_variants(s, np.array([0]))
    np.testing.assert_array_equal(got, [[5, -1]])


def check_gesture_generation(seed, *, capacity=10, meanings=2, variants=3, n_camps=2,
                             max_episodes=8, perfect_parity=False, confuse=False, prefer=False,
                             exposure=0.0, ritual=0.0, experience=0):
    s = random_state(seed, capacity, 0, meanings, variants, n_camps)
    if perfect_parity:
        s.g_mirror[:] = 1.0
    counters = counters_for(s)
    camps = kernels.camps_of(s, n_camps)
    episodes = np.random.default_rng(seed).integers(0, max_episodes + 1, n_camps)
    twin, twin_counters = twin_of(s), counters_dict(counters)
    rule = rule_with(confuse=confuse, prefer=prefer, exposure_gain=exposure, ritual_gain=ritual,
                     assoc_experience=experience)
    rng_k, rng_t = two_rngs(seed)
    result = kernels.gesture_generation(rng_k, s, rule, camps, episodes, counters)
    ref_result = ref.gesture_generation(rng_t, twin, rule, twin_camps(camps), episodes.tolist(),
                                        twin_counters)
    assert tuple(result) == ref_result
    assert_same_state(s, twin)
    assert counters_dict(counters) == twin_counters
    assert_same_stream(rng_k, rng_t)
    assert (s.n_known <= variants).all()
    assert counters[2] == s.n_known.sum()  # nobody born or dead: words_total stays exact
    return s, counters, result


@PROPERTY
@given(seed=hs.integers(0, 2**31), capacity=hs.integers(2, 12), meanings=hs.integers(1, 3),
       variants=hs.integers(1, 5), n_camps=hs.integers(1, 4), perfect_parity=hs.booleans())
def test_gesture_generation_property(seed, capacity, meanings, variants, n_camps,
                                     perfect_parity):
    check_gesture_generation(seed, capacity=capacity, meanings=meanings, variants=variants,
                             n_camps=n_camps, perfect_parity=perfect_parity)


@PROPERTY
@given(seed=hs.integers(0, 2**31), capacity=hs.integers(2, 12), meanings=hs.integers(1, 3),
       variants=hs.integers(1, 5), n_camps=hs.integers(1, 4), confuse=hs.booleans(),
       prefer=hs.booleans())
def test_gesture_rules_match_twin(seed, capacity, meanings, variants, n_camps, confuse, prefer):
    check_gesture_generation(seed, capacity=capacity, meanings=meanings, variants=variants,
                             n_camps=n_camps, max_episodes=20, confuse=confuse, prefer=prefer)


@PROPERTY
@given(seed=hs.integers(0, 2**31), capacity=hs.integers(2, 12), meanings=hs.integers(1, 3),
       variants=hs.integers(1, 5), n_camps=hs.integers(1, 3), confuse=hs.booleans(),
       prefer=hs.booleans(), exposure=hs.sampled_from([0.0, 0.2, 1.0]),
       ritual=hs.sampled_from([0.0, 0.3, 1.0]), experience=hs.integers(0, 2))
def test_parity_routes_and_matching_experience_match_twin(seed, capacity, meanings, variants,
                                                          n_camps, confuse, prefer, exposure,
                                                          ritual, experience):
    check_gesture_generation(seed, capacity=capacity, meanings=meanings, variants=variants,
                             n_camps=n_camps, max_episodes=20, confuse=confuse, prefer=prefer,
                             exposure=exposure, ritual=ritual, experience=experience)


def test_exposure_makes_a_known_word_heard_without_any_mirror():
    """Mirror 0: a hearer perceives only words it knows, by exposure alone (gain 1: always)."""
    s = random_state(2, 12, 0, 1, 4, 1)
    s.g_mirror[:] = 0.0
    s.m_learned[:] = 0.0
    s.age[:] = 1
    s.alive[:] = True
    s.gestures[:, 0, 0] = 7  # everybody knows word 7 and nothing else
    s.scores[:, 0, 0] = 0
    s.n_known[:, 0] = 1
    camps = kernels.camps_of(s, 1)
    for gain, expected in ((0.0, 0), (1.0, 30)):
        st = PopulationState(*(a.copy() for a in s))
        won = kernels.gesture_generation(kernel_rng(1), st, rule_with(exposure_gain=gain), camps,
                                         np.array([30]), counters_for(st))[1]
        assert won == expected


def test_infancy_matches_twin():
    for seed in range(6):
        s = random_state(seed, 14, 0, 1, 2, 3)
        camps = kernels.camps_of(s, 3)
        newborns = learners_of(s)
        rule = rule_with(assoc_infancy=seed % 4)
        twin = twin_of(s)
        rng_k, rng_t = two_rngs(seed)
        kernels.infancy(rng_k, s, rule, camps, newborns)
        ref.infancy(rng_t, twin, rule, twin_camps(camps), newborns.tolist())
        assert_same_state(s, twin)
        assert_same_stream(rng_k, rng_t)


def test_infancy_transmits_matching_from_faithful_adults():
    """Adults with effective mirror 1 train every episode; adults with 0 train none."""
    for adult_mirror, expected in ((1.0, 1 - 0.5**3), (0.0, 0.0)):
        s = random_state(4, 10, 0, 1, 2, 1)
        s.alive[:] = True
        s.age[:5], s.age[5:] = 1, 0
        s.g_mirror[:5], s.m_learned[:] = adult_mirror, 0.0
        s.g_assoc[:] = 0.5
        kernels.infancy(kernel_rng(0), s, rule_with(assoc_infancy=3), kernels.camps_of(s, 1),
                        np.arange(5, 10))
        np.testing.assert_allclose(s.m_learned[5:], expected)


def test_confused_hearers_learn_no_new_variant():
    """Under `confuse`, a hearer who knows another variant never adds one on a misperception."""
    inventions = {}
    for confuse in (False, True):
        _, counters, (played, won) = check_gesture_generation(
            5, capacity=12, meanings=1, variants=6, n_camps=1, max_episodes=60, confuse=confuse)
        inventions[confuse] = int(counters[0])
        assert played > won
    assert inventions[True] < inventions[False]


@pytest.mark.parametrize("perfect_parity", [False, True])
@pytest.mark.parametrize("meanings", [1, 3])
def test_gesture_generation_parity(perfect_parity, meanings):
    for seed in range(3):
        _, _, (played, won) = check_gesture_generation(
            seed, meanings=meanings, max_episodes=30, perfect_parity=perfect_parity)
        assert 0 <= won <= played


def test_gesture_generation_inventory_overflow():
    """V = 1 and imperfect parity: inventories overflow, n_known stays within V."""
    s, counters, _ = check_gesture_generation(11, capacity=12, meanings=1, variants=1,
                                              n_camps=1, max_episodes=40)
    assert counters[1] > 0
    assert (s.n_known <= 1).all()


def test_gesture_generation_small_camps_draw_nothing():
    """Camps with fewer than two members or no adult speaker play no episode and draw nothing."""
    s = PopulationState.allocate(6, 0, 1, 2)
    s.alive[:] = True
    s.camp[:] = [0, 2, 2, 3, 3, 3]  # camp 0: one member, camp 1: empty, 2: two, 3: three
    s.age[:] = [1, 0, 0, 1, 1, 1]  # camp 2 has no adult
    counters = np.zeros(3, np.int64)
    rng = kernel_rng(0)
    before = rng.copy()
    kernels.gesture_generation(rng, s, rule_with(), kernels.camps_of(s, 4),
                               np.array([5, 5, 5, 0]), counters)
    assert (rng == before).all()
    assert s.attempts.sum() == 0


def test_gesture_generation_speakers_are_adults():
    """Only adults speak: with perfect parity and adults that all know a word, no newborn ever
    has to invent one, so no new variant id is issued."""
    for seed in range(5):
        s = random_state(seed, 10, 0, 1, 4, 1, alive_share=1.1)
        s.age[:] = [0] * 5 + [1] * 5
        s.g_mirror[:] = 1.0
        s.attempts[:] = 0
        s.n_known[:5] = 0  # newborns know nothing
        s.n_known[5:] = np.maximum(s.n_known[5:], 1)
        s.gestures[5:, 0, 0] = np.maximum(s.gestures[5:, 0, 0], 0)
        counters = counters_for(s)
        first_new_id = counters[0]
        total, _ = kernels.gesture_generation(kernel_rng(seed), s, rule_with(),
                                              kernels.camps_of(s, 1), np.array([30]), counters)
        assert total == 30
        assert counters[0] == first_new_id
        assert s.attempts.sum() == 60
        assert s.attempts[5:].sum() >= 30  # an adult in every episode


# --- naming game -----------------------------------------------------------------------------


def fixed_population(seed, n, meanings=1, variants=4, perfect_parity=False, empty=False):
    """Everybody alive and in the camp; words_total counts only members."""
    s = random_state(seed, n, 0, meanings, variants, 1, alive_share=1.1)
    if perfect_parity:
        s.g_mirror[:] = 1.0
    if empty:
        s.n_known[:] = 0
        s.gestures[:] = -1
    return s, np.arange(n), counters_for(s)


def check_naming_game_chunk(seed, s, members, counters, n_episodes, variants, confuse=False,
                            prefer=False):
    twin, twin_counters = twin_of(s), counters_dict(counters)
    rule = rule_with(confuse=confuse, prefer=prefer)
    rng_k, rng_t = two_rngs(seed)
    result = kernels.naming_game_chunk(rng_k, s, rule, members, n_episodes, counters)
    ref_result = ref.naming_game_chunk(rng_t, twin, rule, members.tolist(), n_episodes,
                                       twin_counters)
    assert tuple(result) == ref_result
    assert_same_state(s, twin)
    assert counters_dict(counters) == twin_counters
    assert_same_stream(rng_k, rng_t)
    assert counters[2] == s.n_known[members].sum()  # words_total exact in a fixed population
    assert (s.n_known <= variants).all()
    return result


def test_naming_game_chunk_in_a_camp_of_one_plays_nothing():
    """One member has no partner: the kernel must not read past its camp (members[1])."""
    s, _, counters = fixed_population(3, 4, 1, 3, False, False)
    before = twin_of(s)
    rng_k, rng_t = two_rngs(3)
    result = kernels.naming_game_chunk(rng_k, s, rule_with(), np.arange(1), 50, counters)
    assert tuple(result) == (0, 0, False)
    assert_same_state(s, before)
    assert_same_stream(rng_k, rng_t)  # no number drawn


@PROPERTY
@given(seed=hs.integers(0, 2**31), n=hs.integers(2, 8), variants=hs.integers(1, 5),
       n_episodes=hs.integers(1, 60), perfect_parity=hs.booleans(), empty=hs.booleans())
def test_naming_game_chunk_property(seed, n, variants, n_episodes, perfect_parity, empty):
    s, members, counters = fixed_population(seed, n, 1, variants, perfect_parity, empty)
    check_naming_game_chunk(seed, s, members, counters, n_episodes, variants)


@PROPERTY
@given(seed=hs.integers(0, 2**31), n=hs.integers(2, 8), variants=hs.integers(1, 5),
       n_episodes=hs.integers(1, 60), confuse=hs.booleans(), prefer=hs.booleans())
def test_naming_game_chunk_rules_match_twin(seed, n, variants, n_episodes, confuse, prefer):
    s, members, counters = fixed_population(seed, n, 1, variants, False, False)
    check_naming_game_chunk(seed, s, members, counters, n_episodes, variants, confuse, prefer)


def test_preferred_speaker_says_its_most_used_variant():
    """Speaker 0 knows [4 (score 1), 9 (score 3)]: under `prefer` it says 9, which 1 knows."""
    s = PopulationState.allocate(2, 0, 1, 3)
    s.alive[:] = True
    s.g_mirror[:] = 1.0
    s.gestures[0, 0, :2] = [4, 9]
    s.scores[0, 0, :2] = [1, 3]
    s.gestures[1, 0, :1] = [9]
    s.n_known[:, 0] = [2, 1]
    counters = np.array([10, 0, 3], np.int64)
    for _ in range(5):  # pairs drawn at random; once 0 speaks, 0 and 1 agree on 9
        kernels.naming_game_chunk(kernel_rng(2), s, rule_with(prefer=True),
                                  np.arange(2), 1, counters)
    assert s.gestures[0, 0, 0] == 9 and s.n_known[0, 0] == 1


@pytest.mark.parametrize("n", [2, 3, 6])
def test_naming_game_chunk_stops_at_consensus(n):
    s, members, counters = fixed_population(n, n, 1, 64, perfect_parity=True, empty=True)
    played, _, reached = check_naming_game_chunk(n, s, members, counters, 100_000, 64)
    assert reached and played < 100_000
    assert (s.n_known[members, 0] == 1).all()
    assert len(set(s.gestures[members, 0, 0].tolist())) == 1


def test_naming_game_chunk_several_chunks():
    """Chunks continue one game: consensus is found in whichever chunk it happens."""
    s, members, counters = fixed_population(4, 5, 1, 8, perfect_parity=True, empty=True)
    total = 0
    for chunk in range(1000):
        played, _, reached = check_naming_game_chunk(chunk, s, members, counters, 7, 8)
        total += played
        if reached:
            break
    assert reached and total < 7000


def test_gesture_success_leaves_one_shared_variant():
    """After a successful episode both partners know exactly one variant, the same one."""
    wins = 0
    for seed in range(40):
        s, members, counters = fixed_population(seed, 2, 1, 3)
        _, won, _ = kernels.naming_game_chunk(kernel_rng(seed), s, rule_with(),
                                              members, 1, counters)
        if won:
            wins += 1
            assert (s.n_known[:, 0] == 1).all()
            assert s.gestures[0, 0, 0] == s.gestures[1, 0, 0]
    assert wins > 0


def test_gesture_generation_success_with_several_meanings():
    """Two adults, one episode at a time: on success, the one meaning that changed holds exactly
    one variant for both partners, the same one, with its score raised."""
    wins = 0
    for seed in range(60):
        s = random_state(seed, 2, 0, 3, 3, 1, alive_share=1.1)
        s.age[:] = 1
        before = (s.gestures.copy(), s.scores.copy(), s.n_known.copy())
        _, won = kernels.gesture_generation(kernel_rng(seed), s, rule_with(),
                                            kernels.camps_of(s, 1), np.array([1]),
                                            counters_for(s))
        if not won:
            continue
        wins += 1
        changed = [m for m in range(3)
                   if (s.n_known[:, m] != before[2][:, m]).any()
                   or (s.scores[:, m] != before[1][:, m]).any()]
        assert len(changed) == 1
        m = changed[0]
        assert (s.n_known[:, m] == 1).all()
        assert s.gestures[0, m, 0] == s.gestures[1, m, 0]
    assert wins > 0


# Consensus with M > 1 meanings needs one shared word per member for every meaning (a bug once
# reported consensus from meaning 0 alone, or never, as words_total was compared with N).
def test_naming_game_chunk_no_premature_consensus_with_two_meanings():
    s, members, counters = fixed_population(0, 2, meanings=2, variants=4, perfect_parity=True,
                                            empty=True)
    _, _, reached = kernels.naming_game_chunk(kernel_rng(0), s, rule_with(), members,
                                              200, counters)
    assert not reached or (s.n_known == 1).all()


def test_naming_game_chunk_consensus_with_two_meanings():
    s = PopulationState.allocate(2, 0, 2, 4)
    s.alive[:] = True
    s.g_mirror[:] = 1.0
    s.gestures[:, 0, 0], s.gestures[:, 1, 0] = 0, 1  # both know word 0 for meaning 0, 1 for 1
    s.n_known[:] = 1
    counters = counters_for(s)
    played, _, reached = check_naming_game_chunk(0, s, np.arange(2), counters, 200, 4)
    # the kernel returns (200, 200, False): the camp is at consensus after every episode
    assert reached and played == 1


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


# --- fitness ---------------------------------------------------------------------------------


@PROPERTY
@given(seed=hs.integers(0, 2**31), capacity=hs.integers(1, 12), lineages=hs.integers(0, 4),
       env_benefit=hs.sampled_from([0.0, 0.5]), baseline=hs.sampled_from([0.0, 0.3, 1.0]),
       saturation=hs.sampled_from([0.0, 0.5, 4.0]))
def test_fitness_matches_twin(seed, capacity, lineages, env_benefit, baseline, saturation):
    s = random_state(seed, capacity, lineages, 0, 1)
    s.attempts[0] = 0  # success rate undefined: no communication term
    slots = np.flatnonzero(s.alive)
    env_state = 1
    rule = rule_with(baseline_fitness=baseline, tool_benefit=0.05, tool_saturation=saturation,
                     comm_benefit=0.1, mirror_cost=0.4, assoc_cost=0.2, env_benefit=env_benefit,
                     individual_cost=0.3)
    s.fitness[:] = -7.0
    twin = twin_of(s)
    kernels.fitness(s, rule, slots, env_state)
    ref.fitness(twin, rule, slots.tolist(), env_state)
    assert_same_state(s, twin)
    assert (s.fitness[slots] >= 0.0).all()
    assert (np.delete(s.fitness, slots) == -7.0).all()  # unlisted slots untouched


def test_a_saturated_toolkit_pays_at_most_its_bound_and_first_types_pay_as_before():
    """T = b S (1 - exp(-X/S)): below b*S however rich the toolkit, slope b at X = 0."""
    s = random_state(3, 2, 3, 0, 1)
    s.skill[0] = [1e6, 1e6, 1e6]  # X = 3 log1p(1e6), about 41
    s.skill[1] = [1e-6, 0.0, -2.0]  # X about 1e-6
    s.attempts[:] = 0
    s.g_mirror[:] = 0.0
    s.g_assoc[:] = 0.0
    slots = np.array([0, 1])
    rule = rule_with(baseline_fitness=1.0, tool_benefit=0.5, tool_saturation=2.0, comm_benefit=0.0,
                     mirror_cost=0.0, assoc_cost=0.0, env_benefit=0.0)
    kernels.fitness(s, rule, slots, 0)
    assert 1.0 + 0.5 * 2.0 * (1 - 1e-8) < s.fitness[0] <= 1.0 + 0.5 * 2.0
    assert s.fitness[1] == pytest.approx(1.0 + 0.5 * np.log1p(1e-6), rel=1e-6)


# --- choose_parents --------------------------------------------------------------------------


def check_choose_parents(seed, capacity=14, n_camps=4, max_births=5):
    g = np.random.default_rng(seed)
    s = random_state(seed, capacity, 0, 0, 1, n_camps)
    zero_camp = int(g.integers(0, n_camps))  # one camp where every member has fitness 0
    s.fitness[s.camp == zero_camp] = 0.0
    weights = s.fitness
    start, members = kernels.camp_members(s.camp, s.alive, n_camps)
    births = g.integers(0, max_births + 1, n_camps)
    twin = twin_of(s)
    rng_k, rng_t = two_rngs(seed)
    parents = kernels.choose_parents(rng_k, s, start, members, births)
    by_camp = ref.camps_from_csr(start, members)
    ref_parents = ref.choose_parents(rng_t, twin, by_camp, births.tolist())
    assert_same_state(s, twin)
    np.testing.assert_array_equal(parents, ref_parents)
    assert_same_stream(rng_k, rng_t)
    # invariants: camp by camp, members only, no zero-fitness parent while a member is fit
    out = 0
    for c in range(n_camps):
        if not by_camp[c]:
            continue
        chosen = parents[out:out + births[c]]
        out += births[c]
        assert set(chosen.tolist()) <= set(by_camp[c])
        if weights[by_camp[c]].sum() > 0:
            assert (weights[chosen] > 0).all()
    assert out == parents.size
    return parents


@PROPERTY
@given(seed=hs.integers(0, 2**31), capacity=hs.integers(0, 16), n_camps=hs.integers(1, 5))
def test_choose_parents_property(seed, capacity, n_camps):
    check_choose_parents(seed, capacity, n_camps)


def test_choose_parents_zero_and_empty_camps():
    """All-zero camp: uniform; empty camp with births: no parents; births 0: nothing drawn."""
    s = PopulationState.allocate(6, 0, 0, 1)
    s.fitness[:] = [0.0, 0.0, 0.0, 2.0, 0.0, 1.0]
    start, members = kernels.camp_members(np.array([0, 0, 0, 2, 2, 2]), np.ones(6, np.bool_), 4)
    births = np.array([50, 3, 40, 0])  # camp 1 is empty, camp 3 is empty and has no births
    rng_k, rng_t = two_rngs(8)
    parents = kernels.choose_parents(rng_k, s, start, members, births)
    ref_parents = ref.choose_parents(rng_t, twin_of(s), ref.camps_from_csr(start, members),
                                     births.tolist())
    np.testing.assert_array_equal(parents, ref_parents)
    assert_same_stream(rng_k, rng_t)
    assert parents.size == 90
    assert set(parents[:50].tolist()) == {0, 1, 2}  # uniform among the all-zero camp
    assert set(parents[50:].tolist()) == {3, 5}  # never the zero-fitness member 4


def test_choose_parents_no_births_draws_nothing():
    start, members = kernels.camp_members(np.array([0, 0]), np.ones(2, np.bool_), 1)
    rng = kernel_rng(3)
    s = PopulationState.allocate(2, 0, 0, 1)
    s.fitness[:] = 1.0
    parents = kernels.choose_parents(rng, s, start, members, np.array([0]))
    assert parents.size == 0
    assert (rng == kernel_rng(3)).all()


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


# --- migrate ---------------------------------------------------------------------------------


def random_neighbours(g: np.random.Generator, n_camps: int):
    """CSR neighbour table: each camp gets a random subset of the others (possibly none)."""
    start, flat = [0], []
    for c in range(n_camps):
        flat += [d for d in range(n_camps) if d != c and g.random() < 0.5]
        start.append(len(flat))
    return np.array(start, np.int64), np.array(flat, np.int64)


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

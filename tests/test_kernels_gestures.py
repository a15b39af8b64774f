"""Gesture kernels (generation, infancy, the naming game) against their plain-Python twins."""

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
    counters_dict,
    counters_for,
    kernel_rng,
    learners_of,
    random_state,
    rule_with,
    twin_camps,
    twin_of,
    two_rngs,
)

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


@pytest.mark.parametrize("meanings", [1, 3])
def test_large_camps_hint_the_next_rows_and_still_match_twin(meanings):
    """Camps of PREFETCH_MEMBERS or more prefetch the next episode's rows: a hint that changes no
    value and no draw, so the kernel still agrees with its twin exactly."""
    from evo.core.kernels.gestures import PREFETCH_MEMBERS

    capacity = 2 * PREFETCH_MEMBERS + 4000  # two camps of 85 % alive: both above the threshold
    s, _, (played, _) = check_gesture_generation(5, capacity=capacity, meanings=meanings,
                                                 variants=4, n_camps=2, max_episodes=4000,
                                                 confuse=True)
    members = np.bincount(s.camp[s.alive], minlength=2)
    assert members.min() >= PREFETCH_MEMBERS and played > 2000


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




def test_naming_game_chunk_in_a_camp_of_one_plays_nothing():
    """One member has no partner: the kernel must not read past its camp (members[1])."""
    s, _, counters = fixed_population(3, 4, 1, 3, False, False)
    before = twin_of(s)
    rng_k, rng_t = two_rngs(3)
    result = kernels.naming_game_chunk(rng_k, s, rule_with(), np.arange(1), 50, counters)
    assert tuple(result) == (0, 0, False)
    assert_same_state(s, before)
    assert_same_stream(rng_k, rng_t)  # no number drawn

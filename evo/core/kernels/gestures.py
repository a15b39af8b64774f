"""Gesture conventions: the naming game (Baronchelli et al. 2006) with imperfect parity."""

from __future__ import annotations

import numpy as np
from numba import njit

from evo.core import stream
from evo.core.kernels.associative import _learn_from_match, effective_mirror
from evo.core.kernels.prefetch import prefetch
from evo.core.kernels.rule import EXPERIENCE_ALL, EXPERIENCE_CORRELATED, nonallocating_kernel


@njit(cache=True, inline="always")
def _preferred_at(state, i, m):
    """Position of the variant with the highest use score (first on ties); -1 when none known."""
    best = -1
    best_score = -1
    for j in range(state.n_known[i, m]):
        if state.scores[i, m, j] > best_score:
            best_score = state.scores[i, m, j]
            best = j
    return best


@njit(cache=True, inline="always")
def _preferred_of(state, i, m):
    """The variant with the highest use score (first on ties), or -1 when none is known."""
    j = _preferred_at(state, i, m)
    return state.gestures[i, m, j] if j >= 0 else -1


def preferred_variants(state, slots) -> np.ndarray:
    """Preferred variant per listed slot and meaning, shape (len(slots), M); -1 = none."""
    out = np.empty((slots.size, state.gestures.shape[1]), np.int64)
    _preferred_variants(state, slots, out)
    return out


@nonallocating_kernel
def _preferred_variants(state, slots, out):
    for r in range(slots.size):
        for m in range(state.gestures.shape[1]):
            out[r, m] = _preferred_of(state, slots[r], m)


@njit(cache=True, inline="always")
def _add_variant(state, i, m, variant):
    """Add a variant to i's inventory; when full, it replaces the least used (first on ties).

    Returns 1 when a variant had to be dropped (the inventory cap V bound), else 0.
    """
    n = state.n_known[i, m]
    if n < state.gestures.shape[2]:
        state.gestures[i, m, n] = variant
        state.scores[i, m, n] = 0
        state.n_known[i, m] = n + 1
        return 0
    worst = 0
    for j in range(1, n):
        if state.scores[i, m, worst] == 0:
            break  # scores are >= 0: the first 0 is the least used, first on ties (a babel's case)
        if state.scores[i, m, j] < state.scores[i, m, worst]:
            worst = j
    state.gestures[i, m, worst] = variant
    state.scores[i, m, worst] = 0
    return 1


@njit(cache=True, inline="always")
def _collapse_at(state, i, m, j):
    """Success in the naming game: keep only the variant at position j, its use score plus one."""
    variant = state.gestures[i, m, j]
    score = state.scores[i, m, j]
    state.gestures[i, m, 0] = variant
    state.scores[i, m, 0] = score + 1
    state.n_known[i, m] = 1


@njit(cache=True, inline="always")
def _position(state, i, m, variant):
    """Where i holds `variant` for meaning m, or -1 (an inventory holds each variant once)."""
    for j in range(state.n_known[i, m]):
        if state.gestures[i, m, j] == variant:
            return j
    return -1


@njit(cache=True, inline="always")
def _knows(state, i, m, variant):
    return _position(state, i, m, variant) >= 0


@njit(cache=True, inline="always")
def _other_variant(state, i, m, word, r):
    """The r-th variant of i's inventory for meaning m, skipping `word`."""
    for j in range(state.n_known[i, m]):
        if state.gestures[i, m, j] == word:
            continue
        if r == 0:
            return state.gestures[i, m, j]
        r -= 1
    return -1


@njit(cache=True, inline="always")
def _gesture_episode(rng, state, rule, speaker, hearer, counters):
    """One naming-game episode (Baronchelli et al. 2006) with imperfect parity.

    The speaker picks a meaning (uniform; no draw when M = 1) and utters a random variant it knows,
    inventing a new one if it knows none. The hearer perceives it correctly with probability equal
    to its effective mirror strength (parity through the mirror system: Rizzolatti & Arbib 1998;
    no draw when that is 1), otherwise as a new variant. Success (hearer knows the variant it
    perceived, and it is the uttered one): both keep only that variant, and both have a matched
    episode for associative learning. Failure: the hearer adds what it perceived (it cannot know
    it yet). counters = [next variant id, variants dropped because an inventory was full, words
    held in all inventories (kept exact only while nobody is born or dies)]. Returns 1 on success.
    Options: `rule.prefer`, the speaker utters its preferred variant (highest use score, first on
    ties; no draw), the naming game with weighted inventories (Baronchelli et al. 2006, sec. 4);
    `rule.confuse`, a misperceived gesture is heard as another variant the hearer knows for that
    meaning (one uniform picks it among those other than the uttered one; the episode fails and
    nothing is added), or as a new one when it knows no other: errors confuse signals of the
    repertoire (Nowak & Krakauer 1999, PNAS 96:8028). Parity by routes other than the mirror,
    exposure and ritualisation (`_parity`), off when their gains are 0. Associative learning
    (`rule.assoc_experience`): a success trains both partners' matching; with "correlated" so
    does every episode in which the hearer holds the uttered variant (both can make the gesture
    that is seen: Heyes 2010), with "all" every episode.
    """
    n_meanings = state.gestures.shape[1]
    m = 0 if n_meanings == 1 else stream.below(rng, n_meanings)
    n = state.n_known[speaker, m]
    if n == 0:
        word = counters[0]
        counters[0] += 1
        counters[1] += _add_variant(state, speaker, m, word)  # at position 0
        counters[2] += 1
        said = 0
    elif rule.prefer:
        said = _preferred_at(state, speaker, m)
        word = state.gestures[speaker, m, said]
    else:
        said = stream.below(rng, n)
        word = state.gestures[speaker, m, said]
    parity = effective_mirror(state.g_mirror[hearer], state.m_learned[hearer])
    known = -1  # where the hearer holds the uttered word, when looked up before perception
    look_up = rule.exposure_gain > 0.0 or rule.assoc_experience == EXPERIENCE_CORRELATED
    if look_up:
        known = _position(state, hearer, m, word)
    if rule.exposure_gain > 0.0 or rule.ritual_gain > 0.0:
        parity = _parity(state, rule, speaker, hearer, m, said, known, parity)
    perceived = word
    confused = False
    if parity < 1.0 and not stream.uniform(rng) < parity:
        others = state.n_known[hearer, m]
        if rule.confuse:
            others -= _knows(state, hearer, m, word)
        if rule.confuse and others > 0:
            confused = True
            perceived = _other_variant(state, hearer, m, word, stream.below(rng, others))
        else:
            perceived = counters[0]
            counters[0] += 1
    # a misperceived gesture is never the uttered one (a new id, or another known variant)
    if perceived != word:
        heard = -1
    else:
        heard = known if look_up else _position(state, hearer, m, word)
    if heard >= 0:
        counters[2] -= state.n_known[speaker, m] + state.n_known[hearer, m] - 2
        _collapse_at(state, speaker, m, said)
        _collapse_at(state, hearer, m, heard)
        _learn_from_match(state, speaker)
        _learn_from_match(state, hearer)
        return 1
    if rule.assoc_experience == EXPERIENCE_ALL or (
            rule.assoc_experience == EXPERIENCE_CORRELATED and known >= 0):
        _learn_from_match(state, speaker)
        _learn_from_match(state, hearer)
    if not confused:
        dropped = _add_variant(state, hearer, m, perceived)
        counters[1] += dropped
        counters[2] += 1 - dropped
    return 0


@njit(cache=True, inline="always")
def _parity(state, rule, speaker, hearer, m, said, known, mirror):
    """The chance that the hearer perceives the uttered variant right, by every route.

    The mirror alone gives `mirror`. Routes that are not the mirror each cut the chance of a miss:
    exposure (perceptual learning: a variant the hearer knows, at position `known`, is recognised
    better the more it has been heard to work; Goldstone 1998, Annu Rev Psychol 49:585), a factor
    (1 - exposure_gain)^(1 + its use score); ritualisation (a signal its speaker has used
    successfully often becomes stereotyped and easier to perceive; Krebs & Dawkins 1984,
    Tomasello 2008 on ontogenetic ritualisation), a factor (1 - ritual_gain)^(speaker's use
    score). The exponents and their form are our assumptions.
    """
    miss = 1.0 - mirror
    if rule.exposure_gain > 0.0 and known >= 0:
        miss *= (1.0 - rule.exposure_gain) ** (1.0 + state.scores[hearer, m, known])
    if rule.ritual_gain > 0.0:
        miss *= (1.0 - rule.ritual_gain) ** (0.0 + state.scores[speaker, m, said])
    return 1.0 - miss


#: Camps with at least this many members prefetch the next episode's rows (`_prefetch_next`): their
#: inventories outgrow the caches, smaller camps' do not, and there the hints would only cost.
PREFETCH_MEMBERS = 8192


@njit(cache=True, inline="always")
def _prefetch_rows(state, camps, s_lo, n_speakers, lo, n, n_meanings, speaker_out, hearer_out,
                   meaning_out):
    """Prefetch what an episode drawing these three outputs would read first.

    Both partners' inventory rows for the meaning and their episode counts, the hearer's genes.
    """
    s = camps.adults[s_lo + stream.below_of(speaker_out, n_speakers)]
    h = camps.members[lo + stream.below_of(hearer_out, n)]
    m = stream.below_of(meaning_out, n_meanings) if n_meanings > 1 else 0
    n_variants = state.gestures.shape[2]
    for i in (s, h):
        prefetch(state.n_known, i * n_meanings + m)
        prefetch(state.gestures, (i * n_meanings + m) * n_variants)
        prefetch(state.scores, (i * n_meanings + m) * n_variants)
        prefetch(state.attempts, i)
        prefetch(state.successes, i)
    prefetch(state.g_mirror, h)
    prefetch(state.m_learned, h)


@njit(cache=True, inline="always")
def _prefetch_next(rng, state, camps, s_lo, n_speakers, lo, n):
    """Hint the rows the next episode will likely read, while this one runs (no draw, no write).

    After its speaker and hearer an episode draws a meaning (when M > 1), the uttered variant and
    the parity uniform, and one more when a misperception is confused; the next episode's speaker,
    hearer and meaning are the outputs after those. So the outputs are peeked (the state array is
    not advanced) and both candidates' rows prefetched. A wrong guess costs a wasted hint, never
    a different result.
    """
    n_meanings = state.gestures.shape[1]
    s0, s1, s2, s3 = rng[0], rng[1], rng[2], rng[3]
    for _ in range(3 if n_meanings > 1 else 2):
        _, s0, s1, s2, s3 = stream.step(s0, s1, s2, s3)
    o0, s0, s1, s2, s3 = stream.step(s0, s1, s2, s3)
    o1, s0, s1, s2, s3 = stream.step(s0, s1, s2, s3)
    o2, s0, s1, s2, s3 = stream.step(s0, s1, s2, s3)
    o3, s0, s1, s2, s3 = stream.step(s0, s1, s2, s3)
    _prefetch_rows(state, camps, s_lo, n_speakers, lo, n, n_meanings, o0, o1, o2)
    _prefetch_rows(state, camps, s_lo, n_speakers, lo, n, n_meanings, o1, o2, o3)


@nonallocating_kernel
def gesture_generation(rng, state, rule, camps, episodes_per_camp, counters):
    """A generation of gesture episodes, camp by camp: `episodes_per_camp[c]` random pairs.

    The speaker is a random adult of the camp (`camps.adults`), the hearer a random other member
    (`camps.members`, adults and newborns; redrawn while it is the speaker). Children learn
    conventions by attending to adults before they use them: our assumption, which keeps each new
    cohort from flooding the camp with inventions (in the minimal naming game every speaker may
    invent). `state.attempts` and `state.successes` are raised for both partners (they feed
    fitness). Returns (episodes, successful episodes).
    """
    total = 0
    won = 0
    for c in range(camps.start.size - 1):
        lo = camps.start[c]
        n = camps.start[c + 1] - lo
        s_lo = camps.adult_start[c]
        n_speakers = camps.adult_start[c + 1] - s_lo
        if n < 2 or n_speakers == 0:
            continue
        for _ in range(episodes_per_camp[c]):
            s = camps.adults[s_lo + stream.below(rng, n_speakers)]
            h = camps.members[lo + stream.below(rng, n)]
            while h == s:
                h = camps.members[lo + stream.below(rng, n)]
            if n >= PREFETCH_MEMBERS:
                _prefetch_next(rng, state, camps, s_lo, n_speakers, lo, n)
            ok = _gesture_episode(rng, state, rule, s, h, counters)
            state.attempts[s] += 1
            state.attempts[h] += 1
            state.successes[s] += ok
            state.successes[h] += ok
            total += 1
            won += ok
    return total, won


@njit(cache=True, inline="always")
def _all_share_one_word(state, members):
    """Every member knows exactly one variant per meaning, the same one for each meaning."""
    for m in range(state.gestures.shape[1]):
        word = state.gestures[members[0], m, 0]
        for r in range(members.size):
            i = members[r]
            if state.n_known[i, m] != 1 or state.gestures[i, m, 0] != word:
                return False
    return True


@nonallocating_kernel
def naming_game_chunk(rng, state, rule, members, n_episodes, counters):
    """Up to `n_episodes` naming-game episodes in one group, stopping at consensus.

    Consensus (Baronchelli et al. 2006): for every meaning, every member knows exactly one word,
    the same one; it is tested only when words_total = N * M, where it can hold.
    Returns (episodes played, successes, consensus reached). A group of fewer than two has no
    pair to play: nothing is played and no random number drawn.
    """
    n = members.size
    if n < 2:
        return 0, 0, False
    n_meanings = state.gestures.shape[1]
    won = 0
    for e in range(n_episodes):
        a = stream.below(rng, n)
        b = stream.below(rng, n - 1)
        b += b >= a  # a random other member
        won += _gesture_episode(rng, state, rule, members[a], members[b], counters)
        if counters[2] == n * n_meanings and _all_share_one_word(state, members):
            return e + 1, won, True
    return n_episodes, won, False

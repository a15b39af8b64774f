"""Twins of `evo.core.kernels.gestures` (the naming game, Baronchelli et al. 2006)."""

from __future__ import annotations

from tests.reference.associative import effective_mirror, learn_from_match
from tests.reference.stream import draw_index
from tests.reference.tools import EXPERIENCES


def preferred_variant(variants: list[list[int]]) -> int:
    """The most used variant of one inventory (first on ties), -1 when it is empty."""
    if not variants:
        return -1
    return max(variants, key=lambda pair: pair[1])[0]


def preferred_variants(state, slots) -> list[list[int]]:
    """Preferred variant per listed slot and meaning."""
    return [[preferred_variant(per_meaning) for per_meaning in state.inventory[i]]
            for i in slots]


def _new_variant(counters: dict) -> int:
    word = counters["next_variant"]
    counters["next_variant"] += 1
    return word


def _learn_variant(variants: list[list[int]], word: int, cap: int, counters: dict) -> None:
    """Add `word` with score 0; a full inventory (cap) loses its least used variant instead."""
    if len(variants) < cap:
        variants.append([word, 0])
        counters["words_total"] += 1
        return
    scores = [score for _, score in variants]
    least_used = scores.index(min(scores))
    variants[least_used] = [word, 0]
    counters["dropped"] += 1


def _agree_on(variants: list[list[int]], word: int) -> int:
    """After a success: only `word` remains, its score raised by one. Returns words forgotten."""
    score = next(s for w, s in variants if w == word)
    forgotten = len(variants) - 1
    variants[:] = [[word, score + 1]]
    return forgotten


def gesture_episode(rng, state, rule, speaker, hearer, counters) -> int:
    """One naming-game episode with imperfect parity; returns 1 on success, else 0.

    `rule.prefer`: the speaker says its preferred (most used) variant, with no draw.
    `rule.confuse`: a misperceived gesture is heard as one of the hearer's other variants for the
    meaning (one draw among them; the hearer learns nothing), or as a new variant when it has no
    other. Parity by exposure and ritualisation (`rule.exposure_gain`, `rule.ritual_gain`): the miss
    chance 1 - mirror times (1 - e)^(1 + hearer's uses of the word, if it knows it) and
    (1 - r)^(speaker's uses). What trains learned matching besides a success
    (`rule.assoc_experience`): with "correlated" a failure in which the hearer knew the word,
    with "all" every failure.
    """
    inventory, cap = state.inventory, state.cap
    n_meanings = len(inventory[speaker])
    meaning = 0 if n_meanings == 1 else draw_index(rng, n_meanings)
    said = inventory[speaker][meaning]
    if not said:
        word = _new_variant(counters)
        _learn_variant(said, word, cap, counters)
    elif rule.prefer:
        word = preferred_variant(said)
    else:
        word = said[draw_index(rng, len(said))][0]
    parity = effective_mirror(state.g_mirror[hearer], state.m_learned[hearer])
    heard = inventory[hearer][meaning]
    hearer_knew = [s for w, s in heard if w == word]  # its use score, if the hearer knows it
    if rule.exposure_gain > 0.0 or rule.ritual_gain > 0.0:
        miss = 1.0 - parity
        if rule.exposure_gain > 0.0 and hearer_knew:
            miss *= (1.0 - rule.exposure_gain) ** (1.0 + hearer_knew[0])
        if rule.ritual_gain > 0.0:
            speaker_uses = next(s for w, s in said if w == word)
            miss *= (1.0 - rule.ritual_gain) ** (0.0 + speaker_uses)
        parity = 1.0 - miss
    others = [w for w, _ in heard if w != word]
    confused = False
    if parity >= 1.0 or rng.random() < parity:
        perceived = word
    elif rule.confuse and others:
        perceived = others[draw_index(rng, len(others))]
        confused = True
    else:
        perceived = _new_variant(counters)
    if perceived == word and hearer_knew:
        counters["words_total"] -= _agree_on(said, word) + _agree_on(heard, word)
        learn_from_match(state, speaker)
        learn_from_match(state, hearer)
        return 1
    experience = EXPERIENCES[rule.assoc_experience]
    if experience == "all" or (experience == "correlated" and hearer_knew):
        learn_from_match(state, speaker)
        learn_from_match(state, hearer)
    if not confused:
        _learn_variant(heard, perceived, cap, counters)
    return 0


def pick_pair(rng, group_members: list[int]) -> tuple[int, int]:
    """A random speaker, then a random hearer among the others (two index draws)."""
    speaker = group_members[draw_index(rng, len(group_members))]
    others = [x for x in group_members if x != speaker]
    hearer = others[draw_index(rng, len(others))]
    return speaker, hearer


def gesture_generation(rng, state, rule, camps, episodes_per_camp, counters) -> tuple[int, int]:
    """Each camp in turn plays its episodes; returns (episodes, successes).

    The speaker is a random adult of the camp (`camps.adults`), the hearer a random member
    (`camps.members`) drawn again while it is the speaker. A camp with fewer than two members or
    no adult plays nothing. Both partners' attempts and successes are counted.
    """
    played = won = 0
    for camp in sorted(camps.members):
        group_members = camps.members[camp]
        adults = camps.adults.get(camp, [])
        if len(group_members) < 2 or not adults:
            continue
        for _ in range(episodes_per_camp[camp]):
            speaker = adults[draw_index(rng, len(adults))]
            hearer = speaker
            while hearer == speaker:
                hearer = group_members[draw_index(rng, len(group_members))]
            ok = gesture_episode(rng, state, rule, speaker, hearer, counters)
            for x in (speaker, hearer):
                state.attempts[x] += 1
                state.successes[x] += ok
            played += 1
            won += ok
    return played, won


def consensus(inventory, group_members: list[int]) -> bool:
    """Every member knows exactly one word for each meaning, and the same one as the others."""
    first = group_members[0]
    for m in range(len(inventory[first])):
        words = [inventory[i][m] for i in group_members]
        if any(len(w) != 1 for w in words) or len({w[0][0] for w in words}) != 1:
            return False
    return True


def naming_game_chunk(rng, state, rule, group_members, n_episodes,
                      counters) -> tuple[int, int, bool]:
    """Up to n_episodes episodes in one camp, stopping right after consensus.

    Returns (episodes played, successes, consensus reached); a group of fewer than two plays none.
    """
    if len(group_members) < 2:
        return 0, 0, False
    won = 0
    for played in range(1, n_episodes + 1):
        speaker, hearer = pick_pair(rng, group_members)
        won += gesture_episode(rng, state, rule, speaker, hearer, counters)
        if consensus(state.inventory, group_members):
            return played, won, True
    return n_episodes, won, False

"""The measures recorded each generation, as pure functions of the state arrays.

Definitions (our choices, documented in the README's model section):
- `tool_complexity`: mean over individuals of sum_k max(z_k, 0) / skill_step, the number of tool
  components an individual commands (Henrich's skill counted in units of one component).
- `gesture_success`: share of this generation's gesture episodes that succeeded.
- `lexicon_size`: distinct variants preferred by at least one individual in the population, mean
  over meanings (1 is one shared lexicon, the number of camps is one dialect per camp, large values
  a babel).
- `lexicon_coherence`: per meaning, share of individuals whose preferred variant is the most common
  preferred variant of their own camp (individuals with none count as not agreeing), mean over
  meanings. Within camps, because gestures are exchanged within camps: local dialects count as
  conventions.
- `expressivity`: per camp, the number of meanings that have a shared convention (the camp's most
  common preferred variant is held by at least half of its members, silent members included), mean
  over occupied camps: what a linguist would count, in meanings, 0 to `meanings` (our choice; the
  half threshold is our assumption, after issue 12).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numba import njit

from evo.core.kernels import preferred_variants
from evo.core.state import PopulationState

GENERATION_SCHEMA = {
    "generation": pl.Int64,
    "population": pl.Int64,
    "mirror_mean": pl.Float64,
    "mirror_sd": pl.Float64,
    "mirror_effective_mean": pl.Float64,
    "mirror_learned_mean": pl.Float64,
    "assoc_mean": pl.Float64,
    "tool_skill_mean": pl.Float64,
    "tool_skill_max": pl.Float64,
    "tool_complexity": pl.Float64,
    "gesture_success": pl.Float64,
    "lexicon_size": pl.Float64,
    "lexicon_coherence": pl.Float64,
    "expressivity": pl.Float64,
    "social_learner_frequency": pl.Float64,
    "fitness_mean": pl.Float64,
    "camps_occupied": pl.Int64,
}

#: The repertoire driver's rows (`evo.core.repertoire`): `generation` is the time step of the row
#: (Lewis & Laland: events; Kolodny: generations), one row every `repertoire_record_every` steps
#: and at the last; `tool_types` the distinct traits held; `gains` and `losses` the traits gained
#: and lost since the previous row (so tool_types changes by gains - losses), gains by kind
#: (`modifications`: Lewis & Laland's modifications, Kolodny's toolkit refinements). Lewis &
#: Laland only: `lineages` (seed traits some trait descends from), `trait_level_mean` (seed elements
#: plus modifications per trait) and `trait_seeds_mean` (seed traits combined per trait), both null
#: without traits. Kolodny only: the main-axis, toolkit and
#: combination traits held. A column the model does not have is null.
REPERTOIRE_SCHEMA = {
    "generation": pl.Int64,
    "tool_types": pl.Int64,
    "gains": pl.Int64,
    "losses": pl.Int64,
    "novel_inventions": pl.Int64,
    "combinations": pl.Int64,
    "modifications": pl.Int64,
    "lineages": pl.Int64,
    "trait_level_mean": pl.Float64,
    "trait_seeds_mean": pl.Float64,
    "main_traits": pl.Int64,
    "toolkit_traits": pl.Int64,
    "combination_traits": pl.Int64,
}

NAMING_GAME_SCHEMA = {
    "interactions": pl.Int64,
    "words_total": pl.Int64,
    "words_distinct": pl.Int64,
    "gesture_success": pl.Float64,
}


def most_common_counts(preferred: np.ndarray, group: np.ndarray) -> np.ndarray:
    """(camps, M) array: per camp and meaning, how many members hold the camp's most common variant.

    `preferred` is (n, M) with -1 for none, `group` the camps (n,); camps are 0..max(group).
    """
    n, n_meanings = preferred.shape
    counts = np.zeros((int(group.max()) + 1 if n else 0, n_meanings), np.int64)
    for m in range(n_meanings):
        column = preferred[:, m]
        used = column >= 0
        if not used.any():
            continue
        base = int(column.max()) + 1  # one key per (camp, variant)
        keys, held = np.unique(group[used] * base + column[used], return_counts=True)
        np.maximum.at(counts[:, m], keys // base, held)
    return counts


def lexicon_measures(
    preferred: np.ndarray, group: np.ndarray, most_common: np.ndarray | None = None
) -> tuple[float, float]:
    """(lexicon_size, lexicon_coherence) from preferred variants (n, M; -1 = none) and camps (n,).

    `most_common` is `most_common_counts(preferred, group)` when the caller already has it.
    """
    n, n_meanings = preferred.shape
    if n == 0 or n_meanings == 0:
        return float("nan"), float("nan")
    if most_common is None:
        most_common = most_common_counts(preferred, group)
    sizes = [float(np.unique(preferred[preferred[:, m] >= 0, m]).size) for m in range(n_meanings)]
    return float(np.mean(sizes)), int(most_common.sum()) / (n * n_meanings)


def expressivity(
    preferred: np.ndarray, group: np.ndarray, most_common: np.ndarray | None = None
) -> float:
    """Meanings with a shared convention per camp (most common variant held by >= half), camp mean.

    Only occupied camps count; members without a preferred variant count as not holding it.
    """
    n, n_meanings = preferred.shape
    if n == 0 or n_meanings == 0:
        return float("nan")
    if most_common is None:
        most_common = most_common_counts(preferred, group)
    members = np.bincount(group, minlength=most_common.shape[0])
    occupied = members > 0
    shared = 2 * most_common[occupied] >= members[occupied, None]
    return float(shared.sum(axis=1).mean())


@njit(cache=True, inline="always")
def _pairwise_block(a, lo, n):
    """The pairwise sum of numpy for n <= 128: a plain loop below 8 terms, else 8 running sums."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    stop = n - n % 8
    while i < stop:
        j = lo + i
        r0 += a[j]
        r1 += a[j + 1]
        r2 += a[j + 2]
        r3 += a[j + 3]
        r4 += a[j + 4]
        r5 += a[j + 5]
        r6 += a[j + 6]
        r7 += a[j + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True)
def pairwise_sum(a, lo, n):
    """Sum of a[lo:lo + n] exactly as numpy sums a contiguous float64 array (pairwise summation).

    numpy's `pairwise_sum`: up to 128 terms `_pairwise_block`; above, the first n2 (half of n, cut
    to a multiple of 8) and the rest are summed alike and added. Written with an explicit stack
    (numba's cache does not keep recursive functions). `np.add.reduce` adds the result to its
    identity 0.0, so `0.0 + pairwise_sum(a, 0, a.size)` is `a.sum()` bit for bit (tested).
    """
    if n <= 128:
        return _pairwise_block(a, lo, n)
    starts = np.empty(64, np.int64)
    sizes = np.empty(64, np.int64)
    left_done = np.zeros(64, np.bool_)
    left = np.empty(64)
    top = 0
    starts[0], sizes[0] = lo, n
    result = 0.0
    returning = False
    while True:
        if returning:  # `result` is the sum of the node above `top` that just finished
            if top < 0:
                return result
            if not left_done[top]:  # its left half: now the right half
                left[top] = result
                left_done[top] = True
                half = sizes[top] // 2
                half -= half % 8
                starts[top + 1], sizes[top + 1] = starts[top] + half, sizes[top] - half
                left_done[top + 1] = False
                top += 1
                returning = False
            else:
                result = left[top] + result
                top -= 1
            continue
        if sizes[top] <= 128:
            result = _pairwise_block(a, starts[top], sizes[top])
            top -= 1
            returning = True
        else:
            half = sizes[top] // 2
            half -= half % 8
            starts[top + 1], sizes[top + 1] = starts[top], half
            left_done[top + 1] = False
            top += 1


@njit(cache=True)
def _mean(a):
    return (0.0 + pairwise_sum(a, 0, a.size)) / a.size


@njit(cache=True)
def float_measures(state, slots):
    """The floating-point means of `generation_row` over the listed slots, in one compiled pass.

    Each is computed as numpy computes it (same elementwise formula, `pairwise_sum`, then one
    division), so the table is bit-identical to the numpy expressions. Returns (mirror_mean,
    mirror_sd, mirror_effective_mean, mirror_learned_mean, assoc_mean, tool_skill_mean,
    tool_skill_max, mean over individuals of sum_k max(z_k, 0), fitness_mean, share alone).
    """
    n = slots.size
    g_mirror, m_learned, skill = state.g_mirror, state.m_learned, state.skill
    n_lineages = skill.shape[1]
    g = np.empty(n)
    work = np.empty(n)
    for r in range(n):
        g[r] = g_mirror[slots[r]]
    mirror_mean = _mean(g)
    for r in range(n):
        x = g[r] - mirror_mean
        work[r] = x * x
    mirror_sd = np.sqrt(_mean(work))
    for r in range(n):
        work[r] = 1.0 - (1.0 - g[r]) * (1.0 - m_learned[slots[r]])
    effective_mean = _mean(work)
    for r in range(n):
        work[r] = m_learned[slots[r]]
    learned_mean = _mean(work)
    for r in range(n):
        work[r] = state.g_assoc[slots[r]]
    assoc_mean = _mean(work)
    skill_mean = skill_max = positive_mean = np.nan
    if n_lineages > 0:
        flat = np.empty(n * n_lineages)
        row = np.empty(n_lineages)
        skill_max = -np.inf
        for r in range(n):
            for k in range(n_lineages):
                z = skill[slots[r], k]
                flat[r * n_lineages + k] = z
                skill_max = max(skill_max, z)
                row[k] = z if z >= 0.0 else 0.0  # np.maximum(z, 0.0)
            work[r] = 0.0 + pairwise_sum(row, 0, n_lineages)  # .sum(axis=1)
        skill_mean = _mean(flat)
        positive_mean = _mean(work)
    for r in range(n):
        work[r] = state.fitness[slots[r]]
    fitness_mean = _mean(work)
    alone = 0
    for r in range(n):
        alone += state.alone[slots[r]]
    return (mirror_mean, mirror_sd, effective_mean, learned_mean, assoc_mean, skill_mean,
            skill_max, positive_mean, fitness_mean, alone / n)


@njit(cache=True, inline="always")
def _count_in(keys, counts, key):
    """Add one to `key`'s count in an open-addressing table (keys -1 = empty); return the count."""
    mask = keys.size - 1
    h = (key * 0x9E3779B1) & mask  # Fibonacci hashing, linear probing
    while keys[h] != key and keys[h] >= 0:
        h = (h + 1) & mask
    keys[h] = key
    counts[h] += 1
    return counts[h]


@njit(cache=True)
def lexicon_counts(preferred, group, n_camps):
    """The counts behind the lexicon measures, in one compiled pass (no `np.unique` calls).

    Returns (distinct, most_common, members): per meaning, the number of distinct preferred
    variants (-1 = none is not one); `most_common_counts(preferred, group)` over `n_camps` camps
    (n_camps > max(group)); and the members of each camp. Integer counts, so the measures built
    from them equal those of `lexicon_measures` and `expressivity` exactly. Counting uses two
    hash tables (variants; camp-variant pairs) of at least twice n entries, so it is linear in n.
    """
    n, n_meanings = preferred.shape
    distinct = np.zeros(n_meanings, np.int64)
    most_common = np.zeros((n_camps, n_meanings), np.int64)
    members = np.zeros(n_camps, np.int64)
    for r in range(n):
        members[group[r]] += 1
    size = 1
    while size < 2 * n + 2:
        size *= 2
    variants, variant_counts = np.empty(size, np.int64), np.empty(size, np.int64)
    pairs, pair_counts = np.empty(size, np.int64), np.empty(size, np.int64)
    for m in range(n_meanings):
        top = -1
        for r in range(n):
            top = max(top, preferred[r, m])
        if top < 0:
            continue
        base = top + 1  # one key per (camp, variant), as in most_common_counts
        variants[:] = -1
        variant_counts[:] = 0
        pairs[:] = -1
        pair_counts[:] = 0
        for r in range(n):
            v = preferred[r, m]
            if v < 0:
                continue
            if _count_in(variants, variant_counts, v) == 1:
                distinct[m] += 1
            held = _count_in(pairs, pair_counts, group[r] * base + v)
            if held > most_common[group[r], m]:
                most_common[group[r], m] = held
    return distinct, most_common, members


@njit(cache=True)
def lexicon_summary(preferred, group):
    """(lexicon_size, lexicon_coherence, expressivity, camps occupied) from `lexicon_counts`.

    The definitions of `lexicon_measures` and `expressivity`, computed from integer counts with
    the same divisions, so the values are theirs exactly; nan for the three with M = 0.
    """
    n, n_meanings = preferred.shape
    n_camps = 0
    for r in range(n):
        n_camps = max(n_camps, group[r] + 1)
    distinct, most_common, members = lexicon_counts(preferred, group, n_camps)
    occupied = 0
    shared = np.zeros(n_camps)
    for c in range(n_camps):
        if members[c] > 0:
            for m in range(n_meanings):
                shared[occupied] += 2 * most_common[c, m] >= members[c]
            occupied += 1
    if n_meanings == 0:
        return np.nan, np.nan, np.nan, occupied
    size = (0.0 + pairwise_sum(distinct.astype(np.float64), 0, n_meanings)) / n_meanings
    coherence = most_common.sum() / (n * n_meanings)
    expressivity = (0.0 + pairwise_sum(shared, 0, occupied)) / occupied
    return size, coherence, expressivity, occupied


def generation_row(
    st: PopulationState,
    generation: int,
    skill_step: float,
    episodes: int,
    successes: int,
    track_behaviour: bool,
    preferred: np.ndarray | None = None,
) -> dict[str, float | int | None]:
    """One row of the generation table for the living individuals.

    `preferred`: their preferred variants (`preferred_variants(st, alive slots)`) when the caller
    has them already.
    """
    slots = st.alive_slots()
    n = slots.size
    row: dict[str, float | int | None] = {"generation": generation, "population": n}
    if n == 0:
        return row
    (row["mirror_mean"], row["mirror_sd"], row["mirror_effective_mean"],
     row["mirror_learned_mean"], row["assoc_mean"], skill_mean, skill_max, positive_mean,
     fitness_mean, alone_share) = float_measures(st, slots)
    if st.skill.shape[1] > 0:
        row["tool_skill_mean"], row["tool_skill_max"] = skill_mean, skill_max
        row["tool_complexity"] = positive_mean / skill_step
    row["gesture_success"] = successes / episodes if episodes > 0 else None
    if preferred is None:
        preferred = preferred_variants(st, slots)
    size, coherence, expressivity_, occupied = lexicon_summary(preferred, st.group[slots])
    if st.gestures.shape[1] > 0:
        row["lexicon_size"], row["lexicon_coherence"] = size, coherence
        row["expressivity"] = expressivity_
    if track_behaviour and generation > 0:  # founders learned nothing
        row["social_learner_frequency"] = 1.0 - alone_share
    row["fitness_mean"] = fitness_mean
    row["camps_occupied"] = occupied
    return row


def naming_game_row(st: PopulationState, interactions: int, won: int, played: int) -> dict:
    """Baronchelli et al.'s observables: total words N_w, distinct words N_d, success share."""
    slots = st.alive_slots()
    known = st.gestures[slots, 0, :]
    counts = st.n_known[slots, 0]
    mask = np.arange(known.shape[1])[None, :] < counts[:, None]
    return {
        "interactions": interactions,
        "words_total": int(counts.sum()),
        "words_distinct": int(np.unique(known[mask]).size),
        "gesture_success": won / played if played > 0 else None,
    }

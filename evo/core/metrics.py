"""The measures recorded each generation, as pure functions of the state arrays.

Definitions (our choices, documented in the model description, docs/model/odd.md, 4. Design
concepts, Observation):
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
- `tool_types`: the number of lineages whose most skilled holder in the population has at least
  `tool_type_skill` components: the tool types the population can make (Kline & Boyd 2010 count
  them per society); above what trial and error alone reaches (a few components).
- `expressivity`: per camp, the number of meanings that have a shared convention (the camp's most
  common preferred variant is held by at least half of its members, silent members included), mean
  over occupied camps: what a linguist would count, in meanings, 0 to `meanings` (our choice; the
  half threshold is our assumption).
Each column's type, scale and reading are declared once, in the registry `evo.measures`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import polars as pl
from numba import njit

from evo.core.kernels import preferred_variants
from evo.core.state import PopulationState, as_slice
from evo.measures import CAMPS, GENERATION, LINEAGES, NAMING_GAME, PRESENCE, REPERTOIRE

POLARS_TYPES = {"int": pl.Int64, "float": pl.Float64}
GENERATION_SCHEMA = {m.name: POLARS_TYPES[m.dtype] for m in GENERATION}
NAMING_GAME_SCHEMA = {m.name: POLARS_TYPES[m.dtype] for m in NAMING_GAME}
REPERTOIRE_SCHEMA = {m.name: POLARS_TYPES[m.dtype] for m in REPERTOIRE}
CAMP_SCHEMA = {m.name: POLARS_TYPES[m.dtype] for m in CAMPS}
LINEAGE_SCHEMA = {m.name: POLARS_TYPES[m.dtype] for m in LINEAGES}
PRESENCE_SCHEMA = {m.name: POLARS_TYPES[m.dtype] for m in PRESENCE}


class RowMeasures(NamedTuple):
    """The measures of one generation row that numpy computes (`row_measures`).

    Means and a standard deviation over the living (floats), and the tool types (a count).
    """

    mirror_mean: float
    mirror_sd: float
    mirror_effective_mean: float
    mirror_learned_mean: float
    assoc_mean: float
    tool_skill_mean: float  # nan without lineages, like the two below
    tool_skill_max: float
    positive_skill_sum_mean: float  # mean over individuals of sum_k max(z_k, 0)
    fitness_mean: float
    alone_share: float  # share who learned the behaviour alone (Rogers)
    tool_types: int  # lineages whose best holder has at least the type skill (0 without lineages)


def most_common_counts(preferred: np.ndarray, camp: np.ndarray) -> np.ndarray:
    """(camps, M) array: per camp and meaning, how many members hold the camp's most common variant.

    `preferred` is (n, M) with -1 for none, `camp` the camps (n,); camps are 0..max(camp).
    """
    n, n_meanings = preferred.shape
    counts = np.zeros((int(camp.max()) + 1 if n else 0, n_meanings), np.int64)
    for m in range(n_meanings):
        column = preferred[:, m]
        used = column >= 0
        if not used.any():
            continue
        base = int(column.max()) + 1  # one key per (camp, variant)
        keys, held = np.unique(camp[used] * base + column[used], return_counts=True)
        np.maximum.at(counts[:, m], keys // base, held)
    return counts


def lexicon_measures(
    preferred: np.ndarray, camp: np.ndarray, most_common: np.ndarray | None = None
) -> tuple[float, float]:
    """(lexicon_size, lexicon_coherence) from preferred variants (n, M; -1 = none) and camps (n,).

    `most_common` is `most_common_counts(preferred, camp)` when the caller already has it.
    """
    n, n_meanings = preferred.shape
    if n == 0 or n_meanings == 0:
        return float("nan"), float("nan")
    if most_common is None:
        most_common = most_common_counts(preferred, camp)
    sizes = [float(np.unique(preferred[preferred[:, m] >= 0, m]).size) for m in range(n_meanings)]
    return float(np.mean(sizes)), int(most_common.sum()) / (n * n_meanings)


def expressivity(
    preferred: np.ndarray, camp: np.ndarray, most_common: np.ndarray | None = None
) -> float:
    """Meanings with a shared convention per camp (most common variant held by >= half), camp mean.

    Only occupied camps count; members without a preferred variant count as not holding it.
    """
    n, n_meanings = preferred.shape
    if n == 0 or n_meanings == 0:
        return float("nan")
    if most_common is None:
        most_common = most_common_counts(preferred, camp)
    members = np.bincount(camp, minlength=most_common.shape[0])
    occupied = members > 0
    shared = 2 * most_common[occupied] >= members[occupied, None]
    return float(shared.sum(axis=1).mean())


def _mean(x: np.ndarray) -> float:
    """``x.mean()`` bit for bit (numpy's own reduction and division), without its Python wrapper."""
    return float(np.add.reduce(x, axis=None) / x.size)


def _std(x: np.ndarray) -> float:
    """``x.std()`` bit for bit: numpy's two-pass variance (mean, squared deviations, their mean)."""
    d = x - np.add.reduce(x, axis=None) / x.size
    return float(np.sqrt(np.add.reduce(d * d, axis=None) / x.size))


def row_measures(state: PopulationState, slots: np.ndarray,
                 type_skill: float = np.inf) -> RowMeasures:
    """The means of `generation_row` over the listed slots, with numpy; `type_skill` in skill units.

    The means and the standard deviation are numpy's (``_mean``, ``_std``: the same reductions as
    ``ndarray.mean`` and ``ndarray.std``, called directly: at N = 400 the wrappers cost more than
    the sums).
    """
    n = slots.size
    slots = as_slice(slots)  # a view, not a copy, when the slots are one block (same values)
    g, learned = state.g_mirror[slots], state.m_learned[slots]
    skill_mean = skill_max = positive = np.nan
    types = 0
    if state.skill.shape[1] > 0:
        skill = state.skill[slots]
        skill_mean, skill_max = _mean(skill), skill.max()
        positive = _mean(np.add.reduce(np.maximum(skill, 0.0), axis=1))
        types = int(np.count_nonzero(skill.max(axis=0) >= type_skill))
    return RowMeasures(
        _mean(g), _std(g), _mean(1.0 - (1.0 - g) * (1.0 - learned)),
        _mean(learned), _mean(state.g_assoc[slots]), float(skill_mean),
        float(skill_max), float(positive), _mean(state.fitness[slots]),
        np.count_nonzero(state.alone[slots]) / n, types,
    )


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
def lexicon_counts(preferred, camp, n_camps):
    """The counts behind the lexicon measures, in one compiled pass (no `np.unique` calls).

    Returns (distinct, most_common, members): per meaning, the number of distinct preferred
    variants (-1 = none is not one); `most_common_counts(preferred, camp)` over `n_camps` camps
    (n_camps > max(camp)); and the members of each camp. Integer counts, so the measures built
    from them equal those of `lexicon_measures` and `expressivity` exactly. Counting uses two
    hash tables (variants; camp-variant pairs) of at least twice n entries, so it is linear in n.
    """
    n, n_meanings = preferred.shape
    distinct = np.zeros(n_meanings, np.int64)
    most_common = np.zeros((n_camps, n_meanings), np.int64)
    members = np.zeros(n_camps, np.int64)
    for r in range(n):
        members[camp[r]] += 1
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
            held = _count_in(pairs, pair_counts, camp[r] * base + v)
            if held > most_common[camp[r], m]:
                most_common[camp[r], m] = held
    return distinct, most_common, members


@njit(cache=True)
def _shared_per_camp(most_common, members):
    """Per occupied camp, the meanings whose most common variant is held by at least half."""
    occupied = 0
    shared = np.zeros(members.size)
    for c in range(members.size):
        if members[c] > 0:
            for m in range(most_common.shape[1]):
                shared[occupied] += 2 * most_common[c, m] >= members[c]
            occupied += 1
    return shared[:occupied]


def lexicon_summary(preferred: np.ndarray, camp: np.ndarray) -> tuple[float, float, float, int]:
    """(lexicon_size, lexicon_coherence, expressivity, camps occupied) from `lexicon_counts`.

    The definitions of `lexicon_measures` and `expressivity`, computed from integer counts with
    the same numpy means, so the values are theirs exactly; nan for the three with M = 0.
    """
    n, n_meanings = preferred.shape
    n_camps = int(camp.max()) + 1 if n else 0
    distinct, most_common, members = lexicon_counts(preferred, camp, n_camps)
    shared = _shared_per_camp(most_common, members)
    if n_meanings == 0:
        return np.nan, np.nan, np.nan, shared.size
    return (float(distinct.astype(np.float64).mean()), int(most_common.sum()) / (n * n_meanings),
            float(shared.mean()), shared.size)


def generation_row(
    st: PopulationState,
    generation: int,
    skill_step: float,
    episodes: int,
    successes: int,
    track_behaviour: bool,
    preferred: np.ndarray | None = None,
    type_skill: float = 10.0,
) -> dict[str, float | int | None]:
    """One row of the generation table for the living individuals.

    `preferred`: their preferred variants (`preferred_variants(st, alive slots)`) when the caller
    has them already. `type_skill`: the components a lineage's best holder needs for the
    population to hold that tool type (`tool_types`).
    """
    slots = st.alive_slots()
    n = slots.size
    row: dict[str, float | int | None] = {"generation": generation, "population": n}
    if n == 0:
        return row
    means = row_measures(st, slots, type_skill * skill_step)
    for name in ("mirror_mean", "mirror_sd", "mirror_effective_mean", "mirror_learned_mean",
                 "assoc_mean"):
        row[name] = getattr(means, name)
    if st.skill.shape[1] > 0:
        row["tool_skill_mean"], row["tool_skill_max"] = means.tool_skill_mean, means.tool_skill_max
        row["tool_complexity"] = means.positive_skill_sum_mean / skill_step
        row["tool_types"] = means.tool_types
    row["gesture_success"] = successes / episodes if episodes > 0 else None
    if preferred is None:
        preferred = preferred_variants(st, slots)
    size, coherence, expressivity_, occupied = lexicon_summary(preferred, st.camp[slots])
    if st.gestures.shape[1] > 0:
        row["lexicon_size"], row["lexicon_coherence"] = size, coherence
        row["expressivity"] = expressivity_
    if track_behaviour and generation > 0:  # founders learned nothing
        row["social_learner_frequency"] = 1.0 - means.alone_share
    row["fitness_mean"] = means.fitness_mean
    row["camps_occupied"] = occupied
    return row


def camp_best_skill(camp: np.ndarray, skill: np.ndarray, n_camps: int) -> np.ndarray:
    """(camps, lineages): each camp's highest skill in each lineage, -inf in an empty camp.

    `camp` and `skill` are the listed individuals' camps and (individuals, lineages) skills.
    """
    best = np.full((n_camps, skill.shape[1]), -np.inf)
    np.maximum.at(best, camp, skill)
    return best


def camp_rows(st: PopulationState, generation: int, camps_y: int, capacity: np.ndarray,
              coldness: float, extinct: np.ndarray, skill_step: float,
              type_skill: float) -> dict[str, list]:
    """The per-camp table's rows of one generation (columns of `CAMP_SCHEMA`), every camp.

    A camp without members has population 0 and null measures. Tool types and expressivity as
    in `generation_row`, per camp (`type_skill` in components).
    """
    n_camps = capacity.size
    slots = st.alive_slots()
    camp = st.camp[slots]
    members = np.bincount(camp, minlength=n_camps)
    with np.errstate(invalid="ignore", divide="ignore"):
        def mean(values: np.ndarray) -> np.ndarray:
            return np.bincount(camp, weights=values, minlength=n_camps) / members
        rows = {"generation": [generation] * n_camps, "camp": list(range(n_camps)),
                "x": [c // camps_y for c in range(n_camps)],
                "y": [c % camps_y for c in range(n_camps)], "population": members.tolist(),
                "capacity": capacity.tolist(), "coldness": [coldness] * n_camps,
                "extinct": extinct.astype(int).tolist(),
                "mirror_mean": mean(st.g_mirror[slots]),
                "mirror_learned_mean": mean(st.m_learned[slots])}
        lineages = st.skill.shape[1]
        if lineages:
            skill = st.skill[slots]
            rows["tool_complexity"] = mean(np.maximum(skill, 0.0).sum(axis=1)) / skill_step
            best = camp_best_skill(camp, skill, n_camps)
            rows["tool_types"] = (best >= type_skill * skill_step).sum(axis=1)
        if st.gestures.shape[1]:
            preferred = preferred_variants(st, slots)
            _, most_common, _ = lexicon_counts(preferred, camp, n_camps)
            rows["expressivity"] = (2 * most_common >= members[:, None]).sum(axis=1).astype(float)
    empty = members == 0
    out = {}
    for name, values in rows.items():
        values = list(values.tolist() if isinstance(values, np.ndarray) else values)
        if name not in ("generation", "camp", "x", "y", "population", "capacity", "coldness",
                        "extinct"):
            values = [None if e else v for v, e in zip(values, empty, strict=True)]
        out[name] = values
    return out


def lineage_rows(st: PopulationState, generation: int, difficulty: np.ndarray,
                 skill_step: float, type_skill: float) -> dict[str, list]:
    """The per-lineage table's rows of one generation (columns of `LINEAGE_SCHEMA`)."""
    skill = st.skill[st.alive_slots()]
    lineages = skill.shape[1]
    best = skill.max(axis=0) if skill.size else np.full(lineages, np.nan)
    return {"generation": [generation] * lineages, "lineage": list(range(lineages)),
            "difficulty": difficulty.tolist(),
            "skill_mean": (skill.mean(axis=0) if skill.size else best).tolist(),
            "skill_best": best.tolist(),
            "held": (best >= type_skill * skill_step).astype(int).tolist()}


def presence_rows(st: PopulationState, generation: int, pays: np.ndarray, skill_step: float,
                  type_skill: float) -> dict[str, list]:
    """The per-camp-and-type table's rows of one generation (`PRESENCE_SCHEMA`), camp-major."""
    n_camps, lineages = pays.shape
    slots = st.alive_slots()
    best = camp_best_skill(st.camp[slots], st.skill[slots], n_camps)
    occupied = np.isfinite(best[:, 0]) if lineages else np.zeros(n_camps, bool)
    components = best / skill_step
    return {"generation": [generation] * (n_camps * lineages),
            "camp": np.repeat(np.arange(n_camps), lineages).tolist(),
            "lineage": np.tile(np.arange(lineages), n_camps).tolist(),
            "skill_best": [float(v) if ok else None
                           for v, ok in zip(components.ravel(), np.repeat(occupied, lineages),
                                            strict=True)],
            "held": (best >= type_skill * skill_step).astype(int).ravel().tolist(),
            "pays": pays.astype(int).ravel().tolist()}


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

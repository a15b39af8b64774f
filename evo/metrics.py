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

from evo.kernels import preferred_variants
from evo.state import PopulationState

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


def generation_row(
    st: PopulationState,
    generation: int,
    skill_step: float,
    episodes: int,
    successes: int,
    track_behaviour: bool,
) -> dict[str, float | int | None]:
    """One row of the generation table for the living individuals."""
    slots = st.alive_slots()
    n = slots.size
    row: dict[str, float | int | None] = {"generation": generation, "population": n}
    if n == 0:
        return row
    g = st.g_mirror[slots]
    learned = st.m_learned[slots]
    skill = st.skill[slots]
    row["mirror_mean"] = float(g.mean())
    row["mirror_sd"] = float(g.std())
    row["mirror_effective_mean"] = float((1.0 - (1.0 - g) * (1.0 - learned)).mean())
    row["mirror_learned_mean"] = float(learned.mean())
    row["assoc_mean"] = float(st.g_assoc[slots].mean())
    if skill.shape[1] > 0:
        row["tool_skill_mean"] = float(skill.mean())
        row["tool_skill_max"] = float(skill.max())
        row["tool_complexity"] = float(np.maximum(skill, 0.0).sum(axis=1).mean() / skill_step)
    row["gesture_success"] = successes / episodes if episodes > 0 else None
    if st.gestures.shape[1] > 0:
        preferred = preferred_variants(st, slots)
        group = st.group[slots]
        counts = most_common_counts(preferred, group)
        row["lexicon_size"], row["lexicon_coherence"] = lexicon_measures(preferred, group, counts)
        row["expressivity"] = expressivity(preferred, group, counts)
    if track_behaviour and generation > 0:  # founders learned nothing
        row["social_learner_frequency"] = float(1.0 - st.alone[slots].mean())
    row["fitness_mean"] = float(st.fitness[slots].mean())
    row["camps_occupied"] = int(np.unique(st.group[slots]).size)
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

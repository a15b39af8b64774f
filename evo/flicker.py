"""Flicker of tool types in a presence table, read by signatures and model-choice summaries.

Pure functions, shared by the analysis (`analysis.signatures.flicker`) and the model choice
(`evo.run.choose.summaries`).

A presence table has a row per recorded generation, region (camp) and tool type: ``held`` (the
region's best holder reaches ``tool_type_skill``) and ``skill_best`` (null in an empty region). A
type is present in the population at a row when some region holds it. What lasts less than
``GAP`` = 40 generations (1 kyr at 25 years) is not seen (our assumption: about the resolution of
luminescence ages in the Still Bay and Howiesons Poort, Jacobs et al. 2008): a presence that
short is dropped (a blip at the threshold leaves no industry), then an absence that short is
closed; what is left splits each type's series into presence episodes and losses, whatever the
recording interval (at most ``GAP``). A loss counts once it has lasted ``GAP`` generations or
ended (the run's end closes none).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

GAP = 40.0
MIN_TYPES = 3


def episodes(t: np.ndarray, present: np.ndarray, gap: float = GAP) -> list[tuple[float, float]]:
    """(start, end) of each presence episode, what lasts less than ``gap`` unseen.

    Presences shorter than ``gap`` are dropped, then absences shorter than ``gap`` closed. An
    episode ends at the first row of absence after it; one still running at the last row ends at
    ``inf`` (and is kept, however short: it has not ended).
    """
    runs, start = [], None
    for i in range(t.size):
        if present[i] and start is None:
            start = t[i]
        elif not present[i] and start is not None:
            runs.append((start, t[i]))
            start = None
    if start is not None:
        runs.append((start, np.inf))
    runs = [(s, e) for s, e in runs if e - s >= gap]
    merged: list[tuple[float, float]] = []
    for s, e in runs:
        if merged and s - merged[-1][1] < gap:
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


@dataclass
class Flicker:
    """Pooled over a run's types: finished presence episodes, finished losses, losses, firsts.

    ``shares``: at every row and type the population holds, the share of occupied regions
    holding it.
    """

    presence: list[float] = field(default_factory=list)
    gaps: list[float] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    first: list[float] = field(default_factory=list)
    shares: list[float] = field(default_factory=list)

    def add_type(self, t: np.ndarray, present: np.ndarray, last: float) -> None:
        """One type's history: its episodes, the losses that followed and when it first came."""
        spans = episodes(t, present)
        if not spans:
            return
        self.first.append(spans[0][0])
        for (s, e), following in zip(spans, [*spans[1:], None], strict=True):
            if np.isfinite(e) and (following is not None or last - e >= GAP):
                self.presence.append(e - s)
                self.losses.append(e)
                if following is not None:
                    self.gaps.append(following[0] - e)

    @property
    def first_appearance_spread(self) -> float:
        """First to last first appearance over the types that appear (NaN: fewer than 3)."""
        return max(self.first) - min(self.first) if len(self.first) >= MIN_TYPES else float("nan")


def flicker_of(presence: pl.DataFrame) -> Flicker:
    """The flicker of one run's presence table (columns generation, camp, lineage, skill_best, held)."""
    occupied = presence.group_by("generation").agg(
        pl.col("camp").filter(pl.col("skill_best").is_not_null()).n_unique().alias("occupied"))
    by_type = (presence.group_by("generation", "lineage")
               .agg(pl.col("held").max().alias("present"), pl.col("held").sum().alias("regions"))
               .join(occupied, on="generation").sort("lineage", "generation"))
    out = Flicker()
    last = float(by_type["generation"].max())
    for _, rows in by_type.partition_by("lineage", as_dict=True).items():
        out.add_type(rows["generation"].to_numpy().astype(float),
                     rows["present"].to_numpy() > 0, last)
    held = by_type.filter((pl.col("present") > 0) & (pl.col("occupied") > 0))
    out.shares = (held["regions"] / held["occupied"]).to_list()
    return out

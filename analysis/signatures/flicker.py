"""Flicker signatures of one run: tool types that appear, vanish and come back, region by region.

From ``presence.parquet`` (each region's, i.e. camp's, best skill in each tool type every
``extras_every`` generations; ``held`` when it reaches ``tool_type_skill``). A type is present in
the population at a row when some region holds it. An absence shorter than ``GAP`` = 40
generations (1 kyr at 25 years) is not seen (our assumption: about the resolution of
luminescence ages in the Still Bay and Howiesons Poort, Jacobs et al. 2008) and is closed; what
is left splits each type's series into presence episodes and losses.

- **flicker_losses**: losses per run, summed over types: a type the population held is gone for
  at least ``GAP`` generations (the run's end closes none: a loss must be seen to end or to last
  ``GAP``).
- **flicker_gap_generations** (and ``_kyr_25``): median length of the losses that ended (the type
  came back, by invention or from migrants); NaN when none did.
- **presence_generations** (and ``_kyr_25``): median length of the presence episodes that ended in
  a loss: an industry that appeared and vanished (Still Bay about 0.9 kyr, Howiesons Poort 5 kyr
  or less); NaN when no episode ended.
- **regional_share**: while the population holds a type, the mean share of the occupied regions
  that hold it, over rows and types (1: every region in step; 1/16 on a 4 x 4 grid: one region
  alone; Scerri et al. 2018's structured population predicts low values).
- **first_appearance_spread_generations** (and ``_kyr_25``): the span from the first to the last
  type's first appearance, over the types that ever appear (at least ``MIN_TYPES`` = 3). McBrearty
  & Brooks (2000) see about 200 kyr between the first and the last components of modern behaviour.
The ``_kyr_25`` rows convert at 25 years a generation.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from analysis.signatures.registry import MEDIAN, Measured, Signature, measures, nan_because

GAP = 40.0
MIN_TYPES = 3
YEARS = 25.0

NAMES = ("flicker_losses", "flicker_gap_generations", "flicker_gap_kyr_25", "presence_generations",
         "presence_kyr_25", "regional_share", "first_appearance_spread_generations",
         "first_appearance_spread_kyr_25")


def episodes(t: np.ndarray, present: np.ndarray, gap: float = GAP) -> list[tuple[float, float]]:
    """(start, end) of each presence episode, absences shorter than ``gap`` closed.

    An episode ends at the first row of absence after it; an episode still running at the last
    row ends at ``inf``.
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
    merged: list[tuple[float, float]] = []
    for s, e in runs:
        if merged and s - merged[-1][1] < gap:
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def type_history(t: np.ndarray, present: np.ndarray, last: float) -> dict[str, list[float]]:
    """One type's finished presence episodes, finished losses, losses and first appearance."""
    spans = episodes(t, present)
    out: dict[str, list[float]] = {"presence": [], "gaps": [], "losses": [], "first": []}
    if not spans:
        return out
    out["first"].append(spans[0][0])
    for (s, e), following in zip(spans, [*spans[1:], None], strict=True):
        lost_long_enough = following is not None or last - e >= GAP
        if np.isfinite(e) and lost_long_enough:
            out["presence"].append(e - s)
            out["losses"].append(e)
            if following is not None:
                out["gaps"].append(following[0] - e)
    return out


def _median(values: list[float], what: str) -> Measured:
    return Measured(float(np.median(values)), f"{len(values)} {what}") if values else nan_because(
        f"no {what}")


@measures("presence",
          Signature("flicker_losses", "count", MEDIAN,
                    f"tool types lost by the whole population for {GAP:g}+ generations"),
          Signature("flicker_gap_generations", "generations", MEDIAN,
                    "median length of a loss that ended"),
          Signature("flicker_gap_kyr_25", "kyr", MEDIAN, "the same at 25 years a generation",
                    plotted=False),
          Signature("presence_generations", "generations", MEDIAN,
                    "median length of a presence episode that ended in a loss"),
          Signature("presence_kyr_25", "kyr", MEDIAN, "the same at 25 years a generation",
                    plotted=False),
          Signature("regional_share", "share", MEDIAN,
                    "share of occupied regions holding a type while the population holds it"),
          Signature("first_appearance_spread_generations", "generations", MEDIAN,
                    "first to last first appearance of a tool type"),
          Signature("first_appearance_spread_kyr_25", "kyr", MEDIAN,
                    "the same at 25 years a generation", plotted=False))
def flicker(presence: pl.DataFrame | None) -> dict[str, Measured]:
    """The flicker signatures of one run (module docstring)."""
    if presence is None or presence.is_empty():
        return dict.fromkeys(NAMES, nan_because("presence not recorded (record_presence)"))
    occupied = presence.group_by("generation").agg(
        pl.col("camp").filter(pl.col("skill_best").is_not_null()).n_unique().alias("occupied"))
    by_type = (presence.group_by("generation", "lineage")
               .agg(pl.col("held").max().alias("present"), pl.col("held").sum().alias("regions"))
               .join(occupied, on="generation").sort("lineage", "generation"))
    last = float(by_type["generation"].max())
    pooled: dict[str, list[float]] = {"presence": [], "gaps": [], "losses": [], "first": []}
    for (_,), rows in by_type.partition_by("lineage", as_dict=True).items():
        history = type_history(rows["generation"].to_numpy().astype(float),
                               rows["present"].to_numpy() > 0, last)
        for key, values in history.items():
            pooled[key] += values
    held = by_type.filter((pl.col("present") > 0) & (pl.col("occupied") > 0))
    share = ((held["regions"] / held["occupied"]).mean() if held.height
             else None)
    firsts = pooled["first"]
    spread = (Measured(max(firsts) - min(firsts), f"{len(firsts)} types appear")
              if len(firsts) >= MIN_TYPES else nan_because(f"fewer than {MIN_TYPES} types appear"))
    gap, lasting = _median(pooled["gaps"], "losses that ended"), _median(
        pooled["presence"], "episodes that ended")
    kyr = YEARS / 1000.0
    return {
        "flicker_losses": Measured(float(len(pooled["losses"]))),
        "flicker_gap_generations": gap,
        "flicker_gap_kyr_25": Measured(gap.value * kyr, gap.detail),
        "presence_generations": lasting,
        "presence_kyr_25": Measured(lasting.value * kyr, lasting.detail),
        "regional_share": (Measured(float(share)) if share is not None
                           else nan_because("no type held")),
        "first_appearance_spread_generations": spread,
        "first_appearance_spread_kyr_25": Measured(spread.value * kyr, spread.detail),
    }

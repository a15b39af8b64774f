"""Flicker signatures of one run: tool types that appear, vanish and come back, region by region.

From ``presence.parquet``, by `evo.flicker` (episodes, losses, the ``GAP`` of 40 generations that
closes an absence too short to be seen, 1 kyr at 25 years; its docstring gives the rules):

- **flicker_losses**: losses per run, summed over types: a type the population held is gone for
  at least ``GAP`` generations.
- **flicker_gap_generations** (and ``_kyr_25``): median length of the losses that ended (the type
  came back, by invention or from migrants); NaN when none did.
- **presence_generations** (and ``_kyr_25``): median length of the presence episodes that ended in
  a loss: an industry that appeared and vanished (Still Bay about 0.9 kyr, Howiesons Poort 5 kyr
  or less); NaN when no episode ended.
- **presence_longest_generations** (and ``_kyr_25``): the longest of those episodes: can the run
  make an industry as long-lived as the Howiesons Poort and still lose it?
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
from evo.flicker import GAP, MIN_TYPES, flicker_of

YEARS = 25.0
KYR = YEARS / 1000.0


def _durations(name: str, about: str) -> tuple[Signature, Signature]:
    """A duration's row in generations and its unplotted twin in kyr at 25 years a generation."""
    return (Signature(f"{name}_generations", "generations", MEDIAN, about),
            Signature(f"{name}_kyr_25", "kyr", MEDIAN, "the same at 25 years a generation",
                      plotted=False))


def _both(name: str, measured: Measured) -> dict[str, Measured]:
    """A duration in generations and in kyr, with the same detail."""
    return {f"{name}_generations": measured,
            f"{name}_kyr_25": Measured(measured.value * KYR, measured.detail)}


ROWS = (Signature("flicker_losses", "count", MEDIAN,
                  f"tool types lost by the whole population for {GAP:g}+ generations"),
        *_durations("flicker_gap", "median length of a loss that ended"),
        *_durations("presence", "median length of a presence episode that ended in a loss"),
        *_durations("presence_longest", "the longest presence episode that ended in a loss"),
        Signature("regional_share", "share", MEDIAN,
                  "share of occupied regions holding a type while the population holds it"),
        *_durations("first_appearance_spread", "first to last first appearance of a tool type"))
NAMES = tuple(s.name for s in ROWS)


def _median(values: list[float], what: str) -> Measured:
    return Measured(float(np.median(values)), f"{len(values)} {what}") if values else nan_because(
        f"no {what}")


@measures("presence", *ROWS)
def flicker(presence: pl.DataFrame | None) -> dict[str, Measured]:
    """The flicker signatures of one run (module docstring)."""
    if presence is None or presence.is_empty():
        return dict.fromkeys(NAMES, nan_because("presence not recorded (record_presence)"))
    pooled = flicker_of(presence)
    spread = pooled.first_appearance_spread
    spread = (Measured(spread, f"{len(pooled.first)} types appear") if np.isfinite(spread)
              else nan_because(f"fewer than {MIN_TYPES} types appear"))
    gap = _median(pooled.gaps, "losses that ended")
    lasting = _median(pooled.presence, "episodes that ended")
    longest = (Measured(float(max(pooled.presence)), f"{len(pooled.presence)} episodes that ended")
               if pooled.presence else nan_because("no episodes that ended"))
    return {
        "flicker_losses": Measured(float(len(pooled.losses))),
        **_both("flicker_gap", gap),
        **_both("presence", lasting),
        **_both("presence_longest", longest),
        "regional_share": (Measured(float(np.mean(pooled.shares))) if pooled.shares
                           else nan_because("no type held")),
        **_both("first_appearance_spread", spread),
    }

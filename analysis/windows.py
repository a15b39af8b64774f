"""The window a run's leap is judged in: the generations before its first population crash.

A crash (Henrich 2004's Tasmania; the ``crash_*`` schedule) is a test of what culture keeps, not
part of the leap being judged: bursts, take-offs, lags and final levels read each run up to the
generation before its first crash, and the crash itself is read by the ``loss_after_crash``
signature. The crash is found in the population series, so scheduled events and ``crash_*``
parameters alike are seen: it starts at the first generation whose population is at most
``CRASH_SHARE`` = 0.5 of the largest population of the ``CRASH_WINDOW`` = 50 generations before
it (our assumption: Wright-Fisher camps stay at their size, so only an imposed crash halves a
population within 50 generations, 1.25 kyr at 25 years; a climate that empties regions over
millennia, `evo.core.world`, is no crash) and ends when the population is back to
``RESTORED_SHARE`` = 0.9 of its level just before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from analysis.series import clean_series

CRASH_SHARE = 0.5
CRASH_WINDOW = 50
RESTORED_SHARE = 0.9


@dataclass(frozen=True)
class Crash:
    """The first crash of a run: its start, its end (None: never restored), the size before."""

    start: float
    restored: float | None
    before: float


def find_crash(t: np.ndarray, population: np.ndarray) -> Crash | None:
    """The first fall to at most ``CRASH_SHARE`` of the recent maximum, and its restoration."""
    t, p = clean_series(t, population)
    if p.size < 2:
        return None
    first = np.searchsorted(t, t - CRASH_WINDOW, side="left")  # rows within the window before
    fell = [i for i in range(1, p.size) if p[i] <= CRASH_SHARE * p[first[i]:i].max(initial=-1.0)]
    if not fell:
        return None
    i = fell[0]
    before = float(p[i - 1])
    back = np.nonzero(p[i:] >= RESTORED_SHARE * before)[0]
    return Crash(float(t[i]), float(t[i + back[0]]) if back.size else None, before)


def before_first_crash(generations: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Each run's rows before its first crash (``find_crash``'s rule), and how many runs were cut.

    ``generations`` is long (``run_id``, ``time``, metric columns), as ``tables.load`` gives it; a
    table without a ``population`` column is returned whole.
    """
    if "population" not in generations.columns or generations.height == 0:
        return generations, 0
    population = pl.col("population").cast(pl.Float64).fill_nan(None)  # as clean_series drops them
    time = pl.col("time").cast(pl.Float64).round().cast(pl.Int64)
    peak = population.rolling_max_by(time, window_size=f"{CRASH_WINDOW}i", closed="left")
    crash = (pl.when(population <= CRASH_SHARE * peak.over("run_id")).then(pl.col("time")).min()
             .over("run_id"))
    table = generations.sort(["run_id", "time"]).with_columns(crash.alias("__crash"))
    n_cut = table.filter(pl.col("__crash").is_not_null())["run_id"].n_unique()
    kept = table.filter(pl.col("__crash").is_null() | (pl.col("time") < pl.col("__crash")))
    return kept.drop("__crash"), n_cut

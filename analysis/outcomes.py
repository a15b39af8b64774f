"""Per-run outcome levels and their means across seeds (the parity threshold, sensitivity).

* The **final level** of a metric in a run is its mean over the last 10 % of the run's rows
  (``series.EDGE_SHARE``, the same window as the net rise), finite values only: robust to the
  noise of a single last generation.
* The **mean across seeds** of a condition comes with a Student-t 95 % interval,
  mean +/- t(0.975, n - 1) sd / sqrt(n) (a bootstrap of a mean over 3 to 5 seeds is
  over-confident); with one seed the bounds are nan. In the parity table the lower bound is
  clipped at 0, which no outcome can go below, and for shares (``material.SHARE_METRICS``:
  gesture success, lexicon coherence, mirror strength) the upper bound at 1; counts (meanings,
  tool components) have no upper bound.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
from scipy.stats import t as student_t

from analysis.material import SHARE_METRICS
from analysis.series import EDGE_SHARE


def final_levels(generations: pl.DataFrame, metrics: list[str]) -> pl.DataFrame:
    """``run_id`` and ``{metric}_final`` (mean over each run's last 10 % of rows) per metric."""
    present = [m for m in metrics if m in generations.columns]
    ranked = generations.sort(["run_id", "time"]).with_columns(
        pl.int_range(pl.len()).over("run_id").alias("_row"), pl.len().over("run_id").alias("_n"))
    tail = ranked.filter(pl.col("_row") >= pl.col("_n") - (pl.col("_n") * EDGE_SHARE)
                         .floor().clip(lower_bound=1))
    finite = [pl.col(m).cast(pl.Float64).filter(pl.col(m).cast(pl.Float64).is_finite()).mean()
              .alias(f"{m}_final") for m in present]
    return tail.group_by("run_id", maintain_order=True).agg(finite)


def with_final_levels(bursts: pl.DataFrame, finals: pl.DataFrame) -> pl.DataFrame:
    """``bursts`` (a row per run and metric) with each run's ``final`` level of that metric.

    ``finals`` is ``final_levels`` of the runs (``run_id`` and ``{metric}_final`` columns).
    """
    if finals.width <= 1:
        return bursts.with_columns(pl.lit(None, pl.Float64).alias("final"))
    long = finals.unpivot(index="run_id", variable_name="metric", value_name="final").with_columns(
        pl.col("metric").str.strip_suffix("_final"))
    return bursts.join(long, on=["run_id", "metric"], how="left")


def mean_ci(values: np.ndarray | list[float], level: float = 0.95) -> tuple[float, float, float]:
    """(mean, lo, hi) with the Student-t interval; nan bounds below 2 finite values."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    nan = float("nan")
    if x.size == 0:
        return nan, nan, nan
    mean = float(x.mean())
    if x.size < 2:
        return mean, nan, nan
    half = float(student_t.ppf(0.5 + level / 2, x.size - 1)) * float(x.std(ddof=1)) / math.sqrt(
        x.size)
    return mean, mean - half, mean + half


def parity_table(
    runs: pl.DataFrame, finals: pl.DataFrame, x: str, metrics: list[str], by: list[str]
) -> pl.DataFrame:
    """Per line (``by``), value of ``x`` and metric: n seeds, mean final level, 95 % t interval."""
    joined = runs.select(["run_id", *by, x]).join(finals, on="run_id", how="inner",
                                                  nulls_equal=True)
    rows = []
    for key, part in joined.group_by([*by, x], maintain_order=True):
        for metric in metrics:
            column = f"{metric}_final"
            if column not in part.columns:
                continue
            values = part[column].cast(pl.Float64).to_numpy()
            mean, lo, hi = mean_ci(values)
            lo = max(lo, 0.0)  # no outcome (share, count) can be negative
            if metric in SHARE_METRICS:
                hi = min(hi, 1.0)
            rows.append({**dict(zip([*by, x], key, strict=True)), "metric": metric,
                         "n": int(np.isfinite(values).sum()), "mean": mean, "lo": lo, "hi": hi})
    if not rows:
        return pl.DataFrame()
    return pl.DataFrame(rows).sort([*by, "metric", x])

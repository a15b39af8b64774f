"""Order of events: does the rise in mirror strength lead or follow the cultural burst.

For each run whose cultural metric shows a burst or a take-off (``bursts.detect_burst``) and whose
mirror metric
rises (net rise R >= 5 sigma, the burst detector's criterion (a), and material on its scale,
``analysis.material``), we take the crossing times of
both series on the same footing: t_f is the first generation at which the smoothed series
(``series.smoothed``) reaches start + f * R, with start the mean of the first 10 % of the
window. Two lags, in generations (negative: the mirror rises first):

* ``lag_onset`` = t_0.1(mirror) - t_0.1(culture): which starts rising first;
* ``lag_mid`` = t_0.5(mirror) - t_0.5(culture): which is half-way first (robust to slow tails).

Across the seeds of a condition we report the median lag with a distribution-free 95 % interval
from order statistics (``stats.median_ci``: [x_(k), x_(n-k+1)], coverage from Binomial(n, 1/2);
a percentile bootstrap of the median is over-confident with few runs and degenerate with one) and
the share of runs in which the mirror leads (Wilson interval). The mirror "leads" when the whole
interval of the median lag is below 0, "follows" when it is above 0; otherwise the order is
"unresolved". With fewer than ``MIN_RUNS`` (6) lags no 95 % interval of the median exists (even
the range of 5 values covers it with 93.75 % only): the order is "unresolved (too few runs)" and
the bounds are nan. Runs in which the mirror does not rise (e.g. mirror fixed) give no lag.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from analysis.material import is_material
from analysis.series import clean_series, rise_of, smoothed, start_level
from analysis.stats import median_ci, median_ci_rank, wilson_ci

MIN_RUNS = next(n for n in range(1, 100) if median_ci_rank(n) is not None)  # 6
TOO_FEW = "unresolved (too few runs)"


def crossing_times(
    t: np.ndarray, y: np.ndarray, fracs: tuple[float, ...] = (0.1, 0.5), metric: str | None = None
) -> tuple[float | None, ...]:
    """First times the smoothed series reaches start + f * R, for each f; None if it does not rise.

    The series is cleaned, its rise measured and smoothed once for all fractions. A rise that is
    not material on ``metric``'s scale (``analysis.material``) is no rise.
    """
    measured = rise_of(t, y)
    if measured is None:
        return (None,) * len(fracs)
    rise = measured.rise
    if not measured.significant() or not is_material(metric, measured.start, rise):
        return (None,) * len(fracs)
    t, y = clean_series(t, y)
    ts, s = smoothed(t, y)
    start = start_level(y)
    out = []
    for frac in fracs:
        hit = np.nonzero(s >= start + frac * rise)[0]
        out.append(float(ts[hit[0]]) if hit.size else None)
    return tuple(out)


def crossing_time(t: np.ndarray, y: np.ndarray, frac: float) -> float | None:
    """First time the smoothed series reaches start + frac * R; None if it does not rise."""
    return crossing_times(t, y, (frac,))[0]


def lags_table(
    generations: pl.DataFrame, bursts: pl.DataFrame, mirror: list[str], culture: list[str]
) -> pl.DataFrame:
    """Per run, mirror metric and cultural metric that takes off: ``lag_onset``, ``lag_mid``.

    The crossing times of each (run, metric) series are computed once, so a mirror metric is not
    re-analysed for every cultural metric of the same run.
    """
    rows = []
    burst_runs = bursts.filter(pl.col("takeoff") & pl.col("metric").is_in(culture))
    parts = generations.partition_by("run_id", as_dict=True)
    cache: dict[tuple[object, str], tuple[float | None, ...]] = {}

    def crossings(run_id: object, metric: str) -> tuple[float | None, ...]:
        if (run_id, metric) not in cache:
            part = parts[(run_id,)]
            cache[run_id, metric] = crossing_times(part["time"].to_numpy(),
                                                   part[metric].to_numpy(), metric=metric)
        return cache[run_id, metric]

    for run_id, metric in burst_runs.select("run_id", "metric").iter_rows():
        c10, c50 = crossings(run_id, metric)
        for m in mirror:
            m10, m50 = crossings(run_id, m)
            rows.append({
                "run_id": run_id, "mirror_metric": m, "culture_metric": metric,
                "mirror_rises": m50 is not None,
                "lag_onset": None if m10 is None or c10 is None else m10 - c10,
                "lag_mid": None if m50 is None or c50 is None else m50 - c50,
            })
    schema = {"run_id": pl.Int64, "mirror_metric": pl.String, "culture_metric": pl.String,
              "mirror_rises": pl.Boolean, "lag_onset": pl.Float64, "lag_mid": pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def lag_order(n: int, lo: float, hi: float) -> str:
    """The verdict from the number of lags and the 95 % interval of their median."""
    if n == 0:
        return "no lag (mirror did not rise)"
    if n < MIN_RUNS or np.isnan(lo) or np.isnan(hi):
        return TOO_FEW
    return "mirror leads" if hi < 0 else "mirror follows" if lo > 0 else "unresolved"


def summarize_lags(lags: pl.DataFrame, runs: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Per condition (``keys``), mirror metric and cultural metric: median lags with 95 % CIs.

    The intervals are distribution-free (order statistics), nan below ``MIN_RUNS`` lags.
    """
    joined = lags.join(runs.select(["run_id", *keys]), on="run_id", how="left", nulls_equal=True)
    rows = []
    group = [*keys, "mirror_metric", "culture_metric"]
    for key, part in joined.group_by(group, maintain_order=True):
        mid = part["lag_mid"].drop_nulls().to_numpy()
        onset = part["lag_onset"].drop_nulls().to_numpy()
        med, lo, hi = median_ci(mid)
        omed, olo, ohi = median_ci(onset)
        leads = int(np.sum(mid < 0))
        llo, lhi = wilson_ci(leads, mid.size)
        order = lag_order(mid.size, lo, hi)
        rows.append({**dict(zip(group, key, strict=True)), "n_bursts": part.height,
                     "n_lag": int(mid.size), "lag_mid_median": med, "lag_mid_lo": lo,
                     "lag_mid_hi": hi, "lag_onset_median": omed, "lag_onset_lo": olo,
                     "lag_onset_hi": ohi, "share_mirror_leads": leads / mid.size if mid.size
                     else float("nan"), "share_lo": llo, "share_hi": lhi, "order": order})
    if not rows:
        return pl.DataFrame()
    return pl.DataFrame(rows)

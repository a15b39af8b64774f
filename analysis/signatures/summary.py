"""Across runs (``signatures.parquet``).

Per account (the runs table's ``account``; every scenario of the account pooled except its
controls, role ``control_low`` / ``control_high``, which hold the account's cause fixed and so do
not stage it; ``scenario`` null) and per scenario; ``cells_table`` per design cell. Lags, times,
spreads, correlations and shares kept: the median with the distribution-free 95 % interval from
order statistics (``stats.median_ci_rank``; none below 6 runs, where ``low`` and ``high`` are NaN). Shares of
runs: the Wilson interval. The ``interval`` column names the method.
Runs whose table has no ``account`` (written before scenarios declared it) are pooled as account
"unknown" (``analysis.roles``).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import polars as pl

from analysis.roles import CONTROLS
from analysis.signatures.registry import WILSON, registered
from analysis.stats import median_ci, wilson_ci

COLUMNS = ("account", "signature", "value", "low", "high", "n", "scenario", "unit", "interval",
           "detail")


def _why_missing(details: list[str], total: int) -> str:
    counts = Counter(details)
    missing = sum(counts.values())
    if not missing:
        return ""
    reasons = ", ".join(f"{why} ({k})" for why, k in counts.most_common(3))
    more = "" if len(counts) <= 3 else f" and {len(counts) - 3} other reason(s)"
    return f"not measured in {missing} of {total} runs: {reasons}{more}"


def summarize(per_run: pl.DataFrame, signature: str) -> dict[str, object]:
    """value, low, high, n, interval and detail of one signature over the rows of a group."""
    spec = {s.name: s for s in registered()}[signature]
    v = per_run["value"].to_numpy()
    measured = ~np.isnan(v)
    n = int(measured.sum())
    notes = []
    if spec.interval == WILSON:
        k = int(np.sum(v[measured] == 1.0))
        lo, hi = wilson_ci(k, n)
        value = k / n if n else float("nan")
        if n:
            notes.append(f"{k} of {n} runs")
    else:
        value, lo, hi = median_ci(v[measured], censored=True)
        if 0 < n < 6:
            notes.append(f"{n} run(s): too few for a 95 % interval of the median (6 needed)")
        censored = int(np.isinf(v[measured]).sum())
        if censored:
            notes.append(f"{censored} censored (not recovered by the end; counted as longer than "
                         "any recovery)")
        if spec.first is not None and n:
            notes.append(f"{spec.first} first in {int(np.sum(v[measured] < 0))} of {n}")
    missing = [d for d, m in zip(per_run["detail"].to_list(), measured, strict=True) if not m]
    notes.append(_why_missing(missing, per_run.height))
    return {"value": value, "low": lo, "high": hi, "n": n, "unit": spec.unit,
            "interval": spec.interval, "detail": "; ".join(x for x in notes if x)}


def signatures_table(per_run: pl.DataFrame) -> pl.DataFrame:
    """Per account (controls left out; ``scenario`` null) and per scenario: every signature."""
    rows = []
    pooled = per_run.filter(~pl.col("role").is_in(CONTROLS) | pl.col("role").is_null())
    groups = [(a, None, part) for (a,), part in pooled.group_by("account", maintain_order=True)]
    groups += [(a, s, part) for (a, s), part in per_run.group_by(["account", "scenario"],
                                                                 maintain_order=True)]
    for account, scenario, part in groups:
        by_sig = part.partition_by("signature", as_dict=True)
        for spec in registered():
            rows.append({"account": account, "signature": spec.name, "scenario": scenario,
                         **summarize(by_sig[(spec.name,)], spec.name)})
    schema = {"account": pl.String, "signature": pl.String, "value": pl.Float64,
              "low": pl.Float64, "high": pl.Float64, "n": pl.Int64, "scenario": pl.String,
              "unit": pl.String, "interval": pl.String, "detail": pl.String}
    table = pl.DataFrame(rows, schema=schema, orient="row").select(COLUMNS)
    rank = {s.name: i for i, s in enumerate(registered())}
    return table.sort([pl.col("account"), pl.col("scenario"),
                       pl.col("signature").replace_strict(rank, return_dtype=pl.Int64)],
                      nulls_last=False)


def cells_table(per_run: pl.DataFrame, runs: pl.DataFrame, varied: list[str]) -> pl.DataFrame:
    """Per design cell (scenario and the values its design varies): every signature.

    ``cell`` names the point as ``name=value`` pairs of the varied parameters that the scenario's
    runs set (a parameter another scenario varies is null here and left out); a scenario with one
    point has the cell ``-``.
    """
    columns = [v for v in varied if v in runs.columns]
    joined = per_run.join(runs.select("run_id", *columns), on="run_id", how="left")
    frames = []
    for (scenario,), part in joined.group_by("scenario", maintain_order=True):
        own = [c for c in columns if part[c].null_count() < part.height and part[c].n_unique() > 1]
        label = (pl.concat_str([pl.lit(f"{c}=") + pl.col(c).cast(pl.String) for c in own],
                 separator=", ") if own else pl.lit("-"))
        part = part.with_columns(label.alias("cell"))
        for (cell,), group in part.group_by("cell", maintain_order=True):
            by_sig = group.partition_by("signature", as_dict=True)
            frames += [{"account": group["account"][0], "scenario": scenario, "cell": cell,
                        "signature": spec.name, **summarize(by_sig[(spec.name,)], spec.name)}
                       for spec in registered() if (spec.name,) in by_sig]
    schema = {"account": pl.String, "scenario": pl.String, "cell": pl.String,
              "signature": pl.String, "value": pl.Float64, "low": pl.Float64, "high": pl.Float64,
              "n": pl.Int64, "unit": pl.String, "interval": pl.String, "detail": pl.String}
    return pl.DataFrame(frames, schema=schema, orient="row")


def levels_table(per_run: pl.DataFrame, runs: pl.DataFrame, varied: list[str]) -> pl.DataFrame:
    """Per scenario, varied parameter and value: every signature, pooled over the other factors.

    A factorial's main effects on the signatures (each level's runs, whatever the other factors),
    so that a design with too few seeds per cell for an interval (6 runs) still gives one per
    level. Parameters with a single value in a scenario are left out.
    """
    columns = [v for v in varied if v in runs.columns]
    joined = per_run.join(runs.select("run_id", *columns), on="run_id", how="left")
    frames = []
    for (scenario,), part in joined.group_by("scenario", maintain_order=True):
        for factor in columns:
            if part[factor].null_count() == part.height or part[factor].n_unique() < 2:
                continue
            for (level,), group in part.group_by(factor, maintain_order=True):
                by_sig = group.partition_by("signature", as_dict=True)
                frames += [{"account": group["account"][0], "scenario": scenario,
                            "parameter": factor, "level": str(level), "signature": spec.name,
                            **summarize(by_sig[(spec.name,)], spec.name)}
                           for spec in registered() if (spec.name,) in by_sig]
    schema = {"account": pl.String, "scenario": pl.String, "parameter": pl.String,
              "level": pl.String, "signature": pl.String, "value": pl.Float64,
              "low": pl.Float64, "high": pl.Float64, "n": pl.Int64, "unit": pl.String,
              "interval": pl.String, "detail": pl.String}
    return pl.DataFrame(frames, schema=schema, orient="row").sort(
        "scenario", "parameter", "signature", "level", maintain_order=True)

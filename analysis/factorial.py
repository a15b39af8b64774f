"""Two-way decomposition of a factorial sweep: how much of the leap each factor does.

A sweep that crosses two factors (for example minds evolving from mirror 0 or held modern, and a
population that grows or does not) gives, per run, whether it leapt and how much culture it ended
with. Each outcome's variance is split into the two main effects, their interaction and the
residual (two-way ANOVA, Type II sums of squares; Fisher 1925; the same as statsmodels' `anova_lm` with
`typ=2`, computed here by least squares on dummy codes so that a bootstrap stays fast).
The share of a term is its sum of squares over the total (eta squared; Cohen 1973). For the leap
(0 or 1) this is the decomposition of the variance of the leap's indicator, the linear
probability reading of "how much of the leap's probability each factor explains". Intervals are
percentile bootstraps that resample runs within each cell (the design stays balanced; Efron &
Tibshirani 1993).

Per-run outcomes, from the generation table (rows before the run's first crash):
- ``leap``: whether the run leaps, by the ``leap_generation`` signature (it reaches
  ``LEAP_MINIMUM`` components and ends there);
- ``final_log10_tools``: mean log10 tool complexity (floored at 1 component) over the last tenth
  of the judged window;
- ``leap_generation``: that signature's generation (NaN without a leap), reported per cell, not
  decomposed (it is undefined where no run leapt).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from analysis.signatures.crash import before_crash
from analysis.signatures.rises import log_complexity
from analysis.signatures.timing import leap_generation

OUTCOMES = ("leap", "final_log10_tools")
TERMS = ("main_a", "main_b", "interaction", "residual")


def run_outcomes(generations: pl.DataFrame) -> pl.DataFrame:
    """Per run: ``leap`` (0/1) and ``final_log10_tools``, judged before the run's first crash."""
    rows = []
    for (run_id,), part in generations.sort("generation").partition_by(
            "run_id", as_dict=True, maintain_order=True).items():
        judged = before_crash(part)
        logc = log_complexity(judged["tool_complexity"].to_numpy())
        final = float(np.mean(logc[-max(1, logc.size // 10):]))
        when = leap_generation(judged)["leap_generation"].value  # NaN: no leap
        rows.append({"run_id": run_id, "leap": float(not np.isnan(when)),
                     "final_log10_tools": final, "leap_generation": when})
    return pl.DataFrame(rows, schema={"run_id": generations.schema["run_id"], "leap": pl.Float64,
                                      "final_log10_tools": pl.Float64,
                                      "leap_generation": pl.Float64})


def _dummies(labels: list[str]) -> np.ndarray:
    """Treatment-coded indicator columns of a factor (its first level is the reference)."""
    levels = sorted(set(labels))
    return np.column_stack([[x == level for x in labels] for level in levels[1:]]).astype(float) \
        if len(levels) > 1 else np.empty((len(labels), 0))


def _rss(y: np.ndarray, *blocks: np.ndarray) -> float:
    """Residual sum of squares of y on an intercept and the given column blocks."""
    x = np.column_stack([np.ones(y.size), *blocks])
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    return float(np.sum((y - x @ beta) ** 2))


def variance_shares(frame: pl.DataFrame, outcome: str, a: str, b: str) -> dict[str, float]:
    """Share of the outcome's total sum of squares per term (Type II two-way ANOVA).

    Terms are named by ``TERMS``. SS(a | b) = RSS(b) - RSS(a + b), SS(b | a) likewise, SS(a x b)
    = RSS(a + b) - RSS(a * b), residual RSS(a * b); in a balanced design they sum to the total.
    An outcome without variance has no shares (all nan).
    """
    y = frame[outcome].to_numpy().astype(float)
    total = float(np.sum((y - y.mean()) ** 2))
    if total == 0.0:
        return dict.fromkeys(TERMS, float("nan"))
    da = _dummies(frame[a].cast(pl.String).to_list())
    db = _dummies(frame[b].cast(pl.String).to_list())
    dab = np.column_stack([da[:, i] * db[:, j] for i in range(da.shape[1])
                           for j in range(db.shape[1])]) if da.size and db.size else \
        np.empty((y.size, 0))
    additive = _rss(y, da, db)
    full = _rss(y, da, db, dab)
    ss = {"main_a": _rss(y, db) - additive, "main_b": _rss(y, da) - additive,
          "interaction": additive - full, "residual": full}
    return {term: max(0.0, value) / total for term, value in ss.items()}


def decompose(frame: pl.DataFrame, a: str, b: str, n_boot: int = 1000,
              seed: int = 0) -> pl.DataFrame:
    """Per outcome and term: the variance share with its 95 % bootstrap interval, and the cells.

    ``frame`` has one row per run with the factor columns ``a`` and ``b`` and the ``OUTCOMES``.
    Columns: outcome, term, factor (the column a main effect belongs to), share, lo, hi, n_runs.
    """
    rng = np.random.default_rng(seed)
    cells = frame.partition_by([a, b], maintain_order=True)
    rows = []
    for outcome in OUTCOMES:
        point = variance_shares(frame, outcome, a, b)
        boots = {term: [] for term in TERMS}
        for _ in range(n_boot):
            sample = pl.concat([c[rng.integers(0, c.height, c.height)] for c in cells])
            for term, share in variance_shares(sample, outcome, a, b).items():
                boots[term].append(share)
        for term in TERMS:
            values = np.asarray(boots[term], float)
            values = values[np.isfinite(values)]
            lo, hi = (np.quantile(values, [0.025, 0.975]) if values.size
                      else (float("nan"), float("nan")))
            factor = {"main_a": a, "main_b": b, "interaction": f"{a} x {b}"}.get(term, "")
            rows.append({"outcome": outcome, "term": term, "factor": factor,
                         "share": point[term], "lo": float(lo), "hi": float(hi),
                         "n_runs": frame.height})
    return pl.DataFrame(rows)


def cell_means(frame: pl.DataFrame, a: str, b: str) -> pl.DataFrame:
    """Per cell of the design: runs, share that leapt, mean final log10 tools, median leap time."""
    return (frame.group_by([a, b], maintain_order=True)
            .agg(pl.len().alias("n_runs"), pl.col("leap").mean().alias("leap_share"),
                 pl.col("final_log10_tools").mean().alias("final_log10_tools"),
                 pl.col("leap_generation").fill_nan(None).median().alias("leap_generation_median"))
            .sort([a, b]))

"""Where a sweep varies one numeric factor over several levels: each outcome's end value against it.

For example the final genetic mirror strength against its cost, per account: whether a cost can
stop the mirror rising is then read off the figure, not assumed. Per scenario and level, the
median over seeds of each run's final value (the mean of its last tenth of generations, judged
before any crash) with its interquartile range; the threshold is where the median first falls
below half of its value at the lowest level (our convention, reported with the level on either
side, since levels are few).
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import polars as pl

MIN_LEVELS = 3


def varied_numeric_factor(runs: pl.DataFrame, factors: list[str]) -> str | None:
    """The one numeric factor the sweep varies over at least ``MIN_LEVELS`` levels, else None."""
    numeric = [f for f in factors if f in runs.columns and runs.schema[f].is_numeric()
               and runs[f].n_unique() >= MIN_LEVELS]
    return numeric[0] if len(numeric) == 1 else None


def response_table(finals: pl.DataFrame, runs: pl.DataFrame, factor: str,
                   outcomes: list[str]) -> pl.DataFrame:
    """Per scenario, level and outcome: runs, median, first and third quartile of the end value.

    ``finals`` is ``outcomes.final_levels`` of the runs judged before their first crash (columns
    ``{outcome}_final``).
    """
    joined = finals.rename({f"{o}_final": o for o in outcomes if f"{o}_final" in finals.columns}
                           ).join(runs.select("run_id", "scenario", factor), on="run_id")
    frames = []
    for outcome in outcomes:
        if outcome not in joined.columns:
            continue
        frames.append(joined.group_by("scenario", factor).agg(
            pl.lit(outcome).alias("outcome"), pl.len().alias("n_runs"),
            pl.col(outcome).median().alias("median"),
            pl.col(outcome).quantile(0.25, "linear").alias("q25"),
            pl.col(outcome).quantile(0.75, "linear").alias("q75")))
    return pl.concat(frames).sort("outcome", "scenario", factor) if frames else pl.DataFrame()


def thresholds(table: pl.DataFrame, factor: str) -> pl.DataFrame:
    """Per scenario and outcome: the first level whose median is below half the lowest level's.

    ``below``/``above`` are the levels on either side (null when the median never halves).
    """
    rows = []
    for (scenario, outcome), part in table.group_by("scenario", "outcome", maintain_order=True):
        part = part.sort(factor)
        levels, medians = part[factor].to_list(), part["median"].to_numpy()
        half = 0.5 * medians[0]
        hit = np.nonzero(medians < half)[0]
        i = int(hit[0]) if hit.size else None
        rows.append({"scenario": scenario, "outcome": outcome, "at_lowest": float(medians[0]),
                     "above": None if i is None else float(levels[i - 1]) if i else None,
                     "below": None if i is None else float(levels[i])})
    return pl.DataFrame(rows, schema={"scenario": pl.String, "outcome": pl.String,
                                      "at_lowest": pl.Float64, "above": pl.Float64,
                                      "below": pl.Float64})


def response_figure(table: pl.DataFrame, factor: str, path: Path | str) -> None:
    """One panel per outcome: median and interquartile range against the factor, per scenario."""
    outcomes = table["outcome"].unique(maintain_order=True).to_list()
    cols = min(3, len(outcomes))
    rows = math.ceil(len(outcomes) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.6 * rows), squeeze=False)
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        part = table.filter(pl.col("outcome") == outcome)
        for scenario, sub in part.group_by("scenario", maintain_order=True):
            sub = sub.sort(factor)
            x = sub[factor].to_numpy()
            ax.plot(x, sub["median"], marker="o", label=f"{scenario[0]} (n = {sub['n_runs'].min()}"
                    " per level)")
            ax.fill_between(x, sub["q25"], sub["q75"], alpha=0.2)
        ax.set_xscale("log" if (table[factor] > 0).all() else "linear")
        ax.set_xlabel(factor)
        ax.set_ylabel(f"final {outcome}")
    for ax in list(axes.flat)[len(outcomes):]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), fontsize=8,
               frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)

"""Kline & Boyd (2010): tool counts of ten Oceanic societies against population, and the model.

Kline & Boyd fit a Poisson regression of total marine-foraging tool types on log census population
(and on high contact): tools ~ Poisson(exp(a + b log N [+ c high])). `kline_boyd_fits` refits it
(statsmodels GLM, Poisson family, log link) from `data/kline_boyd_2010.csv`; `model_elasticity`
fits the same regression to the tool types the model sustains (`elasticity.parquet`, written by
`python run.py calibrate`), and `posterior_summary` / `predictive_figure` read the ABC-SMC tables
(`posterior.parquet`, `predictive.parquet`). Tables only: the model is never imported here.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import polars as pl
import statsmodels.api as sm

from analysis.stats import Z95

DATA = Path(__file__).resolve().parents[1] / "data" / "kline_boyd_2010.csv"


def load(path: Path | str = DATA) -> pl.DataFrame:
    """The ten societies (culture, population, contact, total_tools)."""
    return pl.read_csv(path, comment_prefix="#")


def poisson_fit(counts, population, high_contact=None) -> dict[str, tuple[float, float]]:
    """Poisson GLM of counts on log population (and a high-contact dummy): name -> (coef, SE)."""
    columns = [np.ones(len(counts)), np.log(np.asarray(population, float))]
    names = ["intercept", "log_population"]
    if high_contact is not None:
        columns.append(np.asarray(high_contact, float))
        names.append("high_contact")
    fit = sm.GLM(np.asarray(counts, float), np.column_stack(columns),
                 family=sm.families.Poisson()).fit()
    return {n: (float(b), float(se)) for n, b, se in zip(names, fit.params, fit.bse, strict=True)}


def kline_boyd_fits(data: pl.DataFrame | None = None) -> dict[str, dict[str, tuple[float, float]]]:
    """The two published regressions: population only, and population plus high contact."""
    d = load() if data is None else data
    high = (d["contact"] == "high").cast(pl.Float64).to_numpy()
    return {"population": poisson_fit(d["total_tools"], d["population"]),
            "population_contact": poisson_fit(d["total_tools"], d["population"], high)}


def model_elasticity(grid: pl.DataFrame, target: float = 0.24) -> pl.DataFrame:
    """Per (alpha, spread, scale): the Poisson slope of tool types on log census with its 95 % CI.

    Seeds are pooled (every run of a point is a row); `matches` is whether the 95 % interval covers
    `target` (Kline & Boyd's 0.24). A point where every count is 0 has no slope (null).
    """
    rows = []
    for key, part in grid.group_by(["alpha", "spread", "scale"], maintain_order=True):
        counts = part["tools"].to_numpy()
        row = dict(zip(["alpha", "spread", "scale"], key, strict=True))
        row |= {"mean_types": float(counts.mean()), "n": part.height}
        if counts.sum() == 0:
            rows.append(row | {"slope": None, "se": None, "low": None, "high": None,
                               "matches": False})
            continue
        slope, se = poisson_fit(counts, part["population"])["log_population"]
        low, high = slope - Z95 * se, slope + Z95 * se
        rows.append(row | {"slope": slope, "se": se, "low": low, "high": high,
                           "matches": bool(low <= target <= high)})
    return pl.DataFrame(rows).sort(["scale", "spread", "alpha"])


def posterior_summary(posterior: pl.DataFrame) -> pl.DataFrame:
    """Weighted mean and 5-95 % interval of each parameter in the last SMC population."""
    last = posterior.filter(pl.col("t") == posterior["t"].max())
    w = last["weight"].to_numpy()
    w = w / w.sum()
    rows = []
    for name in [c for c in last.columns if c not in ("t", "weight", "epsilon")]:
        x = last[name].to_numpy()
        order = np.argsort(x)
        cum = np.cumsum(w[order])
        q = [float(x[order][np.searchsorted(cum, p)]) for p in (0.05, 0.5, 0.95)]
        rows.append({"parameter": name, "mean": float(np.sum(w * x)), "q05": q[0], "median": q[1],
                     "q95": q[2]})
    return pl.DataFrame(rows)


def predictive_intervals(predictive: pl.DataFrame, data: pl.DataFrame) -> pl.DataFrame:
    """Each society's observed count against the model's 5-95 % posterior predictive interval."""
    pi = predictive.group_by("culture").agg(
        pl.col("tools").quantile(0.05, "lower").alias("q05"),
        pl.col("tools").median().alias("median"),
        pl.col("tools").quantile(0.95, "higher").alias("q95"))
    out = data.join(pi, on="culture", how="left").sort("population")
    return out.with_columns(((pl.col("total_tools") >= pl.col("q05"))
                             & (pl.col("total_tools") <= pl.col("q95"))).alias("inside"))


def predictive_slopes(predictive: pl.DataFrame) -> np.ndarray:
    """The Poisson slope of tools on log census in each posterior predictive draw.

    Its 2.5-97.5 % quantiles are the predictive slope's 95 % interval: the spread of what the model
    would show in ten societies like Kline & Boyd's, parameter and run-to-run uncertainty together
    (a Poisson SE would treat the model's tools, a multiple of its types, as Poisson counts).
    A draw whose counts are all 0 has no slope and is left out.
    """
    slopes = []
    for _, draw in predictive.group_by("draw", maintain_order=True):
        if draw["tools"].sum() > 0:
            slopes.append(poisson_fit(draw["tools"], draw["population"])["log_population"][0])
    return np.asarray(slopes, float)


def predictive_figure(intervals: pl.DataFrame, path: Path | str) -> None:
    """Observed tools against the model's 90 % posterior predictive interval, by census size."""
    fig, ax = plt.subplots(figsize=(7, 4.2))
    x = intervals["population"].to_numpy()
    ax.vlines(x, intervals["q05"], intervals["q95"], color="tab:blue", lw=6, alpha=0.35,
              label="model, 90 % posterior predictive")
    ax.scatter(x, intervals["median"], color="tab:blue", marker="_", s=120)
    colors = ["tab:red" if c == "high" else "black" for c in intervals["contact"]]
    ax.scatter(x, intervals["total_tools"], c=colors, zorder=3, label="observed (red: high contact)")
    for name, xi, yi in zip(intervals["culture"], x, intervals["total_tools"], strict=True):
        ax.annotate(name, (xi, yi), xytext=(4, 3), textcoords="offset points", fontsize=7)
    ax.set_xscale("log")
    ax.set_xlabel("census population")
    ax.set_ylabel("marine foraging tool types")
    ax.set_title("Kline & Boyd (2010) Oceanic tool counts against the calibrated model")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def cmd_report(args: argparse.Namespace) -> int:
    """Print the fits, the model's elasticity and posterior; write the predictive figure."""
    out = Path(args.out)
    data = load(args.data)
    for name, fit in kline_boyd_fits(data).items():
        text = ", ".join(f"{k} {b:.3f} (SE {se:.3f})" for k, (b, se) in fit.items())
        print(f"Kline & Boyd data, tools ~ {name.replace('_', ' + ')}: {text}")
    elasticity = model_elasticity(pl.read_parquet(out / "elasticity.parquet"))
    elasticity.write_csv(out / "elasticity_fits.csv")
    with pl.Config(tbl_rows=100, tbl_cols=20, float_precision=3):
        print(elasticity)
    summary = posterior_summary(pl.read_parquet(out / "posterior.parquet"))
    summary.write_csv(out / "posterior_summary.csv")
    with pl.Config(float_precision=3):
        print(summary)
    predictive = pl.read_parquet(out / "predictive.parquet")
    intervals = predictive_intervals(predictive, data)
    intervals.write_csv(out / "predictive_intervals.csv")
    with pl.Config(tbl_rows=20, tbl_cols=20):
        print(intervals)
    slopes = predictive_slopes(predictive)
    low, median, high = (float(np.quantile(slopes, q)) for q in (0.025, 0.5, 0.975))
    observed = kline_boyd_fits(data)["population"]["log_population"][0]
    inside = int(intervals["inside"].sum())
    verdict = {"predictive_slope": median, "predictive_slope_low": low,
               "predictive_slope_high": high, "observed_slope": observed,
               "slope_covered": bool(low <= observed <= high), "inside_90": inside,
               "societies": intervals.height}
    (out / "kline_boyd_summary.json").write_text(json.dumps(verdict, indent=2) + "\n")
    print(f"posterior predictive: slope {median:.3f} (95 % {low:.3f} to {high:.3f}; observed "
          f"{observed:.3f}); {inside} of {intervals.height} societies inside the 90 % interval")
    predictive_figure(intervals, args.figure)
    print(f"figure: {args.figure}")
    return 0

"""Figures: seed ribbons, onset-aligned ribbons, phase diagrams, a phase portrait, parity.

The data each figure draws is prepared by a pure function (``*_data``) that tests check; the plot
functions take ``ax=None`` and return the Figure (STYLE.md). Ribbons are the median and the
interquartile band across the runs (seeds) of a group at each time. Unbounded metrics
(``material.LOG_METRICS``: tool complexity, 3 to 50,000) are drawn on a log axis (symmetric log,
linear below 1, so the zero of generation 0 stays on the axis).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import polars as pl
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.conditions import condition_label
from analysis.material import LOG_METRICS

MAX_GROUPS = 8
YEARS_PER_GENERATION = 25.0  # the default for the kyr axis: our assumption, 25 to 30 is usual
#: Units of the axes (the measure's own, ``evo.measures``): shares, counts and levels.
UNITS = {"tool_complexity": "components", "tool_types": "tool types", "expressivity": "meanings",
         "population": "individuals", "lexicon_size": "words", "camps_occupied": "camps"}
SHARES = ("mirror_mean", "mirror_effective_mean", "mirror_learned_mean", "gesture_success",
          "lexicon_coherence", "assoc_mean", "social_learner_frequency")
MAX_LEVELS = 8  # a heat-map axis with more distinct values is binned
N_BINS = 5


def group_labels(runs: pl.DataFrame, keys: list[str], max_groups: int = MAX_GROUPS) -> pl.DataFrame:
    """``run_id`` -> ``group``: the condition, or only the scenario when conditions are too many."""
    use = keys
    if runs.select(keys).unique().height > max_groups:
        use = ["scenario"]
    labels = [condition_label(row, use) for row in runs.select(use).to_dicts()]
    return pl.DataFrame({"run_id": runs["run_id"], "group": labels},
                        schema={"run_id": pl.Int64, "group": pl.String})


def _ribbons(table: pl.DataFrame, value: str) -> pl.DataFrame:
    return (table.drop_nulls(value).filter(pl.col(value).is_finite())
            .group_by(["group", "time"])
            .agg(pl.col(value).quantile(0.25, "linear").alias("q25"),
                 pl.col(value).median().alias("median"),
                 pl.col(value).quantile(0.75, "linear").alias("q75"),
                 pl.len().alias("n"))
            .sort(["group", "time"]))


def ribbon_data(generations: pl.DataFrame, groups: pl.DataFrame, metric: str) -> pl.DataFrame:
    """Per group and time: q25, median, q75 and n of ``metric`` across runs."""
    table = generations.select("run_id", "time", metric).join(groups, on="run_id",
                                                              nulls_equal=True)
    return _ribbons(table, metric)


def aligned_data(
    generations: pl.DataFrame, groups: pl.DataFrame, bursts: pl.DataFrame, metric: str,
    align_on: str,
) -> pl.DataFrame:
    """Like ``ribbon_data`` with time measured from each run's take-off onset in ``align_on``.

    The take-off onset is the burst onset for runs with a burst. Runs without a burst or take-off
    in ``align_on`` are left out.
    """
    onsets = (bursts.filter((pl.col("metric") == align_on) & pl.col("takeoff"))
              .select("run_id", pl.col("takeoff_onset").alias("onset")))
    table = (generations.select("run_id", "time", metric)
             .join(onsets, on="run_id", nulls_equal=True)
             .join(groups, on="run_id", nulls_equal=True)
             .with_columns((pl.col("time") - pl.col("onset")).alias("time")))
    return _ribbons(table, metric)


def _range_labels(v: np.ndarray, idx: np.ndarray, n: int) -> list[str]:
    """'lo–hi' of the values in each bin, with enough digits to tell the bins apart."""
    for digits in range(3, 10):
        labels = []
        for i in range(n):
            lo, hi = float(v[idx == i].min()), float(v[idx == i].max())
            labels.append(f"{lo:.{digits}g}" if lo == hi else f"{lo:.{digits}g}–{hi:.{digits}g}")
        if len(set(labels)) == n:
            break
    return labels


def bin_levels(
    values: pl.Series, max_levels: int = MAX_LEVELS, n_bins: int = N_BINS
) -> tuple[pl.Series, list[object]]:
    """A heat-map axis: (level of each value, the levels in order).

    With at most ``max_levels`` distinct values (a grid) the levels are the values. With more (a
    Latin hypercube or Sobol design: nearly every value unique) a cell per value would hold one
    run, so numeric values are cut into ``n_bins`` quantile bins, labelled by the range of the
    values in each ('0.012–0.034').
    """
    levels = sorted(values.unique().to_list())
    if len(levels) <= max_levels or not values.dtype.is_numeric():
        return values, levels
    v = values.cast(pl.Float64).to_numpy()
    edges = np.unique(np.quantile(v, np.linspace(0.0, 1.0, n_bins + 1)))
    idx = np.searchsorted(edges[1:-1], v, side="right")
    used = np.unique(idx)
    idx = np.searchsorted(used, idx)  # drop empty bins
    labels = _range_labels(v, idx, used.size)
    return pl.Series(values.name, [labels[i] for i in idx], pl.String), list(labels)


def cell_counts(
    conditions: pl.DataFrame, x: str, y: str, metric: str, scenario: str, event: str = "burst"
) -> tuple[list[object], list[object], np.ndarray, np.ndarray]:
    """Runs with the ``event`` (burst or takeoff) and runs judged, over two parameters.

    Runs are pooled over any other varied parameter; a parameter with more than ``MAX_LEVELS``
    values is binned (``bin_levels``) and the runs of a bin pooled. Returns (x levels, y levels,
    K[i_y, i_x], N[i_y, i_x]); N counts the runs long enough to judge.
    """
    part = conditions.filter((pl.col("metric") == metric) & (pl.col("scenario") == scenario))
    xv, xs = bin_levels(part[x])
    yv, ys = bin_levels(part[y])
    part = part.select(xv.alias(x), yv.alias(y), pl.col(f"n_{event}").alias("k"), "n_runs")
    cells = part.group_by([x, y]).agg(pl.col("k").sum(), pl.col("n_runs").sum())
    k = np.zeros((len(ys), len(xs)), np.int64)
    n = np.zeros((len(ys), len(xs)), np.int64)
    for row in cells.iter_rows(named=True):
        k[ys.index(row[y]), xs.index(row[x])] = row["k"]
        n[ys.index(row[y]), xs.index(row[x])] = row["n_runs"]
    return xs, ys, k, n


def heatmap_data(
    conditions: pl.DataFrame, x: str, y: str, metric: str, scenario: str, event: str = "burst"
) -> tuple[list[object], list[object], np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Burst (or take-off) probability over two parameters (``cell_counts`` as k / n).

    Returns (x levels, y levels, matrix P[i_y, i_x], (K, N)); P is nan where a cell has no runs
    long enough to judge (every run too short: ``n_runs`` 0).
    """
    xs, ys, k, n = cell_counts(conditions, x, y, metric, scenario, event)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n > 0, k / np.maximum(n, 1), np.nan)
    return xs, ys, p, (k, n)


def phase_data(
    generations: pl.DataFrame, groups: pl.DataFrame, x: str, y: str
) -> pl.DataFrame:
    """Per group and time: the median of ``x`` and of ``y`` across runs (a median trajectory)."""
    return (generations.select("run_id", "time", x, y).join(groups, on="run_id",
                                                            nulls_equal=True)
            .group_by(["group", "time"]).agg(pl.col(x).median(), pl.col(y).median())
            .sort(["group", "time"]))


def _axes(ax: Axes | None, size: tuple[float, float] = (6.0, 4.0)) -> tuple[Figure, Axes]:
    if ax is None:
        fig, ax = plt.subplots(figsize=size, layout="constrained")
        return fig, ax
    return ax.figure, ax  # type: ignore[return-value]


def log_axis(ax: Axes, metric: str, axis: str = "y") -> None:
    """Put an unbounded metric (``LOG_METRICS``) on a symmetric-log axis (linear below 1).

    The metrics are counts (never negative), so the axis starts at 0; call it after plotting.
    """
    if metric not in LOG_METRICS:
        return
    if axis == "y":
        ax.set_yscale("symlog", linthresh=1.0)
        ax.set_ylim(bottom=0)
    else:
        ax.set_xscale("symlog", linthresh=1.0)
        ax.set_xlim(left=0)


def axis_label(metric: str) -> str:
    """The metric with its unit, e.g. 'tool_complexity (components, log axis)'."""
    unit = "share, 0 to 1" if metric in SHARES else UNITS.get(metric)
    log = metric in LOG_METRICS
    inside = ", ".join(x for x in (unit, "log axis" if log else None) if x)
    return f"{metric} ({inside})" if inside else metric


def legend_outside(ax: Axes) -> None:
    """The legend to the right of the axes, off the data."""
    ax.legend(fontsize="small", frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0),
              borderaxespad=0.0)


def kyr_axis(ax: Axes, years_per_generation: float = YEARS_PER_GENERATION) -> None:
    """A second time axis on top: thousands of years at ``years_per_generation`` a generation."""
    k = years_per_generation / 1000.0
    top = ax.secondary_xaxis("top", functions=(lambda g: g * k, lambda y: y / k))
    top.set_xlabel(f"thousand years (kyr, at {years_per_generation:g} years a generation)")


def _colour(name: str, order: list[str] | None, i: int) -> str:
    return f"C{(order.index(name) if order and name in order else i) % 10}"


def plot_ribbons(
    data: pl.DataFrame, ylabel: str, xlabel: str = "generation", ax: Axes | None = None,
    order: list[str] | None = None, legend: bool = True, show_n: bool = False,
) -> Figure:
    """Median line and interquartile band per group (data from ``ribbon_data``).

    ``ylabel`` is the metric (drawn with its unit); ``order`` (all group names) keeps each group's
    colour the same across figures; ``legend`` draws the legend to the right of the axes;
    ``show_n`` adds each group's number of runs to its label (the most at any time).
    """
    fig, ax = _axes(ax)
    for i, (name, part) in enumerate(data.group_by("group", maintain_order=True)):
        colour = _colour(str(name[0]), order, i)
        t = part["time"].to_numpy()
        ax.fill_between(t, part["q25"].to_numpy(), part["q75"].to_numpy(), color=colour,
                        alpha=0.25, linewidth=0)
        label = f"{name[0]} (n={int(part['n'].max())})" if show_n else str(name[0])
        ax.plot(t, part["median"].to_numpy(), color=colour, label=label, linewidth=1.2)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(axis_label(ylabel), fontsize="small")
    log_axis(ax, ylabel)
    if data.height and legend:
        legend_outside(ax)
    return fig


def plot_heatmap(
    xs: list[object], ys: list[object], p: np.ndarray, xlabel: str, ylabel: str, title: str = "",
    ax: Axes | None = None, counts: tuple[np.ndarray, np.ndarray] | None = None,
    label: str = "burst probability", colorbar: bool = True,
) -> Figure:
    """Probability per cell (data from ``heatmap_data``), values written in the cells.

    With ``counts`` = (K, N) each cell also shows k/n, so its uncertainty can be read at a glance.
    """
    fig, ax = _axes(ax, (5.0, 4.0))
    image = ax.imshow(p, origin="lower", vmin=0, vmax=1, cmap="viridis", aspect="auto")
    xticks = [str(v) for v in xs]
    long = any(len(t) > 6 for t in xticks)
    ax.set_xticks(range(len(xs)), xticks, rotation=30 if long else 0,
                  ha="right" if long else "center")
    ax.set_yticks(range(len(ys)), [str(v) for v in ys])
    for (i, j), v in np.ndenumerate(p):
        if np.isfinite(v):
            cell = f"{v:.2f}" if counts is None else f"{v:.2f}\n{counts[0][i, j]}/{counts[1][i, j]}"
            ax.text(j, i, cell, ha="center", va="center",
                    color="white" if v < 0.6 else "black", fontsize="small")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize="medium")
    if colorbar:
        fig.colorbar(image, ax=ax, label=label)
    return fig


def plot_phase_diagram(
    conditions: pl.DataFrame, x: str, y: str, metric: str, scenarios: list[str]
) -> Figure:
    """Per account (a column per scenario), burst and take-off probability over ``x`` and ``y``.

    Each cell shows p and k/n (runs with the event / runs judged); colour is p on one scale.
    """
    fig, axes = plt.subplots(2, len(scenarios), figsize=(3.4 * len(scenarios) + 1.2, 6.4),
                             layout="constrained", squeeze=False)
    for col, name in enumerate(scenarios):
        for row, (event, word) in enumerate((("burst", "burst"), ("takeoff", "take-off"))):
            xs, ys, p, counts = heatmap_data(conditions, x, y, metric, name, event)
            plot_heatmap(xs, ys, p, x, y if col == 0 else "", f"{name}: {word}",
                         ax=axes[row, col], counts=counts, colorbar=False)
    image = axes[0, 0].images[0]
    fig.colorbar(image, ax=axes, label=f"probability ({metric}; cells: p and k/n runs)",
                 shrink=0.8)
    return fig


def plot_parity(data: pl.DataFrame, x: str, metrics: list[str], by: list[str]) -> Figure:
    """Mean final level against ``x`` with 95 % intervals across seeds, a line per ``by`` value.

    ``data`` is ``outcomes.parity_table``; one panel per metric.
    """
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.8 * len(metrics), 3.8),
                             layout="constrained", squeeze=False)
    lines = data.select(by).unique(maintain_order=True).to_dicts() if by else [{}]
    for ax, metric in zip(axes[0], metrics, strict=True):
        for i, line in enumerate(lines):
            part = data.filter(pl.col("metric") == metric)
            for k, v in line.items():
                part = part.filter(pl.col(k) == v)
            part = part.sort(x)
            xv, mean = part[x].cast(pl.Float64).to_numpy(), part["mean"].to_numpy()
            label = ", ".join(f"{k}={v}" if k != "scenario" else str(v) for k, v in line.items())
            ax.fill_between(xv, part["lo"].to_numpy(), part["hi"].to_numpy(), color=f"C{i % 10}",
                            alpha=0.2, linewidth=0)
            ax.plot(xv, mean, "o-", color=f"C{i % 10}", markersize=3, label=label or None)
        ax.set_xlabel(f"{x} (fixed mirror strength, share 0 to 1)" if x == "mirror_initial"
                      else axis_label(x))
        if x == "population":
            ax.set_xscale("log")
        ax.set_ylabel(f"final {axis_label(metric)}")
        log_axis(ax, metric)
        if by:
            legend_outside(ax)
    return fig


def plot_phase(
    data: pl.DataFrame, x: str, y: str, ax: Axes | None = None, order: list[str] | None = None
) -> Figure:
    """Median trajectories in the (x, y) plane, a dot at the start and an arrow at the end."""
    fig, ax = _axes(ax, (5.0, 4.0))
    for i, (name, part) in enumerate(data.group_by("group", maintain_order=True)):
        xv, yv = part[x].to_numpy(), part[y].to_numpy()
        colour = _colour(str(name[0]), order, i)
        ax.plot(xv, yv, color=colour, label=str(name[0]), linewidth=1.0)
        if xv.size:
            ax.plot(xv[0], yv[0], "o", color=colour, markersize=4)
        if xv.size > 1:
            ax.annotate("", xy=(xv[-1], yv[-1]), xytext=(xv[-2], yv[-2]),
                        arrowprops={"arrowstyle": "->", "color": colour})
    ax.set_xlabel(axis_label(x))
    ax.set_ylabel(axis_label(y))
    log_axis(ax, x, "x")
    log_axis(ax, y)
    if data.height:
        legend_outside(ax)
    return fig


def _varied_within_scenario(part: pl.DataFrame, keys: list[str]) -> dict[object, list[str]]:
    """Per scenario, ``scenario`` and the keys its own conditions vary.

    Per-scenario designs fill the other keys with the scenario's fixed value: a label need not
    repeat them.
    """
    if "scenario" not in keys:
        return {}
    return {name: ["scenario", *(k for k in keys if k != "scenario" and rows[k].n_unique() > 1)]
            for (name,), rows in part.group_by(["scenario"], maintain_order=True)}


def plot_burst_probability(
    conditions: pl.DataFrame, metric: str, keys: list[str], ax: Axes | None = None
) -> Figure:
    """Burst probability per condition with its Wilson 95 % interval."""
    part = conditions.filter(pl.col("metric") == metric)
    fig, ax = _axes(ax, (6.0, max(2.0, 0.3 * part.height + 1)))
    own = _varied_within_scenario(part, keys)
    labels = [condition_label(r, own.get(r.get("scenario"), keys))
              for r in part.select(keys).to_dicts()]
    p = part["p_burst"].to_numpy()
    err = np.clip(np.vstack([p - part["p_lo"].to_numpy(), part["p_hi"].to_numpy() - p]), 0, None)
    pos = np.arange(part.height)
    ax.errorbar(p, pos, xerr=err, fmt="o", color="C0", capsize=3)
    ax.set_yticks(pos, labels, fontsize="small")
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel(f"burst probability ({metric}, 95 % Wilson CI)")
    ax.invert_yaxis()
    return fig


def save_figure(fig: Figure, folder: Path, stem: str) -> Path:
    """Write ``stem``.png and .svg into ``folder``, close the figure, return the PNG path."""
    png = folder / f"{stem}.png"
    fig.savefig(png, dpi=110)
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text as text: smaller and faster
        fig.savefig(folder / f"{stem}.svg")
    plt.close(fig)
    return png

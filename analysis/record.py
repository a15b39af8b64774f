"""The record through time: what each region holds when, drawn as an archaeologist reads it.

- ``battleship_data`` / ``plot_battleship``: per tool type, the share of occupied regions holding
  it over time, drawn as a battleship curve (a band whose width is that share, the seriation
  chart of archaeology; Ford 1962), time in kyr before present and in generations.
- ``map_data`` / ``plot_map``: small multiples of the grid of regions at a few times, each
  region coloured by the tool types it holds, empty regions hatched.
- ``observed_record`` and ``confrontation``: the industries' durations and the components' spread
  of first appearances (``data/msa_record.csv``, our transcription with its sources) beside the
  flicker signatures of each account, with their 95 % intervals.
Time: age in ka = ``start_ka`` - generation * years / 1000, where ``start_ka`` is the run's
``climate_start_ka`` (the sweep's resolved scenarios record it).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import polars as pl
from matplotlib.figure import Figure

RECORD = Path(__file__).resolve().parents[1] / "data" / "msa_record.csv"
MAP_PANELS = 6
#: (signature of analysis.signatures.flicker, observed quantity of ``observed_record``)
CONFRONTED = (("presence_kyr_25", "Still Bay duration (kyr)"),
              ("presence_longest_kyr_25", "Howiesons Poort duration (kyr)"),
              ("first_appearance_spread_kyr_25", "spread of first appearances (kyr)"))


def age_ka(generation: np.ndarray | pl.Series, start_ka: float, years: float) -> np.ndarray:
    """Age in thousands of years before present of each generation."""
    return start_ka - np.asarray(generation, float) * years / 1000.0


def battleship_data(presence: pl.DataFrame, by_run: bool = False) -> pl.DataFrame:
    """Per generation and lineage (and run): ``share`` of the occupied regions holding the type."""
    keys = ["run_id", "generation", "lineage"] if by_run else ["generation", "lineage"]
    occupied = presence.filter(pl.col("skill_best").is_not_null())
    return (occupied.group_by(keys)
            .agg(pl.col("held").mean().alias("share"), pl.len().alias("regions"))
            .sort([*keys[:-2], "lineage", "generation"]))


def plot_battleship(data: pl.DataFrame, start_ka: float, years: float,
                    title: str = "") -> Figure:
    """One band per tool type, its width the share of regions holding it (``battleship_data``)."""
    lineages = sorted(data["lineage"].unique().to_list())
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(lineages) + 1.6), layout="constrained")
    for row, k in enumerate(lineages):
        part = data.filter(pl.col("lineage") == k)
        t = age_ka(part["generation"], start_ka, years)
        half = 0.45 * part["share"].to_numpy()
        ax.fill_between(t, row - half, row + half, color="C0", linewidth=0, step="mid")
    ax.set_yticks(range(len(lineages)), [f"type {k}" for k in lineages], fontsize="small")
    ax.set_xlabel("thousand years before present (ka)")
    ax.invert_xaxis()
    k = years / 1000.0
    top = ax.secondary_xaxis("top", functions=(lambda a: (start_ka - a) / k,
                                               lambda g: start_ka - g * k))
    top.set_xlabel(f"generation (at {years:g} years)")
    ax.set_ylabel("tool type (0 the easiest to copy)")
    ax.set_title(title or "band width: share of occupied regions holding the type", fontsize="medium")
    return fig


def map_data(camps: pl.DataFrame, panels: int = MAP_PANELS) -> pl.DataFrame:
    """The camps' rows at ``panels`` times spread evenly over the run (generation 0 left out)."""
    times = np.array(sorted(camps.filter(pl.col("generation") > 0)["generation"].unique()))
    if times.size == 0:
        return camps.head(0)
    picks = times[np.unique(np.linspace(0, times.size - 1, panels).round().astype(int))]
    return camps.filter(pl.col("generation").is_in(picks.tolist())).sort("generation", "camp")


def plot_map(data: pl.DataFrame, start_ka: float, years: float) -> Figure:
    """Small multiples: each region coloured by tool types held, empty ones hatched."""
    times = data["generation"].unique().sort().to_list()
    nx, ny = int(data["x"].max()) + 1, int(data["y"].max()) + 1
    top = max(1, int(data["tool_types"].max() or 1))
    fig, axes = plt.subplots(1, len(times), figsize=(2.1 * len(times) + 1, 2.6),
                             layout="constrained", squeeze=False)
    image = None
    for ax, g in zip(axes[0], times, strict=True):
        part = data.filter(pl.col("generation") == g)
        grid = np.full((ny, nx), np.nan)
        for x, y, n, pop in part.select("x", "y", "tool_types", "population").iter_rows():
            grid[y, x] = np.nan if pop == 0 else n
        image = ax.imshow(grid, vmin=0, vmax=top, cmap="viridis", origin="lower")
        for x, y, pop in part.select("x", "y", "population").iter_rows():
            if pop == 0:
                ax.add_patch(plt.Rectangle((x - 0.5, y - 0.5), 1, 1, fill=False, hatch="///",
                                           edgecolor="grey", linewidth=0))
        ax.set_title(f"{age_ka(np.array([g]), start_ka, years)[0]:.0f} ka\n(generation {g})",
                     fontsize="small")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(image, ax=axes[0].tolist(), label="tool types held", shrink=0.8)
    return fig


def observed_record(path: Path | None = None) -> dict[str, float]:
    """The observed quantities ``CONFRONTED`` names, from the industries' and components' rows."""
    table = pl.read_csv(path or RECORD)
    industries = table.filter(pl.col("kind") == "industry")
    duration = {name: float(d) for name, d in industries.select("name", "duration_kyr").iter_rows()}
    first = table.filter(pl.col("kind") == "component")["first_ka"]
    return {"Still Bay duration (kyr)": duration["Still Bay"],
            "Howiesons Poort duration (kyr)": duration["Howiesons Poort"],
            "spread of first appearances (kyr)": float(first.max() - first.min())}


def confrontation(signatures: pl.DataFrame, observed: dict[str, float]) -> pl.DataFrame:
    """Per account and observed quantity: the model's median and 95 % interval beside the record.

    ``within``: the observed value lies inside the model's interval of medians; ``ratio``: model
    median over the observed value.
    """
    rows = []
    pooled = signatures.filter(pl.col("scenario").is_null())
    for signature, quantity in CONFRONTED:
        for account, value, low, high, n in pooled.filter(pl.col("signature") == signature).select(
                "account", "value", "low", "high", "n").iter_rows():
            seen = observed[quantity]
            rows.append({"quantity": quantity, "observed": seen, "account": account,
                         "signature": signature, "model": value, "low": low, "high": high, "n": n,
                         "within": bool(low is not None and high is not None
                                        and low <= seen <= high),
                         "ratio": None if value is None or seen == 0 else value / seen})
    schema = {"quantity": pl.String, "observed": pl.Float64, "account": pl.String,
              "signature": pl.String, "model": pl.Float64, "low": pl.Float64, "high": pl.Float64,
              "n": pl.Int64, "within": pl.Boolean, "ratio": pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row")

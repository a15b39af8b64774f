"""The data behind each figure, checked on small inputs; figure functions draw on a given axis."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import polars as pl
import pytest
from matplotlib.figure import Figure

from analysis import plots


@pytest.fixture
def gens() -> pl.DataFrame:
    # 4 runs, 3 times; value = run_id * 10 + time, mirror = time / 10.
    rows = [{"run_id": r, "time": float(tt), "tool_complexity": r * 10.0 + tt,
             "mirror_mean": tt / 10} for r in range(4) for tt in range(3)]
    return pl.DataFrame(rows)


@pytest.fixture
def runs() -> pl.DataFrame:
    return pl.DataFrame({"run_id": [0, 1, 2, 3], "scenario": ["a", "a", "a", "b"],
                         "population": [100, 100, 300, 100]})


def test_group_labels(runs: pl.DataFrame) -> None:
    g = plots.group_labels(runs, ["scenario", "population"])
    assert g["group"].to_list() == ["a, population=100", "a, population=100",
                                    "a, population=300", "b, population=100"]
    assert plots.group_labels(runs, ["scenario", "population"], max_groups=2)["group"].to_list() \
        == ["a", "a", "a", "b"]


def test_ribbon_data_quantiles(gens: pl.DataFrame, runs: pl.DataFrame) -> None:
    groups = plots.group_labels(runs, ["scenario"])
    data = plots.ribbon_data(gens, groups, "tool_complexity")
    a0 = data.filter((pl.col("group") == "a") & (pl.col("time") == 0)).row(0, named=True)
    assert (a0["q25"], a0["median"], a0["q75"], a0["n"]) == (5.0, 10.0, 15.0, 3)
    b2 = data.filter((pl.col("group") == "b") & (pl.col("time") == 2)).row(0, named=True)
    assert b2["median"] == 32.0 and b2["n"] == 1


def test_aligned_data_shifts_time_to_onset(gens: pl.DataFrame, runs: pl.DataFrame) -> None:
    groups = plots.group_labels(runs, ["scenario"])
    bursts = pl.DataFrame({"run_id": [0, 1, 3], "metric": ["tool_complexity"] * 3,
                           "takeoff": [True, False, True], "takeoff_onset": [1.0, None, 2.0]})
    data = plots.aligned_data(gens, groups, bursts, "tool_complexity", "tool_complexity")
    assert sorted(data.filter(pl.col("group") == "a")["time"].to_list()) == [-1.0, 0.0, 1.0]
    assert sorted(data.filter(pl.col("group") == "b")["time"].to_list()) == [-2.0, -1.0, 0.0]
    assert data.filter(pl.col("group") == "a")["n"].max() == 1  # run 1 has no burst


def test_heatmap_data_pools_other_parameters() -> None:
    cond = pl.DataFrame({"scenario": ["s"] * 6, "metric": ["m"] * 6,
                         "x": [1, 1, 2, 2, 1, 1], "y": [10, 20, 10, 20, 10, 10],
                         "z": [0, 0, 0, 0, 1, 2], "n_burst": [1, 2, 3, 4, 3, 0],
                         "n_runs": [4, 4, 4, 4, 4, 4]})
    xs, ys, p, (k, n) = plots.heatmap_data(cond, "x", "y", "m", "s")
    assert xs == [1, 2] and ys == [10, 20]
    np.testing.assert_allclose(p, [[4 / 12, 3 / 4], [2 / 4, 4 / 4]])
    assert k.tolist() == [[4, 3], [2, 4]] and n.tolist() == [[12, 4], [4, 4]]
    # the phase diagram writes these cells (one implementation of p and k/n)
    cond = cond.with_columns(pl.col("n_burst").alias("n_takeoff"))
    fig = plots.plot_phase_diagram(cond, "x", "y", "m", ["s"])
    cells = sorted(t.get_text() for t in fig.axes[0].texts)
    assert cells == sorted(f"{v:.2f}\n{a}/{b}" for v, a, b in zip(p.ravel(), k.ravel(),
                                                                    n.ravel(), strict=True))
    plt.close(fig)
    _, _, empty, _ = plots.heatmap_data(cond, "x", "y", "m", "other")
    assert empty.size == 0


def test_phase_data_medians(gens: pl.DataFrame, runs: pl.DataFrame) -> None:
    groups = plots.group_labels(runs, ["scenario"])
    data = plots.phase_data(gens, groups, "mirror_mean", "tool_complexity")
    row = data.filter((pl.col("group") == "a") & (pl.col("time") == 1)).row(0, named=True)
    assert row["mirror_mean"] == 0.1 and row["tool_complexity"] == 11.0


def test_figures_accept_an_axis_and_return_its_figure(gens: pl.DataFrame,
                                                      runs: pl.DataFrame) -> None:
    groups = plots.group_labels(runs, ["scenario"])
    fig, ax = plt.subplots()
    out = plots.plot_ribbons(plots.ribbon_data(gens, groups, "tool_complexity"), "tc", ax=ax)
    assert out is fig and len(ax.lines) == 2
    plt.close(fig)
    assert isinstance(plots.plot_phase(plots.phase_data(gens, groups, "mirror_mean",
                                                        "tool_complexity"),
                                       "mirror_mean", "tool_complexity"), Figure)
    fig = plots.plot_heatmap([1, 2], [3], np.array([[0.2, np.nan]]), "x", "y")
    assert isinstance(fig, Figure)
    plt.close("all")


def test_heatmap_data_cell_without_judged_runs_is_nan() -> None:
    cond = pl.DataFrame({"scenario": ["s"] * 2, "metric": ["m"] * 2, "x": [1, 2], "y": [10, 10],
                         "n_burst": [0, 1], "n_runs": [0, 2]})
    _, _, p, _ = plots.heatmap_data(cond, "x", "y", "m", "s")
    assert np.isnan(p[0, 0]) and p[0, 1] == 0.5


def test_heatmap_bins_a_parameter_with_many_levels() -> None:
    # An LHS-like design: 40 conditions, x unique floats 0.00..0.39, y on a 2-level grid.
    x = np.arange(40) / 100
    cond = pl.DataFrame({"scenario": ["s"] * 40, "metric": ["m"] * 40, "x": x,
                         "y": np.tile([1, 2], 20), "n_burst": (x >= 0.2).astype(int) * 2,
                         "n_runs": np.full(40, 2)})
    xs, ys, p, _ = plots.heatmap_data(cond, "x", "y", "m", "s")
    assert ys == [1, 2]
    assert xs == ["0–0.07", "0.08–0.15", "0.16–0.23", "0.24–0.31", "0.32–0.39"]
    # bin 0.16-0.23: 8 conditions, 4 per y level, of which 0.20..0.23 (2 per y level) burst.
    np.testing.assert_allclose(p, [[0, 0, 0.5, 1, 1], [0, 0, 0.5, 1, 1]])
    values, levels = plots.bin_levels(pl.Series("x", x))
    assert levels == xs and values.value_counts()["count"].to_list() == [8] * 5
    few, grid = plots.bin_levels(pl.Series("z", [0.1, 0.2, 0.1]))
    assert grid == [0.1, 0.2] and few.to_list() == [0.1, 0.2, 0.1]


def test_burst_probability_labels_name_only_what_each_scenario_varies():
    from analysis.plots import _varied_within_scenario

    part = pl.DataFrame({"scenario": ["x", "x", "y"], "a": [1, 2, 5], "b": [7, 7, 3]})
    assert _varied_within_scenario(part, ["scenario", "a", "b"]) == {
        "x": ["scenario", "a"], "y": ["scenario"]}
    assert _varied_within_scenario(part, ["a"]) == {}


def test_axes_carry_units_time_in_kyr_and_legends_off_the_data() -> None:
    assert plots.axis_label("tool_complexity") == "tool_complexity (components, log axis)"
    assert plots.axis_label("gesture_success") == "gesture_success (share, 0 to 1)"
    assert plots.axis_label("expressivity") == "expressivity (meanings)"
    data = pl.DataFrame({"group": ["a"] * 3 + ["b"] * 3, "time": [0.0, 1000, 2000] * 2,
                         "q25": [1.0] * 6, "median": [2.0] * 6, "q75": [3.0] * 6,
                         "n": [4, 5, 5, 2, 2, 1]})
    fig = plots.plot_ribbons(data, "expressivity", show_n=True)
    ax = fig.axes[0]
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["a (n=5)", "b (n=2)"]
    fig.canvas.draw()
    box, frame = legend.get_window_extent(), ax.get_window_extent()
    assert box.x0 >= frame.x1  # to the right of the axes, off the data
    plots.kyr_axis(ax, 25.0)
    fig.canvas.draw()
    top = next(child for child in ax.child_axes)
    assert "kyr, at 25 years a generation" in top.get_xlabel()
    assert top.get_xlim() == pytest.approx((ax.get_xlim()[0] * 0.025, ax.get_xlim()[1] * 0.025))
    plt.close(fig)

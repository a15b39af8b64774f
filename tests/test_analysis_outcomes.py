"""Per-run final levels, seed means with t intervals, the parity table and the phase-diagram cells."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy import stats

from analysis import plots
from analysis.outcomes import final_levels, mean_ci, parity_table


def test_final_level_is_the_mean_of_the_last_tenth() -> None:
    gens = pl.DataFrame({"run_id": [0] * 20 + [1] * 5, "time": [*range(20), *range(5)],
                         "m": [*map(float, range(20)), 1.0, 2.0, 3.0, 4.0, float("nan")]})
    out = final_levels(gens, ["m", "absent"]).sort("run_id")
    assert out.columns == ["run_id", "m_final"]
    # run 0: last 2 of 20 rows (18, 19); run 1: at least one row, the last (nan) dropped -> null
    assert out["m_final"].to_list() == [18.5, None]


def test_mean_ci_is_the_student_t_interval() -> None:
    x = np.array([0.1, 0.4, 0.3, 0.6])
    mean, lo, hi = mean_ci(x)
    ref = stats.t.interval(0.95, 3, loc=x.mean(), scale=stats.sem(x))
    assert mean == pytest.approx(0.35) and (lo, hi) == pytest.approx(ref)
    assert np.isnan(mean_ci([1.0])[1]) and np.isnan(mean_ci([])[0])


def test_parity_table_one_line_per_other_parameter() -> None:
    runs = pl.DataFrame({"run_id": range(8), "scenario": ["s"] * 8,
                         "mirror_initial": [0.0, 0.0, 1.0, 1.0] * 2,
                         "rule": ["new"] * 4 + ["confuse"] * 4})
    finals = pl.DataFrame({"run_id": range(8),
                           "gesture_success_final": [0.0, 0.02, 0.5, 0.7, 0.0, 0.0, 0.8, 0.8]})
    table = parity_table(runs, finals, "mirror_initial", ["gesture_success"], ["rule"])
    assert table.height == 4 and set(table["rule"]) == {"new", "confuse"}
    row = table.filter((pl.col("rule") == "new") & (pl.col("mirror_initial") == 1.0)).row(
        0, named=True)
    assert row["n"] == 2 and row["mean"] == pytest.approx(0.6) and row["lo"] < 0.6 < row["hi"]
    fig = plots.plot_parity(table, "mirror_initial", ["gesture_success"], ["rule"])
    assert len(fig.axes[0].lines) == 2
    plots.plt.close(fig)


def test_parity_bounds_clip_shares_to_one_but_not_counts() -> None:
    # seeds at 0.5 and 1.0: the t interval runs from -2.7 to 4.2 before clipping
    runs = pl.DataFrame({"run_id": range(2), "scenario": ["s"] * 2, "mirror_initial": [1.0] * 2})
    finals = pl.DataFrame({"run_id": range(2), "gesture_success_final": [0.5, 1.0],
                           "mirror_mean_final": [0.5, 1.0], "expressivity_final": [0.5, 1.0],
                           "tool_complexity_final": [0.5, 1.0]})
    metrics = ["gesture_success", "mirror_mean", "expressivity", "tool_complexity"]
    table = parity_table(runs, finals, "mirror_initial", metrics, [])
    bounds = {r["metric"]: (r["lo"], r["hi"]) for r in table.iter_rows(named=True)}
    _, _, hi = mean_ci([0.5, 1.0])
    assert hi > 1.0
    assert bounds["gesture_success"] == (0.0, 1.0) and bounds["mirror_mean"] == (0.0, 1.0)
    assert bounds["expressivity"] == (0.0, pytest.approx(hi))
    assert bounds["tool_complexity"] == (0.0, pytest.approx(hi))


def test_phase_diagram_cells_count_bursts_and_takeoffs() -> None:
    cond = pl.DataFrame({"scenario": ["s"] * 4, "metric": ["m"] * 4, "x": [1, 1, 2, 2],
                         "y": [5, 6, 5, 6], "n_burst": [0, 1, 2, 3], "n_takeoff": [1, 2, 3, 3],
                         "n_runs": [3, 3, 3, 3]})
    xs, ys, k, n = plots.cell_counts(cond, "x", "y", "m", "s", "takeoff")
    assert xs == [1, 2] and ys == [5, 6]
    assert k.tolist() == [[1, 3], [2, 3]] and n.tolist() == [[3, 3], [3, 3]]
    fig = plots.plot_phase_diagram(cond, "x", "y", "m", ["s"])
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "0.33\n1/3" in texts and "1.00\n3/3" in texts
    plots.plt.close(fig)


def test_unbounded_metrics_get_a_log_axis() -> None:
    fig, ax = plots.plt.subplots()
    plots.log_axis(ax, "tool_complexity")
    assert ax.get_yscale() == "symlog"
    plots.log_axis(ax, "gesture_success", "x")
    assert ax.get_xscale() == "linear"
    plots.plt.close(fig)

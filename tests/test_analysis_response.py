"""End values against a varied factor: the table, the halving threshold and the figure."""

from __future__ import annotations

import numpy as np
import polars as pl

from analysis.outcomes import final_levels
from analysis.response import (
    response_figure,
    response_table,
    thresholds,
    varied_numeric_factor,
)


def sweep(costs=(0.01, 0.1, 1.0), seeds=3):
    runs, gens = [], []
    run_id = 0
    for scenario, slope in (("a", 1.0), ("b", 0.0)):
        for cost in costs:
            for _ in range(seeds):
                end = 0.9 / (1 + slope * 10 * cost)  # a falls with cost, b does not
                runs.append({"run_id": run_id, "scenario": scenario, "mirror_cost": cost})
                gens += [{"run_id": run_id, "time": g, "population": 100,
                          "mirror_mean": end * g / 99} for g in range(100)]
                run_id += 1
    return pl.DataFrame(runs), pl.DataFrame(gens)


def test_a_single_numeric_factor_over_three_levels_is_found():
    runs, _ = sweep()
    assert varied_numeric_factor(runs, ["mirror_cost"]) == "mirror_cost"
    assert varied_numeric_factor(runs.filter(pl.col("mirror_cost") < 1), ["mirror_cost"]) is None


def test_the_threshold_is_where_the_median_first_halves(tmp_path):
    runs, gens = sweep()
    finals = final_levels(gens, ["mirror_mean"])
    assert np.allclose(finals.sort("run_id")["mirror_mean_final"][:3], 0.9 / 1.1 * np.mean(
        np.arange(90, 100) / 99))
    table = response_table(finals, runs, "mirror_cost", ["mirror_mean"])
    assert table.height == 6 and set(table["n_runs"]) == {3}
    found = {r["scenario"]: r for r in thresholds(table, "mirror_cost").iter_rows(named=True)}
    assert (found["a"]["above"], found["a"]["below"]) == (0.1, 1.0)
    assert found["b"]["below"] is None
    response_figure(table, "mirror_cost", tmp_path / "r.png")
    assert (tmp_path / "r.png").stat().st_size > 1000

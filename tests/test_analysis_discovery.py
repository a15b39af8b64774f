"""Scenario discovery (PRIM): a synthetic sweep whose bursts lie in a known box finds that box."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from analysis import discovery

pytest.importorskip("ema_workbench")  # the `discovery` extra (part of `dev`)


def synthetic_sweep(n: int = 500, seed: int = 0) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Bursts with probability 0.95 where mirror_cost <= 0.03 and population >= 800, else 0.02."""
    rng = np.random.default_rng(seed)
    cost = rng.uniform(0.0, 0.1, n)
    pop = rng.integers(100, 1601, n)
    noise = rng.uniform(0.0, 1.0, n)  # a parameter with no effect
    inside = (cost <= 0.03) & (pop >= 800)
    burst = np.where(inside, rng.random(n) < 0.95, rng.random(n) < 0.02)
    runs = pl.DataFrame({"run_id": np.arange(n), "scenario": "coevolution", "mirror_cost": cost,
                         "population": pop, "noise": noise})
    bursts = pl.DataFrame({"run_id": np.arange(n), "metric": "tool_complexity",
                           "pattern": np.where(burst, "burst", "flat"), "burst": burst,
                           "takeoff": burst | (rng.random(n) < 0.5)})
    return runs, bursts


def test_prim_finds_the_box_of_the_bursts() -> None:
    runs, bursts = synthetic_sweep()
    table, _ = discovery.discovery_table(bursts, runs, ["mirror_cost", "population", "noise"],
                                         ["tool_complexity"])
    first = table.filter((pl.col("outcome") == "burst") & (pl.col("box") == 1))
    limits = {r["parameter"]: (r["low"], r["high"]) for r in first.iter_rows(named=True)}
    assert set(limits) == {"mirror_cost", "population"}  # the inert parameter is not restricted
    assert limits["mirror_cost"][1] == pytest.approx(0.03, abs=0.005)
    assert limits["mirror_cost"][0] < 0.005
    assert limits["population"][0] == pytest.approx(800, abs=60)
    assert limits["population"][1] > 1500
    row = first.row(0, named=True)
    assert row["coverage"] > 0.8 and row["density"] > 0.85
    assert row["base_rate"] == pytest.approx(bursts["burst"].mean())
    assert set(table.columns) >= {"metric", "outcome", "box", "parameter", "low", "high",
                                  "coverage", "density"}


def test_feature_scoring_ranks_the_box_parameters_above_the_inert_one() -> None:
    runs, bursts = synthetic_sweep()
    varied = ["mirror_cost", "population", "noise"]
    table, notes = discovery.scoring_table(bursts, runs, varied, ["tool_complexity"])
    burst = table.filter(pl.col("outcome") == "burst")
    scores = dict(zip(burst["parameter"], burst["score"], strict=True))
    assert notes == [] and burst["score"].sum() == pytest.approx(1.0)
    assert min(scores["mirror_cost"], scores["population"]) > scores["noise"] + 0.1
    assert burst["parameter"].to_list()[-1] == "noise"  # ranked, highest first
    again, _ = discovery.scoring_table(bursts, runs, varied, ["tool_complexity"])
    assert again.equals(table)  # a fixed random state: the same scores on every call
    few, notes = discovery.scoring_table(bursts.head(10), runs, varied, ["tool_complexity"])
    assert few.is_empty() and notes == [
        "coevolution: no feature scores (10 judged runs, at least 20 needed)."]


def test_no_box_without_enough_cases() -> None:
    runs, bursts = synthetic_sweep(n=200)
    none = bursts.with_columns(pl.lit(False).alias("burst"), pl.lit(False).alias("takeoff"))
    table, notes = discovery.discovery_table(none, runs, ["mirror_cost", "population"],
                                             ["tool_complexity"])
    assert table.is_empty() and len(notes) == 2 and "in 0 of 200 runs" in notes[0]


def test_a_broken_ema_workbench_is_unavailable_not_a_traceback(tmp_path, monkeypatch) -> None:
    import sys

    fake = tmp_path / "ema_workbench"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise AttributeError('numpy has no attribute bool8')\n")
    for name in [m for m in sys.modules if m.split(".")[0] == "ema_workbench"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert not discovery.available()
    problem = discovery.import_problem()
    assert problem == ("ema_workbench cannot be imported (AttributeError: numpy has no "
                       "attribute bool8)")
    monkeypatch.setitem(sys.modules, "ema_workbench", None)  # not installed
    assert discovery.import_problem() == "ema_workbench is not installed"

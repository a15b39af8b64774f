"""`analyze` end to end on small real sweeps: a grid over fixed mirror strength, a Sobol' sample.

Kept fast (short runs of 100 people): they check that every part of the analysis runs on real
tables and that its outputs agree with each other, not the numbers of the main experiment. With
the mirror fixed from the start culture rises at once (no burst), so in 120 generations no run
bursts or takes off and discovery can only say so: the discovery and Sobol' tests here are smoke
tests of the real-table path. The real checks of the methods are on known answers:
tests/test_analysis_discovery.py (PRIM finds the box of a synthetic sweep's bursts) and
tests/test_analysis_sensitivity.py (the Ishigami function's analytic indices).
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import polars as pl
import pytest

import run
from evo.run.sweep.core import run_sweep

GRID = """
scenario = "coevolution"
seeds = 4
generations = 120
root_seed = 5
[set]
mutation_rate = 0.0
population = 100
[grid]
mirror_initial = [0.0, 0.3, 0.6, 0.8, 1.0]
"""

SOBOL = """
scenario = "coevolution"
seeds = 2
generations = 120
root_seed = 6
[set]
mutation_rate = 0.0
[sample]
method = "sobol"
n = 4
[sample.ranges]
mirror_initial = [0.0, 1.0]
population = [60, 140]
"""


def _analyse(tmp: Path, name: str, spec: str) -> tuple[Path, str]:
    path = tmp / f"{name}.toml"
    path.write_text(spec)
    out = tmp / name
    run_sweep(path, out, workers=1, progress=False, warmup=False)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert run.main(["analyze", str(out)]) == 0
    return out / "analysis", printed.getvalue()


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return _analyse(tmp_path_factory.mktemp("real"), "grid", GRID)


def test_expressivity_is_a_culture_metric_and_parity_is_drawn(grid) -> None:
    out, _ = grid
    bursts = pl.read_parquet(out / "bursts.parquet")
    assert "expressivity" in bursts["metric"].to_list()
    parity = pl.read_parquet(out / "parity.parquet")
    expr = parity.filter(pl.col("metric") == "expressivity").sort("mirror_initial")
    assert expr["mirror_initial"].to_list() == [0.0, 0.3, 0.6, 0.8, 1.0]
    assert (expr["n"] == 4).all()
    # no convention without parity, every meaning shared with full parity (4 meanings)
    assert expr["mean"][0] == 0.0 and expr["mean"][-1] == 4.0
    assert (out / "parity.png").stat().st_size > 1000
    assert (out / "phase.png").exists()


def test_discovery_runs_on_a_real_sweep(grid) -> None:
    """Smoke test: every metric and outcome gets boxes or a note whose count is bursts.parquet's."""
    out, printed = grid
    md = (out / "report.md").read_text()
    assert "## Where in parameter space" in md
    table = pl.read_parquet(out / "discovery.parquet")
    assert {"metric", "outcome", "box", "parameter", "low", "high", "coverage",
            "density"} <= set(table.columns)
    assert "skipped" not in printed
    bursts = pl.read_parquet(out / "bursts.parquet")
    for metric in ("tool_complexity", "gesture_success", "lexicon_coherence", "expressivity"):
        judged = bursts.filter((pl.col("metric") == metric) & (pl.col("pattern") != "too_short"))
        for outcome in ("burst", "takeoff"):
            k = int(judged[outcome].sum())
            boxes = table.filter((pl.col("metric") == metric) & (pl.col("outcome") == outcome))
            note = f"coevolution, {metric} {outcome}: no box (it happens in {k} of {judged.height}"
            assert boxes.height or note in md, (metric, outcome)
            if boxes.height:  # a box is denser than the account as a whole
                assert (boxes["density"] > boxes["base_rate"]).all()


def test_sobol_sweep_gets_sensitivity_indices(tmp_path: Path) -> None:
    """Smoke test (n = 4: intervals far too wide to test values), plus what n = 4 does show.

    Fixed mirror strength from 0 to 1 decides whether conventions form at all; population from
    60 to 140 barely matters in 120 generations: the total index of mirror_initial is the larger.
    A second analysis of the same folder gives the same indices and intervals (seeded bootstrap).
    """
    out, _ = _analyse(tmp_path, "sobol", SOBOL)
    table = pl.read_parquet(out / "sensitivity.parquet")
    assert {"output", "parameter", "S1", "S1_conf", "ST", "ST_conf"} <= set(table.columns)
    expr = table.filter(pl.col("output") == "log10_tool_complexity_final")
    assert expr["parameter"].to_list() == ["mirror_initial", "population"]
    assert expr["S1"].is_finite().all() and (expr["ST_conf"] > 0).all()
    assert "Sobol' sensitivity indices" in (out / "report.md").read_text()
    for output in ("log10_tool_complexity_final", "expressivity_final"):
        st = dict(table.filter(pl.col("output") == output).select("parameter", "ST").iter_rows())
        assert st["mirror_initial"] > st["population"], output
    with contextlib.redirect_stdout(io.StringIO()):
        assert run.main(["analyze", str(out.parent)]) == 0
    assert pl.read_parquet(out / "sensitivity.parquet").equals(table)


def test_discovery_is_skipped_with_one_line_without_ema_workbench(grid, monkeypatch,
                                                                 tmp_path: Path) -> None:
    from analysis import discovery

    monkeypatch.setattr(discovery, "available", lambda: False)
    root = grid[0].parent
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert run.main(["analyze", str(root)]) == 0
    assert "scenario discovery skipped: ema_workbench is not installed" in printed.getvalue()
    assert not (root / "analysis" / "discovery.parquet").exists()

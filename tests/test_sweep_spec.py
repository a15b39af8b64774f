"""Sweep specs: designs (grid, LHS, Sobol'), the shipped specs, spec and option errors, seeds."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import run
import scenarios
from evo.errors import UsageError
from evo.run.runner import resolve_params
from evo.run.sweep import build_plan, load_spec, parse_spec, run_sweep
from evo.run.sweep.seeds import spawn_run_seeds
from evo.run.sweep.store import SweepStore
from tests.sweep_support import (
    REAL_SPEC,
    ROOT,
    Recorder,
    tiny_run,
    write,
)


def test_grid_is_full_factorial_in_fixed_order():
    spec = parse_spec({
        "scenario": ["default", "rogers"], "seeds": 2, "root_seed": 5,
        "grid": {"mirror_cost": [0.0, 0.1, 0.2], "population": [40, 80]},
    })
    plan = build_plan(spec, 5, resolve_params)
    assert len(plan) == 2 * 3 * 2 * 2
    assert [r.run_id for r in plan] == list(range(24))
    assert [r.seed for r in plan] == spawn_run_seeds(5, 24)
    assert len({r.seed for r in plan}) == 24
    assert all(0 <= r.seed < 2**63 for r in plan)
    assert plan[0].scenario == "default" and plan[12].scenario == "rogers"
    assert [r.replicate for r in plan[:4]] == [0, 1, 0, 1]
    points = {(r.point["mirror_cost"], r.point["population"]) for r in plan}
    assert points == {(c, p) for c in (0.0, 0.1, 0.2) for p in (40, 80)}
    assert isinstance(plan[0].point["mirror_cost"], float)  # TOML 0 would be read back as 0.0


def test_lhs_sample_fills_each_stratum_once_within_ranges():
    n = 16
    spec = parse_spec({
        "scenario": "default", "seeds": 1,
        "sample": {"method": "lhs", "n": n,
                   "ranges": {"mirror_cost": [0.0, 0.5], "population": [40, 400]}},
    })
    plan = build_plan(spec, 11, resolve_params)
    assert len(plan) == n
    costs = np.array([r.point["mirror_cost"] for r in plan])
    pops = [r.point["population"] for r in plan]
    assert ((costs >= 0.0) & (costs <= 0.5)).all()
    assert sorted(np.floor(costs / 0.5 * n).astype(int)) == list(range(n))
    assert all(isinstance(p, int) and 40 <= p <= 400 for p in pops)
    again = build_plan(spec, 11, resolve_params)
    assert [r.point for r in again] == [r.point for r in plan]
    assert [r.point for r in build_plan(spec, 12, resolve_params)] != [r.point for r in plan]


@pytest.mark.parametrize(("second_order", "rows"), [(False, 8 * (2 + 2)), (True, 8 * (2 * 2 + 2))])
def test_sobol_sample_has_saltelli_size_within_ranges(second_order, rows):
    spec = parse_spec({
        "scenario": "default", "seeds": 2,
        "sample": {"method": "sobol", "n": 8, "second_order": second_order,
                   "ranges": {"mirror_cost": [0.01, 0.3], "migration_rate": [0.0, 0.2]}},
    })
    plan = build_plan(spec, 3, resolve_params)
    assert len(plan) == rows * 2
    for r in plan:
        assert 0.01 <= r.point["mirror_cost"] <= 0.3
        assert 0.0 <= r.point["migration_rate"] <= 0.2


SWEEP_SPECS = [p for p in sorted((ROOT / "scenarios" / "sweeps").glob("*.toml"))
               if p.name != "choice.toml"]  # a model-choice spec, checked in tests/test_choose.py


@pytest.mark.parametrize("path", SWEEP_SPECS, ids=str)
def test_shipped_specs_are_valid(path):
    spec = load_spec(path)
    assert set(spec.scenarios) <= set(scenarios.names()), "a shipped spec names a missing scenario"
    plan = build_plan(spec, spec.root_seed or 0, resolve_params)
    assert len(plan) >= spec.seeds


def test_main_spec_is_the_main_experiment():
    spec = load_spec(ROOT / "scenarios" / "sweeps" / "main.toml")
    assert set(spec.scenarios) == {"coevolution", "fixed_low", "fixed_high", "demography",
                                   "associative"}
    assert {"mirror_cost", "population"} <= set(spec.varied)
    assert spec.seeds >= 20


BAD_SPECS = [
    ("scenario = [", "TOML syntax error"),
    ('scenario = "default"\nseed = 3', "unknown key 'seed'"),
    ('scenario = "nope"', "unknown scenario 'nope'"),
    ('scenario = "default"\n[grid]\nmirror_cots = [0.1]', "unknown parameter 'mirror_cots'"),
    ('scenario = "default"\n[grid]\nmirror_cost = ["cheap"]', "bad value 'cheap' for mirror_cost"),
    ('scenario = "default"\n[grid]\nmirror_cost = 0.1', "non-empty list"),
    ('scenario = "default"\n[grid]\npopulation = [40, 1.5]', "bad value 1.5 for population"),
    ('scenario = "default"\nseeds = 0', "'seeds' must be a positive integer"),
    ('scenario = "default"\nseeds = "3"', "'seeds' must be a positive integer"),
    ('scenario = "default"\n[set]\nmirror_cost = 0.1\n[grid]\nmirror_cost = [0.2]',
     "in both [set] and [grid]"),
    ('scenario = "default"\n[sample]\nmethod = "lhs"\nn = 4\n[sample.ranges]\n'
     'mirror_cost = [0, 20]',
     "bad value 20 for mirror_cost"),
    ('scenario = "default"\n[sample]\nmethod = "sobol"\nn = 6\n[sample.ranges]\nalpha = [1, 2]',
     "power of 2"),
    ('scenario = "default"\n[sample]\nmethod = "grid"\nn = 6', "method must be one of lhs, sobol"),
    ('scenario = "default"\n[sample]\nmethod = "lhs"\nn = 4\n[sample.ranges]\nmirror_cost = [2, 1]',
     "low < high"),
    ('scenario = "default"\n[sample]\nmethod = "lhs"\nn = 4\n[sample.ranges]\ndriver = [0, 1]',
     "bad value"),
    ('scenario = "default"\n[grid]\nmirror_cost = [0.1]\n[sample]\nmethod = "lhs"\nn = 2\n'
     '[sample.ranges]\nalpha = [1, 2]', "either [grid] or [sample]"),
    ('scenario = "default"\ngenerations = 0', "'generations' must be a positive integer"),
    ('scenario = "default"\nrecord_every = 0', "'record_every' must be a positive integer k"),
    ('scenario = "default"\nrecord_every = "last"', 'or "final" (the first and the last only)'),
    ('scenario = "default"\nrecord_every = 2.5', "'record_every' must be a positive integer k"),
]


@pytest.mark.parametrize(("text", "message"), BAD_SPECS, ids=[m for _, m in BAD_SPECS])
def test_bad_spec_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, text, message):
    out = tmp_path / "out"
    assert run.main(["sweep", str(write(tmp_path, text)), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert not out.exists()


@pytest.mark.parametrize(("extra", "message"), [
    (["--address", "localhost:8786"], "--address needs --engine dask"),
    (["--workers", "0"], "positive number"),
    (["--engine", "dask", "--address", "localhost:1", "--workers", "2"], "--workers sizes"),
])
def test_bad_engine_options_exit_2(tmp_path, capsys, extra, message):
    spec = write(tmp_path, REAL_SPEC)
    assert run.main(["sweep", str(spec), "--out", str(tmp_path / "out"), *extra]) == 2
    assert message in capsys.readouterr().err


def test_missing_spec_file_exits_2(tmp_path, capsys):
    assert run.main(["sweep", str(tmp_path / "none.toml"), "--out", str(tmp_path / "o")]) == 2
    assert "cannot read sweep spec" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["/proc/nope/x", "under_a_file/x"])
def test_unwritable_out_is_one_line_and_exit_2(tmp_path, capsys, where):
    spec = write(tmp_path, REAL_SPEC)
    (tmp_path / "under_a_file").write_text("a file")
    out = tmp_path / where if where.startswith("under") else Path(where)
    assert run.main(["sweep", str(spec), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: --out {out}: cannot write there (") and "\n" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml", "under_a_file"]


def test_folder_that_is_not_a_sweep_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert run.main(["sweep", str(write(tmp_path, REAL_SPEC)), "--out", str(out)]) == 2
    assert "holds no sweep.json" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "mine"


def test_seeds_depend_on_root_and_position_only():
    assert spawn_run_seeds(1, 5) == spawn_run_seeds(1, 8)[:5]
    assert spawn_run_seeds(1, 5) != spawn_run_seeds(2, 5)


def test_sweep_spec_without_root_seed_draws_one_and_reuses_it(tmp_path):
    text = REAL_SPEC.replace("root_seed = 2024\n", "").replace("seeds = 3", "seeds = 1")
    spec = write(tmp_path, text)
    out = tmp_path / "out"
    run_sweep(spec, out, workers=1, progress=False, warmup=False)
    header = json.loads((out / "sweep.json").read_text())
    assert header["root_seed_drawn"] is True
    seeds = pl.read_parquet(out / "runs.parquet")["seed"].to_list()
    assert seeds == spawn_run_seeds(header["root_seed"], 2)
    assert run_sweep(spec, out, workers=1, progress=False).computed == 0


def test_root_seed_of_a_sweep_started_meanwhile_is_used(tmp_path, monkeypatch):
    """The first read of the folder (without the lock) finds nothing, so a root seed is drawn;
    by the time the lock is held another process has started the sweep with its own seed."""
    spec = write(tmp_path, 'scenario = "default"\nseeds = 3\ngenerations = 1\n')
    out = tmp_path / "out"
    run_sweep(spec, out, workers=1, run_fn=tiny_run, progress=False, warmup=False)
    root = json.loads((out / "sweep.json").read_text())["root_seed"]
    for folder in ("records", "generations"):  # run 2 is left to do
        (out / folder / "part-0000002.parquet").unlink()
    real_read, calls = SweepStore.read_header, []

    def read_header(self):
        calls.append(1)
        return None if len(calls) == 1 else real_read(self)

    monkeypatch.setattr(SweepStore, "read_header", read_header)
    report = run_sweep(spec, out, workers=1, run_fn=tiny_run, progress=False, warmup=False)
    assert (report.already_done, report.computed) == (2, 1)
    assert pl.read_parquet(out / "runs.parquet")["seed"].to_list() == spawn_run_seeds(root, 3)


def test_a_second_sweep_process_on_the_same_folder_is_refused_at_once(tmp_path, capsys):
    from filelock import FileLock

    spec = write(tmp_path, 'scenario = "default"\nseeds = 2\ngenerations = 1\nroot_seed = 4\n')
    out = tmp_path / "out"
    run_sweep(spec, out, workers=1, run_fn=tiny_run, progress=False, warmup=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    held = FileLock(out / ".lock", timeout=0)
    held.acquire()  # as a sweep in progress holds it
    try:
        started = time.monotonic()
        assert run.main(["sweep", str(spec), "--out", str(out)]) == 2
        assert time.monotonic() - started < 30  # refused, not waiting for the lock
    finally:
        held.release()
    err = capsys.readouterr().err
    assert err == f"error: another sweep process is writing to {out}; wait for it or stop it first\n"
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_usage_error_is_raised_before_any_run(tmp_path):
    spec = parse_spec({"scenario": "default", "grid": {"mirror_cost": [0.1, 99.0]}})
    with pytest.raises(UsageError, match=r"mirror_cost=99\.0"):
        run_sweep(spec, tmp_path / "out", run_fn=Recorder(tmp_path / "log"), progress=False)
    assert not (tmp_path / "out").exists() and not (tmp_path / "log").exists()



def test_the_analysis_table_is_kept_but_changes_no_run():
    base = {"scenario": "default", "seeds": 2, "generations": 3, "root_seed": 1}
    asked = {**base, "analysis": {"contrasts": [["default", "default"]]}}
    assert parse_spec(asked).raw["analysis"] == asked["analysis"]  # sweep.json carries it
    assert parse_spec(asked).digest == parse_spec(base).digest  # a resume is not refused
    with pytest.raises(UsageError, match=r"\[analysis\] must be a table"):
        parse_spec({**base, "analysis": "tool_complexity"})

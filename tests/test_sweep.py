"""The sweep runner: designs, spec errors, determinism across engines, resume, failures."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import run
import scenarios
from evo.errors import UsageError
from evo.run.runner import resolve_params, simulate
from evo.run.sweep import build_plan, load_spec, parse_spec, run_sweep
from evo.run.sweep.seeds import spawn_run_seeds
from evo.run.sweep.store import SweepStore

ROOT = Path(__file__).resolve().parents[1]

# Six real runs of the small `default` scenario: fast, but every mechanism of the model runs.
REAL_SPEC = """
scenario = "default"
seeds = 3
generations = 12
root_seed = 2024
[set]
population = 40
[grid]
mirror_cost = [0.02, 0.2]
"""


def write(tmp_path: Path, text: str, name: str = "spec.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def runs_without_time(out: Path) -> pl.DataFrame:
    return pl.read_parquet(out / "runs.parquet").drop("wall_time_s")


def generations(out: Path) -> pl.DataFrame:
    return pl.scan_parquet(out / "generations" / "*.parquet").collect().sort("run_id", "generation")


class Recorder:
    """A picklable run function: the real model, logging each seed it runs, optionally failing.

    `interrupt_at`: raise KeyboardInterrupt instead of running that seed (a Ctrl-C mid-sweep).
    `fail_cost`: raise ValueError for runs with that mirror_cost (a crashing run).
    """

    def __init__(self, log: Path, interrupt_at: int | None = None, fail_cost: float | None = None):
        self.log, self.interrupt_at, self.fail_cost = log, interrupt_at, fail_cost

    def __call__(self, scenario, *, seed, generations, overrides):
        if seed == self.interrupt_at:
            raise KeyboardInterrupt
        if self.fail_cost is not None and overrides.get("mirror_cost") == self.fail_cost:
            raise ValueError(f"mirror_cost {self.fail_cost} is cursed\nsecond line")
        with open(self.log, "a") as log:
            log.write(f"{seed}\n")
        return simulate(scenario, seed=seed, generations=generations, overrides=overrides)


def logged_seeds(log: Path) -> list[int]:
    return [int(x) for x in log.read_text().split()] if log.exists() else []


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The REAL_SPEC sweep, uninterrupted, one worker: the result every other path must equal."""
    tmp = tmp_path_factory.mktemp("reference")
    out = tmp / "out"
    report = run_sweep(write(tmp, REAL_SPEC), out, workers=1, progress=False)
    assert (report.total, report.computed, report.failed) == (6, 6, 0)
    return out


# -- designs ------------------------------------------------------------------------------------


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


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios" / "sweeps").glob("*.toml")), ids=str)
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


# -- bad input ----------------------------------------------------------------------------------

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


# -- results ------------------------------------------------------------------------------------


def test_sweep_writes_runs_generations_and_header(reference):
    out = reference
    runs = pl.read_parquet(out / "runs.parquet")
    assert runs["run_id"].to_list() == list(range(6))
    for column in ("scenario", "seed", "replicate", "mirror_cost", "status", "error",
                   "wall_time_s", "tool_complexity_final", "tool_complexity_max",
                   "mirror_mean_final", "gesture_success_final"):
        assert column in runs.columns
    assert runs["status"].to_list() == ["ok"] * 6 and runs["error"].null_count() == 6
    assert runs["account"].to_list() == ["genetic"] * 6  # declared by default.toml's base
    assert runs["role"].to_list() == ["example"] * 6
    header = json.loads((out / "sweep.json").read_text())
    assert header["spec"]["grid"] == {"mirror_cost": [0.02, 0.2]}
    assert header["varied"] == ["mirror_cost"] and header["root_seed"] == 2024
    assert {"python", "numpy", "polars"} <= set(header["versions"])
    gens = generations(out)
    assert gens.height == 6 * 13 and gens["run_id"].unique().sort().to_list() == list(range(6))
    # A single run replays outside the sweep from its recorded seed and parameters.
    row = runs.row(4, named=True)
    alone = simulate("default", seed=row["seed"], generations=12,
                     overrides={"population": 40, "mirror_cost": row["mirror_cost"]})
    assert alone.table.equals(gens.filter(pl.col("run_id") == 4).select(alone.table.columns))
    assert row["tool_complexity_final"] == alone.table["tool_complexity"][-1]


def test_same_results_with_one_worker_two_workers_and_dask(tmp_path, capsys, reference):
    pytest.importorskip("distributed")
    spec = write(tmp_path, REAL_SPEC)
    two, dask = tmp_path / "two", tmp_path / "dask"
    assert run.main(["sweep", str(spec), "--out", str(two), "--workers", "2"]) == 0
    assert "6 runs" in capsys.readouterr().out
    run_sweep(spec, dask, workers=2, engine="dask", progress=False)
    for out in (two, dask):
        assert runs_without_time(out).equals(runs_without_time(reference))
        assert generations(out).equals(generations(reference))


def test_different_spec_into_same_folder_is_refused(tmp_path, capsys, reference):
    before = {p: p.read_bytes() for p in reference.rglob("*") if p.is_file()}
    other = write(tmp_path, REAL_SPEC.replace("seeds = 3", "seeds = 4"))
    assert run.main(["sweep", str(other), "--out", str(reference)]) == 2
    assert "holds a different sweep (its spec differs in: seeds)" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in reference.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("fail_cost", [0.2, 0.02])  # 0.02: the first parts are errors
def test_failing_run_is_recorded_and_the_others_finish(tmp_path, reference, fail_cost):
    spec = write(tmp_path, REAL_SPEC)
    out = tmp_path / "out"
    fn = Recorder(tmp_path / "log", fail_cost=fail_cost)
    report = run_sweep(spec, out, workers=2, run_fn=fn, progress=False, warmup=False)
    assert (report.total, report.failed) == (6, 3)
    runs = pl.read_parquet(out / "runs.parquet")
    # Error runs lack every summary, yet runs.parquet has the columns and types of a clean sweep.
    assert runs.schema == pl.read_parquet_schema(reference / "runs.parquet")
    bad = runs.filter(pl.col("status") == "error")
    assert bad["mirror_cost"].to_list() == [fail_cost] * 3
    assert bad["error"].to_list() == [f"ValueError: mirror_cost {fail_cost} is cursed"] * 3
    assert bad["tool_complexity_final"].null_count() == 3
    assert runs.filter(pl.col("status") == "ok").height == 3
    assert set(generations(out)["run_id"].to_list()) == set(runs.filter(
        pl.col("status") == "ok")["run_id"].to_list())
    assert "is cursed" in (out / "errors.log").read_text()
    # Errors are finished runs: a rerun computes nothing.
    again = run_sweep(spec, out, workers=1, run_fn=fn, progress=False, warmup=False)
    assert (again.computed, again.already_done, again.failed) == (0, 6, 3)
    assert len(logged_seeds(tmp_path / "log")) == 3


MIXED_SPEC = """
scenario = ["henrich", "naming_game", "default"]
seeds = 2
generations = 6
root_seed = 7
[set]
population = 20
max_interactions = 1500
"""


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    """A finished sweep over three scenarios whose tables and summaries differ in columns."""
    tmp = tmp_path_factory.mktemp("mixed")
    out = tmp / "out"
    run_sweep(write(tmp, MIXED_SPEC), out, workers=1, progress=False, warmup=False)
    return out


def test_mixed_scenario_sweep_resumes(tmp_path, mixed):
    runs = pl.read_parquet(mixed / "runs.parquet")
    assert runs["scenario"].to_list() == ["henrich"] * 2 + ["naming_game"] * 2 + ["default"] * 2
    assert runs["status"].to_list() == ["ok"] * 6
    assert runs.filter(pl.col("scenario") == "naming_game")["tool_complexity_final"].null_count() == 2
    parts = sorted((mixed / "records").glob("part-*.parquet"))
    assert len({tuple(pl.read_parquet_schema(p).items()) for p in parts}) == 1
    assert pl.read_parquet_schema(parts[0]) == runs.schema
    # Continuing the finished sweep reads every record part and computes nothing.
    before = (mixed / "runs.parquet").read_bytes()
    again = run_sweep(write(tmp_path, MIXED_SPEC), mixed, workers=1, progress=False, warmup=False)
    assert (again.already_done, again.computed, again.failed) == (6, 0, 0)
    assert (mixed / "runs.parquet").read_bytes() == before


def test_mixed_scenario_generations_read_with_one_scan(mixed):
    from evo.core.metrics import GENERATION_SCHEMA, NAMING_GAME_SCHEMA, REPERTOIRE_SCHEMA

    gens = pl.scan_parquet(mixed / "generations" / "*.parquet").collect()
    assert gens.schema == {"run_id": pl.Int64, **GENERATION_SCHEMA, **NAMING_GAME_SCHEMA,
                           **REPERTOIRE_SCHEMA}
    runs = pl.read_parquet(mixed / "runs.parquet")
    rows = gens.group_by("run_id").len().sort("run_id")
    assert rows["run_id"].to_list() == list(range(6))
    assert rows["len"].to_list() == runs["generations_run"].to_list()
    assert rows["len"].to_list()[:2] == [7, 7] and rows["len"].to_list()[4:] == [7, 7]
    game = gens.filter(pl.col("run_id") == 2)
    assert game["generation"].null_count() == game.height
    assert game["interactions"].is_sorted() and game["interactions"][0] == 0
    row = runs.row(2, named=True)
    alone = simulate("naming_game", seed=row["seed"], generations=6,
                     overrides={"population": 20, "max_interactions": 1500})
    assert alone.table.equals(game.select(alone.table.columns))


def test_interrupted_sweep_resumes_without_recomputing(tmp_path, reference):
    spec = write(tmp_path, REAL_SPEC)
    out, log = tmp_path / "out", tmp_path / "log"
    seeds = spawn_run_seeds(2024, 6)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, out, workers=1, run_fn=Recorder(log, interrupt_at=seeds[3]),
                  progress=False, warmup=False)
    first = logged_seeds(log)
    saved = pl.read_parquet(out / "runs.parquet")
    assert 1 <= saved.height <= 5 and set(saved["seed"].to_list()) <= set(first)
    # Leftovers of a kill: a temporary file and a generations part without its record.
    (out / "generations" / ".part-0000009.parquet.tmp-1").write_bytes(b"half")  # older name
    (out / "records" / ".part-0000009.parquet.x1y2z3.tmp").write_bytes(b"half")
    pl.DataFrame({"run_id": [5], "generation": [0]}).write_parquet(
        out / "generations" / "part-0000005.parquet")
    report = run_sweep(spec, out, workers=2, run_fn=Recorder(log), progress=False, warmup=False)
    second = logged_seeds(log)[len(first):]
    assert sorted(second) == sorted(set(seeds) - set(saved["seed"].to_list()))
    assert (report.already_done, report.computed) == (saved.height, 6 - saved.height)
    assert runs_without_time(out).equals(runs_without_time(reference))
    assert generations(out).equals(generations(reference))
    assert not list(out.rglob(".*tmp*"))


def test_traceback_is_logged_before_the_record_that_finishes_the_run(tmp_path):
    from evo.run.sweep.core import _Saver, record_schema
    from evo.run.sweep.worker import Outcome

    spec = parse_spec({"scenario": "default", "seeds": 1, "root_seed": 1})
    plan = build_plan(spec, 1, resolve_params)
    store = SweepStore(tmp_path / "out")
    store.records_dir.mkdir(parents=True)
    saver = _Saver(store, plan, [], record_schema(spec, plan), done=0, failed=0)
    store.write_task = lambda *args: (_ for _ in ()).throw(KeyboardInterrupt)  # killed here
    with pytest.raises(KeyboardInterrupt):
        saver.save([Outcome(0, "error", "ValueError: x", 0.1, traceback="Traceback: boom")])
    assert "Traceback: boom" in store.errors_log.read_text()


class BlocksAt:
    """A picklable run function that, when it reaches `seed`, writes `marker` and blocks.

    The sweep is then certainly mid-way (some runs recorded, this one never finishing) when the
    test kills it: no race with a sweep that finishes first.
    """

    def __init__(self, marker: Path, seed: int):
        self.marker, self.seed = marker, seed

    def __call__(self, scenario, *, seed, generations, overrides):
        if seed == self.seed:
            self.marker.write_text("blocked")
            time.sleep(600)
        return simulate(scenario, seed=seed, generations=generations, overrides=overrides)


def test_killed_sweep_continues_with_the_same_command(tmp_path, reference):
    """SIGKILL the whole sweep (parent and workers) mid-way; the same command finishes it."""
    spec = write(tmp_path, REAL_SPEC.replace("generations = 12", "generations = 30").replace(
        "seeds = 3", "seeds = 10"))
    out, marker = tmp_path / "out", tmp_path / "blocked"
    blocked_seed = spawn_run_seeds(2024, 20)[8]  # run 8 blocks; one run a task, so 0-7 finish
    code = ("import pathlib, sys\n"
            "from evo.run.sweep import run_sweep\n"
            "from tests.test_sweep import BlocksAt\n"
            f"run_sweep({str(spec)!r}, {str(out)!r}, workers=1, progress=False, target_task_s=0.0,\n"
            f"          run_fn=BlocksAt(pathlib.Path({str(marker)!r}), {blocked_seed}))\n")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert marker.exists(), "the blocking run was never reached"
        deadline = time.monotonic() + 60  # the runs before it are saved as their tasks finish
        while len(SweepStore(out).finished_ids()) < 8 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    done = SweepStore(out).finished_ids()
    assert done == set(range(8))
    cmd = [sys.executable, str(ROOT / "run.py"), "sweep", str(spec), "--out", str(out),
           "--workers", "1"]
    assert subprocess.run(cmd, cwd=ROOT, capture_output=True).returncode == 0
    runs = pl.read_parquet(out / "runs.parquet")
    assert runs["run_id"].to_list() == list(range(20))
    assert runs["status"].unique().to_list() == ["ok"]
    full = tmp_path / "full"
    run_sweep(spec, full, workers=1, progress=False)
    assert runs_without_time(out).equals(runs_without_time(full))
    assert generations(out).equals(generations(full))


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


def tiny_run(scenario, *, seed, generations, overrides):
    return pl.DataFrame({"generation": [0, 1], "tool_complexity": [0.0, float(seed % 7)]})


def test_scheduler_groups_quick_runs_into_bigger_tasks_and_keeps_every_run_once():
    from concurrent.futures import ThreadPoolExecutor

    from evo.run.sweep.scheduler import execute
    from evo.run.sweep.worker import RunJob

    jobs = [RunJob(i, "default", i, {}) for i in range(200)]
    sizes, seen = [], []

    def on_task(outcomes):
        sizes.append(len(outcomes))
        seen.extend(o.run_id for o in outcomes)
        assert all(o.status == "ok" and o.table["run_id"][0] == o.run_id for o in outcomes)

    with ThreadPoolExecutor(2) as pool:
        # a generous target, so that a loaded machine (slow tiny runs) cannot keep tasks small
        execute(pool, 2, jobs, generations=None, run_fn=tiny_run, on_task=on_task, target_s=1000.0)
    assert sorted(seen) == list(range(200))
    assert sizes[0] == 1 and max(sizes) > 10  # first tasks measure, later ones group
    assert sizes[-1] < max(sizes)  # the tail is split finer to keep workers balanced


class Killer:
    """A picklable run function whose worker process dies (as in a segfault) for one seed."""

    def __init__(self, seed: int):
        self.seed = seed

    def __call__(self, scenario, *, seed, generations, overrides):
        if seed == self.seed:
            os._exit(1)
        return tiny_run(scenario, seed=seed, generations=generations, overrides=overrides)


def test_run_that_kills_its_worker_is_recorded_as_an_error(tmp_path):
    spec = write(tmp_path, 'scenario = "default"\nseeds = 3\ngenerations = 1\nroot_seed = 3\n')
    out = tmp_path / "out"
    killer = Killer(spawn_run_seeds(3, 3)[1])
    report = run_sweep(spec, out, workers=1, run_fn=killer, progress=False, warmup=False)
    assert (report.computed, report.failed) == (3, 1)
    runs = pl.read_parquet(out / "runs.parquet")
    assert runs["status"].to_list() == ["ok", "error", "ok"]
    assert runs["error"][1].startswith("worker died (BrokenProcessPool")
    assert "died 2 times while running this run alone" in (out / "errors.log").read_text()
    assert generations(out)["run_id"].to_list() == [0, 0, 2, 2]
    again = run_sweep(spec, out, workers=1, run_fn=killer, progress=False, warmup=False)
    assert (again.computed, again.already_done, again.failed) == (0, 3, 1)


class WaitsToBeKilled:
    """A picklable run function that, the first time it runs `seed`, writes its worker's pid to
    `pid_file` and waits: the test kills that process from outside, as the OOM killer would."""

    def __init__(self, pid_file: Path, seed: int):
        self.pid_file, self.seed = pid_file, seed

    def __call__(self, scenario, *, seed, generations, overrides):
        if seed == self.seed and not self.pid_file.exists():
            tmp = self.pid_file.with_suffix(".tmp")
            tmp.write_text(str(os.getpid()))
            tmp.rename(self.pid_file)
            time.sleep(120)
            raise RuntimeError("the worker was not killed")
        return simulate(scenario, seed=seed, generations=generations, overrides=overrides)


def kill_when_written(pid_file: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    if pid_file.exists():
        os.kill(int(pid_file.read_text()), signal.SIGKILL)


# allowed-failures 3 (dask's default): the scheduler of dask reschedules the lost task itself;
# 0: the task fails with KilledWorker at once, and our scheduler retries its runs one by one.
@pytest.mark.parametrize("allowed_failures", [3, 0])
def test_a_dask_worker_killed_mid_run_loses_nothing(tmp_path, reference, allowed_failures,
                                                    monkeypatch):
    pytest.importorskip("distributed")
    import threading

    import dask

    from evo.run.sweep import scheduler

    seen = []  # what reached our scheduler as a lost task
    real_worker_died = scheduler.worker_died
    monkeypatch.setattr(scheduler, "worker_died",
                        lambda exc: seen.append(type(exc).__name__) or real_worker_died(exc))

    spec = write(tmp_path, REAL_SPEC)
    out, pid_file = tmp_path / "out", tmp_path / "worker.pid"
    run_fn = WaitsToBeKilled(pid_file, spawn_run_seeds(2024, 6)[2])  # run 2: others in flight
    killer = threading.Thread(target=kill_when_written, args=(pid_file,))
    killer.start()
    try:
        with dask.config.set({"distributed.scheduler.allowed-failures": allowed_failures}):
            report = run_sweep(spec, out, workers=2, engine="dask", run_fn=run_fn,
                               progress=False, warmup=False)
    finally:
        killer.join()
    assert pid_file.exists(), "no worker was killed"
    # With 0, every task the dead worker held (running or queued on it) fails with KilledWorker.
    assert set(seen) == (set() if allowed_failures else {"KilledWorker"})
    assert (report.computed, report.failed) == (6, 0)
    assert runs_without_time(out).equals(runs_without_time(reference))
    assert generations(out).equals(generations(reference))
    again = run_sweep(spec, out, workers=2, engine="dask", run_fn=run_fn, progress=False)
    assert (again.computed, again.already_done) == (0, 6)


def thread_probe(scenario, *, seed, generations, overrides):
    import numba

    return pl.DataFrame({
        "generation": [0],
        "numba_threads": [numba.config.NUMBA_NUM_THREADS],
        "numba_active": [numba.get_num_threads()],
        "polars_threads": [pl.thread_pool_size()],
        "omp_env": [int(os.environ["OMP_NUM_THREADS"])],
    })


def test_local_workers_are_single_threaded(tmp_path):
    spec = write(tmp_path, 'scenario = "default"\nseeds = 2\ngenerations = 1\n')
    out = tmp_path / "out"
    run_sweep(spec, out, workers=2, run_fn=thread_probe, progress=False, warmup=False)
    probes = generations(out).select("numba_threads", "numba_active", "polars_threads", "omp_env")
    assert probes.height == 2 and (probes == 1).to_numpy().all(), probes


def test_scheduler_survives_a_pool_that_breaks_before_a_task_is_submitted():
    """A worker can die between two submissions: submit itself then raises BrokenProcessPool
    (seen in CI). The task must take the same path as one lost in flight: restart, retry."""
    from concurrent.futures import BrokenExecutor, ThreadPoolExecutor

    from evo.run.sweep.scheduler import execute
    from evo.run.sweep.worker import RunJob

    class BreaksAtFirstSubmit:
        def __init__(self):
            self.pool, self.broken, self.restarts = ThreadPoolExecutor(1), True, 0

        def submit(self, fn, *args, **kwargs):
            if self.broken:
                raise BrokenExecutor("a child process terminated abruptly")
            return self.pool.submit(fn, *args, **kwargs)

        def restart(self):
            self.broken = False
            self.restarts += 1

    executor, seen = BreaksAtFirstSubmit(), []
    jobs = [RunJob(i, "default", i, {}) for i in range(5)]
    execute(executor, 1, jobs, generations=None, run_fn=tiny_run,
            on_task=lambda outcomes: seen.extend((o.run_id, o.status) for o in outcomes))
    executor.pool.shutdown()
    assert sorted(seen) == [(i, "ok") for i in range(5)]
    assert executor.restarts == 1


# -- provenance: a resume on other code, versions or scenario values is refused -------------------

COEVO_SPEC = 'scenario = "coevolution"\nseeds = 2\ngenerations = 1\nroot_seed = 8\n'


@pytest.fixture
def edited_scenarios(tmp_path, monkeypatch):
    """A copy of scenarios/ that the test may edit, read in place of the real one."""
    import shutil

    copy = tmp_path / "scenarios"
    shutil.copytree(Path(scenarios.__file__).parent, copy)
    monkeypatch.setattr(scenarios, "SCENARIO_DIR", copy)
    scenarios.load.cache_clear()
    yield copy
    scenarios.load.cache_clear()


def finished_tiny_sweep(tmp_path, text=COEVO_SPEC):
    spec = write(tmp_path, text)
    out = tmp_path / "out"
    run_sweep(spec, out, workers=1, run_fn=tiny_run, progress=False, warmup=False)
    return spec, out


def folder_bytes(out: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_sweep_json_records_code_versions_and_resolved_scenarios(tmp_path):
    _, out = finished_tiny_sweep(tmp_path)
    header = json.loads((out / "sweep.json").read_text())
    assert set(header["code"]) == {"commit", "dirty", "diff_digest"}
    assert {"numba", "SALib", "scipy", "pyarrow", "ema_workbench", "mesa"} <= set(header["versions"])
    coevo = header["resolved_scenarios"]["coevolution"]
    assert coevo["params"]["mirror_cost"] == 0.05 and len(coevo["digest"]) == 64


def test_a_changed_scenario_file_and_version_stop_the_resume(tmp_path, capsys, monkeypatch,
                                                             edited_scenarios):
    from evo.run import provenance

    spec, out = finished_tiny_sweep(tmp_path)
    before = folder_bytes(out)
    path = edited_scenarios / "coevolution.toml"
    path.write_text(path.read_text().replace("mirror_cost = 0.05", "mirror_cost = 0.1"))
    scenarios.load.cache_clear()
    real = provenance.versions()
    monkeypatch.setattr(provenance, "versions", lambda: {**real, "numba": "0.69.0"})
    assert run.main(["sweep", str(spec), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == (f"error: {out} cannot continue: scenario coevolution changed (mirror_cost "
                   f"0.05 -> 0.1); numba {real['numba']} -> 0.69.0; give --allow-version-change "
                   "to continue anyway, or a new --out\n")
    assert folder_bytes(out) == before
    # Allowed: it continues, says so in one line and records the change; the next resume on
    # the same code and values compares with that record and says nothing.
    assert run.main(["sweep", str(spec), "--out", str(out), "--allow-version-change"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "continues with scenario coevolution changed" in err
    header = json.loads((out / "sweep.json").read_text())
    assert header["resolved_scenarios"]["coevolution"]["params"]["mirror_cost"] == 0.05
    [entry] = header["continued"]
    assert entry["versions"]["numba"] == "0.69.0"
    assert entry["resolved_scenarios"]["coevolution"]["params"]["mirror_cost"] == 0.1
    assert entry["changed"][0].startswith("scenario coevolution changed")
    assert run.main(["sweep", str(spec), "--out", str(out)]) == 0
    assert "warning" not in capsys.readouterr().err


def test_other_code_stops_the_resume(tmp_path, capsys, monkeypatch):
    from evo.run import provenance

    spec, out = finished_tiny_sweep(tmp_path)
    header = json.loads((out / "sweep.json").read_text())
    header["code"] = {"commit": "a" * 40, "dirty": True, "diff_digest": "b" * 64}
    (out / "sweep.json").write_text(json.dumps(header))
    monkeypatch.setattr(provenance, "code_state",
                        lambda: {"commit": "c" * 40, "dirty": False, "diff_digest": None})
    assert run.main(["sweep", str(spec), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert (f"cannot continue: code commit {'a' * 12}, uncommitted changes {'b' * 12} -> commit "
            f"{'c' * 12}; give --allow-version-change") in err


def test_an_old_folder_without_provenance_still_resumes_with_a_warning(tmp_path, capsys):
    spec, out = finished_tiny_sweep(tmp_path)
    header = json.loads((out / "sweep.json").read_text())
    for key in ("code", "model_hash", "resolved_scenarios"):
        del header[key]
    header["versions"] = {k: header["versions"][k] for k in ("python", "numpy", "numba", "polars",
                                                            "mesa", "mirrorleap")}
    header["versions"]["git"] = "43bee8f0d2a1-dirty"  # as older sweeps recorded the code
    (out / "sweep.json").write_text(json.dumps(header))
    assert run.main(["sweep", str(spec), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"warning: {out / 'sweep.json'} does not record the code's commit, "
                          "scenario coevolution, the versions of pyarrow, SALib, scipy, "
                          "ema_workbench, the model's source hash (an older sweep folder): "
                          "not checked")
    again = json.loads((out / "sweep.json").read_text())
    assert again["continued"][0]["unknown"][0] == "the code's commit"
    assert run.main(["sweep", str(spec), "--out", str(out)]) == 0
    assert "warning" not in capsys.readouterr().err


# -- damaged files: set aside, their runs recomputed, nothing else lost ---------------------------

TINY_SPEC = 'scenario = "default"\nseeds = 5\ngenerations = 1\nroot_seed = 21\n'


def truncate(path: Path) -> bytes:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path.read_bytes()


@pytest.fixture(scope="module")
def tiny_reference(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("tiny")
    out = tmp / "out"
    run_sweep(write(tmp, TINY_SPEC), out, workers=1, run_fn=tiny_run, progress=False,
              warmup=False)
    return out


def test_a_truncated_record_is_set_aside_and_only_its_runs_are_recomputed(tmp_path, capsys,
                                                                          reference):
    spec = write(tmp_path, REAL_SPEC)
    out = tmp_path / "out"
    assert run.main(["sweep", str(spec), "--out", str(out), "--workers", "1"]) == 0
    part = sorted((out / "records").glob("part-*.parquet"))[1]
    held = pl.read_parquet(out / "generations" / part.name)["run_id"].unique().sort().to_list()
    damaged = truncate(part)
    capsys.readouterr()
    assert run.main(["sweep", str(spec), "--out", str(out), "--workers", "1"]) == 0
    captured = capsys.readouterr()
    [warning] = [line for line in captured.err.splitlines() if line.startswith("warning")]
    assert warning.startswith(f"warning: {part} is damaged (")
    assert warning.endswith(f"moved it and its task's other part to {out / 'damaged'}/; its runs "
                            f"(run_id {', '.join(map(str, held))}) will be recomputed")
    assert f"({len(held)} run now, {6 - len(held)} done before)" in captured.out
    assert (out / "damaged" / "records" / part.name).read_bytes() == damaged  # kept, not deleted
    assert (out / "damaged" / "generations" / part.name).is_file()
    assert runs_without_time(out).equals(runs_without_time(reference))
    assert generations(out).equals(generations(reference))


def test_a_truncated_generations_part_takes_its_record_along(tmp_path, capsys, tiny_reference):
    spec = write(tmp_path, TINY_SPEC)
    out = tmp_path / "out"
    run_sweep(spec, out, workers=1, run_fn=tiny_run, progress=False, warmup=False)
    part = sorted((out / "generations").glob("part-*.parquet"))[2]
    truncate(part)
    report = run_sweep(spec, out, workers=1, run_fn=tiny_run, progress=False, warmup=False)
    err = capsys.readouterr().err
    assert f"warning: {part} is damaged (" in err and "will be recomputed" in err
    assert report.computed >= 1 and report.already_done == 5 - report.computed
    assert (out / "damaged" / "generations" / part.name).is_file()
    assert (out / "damaged" / "records" / part.name).is_file()
    assert runs_without_time(out).equals(runs_without_time(tiny_reference))
    assert generations(out).equals(generations(tiny_reference))


def test_a_truncated_runs_table_is_rebuilt_from_the_records(tmp_path, capsys, tiny_reference):
    spec = write(tmp_path, TINY_SPEC)
    out = tmp_path / "out"
    run_sweep(spec, out, workers=1, run_fn=tiny_run, progress=False, warmup=False)
    truncate(out / "runs.parquet")
    report = run_sweep(spec, out, workers=1, run_fn=tiny_run, progress=False, warmup=False)
    assert f"warning: {out / 'runs.parquet'} is damaged (" in capsys.readouterr().err
    assert report.computed == 0
    assert runs_without_time(out).equals(runs_without_time(tiny_reference))


def test_a_damaged_header_is_rebuilt_from_a_spec_that_fixes_the_root_seed(tmp_path, capsys,
                                                                          tiny_reference):
    spec = write(tmp_path, TINY_SPEC)
    out = tmp_path / "out"
    run_sweep(spec, out, workers=1, run_fn=tiny_run, progress=False, warmup=False)
    damaged = truncate(out / "sweep.json")
    # Another spec (another root seed) is refused: its runs would not be the folder's.
    other = write(tmp_path, TINY_SPEC.replace("root_seed = 21", "root_seed = 22"), "other.toml")
    assert run.main(["sweep", str(other), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {out / 'sweep.json'} is unreadable (") and err.count("\n") == 1
    assert "is not this spec's; give the spec the folder was made with, or a new --out" in err
    assert (out / "sweep.json").read_bytes() == damaged
    report = run_sweep(spec, out, workers=1, run_fn=tiny_run, progress=False, warmup=False)
    assert "rebuilt from the spec and its root_seed, which match all 5" in capsys.readouterr().err
    assert report.computed == 0
    header = json.loads((out / "sweep.json").read_text())
    assert header["root_seed"] == 21 and header["header_recovered"]["records_checked"] == 5
    assert (out / "damaged" / "sweep.json").read_bytes() == damaged
    assert runs_without_time(out).equals(runs_without_time(tiny_reference))


def test_a_damaged_header_without_a_root_seed_in_the_spec_is_refused(tmp_path, capsys):
    spec = write(tmp_path, TINY_SPEC.replace("root_seed = 21\n", ""))
    out = tmp_path / "out"
    run_sweep(spec, out, workers=1, run_fn=tiny_run, progress=False, warmup=False)
    (out / "sweep.json").write_text('{"spec": ')
    before = folder_bytes(out)
    assert run.main(["sweep", str(spec), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {out / 'sweep.json'} is unreadable (")
    assert ("and the spec sets no root_seed: the root seed is lost and "
            f"{out} cannot be continued; sweep into a new --out") in err
    assert folder_bytes(out) == before


# -- recording interval ---------------------------------------------------------------------------


@pytest.mark.parametrize(("every", "kept"), [(5, [0, 5, 10, 15, 20, 23]), ("final", [0, 23])])
def test_thinning_keeps_rows_of_the_full_table_unchanged(every, kept):
    full = simulate("default", seed=3, generations=23, overrides={"population": 40}).table
    thin = simulate("default", seed=3, generations=23, overrides={"population": 40},
                    record_every=every)
    assert thin.table["generation"].to_list() == kept
    assert thin.table.equals(full.filter(pl.col("generation").is_in(kept)))
    assert thin.full_table.equals(full)
    assert (thin.meta["record_every"], thin.meta["rows_computed"]) == (every, 24)


@pytest.mark.parametrize("bad", [0, -2, True, 1.5, "last"])
def test_a_bad_recording_interval_is_one_line(bad):
    with pytest.raises(UsageError, match=r"^bad record_every .*valid: a positive integer k"):
        simulate("default", seed=3, generations=2, record_every=bad)


def test_a_sweep_with_a_recording_interval_thins_only_its_generation_tables(tmp_path, reference):
    spec = write(tmp_path, "record_every = 5\n" + REAL_SPEC)
    out = tmp_path / "out"
    run_sweep(spec, out, workers=1, progress=False, warmup=False)
    header = json.loads((out / "sweep.json").read_text())
    assert header["record_every"] == 5 and header["spec"]["record_every"] == 5
    assert header["spec_hash"] != json.loads((reference / "sweep.json").read_text())["spec_hash"]
    # Same runs (seeds, summaries of every generation), fewer rows, each one unchanged.
    assert runs_without_time(out).equals(runs_without_time(reference))
    kept = generations(reference).filter((pl.col("generation") % 5 == 0)
                                         | (pl.col("generation") == 12))
    assert generations(out).equals(kept)


# -- compaction -----------------------------------------------------------------------------------

COMPACT_SPEC = 'scenario = "default"\nseeds = 8\ngenerations = 1\nroot_seed = 31\n'


def tiny_sweep(tmp_path, name="out", **kwargs):
    spec = write(tmp_path, COMPACT_SPEC)
    out = tmp_path / name
    report = run_sweep(spec, out, workers=1, run_fn=tiny_run, progress=False, warmup=False,
                       **kwargs)
    return spec, out, report


def no_run_twice(out: Path) -> None:
    from analysis.tables import load

    results = load(out)  # refuses repeated rows of a run in one line
    assert results.generations.group_by("run_id").len()["len"].to_list() == [2] * 8


def test_compact_merges_the_parts_and_the_folder_still_resumes(tmp_path, capsys):
    _, plain, _ = tiny_sweep(tmp_path, "plain")
    parts = sorted(p.name for p in (plain / "generations").iterdir())
    assert len(parts) > 1
    spec, out, _ = tiny_sweep(tmp_path, compact=True)
    assert f"compacted {len(parts)} of {len(parts)} generations parts" in capsys.readouterr().out
    [merged] = list((out / "generations").iterdir())
    assert merged.name.startswith("merged-0000000-")
    assert sorted(p.name for p in (out / "records").iterdir()) == parts  # records untouched
    assert generations(out).equals(generations(plain))
    again = run_sweep(spec, out, workers=1, run_fn=tiny_run, progress=False, warmup=False)
    assert (again.computed, again.already_done) == (0, 8)
    assert runs_without_time(out).equals(runs_without_time(plain))
    no_run_twice(out)


@pytest.mark.parametrize("kill_at", ["writing", "after_rename", "midway"])
def test_a_compaction_killed_at_any_point_leaves_a_correct_folder(tmp_path, monkeypatch, kill_at):
    from evo.run.sweep import store as store_mod

    _, plain, _ = tiny_sweep(tmp_path, "plain")
    spec, out, _ = tiny_sweep(tmp_path)
    if kill_at == "writing":
        def killed_write(path, write):
            (path.parent / f".{path.name}.x1y2.tmp").write_bytes(b"PAR1 half a file")
            raise KeyboardInterrupt

        monkeypatch.setattr(store_mod, "atomic_write", killed_write)
    else:
        removed = []
        real_remove = SweepStore._remove_part

        def killed_remove(part):
            if len(removed) == (0 if kill_at == "after_rename" else 2):
                raise KeyboardInterrupt
            removed.append(part)
            real_remove(part)

        monkeypatch.setattr(SweepStore, "_remove_part", staticmethod(killed_remove))
    with pytest.raises(KeyboardInterrupt):
        SweepStore(out).compact()
    monkeypatch.undo()
    no_run_twice(out)  # analyze right after the kill: every run once
    report = run_sweep(spec, out, workers=1, run_fn=tiny_run, progress=False, warmup=False)
    assert (report.computed, report.already_done) == (0, 8)
    assert generations(out).equals(generations(plain))
    assert runs_without_time(out).equals(runs_without_time(plain))
    assert not list(out.rglob(".*tmp*"))
    no_run_twice(out)
    SweepStore(out).compact()  # and it can be compacted again
    assert generations(out).equals(generations(plain))


def test_a_damaged_record_of_a_merged_task_is_recomputed_once(tmp_path, capsys):
    _, plain, _ = tiny_sweep(tmp_path, "plain")
    spec, out, _ = tiny_sweep(tmp_path, compact=True)
    part = sorted((out / "records").glob("part-*.parquet"))[1]
    truncate(part)
    report = run_sweep(spec, out, workers=1, run_fn=tiny_run, progress=False, warmup=False)
    assert f"warning: {part} is damaged (" in capsys.readouterr().err
    assert report.computed >= 1
    assert generations(out).equals(generations(plain))
    assert list((out / "damaged" / "generations").glob("orphans-of-merged-*"))
    no_run_twice(out)

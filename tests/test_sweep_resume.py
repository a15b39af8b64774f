"""Resuming a sweep: after an interruption or a kill, across changed code, with damaged files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

import run
import scenarios
from evo.run.runner import resolve_params, simulate
from evo.run.sweep import build_plan, parse_spec, run_sweep
from evo.run.sweep.seeds import spawn_run_seeds
from evo.run.sweep.store import SweepStore
from tests.sweep_support import (
    REAL_SPEC,
    ROOT,
    Recorder,
    generations,
    logged_seeds,
    runs_without_time,
    tiny_run,
    truncate,
    write,
)

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
            "from tests.test_sweep_resume import BlocksAt\n"
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


TINY_SPEC = 'scenario = "default"\nseeds = 5\ngenerations = 1\nroot_seed = 21\n'


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


"""Running a sweep: its tables, the same results on every engine, failures, the scheduler."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import polars as pl
import pytest

import run
from evo.run.runner import simulate
from evo.run.sweep import run_sweep
from evo.run.sweep.seeds import spawn_run_seeds
from tests.sweep_support import (
    REAL_SPEC,
    Recorder,
    generations,
    logged_seeds,
    runs_without_time,
    tiny_run,
    write,
)


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


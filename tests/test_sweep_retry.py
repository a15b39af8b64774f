"""--retry-errors runs failed runs again; every record names the invocation that wrote it."""

import json
from dataclasses import dataclass, field

import polars as pl

import run
from evo.core import kernel_cache
from evo.run.sweep import run_sweep

SPEC = 'scenario = "default"\nseeds = 6\ngenerations = 1\nroot_seed = 9\n'


@dataclass
class Flaky:
    """A run function that fails for the runs of `failing` seeds (a picklable callable)."""

    failing: set[int] = field(default_factory=set)

    def __call__(self, scenario, *, seed, generations, overrides):
        if seed in self.failing:
            raise RuntimeError(f"flaky seed {seed}")
        return pl.DataFrame({"generation": [0, 1], "tool_complexity": [0.0, float(seed % 7)]})


def runs(out):
    return pl.read_parquet(out / "runs.parquet").sort("run_id")


def test_retry_errors_runs_the_failed_runs_again_and_keeps_their_old_records(tmp_path, capsys,
                                                                               monkeypatch):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    out = tmp_path / "out"
    first = run_sweep(spec, out, workers=1, run_fn=Flaky(), progress=False, warmup=False)
    seeds = runs(out)["seed"].to_list()
    failing = {seeds[1], seeds[4]}
    out2 = tmp_path / "out2"
    report = run_sweep(spec, out2, workers=1, run_fn=Flaky(failing), progress=False,
                       warmup=False, target_task_s=10.0)
    assert (report.failed, first.failed) == (2, 0)
    before = runs(out2)
    assert before.filter(pl.col("status") == "error")["run_id"].to_list() == [1, 4]
    assert (before["made_with"] == 0).all()
    assert (before["model_hash"] == kernel_cache.source_hash()).all()
    # A plain resume leaves them as they are.
    again = run_sweep(spec, out2, workers=1, run_fn=Flaky(), progress=False, warmup=False)
    assert (again.computed, again.failed) == (0, 2)
    # Retried on other code (allowed): the two runs are redone, and say with which code.
    monkeypatch.setattr(kernel_cache, "source_hash", lambda root=None: "f" * 64)
    capsys.readouterr()
    retried = run_sweep(spec, out2, workers=1, run_fn=Flaky(), progress=False, warmup=False,
                        retry_errors=True, allow_version_change=True)
    assert (retried.computed, retried.failed, retried.already_done) == (2, 0, 4)
    assert "retrying 2 runs that ended in an error" in capsys.readouterr().err
    after = runs(out2)
    assert after["run_id"].to_list() == list(range(6)) and (after["status"] == "ok").all()
    assert after.drop("wall_time_s", "made_with", "model_hash").equals(
        runs(out).drop("wall_time_s", "made_with", "model_hash"))
    assert after["made_with"].to_list() == [0, 1, 0, 0, 1, 0]
    header = json.loads((out2 / "sweep.json").read_text())
    assert header["continued"][0]["model_hash"] == "f" * 64
    assert after.filter(pl.col("made_with") == 1)["model_hash"].to_list() == ["f" * 64] * 2
    gens = pl.scan_parquet(out2 / "generations" / "*.parquet").collect()
    assert not gens.select("run_id", "generation").is_duplicated().any()
    assert sorted(gens["run_id"].unique().to_list()) == list(range(6))
    kept = pl.read_parquet(out2 / "retried" / "records" / "*.parquet")
    assert kept["run_id"].to_list() == [1, 4] and (kept["status"] == "error").all()


def test_the_command_takes_retry_errors(tmp_path):
    from evo.run.runner import resolve_params
    from evo.run.sweep import build_plan, load_spec

    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    out = tmp_path / "out"
    first_seed = build_plan(load_spec(spec), 9, resolve_params)[0].seed
    run_sweep(spec, out, workers=1, run_fn=Flaky({first_seed}), progress=False, warmup=False)
    assert run.main(["sweep", str(spec), "--out", str(out)]) == 1  # a failed run stays failed
    assert run.main(["sweep", str(spec), "--out", str(out), "--retry-errors"]) == 0
    assert (runs(out)["status"] == "ok").all() and runs(out).height == 6

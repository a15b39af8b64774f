"""Projected wall time of the main experiment (the trial), from a one-seed run of its spec.

`python bench/main_projection.py [--workers N] [--spec PATH]` prints it alone. The main experiment
is `scenarios/sweeps/trial.toml`: each account over its own design, each design with its own
number of seeds. Its one-seed version (every design at one seed per point) is run through
`evo.run.sweep.run_sweep` on `workers` local processes, and the full time projected from the
runs' own wall times: sum over runs of wall time x that design's seeds, divided by the workers
(the sweep balances runs over them), times the measured efficiency of the one-seed sweep (its
summed run time over workers x wall: start-up and imbalance included).

The same runs are projected onto a Dask cluster of `CLUSTER_WORKERS` workers (one core each, as
fast as one of this machine's, with the local sweep's efficiency): the summed run time over the
workers, but never less than the longest run, which one worker must do alone.
"""

from __future__ import annotations

try:
    from bench import common
except ModuleNotFoundError:  # run as a script: bench/ is on sys.path, the repository is not
    import common  # type: ignore[no-redef]

import argparse
import tempfile
import time
import tomllib
from pathlib import Path

import polars as pl

MAIN_SPEC = common.ROOT / "scenarios" / "sweeps" / "trial.toml"
GOAL_MIN = 20.0
CLUSTER_WORKERS = 64


def cluster_minutes(run_seconds, weights, workers: int, efficiency: float) -> float:
    """Minutes for the weighted runs on `workers` equal workers at `efficiency`, at least the
    longest run."""
    total = sum(s * w for s, w in zip(run_seconds, weights, strict=True))
    return max(total / workers / efficiency, max(run_seconds, default=0.0)) / 60.0


def one_seed(data: dict) -> tuple[dict, dict[str, int]]:
    """The spec with one seed per design point, and each scenario's full number of seeds."""
    seeds = int(data.get("seeds", 1))
    if "designs" not in data:
        return {**data, "seeds": 1}, dict.fromkeys(data["scenario"], seeds)
    full = {name: int(d.get("seeds", seeds)) for name, d in data["designs"].items()}
    designs = {name: {**d, "seeds": 1} for name, d in data["designs"].items()}
    return {**data, "seeds": 1, "designs": designs}, full


def measure(workers: int = 2, quick: bool = False, spec_path: Path = MAIN_SPEC) -> dict:
    """Run the spec with one seed per point (with `quick`, 200 generations) and project."""
    from evo.run.sweep import parse_spec, run_sweep

    data = tomllib.loads(spec_path.read_text())
    small, seeds = one_seed(data)
    if quick:  # where the spec sets the run length: at the top or in the shared [set]
        if "generations" in small:
            small["generations"] = 200
        else:
            small["set"] = {**small.get("set", {}), "generations": 200}
    spec = parse_spec(small, source=f"{spec_path} with one seed per point")
    load_before = common.load()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        report = run_sweep(spec, Path(tmp) / "one_seed", workers=workers, progress=False)
        wall = time.perf_counter() - t0
        runs = pl.read_parquet(Path(tmp) / "one_seed" / "runs.parquet")
    if report.failed:
        raise RuntimeError(f"{report.failed} runs of the one-seed main experiment failed")
    weight = runs["scenario"].replace_strict(seeds, return_dtype=pl.Int64)
    run_s = float(runs["wall_time_s"].sum())
    efficiency = run_s / (workers * wall)
    projected = float((runs["wall_time_s"] * weight).sum()) / workers / efficiency / 60.0
    cluster = cluster_minutes(runs["wall_time_s"].to_list(), weight.to_list(), CLUSTER_WORKERS,
                              efficiency)
    return {
        "spec": str(spec_path.relative_to(common.ROOT)), "workers": workers, "quick": quick,
        "runs_one_seed": report.total, "runs_full": int(weight.sum()),
        "wall_s_one_seed": wall, "efficiency": efficiency, "projected_min": projected,
        "goal_min": GOAL_MIN, "load_before": load_before, "load_after": common.load(),
        "cost_per_run_s": run_s / report.total if report.total else 0.0,
        "cluster_workers": CLUSTER_WORKERS, "projected_cluster_min": cluster,
    }


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--spec", type=Path, default=MAIN_SPEC)
    ap.add_argument("--quick", action="store_true", help="200 generations per run (a smoke test)")
    args = ap.parse_args()
    common.print_json(measure(args.workers, args.quick, args.spec.resolve()))

"""Projected wall time of the full main experiment, from a one-seed run of its spec.

`python bench/main_projection.py [--workers N]` prints it alone. The main experiment is
`scenarios/sweeps/main.toml` (5 scenarios x 4 mirror costs x 3 population sizes x `seeds` seeds
of 3000 generations). Its one-seed version (the same spec with `seeds = 1`, 60 runs) is run
through `evo.run.sweep.run_sweep` on `workers` local processes, timed whole (worker start-up
included), and the full time projected as wall x seeds: every seed repeats the same 60 runs'
work, and the sweep balances them over the workers.
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

MAIN_SPEC = common.ROOT / "scenarios" / "sweeps" / "main.toml"
GOAL_MIN = 20.0


def measure(workers: int = 2, quick: bool = False) -> dict:
    """Run main.toml with one seed (or, with `quick`, 300 generations of it) and project."""
    from evo.run.sweep import parse_spec, run_sweep

    data = tomllib.loads(MAIN_SPEC.read_text())
    full_seeds = int(data["seeds"])
    one_seed = {**data, "seeds": 1}
    if quick:
        one_seed["generations"] = 300
    spec = parse_spec(one_seed, source=f"{MAIN_SPEC} with seeds = 1")
    load_before = common.load()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        report = run_sweep(spec, Path(tmp) / "main1", workers=workers, progress=False)
        wall = time.perf_counter() - t0
    if report.failed:
        raise RuntimeError(f"{report.failed} runs of the one-seed main experiment failed")
    projected = wall * full_seeds / 60.0
    return {
        "spec": str(MAIN_SPEC.relative_to(common.ROOT)), "workers": workers, "quick": quick,
        "runs_one_seed": report.total,
        "seeds_full": full_seeds, "wall_s_one_seed": wall, "projected_min": projected,
        "goal_min": GOAL_MIN, "load_before": load_before, "load_after": common.load(),
    }


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="300 generations per run (a smoke test)")
    args = ap.parse_args()
    common.print_json(measure(args.workers, args.quick))

"""Sweep scaling: a 20-run `coevolution` sweep through `evo.run.sweep.run_sweep` on 1 and 2 workers.

`python bench/sweep_scaling.py [--quick]` prints it alone.
"""

from __future__ import annotations

try:
    from bench import common
except ModuleNotFoundError:  # run as a script: bench/ is on sys.path, the repository is not
    import common  # type: ignore[no-redef]

import sys
import tempfile
import time
from pathlib import Path


def bench_sweep(runs: int, generations: int, workers_list=(1, 2)) -> dict:
    from evo.run.sweep import parse_spec, run_sweep

    spec = parse_spec({"scenario": "coevolution", "seeds": runs, "generations": generations,
                       "root_seed": 20240601}, source="bench")
    out: dict = {"runs": runs, "generations": generations, "scenario": "coevolution",
                 "engine": "local (evo.run.sweep.run_sweep)"}
    for workers in workers_list:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            report = run_sweep(spec, Path(tmp) / "sweep", workers=workers, progress=False)
            out[f"wall_s_{workers}"] = time.perf_counter() - t0
            if report.failed:
                raise RuntimeError(f"{report.failed} sweep runs failed")
    out["speedup"] = out["wall_s_1"] / out["wall_s_2"]
    return out


def measure(quick: bool = False) -> dict:
    return bench_sweep(20, 40 if quick else 1000)  # 1000 generations: a third of a coevolution run


if __name__ == "__main__":
    common.print_json(measure("--quick" in sys.argv))

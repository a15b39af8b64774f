"""Shared by the sweep tests: specs, readers of a sweep folder, a recording stand-in."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from evo.run.runner import simulate

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


def tiny_run(scenario, *, seed, generations, overrides):
    return pl.DataFrame({"generation": [0, 1], "tool_complexity": [0.0, float(seed % 7)]})


def truncate(path: Path) -> bytes:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path.read_bytes()

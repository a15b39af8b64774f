"""Synthetic run and sweep directories that follow the result contracts, for the analysis tests."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl

from analysis.roles import ARCHETYPES

GENERATIONS = 300


def logistic(t: np.ndarray, t0: float, r: float, k: float = 1.0) -> np.ndarray:
    return k / (1.0 + np.exp(-r * (t - t0)))


def generation_table(
    rng: np.random.Generator, burst_at: float | None, mirror_lead: float = 30.0,
    mirror_fixed: float | None = None, generations: int = GENERATIONS,
) -> pl.DataFrame:
    """One run's table: a cultural burst at ``burst_at`` (None: flat), mirror rising earlier."""
    t = np.arange(generations, dtype=float)
    noise = lambda s: s * rng.normal(size=t.size)  # noqa: E731
    if burst_at is None:
        culture = np.zeros_like(t)
        mirror = np.full_like(t, 0.2) if mirror_fixed is None else np.full_like(t, mirror_fixed)
    else:
        culture = logistic(t, burst_at, 0.15)
        mirror = (0.2 + 0.6 * logistic(t, burst_at - mirror_lead, 0.08) if mirror_fixed is None
                  else np.full_like(t, mirror_fixed))
    return pl.DataFrame({
        "generation": t.astype(np.int64),
        "population": np.full(t.size, 200, dtype=np.int64),
        "mirror_mean": mirror + noise(0.01),
        "mirror_sd": np.full(t.size, 0.05),
        "mirror_effective_mean": mirror + noise(0.01),
        "tool_skill_mean": culture * 5 + noise(0.1),
        "tool_skill_max": culture * 8 + noise(0.1),
        "tool_complexity": 3 + 100 * culture + noise(2.0),
        "gesture_success": 0.2 + 0.7 * culture + noise(0.02),
        "lexicon_size": np.full(t.size, 10, dtype=np.int64),
        "lexicon_coherence": 0.3 + 0.6 * culture + noise(0.02),
        "fitness_mean": np.ones(t.size),
    })


def write_run(folder: Path, seed: int = 0, burst_at: float | None = 150.0,
              scenario: str = "coevolution") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    table = generation_table(np.random.default_rng(seed), burst_at)
    table.write_parquet(folder / "generations.parquet")
    meta = {"scenario": scenario, "seed": seed, "params": {"population": 200},
            "generations": GENERATIONS, "versions": {}, "wall_time_s": 1.0}
    (folder / "run.json").write_text(json.dumps(meta))
    return folder


# Scenario -> (probability of a burst, mirror fixed at, description)
SCENARIOS = {
    "coevolution": (1.0, None),
    "fixed_low": (0.0, 0.1),
    "fixed_high": (1.0, 0.9),
    "demography": (0.0, None),
}
#: The account and role each scenario file declares (the archetype's, for the names above).
DECLARED = {a.name: (a.account, a.role) for a in ARCHETYPES}


def write_sweep(folder: Path, seeds: int = 3, scenarios: dict | None = None,
                n_errors: int = 1, root_seed: int = 7) -> Path:
    """A sweep over mirror_cost x population with the given scenarios (default ``SCENARIOS``)."""
    scenarios = scenarios or SCENARIOS
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "generations").mkdir()
    rng = np.random.default_rng(root_seed)
    rows, parts = [], []
    run_id = 0
    for name, (p_burst, fixed) in scenarios.items():
        for cost in (0.0, 0.05):
            for pop in (100, 300):
                for seed in range(seeds):
                    bursts = rng.random() < p_burst
                    table = generation_table(rng, rng.uniform(120, 180) if bursts else None,
                                             mirror_fixed=fixed)
                    status = "error" if run_id < n_errors else "ok"
                    account, role = DECLARED.get(name, ("none", "variant"))
                    rows.append({"run_id": run_id, "scenario": name, "seed": 1000 + seed,
                                 "account": account, "role": role,
                                 "mirror_cost": cost, "population": pop, "status": status,
                                 "error": "boom" if status == "error" else None,
                                 "wall_time_s": 0.5, "final_tool_complexity": 1.0})
                    if status == "ok":
                        parts.append(table.with_columns(pl.lit(run_id).alias("run_id")))
                    run_id += 1
    for i in range(0, len(parts), 8):
        pl.concat(parts[i:i + 8]).write_parquet(folder / "generations" / f"part-{i:07d}.parquet")
    pl.DataFrame(rows).write_parquet(folder / "runs.parquet")
    spec = {"scenario": list(scenarios), "seeds": seeds,
            "grid": {"mirror_cost": [0.0, 0.05], "population": [100, 300]}}
    meta = {"spec": spec, "varied": ["mirror_cost", "population"], "root_seed": root_seed,
            "n_runs": run_id}
    (folder / "sweep.json").write_text(json.dumps(meta))
    return folder

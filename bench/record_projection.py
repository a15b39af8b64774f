"""The record through time: one 250-kyr run of the Middle Stone Age world, and what the record's
sweep and its model choice cost, projected from measured simulations.

`python bench/record_projection.py [--quick]` prints it alone. One run of each scenario the
`msa` sweep names (`scenarios/sweeps/msa.toml`: 10,000 generations, 300-50 ka) is timed on one
core through `evo.run.runner.simulate`; the sweep is projected from them (each run's time x its
seeds, over 2 workers, and over a Dask cluster of `CLUSTER_WORKERS`, never under the longest run).
One simulation of each account of the model choice (`scenarios/sweeps/choice.toml`: the run and
its Kline & Boyd islands, `evo.run.choose.model.run_summaries`) is timed the same way, and the
full budget (`max_simulations` simulations, the accounts in equal shares) projected onto 2 cores
and onto the cluster. With `--quick` the runs are 1,000 generations and the times scaled up by
10 (a smoke test, not a measurement).
"""

from __future__ import annotations

try:
    from bench import common
except ModuleNotFoundError:  # run as a script: bench/ is on sys.path, the repository is not
    import common  # type: ignore[no-redef]

import argparse
import dataclasses
import time
import tomllib

from bench.main_projection import CLUSTER_WORKERS, cluster_minutes

MSA_SPEC = common.ROOT / "scenarios" / "sweeps" / "msa.toml"
CHOICE_SPEC = common.ROOT / "scenarios" / "sweeps" / "choice.toml"
LONG_RUN_GOAL_S = 60.0  # "a 240,000-year run in about a minute"
QUICK_GENERATIONS = 1_000


def _timed(function) -> float:
    t0 = time.perf_counter()
    function()
    return time.perf_counter() - t0


def measure(quick: bool = False) -> dict:
    """Seconds per msa run and per choice simulation, and the projections."""
    from evo.run.choose.cli import known_point
    from evo.run.choose.model import run_summaries
    from evo.run.choose.spec import load_choice_spec
    from evo.run.runner import simulate

    spec = tomllib.loads(MSA_SPEC.read_text())
    seeds = int(spec.get("seeds", 1))
    scale = 10_000 / QUICK_GENERATIONS if quick else 1.0
    generations = QUICK_GENERATIONS if quick else None
    load_before = common.load()
    runs = {name: scale * _timed(lambda n=name: simulate(n, seed=1, generations=generations))
            for name in spec["designs"]}
    choice = load_choice_spec(CHOICE_SPEC)
    per_sim = {}
    shorter = dataclasses.replace(choice, time_scale=1 / scale) if quick else choice
    for index, account in enumerate(choice.accounts):  # at the recovery's known point
        point = known_point(choice, index)
        per_sim[account.name] = scale * _timed(
            lambda a=account, v=point: run_summaries(shorter, a, v, seed=1))
    mean_sim = sum(per_sim.values()) / len(per_sim)
    budget = choice.budget.max_simulations
    run_s = list(runs.values())
    return {
        "quick": quick, "load_before": load_before, "load_after": common.load(),
        "msa_run_s": runs, "msa_run_goal_s": LONG_RUN_GOAL_S,
        "msa_sweep_runs": seeds * len(runs),
        "msa_sweep_min_2_workers": sum(run_s) * seeds / 2 / 60.0,
        "msa_sweep_min_cluster": cluster_minutes(run_s, [seeds] * len(run_s), CLUSTER_WORKERS, 1.0),
        "choice_sim_s": per_sim, "choice_max_simulations": budget,
        "choice_hours_2_cores": mean_sim * budget / 2 / 3600.0,
        "choice_hours_cluster": mean_sim * budget / CLUSTER_WORKERS / 3600.0,
        "cluster_workers": CLUSTER_WORKERS,
    }


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1,000-generation runs, scaled (a smoke test)")
    common.print_json(measure(ap.parse_args().quick))

"""A whole `coevolution` run of evo against the same model written per agent (plain Mesa).

`python bench/whole_run.py [--quick]` prints it alone: `evo.run.runner.simulate` (agent_sync lazy and
step) against `bench.plain_mesa.PlainMirrorModel` over the same generations from the same start,
and a check that both are the same model (mean tool complexity at two fixed mirror strengths).
"""

from __future__ import annotations

try:
    from bench import common
except ModuleNotFoundError:  # run as a script: bench/ is on sys.path, the repository is not
    import common  # type: ignore[no-redef]

import sys
import time

import numpy as np

from bench import plain_mesa
from evo.run.runner import resolve_params, simulate


def bench_whole_run(n: int, generations: int, evo_repeats: int) -> dict:
    """`simulate('coevolution')` (lazy and step) vs PlainMirrorModel over the same generations."""
    overrides = {"population": n, **plain_mesa.RULES_WRITTEN}
    out: dict = {"population": n, "generations": generations}
    simulate("coevolution", seed=0, generations=2, overrides=overrides)  # compile / warm caches
    for sync in ("lazy", "step"):
        times = common.timed(lambda _, s=sync: simulate("coevolution", seed=1, generations=generations,
                                                 overrides={**overrides, "agent_sync": s}),
                      evo_repeats)
        out[f"evo_{sync}_s_per_gen"] = common.median(times) / generations
    params = resolve_params("coevolution", overrides)
    start = time.perf_counter()
    model = plain_mesa.PlainMirrorModel(params, seed=1)
    for _ in range(generations):
        model.step()
    model.datacollector.get_model_vars_dataframe()
    out["plain_s_per_gen"] = (time.perf_counter() - start) / generations
    for sync in ("lazy", "step"):
        out[f"speedup_{sync}"] = out["plain_s_per_gen"] / out[f"evo_{sync}_s_per_gen"]
    return out


def check_same_model(n: int, generations: int, seeds_evo: int, seeds_plain: int) -> dict:
    """Mean tool_complexity over the last half of the run at fixed mirror 0.6 and 0.2."""
    out = {"population": n, "generations": generations, "mirrors": {}}
    for mirror in (0.6, 0.2):
        overrides = {"population": n, "mutation_rate": 0.0, "mirror_initial": mirror,
                     **plain_mesa.RULES_WRITTEN}
        evo_vals = [
            float(simulate("coevolution", seed=s, generations=generations, overrides=overrides)
                  .table["tool_complexity"][generations // 2:].mean())
            for s in range(seeds_evo)
        ]
        params = resolve_params("coevolution", overrides)
        plain_vals = []
        for s in range(seeds_plain):
            model = plain_mesa.PlainMirrorModel(params, seed=1000 + s)
            for _ in range(generations):
                model.step()
            tc = model.datacollector.get_model_vars_dataframe()["tool_complexity"].to_numpy()
            plain_vals.append(float(tc[generations // 2 + 1:].mean()))
        sd = float(np.std(evo_vals, ddof=1))
        diff = abs(np.mean(plain_vals) - np.mean(evo_vals))
        out["mirrors"][str(mirror)] = {
            "evo": evo_vals, "plain": plain_vals, "evo_mean": float(np.mean(evo_vals)),
            "evo_sd": sd, "plain_mean": float(np.mean(plain_vals)),
            "agree": bool(diff <= 3 * sd + 0.05 * abs(np.mean(evo_vals))),
        }
    out["agree"] = all(v["agree"] for v in out["mirrors"].values())
    return out


def measure(quick: bool = False) -> dict:
    out = {"whole_run": bench_whole_run(1000, 5 if quick else 30, 3 if quick else 5)}
    out["same_model"] = check_same_model(100, 40, 4, 2) if quick else check_same_model(200, 80, 8, 3)
    return out


if __name__ == "__main__":
    common.print_json(measure("--quick" in sys.argv))

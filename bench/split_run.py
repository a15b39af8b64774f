"""Where a `coevolution` run's wall time goes: kernels, numpy glue, Mesa bookkeeping, recording.

`python bench/split_run.py [--quick]` prints it alone. `MirrorModel`'s methods and the kernels
are wrapped with perf_counter accumulators (no edits to `evo`), with `agent_sync = "step"` and
`"lazy"`; plus what recording and one Mesa agent's birth and death cost.
"""

from __future__ import annotations

try:
    from bench import common
except ModuleNotFoundError:  # run as a script: bench/ is on sys.path, the repository is not
    import common  # type: ignore[no-redef]

import sys
import time

import polars as pl

import scenarios
from evo.core import kernels
from evo.core.metrics import GENERATION_SCHEMA, lexicon_measures
from evo.core.model import MirrorModel
from evo.run.runner import resolve_params

KERNEL_NAMES = ("camp_members", "choose_parents", "inherit", "gesture_generation",
                "preferred_variants", "tool_learning", "learn_behaviour", "fitness", "migrate")
RULE_METHODS = ("_reproduce", "_communicate", "_learn", "_evaluate_fitness")


def _accumulate(acc: dict, key: str, fn):
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            acc[key] = acc.get(key, 0.0) + time.perf_counter() - t0
    return wrapper


def split_run(n: int, generations: int, sync: str) -> dict:
    """Run a coevolution model like `evo.run.runner.simulate` with every phase timed."""
    params = resolve_params("coevolution", {"population": n, "agent_sync": sync})
    acc: dict[str, float] = {}
    saved = {name: getattr(kernels, name) for name in KERNEL_NAMES}
    try:
        for name in KERNEL_NAMES:  # evo.core.model calls them as kernels.<name>
            setattr(kernels, name, _accumulate(acc, "kernel:" + name, saved[name]))
        model = MirrorModel(params, seed=3, events=scenarios.load("coevolution").events)
        for name in (*RULE_METHODS, "sync_agents", "record"):
            setattr(model, name, _accumulate(acc, name, getattr(model, name)))
        acc.clear()  # founding is not part of the generations
        start = time.perf_counter()
        rows = [model.record()]
        step_s = 0.0
        for _ in range(generations):
            t0 = time.perf_counter()
            model.step()
            step_s += time.perf_counter() - t0
            rows.append(model.last_row)
        t0 = time.perf_counter()
        pl.DataFrame(rows, schema=GENERATION_SCHEMA)
        acc["table"] = time.perf_counter() - t0
        wall = time.perf_counter() - start
    finally:
        for name, fn in saved.items():
            setattr(kernels, name, fn)
    kernel_s = sum(v for k, v in acc.items() if k.startswith("kernel:"))
    rules_s = sum(acc.get(k, 0.0) for k in RULE_METHODS) + acc.get("kernel:migrate", 0.0)
    mesa_s = acc.get("sync_agents", 0.0)
    record_s = acc.get("record", 0.0) + acc["table"]
    other_s = wall - rules_s - mesa_s - record_s
    return {
        "agent_sync": sync, "population": n, "generations": generations, "wall_s": wall,
        "ms_per_gen": 1e3 * wall / generations,
        "kernels_numba_s": kernel_s,
        "model_rules_s": rules_s,
        "mesa_bookkeeping_s": mesa_s,
        "recording_s": record_s,
        "other_s": other_s,
        "share": {
            "kernels_numba": kernel_s / wall,
            "model_rules_glue": (rules_s - kernel_s) / wall,
            "mesa_bookkeeping": mesa_s / wall,
            "recording": record_s / wall,
            "other": other_s / wall,
        },
        "bookkeeping_plus_recording_share": (mesa_s + record_s) / wall,
        "detail_s": {k: round(v, 5) for k, v in sorted(acc.items())},
    }


def bench_suggestions(n: int, repeats: int) -> dict:
    """Numbers behind the suggestions for evo/: recording and Mesa agent churn."""
    out = {}
    sim = MirrorModel(resolve_params("coevolution", {"population": n}), seed=4)
    for _ in range(20):
        sim.step()
    st = sim.state
    slots = st.alive_slots()
    pref = kernels.preferred_variants(st, slots)
    grp = st.camp[slots]
    out["lexicon_measures_ms"] = 1e3 * common.median(
        common.timed(lambda _: lexicon_measures(pref, grp), repeats))
    out["record_ms"] = 1e3 * common.median(common.timed(lambda _: sim.record(), repeats))
    # Mesa churn: what one agent's birth (create + place) and death (remove) cost
    from evo.core.agents import Individual

    cell = sim.camp_cells[0]
    k = 2000
    t0 = time.perf_counter()
    made = [Individual(sim, 0) for _ in range(k)]
    t1 = time.perf_counter()
    for agent in made:
        agent.cell = cell
    t2 = time.perf_counter()
    for agent in made:
        agent.remove()
    t3 = time.perf_counter()
    out["agent_create_us"] = 1e6 * (t1 - t0) / k
    out["agent_place_us"] = 1e6 * (t2 - t1) / k
    out["agent_remove_us"] = 1e6 * (t3 - t2) / k
    return out


def measure(quick: bool = False) -> dict:
    return {"split": [split_run(1000, 50 if quick else 300, sync) for sync in ("lazy", "step")],
            "suggestions": bench_suggestions(1000, 20)}


if __name__ == "__main__":
    common.print_json(measure("--quick" in sys.argv))

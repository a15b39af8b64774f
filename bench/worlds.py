"""Cost per agent-generation across world sizes, camp counts and tool types, and the long world.

`python bench/worlds.py [--quick]` prints it alone. Every world runs the `coevolution` settings
with the genetic mirror held at 0.6 (`mirror_initial = 0.6`, no spread, `mutation_rate = 0`, as in
`bench/agent_generation.py`), `agent_sync = "lazy"`, one process, one numba thread. A cost is the
wall time of `MirrorModel.step()` (the generation and its recorded row) over a window of
generations after a warm-up, divided by (generations x N).

Ratios are measured side by side: the reference world and the world compared with it are timed in
turn (A B A B ...) in one process, and the ratio is the median of the pairs' ratios, so that a
change in the machine's load moves both alike.

- `people`: 1e6 people in 4 camps (2 x 2) and in 10,000 camps (100 x 100) against N = 400 in 4
  camps (the reference regime): the cost should stay flat in people (goal <= 2x);
- `lineages`: 64 tool lineages against 8, N = 3,200 in 8 x 8 camps (goal <= 2.5x);
- `long_world`: the reference long world, 3,200 people in 64 camps (8 x 8), 64 lineages, 10,000
  generations (240 kyr at 25 years a generation): timed whole when its first 1,000 generations
  project to within twice the goal, else projected from them; with `--quick` projected from its
  first 300 (goal <= 60 s on one core);
- `long_world_split`, `people_4_camps_split`: where one generation of the long world and of 1e6
  people in 4 camps goes (the tool and gesture kernels, fitness and migration, the recorded row,
  the rest), each timed by wrapping it as `bench/split_run.py` does.
"""

from __future__ import annotations

try:
    from bench import common
except ModuleNotFoundError:  # run as a script: bench/ is on sys.path, the repository is not
    import common  # type: ignore[no-redef]

import statistics
import sys
import time

from bench.split_run import _accumulate
from evo.core import kernels
from evo.core.model import MirrorModel
from evo.run.runner import resolve_params

HELD_MIRROR = {"mirror_initial": 0.6, "mirror_initial_sd": 0.0, "mutation_rate": 0.0,
               "agent_sync": "lazy"}
REFERENCE = {"population": 400, "camps_x": 2, "camps_y": 2, "lineages": 8}
MILLION_4 = {"population": 1_000_000, "camps_x": 2, "camps_y": 2, "lineages": 8}
MILLION_10000 = {"population": 1_000_000, "camps_x": 100, "camps_y": 100, "lineages": 8}
LINEAGES_8 = {"population": 3_200, "camps_x": 8, "camps_y": 8, "lineages": 8}
LINEAGES_64 = {**LINEAGES_8, "lineages": 64}
LONG_WORLD = {**LINEAGES_64, "generations": 10_000}
LONG_GOAL_S = 60.0
FIRST = 1_000  # generations of the long world timed before deciding to time the rest


def params_of(world: dict):
    return resolve_params("coevolution", {**HELD_MIRROR, **world})


def step_us(world: dict, warmup: int, generations: int, seed: int = 1) -> float:
    """Microseconds per agent-generation of `MirrorModel.step()` over `generations` after `warmup`."""
    params = params_of(world)
    model = MirrorModel(params, seed=seed)
    for _ in range(warmup):
        model.step()
    t0 = time.perf_counter()
    for _ in range(generations):
        model.step()
    return 1e6 * (time.perf_counter() - t0) / (generations * params.population)


def side_by_side(reference: tuple, other: tuple, repeats: int) -> dict:
    """(reference, other) each as (world, warm-up, generations), timed in turn `repeats` times."""
    ref_us, other_us = [], []
    for r in range(repeats):
        ref_us.append(step_us(*reference, seed=1 + r))
        other_us.append(step_us(*other, seed=1 + r))
    ratios = [o / f for o, f in zip(other_us, ref_us, strict=True)]
    return {"reference_us": ref_us, "us": other_us, "ratio": statistics.median(ratios),
            "ratios": ratios, "reference_world": reference[0], "world": other[0],
            "load": common.load()}


def long_world(quick: bool) -> dict:
    """The reference long world: its first `FIRST` generations timed; then the rest too when they
    project to within twice the goal (else the whole is projected from them). With `quick`, 300
    generations, projected."""
    params = params_of(LONG_WORLD)
    step_us({**LONG_WORLD, "population": 400, "camps_x": 2, "camps_y": 2}, 1, 1)  # compile
    model = MirrorModel(params, seed=1)
    first = 300 if quick else FIRST
    t0 = time.perf_counter()
    for _ in range(first):
        model.step()
    generations = first
    if not quick and (time.perf_counter() - t0) * params.generations / first <= 2 * LONG_GOAL_S:
        for _ in range(params.generations - first):
            model.step()
        generations = params.generations
    wall = time.perf_counter() - t0
    return {"world": LONG_WORLD, "generations_timed": generations, "wall_s": wall,
            "seconds": wall * params.generations / generations,
            "projected": generations < params.generations,
            "us_per_agent_generation": 1e6 * wall / (generations * params.population),
            "goal_s": LONG_GOAL_S, "load": common.load()}


SPLIT_KERNELS = ("tool_learning", "gesture_generation", "fitness_then_migrate")


def split(world: dict, warmup: int, generations: int) -> dict:
    """Milliseconds per generation of `world` by part, and each part's share."""
    params = params_of(world)
    acc: dict[str, float] = {}
    saved = {name: getattr(kernels, name) for name in SPLIT_KERNELS}
    try:
        for name in SPLIT_KERNELS:  # evo.core.model calls them as kernels.<name>
            setattr(kernels, name, _accumulate(acc, name, saved[name]))
        model = MirrorModel(params, seed=1)
        model.record = _accumulate(acc, "record", model.record)
        for _ in range(warmup):
            model.step()
        acc.clear()
        t0 = time.perf_counter()
        for _ in range(generations):
            model.step()
        wall = time.perf_counter() - t0
    finally:
        for name, fn in saved.items():
            setattr(kernels, name, fn)
    parts = {name: acc.get(name, 0.0) for name in (*SPLIT_KERNELS, "record")}
    parts["rest"] = wall - sum(parts.values())
    return {"world": world, "generations": generations,
            "ms_per_generation": 1e3 * wall / generations,
            "ms": {k: 1e3 * v / generations for k, v in parts.items()},
            "share": {k: v / wall for k, v in parts.items()}, "load": common.load()}


def measure(quick: bool = False) -> dict:
    step_us(REFERENCE, 1, 1)  # compile every kernel before timing
    ref = (REFERENCE, 50, 100 if quick else 300)
    million = (1, 1) if quick else (1, 2)
    out = {
        "people_4_camps": side_by_side(ref, (MILLION_4, *million), 1 if quick else 2),
        "people_10000_camps": side_by_side(ref, (MILLION_10000, *million), 1 if quick else 2),
        "lineages": side_by_side((LINEAGES_8, 50, 60 if quick else 200),
                                 (LINEAGES_64, 50, 60 if quick else 200), 2 if quick else 3),
        "long_world": long_world(quick),
        "long_world_split": split(LONG_WORLD, 20, 50 if quick else 200),
        "people_4_camps_split": split(MILLION_4, 1, 1),
    }
    return out


if __name__ == "__main__":
    common.print_json(measure("--quick" in sys.argv))

"""Cost of one agent-generation in the main experiment's regime, against two references.

`python bench/agent_generation.py` prints it alone. The reference regime: the `coevolution`
settings (N = 400 in 4 camps, its learning budget, 20 gesture episodes per person, 8 tool
lineages), mirror fixed at 0.6 (`mirror_initial = 0.6`, no spread, `mutation_rate = 0`) so that
tools and gestures are both active, `agent_sync = "lazy"`, 300 generations, in one process.

- evo: `evo.run.runner.simulate`, wall time / (generations x N), the median of `repeats` seeds;
- random-number bound: numba drawing only the 175 uniforms one agent-generation needs (20
  gesture episodes x 5 draws + 8 tool copies x about 9, the reference count) from numpy's
  Generator (the reference bound); and the same 175 from the kernels' own stream
  (`evo.core.stream`, xoshiro256** inlined), a stricter bound;
- the model's own draws: what the regime really draws per agent-generation (`model_draws`):
  under discrete generations every one of the N adults has a newborn, and the 20 gesture
  episodes per member count the newborns too, so 40 episodes of 5 uniforms per agent, plus 8
  tool copies of 5 uniforms, one Gumbel (copy and invention in one draw; its two logs included)
  and one uniform for which of the two it was (skipped only when invention cannot win, far above
  the skills of this regime), 3 uniforms per birth and 1 per migration check: 252 uniforms and 8
  Gumbels, drawn from the kernels' stream alone;
- plain Mesa: `bench.plain_mesa.PlainMirrorModel` (one Mesa agent per person, a Python method
  per rule) in the same settings, 20 generations after the first, the median of 3 seeds (as for
  evo). It has no learning budget, a rule that costs evo a little arithmetic per copy, so the
  ratio does not flatter evo.
"""

from __future__ import annotations

try:
    from bench import common
except ModuleNotFoundError:  # run as a script: bench/ is on sys.path, the repository is not
    import common  # type: ignore[no-redef]

import time

import numpy as np

from bench import plain_mesa
from evo.run.runner import resolve_params, simulate

REGIME = {"population": 400, "mirror_initial": 0.6, "mirror_initial_sd": 0.0,
          "mutation_rate": 0.0, "agent_sync": "lazy", **plain_mesa.RULES_WRITTEN}
UNIFORMS_PER_AGENT_GENERATION = 175


def evo_us(generations: int = 300, repeats: int = 3) -> list[float]:
    """Microseconds per agent-generation of `simulate('coevolution')` in the regime, per seed."""
    simulate("coevolution", seed=0, generations=2, overrides=REGIME)  # compile, warm caches
    out = []
    n = REGIME["population"]
    for seed in range(1, repeats + 1):
        t0 = time.perf_counter()
        simulate("coevolution", seed=seed, generations=generations, overrides=REGIME)
        out.append(1e6 * (time.perf_counter() - t0) / (generations * n))
    return out


def bound_us(repeats: int = 7, own_stream: bool = False) -> float:
    """Microseconds numba needs to draw 175 uniforms: from numpy's Generator (the reference bound),
    or with `own_stream` from the kernels' stream."""
    agents = 100_000
    n = UNIFORMS_PER_AGENT_GENERATION
    seconds = (common.stream_bound_seconds(agents, n, 0, repeats) if own_stream
               else common.bound_seconds(agents, n, 0, 0, repeats))
    return 1e6 * seconds / agents


def model_draws(params) -> tuple[int, int]:
    """(uniforms, Gumbels) one agent-generation draws in the regime (see the docstring)."""
    episodes = 2 * params.gesture_episodes  # members per adult: itself and its newborn
    copies = params.lineages * params.learning_episodes
    uniforms = 5 * episodes + copies * (params.demonstrator_sample + 1) + 3 + 1
    return round(uniforms), copies


def model_bound_us(repeats: int = 7) -> float:
    """Microseconds the kernels' stream needs for the model's own draws of one agent-generation."""
    uniforms, gumbels = model_draws(resolve_params("coevolution", REGIME))
    agents = 50_000
    seconds = common.stream_bound_seconds(agents, uniforms, gumbels, repeats)
    return 1e6 * seconds / agents


def plain_us(generations: int = 20, repeats: int = 3) -> list[float]:
    """Microseconds per agent-generation of the plain Mesa model in the regime, per seed."""
    params = resolve_params("coevolution", REGIME)
    out = []
    for seed in range(1, repeats + 1):
        model = plain_mesa.PlainMirrorModel(params, seed=seed, record=True)
        model.step()  # the first generation: inventories start empty
        t0 = time.perf_counter()
        for _ in range(generations):
            model.step()
        out.append(1e6 * (time.perf_counter() - t0) / (generations * params.population))
    return out


def measure(quick: bool = False) -> dict:
    common.compile_bounds()
    generations = 60 if quick else 300
    evo = evo_us(generations, 2 if quick else 3)
    bound = bound_us(3 if quick else 7)
    own_bound = bound_us(3 if quick else 7, own_stream=True)
    model_bound = model_bound_us(3 if quick else 7)
    plain_runs = plain_us(3 if quick else 20, 2 if quick else 3)
    plain = float(np.median(plain_runs))  # the same statistic as evo's: the median of the seeds
    evo_us_median = float(np.median(evo))
    return {
        "regime": {"scenario": "coevolution", **REGIME, "generations": generations},
        "evo_us": evo_us_median, "evo_us_runs": evo, "bound_us": bound, "plain_us": plain,
        "plain_us_runs": plain_runs,
        "stream_bound_us": own_bound, "evo_over_stream_bound": evo_us_median / own_bound,
        "bound_uniforms": UNIFORMS_PER_AGENT_GENERATION,
        "model_draws": model_draws(resolve_params("coevolution", REGIME)),
        "model_bound_us": model_bound, "evo_over_model_bound": evo_us_median / model_bound,
        "evo_over_bound": evo_us_median / bound, "plain_over_evo": plain / evo_us_median,
        "load": common.load(),
    }


if __name__ == "__main__":
    common.print_json(measure())

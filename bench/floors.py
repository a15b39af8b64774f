"""The least an update of this model's rules can cost: its draws and reads, without its logic.

`python bench/floors.py [--quick]` prints it alone. A run of each main scenario (N = 1,600, the
main experiment's largest size, 3/4 of its agent-generations) is stepped to generation `warm`;
then the arguments of one generation's gesture and tool kernels are captured, and each kernel is
timed on copies of them against two stripped versions of itself:

- gesture episode, *floor*: the episode's five draws (speaker, hearer, meaning, variant, parity)
  and its reads and writes (the speaker's uttered variant, the hearer's parity genes and a
  fixed-length, branch-free scan of its inventory row, both partners' counts), with none of the
  naming game's decisions; *draws*: the five draws alone;
- tool copy, *floor*: the demonstrator's draws and skill reads as the scenario's rule makes them
  (Henrich's best adult of the camp: no draw; best of s sampled: s draws), the Gumbel and the
  uniform of `kernels.tools._best_of_copy_and_invention`, and the learner's write; *floor + rule
  functions*: plus the exp and log1p of the Gumbel-max mode.

Besides the main scenarios, the reference long world of `bench/worlds.py` (3,200 people in 64
camps, 64 lineages, mirror held at 0.6) is captured at generation `LONG_WARM` + 1, and its floors
are projected to its 10,000 generations: the least time the two kernels alone could take.

Per agent-generation the main experiment's regime plays `episodes_per_agent` = 40 episodes (20 per
member, newborns included, under discrete generations) and `copies_per_agent` copies (one per
lineage and learning episode), so the
floors say how much of a wall-time budget no rewrite of the rules' logic can win back.
"""

from __future__ import annotations

try:
    from bench import common
except ModuleNotFoundError:  # run as a script: bench/ is on sys.path, the repository is not
    import common  # type: ignore[no-redef]

import sys

import numpy as np
from numba import njit

import scenarios
from evo.core import kernels, stream
from evo.core.kernels.tools import _best_adults
from evo.core.model import MirrorModel
from evo.run.runner import resolve_params

SCENARIOS = ("coevolution", "fixed_low", "fixed_high")
GESTURE_DRAWS = 5  # per episode: speaker, hearer, meaning, variant, parity
LONG_WARM = 300  # generations of the long world before its kernels' arguments are captured


def tool_draws(sample: int) -> int:
    """Draws per tool copy: `sample` demonstrators (0 for Henrich's best), the Gumbel, one uniform."""
    return sample + 2


@njit(cache=True)
def gesture_floor(rng, state, camps, episodes_per_camp, reads: bool) -> int:
    """The draws (and with `reads` the reads and writes) of `kernels.gesture_generation`."""
    acc = 0
    n_meanings, n_variants = state.gestures.shape[1], state.gestures.shape[2]
    for c in range(camps.start.size - 1):
        lo, n = camps.start[c], camps.start[c + 1] - camps.start[c]
        s_lo, n_speakers = camps.adult_start[c], camps.adult_start[c + 1] - camps.adult_start[c]
        if n < 2 or n_speakers == 0:
            continue
        for _ in range(episodes_per_camp[c]):
            s_draw = stream.below(rng, n_speakers)
            h_draw = stream.below(rng, n)
            m = stream.below(rng, n_meanings)
            if not reads:
                acc += s_draw + h_draw + m + stream.below(rng, 3) + (stream.uniform(rng) < 0.5)
                continue
            s, h = camps.adults[s_lo + s_draw], camps.members[lo + h_draw]
            word = state.gestures[s, m, stream.below(rng, max(state.n_known[s, m], 1))]
            parity = kernels.effective_mirror(state.g_mirror[h], state.m_learned[h])
            heard = stream.uniform(rng) < parity
            known = 0
            for j in range(n_variants):
                known += (state.gestures[h, m, j] == word) & (j < state.n_known[h, m])
            ok = heard & (known > 0)
            state.attempts[s] += 1
            state.attempts[h] += 1
            state.successes[s] += ok
            state.successes[h] += ok
            acc += ok
    return acc


@njit(cache=True)
def tool_floor(rng, skill, camp, adult_start, adults, best_adult, learners, sample: int,
               rule_functions: bool) -> float:
    """The draws, demonstrator reads and learner writes of `kernels.tools._tool_learning`
    (innovation always on; the demonstrator the best of `sample` drawn, or with `sample` 0 the
    camp's best, `best_adult[c, k]`), with or without the Gumbel-max mode's exp and log1p."""
    acc = 0.0
    for li in range(learners.size):
        i = learners[li]
        lo, n_adults = adult_start[camp[i]], adult_start[camp[i] + 1] - adult_start[camp[i]]
        if n_adults == 0:
            continue
        for k in range(skill.shape[1]):
            best = skill[best_adult[camp[i], k], k] if sample == 0 else -np.inf
            for _ in range(sample):
                best = max(best, skill[adults[lo + stream.below(rng, n_adults)], k])
            value = best + stream.gumbel(rng)
            acc += stream.uniform(rng)
            if rule_functions:
                gap = -1.0 - best
                value += np.log1p(np.exp(gap)) + 1.0 / (1.0 + np.exp(gap))
            skill[i, k] = value
    return acc


def capture(scenario: str, population: int, warm: int, overrides: dict | None = None) -> dict:
    """The model and its kernels' arguments in generation warm + 1 of a `scenario` run."""
    spec = scenarios.load(scenario)
    params = resolve_params(spec, {"population": population, **(overrides or {})}, None)
    model = MirrorModel(params, seed=5, events=spec.events)
    for _ in range(warm):
        model.step()
    captured: dict = {}
    saved = {name: getattr(kernels, name) for name in ("gesture_generation", "tool_learning")}

    def grab(name):
        def wrapper(rng, state, *rest):
            captured[name] = (rng.copy(), _copy(state), *rest)
            return saved[name](rng, state, *rest)
        return wrapper

    try:
        for name in saved:  # evo.core.model calls them as kernels.<name>
            setattr(kernels, name, grab(name))
        model.step()
    finally:
        for name, fn in saved.items():
            setattr(kernels, name, fn)
    return {"model": model, **captured}


def _copy(state):
    return state._replace(**{f: getattr(state, f).copy() for f in state._fields})


def _ns_per(update_count: int, calls: dict, repeats: int) -> dict:
    """Best nanoseconds per update of each callable (interleaved repeats, fresh copies)."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, (fn, setup) in calls.items():
            times[name] += common.timed(fn, 1, setup)
    return {name: 1e9 * min(t) / update_count for name, t in times.items()}


def demonstrators(rule, state, camps) -> tuple[np.ndarray, int]:
    """(best adult per camp and lineage, demonstrators drawn per copy) of the tool rule: Henrich's
    best gives 0 draws, sample_best `demonstrator_sample`."""
    best = np.full((camps.adult_start.size - 1, state.skill.shape[1]), -1, np.int64)
    if rule.demonstrator == kernels.RULE_BEST:
        _best_adults(state.skill, camps.adult_start, camps.adults, best)
        return best, 0
    if rule.demonstrator != kernels.RULE_SAMPLE_BEST:
        raise ValueError("bench/floors.py models the best and sample_best demonstrator rules only")
    return best, rule.demonstrator_sample


def measure_scenario(scenario: str, population: int, warm: int, repeats: int,
                     overrides: dict | None = None, label: str | None = None) -> dict:
    got = capture(scenario, population, warm, overrides)
    rng, state, rule, camps, episodes, counters = got["gesture_generation"]
    g = _ns_per(int(episodes.sum()), {
        "real": (lambda a: kernels.gesture_generation(a[0], a[1], rule, camps, episodes, a[2]),
                 lambda: (rng.copy(), _copy(state), counters.copy())),
        "floor": (lambda a: gesture_floor(a[0], a[1], camps, episodes, True),
                  lambda: (rng.copy(), _copy(state))),
        "draws": (lambda a: gesture_floor(a[0], a[1], camps, episodes, False),
                  lambda: (rng.copy(), _copy(state))),
    }, repeats)
    rng, state, rule, camps, learners, preferred, difficulty, pays = got["tool_learning"]
    best, sample = demonstrators(rule, state, camps)
    t = _ns_per(learners.size * state.skill.shape[1], {
        "real": (lambda a: kernels.tool_learning(a[0], a[1], rule, camps, learners, preferred,
                                                 difficulty, pays),
                 lambda: (rng.copy(), _copy(state))),
        "floor_rule_functions": (lambda a: tool_floor(a[0], a[1].skill, a[1].camp,
                                                      camps.adult_start, camps.adults, best,
                                                      learners, sample, True),
                                 lambda: (rng.copy(), _copy(state))),
        "floor": (lambda a: tool_floor(a[0], a[1].skill, a[1].camp, camps.adult_start,
                                       camps.adults, best, learners, sample, False),
                  lambda: (rng.copy(), _copy(state))),
    }, repeats)
    p = got["model"].params
    return {"scenario": label or scenario, "population": population, "generation": warm + 1,
            "lineages": p.lineages, "generations": p.generations,
            "episodes_per_agent": float(episodes.sum()) / population,
            "copies_per_agent": learners.size * p.lineages * p.learning_episodes / population,
            "tool_draws": tool_draws(sample), "gesture_ns": g, "tool_ns": t}


def per_agent_generation_us(row: dict, which: str) -> float:
    """Microseconds per agent-generation of the two kernels: `which` = "real", "floor" or
    "floor_rule_functions" (the gesture floor with the tool floor plus the rule's exp and log1p)."""
    gesture = "floor" if which == "floor_rule_functions" else which
    return 1e-3 * (row["episodes_per_agent"] * row["gesture_ns"][gesture]
                   + row["copies_per_agent"] * row["tool_ns"][which])


def long_world_seconds(row: dict, which: str) -> float:
    """The two kernels' seconds over a whole run of `row`'s world at `row`'s cost per update."""
    return row["kernels_us"][which] * 1e-6 * row["population"] * row["generations"]


def measure(quick: bool = False) -> dict:
    from bench.worlds import HELD_MIRROR, LONG_WORLD

    population, warm, repeats = (400, 50, 3) if quick else (1600, 1500, 7)
    rows = [measure_scenario(s, population, warm, repeats) for s in SCENARIOS]
    long_world = {**HELD_MIRROR, **LONG_WORLD}
    rows.append(measure_scenario("coevolution", long_world.pop("population"),
                                 50 if quick else LONG_WARM, repeats, long_world, "long world"))
    kinds = ("real", "floor", "floor_rule_functions")
    for row in rows:
        row["kernels_us"] = {w: per_agent_generation_us(row, w) for w in kinds}
    rows[-1]["run_s"] = {w: long_world_seconds(rows[-1], w) for w in kinds}
    return {"rows": rows, "gesture_draws": GESTURE_DRAWS}


if __name__ == "__main__":
    common.print_json(measure("--quick" in sys.argv))

"""Kernel throughput: `evo.core.kernels.tool_learning` and `gesture_generation` against two references.

`python bench/kernel_rates.py [--quick]` prints it alone. At N = 1e3, 1e4, 1e5, in agent-updates
per second (definitions in `bench.report.DEFINITIONS`): numba (evo), the same rule written the
plain Mesa way (`bench/plain_mesa.py`, a Python method per agent) on the same inputs, and the
random-number bound (numba drawing just the random numbers one update needs, from numpy's
Generator and from the kernels' own stream). Also the kernels at
N = 1e5 with narrower arrays and with camp-contiguous slots, to tell whether they wait on memory,
and how camp-contiguous the model's own slots are.
"""

from __future__ import annotations

try:
    from bench import common
except ModuleNotFoundError:  # run as a script: bench/ is on sys.path, the repository is not
    import common  # type: ignore[no-redef]

import sys

import numpy as np

from bench import plain_mesa
from evo.core import kernels, stream
from evo.core.state import PopulationState
from evo.run.runner import resolve_params

SIZES = (1_000, 10_000, 100_000)


def csr(camp: np.ndarray, n_camps: int):
    return kernels.camp_members(camp, np.ones(camp.size, np.bool_), n_camps)


def camp_of_slot(n: int, n_camps: int, contiguous: bool) -> np.ndarray:
    """Camps by slot: interleaved (slot mod n_camps, every cache line mixes camps) or in blocks."""
    slots = np.arange(n, dtype=np.int64)
    return slots * n_camps // n if contiguous else slots % n_camps


def tool_inputs(p, n: int, data: np.random.Generator, contiguous: bool = False):
    """State for tool_learning: n adults (skills N(3, 2)) then n learners, 4 camps interleaved."""
    slots = 2 * n
    st = PopulationState.allocate(slots, p.lineages, p.meanings, p.variants)
    st.alive[:] = True
    st.age[:n] = 1
    st.camp[:n] = camp_of_slot(n, p.n_camps, contiguous)
    st.camp[n:] = camp_of_slot(n, p.n_camps, contiguous)
    st.g_mirror[:] = p.mirror_initial
    st.g_assoc[:] = p.assoc_initial
    skills = data.normal(3.0, 2.0, (n, p.lineages))
    st.skill[:n] = skills
    learners = np.arange(n, 2 * n, dtype=np.int64)
    return st, kernels.camps_of(st, p.n_camps), learners, skills


def gesture_inputs(p, n: int, mirror: float, contiguous: bool = False) -> PopulationState:
    """State for gesture_generation: n adults with empty inventories, genetic mirror `mirror`."""
    st = PopulationState.allocate(n, 0, p.meanings, p.variants)
    st.alive[:] = True
    st.age[:] = 1
    st.camp[:] = camp_of_slot(n, p.n_camps, contiguous)
    st.g_mirror[:] = mirror
    return st


# --- 1 and 2: kernels -------------------------------------------------------------------------


def bench_tool(params, n: int, repeats: int, plain_repeats: int) -> dict:
    """tool_learning: n adults, n learners, 4 camps; numba vs the per-agent method."""
    p = params
    data = np.random.default_rng(n)
    k_lin, m = p.lineages, p.meanings
    st0, camps, learners, skills = tool_inputs(p, n, data)
    preferred = data.integers(-1, 4, (2 * n, m)).astype(np.int64)
    rule = kernels.make_rule(p)
    rng = stream.seeded(np.random.default_rng(1))
    updates = n * k_lin * p.learning_episodes

    inner = max(1, 100_000 // updates)  # calls per timed repeat: >= ~10 ms even at small N

    def run(st):
        for _ in range(inner):
            kernels.tool_learning(rng, st, rule, camps, learners, preferred)

    def fresh():  # skills and learned mirror as before any learning
        return st0._replace(skill=st0.skill.copy(), m_learned=st0.m_learned.copy())

    numba_times = [t / inner for t in common.timed(run, repeats, fresh)]
    numba_s = common.median(numba_times)
    n_uniform = p.demonstrator_sample if p.demonstrator == "sample_best" else 0
    # a copy draws one Gumbel (numpy: an exponential and its log) and, with invention, one more
    # uniform for which of the two won
    n_uniform += p.innovation_rate > 0
    log_rng = np.random.default_rng(8)
    bound_s = common.median(common.timed(
        lambda _: common.draw_log_bound(log_rng, updates, n_uniform, 1), repeats))
    stream_bound_s = common.stream_bound_seconds(updates, n_uniform, 1, repeats)

    _model, plain_learners, by_camp = plain_mesa.tool_setup(p, n, skills, preferred)

    def reset():
        for learner in plain_learners:
            learner.skill = [0.0] * k_lin
            learner.learned = 0.0

    plain_times = common.timed(lambda _: plain_mesa.tool_pass(plain_learners, by_camp), plain_repeats, reset)
    plain_s = common.median(plain_times)
    return {
        "n": n, "updates": updates, "numba_s": numba_s, "plain_s": plain_s,
        "numba_rate": updates / numba_s, "plain_rate": updates / plain_s,
        "speedup": plain_s / numba_s, "bound_s": bound_s, "bound_rate": updates / bound_s,
        "bound_ratio": numba_s / bound_s, "stream_bound_rate": updates / stream_bound_s,
        "stream_bound_ratio": numba_s / stream_bound_s,
        "numba_best_rate": updates / min(numba_times), "plain_best_rate": updates / min(plain_times),
        "numba_repeats": repeats, "numba_calls_per_repeat": inner, "plain_repeats": plain_repeats,
    }


def bench_gesture(params, n: int, repeats: int, plain_repeats: int, per_member: float) -> dict:
    """gesture_generation: n adults in 4 camps, genetic mirror 0.5; `per_member` episodes each."""
    p = params
    mirror = 0.5
    st = gesture_inputs(p, n, mirror)
    camps = kernels.camps_of(st, p.n_camps)
    rule = kernels.make_rule(p)
    counters = np.zeros(3, np.int64)
    episodes = np.rint(per_member * np.diff(camps.start)).astype(np.int64)
    rng = stream.seeded(np.random.default_rng(2))

    def run(_):
        kernels.gesture_generation(rng, st, rule, camps, episodes, counters)

    run(None)  # warm state: inventories as after one pass
    inner = max(1, 100_000 // int(episodes.sum()))  # passes per timed repeat

    def passes(_):
        for _i in range(inner):
            run(None)

    numba_times = [t / inner for t in common.timed(passes, repeats)]
    numba_s = common.median(numba_times)
    updates = int(episodes.sum())
    bound_s = common.bound_seconds(updates, 5, 0, 0, repeats)
    stream_bound_s = common.stream_bound_seconds(updates, 5, 0, repeats)

    model = plain_mesa.gesture_setup(p, n, mirror)
    plain_mesa.gesture_pass(model, per_member)  # the same warm-up pass
    plain_times = common.timed(lambda _: plain_mesa.gesture_pass(model, per_member), plain_repeats)
    plain_s = common.median(plain_times)
    return {
        "n": n, "updates": updates, "numba_s": numba_s, "plain_s": plain_s,
        "numba_rate": updates / numba_s, "plain_rate": updates / plain_s,
        "speedup": plain_s / numba_s, "bound_s": bound_s, "bound_rate": updates / bound_s,
        "bound_ratio": numba_s / bound_s, "stream_bound_rate": updates / stream_bound_s,
        "stream_bound_ratio": numba_s / stream_bound_s, "mirror": mirror,
        "numba_best_rate": updates / min(numba_times), "plain_best_rate": updates / min(plain_times),
        "episodes_per_member": per_member,
        "numba_repeats": repeats, "numba_calls_per_repeat": inner, "plain_repeats": plain_repeats,
    }


def bench_dtypes(n: int, repeats: int) -> dict:
    """The kernels at large N with narrower arrays (float32 skills, int16/int32 ids): memory-bound?"""
    params = resolve_params("coevolution", {})
    out = {"n": n}
    for label, fdt, idt in (("float64_int64", np.float64, np.int64), ("float32_int16", np.float32, np.int16)):
        out[f"tool_{label}_rate"] = _tool_rate(params, n, fdt, idt, repeats)
    for dt in (np.int64, np.int32):
        out[f"gesture_{dt.__name__}_rate"] = _gesture_rate(params, n, dt, repeats)
    out["tool_gain"] = out["tool_float32_int16_rate"] / out["tool_float64_int64_rate"]
    out["gesture_gain"] = out["gesture_int32_rate"] / out["gesture_int64_rate"]
    return out


def bench_layout(n: int, repeats: int) -> dict:
    """The kernels at large N with each camp's members in one block of slots, against interleaved.

    The model's own layout is close to blocks (`model_layout`), so this is what a camp-contiguous
    layout would buy the bench's interleaved inputs, not the model. Inventories as the model's.
    """
    params = resolve_params("coevolution", {})
    out = {"n": n}
    for label, contiguous in (("interleaved", False), ("contiguous", True)):
        out[f"tool_{label}_rate"] = _tool_rate(params, n, np.float64, np.int64, repeats, contiguous)
        out[f"gesture_{label}_rate"] = _gesture_rate(params, n, None, repeats, contiguous)
    out["tool_gain"] = out["tool_contiguous_rate"] / out["tool_interleaved_rate"]
    out["gesture_gain"] = out["gesture_contiguous_rate"] / out["gesture_interleaved_rate"]
    return out


def model_layout(population: int = 1600, generations: int = 50) -> dict:
    """How camp-contiguous the model's own slots are: the share of the living whose next living
    slot (ascending) belongs to the same camp, after `generations` of the coevolution scenario
    (births take the lowest free slots camp by camp; migrants and deaths mix them)."""
    from evo.core.model import MirrorModel

    model = MirrorModel(resolve_params("coevolution", {"population": population}), seed=1)
    for _ in range(generations):
        model.step()
    camps = model.state.camp[model.state.alive_slots()]
    same = float(np.mean(camps[1:] == camps[:-1]))
    return {"population": population, "generations": generations, "same_camp_neighbours": same,
            "blocks_would_give": 1 - (model.params.n_camps - 1) / (camps.size - 1)}


def _tool_rate(p, n, fdt, idt, repeats, contiguous=False) -> float:
    data = np.random.default_rng(n)
    st0, camps, learners, _ = tool_inputs(p, n, data, contiguous)
    st0 = st0._replace(skill=st0.skill.astype(fdt))
    st0.g_mirror[:] = st0.g_assoc[:] = 0.0
    preferred = data.integers(-1, 4, (2 * n, p.meanings)).astype(idt)
    rule = kernels.make_rule(p, demonstrator=kernels.RULE_SAMPLE_BEST, learning_episodes=1,
                             keep_best=True, innovation_rate=1.0)
    rng = stream.seeded(np.random.default_rng(1))

    def run(st):
        kernels.tool_learning(rng, st, rule, camps, learners, preferred)

    def fresh():
        return st0._replace(skill=st0.skill.copy(), m_learned=st0.m_learned.copy())

    return n * p.lineages / common.median(common.timed(run, repeats, fresh))


def _gesture_rate(p, n, dt, repeats, contiguous=False) -> float:
    """Episodes per second; inventories of type `dt`, or None for the model's (`state.NARROW`)."""
    st = gesture_inputs(p, n, 0.5, contiguous)
    if dt is not None:
        st = st._replace(gestures=st.gestures.astype(dt), scores=st.scores.astype(dt),
                         n_known=st.n_known.astype(dt))
    camps = kernels.camps_of(st, p.n_camps)
    rule = kernels.make_rule(p)
    counters = np.zeros(3, np.int64)
    episodes = np.rint(2.0 * np.diff(camps.start)).astype(np.int64)
    rng = stream.seeded(np.random.default_rng(2))

    def run(_):
        kernels.gesture_generation(rng, st, rule, camps, episodes, counters)

    run(None)
    return float(episodes.sum()) / common.median(common.timed(run, repeats))


def measure(quick: bool = False) -> dict:
    """Both kernels at every size, and the narrow-dtype variants at N = 1e5."""
    params = resolve_params("coevolution", plain_mesa.RULES_WRITTEN)  # what the plain twin runs
    bench_tool(params, 100, 1, 1)  # compile
    bench_gesture(params, 100, 1, 1, 1.0)
    common.compile_bounds()
    out: dict = {"tool": [], "gesture": []}
    for n in SIZES:
        plain_rep = {1_000: 3 if quick else 7, 10_000: 1 if quick else 3}.get(n, 1)
        out["tool"].append(bench_tool(params, n, 5 if quick else 15, plain_rep))
        out["gesture"].append(bench_gesture(params, n, 5 if quick else 15, plain_rep,
                                            1.0 if quick else 2.0))
        print(f"  N={n:,}: tool {out['tool'][-1]['speedup']:.0f}x, "
              f"gesture {out['gesture'][-1]['speedup']:.0f}x", flush=True, file=sys.stderr)
    bench_dtypes(1000, 1)  # compile the narrow-dtype specializations
    out["narrow_dtypes"] = bench_dtypes(100_000, 3 if quick else 9)
    out["layout"] = {**bench_layout(100_000, 3 if quick else 9), "model": model_layout()}
    return out


if __name__ == "__main__":
    common.print_json(measure("--quick" in sys.argv))

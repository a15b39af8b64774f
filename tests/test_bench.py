"""The plain-Mesa reference in bench/ is the same model as evo, statistically.

Speed itself is measured by bench/run.py, not in tests.
"""

import numpy as np
import pytest

from bench.plain_mesa import RULES_WRITTEN, PlainMirrorModel
from evo.run.runner import resolve_params, simulate

GENERATIONS = 40
SETTINGS = {"population": 100, "mutation_rate": 0.0, "gesture_episodes": 2.0, **RULES_WRITTEN}


def _evo(mirror: float, seed: int) -> float:
    overrides = {**SETTINGS, "mirror_initial": mirror}
    table = simulate("coevolution", seed=seed, generations=GENERATIONS, overrides=overrides).table
    return float(table["tool_complexity"][GENERATIONS // 2 + 1:].mean())


def _plain(mirror: float, seed: int) -> float:
    model = PlainMirrorModel(resolve_params("coevolution", {**SETTINGS, "mirror_initial": mirror}), seed)
    for _ in range(GENERATIONS):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert frame["population"].tolist() == [100] * (GENERATIONS + 1)
    return float(frame["tool_complexity"].to_numpy()[GENERATIONS // 2 + 1:].mean())


@pytest.mark.parametrize("mirror", [0.6, 0.2])
def test_plain_mesa_matches_evo_at_fixed_mirror(mirror):
    """Mean tool complexity over generations 21-40 agrees within the seed-to-seed spread."""
    evo = [_evo(mirror, seed) for seed in range(10)]
    plain = [_plain(mirror, 100 + seed) for seed in range(3)]
    spread = np.std(evo, ddof=1)
    assert abs(np.mean(plain) - np.mean(evo)) <= 3 * spread + 0.02 * np.mean(evo)
    assert min(plain) > min(evo) - 3 * spread and max(plain) < max(evo) + 3 * spread


def test_mirror_separates_the_regimes():
    """Both implementations tell mirror 0.6 (cumulative culture) from 0.2 (none)."""
    assert _plain(0.6, 7) > 5 * _plain(0.2, 7)
    assert _evo(0.6, 7) > 5 * _evo(0.2, 7)


def test_headline_targets_compare_each_number_with_its_goal():
    """bench/report.py: the three speed goals, met or not, from a results dict."""
    from bench import report

    res = {"agent_generation": {"evo_over_bound": 2.5, "plain_over_evo": 61.0},
           "main_projection": {"projected_min": 19.0, "goal_min": 20.0, "workers": 2}}
    met = {t["target"].split(" (")[0]: t["met"] for t in report.headline_targets(res)}
    assert met == {"evo per agent-generation / random-number bound": False,
                   "plain Mesa / evo per agent-generation": True,
                   "projected main experiment, minutes": True}
    res["agent_generation"]["evo_over_bound"] = 2.0
    res["main_projection"]["projected_min"] = 20.5
    assert [t["met"] for t in report.headline_targets(res)] == [True, True, False]
    assert report.headline_targets({}) == []


def test_model_draws_count_the_regimes_random_numbers():
    """bench/agent_generation.py: 40 gesture episodes x 5 uniforms, 8 copies x (6 uniforms + one
    Gumbel), 3 uniforms per birth and 1 per migration check, per agent-generation."""
    from bench import agent_generation

    params = resolve_params("coevolution", agent_generation.REGIME)
    assert (params.gesture_episodes, params.lineages, params.demonstrator_sample) == (20.0, 8, 5)
    assert agent_generation.model_draws(params) == (40 * 5 + 8 * 6 + 3 + 1, 8)


def _advanced(rng: np.ndarray, draws: int) -> np.ndarray:
    """The stream state `draws` outputs after `rng`."""
    from evo.core import stream

    state = rng.copy()
    for _ in range(draws):
        stream.next_u64(state)
    return state


@pytest.mark.parametrize("demonstrator", ["best", "sample_best"])
def test_floors_draw_what_the_kernels_draw(demonstrator):
    """bench/floors.py: 5 draws per gesture episode; per tool copy the demonstrator draws of the
    rule (none for Henrich's best, s for the best of s), the Gumbel of copy and invention and which
    one it was: as many as the kernels themselves draw from the same arguments."""
    from bench import floors
    from evo.core import kernels

    got = floors.capture("coevolution", 40, 2, {"demonstrator": demonstrator})
    rng, state, _rule, camps, episodes, _counters = got["gesture_generation"]
    for reads in (True, False):
        after = rng.copy()
        floors.gesture_floor(after, floors._copy(state), camps, episodes, reads)
        assert np.array_equal(after, _advanced(rng, floors.GESTURE_DRAWS * int(episodes.sum())))
    rng, state, rule, camps, learners, preferred, difficulty, pays = got["tool_learning"]
    best, sample = floors.demonstrators(rule, state, camps)
    assert sample == (0 if demonstrator == "best" else rule.demonstrator_sample)
    after = rng.copy()
    floors.tool_floor(after, state.skill.copy(), state.camp, camps.adult_start, camps.adults, best,
                      learners, sample, True)
    copies = learners.size * state.skill.shape[1]
    assert np.array_equal(after, _advanced(rng, floors.tool_draws(sample) * copies))
    # the kernel itself, in this regime (innovation always on), draws as many
    kernel_rng = rng.copy()
    kernels.tool_learning(kernel_rng, floors._copy(state), rule, camps, learners, preferred,
                          difficulty, pays)
    assert np.array_equal(kernel_rng, after)


def test_plain_ratio_note_only_when_missed_and_from_the_seeds():
    """bench/report.py: the plain-Mesa note gives both medians' seed ranges, only when missed."""
    from bench import report

    res = {"agent_generation": {"plain_over_evo": 58.4, "plain_us_runs": [123.8, 122.1, 122.8],
                                "evo_us_runs": [2.11, 2.10, 2.095]}}
    missed = {"plain Mesa / evo per agent-generation"}
    (note,) = report.headline_notes(res, missed)
    assert "58x (goal >= 60)" in note and "122-124 us" in note and "2.10-2.11 us" in note
    assert report.headline_notes(res, set()) == []


def test_projection_runs_one_seed_per_point_and_weights_by_each_design():
    """bench/main_projection.py: the trial's designs at one seed, each run weighted by its own."""
    import tomllib

    from bench import main_projection

    data = tomllib.loads(main_projection.MAIN_SPEC.read_text())
    small, seeds = main_projection.one_seed(data)
    assert all(d["seeds"] == 1 for d in small["designs"].values()) and small["seeds"] == 1
    assert seeds == {name: d.get("seeds", data["seeds"]) for name, d in data["designs"].items()}
    old = {"scenario": ["a", "b"], "seeds": 20, "grid": {"mirror_cost": [0.0, 0.1]}}
    assert main_projection.one_seed(old) == ({**old, "seeds": 1}, {"a": 20, "b": 20})


def test_world_targets_and_lines_name_each_goal():
    """bench/report.py: the worlds' ratios and the long world against their goals, and their rows."""
    from bench import report

    side = {"reference_us": [2.0, 2.2], "us": [5.0, 5.4], "ratio": 2.45, "load": 1.0}
    res = {"machine": {"cpu_count": 2},
           "worlds": {"people_4_camps": {**side, "ratio": 1.9}, "people_10000_camps": side,
                      "lineages": side,
                      "long_world": {"seconds": 61.0, "goal_s": 60.0, "projected": True,
                                     "generations_timed": 300, "us_per_agent_generation": 1.9,
                                     "load": 1.0}}}
    met = [(t["target"], t["met"]) for t in report.headline_targets(res)]
    assert [m for _, m in met] == [True, False, True, False]
    assert "projected" in met[3][0]
    lines = report.world_lines(res)
    assert any("1e6 people in 4 camps | 5.20 us (1.9x" in line for line in lines)
    assert any("61 s projected from 300 generations" in line for line in lines)


def test_cluster_projection_is_never_shorter_than_the_longest_run():
    from bench.main_projection import cluster_minutes

    assert cluster_minutes([60.0, 120.0], [10, 1], 4, 1.0) == (600 + 120) / 4 / 60
    assert cluster_minutes([600.0, 6.0], [1, 1], 64, 1.0) == 10.0  # one run of 10 min
    assert cluster_minutes([60.0], [64], 64, 0.5) == 2.0

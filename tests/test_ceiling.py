"""The learning budget (Mesoudi 2011): a ceiling on cumulative culture, derived and simulated.

Simplest case: one lineage, learners copy the camp's best adult, no invention, skills start at 0,
budget B, acquisition time f = 1 - mirror_gain * m per unit of skill. The best adult holds the
ceiling C = B / f as soon as one learner's copy reaches it (each does with chance
1 - exp(-exp(-alpha f / beta)), so with n learners it almost surely does when alpha f / beta is
well below ln n, Henrich's threshold again). A learner's copy X = C - alpha f + beta G, with G a
standard Gumbel variable, is cut to C, so the mean skill at the plateau is
    C - E[(alpha f - beta G)^+] = C - beta E1(exp(-alpha f / beta)),
E1 the exponential integral (substitute u = exp(-G), an Exp(1) variable, and integrate by parts).
"""

import math

import numpy as np
import pytest

from evo.core.model import MirrorModel
from evo.run.runner import resolve_params, simulate

SIMPLEST = dict(
    population=200, camps_x=1, camps_y=1, lineages=1, alpha=2.0, beta=1.0, mirror_gain=0.9,
    demonstrator="best", innovation_rate=0.0, meanings=0, mirror_initial=0.5,
    mirror_initial_sd=0.0, mutation_rate=0.0, learning_budget=50.0, learning_episodes=1,
    migration_rate=0.0,
)


def exp1(x: float) -> float:
    """E1(x) = -gamma - ln x - sum_k (-x)^k / (k k!), the convergent series (0 < x < 5)."""
    total, term = 0.0, 1.0
    for k in range(1, 60):
        term *= -x / k
        total += term / k
    return -0.5772156649015329 - math.log(x) - total


def plateau(alpha, beta, mirror_gain, m, budget) -> float:
    f = 1.0 - mirror_gain * m
    return budget / f - beta * exp1(math.exp(-alpha * f / beta))


def test_exp1_series_matches_numerical_integral():
    u = np.linspace(0.3329, 60.0, 2_000_001)
    y = np.exp(-u) / u
    assert exp1(0.3329) == pytest.approx(float(np.sum((y[1:] + y[:-1]) / 2 * np.diff(u))), rel=1e-6)


@pytest.mark.parametrize("keep_best", [True, False])
def test_plateau_matches_the_derivation(keep_best):
    """Mean complexity over generations 100-400 of 3 seeds equals the derived plateau.

    Each generation's learners are independent given the best at C, so the spread of the mean
    is the per-learner SD (about 1 here) / sqrt(200 learners x 300 generations x 3 seeds).
    """
    expected = plateau(2.0, 1.0, 0.9, 0.5, 50.0)
    means = [
        simulate("coevolution", seed=seed, generations=400,
                 overrides={**SIMPLEST, "keep_best": keep_best}).table["tool_complexity"][100:].mean()
        for seed in range(3)
    ]
    assert np.mean(means) == pytest.approx(expected, abs=0.02)  # about 7 standard errors


def test_ceiling_rises_with_mirror_strength():
    low = simulate("coevolution", seed=1, generations=300, overrides={**SIMPLEST, "mirror_initial": 0.3})
    high = simulate("coevolution", seed=1, generations=300, overrides={**SIMPLEST, "mirror_initial": 0.8})
    for table, m in ((low, 0.3), (high, 0.8)):
        assert table.table["tool_complexity"][-50:].mean() == pytest.approx(
            plateau(2.0, 1.0, 0.9, m, 50.0), abs=0.1)


def test_no_individual_exceeds_its_ceiling():
    """With teaching, mutation and invention on, per-lineage skill stays within B / (K f_min)."""
    params = resolve_params("default", {"learning_budget": 40.0, "mutation_rate": 0.2,
                                        "mirror_initial": 0.7, "generations": 60})
    model = MirrorModel(params, seed=4)
    f_min = (1.0 - params.mirror_gain) * (1.0 - params.teaching_gain)
    bound = params.learning_budget / params.lineages / min(f_min, 1.0)
    reached = 0.0
    for _ in range(params.generations):
        model.step()
        living = model.state.alive_slots()
        skill = model.state.skill[living]
        assert skill.max() <= bound * (1 + 1e-12)
        m = 1 - (1 - model.state.g_mirror[living]) * (1 - model.state.m_learned[living])
        f_own = (1 - params.mirror_gain * m) * (1 - params.teaching_gain)
        own = params.learning_budget / params.lineages / f_own
        assert np.all(skill <= own[:, None] * (1 + 1e-12))
        reached = max(reached, float((skill / own[:, None]).max()))
    assert reached > 0.99  # the ceiling binds: this is not a vacuous bound


def test_a_budget_that_never_binds_is_the_model_without_one():
    """The budget draws no random numbers: a budget too large to bind gives the same table as none."""
    off = simulate("default", seed=7, generations=80, overrides={"learning_budget": 0.0})
    huge = simulate("default", seed=7, generations=80, overrides={"learning_budget": 1e9})
    assert off.table.equals(huge.table)

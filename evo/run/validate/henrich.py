"""Henrich (2004), scenario `henrich`: cumulative skill grows above a critical population size.

Learners copy the best of the previous generation with a Gumbel(z_h - alpha, beta) error; the
maximum of N such draws is again Gumbel, so the best skill performs a random walk with mean step
-alpha + beta(gamma + ln N) and step SD beta*pi/sqrt(6), and the mean skill of generation t is
z_h(t-1) - alpha + beta*gamma plus the mean of N errors. The estimator (zbar_T - zbar_1)/(T - 1)
starts at generation 1 (the founders' transition lacks the ln N term) and has SD
beta*pi/sqrt(6) * sqrt(T - 1 + 2/N)/(T - 1) per run, known a priori.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import Executor

from evo.run.runner import simulate
from evo.run.sweep.seeds import spawn_run_seeds
from evo.run.validate.checks import (
    EULER_GAMMA,
    GUMBEL_SD,
    Check,
    close_check,
    map_runs,
    mean_and_stderr,
)


def henrich_growth(population: int, alpha: float, beta: float) -> float:
    """Henrich's expected change of mean skill per generation: -alpha + beta(gamma + ln N)."""
    return -alpha + beta * (EULER_GAMMA + math.log(population))


def henrich_critical_size(alpha: float, beta: float) -> float:
    """N* = exp(alpha/beta - gamma): skill grows above it and decays below it."""
    return math.exp(alpha / beta - EULER_GAMMA)


def _henrich_run(args: tuple[int, int, float, float, int]) -> tuple[float, float]:
    """(mean skill of generation 1, slope of mean skill from generation 1 to the last)."""
    seed, population, alpha, beta, generations = args
    result = simulate("henrich", seed=seed, generations=generations,
                      overrides={"population": population, "alpha": alpha, "beta": beta})
    z = result.table["tool_skill_mean"].to_numpy()
    return float(z[1]), float((z[-1] - z[1]) / (generations - 1))


def henrich_check(population: int, alpha: float, beta: float, seeds: Sequence[int],
                  generations: int, executor: Executor | None = None) -> Check:
    """Mean per-generation change of mean skill against -alpha + beta(gamma + ln N).

    Tolerance: Z times the a-priori standard error beta*pi/sqrt(6)*sqrt(T-1+2/N)/(T-1)/sqrt(S)
    (random walk of the best skill plus the two end generations' sampling error; S seeds, T
    generations). The replicate standard error is given in `detail` and should agree.
    """
    if generations < 2:
        raise ValueError(f"generations={generations} too few; valid: >= 2")
    runs = map_runs(_henrich_run, [(s, population, alpha, beta, generations) for s in seeds],
                executor, f"henrich N={population}")
    slope, replicate_se = mean_and_stderr(r[1] for r in runs)
    steps = generations - 1
    se = beta * GUMBEL_SD * math.sqrt(steps + 2.0 / population) / steps / math.sqrt(len(seeds))
    n_star = henrich_critical_size(alpha, beta)
    check = close_check(
        f"henrich N={population} (N*={n_star:.0f}) a={alpha:g} b={beta:g}",
        henrich_growth(population, alpha, beta), slope, se,
        f"{len(seeds)} seeds x {generations} generations; replicate SE {replicate_se:.3g}",
    )
    return check


def henrich_founder_check(population: int, alpha: float, beta: float, seeds: Sequence[int],
                          executor: Executor | None = None) -> Check:
    """Generation 1 copies founders of skill 0: its mean skill is -alpha + beta*gamma exactly.

    Tolerance: Z times beta*pi/sqrt(6)/sqrt(N*S), the SD of a mean of N*S Gumbel draws.
    """
    runs = map_runs(_henrich_run, [(s, population, alpha, beta, 2) for s in seeds], executor,
                f"henrich founders N={population}")
    first, _ = mean_and_stderr(r[0] for r in runs)
    se = beta * GUMBEL_SD / math.sqrt(population * len(seeds))
    return close_check(f"henrich first generation N={population}", -alpha + beta * EULER_GAMMA,
                  first, se, f"{len(seeds)} seeds")


def checks(quick: bool, executor: Executor | None = None) -> list[Check]:
    """The model's checks: fewer seeds and shorter runs when `quick` (tolerances widen)."""
    checks: list[Check] = []
    # Henrich: below, near and above N* = exp(5 - gamma) = 83.
    n_seeds, generations = (4, 300) if quick else (16, 1000)
    seeds = spawn_run_seeds(2004, n_seeds)
    for population in (20, 83, 400):
        checks.append(henrich_check(population, 5.0, 1.0, seeds, generations, executor))
    checks.append(henrich_check(100, 2.0, 0.5, seeds, generations, executor))
    checks.append(henrich_founder_check(100, 5.0, 1.0, seeds, executor))

    return checks

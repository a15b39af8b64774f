"""Powell, Shennan & Thomas (2009), scenario `henrich` on a grid of demes; Vaesen (2012).

Powell, Shennan & Thomas (2009, Science 324:1298): Henrich's (2004) learners copy the best of
their own deme; demes on a grid exchange migrants, so skill is sustained above a threshold in
density (people per deme) x migration, and lost below it. Here: 4 x 4 camps, copy the best of the
camp, no invention, no ceiling (`learning_budget` 0), mirror gain 0, alpha = 5, beta = 1 (one
deme's threshold N* = exp(alpha/beta - gamma) = 83). Without migration each camp is Henrich's
model, so the mean skill changes by -alpha + beta(gamma + ln n) per generation (an exact check);
with migration the same density sustains skill (a threshold check: slope > 0 by Z SE).

Vaesen (2012, "Cumulative cultural evolution and demography", PLoS ONE 7:e40989) found the
demographic effect fragile when learners do not copy the best of the whole group: here, copying
the best of a sample of s adults (`demonstrator = "sample_best"`). Over a grid of copying rules
and alpha/beta we count where population size matters (skill lost at a small density, sustained
at a large one); the check is that sampled copying shrinks that share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import Executor

import numpy as np

from evo.run.runner import simulate
from evo.run.sweep.seeds import spawn_run_seeds
from evo.run.validate.checks import GUMBEL_SD, Check, Z, close_check, map_runs, mean_and_stderr
from evo.run.validate.henrich import henrich_critical_size, henrich_growth

CAMPS = 4  # camps along each side of the grid (16 demes)


def _powell_run(args: tuple) -> float:
    """Slope of mean skill over the second half of a run (skill units per generation)."""
    seed, density, migration, rule, sample, alpha, generations = args
    result = simulate("henrich", seed=seed, generations=generations, overrides={
        "population": density * CAMPS * CAMPS, "camps_x": CAMPS, "camps_y": CAMPS,
        "migration_rate": migration, "demonstrator": rule, "demonstrator_sample": sample,
        "alpha": alpha, "beta": 1.0, "learning_budget": 0.0, "mirror_gain": 0.0})
    z = result.table["tool_skill_mean"].to_numpy()
    half = generations // 2
    return float((z[-1] - z[half]) / (generations - half))


def slopes(density: int, migration: float, seeds: Sequence[int], generations: int,
           rule: str = "best", sample: int = 5, alpha: float = 5.0,
           executor: Executor | None = None) -> list[float]:
    """One second-half skill slope per seed."""
    return map_runs(_powell_run, [(s, density, migration, rule, sample, alpha, generations)
                                  for s in seeds], executor, f"powell n={density} m={migration}")


def isolated_check(density: int, seeds: Sequence[int], generations: int,
                   executor: Executor | None = None) -> Check:
    """No migration: the mean over 16 independent Henrich demes changes by -5 + gamma + ln n.

    Tolerance: Z times the a-priori SE beta*pi/sqrt(6)*sqrt(T + 2/n)/T/sqrt(16 S) (T the
    generations of the second half; each deme's best skill a random walk, as in `henrich`).
    """
    runs = slopes(density, 0.0, seeds, generations, executor=executor)
    slope, replicate = mean_and_stderr(runs)
    steps = generations - generations // 2
    se = GUMBEL_SD * math.sqrt(steps + 2.0 / density) / steps / math.sqrt(CAMPS**2 * len(seeds))
    return close_check(f"powell isolated demes n={density} (N*=83)", henrich_growth(density, 5.0, 1.0),
                       slope, se, f"{CAMPS}x{CAMPS} camps, {len(seeds)} seeds x {generations} "
                       f"generations; replicate SE {replicate:.3g}")


def sign_check(density: int, migration: float, sustained: bool, seeds: Sequence[int],
               generations: int, rule: str = "best", executor: Executor | None = None) -> Check:
    """Skill sustained (slope > Z SE) or lost (slope < -Z SE) at a density and migration rate."""
    slope, se = mean_and_stderr(slopes(density, migration, seeds, generations, rule=rule,
                                       executor=executor))
    passed = slope - Z * se > 0 if sustained else slope + Z * se < 0
    word = "sustained" if sustained else "lost"
    return Check(f"powell {rule} n={density} m={migration:g}: {word}", 0.0, slope, se, Z * se,
                 bool(passed), rule="sim > tol" if sustained else "sim < -tol",
                 detail=f"isolated demes of {density} change by "
                        f"{henrich_growth(density, 5.0, 1.0):+.2f}/generation; {len(seeds)} seeds")


def critical_density(densities: Sequence[int], slope_means: Sequence[float]) -> float:
    """Density where the mean slope first crosses 0 (interpolated in log density).

    Sustained already at the smallest density: that density (the threshold is at most it); lost
    at every density: +inf (beyond the largest). So thresholds stay comparable at the edges.
    """
    d, s = np.log(np.asarray(densities, float)), np.asarray(slope_means, float)
    if s[0] >= 0:
        return float(densities[0])
    for i in range(len(s) - 1):
        if s[i] < 0 <= s[i + 1]:
            return float(math.exp(d[i] + (d[i + 1] - d[i]) * (-s[i]) / (s[i + 1] - s[i])))
    return math.inf


def threshold_table(densities: Sequence[int], migrations: Sequence[float], seeds: Sequence[int],
                    generations: int, rule: str = "best", sample: int = 5,
                    executor: Executor | None = None) -> dict[float, float]:
    """Critical density per camp at each migration rate (at the edges as `critical_density`)."""
    return {m: critical_density(densities, [
        float(np.mean(slopes(n, m, seeds, generations, rule, sample, executor=executor)))
        for n in densities]) for m in migrations}


def demography_matters(rules: Sequence[tuple[str, int]], alphas: Sequence[float], small: int,
                       large: int, migration: float, seeds: Sequence[int], generations: int,
                       executor: Executor | None = None) -> dict[tuple[str, int], float]:
    """Per copying rule (name, sample size): share of alphas where size matters (lost -> kept)."""
    shares = {}
    for rule, sample in rules:
        matters = 0
        for alpha in alphas:
            lo = np.mean(slopes(small, migration, seeds, generations, rule, sample, alpha, executor))
            hi = np.mean(slopes(large, migration, seeds, generations, rule, sample, alpha, executor))
            matters += bool(lo < 0 < hi)
        shares[(rule, sample)] = matters / len(alphas)
    return shares


def checks(quick: bool, executor: Executor | None = None) -> list[Check]:
    """Isolated demes exact; migration sustains what isolation loses; sampled copying fragile."""
    n_seeds, generations = (3, 120) if quick else (8, 300)
    seeds = spawn_run_seeds(2009, n_seeds)
    out = [isolated_check(60, seeds, generations, executor),
           sign_check(60, 0.2, True, seeds, generations, executor=executor),
           sign_check(10, 0.2, False, seeds, generations, executor=executor),
           sign_check(60, 0.2, False, seeds, generations, rule="sample_best", executor=executor)]
    few = seeds[:2]
    table = threshold_table((10, 20, 40, 80, 160), (0.0, 0.01, 0.05, 0.2, 0.5), few,
                            generations, executor=executor)
    text = ", ".join(f"m={m:g}: {v:.0f}" for m, v in table.items())
    out.append(Check("powell critical density, m=0.2 vs isolated", henrich_critical_size(5.0, 1.0),
                     table[0.2], 0.0, 0.0, bool(table[0.2] < table[0.0]),
                     rule="m=0.2 < m=0", detail=f"critical density per camp by migration: {text}"))
    rules = (("best", 5), ("sample_best", 2), ("sample_best", 5), ("sample_best", 20))
    alphas = (2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0)
    shares = demography_matters(rules, alphas, 10, 500, 0.05, few, generations, executor)
    sampled = float(np.mean([v for (r, _), v in shares.items() if r == "sample_best"]))
    text = ", ".join(f"{r}{'' if r == 'best' else f' s={s}'}: {v:.2f}"
                     for (r, s), v in shares.items())
    out.append(Check("vaesen share where size matters, sampled", shares[("best", 5)], sampled,
                     0.0, 0.0, bool(sampled < shares[("best", 5)]), rule="sampled < best",
                     detail=f"alpha/beta 2-8, density 10 vs 500 per camp, m=0.05: {text}"))
    return out

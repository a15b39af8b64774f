"""Rogers' paradox (Rogers 1988), scenario `rogers`: social learning does not raise mean fitness.

Social learners invade iff u < c/2; at the equilibrium the mean fitness is w + b(1 - c), that of
individual learners, as mutation tends to 0 (with mutation it lies above, up to the deterministic
balance of `rogers_balance`). Without invasion the social-learner share sits at the
mutation-selection floor, about mu/(b(2u - c) + 2mu) (a rare social learner copies an individual
learner, right with chance 1 - u, so it is behind by b(2u - c)); `rogers_balance` gives it exactly
for the deterministic model. Fitness and frequencies are autocorrelated in time: standard errors
are batch means over batches much longer than the autocorrelation time (~5 generations for
fitness, ~200 for the frequency at N = 1000).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np

from evo.run.runner import simulate
from evo.run.sweep.seeds import spawn_run_seeds
from evo.run.validate.checks import (
    Check,
    Z,
    batch_means,
    close_check,
    map_runs,
    mean_and_stderr,
)

# Rogers' paradox reference runs (our own runs of the model's rules): N = 1000, u = 0.2, c = 0.9, b = 0.03,
# social-learner share by mutation rate.
ROGERS_REFERENCE = {0.01: 0.55, 0.001: 0.63, 0.0001: 0.74}




def rogers_fitness(baseline: float, benefit: float, cost: float) -> float:
    """Mean fitness at the equilibrium: that of individual learners, w + b(1 - c)."""
    return baseline + benefit * (1.0 - cost)


def rogers_equilibrium(change: float, cost: float) -> float:
    """Social-learner share x* = ((1-u) - q*)/((1-u)(1-q*)), q* = 1 - c/2 (0 if u >= c/2)."""
    q = 1.0 - cost / 2.0
    return max(0.0, ((1.0 - change) - q) / ((1.0 - change) * (1.0 - q)))


def rogers_balance(change: float, cost: float, benefit: float, mutation: float,
                   baseline: float = 1.0) -> tuple[float, float]:
    """Deterministic mutation-selection balance: (social-learner share, mean fitness).

    Infinite population, social learners right with the stationary chance
    q(x) = (1-u)(1-x)/(1-(1-u)x) (they copy the previous generation, whose individual learners
    were right before the change); selection proportional to fitness, then 0<->1 flips with
    probability mu, as in the model. Without invasion (u > c/2) this is the mutation floor, about
    mu/(b(2u - c) + 2mu); with mu -> 0 and u < c/2 it tends to x* and w + b(1 - c).
    """
    x = 0.5
    for _ in range(1_000_000):
        q = (1.0 - change) * (1.0 - x) / (1.0 - (1.0 - change) * x)
        w_social = baseline + benefit * (2.0 * q - 1.0)
        w_alone = rogers_fitness(baseline, benefit, cost)
        selected = x * w_social / (x * w_social + (1.0 - x) * w_alone)
        new = selected * (1.0 - mutation) + (1.0 - selected) * mutation
        if abs(new - x) < 1e-13:
            break
        x = new
    return x, x * w_social + (1.0 - x) * w_alone


@dataclass(frozen=True)
class RogersRuns:
    """Batch means of social-learner share and mean fitness after burn-in, over seeds."""

    share: np.ndarray
    fitness: np.ndarray
    identity_error: float  # max |mirror_mean - social_learner_frequency| over all rows


def _rogers_run(args: tuple[int, dict, int, int, int]) -> tuple[np.ndarray, np.ndarray, float]:
    seed, overrides, generations, burn_in, n_batches = args
    table = simulate("rogers", seed=seed, generations=generations, overrides=overrides).table
    share = table["social_learner_frequency"].to_numpy()
    fitness = table["fitness_mean"].to_numpy()
    identity = float(np.abs(table["mirror_mean"].to_numpy()[1:] - share[1:]).max())
    return (batch_means(share[burn_in + 1:], n_batches),
            batch_means(fitness[burn_in + 1:], n_batches), identity)


def rogers_runs(seeds: Sequence[int], generations: int, burn_in: int, n_batches: int,
                executor: Executor | None = None, **overrides: Any) -> RogersRuns:
    """Runs of the `rogers` scenario with `overrides`; `n_batches` batch means per run."""
    if generations - burn_in < n_batches:
        raise ValueError(f"generations - burn_in = {generations - burn_in} is less than "
                         f"n_batches = {n_batches}; valid: a longer run or fewer batches")
    label = " ".join(f"{k}={v:g}" for k, v in overrides.items())
    runs = map_runs(_rogers_run, [(s, overrides, generations, burn_in, n_batches) for s in seeds],
                executor, f"rogers {label}")
    return RogersRuns(np.concatenate([r[0] for r in runs]), np.concatenate([r[1] for r in runs]),
                      max(r[2] for r in runs))


def rogers_fitness_check(runs: RogersRuns, benefit: float, cost: float, change: float,
                         mutation: float, baseline: float = 1.0, label: str = "") -> Check:
    """Mean fitness after burn-in between w + b(1 - c) and the mutation-selection balance.

    Rogers' result, mean fitness = that of individual learners w + b(1 - c), holds as mutation
    tends to 0. Mutation holds the social-learner share below x*, where social learners are the
    fitter, so with mu > 0 mean fitness lies above it, up to the deterministic balance at that mu
    (`rogers_balance`, infinite population: +0.001 at mu = 0.001, four times the tolerance of a
    point check). It must lie in that bracket within Z batch-means standard errors.
    """
    fitness, se = mean_and_stderr(runs.fitness)
    low = rogers_fitness(baseline, benefit, cost)
    high = rogers_balance(change, cost, benefit, mutation, baseline)[1]
    inside = low - Z * se <= fitness <= high + Z * se
    return Check(f"rogers mean fitness {label}".strip(), low, fitness, se, Z * se, bool(inside),
                 "w + b(1-c) - tol <= sim <= balance + tol",
                 f"mu -> 0 limit; balance at mu={mutation:g}: {high:.5f}; "
                 f"{runs.fitness.size} batches")


def rogers_floor_check(runs: RogersRuns, change: float, cost: float, benefit: float,
                       mutation: float) -> Check:
    """No invasion (u > c/2): social-learner share at the mutation-selection floor.

    Reference: `rogers_balance`. Tolerance: Z times the batch-means standard error.
    """
    if change <= cost / 2.0:
        raise ValueError(f"env_change_rate={change} lets social learners invade; the floor needs "
                         f"env_change_rate > individual_cost/2 = {cost / 2}")
    share, se = mean_and_stderr(runs.share)
    return close_check(f"rogers no invasion u={change:g} > c/2={cost / 2:g}",
                  rogers_balance(change, cost, benefit, mutation)[0], share, se,
                  f"deterministic floor, mu={mutation:g}; {runs.share.size} batches")


def rogers_invasion_check(runs: RogersRuns, change: float, cost: float) -> Check:
    """Invasion (u < c/2) from no social learners: the share ends above 1/2.

    Mutation alone would hold the share at 1/2; it must end above by more than the tolerance
    (Z batch-means standard errors).
    """
    share, se = mean_and_stderr(runs.share)
    return Check(f"rogers invasion u={change:g} < c/2={cost / 2:g}", 0.5, share, se, Z * se,
                 bool(share - Z * se > 0.5), "sim - tol > 1/2",
                 f"x* = {rogers_equilibrium(change, cost):.3f}; {runs.share.size} batches")


def rogers_share_check(runs: RogersRuns, change: float, cost: float, mutation: float,
                       reference_se: float | None) -> Check:
    """Social-learner share between 1/2 and x*, and near the reference runs of our own runs.

    Mutation pulls the share from x* toward 1/2, so it must lie in (1/2, x*) up to Z standard
    errors. With `reference_se` (the reference is one simulation whose standard error the caller
    estimates) it must also be within Z * sqrt(se^2 + reference_se^2) of the reference; without
    it (quick runs, too short to resolve a 0.02 difference) only the bracket is checked.
    """
    share, se = mean_and_stderr(runs.share)
    x_star = rogers_equilibrium(change, cost)
    inside = 0.5 < share + Z * se and share - Z * se < x_star
    if reference_se is None:
        return Check(f"rogers share mu={mutation:g} in (1/2, x*={x_star:.3f})", x_star, share, se,
                     Z * se, bool(inside), "1/2 < sim +/- tol < x*",
                     f"mutation pulls x* toward 1/2; {runs.share.size} batches")
    reference = ROGERS_REFERENCE[mutation]
    tolerance = Z * math.hypot(se, reference_se)
    return Check(f"rogers share mu={mutation:g} (x*={x_star:.3f})", reference, share, se,
                 tolerance, bool(abs(share - reference) <= tolerance and inside),
                 "|sim - ref| <= tol, 1/2 < sim +/- tol < x*",
                 f"reference: one run of 20000 generations, SE {reference_se:.2g}; "
                 f"{runs.share.size} batches")


def rogers_identity_check(runs: RogersRuns, label: str = "") -> Check:
    """Mirror allele 1 is the social-learning allele: mirror_mean == social_learner_frequency."""
    return Check(f"rogers mirror_mean == social share {label}".strip(), 0.0, runs.identity_error,
                 0.0, 1e-12, runs.identity_error <= 1e-12, "max |diff| <= 1e-12")


def checks(quick: bool, executor: Executor | None = None) -> list[Check]:
    """The model's checks: fewer seeds and shorter runs when `quick` (tolerances widen)."""
    checks: list[Check] = []
    # Rogers: u = 0.2 < c/2 = 0.45 (invasion), u = 0.6 > c/2 (no invasion); b = 0.03, N = 1000.
    n_seeds, generations = (2, 6000) if quick else (4, 20000)
    seeds = spawn_run_seeds(1988, n_seeds)
    base = {"individual_cost": 0.9, "env_benefit": 0.03}
    main = rogers_runs(seeds, generations, 2000, (generations - 2000) // 1000, executor,
                       env_change_rate=0.2, mutation_rate=0.001, **base)
    checks.append(rogers_fitness_check(main, 0.03, 0.9, 0.2, 0.001, label="u=0.2 mu=0.001"))
    # The reference share is one 20000-generation run: its SE is a single run's batch-means SE.
    # Quick runs are too short to resolve the ~0.02 between our model and that reference.
    reference_se = None if quick else float(np.std(main.share, ddof=1) / math.sqrt(18))
    checks.append(rogers_share_check(main, 0.2, 0.9, 0.001, reference_se))
    checks.append(rogers_identity_check(main))
    rare = {"mirror_initial": 0.0, "mutation_rate": 0.001, **base}
    g = 3000 if quick else 8000
    invading = rogers_runs(seeds, g, 1000, (g - 1000) // 500, executor, env_change_rate=0.2,
                           **rare)
    checks.append(rogers_invasion_check(invading, 0.2, 0.9))
    not_invading = rogers_runs(seeds, g, 1000, (g - 1000) // 500, executor, env_change_rate=0.6,
                               **rare)
    checks.append(rogers_floor_check(not_invading, 0.6, 0.9, 0.03, 0.001))
    return checks

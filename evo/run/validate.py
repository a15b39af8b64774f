"""Validation: the published models the general model reduces to, against their known results.

Each check is a pure function of its parameters and seeds that runs the scenario and returns a
`Check`: the reference value, the simulated estimate with its standard error, the tolerance and
whether it passed. Tolerances are `Z` = 4 standard errors of the estimate (a false alarm about once
in 16 000 checks under the normal approximation), each derived as stated in its function:

- **Henrich (2004)**, scenario `henrich`. Learners copy the best of the previous generation with a
  Gumbel(z_h - alpha, beta) error; the maximum of N such draws is again Gumbel, so the best skill
  performs a random walk with mean step -alpha + beta(gamma + ln N) and step SD beta*pi/sqrt(6),
  and the mean skill of generation t is z_h(t-1) - alpha + beta*gamma plus the mean of N errors.
  The estimator (zbar_T - zbar_1)/(T - 1) starts at generation 1 (the founders' transition lacks
  the ln N term) and has SD beta*pi/sqrt(6) * sqrt(T - 1 + 2/N)/(T - 1) per run, known a priori.
- **Minimal naming game (Baronchelli et al. 2006)**, scenario `naming_game`. Mean field: consensus
  after t ~ N^1.5 interactions, with at most about N/2 distinct words. At finite N the ratio
  t/N^1.5 falls from about 2.5 at N = 100 to 1.4 at N = 1500 (SCIENCE.md, our simulations), a
  power law in between with effective exponent 1.5 + ln(1.4/2.5)/ln(15) = 1.29. Standard errors come
  from the spread over replicate seeds (bootstrap for the fitted exponent).
- **Rogers' paradox (Rogers 1988)**, scenario `rogers`. Social learners invade iff u < c/2; at the
  equilibrium the mean fitness is w + b(1 - c), that of individual learners, as mutation tends to
  0 (with mutation it lies above, up to the deterministic balance of `rogers_balance`). Without
  invasion the social-learner share sits at the mutation-selection floor, about mu/(b(2u - c) + 2mu) (a rare
  social learner copies an individual learner, right with chance 1 - u, so it is behind by
  b(2u - c)); `rogers_balance` gives it exactly for the deterministic model. Fitness and
  frequencies are autocorrelated in time: standard errors are batch means over batches much longer
  than the autocorrelation time (~5 generations for fitness, ~200 for the frequency at N = 1000).

`run_validation` runs them all for several parameter values and prints a table.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

import numpy as np
from tqdm import tqdm

from evo.run.runner import simulate
from evo.run.sweep.seeds import spawn_run_seeds

Z = 4.0  # tolerance in standard errors
EULER_GAMMA = 0.5772156649015329
GUMBEL_SD = math.pi / math.sqrt(6.0)  # SD of a standard Gumbel variable, ~1.28

# Finite-size naming-game references (SCIENCE.md, "Anchor models"): t/N^1.5 at N = 100 and 1500.
NAMING_REFERENCE = ((100, 2.5), (1500, 1.4))
NAMING_EXPONENT = 1.5 + math.log(1.4 / 2.5) / math.log(1500 / 100)

# Rogers' paradox reference runs (SCIENCE.md): N = 1000, u = 0.2, c = 0.9, b = 0.03,
# social-learner share by mutation rate.
ROGERS_REFERENCE = {0.01: 0.55, 0.001: 0.63, 0.0001: 0.74}


@dataclass(frozen=True)
class Check:
    """One comparison of a simulated estimate with a reference value.

    `analytic` is the analytic (or, where none exists, the published simulated) value; `stderr`
    the standard error of `simulated`; `passed` applies `rule` (usually |simulated - analytic| <=
    tolerance). `detail` says where the reference and the uncertainty come from.
    """

    name: str
    analytic: float
    simulated: float
    stderr: float
    tolerance: float
    passed: bool
    rule: str = "|sim - ref| <= tol"
    detail: str = ""

    def line(self) -> str:
        """One table row."""
        verdict = "pass" if self.passed else "FAIL"
        return (f"{self.name:<44} {self.analytic:>10.6g} {self.simulated:>10.6g} "
                f"{self.stderr:>9.2g} {self.tolerance:>9.2g}  {verdict}  {self.rule}")


def _map(fn: Callable[[Any], Any], items: Sequence[Any], executor: Executor | None,
         desc: str) -> list[Any]:
    """`fn` over `items` in order, in `executor` if given, with a tqdm bar on stderr."""
    results = executor.map(fn, items) if executor is not None else map(fn, items)
    return list(tqdm(results, total=len(items), desc=desc, leave=False, file=sys.stderr,
                     disable=not sys.stderr.isatty()))


def _close(name: str, analytic: float, simulated: float, stderr: float, detail: str) -> Check:
    tolerance = Z * stderr
    return Check(name, analytic, simulated, stderr, tolerance,
                 bool(abs(simulated - analytic) <= tolerance), detail=detail)


def batch_means(y: np.ndarray, n_batches: int) -> np.ndarray:
    """Means of `n_batches` consecutive equal batches of `y` (the remainder at the end dropped)."""
    length = y.size // n_batches
    if length < 1:
        raise ValueError(f"series of {y.size} values cannot make {n_batches} batches; valid: "
                         f"n_batches <= {y.size}")
    return y[: length * n_batches].reshape(n_batches, length).mean(axis=1)


def mean_and_stderr(values: Iterable[float]) -> tuple[float, float]:
    """Mean and its standard error from independent values (SD with ddof=1 over sqrt(n))."""
    v = np.asarray(list(values), float)
    if v.size < 2:
        raise ValueError(f"need at least 2 values for a standard error, got {v.size}")
    return float(v.mean()), float(v.std(ddof=1) / math.sqrt(v.size))


# --- Henrich (2004) ------------------------------------------------------------------------


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
    runs = _map(_henrich_run, [(s, population, alpha, beta, generations) for s in seeds],
                executor, f"henrich N={population}")
    slope, replicate_se = mean_and_stderr(r[1] for r in runs)
    steps = generations - 1
    se = beta * GUMBEL_SD * math.sqrt(steps + 2.0 / population) / steps / math.sqrt(len(seeds))
    n_star = henrich_critical_size(alpha, beta)
    check = _close(
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
    runs = _map(_henrich_run, [(s, population, alpha, beta, 2) for s in seeds], executor,
                f"henrich founders N={population}")
    first, _ = mean_and_stderr(r[0] for r in runs)
    se = beta * GUMBEL_SD / math.sqrt(population * len(seeds))
    return _close(f"henrich first generation N={population}", -alpha + beta * EULER_GAMMA,
                  first, se, f"{len(seeds)} seeds")


# --- Minimal naming game (Baronchelli et al. 2006) -----------------------------------------


@dataclass(frozen=True)
class NamingRun:
    """What one naming-game run to consensus yields."""

    population: int
    consensus: int | None
    peak_distinct: int
    dropped: int
    invariant_errors: tuple[str, ...]


def naming_reference(population: int) -> float:
    """Reference t/N^1.5: the power law through the N = 100 and N = 1500 values of SCIENCE.md."""
    (n0, r0), _ = NAMING_REFERENCE
    return r0 * (population / n0) ** (NAMING_EXPONENT - 1.5)


def naming_invariants(table, population: int, consensus: int | None) -> tuple[str, ...]:
    """Broken invariants of a naming-game table (empty when all hold).

    After the first interaction words_total >= words_distinct >= 1; at consensus the last row
    has words_total = N and words_distinct = 1.
    """
    errors = []
    played = table.filter(table["interactions"] > 0)
    total, distinct = played["words_total"].to_numpy(), played["words_distinct"].to_numpy()
    if (total < distinct).any():
        errors.append("words_total < words_distinct")
    if (distinct < 1).any():
        errors.append("words_distinct < 1 after the first interaction")
    if consensus is None:
        errors.append("no consensus within max_interactions")
    else:
        last = table.row(-1, named=True)
        if last["interactions"] != consensus:
            errors.append("last row is not at the consensus interaction")
        if last["words_total"] != population or last["words_distinct"] != 1:
            errors.append(f"final row words_total={last['words_total']}, "
                          f"words_distinct={last['words_distinct']} at consensus")
    return tuple(errors)


def naming_run(args: tuple[int, int]) -> NamingRun:
    """One naming game to consensus, with rows every N/4 interactions.

    The peak of distinct words is a plateau several N interactions long, so this resolves it.
    """
    seed, population = args
    result = simulate("naming_game", seed=seed,
                      overrides={"population": population, "log_interval": max(1, population // 4)})
    consensus = result.meta["consensus_interactions"]
    return NamingRun(population, consensus, int(result.table["words_distinct"].max()),
                     int(result.meta["gesture_variants_dropped"]),
                     naming_invariants(result.table, population, consensus))


def naming_runs(populations: Sequence[int], seeds: Sequence[int],
                executor: Executor | None = None) -> list[NamingRun]:
    """Every population with every seed (seeds are shared across populations)."""
    return _map(naming_run, [(s, n) for n in populations for s in seeds], executor,
                "naming game")


def naming_consensus_check(runs: Sequence[NamingRun], population: int) -> Check:
    """Mean consensus time / N^1.5 at one N against the finite-size reference.

    Tolerance: Z times the replicate standard error (SD over seeds / sqrt(seeds)); the reference
    is itself a simulation estimate, whose own error is not included.
    """
    mine = [r for r in runs if r.population == population]
    ratio, se = mean_and_stderr(_consensus(r) / population**1.5 for r in mine)
    return _close(f"naming consensus t/N^1.5 N={population}", naming_reference(population),
                  ratio, se, f"{len(mine)} seeds; mean-field asymptote: constant")


def _consensus(run: NamingRun) -> float:
    return math.nan if run.consensus is None else float(run.consensus)


def naming_exponent_check(runs: Sequence[NamingRun], boot: int = 2000, seed: int = 0) -> Check:
    """Effective exponent of consensus time: OLS slope of log(mean t) on log N.

    Standard error by bootstrap: seeds resampled within each N, `boot` times.
    """
    populations = sorted({r.population for r in runs})
    if len(populations) < 2:
        raise ValueError("the exponent needs runs at 2 or more populations")
    times = [np.array([_consensus(r) for r in runs if r.population == n]) for n in populations]
    x = np.log(populations)

    def slope(samples: list[np.ndarray]) -> float:
        return float(np.polyfit(x, np.log([s.mean() for s in samples]), 1)[0])

    rng = np.random.default_rng(seed)
    boots = [slope([rng.choice(t, t.size) for t in times]) for _ in range(boot)]
    return _close(f"naming exponent N={populations[0]}..{populations[-1]}", NAMING_EXPONENT,
                  slope(times), float(np.std(boots, ddof=1)),
                  f"bootstrap of seeds; 95% CI {np.percentile(boots, 2.5):.3f}.."
                  f"{np.percentile(boots, 97.5):.3f}; mean field 1.5")


def naming_peak_check(runs: Sequence[NamingRun]) -> Check:
    """Peak number of distinct words over N, mean over runs, against the mean-field 1/2.

    Tolerance: Z times the replicate standard error.
    """
    share, se = mean_and_stderr(r.peak_distinct / r.population for r in runs)
    sizes = sorted({r.population for r in runs})
    return _close(f"naming peak distinct/N N={sizes[0]}..{sizes[-1]}", 0.5, share, se,
                  f"{len(runs)} runs")


def naming_invariant_check(runs: Sequence[NamingRun]) -> Check:
    """Table invariants and an inventory cap that never binds, over all runs (count of faults)."""
    faults = [e for r in runs for e in r.invariant_errors]
    dropped = sum(r.dropped for r in runs)
    bad = len(faults) + (dropped > 0)
    detail = "; ".join(sorted(set(faults))) + (f"; {dropped} variants dropped" if dropped else "")
    return Check(f"naming invariants ({len(runs)} runs)", 0.0, float(bad), 0.0, 0.0, bad == 0,
                 "faults == 0", detail or "words_total >= words_distinct >= 1, consensus row, "
                 "gesture_variants_dropped = 0")


# --- Rogers' paradox (Rogers 1988) ---------------------------------------------------------


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
    runs = _map(_rogers_run, [(s, overrides, generations, burn_in, n_batches) for s in seeds],
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
    return _close(f"rogers no invasion u={change:g} > c/2={cost / 2:g}",
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
    """Social-learner share between 1/2 and x*, and near the reference runs of SCIENCE.md.

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


# --- the command ----------------------------------------------------------------------------


def validation_checks(quick: bool, executor: Executor | None = None) -> list[Check]:
    """All checks: fewer seeds and shorter runs when `quick` (tolerances widen accordingly)."""
    checks: list[Check] = []
    # Henrich: below, near and above N* = exp(5 - gamma) = 83.
    n_seeds, generations = (4, 300) if quick else (16, 1000)
    seeds = spawn_run_seeds(2004, n_seeds)
    for population in (20, 83, 400):
        checks.append(henrich_check(population, 5.0, 1.0, seeds, generations, executor))
    checks.append(henrich_check(100, 2.0, 0.5, seeds, generations, executor))
    checks.append(henrich_founder_check(100, 5.0, 1.0, seeds, executor))

    # Naming game.
    populations = (100, 400, 1500) if quick else (100, 200, 400, 800, 1500)
    seeds = spawn_run_seeds(2006, 8 if quick else 24)
    runs = naming_runs(populations, seeds, executor)
    checks += [naming_consensus_check(runs, n) for n in (100, 1500)]
    checks += [naming_exponent_check(runs), naming_peak_check(runs), naming_invariant_check(runs)]

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


def format_checks(checks: Sequence[Check]) -> str:
    """The checks as a text table with a header and each check's detail line."""
    header = (f"{'check':<44} {'reference':>10} {'simulated':>10} {'stderr':>9} {'tolerance':>9}"
              "  result")
    lines = [header, "-" * len(header)]
    for check in checks:
        lines.append(check.line())
        if check.detail:
            lines.append(f"{'':<6}{check.detail}")
    return "\n".join(lines)


def run_validation(quick: bool) -> int:
    """Run every check, print the table, return 1 if any failed (else 0)."""
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as executor:
        checks = validation_checks(quick, executor)
    print(format_checks(checks))
    failed = [c.name for c in checks if not c.passed]
    print(f"\n{len(checks) - len(failed)} of {len(checks)} checks passed"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0

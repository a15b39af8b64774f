"""The minimal naming game (Baronchelli et al. 2006), scenario `naming_game`.

Mean field: consensus after t ~ N^1.5 interactions, with at most about N/2 distinct words. At
finite N the ratio t/N^1.5 falls from about 2.5 at N = 100 to 1.4 at N = 1500 (our own
simulation of the published rules; run-to-run spread 13-25 %), a power law in between with
effective exponent 1.5 + ln(1.4/2.5)/ln(15) = 1.29. Standard errors come from the spread over
replicate seeds (bootstrap for the fitted exponent).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from evo.run.runner import simulate
from evo.run.sweep.seeds import spawn_run_seeds
from evo.run.validate.checks import Check, close_check, map_runs, mean_and_stderr

# Finite-size naming-game references (our simulation of the published rules): t/N^1.5 at N = 100 and 1500.
NAMING_REFERENCE = ((100, 2.5), (1500, 1.4))
NAMING_EXPONENT = 1.5 + math.log(1.4 / 2.5) / math.log(1500 / 100)



@dataclass(frozen=True)
class NamingRun:
    """What one naming-game run to consensus yields."""

    population: int
    consensus: int | None
    peak_distinct: int
    dropped: int
    invariant_errors: tuple[str, ...]


def naming_reference(population: int) -> float:
    """Reference t/N^1.5: the power law through the N = 100 and N = 1500 values (our simulation)."""
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
    return map_runs(naming_run, [(s, n) for n in populations for s in seeds], executor,
                "naming game")


def naming_consensus_check(runs: Sequence[NamingRun], population: int) -> Check:
    """Mean consensus time / N^1.5 at one N against the finite-size reference.

    Tolerance: Z times the replicate standard error (SD over seeds / sqrt(seeds)); the reference
    is itself a simulation estimate, whose own error is not included.
    """
    mine = [r for r in runs if r.population == population]
    ratio, se = mean_and_stderr(_consensus(r) / population**1.5 for r in mine)
    return close_check(f"naming consensus t/N^1.5 N={population}", naming_reference(population),
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
    return close_check(f"naming exponent N={populations[0]}..{populations[-1]}", NAMING_EXPONENT,
                  slope(times), float(np.std(boots, ddof=1)),
                  f"bootstrap of seeds; 95% CI {np.percentile(boots, 2.5):.3f}.."
                  f"{np.percentile(boots, 97.5):.3f}; mean field 1.5")


def naming_peak_check(runs: Sequence[NamingRun]) -> Check:
    """Peak number of distinct words over N, mean over runs, against the mean-field 1/2.

    Tolerance: Z times the replicate standard error.
    """
    share, se = mean_and_stderr(r.peak_distinct / r.population for r in runs)
    sizes = sorted({r.population for r in runs})
    return close_check(f"naming peak distinct/N N={sizes[0]}..{sizes[-1]}", 0.5, share, se,
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


def checks(quick: bool, executor: Executor | None = None) -> list[Check]:
    """The model's checks: fewer seeds and shorter runs when `quick` (tolerances widen)."""
    checks: list[Check] = []
    # Naming game.
    populations = (100, 400, 1500) if quick else (100, 200, 400, 800, 1500)
    seeds = spawn_run_seeds(2006, 8 if quick else 24)
    runs = naming_runs(populations, seeds, executor)
    checks += [naming_consensus_check(runs, n) for n in (100, 1500)]
    checks += [naming_exponent_check(runs), naming_peak_check(runs), naming_invariant_check(runs)]

    return checks

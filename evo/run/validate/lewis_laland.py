"""Lewis & Laland (2012), scenario `lewis_laland`: the repertoire lives or dies by transmission fidelity.

Three checks of the rules in `evo.core.repertoire` against what is known of them:

* the stationary repertoire without combination, where loss outweighs gain, against its exact
  value from the (traits, seed traits) Markov chain (`ll_stationary_mean`); time averages over
  many events, standard error from batch means (batches of `BATCH` events, far longer than the
  chain's relaxation, a few tens of events) across seeds;
* the transition: over a scan of the loss chance rho4 (the gains keeping the scenario's shares
  1 : 3 : 3), the rho4 where the mean repertoire after T = 5000 events (the published run length)
  falls to sqrt(2T/pi), the mean distance an unbiased +/-1 walk reflected at 0 travels in T
  steps: below the transition the repertoire grows in proportion to T, above it it stays at a few
  traits, and at it (loss balancing gain) it is that walk. Located by interpolating the log mean
  between the two scan points that bracket it; its standard error by the delta method from the
  two means' standard errors. Published: a sharp fall near rho4 = 0.45-0.5 (our reading of Lewis &
  Laland's result: loss balancing gain in their event scheme); the mean-field value for large
  repertoires is (w2 + w3)/(1 + w2 + w3) = 6/13 = 0.46 (`ll_transition`); small repertoires,
  where inventions are still possible, move it towards 0.5;
* combination matters more than modification: moving a tenth of the event chance from
  modification to combination against the reverse, the mean seed traits per trait (how many
  lineages a trait combines, the "lineage complexity" of Lewis & Laland's measures) after 5000
  events differs by more than Z standard errors. The detail line gives what the same swap does to
  the number of traits and to their level (seed elements plus modifications), which in our rules
  respond to modification at least as much: each gain adds one trait whatever its kind.

Tolerances are Z = 4 standard errors (`evo.run.validate.checks`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import Executor

import numpy as np

import scenarios
from evo.core.repertoire import ll_stationary_mean, ll_transition
from evo.run.runner import simulate
from evo.run.sweep.seeds import spawn_run_seeds
from evo.run.validate.checks import Check, Z, batch_means, close_check, map_runs, mean_and_stderr

EVENTS = 5000  # Lewis & Laland's run length
BATCH = 1000  # events per batch mean (stationary check)
BURN_IN = 1000  # events dropped before the stationary time average
STATIONARY = (0.2, 0.0, 0.3, 0.5)  # (rho1, rho2, rho3, rho4): no combination, loss above gain
GAIN_SHARES = (1.0, 3.0, 3.0)  # the scenario's invention : combination : modification
SCAN = tuple(round(0.40 + 0.01 * i, 2) for i in range(17))  # 0.40, 0.41, ..., 0.56
PUBLISHED_BAND = (0.45, 0.50)
SWAP = 0.1  # event chance moved between modification and combination
NAMES = ("ll_invention", "ll_combination", "ll_modification", "ll_loss")


def _overrides(rates: Sequence[float], every: int) -> dict[str, float | int]:
    return {**dict(zip(NAMES, rates, strict=True)), "repertoire_record_every": every}


def _stationary_run(args: tuple[int, tuple[float, ...], int]) -> np.ndarray:
    """Batch means of the repertoire after the burn-in of one run."""
    seed, rates, events = args
    table = simulate("lewis_laland", seed=seed, generations=events,
                     overrides=_overrides(rates, 1)).table
    return batch_means(table["tool_types"].to_numpy()[BURN_IN + 1:].astype(float),
                       (events - BURN_IN) // BATCH)


def _final_run(args: tuple[int, tuple[float, ...]]) -> tuple[float, float, float]:
    """(traits, mean level, mean seeds per trait) after `EVENTS` events."""
    seed, rates = args
    last = simulate("lewis_laland", seed=seed, generations=EVENTS,
                    overrides=_overrides(rates, EVENTS)).table.row(-1, named=True)
    return (float(last["tool_types"]), float(last["trait_level_mean"] or 0.0),
            float(last["trait_seeds_mean"] or 0.0))


def stationary_check(seeds: Sequence[int], events: int, executor: Executor | None = None) -> Check:
    """The time-averaged repertoire at `STATIONARY` against the exact chain's mean.

    Tolerance: Z times the standard error of the batch means (all batches of all seeds).
    """
    r1, r2, r3, r4 = STATIONARY
    runs = map_runs(_stationary_run, [(s, STATIONARY, events) for s in seeds], executor,
                    "lewis_laland stationary")
    batches = np.concatenate(runs)
    mean, se = mean_and_stderr(batches)
    return close_check(f"lewis_laland stationary rho={r1:g},{r2:g},{r3:g},{r4:g}",
                       ll_stationary_mean(r1, r3, r4, scenarios.load("lewis_laland").params.ll_seeds),
                       mean, se,
                       f"exact (traits, seed traits) chain; {len(seeds)} seeds x {events} events, "
                       f"{batches.size} batches of {BATCH}")


def scan_rates(loss: float) -> tuple[float, float, float, float]:
    """Event chances with loss `loss` and the gains in `GAIN_SHARES`."""
    total = sum(GAIN_SHARES)
    return (*((1.0 - loss) * w / total for w in GAIN_SHARES), loss)


def transition_location(losses: Sequence[float], means: Sequence[float],
                        stderrs: Sequence[float], level: float) -> tuple[float, float]:
    """(rho4 where the mean falls through `level`, its standard error), log-linear interpolation.

    Uses the first adjacent pair of scan points with means above and below `level`; the standard
    error is the delta method's, from the standard errors of the two log means (se/mean).
    """
    for i in range(len(losses) - 1):
        if means[i] >= level > means[i + 1]:
            a, b = math.log(means[i]), math.log(means[i + 1])
            h = losses[i + 1] - losses[i]
            frac = (a - math.log(level)) / (a - b)
            da = (math.log(level) - b) / (a - b) ** 2
            db = (a - math.log(level)) / (a - b) ** 2
            se = h * math.hypot(da * stderrs[i] / means[i], db * stderrs[i + 1] / means[i + 1])
            return losses[i] + h * frac, se
    raise ValueError(f"no scan point pair brackets the level {level:.3g}; valid: a scan whose "
                     "means fall through it")


def transition_check(seeds: Sequence[int], executor: Executor | None = None) -> Check:
    """The loss chance of the transition (see the module docstring) inside the published band.

    Passes when 0.45 - tol <= rho4 <= 0.50 + tol, tol = Z standard errors.
    """
    jobs = [(s, scan_rates(loss)) for loss in SCAN for s in seeds]
    finals = map_runs(_final_run, jobs, executor, "lewis_laland transition scan")
    traits = np.array([f[0] for f in finals]).reshape(len(SCAN), len(seeds))
    means = traits.mean(axis=1)
    stderrs = traits.std(axis=1, ddof=1) / math.sqrt(len(seeds))
    level = math.sqrt(2.0 * EVENTS / math.pi)
    where, se = transition_location(SCAN, list(means), list(stderrs), level)
    lo, hi = PUBLISHED_BAND
    inside = lo - Z * se <= where <= hi + Z * se
    shown = ", ".join(f"{loss:.2f}: {m:.0f}" for loss, m in zip(SCAN, means, strict=True))
    return Check("lewis_laland transition rho4", ll_transition(*GAIN_SHARES), where, se, Z * se,
                 bool(inside), f"{lo:g} - tol <= sim <= {hi:g} + tol",
                 f"ref: mean-field 6/13; traits after {EVENTS} events by rho4: {shown}; "
                 f"level sqrt(2T/pi) = {level:.1f}; {len(seeds)} seeds per point")


def combination_check(seeds: Sequence[int], executor: Executor | None = None) -> Check:
    """Seed traits per trait respond more to combination than to modification (see docstring).

    The difference of the mean seeds per trait, combination-rich minus modification-rich, must
    exceed Z standard errors of the difference (the two sets of runs are independent).
    """
    base = (0.1, 0.3, 0.3, 0.3)
    rich_comb = (base[0], base[1] + SWAP, base[2] - SWAP, base[3])
    rich_mod = (base[0], base[1] - SWAP, base[2] + SWAP, base[3])
    comb = map_runs(_final_run, [(s, rich_comb) for s in seeds], executor, "lewis_laland comb")
    mod = map_runs(_final_run, [(s, rich_mod) for s in seeds], executor, "lewis_laland mod")
    (c_seeds, c_se), (m_seeds, m_se) = (mean_and_stderr(r[2] for r in runs) for runs in (comb, mod))
    diff, se = c_seeds - m_seeds, math.hypot(c_se, m_se)
    c_traits, m_traits = (float(np.mean([r[0] for r in runs])) for runs in (comb, mod))
    c_level, m_level = (float(np.mean([r[1] for r in runs])) for runs in (comb, mod))
    return Check("lewis_laland combination > modification", 0.0, diff, se, Z * se,
                 bool(diff - Z * se > 0.0), "sim - tol > 0",
                 f"seeds per trait {c_seeds:.3f} vs {m_seeds:.3f} (rho2, rho3 = "
                 f"{rich_comb[1]:g}, {rich_comb[2]:g} vs {rich_mod[1]:g}, {rich_mod[2]:g}); "
                 f"traits {c_traits:.0f} vs {m_traits:.0f}, level {c_level:.1f} vs {m_level:.1f}; "
                 f"{len(seeds)} seeds each")


def checks(quick: bool, executor: Executor | None = None) -> list[Check]:
    """The model's checks: fewer seeds and shorter runs when `quick` (tolerances widen)."""
    n_seeds, events = (4, 40_000) if quick else (16, 200_000)
    seeds = spawn_run_seeds(2012, 32 if quick else 64)
    return [
        stationary_check(seeds[:n_seeds], events, executor),
        transition_check(seeds[:8 if quick else 32], executor),
        combination_check(seeds[:8 if quick else 32], executor),
    ]

"""Kolodny, Creanza & Feldman (2015), scenario `kolodny`: punctuated gains and losses, no genes.

Its bursts need no brain change; how often the project's burst detector calls one in this model
is measured by the sweep `scenarios/sweeps/kolodny_null.toml`. Here, the two expectations of the
simplified model that are exact (`evo.core.repertoire`):

* main-axis traits are an immigration-death chain from none, E[m(t)] = m* (1 - (1 - mu)^t): the
  per-run mean of m over rows every `EVERY` generations of the whole run against the mean of
  E[m(t)] over the same rows (exact, transient included);
* with toolkit and combination attempts by everyone every generation, toolkits and useful
  combinations refill within a few generations of a loss, and the stationary repertoire is
  m* (1 + (K + 1)/2) + useful E[m(m - 1)]/2 (`kolodny_saturated_repertoire`): the per-run mean
  of `tool_types` after `SATURATION_BURN_IN` generations (8/mu: what is left of the start,
  e^-8, is negligible) against it. Neglected: the few generations a fresh main-axis trait takes to
  fill its toolkit, about 1 % of the repertoire, well inside the tolerance.

Runs are independent, so the standard error is that of the per-run means across seeds;
tolerances are Z = 4 standard errors (`evo.run.validate.checks`).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor

import numpy as np

import scenarios
from evo.core.repertoire import kolodny_main_mean, kolodny_saturated_repertoire
from evo.run.runner import simulate
from evo.run.sweep.seeds import spawn_run_seeds
from evo.run.validate.checks import Check, close_check, map_runs, mean_and_stderr

EVERY = 100  # generations between rows
SATURATION_BURN_IN = 8000  # 8 / mu at the scenario's mu = 0.001
SATURATED = {"kolodny_toolkit": 1.0, "kolodny_combination": 1.0}


def _run(args: tuple[int, int, dict]) -> tuple[float, float]:
    """(mean main-axis traits over all rows, mean traits after the saturation burn-in)."""
    seed, generations, overrides = args
    table = simulate("kolodny", seed=seed, generations=generations,
                     overrides={**overrides, "repertoire_record_every": EVERY}).table
    late = table.filter(table["generation"] >= SATURATION_BURN_IN)
    return float(table["main_traits"].mean()), float(late["tool_types"].mean())


def main_axis_check(seeds: Sequence[int], generations: int,
                    executor: Executor | None = None) -> Check:
    """Mean main-axis traits of a run against the exact immigration-death expectation."""
    p = scenarios.load("kolodny").params
    runs = map_runs(_run, [(s, generations, {}) for s in seeds], executor, "kolodny main axis")
    mean, se = mean_and_stderr(r[0] for r in runs)
    rows = np.arange(0, generations + 1, EVERY)
    expected = float(np.mean(kolodny_main_mean(rows, p.population, p.kolodny_invention,
                                               p.kolodny_selection_mean, p.kolodny_loss)))
    return close_check(f"kolodny main-axis traits, {generations} generations", expected, mean, se,
                       f"exact E[m(t)] averaged over the rows; {len(seeds)} seeds")


def saturated_check(seeds: Sequence[int], generations: int,
                    executor: Executor | None = None) -> Check:
    """The stationary repertoire with saturating toolkit and combination attempts."""
    if generations <= SATURATION_BURN_IN:
        raise ValueError(f"generations={generations}; valid: > {SATURATION_BURN_IN}")
    p = scenarios.load("kolodny").params
    runs = map_runs(_run, [(s, generations, SATURATED) for s in seeds], executor,
                    "kolodny saturated")
    mean, se = mean_and_stderr(r[1] for r in runs)
    expected = kolodny_saturated_repertoire(p.population, p.kolodny_invention,
                                            p.kolodny_selection_mean, p.kolodny_loss,
                                            p.kolodny_toolkit_max, p.kolodny_useful)
    return close_check("kolodny saturated repertoire", expected, mean, se,
                       f"m* (1 + (K+1)/2) + useful E[m(m-1)]/2; generations "
                       f"{SATURATION_BURN_IN}-{generations}; {len(seeds)} seeds")


def checks(quick: bool, executor: Executor | None = None) -> list[Check]:
    """The model's checks: fewer seeds and shorter runs when `quick` (tolerances widen)."""
    n_seeds, generations = (16, 20_000) if quick else (64, 40_000)
    seeds = spawn_run_seeds(2015, n_seeds)
    return [main_axis_check(seeds, generations, executor),
            saturated_check(seeds, generations, executor)]

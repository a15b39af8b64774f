"""One account as a pyabc model: a draw of its priors -> one seeded run -> the spec's summaries.

The simulation's seed is a function of the run seed, the account and the drawn values only
(`particle_seed`), so a particle gives the same summaries on any worker, core or cluster, and a
rerun of the same particle gives the same numbers bit for bit.
"""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Mapping
from typing import Any

import numpy as np

from evo.core.params import Params
from evo.run.choose.spec import Account, ChoiceSpec
from evo.run.choose.summaries import REGISTRY, RunView
from evo.run.runner import simulate
from evo.run.sweep.seeds import spawn_run_seeds


def particle_seed(run_seed: int, account: int, values: Mapping[str, float]) -> int:
    """A 63-bit model seed from the run seed, the account's index and the drawn values' bits."""
    words = [run_seed & 0xFFFFFFFF, run_seed >> 32, account]
    for name in sorted(values):
        words.extend(struct.unpack("<II", struct.pack("<d", float(values[name]))))
    state = np.random.SeedSequence(words).generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(1))


def run_summaries(spec: ChoiceSpec, account: Account, draw: Mapping[str, Any],
                  seed: int) -> dict[str, float]:
    """The spec's summaries of one run of `account` at parameter values `draw` from `seed`."""
    params = spec.params(account, draw)
    result = simulate(account.scenario, seed=seed, overrides=params.as_dict())
    view = RunView(params, result.table,
                   islands=lambda: run_islands(spec, account, params, result.table, seed),
                   presence=result.extras.get("presence"))
    return {s.name: float(REGISTRY[s.name].compute(view)) for s in spec.summaries}


def island_params(params: Params, table, learners: int, generations: int,
                  fixed: Mapping[str, Any] | None = None) -> Params:
    """One isolated camp of `learners` at the run's end state (`evo.run.choose.summaries`).

    Islands are the contact-era societies of Kline & Boyd (2010): one camp in a steady world (no
    climate, local extinction or changing payoffs), whatever world the run had.

    The islands' own `fixed` values (e.g. more possible tool types) apply first.
    """
    params = Params.from_mapping(dict(fixed or {}), base=params)
    last = table.row(-1, named=True)

    def share(name: str, default: float) -> float:
        value = last.get(name)
        return default if value is None or not np.isfinite(value) else min(1.0, max(0.0, value))

    return dataclasses.replace(
        params, population=learners, camps_x=1, camps_y=1, generations=generations,
        growth_start=0, growth_end=0, allele_generation=0, crash_generation=0,
        record_camps=False, record_lineages=False, record_presence=False,
        climate="none", regional_sd=0.0, extinction_rate=0.0, tool_env_off=0.0,
        mirror_initial=share("mirror_mean", params.mirror_initial),
        mirror_initial_sd=share("mirror_sd", params.mirror_initial_sd),
        assoc_initial=share("assoc_mean", params.assoc_initial))


def run_islands(spec: ChoiceSpec, account: Account, params: Params, table,
                seed: int) -> tuple[np.ndarray, np.ndarray, int]:
    """(census, tool types at the last generation, possible types) of the islands.

    Each island runs from its own seed, spawned from the run's.
    """
    islands = spec.islands
    assert islands is not None
    learners = islands.learners(spec.population_scale)
    generations = max(1, round(islands.generations * spec.time_scale))
    counts, possible = [], params.lineages
    for n, s in zip(learners, spawn_run_seeds(seed, len(learners)), strict=True):
        p = island_params(params, table, n, generations, islands.fixed)
        possible = p.lineages
        result = simulate(account.scenario, seed=s, overrides=p.as_dict(), record_every="final")
        counts.append(float(result.table["tool_types"][-1]))
    return np.asarray(islands.census, float), np.asarray(counts, float), possible


@dataclasses.dataclass(frozen=True)
class AccountModel:
    """pyabc's model of one account (picklable: sent to worker processes and dask workers)."""

    spec: ChoiceSpec
    index: int
    run_seed: int

    @property
    def account(self) -> Account:
        """The account this model stages."""
        return self.spec.accounts[self.index]

    def draw(self, pars: Mapping[str, float]) -> dict[str, Any]:
        """Map pyabc's continuous draw to parameter values (rounded, or the choice it indexes)."""
        return {p.name: p.value(float(pars[p.name])) for p in self.account.priors}

    def __call__(self, pars: Mapping[str, float]) -> dict[str, float]:
        """Simulate at pyabc's draw `pars` and return the summaries."""
        values = {p.name: float(pars[p.name]) for p in self.account.priors}
        seed = particle_seed(self.run_seed, self.index, values)
        return run_summaries(self.spec, self.account, self.draw(values), seed)

"""The model SolaraViz shows: the real `MirrorModel` behind flat keyword arguments.

SolaraViz rebuilds the model on Reset as `type(model)(**slider_values)`, so the constructor here
takes one keyword per slider instead of a `Params` object. Every value goes through
`Params.from_mapping` (via `evo.run.runner.resolve_params`); a value it refuses is not run: the view
shows the chosen scenario with its own values and `refused` holds the one-line reason.
A Mesa `DataCollector` keeps one row per generation for the plots (`MirrorModel.step` collects).
"""

from __future__ import annotations

import math
import os
from functools import partial
from typing import Any

from mesa import DataCollector

import scenarios
from evo.core.model import MirrorModel
from evo.errors import UsageError
from evo.run.runner import check_seed, resolve_params

DEFAULT_SCENARIO = "default"
#: The environment variable `run.py view SCENARIO` sets: the scenario (name or path) shown first.
FIRST_ENV = "MIRRORLEAP_VIEW_SCENARIO"

# The parameters with a slider, in the order the page lists them.
SLIDERS = ("population", "camps_x", "camps_y", "migration_rate", "mirror_cost", "mirror_initial",
           "mutation_rate", "alpha", "gesture_episodes")

# Columns of the generation rows the plots read ("expressivity" when the model records it).
PLOTTED = ("mirror_mean", "mirror_sd", "tool_complexity", "gesture_success")
CONVENTION_MEASURES = ("expressivity", "lexicon_coherence")


def viewable(scenario: str) -> bool:
    """True for a generation-driven scenario with both tools and gestures (what the page plots)."""
    p = scenarios.load(scenario).params
    return p.driver == "generations" and p.lineages > 0 and p.meanings > 0


def first_scenario() -> str:
    """The scenario the page opens with: `FIRST_ENV` (set by `run.py view SCENARIO`) or default."""
    return os.environ.get(FIRST_ENV) or DEFAULT_SCENARIO


def view_scenarios() -> list[str]:
    """The scenarios the page offers: the generation-driven ones with both tools and gestures.

    That is the default and the hypothesis scenarios, the user's own (their folders) and the one
    given to `run.py view`, first; the validation cases (Henrich's model, the naming game, Rogers'
    paradox) lack tools or gestures or run by interactions. A broken user file is left out.
    """
    found = []
    for name in scenarios.names():
        try:
            if viewable(name):
                found.append(name)
        except UsageError:
            continue
    first = first_scenario()
    if first not in found:
        found.append(first)
    found.sort(key=lambda name: (name != first, name != DEFAULT_SCENARIO))
    return found


def parse_seed(raw: Any) -> int:
    """A seed typed into the page (text) or given as a number; raises UsageError."""
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    return check_seed(raw)


class MirrorView(MirrorModel):
    """`MirrorModel` built from a scenario name, a seed and slider values, with a DataCollector."""

    def __init__(
        self,
        scenario_name: str = DEFAULT_SCENARIO,
        seed: int | str = 0,
        population: int | None = None,
        camps_x: int | None = None,
        camps_y: int | None = None,
        migration_rate: float | None = None,
        mirror_cost: float | None = None,
        mirror_initial: float | None = None,
        mutation_rate: float | None = None,
        alpha: float | None = None,
        gesture_episodes: float | None = None,
    ) -> None:
        values = {"population": population, "camps_x": camps_x, "camps_y": camps_y,
                  "migration_rate": migration_rate, "mirror_cost": mirror_cost,
                  "mirror_initial": mirror_initial, "mutation_rate": mutation_rate,
                  "alpha": alpha, "gesture_episodes": gesture_episodes}
        overrides = {name: value for name, value in values.items() if value is not None}
        self.scenario_name = scenario_name
        self.refused: str | None = None
        try:
            params = resolve_params(scenario_name, overrides)
            seed = parse_seed(seed)
        except UsageError as exc:
            self.refused = str(exc)
            params, seed = resolve_params(scenario_name), 0
        super().__init__(params, seed=seed, events=scenarios.load(scenario_name).events)
        self.seed_used = seed
        self.last_row = self.record()
        self.convention_measure = next(
            (c for c in CONVENTION_MEASURES if c in self.last_row), CONVENTION_MEASURES[-1]
        )
        columns = ("generation", "population", *PLOTTED, self.convention_measure)
        self.datacollector = DataCollector(
            model_reporters={c: partial(row_value, c) for c in columns}
        )
        self.datacollector.collect(self)  # generation 0; `MirrorModel.step` collects the others
        self.running = self.generation < self.params.generations


def row_value(column: str, model: MirrorModel) -> float:
    """One column of `model.last_row` (NaN when absent or None): a DataCollector reporter."""
    value = model.last_row.get(column)
    return math.nan if value is None else value

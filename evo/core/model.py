"""MirrorModel: a Mesa model of heritable mirror strength, tool culture and gesture conventions.

One `step()` is one generation:
1. scheduled events (parameter changes, a large-effect mutant); the world changes (climate-driven
   camp capacities, local extinction of camps, which tool types pay where: `evo.core.world`); the
   environment may change (Rogers);
2. reproduction within camps proportional to fitness, with inheritance and mutation;
   with `assoc_infancy` > 0 the newborns are imitated by camp adults (learned matching, Heyes 2018);
3. gesture episodes among all members of each camp (naming game with imperfect parity);
4. the newborns learn tools (Henrich 2004) and the environment-tracking behaviour (Rogers 1988);
5. death (all adults under discrete generations, each with `death_rate` when overlapping);
6. ageing, fitness, then migration to neighbouring camps of the Mesa grid.
The per-individual rules are numba kernels (`evo.core.kernels`) over the arrays in `evo.core.state`; Mesa
holds one `Individual` per living person in the cell of its camp (see `sync_agents`).

`MirrorModel.from_scenario` builds a model from a scenario with its events; `ScenarioModel` does the
same from flat keywords and collects every generation in a Mesa `DataCollector`, the form
`mesa.batch_run` builds and reads.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np
from mesa import DataCollector, Model
from mesa.discrete_space import OrthogonalMooreGrid

from evo.core import kernels, stream
from evo.core.agents import Individual
from evo.core.events import Event, max_population, scheduled_events
from evo.core.metrics import generation_row
from evo.core.params import Params
from evo.core.scenario import Scenario, load_scenario, scenario_params, suggest
from evo.core.state import NARROW_MAX, PopulationState
from evo.core.world import World
from evo.errors import UsageError


def split_capacity(total: int, n_camps: int) -> np.ndarray:
    """Carrying capacity per camp: `total` split as evenly as possible, first camps larger."""
    base, extra = divmod(total, n_camps)
    return np.array([base + (c < extra) for c in range(n_camps)], np.int64)


def gesture_count_bound(params: Params, events: tuple[Event, ...], slots: int) -> int:
    """An upper bound on the variant ids and use scores a run can create.

    An episode creates at most two variants (the speaker's invention, the hearer's misperception)
    and adds one use to at most two scores, so twice the run's episodes bound both: the
    interactions driver plays at most `max_interactions`; a generation at most
    rint(gesture_episodes * members) per camp, summed over camps, <= gesture_episodes * slots +
    camps, taking the largest values any event sets.
    """
    if params.driver == "interactions":
        return 2 * params.max_interactions
    phases = [params] + [dataclasses.replace(params, **e.set) for e in events if e.set]
    rate = max(phase.gesture_episodes for phase in phases)
    camps = max(phase.n_camps for phase in phases)
    return 2 * params.generations * (int(np.ceil(rate * slots)) + camps)


class MirrorModel(Model):
    """Heritable mirror strength coevolving with tools and gestures in camps on a Mesa grid.

    `MirrorModel(params, seed, events)` runs `params` (a `Params`; its defaults are the
    `python run.py params` values, not any scenario's) with the scenario `events` given, plus the
    events its schedule parameters ask for. Prefer `MirrorModel.from_scenario`, which takes the
    scenario's events along (its parameters alone would drop them)::

        model = MirrorModel.from_scenario("tasmania", seed=1, generations=1200)
        for _ in range(model.params.generations):
            model.step()
        model.last_row["population"]   # 40 after the crash at generation 1000

    Attributes: `params` (the current parameters; events replace them), `generation` (generations
    run), `events`, `state` (the per-individual arrays, `evo.core.state.PopulationState`),
    `last_row` (the last generation's measures, `evo.core.metrics.generation_row`), `agents` (one
    `evo.core.agents.Individual` per living person), `grid` (the camps), `running` (False once
    `params.generations` generations have run) and `datacollector` (None unless asked for:
    `collect`).
    """

    def __init__(self, params: Params, seed: int | None = 0, events: tuple[Event, ...] = ()) -> None:
        super().__init__(rng=seed)
        self.kernel_rng = stream.seeded(self.rng)  # the kernels' xoshiro256** state
        self.params = params
        # the scenario's events, then those its schedule parameters ask for (growth, allele, crash)
        self.events = tuple(sorted((*events, *scheduled_events(params)), key=lambda e: e.generation))
        self.generation = 0
        self.env_state = 0
        self.gesture_counters = np.zeros(3, np.int64)  # next variant id, dropped, words total
        self.grid = OrthogonalMooreGrid(
            (params.camps_x, params.camps_y), torus=params.torus, random=self.random
        )
        self.camp_cells = [self.grid[(x, y)] for x in range(params.camps_x)
                           for y in range(params.camps_y)]
        self.neighbour_start, self.neighbours = self._neighbour_table()
        self.base_capacity = split_capacity(params.population, params.n_camps)
        self.capacity = self.base_capacity.copy()  # this generation's, after the climate
        self.world = World(params.n_camps, params.lineages)
        self.emptied = np.zeros(params.n_camps, bool)  # camps that lost everyone this generation
        slots = 2 * max_population(params, self.events)
        self.state = PopulationState.allocate(
            slots, params.lineages, params.meanings, params.variants,
            narrow=gesture_count_bound(params, self.events, slots) <= NARROW_MAX,
        )
        self._agent_at: list[Individual | None] = [None] * slots
        self._agent_serial = np.full(slots, -1, np.int64)  # serial each Mesa agent stands for
        self._agent_camp = np.full(slots, -1, np.int64)
        self._born = 0
        self.last_episodes = 0
        self.last_successes = 0
        self._rule_of: tuple[Params, kernels.Rule, np.ndarray] | None = None
        self._preferred_now: np.ndarray | None = None  # of the living, valid for one record()
        self._ramp_start: dict[int, dict] = {}  # each running ramp's values at its start
        self.datacollector: DataCollector | None = None  # `collect` makes one
        self.source: Scenario | None = None  # the scenario, when built by `from_scenario`
        self._found()

    @classmethod
    def from_scenario(cls, scenario: str, seed: int | None = 0, *,
                      collect: bool | Sequence[str] = False, **overrides: Any) -> MirrorModel:
        """The model of a scenario (a name or a path to a .toml file), with its events.

        `overrides` are parameter values (as `--set` gives them, e.g. ``generations=500``),
        checked like the command line's; an event the run never reaches warns
        (`evo.core.events.EventOutsideRunWarning`). `collect` attaches a Mesa `DataCollector`
        of the generation rows (every column, or the columns named). The same seed and values
        give the same generations as `evo.run.runner.simulate`. Names are looked up in the
        user's folders (`evo.core.scenario.ENV_VAR`) and the shipped ones.
        """
        spec, params = _stepped_scenario(scenario, overrides)
        model = cls(params, seed=seed, events=spec.events)
        model.source = spec
        if collect:
            model.collect(None if collect is True else collect)
        return model

    def collect(self, columns: Sequence[str] | None = None) -> DataCollector:
        """Attach a Mesa `DataCollector` of the generation rows and collect the current one.

        `columns`: the measures to keep (`evo.core.metrics.generation_row`'s keys), or None for
        all. From then on every `step` collects; `datacollector.get_model_vars_dataframe()`
        returns one row per generation collected. Raises UsageError naming an unknown column.
        """
        self.last_row = self.record()
        names = list(self.last_row) if columns is None else list(columns)
        for name in names:
            if name not in self.last_row:
                raise UsageError(f"unknown measure {name!r}{suggest(name, self.last_row)}; "
                                 f"valid: {', '.join(self.last_row)}")
        self.datacollector = DataCollector(
            model_reporters={name: partial(_row_value, name) for name in names})
        self.datacollector.collect(self)
        return self.datacollector

    # --- set-up -----------------------------------------------------------------------------

    def _neighbour_table(self) -> tuple[np.ndarray, np.ndarray]:
        """CSR table of each camp's Moore neighbours, read from the Mesa grid's connections."""
        index = {cell.coordinate: c for c, cell in enumerate(self.camp_cells)}
        start, flat = [0], []
        for cell in self.camp_cells:
            flat += sorted({index[n.coordinate] for n in cell.neighborhood} - {index[cell.coordinate]})
            start.append(len(flat))
        return np.array(start, np.int64), np.array(flat, np.int64)

    def _found(self) -> None:
        """Founders: adults filling every camp, genes drawn around `mirror_initial`, no culture."""
        p, st = self.params, self.state
        n = int(self.base_capacity.sum())
        slots = st.free_slots(n)
        self._births(slots)
        st.age[slots] = 1
        st.camp[slots] = np.repeat(np.arange(p.n_camps), self.base_capacity)
        if p.mutation_kind == "flip":  # two alleles: a share mirror_initial carries allele 1
            st.g_mirror[slots] = (self.rng.random(n) < p.mirror_initial).astype(np.float64)
        else:
            noise = self.rng.standard_normal(n) * p.mirror_initial_sd
            st.g_mirror[slots] = np.clip(p.mirror_initial + noise, 0.0, 1.0)
        st.g_assoc[slots] = p.assoc_initial
        self._evaluate_fitness()
        if p.agent_sync == "step":
            self.sync_agents()

    @property
    def rule(self) -> kernels.Rule:
        """The rule constants the kernels read, rebuilt whenever `params` is replaced (events)."""
        return self._rules()[0]

    @property
    def difficulty(self) -> np.ndarray:
        """Each tool lineage's relative copying difficulty (`kernels.lineage_difficulty`)."""
        return self._rules()[1]

    def _rules(self) -> tuple[kernels.Rule, np.ndarray]:
        if self._rule_of is None or self._rule_of[0] is not self.params:
            p = self.params
            self._rule_of = (p, kernels.make_rule(p),
                             kernels.lineage_difficulty(p.lineages, p.difficulty_spread))
        return self._rule_of[1], self._rule_of[2]

    # --- Mesa bookkeeping ------------------------------------------------------------------

    @property
    def agents(self):
        """All Mesa agents (synced with the arrays first when `agent_sync` is lazy)."""
        if self.params.agent_sync == "lazy":
            self.sync_agents()
        return super().agents

    def sync_agents(self) -> None:
        """Make the Mesa agents match the arrays: one `Individual` per living person, in its camp.

        Agents of the dead are removed, the newborn get new agents, migrants move cell. With
        `agent_sync = "step"` this runs after every generation; with "lazy" only when
        `model.agents` is read, so long sweeps do not pay for objects nobody looks at. Agents hold
        no state of their own and draw no random numbers: both modes give identical tables.
        """
        st = self.state
        stale = (self._agent_serial >= 0) & (~st.alive | (self._agent_serial != st.serial))
        for slot in np.flatnonzero(stale).tolist():
            self._agent_at[slot].remove()
            self._agent_at[slot] = None
        self._agent_serial[stale] = -1
        new = st.alive & (self._agent_serial != st.serial)
        moved = st.alive & ~new & (self._agent_camp != st.camp)
        for slot in np.flatnonzero(new).tolist():
            agent = Individual(self, slot)
            agent.cell = self.camp_cells[st.camp[slot]]
            self._agent_at[slot] = agent
        for slot in np.flatnonzero(moved).tolist():
            self._agent_at[slot].cell = self.camp_cells[st.camp[slot]]
        self._agent_serial[new] = st.serial[new]
        self._agent_camp[st.alive] = st.camp[st.alive]

    def agent_at(self, slot: int) -> Individual | None:
        """The Mesa agent of the individual in a slot (None for an empty slot)."""
        if self.params.agent_sync == "lazy":
            self.sync_agents()
        return self._agent_at[slot]

    def _births(self, slots: np.ndarray) -> None:
        self.state.newborn(slots, self._born)
        self._born += slots.size

    def _deaths(self, slots: np.ndarray) -> None:
        self.state.alive[slots] = False

    # --- one generation --------------------------------------------------------------------

    def step(self) -> None:
        """Advance one generation and record its row in `self.last_row`."""
        self.generation += 1
        self._apply_events()
        p, st, rng = self.params, self.state, self.rng
        if World.active(p):
            self._change_world()
        tracks_env = p.env_benefit > 0.0
        if tracks_env and p.env_change_rate > 0.0 and rng.random() < p.env_change_rate:
            self.env_state += 1
        if p.overlapping:
            self._cull_over_capacity()
        adults = st.alive_slots()
        newborns = self._reproduce()
        camps = kernels.camps_of(st, p.n_camps)
        if p.assoc_infancy > 0:  # infancy, before the generation's gestures (Heyes 2018)
            kernels.infancy(self.kernel_rng, st, self.rule, camps, newborns)
        self._communicate(camps)
        preferred = self._learn(camps, newborns, tracks_env)
        if p.overlapping:
            dying = adults[rng.random(adults.size) < p.death_rate]
        else:
            dying = adults
        self._deaths(dying)
        living = st.alive_slots()
        st.age[living] += 1
        kernels.fitness_then_migrate(self.kernel_rng, st, self.rule, living, self.env_state,
                                     self.neighbour_start, self.neighbours)
        if p.agent_sync == "step":
            self.sync_agents()
        # inventories have not changed since `_learn`: its preferred variants are still current
        self._preferred_now = None if preferred is None else preferred[living]
        self.last_row = self.record()
        self.running = self.generation < self.params.generations
        if self.datacollector is not None:
            self.datacollector.collect(self)

    def record(self) -> dict:
        """The current generation's row of measures."""
        preferred, self._preferred_now = self._preferred_now, None  # set by `step` just before
        p = self.params
        return generation_row(self.state, self.generation, p.skill_step, self.last_episodes,
                              self.last_successes, p.env_benefit > 0, preferred, p.tool_type_skill)

    def _apply_events(self) -> None:
        for index, event in enumerate(self.events):
            ramping = event.until is not None and event.generation <= self.generation <= event.until
            if event.generation != self.generation and not ramping:
                continue
            if event.set:
                if event.generation == self.generation and event.until is not None:
                    self._ramp_start[index] = {k: getattr(self.params, k) for k in event.set}
                values = event.values_at(self.generation, self._ramp_start.get(index, {}))
                self.params = dataclasses.replace(self.params, **values)
                self.params.check_consistency()
                self.base_capacity = split_capacity(self.params.population, self.params.n_camps)
                self.capacity = self.base_capacity.copy()
            if event.mutant is not None:
                self.state.g_mirror[self._carriers(event.mutant)] = event.mutant.mirror

    def _carriers(self, mutant) -> np.ndarray:
        """Who gets a new allele: a random share of the living, or `carriers` people.

        The carriers are drawn first from the origin camp, then from everyone else.
        """
        alive = self.state.alive_slots()
        if mutant.carriers == 0:
            k = max(1, round(mutant.fraction * alive.size))
            return self.rng.choice(alive, size=k, replace=False)
        home = alive[self.state.camp[alive] == mutant.camp]
        chosen = self.rng.choice(home, size=min(mutant.carriers, home.size), replace=False)
        rest = mutant.carriers - chosen.size
        if rest > 0:
            others = np.setdiff1d(alive, home)
            chosen = np.concatenate([chosen, self.rng.choice(others, min(rest, others.size),
                                                             replace=False)])
        return chosen

    def _change_world(self) -> None:
        """Capacities and local extinctions of the generation (`evo.core.world`)."""
        st, living = self.state, self.state.alive_slots()
        occupied = np.bincount(st.camp[living], minlength=self.params.n_camps) > 0
        self.capacity, extinct = self.world.advance(self.generation, self.params, self.rng,
                                                    self.base_capacity, occupied)
        if extinct.any():
            self._deaths(living[extinct[st.camp[living]]])
        self.emptied = occupied & (extinct | (self.capacity == 0))

    def _cull_over_capacity(self) -> None:
        """Camps above capacity (after immigration or a crash) lose random members.

        Density-dependent mortality: our assumption, so that population never exceeds capacity.
        """
        st = self.state
        start, members = kernels.camp_members(st.camp, st.alive, self.params.n_camps)
        for c in range(self.params.n_camps):
            excess = start[c + 1] - start[c] - self.capacity[c]
            if excess > 0:
                doomed = self.rng.choice(members[start[c]:start[c + 1]], excess, replace=False)
                self._deaths(doomed)

    def _reproduce(self) -> np.ndarray:
        """Births fill each occupied camp to capacity (discrete) or its vacancies (overlapping)."""
        p, st = self.params, self.state
        start, members = kernels.camp_members(st.camp, st.alive, p.n_camps)
        counts = np.diff(start)
        births = self.capacity - counts if p.overlapping else self.capacity.copy()
        births = np.where(counts > 0, np.maximum(births, 0), 0)
        children = st.free_slots(int(births.sum()))  # one parent per birth: as many children
        self._births(children)  # resets only slots that are free, none a parent's
        kernels.reproduce(self.kernel_rng, st, self.rule, start, members, births, children)
        return children

    def _communicate(self, camps: kernels.Camps) -> None:
        p, st = self.params, self.state
        st.attempts[:] = 0
        st.successes[:] = 0
        self.last_episodes = self.last_successes = 0
        if p.meanings == 0 or p.gesture_episodes == 0:
            return
        episodes = np.rint(p.gesture_episodes * np.diff(camps.start)).astype(np.int64)
        self.last_episodes, self.last_successes = kernels.gesture_generation(
            self.kernel_rng, st, self.rule, camps, episodes, self.gesture_counters
        )

    def _learn(self, camps: kernels.Camps, learners: np.ndarray,
               tracks_env: bool) -> np.ndarray | None:
        """Tools and behaviour; returns the preferred variants by slot when it computed them."""
        p, st = self.params, self.state
        preferred = None
        if p.lineages > 0:
            preferred = np.full((st.capacity, p.meanings), -1, np.int64)
            if p.meanings > 0 and p.teaching_gain > 0.0:
                living = st.alive_slots()
                preferred[living] = kernels.preferred_variants(st, living)
            kernels.tool_learning(self.kernel_rng, st, self.rule, camps, learners, preferred,
                                  self.difficulty, self.world.pays)
        if tracks_env:
            kernels.learn_behaviour(self.kernel_rng, st, self.rule, camps, learners, self.env_state)
        return preferred if p.meanings > 0 and p.teaching_gain > 0.0 else None

    def _evaluate_fitness(self) -> None:
        kernels.fitness(self.state, self.rule, self.state.alive_slots(), self.env_state)


def _stepped_scenario(scenario: str, overrides: dict[str, Any]) -> tuple[Scenario, Params]:
    """The scenario and its checked parameters; UsageError unless `step` runs it (generations)."""
    spec = load_scenario(scenario)
    params = scenario_params(spec, overrides)
    if params.driver != "generations":
        raise UsageError(f"scenario {spec.name} runs with driver={params.driver}, which MirrorModel."
                         "step does not drive; valid: a generation-driven scenario, or "
                         "evo.run.runner.simulate for this one")
    return spec, params


def _row_value(column: str, model: MirrorModel) -> Any:
    """One column of `model.last_row`: a DataCollector reporter (picklable, for batch_run)."""
    return model.last_row.get(column)


class ScenarioModel(MirrorModel):
    """A scenario's model from flat keywords, collecting its rows: the form `mesa.batch_run` builds.

    ``ScenarioModel(scenario="tasmania", seed=1, population=200)`` is
    ``MirrorModel.from_scenario("tasmania", 1, collect=True, population=200)``; `running` turns
    False after the scenario's `generations`, so `batch_run` stops there (give `max_steps`
    above it)::

        from mesa import batch_run
        rows = batch_run(ScenarioModel, {"scenario": "default", "mirror_cost": [0.01, 0.1]},
                         rng=[1, 2], max_steps=10_000, data_collection_period=-1,
                         display_progress=False)

    Give `rng` a list of integer seeds: without it each run draws its own entropy and cannot be
    repeated. `collect` names the measures to keep (default: every column of the row).
    """

    def __init__(self, scenario: str = "default", seed: int | None = 0,
                 collect: Sequence[str] | None = None, **overrides: Any) -> None:
        spec, params = _stepped_scenario(scenario, overrides)
        super().__init__(params, seed=seed, events=spec.events)
        self.source = spec
        self.collect(collect)

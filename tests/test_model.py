"""The model: determinism, invariants, the Mesa face over the arrays, scheduled events."""

import dataclasses

import numpy as np
import polars as pl
import pytest

import scenarios
from evo.core.events import Event, Mutant
from evo.core.model import MirrorModel, gesture_count_bound, split_capacity
from evo.core.params import Params
from evo.core.state import as_slice
from evo.run.runner import resolve_params, simulate

REQUIRED_COLUMNS = [
    "generation", "population", "mirror_mean", "mirror_sd", "mirror_effective_mean",
    "tool_skill_mean", "tool_skill_max", "tool_complexity", "gesture_success", "lexicon_size",
    "lexicon_coherence", "fitness_mean",
]

# A small model that exercises every mechanism: overlapping generations, migration on a torus,
# associative learning, mutation of both genes, the Rogers behaviour, teaching.
BUSY = dict(
    population=60, camps_x=3, camps_y=2, torus=True, migration_rate=0.2, overlapping=True,
    death_rate=0.4, assoc_initial=0.3, assoc_mutation_rate=0.2, mutation_rate=0.2,
    mutation_sd=0.3, mirror_initial=0.5, env_benefit=0.05, env_change_rate=0.3,
    individual_cost=0.5, gesture_episodes=6.0, variants=3, lineages=3, meanings=2,
)


def busy_params(**extra) -> Params:
    return resolve_params("default", {**BUSY, **extra})


def test_same_seed_gives_identical_tables_and_other_seeds_differ():
    a = simulate("default", seed=11, generations=40)
    b = simulate("default", seed=11, generations=40)
    c = simulate("default", seed=12, generations=40)
    assert a.table.equals(b.table)
    assert not a.table.equals(c.table)
    assert set(REQUIRED_COLUMNS) <= set(a.table.columns)


def test_agent_sync_mode_does_not_change_results():
    busy = {k: str(v) for k, v in BUSY.items()}
    step = simulate("default", seed=3, generations=25, overrides={**busy, "agent_sync": "step"})
    lazy = simulate("default", seed=3, generations=25, overrides={**busy, "agent_sync": "lazy"})
    assert step.table.equals(lazy.table)


def check_invariants(model: MirrorModel) -> None:
    st = model.state
    living = st.alive_slots()
    assert living.size <= model.capacity.sum()
    for genes in (st.g_mirror, st.g_assoc, st.m_learned):
        assert np.all((genes[living] >= 0.0) & (genes[living] <= 1.0))
    assert np.all(st.n_known[living] <= st.gestures.shape[2])
    assert np.all((st.camp[living] >= 0) & (st.camp[living] < model.params.n_camps))
    assert np.all(st.age[living] >= 1)
    assert np.all(st.fitness[living] >= 0.0)
    # The Mesa face: one agent per living person, in the cell of its camp, reading the arrays.
    agents = list(model.agents)
    assert sorted(a.slot for a in agents) == living.tolist()
    for agent in agents:
        assert agent.cell is model.camp_cells[agent.camp]
        assert agent.mirror == st.g_mirror[agent.slot]
        assert agent.mirror_effective == pytest.approx(
            1 - (1 - st.g_mirror[agent.slot]) * (1 - st.m_learned[agent.slot])
        )
    assert sum(len(cell.agents) for cell in model.camp_cells) == living.size


@pytest.mark.parametrize("sync", ["step", "lazy"])
def test_invariants_hold_every_generation(sync):
    model = MirrorModel(busy_params(agent_sync=sync), seed=5)
    check_invariants(model)
    for _ in range(30):
        model.step()
        check_invariants(model)
    assert model.last_row["population"] == model.state.alive.sum()


def test_discrete_generations_refill_every_camp_to_capacity():
    params = busy_params(overlapping=False, migration_rate=0.0)
    model = MirrorModel(params, seed=2)
    for _ in range(5):
        model.step()
        counts = np.bincount(model.state.camp[model.state.alive_slots()], minlength=6)
        assert counts.tolist() == split_capacity(params.population, params.n_camps).tolist()
        assert np.all(model.state.age[model.state.alive] == 1)


def test_agent_attributes_write_through_to_the_arrays():
    model = MirrorModel(busy_params(), seed=1)
    agent = next(iter(model.agents))
    agent.mirror = 0.75
    assert model.state.g_mirror[agent.slot] == 0.75
    assert agent.skills.shape == (3,)
    with pytest.raises(ValueError):
        agent.skills[0] = 1.0


@pytest.mark.parametrize("sync", ["step", "lazy"])
def test_the_agent_of_a_dead_person_says_so_even_when_its_slot_is_reused(sync):
    from evo.core.agents import DeadAgentError

    model = MirrorModel(busy_params(agent_sync=sync), seed=1)
    st = model.state
    agents = list(model.agents)
    assert all(a.serial == st.serial[a.slot] for a in agents)
    for _ in range(30):
        model.step()
        reused = [a for a in agents if st.alive[a.slot] and st.serial[a.slot] != a.serial]
        if reused:
            break
    assert reused, "no slot was reused in 30 generations"
    old = reused[0]
    message = (rf"^agent {old.unique_id} \(person {old.serial}, slot {old.slot}\) is dead: its "
               rf"person died and the slot now holds person {int(st.serial[old.slot])}")
    before = st.g_mirror[old.slot]
    for name in ("mirror", "assoc", "learned_mirror", "age", "camp", "fitness",
                 "mirror_effective", "skills", "parent_slot"):
        with pytest.raises(DeadAgentError, match=message):
            getattr(old, name)
    with pytest.raises(DeadAgentError, match=message):
        old.mirror = 0.5
    assert st.g_mirror[old.slot] == before  # the new occupant is untouched
    living = model.agent_at(old.slot)
    assert living is not old and living.mirror == st.g_mirror[old.slot]


def test_the_agent_of_a_dead_person_in_an_empty_slot_says_so():
    from evo.core.agents import DeadAgentError

    model = MirrorModel(busy_params(), seed=1)
    agent = next(iter(model.agents))
    model.state.alive[agent.slot] = False  # as a death leaves it before any birth
    with pytest.raises(DeadAgentError, match=r"is dead: its person died and the slot is empty"):
        _ = agent.mirror


def test_mutation_free_genes_are_inherited_exactly():
    params = busy_params(mutation_rate=0.0, assoc_mutation_rate=0.0)
    model = MirrorModel(params, seed=9)
    founders = set(np.round(model.state.g_mirror[model.state.alive_slots()], 12))
    for _ in range(10):
        model.step()
    living = model.state.alive_slots()
    assert set(np.round(model.state.g_mirror[living], 12)) <= founders
    assert np.all(model.state.g_assoc[living] == 0.3)


def test_population_event_and_mutant_event_take_effect():
    params = busy_params(mutation_rate=0.0, mirror_initial=0.1, mirror_initial_sd=0.0)
    events = (
        Event(generation=3, set={"population": 30}),
        Event(generation=4, mutant=Mutant(mirror=0.9, fraction=0.5)),
    )
    model = MirrorModel(params, seed=4, events=events)
    for _ in range(2):
        model.step()
    assert model.last_row["population"] <= 60
    model.step()
    assert model.last_row["population"] <= 30
    before = model.state.g_mirror[model.state.alive_slots()].copy()
    assert np.all(before == 0.1)
    model.step()
    # the mutant allele was handed to half the living before reproduction, so it is present now
    assert np.any(model.state.g_mirror[model.state.alive_slots()] == 0.9)


def test_tasmania_loses_complexity_after_the_crash():
    """Henrich (2004), with modern minds: below the critical size, mean skill per lineage drifts
    down by about alpha(m) - beta * (gamma + ln n) per generation (n = 37 learners after the cut,
    copying the best). Henrich's own model (one alpha, no ceiling, no teaching), at a copying loss
    low enough that the mainland-sized group (370) gains before the cut: a rise before it, and
    after it a steady decline between the derived drift (within sampling noise) and half of it."""
    henrich = {"learning_budget": 0.0, "difficulty_spread": 0.0, "teaching_gain": 0.0,
               "alpha": 12.0}
    params = dataclasses.replace(scenarios.load("tasmania").params, **henrich)
    t = simulate("tasmania", seed=0, generations=620, overrides=henrich).table
    assert t.filter(pl.col("generation") == 301)["population"].item() == 37
    alpha_m = params.alpha * (1 - params.mirror_gain * params.mirror_initial)
    gain = -alpha_m + params.beta * (np.euler_gamma + np.log(370))
    drift = -alpha_m + params.beta * (np.euler_gamma + np.log(37))
    assert gain > 0 > drift

    def slope(lo, hi):
        part = t.filter(pl.col("generation").is_between(lo, hi))
        return np.polyfit(part["generation"], part["tool_complexity"] / params.lineages, 1)[0]

    assert slope(100, 300) > 0
    assert 1.1 * drift <= slope(305, 330) <= 0.5 * drift  # 10 %: 25 generations of 37 learners


def test_tasmania_keeps_easy_types_and_loses_hard_ones_beside_the_mainland():
    """With the world's tools of spread difficulty, the cut to Tasmania's size loses the types
    whose copying loss is above the small group's threshold and keeps the easy ones; the same
    group never cut (`mainland`) keeps them all."""
    def types(scenario):
        t = simulate(scenario, seed=0, generations=620).table
        return [t.filter(pl.col("generation").is_between(lo, hi))["tool_types"].mean()
                for lo, hi in ((250, 300), (570, 620))]

    before, after = types("tasmania")
    mainland_before, mainland_after = types("mainland")
    assert before == mainland_before  # the same run until the cut
    assert 1 <= after <= before - 2
    assert mainland_after >= before - 1


def test_every_scenario_loads_and_runs_a_few_generations():
    for name in scenarios.names():
        sc = scenarios.load(name)
        assert sc.summary and sc.hypothesis and sc.citation
        overrides = {"max_interactions": 2000} if sc.params.driver == "interactions" else {}
        run = simulate(name, seed=0, generations=3, overrides=overrides)
        assert run.table.height >= 2
        assert run.meta["params"] == dataclasses.asdict(resolve_params(name, overrides, 3))


def test_fixed_mirror_controls_bracket_the_coevolution_start():
    low = scenarios.load("fixed_low").params
    high = scenarios.load("fixed_high").params
    coev = scenarios.load("coevolution").params
    assert low.mutation_rate == high.mutation_rate == 0.0
    assert low.mirror_initial < high.mirror_initial
    differing = {f.name for f in dataclasses.fields(Params)
                 if getattr(low, f.name) != getattr(coev, f.name)}
    assert differing == {"mirror_initial", "mutation_rate"}


def test_lexicon_measures_by_hand():
    from evo.core.metrics import lexicon_measures

    # camp 0: variants 5, 5, 7 for meaning 0; camp 1: 7, none. Meaning 1: all prefer 2.
    preferred = np.array([[5, 2], [5, 2], [7, 2], [7, 2], [-1, 2]])
    camp = np.array([0, 0, 0, 1, 1])
    size, coherence = lexicon_measures(preferred, camp)
    assert size == (2 + 1) / 2
    # meaning 0: 2 agree in camp 0, 1 in camp 1 (the silent one does not); meaning 1: 3 + 2
    assert coherence == (3 + 5) / 10


def test_events_cannot_change_the_shape_of_a_run():
    from evo.core.events import parse_event
    from evo.errors import UsageError

    with pytest.raises(UsageError, match="lineages cannot change during a run"):
        parse_event({"generation": 5, "set": {"lineages": 2}}, "test")
    with pytest.raises(UsageError, match="generation must be an integer >= 1"):
        parse_event({"generation": 0, "set": {"population": 10}}, "test")
    with pytest.raises(UsageError, match="unknown parameter 'popul'"):
        parse_event({"generation": 3, "set": {"popul": 10}}, "test")
    assert parse_event({"generation": 3, "set": {"population": "10"}}, "t").set == {"population": 10}


def test_narrow_inventories_give_the_table_of_wide_ones(monkeypatch):
    """The 32/16-bit gesture inventories change speed only: the busy model, and a babel (mirror
    low, full inventories), give the tables of int64 inventories bit for bit."""
    for overrides in ({k: str(v) for k, v in BUSY.items()}, {"mirror_initial": "0.1"}):
        narrow = simulate("default", seed=7, generations=30, overrides=overrides)
        with monkeypatch.context() as m:
            m.setattr("evo.core.model.NARROW_MAX", 0)  # no run fits: int64 inventories
            wide = simulate("default", seed=7, generations=30, overrides=overrides)
        assert narrow.table.equals(wide.table)
    assert MirrorModel(busy_params(), seed=1).state.gestures.dtype == np.int32
    with monkeypatch.context() as m:
        m.setattr("evo.core.model.NARROW_MAX", 0)
        assert MirrorModel(busy_params(), seed=1).state.gestures.dtype == np.int64


def test_gesture_count_bound_holds_and_picks_wide_inventories_when_needed():
    """The bound on variant ids and use scores is above what a run creates, and a run that
    could pass 32 bits (60 people for 10^7 generations) gets int64 inventories."""
    params = busy_params(generations=40)
    model = MirrorModel(params, seed=3)
    for _ in range(params.generations):
        model.step()
    bound = gesture_count_bound(params, (), model.state.capacity)
    assert model.gesture_counters[0] > 0
    assert model.gesture_counters[0] <= bound and model.state.scores.max() <= bound
    # one generation's episodes, twice: at most 2 new variants per episode
    assert gesture_count_bound(params, (), 100) == 2 * 40 * (6 * 100 + params.n_camps)
    louder = (Event(generation=5, set={"gesture_episodes": 60.0}),)
    assert gesture_count_bound(params, louder, 100) == 2 * 40 * (60 * 100 + params.n_camps)
    long = dataclasses.replace(params, generations=10**7)
    assert MirrorModel(long, seed=1).state.gestures.dtype == np.int64
    assert MirrorModel(long, seed=1).state.n_known.dtype == np.int64


def test_as_slice_keeps_the_elements():
    """A block of slots becomes a slice over the same elements; anything else stays as it is."""

    values = np.arange(10) * 3
    for slots in (np.arange(2, 7), np.array([1, 2, 4]), np.array([5]), np.arange(0)):
        assert np.array_equal(values[as_slice(slots)], values[slots])
    assert isinstance(as_slice(np.arange(2, 7)), slice)
    assert not isinstance(as_slice(np.array([1, 2, 4])), slice)


def _table_at_cost(scenario: str, cost: float) -> pl.DataFrame:
    return simulate(scenario, seed=5, generations=120,
                    overrides={"population": 100, "mirror_cost": cost}).table


@pytest.mark.parametrize("scenario", ["fixed_low", "fixed_high"])
def test_mirror_cost_acts_only_through_genetic_variation(scenario):
    """Where every founder has the same genes and nothing mutates, selection has nothing to act on:
    viability fitness only picks parents, and parents pass on genes and camp, not culture. So
    mirror_cost lowers every fitness by the same amount and changes no other column."""
    free, costly = _table_at_cost(scenario, 0.0), _table_at_cost(scenario, 0.1)
    same = [c for c in free.columns if c != "fitness_mean"]
    assert free.select(same).equals(costly.select(same))
    genes = scenarios.load(scenario).params
    shift = 0.1 * genes.mirror_initial**2
    np.testing.assert_allclose(free["fitness_mean"] - costly["fitness_mean"], shift, rtol=1e-9)


def test_demography_holds_modern_minds():
    """Demography as its authors stage it: the genetic mirror held where the accounts end."""
    params = scenarios.load("demography").params
    assert (params.mutation_rate, params.mirror_initial_sd) == (0.0, 0.0)
    assert params.mirror_initial == scenarios.load("modern").params.mirror_initial == 0.95


@pytest.mark.parametrize("scenario", ["coevolution", "nongenetic", "associative", "gradual"])
def test_mirror_cost_changes_the_run_where_mirror_strength_evolves(scenario):
    """Every account but demography (modern minds held) and the controls lets mirror genes
    mutate, so a cost has something to act on."""
    assert scenarios.load(scenario).params.mutation_rate > 0
    free, costly = (simulate(scenario, seed=5, generations=300,
                             overrides={"mirror_cost": cost, "mirror_initial": 0.3,
                                        "population": 400, "mirror_initial_sd": 0.1}).table
                    for cost in (0.0, 2.0))
    assert free["mirror_mean"][-1] > costly["mirror_mean"][-1]


def test_the_extra_tables_agree_with_the_generation_table():
    """Per camp and per lineage, every extras_every generations; their totals match the row."""
    run = simulate("default", seed=3, generations=25,
                   overrides={"record_camps": True, "record_lineages": True, "extras_every": 10})
    camps, lineages, t = run.extras["camps"], run.extras["lineages"], run.table
    assert camps["generation"].unique().sort().to_list() == [0, 10, 20, 25]
    assert camps.height == 4 * 4 and lineages.height == 4 * 16
    for g in (10, 25):
        rows = camps.filter(pl.col("generation") == g)
        row = t.filter(pl.col("generation") == g).row(0, named=True)
        assert rows["population"].sum() == row["population"]
        weighted = (rows["tool_complexity"] * rows["population"]).sum() / row["population"]
        assert weighted == pytest.approx(row["tool_complexity"], rel=1e-12)
        held = lineages.filter(pl.col("generation") == g)["held"].sum()
        assert held == row["tool_types"] >= rows["tool_types"].max()
    assert simulate("default", seed=3, generations=25).table.equals(t)  # recording changes nothing


def test_learned_matching_that_reaches_one_gives_conventions_like_a_strong_mirror():
    """The associative account can act: at learning rate 1, with infancy training and correlated
    experience, effective mirror strength reaches 1 and gesture success is at least that of the
    fixed_high control (mirror 0.8), with no genetic change (genes held at 0)."""
    overrides = {"population": 200, "mutation_rate": 0.0}
    learned = simulate("associative", seed=2, generations=300,
                       overrides={**overrides, "assoc_initial": 1.0}).table.tail(30)
    high = simulate("fixed_high", seed=2, generations=300, overrides=overrides).table.tail(30)
    assert learned["mirror_mean"].max() == 0.0
    assert learned["mirror_effective_mean"].min() > 0.99
    assert learned["gesture_success"].mean() >= max(0.3, high["gesture_success"].mean())


def test_routes_to_parity_change_nothing_where_perception_is_already_perfect():
    """Exposure and ritualisation only cut the chance of a miss: in the minimal naming game
    (perfect parity) they leave the table and the consensus time unchanged, bit for bit."""
    base = {"population": 60, "log_interval": 200}
    plain = simulate("naming_game", seed=4, overrides=base)
    routed = simulate("naming_game", seed=4,
                      overrides={**base, "exposure_gain": 0.5, "ritual_gain": 0.3})
    assert plain.table.equals(routed.table)
    assert plain.meta["consensus_interactions"] == routed.meta["consensus_interactions"]

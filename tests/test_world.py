"""The changing world: the climate series, capacities, local extinction and tool payoffs."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from evo.core import climate
from evo.core.model import MirrorModel
from evo.core.params import Params
from evo.core.world import World, ar1_coefficient, capacity_factor
from evo.errors import UsageError
from evo.run.runner import resolve_params, simulate

SMALL = dict(population=120, camps_x=3, camps_y=2, lineages=4, meanings=0, agent_sync="lazy",
             mirror_initial=0.9, mutation_rate=0.0)


def test_lr04_is_the_published_stack_with_its_known_extremes():
    ages, d18o = climate.lr04()
    assert ages.size == 2115 and ages[0] == 0 and ages[-1] == 5320
    assert np.all(np.diff(ages) > 0) and np.all(np.diff(ages[ages <= 600]) == 1)
    assert d18o[0] == pytest.approx(3.23)
    # the Last Glacial Maximum (about 20 ka) is colder than the Eemian (about 125 ka)
    lgm, eemian = climate.coldness("lr04", [20.0, 125.0])
    assert lgm > 0.85 and eemian < 0.15
    # every value of the last 800 kyr lies within the mapping's two ends, give or take 0.1 per mil
    recent = d18o[ages <= 800]
    assert recent.min() > climate.INTERGLACIAL_D18O - 0.15
    assert recent.max() < climate.GLACIAL_D18O + 0.1


def test_coldness_interpolates_linearly_between_steps_and_clips():
    _, d18o = climate.lr04()
    mid = climate.coldness("lr04", 100.5)
    assert mid == pytest.approx(climate.d18o_coldness((d18o[100] + d18o[101]) / 2))
    assert climate.d18o_coldness(np.array([2.0, 9.0])).tolist() == [0.0, 1.0]
    orbital = climate.coldness("orbital", np.linspace(0, 1000, 5001))
    assert orbital.min() >= 0.0 and orbital.max() <= 1.0
    assert climate.coldness("none", [1.0, 2.0]).tolist() == [0.0, 0.0]
    assert climate.age_ka(400, 300.0, 25.0) == pytest.approx(290.0)


def test_capacity_factor_and_ar1_follow_their_formulas():
    f = capacity_factor(0.5, np.array([-3.0, 0.0, 0.4, 5.0]), 0.6, 0.5)
    assert f.tolist() == pytest.approx([0.0, 0.7, 0.9, 1.0])
    assert ar1_coefficient(10.0, 25.0) == pytest.approx(np.exp(-0.0025))


def test_regional_deviations_are_stationary_red_noise_of_unit_variance():
    p = Params.from_mapping({**SMALL, "regional_sd": 0.3, "climate_memory_kyr": 0.25})
    world, rng = World(400, 1), np.random.default_rng(3)
    phi = ar1_coefficient(0.25, 25.0)  # 0.905: about 10 generations of memory
    series = []
    for g in range(1, 201):
        world.advance(g, p, rng, np.full(400, 10), np.ones(400, bool))
        series.append(world.regional.copy())
    y = np.array(series)
    assert y.var() == pytest.approx(1.0, abs=0.05)
    lag1 = np.mean(y[1:] * y[:-1]) / np.mean(y * y)
    assert lag1 == pytest.approx(phi, abs=0.02)


def test_tool_payoffs_flip_at_their_rates_to_the_stationary_share():
    p = Params.from_mapping({**SMALL, "tool_env_off": 0.02, "tool_env_on": 0.06})
    world, rng = World(50, 40), np.random.default_rng(5)
    shares = []
    for g in range(1, 601):
        world.advance(g, p, rng, np.full(50, 10), np.ones(50, bool))
        shares.append(world.pays.mean())
    # two-state Markov chain: paying a share on / (on + off) of the time
    assert np.mean(shares[200:]) == pytest.approx(0.06 / 0.08, abs=0.02)


def test_a_run_without_the_world_draws_nothing_from_it():
    plain = simulate("default", seed=4, generations=30, overrides=SMALL)
    off = simulate("default", seed=4, generations=30,
                   overrides={**SMALL, "climate": "none", "tool_env_on": 0.5, "climate_amplitude": 1})
    assert plain.table.equals(off.table)


def test_population_follows_the_climate_capacity_camp_by_camp():
    over = {**SMALL, "climate": "lr04", "climate_start_ka": 140.0, "climate_amplitude": 0.8,
            "record_camps": True, "extras_every": 1, "migration_rate": 0.0}
    run = simulate("default", seed=2, generations=120, overrides=over)
    camps = run.extras["camps"].filter(pl.col("generation") > 0)
    assert camps["population"].to_list() == camps["capacity"].to_list()
    cold = climate.coldness("lr04", climate.age_ka(np.arange(1, 121), 140.0, 25.0))
    by_generation = camps.group_by("generation").agg(pl.col("capacity").sum()).sort("generation")
    expected = [int(sum(np.rint(20 * (1 - 0.8 * c)) for _ in range(6))) for c in cold]
    assert by_generation["capacity"].to_list() == expected
    assert camps["coldness"].unique().len() > 10


def test_an_extinct_camp_stays_empty_without_migrants_and_is_refilled_with_them():
    over = {**SMALL, "extinction_rate": 0.05, "record_camps": True, "extras_every": 1}
    closed = simulate("default", seed=6, generations=80, overrides={**over, "migration_rate": 0.0})
    camps = closed.extras["camps"]
    emptied = camps.filter(pl.col("population") == 0).group_by("camp").agg(pl.col("generation").min())
    assert emptied.height > 0
    for camp, first in emptied.iter_rows():
        later = camps.filter((pl.col("camp") == camp) & (pl.col("generation") >= first))
        assert later["population"].max() == 0  # nobody comes back without migration
    open_ = simulate("default", seed=6, generations=80, overrides={**over, "migration_rate": 0.3})
    rows = open_.extras["camps"].sort("camp", "generation").with_columns(
        pl.col("population").shift(-1).over("camp").alias("next"))
    extinct = rows.filter(pl.col("extinct") == 1)
    assert extinct.height > 0
    # the migrants who arrive by the generation's end are fewer than a camp; their children fill it
    assert (extinct["population"] < extinct["capacity"]).all()
    # (a camp can go extinct again, so most, not all, are full again a generation later)
    assert (extinct.drop_nulls("next")["next"] >= 15).mean() >= 0.75


def test_a_type_that_does_not_pay_in_a_camp_is_not_learned_there():
    over = {**SMALL, "tool_env_off": 0.05, "tool_env_on": 0.05, "record_presence": True,
            "extras_every": 1, "migration_rate": 0.0, "difficulty_spread": 0.0}
    model = MirrorModel(resolve_params("default", over), seed=8)
    for _ in range(60):
        model.step()
        st, living = model.state, model.state.alive_slots()
        pays = model.world.pays[st.camp[living]]  # each person's camp's payoffs
        # everyone is a learner of this generation (discrete generations): no skill where no pay
        assert np.all(st.skill[living][pays == 0] == 0.0)
    assert not model.world.pays.all()


def test_lr04_runs_cannot_pass_the_present():
    with pytest.raises(UsageError, match="climate_start_ka"):
        Params.from_mapping({"climate": "lr04", "climate_start_ka": 10.0, "generations": 1000})

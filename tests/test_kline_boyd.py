"""Kline & Boyd (2010): the published Poisson fits from the shipped data, and the calibration
machinery (distance, Poisson recovery, a tiny ABC-SMC run) on data the model itself made."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from analysis import kline_boyd as kb
from evo.run import calibrate as cal


def test_the_shipped_data_are_the_ten_societies():
    d = kb.load()
    assert d.columns == ["culture", "population", "contact", "total_tools"]
    assert d.height == 10 and d["total_tools"].sum() == 348
    assert cal.load_societies().equals(d)  # the model side reads the same table


def test_kline_boyd_fits_reproduce_the_published_coefficients():
    fits = kb.kline_boyd_fits()
    slope, se = fits["population"]["log_population"]
    assert round(slope, 2) == 0.24 and round(se, 2) == 0.03
    both = fits["population_contact"]
    assert round(both["log_population"][0], 2) == 0.27 and round(both["log_population"][1], 2) == 0.03
    assert round(both["high_contact"][0], 2) == 0.30 and round(both["high_contact"][1], 2) == 0.11


def test_poisson_fit_recovers_the_slope_of_simulated_poisson_counts():
    rng = np.random.default_rng(1)
    population = np.repeat(np.geomspace(1e3, 3e5, 10), 200)
    counts = rng.poisson(np.exp(1.3 + 0.24 * np.log(population)))
    slope, se = kb.poisson_fit(counts, population)["log_population"]
    assert abs(slope - 0.24) < 4 * se and se < 0.01


def test_distance_is_zero_only_on_equal_counts():
    tools = cal.simulate_societies([1100, 17500], 20.0, 1.0, 300.0, seed=7, generations=20,
                                   scale_sd=0.5)
    again = cal.simulate_societies([1100, 17500], 20.0, 1.0, 300.0, seed=7, generations=20,
                                   scale_sd=0.5)
    # the model's types are scaled to tool types before they are compared with the data
    assert cal.distance(tools, cal.TOOLS_PER_TYPE * again) == 0.0
    assert cal.distance(tools, cal.TOOLS_PER_TYPE * (tools + 1)) > 0.0


def test_societies_are_camps_of_the_accounts_world_at_the_end_state():
    """The calibration runs the world the accounts run in: same lineages, rules and gestures,
    the genetic mirror held where the accounts end; only size, isolation and the two calibrated
    parameters are set."""
    from evo.run.runner import resolve_params

    world = resolve_params(cal.SCENARIO)
    assert cal.SCENARIO == "coevolution" and cal.TOOLS_PER_TYPE * world.lineages == 80
    more = cal.simulate_societies([2000, 200000], 20.0, 1.0, 100.0, seed=1, generations=60)
    assert more[1] > more[0]  # a larger society holds more tool types at modern minds


def test_abc_smc_concentrates_near_the_parameters_that_made_the_data(tmp_path):
    census = [3000, 30000]
    truth = {"alpha": 20.0, "spread": 1.0, "log10_scale": 2.5}
    observed = cal.TOOLS_PER_TYPE * cal.simulate_societies(census, 20.0, 1.0, 10**2.5, seed=3,
                                                           generations=25)
    posterior = cal.abc_smc(observed, census, particles=12, populations=3, max_simulations=60,
                            generations=25, root_seed=1, db=tmp_path / "abc.db",
                            priors={"alpha": (10.0, 40.0)},
                            fixed={"spread": 1.0, "log10_scale": 2.5})
    summary = kb.posterior_summary(posterior).filter(pl.col("parameter") == "alpha").row(0, named=True)
    assert summary["q05"] <= truth["alpha"] <= summary["q95"]
    assert summary["q95"] - summary["q05"] < 0.6 * (40.0 - 10.0)  # narrower than the prior


def test_model_elasticity_marks_a_slope_whose_interval_covers_the_target():
    rng = np.random.default_rng(2)
    population = np.repeat(np.geomspace(1e3, 3e5, 10), 30)
    grid = pl.DataFrame({"alpha": 1.0, "spread": 1.0, "scale": 1.0, "population": population,
                         "tools": rng.poisson(np.exp(1.3 + 0.24 * np.log(population)))})
    row = kb.model_elasticity(grid).row(0, named=True)
    assert row["matches"] and row["low"] < 0.24 < row["high"]


@pytest.mark.parametrize("bad", [0, 3])
def test_learners_are_at_least_two(bad):
    assert min(cal.learners([bad, 1100], 100.0)) >= 2


def test_predictive_slopes_are_one_per_draw_and_skip_empty_draws():
    rng = np.random.default_rng(5)
    population = np.geomspace(1e3, 3e5, 10)
    rows = [{"draw": d, "population": p, "tools": float(rng.poisson(np.exp(1.3 + 0.24 * np.log(p))))}
            for d in range(40) for p in population]
    rows += [{"draw": 99, "population": p, "tools": 0.0} for p in population]
    slopes = kb.predictive_slopes(pl.DataFrame(rows))
    assert slopes.size == 40
    assert np.quantile(slopes, 0.025) < 0.24 < np.quantile(slopes, 0.975)

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
    tools = cal.simulate_societies([1100, 17500], 4.0, 0.5, 300.0, seed=7, generations=20,
                                   lineages=16)
    again = cal.simulate_societies([1100, 17500], 4.0, 0.5, 300.0, seed=7, generations=20,
                                   lineages=16)
    assert cal.distance(tools, again) == 0.0
    assert cal.distance(tools, tools + 1) > 0.0


def test_abc_smc_concentrates_near_the_parameters_that_made_the_data(tmp_path):
    census = [2000, 20000, 200000]
    truth = {"alpha": 5.0, "spread": 0.5, "log10_scale": 2.5}
    observed = cal.simulate_societies(census, 5.0, 0.5, 10**2.5, seed=3, generations=20)
    priors = {"alpha": (2.0, 10.0), "spread": (0.5, 0.5001), "log10_scale": (2.5, 2.5001)}
    posterior = cal.abc_smc(observed, census, particles=20, populations=3, max_simulations=120,
                            generations=20, root_seed=1, db=tmp_path / "abc.db", priors=priors)
    summary = kb.posterior_summary(posterior).filter(pl.col("parameter") == "alpha").row(0, named=True)
    assert summary["q05"] <= truth["alpha"] <= summary["q95"]
    assert summary["q95"] - summary["q05"] < 0.5 * (10.0 - 2.0)  # narrower than the prior


def test_model_elasticity_marks_a_slope_whose_interval_covers_the_target():
    rng = np.random.default_rng(2)
    population = np.repeat(np.geomspace(1e3, 3e5, 10), 30)
    grid = pl.DataFrame({"alpha": 1.0, "spread": 1.0, "scale": 1.0, "population": population,
                         "tool_types": rng.poisson(np.exp(1.3 + 0.24 * np.log(population)))})
    row = kb.model_elasticity(grid).row(0, named=True)
    assert row["matches"] and row["low"] < 0.24 < row["high"]


@pytest.mark.parametrize("bad", [0, 3])
def test_learners_are_at_least_two(bad):
    assert min(cal.learners([bad, 1100], 100.0)) >= 2

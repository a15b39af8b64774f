"""Powell, Shennan & Thomas (2009) on a grid of demes, and Vaesen's (2012) sampled copying.

Isolated demes are Henrich's model exactly (within Z = 4 a-priori standard errors); migration
sustains at a density that isolation loses; copying the best of a sample of 5 loses it again."""

from __future__ import annotations

import math

import pytest

from evo.run.sweep.seeds import spawn_run_seeds
from evo.run.validate import MODELS, powell


def assert_check(check):
    assert check.passed, (f"{check.name}: simulated {check.simulated:.4g} +- {check.stderr:.2g}, "
                          f"reference {check.analytic:.4g} ({check.rule}); {check.detail}")


SEEDS = spawn_run_seeds(2009, 3)


def test_powell_is_run_by_validate():
    assert powell in MODELS


def test_isolated_demes_are_henrich():
    assert_check(powell.isolated_check(60, SEEDS, 80))


@pytest.mark.parametrize(("density", "rule", "sustained"),
                         [(60, "best", True), (10, "best", False), (60, "sample_best", False)])
def test_migration_sustains_what_isolation_loses_unless_copying_is_sampled(density, rule, sustained):
    assert_check(powell.sign_check(density, 0.2, sustained, SEEDS, 80, rule=rule))


def test_critical_density_interpolates_the_zero_crossing():
    assert powell.critical_density([10, 100], [-1.0, 1.0]) == pytest.approx(math.sqrt(1000))
    assert powell.critical_density([10, 100], [-1.0, -0.5]) == math.inf  # lost everywhere
    assert powell.critical_density([10, 100], [0.2, 1.0]) == 10  # sustained already at 10


def test_sampled_copying_shrinks_where_population_size_matters():
    seeds = SEEDS[:1]
    shares = powell.demography_matters((("best", 5), ("sample_best", 5)), (4.0, 5.0), 10, 300, 0.05,
                                       seeds, 60)
    assert shares[("best", 5)] == 1.0 and shares[("sample_best", 5)] == 0.0

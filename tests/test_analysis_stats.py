"""Statistics helpers against published values and basic properties."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.stats import bootstrap_ci, cliffs_delta, diff_proportions_ci, median_ci, wilson_ci


def test_wilson_published_values() -> None:
    # Newcombe (1998, Stat Med 17:857), Table I: 81/263 -> 0.2553 to 0.3662; 0/10 -> 0 to 0.2775.
    assert wilson_ci(81, 263) == pytest.approx((0.2553, 0.3662), abs=1e-4)
    assert wilson_ci(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    lo, hi = wilson_ci(10, 10)
    assert hi == 1.0 and lo == pytest.approx(0.7225, abs=1e-4)
    assert all(np.isnan(wilson_ci(0, 0)))
    with pytest.raises(ValueError, match="successes"):
        wilson_ci(3, 2)


def test_newcombe_difference_published_value() -> None:
    # Newcombe (1998, Stat Med 17:873), example (a): 56/70 - 48/80 = 0.2, method 10: 0.0524-0.3339.
    d, lo, hi = diff_proportions_ci(56, 70, 48, 80)
    assert d == pytest.approx(0.2)
    assert (lo, hi) == pytest.approx((0.0524, 0.3339), abs=1e-4)
    assert all(np.isnan(diff_proportions_ci(1, 0, 1, 2)))


def test_bootstrap_ci_contains_estimate_and_is_seeded() -> None:
    x = np.random.default_rng(0).normal(10, 2, size=50)
    est, lo, hi = bootstrap_ci(x, seed=3)
    assert lo <= est <= hi
    assert est == pytest.approx(np.median(x))
    assert bootstrap_ci(x, seed=3) == (est, lo, hi)
    assert hi - lo < 2.0  # about 2 * 1.96 * 1.25 * 2 / sqrt(50) = 1.4
    assert bootstrap_ci([5.0]) == (5.0, 5.0, 5.0)
    assert all(np.isnan(bootstrap_ci([np.nan])))
    mean = bootstrap_ci(x, stat=np.mean, seed=1)
    assert mean[1] <= np.mean(x) <= mean[2]


def test_cliffs_delta() -> None:
    assert cliffs_delta([5, 6, 7], [1, 2]) == 1.0
    assert cliffs_delta([1, 2], [5, 6, 7]) == -1.0
    assert cliffs_delta([1, 2, 3], [1, 2, 3]) == 0.0
    assert cliffs_delta([1, 2, 3], [2]) == 0.0
    assert np.isnan(cliffs_delta([], [1.0]))


def test_conditions_carry_the_effect_against_the_declared_control():
    import polars as pl

    from analysis.conditions import with_effect_vs_control
    from analysis.stats import diff_proportions_ci

    table = pl.DataFrame({
        "scenario": ["coevolution", "fixed_low", "coevolution", "demography"],
        "population": [100, 100, 300, 100],
        "metric": ["tool_complexity"] * 4,
        "n_burst": [8, 2, 5, 3],
        "n_runs": [10, 10, 10, 10],
    })
    out = with_effect_vs_control(table, ["scenario", "population"], "fixed_low")
    without = with_effect_vs_control(table, ["scenario", "population"], None)
    assert without["dp_vs_control"].null_count() == 4
    expected = diff_proportions_ci(8, 10, 2, 10)
    assert out["dp_vs_control"][0] == expected[0] == pytest.approx(0.6)
    assert (out["dp_vs_control_lo"][0], out["dp_vs_control_hi"][0]) == expected[1:]
    assert out["dp_vs_control"][1] == 0.0
    assert out["dp_vs_control"][2] is None  # no control at population 300
    assert out["dp_vs_control"][3] == pytest.approx(0.1)


def test_median_ci_from_order_statistics_by_hand() -> None:
    from analysis.stats import median_ci, median_ci_rank

    # n = 20: P(B <= 5) = (1 + 20 + 190 + 1140 + 4845 + 15504) / 2**20 = 21700 / 1048576, so
    # [x_(6), x_(15)] covers the median with 1 - 2 * 0.020695 = 0.95861; k = 7 gives 0.8847.
    k, coverage = median_ci_rank(20)
    assert k == 6 and coverage == pytest.approx(1 - 2 * 21700 / 1048576, abs=1e-12)
    # n = 6: the range, 1 - 2 / 64 = 0.96875; n = 5: the range gives 1 - 2 / 32 = 0.9375 < 0.95.
    assert median_ci_rank(6) == (1, pytest.approx(0.96875))
    assert median_ci_rank(5) is None and median_ci_rank(1) is None
    x = np.arange(20.0)[::-1] * 2  # 38, 36, ..., 0: sorted, x_(6) = 10 and x_(15) = 28
    assert median_ci(x) == (19.0, 10.0, 28.0)
    med, lo, hi = median_ci([-20.0])
    assert med == -20.0 and np.isnan(lo) and np.isnan(hi)
    assert all(np.isnan(median_ci([np.nan])))


def test_effects_leave_out_too_short_runs():
    import polars as pl

    from analysis.conditions import conditions_table, effects_table

    # a: 2 judged runs (1 burst) + 2 too short; b: 2 judged runs, no burst.
    bursts = pl.DataFrame({
        "run_id": [0, 1, 2, 3, 4, 5], "metric": ["m"] * 6,
        "burst": [True, False, False, False, False, False],
        "pattern": ["takeoff", "gradual", "too_short", "too_short", "flat", "flat"],
        "onset": [50.0, None, None, None, None, None],
        "concentration": [0.6, 0.2, 0.9, 0.9, 0.1, 0.1],
    })
    runs = pl.DataFrame({"run_id": range(6), "scenario": ["a"] * 4 + ["b"] * 2})
    row = effects_table(bursts, runs, ["scenario"]).row(0, named=True)
    assert (row["n_a"], row["k_a"], row["n_b"], row["k_b"]) == (2, 1, 2, 0)
    assert (row["dp"], row["dp_lo"], row["dp_hi"]) == diff_proportions_ci(1, 2, 0, 2)
    assert row["cliffs_concentration"] == cliffs_delta([0.6, 0.2], [0.1, 0.1]) == 1.0
    full = bursts.with_columns(pl.lit(False).alias("takeoff"), pl.lit(None).alias("takeoff_onset"),
                               pl.lit(None, pl.Boolean).alias("burst_logistic"),
                               pl.lit(1.0).alias("size"), pl.lit(1.0).alias("total_rise"))
    cond = conditions_table(full, runs, ["scenario"], None)
    assert cond.filter(pl.col("scenario") == "a")["n_runs"].item() == row["n_a"]


def test_tost_finds_equivalence_only_when_the_data_are_tight_and_close() -> None:
    from analysis.stats import tost_proportions

    # 30/32 against 28/32: difference +0.06 whose interval (-0.10, +0.22) is wider than +/-0.15
    diff, p = tost_proportions(30, 32, 28, 32, margin=0.15)
    assert diff == pytest.approx(0.0625) and p > 0.05
    # 900/1000 against 895/1000: tight and close, equivalent within +/-0.05
    diff, p = tost_proportions(900, 1000, 895, 1000, margin=0.05)
    assert p < 0.01
    # tight but 0.10 apart: not equivalent within +/-0.05
    assert tost_proportions(900, 1000, 800, 1000, margin=0.05)[1] > 0.5


def test_tost_means_matches_two_one_sided_welch_tests() -> None:
    from scipy import stats as sps

    from analysis.stats import tost_means

    rng = np.random.default_rng(4)
    a, b = rng.normal(0.0, 1.0, 200), rng.normal(0.05, 1.0, 200)
    diff, p = tost_means(a, b, margin=0.5)
    lower = sps.ttest_ind(a + 0.5, b, equal_var=False, alternative="greater").pvalue
    upper = sps.ttest_ind(a - 0.5, b, equal_var=False, alternative="less").pvalue
    assert p == pytest.approx(max(lower, upper), rel=1e-6) and p < 0.001
    assert diff == pytest.approx(a.mean() - b.mean())
    assert np.isnan(tost_means([1.0], b, 0.5)[1])


def test_median_ci_ranks_censored_values_last() -> None:
    nan = pytest.approx(np.nan, nan_ok=True)
    assert median_ci([1, 2, 3], censored=True) == (2.0, nan, nan)
    values = [10, 20, 30, 40, 50, 60, math.inf, math.inf]
    assert median_ci(values, censored=True) == (45.0, 10.0, math.inf)  # n = 8: [x_(1), x_(8)]
    assert median_ci(values) == (35.0, 10.0, 60.0)  # uncensored: +inf is no value, 6 left
    assert math.isnan(median_ci([float("nan")], censored=True)[0])

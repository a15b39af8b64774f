"""The two-way decomposition against designs whose shares are known by construction."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from analysis.factorial import cell_means, decompose, run_outcomes, variance_shares


def design(effect_a: float, effect_b: float, noise: float, seed: int = 0, n: int = 10):
    rng = np.random.default_rng(seed)
    rows = []
    for a in (0, 1):
        for b in (0, 1):
            for _ in range(n):
                y = effect_a * a + effect_b * b + noise * rng.standard_normal()
                rows.append({"genes": a, "growth": b, "final_log10_tools": y,
                             "leap": float(y > 0.5 * (effect_a + effect_b)),
                             "leap_generation": float("nan")})
    return pl.DataFrame(rows)


def test_shares_of_a_balanced_additive_design_are_the_squared_effects_over_the_total():
    """Balanced 2 x 2, no noise: SS_a = N (ea/2)^2, SS_b = N (eb/2)^2, nothing else."""
    frame = design(2.0, 1.0, 0.0)
    shares = variance_shares(frame, "final_log10_tools", "genes", "growth")
    assert shares["main_a"] == pytest.approx(4 / 5)
    assert shares["main_b"] == pytest.approx(1 / 5)
    assert shares["interaction"] == pytest.approx(0.0, abs=1e-12)
    assert sum(shares.values()) == pytest.approx(1.0)


def test_a_factor_without_effect_gets_an_interval_near_zero_and_the_other_most():
    frame = design(1.0, 0.0, 0.3, seed=3)
    table = decompose(frame, "genes", "growth", n_boot=200)
    row = {r["term"]: r for r in table.filter(pl.col("outcome") == "final_log10_tools").iter_rows(
        named=True)}
    assert row["main_a"]["share"] == pytest.approx(0.25 / (0.25 + 0.09), abs=0.1)
    assert row["main_a"]["lo"] > 0.4 and row["main_b"]["hi"] < 0.1
    assert row["main_a"]["lo"] <= row["main_a"]["share"] <= row["main_a"]["hi"]


def test_run_outcomes_judge_the_leap_before_the_crash():
    g = np.arange(200)
    leaps = np.where(g < 100, 1.0, 300.0)
    rows = {"run_id": np.repeat([1, 2], 200), "generation": np.tile(g, 2),
            "tool_complexity": np.concatenate([leaps, np.full(200, 5.0)]),
            "population": np.full(400, 100)}
    out = run_outcomes(pl.DataFrame(rows)).sort("run_id")
    assert out["leap"].to_list() == [1.0, 0.0]
    assert out["leap_generation"][0] == 100.0 and np.isnan(out["leap_generation"][1])
    assert out["final_log10_tools"][0] == pytest.approx(np.log10(300.0))
    cells = cell_means(out.with_columns(pl.lit(0).alias("a"), pl.col("run_id").alias("b")),
                       "a", "b")
    assert cells["leap_share"].to_list() == [1.0, 0.0]


def test_shares_equal_statsmodels_type_two_anova_on_an_unbalanced_design():
    import statsmodels.api as sm
    from statsmodels.formula.api import ols

    frame = design(1.0, 0.5, 0.4, seed=5).with_columns(
        pl.col("final_log10_tools") + 0.7 * pl.col("genes") * pl.col("growth"))[3:]
    shares = variance_shares(frame, "final_log10_tools", "genes", "growth")
    data = pl.DataFrame({"y": frame["final_log10_tools"], "a": frame["genes"],
                         "b": frame["growth"]}).to_pandas()
    fit = ols("y ~ C(a) * C(b)", data=data).fit()
    ss = sm.stats.anova_lm(fit, typ=2)["sum_sq"].to_numpy()
    y = frame["final_log10_tools"].to_numpy()
    total = np.sum((y - y.mean()) ** 2)
    np.testing.assert_allclose([shares[t] for t in ("main_a", "main_b", "interaction", "residual")],
                               ss / total, rtol=1e-9)

"""Sobol' indices of a Sobol' sweep: the Ishigami function's known indices, through seed means."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Ishigami

from analysis.sensitivity import is_sobol, sensitivity_table, stability_note

# Ishigami & Homma (1990), a = 7, b = 0.1: analytic indices (Saltelli et al. 2008, sec. 4.5)
S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}
N, SEEDS = 1024, 2


def ishigami_sweep() -> tuple[pl.DataFrame, dict]:
    names = list(S1)
    ranges = {n: [-np.pi, np.pi] for n in names}
    problem = {"num_vars": 3, "names": names, "bounds": list(ranges.values())}
    x = sobol_sample.sample(problem, N, calc_second_order=False, seed=1)
    f = Ishigami.evaluate(x)
    # two seeds per point whose noise cancels in the mean: the indices are those of f itself
    noise = np.random.default_rng(3).normal(0.0, 2.0, size=f.size)
    y = np.stack([f + noise, f - noise], axis=1).ravel()
    values = pl.DataFrame({"run_id": np.arange(y.size), "scenario": "ishigami", "y": y,
                           **{n: np.repeat(x[:, i], SEEDS) for i, n in enumerate(names)}})
    meta = {"spec": {"sample": {"method": "sobol", "n": N, "ranges": ranges,
                                "second_order": False}},
            "n_points": f.size, "seeds": SEEDS}
    return values, meta


def test_ishigami_indices_within_salib_intervals() -> None:
    values, meta = ishigami_sweep()
    assert is_sobol(meta) and not is_sobol({"spec": {"grid": {}}})
    table, notes = sensitivity_table(values, ["y"], meta)
    assert notes == [] and table["parameter"].to_list() == ["x1", "x2", "x3"]
    for row in table.iter_rows(named=True):
        assert abs(row["S1"] - S1[row["parameter"]]) <= row["S1_conf"], row
        assert abs(row["ST"] - ST[row["parameter"]]) <= row["ST_conf"], row
        assert row["S1_conf"] < 0.1 and row["ST_conf"] < 0.1
    assert "stable to about 0.1" in stability_note(table)


def test_seed_order_matters_and_gaps_are_named() -> None:
    values, meta = ishigami_sweep()
    # shuffling which run belongs to which point leaves noise, no first-order effect (and total
    # indices near 1, as for pure noise): rows must keep the sample's order
    shuffled = values.with_columns(pl.Series("y", np.random.default_rng(0).permutation(
        values["y"].to_numpy())))
    table, _ = sensitivity_table(shuffled, ["y"], meta)
    assert table["S1"].abs().max() < 0.1 and table["ST"].min() > 0.8
    # a point without any finished run: no indices, one note
    missing = values.filter(~pl.col("run_id").is_in([10, 11]))
    table, notes = sensitivity_table(missing, ["y"], meta)
    assert table.is_empty() and "1 of 5120 sample points" in notes[0]
    flat = values.with_columns(pl.lit(2.0).alias("y"))
    shifted = values.with_columns(pl.col("run_id") + 1)  # run ids out of the sample's order
    assert "not in the sample order" in sensitivity_table(shifted, ["y"], meta)[1][0]
    assert "the same value" in sensitivity_table(flat, ["y"], meta)[1][0]


def test_intervals_are_reproducible() -> None:
    # SALib 1.6 leaves the bootstrap unseeded for seed = 0: two calls must still agree exactly
    values, meta = ishigami_sweep()
    first, _ = sensitivity_table(values, ["y"], meta)
    second, _ = sensitivity_table(values, ["y"], meta)
    assert first.equals(second)


def sampled_sweep(method: str, x: np.ndarray, y: np.ndarray, names: list[str],
                  extra: dict | None = None) -> tuple[pl.DataFrame, dict]:
    """A sweep table of ``y`` at the design ``x`` (one seed a point) and its sweep.json."""
    values = pl.DataFrame({"run_id": np.arange(y.size), "scenario": "s", "y": y,
                           **{n: x[:, i] for i, n in enumerate(names)}})
    ranges = {n: [float(x[:, i].min()), float(x[:, i].max())] for i, n in enumerate(names)}
    meta = {"spec": {"sample": {"method": method, "ranges": ranges, **(extra or {})}},
            "n_points": y.size, "seeds": 1}
    return values, meta


def test_efast_gives_the_ishigami_first_order_and_total_indices() -> None:
    from SALib.sample import fast_sampler

    problem = {"num_vars": 3, "names": list(S1), "bounds": [[-np.pi, np.pi]] * 3}
    x = fast_sampler.sample(problem, 1000, M=4, seed=2)
    values, meta = sampled_sweep("fast", x, Ishigami.evaluate(x), list(S1), {"n": 1000})
    table, notes = sensitivity_table(values, ["y"], meta)
    assert notes == [] and set(table["method"]) == {"fast"}
    for row in table.iter_rows(named=True):
        assert abs(row["S1"] - S1[row["parameter"]]) < 0.03, row
        assert abs(row["ST"] - ST[row["parameter"]]) < 0.05, row
        assert row["mu_star"] is None


def test_morris_ranks_a_linear_model_by_its_slopes() -> None:
    from SALib.sample import morris as morris_sample

    names = ["a", "b", "inert"]
    problem = {"num_vars": 3, "names": names, "bounds": [[0.0, 1.0]] * 3}
    x = morris_sample.sample(problem, 20, num_levels=4, seed=5)
    y = 4.0 * x[:, 0] - 2.0 * x[:, 1]  # elementary effects: exactly 4, -2 and 0
    values, meta = sampled_sweep("morris", x, y, names, {"n": 20, "levels": 4})
    table, notes = sensitivity_table(values, ["y"], meta)
    assert notes == [] and set(table["method"]) == {"morris"}
    mu = dict(zip(table["parameter"], table["mu_star"], strict=True))
    assert mu["a"] == pytest.approx(4.0) and mu["b"] == pytest.approx(2.0) and mu["inert"] == 0
    assert table["sigma"].abs().max() < 1e-9 and table["S1"].is_null().all()
    assert stability_note(table) == ""  # no variance shares to judge
    lacking = values.drop("inert")  # Morris needs every point's parameter values
    assert "lacks a point's parameter values" in sensitivity_table(lacking, ["y"], meta)[1][0]

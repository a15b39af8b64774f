"""The repertoire event models (Lewis & Laland 2012; Kolodny, Creanza & Feldman 2015).

Kernels against their plain-Python twins (tests/reference/repertoire.py: equal rows, states and
generator states), invariants of every run, the analytic expectations, the driver's table, the
scenarios, the validation checks (fast versions) and the analysis' reading of `tool_types`.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

import run as cli
import scenarios
from analysis.material import LOG_METRICS, is_material
from analysis.tables import CULTURE_METRICS
from evo.core import repertoire, stream
from evo.core.metrics import REPERTOIRE_SCHEMA
from evo.core.params import Params
from evo.errors import UsageError
from evo.run import runner
from evo.run.runner import simulate
from evo.run.sweep.seeds import spawn_run_seeds
from evo.run.sweep.spec import load_spec
from evo.run.sweep.worker import RunJob, generation_schema, run_one, simulate_run
from evo.run.validate import MODELS, kolodny, lewis_laland
from tests.reference import repertoire as twin
from tests.reference.stream import Xoshiro

PROPERTY = settings(max_examples=25, deadline=None)
LL_NAMES = ("ll_invention", "ll_combination", "ll_modification", "ll_loss")


def params(model: str, **values) -> Params:
    """The scenario `model`'s parameters with `values`, checked."""
    return Params.from_mapping(values, base=scenarios.load(model).params)


def kernel_rows(p: Params, seed: int, steps: np.ndarray) -> tuple[repertoire.RepertoireRun, np.ndarray]:
    run = repertoire.RepertoireRun(p, stream.seeded(np.random.default_rng(seed)))
    return run, run.advance(steps)


def ll_params(rates, **values) -> Params:
    return params("lewis_laland", **dict(zip(LL_NAMES, rates, strict=True)), **values)


# --- kernels against their twins ---------------------------------------------------------------

LL_CASES = [
    ((0.1, 0.3, 0.3, 0.3), {}),
    ((0.2, 0.0, 0.3, 0.5), {}),  # no combination
    ((0.0, 0.7, 0.0, 0.3), {}),  # combination and loss: many impossible combinations, redrawn
    ((0.3, 0.4, 0.3, 0.0), {}),  # no loss: every seed soon present, inventions redrawn
    ((0.0, 0.0, 0.0, 1.0), {}),  # loss only: an empty repertoire's next event is an invention
    ((0.25, 0.25, 0.25, 0.25), {"ll_seeds": 3, "ll_initial_seeds": 0}),
]


@pytest.mark.parametrize(("rates", "extra"), LL_CASES)
@pytest.mark.parametrize("seed", [1, 2])
def test_lewis_laland_kernel_equals_its_twin(rates, extra, seed):
    p = ll_params(rates, **extra)
    steps = repertoire.record_steps(700, 7)
    run, rows = kernel_rows(p, seed, steps)
    rng = Xoshiro.from_seed(seed)
    model, twin_rows = twin.ll_run(rng, p.ll_seeds, p.ll_initial_seeds,
                                   repertoire.ll_thresholds(p), steps)
    assert rows.tolist() == twin_rows
    n = int(run.tally[0])
    seeds_of = [frozenset(s for s in range(p.ll_seeds) if (m >> s) & 1) for m in run.masks[:n]]
    assert [list(t) for t in zip(seeds_of, run.levels[:n].tolist(), strict=True)] == model.traits
    assert {s for s in range(p.ll_seeds) if run.seed_present[s]} == model.seed_traits
    assert run.rng.tolist() == rng.words


KOLODNY_CASES = [
    # busy: cascades, refills and combinations every few generations
    dict(population=20, kolodny_invention=0.3, kolodny_selection_mean=0.5, kolodny_toolkit=0.3,
         kolodny_combination=0.5, kolodny_useful=0.5, kolodny_loss=1.5, kolodny_toolkit_max=4),
    # every trait lost every generation (P_loss/N = 1), every attempt made (chances 1)
    dict(population=10, kolodny_invention=0.5, kolodny_selection_mean=2.0, kolodny_toolkit=1.0,
         kolodny_combination=1.0, kolodny_loss=10.0),
    # no loss
    dict(population=15, kolodny_invention=0.1, kolodny_selection_mean=1.0, kolodny_toolkit=0.2,
         kolodny_combination=0.3, kolodny_useful=0.3, kolodny_loss=0.0),
]


def kolodny_state(run: repertoire.RepertoireRun) -> tuple[list, set]:
    """The kernel's main-axis traits in invention order and its combinations, as the twin has them."""
    m = int(run.tally[0])
    slots = run.order[:m].tolist()
    mains = [(int(run.ids[i]), int(run.kit_size[i]), set(np.flatnonzero(run.kit[i]).tolist()))
             for i in slots]
    combos = {frozenset({int(run.ids[a]), int(run.ids[b])}) for a in slots for b in slots
              if a < b and run.comb[a, b]}
    return mains, combos


@pytest.mark.parametrize("case", range(len(KOLODNY_CASES)))
@pytest.mark.parametrize("seed", [3, 4])
def test_kolodny_kernel_equals_its_twin(case, seed):
    p = params("kolodny", generations=150, **KOLODNY_CASES[case])
    steps = repertoire.record_steps(150, 4)
    run, rows = kernel_rows(p, seed, steps)
    rng = Xoshiro.from_seed(seed)
    model, twin_rows = twin.kolodny_run(rng, repertoire.kolodny_capacity(p), p.kolodny_toolkit_max,
                                        p.population, run.rates.tolist(), steps)
    assert rows.tolist() == twin_rows
    assert kolodny_state(run) == ([(m["id"], m["kit_size"], m["kit"]) for m in model.mains],
                                  model.combos)
    assert int(run.salt[0]) == model.salt and run.overflow == model.overflow
    assert run.rng.tolist() == rng.words
    assert rows[:, 3].sum() > 0 or p.kolodny_loss == 0  # the loss code ran


def test_kolodny_overflow_is_counted_alike(monkeypatch):
    """With 3 main-axis slots, further inventions are counted as overflow and not held."""
    monkeypatch.setattr(repertoire.runs, "kolodny_capacity", lambda p: 3)
    p = params("kolodny", generations=80, **KOLODNY_CASES[0])
    steps = repertoire.record_steps(80, 1)
    run, rows = kernel_rows(p, 5, steps)
    rng = Xoshiro.from_seed(5)
    model, twin_rows = twin.kolodny_run(rng, 3, p.kolodny_toolkit_max, p.population,
                                        run.rates.tolist(), steps)
    assert rows.tolist() == twin_rows and run.overflow == model.overflow > 0
    assert rows[:, 7].max() == 3


def test_pair_usefulness_is_the_twins_hash_and_hits_its_share():
    salt = np.uint64(0x1234_5678_9ABC_DEF0)
    pairs = [(a, b) for a in range(60) for b in range(60) if a != b]
    kernel = [bool(repertoire.pair_useful(salt, a, b, 0.2)) for a, b in pairs]
    assert kernel == [twin.pair_useful(int(salt), a, b, 0.2) for a, b in pairs]
    assert kernel == [bool(repertoire.pair_useful(salt, b, a, 0.2)) for a, b in pairs]  # symmetric
    share = np.mean(kernel)  # 3540 ordered = 1770 distinct pairs: SE of the share about 0.0095
    assert abs(share - 0.2) < 4 * math.sqrt(0.2 * 0.8 / 1770)


# --- invariants of every run ---------------------------------------------------------------------


def assert_conserved(table: pl.DataFrame) -> None:
    """Counts never negative; traits change by gains - losses; gains are the sum of their kinds."""
    counts = table.drop("trait_level_mean", "trait_seeds_mean").fill_null(0)
    assert (counts.to_numpy() >= 0).all()
    traits = table["tool_types"].to_numpy()
    assert (np.diff(traits) == (table["gains"] - table["losses"]).to_numpy()[1:]).all()
    kinds = table["novel_inventions"] + table["combinations"] + table["modifications"]
    assert (kinds == table["gains"]).all()


@PROPERTY
@given(hs.floats(0, 1), hs.floats(0, 1), hs.floats(0, 1), hs.floats(0.01, 1), hs.integers(1, 6),
       hs.integers(0, 10**6))
def test_lewis_laland_runs_conserve_traits(a, b, c, d, seeds, seed):
    total = a + b + c + d  # loss > 0: a full repertoire always has an event
    rates = [a / total, b / total, c / total]
    overrides = {**dict(zip(LL_NAMES, [*rates, 1.0 - sum(rates)], strict=True)), "ll_seeds": seeds,
                 "ll_initial_seeds": min(2, seeds), "generations": 300}
    table = simulate("lewis_laland", seed=seed, overrides=overrides).table
    assert_conserved(table)
    assert table["lineages"].max() <= seeds
    held = table.filter(pl.col("tool_types") > 0)
    assert (held["trait_seeds_mean"] <= held["lineages"]).all()
    assert (held["trait_level_mean"] >= held["trait_seeds_mean"]).all()  # level counts every seed


@PROPERTY
@given(hs.integers(5, 60), hs.floats(0, 0.2), hs.floats(0, 1), hs.floats(0, 1), hs.floats(0, 1),
       hs.floats(0, 3), hs.integers(1, 6), hs.integers(0, 10**6))
def test_kolodny_runs_conserve_traits(n, invention, toolkit, combination, useful, loss, k_max,
                                      seed):
    overrides = {"population": n, "kolodny_invention": invention, "kolodny_toolkit": toolkit,
                 "kolodny_combination": combination, "kolodny_useful": useful,
                 "kolodny_loss": min(loss, n), "kolodny_toolkit_max": k_max, "generations": 200}
    result = simulate("kolodny", seed=seed, overrides=overrides)
    table = result.table
    assert_conserved(table)
    parts = table["main_traits"] + table["toolkit_traits"] + table["combination_traits"]
    assert (parts == table["tool_types"]).all()
    m = table["main_traits"]
    assert (table["toolkit_traits"] <= m * k_max).all()
    assert (table["combination_traits"] <= m * (m - 1) // 2).all()
    assert result.meta["repertoire_overflow"] == 0


# --- analytic expectations -----------------------------------------------------------------------


def test_stationary_helper_is_the_random_walk_with_a_reflecting_invention():
    """Without invention the chain is a +/-1 walk, forced up at 0: mean pi0 / (q (1 - r)^2)."""
    for p_up, q in ((0.4, 0.6), (0.3, 0.7)):
        r = p_up / q
        pi0 = 1.0 / (1.0 + 1.0 / (q * (1.0 - r)))
        assert repertoire.ll_stationary_mean(0.0, p_up, q, 10) == pytest.approx(
            pi0 / (q * (1.0 - r) ** 2), abs=1e-9)


def test_mean_selection_coefficient_is_the_truncated_exponential_mean():
    for beta in (0.1, 0.5, 2.0):
        s = np.linspace(0.0, 1.0, 200_001)
        density = np.exp(-s / beta)
        assert repertoire.kolodny_mean_selection(beta) == pytest.approx(
            np.trapezoid(s * density, s) / np.trapezoid(density, s), rel=1e-8)


def test_main_axis_mean_solves_its_recursion():
    """E[m(t)] = (E[m(t-1)] + lambda)(1 - mu): establishments, then losses, from none."""
    lam, mu = repertoire.kolodny_rates(100, 0.0005, 0.1, 0.1)
    expected, m = [0.0], 0.0
    for _ in range(3000):
        m = (m + lam) * (1.0 - mu)
        expected.append(m)
    got = repertoire.kolodny_main_mean(np.arange(3001), 100, 0.0005, 0.1, 0.1)
    assert np.allclose(got, expected, rtol=1e-10)


def test_transition_location_interpolates_the_log_mean():
    where, se = lewis_laland.transition_location([0.4, 0.5, 0.6], [1000.0, 100.0, 10.0],
                                                 [10.0, 1.0, 0.1], 10**2.5)
    assert where == pytest.approx(0.45) and se > 0
    with pytest.raises(ValueError, match="brackets"):
        lewis_laland.transition_location([0.4, 0.5], [1000.0, 100.0], [1.0, 1.0], 5.0)


def test_transition_in_the_mean_field_lies_in_the_published_band():
    assert repertoire.ll_transition(1, 3, 3) == pytest.approx(6 / 13)
    assert repertoire.ll_growth_rate(*lewis_laland.scan_rates(6 / 13)) == pytest.approx(0.0)


# --- the validation checks, fast versions ------------------------------------------------------


def test_validation_lists_the_two_models():
    assert lewis_laland in MODELS and kolodny in MODELS


def test_lewis_laland_checks_pass_on_few_seeds():
    seeds = spawn_run_seeds(2012, 4)
    for check in (lewis_laland.stationary_check(seeds, 20_000),
                  lewis_laland.transition_check(seeds),
                  lewis_laland.combination_check(seeds)):
        assert check.passed, check.line()
        assert check.stderr > 0 and check.tolerance == pytest.approx(4 * check.stderr)


def test_kolodny_checks_pass_on_few_seeds():
    seeds = spawn_run_seeds(2015, 6)
    for check in (kolodny.main_axis_check(seeds, 10_000), kolodny.saturated_check(seeds, 16_000)):
        assert check.passed, check.line()


def test_a_wrong_reference_fails_the_stationary_check(monkeypatch):
    """The check can fail: against a mean 20 % off, the same runs are far outside tolerance."""
    true = repertoire.ll_stationary_mean
    monkeypatch.setattr(lewis_laland, "ll_stationary_mean", lambda *a: 1.2 * true(*a))
    assert not lewis_laland.stationary_check(spawn_run_seeds(2012, 4), 20_000).passed


# --- the driver ----------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", ["lewis_laland", "kolodny"])
def test_driver_table_has_the_schema_and_one_row_per_recorded_step(scenario):
    result = simulate(scenario, seed=0, generations=250, overrides={"repertoire_record_every": 40})
    assert result.table.schema == REPERTOIRE_SCHEMA
    assert result.table["generation"].to_list() == [0, 40, 80, 120, 160, 200, 240, 250]
    assert result.meta["repertoire_overflow"] == 0 and "gesture_variants_dropped" not in result.meta
    other = "main_traits" if scenario == "lewis_laland" else "lineages"
    assert result.table[other].null_count() == result.table.height


@pytest.mark.parametrize("scenario", ["lewis_laland", "kolodny"])
def test_same_seed_same_table_other_seed_other_table(scenario):
    first = simulate(scenario, seed=11, generations=2000).table
    assert first.equals(simulate(scenario, seed=11, generations=2000).table)
    assert not first.equals(simulate(scenario, seed=12, generations=2000).table)


@pytest.mark.parametrize("scenario", ["lewis_laland", "kolodny"])
def test_recording_and_chunking_do_not_change_the_numbers(scenario, monkeypatch):
    every = simulate(scenario, seed=5, generations=600).table
    sparse = simulate(scenario, seed=5, generations=600,
                      overrides={"repertoire_record_every": 50}).table
    kept = every.filter(pl.col("generation") % 50 == 0)
    assert sparse["tool_types"].equals(kept["tool_types"])
    assert sparse["gains"].sum() == every["gains"].sum()
    monkeypatch.setattr(runner, "ROWS_PER_CHUNK", 7)
    assert simulate(scenario, seed=5, generations=600).table.equals(every)


@pytest.mark.parametrize(("scenario", "overrides", "message"), [
    ("lewis_laland", {"ll_loss": 0.5}, "sum to 1"),
    ("lewis_laland", {"ll_modification": 0.0, "ll_loss": 0.0, "ll_combination": 0.9}, "ll_loss > 0"),
    ("lewis_laland", {"ll_seeds": 3, "ll_initial_seeds": 4}, "ll_initial_seeds <= ll_seeds"),
    ("kolodny", {"kolodny_loss": 101.0}, "kolodny_loss <= population"),
    ("kolodny", {"kolodny_invention": 0.5, "population": 5000}, "at most 2048"),
    ("kolodny", {"repertoire_model": "henrich"}, "lewis_laland, kolodny"),
])
def test_bad_repertoire_parameters_stop_with_one_line(scenario, overrides, message):
    with pytest.raises(UsageError, match=message) as err:
        simulate(scenario, seed=0, generations=10, overrides=overrides)
    assert "\n" not in str(err.value)


def test_events_are_refused_by_the_repertoire_driver(tmp_path, monkeypatch):
    monkeypatch.setattr(scenarios, "SCENARIO_DIR", tmp_path)
    scenarios.load.cache_clear()
    try:
        (tmp_path / "evented.toml").write_text(
            'summary = "s"\nhypothesis = "h"\ncitation = "c"\naccount = "none"\n'
            'role = "example"\n[params]\ndriver = "repertoire"\n'
            '[[events]]\ngeneration = 5\nset = { ll_loss = 0.3 }\n')
        with pytest.raises(UsageError, match="does not run"):
            simulate("evented", seed=0, generations=10)
    finally:
        scenarios.load.cache_clear()


# --- scenarios, sweeps, command line and analysis ------------------------------------------------


def test_the_scenarios_declare_validation_and_run_from_the_command_line(tmp_path, capsys):
    for name in ("lewis_laland", "kolodny"):
        spec = scenarios.load(name)
        assert (spec.account, spec.role, spec.params.driver) == ("none", "validation", "repertoire")
        assert cli.main(["run", name, "--generations", "30", "--out", str(tmp_path / name),
                         "--quiet"]) == 0
        assert "tool_types" in capsys.readouterr().out
        assert pl.read_parquet(tmp_path / name / "generations.parquet").schema == REPERTOIRE_SCHEMA


def test_the_null_sweep_spec_runs_the_kolodny_scenario_with_enough_seeds():
    spec = load_spec(Path(scenarios.SCENARIO_DIR) / "sweeps" / "kolodny_null.toml")
    assert spec.scenarios == ("kolodny",) and 40 <= spec.seeds <= 100
    assert spec.generations is None and not spec.grid and spec.sample is None


def test_a_sweep_table_of_a_repertoire_run_has_the_union_schema():
    outcome = run_one(RunJob(3, "kolodny", 9, {}), 100, simulate_run)
    assert outcome.status == "ok"
    assert outcome.table.schema == generation_schema()
    assert outcome.table["tool_types"].null_count() == 0


def test_a_kolodny_sweep_is_analysed_for_tool_types(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text('scenario = "kolodny"\nseeds = 4\ngenerations = 3000\nroot_seed = 3\n')
    assert cli.main(["sweep", str(spec), "--out", str(tmp_path / "s"), "--workers", "1"]) == 0
    assert cli.main(["analyze", str(tmp_path / "s")]) == 0
    conditions = pl.read_parquet(tmp_path / "s" / "analysis" / "conditions.parquet")
    row = conditions.filter(pl.col("metric") == "tool_types").row(0, named=True)
    assert row["n_runs"] == 4 and 0.0 <= row["p_burst"] <= 1.0


def test_tool_types_is_a_culture_metric_material_as_a_doubling_over_two():
    assert "tool_types" in CULTURE_METRICS and "tool_types" not in LOG_METRICS  # 0 to K: linear
    assert not is_material("tool_types", 1.0, 2.0)  # 1 -> 3 types: 3/2 < 2
    assert is_material("tool_types", 2.0, 2.0)  # 2 -> 4 types: 4/2 = 2
    assert is_material("tool_types", 3.0, 7.0)  # 3 -> 10 types
    assert not is_material("tool_types", 100.0, 90.0)
    assert is_material("tool_types", 100.0, 100.0)

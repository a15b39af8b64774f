"""Signatures an archaeologist could see (`analysis/signatures/`), on known answers.

Synthetic series whose answers are known by construction: a logistic rise of log10 complexity
(10-90 % time 2 ln 9 / r), lineages and camps with set onsets (a wave linear in distance, onsets
all at once), a crash that keeps half; then the contract of signatures.parquet, NaN handling, the
loaders and one real short run through ``python run.py analyze``.
"""

from __future__ import annotations

import contextlib
import io
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import run
from analysis import signatures as sg
from analysis.roles import with_accounts
from analysis.signatures import crash, reading, section, spread, timing
from analysis.windows import Crash, find_crash
from evo.errors import UsageError

T = np.arange(0, 1001, dtype=float)


def logistic(t: np.ndarray, t0: float, r: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-r * (t - t0)))


def gens(**columns: np.ndarray) -> pl.DataFrame:
    """A generation table over ``T`` with the given columns (population 200 unless given)."""
    data = {"generation": T.astype(np.int64), "population": np.full(T.size, 200)}
    return pl.DataFrame({**data, **columns})


# --- tempo and order -----------------------------------------------------------------------------

def test_tempo_of_a_logistic_rise_of_log_complexity() -> None:
    r = 0.02
    rng = np.random.default_rng(0)
    log_c = 0.5 + 2.0 * logistic(T, 500, r) + 0.005 * rng.normal(size=T.size)
    out = timing.tempo(gens(tool_complexity=10**log_c))
    expected = 2 * math.log(9) / r  # 219.7 generations
    assert out["tempo_generations"].value == pytest.approx(expected, abs=4)
    assert out["tempo_years_25"].value == pytest.approx(25 * out["tempo_generations"].value)
    assert out["tempo_years_30"].value == pytest.approx(30 * out["tempo_generations"].value)


def test_tempo_ignores_a_noisy_baseline_touching_the_low_level_early() -> None:
    rng = np.random.default_rng(1)
    log_c = 1.0 + 1.0 * logistic(T, 600, 0.03) + 0.04 * rng.normal(size=T.size)
    log_c[:3] = 0.0  # the founders start with nothing
    t10 = timing.tempo(gens(tool_complexity=10**log_c))["tempo_generations"].detail
    start = float(t10.split(",")[0].removeprefix("t10 "))
    assert start == pytest.approx(600 - math.log(9) / 0.03, abs=30)


@pytest.mark.parametrize(("series", "words"), [
    (np.full(T.size, 3.0), "does not rise"),
    (3.0 + 1.5 * logistic(T, 500, 0.05), "materially"),  # 3 -> 4.5 components: not a doubling
    (3.0 + 300 * logistic(T, 60, 0.15), "first 10 %"),  # relaxation from the initial state
])
def test_tempo_is_nan_with_a_reason(series: np.ndarray, words: str) -> None:
    out = timing.tempo(gens(tool_complexity=series))
    assert all(math.isnan(m.value) for m in out.values())
    assert words in out["tempo_generations"].detail


def test_order_lags_between_half_rise_times() -> None:
    rng = np.random.default_rng(2)
    table = gens(mirror_mean=0.1 + 0.6 * logistic(T, 400, 0.05) + 0.01 * rng.normal(size=T.size),
                 tool_complexity=3 + 500 * logistic(T, 500, 0.05),
                 expressivity=4 * logistic(T, 450, 0.05))
    out = timing.order_lags(table)
    assert out["order_mirror_minus_tools"].value == pytest.approx(-100, abs=3)
    assert out["order_mirror_minus_expressivity"].value == pytest.approx(-50, abs=3)
    assert out["order_expressivity_minus_tools"].value == pytest.approx(-50, abs=3)
    assert math.isnan(out["order_population_minus_tools"].value)
    assert "population does not rise" in out["order_population_minus_tools"].detail
    assert "mirror_learned_mean not recorded" in out["order_learned_minus_tools"].detail


def test_population_rising_first_gives_a_negative_lag() -> None:
    pop = np.round(40 + 1560 * np.clip((T - 200) / 400, 0, 1))  # a ramp 200-600, half at 400
    table = gens(population=pop, tool_complexity=3 + 300 * logistic(T, 650, 0.05))
    lag = timing.order_lags(table)["order_population_minus_tools"].value
    assert lag == pytest.approx(400 - 650, abs=5)


def test_an_immaterial_mirror_rise_gives_no_lag() -> None:
    table = gens(mirror_mean=0.3 + 0.05 * logistic(T, 400, 0.05),
                 tool_complexity=3 + 500 * logistic(T, 500, 0.05))
    m = timing.order_lags(table)["order_mirror_minus_tools"]
    assert math.isnan(m.value) and "materially" in m.detail


def test_leap_generation_dates_a_late_burst_and_a_rise_at_once_alike() -> None:
    late = 10 ** (3.0 * logistic(T, 600, 0.05))  # 1 -> 1000: 100 at 600 + 20 ln 2 = 613.9
    at_once = 10 ** (3.0 * (1 - np.exp(-T / 20)))  # 100 at 20 ln 3 = 21.97
    assert timing.leap_generation(gens(tool_complexity=late))["leap_generation"].value == 614
    assert timing.leap_generation(gens(tool_complexity=at_once))["leap_generation"].value == 22
    flat = timing.leap_generation(gens(tool_complexity=np.full(T.size, 3.0)))["leap_generation"]
    assert math.isnan(flat.value) and "no leap" in flat.detail


def test_order_and_leap_read_the_run_before_its_crash() -> None:
    table = crash_run(recover=False, restored=False)  # tools halve at 300, never restored
    table = table.with_columns(tool_complexity=pl.Series(np.where(T < 300, 10 ** (3 * logistic(
        T, 150, 0.1)), 1.0)))
    out = sg.run_signatures(table)
    assert out["leap_generation"].value == 157  # 100 at 150 + 10 ln 2; the crash is not the end


# --- lineages ------------------------------------------------------------------------------------

def lineage_table(onsets: dict[int, list[tuple[int, int]]], end: int = 1000) -> pl.DataFrame:
    """Rows every 10 generations; lineage k held in each [from, to) of ``onsets[k]``."""
    rows = []
    for lineage, spans in onsets.items():
        for g in range(0, end + 1, 10):
            held = any(a <= g < b for a, b in spans)
            rows.append({"generation": g, "lineage": lineage, "held": int(held)})
    return pl.DataFrame(rows)


def test_held_onset_needs_the_window() -> None:
    t = np.arange(0, 201, 10, dtype=float)
    assert spread.held_onset(t, t >= 100) == 100
    flicker = (t == 30) | (t >= 120)
    assert spread.held_onset(t, flicker) == 120
    assert spread.held_onset(t, t >= 180) is None  # held to the end, but less than 50 generations
    assert spread.held_onset(t, np.zeros(t.size, bool)) is None


def test_lineage_onsets_and_their_spread() -> None:
    spans = {k: [(100 * (k + 1), 10_000)] for k in range(5)}  # onsets 100 ... 500
    spans[5] = [(50, 60), (600, 10_000)]  # a flicker, then taken up at 600
    spans[6] = []  # never
    spans[7] = [(980, 10_000)]  # too late to confirm
    table = lineage_table(spans)
    onsets = spread.lineage_onsets(table)
    assert onsets == {0: 100, 1: 200, 2: 300, 3: 400, 4: 500, 5: 600, 6: None, 7: None}
    m = spread.lineage_spread(table)["lineage_spread"]
    assert m.value == pytest.approx(float(np.subtract(*np.percentile([100, 200, 300, 400, 500,
                                                                      600], [75, 25]))))
    assert m.detail == "6 of 8 lineages taken up"


def test_lineages_taken_up_together_have_no_spread_and_too_few_none() -> None:
    together = lineage_table({k: [(300, 10_000)] for k in range(8)})
    assert spread.lineage_spread(together)["lineage_spread"].value == 0.0
    few = lineage_table({0: [(300, 10_000)], 1: [(400, 10_000)], 2: []})
    m = spread.lineage_spread(few)["lineage_spread"]
    assert math.isnan(m.value) and "fewer than 3" in m.detail
    assert "record_lineages" in spread.lineage_spread(None)["lineage_spread"].detail


# --- camps ---------------------------------------------------------------------------------------

def camp_table(onset: dict[tuple[int, int], float | None], end: int = 1000) -> pl.DataFrame:
    """Camps on a grid; each steps from 3 to 300 components at its onset (None: never)."""
    ny = max(y for _, y in onset) + 1
    rows = []
    for (x, y), t0 in onset.items():
        for g in range(0, end + 1, 10):
            level = 300.0 if t0 is not None and g >= t0 else 3.0
            rows.append({"generation": g, "camp": x * ny + y, "x": x, "y": y, "population": 25,
                         "tool_complexity": level})
    return pl.DataFrame(rows)


def grid(n: int) -> list[tuple[int, int]]:
    return [(x, y) for x in range(n) for y in range(n)]


def test_a_wave_linear_in_distance_gives_correlation_one() -> None:
    onsets = {(x, y): 100 + 50 * max(x, y) for x, y in grid(5)}  # from the corner (0, 0)
    out = spread.camp_spread(camp_table(onsets))
    assert out["camp_wave"].value == pytest.approx(1.0)
    values = np.array(list(onsets.values()), dtype=float)
    assert out["camp_spread"].value == pytest.approx(float(np.subtract(*np.percentile(values,
                                                                                      [75, 25]))))


def test_a_wave_from_the_centre_and_camps_not_yet_reached() -> None:
    onsets = {(x, y): 100 + 60 * max(abs(x - 2), abs(y - 2)) for x, y in grid(5)}
    onsets |= {(x, y): None for x, y in grid(5) if max(abs(x - 2), abs(y - 2)) == 2 and x == 0}
    out = spread.camp_spread(camp_table(onsets))
    assert out["camp_wave"].value > 0.8
    assert out["camp_spread"].detail == "20 of 25 camps reach the level"


def test_simultaneous_onsets_give_spread_zero_and_no_wave() -> None:
    out = spread.camp_spread(camp_table(dict.fromkeys(grid(4), 300.0)))
    assert out["camp_spread"].value == 0.0
    assert math.isnan(out["camp_wave"].value)
    assert "besides the first" in out["camp_wave"].detail


def test_onsets_unrelated_to_distance_give_no_wave_on_average() -> None:
    """Leaving the first camp out keeps the null unbiased (with it, any order would correlate)."""
    rng = np.random.default_rng(3)
    x, y = (a.ravel() for a in np.meshgrid(np.arange(4), np.arange(4)))
    rhos = [spread.wave(x, y, 10.0 * rng.permutation(16)).value for _ in range(2000)]
    assert abs(float(np.mean(rhos))) < 0.03  # sd of one run's rho about 0.27
    onsets = {c: float(v) for c, v in zip(grid(5), 100 + 10 * rng.permutation(25), strict=True)}
    assert -1 <= spread.camp_spread(camp_table(onsets))["camp_wave"].value <= 1


def test_a_two_by_two_grid_cannot_show_a_wave() -> None:
    out = spread.camp_spread(camp_table({(0, 0): 100, (0, 1): 200, (1, 0): 300, (1, 1): 400}))
    assert math.isnan(out["camp_wave"].value) and "grid too small" in out["camp_wave"].detail
    assert out["camp_spread"].value == pytest.approx(150.0)


def test_chebyshev_distance_to_the_nearest_first_camp() -> None:
    x, y = np.array([0, 0, 3, 3, 1]), np.array([0, 3, 0, 3, 1])
    onset = np.array([10.0, 10.0, 50.0, np.nan, 20.0])
    assert spread.chebyshev_from_first(x, y, onset).tolist() == [0, 0, 3, 3, 1]


def test_camps_without_a_material_rise() -> None:
    flat = camp_table(dict.fromkeys(grid(3), None))
    out = spread.camp_spread(flat)
    assert math.isnan(out["camp_spread"].value) and "does not rise" in out["camp_spread"].detail


# --- crash ---------------------------------------------------------------------------------------

def crash_run(recover: bool = True, restored: bool = True) -> pl.DataFrame:
    """Population 200 crashes to 20 at 300, back at 400 (or never); tools keep half."""
    pop = np.where((T >= 300) & ((T < 400) | (not restored)), 20, 200)
    tools = np.where(T < 300, 100.0, 50.0)
    if recover and restored:
        tools = np.where(T >= 400, np.minimum(50 + 0.5 * (T - 400), 100.0), tools)
    types = np.where(T < 300, 4, np.where(T < 350, 3, 2))
    return gens(population=pop, tool_complexity=tools, tool_types=types,
                mirror_mean=np.full(T.size, 0.5), mirror_learned_mean=np.zeros(T.size))


def test_find_crash_from_the_population_series() -> None:
    found = find_crash(T, crash_run()["population"].to_numpy())
    assert found == Crash(start=300.0, restored=400.0, before=200.0)
    assert find_crash(T, np.full(T.size, 200)) is None
    ramp = np.round(40 + 1560 * np.clip((T - 200) / 400, 0, 1))
    assert find_crash(T, ramp) is None  # growth is no crash


def test_a_crash_keeping_half_and_recovering() -> None:
    out = crash.loss_after_crash(crash_run())
    assert out["loss_kept_tools"].value == pytest.approx(0.5)
    assert out["loss_kept_tool_types"].value == pytest.approx(0.5)
    assert out["loss_kept_mirror"].value == pytest.approx(1.0)
    assert math.isnan(out["loss_kept_learned"].value)
    assert "nothing to lose" in out["loss_kept_learned"].detail
    assert out["loss_recovery_tools"].value == 80.0  # 50 + 0.5 t reaches 90 at t = 80
    assert out["loss_recovered_tools"].value == 1.0
    assert math.isnan(out["loss_recovery_tool_types"].value) is False


def test_a_crash_not_recovered_is_censored() -> None:
    out = crash.loss_after_crash(crash_run(recover=False))
    assert out["loss_recovery_tools"].value == math.inf
    assert "censored" in out["loss_recovery_tools"].detail
    assert out["loss_recovered_tools"].value == 0.0


def test_a_population_never_restored_keeps_but_has_no_recovery() -> None:
    out = crash.loss_after_crash(crash_run(restored=False))
    assert out["loss_kept_tools"].value == pytest.approx(0.5)
    assert "never restored" in out["loss_kept_tools"].detail
    assert math.isnan(out["loss_recovery_tools"].value)
    assert math.isnan(out["loss_recovered_tools"].value)


def test_no_crash_gives_nan_everywhere() -> None:
    out = crash.loss_after_crash(gens(tool_complexity=np.full(T.size, 50.0)))
    assert all(math.isnan(m.value) and "no crash" in m.detail for m in out.values())


# --- across runs ---------------------------------------------------------------------------------

def fake_per_run(values: dict[tuple[str, str, str | None], list[float]]) -> pl.DataFrame:
    """Per-run rows: (scenario, account, role) -> the runs' values of every signature."""
    rows, rid = [], 0
    for (scenario, account, role), vs in values.items():
        for v in vs:
            for spec in sg.SIGNATURES:
                share = spec.name.startswith("loss_recovered") and not math.isnan(v)
                value = float(v > 0) if share else v
                rows.append({"run_id": rid, "scenario": scenario, "account": account,
                             "role": role, "signature": spec.name, "value": value,
                             "detail": "" if not math.isnan(v) else "it cannot be measured"})
            rid += 1
    return pl.DataFrame(rows, schema={"run_id": pl.Int64, "scenario": pl.String,
                                      "account": pl.String, "role": pl.String,
                                      "signature": pl.String, "value": pl.Float64,
                                      "detail": pl.String}, orient="row")


def test_signatures_table_contract_pooling_and_nan() -> None:
    per_run = fake_per_run({
        ("coevolution", "genetic", "main"): [-5.0, -4.0, -3.0, -2.0, -1.0, -6.0, float("nan")],
        ("fixed_low", "genetic", "control_low"): [100.0, 100.0],
        ("demography", "demography", "main"): [1.0, 2.0],
    })
    table = sg.signatures_table(per_run)
    assert table.columns[:6] == ["account", "signature", "value", "low", "high", "n"]
    assert set(table.columns) == set(sg.COLUMNS)
    row = table.filter((pl.col("account") == "genetic") & pl.col("scenario").is_null()
                       & (pl.col("signature") == "order_mirror_minus_tools")).row(0, named=True)
    assert row["n"] == 6  # the control is not pooled, the NaN run not counted
    assert row["value"] == -3.5 and row["low"] == -6.0 and row["high"] == -1.0
    assert "not measured in 1 of 7 runs: it cannot be measured (1)" in row["detail"]
    assert "mirror first in 6 of 6" in row["detail"]
    control = table.filter((pl.col("scenario") == "fixed_low")
                           & (pl.col("signature") == "tempo_generations")).row(0, named=True)
    assert control["n"] == 2 and control["value"] == 100 and math.isnan(control["low"])
    share = table.filter((pl.col("account") == "demography") & pl.col("scenario").is_null()
                         & (pl.col("signature") == "loss_recovered_tools")).row(0, named=True)
    assert share["value"] == 1.0 and share["interval"] == sg.WILSON
    assert share["low"] == pytest.approx(0.342, abs=1e-3) and share["high"] == 1.0
    assert table.filter(pl.col("scenario").is_null()).height == 2 * len(sg.SIGNATURES)


def test_old_tables_without_accounts_are_pooled_as_unknown_not_guessed() -> None:
    runs = pl.DataFrame({"run_id": [0, 1, 2], "scenario": ["coevolution", "fixed_high", "x"]})
    out = with_accounts(runs)
    assert out["account"].to_list() == ["unknown"] * 3  # a name is no declaration
    assert out["role"].to_list() == [None] * 3


def test_statements_are_worded_from_the_intervals() -> None:
    base = {"scenario": None, "unit": "generations", "interval": sg.MEDIAN, "detail": ""}
    table = pl.DataFrame([
        {**base, "account": "genetic", "signature": "order_mirror_minus_tools", "value": -50.0,
         "low": -80.0, "high": -10.0, "n": 8},
        {**base, "account": "demography", "signature": "order_mirror_minus_tools", "value": 5.0,
         "low": -20.0, "high": 40.0, "n": 8},
        {**base, "account": "gradual", "signature": "camp_wave", "value": 0.9, "low": float("nan"),
         "high": float("nan"), "n": 2},
    ])
    assert [(c.account, c.side) for c in section.claims(table)] == [
        ("genetic", "below"), ("demography", "includes"), ("gradual", "too few")]
    said = section.statements(table)
    assert said[0] == ("genetic: mirror rises before tools (median -50 generations, 95 % CI -80 "
                       "to -10, n = 8).")
    assert "no detectable order between mirror and tools" in said[1]
    assert said[2] == ("gradual: too few runs for a 95 % interval (6 needed): camp_wave (median "
                       "0.9, n = 2).")


def test_matrix_and_figure_data() -> None:
    per_run = fake_per_run({("coevolution", "genetic", "main"): [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                            ("demography", "demography", "main"): [float("nan")] * 2})
    table = sg.signatures_table(per_run)
    matrix = section.signature_matrix(table)
    assert matrix.columns == ["signature", "unit", "demography", "genetic"]
    assert matrix.height == len(sg.SIGNATURES)
    cell = matrix.filter(pl.col("signature") == "lineage_spread")["genetic"].item()
    assert cell == "3.5 [1, 6] (n=6)"
    assert matrix.filter(pl.col("signature") == "lineage_spread")["demography"].item() == "–"
    data = section.plot_data(table)
    assert set(data["account"]) == {"demography", "genetic"}  # demography: "not measured"
    assert set(data.filter(pl.col("n") > 0)["account"]) == {"genetic"}
    assert not any(s.startswith("tempo_years") for s in data["signature"])
    fig = section.plot_signatures(data)
    assert len([ax for ax in fig.axes if ax.axison]) == len(section.plotted())
    single = section.plot_signature(data, "camp_wave", ["demography", "genetic"])
    assert single.axes[0].get_title() == "camp_wave"


# --- loaders -------------------------------------------------------------------------------------

def test_read_table_of_a_sweep_reads_copies_once(tmp_path: Path) -> None:
    folder = tmp_path / "camps"
    folder.mkdir()
    table = camp_table({(0, 0): 100, (0, 1): 200}).with_columns(pl.lit(3).alias("run_id"))
    table.write_parquet(folder / "part-0.parquet")
    table.write_parquet(folder / "merged-0.parquet")
    table.write_parquet(folder / ".part-1.parquet.tmp.parquet")  # a writer's hidden file
    out = reading.read_table(tmp_path, "sweep", "camps", reading.CAMP_COLUMNS, ("generation", "camp"),
                        reading.CAMP_COLUMNS)
    assert out is not None and out.height == table.height and out["run_id"].unique().to_list() == [3]
    assert reading.read_table(tmp_path, "sweep", "lineages", reading.LINEAGE_COLUMNS, ("generation",)) is None


def test_a_damaged_extra_table_is_one_line_naming_it(tmp_path: Path) -> None:
    (tmp_path / "camps.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(UsageError, match=r"camps\.parquet: not a readable Parquet table"):
        reading.read_table(tmp_path, "run", "camps", reading.CAMP_COLUMNS, ("generation", "camp"))
    pl.DataFrame({"generation": [0], "camp": [0]}).write_parquet(tmp_path / "camps.parquet")
    with pytest.raises(UsageError, match=r"camps\.parquet: missing column\(s\) x, y"):
        reading.read_table(tmp_path, "run", "camps", reading.CAMP_COLUMNS, ("generation", "camp"),
                      reading.CAMP_COLUMNS)


def test_a_run_without_extra_tables_says_so() -> None:
    values = sg.run_signatures(gens(tool_complexity=np.full(T.size, 3.0)))
    assert list(values) == [s.name for s in sg.SIGNATURES]
    assert "record_camps" in values["camp_wave"].detail
    assert "no generation rows" in sg.run_signatures(None)["tempo_generations"].detail


# --- a real short run ----------------------------------------------------------------------------

def test_a_real_run_through_analyze(tmp_path: Path) -> None:
    out = tmp_path / "r"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
        assert run.main(["run", "default", "--seed", "3", "--generations", "160",
                         "--set", "record_camps=true", "--set", "record_lineages=true",
                         "--set", "crash_generation=80", "--set", "crash_length=40",
                         "--out", str(out)]) == 0
        assert run.main(["analyze", str(out)]) == 0
    folder = out / "analysis"
    table = pl.read_parquet(folder / "signatures.parquet")
    assert table.columns[:6] == ["account", "signature", "value", "low", "high", "n"]
    assert set(table["signature"]) == {s.name for s in sg.SIGNATURES}
    assert set(table["account"]) == {"genetic"} and (table["n"] <= 1).all()
    by = {r["signature"]: r for r in table.filter(pl.col("scenario").is_null())
          .iter_rows(named=True)}
    assert by["loss_kept_tools"]["n"] == 1 and 0 < by["loss_kept_tools"]["value"] < 1.5
    assert by["lineage_spread"]["n"] == 1 and by["camp_spread"]["n"] == 1
    assert by["camp_wave"]["n"] == 0 and "camps" in by["camp_wave"]["detail"]  # a 2 x 2 grid
    per_run = pl.read_parquet(folder / "signature_runs.parquet")
    assert per_run.height == len(sg.SIGNATURES) and per_run["run_id"].is_null().all()
    assert (folder / "signatures.png").stat().st_size > 1000
    assert "## Signatures an archaeologist could see" in (folder / "report.md").read_text()


def test_each_signature_is_declared_once_with_the_measure_that_fills_it() -> None:
    from analysis.signatures import registry
    names = [s.name for s in sg.SIGNATURES]
    assert len(names) == len(set(names))
    assert list(sg.run_signatures(None)) == names  # every row filled, in the declared order
    row = registry.Signature("declared", "generations", sg.MEDIAN, "a row")
    wrong = registry.Measure(lambda table: {"other": registry.Measured(1.0)}, "camps", (row,))
    with pytest.raises(RuntimeError, match=r"returned \['other'\], declared \['declared'\]"):
        wrong(None)
    with pytest.raises(ValueError, match="registered twice"):
        registry.measures("camps", sg.BY_NAME["camp_wave"])(lambda table: {})


def test_the_order_on_log10_can_disagree_with_the_linear_order():
    """Tools rise linearly from 5 to 300 over generations 500-1500: half-way at 1000 on the linear
    scale, at about 614 on log10 (38.7 components). A mirror half-risen at 800 leads on the
    linear scale and follows on log10: both lags are reported."""
    from analysis.signatures.timing import order_lags, order_lags_log10

    g = np.arange(2001, dtype=float)
    tools = np.clip(5 + 295 * (g - 500) / 1000, 5, 300)
    mirror = np.clip((g - 600) / 400, 0, 1) * 0.8
    gens = pl.DataFrame({"generation": g.astype(int), "tool_complexity": tools,
                         "mirror_mean": mirror, "population": np.full(g.size, 100.0)})
    linear = order_lags(gens)["order_mirror_minus_tools"].value
    log10 = order_lags_log10(gens)["order_mirror_minus_tools_log10"].value
    assert linear < -100 and log10 > 100
    assert np.isnan(order_lags_log10(gens)["order_population_minus_tools_log10"].value)


def test_signatures_per_design_cell_name_the_cell_and_pool_only_its_runs():
    from analysis.signatures.summary import cells_table

    per_run = pl.DataFrame({
        "run_id": [1, 2, 3, 4, 5], "scenario": ["a", "a", "a", "a", "b"],
        "account": ["genetic"] * 4 + ["demography"], "role": ["main"] * 5,
        "signature": ["leap_generation"] * 5, "value": [100.0, 110.0, 300.0, 320.0, 50.0],
        "detail": [""] * 5})
    runs = pl.DataFrame({"run_id": [1, 2, 3, 4, 5], "mutation_rate": [0.005, 0.005, 0.02, 0.02, None],
                         "demonstrator": [None, None, None, None, "best"]})
    table = cells_table(per_run, runs, ["mutation_rate", "demonstrator"])
    by = {(r["scenario"], r["cell"]): r for r in table.iter_rows(named=True)}
    assert set(by) == {("a", "mutation_rate=0.005"), ("a", "mutation_rate=0.02"), ("b", "-")}
    assert by[("a", "mutation_rate=0.005")]["value"] == 105.0
    assert by[("a", "mutation_rate=0.02")]["n"] == 2 and by[("b", "-")]["value"] == 50.0

"""`run.py choose`: ABC-SMC model choice over accounts, its tables, resume, bad input and dask.

The toy spec (`tests/data/choice_toy.toml`) pits the genetic account's two controls against each
other at tiny size: mirror strength held at 0.2 keeps a handful of components and one tool type,
held at 0.8 it leaps and holds all 8 types, so any working choice must tell them apart.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from analysis import kline_boyd
from evo.run.choose import smc, summaries
from evo.run.choose.model import AccountModel, particle_seed
from evo.run.choose.spec import load_choice_spec
from mirrorleap.main import main

ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "tests" / "data" / "choice_toy.toml"


def toy_text(**replace: str) -> str:
    """The toy spec's text with some lines replaced (old -> new)."""
    text = TOY.read_text()
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return text


def test_poisson_slope_matches_the_glm_on_kline_and_boyd():
    data = kline_boyd.load()
    slope, _ = summaries.poisson_slope(data["total_tools"].to_numpy(), data["population"].to_numpy())
    glm, _ = kline_boyd.poisson_fit(data["total_tools"], data["population"])["log_population"]
    assert slope == pytest.approx(glm, abs=1e-8)
    assert summaries.poisson_slope(np.zeros(4), np.array([1.0, 2, 3, 4]))[0] == 0.0


def test_leap_and_crash_summaries_on_a_known_table():
    from evo.core.params import Params

    g = np.arange(0, 300)
    complexity = np.where(g < 100, 2.0, 1000.0)  # a jump to 1,000 components at generation 100
    types = np.where((g >= 200) & (g < 220), 2, 8)  # a crash at 200-220 keeps 2 of 8 types
    table = pl.DataFrame({"generation": g, "tool_complexity": complexity, "tool_types": types})
    view = summaries.RunView(Params(crash_generation=200, crash_length=20, generations=299), table)
    assert summaries.leap(view) == 1.0 and summaries.leap_generation(view) == 100.0
    assert summaries.crash_kept_tool_types(view) == pytest.approx(0.25)
    flat = summaries.RunView(Params(generations=299),
                             table.with_columns(tool_complexity=pl.lit(20.0)))
    assert summaries.leap(flat) == 0.0 and summaries.leap_generation(flat) == 299.0  # censored


def test_record_summaries_on_a_known_presence_table(tmp_path):
    from evo.core.params import Params

    # two regions, three types, a row every 20 generations (6,000 generations, 150 kyr)
    rows = []
    for r in range(301):
        g = 20 * r
        held = {0: True, 1: 1000 <= g < 1200, 2: g >= 3000}  # type 1 lasts 200 gens, then lost
        for camp in (0, 1):
            for k, on in held.items():
                rows.append({"generation": g, "camp": camp, "lineage": k,
                             "skill_best": 12.0 if on and camp == 0 else 3.0,
                             "held": int(on and camp == 0)})
    presence = pl.DataFrame(rows)
    params = Params(generations=6000, climate_start_ka=300.0, years_per_generation=25.0,
                    record_presence=True)
    view = summaries.RunView(params, pl.DataFrame({"generation": [0]}), presence=presence)
    assert summaries.industry_kyr(view) == pytest.approx(5.0)  # 200 generations
    assert summaries.appearance_spread_kyr(view) == pytest.approx(75.0)  # 0 to 3,000
    assert summaries.appearance_median_ka(view) == pytest.approx(300 - 25.0)  # median first: 1,000
    # nothing vanished: the run's whole length
    steady = summaries.RunView(params, view.table, presence=presence.filter(pl.col("lineage") == 0))
    assert summaries.industry_kyr(steady) == pytest.approx(150.0)
    assert summaries.appearance_spread_kyr(steady) == 0.0  # fewer than 3 types appear
    record = tmp_path / "record.csv"
    record.write_text("name,kind,first_ka,last_ka,duration_kyr\nA,industry,72,71,1.0\n"
                      "B,industry,65,60,5.0\nC,component,280,,\nD,component,100,,\n"
                      "E,component,70,,\n")
    from evo.errors import UsageError

    def observed(name: str) -> float:
        choice = summaries.SummaryChoice.parse(name, {"data": str(record)}, UsageError)
        return choice.observed_value(None, None, UsageError)

    # industries' rows only, then components' rows only (the other rows' blanks are not read)
    assert observed("industry_kyr") == pytest.approx(3.0)
    assert observed("appearance_spread_kyr") == pytest.approx(210.0)
    assert observed("appearance_median_ka") == pytest.approx(100.0)


def test_a_particle_runs_the_same_numbers_anywhere_and_the_seed_depends_on_its_account():
    spec = load_choice_spec(TOY)
    model = AccountModel(spec, 1, spec.seed)
    pars = {"tool_benefit": 0.05, "demonstrator": 0.3}
    assert model(pars) == model(dict(pars))
    assert model.draw(pars) == {"tool_benefit": 0.05, "demonstrator": "best"}
    assert particle_seed(7, 0, {"a": 0.1}) != particle_seed(7, 1, {"a": 0.1})
    assert particle_seed(7, 0, {"a": 0.1}) != particle_seed(8, 0, {"a": 0.1})


def test_one_core_runs_are_reproducible_bit_for_bit(tmp_path):
    import dataclasses

    from evo.run.choose.spec import Budget

    spec = load_choice_spec(TOY)
    spec = dataclasses.replace(spec, budget=Budget(particles=8, populations=1))
    tables = []
    for name in ("a", "b"):
        db = tmp_path / f"{name}.db"
        with smc.open_sampler("local", 1, None) as sampler:
            smc.run_choice(spec, spec.observed, db, spec.seed, sampler)
        tables.append((smc.probabilities(spec, db), smc.posterior(spec, db)))
    assert tables[0][0].equals(tables[1][0]) and tables[0][1].equals(tables[1][1])


def test_toy_choice_recovers_the_true_account_and_writes_the_contract(tmp_path, capsys):
    out = tmp_path / "choice"
    assert main(["choose", str(TOY), "--out", str(out), "--workers", "1", "--recovery"]) == 0
    probs = pl.read_parquet(out / "model_probabilities.parquet")
    assert {"account", "probability", "population", "epsilon"} <= set(probs.columns)
    for (run, t), part in probs.group_by(["run", "population"]):
        assert part["probability"].sum() == pytest.approx(1.0), (run, t)
        assert sorted(part["account"]) == ["high", "low"]
    post = pl.read_parquet(out / "posterior.parquet")
    assert {"account", "population", "weight", "parameter", "value"} <= set(post.columns)
    for _, part in post.group_by(["account", "population", "parameter"]):
        assert part["weight"].sum() == pytest.approx(1.0)
    lo, hi = post.filter(pl.col("parameter") == "tool_benefit")["value"].to_numpy()[[0, -1]]
    assert 0.03 <= lo <= 0.07 and 0.03 <= hi <= 0.07
    confusion = pl.read_parquet(out / "confusion.parquet")
    assert confusion.columns == ["true_account", "chosen_account", "probability"]
    for true in ("low", "high"):
        rows = confusion.filter(pl.col("true_account") == true)
        chosen = rows.sort("probability", descending=True)["chosen_account"][0]
        assert chosen == true  # the recovery test recovers each account
    final = probs.filter((pl.col("run") == "main") & (pl.col("account") == "high"))
    assert final.sort("population")["probability"][-1] > 0.9  # observed: 8 types and a leap
    record = json.loads((out / "choose.json").read_text())
    assert record["status"] == "done" and record["provenance"]["code"]["commit"]
    assert set(record["provenance"]["resolved_scenarios"]) == {"fixed_low", "fixed_high"}
    for name in ("choice.png", "confusion.png", "report.md"):
        assert (out / name).stat().st_size > 0
    assert "**high** is favoured" in (out / "report.md").read_text()
    assert "high favoured" in capsys.readouterr().out


def test_a_killed_choice_continues_from_its_database(tmp_path):
    spec = tmp_path / "slow.toml"
    spec.write_text(toy_text(**{"generations = 80": "generations = 140",
                                "populations = 2": "populations = 3",
                                # out of reach, so epsilon never reaches 0 and all 3 are run
                                "observed = 8": "observed = 7.5"}))
    out = tmp_path / "choice"
    cmd = [sys.executable, str(ROOT / "run.py"), "choose", str(spec), "--out", str(out),
           "--workers", "1"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    db = out / "abc" / "main.db"
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and smc.stored_populations(db) < 1:
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    stored = smc.stored_populations(db)
    assert 1 <= stored < 3, "the kill must come between the first and the last population"
    first = smc.probabilities(load_choice_spec(spec), db).filter(pl.col("population") == 0)
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    probs = pl.read_parquet(out / "model_probabilities.parquet").filter(pl.col("run") == "main")
    assert probs["population"].max() == 2  # all three populations
    again = probs.filter(pl.col("population") == 0).drop("run")
    assert again.equals(first)  # population 0 kept, not redone


def _bad(tmp_path: Path, capsys, argv: list[str], expected: str) -> None:
    out = tmp_path / "out"
    assert main(["choose", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and expected in err, err
    assert not out.exists()


@pytest.mark.parametrize(("replace", "expected"), [
    ({"[budget]": "[budget\n"}, "TOML syntax error"),
    ({'scenario = "fixed_low"': 'scenario = "fixed_lo"'}, "unknown scenario 'fixed_lo'"),
    ({'scenario = "fixed_low"': 'scenario = "henrich"'}, "stages no account"),
    ({"uniform = [0.03, 0.07] } }\n\n[accounts.high]": "uniform = [0.03, 200] } }\n\n"
      "[accounts.high]"}, "outside the parameter's range"),
    ({'"sample_best"]': '"sampled_best"]'}, "outside the parameter's range"),
    ({"final_tool_types = { observed = 8 }": "tools = { observed = 8 }"}, "unknown summary"),
    ({"final_tool_types = { observed = 8 }": "kb_slope = { data = \"EMPTY\" }"}, "no rows"),
    ({"final_tool_types = { observed = 8 }": "crash_kept_tool_types = { observed = 0.5 }"},
     "has no crash"),
])
def test_bad_specs_stop_with_one_line_and_write_nothing(tmp_path, capsys, replace, expected):
    empty = tmp_path / "empty.csv"
    empty.write_text("# a header comment only\nculture,population,total_tools\n")
    text = toy_text(**replace).replace("EMPTY", str(empty))
    if "kb_slope" in text:
        text += '\n[islands]\ncensus = [1000, 2000]\n'
    spec = tmp_path / "bad.toml"
    spec.write_text(text)
    _bad(tmp_path, capsys, [str(spec)], expected)


def test_a_missing_spec_and_bad_engine_options_stop_with_one_line(tmp_path, capsys):
    _bad(tmp_path, capsys, [str(tmp_path / "nowhere.toml")], "cannot read choice spec")
    _bad(tmp_path, capsys, [str(TOY), "--address", "localhost:1"], "--address needs --engine dask")
    _bad(tmp_path, capsys, [str(TOY), "--workers", "0"], "positive number")
    _bad(tmp_path, capsys, [str(TOY), "--engine", "dask", "--address", "localhost:1", "--workers",
                            "2"], "--workers sizes")


def test_another_spec_in_the_same_folder_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "choose.json").write_text(json.dumps({"digest": "other"}))
    assert main(["choose", str(TOY), "--out", str(out)]) == 2
    assert "another spec" in capsys.readouterr().err


def test_the_shipped_spec_checks_and_reads_its_data():
    for quick in (False, True):
        spec = load_choice_spec(ROOT / "scenarios" / "sweeps" / "choice.toml", quick=quick)
        assert spec.names == ["genetic", "nongenetic", "demography"]
        assert spec.observed["kb_slope"] == pytest.approx(0.2398, abs=1e-3)  # Kline & Boyd's 0.24
        assert math.isfinite(spec.observed["kb_level"])
        # the record through time: Still Bay and Howiesons Poort, McBrearty & Brooks' components
        assert 0.9 <= spec.observed["industry_kyr"] <= 5.3
        assert spec.observed["appearance_spread_kyr"] > 100


def test_the_choice_runs_on_a_dask_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, host="127.0.0.1") as cluster:
        out = tmp_path / "dask"
        assert main(["choose", str(TOY), "--out", str(out), "--engine", "dask", "--address",
                     cluster.scheduler_address]) == 0
    probs = pl.read_parquet(out / "model_probabilities.parquet")
    main_run = probs.filter(pl.col("run") == "main")
    last = main_run.filter(pl.col("population") == main_run["population"].max())
    assert last.filter(pl.col("account") == "high")["probability"][0] > 0.9
    assert json.loads((out / "choose.json").read_text())["engine"] == "dask"


def test_poisson_slope_is_bounded_where_the_maximum_likelihood_slope_does_not_exist():
    census = np.array([10.0, 20, 40, 80, 2750])
    slope, intercept = summaries.poisson_slope(np.array([0, 0, 0, 0, 7]), census)
    assert slope == summaries.SLOPE_LIMIT and math.isfinite(intercept)
    assert 0 < summaries.kb_level_of(np.array([0, 0, 0, 0, 7]), census, 80) < 1


def test_the_kernel_keeps_a_least_spread_when_a_model_s_particles_are_alike():
    import pandas as pd

    kernel = smc.floored_transition({"a": 10.0, "b": 0.5})
    X = pd.DataFrame({"b": [0.2, 0.2, 0.2], "a": [3.0, 3.0, 3.0]})  # pyabc's column order
    kernel.fit(X, np.full(3, 1 / 3))
    assert np.allclose(np.diag(kernel.cov), [(0.02 * 0.5) ** 2, (0.02 * 10.0) ** 2])
    nearby = pd.DataFrame({"b": [0.21], "a": [3.1]})
    density = kernel.pdf(nearby)
    assert np.all(np.isfinite(density)) and np.all(density > 0)

"""Per-scenario designs in one sweep spec: planning, errors, determinism, resume, extras, analyze."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl
import pytest

import run
from evo.run.runner import resolve_params, simulate
from evo.run.sweep import build_plan, load_spec, run_sweep
from evo.run.sweep.core import INVOCATION_COLUMNS, record_schema
from evo.run.sweep.seeds import spawn_run_seeds

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "tests" / "data" / "designs.toml"
#: (points, seeds) per scenario of SPEC, in run order.
EXPECTED = {"coevolution": (4, 1), "genetic_upgrade": (2, 2), "associative": (2, 2),
            "fixed_low": (1, 2)}
OWN = {"coevolution": {"mirror_cost", "mutation_rate"}, "genetic_upgrade": {"allele_mirror"},
       "associative": {"assoc_initial"}, "fixed_low": set()}

#: sha256 of (plan, record schema) of shipped old-form specs, computed with the code before
#: per-scenario designs existed: the old form must plan exactly as it did.
OLD_FORM = {
    "main.toml": (1200, "7d95b0d9a8d6072d27da88745861341325719c657ecf845b0f3b61a36eb6a7a4"),
    "lhs.toml": (640, "5c5888e9bcab32f18add80d2eb5df858e84201e4ab047e9e059c915c3ce19b6b"),
    "sobol.toml": (768, "9410ca1ba31e1c127c82fecc6dc767790c4dfd792cb4290fb5cf67023b0355ad"),
}


@pytest.mark.parametrize("name", sorted(OLD_FORM))
def test_old_form_plans_the_same_runs_seeds_points_and_columns_as_before(name):
    spec = load_spec(ROOT / "scenarios" / "sweeps" / name)
    plan = build_plan(spec, spec.root_seed, resolve_params)
    rows = [[r.run_id, r.scenario, r.replicate, r.seed, r.point] for r in plan]
    full = record_schema(spec, plan)
    # The invocation columns (added since) say who wrote a run, not what it is: left out here.
    schema = {k: str(v) for k, v in full.items() if k not in INVOCATION_COLUMNS}
    digest = hashlib.sha256(json.dumps([rows, schema], sort_keys=True).encode()).hexdigest()
    assert (len(plan), digest) == OLD_FORM[name]
    assert set(INVOCATION_COLUMNS) <= set(full)
    assert all(r.factors == r.point for r in plan)


def test_designs_give_each_scenario_its_own_runs_and_factors():
    spec = load_spec(SPEC)
    plan = build_plan(spec, spec.root_seed, resolve_params)
    assert spec.scenarios == tuple(EXPECTED)
    assert [r.scenario for r in plan] == [s for s, (p, k) in EXPECTED.items() for _ in range(p * k)]
    assert [r.seed for r in plan] == spawn_run_seeds(spec.root_seed, len(plan))
    assert set(spec.varied) == set().union(*OWN.values())
    for scenario, (points, seeds) in EXPECTED.items():
        runs = [r for r in plan if r.scenario == scenario]
        assert len(runs) == points * seeds and len({json.dumps(r.point) for r in runs}) == points
        assert set(runs[0].point) == OWN[scenario]
        for name in set(spec.varied) - OWN[scenario]:  # held at the scenario's own value
            assert len({r.factors[name] for r in runs}) == 1
            assert runs[0].factors[name] is not None
        assert all(r.fixed["population"] == 40 for r in runs)  # the shared [set]
    upgrade = [r for r in plan if r.scenario == "genetic_upgrade"]
    assert upgrade[0].overrides["allele_generation"] == 10  # its own set
    assoc = [r.point["assoc_initial"] for r in plan if r.scenario == "associative"]
    assert all(0.02 <= a <= 0.2 for a in assoc)
    assert "allele_generation" not in plan[0].overrides  # not in the other designs


BAD = {
    "unknown scenario": ('[designs.nosuch]\n', "nosuch"),
    "unknown parameter": ('[designs.coevolution]\ngrid = { nosuch = [1, 2] }\n', "nosuch"),
    "out of range": ('[designs.coevolution]\ngrid = { mirror_cost = [0.1, 99.0] }\n',
                     "mirror_cost"),
    "set and grid": ('[designs.coevolution]\nset = { mirror_cost = 0.1 }\n'
                     'grid = { mirror_cost = [0.1, 0.2] }\n', "is in both"),
    "shared set and grid": ('[set]\nmirror_cost = 0.1\n[designs.coevolution]\n'
                            'grid = { mirror_cost = [0.1, 0.2] }\n', "is in both [set]"),
    "empty": ('[designs]\n', "lists no scenario"),
    "both forms": ('scenario = "coevolution"\n[designs.coevolution]\n', "not both"),
    "bad key": ('[designs.coevolution]\ngird = { mirror_cost = [0.1] }\n', "unknown key 'gird'"),
    "bad seeds": ('[designs.coevolution]\nseeds = 0\n', "designs.coevolution.seeds"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_design_is_one_line_exit_2_and_touches_nothing(tmp_path, capsys, case):
    text, needle = BAD[case]
    spec = tmp_path / "bad.toml"
    spec.write_text("seeds = 1\ngenerations = 4\n" + text)
    out = tmp_path / "out"
    assert run.main(["sweep", str(spec), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and needle in err, err
    assert not out.exists()


def test_dry_run_prints_the_runs_per_scenario_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    assert run.main(["sweep", str(SPEC), "--out", str(out), "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "14 runs, per-scenario designs" in text
    for scenario, (points, seeds) in EXPECTED.items():
        [line] = [ln for ln in text.splitlines() if ln.split()[:1] == [scenario]]
        assert f"= {points * seeds:>6} runs" in line and f"x {seeds:>3} seeds" in line
    assert not out.exists()


class Interrupt:
    """A picklable run function: the real model, logging each seed; Ctrl-C at one seed."""

    def __init__(self, log: Path, at: int | None = None):
        self.log, self.at = log, at

    def __call__(self, scenario, *, seed, generations, overrides):
        if seed == self.at:
            raise KeyboardInterrupt
        with open(self.log, "a") as log:
            log.write(f"{seed}\n")
        return simulate(scenario, seed=seed, generations=generations, overrides=overrides,
                        progress=False)


def table(out: Path) -> pl.DataFrame:
    return pl.read_parquet(out / "runs.parquet").drop("wall_time_s")


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("designs") / "out"
    report = run_sweep(SPEC, out, workers=1, progress=False)
    assert (report.total, report.failed) == (14, 0)
    return out


def test_runs_table_holds_every_factor_and_the_header_the_designs(reference):
    runs = table(reference)
    spec = load_spec(SPEC)
    assert runs["run_id"].to_list() == list(range(14))
    for name in spec.varied:
        assert runs[name].null_count() == 0
    for scenario, own in OWN.items():
        part = runs.filter(pl.col("scenario") == scenario)
        for name in spec.varied:
            assert (part[name].n_unique() > 1) == (name in own), (scenario, name)
    header = json.loads((reference / "sweep.json").read_text())
    assert [d["scenario"] for d in header["designs"]] == list(EXPECTED)
    assert [(d["n_points"], d["seeds"]) for d in header["designs"]] == list(EXPECTED.values())
    assert header["designs"][1]["set"]["allele_generation"] == 10
    assert header["spec"]["designs"]["coevolution"]["seeds"] == 1  # the hash covers them


def test_two_workers_give_the_same_tables(tmp_path, reference):
    out = tmp_path / "out"
    run_sweep(SPEC, out, workers=2, progress=False)
    assert table(out).equals(table(reference))
    gens = [pl.scan_parquet(o / "generations" / "*.parquet").collect().sort("run_id", "generation")
            for o in (out, reference)]
    assert gens[0].equals(gens[1])


def test_an_interrupted_designs_sweep_resumes_without_recomputing(tmp_path, reference):
    seeds = table(reference)["seed"].to_list()
    log, out = tmp_path / "log", tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(SPEC, out, workers=1, progress=False, warmup=False,
                  run_fn=Interrupt(log, at=seeds[9]), target_task_s=0.0)
    saved = set(pl.read_parquet(out / "runs.parquet")["seed"].to_list())
    assert 0 < len(saved) < 14 and saved <= {int(x) for x in log.read_text().split()}
    log.unlink()
    report = run_sweep(SPEC, out, workers=2, progress=False, warmup=False, run_fn=Interrupt(log))
    again = [int(x) for x in log.read_text().split()]
    assert (report.already_done, report.computed) == (len(saved), 14 - len(saved))
    assert sorted(again) == sorted(set(seeds) - saved)  # nothing saved is run again
    assert table(out).equals(table(reference))


def test_camps_parts_are_kept_per_run_and_a_damaged_one_is_recomputed(tmp_path, reference, capsys):
    camps = pl.read_parquet(reference / "camps" / "*.parquet")
    runs = table(reference)
    upgrade = runs.filter(pl.col("scenario") == "genetic_upgrade")["run_id"].to_list()
    assert sorted(camps["run_id"].unique().to_list()) == upgrade  # only the design recording them
    assert runs.filter(pl.col("run_id").is_in(upgrade))["camps_rows"].min() > 0
    out = tmp_path / "out"
    import shutil

    shutil.copytree(reference, out)
    part = sorted((out / "camps").glob("part-*.parquet"))[0]
    held = pl.read_parquet(out / "records" / part.name)["run_id"].to_list()  # the whole task
    part.write_bytes(part.read_bytes()[:50])
    capsys.readouterr()
    report = run_sweep(SPEC, out, workers=1, progress=False, warmup=False)
    assert report.computed == len(held)
    assert "is damaged" in capsys.readouterr().err
    assert (out / "damaged" / "camps" / part.name).is_file()
    assert pl.read_parquet(out / "camps" / "*.parquet").sort("run_id", "generation", "camp").equals(
        camps.sort("run_id", "generation", "camp"))


def test_analyze_pools_each_scenario_over_its_own_design(tmp_path, reference):
    import shutil

    out = tmp_path / "out"
    shutil.copytree(reference, out)
    assert run.main(["analyze", str(out)]) == 0
    conditions = pl.read_parquet(out / "analysis" / "conditions.parquet")
    per = conditions.filter(pl.col("metric") == conditions["metric"][0])
    for scenario, (points, seeds) in EXPECTED.items():  # a condition per point of its own design
        part = per.filter(pl.col("scenario") == scenario)
        assert part.height == points
        assert (part["n_runs"] + part["n_too_short"]).sum() == points * seeds
    report = (out / "analysis" / "report.md").read_text()
    assert "Each scenario has its own design" in report
    assert "coevolution: 4 point(s) x 1 seed(s) = 4 runs, grid over mirror_cost, mutation_rate" in report


def test_the_digest_sees_the_order_that_numbers_the_runs():
    import tomllib

    from evo.run.sweep import parse_spec

    data = tomllib.loads(SPEC.read_text())
    swapped = {**data, "designs": dict(reversed(list(data["designs"].items())))}
    a, b = parse_spec(data, source="a"), parse_spec(swapped, source="b")
    order = [[p.scenario for p in build_plan(x, 1, resolve_params)] for x in (a, b)]
    assert order[0] != order[1]
    assert a.digest != b.digest  # else a resume would take one spec's runs for the other's
    assert parse_spec(dict(data), source="c").digest == a.digest


def test_dry_run_on_a_damaged_record_is_one_line_and_touches_nothing(tmp_path, reference, capsys):
    import shutil

    out = tmp_path / "out"
    shutil.copytree(reference, out)
    part = sorted((out / "records").glob("part-*.parquet"))[0]
    part.write_bytes(part.read_bytes()[:40])
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert run.main(["sweep", str(SPEC), "--out", str(out), "--dry-run"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "records part cannot be read" in err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


# -- the key order of a spec without [designs] numbers its runs: the digest holds it -------------

ORDERED = ('scenario = "default"\nseeds = 1\ngenerations = 1\nroot_seed = 4\n'
           "[grid]\n{first}\n{second}\n")
GRID_A, GRID_B = "mirror_cost = [0.01, 0.02]", "mutation_rate = [0.001, 0.002, 0.003]"


def _tiny(scenario, *, seed, generations, overrides):
    return pl.DataFrame({"generation": [0, 1], "tool_complexity": [0.0, float(seed % 7)]})


def _two_orders(tmp_path):
    a = tmp_path / "a.toml"
    a.write_text(ORDERED.format(first=GRID_A, second=GRID_B))
    b = tmp_path / "b.toml"
    b.write_text(ORDERED.format(first=GRID_B, second=GRID_A))
    return a, b


def test_two_specs_differing_only_in_grid_key_order_have_other_digests_and_plans(tmp_path):
    a, b = (load_spec(p) for p in _two_orders(tmp_path))
    plans = [[r.point for r in build_plan(x, 4, resolve_params)] for x in (a, b)]
    same = [sorted(sorted(point.items()) for point in plan) for plan in plans]
    assert plans[0] != plans[1] and same[0] == same[1]  # one set of points, numbered otherwise
    assert a.raw == b.raw and a.unordered_digest == b.unordered_digest
    assert a.digest != b.digest


def test_a_resume_with_the_keys_in_another_order_is_refused(tmp_path, capsys):
    a, b = _two_orders(tmp_path)
    out = tmp_path / "out"
    run_sweep(a, out, workers=1, run_fn=_tiny, progress=False, warmup=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert run.main(["sweep", str(b), "--out", str(out)]) == 2
    assert "holds a different sweep" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_an_old_folder_without_the_order_in_its_digest_resumes_only_with_its_own_order(
        tmp_path, capsys):
    """A folder written before the order was hashed: its records decide which order made it."""
    a, b = _two_orders(tmp_path)
    out = tmp_path / "out"
    run_sweep(a, out, workers=1, run_fn=_tiny, progress=False, warmup=False)
    header_path = out / "sweep.json"
    header = json.loads(header_path.read_text())
    header["spec_hash"] = load_spec(a).unordered_digest  # as the folder was written before
    header_path.write_text(json.dumps(header))
    for part in sorted((out / "records").glob("*.parquet"))[3:]:  # half done: 3 of 6 runs saved
        part.unlink()
        (out / "generations" / part.name).unlink()
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert run.main(["sweep", str(b), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {out} holds runs numbered by another order of the spec's keys")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    run_sweep(a, out, workers=1, run_fn=_tiny, progress=False, warmup=False)
    upgraded = json.loads(header_path.read_text())
    assert upgraded["spec_hash"] == load_spec(a).digest
    assert upgraded["spec_hash_unordered"] == load_spec(a).unordered_digest
    runs = pl.read_parquet(out / "runs.parquet")
    assert runs.height == 6
    plan = build_plan(load_spec(a), 4, resolve_params)
    assert runs["mirror_cost"].to_list() == [r.point["mirror_cost"] for r in plan]
    assert runs["mutation_rate"].to_list() == [r.point["mutation_rate"] for r in plan]

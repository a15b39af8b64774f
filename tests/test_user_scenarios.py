"""The user's own scenarios: by path or from a folder, `show`, `list` with a broken file, misspelled
keys named with the valid one, events outside the run, and the sampling methods of a sweep spec."""

from __future__ import annotations

import warnings

import pytest

import run
import scenarios
from evo.core.events import EventOutsideRunWarning
from evo.core.scenario import ENV_VAR, SHIPPED_DIR
from evo.errors import UsageError
from evo.run.runner import resolve_params
from evo.run.sweep.core import default_resolve
from evo.run.sweep.spec import build_plan, parse_spec, sample_size

HEAD = 'summary = "s"\nhypothesis = "h"\ncitation = "c"\n'
MINE = 'base = "coevolution"\n' + HEAD + 'role = "variant"\n[params]\nmirror_cost = 0.2\n'


@pytest.fixture
def mine(tmp_path, monkeypatch):
    """A user folder with one good scenario, `mine`, that starts from a shipped one."""
    monkeypatch.setenv(ENV_VAR, "")  # none, and restored after `--scenarios` sets it
    folder = tmp_path / "my_scenarios"
    folder.mkdir()
    (folder / "mine.toml").write_text(MINE)
    return folder


def test_the_model_layer_reads_the_shipped_folder_the_registry_holds():
    assert SHIPPED_DIR == scenarios.SCENARIO_DIR.resolve()


def test_a_scenario_by_path_and_by_name_from_a_user_folder(mine, monkeypatch):
    by_path = scenarios.load(str(mine / "mine.toml"))
    assert (by_path.name, by_path.base, by_path.account, by_path.role) == (
        "mine", "coevolution", "genetic", "variant")
    assert by_path.params.mirror_cost == 0.2
    assert by_path.params.mutation_rate == scenarios.load("coevolution").params.mutation_rate
    with pytest.raises(UsageError, match="unknown scenario 'mine'"):
        scenarios.load("mine")
    monkeypatch.setenv(ENV_VAR, str(mine))
    assert scenarios.load("mine") == by_path and "mine" in scenarios.names()


def test_a_base_next_to_the_file_is_found_before_the_search_folders(tmp_path):
    (tmp_path / "parent.toml").write_text(HEAD + 'account = "demography"\nrole = "main"\n'
                                          "[params]\npopulation = 60\n")
    (tmp_path / "child.toml").write_text('base = "parent"\n' + HEAD + 'role = "variant"\n[params]\n')
    child = scenarios.load(str(tmp_path / "child.toml"))
    assert (child.params.population, child.account) == (60, "demography")


def test_a_name_in_two_folders_is_refused_naming_both(mine, monkeypatch):
    (mine / "coevolution.toml").write_text(MINE.replace('base = "coevolution"\n', ""))
    monkeypatch.setenv(ENV_VAR, str(mine))
    with pytest.raises(UsageError, match="'coevolution' is in more than one folder") as caught:
        scenarios.load("coevolution")
    assert str(mine) in str(caught.value) and "give the path" in str(caught.value)


@pytest.mark.parametrize(("text", "message"), [
    (MINE.replace("summary", "sumary"), "unknown key 'sumary' (did you mean summary?)"),
    (MINE.replace("mirror_cost", "mirror_cots"),
     "[params] unknown parameter 'mirror_cots' (did you mean mirror_cost?)"),
    (MINE + "[[events]]\ngeneraton = 5\n", "unknown event key 'generaton' (did you mean generation?)"),
    (MINE + "[[events]]\ngeneration = 5\nmutant = { mirror = 0.9, fracton = 0.1 }\n",
     "unknown mutant key 'fracton' (did you mean fraction?)"),
    (MINE.replace('base = "coevolution"', 'base = "coevolutoin"'),
     "unknown scenario 'coevolutoin' (did you mean coevolution?)"),
    (MINE.replace('base = "coevolution"', 'base = "mine"'), "leads back to this file"),
])
def test_a_misspelled_key_is_named_with_the_valid_one(mine, text, message):
    (mine / "mine.toml").write_text(text)
    with pytest.raises(UsageError) as caught:
        scenarios.load(str(mine / "mine.toml"))
    assert message in str(caught.value) and len(str(caught.value).splitlines()) == 1


def test_list_shows_a_broken_file_with_its_reason_and_goes_on(mine, capsys):
    (mine / "broken.toml").write_text(MINE.replace("role", "rol"))
    assert run.main(["list", "--scenarios", str(mine)]) == 1
    lines = capsys.readouterr().out.splitlines()
    by_name = {line.split()[0]: line for line in lines}
    assert set(by_name) == {*scenarios.names(), "broken", "mine"}  # env var unset again after
    assert "BROKEN" in by_name["broken"] and "unknown key 'rol' (did you mean role?)" in by_name["broken"]
    assert by_name["mine"].split()[1] == "genetic/variant" and str(mine) in by_name["mine"]
    assert by_name["tasmania"].split()[1] == "demography/variant"


def test_show_prints_the_resolved_scenario(mine, capsys):
    assert run.main(["show", str(mine / "mine.toml"), "--set", "population=80"]) == 0
    out = capsys.readouterr().out
    assert "base       coevolution" in out and "role       variant" in out
    assert "* mirror_cost                0.2" in out and "* population                 80" in out
    assert run.main(["show", "tasmania"]) == 0
    assert "generation 300; set population=37  (file)" in capsys.readouterr().out
    assert run.main(["show", "genetic_upgrade"]) == 0  # a schedule parameter's event
    assert "mutant mirror=0.9, fraction=0.0, carriers=25, camp=0  (schedule parameters)" in (
        capsys.readouterr().out)


def test_run_accepts_a_path_and_a_user_folder(mine, tmp_path, capsys):
    out = tmp_path / "out"
    assert run.main(["run", "mine", "--scenarios", str(mine), "--generations", "2", "--quiet",
                     "--out", str(out)]) == 0
    import json

    meta = json.loads((out / "run.json").read_text())
    assert (meta["scenario"], meta["role"], meta["params"]["mirror_cost"]) == ("mine", "variant", 0.2)
    assert meta["scenario_file"] == str((mine / "mine.toml").resolve())
    assert run.main(["run", "nowhere.toml"]) == 2
    assert "no scenario file 'nowhere.toml'" in capsys.readouterr().err


def test_a_sweep_spec_names_a_scenario_by_path(mine):
    path = str(mine / "mine.toml")
    spec = parse_spec({"scenario": [path, "fixed_low"], "grid": {"population": [40, 80]}})
    plan = build_plan(spec, 1, default_resolve)
    assert [(r.scenario, r.point["population"]) for r in plan] == [
        (path, 40), (path, 80), ("fixed_low", 40), ("fixed_low", 80)]
    designs = parse_spec({"designs": {path: {"seeds": 2}}})
    assert [r.scenario for r in build_plan(designs, 1, default_resolve)] == [path, path]


def test_an_event_after_the_last_generation_warns_in_one_line(capsys):
    with pytest.warns(EventOutsideRunWarning, match=r"ramp from generation 500 to 2000 .* comes "
                      r"after the run's last generation \(300\) and never happens"):
        resolve_params("demography", generations=300)
    with pytest.warns(EventOutsideRunWarning, match=r"is cut at the run's last generation "
                      r"\(1000\), 33% of the way; valid: generations >= 2000"):
        resolve_params("demography", generations=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the whole schedule inside the run: no warning
        resolve_params("demography")
        resolve_params("tasmania", generations=300)
    with warnings.catch_warnings():
        warnings.simplefilter("always", EventOutsideRunWarning)  # pytest's settings ignore it
        assert run.main(["show", "tasmania", "--generations", "299"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == ["warning: scenario tasmania: the event at generation 300 (sets population) "
                   "comes after the run's last generation (299) and never happens; valid: "
                   "generations >= 300 to include it"]


@pytest.mark.parametrize(("method", "n", "rows"), [("morris", 3, 3 * 3), ("fast", 65, 65 * 2)])
def test_morris_and_fast_samples_draw_their_designs_reproducibly(method, n, rows):
    spec = parse_spec({"scenario": "default", "sample": {
        "method": method, "n": n, "ranges": {"mirror_cost": [0.0, 0.1], "population": [100, 300]}}})
    plan = build_plan(spec, 7, default_resolve)
    assert len(plan) == rows == sample_size(spec.designs[0].sample)
    assert plan == build_plan(spec, 7, default_resolve)
    assert all(isinstance(r.point["population"], int) and 100 <= r.point["population"] <= 300
               for r in plan)
    if method == "morris":  # each trajectory moves one factor at a time by the grid's step
        points = [(r.point["mirror_cost"], r.point["population"]) for r in plan]
        for start in range(0, rows, 3):
            steps = [sum(a != b for a, b in zip(points[i], points[i + 1], strict=True))
                     for i in range(start, start + 2)]
            assert steps == [1, 1]


@pytest.mark.parametrize(("sample", "message"), [
    ({"method": "fast", "n": 64}, "fast (eFAST) needs n > 64"),
    ({"method": "morris", "n": 2, "levels": 3}, "levels must be an even integer >= 2"),
    ({"method": "lhs", "n": 2, "levels": 4}, "levels applies to method = 'morris' only"),
    ({"method": "morriss", "n": 2}, "not 'morriss' (did you mean morris?)"),
    ({"method": "morris", "n": 2, "levles": 4}, "unknown key 'levles' (did you mean levels?)"),
])
def test_a_bad_sample_is_named(sample, message):
    with pytest.raises(UsageError) as caught:
        parse_spec({"scenario": "default", "sample": {**sample, "ranges": {"mirror_cost": [0, 1]}}})
    assert message in str(caught.value)


def test_a_misspelled_spec_key_suggests_the_valid_one():
    with pytest.raises(UsageError, match=r"unknown key 'sede' \(did you mean seeds\?\)"):
        parse_spec({"scenario": "default", "sede": 2})

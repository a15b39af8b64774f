"""Scenario files: the account and role each declares, inherited through `base`, checked at load."""

from __future__ import annotations

from collections import Counter

import pytest

import scenarios
from analysis.roles import ARCHETYPES, BY_DECLARATION
from evo.errors import UsageError

HEAD = 'summary = "s"\nhypothesis = "h"\ncitation = "c"\n'


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """An empty scenario folder in place of the shipped one (the load cache emptied around it)."""
    monkeypatch.setattr(scenarios, "SCENARIO_DIR", tmp_path)
    scenarios.load.cache_clear()
    yield tmp_path
    scenarios.load.cache_clear()


def test_every_shipped_scenario_declares_a_valid_account_and_role():
    loaded = [scenarios.load(name) for name in scenarios.names()]
    assert all(s.account in scenarios.ACCOUNTS and s.role in scenarios.ROLES for s in loaded)
    declared = {s.name: (s.account, s.role) for s in loaded}
    assert declared["coevolution"] == ("genetic", "main")
    assert declared["fixed_low"] == ("genetic", "control_low")  # account from its base
    assert declared["fixed_high"] == ("genetic", "control_high")
    assert declared["demography"] == ("demography", "main")
    assert declared["associative"] == ("associative", "main")
    assert {declared[n] for n in ("henrich", "naming_game", "rogers")} == {("none", "validation")}
    # The analysis's table speaks the scenarios' words, and each archetype it compares is played
    # by exactly one shipped scenario.
    assert all(a.account in scenarios.ACCOUNTS and a.role in scenarios.ROLES for a in ARCHETYPES)
    counts = Counter(BY_DECLARATION.get(pair) for pair in declared.values())
    assert all(counts[a.name] == 1 for a in ARCHETYPES)


def test_the_account_is_inherited_through_base_but_the_role_is_not(folder):
    (folder / "main.toml").write_text(HEAD + 'account = "demography"\nrole = "main"\n[params]\n')
    (folder / "copy.toml").write_text('base = "main"\n' + HEAD + "[params]\n")
    (folder / "low.toml").write_text('base = "main"\n' + HEAD + 'role = "control_low"\n[params]\n')
    (folder / "other.toml").write_text('base = "main"\n' + HEAD + 'account = "genetic"\n'
                                       'role = "variant"\n[params]\n')
    assert (scenarios.load("low").account, scenarios.load("low").role) == ("demography",
                                                                             "control_low")
    assert (scenarios.load("other").account, scenarios.load("other").role) == ("genetic",
                                                                                 "variant")
    # a copy of the main staging does not silently become a second "main"
    with pytest.raises(UsageError) as caught:
        scenarios.load("copy")
    text = str(caught.value)
    assert text.startswith("scenario file copy.toml: role is missing; valid: main, main_upgrade, variant,")
    assert len(text.splitlines()) == 1


@pytest.mark.parametrize(("lines", "message"), [
    ('account = "genes"\nrole = "main"\n',
     "account is 'genes' (did you mean genetic?); valid: genetic, associative, demography, "
     "nongenetic, gradual, none"),
    ('account = "genetic"\nrole = "control"\n',
     "role is 'control' (did you mean control_low?); valid: main, main_upgrade, variant, "
     "control_low, control_high, validation, example"),
    ('role = "main"\n', "account is missing; valid: genetic,"),
    ('account = "genetic"\n', "role is missing; valid: main,"),
])
def test_a_bad_or_missing_declaration_is_one_line_naming_the_choices(folder, lines, message):
    (folder / "bad.toml").write_text(HEAD + lines + "[params]\n")
    with pytest.raises(UsageError) as caught:
        scenarios.load("bad")
    text = str(caught.value)
    assert text.startswith("scenario file bad.toml: ") and message in text
    assert len(text.splitlines()) == 1


def test_the_declared_role_travels_from_run_json_to_the_analysis(tmp_path):
    import json

    from analysis.roles import scenario_archetypes
    from analysis.tables import load
    from evo.run.runner import simulate, write_run

    write_run(simulate("fixed_low", seed=1, generations=3), tmp_path)
    meta = json.loads((tmp_path / "run.json").read_text())
    assert (meta["account"], meta["role"]) == ("genetic", "control_low")
    meta["scenario"] = "my_control"  # a renamed scenario keeps its role
    (tmp_path / "run.json").write_text(json.dumps(meta))
    assert scenario_archetypes(load(tmp_path).runs) == {"my_control": "fixed_low"}
    del meta["account"], meta["role"]  # a run.json written before roles were declared
    (tmp_path / "run.json").write_text(json.dumps(meta))
    assert scenario_archetypes(load(tmp_path).runs) == {"my_control": None}


def test_an_event_that_would_break_the_model_is_refused_before_the_run(tmp_path):
    """A crash to fewer people than camps fails when the command is given, not when it fires."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "run.py", "run", "tasmania", "--set", "camps_x=40",
                          "--out", str(tmp_path / "run")], cwd=root, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 2
    assert "event at generation 300" in out.stderr and "population >= 40" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "run").exists()

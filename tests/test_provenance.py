"""What run.json and sweep.json record of how a result was made: code, versions, scenarios."""

from __future__ import annotations

import subprocess

import pytest

from evo.run import provenance


@pytest.fixture
def fresh(monkeypatch):
    """Forget the per-process caches before and after, so a patched ROOT or git is seen."""
    provenance.code_state.cache_clear()
    yield monkeypatch
    provenance.code_state.cache_clear()


def test_the_code_state_names_the_commit_of_this_checkout(fresh):
    head = subprocess.run(["git", "-C", str(provenance.ROOT), "rev-parse", "HEAD"],
                          capture_output=True, text=True)
    if head.returncode:
        pytest.skip("not a git checkout")
    state = provenance.code_state()
    assert state["commit"] == head.stdout.strip()
    assert isinstance(state["dirty"], bool)
    assert (state["diff_digest"] is None) == (not state["dirty"])


def test_the_code_state_is_unknown_without_a_git_folder(fresh, tmp_path):
    fresh.setattr(provenance, "ROOT", tmp_path)  # an exported copy: no .git
    assert provenance.code_state() == {"commit": "unknown", "dirty": "unknown", "diff_digest": None}
    assert provenance.describe_code(provenance.code_state()) == "unknown"


def test_the_code_state_is_unknown_without_git(fresh):
    def no_git(*args, **kwargs):
        raise FileNotFoundError(2, "No such file or directory: 'git'")

    fresh.setattr(provenance.subprocess, "run", no_git)
    assert provenance.code_state()["commit"] == "unknown"


def test_versions_name_every_package_that_shapes_a_result():
    assert set(provenance.versions()) == {"python", "numpy", "numba", "polars", "pyarrow", "SALib",
                                          "scipy", "ema_workbench", "mesa", "mirrorleap"}


def test_a_scenario_record_holds_every_parameter_its_events_and_their_digest():
    from evo.core.params import Params

    record = provenance.scenario_record("tasmania")
    assert set(record["params"]) == set(Params.__dataclass_fields__)
    assert record["events"] and record["events"][0]["generation"] >= 0
    assert record["digest"] == provenance.digest({"params": record["params"],
                                                  "events": record["events"]})


def test_changes_name_each_difference_and_what_an_old_record_lacks():
    now = provenance.provenance(["default"])
    old = provenance.canonical(now)
    old["versions"]["numba"] = "0.67.0"
    old["resolved_scenarios"]["default"]["params"]["mirror_cost"] = 0.01
    old["resolved_scenarios"]["default"]["digest"] = "x"
    old["code"] = {"commit": "0" * 40, "dirty": False, "diff_digest": None}
    changed, unknown = provenance.changes(old, now)
    assert changed[0].startswith("code commit 000000000000 -> ")
    cost = now["resolved_scenarios"]["default"]["params"]["mirror_cost"]
    assert changed[1:] == [
        f"scenario default changed (mirror_cost 0.01 -> {cost})",
        f"numba 0.67.0 -> {now['versions']['numba']}",
    ]
    assert unknown == []
    older = {"versions": {"python": now["versions"]["python"], "git": "abc-dirty"}}
    changed, unknown = provenance.changes(older, now)
    assert changed == []
    assert unknown[0] == "the code's commit" and unknown[1] == "scenario default"
    assert unknown[2].startswith("the versions of numpy, numba")

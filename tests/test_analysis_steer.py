"""The analysis a user steers: outcomes and contrasts, tables as CSV, an unfinished sweep."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import polars as pl
import pytest

import run
from analysis import steer
from analysis.conclude import contrast_findings
from analysis.tables import load
from evo.errors import UsageError
from tests.test_analysis_data import write_sweep

SCENARIOS = {"coevolution": (1.0, None), "demography": (0.0, None)}


@pytest.fixture(autouse=True)
def no_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip drawing and parameter space (tested elsewhere): these tests are about the words."""
    import analysis.cli

    monkeypatch.setattr(analysis.cli, "_figures", lambda *args, **kwargs: [])
    monkeypatch.setattr(analysis.cli, "_levels", lambda *args, **kwargs: [])
    monkeypatch.setattr(analysis.cli, "_where", lambda *args, **kwargs: None)


def analyze(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run.main(["analyze", *argv])
    return code, out.getvalue(), err.getvalue()


def test_the_spec_and_the_command_line_name_outcomes_and_contrasts() -> None:
    meta = {"spec": {"analysis": {"outcomes": ["tool_complexity"],
                                  "contrasts": [["demography", "coevolution"]]}}}
    got = steer.from_sources(meta, ["expressivity"], ["fixed_low:coevolution"])
    assert got.outcomes == ("tool_complexity", "expressivity") and got.named
    assert got.contrasts == (("demography", "coevolution"), ("fixed_low", "coevolution"))
    assert steer.from_sources({}) == steer.Steering()
    assert steer.default_contrasts(["a", "b", "c"]) == (("b", "a"), ("c", "a"))


@pytest.mark.parametrize(("meta", "cli", "message"), [
    ({"spec": {"analysis": {"contrast": []}}}, [], "unknown key 'contrast'; valid keys"),
    ({"spec": {"analysis": {"outcomes": "tool_complexity"}}}, [], "expected a list of names"),
    ({}, ["demography"], "a contrast is two scenarios, A:B"),
])
def test_a_malformed_question_is_one_clear_line(meta, cli, message) -> None:
    with pytest.raises(UsageError, match=message):
        steer.from_sources(meta, (), cli)


def test_named_scenarios_and_outcomes_must_exist() -> None:
    with pytest.raises(UsageError, match="no scenario 'demograpy' in these runs; valid: a, b"):
        steer.check(steer.Steering(contrasts=(("demograpy", "a"),)), ["a", "b"], ["x"])
    with pytest.raises(UsageError, match="outcome 'tools' is not recorded"):
        steer.check(steer.Steering(outcomes=("tools",)), ["a"], ["tool_complexity"])


def test_a_contrast_is_a_difference_with_its_interval() -> None:
    rows = [{"scenario": "a", "n_burst": 30, "n_runs": 40}, {"scenario": "b", "n_burst": 5,
                                                            "n_runs": 40}]
    finals = {"a": [100.0 + i for i in range(20)], "b": [10.0 + i for i in range(20)],
              "c": [0.0]}
    rate, level = contrast_findings(rows, [("a", "b")], finals, "tool_complexity", "burst")
    assert rate.verdict == "higher" and rate.data["difference"].d == pytest.approx(0.625)
    assert level.verdict == "higher" and level.data["difference"].d == pytest.approx(90.0)
    assert level.data["difference"].lo > 0
    # a clear difference too small to matter on the scale: 0.02 of a share
    shares = {"a": [0.02 + 1e-4 * i for i in range(20)], "b": [1e-4 * i for i in range(20)]}
    _, small = contrast_findings(rows, [("a", "b")], shares, "gesture_success", "burst")
    assert small.verdict == "immaterial"


def test_analyze_words_the_contrast_and_writes_csv(tmp_path: Path) -> None:
    root = write_sweep(tmp_path / "s", scenarios=SCENARIOS, n_errors=0)
    code, _, _ = analyze(str(root), "--contrast", "demography:coevolution",
                         "--outcome", "tool_complexity", "--csv")
    assert code == 0
    md = (root / "analysis" / "report.md").read_text()
    assert "demography vs coevolution on tool_complexity burst probability: demography is " \
           "lower (difference -1.00" in md
    assert "Without both mirror controls" not in md  # the question asked, not the mirror's
    assert "Metrics analysed: tool_complexity" in md
    for table in (root / "analysis").glob("*.parquet"):
        assert pl.read_csv(table.with_suffix(".csv")).height == pl.read_parquet(table).height
    code, _, err = analyze(str(root), "--contrast", "demography:coevo")
    assert code == 2 and "no scenario 'coevo'" in err


def test_without_controls_or_contrasts_each_scenario_is_compared_with_the_first(
    tmp_path: Path,
) -> None:
    root = write_sweep(tmp_path / "s", scenarios=SCENARIOS, n_errors=0)
    assert analyze(str(root))[0] == 0
    md = (root / "analysis" / "report.md").read_text()
    assert "Contrasts (scenario vs control): demography vs coevolution (each scenario against " \
           "the first" in md
    assert "undetermined" not in md


def records_only(root: Path, keep: int) -> None:
    """The folder as a sweep leaves it mid-way: records of the first ``keep`` runs, no runs.parquet."""
    runs = pl.read_parquet(root / "runs.parquet")
    (root / "records").mkdir()
    for i, part in enumerate(runs.head(keep).iter_slices(3)):
        part.write_parquet(root / "records" / f"part-{i:07d}.parquet")
    (root / "runs.parquet").unlink()


def test_an_unfinished_sweep_analyses_the_same_way_at_any_moment(tmp_path: Path) -> None:
    finished = write_sweep(tmp_path / "done", scenarios=SCENARIOS, n_errors=0)
    stopped = write_sweep(tmp_path / "stopped", scenarios=SCENARIOS, n_errors=0)
    records_only(stopped, keep=10)
    (finished / "runs.parquet").write_bytes(b"")  # rewrite: the same 10 runs, as if it ended there
    pl.read_parquet(stopped / "records").sort("run_id").write_parquet(finished / "runs.parquet")
    a, b = load(finished), load(stopped)
    assert b.runs.equals(a.runs) and b.generations.equals(a.generations)
    assert any("sweep in progress or stopped, 10 of 24 runs finished" in w and "resumes" in w
               for w in b.warnings)


def test_a_sweep_in_its_first_minute_says_so_and_how_to_resume(tmp_path: Path) -> None:
    root = write_sweep(tmp_path / "s", scenarios=SCENARIOS, n_errors=0)
    records_only(root, keep=0)
    code, _, err = analyze(str(root))
    assert code == 2 and "no run of the sweep has finished yet (0 of 24)" in err and "resumes" in err
    assert not (root / "analysis").exists()  # nothing written

"""`python run.py analyze DIR` end to end on synthetic run and sweep directories.

Checks the files written, that nothing outside DIR/analysis/ changes, and the one-line error with
exit code 2 for missing, empty, corrupt and partial tables.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import run
from tests.test_analysis_data import write_run, write_sweep

FIGURES = ("timeseries", "aligned", "phase", "burst_probability", "signatures",
           *(f"phase_diagram_{m}" for m in ("tool_complexity", "gesture_success",
                                             "lexicon_coherence")))


def snapshot(root: Path) -> dict[str, str]:
    """SHA-256 of every file under root except the analysis folder."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file() and "analysis" not in p.relative_to(root).parts}


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, int, str]:
    root = write_sweep(tmp_path_factory.mktemp("sweep") / "s")
    before = snapshot(root)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run.main(["analyze", str(root)])
    return root, before, code, out.getvalue()


def test_sweep_exit_code_and_printout(sweep) -> None:
    root, _, code, out = sweep
    assert code == 0
    assert "p_burst" in out and "coevolution" in out
    assert f"report: {root / 'analysis' / 'report.html'}" in out


def test_sweep_never_modifies_results(sweep) -> None:
    root, before, _, _ = sweep
    assert snapshot(root) == before


def test_sweep_bursts_table(sweep) -> None:
    root = sweep[0]
    bursts = pl.read_parquet(root / "analysis" / "bursts.parquet")
    for col in ("run_id", "metric", "burst", "onset", "size", "concentration", "scenario",
                "mirror_cost", "population", "burst_logistic", "onset_logistic", "pattern"):
        assert col in bursts.columns
    assert 0 not in bursts["run_id"].to_list()  # the failed run is excluded
    assert bursts.height == 47 * 5
    tc = bursts.filter(pl.col("metric") == "tool_complexity")
    by = {s: part for (s,), part in tc.group_by("scenario")}
    assert by["coevolution"]["burst"].all() and by["fixed_high"]["burst"].all()
    assert not by["fixed_low"]["burst"].any() and not by["demography"]["burst"].any()
    # Synthetic onsets: logistic midpoint 120-180, r = 0.15: t10 = t0 - 14.6 generations.
    onsets = tc.filter(pl.col("burst"))["onset"].to_numpy()
    assert np.all((onsets >= 120 - 14.6 - 20) & (onsets <= 180))
    assert tc.filter(~pl.col("burst"))["onset"].is_null().all()


def test_sweep_conditions_and_effects(sweep) -> None:
    root = sweep[0]
    cond = pl.read_parquet(root / "analysis" / "conditions.parquet")
    assert cond.height == 16 * 5
    tc = cond.filter(pl.col("metric") == "tool_complexity")
    assert tc.filter(pl.col("scenario") == "fixed_low")["p_burst"].to_list() == [0.0] * 4
    assert tc.filter(pl.col("scenario") == "fixed_high")["p_burst"].to_list() == [1.0] * 4
    assert (tc["p_lo"] <= tc["p_burst"]).all() and (tc["p_burst"] <= tc["p_hi"]).all()
    coev = tc.filter(pl.col("scenario") == "coevolution")
    # 3 seeds per condition: too few for a 95 % interval of the median lag (the report's pooled
    # statement, 12 coevolution runs, says the mirror leads: test_sweep_figures_and_report).
    assert (coev["order"] == "unresolved (too few runs)").all()
    assert coev["lag_mid_lo"].is_nan().all()
    assert coev["lag_mid_median"].to_numpy() == pytest.approx(np.full(4, -30.0), abs=6)
    effects = pl.read_parquet(root / "analysis" / "effects.parquet")
    row = effects.filter((pl.col("metric") == "tool_complexity") & (pl.col("factor") == "scenario")
                         & (pl.col("level_a") == "fixed_low") & (pl.col("level_b") == "fixed_high")
                         ).row(0, named=True)
    assert row["dp"] == -1.0 and row["dp_hi"] < 0
    assert set(effects["factor"].unique()) == {"scenario", "mirror_cost", "population"}


def test_sweep_figures_and_report(sweep) -> None:
    out = sweep[0] / "analysis"
    for stem in FIGURES:
        assert (out / f"{stem}.png").stat().st_size > 1000
        assert (out / f"{stem}.svg").read_text().lstrip().startswith("<?xml")
    md = (out / "report.md").read_text()
    assert "Fixing the mirror high bursts more often than fixing it low" in md
    assert "leads the cultural rise" in md
    assert "Failed runs" in md and "boom" in md
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == len(FIGURES)
    assert "src='timeseries.png'" not in page and "<table>" in page


def test_single_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_run(tmp_path / "r")
    before = snapshot(root)
    assert run.main(["analyze", str(root)]) == 0
    assert snapshot(root) == before
    bursts = pl.read_parquet(root / "analysis" / "bursts.parquet")
    assert bursts["run_id"].is_null().all() and bursts.height == 5
    tc = bursts.filter(pl.col("metric") == "tool_complexity").row(0, named=True)
    assert tc["burst"] and abs(tc["onset"] - (150 - np.log(9) / 0.15)) <= 0.5 * 29.3 + 6
    cond = pl.read_parquet(root / "analysis" / "conditions.parquet")
    assert cond["n_runs"].to_list() == [1] * 5
    assert "single run of coevolution" in (root / "analysis" / "report.md").read_text()
    assert "report:" in capsys.readouterr().out


@pytest.fixture
def no_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip drawing in tests about other things (figures are checked on the sweep and the run)."""
    import analysis.cli

    monkeypatch.setattr(analysis.cli, "_figures", lambda *args: [])


@pytest.mark.usefixtures("no_figures")
def test_naming_game_table_skips_missing_metrics(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "ng"
    root.mkdir()
    n = 300
    success = 0.05 + 0.9 / (1 + np.exp(-0.08 * (np.arange(n) - 150)))
    pl.DataFrame({"interactions": np.arange(n) * 100, "words_total": np.ones(n),
                  "words_distinct": np.ones(n), "gesture_success": success}
                 ).write_parquet(root / "generations.parquet")
    (root / "run.json").write_text(json.dumps({"scenario": "naming_game", "seed": 1}))
    assert run.main(["analyze", str(root)]) == 0
    out = capsys.readouterr().out
    assert ("skipped metrics (absent or all null): tool_complexity, tool_types, lexicon_coherence, "
            "expressivity") in out
    bursts = pl.read_parquet(root / "analysis" / "bursts.parquet")
    assert bursts["metric"].to_list() == ["gesture_success"] and bursts["burst"][0]
    md = (root / "analysis" / "report.md").read_text()
    assert ("Skipped (absent or all null in the tables): tool_complexity, tool_types, "
            "lexicon_coherence, expressivity") in md
    assert "time axis: interactions" in md


@pytest.mark.usefixtures("no_figures")
def test_sweep_in_progress_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_sweep(tmp_path / "p", seeds=1, scenarios={"coevolution": (1.0, None)},
                       n_errors=0)
    meta = json.loads((root / "sweep.json").read_text())
    meta["n_runs"] = 40
    (root / "sweep.json").write_text(json.dumps(meta))
    runs = pl.read_parquet(root / "runs.parquet")  # a finished run whose rows are not there yet
    extra = runs.head(1).with_columns(pl.lit(99, dtype=runs["run_id"].dtype).alias("run_id"))
    pl.concat([runs, extra]).write_parquet(root / "runs.parquet")
    assert run.main(["analyze", str(root)]) == 0
    err = capsys.readouterr().err
    assert "sweep in progress or stopped, 5 of 40 runs finished" in err and "resumes" in err
    assert "no rows for 1 run(s) marked ok" in err


# Bad input: each case builds a directory, then expects exit 2, one line naming `culprit`.

def _garbage(p: Path) -> None:
    p.write_bytes(b"\x00garbage, not parquet\xff" * 10)


def _truncate(p: Path) -> None:
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])


def _empty(p: Path) -> None:
    pl.read_parquet(p).head(0).write_parquet(p)


def _no_metrics(p: Path) -> None:
    pl.DataFrame({"population": [1, 2, 3]}).write_parquet(p)


RUN_CASES = {
    "missing table": ("generations.parquet", lambda p: p.unlink(), "missing"),
    "garbage bytes": ("generations.parquet", _garbage, "corrupt"),
    "truncated": ("generations.parquet", _truncate, "corrupt"),
    "empty table": ("generations.parquet", _empty, "empty"),
    "no metrics": ("generations.parquet", _no_metrics, "no metric column"),
    "missing run.json": ("run.json", lambda p: p.unlink(), "missing"),
    "bad run.json": ("run.json", lambda p: p.write_text("{oops"), "not valid JSON"),
}


def _expect_error(root: Path, culprit: Path, words: str, capsys) -> None:
    assert run.main(["analyze", str(root)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error: ") and str(culprit) in lines[0] and words in lines[0]
    assert not (root / "analysis").exists()


@pytest.mark.parametrize("case", RUN_CASES)
def test_bad_run_directory(tmp_path: Path, case: str, capsys) -> None:
    name, damage, words = RUN_CASES[case]
    root = write_run(tmp_path / "r")
    damage(root / name)
    _expect_error(root, root / name, words, capsys)


SWEEP_CASES = {
    "garbage runs.parquet": ("runs.parquet", _garbage, "corrupt"),
    "missing runs.parquet": ("runs.parquet", lambda p: p.unlink(), "missing"),
    "empty runs.parquet": ("runs.parquet", _empty, "empty"),
    "truncated part": ("generations/part-0000008.parquet", _truncate, "corrupt"),
    "missing sweep.json": ("sweep.json", lambda p: p.unlink(), "missing"),
}


@pytest.mark.parametrize("case", SWEEP_CASES)
def test_bad_sweep_directory(tmp_path: Path, case: str, capsys) -> None:
    name, damage, words = SWEEP_CASES[case]
    root = write_sweep(tmp_path / "s", seeds=1)
    damage(root / name)
    _expect_error(root, root / name, words, capsys)


def test_not_a_results_directory(tmp_path: Path, capsys) -> None:
    _expect_error(tmp_path / "nowhere", tmp_path / "nowhere", "no such directory", capsys)
    (tmp_path / "empty").mkdir()
    _expect_error(tmp_path / "empty", tmp_path / "empty", "neither a run directory", capsys)


def test_all_runs_failed(tmp_path: Path, capsys) -> None:
    root = write_sweep(tmp_path / "s", seeds=1, scenarios={"coevolution": (1.0, None)})
    runs = pl.read_parquet(root / "runs.parquet").with_columns(pl.lit("error").alias("status"))
    runs.write_parquet(root / "runs.parquet")
    _expect_error(root, root / "runs.parquet", "no finished run", capsys)


@pytest.mark.usefixtures("no_figures")
def test_all_null_metric_is_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_run(tmp_path / "r")
    table = pl.read_parquet(root / "generations.parquet")
    table.with_columns(pl.lit(None, dtype=pl.Float64).alias("lexicon_coherence")).write_parquet(
        root / "generations.parquet")
    assert run.main(["analyze", str(root)]) == 0
    skipped = next(line for line in capsys.readouterr().out.splitlines() if "skipped" in line)
    assert "lexicon_coherence" in skipped.split(": ")[1].split(", ")
    bursts = pl.read_parquet(root / "analysis" / "bursts.parquet")
    assert "lexicon_coherence" not in bursts["metric"].to_list()


def test_short_sweep_draws_the_heat_map(tmp_path: Path, capsys) -> None:
    """Every run too short to judge (n_runs 0 in every cell): the heat map is drawn, all blank."""
    root = write_sweep(tmp_path / "s", seeds=1, scenarios={"coevolution": (1.0, None)},
                       n_errors=0)
    for part in (root / "generations").glob("*.parquet"):
        pl.read_parquet(part).filter(pl.col("generation") < 10).write_parquet(part)
    assert run.main(["analyze", str(root)]) == 0, capsys.readouterr().err
    cond = pl.read_parquet(root / "analysis" / "conditions.parquet")
    assert (cond["n_runs"] == 0).all() and (cond["n_too_short"] == 1).all()
    assert (root / "analysis" / "phase_diagram_tool_complexity.png").stat().st_size > 1000


def _files(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_reanalysis_leaves_no_stale_file(tmp_path: Path, capsys) -> None:
    root = write_run(tmp_path / "r")  # a burst: order.parquet and the aligned figure
    assert run.main(["analyze", str(root)]) == 0
    assert {"order.parquet", "aligned.png", "aligned.svg"} <= set(_files(root / "analysis"))
    (root / "analysis" / "notes.txt").write_text("left by hand")
    write_run(root, burst_at=None)  # the same directory now holds a flat run: no lag, no onset
    before = snapshot(root)
    assert run.main(["analyze", str(root)]) == 0
    fresh = write_run(tmp_path / "f", burst_at=None)
    assert run.main(["analyze", str(fresh)]) == 0
    assert set(_files(root / "analysis")) == set(_files(fresh / "analysis"))
    assert "order.parquet" not in _files(root / "analysis")
    assert snapshot(root) == before
    assert sorted(p.name for p in root.iterdir()) == ["analysis", "generations.parquet",
                                                      "run.json"]
    assert str(root / "analysis" / "report.html") in capsys.readouterr().out


@pytest.mark.usefixtures("no_figures")
def test_crash_keeps_the_previous_analysis(tmp_path: Path, monkeypatch) -> None:
    import analysis.cli

    root = write_run(tmp_path / "r")
    assert run.main(["analyze", str(root)]) == 0
    previous = _files(root / "analysis")
    write_run(root, burst_at=None)  # new data: a half-written analysis would differ

    def crash(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(analysis.cli, "write", crash)  # after the tables, before the report
    with pytest.raises(RuntimeError, match="disk full"):
        run.main(["analyze", str(root)])
    assert _files(root / "analysis") == previous
    assert sorted(p.name for p in root.iterdir()) == ["analysis", "generations.parquet",
                                                      "run.json"]


def _hidden(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".analysis"))


def test_a_killed_analyze_leaves_no_hidden_folder_after_the_next_one(tmp_path: Path) -> None:
    """SIGKILL an analyze while it builds its hidden folder; the next analyze removes it, and
    only it (a file or a symbolic link with the same prefix is someone else's and is kept)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    root = write_run(tmp_path / "r")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine")
    (root / ".analysis-tmp-link").symlink_to(elsewhere)
    (root / ".analysis-tmp-note").write_text("a file, not a folder of analyze")
    repo = Path(__file__).resolve().parents[1]
    marker = tmp_path / "built"
    # the analyze blocks just before it swaps its finished hidden folder in: killed there for sure
    code = ("import pathlib, sys, time\n"
            "import analysis.cli\n"
            "def block(tmp, out):\n"
            f"    pathlib.Path({str(marker)!r}).write_text('built')\n"
            "    time.sleep(600)\n"
            "analysis.cli.replace = block\n"
            "import run\n"
            f"sys.exit(run.main(['analyze', {str(root)!r}]))\n")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=repo, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert marker.exists(), "the analyze never reached its swap"
    left = [n for n in _hidden(root) if n not in (".analysis-tmp-link", ".analysis-tmp-note")]
    assert len(left) == 1 and (root / left[0]).is_dir()
    assert not (root / "analysis").exists()
    assert run.main(["analyze", str(root)]) == 0
    assert _hidden(root) == [".analysis-tmp-link", ".analysis-tmp-note"]
    assert (elsewhere / "keep.txt").read_text() == "mine"
    assert (root / "analysis" / "report.md").is_file()


@pytest.mark.usefixtures("no_figures")
def test_an_analysis_left_aside_by_a_kill_is_put_back(tmp_path: Path, monkeypatch) -> None:
    """A kill between the two renames of the swap leaves DIR/analysis missing and the previous
    analysis in a hidden folder: the next analyze puts it back before anything else."""
    import analysis.cli

    root = write_run(tmp_path / "r")
    assert run.main(["analyze", str(root)]) == 0
    previous = _files(root / "analysis")
    (root / ".analysis-old-x1").mkdir()
    (root / "analysis").rename(root / ".analysis-old-x1" / "analysis")
    monkeypatch.setattr(analysis.cli, "write", lambda *a: (_ for _ in ()).throw(RuntimeError("x")))
    with pytest.raises(RuntimeError):
        run.main(["analyze", str(root)])
    assert _files(root / "analysis") == previous
    assert _hidden(root) == []


def test_an_unwritable_folder_is_one_line_and_exit_2(tmp_path: Path, monkeypatch, capsys) -> None:
    import analysis.workspace

    root = write_run(tmp_path / "r")
    before = sorted(p.name for p in root.iterdir())

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")  # what a read-only folder gives

    monkeypatch.setattr(analysis.workspace.tempfile, "mkdtemp", refuse)
    assert run.main(["analyze", str(root)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"error: {root}: cannot write the analysis there (Permission denied); valid: "
                   "a run or sweep folder this user may write (copy it somewhere writable first)")
    assert sorted(p.name for p in root.iterdir()) == before


def test_a_second_analyze_of_the_same_folder_waits_its_turn(tmp_path: Path, capsys) -> None:
    from analysis.workspace import lock

    root = write_run(tmp_path / "r")
    held = lock(root)
    held.acquire()  # as an analyze in progress holds it
    try:
        assert run.main(["analyze", str(root)]) == 2
    finally:
        held.release()
    assert "another analyze is writing here" in capsys.readouterr().err
    assert _hidden(root) == [] and not (root / "analysis").exists()


def test_level_figures_only_for_grid_parameters_and_few_lines() -> None:
    from analysis.cli import level_plan
    from analysis.plots import MAX_GROUPS

    many = MAX_GROUPS + 1
    runs = pl.DataFrame({"scenario": ["s"] * (3 * many),
                         "population": [100, 200, 400] * many,
                         "mirror_initial": [i / many for i in range(many) for _ in range(3)],
                         "rule": ["new", "confuse", "new"] * many})
    varied = ["population", "mirror_initial", "rule"]
    grid = {"spec": {"grid": {v: [] for v in varied}}}
    # against population, mirror_initial (9 values) is pooled and only the rule splits lines
    assert level_plan(runs, varied, grid) == [("population", ["rule"]),
                                              ("mirror_initial", ["population", "rule"])]
    # an LHS or Sobol' sample: no level figure at all, however many values a parameter has
    sample = {"spec": {"sample": {"method": "lhs", "n": 27,
                                  "ranges": {"population": [100, 400],
                                             "mirror_initial": [0.0, 1.0]}}}}
    assert level_plan(runs, ["population", "mirror_initial"], sample) == []
    assert level_plan(runs, varied, {}) == []


@pytest.mark.usefixtures("no_figures")
def test_a_relative_folder_is_analysed(tmp_path: Path, monkeypatch) -> None:
    """`analyze results/main` as the README writes it: the fresh workspace (an absolute path from
    mkdtemp) must not be taken for a stale folder of the relative DIR and removed."""
    write_run(tmp_path / "r")
    monkeypatch.chdir(tmp_path)
    assert run.main(["analyze", "r"]) == 0
    assert (tmp_path / "r" / "analysis" / "report.md").is_file()
    assert _hidden(tmp_path / "r") == []


@pytest.mark.usefixtures("no_figures")
def test_the_report_footer_says_how_a_run_was_made(tmp_path: Path) -> None:
    """The footer prints what run.json recorded: code, versions, the scenario's own values."""
    root = tmp_path / "r"
    assert run.main(["run", "default", "--generations", "30", "--out", str(root), "--quiet"]) == 0
    meta = json.loads((root / "run.json").read_text())
    assert run.main(["analyze", str(root)]) == 0
    report = (root / "analysis" / "report.md").read_text()
    footer = report[report.index("## How these results were made"):]
    commit = meta["code"]["commit"]
    assert f"Code: {'unknown' if commit == 'unknown' else f'git commit {commit}'}" in footer
    assert f"numba {meta['versions']['numba']}, polars {meta['versions']['polars']}" in footer
    digest = meta["resolved_scenarios"]["default"]["digest"][:16]
    assert f"Scenario default (digest {digest}): " in footer and "mirror_cost=0.05" in footer


@pytest.mark.usefixtures("no_figures")
def test_the_report_footer_of_an_older_folder_says_what_was_not_recorded(tmp_path: Path) -> None:
    root = write_sweep(tmp_path / "s")
    assert run.main(["analyze", str(root)]) == 0
    report = (root / "analysis" / "report.md").read_text()
    footer = report[report.index("## How these results were made"):]
    assert "As recorded in sweep.json. Code: not recorded." in footer
    assert "Versions: not recorded." in footer and "Scenario values: not recorded." in footer

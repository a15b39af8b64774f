"""The command line: `list`, `run`, their outputs and their one-line errors with exit code 2."""

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import run as cli
import scenarios

ROOT = Path(__file__).resolve().parents[1]


def test_list_shows_every_scenario_on_one_line(capsys):
    assert cli.main(["list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == scenarios.names()
    for required in ("default", "coevolution", "fixed_low", "fixed_high", "genetic_upgrade",
                     "associative", "demography", "tasmania", "henrich", "naming_game", "rogers"):
        assert required in scenarios.names()


def test_run_writes_table_and_run_json_echoing_parameters(tmp_path, capsys):
    out = tmp_path / "r"
    code = cli.main(["run", "default", "--seed", "7", "--generations", "6", "--out", str(out),
                     "--set", "population=120", "--set", "mirror_cost=0.2", "--quiet"])
    assert code == 0
    table = pl.read_parquet(out / "generations.parquet")
    meta = json.loads((out / "run.json").read_text())
    assert table.height == 7 and table["generation"].to_list() == list(range(7))
    assert meta["scenario"] == "default" and meta["seed"] == 7
    assert (meta["account"], meta["role"]) == ("genetic", "example")
    assert meta["params"]["population"] == 120 and meta["params"]["mirror_cost"] == 0.2
    assert meta["params"]["generations"] == 6
    assert {"mesa", "numba", "numpy", "polars", "python"} <= set(meta["versions"])
    assert meta["wall_time_s"] > 0
    # How it was made: the code, every package that shapes a result, the scenario's own values.
    assert set(meta["code"]) == {"commit", "dirty", "diff_digest"}
    assert {"pyarrow", "SALib", "scipy", "ema_workbench", "mirrorleap"} <= set(meta["versions"])
    default = meta["resolved_scenarios"]["default"]
    assert default["params"]["population"] == 200 and default["params"]["mirror_cost"] == 0.05
    assert len(default["digest"]) == 64 and default["events"] == []
    assert "tool_complexity" in capsys.readouterr().out


def run_expecting_error(args, capsys) -> str:
    assert cli.main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "nosuch"], "unknown scenario 'nosuch'; valid: associative"),
        (["run", "default", "--set", "popluation=5"], "did you mean population?"),
        (["run", "default", "--set", "population=many"], "valid: an integer in [2, 1e+06]"),
        (["run", "default", "--set", "mirror_initial=1.5"], "valid: a number in [0, 1]"),
        (["run", "default", "--set", "demonstrator=oldest"], "one of best, sample_best"),
        (["run", "default", "--set", "torus=maybe"], "true or false"),
        (["run", "default", "--set", "population"], "valid: NAME=VALUE"),
        (["run", "default", "--set", "population=3"], "population >= 4"),
        (["run", "default", "--seed", "-1"], "valid: an integer in [0,"),
        (["run", "default", "--generations", "0"], "bad value 0 for generations"),
        (["run", "default", "--generations", "ten"], "invalid int value"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, expected, capsys, tmp_path):
    err = run_expecting_error([*args, "--out", str(tmp_path / "x")] if args[0] == "run" else args,
                              capsys)
    assert expected in err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("where", ["/proc/nope/x", "/proc/x", "under_a_file/x"])
def test_unwritable_out_is_one_line_and_exit_2(where, tmp_path, capsys):
    (tmp_path / "under_a_file").write_text("a file")
    out = tmp_path / where if where.startswith("under") else Path(where)
    err = run_expecting_error(["run", "default", "--generations", "2", "--out", str(out)], capsys)
    assert err.startswith(f"error: --out {out}: cannot write there (")
    assert err.endswith("); valid: a folder this user may create and write")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["under_a_file"]


def test_folders_made_for_an_unwritable_out_are_removed(tmp_path, capsys, monkeypatch):
    import errno

    from evo.run import runner

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(runner.tempfile, "TemporaryFile", read_only)
    err = run_expecting_error(["run", "default", "--out", str(tmp_path / "a" / "b")], capsys)
    assert "cannot write there (Read-only file system)" in err
    assert list(tmp_path.iterdir()) == []


def test_non_empty_out_is_kept_without_force(tmp_path, capsys):
    out = tmp_path / "r"
    out.mkdir()
    (out / "precious.txt").write_text("results")
    err = run_expecting_error(["run", "default", "--generations", "2", "--out", str(out)], capsys)
    assert "not empty" in err and "--force" in err
    assert (out / "precious.txt").read_text() == "results"
    assert sorted(p.name for p in out.iterdir()) == ["precious.txt"]
    assert cli.main(["run", "default", "--generations", "2", "--out", str(out), "--force",
                     "--quiet"]) == 0
    assert (out / "generations.parquet").exists()


def test_naming_game_run_records_consensus(tmp_path):
    out = tmp_path / "ng"
    assert cli.main(["run", "naming_game", "--set", "population=40", "--out", str(out),
                     "--quiet"]) == 0
    table = pl.read_parquet(out / "generations.parquet")
    meta = json.loads((out / "run.json").read_text())
    assert table.columns == ["interactions", "words_total", "words_distinct", "gesture_success"]
    assert meta["consensus_interactions"] == table["interactions"][-1]
    assert table["words_total"][-1] == 40 and table["words_distinct"][-1] == 1


def test_readme_commands_match_ci():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = ci.strip().splitlines()[-1].strip()
    assert test_command in readme
    assert readme.index(test_command) < 1500, "the test command must be among the first lines"


def test_script_entry_point_exits_2_on_bad_input():
    done = subprocess.run([sys.executable, "run.py", "run", "nosuch"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.startswith("error: unknown scenario")


def test_params_lists_every_parameter_with_its_range(capsys):
    from evo.core.params import Params

    assert cli.main(["params"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == list(Params.__dataclass_fields__)
    assert any(line.startswith("mirror_cost (a number in [0, 10])") for line in lines)


def test_the_command_line_imports_where_fcntl_does_not_exist():
    """Windows has no fcntl: the sweep and the analysis must still import (their locks come
    from filelock), so every command at least starts there."""
    code = ("import sys, warnings\n"
            "sys.modules['fcntl'] = None  # as on Windows: importing it fails\n"
            "warnings.simplefilter('ignore')  # filelock says it falls back to a soft lock\n"
            "import run, evo.run.cli, evo.run.sweep.cli, evo.run.sweep.store, analysis.cli\n"
            "import analysis.workspace\n"
            "print('imported')\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "imported"

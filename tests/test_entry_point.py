"""The installed `mirrorleap` command is `python run.py`: the same entry, the same output."""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]["mirrorleap"]


def run_entry(*args: str) -> subprocess.CompletedProcess:
    """Resolve `[project.scripts] mirrorleap` as an installer does and call it with `args`."""
    code = ("import sys\n"
            "from importlib.metadata import EntryPoint\n"
            f"sys.argv = ['mirrorleap', *{list(args)!r}]\n"
            f"sys.exit(EntryPoint('mirrorleap', {SCRIPT!r}, 'console_scripts').load()())\n")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)


def test_mirrorleap_list_prints_what_run_py_list_prints():
    script = subprocess.run([sys.executable, "run.py", "list"], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    entry = run_entry("list")
    assert entry.returncode == 0, entry.stderr
    assert entry.stdout == script.stdout
    assert "coevolution" in entry.stdout


def test_mirrorleap_refuses_bad_input_in_one_line_under_its_own_name():
    entry = run_entry("run", "no_such_scenario")
    assert entry.returncode == 2
    assert entry.stdout == ""
    assert entry.stderr.count("\n") == 1 and "no_such_scenario" in entry.stderr


def test_an_installed_entry_point_is_the_declared_one():
    """Where this checkout is installed (CI's fresh venv), its console script is the declared one."""
    found = [ep for ep in importlib.metadata.entry_points(group="console_scripts", name="mirrorleap")]
    for ep in found:
        assert ep.value == SCRIPT
    exe = shutil.which("mirrorleap", path=str(Path(sys.executable).parent))
    if found and exe:
        out = subprocess.run([exe, "list"], cwd=ROOT, capture_output=True, text=True, check=True)
        script = subprocess.run([sys.executable, "run.py", "list"], cwd=ROOT, capture_output=True,
                                text=True, check=True)
        assert out.stdout == script.stdout

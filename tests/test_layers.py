"""The layers point one way, as a rule about packages (so a new module cannot slip past a list):

1. `evo.core`, the model, imports nothing of this project outside itself but the shared
   vocabulary (`evo.errors`, the one-line error; `evo.measures`, the registry of recorded measures;
   `evo.flicker`, how a presence table's types are lost and regained);
2. `scenarios`, the named parameter sets, imports the model and the vocabulary;
3. `evo.run`, what runs the model (one run, validations, sweeps, their commands), imports the
   model, the scenarios and the vocabulary;
4. `analysis` reads the tables and imports only the vocabulary; `viz`, the browser view, may use
   everything but the analysis;
5. `mirrorleap`, the command line (`run.py`, the installed `mirrorleap`), dispatches to all of
   them, and nothing of the project imports it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = ("evo", "scenarios", "analysis", "viz", "mirrorleap")
VOCABULARY = ("evo.errors", "evo.measures", "evo.files", "evo.sweep_folder", "evo.flicker")

#: package (folder) -> the project's modules it may import (by prefix).
ALLOWED = {
    "evo/core": ("evo.core", *VOCABULARY),
    "scenarios": ("scenarios", "evo.core", *VOCABULARY),
    "evo/run": ("evo.run", "evo.core", "scenarios", *VOCABULARY),
    "analysis": ("analysis", *VOCABULARY),
    "viz": ("viz", "evo.core", "evo.run", "scenarios", *VOCABULARY),
    "mirrorleap": ("mirrorleap", "evo.run", "evo.core", "scenarios", "analysis", "viz", *VOCABULARY),
}


def imported_modules(path: Path) -> set[str]:
    """The absolute module names a file imports, at any depth (functions included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {n for n in names if n.partition(".")[0] in OURS}


def allowed(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_every_module_of_the_project_is_in_a_layer():
    layered = [ROOT / folder for folder in ALLOWED]
    loose = [p for pkg in OURS for p in (ROOT / pkg).rglob("*.py")
             if not any(folder in p.parents for folder in layered)]
    assert {str(p.relative_to(ROOT)) for p in loose} == {
        "evo/__init__.py", *(name.replace(".", "/") + ".py" for name in VOCABULARY)}


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_a_layer_imports_only_the_layers_below_it(folder):
    offenders = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        bad = sorted(n for n in imported_modules(path) if not allowed(n, ALLOWED[folder]))
        if bad:
            offenders[str(path.relative_to(ROOT))] = bad
    assert not offenders


def test_the_vocabulary_imports_nothing_of_the_project():
    for name in VOCABULARY:
        path = ROOT / (name.replace(".", "/") + ".py")
        assert all(allowed(n, VOCABULARY) for n in imported_modules(path)), path


def test_importing_every_evo_module_loads_no_analysis_module():
    """What importing really loads (the AST tests above also see imports inside functions)."""
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / "evo").rglob("*.py")
    )
    code = ("import importlib, sys\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "from evo.run.sweep import run_sweep\n"
            "print(sorted(m for m in sys.modules if m.partition('.')[0] in ('analysis', 'viz')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"

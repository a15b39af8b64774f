"""The layers point one way: the model core, then what runs it (one run, validation, sweeps), then
the analysis. The model and its runners (`evo`, `scenarios`) never import the analysis; the core
never imports its runners; the analysis reads tables, never the model (it may share only
`evo.errors`, the one-line error type)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("evo", "scenarios", "analysis")


def imported_modules(folder: Path) -> dict[str, set[str]]:
    """For each .py file under `folder`, the absolute module names it imports (at any depth)."""
    found = {}
    for path in sorted(folder.rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module in PACKAGES:  # from evo import kernels: the module evo.kernels
                    names |= {f"{node.module}.{alias.name}" for alias in node.names}
                else:
                    names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def top(name: str) -> str:
    return name.partition(".")[0]


@pytest.mark.parametrize("package", ["evo", "scenarios"])
def test_the_model_and_its_runners_never_import_the_analysis(package):
    offenders = {path: sorted(n for n in names if top(n) == "analysis")
                 for path, names in imported_modules(ROOT / package).items()}
    assert not {p: n for p, n in offenders.items() if n}


CORE = ("agents", "errors", "events", "kernels", "metrics", "model", "params", "state", "stream")


def test_the_model_core_never_imports_what_runs_it():
    modules = imported_modules(ROOT / "evo")
    core = {f"evo/{name}.py" for name in CORE}
    assert core <= set(modules)
    allowed = {f"evo.{name}" for name in CORE}
    offenders = {path: sorted(n for n in modules[path]
                              if top(n) == "scenarios" or (top(n) == "evo" and n not in allowed))
                 for path in core}
    assert not {p: n for p, n in offenders.items() if n}


def test_the_analysis_imports_no_model_module():
    allowed = {"evo.errors"}
    offenders = {path: sorted(n for n in names if top(n) in ("evo", "scenarios") and n not in allowed)
                 for path, names in imported_modules(ROOT / "analysis").items()}
    assert not {p: n for p, n in offenders.items() if n}


def test_importing_every_evo_module_loads_no_analysis_module():
    """What importing really loads (the AST test above also sees imports inside functions)."""
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / "evo").rglob("*.py")
    )
    code = ("import importlib, sys\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "from evo.sweep import run_sweep\n"
            "print(sorted(m for m in sys.modules if m.partition('.')[0] == 'analysis'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"

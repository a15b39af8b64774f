"""`run.py docs`: build the documentation site with Sphinx, warnings as errors."""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from pathlib import Path

from evo.errors import UsageError

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "docs"


def sphinx_command(out: Path) -> list[str]:
    """The one build command: every page, warnings as errors, all of them reported."""
    return [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", str(SOURCE), str(out)]


def cmd_docs(args: argparse.Namespace) -> int:
    """Build docs/ into docs/_build/html (or --out); Sphinx's exit code."""
    missing = [name for name in ("sphinx", "myst_nb", "pydata_sphinx_theme")
               if importlib.util.find_spec(name) is None]
    if missing:
        raise UsageError(f"the docs need {', '.join(missing)}; valid: pip install -c constraints.txt "
                         "-e \".[docs]\" (part of .[dev])")
    if not (SOURCE / "conf.py").is_file():
        raise UsageError(f"no {SOURCE / 'conf.py'}; valid: run from a checkout of mirrorleap")
    out = Path(args.out) if args.out else SOURCE / "_build" / "html"
    return subprocess.run(sphinx_command(out), cwd=ROOT, check=False).returncode

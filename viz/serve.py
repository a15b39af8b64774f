"""`python run.py view`: serve the browser page, as `solara run viz/app.py` would."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from evo.errors import UsageError

APP = Path(__file__).with_name("app.py")


def cmd_view(args: argparse.Namespace) -> int:
    """Become Solara's server on the app file (exec: signals reach the server, no orphan)."""
    if importlib.util.find_spec("solara") is None:
        raise UsageError("the browser view needs the viz extra; valid: pip install -e '.[viz]'")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"bad --port {args.port}; valid: an integer in [0, 65535]")
    command = [sys.executable, "-m", "solara", "run", str(APP), "--port", str(args.port)]
    os.execv(sys.executable, command)
    return 0  # not reached

"""`python run.py view [SCENARIO]`: serve the browser page, as `solara run viz/app.py` would.

SCENARIO (a name or a path to a .toml file) is shown first; the user's folders (`--scenarios`,
MIRRORLEAP_SCENARIOS) reach the page through the environment, which the server inherits.
"""

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
    if getattr(args, "scenario", None):
        from viz.model import FIRST_ENV, viewable

        if not viewable(args.scenario):  # loads it: an unknown name or a bad file stops here
            raise UsageError(f"scenario {args.scenario!r} has no tools and gestures to show, or "
                             "runs by interactions or repertoires; valid: a generation-driven "
                             "scenario with lineages > 0 and meanings > 0")
        os.environ[FIRST_ENV] = args.scenario
    command = [sys.executable, "-m", "solara", "run", str(APP), "--port", str(args.port)]
    os.execv(sys.executable, command)
    return 0  # not reached

"""mirrorleap command line: `python run.py ARGS`, the same as the installed `mirrorleap ARGS`.

The grammar and the dispatch live in `evo.command.main`; this file runs them from a checkout.
"""

from __future__ import annotations

import sys

from evo.command.main import build_parser, main

__all__ = ["build_parser", "main"]

if __name__ == "__main__":
    sys.exit(main())

"""mirrorleap command line: `python run.py ARGS`, the same as the installed `mirrorleap ARGS`.

The grammar and the dispatch live in `mirrorleap.main`; this file runs them from a checkout.
"""

from __future__ import annotations

import sys

from mirrorleap.main import build_parser, main

__all__ = ["build_parser", "main"]

if __name__ == "__main__":
    sys.exit(main())

"""The options of ``analyze`` (light: the command line builds its parser without the analysis).

``python run.py analyze DIR [--outcome METRIC ...] [--contrast A:B ...] [--csv]
[--years-per-generation Y]``. Outcomes and contrasts may also be named in the sweep spec's
``[analysis]`` table (``outcomes = [...]``, ``contrasts = [["A", "B"], ...]``); the command line
adds to them (``analysis.steer``).
"""

from __future__ import annotations

import argparse

YEARS_PER_GENERATION = 25.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``analyze``."""
    parser.add_argument("dir")
    parser.add_argument("--outcome", action="append", default=[], metavar="METRIC",
                        help="a recorded measure to analyse (repeatable; default: every culture "
                             "metric recorded)")
    parser.add_argument("--contrast", action="append", default=[], metavar="A:B",
                        help="compare scenario A against scenario B, the control (repeatable): "
                             "burst probability and final level of each outcome, with 95 %% CIs")
    parser.add_argument("--csv", action="store_true",
                        help="write every table also as CSV beside its Parquet file")
    parser.add_argument("--years-per-generation", type=float, default=YEARS_PER_GENERATION,
                        metavar="Y", help="years a generation, for the time axis in thousands of "
                                          "years (default %(default)g)")

"""mirrorleap command line: list, show, params, run, validate, sweep, calibrate, analyze, view, docs.

`python run.py ARGS` and the installed `mirrorleap ARGS` (`mirrorleap`, below) run the same
`main`.

Every bad input ends with one line on stderr naming the problem and the valid choices, exit code 2.
A scenario is a name (`list`) or a path to a .toml file; `--scenarios DIR` adds a folder of the
user's scenarios to the names, before those of the environment variable MIRRORLEAP_SCENARIOS.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from evo.errors import UsageError

CHECKOUT = Path(__file__).resolve().parents[1]  # the data and figures live in the checkout

class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line instead of a usage dump."""

    def error(self, message: str) -> None:
        raise UsageError(f"{self.prog}: {message}")


def build_parser(prog: str = "run.py") -> argparse.ArgumentParser:
    """The full command-line grammar (a contract: names are used by scripts and docs)."""
    parser = _Parser(prog=prog, description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    folders = _Parser(add_help=False)
    folders.add_argument("--scenarios", action="append", default=[], metavar="DIR",
                         help="a folder of your own scenario files, searched for names first "
                              "(repeatable; also the environment variable MIRRORLEAP_SCENARIOS)")

    sub.add_parser("list", parents=[folders],
                   help="list the scenarios, one line each (a broken file with its reason)")
    show = sub.add_parser("show", parents=[folders], help="print a scenario: file, base, account, "
                          "role, every resolved parameter and the events")
    show.add_argument("scenario", help="a scenario name or a path to a .toml file")
    show.add_argument("--generations", type=int, default=None)
    show.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE")
    sub.add_parser("params", help="list every model parameter with its valid range and meaning")

    run = sub.add_parser("run", parents=[folders],
                         help="run one scenario and write DIR/generations.parquet, run.json")
    run.add_argument("scenario", help="a scenario name or a path to a .toml file")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--generations", type=int, default=None)
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE")
    run.add_argument("--out", default=None,
                     help="output folder (default results/NAME, NAME the scenario file's stem)")
    run.add_argument("--force", action="store_true", help="overwrite a non-empty output folder")
    run.add_argument("--quiet", action="store_true", help="no progress bar")

    val = sub.add_parser("validate", help="compare the published special cases to their analytic values")
    val.add_argument("--quick", action="store_true", help="fewer replicates (looser tolerances)")

    sweep = sub.add_parser("sweep", parents=[folders],
                           help="run a parameters x seeds sweep from a TOML spec")
    sweep.add_argument("spec")
    sweep.add_argument("--out", required=True)
    sweep.add_argument("--workers", type=int, default=None)
    sweep.add_argument("--engine", choices=["local", "dask"], default="local")
    sweep.add_argument("--address", default=None, metavar="HOST:PORT")
    sweep.add_argument("--allow-version-change", action="store_true",
                       help="continue a sweep folder made with other code, package versions or "
                            "scenario values (recorded in its sweep.json); refused without it")
    sweep.add_argument("--retry-errors", action="store_true",
                       help="run again the runs of DIR that ended in an error (their old "
                            "records and rows are kept in DIR/retried/)")
    sweep.add_argument("--compact", action="store_true",
                       help="after the runs, merge the generations/ parts into a few large ones "
                            "(done anyway when a finished sweep leaves 256 parts or more)")
    sweep.add_argument("--dry-run", action="store_true",
                       help="check the spec and print its runs per scenario (design points x "
                            "seeds, and how many DIR already holds); run nothing, write nothing")

    cal = sub.add_parser("calibrate", help="the model against Kline & Boyd's (2010) tool counts: "
                         "elasticity grid, ABC-SMC posterior, predictive figure")
    cal.add_argument("--out", default="results/kline_boyd")
    cal.add_argument("--data", default=str(CHECKOUT / "data" / "kline_boyd_2010.csv"))
    cal.add_argument("--figure", default=str(CHECKOUT / "docs" / "kline_boyd_fit.png"))
    cal.add_argument("--quick", action="store_true", help="a tiny budget (a smoke test)")

    choose = sub.add_parser("choose", help="which account the record favours: ABC-SMC model "
                            "choice over the accounts of a choice spec (resumable)")
    choose.add_argument("spec")
    choose.add_argument("--out", required=True)
    choose.add_argument("--quick", action="store_true", help="the spec's [quick] world and budget")
    choose.add_argument("--recovery", action="store_true",
                        help="also choose on data simulated from each account (confusion.parquet)")
    choose.add_argument("--workers", type=int, default=None)
    choose.add_argument("--engine", choices=["local", "dask"], default="local")
    choose.add_argument("--address", default=None, metavar="HOST:PORT")
    choose.add_argument("--allow-version-change", action="store_true",
                        help="continue a choice folder made with other code, versions or scenarios")

    analyze = sub.add_parser("analyze", help="bursts, statistics, plots and a report for a run or sweep")
    from analysis.options import add_arguments as analyze_arguments

    analyze_arguments(analyze)

    view = sub.add_parser("view", parents=[folders],
                          help="the browser view (Mesa's SolaraViz): solara run viz/app.py")
    view.add_argument("scenario", nargs="?", default=None,
                      help="the scenario shown first (a name or a path; default: default)")
    view.add_argument("--port", type=int, default=8765)

    docs = sub.add_parser("docs", help="build the documentation site (Sphinx) into docs/_build/html")
    docs.add_argument("--out", default=None, help="output folder (default docs/_build/html)")
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "run.py") -> int:
    """Parse, dispatch, and turn a UsageError into one line and exit code 2."""
    warnings.showwarning = _one_line_warning
    try:
        args = build_parser(prog).parse_args(argv)
        add_scenario_folders(getattr(args, "scenarios", []))
        if args.command in ("list", "show", "params", "run", "validate"):
            from evo.run import cli

            return getattr(cli, f"cmd_{args.command}")(args)
        if args.command == "view":
            from viz.serve import cmd_view

            return cmd_view(args)
        if args.command == "docs":
            from mirrorleap.docs import cmd_docs

            return cmd_docs(args)
        if args.command == "calibrate":
            from analysis.kline_boyd import cmd_report
            from evo.run.calibrate import cmd_calibrate

            return cmd_calibrate(args) or cmd_report(args)
        if args.command == "choose":
            from analysis.choose import cmd_report as choose_report
            from evo.run.choose.cli import cmd_choose

            return cmd_choose(args) or choose_report(args)
        if args.command == "sweep":
            from evo.run.sweep.cli import cmd_sweep

            return cmd_sweep(args)
        from analysis.cli import cmd_analyze

        return cmd_analyze(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader (head, less) closed the pipe: nothing more to print
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def add_scenario_folders(folders: Sequence[str]) -> None:
    """Put `--scenarios` folders first in MIRRORLEAP_SCENARIOS (workers and the view inherit it)."""
    from evo.core.scenario import ENV_VAR

    for folder in folders:
        if not Path(folder).expanduser().is_dir():
            raise UsageError(f"--scenarios {folder}: not a folder; valid: a folder of .toml "
                             "scenario files")
    if folders:
        current = [p for p in os.environ.get(ENV_VAR, "").split(os.pathsep) if p]
        os.environ[ENV_VAR] = os.pathsep.join([*(str(Path(f).expanduser().resolve())
                                                 for f in folders), *current])


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Our warnings (events outside the run) as one line on stderr; others as Python shows them."""
    from evo.core.events import EventOutsideRunWarning

    if issubclass(category, EventOutsideRunWarning):
        print(f"warning: {message}", file=sys.stderr if file is None else file)
    else:
        _show_warning(message, category, filename, lineno, file, line)


_show_warning = warnings.showwarning


def mirrorleap() -> int:
    """The installed `mirrorleap` command (`[project.scripts]`): `main` under that name."""
    return main(prog="mirrorleap")

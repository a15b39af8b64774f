"""The `sweep` command: run or continue a sweep, report what it did, choose the exit code.

``run.py sweep SPEC.toml --out DIR [--workers N] [--engine local|dask] [--address HOST:PORT]
[--allow-version-change] [--compact]``.

``--allow-version-change`` continues a folder made with other code (git commit or uncommitted
changes), other versions of the packages that shape results, or other values of its scenarios;
without it such a resume is refused with one line naming what changed. The change is recorded
in the folder's sweep.json (``continued``). ``--compact`` merges the ``generations/`` parts
into a few large ones once the runs are done (a finished sweep with 256 parts or more is
compacted without it): one part per task leaves thousands of small files in a big sweep.
"""

from __future__ import annotations

import argparse
import sys

from evo.run.sweep.core import run_sweep
from evo.run.sweep.scheduler import TaskLost


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run or continue a sweep; 0 if every run is ok, 1 if some failed or a worker was lost.

    Bad input raises UsageError (run.py prints it, exit 2); Ctrl-C propagates (exit 130).
    """
    try:
        report = run_sweep(
            args.spec,
            args.out,
            workers=args.workers,
            engine=args.engine,
            address=args.address,
            allow_version_change=getattr(args, "allow_version_change", False),
            compact=getattr(args, "compact", False),
        )
    except TaskLost as exc:
        print(
            f"error: {exc}; finished runs are kept, run the same command again to continue",
            file=sys.stderr,
        )
        return 1
    print(
        f"sweep: {report.total} runs in {report.out} "
        f"({report.computed} run now, {report.already_done} done before), {report.failed} failed"
    )
    if report.failed:
        print(
            f"failed runs: status and error in {report.out / 'runs.parquet'}, "
            f"tracebacks in {report.out / 'errors.log'}",
            file=sys.stderr,
        )
        return 1
    return 0

"""The `sweep` command: run or continue a sweep, report what it did, choose the exit code.

``run.py sweep SPEC.toml --out DIR [--workers N] [--engine local|dask] [--address HOST:PORT]
[--allow-version-change] [--retry-errors] [--compact] [--dry-run]``.

``--dry-run`` checks the spec as a sweep would (every run's parameters) and prints, per
scenario, its varied parameters, design points, seeds and runs, and how many of them ``DIR``
already holds when it is this spec's sweep folder; it runs and writes nothing.

``--retry-errors`` runs again the runs of ``DIR`` that ended in an error (their old records and
generation rows are moved to ``DIR/retried/``, never deleted); without it a failed run counts as
finished.

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

import polars as pl

from evo.errors import UsageError
from evo.run.sweep.core import Stopped, run_sweep
from evo.run.sweep.scheduler import TaskLost


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run or continue a sweep; 0 if every run is ok, 1 if some failed or a worker was lost.

    Bad input raises UsageError (run.py prints it, exit 2). Ctrl-C, SIGINT or SIGTERM stop the
    workers and end with one line saying how many runs are saved; the exit code is 128 + the
    signal's number (130 for SIGINT and Ctrl-C, 143 for SIGTERM).
    """
    if getattr(args, "dry_run", False):
        print(dry_run(args.spec, args.out))
        return 0
    try:
        report = run_sweep(
            args.spec,
            args.out,
            workers=args.workers,
            engine=args.engine,
            address=args.address,
            allow_version_change=getattr(args, "allow_version_change", False),
            compact=getattr(args, "compact", False),
            retry_errors=getattr(args, "retry_errors", False),
        )
    except Stopped as stopped:  # its one line is printed: N of M runs saved, how to continue
        return stopped.exit_code
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


def dry_run(spec_path: str, out: str) -> str:
    """The plan of a sweep, per scenario, as text: what `run_sweep` would run; nothing is written.

    The root seed is the spec's, else the one ``out``'s sweep.json holds, else 0 (run counts do
    not depend on it; only the points of a sample do).
    """
    from evo.run.sweep.core import default_resolve
    from evo.run.sweep.spec import build_plan, load_spec
    from evo.run.sweep.store import DamagedHeader, SweepStore

    spec = load_spec(spec_path)
    store = SweepStore(out)
    try:
        header = store.read_header() if store.out.is_dir() else None
    except (DamagedHeader, UsageError):
        header = None
    ours = header is not None and header.get("spec_hash") in (spec.digest, spec.unordered_digest)
    root_seed = spec.root_seed if spec.root_seed is not None else (
        int(header["root_seed"]) if ours else 0)
    plan = build_plan(spec, root_seed, default_resolve)
    try:
        done = store.finished_ids() if ours and store.records_dir.is_dir() else set()
    except (OSError, pl.exceptions.PolarsError) as exc:  # a damaged part: the sweep sets it aside
        raise UsageError(f"{store.records_dir}: a records part cannot be read ({type(exc).__name__}); "
                         "run the sweep command without --dry-run to set it aside and recompute "
                         "its runs") from exc
    form = "per-scenario designs" if spec.per_scenario else "one design shared by every scenario"
    lines = [f"{spec_path}: {len(plan)} runs, {form}; nothing run (--dry-run)"]
    width = max(len(s) for s in spec.scenarios)
    for design in spec.designs:
        runs = [r for r in plan if r.scenario == design.scenario]
        varied = ", ".join(design.varied) or "none (one point)"
        held = sum(r.run_id in done for r in runs)
        lines.append(f"  {design.scenario:<{width}}  {len(runs) // design.seeds:>5} points x "
                     f"{design.seeds:>3} seeds = {len(runs):>6} runs"
                     + (f" ({held} done in {out})" if ours else "") + f"; varies {varied}")
    return "\n".join(lines)

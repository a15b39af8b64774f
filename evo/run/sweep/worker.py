"""What runs inside a worker: thread limits, one task (a group of runs), and each run's summary.

This module imports only the standard library at the top, so a worker can set its thread limits
before numba, numpy or polars are first imported. A run that raises is caught here and returned as
an `Outcome` with status "error"; it never stops the task or the sweep. Only a `BaseException`
that is not an `Exception` (KeyboardInterrupt, SystemExit) escapes.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from evo import measures  # the registry: standard library only

#: Every thread pool a run could start is held to one thread: the workers are the parallelism.
THREAD_ENV = {
    name: "1"
    for name in (
        "NUMBA_NUM_THREADS",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS",
        "NUMEXPR_NUM_THREADS",
        "POLARS_MAX_THREADS",
        "RAYON_NUM_THREADS",
    )
}

#: (column of the generation table, summary) pairs reported per run as ``{column}_{summary}``,
#: declared with each measure in the registry.
SUMMARIES = measures.SUMMARIES

RunFn = Callable[..., Any]


@dataclass(frozen=True)
class RunJob:
    """One run to do: its id, scenario, int seed and parameter overrides."""

    run_id: int
    scenario: str
    seed: int
    overrides: dict[str, Any]


@dataclass(frozen=True)
class Task:
    """A group of runs sent to one worker as a unit (about a second of work or more)."""

    jobs: tuple[RunJob, ...]
    generations: int | None
    run_fn: RunFn
    record_every: int | str | None = None  # passed to run_fn only when set


@dataclass
class Outcome:
    """What one run produced: status, error text, wall time, summary and generation table."""

    run_id: int
    status: str
    error: str | None
    wall_time_s: float
    summary: dict[str, Any] = field(default_factory=dict)
    table: Any = None  # polars.DataFrame with a leading run_id column, or None
    traceback: str | None = None
    #: The run's extra tables (`RunResult.extras`: "camps", "lineages", "presence"), each with a
    #: leading run_id.
    extras: dict[str, Any] = field(default_factory=dict)


def simulate_run(
    scenario: str,
    *,
    seed: int,
    generations: int | None,
    overrides: Mapping[str, object],
    record_every: int | str | None = None,
) -> Any:
    """Run one simulation with `evo.run.runner.simulate` (the default run function), no progress bar."""
    from evo.run.runner import simulate

    return simulate(scenario, seed=seed, generations=generations, overrides=overrides,
                    progress=False, record_every=record_every)


def limit_threads() -> None:
    """Hold numba, OpenMP, BLAS and polars to one thread in this process."""
    os.environ.update(THREAD_ENV)
    numba = sys.modules.get("numba")
    if numba is not None:  # imported before the limit was set (e.g. a reused dask worker)
        numba.set_num_threads(1)


def init_local_worker() -> None:
    """Initialize a pool worker: one thread; Ctrl-C is left to the parent, which stops the pool."""
    limit_threads()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_task(task: Task) -> list[Outcome]:
    """Run every job of `task` in order and return one Outcome per job."""
    limit_threads()
    return [run_one(job, task.generations, task.run_fn, task.record_every) for job in task.jobs]


def run_one(
    job: RunJob, generations: int | None, run_fn: RunFn, record_every: int | str | None = None
) -> Outcome:
    """Run one job; turn an exception into an error Outcome (keeping any table already made).

    With `record_every`, the summary is of the unthinned table when the result carries one
    (`full_table`), so final and max values and generations_run do not depend on the thinning.
    """
    import polars as pl

    start = time.perf_counter()
    table = None
    try:
        thinning = {} if record_every is None else {"record_every": record_every}
        result = run_fn(
            job.scenario, seed=job.seed, generations=generations, overrides=job.overrides,
            **thinning,
        )
        wall = time.perf_counter() - start
        table = result if isinstance(result, pl.DataFrame) else result.table
        full = getattr(result, "full_table", None)
        table = with_generation_schema(table, job.run_id)
        summary = summarize(table if full is None else full)
        extras = {name: extra.select(pl.lit(job.run_id, pl.Int64).alias("run_id"), pl.all())
                  for name, extra in getattr(result, "extras", {}).items() if extra.height}
        # How many rows each extra table holds, so a lost part is noticed (`SweepStore.repair`);
        # only for the tables the run recorded, so a sweep without them keeps its columns.
        summary |= {f"{name}_rows": extra.height for name, extra in extras.items()}
    except Exception as exc:  # a failing run is data, not a reason to stop the sweep
        message = f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__
        return Outcome(
            job.run_id,
            "error",
            message,
            time.perf_counter() - start,
            table=table,
            traceback=traceback.format_exc(),
        )
    return Outcome(job.run_id, "ok", None, wall, summary=summary, table=table, extras=extras)


def generation_schema() -> dict[str, Any]:
    """Columns and types every generation table of a sweep gets: run_id, then every driver's schema.

    The union of `evo.core.metrics.GENERATION_SCHEMA`, `NAMING_GAME_SCHEMA` and
    `REPERTOIRE_SCHEMA` (`tool_types` and the other repertoire columns), so the parts of
    ``generations/`` share one schema in a sweep over any scenarios and one scan reads them all.
    """
    import polars as pl

    from evo.core.metrics import GENERATION_SCHEMA, NAMING_GAME_SCHEMA, REPERTOIRE_SCHEMA

    return {"run_id": pl.Int64, **GENERATION_SCHEMA, **NAMING_GAME_SCHEMA, **REPERTOIRE_SCHEMA}


def with_generation_schema(table: Any, run_id: int) -> Any:
    """`table` with run_id and every `generation_schema` column, cast, missing ones as typed nulls.

    Columns of another run function's table that the model does not write follow, in order.
    """
    import polars as pl

    schema = generation_schema()
    head = [pl.lit(run_id, pl.Int64).alias("run_id")] + [
        pl.col(name).cast(dtype) if name in table.columns else pl.lit(None, dtype).alias(name)
        for name, dtype in schema.items()
        if name != "run_id"
    ]
    return table.select(*head, *(c for c in table.columns if c not in schema))


def summarize(table: Any) -> dict[str, Any]:
    """Summarize a run: its length and the final or max value of each of `SUMMARIES`.

    Burst verdicts are not computed here: they are the analysis layer's reading of the generation
    tables (``run.py analyze``), so a sweep does not depend on how bursts are defined.
    """
    out: dict[str, Any] = {"generations_run": table.height}
    for column, how in SUMMARIES:
        value = None
        if column in table.columns and table.height:
            series = table[column]
            value = series[-1] if how == "final" else series.max()
        out[f"{column}_{how}"] = None if value is None else float(value)
    return out

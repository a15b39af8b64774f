"""Feed runs to an executor in tasks of about `target_s` seconds and hand back each finished task.

Runs are submitted in run_id order. The first tasks hold one run each; after that a task holds as
many runs as fit in `target_s` at the median wall time seen so far, but never so many that fewer
than two tasks per slot would remain, so the end of the sweep stays balanced. About two tasks per
slot are kept in flight so no worker waits while the parent writes results. Grouping changes only
the scheduling: each run's seed and result are fixed by its run_id.

A worker process that dies (a segfault, the OOM killer: `BrokenProcessPool`, or dask's
`KilledWorker`) takes its task with it, and with a local pool every other task in flight. The
runs of those tasks are then retried one per task, each alone (nothing else in flight), after the
pool is restarted; a run whose worker dies twice while it runs alone is returned as an error
("worker died (...)") instead of being retried forever.
"""

from __future__ import annotations

import math
import statistics
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait

from evo.run.sweep.worker import Outcome, RunFn, RunJob, Task, run_task

MAX_TASK_RUNS = 1000
#: A run whose worker dies this many times while it runs alone is recorded as an error.
MAX_DEATHS_ALONE = 2


class TaskLost(RuntimeError):
    """A task failed outside its runs (a worker died, results could not be sent back)."""


def worker_died(exc: BaseException) -> bool:
    """Whether a task failed because its worker process died."""
    return isinstance(exc, BrokenExecutor) or type(exc).__name__ == "KilledWorker"


def execute(
    executor: Executor,
    slots: int,
    jobs: Sequence[RunJob],
    *,
    generations: int | None,
    run_fn: RunFn,
    on_task: Callable[[Sequence[Outcome]], None],
    target_s: float = 2.0,
    record_every: int | str | None = None,
) -> None:
    """Run every job; call `on_task(outcomes)` in the parent as each task finishes."""
    pending = deque(jobs)
    suspects: deque[RunJob] = deque()  # runs of tasks whose worker died: retried one by one, alone
    deaths: dict[int, int] = {}  # run_id -> deaths while running alone
    in_flight: dict[Future, tuple[Task, int, bool, float]] = {}  # (task, epoch, alone, start)
    epoch = 0  # restarts of the executor so far
    times: deque[float] = deque(maxlen=64)

    def task_size() -> int:
        if not times:
            return 1
        per_run = max(statistics.median(times), 1e-6)
        balanced = math.ceil(len(pending) / (2 * slots))
        return max(1, min(int(target_s / per_run), balanced, MAX_TASK_RUNS))

    def submit(task: Task, alone: bool = False) -> None:
        try:
            future = executor.submit(run_task, task)
        except BrokenExecutor as exc:  # the pool broke before this task got in: same path
            future = Future()
            future.set_exception(exc)
        in_flight[future] = (task, epoch, alone, time.perf_counter())

    try:
        while pending or suspects or in_flight:
            if suspects:
                if not in_flight:
                    submit(Task((suspects[0],), generations, run_fn, record_every), alone=True)
            else:
                while pending and len(in_flight) < 2 * slots:
                    size = min(task_size(), len(pending))
                    submit(Task(tuple(pending.popleft() for _ in range(size)), generations, run_fn,
                                record_every))
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: in_flight[f][0].jobs[0].run_id):
                task, task_epoch, alone, start = in_flight.pop(future)
                try:
                    outcomes = future.result()
                except Exception as exc:
                    ids = [job.run_id for job in task.jobs]
                    restart = getattr(executor, "restart", None)
                    if not worker_died(exc) or (
                        isinstance(exc, BrokenExecutor) and restart is None
                    ):
                        raise TaskLost(
                            f"a task of runs {ids[0]}..{ids[-1]} failed outside the model "
                            f"({type(exc).__name__}: {exc})"
                        ) from exc
                    if isinstance(exc, BrokenExecutor) and task_epoch == epoch:
                        restart()  # type: ignore[misc]
                        epoch += 1
                    if not alone:
                        suspects.extend(task.jobs)
                        suspects = deque(sorted(suspects, key=lambda job: job.run_id))
                        continue
                    job = task.jobs[0]
                    deaths[job.run_id] = deaths.get(job.run_id, 0) + 1
                    if deaths[job.run_id] < MAX_DEATHS_ALONE:
                        continue  # once more, alone
                    suspects.popleft()
                    outcomes = [_died(job, exc, time.perf_counter() - start)]
                else:
                    if alone:
                        suspects.popleft()
                    times.extend(o.wall_time_s for o in outcomes)
                on_task(outcomes)
    finally:
        for future in in_flight:
            future.cancel()


def _died(job: RunJob, exc: BaseException, wall_time_s: float) -> Outcome:
    """The error outcome of a run that killed its worker every time it ran alone."""
    cause = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return Outcome(
        job.run_id,
        "error",
        f"worker died ({cause})",
        wall_time_s,
        traceback=(
            f"the worker process died {MAX_DEATHS_ALONE} times while running this run alone "
            f"(seed {job.seed}, scenario {job.scenario!r}); last error: {cause}"
        ),
    )

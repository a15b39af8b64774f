"""Feed runs to an executor in tasks of about `target_s` seconds and hand back each finished task.

Runs are submitted in run_id order. The first tasks hold one run each; after that a task holds as
many runs as fit in `target_s` at the median wall time seen so far, but never so many that fewer
than two tasks per slot would remain, so the end of the sweep stays balanced. About two tasks per
slot are kept in flight so no worker waits while the parent writes results. Grouping changes only
the scheduling: each run's seed and result are fixed by its run_id.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait

from evo.sweep.worker import Outcome, RunFn, RunJob, Task, run_task

MAX_TASK_RUNS = 1000


class TaskLost(RuntimeError):
    """A task failed outside its runs (a worker died, results could not be sent back)."""


def execute(
    executor: Executor,
    slots: int,
    jobs: Sequence[RunJob],
    *,
    generations: int | None,
    run_fn: RunFn,
    on_task: Callable[[Sequence[Outcome]], None],
    target_s: float = 2.0,
) -> None:
    """Run every job; call `on_task(outcomes)` in the parent as each task finishes."""
    pending = deque(jobs)
    in_flight: dict[Future, Task] = {}
    times: deque[float] = deque(maxlen=64)

    def task_size() -> int:
        if not times:
            return 1
        per_run = max(statistics.median(times), 1e-6)
        balanced = math.ceil(len(pending) / (2 * slots))
        return max(1, min(int(target_s / per_run), balanced, MAX_TASK_RUNS))

    try:
        while pending or in_flight:
            while pending and len(in_flight) < 2 * slots:
                size = min(task_size(), len(pending))
                task = Task(tuple(pending.popleft() for _ in range(size)), generations, run_fn)
                in_flight[executor.submit(run_task, task)] = task
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: in_flight[f].jobs[0].run_id):
                task = in_flight.pop(future)
                try:
                    outcomes = future.result()
                except Exception as exc:
                    ids = [job.run_id for job in task.jobs]
                    raise TaskLost(
                        f"a task of runs {ids[0]}..{ids[-1]} failed outside the model "
                        f"({type(exc).__name__}: {exc})"
                    ) from exc
                times.extend(o.wall_time_s for o in outcomes)
                on_task(outcomes)
    finally:
        for future in in_flight:
            future.cancel()

"""Engines: a `concurrent.futures.Executor` that runs tasks, and how many run at once.

``local`` is a `ProcessPoolExecutor` on this machine. Its workers start with the ``forkserver``
method (``spawn`` where forkserver does not exist): by the time the pool starts, the parent has run
numba (the cache warm-up), polars' thread pool and tqdm's monitor thread, and ``fork`` copies a
multi-threaded process with whatever locks its other threads held, which can deadlock the child.
A forkserver is a fresh single-threaded process, so its children are safe, and it starts them
faster than ``spawn``. Each worker holds every thread pool to one thread and ignores Ctrl-C, which
the parent handles by stopping the pool.

``dask`` is `dask.distributed` (the ``cluster`` extra) through `Client.get_executor`: a
`LocalCluster` of single-threaded worker processes when no address is given, else the scheduler
at ``--address``, whose workers should be started with ``--nthreads 1``.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

from evo.errors import UsageError
from evo.run.sweep.worker import THREAD_ENV, init_local_worker

ENGINES = ("local", "dask")


def default_workers() -> int:
    """Count the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def check_engine(engine: str, workers: int | None, address: str | None) -> None:
    """Refuse bad engine options before anything runs."""
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}; valid: {', '.join(ENGINES)}")
    if workers is not None and workers < 1:
        raise UsageError(f"--workers {workers}: give a positive number of worker processes")
    if address is not None and engine != "dask":
        raise UsageError("--address needs --engine dask (the local engine uses this machine)")
    if address is not None and workers is not None:
        raise UsageError(
            "--workers sizes a local pool; with --address the scheduler's own workers are used"
        )
    if engine == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise UsageError(
                "--engine dask needs dask.distributed: pip install '.[cluster]' (or --engine local)"
            ) from None


@contextmanager
def open_engine(
    engine: str, workers: int | None, address: str | None
) -> Iterator[tuple[Executor, int]]:
    """Yield (executor, slots): submit tasks to the executor, keeping about `slots` busy."""
    check_engine(engine, workers, address)
    if engine == "local":
        with _local_pool(workers or default_workers()) as pool:
            yield pool
    else:
        with _dask_executor(workers, address) as pool:
            yield pool


class LocalPool(Executor):
    """A `ProcessPoolExecutor` that can be replaced by a fresh one after a worker died.

    When a worker process dies (a segfault, the OOM killer) the whole pool is broken: every
    task in it fails with `BrokenProcessPool`. `restart` stops what is left of it and starts a
    new pool, so the scheduler can go on.
    """

    def __init__(self, workers: int):
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context(
            "forkserver" if "forkserver" in methods else "spawn"
        )
        self.workers = workers
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=self.context, initializer=init_local_worker
        )

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        """Submit to the current pool."""
        return self.pool.submit(fn, *args, **kwargs)

    def restart(self) -> None:
        """Replace the pool by a new one (tasks still in the old one are lost)."""
        self.terminate()
        self.pool = self._new_pool()

    def terminate(self) -> None:
        """Stop the pool now, cancelling what has not started."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        _terminate(self.pool)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Shut the current pool down."""
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)


@contextmanager
def _local_pool(workers: int) -> Iterator[tuple[Executor, int]]:
    pool = LocalPool(workers)
    try:
        yield pool, workers
    except BaseException:
        pool.terminate()
        raise
    pool.shutdown(wait=True)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop a pool's worker processes now (runs in progress are lost and redone on resume)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python >= 3.14
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.join(timeout=5)


@contextmanager
def _dask_executor(workers: int | None, address: str | None) -> Iterator[tuple[Executor, int]]:
    from distributed import Client, LocalCluster

    cluster = None
    if address is None:
        cluster = LocalCluster(
            n_workers=workers or default_workers(),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            env=dict(THREAD_ENV),
        )
        client = Client(cluster)
    else:
        try:
            client = Client(address, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise UsageError(
                f"cannot reach the dask scheduler at --address {address}: {exc}"
            ) from None
    try:
        slots = max(1, sum(client.nthreads().values()))
        yield client.get_executor(pure=False), slots
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

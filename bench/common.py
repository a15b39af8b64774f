"""Shared helpers of the benchmark modules: timing, load, machine description, random bounds.

Timing: `time.perf_counter`, numba compiled before any timing, each measurement repeated and the
median taken, one numba thread (NUMBA_NUM_THREADS=1, set by `bench/run.py` and by each module run
alone). Other processes on the machine slow every measurement alike; the load average is stored.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import platform
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python bench/<module>.py` from anywhere
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from numba import njit  # noqa: E402

from evo.core import stream  # noqa: E402

HERE = Path(__file__).resolve().parent


def timed(fn, repeats: int, setup=None) -> list[float]:
    """Wall seconds of `fn(setup())` for each repeat (setup not timed)."""
    out = []
    for _ in range(repeats):
        arg = setup() if setup is not None else None
        start = time.perf_counter()
        fn(arg)
        out.append(time.perf_counter() - start)
    return out


def median(xs) -> float:
    return float(statistics.median(xs))


def load() -> float:
    """The 1-minute load average."""
    return round(os.getloadavg()[0], 2)


def fmt_rate(x: float) -> str:
    return f"{x / 1e6:.2f} M/s" if x >= 1e5 else f"{x / 1e3:.1f} k/s"


@njit(cache=True)
def draw_bound(rng, n_updates, n_uniform, n_exponential, n_normal):
    """Draw only the random numbers of `n_updates` updates (summed, so nothing is optimised out)."""
    acc = 0.0
    for _ in range(n_updates):
        for _u in range(n_uniform):
            acc += rng.random()
        for _e in range(n_exponential):
            acc += rng.standard_exponential()
        for _g in range(n_normal):
            acc += rng.standard_normal()
    return acc


@njit(cache=True)
def draw_log_bound(rng, n_updates, n_uniform, n_exponential):
    """As `draw_bound`, with np.log of each exponential (a Gumbel, -log E, as numpy would give it)."""
    acc = 0.0
    for _ in range(n_updates):
        for _u in range(n_uniform):
            acc += rng.random()
        for _e in range(n_exponential):
            acc += np.log(rng.standard_exponential())
    return acc


@njit(cache=True)
def stream_bound(rng, n_updates, n_uniform, n_gumbel):
    """As `draw_bound`, from the kernels' own stream (`evo.core.stream`): uniforms and Gumbels."""
    acc = 0.0
    for _ in range(n_updates):
        for _u in range(n_uniform):
            acc += stream.uniform(rng)
        for _g in range(n_gumbel):
            acc += stream.gumbel(rng)
    return acc


def bound_seconds(n_updates: int, n_uniform: int, n_exponential: int, n_normal: int,
                  repeats: int) -> float:
    """Median seconds numba needs to draw the random numbers of `n_updates` updates (numpy)."""
    rng = np.random.default_rng(7)
    return median(timed(lambda _: draw_bound(rng, n_updates, n_uniform, n_exponential, n_normal),
                        repeats))


def stream_bound_seconds(n_updates: int, n_uniform: int, n_gumbel: int, repeats: int) -> float:
    """Median seconds the kernels' stream needs for the draws of `n_updates` updates."""
    rng = stream.seeded(np.random.default_rng(7))
    return median(timed(lambda _: stream_bound(rng, n_updates, n_uniform, n_gumbel), repeats))


def compile_bounds() -> None:
    draw_bound(np.random.default_rng(0), 10, 1, 1, 1)
    draw_log_bound(np.random.default_rng(0), 10, 1, 1)
    stream_bound(stream.seeded(np.random.default_rng(0)), 10, 1, 1)


def machine() -> dict:
    """CPU, core count, L2 cache per core, Python and package versions."""
    info = {"cpu_count": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "processor": platform.processor()}
    try:
        info["usable_cores"] = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    cpuinfo = Path("/proc/cpuinfo")
    for line in cpuinfo.read_text().splitlines() if cpuinfo.exists() else []:
        if line.startswith("model name"):
            info["cpu_model"] = line.split(":", 1)[1].strip()
            break
    l2 = Path("/sys/devices/system/cpu/cpu0/cache/index2/size")
    if l2.exists():
        info["l2_per_core"] = l2.read_text().strip()
    for pkg in ("numba", "mesa", "numpy", "polars"):
        info[pkg] = metadata.version(pkg)
    info["numba_threads"] = os.environ.get("NUMBA_NUM_THREADS")
    return info


def print_json(result: dict) -> None:
    """What a module run alone prints: its result as JSON."""
    import json

    print(json.dumps(result, indent=2, default=float))

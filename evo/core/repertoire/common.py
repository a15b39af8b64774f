"""What both repertoire models share: event kinds, row columns, recorded steps, Bernoulli hits."""

from __future__ import annotations

import numpy as np
from numba import njit

from evo.core import stream

# Event kinds, the columns of the per-row event counts.
INVENTION, COMBINATION, MODIFICATION, LOSS = range(4)
#: Row columns both models write: time step, traits, gains, losses, and the gains by kind.
COMMON_COLUMNS = ("generation", "tool_types", "gains", "losses", "novel_inventions",
                  "combinations", "modifications")
LL_COLUMNS = (*COMMON_COLUMNS, "lineages", "level_sum", "seed_sum")
KOLODNY_COLUMNS = (*COMMON_COLUMNS, "main_traits", "toolkit_traits", "combination_traits")
MAX_MAIN_TRAITS = 2048  # main-axis slots a Kolodny run may allocate (combinations: slots^2 bytes)
SUM_TOLERANCE = 1e-9


# --- shared ------------------------------------------------------------------------------------


def record_steps(n_steps: int, every: int) -> np.ndarray:
    """The time steps that get a row: 0, every, 2 every, ... and always the last one."""
    steps = {*range(0, n_steps, every), n_steps}
    return np.array(sorted(steps), np.int64)


@njit(cache=True, inline="always")
def _bernoulli_hits(rng, n, p, out):
    """Which of n Bernoulli(p) trials succeed: fills out[:count] in increasing order, returns count.

    The gaps between successes are geometric, floor(log U / log(1 - p)) with U on (0, 1) (one
    `stream.open_uniform` per success and one more to pass the end), the same law as n separate
    trials with far fewer draws. No draw when n <= 0, p <= 0 (none) or p >= 1 (all).
    """
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        for i in range(n):
            out[i] = i
        return n
    log_fail = np.log1p(-p)
    count = 0
    position = 0.0
    while True:
        position += np.floor(np.log(stream.open_uniform(rng)) / log_fail)
        if position >= n:
            return count
        out[count] = np.int64(position)
        count += 1
        position += 1.0

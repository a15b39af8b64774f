"""When a series rises: the crossing times and the main transit the signatures read.

Built on the shared start-of-series primitives (``analysis.series``) and the order's crossings
(``analysis.order.crossing_times``). A rise must be 5 noise sd (``series.RISE_SIGMAS``, the burst
detector's criterion (a)) and material by the registry's minimum (``evo.measures``: mirror
strength +0.1, tool complexity 2-fold over max(start, 1), expressivity +1 meaning); our
assumptions for the two measures the registry gives no minimum: learned matching +0.1 (a share,
like mirror strength), population 2-fold over max(start, 1) (the smallest change of size that the
demographic account treats as a change of regime; the demography scenario grows 40-fold, a
constant population does not rise at all). On log10 of tool complexity a rise is material when it
is a doubling (``LOG_RISE``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import polars as pl

from analysis.material import meets
from analysis.order import crossing_times
from analysis.series import EDGE_SHARE, clean_series, edge_count, rise_of, smoothed
from evo.measures import MINIMUM_RISE, MinimumRise

RISE_RULES: dict[str, MinimumRise] = {name: MINIMUM_RISE[name] for name in (
    "mirror_mean", "tool_complexity", "expressivity", "mirror_learned_mean", "population")}
LOG_RISE = MinimumRise("absolute", math.log10(2.0))  # a doubling, on log10 of complexity


def series_of(gens: pl.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(generation, column) of one run as floats; None when the column is absent or all null."""
    if column not in gens.columns or gens[column].null_count() == gens.height:
        return None
    return gens["generation"].cast(pl.Float64).to_numpy(), gens[column].cast(pl.Float64).to_numpy()


def rise_times(
    t: np.ndarray, y: np.ndarray, fracs: Sequence[float], rule: MinimumRise, name: str
) -> tuple[tuple[float, ...] | None, str]:
    """Crossing times at ``fracs`` of the rise, or (None, why) when the series does not rise.

    A rise must be 5 noise sd (``series.RISE_SIGMAS``) and material by ``rule``.
    """
    measured = rise_of(t, y)
    if measured is None:
        return None, f"{name}: fewer than 3 values"
    if not measured.significant():
        return None, f"{name} does not rise"
    if not meets(rule, measured.start, measured.rise):
        return None, f"{name} does not rise materially ({rule.describe()})"
    times = crossing_times(t, y, tuple(fracs))
    if any(x is None for x in times):
        return None, f"{name} never reaches its rise"
    return tuple(float(x) for x in times), ""  # type: ignore[arg-type]


def transit(
    t: np.ndarray, y: np.ndarray, fracs: tuple[float, float], rule: MinimumRise, name: str
) -> tuple[tuple[float, float] | None, str]:
    """The main transit of the rise: (t_low, t_high), or (None, why) when it does not rise.

    The rise must pass ``rise_times`` (5 noise sd, material by ``rule``). Its levels are taken
    from the medians of the first and last 10 % of the window (start S, rise R = end - S), robust
    to the founders' first generations (culture starts at 0 and reaches its trial-and-error level
    within a few). On the smoothed series of ``order.crossing_times``: t_mid is the first time at
    S + R / 2, t_low the first time after the last one before t_mid below S + low R, t_high the
    first time from t_mid on at or above S + high R. A baseline that touches the low level by
    noise long before the rise does not count; on a clean rise these are the first crossings.
    """
    times, why = rise_times(t, y, (0.5,), rule, name)
    if times is None:
        return None, why
    t, y = clean_series(t, y)
    e = edge_count(y.size)
    start = float(np.median(y[:e]))
    rise = float(np.median(y[-e:])) - start
    ts, s = smoothed(t, y)
    reached = np.nonzero(s >= start + 0.5 * rise)[0]
    if rise <= 0 or not reached.size:
        return None, f"{name} never reaches half its rise"
    mid = int(reached[0])
    below = np.nonzero(s[:mid] < start + fracs[0] * rise)[0]
    above = np.nonzero(s[mid:] >= start + fracs[1] * rise)[0]
    if not above.size:
        return None, f"{name} never reaches {fracs[1]:.0%} of its rise"
    low = float(ts[below[-1] + 1]) if below.size else float(ts[0])
    return (low, float(ts[mid + above[0]])), ""


def log_complexity(c: np.ndarray) -> np.ndarray:
    """log10 of tool complexity floored at 1 component (NaN stays NaN)."""
    return np.log10(np.maximum(np.asarray(c, dtype=float), 1.0))


def starts_early(t: np.ndarray, y: np.ndarray, when: float) -> bool:
    """Whether ``when`` falls in the first ``EDGE_SHARE`` of the window of the series (t, y)."""
    tt, _ = clean_series(t, y)
    return when < tt[0] + EDGE_SHARE * (tt[-1] - tt[0])

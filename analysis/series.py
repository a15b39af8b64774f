"""The start, end and rise of one series: the primitives that bursts, order and signatures share.

One definition of each, so that a burst, an order-of-events lag and a signature read the same
start level and the same rise of the same series:

* ``clean_series``: finite (t, y) pairs sorted by time;
* ``coarse_grain``: the series averaged into at most ``MAX_POINTS`` = 50 bins (the reason is in
  ``analysis.bursts``);
* ``edge_count``: the rows of the window's first (or last) ``EDGE_SHARE`` = 10 %, at least one;
  ``start_level`` and ``end_level`` their means;
* ``net_rise``: on the binned series, R = end level minus start level, with the level noise
  sigma from the robust sd of the increments (``analysis.bursts`` explains the estimator);
* ``rise_of``: (start, R, sigma) of a raw series, as order and signatures measure it;
* ``running_mean`` and ``smoothed``: the centred running mean over about 2 % of the series
  (``SMOOTH_SHARE`` each side) and the times it is aligned with, on which crossings are read.

All thresholds are our assumptions; ``analysis.bursts`` gives their calibration.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.ndimage import median_filter

MAX_POINTS = 50
EDGE_SHARE = 0.10
SMOOTH_SHARE = 0.01
RISE_SIGMAS = 5.0
MEDIAN_RESID_FACTOR = 1 / 0.69  # sd(x) / sd(x - running median of 5) for white noise (simulated)


def clean_series(t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Finite pairs sorted by time, as floats."""
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(t) & np.isfinite(y)
    order = np.argsort(t[ok], kind="stable")
    return t[ok][order], y[ok][order]


def edge_count(n: int, share: float = EDGE_SHARE) -> int:
    """The rows in the first (or last) ``share`` of a window of ``n`` rows, at least one."""
    return max(1, int(share * n))


def start_level(y: np.ndarray) -> float:
    """The mean of the window's first ``EDGE_SHARE`` of rows."""
    return float(np.mean(y[:edge_count(y.size)]))


def end_level(y: np.ndarray) -> float:
    """The mean of the window's last ``EDGE_SHARE`` of rows."""
    return float(np.mean(y[-edge_count(y.size):]))


def robust_sd(x: np.ndarray) -> float:
    """1.4826 * median absolute deviation: the sd for Gaussian data, robust to outliers.

    Falls back to the sd of the values without the largest tenth of |x - median| when more than
    half the values are equal (MAD = 0), as for integer series that step rarely: their frequent
    small steps still count as noise, but one clean step (an exact 0 -> 4 jump in expressivity)
    is the event, not its own noise (the plain sd made such a step pass for noise).
    """
    if x.size == 0:
        return 0.0
    dev = np.abs(x - np.median(x))
    mad = float(np.median(dev))
    if mad > 0:
        return 1.4826 * mad
    kept = x[np.argsort(dev, kind="stable")[: x.size - max(1, x.size // 10)]] if x.size > 1 else x
    return float(np.std(kept))


def coarse_grain(t: np.ndarray, y: np.ndarray, max_points: int) -> tuple[
    np.ndarray, np.ndarray, int
]:
    """Average consecutive points into at most ``max_points`` bins: (t_bins, y_bins, bin width)."""
    n = y.size
    width = max(1, math.ceil(n / max_points))
    if width == 1:
        return t, y, 1
    starts = np.arange(0, n, width)
    counts = np.diff(np.append(starts, n))
    return np.add.reduceat(t, starts) / counts, np.add.reduceat(y, starts) / counts, width


def running_mean(y: np.ndarray, share: float = SMOOTH_SHARE) -> np.ndarray:
    """Centred running mean over 2 * floor(share * n) + 1 points ('valid' part only)."""
    half = int(share * y.size)
    if half == 0:
        return y
    c = np.concatenate(([0.0], np.cumsum(y)))
    w = 2 * half + 1
    return (c[w:] - c[:-w]) / w


def smoothed(t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(times, values) of ``running_mean(y)``, each value at the time of its window's centre."""
    s = running_mean(y)
    return t[(y.size - s.size) // 2:][: s.size], s


def net_rise(yb: np.ndarray) -> tuple[float, float, float]:
    """(R, sigma, sigma_d) of a (binned) series: net rise, level noise and increment noise."""
    d = np.diff(yb)
    # Increments minus their running median over 5: a trend whose slope changes (a take-off, a
    # burst) is removed, so it does not pass for noise. The factor makes the estimate unbiased
    # for white increments (a random walk); for white noise on the level it errs 14 % high.
    resid = d - median_filter(d, size=5, mode="nearest") if d.size >= 5 else d - np.median(d)
    scale = max(float(np.max(np.abs(yb))), 1e-300)
    sigma_d = max(robust_sd(resid) * MEDIAN_RESID_FACTOR, 1e-9 * scale)
    e = edge_count(yb.size)
    return float(np.mean(yb[-e:]) - np.mean(yb[:e])), sigma_d / math.sqrt(2), sigma_d


class Rise(NamedTuple):
    """The start level, net rise R and level noise sd of a series, on its binned form."""

    start: float
    rise: float
    sigma: float

    def significant(self) -> bool:
        """R > 0 and at least ``RISE_SIGMAS`` noise sd (the burst detector's criterion (a))."""
        return self.rise > 0 and self.rise >= RISE_SIGMAS * self.sigma


def rise_of(t: np.ndarray, y: np.ndarray) -> Rise | None:
    """The ``Rise`` of a raw series (cleaned and binned here); None with fewer than 3 values."""
    t, y = clean_series(t, y)
    if y.size < 3:
        return None
    _, yb, _ = coarse_grain(t, y, MAX_POINTS)
    rise, sigma, _ = net_rise(yb)
    return Rise(start_level(yb), rise, sigma)

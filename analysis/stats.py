"""Small statistics used across runs: proportions, bootstrap intervals and effect sizes.

- Wilson score interval for a binomial proportion (Wilson 1927; recommended over the Wald interval
  by Brown, Cai & DasGupta 2001, because it keeps its coverage at p near 0 or 1 and small n).
- Newcombe's hybrid score interval for a difference of two independent proportions (Newcombe 1998,
  Stat Med 17:873, method 10), built from the two Wilson intervals.
- Percentile bootstrap interval of any statistic (Efron & Tibshirani 1993), with the caller's seed.
- Distribution-free interval for a median from order statistics (e.g. Conover 1999, sec. 3.2):
  [x_(k), x_(n-k+1)] covers the median with probability 1 - 2 P(Binomial(n, 1/2) <= k - 1), exact
  for any continuous distribution; a 95 % interval exists only from n = 6 on (n = 5: 93.75 %).
  Used for the order of events, where runs are few and a bootstrap of the median over-confident,
  and for the signatures, where a value censored at the end of a run (+inf) still has a rank.
- The difference of two medians with a percentile bootstrap interval, each sample resampled on
  its own (Efron & Tibshirani 1993): the contrasts a user names between two scenarios.
- Equivalence by two one-sided tests (TOST; Schuirmann 1987): "the same" or "as often" is claimed
  only when both one-sided tests reject a difference beyond the stated margin at 5 % (statsmodels'
  `tost_proportions_2indep`, Agresti-Caffo, and `ttost_ind`, Welch). A non-significant difference
  is not equivalence.
- Cliff's delta (Cliff 1993): P(X > Y) - P(X < Y), a rank effect size in [-1, 1] that needs no
  distributional assumption (useful for onsets, which are skewed and few).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import numpy as np
from statsmodels.stats.proportion import tost_proportions_2indep
from statsmodels.stats.weightstats import ttost_ind

Z95 = 1.959963984540054


def wilson_ci(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for successes/n; (nan, nan) when n == 0."""
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    if n == 0:
        return (float("nan"), float("nan"))
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if successes == 0 else max(0.0, centre - half)
    hi = 1.0 if successes == n else min(1.0, centre + half)
    return (lo, hi)


def diff_proportions_ci(
    k1: int, n1: int, k2: int, n2: int, z: float = Z95
) -> tuple[float, float, float]:
    """Difference p1 - p2 with Newcombe's hybrid score 95 % interval: (diff, lo, hi).

    All three are nan when either group is empty.
    """
    if n1 == 0 or n2 == 0:
        nan = float("nan")
        return (nan, nan, nan)
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_ci(k1, n1, z)
    l2, u2 = wilson_ci(k2, n2, z)
    d = p1 - p2
    lo = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    hi = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return (d, max(-1.0, lo), min(1.0, hi))


def bootstrap_ci(
    values: Sequence[float] | np.ndarray,
    stat: Callable[[np.ndarray], float] = np.median,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Percentile bootstrap: (statistic, lo, hi); nan when there are no finite values.

    With one value the interval collapses to that value (no spread can be estimated).
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        nan = float("nan")
        return (nan, nan, nan)
    est = float(stat(x))
    if x.size == 1:
        return (est, est, est)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(n_boot, x.size))
    boots = np.apply_along_axis(stat, 1, x[idx]) if stat is not np.median else np.median(
        x[idx], axis=1
    )
    alpha = (1 - level) / 2
    lo, hi = np.quantile(boots, [alpha, 1 - alpha])
    return (est, float(lo), float(hi))


def median_ci_rank(n: int, level: float = 0.95) -> tuple[int, float] | None:
    """The largest k with P(x_(k) <= median <= x_(n-k+1)) >= level, and that coverage.

    The coverage is 1 - 2 P(B <= k - 1), B ~ Binomial(n, 1/2). None when even k = 1 (the range of
    the sample) falls short of ``level`` (n < 6 at 95 %).
    """
    best = None
    below = 0  # P(B <= k - 1) * 2**n, accumulated exactly
    for k in range(1, n // 2 + 1):
        below += math.comb(n, k - 1)
        coverage = 1.0 - 2 * below / 2**n  # exact integers: no overflow for large n
        if coverage < level:
            break
        best = (k, coverage)
    return best


def median_ci(
    values: Sequence[float] | np.ndarray, level: float = 0.95, censored: bool = False
) -> tuple[float, float, float]:
    """Median with its distribution-free (order-statistic) interval: (median, lo, hi).

    All nan without values; the bounds are nan when the values are too few for an interval at
    ``level`` (fewer than 6 at 95 %), since no honest interval exists then. Only finite values
    count, unless ``censored``: then +inf marks a value censored above (a recovery not reached by
    the end of its run), kept and ranked after every finite value, so a median or bound that lands
    on one is +inf, "longer than the runs" (order statistics need only the ranks).
    """
    x = np.asarray(values, dtype=float)
    x = np.sort(x[~np.isnan(x) & (x != -np.inf)] if censored else x[np.isfinite(x)])
    nan = float("nan")
    if x.size == 0:
        return (nan, nan, nan)
    n = x.size
    med = float(x[n // 2]) if n % 2 else float((x[n // 2 - 1] + x[n // 2]) / 2)
    rank = median_ci_rank(n, level)
    if rank is None:
        return (med, nan, nan)
    k = rank[0]
    return (med, float(x[k - 1]), float(x[n - k]))


def diff_medians_ci(
    a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, n_boot: int = 2000,
    level: float = 0.95, seed: int = 0,
) -> tuple[float, float, float]:
    """median(a) - median(b) with a percentile bootstrap interval (each sample resampled alone).

    nan when either has no finite value; with one value each the interval is the point.
    """
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    nan = float("nan")
    if x.size == 0 or y.size == 0:
        return (nan, nan, nan)
    est = float(np.median(x) - np.median(y))
    rng = np.random.default_rng(seed)
    bx = np.median(x[rng.integers(0, x.size, size=(n_boot, x.size))], axis=1)
    by = np.median(y[rng.integers(0, y.size, size=(n_boot, y.size))], axis=1)
    alpha = (1 - level) / 2
    lo, hi = np.quantile(bx - by, [alpha, 1 - alpha])
    return (est, float(lo), float(hi))


def cliffs_delta(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    """Cliff's delta P(a > b) - P(a < b) over all pairs of finite values; nan if either is empty."""
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    if x.size == 0 or y.size == 0:
        return float("nan")
    diff = x[:, None] - y[None, :]
    return float((np.sum(diff > 0) - np.sum(diff < 0)) / diff.size)


def tost_proportions(k1: int, n1: int, k2: int, n2: int, margin: float) -> tuple[float, float]:
    """Equivalence of two proportions within +/- margin (TOST): (p1 - p2, p-value).

    The p-value is the larger of the two one-sided tests; equivalence at 5 % when it is below
    0.05. nan when either group is empty.
    """
    if n1 == 0 or n2 == 0:
        return (float("nan"), float("nan"))
    with warnings.catch_warnings():  # its odds ratio divides by zero at 0 or 1; the test does not
        warnings.simplefilter("ignore", RuntimeWarning)
        result = tost_proportions_2indep(k1, n1, k2, n2, -margin, margin)
    return (k1 / n1 - k2 / n2, float(result.pvalue))


def tost_means(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray,
               margin: float) -> tuple[float, float]:
    """Equivalence of two means within +/- margin (Welch TOST): (mean(a) - mean(b), p-value).

    nan with fewer than two finite values in either sample.
    """
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    if x.size < 2 or y.size < 2:
        return (float("nan"), float("nan"))
    pvalue = ttost_ind(x, y, -margin, margin, usevar="unequal")[0]
    return (float(x.mean() - y.mean()), float(pvalue))

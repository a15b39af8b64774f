"""Burst detection in one series: change points on the increments, a logistic fit, concentration.

Definitions (thresholds are our assumptions, calibrated on synthetic series in the tests)
-----------------------------------------------------------------------------------------
Let y(t) be a metric over a window of T generations (n rows). It is first averaged into at most 50
equal bins (``MAX_POINTS``): the mean increment per bin grows with the bin width w while its noise
falls as 1/sqrt(w), so slope changes stand out of the noise (calibration: 100 bins missed logistic
rises with noise sd 0.15 of the rise that 50 bins find); the price is the time resolution of the
onset, one bin = ceil(n/50) generations, 2 % of the window. On the binned series:

* noise: sigma_d = the robust sd (1.4826 * MAD) of the increments d = diff(y) minus their running
  median over 5 bins, scaled to be unbiased for white increments (robust to the burst itself and
  to changes of slope, which a plain MAD of d would count as noise: in a real coevolution run
  that hid the take-off); the level noise is sigma = sigma_d / sqrt(2) (white noise on the level
  gives increments of sd sqrt(2) sigma).
* net rise: R = mean of the last 10 % of y minus mean of the first 10 %.
* concentration C (on the unbinned series, smoothed by a centred running mean over ~2 % of it so
  that single noisy steps do not count): the largest rise over any window of 10 % of the
  generations, divided by the total gain (the largest rise anywhere, max over i < j of
  y[j] - y[i]). C is in [0, 1] and invariant to adding a constant or scaling by a positive factor.
  A linear ramp gives C = 0.1 (every tenth of the window carries a tenth of the gain); a step
  gives C = 1; a logistic whose 10-90 % rise time is T/3 gives C = tanh(0.05 T r / 2) ~ 0.32.
  Noise alone gives large C (its small wiggles are as steep as its largest), which is why C is
  only read together with (a) below.
* change points: PELT (Killick, Fearnhead & Eckley 2012, JASA 107:1590) on the increments, with the
  Gaussian mean-change cost (sum of squared deviations) and a BIC-like penalty
  ``PENALTY_FACTOR * sigma_d**2 * ln(m)`` with factor 3 (BIC's would be 2; the margin keeps
  random walks, which have steep stretches by chance, from passing for bursts: in calibration
  about 7 % of pure random walks of 1000 steps still show one, 4 of 60, against 0 of 60 noisy
  ramps and pure-noise series). A
  segment of the increments with a higher mean is a phase of steeper growth, so a change of
  *slope* (not of level) is what is detected. The implementation is vectorised numpy (ruptures'
  pure-Python Pelt takes seconds per series); the tests check it against ``ruptures``.

A series shows a **burst** when all of (our assumptions, with the reasons):

(a) it rises substantially: R >= 5 sigma (``RISE_SIGMAS``; far outside what noise alone gives);
(b) PELT finds a steep phase: a run of consecutive segments each with slope >= 3 times the average
    slope R/T of the whole window (``SLOPE_FACTOR``: growth at least three times faster than steady
    growth would be, so the phase lasts at most about a third of the window), which carries at
    least half of the net rise (``REGION_SHARE``: the burst is the main event, not a wiggle);
(c) the gain is concentrated: C >= 0.3 (``MIN_CONCENTRATION``; three times a ramp's 0.1, and the
    value of a logistic whose rise takes a third of the window, matching (b));
(d) the steep phase starts after the first 10 % of the window (``EDGE_SHARE``): a rise that
    starts before any baseline has been seen is the relaxation from the initial state (real runs
    start from zero culture at generation 0 and jump to their working level at generation 1),
    which we call a **transient**, not a burst;
(e) the gain is kept: the net rise R is at least half the rise across the steep phase
    (``KEPT_SHARE``). A steep rise that falls back (in a real coevolution run, gesture success
    jumped from 0.01 to 0.15 and fell back within 300 generations) is a **spike**, not a burst.

A **take-off** is a threshold-like onset that need not be concentrated: (a) holds, and there is a
PELT change point after the first 10 % of the window at which the series is still at its
baseline (it has made at most 5 % of its net rise, ``TAKEOFF_SHARE``) and after which it grows at
least 3 times faster (to the last 10 % of the window) than before (from the first 10 %; a rate
below 0 counts as 0). The take-off onset is the last such change point. This is the
signature of Henrich-type cumulative culture: skill is lost below a threshold and then grows at a
constant rate above it, a change of slope with gradual growth afterwards (in a real coevolution
run, tool complexity sat near 3 for 950 generations and then grew steadily to 10,000, which the
concentration criterion alone would call gradual; the take-off onset found is generation 1159,
where 5 % of the rise is made: on a linear scale the onset of steady growth is found late).
Every burst counts as a take-off too (``takeoff`` True, ``takeoff_onset`` = ``onset``);
``pattern`` is "takeoff" for a take-off that is not a burst.

Every verdict must also be **material** (``analysis.material``): when the metric's net rise R
falls short of that metric's declared minimum on its own scale (an absolute rise for shares, a
fold change for tool complexity), a series that rises against its noise gets pattern
"immaterial": no burst, no take-off, no onset, no logistic verdict. ``shape`` keeps what the
scale-free criteria above would have called it (equal to ``pattern`` otherwise).

**Gradual growth** is (a) without a burst or a take-off: growth from the start of the window at a
roughly steady rate (McBrearty & Brooks' account); **flat** is |R| < 5 sigma; **decline** is
R <= -5 sigma.
The **onset** is the first generation of the steep phase (the start of the rise; for a logistic
this is near its 10 % point t0 - ln 9 / r). The **size** is the rise across the steep phase.

The second method fits a logistic y = lo + K / (1 + exp(-r (t - t0))) by least squares (onset
t0 - ln 9 / r, 10-90 % rise time 2 ln 9 / r = 4.39 / r). It calls a burst when
K >= 5 sigma, t0 lies inside the window, the rise time is at most T/3 (the same bound as (b)/(c)),
and the logistic beats a straight line by a BIC difference over 10 (Kass & Raftery 1995: "very
strong"). It is fitted only to series that rise (criterion (a)); flat and declining series get
``burst_logistic`` False. Both verdicts are reported; ``burst`` is the change-point verdict.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass

import numpy as np
import polars as pl
from scipy.optimize import OptimizeWarning, curve_fit

from analysis.material import is_material
from analysis.series import (  # the shared start-of-series primitives
    MAX_POINTS,
    RISE_SIGMAS,
    clean_series,
    coarse_grain,
    edge_count,
    net_rise,
    running_mean,
    start_level,
)

MIN_POINTS = 20
TOP_SHARE = 0.10
SLOPE_FACTOR = 3.0
REGION_SHARE = 0.5
MIN_CONCENTRATION = 0.3
PENALTY_FACTOR = 3.0
MAX_RISE_SHARE = 1.0 / 3.0
TAKEOFF_SHARE = 0.05
KEPT_SHARE = 0.5
MIN_DELTA_BIC = 10.0
LN9 = math.log(9.0)


@dataclass(frozen=True)
class Burst:
    """The verdict on one series (see the module docstring for every definition)."""

    burst: bool
    pattern: str
    onset: float | None
    end: float | None
    size: float | None
    concentration: float
    total_rise: float
    noise: float
    n_changepoints: int
    bin_width: int
    burst_logistic: bool | None = None
    onset_logistic: float | None = None
    rise_time: float | None = None
    takeoff: bool = False
    takeoff_onset: float | None = None
    shape: str | None = None

    def as_row(self) -> dict[str, object]:
        """The verdict as a flat dict (one row of bursts.parquet)."""
        return asdict(self)


def concentration(y: np.ndarray, top: float = TOP_SHARE, smooth: bool = True) -> float:
    """Share of the total gain that falls in the steepest ``top`` share of the window, in [0, 1].

    On the series s (smoothed by ``running_mean`` when ``smooth``): the largest rise
    s[i + L] - s[i] over a window of L = ceil(top * (len(s) - 1)) steps, divided by the total gain,
    the largest rise anywhere, max over i < j of s[j] - s[i]. Returns 0 when the series never rises.
    """
    y = np.asarray(y, dtype=float)
    s = running_mean(y) if smooth else y
    if s.size < 2:
        return 0.0
    total = float(np.max(s - np.minimum.accumulate(s)))
    # Rises below 1e-12 of the series' scale are rounding noise, not gain.
    if total <= 1e-12 * float(np.max(np.abs(s))):
        return 0.0
    k = max(1, math.ceil(top * (s.size - 1)))
    window = float(np.max(s[k:] - s[:-k]))
    return float(min(1.0, max(0.0, window / total)))


def pelt_mean(d: np.ndarray, penalty: float, min_size: int = 2) -> list[int]:
    """PELT (Killick et al. 2012) for changes in mean under the squared-error cost.

    Returns the segment ends in ruptures' convention (exclusive ends, the last one is len(d)).
    Cost of segment [a, b): sum(d^2) - (sum d)^2 / (b - a), from cumulative sums.
    """
    m = d.size
    if m < 2 * min_size:
        return [m]
    s1 = np.concatenate(([0.0], np.cumsum(d)))
    s2 = np.concatenate(([0.0], np.cumsum(d * d)))
    f = np.full(m + 1, np.inf)
    f[0] = -penalty
    last = np.zeros(m + 1, dtype=np.int64)
    cands = np.array([0], dtype=np.int64)
    for t in range(min_size, m + 1):
        new = t - min_size
        if new >= min_size:
            cands = np.append(cands, new)
        seg1 = s1[t] - s1[cands]
        cost = (s2[t] - s2[cands]) - seg1 * seg1 / (t - cands)
        total = f[cands] + cost
        i = int(np.argmin(total))
        f[t] = total[i] + penalty
        last[t] = cands[i]
        cands = cands[total <= f[t]]
    ends = [m]
    t = m
    while last[t] > 0:
        t = int(last[t])
        ends.append(t)
    return sorted(ends)


@dataclass(frozen=True)
class LogisticFit:
    """Least-squares logistic y = lo + K / (1 + exp(-r (t - t0))) and its comparison to a line."""

    lo: float
    k: float
    t0: float
    r: float
    delta_bic: float

    @property
    def onset(self) -> float:
        """The 10 % point t0 - ln 9 / r."""
        return self.t0 - LN9 / self.r

    @property
    def rise_time(self) -> float:
        """The 10-90 % rise time 2 ln 9 / r = 4.39 / r."""
        return 2 * LN9 / self.r


def _logistic(t: np.ndarray, lo: float, k: float, t0: float, r: float) -> np.ndarray:
    return lo + k / (1.0 + np.exp(np.clip(-r * (t - t0), -500, 500)))


def _logistic_jac(t: np.ndarray, lo: float, k: float, t0: float, r: float) -> np.ndarray:
    p = 1.0 / (1.0 + np.exp(np.clip(-r * (t - t0), -500, 500)))
    dp = k * p * (1.0 - p)
    return np.column_stack([np.ones_like(t), p, -r * dp, (t - t0) * dp])


def fit_logistic(t: np.ndarray, y: np.ndarray) -> LogisticFit | None:
    """Fit the logistic by bounded least squares; None when the fit fails or the data are flat."""
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    span = float(t[-1] - t[0])
    yr = float(np.ptp(y))
    if span <= 0 or yr <= 0:
        return None
    e = edge_count(y.size)
    lo0, hi0 = float(np.mean(y[:e])), float(np.mean(y[-e:]))
    s = running_mean(y, 0.02)
    off = (y.size - s.size) // 2
    ds = np.diff(s)
    k0 = max(hi0 - lo0, 1e-3 * yr)
    t00 = float(t[off + int(np.argmax(ds))]) if ds.size else float(np.mean(t))
    dt = span / (y.size - 1)
    r_max = 10.0 / dt
    r0 = float(np.clip(4 * max(float(np.max(ds, initial=0.0)), 0.0) / dt / k0, 1e-3 / span, r_max))
    bounds = ([lo0 - 2 * yr, 0.0, t[0] - span, 1e-3 / span], [hi0 + 2 * yr, 4 * yr, t[-1] + span,
                                                               r_max])
    p0 = np.clip([lo0, k0, t00, r0], bounds[0], bounds[1])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OptimizeWarning)
            popt, _ = curve_fit(_logistic, t, y, p0=p0, bounds=bounds, jac=_logistic_jac,
                                max_nfev=200)
    except (RuntimeError, ValueError):
        return None
    n = y.size
    ss_log = float(np.sum((y - _logistic(t, *popt)) ** 2))
    coef = np.polyfit(t, y, 1)
    ss_lin = float(np.sum((y - np.polyval(coef, t)) ** 2))
    tiny = 1e-12 * (yr * yr * n)
    delta_bic = n * math.log((ss_lin + tiny) / (ss_log + tiny)) - 2 * math.log(n)
    return LogisticFit(*(float(v) for v in popt), delta_bic=delta_bic)


def _steep_phases(
    tb: np.ndarray, yb: np.ndarray, ends: list[int], mean_slope: float
) -> list[tuple[int, int]]:
    """Runs of consecutive steep segments, as (first, last) indices of yb.

    Segment j of the increments covers increments [a, b), i.e. points a..b of yb; it is steep when
    its slope is at least ``SLOPE_FACTOR * mean_slope``.
    """
    starts = [0, *ends[:-1]]
    steep = []
    for a, b in zip(starts, ends, strict=True):
        duration = tb[b] - tb[a]
        steep.append(duration > 0 and (yb[b] - yb[a]) / duration >= SLOPE_FACTOR * mean_slope)
    phases = []
    j = 0
    while j < len(steep):
        if not steep[j]:
            j += 1
            continue
        k = j
        while k + 1 < len(steep) and steep[k + 1]:
            k += 1
        phases.append((starts[j], ends[k]))
        j = k + 1
    return phases


def _takeoff(tb: np.ndarray, yb: np.ndarray, ends: list[int], rise: float) -> int | None:
    """The last change point after the first 10 % of the window while still at the baseline.

    "At the baseline": the series has made at most ``TAKEOFF_SHARE`` of its net rise R since the
    first 10 % of the window. The growth rate from there to the last 10 % must be at least
    ``SLOPE_FACTOR`` times the rate before it (a rate below 0 counts as 0). None when no change
    point qualifies.
    """
    e = edge_count(yb.size)
    t_start, y_start = float(np.mean(tb[:e])), float(np.mean(yb[:e]))
    t_end, y_end = float(np.mean(tb[-e:])), float(np.mean(yb[-e:]))
    knee = None
    for c in ends[:-1]:
        if c < e or tb[c] >= t_end or yb[c] - y_start > TAKEOFF_SHARE * rise:
            continue
        before = (yb[c] - y_start) / (tb[c] - t_start)
        after = (y_end - yb[c]) / (t_end - tb[c])
        if after >= SLOPE_FACTOR * max(before, 0.0):
            knee = c
    return knee


def detect_burst(
    t: np.ndarray, y: np.ndarray, logistic: bool = True, metric: str | None = None
) -> Burst:
    """Classify a series (burst / takeoff / transient / gradual / flat / decline) and locate it.

    ``t`` and ``y`` are aligned arrays; non-finite values are dropped. Fewer than ``MIN_POINTS``
    points give pattern "too_short" and no burst. ``logistic=False`` skips the (slower) fit.
    ``metric`` names the measure, whose minimum material rise (``analysis.material``) a rising
    pattern must meet, else it is "immaterial"; None judges on the noise alone.
    """
    t, y = clean_series(t, y)
    if y.size < MIN_POINTS:
        return Burst(False, "too_short", None, None, None, float("nan"), float("nan"),
                     float("nan"), 0, 1, shape="too_short")
    conc = concentration(y)
    tb, yb, width = coarse_grain(t, y, MAX_POINTS)
    rise, sigma, sigma_d = net_rise(yb)
    span = float(tb[-1] - tb[0])
    ends = pelt_mean(np.diff(yb), PENALTY_FACTOR * sigma_d**2 * math.log(yb.size - 1))
    onset = end = size = takeoff_onset = None
    is_burst = False
    if rise >= RISE_SIGMAS * sigma:
        pattern = "gradual"
        phases = [(a, b) for a, b in _steep_phases(tb, yb, ends, rise / span)
                  if yb[b] - yb[a] >= REGION_SHARE * rise]
        late = [(a, b) for a, b in phases if a >= edge_count(yb.size)]
        if late and conc >= MIN_CONCENTRATION:
            a, b = max(late, key=lambda ab: yb[ab[1]] - yb[ab[0]])
            if rise >= KEPT_SHARE * (yb[b] - yb[a]):
                is_burst, pattern = True, "burst"
                first_raw = min((a + 1) * width, y.size - 1)
                onset, end, size = float(t[first_raw]), float(tb[b]), float(yb[b] - yb[a])
            else:
                pattern = "spike"
        elif phases and not late:
            pattern = "transient"
        knee = _takeoff(tb, yb, ends, rise)
        if is_burst:
            takeoff_onset = onset
        elif knee is not None and pattern != "spike":  # a spike's gain is not kept
            pattern = "takeoff"
            takeoff_onset = float(t[min((knee + 1) * width, y.size - 1)])
    else:
        pattern = "decline" if rise <= -RISE_SIGMAS * sigma else "flat"
    shape = pattern
    start = start_level(yb)
    if rise >= RISE_SIGMAS * sigma and not is_material(metric, start, rise):
        pattern, is_burst = "immaterial", False
        onset = end = size = takeoff_onset = None
    burst_log = onset_log = rise_time = None
    if logistic and pattern in ("flat", "decline", "immaterial"):
        burst_log = False  # a logistic rise needs a rise: criterion (a)
    elif logistic:
        fit = fit_logistic(t, y)
        if fit is not None:
            onset_log, rise_time = fit.onset, fit.rise_time
            burst_log = bool(
                fit.k >= RISE_SIGMAS * sigma
                and tb[0] <= fit.t0 <= tb[-1]
                and fit.rise_time <= MAX_RISE_SHARE * span
                and fit.delta_bic > MIN_DELTA_BIC
            )
        else:
            burst_log = False
    return Burst(is_burst, pattern, onset, end, size, conc, rise, sigma, len(ends) - 1, width,
                 burst_log, onset_log, rise_time, takeoff_onset is not None, takeoff_onset, shape)


def bursts_table(
    generations: pl.DataFrame, metrics: list[str], progress: bool = False
) -> pl.DataFrame:
    """One row per run and recorded metric: ``run_id``, ``metric`` and every field of ``Burst``.

    Runs in which a metric is all null or nan get no row for it. ``generations`` is long
    (``run_id``, ``time``, metric columns), as ``tables.load`` gives it.
    """
    from tqdm import tqdm

    rows = []
    parts = generations.partition_by("run_id", as_dict=True, maintain_order=True)
    for (run_id,), part in tqdm(parts.items(), desc="bursts", unit="run", disable=not progress):
        t = part["time"].to_numpy()
        for metric in metrics:
            y = part[metric].cast(pl.Float64).to_numpy()
            if not np.isfinite(y).any():
                continue  # not recorded in this run (e.g. another scenario's measure)
            b = detect_burst(t, y, metric=metric)
            rows.append({"run_id": run_id, "metric": metric, **b.as_row()})
    schema = {"run_id": pl.Int64, "metric": pl.String, "burst": pl.Boolean, "pattern": pl.String,
              "onset": pl.Float64, "end": pl.Float64, "size": pl.Float64,
              "concentration": pl.Float64, "total_rise": pl.Float64, "noise": pl.Float64,
              "n_changepoints": pl.Int64, "bin_width": pl.Int64, "burst_logistic": pl.Boolean,
              "onset_logistic": pl.Float64, "rise_time": pl.Float64, "takeoff": pl.Boolean,
              "takeoff_onset": pl.Float64, "shape": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row")

"""Signatures an archaeologist could see, per run and per account, with 95 % intervals.

A burst alone is no evidence of a brain change if an account without one bursts too. So, beside
the burst verdicts, ``analyze`` measures in every run the traces that the accounts predict
differently: which series rises first, how fast culture rises, whether tool types and camps take
it up together or one by one, and what a population crash costs. Every threshold below is our
assumption, with its reason; each per-run value is NaN where it cannot be measured (the reason is
kept in ``detail``) and is then left out of ``n``.

Signatures (per run; ``signature_runs.parquet`` holds every run's value and reason)
-----------------------------------------------------------------------------------
**order** (``order_X_minus_C``, generations; negative: X rises first). The genetic account
(Klein 1995; Ramachandran 2000) predicts the genetic mirror (``mirror_mean``) rising before
culture; the associative account (Heyes 2010) learned matching (``mirror_learned_mean``) rising
with or after it; the demographic account (Henrich 2004; Powell, Shennan & Thomas 2009) the
population before it. The lag is t50(X) - t50(C), with C tool complexity (``tools``) or
``expressivity``, and ``order_expressivity_minus_tools``. t50 is the half-rise time of
``analysis.order.crossing_times`` (the first generation the smoothed series reaches start + R / 2;
start the mean of the first 10 % of the window, R the net rise, last 10 % minus first 10 %), on
the linear scale as in ``order.parquet``. A series that does not rise materially gives no lag:
it must rise by 5 noise sd (the burst detector's criterion (a)) and by the registry's material
minimum (``evo.measures``: mirror strength +0.1, tool complexity 2-fold over max(start, 1),
expressivity +1 meaning); our assumptions for the two measures the registry gives no minimum:
learned matching +0.1 (a share, like mirror strength), population 2-fold over max(start, 1) (the
smallest change of size that the demographic account treats as a change of regime; the
demography scenario grows 40-fold, a constant population does not rise at all). Unlike
``order.parquet``, runs are not first filtered on a cultural burst: both series need only rise.

**leap_generation** (generations). The first generation at which log10 tool complexity reaches
half its final level (the mean of the last 10 % of the window; a final level below
``LEAP_MINIMUM`` = 100 components is no leap: our assumption, six times the plateau of 16 that a
mirror held at 0.2 keeps in the trial and a fifth of the 510 that one held at 0.8 keeps). Every
run starts with no tools, so this dates the leap whether it comes as a burst, a slow rise or at
once, which the burst detector (it compares the window's edges) does not call a rise.

Order, leap and tempo read each run before its first population crash (``analysis.windows``),
the loss signatures the crash itself.

**tempo** (``tempo_generations``; ``tempo_years_25``, ``tempo_years_30``). The time from 10 % to
90 % of the rise of tool complexity, on log10 of complexity (floored at 1 component, the
registry's floor): complexity spans three orders of magnitude (about 3 to over 1,000), so on a
linear scale the 10 % point of a jump from 3 to 1,000 is already at 100 components, far into the
rise. The rise must pass the order's test (5 noise sd) and be material: log10 rises by
log10 2 = 0.30, the registry's doubling on this scale. Its levels are the medians of the first
and last 10 % of the window (start S, rise R), robust to the founders' first generations
(culture starts at 0). On the smoothed series of ``order.crossing_times``, t90 is the first time
at S + 0.9 R after the half-rise and t10 the end of the last stretch below S + 0.1 R before it:
the main transit, so a noisy baseline that touches the 10 % level long before the rise does not
count (in a real demography run the first crossing was generation 88, the rise began near 480);
on a clean rise these are the first crossings. A rise whose t10 falls in the first 10 % of the
window is the relaxation from the initial state (``bursts.py``'s transient), not a leap: NaN.
Years at 25 and 30 years a generation (our assumption: the range commonly used for human
generations). A revolution (Klein 1995) is fast, gradual accumulation (McBrearty & Brooks 2000)
slow.

**lineage_spread** (generations). From ``lineages.parquet``: each tool lineage's onset is the
first generation at which ``held`` (its best holder reaches ``tool_type_skill``: the population
holds that tool type, Kline & Boyd 2010) becomes 1 and stays 1 for ``HOLD_WINDOW`` = 50
generations (our assumption: 5 rows at the default ``extras_every`` of 10, so one flicker across
the threshold is no uptake; an uptake less than 50 generations before the end is not confirmed
and not counted). The spread is the interquartile range of the onsets of the lineages taken up,
at least ``MIN_ONSETS`` = 3 of them (the fewest with quartiles inside the range). IQR, not SD:
onsets are skewed and cut off by the end of the run, and one lineage taken up very late would
dominate an SD; the IQR moves only if a quarter of them do. A revolution puts the onsets
together, a mosaic spreads them (McBrearty & Brooks 2000). Resolution: ``extras_every``.

**camp_spread** and **camp_wave**. From ``camps.parquet``: the level is half-way, on log10 (floored
at 1), from the start to the end of the run's pooled tool complexity (the population-weighted
mean over camps; start and net rise as for the order, and the rise must be material as for the
tempo): a level relative to the run, so it means the same at plateaus of 40 and of 1,500
components. A camp's onset is the first generation its complexity reaches that level and stays at
or above it for ``HOLD_WINDOW`` generations. ``camp_spread`` is the IQR of the onsets of the camps
that reach it (at least 3). ``camp_wave`` is Spearman's rho between a camp's onset and its grid
distance from the first camp to rise (Chebyshev distance: the Moore neighbourhood that migrants
move in; with ties for first, the distance to the nearest of them). A new allele spreads as a
wave of advance from its origin (Fisher 1937), so rho near 1; culture that starts wherever
density allows (Powell, Shennan & Thomas 2009) gives rho near 0. The first camps themselves are
left out (distance 0 and earliest by construction: with them any order would correlate
positively); camps that never reach the level rank after all others (a wave not yet arrived).
At least 3 other camps at 2 or more distances are needed: on a 2 x 2 grid every camp neighbours
the first, so no wave can be seen (NaN).

**loss_after_crash** (Henrich 2004, Tasmania). The crash is found in the population series by
``analysis.windows.find_crash`` (a fall to half the largest population so far; it ends when the
population is back to 0.9 of its level before; never, in Tasmania). Only the first
crash of a run is read. ``loss_kept_*``: the mean level over the ``LEVEL_WINDOW`` = 20
generations before the crash, and over the last 20 generations of the crash (the last 20 rows of
the run when the population is never restored), and the share kept, end / before, for tool
complexity, tool types, mirror strength and learned matching (NaN when the level before is below
the measure's floor, ``MIN_LEVEL``: 1 component, 1 tool type, 0.01 for the shares; there was
nothing to lose). ``loss_recovery_*``: generations from the restoration until the series first
reaches ``RECOVERED_SHARE`` = 0.9 of its level before (hysteresis: how long the loss outlasts its
cause); 0 when nothing was lost. A run that has not recovered by its end is censored: its value is
+inf, ranked after every recovery seen (a median or bound that lands on one is inf: "longer than
the runs"), and ``loss_recovered_tools`` is the share of runs that recovered at all (Wilson).

Across runs (``signatures.parquet``)
------------------------------------
Per account (the runs table's ``account``; every scenario of the account pooled except its
controls, role ``control_low`` / ``control_high``, which hold the account's cause fixed and so do
not stage it; ``scenario`` null) and per scenario. Lags, times, spreads, correlations and shares
kept: the median with the distribution-free 95 % interval from order statistics
(``stats.median_ci_rank``; none below 6 runs, where ``low`` and ``high`` are NaN). Shares of
runs: the Wilson interval. The ``interval`` column names the method. Tables without ``account``
(written before scenarios declared it) take it from the scenario's name (coevolution and the
fixed controls: genetic).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import polars as pl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scipy.stats import spearmanr

from analysis import plots
from analysis.bursts import (
    EDGE_SHARE,
    MAX_POINTS,
    RISE_SIGMAS,
    clean_series,
    coarse_grain,
    net_rise,
    running_mean,
)
from analysis.conclude import role as role_from_name
from analysis.material import meets
from analysis.order import crossing_times
from analysis.report import Report
from analysis.stats import median_ci_rank, wilson_ci
from analysis.windows import CRASH_SHARE, Crash, find_crash
from evo import sweep_folder
from evo.errors import UsageError
from evo.measures import MINIMUM_RISE, MinimumRise

# Thresholds (our assumptions; the module docstring gives the reasons).
RISE_RULES: dict[str, MinimumRise] = {name: MINIMUM_RISE[name] for name in (
    "mirror_mean", "tool_complexity", "expressivity", "mirror_learned_mean", "population")}
LOG_RISE = MinimumRise("absolute", math.log10(2.0))  # a doubling, on log10 of complexity
TEMPO_FRACS: tuple[float, float] = (0.1, 0.9)
LEAP_MINIMUM = 100.0
YEARS_PER_GENERATION = (25, 30)
HOLD_WINDOW = 50.0
MIN_ONSETS = 3
CAMP_LEVEL = 0.5
RECOVERED_SHARE = 0.9
LEVEL_WINDOW = 20.0
MIN_LEVEL = {"tool_complexity": 1.0, "tool_types": 1.0, "mirror_mean": 0.01,
             "mirror_learned_mean": 0.01}
CONTROLS = ("control_low", "control_high")

LEADERS = {"mirror": "mirror_mean", "learned": "mirror_learned_mean", "population": "population"}
CULTURE = {"tools": "tool_complexity", "expressivity": "expressivity"}
KEPT = {"tools": "tool_complexity", "tool_types": "tool_types", "mirror": "mirror_mean",
        "learned": "mirror_learned_mean"}
RECOVERY = {"tools": "tool_complexity", "tool_types": "tool_types"}

MEDIAN = "median, distribution-free 95 % CI (order statistics)"
WILSON = "share of runs, Wilson 95 % CI"
COLUMNS = ("account", "signature", "value", "low", "high", "n", "scenario", "unit", "interval",
           "detail")

GEN_COLUMNS = ("generation", "population", "mirror_mean", "mirror_learned_mean", "tool_complexity",
               "tool_types", "expressivity")
CAMP_COLUMNS = ("generation", "camp", "x", "y", "population", "tool_complexity")
LINEAGE_COLUMNS = ("generation", "lineage", "held")


@dataclass(frozen=True)
class Signature:
    """One signature: its name, unit, interval method and a one-line reading."""

    name: str
    unit: str
    interval: str
    about: str


def _signatures() -> tuple[Signature, ...]:
    out = []
    for c, cm in CULTURE.items():
        for x, xm in LEADERS.items():
            out.append(Signature(f"order_{x}_minus_{c}", "generations", MEDIAN,
                                 f"half-rise of {xm} minus half-rise of {cm}"))
    out.append(Signature("order_expressivity_minus_tools", "generations", MEDIAN,
                         "half-rise of expressivity minus half-rise of tool_complexity"))
    out.append(Signature("leap_generation", "generations", MEDIAN,
                         "first generation log10 tool_complexity reaches half its final level"))
    out.append(Signature("tempo_generations", "generations", MEDIAN,
                         "10-90 % rise time of log10 tool_complexity"))
    out += [Signature(f"tempo_years_{y}", "years", MEDIAN, f"the same at {y} years a generation")
            for y in YEARS_PER_GENERATION]
    out.append(Signature("lineage_spread", "generations", MEDIAN,
                         "IQR of the onsets of tool lineages (held for 50 generations)"))
    out.append(Signature("camp_spread", "generations", MEDIAN,
                         "IQR of camp onsets (half-way on log10 tool_complexity)"))
    out.append(Signature("camp_wave", "Spearman rho", MEDIAN,
                         "camp onset against Chebyshev distance from the first camp"))
    out += [Signature(f"loss_kept_{k}", "share of pre-crash level", MEDIAN,
                      f"{m} at the end of the crash / before it") for k, m in KEPT.items()]
    out += [Signature(f"loss_recovery_{k}", "generations", MEDIAN,
                      f"from restoration to 90 % of the pre-crash {m} (inf: not by the end)")
            for k, m in RECOVERY.items()]
    out.append(Signature("loss_recovered_tools", "share of runs", WILSON,
                         "runs whose tool_complexity recovered 90 % by the end"))
    return tuple(out)


SIGNATURES = _signatures()
BY_NAME = {s.name: s for s in SIGNATURES}


class Measured(NamedTuple):
    """A per-run value, and why it is NaN (or a note when it is not)."""

    value: float
    detail: str = ""


def _nan(why: str) -> Measured:
    return Measured(float("nan"), why)


# --- rises and crossings -------------------------------------------------------------------------

def rise_of(t: np.ndarray, y: np.ndarray) -> tuple[float, float, float] | None:
    """(start, net rise R, level noise sd) as ``order.crossing_times`` measures them; None if short."""
    t, y = clean_series(t, y)
    if y.size < 3:
        return None
    _, yb, _ = coarse_grain(t, y, MAX_POINTS)
    rise, sigma, _ = net_rise(yb)
    e = max(1, int(EDGE_SHARE * yb.size))
    return float(np.mean(yb[:e])), rise, sigma


def rise_times(
    t: np.ndarray, y: np.ndarray, fracs: Sequence[float], rule: MinimumRise, name: str
) -> tuple[tuple[float, ...] | None, str]:
    """Crossing times at ``fracs`` of the rise, or (None, why) when the series does not rise.

    A rise must be 5 noise sd (``bursts.RISE_SIGMAS``) and material by ``rule``.
    """
    measured = rise_of(t, y)
    if measured is None:
        return None, f"{name}: fewer than 3 values"
    start, rise, sigma = measured
    if rise <= 0 or rise < RISE_SIGMAS * sigma:
        return None, f"{name} does not rise"
    if not meets(rule, start, rise):
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
    e = max(1, int(EDGE_SHARE * y.size))
    start = float(np.median(y[:e]))
    rise = float(np.median(y[-e:])) - start
    s = running_mean(y)
    ts = t[(y.size - s.size) // 2:][: s.size]
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


def _series(gens: pl.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray] | None:
    if column not in gens.columns or gens[column].null_count() == gens.height:
        return None
    return gens["generation"].cast(pl.Float64).to_numpy(), gens[column].cast(pl.Float64).to_numpy()


# --- order and tempo -----------------------------------------------------------------------------

def order_lags(gens: pl.DataFrame) -> dict[str, Measured]:
    """``order_*`` of one run: half-rise lags in generations (negative: the first named first)."""
    half: dict[str, tuple[float | None, str]] = {}
    for column in {*LEADERS.values(), *CULTURE.values()}:
        s = _series(gens, column)
        if s is None:
            half[column] = (None, f"{column} not recorded")
            continue
        times, why = rise_times(*s, (0.5,), RISE_RULES[column], column)
        half[column] = (None if times is None else times[0], why)
    pairs = [(f"order_{x}_minus_{c}", xm, cm) for c, cm in CULTURE.items()
             for x, xm in LEADERS.items()]
    pairs.append(("order_expressivity_minus_tools", "expressivity", "tool_complexity"))
    out = {}
    for name, a, b in pairs:
        (ta, wa), (tb, wb) = half[a], half[b]
        out[name] = (Measured(ta - tb) if ta is not None and tb is not None
                     else _nan("; ".join(w for w in (wa, wb) if w)))
    return out


def tempo(gens: pl.DataFrame) -> dict[str, Measured]:
    """``tempo_*`` of one run: the 10-90 % rise time of log10 tool complexity."""
    names = ["tempo_generations", *(f"tempo_years_{y}" for y in YEARS_PER_GENERATION)]
    s = _series(gens, "tool_complexity")
    if s is None:
        return dict.fromkeys(names, _nan("tool_complexity not recorded"))
    t, c = s
    times, why = transit(t, log_complexity(c), TEMPO_FRACS, LOG_RISE, "log10 tool_complexity")
    if times is None:
        return dict.fromkeys(names, _nan(why))
    t10, t90 = times
    tt, _ = clean_series(t, c)
    if t10 < tt[0] + EDGE_SHARE * (tt[-1] - tt[0]):
        return dict.fromkeys(names, _nan("the rise starts in the first 10 % of the window "
                                         "(relaxation from the initial state)"))
    g = t90 - t10
    note = f"t10 {t10:g}, t90 {t90:g}"
    return {names[0]: Measured(g, note),
            **{n: Measured(g * y, note) for n, y in zip(names[1:], YEARS_PER_GENERATION,
                                                      strict=True)}}


def leap_generation(gens: pl.DataFrame) -> dict[str, Measured]:
    """``leap_generation`` of one run: when log10 tool complexity first reaches half its final level.

    Half on the log scale is our assumption: the midpoint of a rise over orders of magnitude (from
    1 to 1,000 components it is about 32), the same scale as ``tempo``.

    Every run starts with no tools, so this is the time of the leap whether it comes as a burst, a
    slow rise or at once (which the burst detector, comparing the window's edges, does not call a
    rise). The final level is the mean over the last ``EDGE_SHARE`` of the rows; a final level
    below ``LEAP_MINIMUM`` components is no leap (NaN).
    """
    s = _series(gens, "tool_complexity")
    if s is None:
        return {"leap_generation": _nan("tool_complexity not recorded")}
    t, c = clean_series(*s)
    if c.size < 3:
        return {"leap_generation": _nan("fewer than 3 values")}
    logc = log_complexity(c)
    final = float(np.mean(logc[-max(1, int(EDGE_SHARE * logc.size)):]))
    if final < math.log10(LEAP_MINIMUM):
        return {"leap_generation": _nan(f"no leap: final tool_complexity below {LEAP_MINIMUM:g}")}
    return {"leap_generation": Measured(float(t[np.argmax(logc >= 0.5 * final)]))}


# --- lineages and camps --------------------------------------------------------------------------

def held_onset(t: np.ndarray, held: np.ndarray, window: float = HOLD_WINDOW) -> float | None:
    """First time ``held`` turns true and stays true for ``window``; None if never (or unconfirmed).

    ``t`` is sorted. The window must be observed: a start less than ``window`` before the last
    row is not confirmed.
    """
    ok = np.asarray(held, dtype=bool)
    starts = np.nonzero(ok & ~np.concatenate(([False], ok[:-1])))[0]
    for i in starts:
        end = t[i] + window
        if t[-1] < end:
            return None
        inside = (t >= t[i]) & (t <= end)
        if ok[inside].all():
            return float(t[i])
    return None


def iqr(values: np.ndarray) -> float:
    """Interquartile range (linear interpolation)."""
    q25, q75 = np.percentile(values, [25, 75])
    return float(q75 - q25)


def lineage_onsets(lineages: pl.DataFrame) -> dict[int, float | None]:
    """Each lineage's onset: ``held`` becomes 1 and stays 1 for ``HOLD_WINDOW`` generations."""
    out = {}
    for (lineage,), part in lineages.sort("generation").group_by("lineage", maintain_order=True):
        t = part["generation"].cast(pl.Float64).to_numpy()
        out[int(lineage)] = held_onset(t, part["held"].fill_null(0).to_numpy() == 1)
    return dict(sorted(out.items()))


def lineage_spread(lineages: pl.DataFrame | None) -> dict[str, Measured]:
    """``lineage_spread`` of one run: the IQR of the lineages' onsets (generations)."""
    if lineages is None or lineages.is_empty():
        return {"lineage_spread": _nan("no lineages table (record_lineages=true records it)")}
    onsets = lineage_onsets(lineages)
    found = np.array([v for v in onsets.values() if v is not None])
    note = f"{found.size} of {len(onsets)} lineages taken up"
    if found.size < MIN_ONSETS:
        return {"lineage_spread": _nan(f"{note}, fewer than {MIN_ONSETS}")}
    return {"lineage_spread": Measured(iqr(found), note)}


def camp_onsets(camps: pl.DataFrame) -> tuple[pl.DataFrame | None, str]:
    """Per camp (camp, x, y, onset): when it reaches half-way (log10) to the run's end level.

    The level comes from the population-weighted mean over camps; onset null when never reached
    (and held for ``HOLD_WINDOW``). None and the reason when the pooled series does not rise.
    """
    c = pl.col("tool_complexity").cast(pl.Float64)
    w = pl.col("population").cast(pl.Float64)
    occupied = camps.filter((pl.col("population") > 0) & c.is_not_null())
    pooled = (occupied.group_by("generation").agg(((c * w).sum() / w.sum()).alias("c"))
              .sort("generation"))
    if pooled.is_empty():
        return None, "no camp with members and tool_complexity"
    t = pooled["generation"].cast(pl.Float64).to_numpy()
    y = log_complexity(pooled["c"].to_numpy())
    measured = rise_of(t, y)
    times, why = rise_times(t, y, (CAMP_LEVEL,), LOG_RISE, "log10 tool_complexity (camps)")
    if times is None or measured is None:
        return None, why
    level = measured[0] + CAMP_LEVEL * measured[1]
    rows = []
    for (camp,), part in camps.sort("generation").group_by("camp", maintain_order=True):
        tc = part["generation"].cast(pl.Float64).to_numpy()
        yc = log_complexity(part["tool_complexity"].cast(pl.Float64).fill_null(0.0).to_numpy())
        rows.append({"camp": int(camp), "x": int(part["x"][0]), "y": int(part["y"][0]),
                     "onset": held_onset(tc, yc >= level)})
    schema = {"camp": pl.Int64, "x": pl.Int64, "y": pl.Int64, "onset": pl.Float64}
    return pl.DataFrame(rows, schema=schema).sort("camp"), ""


def chebyshev_from_first(x: np.ndarray, y: np.ndarray, onset: np.ndarray) -> np.ndarray:
    """Each camp's Chebyshev (Moore) distance to the nearest camp with the earliest onset."""
    first = np.nanmin(onset)
    ox, oy = x[onset == first], y[onset == first]
    d = np.maximum(np.abs(x[:, None] - ox[None, :]), np.abs(y[:, None] - oy[None, :]))
    return d.min(axis=1).astype(float)


def wave(x: np.ndarray, y: np.ndarray, onset: np.ndarray) -> Measured:
    """Spearman rho of onset against distance from the first camp(s), those left out.

    ``onset`` is NaN for a camp that never rose: it ranks after every other camp.
    """
    reached = np.isfinite(onset)
    if not reached.any():
        return _nan("no camp reaches the level")
    dist = chebyshev_from_first(x, y, onset)
    others = ~(reached & (onset == np.nanmin(onset)))
    if others.sum() < MIN_ONSETS:
        return _nan(f"fewer than {MIN_ONSETS} camps besides the first to rise")
    d = dist[others]
    o = np.where(np.isfinite(onset[others]), onset[others], np.inf)
    if np.unique(d).size < 2:
        return _nan("every other camp is at one distance from the first (grid too small for a wave)")
    if np.unique(o).size < 2:
        return _nan("the other camps rose together (no order to correlate)")
    return Measured(float(spearmanr(o, d).statistic), f"{int(others.sum())} camps")


def camp_spread(camps: pl.DataFrame | None) -> dict[str, Measured]:
    """``camp_spread`` (IQR of camp onsets) and ``camp_wave`` (rho against distance) of one run."""
    if camps is None or camps.is_empty():
        why = _nan("no camps table (record_camps=true records it)")
        return {"camp_spread": why, "camp_wave": why}
    onsets, why = camp_onsets(camps)
    if onsets is None:
        return {"camp_spread": _nan(why), "camp_wave": _nan(why)}
    onset = onsets["onset"].fill_null(float("nan")).to_numpy()
    found = onset[np.isfinite(onset)]
    note = f"{found.size} of {onset.size} camps reach the level"
    spread = (Measured(iqr(found), note) if found.size >= MIN_ONSETS
              else _nan(f"{note}, fewer than {MIN_ONSETS}"))
    return {"camp_spread": spread,
            "camp_wave": wave(onsets["x"].to_numpy(), onsets["y"].to_numpy(), onset)}


# --- crash ---------------------------------------------------------------------------------------

def _mean_over(t: np.ndarray, y: np.ndarray, lo: float, hi: float) -> float:
    inside = (t >= lo) & (t < hi) & np.isfinite(y)
    return float(np.mean(y[inside])) if inside.any() else float("nan")


def loss_after_crash(gens: pl.DataFrame) -> dict[str, Measured]:
    """``loss_*`` of one run: what a crash keeps and how long recovery takes."""
    names = [*(f"loss_kept_{k}" for k in KEPT), *(f"loss_recovery_{k}" for k in RECOVERY),
             "loss_recovered_tools"]
    s = _series(gens, "population")
    if s is None:
        return dict.fromkeys(names, _nan("population not recorded"))
    crash = find_crash(*s)
    if crash is None:
        return dict.fromkeys(names, _nan(f"no crash (population never fell to {CRASH_SHARE:g} of "
                                         "its level)"))
    t_all = s[0][np.isfinite(s[0])]
    end = crash.restored if crash.restored is not None else float(np.max(t_all)) + 1
    span = f"crash {crash.start:g}-{end:g}" + ("" if crash.restored is not None
                                               else " (population never restored)")
    out: dict[str, Measured] = {}
    for key, column in KEPT.items():
        series = _series(gens, column)
        if series is None:
            out[f"loss_kept_{key}"] = _nan(f"{column} not recorded")
            if key in RECOVERY:
                out[f"loss_recovery_{key}"] = _nan(f"{column} not recorded")
            continue
        t, y = series
        before = _mean_over(t, y, crash.start - LEVEL_WINDOW, crash.start)
        after = _mean_over(t, y, max(crash.start, end - LEVEL_WINDOW), end)
        if not before >= MIN_LEVEL[column]:
            why = _nan(f"no {column} rows before the crash" if math.isnan(before) else
                       f"{column} before the crash below {MIN_LEVEL[column]:g}: nothing to lose")
            out[f"loss_kept_{key}"] = why
            if key in RECOVERY:
                out[f"loss_recovery_{key}"] = why
            continue
        out[f"loss_kept_{key}"] = Measured(after / before, f"{span}; {before:.3g} -> {after:.3g}")
        if key in RECOVERY:
            out[f"loss_recovery_{key}"] = recovery(t, y, crash, before)
    rec = out["loss_recovery_tools"]
    out["loss_recovered_tools"] = (Measured(float(np.isfinite(rec.value)), rec.detail)
                                   if not math.isnan(rec.value) else rec)
    return {n: out[n] for n in names}


def recovery(t: np.ndarray, y: np.ndarray, crash: Crash, before: float) -> Measured:
    """Generations from restoration to ``RECOVERED_SHARE`` of ``before``; inf if not by the end."""
    if crash.restored is None:
        return _nan("population not restored by the end of the run")
    after = (t >= crash.restored) & np.isfinite(y)
    hit = np.nonzero(after & (y >= RECOVERED_SHARE * before))[0]
    if hit.size:
        return Measured(float(t[hit[0]] - crash.restored))
    last = float(np.max(t[after])) if after.any() else crash.restored
    return Measured(math.inf, f"censored: not recovered {last - crash.restored:g} generations "
                              "after restoration, at the end of the run")


# --- one run, every run --------------------------------------------------------------------------

def run_signatures(
    gens: pl.DataFrame | None, camps: pl.DataFrame | None = None,
    lineages: pl.DataFrame | None = None,
) -> dict[str, Measured]:
    """Every signature of one run, in ``SIGNATURES`` order (NaN with a reason where not measured).

    ``gens`` has ``generation`` and any of ``GEN_COLUMNS``; ``camps`` and ``lineages`` are that
    run's rows of the extra tables, or None where not recorded.
    """
    out: dict[str, Measured] = {}
    if gens is None or gens.is_empty() or "generation" not in gens.columns:
        out = {s.name: _nan("no generation rows") for s in SIGNATURES}
    else:
        gens = gens.filter(pl.col("generation").is_not_null()).sort("generation")
        judged = before_crash(gens)
        out.update(order_lags(judged))
        out.update(leap_generation(judged))
        out.update(tempo(judged))
        out.update(loss_after_crash(gens))
    out.update(lineage_spread(lineages))
    out.update(camp_spread(camps))
    return {s.name: out[s.name] for s in SIGNATURES}


def before_crash(gens: pl.DataFrame) -> pl.DataFrame:
    """One run's rows before its first crash (``windows.find_crash``): the leap, not the test."""
    s = _series(gens, "population")
    crash = find_crash(*s) if s is not None else None
    return gens if crash is None else gens.filter(pl.col("generation") < crash.start)


@dataclass(frozen=True)
class Inputs:
    """The tables the signatures read: generations (``GEN_COLUMNS``), camps and lineages."""

    generations: pl.DataFrame | None
    camps: pl.DataFrame | None
    lineages: pl.DataFrame | None


def _parts(tables: pl.DataFrame | None) -> dict[object, pl.DataFrame]:
    if tables is None:
        return {}
    return {k[0]: v for k, v in tables.partition_by("run_id", as_dict=True).items()}


def with_accounts(runs: pl.DataFrame) -> pl.DataFrame:
    """``runs`` with ``account`` and ``role`` filled from the scenario's name where absent."""
    guessed = {"coevolution": ("genetic", "main"), "fixed_low": ("genetic", "control_low"),
               "fixed_high": ("genetic", "control_high"), "demography": ("demography", "main"),
               "associative": ("associative", "main")}
    names = runs["scenario"].to_list()
    by_name = [guessed.get(role_from_name(s) or "", ("unknown", None)) for s in names]
    account = runs["account"].to_list() if "account" in runs.columns else [None] * len(names)
    role = runs["role"].to_list() if "role" in runs.columns else [None] * len(names)
    return runs.with_columns(
        pl.Series("account", [a if a is not None else g[0] for a, g in zip(account, by_name,
                                                                           strict=True)],
                  pl.String),
        pl.Series("role", [r if r is not None or a is not None else g[1]
                           for r, a, g in zip(role, account, by_name, strict=True)], pl.String))


def per_run_table(inputs: Inputs, runs: pl.DataFrame) -> pl.DataFrame:
    """One row per run and signature: ``run_id, scenario, account, role, signature, value, detail``."""
    runs = with_accounts(runs)
    gens, camps, lineages = (_parts(inputs.generations), _parts(inputs.camps),
                             _parts(inputs.lineages))
    rows = []
    for run in runs.select("run_id", "scenario", "account", "role").iter_rows(named=True):
        rid = run["run_id"]
        values = run_signatures(gens.get(rid), camps.get(rid), lineages.get(rid))
        rows += [{**run, "signature": name, "value": m.value, "detail": m.detail}
                 for name, m in values.items()]
    schema = {"run_id": pl.Int64, "scenario": pl.String, "account": pl.String, "role": pl.String,
              "signature": pl.String, "value": pl.Float64, "detail": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row")


# --- across runs ---------------------------------------------------------------------------------

def median_interval(values: Iterable[float]) -> tuple[float, float, float]:
    """Median with the order-statistic 95 % interval; +inf values (censored) rank last.

    (nan, nan, nan) without values; the bounds are nan below 6 values (``stats.median_ci_rank``).
    """
    x = np.sort(np.array([v for v in values if not math.isnan(v)], dtype=float))
    nan = float("nan")
    if x.size == 0:
        return (nan, nan, nan)
    n = x.size
    med = float(x[n // 2]) if n % 2 else float((x[n // 2 - 1] + x[n // 2]) / 2)
    rank = median_ci_rank(n)
    if rank is None:
        return (med, nan, nan)
    k = rank[0]
    return (med, float(x[k - 1]), float(x[n - k]))


def _why_missing(details: list[str], total: int) -> str:
    counts = Counter(details)
    missing = sum(counts.values())
    if not missing:
        return ""
    reasons = ", ".join(f"{why} ({k})" for why, k in counts.most_common(3))
    more = "" if len(counts) <= 3 else f" and {len(counts) - 3} other reason(s)"
    return f"not measured in {missing} of {total} runs: {reasons}{more}"


def summarize(per_run: pl.DataFrame, signature: str) -> dict[str, object]:
    """value, low, high, n, interval and detail of one signature over the rows of a group."""
    spec = BY_NAME[signature]
    v = per_run["value"].to_numpy()
    measured = ~np.isnan(v)
    n = int(measured.sum())
    notes = []
    if spec.interval == WILSON:
        k = int(np.sum(v[measured] == 1.0))
        lo, hi = wilson_ci(k, n)
        value = k / n if n else float("nan")
        if n:
            notes.append(f"{k} of {n} runs")
    else:
        value, lo, hi = median_interval(v[measured])
        if 0 < n < 6:
            notes.append(f"{n} run(s): too few for a 95 % interval of the median (6 needed)")
        censored = int(np.isinf(v[measured]).sum())
        if censored:
            notes.append(f"{censored} censored (not recovered by the end; counted as longer than "
                         "any recovery)")
        if signature.startswith("order_") and n:
            first = signature.removeprefix("order_").split("_minus_")[0]
            notes.append(f"{first} first in {int(np.sum(v[measured] < 0))} of {n}")
    missing = [d for d, m in zip(per_run["detail"].to_list(), measured, strict=True) if not m]
    notes.append(_why_missing(missing, per_run.height))
    return {"value": value, "low": lo, "high": hi, "n": n, "unit": spec.unit,
            "interval": spec.interval, "detail": "; ".join(x for x in notes if x)}


def signatures_table(per_run: pl.DataFrame) -> pl.DataFrame:
    """Per account (controls left out; ``scenario`` null) and per scenario: every signature."""
    rows = []
    pooled = per_run.filter(~pl.col("role").is_in(CONTROLS) | pl.col("role").is_null())
    groups = [(a, None, part) for (a,), part in pooled.group_by("account", maintain_order=True)]
    groups += [(a, s, part) for (a, s), part in per_run.group_by(["account", "scenario"],
                                                                 maintain_order=True)]
    for account, scenario, part in groups:
        by_sig = part.partition_by("signature", as_dict=True)
        for spec in SIGNATURES:
            rows.append({"account": account, "signature": spec.name, "scenario": scenario,
                         **summarize(by_sig[(spec.name,)], spec.name)})
    schema = {"account": pl.String, "signature": pl.String, "value": pl.Float64,
              "low": pl.Float64, "high": pl.Float64, "n": pl.Int64, "scenario": pl.String,
              "unit": pl.String, "interval": pl.String, "detail": pl.String}
    table = pl.DataFrame(rows, schema=schema, orient="row").select(COLUMNS)
    rank = {s.name: i for i, s in enumerate(SIGNATURES)}
    return table.sort([pl.col("account"), pl.col("scenario"),
                       pl.col("signature").replace_strict(rank, return_dtype=pl.Int64)],
                      nulls_last=False)


# --- reading the tables --------------------------------------------------------------------------

def _files(root: Path, kind: str, name: str) -> list[Path]:
    if kind == "run":
        path = root / f"{name}.parquet"
        return [path] if path.is_file() else []
    folder = root / name
    if not folder.is_dir():
        return []
    return sweep_folder.table_files(folder)  # each run's rows once (merged copies left out)


def _read(path: Path, columns: Sequence[str], required: Sequence[str]) -> pl.DataFrame:
    """The columns of ``path`` that exist; UsageError naming the file when damaged or short."""
    try:
        schema = pl.read_parquet_schema(path)
        missing = [c for c in required if c not in schema]
        if missing:
            raise UsageError(f"{path}: missing column(s) {', '.join(missing)}")
        table = pl.read_parquet(path, columns=[c for c in columns if c in schema])
    except UsageError:
        raise
    except Exception as exc:  # polars raises several types for bad bytes
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise UsageError(f"{path}: not a readable Parquet table, corrupt or partially written "
                         f"({reason})") from None
    return table


def read_table(
    root: Path, kind: str, name: str, columns: Sequence[str], keys: Sequence[str],
    required: Sequence[str] = (), loaded: pl.DataFrame | None = None,
) -> pl.DataFrame | None:
    """``DIR/name.parquet`` (a run) or ``DIR/name/*.parquet`` (a sweep), with ``run_id``.

    None when absent. A sweep's parts are listed by `evo.sweep_folder.table_files`, so rows a
    merged part holds are read once. `loaded` is the table already read (`Results.read`, the
    generation table `analysis.tables` loaded): it is used instead of reading the files again.
    """
    files = [] if loaded is not None else _files(root, kind, name)
    if loaded is None and not files:
        return None
    need = (*required, "run_id") if kind == "sweep" else tuple(required)
    want = list(dict.fromkeys((*need, *keys, *columns)))
    if loaded is not None:
        missing = [c for c in need if c not in loaded.columns]
        if missing:
            raise UsageError(f"{root / name}: missing column(s) {', '.join(missing)}")
        files = [root / (name if kind == "sweep" else f"{name}.parquet")]
    parts = ([loaded.select([c for c in want if c in loaded.columns])] if loaded is not None
             else [_read(f, want, need) for f in files])
    parts = [p for p in parts if all(k in p.columns for k in keys)]
    if not parts:
        return None
    table = pl.concat(parts, how="diagonal_relaxed")
    if table.is_empty():
        raise UsageError(f"{files[0] if kind == 'run' else root / name}: empty table (0 rows)")
    if kind == "run":
        table = table.with_columns(pl.lit(None, dtype=pl.Int64).alias("run_id"))
    table = table.with_columns(pl.col("run_id").cast(pl.Int64))
    return table.unique(["run_id", *keys], keep="first", maintain_order=True)


def load_inputs(root: Path, kind: str, generations: pl.DataFrame | None = None) -> Inputs:
    """The generations, camps and lineages tables of a run or sweep folder (None where absent).

    `generations`: the generation table already read (`Results.read`), not read again.
    """
    gens = read_table(root, kind, "generations", GEN_COLUMNS, ("generation",),
                      loaded=generations)
    if gens is not None:
        gens = gens.filter(pl.col("generation").is_not_null())
    camps = read_table(root, kind, "camps", CAMP_COLUMNS, ("generation", "camp"), CAMP_COLUMNS)
    lineages = read_table(root, kind, "lineages", LINEAGE_COLUMNS, ("generation", "lineage"),
                          LINEAGE_COLUMNS)
    return Inputs(gens, camps, lineages)


def compute(
    root: Path, kind: str, runs: pl.DataFrame, generations: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(per-run table, signatures table) of the analysed ``runs`` of a run or sweep folder.

    `generations`: the folder's generation table as `analysis.tables` read it (`Results.read`).
    """
    per_run = per_run_table(load_inputs(root, kind, generations), runs)
    return per_run, signatures_table(per_run)


# --- the report and the figure -------------------------------------------------------------------

def fmt_number(value: float) -> str:
    """A number with 3 significant digits ('inf' for a censored value, '–' for NaN)."""
    if math.isnan(value):
        return "–"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.3g}"


def _cell(row: dict) -> str:
    if row["n"] == 0:
        return "–"
    bounds = ("" if math.isnan(row["low"])
              else f" [{fmt_number(row['low'])}, {fmt_number(row['high'])}]")
    return f"{fmt_number(row['value'])}{bounds} (n={row['n']})"


def signature_matrix(table: pl.DataFrame) -> pl.DataFrame:
    """Account x signature: one row per signature, a column per account, 'value [low, high] (n=)'."""
    pooled = table.filter(pl.col("scenario").is_null())
    accounts = pooled["account"].unique(maintain_order=True).to_list()
    rows = []
    for spec in SIGNATURES:
        part = {r["account"]: r for r in pooled.filter(pl.col("signature") == spec.name)
                .iter_rows(named=True)}
        rows.append({"signature": spec.name, "unit": spec.unit,
                     **{a: _cell(part[a]) if a in part else "–" for a in accounts}})
    return pl.DataFrame(rows, schema={"signature": pl.String, "unit": pl.String,
                                      **dict.fromkeys(accounts, pl.String)})


CLAIMED = ("camp_wave", "loss_kept_tools")  # with the order_* signatures: the claims worded


def _verdict(name: str, lo: float, hi: float) -> str:
    if name.startswith("order_"):
        a, b = name.removeprefix("order_").split("_minus_")
        return (f"{a} rises before {b}" if hi < 0 else f"{a} rises after {b}" if lo > 0
                else f"no detectable order between {a} and {b} (the interval includes 0)")
    if name == "camp_wave":
        return ("camp onsets travel outward from the first camp, a wave" if lo > 0
                else "camps farther from the first rise earlier" if hi < 0
                else "no detectable wave of camp onsets (the interval includes 0)")
    return ("a crash loses tool complexity" if hi < 1
            else "no detectable loss of tool complexity in a crash (the interval includes 1)")


def statements(table: pl.DataFrame) -> list[str]:
    """Sentences worded from the intervals: the order of rises, the wave, the loss in a crash.

    Per account; signatures measured in too few runs for an interval are listed in one sentence.
    """
    out = []
    pooled = table.filter(pl.col("scenario").is_null() & (pl.col("n") > 0)
                          & (pl.col("signature").str.starts_with("order_")
                             | pl.col("signature").is_in(CLAIMED)))
    for (account,), part in pooled.group_by("account", maintain_order=True):
        few = []
        for row in part.iter_rows(named=True):
            name, lo, hi = row["signature"], row["low"], row["high"]
            unit = "" if BY_NAME[name].unit != "generations" else " generations"
            med = f"median {fmt_number(row['value'])}{unit}"
            if math.isnan(lo):
                few.append(f"{name} ({med}, n = {row['n']})")
                continue
            out.append(f"{account}: {_verdict(name, lo, hi)} ({med}, 95 % CI {fmt_number(lo)} "
                       f"to {fmt_number(hi)}, n = {row['n']}).")
        if few:
            out.append(f"{account}: too few runs for a 95 % interval (6 needed): "
                       + "; ".join(few) + ".")
    return out


PLOTTED = tuple(s.name for s in SIGNATURES if not s.name.startswith("tempo_years"))


def plot_data(table: pl.DataFrame) -> pl.DataFrame:
    """The figure's rows: per account (scenario null) and plotted signature (n 0: not measured)."""
    return (table.filter(pl.col("scenario").is_null() & pl.col("signature").is_in(PLOTTED))
            .select("signature", "account", "value", "low", "high", "n", "unit"))


def plot_signature(
    data: pl.DataFrame, signature: str, accounts: list[str], ax: Axes | None = None
) -> Figure:
    """One panel: a point per account and its 95 % interval (open marker: no interval).

    Infinite values (runs not recovered by their end) are drawn at the panel's right edge as '>'.
    """
    if ax is None:
        fig, ax = plots.plt.subplots(figsize=(4.0, 0.4 * len(accounts) + 1.2), layout="constrained")
    fig = ax.figure
    part = data.filter((pl.col("signature") == signature) & (pl.col("n") > 0))
    finite = [v for c in ("value", "low", "high") for v in part[c].to_list() if math.isfinite(v)]
    edge = (max(finite) + 0.1 * (max(finite) - min(finite)) + 1e-9) if finite else 1.0
    for row in part.iter_rows(named=True):
        i, colour = accounts.index(row["account"]), f"C{accounts.index(row['account']) % 10}"
        v, lo, hi = (edge if math.isinf(x) else x for x in (row["value"], row["low"], row["high"]))
        if not math.isnan(lo):
            ax.plot([lo, hi], [i, i], color=colour, linewidth=2)
        marker = ">" if math.isinf(row["value"]) else "o"
        ax.plot([v], [i], marker, color=colour, markerfacecolor="white" if math.isnan(lo) else colour)
        ax.annotate(f"n={row['n']}", (v, i), textcoords="offset points", xytext=(0, 5),
                    fontsize="x-small", ha="center")
    for i, account in enumerate(accounts):
        if account not in part["account"].to_list():
            ax.text(0.5, i, "not measured", transform=ax.get_yaxis_transform(), ha="center",
                    va="center", color="grey", fontsize="x-small")
    ax.set_yticks(range(len(accounts)), accounts, fontsize="small")
    ax.set_ylim(-0.6, len(accounts) - 0.4)
    ax.invert_yaxis()
    unit = BY_NAME[signature].unit
    ax.set_title(signature, fontsize="small")
    ax.set_xlabel(unit, fontsize="small")
    if signature.startswith("order_") or signature == "camp_wave":
        ax.axvline(0, color="grey", linewidth=0.8, linestyle="--")
    if signature.startswith("loss_kept"):
        ax.axvline(1, color="grey", linewidth=0.8, linestyle="--")
    return fig


def plot_signatures(data: pl.DataFrame, columns: int = 4) -> Figure:
    """Account x signature: one panel per signature measured in some run (``plot_data``)."""
    measured = set(data.filter(pl.col("n") > 0)["signature"].to_list())
    names = [s for s in PLOTTED if s in measured]
    accounts = sorted(data["account"].unique().to_list())
    rows = max(1, math.ceil(len(names) / columns))
    fig, axes = plots.plt.subplots(rows, columns, figsize=(3.6 * columns,
                                                           (0.35 * len(accounts) + 1.3) * rows),
                                   layout="constrained", squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        plot_signature(data, name, accounts, ax=ax)
    for ax in list(axes.flat)[len(names):]:
        ax.set_axis_off()
    return fig


def report_section(report: Report, table: pl.DataFrame, out: Path) -> None:
    """The report's signatures section: statements, the account x signature table, the figure."""
    report.heading("Signatures an archaeologist could see")
    report.text(
        "Per account (its scenarios pooled, controls left out): which series rises first (half-rise "
        "lags, negative: the first named first), the 10-90 % rise time of log10 tool complexity "
        "(in generations, and in years at 25 and 30 a generation), the spread (IQR) of the "
        "onsets of tool lineages and of camps, whether camp onsets travel outward as a wave "
        "(Spearman rho with distance from the first camp) and what a population crash keeps and "
        "how long recovery takes. Medians with distribution-free 95 % intervals (none below 6 "
        "runs), shares with Wilson intervals; n is the runs that could be measured. Definitions "
        "and every threshold (our assumptions): analysis/signatures.py; per-scenario rows and the "
        "reasons a value is missing: signatures.parquet, every run's values: "
        "signature_runs.parquet.")
    for sentence in statements(table):
        report.text(sentence)
    report.table(signature_matrix(table),
                 "Signatures per account: median or share [95 % CI] (n runs)")
    data = plot_data(table)
    if not (data["n"] > 0).any():
        report.text("No signature could be measured in these runs, so there is no figure.")
        return
    png = plots.save_figure(plot_signatures(data), out, "signatures")
    report.figure(png, "Signatures per account: a point (median, or share of runs) and its 95 % "
                  "interval; an open point has no interval (fewer than 6 runs); '>' at the right "
                  "edge: not recovered by the end of the runs. Tempo in years is the generations "
                  "panel times 25 or 30.")

"""Crash signatures of one run: what a population crash costs culture, and for how long.

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
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from analysis.signatures.registry import (
    MEDIAN,
    WILSON,
    Measured,
    Signature,
    measures,
    nan_because,
)
from analysis.signatures.rises import series_of
from analysis.windows import CRASH_SHARE, Crash, find_crash

RECOVERED_SHARE = 0.9
LEVEL_WINDOW = 20.0
MIN_LEVEL = {"tool_complexity": 1.0, "tool_types": 1.0, "mirror_mean": 0.01,
             "mirror_learned_mean": 0.01}
KEPT = {"tools": "tool_complexity", "tool_types": "tool_types", "mirror": "mirror_mean",
        "learned": "mirror_learned_mean"}
RECOVERY = {"tools": "tool_complexity", "tool_types": "tool_types"}


def _mean_over(t: np.ndarray, y: np.ndarray, lo: float, hi: float) -> float:
    inside = (t >= lo) & (t < hi) & np.isfinite(y)
    return float(np.mean(y[inside])) if inside.any() else float("nan")


@measures("generations",
          *(Signature(f"loss_kept_{k}", "share of pre-crash level", MEDIAN,
                      f"{m} at the end of the crash / before it", reference=1.0,
                      claimed=k == "tools") for k, m in KEPT.items()),
          *(Signature(f"loss_recovery_{k}", "generations", MEDIAN,
                      f"from restoration to 90 % of the pre-crash {m} (inf: not by the end)")
            for k, m in RECOVERY.items()),
          Signature("loss_recovered_tools", "share of runs", WILSON,
                    "runs whose tool_complexity recovered 90 % by the end"))
def loss_after_crash(gens: pl.DataFrame) -> dict[str, Measured]:
    """``loss_*`` of one run: what a crash keeps and how long recovery takes."""
    names = [*(f"loss_kept_{k}" for k in KEPT), *(f"loss_recovery_{k}" for k in RECOVERY),
             "loss_recovered_tools"]
    s = series_of(gens, "population")
    if s is None:
        return dict.fromkeys(names, nan_because("population not recorded"))
    crash = find_crash(*s)
    if crash is None:
        return dict.fromkeys(names, nan_because(f"no crash (population never fell to {CRASH_SHARE:g} of "
                                         "its level)"))
    t_all = s[0][np.isfinite(s[0])]
    end = crash.restored if crash.restored is not None else float(np.max(t_all)) + 1
    span = f"crash {crash.start:g}-{end:g}" + ("" if crash.restored is not None
                                               else " (population never restored)")
    out: dict[str, Measured] = {}
    for key, column in KEPT.items():
        series = series_of(gens, column)
        if series is None:
            out[f"loss_kept_{key}"] = nan_because(f"{column} not recorded")
            if key in RECOVERY:
                out[f"loss_recovery_{key}"] = nan_because(f"{column} not recorded")
            continue
        t, y = series
        before = _mean_over(t, y, crash.start - LEVEL_WINDOW, crash.start)
        after = _mean_over(t, y, max(crash.start, end - LEVEL_WINDOW), end)
        if not before >= MIN_LEVEL[column]:
            why = nan_because(f"no {column} rows before the crash" if math.isnan(before) else
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
        return nan_because("population not restored by the end of the run")
    after = (t >= crash.restored) & np.isfinite(y)
    hit = np.nonzero(after & (y >= RECOVERED_SHARE * before))[0]
    if hit.size:
        return Measured(float(t[hit[0]] - crash.restored))
    last = float(np.max(t[after])) if after.any() else crash.restored
    return Measured(math.inf, f"censored: not recovered {last - crash.restored:g} generations "
                              "after restoration, at the end of the run")


def before_crash(gens: pl.DataFrame) -> pl.DataFrame:
    """One run's rows before its first crash (``windows.find_crash``): the leap, not the test."""
    s = series_of(gens, "population")
    crash = find_crash(*s) if s is not None else None
    return gens if crash is None else gens.filter(pl.col("generation") < crash.start)

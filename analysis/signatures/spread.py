"""Spread signatures of one run: how tool lineages and camps take culture up.

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
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.stats import spearmanr

from analysis.series import rise_of
from analysis.signatures.registry import MEDIAN, Measured, Signature, measures, nan_because
from analysis.signatures.rises import LOG_RISE, log_complexity, rise_times

HOLD_WINDOW = 50.0
MIN_ONSETS = 3
CAMP_LEVEL = 0.5


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


@measures("lineages", Signature("lineage_spread", "generations", MEDIAN,
                                "IQR of the onsets of tool lineages (held for 50 generations)"))
def lineage_spread(lineages: pl.DataFrame | None) -> dict[str, Measured]:
    """``lineage_spread`` of one run: the IQR of the lineages' onsets (generations)."""
    if lineages is None or lineages.is_empty():
        return {"lineage_spread": nan_because("no lineages table (record_lineages=true records it)")}
    onsets = lineage_onsets(lineages)
    found = np.array([v for v in onsets.values() if v is not None])
    note = f"{found.size} of {len(onsets)} lineages taken up"
    if found.size < MIN_ONSETS:
        return {"lineage_spread": nan_because(f"{note}, fewer than {MIN_ONSETS}")}
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
        return nan_because("no camp reaches the level")
    dist = chebyshev_from_first(x, y, onset)
    others = ~(reached & (onset == np.nanmin(onset)))
    if others.sum() < MIN_ONSETS:
        return nan_because(f"fewer than {MIN_ONSETS} camps besides the first to rise")
    d = dist[others]
    o = np.where(np.isfinite(onset[others]), onset[others], np.inf)
    if np.unique(d).size < 2:
        return nan_because("every other camp is at one distance from the first (grid too small for a wave)")
    if np.unique(o).size < 2:
        return nan_because("the other camps rose together (no order to correlate)")
    return Measured(float(spearmanr(o, d).statistic), f"{int(others.sum())} camps")


@measures("camps", Signature("camp_spread", "generations", MEDIAN,
                            "IQR of camp onsets (half-way on log10 tool_complexity)"),
          Signature("camp_wave", "Spearman rho", MEDIAN,
                    "camp onset against Chebyshev distance from the first camp",
                    reference=0.0, claimed=True))
def camp_spread(camps: pl.DataFrame | None) -> dict[str, Measured]:
    """``camp_spread`` (IQR of camp onsets) and ``camp_wave`` (rho against distance) of one run."""
    if camps is None or camps.is_empty():
        why = nan_because("no camps table (record_camps=true records it)")
        return {"camp_spread": why, "camp_wave": why}
    onsets, why = camp_onsets(camps)
    if onsets is None:
        return {"camp_spread": nan_because(why), "camp_wave": nan_because(why)}
    onset = onsets["onset"].fill_null(float("nan")).to_numpy()
    found = onset[np.isfinite(onset)]
    note = f"{found.size} of {onset.size} camps reach the level"
    spread = (Measured(iqr(found), note) if found.size >= MIN_ONSETS
              else nan_because(f"{note}, fewer than {MIN_ONSETS}"))
    return {"camp_spread": spread,
            "camp_wave": wave(onsets["x"].to_numpy(), onsets["y"].to_numpy(), onset)}

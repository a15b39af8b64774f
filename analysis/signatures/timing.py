"""Timing signatures of one run: which series rises first, when the leap comes, how fast.

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

**order on log10** (``order_X_minus_tools_log10``). The same lag with the tools' half-rise taken
on log10 of tool complexity (floored at 1 component; the leap's and the tempo's scale): a rise
from 5 to 300 components is half-way at 150 on the linear scale and near 39 on log10, so the
scale can decide which series is "first". Both are reported; the order is read as settled only
where the two agree.

**leap_generation** (generations). The first generation at which tool complexity reaches
``LEAP_MINIMUM`` = 100 components (our assumption: six times the plateau of 16 that trial and
error keeps), in a run that ends there (the mean of the last 10 % of the window). Every
run starts with no tools, so this dates the leap whether it comes as a burst, a slow rise or at
once, which the burst detector (it compares the window's edges) does not call a rise.

Order, leap and tempo read each run before its first population crash (``analysis.windows``).

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
"""

from __future__ import annotations

import numpy as np
import polars as pl

from analysis.series import clean_series, end_level
from analysis.signatures.registry import MEDIAN, Measured, Signature, measures, nan_because
from analysis.signatures.rises import (
    LOG_RISE,
    RISE_RULES,
    log_complexity,
    rise_times,
    series_of,
    starts_early,
    transit,
)

TEMPO_FRACS: tuple[float, float] = (0.1, 0.9)
LEAP_MINIMUM = 100.0
YEARS_PER_GENERATION = (25, 30)

LEADERS = {"mirror": "mirror_mean", "learned": "mirror_learned_mean", "population": "population"}
CULTURE = {"tools": "tool_complexity", "expressivity": "expressivity"}
#: (signature, series that a negative lag puts first, the other series)
ORDER_PAIRS = (*((f"order_{x}_minus_{c}", xm, cm) for c, cm in CULTURE.items()
                 for x, xm in LEADERS.items()),
               ("order_expressivity_minus_tools", "expressivity", "tool_complexity"))


@measures("leap", *(Signature(name, "generations", MEDIAN, f"half-rise of {a} minus half-rise of {b}",
                              reference=0.0, claimed=True,
                              first=name.removeprefix("order_").split("_minus_")[0])
                    for name, a, b in ORDER_PAIRS))
def order_lags(gens: pl.DataFrame) -> dict[str, Measured]:
    """``order_*`` of one run: half-rise lags in generations (negative: the first named first)."""
    half: dict[str, tuple[float | None, str]] = {}
    for column in {*LEADERS.values(), *CULTURE.values()}:
        s = series_of(gens, column)
        if s is None:
            half[column] = (None, f"{column} not recorded")
            continue
        times, why = rise_times(*s, (0.5,), RISE_RULES[column], column)
        half[column] = (None if times is None else times[0], why)
    out = {}
    for name, a, b in ORDER_PAIRS:
        (ta, wa), (tb, wb) = half[a], half[b]
        out[name] = (Measured(ta - tb) if ta is not None and tb is not None
                     else nan_because("; ".join(w for w in (wa, wb) if w)))
    return out


@measures("leap", *(Signature(f"order_{x}_minus_tools_log10", "generations", MEDIAN,
                              f"half-rise of {xm} minus half-rise of log10 tool_complexity",
                              reference=0.0, claimed=True, first=x)
                    for x, xm in LEADERS.items()))
def order_lags_log10(gens: pl.DataFrame) -> dict[str, Measured]:
    """``order_*_minus_tools_log10`` of one run: the lags against the tools' log10 half-rise."""
    names = [f"order_{x}_minus_tools_log10" for x in LEADERS]
    s = series_of(gens, "tool_complexity")
    if s is None:
        return dict.fromkeys(names, nan_because("tool_complexity not recorded"))
    t, c = s
    tools, why_tools = rise_times(t, log_complexity(c), (0.5,), LOG_RISE, "log10 tool_complexity")
    out = {}
    for x, column in LEADERS.items():
        lead = series_of(gens, column)
        times, why = ((None, f"{column} not recorded") if lead is None
                      else rise_times(*lead, (0.5,), RISE_RULES[column], column))
        out[f"order_{x}_minus_tools_log10"] = (
            Measured(times[0] - tools[0]) if times is not None and tools is not None
            else nan_because("; ".join(w for w in (why, why_tools) if w)))
    return out


@measures("leap", Signature("leap_generation", "generations", MEDIAN,
                            "first generation tool_complexity reaches 100 components"))
def leap_generation(gens: pl.DataFrame) -> dict[str, Measured]:
    """``leap_generation`` of one run: the first generation tool complexity reaches ``LEAP_MINIMUM``.

    A leap is reaching ``LEAP_MINIMUM`` components (our assumption, six times the plateau of 16
    that trial and error keeps without copying); the run must also end there (the mean over the
    last ``EDGE_SHARE`` of its rows), else there is no leap (NaN). Every run starts with no tools,
    so this dates the leap whether it comes as a burst, a slow rise or at once (which the burst
    detector, comparing the window's edges, does not call a rise). A fixed level, not half the
    final one on log10: where the final level is a few hundred components, the trial-and-error
    plateau of 16-20 is already past half of it on log10, and the half-level would date the
    founders' first generations.
    """
    s = series_of(gens, "tool_complexity")
    if s is None:
        return {"leap_generation": nan_because("tool_complexity not recorded")}
    t, c = clean_series(*s)
    if c.size < 3:
        return {"leap_generation": nan_because("fewer than 3 values")}
    if end_level(c) < LEAP_MINIMUM:
        return {"leap_generation": nan_because(f"no leap: final tool_complexity below "
                                               f"{LEAP_MINIMUM:g}")}
    return {"leap_generation": Measured(float(t[np.argmax(c >= LEAP_MINIMUM)]))}


TEMPO_NAMES = ("tempo_generations", *(f"tempo_years_{y}" for y in YEARS_PER_GENERATION))


@measures("leap", Signature("tempo_generations", "generations", MEDIAN,
                            "10-90 % rise time of log10 tool_complexity"),
          *(Signature(f"tempo_years_{y}", "years", MEDIAN, f"the same at {y} years a generation",
                      plotted=False) for y in YEARS_PER_GENERATION))
def tempo(gens: pl.DataFrame) -> dict[str, Measured]:
    """``tempo_*`` of one run: the 10-90 % rise time of log10 tool complexity."""
    names = TEMPO_NAMES
    s = series_of(gens, "tool_complexity")
    if s is None:
        return dict.fromkeys(names, nan_because("tool_complexity not recorded"))
    t, c = s
    times, why = transit(t, log_complexity(c), TEMPO_FRACS, LOG_RISE, "log10 tool_complexity")
    if times is None:
        return dict.fromkeys(names, nan_because(why))
    t10, t90 = times
    if starts_early(t, c, t10):
        return dict.fromkeys(names, nan_because("the rise starts in the first 10 % of the window "
                                         "(relaxation from the initial state)"))
    g = t90 - t10
    note = f"t10 {t10:g}, t90 {t90:g}"
    return {names[0]: Measured(g, note),
            **{n: Measured(g * y, note) for n, y in zip(names[1:], YEARS_PER_GENERATION,
                                                      strict=True)}}

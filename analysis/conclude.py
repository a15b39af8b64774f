"""The report's plain statement about the question, derived from the numbers only.

Input: the per-scenario table (``conditions.conditions_table`` with keys ["scenario"], pooled over
any varied parameters) and, when available, the per-scenario order of events
(``order.summarize_lags``). Each scenario's archetype (coevolution, fixed_low, fixed_high,
demography, associative, ...) comes from the account and role its file declares, carried by the
runs table (``analysis.roles``, one table, no guessing from names); an archetype claimed by two
scenarios is used by neither, and the statement names them. Rules, all our assumptions:

* Two burst probabilities differ when Newcombe's 95 % interval of their difference excludes 0;
  otherwise the statement is "no detectable difference" with the interval.
* Mirror strength has a causal effect on culture when fixed_high bursts more often than
  fixed_low, or when its net rise is higher (bootstrap 95 % intervals of the median rise do not
  overlap): with a strong mirror from the start culture may rise at once, which is an effect of
  mirror strength but, by definition, no burst. Whether a *rise* in mirror strength caused a burst
  then rests on coevolution against fixed_low and on the order of events.
* Statements are worded from the intervals: where the 95 % interval of a difference includes 0,
  the statement is "no detectable difference" with that interval, never that one account
  "explains it as well" (a wide interval is no evidence of equality). Demography does not single
  out the mirror when it does not burst less often than coevolution.
* The order of events (runs whose metric shows a burst or a take-off, ``order.py``) is the
  ``order`` verdict of mirror_mean against the same metric in the coevolution scenario (or every
  scenario with lags when there is no coevolution scenario). With fewer than 6 lags there is no
  95 % interval of the median lag, so the order is stated as not resolved (too few runs).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from analysis.bursts import MIN_POINTS
from analysis.material import MINIMUM_RISE, is_material
from analysis.order import MIN_RUNS, TOO_FEW
from analysis.stats import diff_proportions_ci

PATTERNS = ("takeoff", "spike", "transient", "gradual", "immaterial", "flat", "decline")


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def _rate(row: dict) -> str:
    return (f"{row['n_burst']} of {row['n_runs']} runs (p = {row['p_burst']:.2f}, "
            f"95 % CI {row['p_lo']:.2f}-{row['p_hi']:.2f})")


def compare(a: dict, b: dict) -> tuple[str, str]:
    """('higher' | 'lower' | 'same', 'difference d, 95 % CI lo to hi') for the rate of a vs b."""
    d, lo, hi = diff_proportions_ci(a["n_burst"], a["n_runs"], b["n_burst"], b["n_runs"])
    text = f"difference {d:+.2f}, 95 % CI {lo:+.2f} to {hi:+.2f}"
    if lo > 0:
        return "higher", text
    if hi < 0:
        return "lower", text
    return "same", text


def compare_levels(a: dict, b: dict, metric: str | None = None) -> tuple[str, str]:
    """('higher' | 'lower' | 'same', text): the final level of a against b.

    Each is the median over runs of the run's final level (mean of its last 10 % of rows) with a
    bootstrap 95 % interval; the net rise stands in when a table has no final levels. 'higher'
    (or 'lower') needs intervals that do not overlap and a difference that is material on the
    metric's scale (``analysis.material``): a strong mirror that lifts gesture success from 0 to
    0.02 does not "raise it far above".
    """
    key = "final" if not math.isnan(a.get("final_lo", math.nan)) else "rise"
    what = "median final level" if key == "final" else "median net rise"
    if any(math.isnan(x[f"{key}_{k}"]) for x in (a, b) for k in ("lo", "hi")):
        return "same", f"{what} not available"
    text = (f"{what} {a[f'{key}_median']:.3g} (95 % CI {a[f'{key}_lo']:.3g} to "
            f"{a[f'{key}_hi']:.3g}) against {b[f'{key}_median']:.3g} ({b[f'{key}_lo']:.3g} to "
            f"{b[f'{key}_hi']:.3g})")
    hi, lo = (a, b) if a[f"{key}_median"] >= b[f"{key}_median"] else (b, a)
    material = key == "rise" or is_material(metric, lo["final_median"],
                                            hi["final_median"] - lo["final_median"])
    if a[f"{key}_lo"] > b[f"{key}_hi"] and material:
        return "higher", text
    if a[f"{key}_hi"] < b[f"{key}_lo"] and material:
        return "lower", text
    return "same", text + ("" if material else ", a difference too small to matter on its scale")


def _order_sentence(lags: pl.DataFrame | None, metric: str, scenario: str | None) -> str | None:
    if lags is None or lags.height == 0:
        return None
    rows = lags.filter((pl.col("mirror_metric") == "mirror_mean")
                       & (pl.col("culture_metric") == metric))
    if scenario is not None:
        rows = rows.filter(pl.col("scenario") == scenario)
    sentences = []
    for row in rows.iter_rows(named=True):
        where = f"In {row['scenario']}"
        if row["n_lag"] == 0:
            sentences.append(f"{where}, mirror_mean did not rise in any of the "
                             f"{row['n_bursts']} runs with a cultural rise, so no order can be measured.")
            continue
        if row["order"] == TOO_FEW or math.isnan(row["lag_mid_lo"]):
            sentences.append(
                f"{where}, the order of mirror rise and cultural rise is not resolved: "
                f"{row['n_lag']} run(s) with a lag (median {row['lag_mid_median']:+.0f} "
                f"generations at half-rise) are too few for a 95 % interval of the median (at "
                f"least {MIN_RUNS} needed).")
            continue
        lag = (f"median lag {row['lag_mid_median']:+.0f} generations at half-rise, 95 % CI "
               f"{row['lag_mid_lo']:+.0f} to {row['lag_mid_hi']:+.0f}, {row['n_lag']} runs")
        verdict = {"mirror leads": "the rise in mirror strength leads the cultural rise",
                   "mirror follows": "the rise in mirror strength follows the cultural rise",
                   }.get(row["order"], "the order of mirror rise and cultural rise is not "
                                        "resolved (the interval includes 0)")
        sentences.append(f"{where}, {verdict} ({lag}; mirror first in "
                         f"{_pct(row['share_mirror_leads'])} of runs).")
    return " ".join(sentences) if sentences else None


@dataclass(frozen=True)
class Wording:
    """How the statements name the event: a burst, or a take-off (a burst or a threshold onset)."""

    noun: str  # "burst" | "take-off"
    verb: str  # "bursts" | "takes off"


WORDINGS = {"burst": Wording("burst", "bursts"), "takeoff": Wording("take-off", "takes off")}


def conclusions(
    scenarios: pl.DataFrame, lags: pl.DataFrame | None = None, metric: str = "tool_complexity",
    event: str = "burst", roles: Mapping[str, str | None] | None = None,
) -> list[str]:
    """Paragraphs stating what the per-scenario table says about ``metric`` (module docstring).

    ``event`` "burst" reads the burst columns; "takeoff" reads the take-off columns (a burst or a
    threshold-like onset, ``bursts.detect_burst``) and says "take-off" instead of "burst".
    ``roles`` maps scenarios to archetypes (``roles.scenario_archetypes``); a scenario it lacks
    plays no part in the comparisons.
    Each comparison is one function below; this one picks the rows and strings them together.
    """
    w = WORDINGS[event]
    rows = scenarios.filter(pl.col("metric") == metric).to_dicts() if scenarios.height else []
    if event == "takeoff":
        rows = [{**r, "n_burst": r["n_takeoff"], "p_burst": r["p_takeoff"],
                 "p_lo": r["p_takeoff_lo"], "p_hi": r["p_takeoff_hi"],
                 "onset_median": r["takeoff_onset_median"]} for r in rows]
    if not rows:
        return [f"{metric} is not in these tables, so nothing can be said about its {w.noun}s."]
    rows = [r for r in rows if r["n_runs"] > 0]
    if not rows:
        return [f"Every {metric} series is too short to judge (fewer than {MIN_POINTS} recorded "
                f"points), so nothing can be said about its {w.noun}s."]
    if sum(r["n_runs"] for r in rows) == 1:
        return _single_run(rows[0], lags, metric, w)
    out = [f"{w.noun.capitalize()} probability of " + metric + ": " + "; ".join(
        f"{r['scenario']} {_rate(r)}" for r in rows) + "."]
    if not any(r["n_burst"] for r in rows):
        return out + _no_event(rows, metric, event, w)
    named = {r["scenario"]: (roles or {}).get(r["scenario"]) for r in rows}
    by_role, clashes = _by_role(rows, named)
    low, high, coev = (by_role.get(k) for k in ("fixed_low", "fixed_high", "coevolution"))
    mirror_effect, said = _mirror_controls(low, high, metric, w)
    out += [*clashes, said]
    if coev and low:
        out.append(_against_the_low_control(coev, low, w))
    demo_as_well = None
    for account in ACCOUNT_NAMES:
        if by_role.get(account) and coev:
            cmp, text, sentence = _account_against_coevolution(
                account, by_role[account], coev, w, metric)
            out.append(sentence)
            if account == "demography":
                demo_as_well = (cmp, text) if cmp != "lower" else False
    order = _order_sentence(lags, metric, coev["scenario"] if coev else None)
    if order:
        out.append(order)
    out.append(_verdict(mirror_effect, demo_as_well, lags, metric, coev, w.noun, w.verb))
    return out


def _single_run(row: dict, lags: pl.DataFrame | None, metric: str, w: Wording) -> list[str]:
    """One run: what it shows, and that one run cannot estimate a probability."""
    what = (f"shows a {w.noun} in {metric} starting at generation {row['onset_median']:.0f}"
            if row["n_burst"] else f"shows no {w.noun} in {metric} (pattern: "
            + ", ".join(p for p in PATTERNS if row.get(f"n_{p}")) + ")")
    out = [f"This single run of {row['scenario']} {what}. One run cannot estimate how often a "
           f"{w.noun} happens, nor compare accounts: run a sweep with many seeds and the "
           "accounts' controls."]
    order = _order_sentence(lags, metric, None)
    return [*out, order] if order else out


def _no_event(rows: list[dict], metric: str, event: str, w: Wording) -> list[str]:
    """No run shows the event: the bound on its probability, and what the runs did instead."""
    total = sum(r["n_runs"] for r in rows)
    gradual = sum(r["n_gradual"] for r in rows)
    takeoffs = sum(r.get("n_takeoff", 0) for r in rows) if event == "burst" else 0
    lo_hi = max(r["p_hi"] for r in rows)
    immaterial = sum(r.get("n_immaterial", 0) for r in rows)
    first = (f"No {w.noun}: none of the {total} runs shows a {w.noun} in {metric} (the upper 95 % "
             f"bound of the {w.noun} probability is at most {lo_hi:.2f} in every scenario); "
             f"{gradual} runs grew gradually from the start"
             + (f"; {immaterial} rose against their noise by less than the material "
                f"minimum ({MINIMUM_RISE[metric].describe()}), too little to count"
                if immaterial and metric in MINIMUM_RISE else "") + ".")
    second = (f"{takeoffs} runs show a take-off (a threshold-like onset followed by growth "
              "that is not concentrated enough to be a burst): see the take-off statements."
              if takeoffs else
              f"These data give no support to a mirror-caused {w.noun}; they fit gradual "
              "accumulation or no take-off at all.")
    return [first, second]


def _mirror_controls(low: dict | None, high: dict | None, metric: str,
                     w: Wording) -> tuple[str | bool | None, str]:
    """Mirror fixed high against fixed low: (effect "burst" | "level" | False | None, sentence)."""
    n, v = w.noun, w.verb
    if not (low and high):
        return None, ("The mirror controls (fixed low and fixed high) are not both present, so "
                      "these data cannot separate a causal effect of mirror strength from a "
                      "correlation.")
    cmp, text = compare(high, low)
    level, level_text = compare_levels(high, low, metric) if "rise_lo" in high else ("same", "")
    if cmp == "higher":
        return "burst", (f"Fixing the mirror high {v} more often than fixing it low ({text}): "
                         f"mirror strength has a causal effect on the {n} in this model.")
    if level == "higher":
        return "level", (f"Fixing the mirror high raises {metric} far above fixing it low "
                         f"({level_text}), though not by a {n} ({text}): with a strong mirror "
                         "from the start culture rises at once. Mirror strength controls culture "
                         f"in this model; whether a rise in mirror strength caused a {n} rests "
                         "on coevolution against fixed_low and on the order of events below.")
    if cmp == "lower":
        return False, (f"Fixing the mirror high {v} less often than fixing it low ({text}): a "
                       f"stronger mirror system does not produce the {n} here.")
    return False, (f"No detectable difference between mirror fixed high and fixed low ({text}"
                   + (f"; {level_text}" if level_text else "") + "): these data give no "
                   f"evidence that mirror strength controls {metric}.")


def _against_the_low_control(coev: dict, low: dict, w: Wording) -> str:
    """Coevolution against the control with mirror strength held low."""
    cmp, text = compare(coev, low)
    return {"higher": f"Coevolution {w.verb} more often than the fixed_low control ({text}).",
            "lower": f"Coevolution {w.verb} less often than the fixed_low control ({text}).",
            "same": f"No detectable difference between coevolution and the fixed_low control in "
                    f"{w.noun} probability ({text})."}[cmp]


ACCOUNT_NAMES = {"genetic_upgrade": "a single large-effect mirror allele",
                 "demography": "demography alone",
                 "associative": "associative (learned) mirroring",
                 "nongenetic": "the combined non-genetic account",
                 "gradual": "gradual accumulation"}
ACCOUNT_HIGHER = {"genetic_upgrade": "a sudden genetic upgrade beats gradual genetic coevolution",
                  "demography": "a mirror upgrade is not needed for the {n} in this model",
                  "associative": "no genetic change is needed",
                  "nongenetic": "no genetic change is needed",
                  "gradual": "no single cause is needed"}


def _account_against_coevolution(account: str, row: dict, coev: dict, w: Wording,
                                 metric: str | None = None) -> tuple[str, str, str]:
    """Another account against genetic coevolution: (comparison, interval text, sentence).

    An account with fewer bursts but a final level as high reached the same culture without a
    burst (at once, or slowly): the sentence says so, so that "less often" is not read as "not".
    """
    cmp, text = compare(row, coev)
    name = ACCOUNT_NAMES[account]
    target = "genetic coevolution" if account == "associative" else "coevolution"
    sentence = {
        "higher": f"{name.capitalize()} {w.verb} more often than {target} ({text}): "
                  + ACCOUNT_HIGHER[account].format(n=w.noun) + ".",
        "same": f"No detectable difference between {name} and {target} in {w.noun} "
                f"probability ({text}).",
        "lower": f"{name.capitalize()} {w.verb} less often than {target} ({text}).",
    }[cmp]
    levels = ("final_median", "final_lo", "final_hi")
    if cmp != "lower" or not all(k in x and not math.isnan(x[k]) for x in (row, coev) for k in levels):
        return cmp, text, sentence  # no final levels: compare_levels would judge the net rise
    level, level_text = compare_levels(row, coev, metric)
    if level != "lower" and "not available" not in level_text:
        sentence = (sentence[:-1] + f", yet its final level is {'higher' if level == 'higher' else 'as high'}"
                    f" ({level_text}): the same culture came without a {w.noun} in the judged "
                    "window, at once or slowly (the signature leap_generation dates it).")
    return cmp, text, sentence


def _by_role(rows: list[dict], named: Mapping[str, str | None]) -> tuple[dict[str, dict], list[str]]:
    """The row of each role that exactly one scenario has, and a sentence per role claimed twice.

    A role two scenarios claim is left out (picking one would compare an arbitrary one), so the
    comparisons that need it are not drawn and the report names both scenarios instead.
    """
    claims: dict[str, list[dict]] = {}
    for r in rows:
        if named[r["scenario"]] is not None:
            claims.setdefault(named[r["scenario"]], []).append(r)
    notes = [f"Scenarios {', '.join(r['scenario'] for r in claimed)} all have the role {name}; "
             "the comparisons that need it are not drawn (declare one of them a variant)."
             for name, claimed in claims.items() if len(claimed) > 1]
    return {name: claimed[0] for name, claimed in claims.items() if len(claimed) == 1}, notes


def _verdict(
    mirror_effect: str | bool | None, demo_as_well: tuple[str, str] | bool | None,
    lags: pl.DataFrame | None,
    metric: str, coev: dict | None, n: str = "burst", v: str = "bursts",
) -> str:
    leads = None
    if lags is not None and lags.height and coev is not None:
        row = lags.filter((pl.col("scenario") == coev["scenario"])
                          & (pl.col("mirror_metric") == "mirror_mean")
                          & (pl.col("culture_metric") == metric))
        if row.height and not math.isnan(row["lag_mid_median"][0]):
            leads = row["order"][0]
    if mirror_effect is None:
        return ("Verdict: undetermined. Without both mirror controls the data cannot say whether a "
                f"stronger mirror system caused the {n}.")
    if not mirror_effect:
        return ("Verdict: these data do not support the claim that a stronger mirror system caused "
                f"the {n}.")
    parts = [f"Verdict: mirror strength raises the chance of a {n}" if mirror_effect == "burst"
             else f"Verdict: mirror strength controls {metric} in this model"]
    if leads == "mirror leads":
        parts.append(f"and its rise precedes the {n}, as a causal account predicts")
    elif leads == "mirror follows":
        parts.append(f"but in coevolution its rise follows the {n}, so culture drives the mirror "
                     "at least as much as the reverse")
    elif leads == TOO_FEW:
        parts.append("but the order of events in coevolution is not resolved (too few runs with "
                     "a lag)")
    else:
        parts.append("but the order of events in coevolution is not resolved")
    if isinstance(demo_as_well, tuple):
        cmp, text = demo_as_well
        parts.append(f"; demography alone {v} more often than coevolution ({text}), so the "
                     "mirror is not the only route" if cmp == "higher" else
                     f"; no detectable difference between demography alone and coevolution "
                     f"({text}), so these data do not single out the mirror")
    elif demo_as_well is False:
        parts.append(f"; demography alone {v} less often")
    return " ".join(parts).replace(" ;", ";") + "."

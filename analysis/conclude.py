"""The report's plain statement about the question, decided from the numbers only.

``findings`` returns the statements as ``findings.Finding`` values (what is compared, the
verdict, the interval); ``analysis.wording`` words them and ``conclusions`` returns the words.

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
from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from analysis.bursts import MIN_POINTS
from analysis.findings import Difference, Finding, Levels
from analysis.material import is_material
from analysis.order import TOO_FEW
from analysis.stats import diff_medians_ci, diff_proportions_ci, tost_proportions
from analysis.wording import ACCOUNT_NAMES, difference, levels, word

PATTERNS = ("takeoff", "spike", "transient", "gradual", "immaterial", "flat", "decline")


#: Burst probabilities within this many (0.20: 20 percentage points) are "as often" when the two
#: one-sided tests show it (our margin, stated before the runs: the smallest difference in a
#: propensity to leap that would set two accounts apart).
EQUIVALENCE_MARGIN = 0.2


def rate_difference(a: dict, b: dict) -> Difference:
    """The burst rate of a minus that of b: Newcombe's 95 % interval and the TOST p-value."""
    counts = (a["n_burst"], a["n_runs"], b["n_burst"], b["n_runs"])
    _, p = tost_proportions(*counts, margin=EQUIVALENCE_MARGIN)
    return Difference(*diff_proportions_ci(*counts), tost_p=p, margin=EQUIVALENCE_MARGIN)


def compare(a: dict, b: dict) -> tuple[str, str]:
    """('higher' | 'lower' | 'same', 'difference d, 95 % CI lo to hi') for the rate of a vs b."""
    d = rate_difference(a, b)
    return d.verdict, difference(d)


def level_comparison(a: dict, b: dict, metric: str | None = None) -> Levels:
    """The final level of a against b (``compare_levels``), as a value."""
    key = "final" if not math.isnan(a.get("final_lo", math.nan)) else "rise"
    what = "median final level" if key == "final" else "median net rise"
    if any(math.isnan(x[f"{key}_{k}"]) for x in (a, b) for k in ("lo", "hi")):
        return Levels("same", what, available=False)
    a3, b3 = (tuple(float(x[f"{key}_{k}"]) for k in ("median", "lo", "hi")) for x in (a, b))
    hi, lo = (a, b) if a[f"{key}_median"] >= b[f"{key}_median"] else (b, a)
    material = key == "rise" or is_material(metric, lo["final_median"],
                                            hi["final_median"] - lo["final_median"])
    verdict = ("higher" if a[f"{key}_lo"] > b[f"{key}_hi"] and material
               else "lower" if a[f"{key}_hi"] < b[f"{key}_lo"] and material else "same")
    return Levels(verdict, what, a3, b3, material)  # type: ignore[arg-type]


def compare_levels(a: dict, b: dict, metric: str | None = None) -> tuple[str, str]:
    """('higher' | 'lower' | 'same', text): the final level of a against b.

    Each is the median over runs of the run's final level (mean of its last 10 % of rows) with a
    bootstrap 95 % interval; the net rise stands in when a table has no final levels. 'higher'
    (or 'lower') needs intervals that do not overlap and a difference that is material on the
    metric's scale (``analysis.material``): a strong mirror that lifts gesture success from 0 to
    0.02 does not "raise it far above".
    """
    x = level_comparison(a, b, metric)
    return x.verdict, levels(x)


def order_finding(lags: pl.DataFrame | None, metric: str, scenario: str | None,
                  event: str = "burst") -> Finding | None:
    """The order of mirror rise and cultural rise per scenario (one row each), or None."""
    if lags is None or lags.height == 0:
        return None
    rows = lags.filter((pl.col("mirror_metric") == "mirror_mean")
                       & (pl.col("culture_metric") == metric))
    if scenario is not None:
        rows = rows.filter(pl.col("scenario") == scenario)
    out = []
    for row in rows.iter_rows(named=True):
        verdict = ("no rise" if row["n_lag"] == 0
                   else TOO_FEW if row["order"] == TOO_FEW or math.isnan(row["lag_mid_lo"])
                   else row["order"])
        out.append({"scenario": row["scenario"], "verdict": verdict, "n_lag": row["n_lag"],
                    "n_bursts": row["n_bursts"], "median": row["lag_mid_median"],
                    "lo": row["lag_mid_lo"], "hi": row["lag_mid_hi"],
                    "share": row["share_mirror_leads"]})
    if not out:
        return None
    return Finding("order", out[0]["verdict"], metric, event, tuple(r["scenario"] for r in out),
                   {"rows": out})


def _order_sentence(lags: pl.DataFrame | None, metric: str, scenario: str | None) -> str | None:
    found = order_finding(lags, metric, scenario)
    return None if found is None else word(found)


def conclusions(
    scenarios: pl.DataFrame, lags: pl.DataFrame | None = None, metric: str = "tool_complexity",
    event: str = "burst", roles: Mapping[str, str | None] | None = None,
    contrasts: Sequence[tuple[str, str]] = (), finals: Mapping[str, Sequence[float]] | None = None,
) -> list[str]:
    """Paragraphs stating what the per-scenario table says about ``metric``: ``findings`` worded."""
    return [word(f) for f in findings(scenarios, lags, metric, event, roles, contrasts, finals)]


def findings(
    scenarios: pl.DataFrame, lags: pl.DataFrame | None = None, metric: str = "tool_complexity",
    event: str = "burst", roles: Mapping[str, str | None] | None = None,
    contrasts: Sequence[tuple[str, str]] = (), finals: Mapping[str, Sequence[float]] | None = None,
) -> list[Finding]:
    """What the per-scenario table says about ``metric`` (module docstring), one finding each.

    ``event`` "burst" reads the burst columns; "takeoff" reads the take-off columns (a burst or a
    threshold-like onset, ``bursts.detect_burst``). ``roles`` maps scenarios to archetypes
    (``roles.scenario_archetypes``); a scenario it lacks plays no part in the comparisons.
    ``contrasts`` (scenario, control) are the comparisons the user asks for (``analysis.steer``),
    on the event's probability and on the final level (``finals``: each scenario's per-run final
    levels of ``metric``); when the mirror controls are not both present they replace the
    mirror's verdict, which those data cannot give.
    Each comparison is one function below; this one picks the rows and strings them together.
    """
    rows = scenarios.filter(pl.col("metric") == metric).to_dicts() if scenarios.height else []
    if event == "takeoff":
        rows = [{**r, "n_burst": r["n_takeoff"], "p_burst": r["p_takeoff"],
                 "p_lo": r["p_takeoff_lo"], "p_hi": r["p_takeoff_hi"],
                 "onset_median": r["takeoff_onset_median"]} for r in rows]
    if not rows:
        return [Finding("absent", None, metric, event)]
    rows = [r for r in rows if r["n_runs"] > 0]
    if not rows:
        return [Finding("too_short", None, metric, event, data={"min_points": MIN_POINTS})]
    if sum(r["n_runs"] for r in rows) == 1:
        return _single_run(rows[0], lags, metric, event)
    out = [Finding("rates", None, metric, event, tuple(r["scenario"] for r in rows),
                   {"rows": [(r["scenario"], r["n_burst"], r["n_runs"], r["p_burst"], r["p_lo"],
                              r["p_hi"]) for r in rows]})]
    asked = contrast_findings(rows, contrasts, finals or {}, metric, event)
    if not any(r["n_burst"] for r in rows):
        return out + asked + _no_event(rows, metric, event)
    named = {r["scenario"]: (roles or {}).get(r["scenario"]) for r in rows}
    by_role, clashes = _by_role(rows, named, metric, event)
    low, high, coev = (by_role.get(k) for k in ("fixed_low", "fixed_high", "coevolution"))
    controls = _mirror_controls(low, high, metric, event)
    if controls.verdict == "missing" and asked:  # the question asked is not the mirror's
        order = order_finding(lags, metric, coev["scenario"] if coev else None, event)
        return [*out, *clashes, *asked, *([order] if order else [])]
    out += [*clashes, controls, *asked]
    if coev and low:
        d = rate_difference(coev, low)
        out.append(Finding("against_low_control", d.verdict, metric, event,
                           (coev["scenario"], low["scenario"]), {"difference": d}))
    demo: Finding | None = None
    for account in ACCOUNT_NAMES:
        if by_role.get(account) and coev:
            found = _account_against_coevolution(account, by_role[account], coev, metric, event)
            out.append(found)
            if account == "demography":
                demo = found
    order = order_finding(lags, metric, coev["scenario"] if coev else None, event)
    if order:
        out.append(order)
    out.append(_verdict(controls.verdict, demo, lags, metric, coev, event))
    return out


def contrast_findings(
    rows: list[dict], pairs: Sequence[tuple[str, str]], finals: Mapping[str, Sequence[float]],
    metric: str, event: str,
) -> list[Finding]:
    """For each (scenario, control): the event's probability and the median final level.

    Verdict "higher" | "lower" | "same" (the 95 % interval includes 0), "too few" (no
    interval: a side without runs or final levels) or, for a level, "immaterial" (the interval
    excludes 0 but the difference is below the metric's material minimum, ``analysis.material``).
    """
    by = {r["scenario"]: r for r in rows}
    out = []
    for a, b in pairs:
        if a not in by or b not in by:
            continue
        d = rate_difference(by[a], by[b])
        out.append(Finding("contrast", "too few" if math.isnan(d.lo) else d.verdict, metric, event,
                           (a, b), {"outcome": "probability", "difference": d,
                                    "n_a": by[a]["n_runs"], "n_b": by[b]["n_runs"]}))
        if a in finals and b in finals:
            fa, fb = finals[a], finals[b]
            level = Difference(*diff_medians_ci(fa, fb))
            verdict = "too few" if math.isnan(level.lo) else level.verdict
            low = min(float(np.median(fa)), float(np.median(fb))) if len(fa) and len(fb) else 0.0
            if verdict in ("higher", "lower") and not is_material(metric, low, abs(level.d)):
                verdict = "immaterial"  # clear, but too small to matter on the metric's scale
            out.append(Finding("contrast", verdict, metric, event, (a, b),
                               {"outcome": "final level", "difference": level,
                                "n_a": len(fa), "n_b": len(fb)}))
    return out


def _single_run(row: dict, lags: pl.DataFrame | None, metric: str, event: str) -> list[Finding]:
    """One run: what it shows, and that one run cannot estimate a probability."""
    out = [Finding("single_run", "event" if row["n_burst"] else "none", metric, event,
                   (row["scenario"],), {"onset": row["onset_median"],
                                        "patterns": [p for p in PATTERNS if row.get(f"n_{p}")]})]
    order = order_finding(lags, metric, None, event)
    return [*out, order] if order else out


def _no_event(rows: list[dict], metric: str, event: str) -> list[Finding]:
    """No run shows the event: the bound on its probability, and what the runs did instead."""
    takeoffs = sum(r.get("n_takeoff", 0) for r in rows) if event == "burst" else 0
    first = Finding("no_event", "none", metric, event, tuple(r["scenario"] for r in rows),
                    {"total": sum(r["n_runs"] for r in rows),
                     "gradual": sum(r["n_gradual"] for r in rows),
                     "upper": max(r["p_hi"] for r in rows),
                     "immaterial": sum(r.get("n_immaterial", 0) for r in rows)})
    second = Finding("instead", "takeoffs" if takeoffs else "none", metric, event,
                     data={"takeoffs": takeoffs})
    return [first, second]


def _mirror_controls(low: dict | None, high: dict | None, metric: str, event: str) -> Finding:
    """Mirror fixed high against fixed low: verdict "burst" | "level" | "lower" | "same" | "missing".

    "burst" and "level" are a causal effect of mirror strength (on the event, on the level).
    """
    if not (low and high):
        return Finding("mirror_controls", "missing", metric, event)
    d = rate_difference(high, low)
    level = level_comparison(high, low, metric) if "rise_lo" in high else None
    verdict = ("burst" if d.verdict == "higher"
               else "level" if level is not None and level.verdict == "higher"
               else "lower" if d.verdict == "lower" else "same")
    return Finding("mirror_controls", verdict, metric, event, (high["scenario"], low["scenario"]),
                   {"difference": d, "levels": level})


def _account_against_coevolution(account: str, row: dict, coev: dict, metric: str,
                                 event: str) -> Finding:
    """Another account against genetic coevolution: the verdict on the rate, and the culture.

    An account with fewer bursts but a final level as high reached the same culture without a
    burst (at once, or slowly): ``same_culture`` holds that comparison, so that "less often" is
    not read as "not".
    """
    d = rate_difference(row, coev)
    data: dict[str, object] = {"account": account, "difference": d}
    keys = ("final_median", "final_lo", "final_hi")
    if d.verdict == "lower" and all(k in x and not math.isnan(x[k]) for x in (row, coev)
                                    for k in keys):
        level = level_comparison(row, coev, metric)
        if level.verdict != "lower" and level.available:
            data["same_culture"] = level
    return Finding("account", d.verdict, metric, event, (row["scenario"], coev["scenario"]), data)


def _by_role(rows: list[dict], named: Mapping[str, str | None], metric: str,
             event: str) -> tuple[dict[str, dict], list[Finding]]:
    """The row of each archetype that exactly one scenario has, and a finding per shared one.

    An archetype two scenarios claim is left out (picking one would compare an arbitrary one), so
    the comparisons that need it are not drawn and the report names both scenarios instead.
    """
    claims: dict[str, list[dict]] = {}
    for r in rows:
        if named[r["scenario"]] is not None:
            claims.setdefault(named[r["scenario"]], []).append(r)  # type: ignore[arg-type]
    notes = [Finding("shared_archetype", None, metric, event,
                     tuple(r["scenario"] for r in claimed), {"archetype": name})
             for name, claimed in claims.items() if len(claimed) > 1]
    return {name: claimed[0] for name, claimed in claims.items() if len(claimed) == 1}, notes


def _verdict(
    mirror_effect: str | None, demo: Finding | None, lags: pl.DataFrame | None, metric: str,
    coev: dict | None, event: str = "burst",
) -> Finding:
    """The verdict on the question: "undetermined" | "unsupported" | "burst" | "level".

    ``data`` holds the order of events in coevolution and how demography alone compares.
    """
    leads = None
    if lags is not None and lags.height and coev is not None:
        row = lags.filter((pl.col("scenario") == coev["scenario"])
                          & (pl.col("mirror_metric") == "mirror_mean")
                          & (pl.col("culture_metric") == metric))
        if row.height and not math.isnan(row["lag_mid_median"][0]):
            leads = row["order"][0]
    verdict = {"missing": "undetermined", "burst": "burst", "level": "level"}.get(
        mirror_effect or "missing", "unsupported")
    data: dict[str, object] = {"order": leads}
    if demo is not None:
        data |= {"demography": demo.verdict, "demography_difference": demo.data["difference"]}
    return Finding("verdict", verdict, metric, event, data=data)

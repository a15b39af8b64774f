"""The words of the report's statements: every ``conclude.Finding`` worded in one place.

``conclude`` decides (which scenarios differ, in which direction, with which interval) and returns
``findings.Finding`` values; this module turns each into a sentence. Tests assert the findings; the words
can change here without touching a decision.
"""

from __future__ import annotations

from collections.abc import Callable

from analysis.findings import WORDINGS, Difference, Finding, Levels, Wording
from analysis.material import MINIMUM_RISE
from analysis.order import MIN_RUNS, TOO_FEW

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


def difference(d: Difference) -> str:
    """'difference +0.12, 95 % CI +0.02 to +0.22', and the equivalence test where one was run."""
    text = f"difference {d.d:+.2f}, 95 % CI {d.lo:+.2f} to {d.hi:+.2f}"
    if d.verdict != "same" or d.tost_p != d.tost_p:  # nan: no equivalence test
        return text
    if d.equivalent:
        return text + f"; equivalent within +/-{d.margin:.2f}, TOST p = {d.tost_p:.3f}"
    return text + f"; not shown equivalent within +/-{d.margin:.2f}, TOST p = {d.tost_p:.2f}"


def levels(x: Levels) -> str:
    """The two medians with their intervals, or why they are not available."""
    if not x.available:
        return f"{x.what} not available"
    (am, alo, ahi), (bm, blo, bhi) = x.a, x.b
    text = (f"{x.what} {am:.3g} (95 % CI {alo:.3g} to {ahi:.3g}) against {bm:.3g} ({blo:.3g} "
            f"to {bhi:.3g})")
    return text + ("" if x.material else ", a difference too small to matter on its scale")


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def _absent(f: Finding, w: Wording) -> str:
    return f"{f.metric} is not in these tables, so nothing can be said about its {w.noun}s."


def _too_short(f: Finding, w: Wording) -> str:
    return (f"Every {f.metric} series is too short to judge (fewer than {f.data['min_points']} "
            f"recorded points), so nothing can be said about its {w.noun}s.")


def _single_run(f: Finding, w: Wording) -> str:
    what = (f"shows a {w.noun} in {f.metric} starting at generation {f.data['onset']:.0f}"
            if f.verdict == "event" else f"shows no {w.noun} in {f.metric} (pattern: "
            + ", ".join(f.data["patterns"]) + ")")
    return (f"This single run of {f.scenarios[0]} {what}. One run cannot estimate how often a "
            f"{w.noun} happens, nor compare accounts: run a sweep with many seeds and the "
            "accounts' controls.")


def _rates(f: Finding, w: Wording) -> str:
    return f"{w.noun.capitalize()} probability of " + f.metric + ": " + "; ".join(
        f"{s} {k} of {n} runs (p = {p:.2f}, 95 % CI {lo:.2f}-{hi:.2f})"
        for s, k, n, p, lo, hi in f.data["rows"]) + "."


def _no_event(f: Finding, w: Wording) -> str:
    d = f.data
    return (f"No {w.noun}: none of the {d['total']} runs shows a {w.noun} in {f.metric} (the "
            f"upper 95 % bound of the {w.noun} probability is at most {d['upper']:.2f} in every "
            f"scenario); {d['gradual']} runs grew gradually from the start"
            + (f"; {d['immaterial']} rose against their noise by less than the material "
               f"minimum ({MINIMUM_RISE[f.metric].describe()}), too little to count"
               if d["immaterial"] and f.metric in MINIMUM_RISE else "") + ".")


def _instead(f: Finding, w: Wording) -> str:
    if f.verdict == "takeoffs":
        return (f"{f.data['takeoffs']} runs show a take-off (a threshold-like onset followed by "
                "growth that is not concentrated enough to be a burst): see the take-off "
                "statements.")
    return (f"These data give no support to a mirror-caused {w.noun}; they fit gradual "
            "accumulation or no take-off at all.")


def _shared(f: Finding, w: Wording) -> str:
    return (f"Scenarios {', '.join(f.scenarios)} all have the archetype {f.data['archetype']}; "
            "the comparisons that need it are not drawn (declare one of them a variant).")


def _mirror_controls(f: Finding, w: Wording) -> str:
    n, v = w.noun, w.verb
    if f.verdict == "missing":
        return ("The mirror controls (fixed low and fixed high) are not both present, so these "
                "data cannot separate a causal effect of mirror strength from a correlation.")
    text = difference(f.data["difference"])
    level = f.data["levels"]
    if f.verdict == "burst":
        return (f"Fixing the mirror high {v} more often than fixing it low ({text}): mirror "
                f"strength has a causal effect on the {n} in this model.")
    if f.verdict == "level":
        return (f"Fixing the mirror high raises {f.metric} far above fixing it low "
                f"({levels(level)}), though not by a {n} ({text}): with a strong mirror from the "
                "start culture rises at once. Mirror strength controls culture in this model; "
                f"whether a rise in mirror strength caused a {n} rests on coevolution against "
                "fixed_low and on the order of events below.")
    if f.verdict == "lower":
        return (f"Fixing the mirror high {v} less often than fixing it low ({text}): a stronger "
                f"mirror system does not produce the {n} here.")
    return (f"No detectable difference between mirror fixed high and fixed low ({text}"
            + (f"; {levels(level)}" if level is not None else "") + "): these data give no "
            f"evidence that mirror strength controls {f.metric}.")


def _against_low(f: Finding, w: Wording) -> str:
    text = difference(f.data["difference"])
    return {"higher": f"Coevolution {w.verb} more often than the fixed_low control ({text}).",
            "lower": f"Coevolution {w.verb} less often than the fixed_low control ({text}).",
            "same": f"No detectable difference between coevolution and the fixed_low control in "
                    f"{w.noun} probability ({text})."}[f.verdict]


def _account(f: Finding, w: Wording) -> str:
    account = f.data["account"]
    text = difference(f.data["difference"])
    name = ACCOUNT_NAMES[account]
    target = "genetic coevolution" if account == "associative" else "coevolution"
    sentence = {
        "higher": f"{name.capitalize()} {w.verb} more often than {target} ({text}): "
                  + ACCOUNT_HIGHER[account].format(n=w.noun) + ".",
        "same": (f"{name.capitalize()} {w.verb} as often as {target} ({text})."
                 if f.data["difference"].equivalent else
                 f"No detectable difference between {name} and {target} in {w.noun} "
                 f"probability ({text})."),
        "lower": f"{name.capitalize()} {w.verb} less often than {target} ({text}).",
    }[f.verdict]
    level = f.data.get("same_culture")
    if level is None:
        return sentence
    return (sentence[:-1] + f", yet its final level is "
            f"{'higher' if level.verdict == 'higher' else 'not lower'} ({levels(level)}): "
            f"comparable culture came without a {w.noun} in the judged window, at once or slowly "
            "(the signature leap_generation dates it).")


def _order_row(row: dict) -> str:
    where = f"In {row['scenario']}"
    if row["verdict"] == "no rise":
        return (f"{where}, mirror_mean did not rise in any of the {row['n_bursts']} runs with a "
                "cultural rise, so no order can be measured.")
    if row["verdict"] == TOO_FEW:
        return (f"{where}, the order of mirror rise and cultural rise is not resolved: "
                f"{row['n_lag']} run(s) with a lag (median {row['median']:+.0f} generations at "
                "half-rise) are too few for a 95 % interval of the median (at least "
                f"{MIN_RUNS} needed).")
    lag = (f"median lag {row['median']:+.0f} generations at half-rise, 95 % CI "
           f"{row['lo']:+.0f} to {row['hi']:+.0f}, {row['n_lag']} runs")
    verdict = {"mirror leads": "the rise in mirror strength leads the cultural rise",
               "mirror follows": "the rise in mirror strength follows the cultural rise",
               }.get(row["verdict"], "the order of mirror rise and cultural rise is not "
                                     "resolved (the interval includes 0)")
    return f"{where}, {verdict} ({lag}; mirror first in {_pct(row['share'])} of runs)."


def _order(f: Finding, w: Wording) -> str:
    return " ".join(_order_row(row) for row in f.data["rows"])


def _verdict(f: Finding, w: Wording) -> str:
    n, v = w.noun, w.verb
    if f.verdict == "undetermined":
        return ("Verdict: undetermined. Without both mirror controls the data cannot say whether "
                f"a stronger mirror system caused the {n}.")
    if f.verdict == "unsupported":
        return ("Verdict: these data do not support the claim that a stronger mirror system "
                f"caused the {n}.")
    parts = [f"Verdict: mirror strength raises the chance of a {n}" if f.verdict == "burst"
             else f"Verdict: mirror strength controls {f.metric} in this model"]
    leads = f.data.get("order")
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
    demo = f.data.get("demography")
    if demo == "lower":
        parts.append(f"; demography alone {v} less often")
    elif demo is not None:
        text = difference(f.data["demography_difference"])
        parts.append(f"; demography alone {v} more often than coevolution ({text}), so the "
                     "mirror is not the only route" if demo == "higher" else
                     f"; no detectable difference between demography alone and coevolution "
                     f"({text}), so these data do not single out the mirror")
    return " ".join(parts).replace(" ;", ";") + "."


def _contrast(f: Finding, w: Wording) -> str:
    a, b = f.scenarios
    d = f.data["difference"]
    probability = f.data["outcome"] == "probability"
    what = f"{w.noun} probability" if probability else "median final level"
    finding = {"higher": f"{a} is higher", "lower": f"{a} is lower",
               "same": "no detectable difference (the interval includes 0)",
               "immaterial": "a difference too small to matter on its scale",
               "too few": "too few runs for an interval"}[f.verdict]
    if f.verdict == "too few":
        numbers = f"{f.data['n_a']} and {f.data['n_b']} runs"
    elif probability:
        numbers = difference(d)
    else:
        numbers = (f"difference {d.d:+.3g}, 95 % CI {d.lo:+.3g} to {d.hi:+.3g}; "
                   f"{f.data['n_a']} and {f.data['n_b']} runs")
    return f"{a} vs {b} on {f.metric} {what}: {finding} ({numbers})."


WORDS: dict[str, Callable[[Finding, Wording], str]] = {
    "absent": _absent, "too_short": _too_short, "single_run": _single_run, "rates": _rates,
    "no_event": _no_event, "instead": _instead, "shared_archetype": _shared,
    "mirror_controls": _mirror_controls, "against_low_control": _against_low,
    "account": _account, "order": _order, "verdict": _verdict, "contrast": _contrast,
}


def word(finding: Finding) -> str:
    """The sentence (or paragraph) of one finding."""
    return WORDS[finding.kind](finding, WORDINGS[finding.event])

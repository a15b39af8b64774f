"""The words of the report's statements (``analysis.wording``), from findings decided elsewhere.

The decisions are tested on findings (tests/test_analysis_conclude.py); these tests pin the few
sentences a reader quotes, so a change of wording is a change of this file alone.
"""

from __future__ import annotations

import polars as pl

from analysis.conclude import conclusions, findings
from analysis.findings import Difference, Finding, Levels
from analysis.stats import wilson_ci
from analysis.wording import difference, word


def scenario_table(rates: dict[str, int], n: int = 40) -> pl.DataFrame:
    rows = []
    for scenario, k in rates.items():
        lo, hi = wilson_ci(k, n)
        rows.append({"scenario": scenario, "metric": "tool_complexity", "n_runs": n,
                     "n_burst": k, "p_burst": k / n, "p_lo": lo, "p_hi": hi,
                     "onset_median": 500.0, "n_takeoff": k, "p_takeoff": k / n,
                     "p_takeoff_lo": lo, "p_takeoff_hi": hi, "takeoff_onset_median": 400.0,
                     "n_gradual": n - k, "n_flat": 0, "n_decline": 0})
    return pl.DataFrame(rows)


def test_a_difference_is_worded_with_its_interval() -> None:
    assert difference(Difference(-0.05, -0.25, 0.15)) == "difference -0.05, 95 % CI -0.25 to +0.15"


def test_conclusions_are_the_findings_worded() -> None:
    scen = scenario_table({"main": 30, "low": 2, "high": 35, "camps": 3})
    roles = {"main": "coevolution", "low": "fixed_low", "high": "fixed_high",
             "camps": "demography"}
    said = conclusions(scen, roles=roles)
    assert said == [word(f) for f in findings(scen, roles=roles)]
    assert said[1].startswith("Fixing the mirror high bursts more often than fixing it low "
                              "(difference +0.82, 95 % CI")
    assert said[-1] == ("Verdict: mirror strength raises the chance of a burst but the order of "
                        "events in coevolution is not resolved; demography alone bursts less "
                        "often.")


def test_the_verdict_without_controls_and_a_take_off() -> None:
    assert word(Finding("verdict", "undetermined", "tool_complexity", "takeoff")) == (
        "Verdict: undetermined. Without both mirror controls the data cannot say whether a "
        "stronger mirror system caused the take-off.")


def test_the_same_culture_without_a_burst() -> None:
    level = Levels("same", "median final level", (1450.0, 1400.0, 1480.0), (1400.0, 1300.0, 1500.0))
    found = Finding("account", "lower", "tool_complexity", "burst", ("nongenetic", "coevolution"),
                    {"account": "nongenetic", "difference": Difference(-0.875, -0.95, -0.7),
                     "same_culture": level})
    assert word(found) == (
        "The combined non-genetic account bursts less often than coevolution (difference -0.88, "
        "95 % CI -0.95 to -0.70), yet its final level is not lower (median final level 1.45e+03 "
        "(95 % CI 1.4e+03 to 1.48e+03) against 1.4e+03 (1.3e+03 to 1.5e+03)): comparable culture "
        "came without a burst in the judged window, at once or slowly (the signature "
        "leap_generation dates it).")


def test_as_often_needs_the_equivalence_test_not_a_null_difference() -> None:
    """A difference whose interval includes 0 is "as often" only when TOST shows equivalence."""
    def said(difference):
        return word(Finding("account", "same", "tool_complexity", "burst",
                            ("demography", "coevolution"),
                            {"account": "demography", "difference": difference}))

    wide = Difference(0.06, -0.10, 0.22, tost_p=0.12, margin=0.2)
    tight = Difference(0.01, -0.04, 0.06, tost_p=0.001, margin=0.2)
    assert said(wide).startswith("No detectable difference between demography alone and")
    assert "not shown equivalent within +/-0.20, TOST p = 0.12" in said(wide)
    assert said(tight).startswith("Demography alone bursts as often as coevolution")
    assert "equivalent within +/-0.20, TOST p = 0.001" in said(tight)

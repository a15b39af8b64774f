"""The report's conclusion is derived from the condition table: one test per outcome."""

from __future__ import annotations

import polars as pl
import pytest

from analysis.conclude import compare, compare_levels, findings
from analysis.roles import NAMES, scenario_archetypes
from analysis.stats import wilson_ci

N = 40


def table(rates: dict[str, int], metric: str = "tool_complexity", n: int = N,
          takeoffs: dict[str, int] | None = None) -> pl.DataFrame:
    rows = []
    for scenario, k in rates.items():
        lo, hi = wilson_ci(k, n)
        k_off = (takeoffs or rates)[scenario]
        off_lo, off_hi = wilson_ci(k_off, n)
        rows.append({"scenario": scenario, "metric": metric, "n_runs": n, "n_burst": k,
                     "p_burst": k / n if n else float("nan"), "p_lo": lo, "p_hi": hi,
                     "onset_median": 500.0 if k else float("nan"),
                     "n_takeoff": k_off, "p_takeoff": k_off / n if n else float("nan"),
                     "p_takeoff_lo": off_lo, "p_takeoff_hi": off_hi,
                     "takeoff_onset_median": 400.0 if k_off else float("nan"),
                     "n_gradual": n - k_off, "n_flat": 0, "n_decline": 0})
    return pl.DataFrame(rows)


def lags(order: str, median: float, lo: float, hi: float, scenario: str = "coevolution"):
    return pl.DataFrame([{"scenario": scenario, "mirror_metric": "mirror_mean",
                          "culture_metric": "tool_complexity", "n_bursts": 30, "n_lag": 30,
                          "lag_mid_median": median, "lag_mid_lo": lo, "lag_mid_hi": hi,
                          "share_mirror_leads": 0.9 if median < 0 else 0.1, "order": order}])


def text(paragraphs: list[str]) -> str:
    return " ".join(paragraphs)


def kinds(found) -> dict[str, object]:
    """Each finding's verdict by kind (the account comparisons by account)."""
    return {(f.data["account"] if f.kind == "account" else f.kind): f.verdict for f in found}


def one(found, kind: str):
    (match,) = [f for f in found if f.kind == kind]
    return match


def test_archetypes_are_read_from_the_declared_account_and_role_only() -> None:
    runs = pl.DataFrame({
        "scenario": ["big_camps", "big_camps", "coevolution_fast", "fixed_low", "mirror_high"],
        "account": ["demography", "demography", "genetic", None, "genetic"],
        "role": ["main", "main", "variant", None, "control_high"],
    })
    # A renamed scenario keeps its archetype, a name that looks like one does not make one, and
    # runs without a declaration (an older part of a resumed sweep) have none.
    assert scenario_archetypes(runs) == {"big_camps": "demography", "coevolution_fast": None,
                                         "fixed_low": None, "mirror_high": "fixed_high"}
    assert scenario_archetypes(pl.DataFrame({"scenario": ["coevolution"]})) == {
        "coevolution": None}


def test_conclusions_use_declared_roles() -> None:
    scen = table({"main": 30, "low": 2, "high": 35, "camps": 28})
    declared = {"main": "coevolution", "low": "fixed_low", "high": "fixed_high",
                "camps": "demography"}
    found = kinds(findings(scen, roles=declared))
    assert found["mirror_controls"] == "burst" and found["demography"] == "same"
    assert kinds(findings(scen))["mirror_controls"] == "missing"  # the names alone say nothing


def test_compare_uses_the_interval() -> None:
    a, b = table({"a": 30, "b": 10}).to_dicts()
    assert compare(a, b)[0] == "higher" and compare(b, a)[0] == "lower"
    a, b = table({"a": 21, "b": 19}).to_dicts()
    assert compare(a, b)[0] == "same"


def declared(scen: pl.DataFrame) -> dict[str, str | None]:
    """The tests' scenarios are named by the archetype they declare (None: no archetype)."""
    return {s: s if s in NAMES else None for s in scen["scenario"].to_list()}


def decide(scen: pl.DataFrame, lags_: pl.DataFrame | None = None, **kwargs):
    return findings(scen, lags_, roles=declared(scen), **kwargs)


def test_no_burst_anywhere() -> None:
    found = decide(table({"coevolution": 0, "fixed_low": 0, "fixed_high": 0}))
    assert [f.kind for f in found] == ["rates", "no_event", "instead"]
    assert one(found, "no_event").data["total"] == 120
    assert one(found, "no_event").data["immaterial"] == 0


def test_immaterial_rises_are_counted() -> None:
    scen = table({"coevolution": 0}, metric="gesture_success").with_columns(
        pl.lit(6).alias("n_immaterial"))
    assert one(decide(scen, metric="gesture_success"), "no_event").data["immaterial"] == 6


def test_mirror_causes_and_leads() -> None:
    scen = table({"coevolution": 30, "fixed_low": 2, "fixed_high": 35, "demography": 3})
    found = decide(scen, lags("mirror leads", -120, -200, -50))
    assert kinds(found) | {} == {"rates": None, "mirror_controls": "burst",
                                 "against_low_control": "higher", "demography": "lower",
                                 "order": "mirror leads", "verdict": "burst"}
    assert one(found, "verdict").data == {"order": "mirror leads", "demography": "lower",
                                          "demography_difference": one(found, "account")
                                          .data["difference"]}


def test_no_difference_between_controls() -> None:
    found = kinds(decide(table({"coevolution": 20, "fixed_low": 19, "fixed_high": 21})))
    assert found["mirror_controls"] == "same" and found["verdict"] == "unsupported"


def test_an_interval_including_zero_is_no_detectable_difference() -> None:
    scen = table({"coevolution": 30, "fixed_low": 2, "fixed_high": 35, "demography": 28})
    found = decide(scen, lags("unresolved", -10, -60, 40))
    demo = one(found, "account")
    assert demo.verdict == "same" and demo.data["difference"].d == pytest.approx(-0.05)
    assert demo.data["difference"].lo < 0 < demo.data["difference"].hi
    assert one(found, "verdict").data["demography"] == "same"
    assert one(found, "order").verdict == "unresolved"
    takeoffs = decide(scen, event="takeoff")
    assert {f.event for f in takeoffs} == {"takeoff"}


def test_mirror_follows_culture() -> None:
    scen = table({"coevolution": 30, "fixed_low": 2, "fixed_high": 35})
    found = decide(scen, lags("mirror follows", 150, 90, 210))
    assert one(found, "order").verdict == "mirror follows"
    assert one(found, "verdict").data["order"] == "mirror follows"


def test_associative_versus_genetic() -> None:
    scen = table({"coevolution": 30, "associative": 31, "fixed_low": 1, "fixed_high": 30})
    assert kinds(decide(scen))["associative"] == "same"


def test_controls_missing() -> None:
    found = kinds(decide(table({"coevolution": 30, "demography": 10})))
    assert found["mirror_controls"] == "missing" and found["verdict"] == "undetermined"


def test_single_run_and_missing_metric() -> None:
    single = table({"coevolution": 1}, n=1)
    (run,) = decide(single)
    assert (run.kind, run.verdict, run.data["onset"]) == ("single_run", "event", 500.0)
    assert [f.kind for f in decide(single, metric="lexicon_coherence")] == ["absent"]


@pytest.mark.parametrize("k", [0, 40])
def test_numbers_come_from_the_table(k: int) -> None:
    rates = one(decide(table({"coevolution": k, "fixed_low": 0, "fixed_high": k})), "rates")
    assert rates.data["rows"][0][:3] == ("coevolution", k, 40)


def test_too_short_series_say_nothing() -> None:
    found = decide(table({"naming_game": 0}, metric="gesture_success", n=0),
                   metric="gesture_success")
    assert [f.kind for f in found] == ["too_short"]


def test_takeoffs_without_bursts() -> None:
    scen = table({"coevolution": 0, "fixed_low": 0, "fixed_high": 0},
                 takeoffs={"coevolution": 30, "fixed_low": 1, "fixed_high": 33})
    instead = one(decide(scen), "instead")
    assert (instead.verdict, instead.data["takeoffs"]) == ("takeoffs", 64)
    off = decide(scen, event="takeoff")
    assert one(off, "rates").data["rows"][0][:3] == ("coevolution", 30, 40)
    assert kinds(off)["mirror_controls"] == "burst" and kinds(off)["verdict"] == "burst"


def with_rises(frame: pl.DataFrame, rises: dict[str, tuple[float, float, float]]) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("scenario").replace_strict({k: v[0] for k, v in rises.items()},
                                          return_dtype=pl.Float64).alias("rise_median"),
        pl.col("scenario").replace_strict({k: v[1] for k, v in rises.items()},
                                          return_dtype=pl.Float64).alias("rise_lo"),
        pl.col("scenario").replace_strict({k: v[2] for k, v in rises.items()},
                                          return_dtype=pl.Float64).alias("rise_hi"),
    )


def test_fixed_high_rising_at_once_counts_as_a_mirror_effect_without_a_burst() -> None:
    # A strong mirror from the start gives culture at once: no burst, but a far higher level.
    rises = {"coevolution": (900.0, 700.0, 1100.0), "fixed_low": (0.1, 0.0, 0.2),
             "fixed_high": (5e4, 4e4, 6e4)}
    scen = with_rises(table({"coevolution": 20, "fixed_low": 0, "fixed_high": 0}), rises)
    found = decide(scen, lags("mirror leads", -120, -200, -50))
    assert kinds(found)["mirror_controls"] == "level"
    assert one(found, "mirror_controls").data["levels"].verdict == "higher"
    assert one(found, "verdict").verdict == "level"
    assert one(found, "verdict").data["order"] == "mirror leads"
    # overlapping intervals: no effect claimed
    rises["fixed_high"] = (0.15, 0.05, 0.3)
    scen = with_rises(table({"coevolution": 20, "fixed_low": 0, "fixed_high": 0}), rises)
    found = kinds(decide(scen))
    assert found["mirror_controls"] == "same" and found["verdict"] == "unsupported"


def test_two_scenarios_with_one_archetype_are_named_not_picked() -> None:
    scen = table({"main": 30, "copy": 5, "low": 2, "high": 35})
    archetypes = {"main": "coevolution", "copy": "coevolution", "low": "fixed_low",
                  "high": "fixed_high"}
    found = findings(scen, roles=archetypes)
    shared = one(found, "shared_archetype")
    assert shared.scenarios == ("main", "copy") and shared.data["archetype"] == "coevolution"
    assert "against_low_control" not in kinds(found)  # neither copy is used
    assert kinds(found)["mirror_controls"] == "burst"  # the controls are still compared


def _levels(final: tuple[float, float, float], rise: tuple[float, float, float] = (0.0, 0.0, 0.0)):
    return {"final_median": final[0], "final_lo": final[1], "final_hi": final[2],
            "rise_median": rise[0], "rise_lo": rise[1], "rise_hi": rise[2]}


def test_compare_levels_judges_final_levels_not_rises() -> None:
    """A plateau reached at once has no net rise; its final level still counts."""
    high, low = _levels((514.0, 513.0, 515.0)), _levels((3.4, 3.3, 3.5))
    verdict, text = compare_levels(high, low, "tool_complexity")
    assert verdict == "higher" and "median final level 514" in text
    assert compare_levels(low, high, "tool_complexity")[0] == "lower"


def test_compare_levels_needs_a_material_difference() -> None:
    """0.02 against 0.0 is a clear but invisible difference in a success share."""
    verdict, text = compare_levels(_levels((0.02, 0.018, 0.022)), _levels((0.0, 0.0, 0.0)),
                                   "gesture_success")
    assert verdict == "same" and "too small to matter" in text
    assert compare_levels(_levels((0.6, 0.58, 0.62)), _levels((0.0, 0.0, 0.0)),
                          "gesture_success")[0] == "higher"


def test_compare_levels_falls_back_to_the_net_rise() -> None:
    nan = float("nan")
    a, b = _levels((nan, nan, nan), (30.0, 29.0, 31.0)), _levels((nan, nan, nan), (0.0, -1.0, 1.0))
    verdict, text = compare_levels(a, b, "tool_complexity")
    assert verdict == "higher" and "median net rise" in text


def test_fewer_bursts_but_the_same_final_level_is_said_to_be_the_same_culture() -> None:
    scen = table({"coevolution": 35, "fixed_low": 0, "nongenetic": 0})
    level = {"coevolution": (1400.0, 1300.0, 1500.0), "fixed_low": (3.0, 2.9, 3.1),
             "nongenetic": (1450.0, 1400.0, 1480.0)}
    scen = scen.with_columns(**{key: pl.Series([level[s][i] for s in scen["scenario"]])
                                for i, key in enumerate(("final_median", "final_lo", "final_hi"))})
    account = one(decide(scen), "account")
    assert account.verdict == "lower" and account.data["same_culture"].verdict == "same"
    assert account.data["same_culture"].a == (1450.0, 1400.0, 1480.0)
    low = scen.with_columns(final_median=pl.when(pl.col("scenario") == "nongenetic")
                            .then(3.0).otherwise(pl.col("final_median")),
                            final_lo=pl.when(pl.col("scenario") == "nongenetic")
                            .then(2.9).otherwise(pl.col("final_lo")),
                            final_hi=pl.when(pl.col("scenario") == "nongenetic")
                            .then(3.1).otherwise(pl.col("final_hi")))
    assert "same_culture" not in one(decide(low), "account").data


def test_rate_differences_carry_the_equivalence_test_at_the_stated_margin():
    from analysis.conclude import EQUIVALENCE_MARGIN, rate_difference

    close = rate_difference({"n_burst": 190, "n_runs": 200}, {"n_burst": 188, "n_runs": 200})
    wide = rate_difference({"n_burst": 12, "n_runs": 20}, {"n_burst": 9, "n_runs": 20})
    assert close.margin == wide.margin == EQUIVALENCE_MARGIN == 0.2
    assert close.verdict == wide.verdict == "same"
    assert close.equivalent and close.tost_p < 1e-6
    assert not wide.equivalent

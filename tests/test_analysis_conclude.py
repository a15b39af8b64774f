"""The report's conclusion is derived from the condition table: one test per outcome."""

from __future__ import annotations

import polars as pl
import pytest

from analysis.conclude import compare, compare_levels, conclusions, role, scenario_roles
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


def test_roles_from_names() -> None:
    assert [role(s) for s in ("coevolution", "fixed_low", "mirror-fixed-high", "demography",
                              "associative", "henrich")] == [
        "coevolution", "fixed_low", "fixed_high", "demography", "associative", None]


def test_roles_are_read_from_the_declared_account_and_role() -> None:
    runs = pl.DataFrame({
        "scenario": ["big_camps", "big_camps", "coevolution_fast", "fixed_low", "mirror_high"],
        "account": ["demography", "demography", "genetic", None, "genetic"],
        "role": ["main", "main", "variant", None, "control_high"],
    })
    # A renamed scenario keeps its role, a name that looks like a role does not make one, and
    # runs without a declaration (an older part of a resumed sweep) fall back to the name.
    assert scenario_roles(runs) == {"big_camps": "demography", "coevolution_fast": None,
                           "fixed_low": "fixed_low", "mirror_high": "fixed_high"}


def test_roles_fall_back_to_names_when_the_table_lacks_them() -> None:
    runs = pl.DataFrame({"scenario": ["coevolution", "mirror-fixed-high", "big_camps"]})
    assert scenario_roles(runs) == {"coevolution": "coevolution", "mirror-fixed-high": "fixed_high",
                           "big_camps": None}


def test_conclusions_use_declared_roles() -> None:
    scen = table({"main": 30, "low": 2, "high": 35, "camps": 28})
    declared = {"main": "coevolution", "low": "fixed_low", "high": "fixed_high",
                "camps": "demography"}
    out = text(conclusions(scen, roles=declared))
    assert "mirror strength has a causal effect" in out
    assert "no detectable difference between demography alone and coevolution" in out.lower()
    assert "are not both present" in text(conclusions(scen))  # the names alone say nothing


def test_compare_uses_the_interval() -> None:
    a, b = table({"a": 30, "b": 10}).to_dicts()
    assert compare(a, b)[0] == "higher" and compare(b, a)[0] == "lower"
    a, b = table({"a": 21, "b": 19}).to_dicts()
    assert compare(a, b)[0] == "same"


def test_no_burst_anywhere() -> None:
    out = text(conclusions(table({"coevolution": 0, "fixed_low": 0, "fixed_high": 0})))
    assert "No burst" in out and "none of the 120 runs" in out
    assert "causal effect" not in out and "material" not in out


def test_immaterial_rises_are_named() -> None:
    scen = table({"coevolution": 0}, metric="gesture_success").with_columns(
        pl.lit(6).alias("n_immaterial"))
    out = text(conclusions(scen, metric="gesture_success"))
    assert "6 rose against their noise by less than the material minimum (a rise of at least " \
           "0.1)" in out


def test_mirror_causes_and_leads() -> None:
    scen = table({"coevolution": 30, "fixed_low": 2, "fixed_high": 35, "demography": 3})
    out = text(conclusions(scen, lags("mirror leads", -120, -200, -50)))
    assert "mirror strength has a causal effect" in out
    assert "leads the cultural rise" in out
    assert "Demography alone bursts less often" in out
    assert "precedes the burst" in out


def test_no_difference_between_controls() -> None:
    scen = table({"coevolution": 20, "fixed_low": 19, "fixed_high": 21})
    out = text(conclusions(scen))
    assert "no evidence that mirror strength controls tool_complexity" in out
    assert "do not support" in out


def test_an_interval_including_zero_is_no_detectable_difference() -> None:
    scen = table({"coevolution": 30, "fixed_low": 2, "fixed_high": 35, "demography": 28})
    out = text(conclusions(scen, lags("unresolved", -10, -60, 40)))
    assert ("No detectable difference between demography alone and coevolution in burst "
            "probability (difference -0.05, 95 % CI") in out
    assert "no detectable difference between demography alone and coevolution" in out
    assert "as well" not in out
    assert "not resolved" in out
    takeoffs = text(conclusions(scen, event="takeoff"))
    assert "in take-off probability" in takeoffs and "as well" not in takeoffs


def test_mirror_follows_culture() -> None:
    scen = table({"coevolution": 30, "fixed_low": 2, "fixed_high": 35})
    out = text(conclusions(scen, lags("mirror follows", 150, 90, 210)))
    assert "follows the cultural rise" in out
    assert "culture drives the mirror" in out


def test_associative_versus_genetic() -> None:
    scen = table({"coevolution": 30, "associative": 31, "fixed_low": 1, "fixed_high": 30})
    out = text(conclusions(scen))
    assert ("No detectable difference between associative (learned) mirroring and genetic "
            "coevolution in burst probability (difference +0.03, 95 % CI") in out
    assert "as well" not in out


def test_controls_missing() -> None:
    out = text(conclusions(table({"coevolution": 30, "demography": 10})))
    assert "cannot separate a causal effect" in out and "undetermined" in out


def test_single_run_and_missing_metric() -> None:
    single = table({"coevolution": 1}, n=1)
    out = text(conclusions(single))
    assert "single run" in out and "generation 500" in out
    assert "not in these tables" in text(conclusions(single, metric="lexicon_coherence"))


@pytest.mark.parametrize("k", [0, 40])
def test_numbers_in_sentences_come_from_the_table(k: int) -> None:
    out = text(conclusions(table({"coevolution": k, "fixed_low": 0, "fixed_high": k})))
    assert f"coevolution {k} of 40 runs" in out


def test_too_short_series_say_nothing() -> None:
    out = text(conclusions(table({"naming_game": 0}, metric="gesture_success", n=0),
                           metric="gesture_success"))
    assert "too short to judge" in out


def test_takeoffs_without_bursts() -> None:
    scen = table({"coevolution": 0, "fixed_low": 0, "fixed_high": 0},
                 takeoffs={"coevolution": 30, "fixed_low": 1, "fixed_high": 33})
    out = text(conclusions(scen))
    assert "No burst" in out and "64 runs show a take-off" in out
    assert "no support to a mirror-caused burst" not in out
    off = text(conclusions(scen, event="takeoff"))
    assert "Take-off probability of tool_complexity: coevolution 30 of 40 runs" in off
    assert "Fixing the mirror high takes off more often than fixing it low" in off
    assert "raises the chance of a take-off" in off


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
    out = text(conclusions(scen, lags("mirror leads", -120, -200, -50)))
    assert "raises tool_complexity far above fixing it low" in out
    assert "Verdict: mirror strength controls tool_complexity" in out
    assert "precedes" in out
    # overlapping intervals: no effect claimed
    rises["fixed_high"] = (0.15, 0.05, 0.3)
    scen = with_rises(table({"coevolution": 20, "fixed_low": 0, "fixed_high": 0}), rises)
    out = text(conclusions(scen))
    assert "no evidence that mirror strength controls tool_complexity" in out
    assert "do not support" in out


def test_two_scenarios_with_one_role_are_named_not_picked() -> None:
    scen = table({"main": 30, "copy": 5, "low": 2, "high": 35})
    declared = {"main": "coevolution", "copy": "coevolution", "low": "fixed_low",
                "high": "fixed_high"}
    out = text(conclusions(scen, roles=declared))
    assert "Scenarios main, copy all have the role coevolution" in out
    assert "Coevolution bursts" not in out and "fixed_low control" not in out  # neither used
    assert "mirror strength has a causal effect" in out  # the controls are still compared


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
    out = text(conclusions(scen))
    assert "combined non-genetic account bursts less often than coevolution" in out
    assert "yet its final level is as high (median final level 1.45e+03" in out
    low = scen.with_columns(final_median=pl.when(pl.col("scenario") == "nongenetic")
                            .then(3.0).otherwise(pl.col("final_median")),
                            final_lo=pl.when(pl.col("scenario") == "nongenetic")
                            .then(2.9).otherwise(pl.col("final_lo")),
                            final_hi=pl.when(pl.col("scenario") == "nongenetic")
                            .then(3.1).otherwise(pl.col("final_hi")))
    assert "yet its final level" not in text(conclusions(low))

"""Order of events: crossing times and lags on series with a known lead."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from analysis.bursts import bursts_table
from analysis.order import TOO_FEW, crossing_time, lags_table, summarize_lags

T = 1000
t = np.arange(T, dtype=float)


def logistic(t0: float, r: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-r * (t - t0)))


def test_crossing_time_of_a_logistic() -> None:
    y = logistic(500, 0.05)
    # The smoothing window (21 generations) shifts nothing for a symmetric curve.
    assert crossing_time(t, y, 0.5) == pytest.approx(500, abs=2)
    assert crossing_time(t, y, 0.1) == pytest.approx(500 - np.log(9) / 0.05, abs=3)
    assert crossing_time(t, np.zeros(T), 0.5) is None
    assert crossing_time(t, 1 - t / T, 0.5) is None


def _long(lead: float, seeds: int, fixed: bool = False) -> pl.DataFrame:
    parts = []
    for run_id in range(seeds):
        rng = np.random.default_rng(run_id)
        t0 = 500 + rng.uniform(-50, 50)
        mirror = np.full(T, 0.5) if fixed else 0.2 + 0.6 * logistic(t0 - lead, 0.03)
        parts.append(pl.DataFrame({
            "run_id": np.full(T, run_id), "time": t,
            "tool_complexity": 3 + 100 * logistic(t0, 0.05) + rng.normal(size=T),
            "mirror_mean": mirror + 0.005 * rng.normal(size=T),
        }))
    return pl.concat(parts)


@pytest.mark.parametrize(("lead", "verdict"), [(80.0, "mirror leads"), (-80.0, "mirror follows")])
def test_known_lead_is_recovered(lead: float, verdict: str) -> None:
    gens = _long(lead, seeds=6)
    bursts = bursts_table(gens, ["tool_complexity", "mirror_mean"])
    lags = lags_table(gens, bursts, ["mirror_mean"], ["tool_complexity"])
    assert lags.height == 6 and lags["mirror_rises"].all()
    assert lags["lag_mid"].to_numpy() == pytest.approx(np.full(6, -lead), abs=5)
    runs = pl.DataFrame({"run_id": range(6), "scenario": ["coevolution"] * 6})
    summary = summarize_lags(lags, runs, ["scenario"]).row(0, named=True)
    assert summary["order"] == verdict
    assert summary["lag_mid_lo"] <= summary["lag_mid_median"] <= summary["lag_mid_hi"]
    assert summary["share_mirror_leads"] == (1.0 if lead > 0 else 0.0)


def test_fixed_mirror_gives_no_lag() -> None:
    gens = _long(0.0, seeds=3, fixed=True)
    bursts = bursts_table(gens, ["tool_complexity", "mirror_mean"])
    lags = lags_table(gens, bursts, ["mirror_mean"], ["tool_complexity"])
    assert lags.height == 3 and not lags["mirror_rises"].any()
    assert lags["lag_mid"].is_null().all()
    runs = pl.DataFrame({"run_id": range(3), "scenario": ["fixed_high"] * 3})
    assert summarize_lags(lags, runs, ["scenario"])["order"][0] == "no lag (mirror did not rise)"


def _lags(values: list[float]) -> tuple[pl.DataFrame, pl.DataFrame]:
    n = len(values)
    lags = pl.DataFrame({"run_id": range(n), "mirror_metric": ["mirror_mean"] * n,
                         "culture_metric": ["tool_complexity"] * n, "mirror_rises": [True] * n,
                         "lag_onset": values, "lag_mid": values})
    return lags, pl.DataFrame({"run_id": range(n), "scenario": ["coevolution"] * n})


@pytest.mark.parametrize("n", [1, 5])
def test_too_few_runs_leave_the_order_unresolved(n: int) -> None:
    lags, runs = _lags([-20.0 - i for i in range(n)])
    row = summarize_lags(lags, runs, ["scenario"]).row(0, named=True)
    assert row["order"] == "unresolved (too few runs)"
    assert np.isnan(row["lag_mid_lo"]) and np.isnan(row["lag_mid_hi"])
    assert row["lag_mid_median"] == -20.0 - (n - 1) / 2 and row["n_lag"] == n


def test_twenty_negative_lags_mirror_leads() -> None:
    values = [-20.0 - i for i in range(20)]
    lags, runs = _lags(values)
    row = summarize_lags(lags, runs, ["scenario"]).row(0, named=True)
    assert row["order"] == "mirror leads"
    ordered = sorted(values)
    assert (row["lag_mid_lo"], row["lag_mid_hi"]) == (ordered[5], ordered[14])


def test_findings_for_too_few_runs() -> None:
    from analysis.conclude import _verdict, order_finding

    lags, runs = _lags([-20.0])
    summary = summarize_lags(lags, runs, ["scenario"])
    found = order_finding(summary, "tool_complexity", "coevolution")
    assert found is not None and found.verdict == TOO_FEW and found.data["rows"][0]["n_lag"] == 1
    verdict = _verdict("burst", None, summary, "tool_complexity", {"scenario": "coevolution"})
    assert verdict.verdict == "burst" and verdict.data["order"] == TOO_FEW


def test_lags_compute_each_series_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import analysis.order

    gens = _long(80.0, seeds=2).with_columns(
        pl.col("tool_complexity").alias("gesture_success"),
        pl.col("mirror_mean").alias("mirror_effective_mean"))
    metrics = ["tool_complexity", "gesture_success"]
    mirrors = ["mirror_mean", "mirror_effective_mean"]
    bursts = bursts_table(gens, metrics)
    calls = []
    real = analysis.order.crossing_times

    def counted(t, y, *args, **kwargs):
        calls.append(1)
        return real(t, y, *args, **kwargs)

    monkeypatch.setattr(analysis.order, "crossing_times", counted)
    lags = lags_table(gens, bursts, mirrors, metrics)
    assert lags.height == 2 * 2 * 2 and len(calls) == 2 * 4  # once per (run, metric)
    y = gens.filter(pl.col("run_id") == 0)
    m = real(t, y["mirror_mean"].to_numpy())
    c = real(t, y["tool_complexity"].to_numpy())
    assert m == (crossing_time(t, y["mirror_mean"].to_numpy(), 0.1),
                 crossing_time(t, y["mirror_mean"].to_numpy(), 0.5))
    row = lags.filter((pl.col("run_id") == 0) & (pl.col("mirror_metric") == "mirror_mean")
                      & (pl.col("culture_metric") == "tool_complexity")).row(0, named=True)
    assert (row["lag_onset"], row["lag_mid"]) == (m[0] - c[0], m[1] - c[1])

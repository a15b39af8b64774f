"""Across runs: burst probability, onsets and effect sizes per condition.

A condition is a scenario plus the values of the varied parameters. Per condition and metric: the
burst probability k/n with its Wilson 95 % interval (n counts the runs long enough to judge,
``n_too_short`` the others), the same for take-offs (a burst or a threshold-like onset), the onset
distribution of the runs that burst (median and quartiles), the net rise of the metric (median
with a bootstrap 95 % interval: the level culture reaches, burst or not), the median concentration, how often
the logistic fit agrees with the change-point verdict, the pattern counts, and the order of events
(``order.summarize_lags``, mirror_mean against the same metric). Effect sizes compare conditions
that differ in one factor only (the scenario, or one varied parameter, all else equal): the
difference in burst probability with Newcombe's interval and Cliff's delta of onsets and of
concentrations (effects.parquet); conditions.parquet carries each condition's difference from the
control with mirror strength held low (the scenario whose declared role is ``control_low`` of the
genetic account, ``roles.scenario_archetypes``) at the same parameter point (``dp_vs_control``),
when that control ran.
"""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl

from analysis.conclude import PATTERNS
from analysis.stats import bootstrap_ci, cliffs_delta, diff_proportions_ci, wilson_ci

MAX_EFFECT_ROWS = 5000


def with_conditions(bursts: pl.DataFrame, runs: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """The bursts table with the condition columns (``keys``) of each run joined on."""
    return bursts.join(runs.select(["run_id", *keys]), on="run_id", how="left", nulls_equal=True)


def _median(x: pl.Series, how: str = "median") -> float:
    value = x.drop_nulls().median() if how == "median" else x.drop_nulls().mean()
    return float("nan") if value is None else float(value)  # type: ignore[arg-type]


def _quantile(x: np.ndarray, q: float) -> float:
    return float(np.quantile(x, q)) if x.size else float("nan")


def conditions_table(
    bursts: pl.DataFrame, runs: pl.DataFrame, keys: list[str], lag_summary: pl.DataFrame | None,
    control: str | None = None,
) -> pl.DataFrame:
    """One row per condition (``keys``) and metric; see the module docstring for the columns.

    ``control``: the scenario every condition is compared with (``dp_vs_control``), or None.
    """
    rows = []
    joined = with_conditions(bursts, runs, keys)
    for key, part in joined.group_by([*keys, "metric"], maintain_order=True):
        too_short = int((part["pattern"] == "too_short").sum())
        part = part.filter(pl.col("pattern") != "too_short")
        n = part.height
        k = int(part["burst"].sum())
        lo, hi = wilson_ci(k, n)
        k_off = int(part["takeoff"].sum())
        off_lo, off_hi = wilson_ci(k_off, n)
        onsets = part.filter(pl.col("burst"))["onset"].to_numpy().astype(float)
        off_onsets = part.filter(pl.col("takeoff"))["takeoff_onset"].to_numpy().astype(float)
        logistic = part["burst_logistic"].fill_null(False)
        patterns = part["pattern"].to_list()
        rise, rise_lo, rise_hi = bootstrap_ci(part["total_rise"].to_numpy())
        final = (bootstrap_ci(part["final"].drop_nulls().to_numpy()) if "final" in part.columns
                 else (float("nan"),) * 3)
        rows.append({
            **dict(zip([*keys, "metric"], key, strict=True)),
            # pattern counts first: n_takeoff below (every take-off, bursts included) wins
            **{f"n_{p}": patterns.count(p) for p in PATTERNS},
            "n_runs": n, "n_too_short": too_short, "n_burst": k,
            "p_burst": k / n if n else float("nan"), "p_lo": lo, "p_hi": hi,
            "onset_median": _quantile(onsets, 0.5), "onset_q25": _quantile(onsets, 0.25),
            "onset_q75": _quantile(onsets, 0.75),
            "n_takeoff": k_off, "p_takeoff": k_off / n if n else float("nan"),
            "p_takeoff_lo": off_lo, "p_takeoff_hi": off_hi,
            "takeoff_onset_median": _quantile(off_onsets, 0.5),
            "concentration_median": _median(part["concentration"]),
            "size_median": _median(part["size"]),
            "p_logistic": _median(logistic.cast(pl.Float64), "mean"),
            "methods_agree": _median((logistic == part["burst"]).cast(pl.Float64), "mean"),
            "rise_median": rise, "rise_lo": rise_lo, "rise_hi": rise_hi,
            "final_median": final[0], "final_lo": final[1], "final_hi": final[2],
        })
    table = pl.DataFrame(rows)
    if lag_summary is not None and lag_summary.height:
        lag = (lag_summary.filter(pl.col("mirror_metric") == "mirror_mean")
               .rename({"culture_metric": "metric"})
               .select([*keys, "metric", "n_lag", "lag_mid_median", "lag_mid_lo", "lag_mid_hi",
                        "order"]))
        table = table.join(lag, on=[*keys, "metric"], how="left", nulls_equal=True)
    return with_effect_vs_control(table, keys, control)


def with_effect_vs_control(table: pl.DataFrame, keys: list[str],
                           control: str | None) -> pl.DataFrame:
    """Burst probability minus that of the ``control`` scenario, with Newcombe's 95 % interval.

    Per condition and metric, against the control at the same parameter point (null without one,
    or when ``control`` is None). The control with mirror strength held low is what a causal claim
    for mirroring is measured against; pairwise effects of every kind are in effects.parquet.
    """
    others = [k for k in keys if k != "scenario"]
    reference = {}
    if "scenario" in keys and control is not None:
        for row in table.filter(pl.col("scenario") == control).iter_rows(named=True):
            reference[tuple(row[k] for k in [*others, "metric"])] = (row["n_burst"], row["n_runs"])
    dp, lo, hi = [], [], []
    for row in table.iter_rows(named=True):
        ref = reference.get(tuple(row[k] for k in [*others, "metric"]))
        if ref is None or row["n_runs"] == 0 or ref[1] == 0:
            dp.append(None), lo.append(None), hi.append(None)
            continue
        d, d_lo, d_hi = diff_proportions_ci(row["n_burst"], row["n_runs"], *ref)
        dp.append(d), lo.append(d_lo), hi.append(d_hi)
    return table.with_columns(
        pl.Series("dp_vs_control", dp, pl.Float64),
        pl.Series("dp_vs_control_lo", lo, pl.Float64),
        pl.Series("dp_vs_control_hi", hi, pl.Float64),
    )


def condition_label(values: dict[str, object], keys: list[str]) -> str:
    """A readable name of a condition: 'coevolution, mirror_cost=0.05, population=300'."""
    parts = [str(values["scenario"])] if "scenario" in keys else []
    parts += [f"{k}={values[k]}" for k in keys if k != "scenario"]
    return ", ".join(parts)


def effects_table(bursts: pl.DataFrame, runs: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Pairs of conditions that differ in exactly one of ``keys``, per metric.

    Columns: metric, factor, the two levels, the shared values (``context``), n and k of each,
    ``dp`` = p_a - p_b with Newcombe's 95 % interval, and Cliff's delta of onsets (runs that burst)
    and of concentrations (all runs). Like ``conditions_table``, n, k and both deltas count only
    runs long enough to judge (pattern other than "too_short"); a condition whose runs are all too
    short gives n 0 and nan. Capped at ``MAX_EFFECT_ROWS`` rows.
    """
    joined = with_conditions(bursts, runs, keys)
    judged = pl.col("pattern") != "too_short"
    groups = {key: part.filter(judged)
              for key, part in joined.group_by([*keys, "metric"], maintain_order=True)}
    rows = []
    for (ka, pa), (kb, pb) in itertools.combinations(groups.items(), 2):
        if ka[-1] != kb[-1]:
            continue
        differ = [i for i in range(len(keys)) if ka[i] != kb[i]]
        if len(differ) != 1:
            continue
        i = differ[0]
        na, nb = pa.height, pb.height
        ka_, kb_ = int(pa["burst"].sum()), int(pb["burst"].sum())
        dp, lo, hi = diff_proportions_ci(ka_, na, kb_, nb)
        context = ", ".join(f"{keys[j]}={ka[j]}" for j in range(len(keys)) if j != i)
        rows.append({
            "metric": ka[-1], "factor": keys[i], "level_a": str(ka[i]), "level_b": str(kb[i]),
            "context": context, "n_a": na, "k_a": ka_, "n_b": nb, "k_b": kb_,
            "dp": dp, "dp_lo": lo, "dp_hi": hi,
            "cliffs_onset": cliffs_delta(pa.filter(pl.col("burst"))["onset"].to_numpy(),
                                         pb.filter(pl.col("burst"))["onset"].to_numpy()),
            "cliffs_concentration": cliffs_delta(pa["concentration"].to_numpy(),
                                                 pb["concentration"].to_numpy()),
        })
        if len(rows) >= MAX_EFFECT_ROWS:
            break
    schema = {"metric": pl.String, "factor": pl.String, "level_a": pl.String,
              "level_b": pl.String, "context": pl.String, "n_a": pl.Int64, "k_a": pl.Int64,
              "n_b": pl.Int64, "k_b": pl.Int64, "dp": pl.Float64, "dp_lo": pl.Float64,
              "dp_hi": pl.Float64, "cliffs_onset": pl.Float64, "cliffs_concentration": pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row")

"""Scenario discovery: boxes of parameter space in which a material burst (or take-off) is likely.

PRIM, the patient rule induction method (Friedman & Fisher 1999, Stat. Comput. 9:123; used for
scenario discovery by Bryant & Lempert 2010, Technol. Forecast. Soc. Change 77:34), peels thin
slices off the box of all runs, each time the slice whose removal raises the share of runs with
the outcome (a burst) the most, then pastes back what helps. Every step of that peeling
trajectory trades **coverage** (the share of all runs with the outcome that lie in the box)
against **density** (the share of the runs in the box that have it). We use ema_workbench's
implementation (``ema_workbench.analysis.prim.Prim``, version 3, default peeling and pasting
alpha 0.05, minimum mass 0.05) on one scenario (account) at a time, with the varied parameters as
the inputs and one outcome per culture metric (burst, or take-off) per run as the boolean output.

Choosing a box on the trajectory is the analyst's call in the literature; ours (an assumption,
stated so it can be changed) is the box with the largest harmonic mean of coverage and density
(the F1 score), which weighs both equally and needs no threshold. A second box is then sought
among the runs outside the first (ema_workbench's default covering), up to ``MAX_BOXES``. A box is
kept only when it restricts at least one parameter and is denser than the scenario as a whole.

Beside PRIM, **feature scoring** (ema_workbench's ``get_ex_feature_scores``: the impurity-based
importance of each parameter in an extra-trees classifier of the outcome; Geurts, Ernst & Wehenkel
2006; Jaxa-Rozen & Kwakkel 2018) ranks the varied parameters by how much they say about the
outcome, a box or not: the scores of a scenario, metric and outcome sum to 1. The forest has 100
trees and a fixed random state (``SCORING_SEED``), so the scores are the same on every run; with
few runs they are noisy, so the same minimum of runs as PRIM applies.

Needs the optional ``discovery`` extra (``pip install -e ".[discovery]"``; ema_workbench brings
scikit-learn and statsmodels); ``available()`` says whether it is installed and imports.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import polars as pl

MAX_BOXES = 2
SCORING_SEED = 20260  # the extra-trees forest's random state: any fixed value
SCORE_SCHEMA = {"scenario": pl.String, "metric": pl.String, "outcome": pl.String,
                "parameter": pl.String, "score": pl.Float64, "n_runs": pl.Int64,
                "base_rate": pl.Float64}
MIN_RUNS = 20  # fewer judged runs of a scenario: no box (a box of 5 % of them is one run)
MIN_CASES = 3  # fewer runs with the outcome: no box
OUTCOMES = {"burst": "burst", "takeoff": "takeoff"}
SCHEMA = {"scenario": pl.String, "metric": pl.String, "outcome": pl.String, "box": pl.Int64,
          "parameter": pl.String, "low": pl.Float64, "high": pl.Float64, "values": pl.String,
          "coverage": pl.Float64, "density": pl.Float64, "n_in_box": pl.Int64,
          "base_rate": pl.Float64}


def import_problem() -> str | None:
    """None when ema_workbench's PRIM imports, else one line saying why not.

    The import is tried, not just looked up: an installed but broken ema_workbench (a missing or
    incompatible dependency) must give the one-line skip too, not a traceback.
    """
    try:
        _prim_class()
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] == "ema_workbench":
            return "ema_workbench is not installed"
        return f"ema_workbench cannot be imported ({exc})"
    except Exception as exc:  # any failure at import means: skip discovery
        return f"ema_workbench cannot be imported ({type(exc).__name__}: {exc})"
    return None


def available() -> bool:
    """Whether ema_workbench (the ``discovery`` extra) is installed and imports."""
    return import_problem() is None


def _prim_class() -> type:
    with warnings.catch_warnings():  # it warns at import about optional parallel back ends
        warnings.simplefilter("ignore")
        from ema_workbench.analysis.prim import Prim
    return Prim


def _best_step(trajectory: Any) -> int:
    """The step of a peeling trajectory (a pandas DataFrame) with the best F1 of coverage, density."""
    c = trajectory["coverage"].to_numpy(dtype=float)
    d = trajectory["density"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(c + d > 0, 2 * c * d / (c + d), 0.0)
    return int(np.argmax(f1))


def prim_boxes(x: pl.DataFrame, y: np.ndarray, max_boxes: int = MAX_BOXES) -> list[dict]:
    """PRIM boxes for inputs ``x`` (a column per parameter) and boolean outcomes ``y``.

    One dict per restricted parameter of each kept box: ``box`` (1, 2, ...), ``parameter``,
    ``low`` and ``high`` (numeric parameters; the box includes both ends) or ``values`` (the
    categories kept, for a text parameter), ``coverage``, ``density``, ``n_in_box``.
    """
    prim_cls = _prim_class()
    # Integer parameters go in as floats: ema_workbench 3.0's pasting step writes a float limit
    # into an int64 box column, which pandas 3 refuses. Booleans go in as categories.
    frame = x.with_columns(
        *(pl.col(c).cast(pl.Float64) for c in x.columns if x[c].dtype.is_numeric()),
        *(pl.col(c).cast(pl.String) for c in x.columns if x[c].dtype == pl.Boolean),
    ).to_pandas()
    y = np.asarray(y, dtype=bool)
    base = float(y.mean())
    with warnings.catch_warnings():  # ema_workbench 3.0 uses pandas features pandas 3 deprecates
        warnings.simplefilter("ignore")
        prim = prim_cls(frame, y.copy())
    rows: list[dict] = []
    for number in range(1, max_boxes + 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            box = prim.find_box()
        if box is None:
            break
        step = _best_step(box.peeling_trajectory)
        box.select(step)
        lims, init = box.box_lims[step], prim.box_init
        stats = box.peeling_trajectory.iloc[step]
        restricted = [c for c in frame.columns if c in lims.columns
                      and not all(_same(lims[c].iloc[i], init[c].iloc[i]) for i in (0, 1))]
        if not restricted or float(stats["density"]) <= base:
            break
        for name in restricted:
            low, high = lims[name].iloc[0], lims[name].iloc[1]
            numeric = not isinstance(low, set | frozenset)
            rows.append({"box": number, "parameter": name,
                         "low": float(low) if numeric else None,
                         "high": float(high) if numeric else None,
                         "values": None if numeric else ", ".join(sorted(map(str, low))),
                         "coverage": float(stats["coverage"]),
                         "density": float(stats["density"]), "n_in_box": int(stats["n"])})
    return rows


def _same(a: object, b: object) -> bool:
    if isinstance(a, set | frozenset) or isinstance(b, set | frozenset):
        return set(a) == set(b)  # type: ignore[arg-type]
    return bool(a == b)


def discovery_table(
    bursts: pl.DataFrame, runs: pl.DataFrame, varied: list[str], metrics: list[str],
    min_inputs: int = 1,
) -> tuple[pl.DataFrame, list[str]]:
    """Boxes per scenario, culture metric and outcome (module docstring), and notes on skips.

    ``bursts`` is ``bursts.bursts_table``; runs too short to judge are left out. Parameters with
    one value within a scenario are no input, so each scenario is searched over its own factors;
    a scenario with fewer than `min_inputs` of them (a sweep of per-scenario designs asks for 2)
    is skipped with a note. Returns (discovery table, notes).
    """
    rows, notes = [], []
    judged = bursts.filter((pl.col("pattern") != "too_short") & pl.col("metric").is_in(metrics))
    joined = judged.join(runs.select(["run_id", "scenario", *varied]), on="run_id", how="inner")
    for (scenario, metric), part in joined.group_by(["scenario", "metric"], maintain_order=True):
        inputs = [v for v in varied if part[v].n_unique() > 1]
        if len(inputs) < min_inputs:
            note = (f"{scenario}: PRIM skipped (its design varies "
                    f"{', '.join(inputs) or 'no parameter'}; at least {min_inputs} varied factors "
                    "needed).")
            if inputs and note not in notes:
                notes.append(note)
            continue
        for outcome, column in OUTCOMES.items():
            y = part[column].fill_null(False).to_numpy()
            where = f"{scenario}, {metric} {outcome}"
            if part.height < MIN_RUNS or y.sum() < MIN_CASES or y.all():
                why = (f"{part.height} runs (at least {MIN_RUNS} needed)" if part.height < MIN_RUNS
                       else f"it happens in {int(y.sum())} of {part.height} runs")
                notes.append(f"{where}: no box ({why}).")
                continue
            found = prim_boxes(part.select(inputs), y)
            if not found:
                notes.append(f"{where}: no box denser than the whole ({y.mean():.2f} of "
                             f"{part.height} runs).")
            rows += [{"scenario": scenario, "metric": metric, "outcome": outcome, **r,
                      "base_rate": float(y.mean())} for r in found]
    return pl.DataFrame(rows, schema=SCHEMA, orient="row"), notes


def feature_scores(x: pl.DataFrame, y: np.ndarray) -> dict[str, float]:
    """Extra-trees feature scores of the columns of ``x`` for the boolean outcome ``y``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import feature_scoring
        from ema_workbench.analysis.scenario_discovery_util import RuleInductionType

        scores, _ = feature_scoring.get_ex_feature_scores(
            x.cast(pl.Float64).to_pandas(), np.asarray(y, dtype=bool),
            mode=RuleInductionType.CLASSIFICATION, random_state=SCORING_SEED)
    return {str(name): float(v) for name, v in scores.iloc[:, 0].items()}


def scoring_table(
    bursts: pl.DataFrame, runs: pl.DataFrame, varied: list[str], metrics: list[str],
) -> tuple[pl.DataFrame, list[str]]:
    """Feature scores per scenario, culture metric and outcome (module docstring), and notes.

    The same runs as ``discovery_table``: each scenario over the parameters it varies, outcomes
    that happen in some runs but not all, at least ``MIN_RUNS`` judged runs.
    """
    rows, notes = [], []
    judged = bursts.filter((pl.col("pattern") != "too_short") & pl.col("metric").is_in(metrics))
    joined = judged.join(runs.select(["run_id", "scenario", *varied]), on="run_id", how="inner")
    for (scenario, metric), part in joined.group_by(["scenario", "metric"], maintain_order=True):
        inputs = [v for v in varied if part[v].n_unique() > 1 and part[v].dtype.is_numeric()]
        if len(inputs) < 2:  # one parameter takes every score by construction: nothing to rank
            continue
        if part.height < MIN_RUNS:
            note = (f"{scenario}: no feature scores ({part.height} judged runs, at least "
                    f"{MIN_RUNS} needed).")
            if note not in notes:
                notes.append(note)
            continue
        for outcome, column in OUTCOMES.items():
            y = part[column].fill_null(False).to_numpy()
            if not y.any() or y.all():
                notes.append(f"{scenario}, {metric} {outcome}: no feature scores (it happens in "
                             f"{int(y.sum())} of {part.height} runs).")
                continue
            scores = feature_scores(part.select(inputs), y)
            rows += [{"scenario": scenario, "metric": metric, "outcome": outcome,
                      "parameter": name, "score": score, "n_runs": part.height,
                      "base_rate": float(y.mean())}
                     for name, score in sorted(scores.items(), key=lambda kv: -kv[1])]
    return pl.DataFrame(rows, schema=SCORE_SCHEMA, orient="row"), notes

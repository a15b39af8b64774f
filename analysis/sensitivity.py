"""Sensitivity indices of a sampled sweep: Sobol' (Saltelli 2002; 2010), eFAST and Morris.

The method is the sweep's ``[sample] method``: ``sobol`` and ``fast`` (eFAST: Saltelli,
Tarantola & Chan 1999; ``SALib.analyze.fast``, interference factor M = 4, the sampler's) give
first-order (S1) and total (ST) indices with bootstrap 95 % half-widths; ``morris`` (elementary
effects: Morris 1991; mu* of Campolongo, Cariboni & Saltelli 2007; ``SALib.analyze.morris``) gives
mu* (the mean absolute elementary effect, in the output's units), its bootstrap 95 % half-width
and sigma (their spread: interactions or non-linearity), a screening that ranks parameters with
few runs but does not apportion variance. Morris needs the design matrix as well as the outputs:
it is read from the runs table (each point's parameter values, in the sample's row order);
integer parameters were rounded after sampling, so their steps are the rounded ones.
``sensitivity.parquet`` has a ``method`` column; S1/ST are null for Morris, mu*/sigma for the
others. The rest of this docstring, written for Sobol', holds for all three.

A Sobol' sweep draws its points with ``SALib.sample.sobol`` (the Saltelli scheme: N (D + 2)
points, N (2D + 2) with second-order indices) and runs every point ``seeds`` times; run ids go
scenario by scenario, then point by point, then seed by seed (``evo.run.sweep.spec``), so the point of
a run is ``(run_id mod (n_points seeds)) div seeds``. Per scenario and output we

1. average the output over the seeds of each point (the model is stochastic: the seed is noise
   to be averaged out, not a parameter; seed-to-seed variance left in a mean of few seeds shows up
   as unexplained variance, a sum of first-order indices below 1 and total indices inflated),
2. hand the point means, in the sample's row order, to ``SALib.analyze.sobol.analyze``, which
   returns first-order (S1) and total (ST) indices with bootstrap 95 % confidence half-widths
   (``S1_conf``, ``ST_conf``; 1000 resamples, fixed seed).

Outputs: ``log10_tool_complexity_final`` (log10 of the final level, floored at 1 component, so
a take-off to 10,000 and one to 20,000 differ by what they differ on a log scale),
``expressivity_final`` (meanings with a shared convention) and, per culture metric, the material
burst probability ``p_burst_{metric}``. An output that does not vary across points, or that has
a point without any finished run, gets no indices (a note says why). Indices with too few points
are unstable and can come out negative (Saltelli et al. 2010; SALib's documentation).
"""

from __future__ import annotations

import numpy as np
import polars as pl

SCHEMA = {"scenario": pl.String, "output": pl.String, "parameter": pl.String, "S1": pl.Float64,
          "S1_conf": pl.Float64, "ST": pl.Float64, "ST_conf": pl.Float64, "n_points": pl.Int64,
          "seeds": pl.Int64, "method": pl.String, "mu_star": pl.Float64,
          "mu_star_conf": pl.Float64, "sigma": pl.Float64}
METHODS = ("sobol", "fast", "morris")
FAST_M = 4  # eFAST's interference factor: the sampler's (SALib's default)
RESAMPLES = 1000
# SALib 1.6 seeds the bootstrap only `if seed:`, so 0 would mean unseeded: any non-zero constant.
BOOTSTRAP_SEED = 12345


def is_sobol(meta: dict) -> bool:
    """Whether sweep.json describes a Sobol' sample."""
    return method_of(meta) == "sobol"


def method_of(meta: dict) -> str | None:
    """The sweep's sampling method when the analysis has indices for it (``METHODS``), else None."""
    sample = meta.get("spec", {}).get("sample")
    method = sample.get("method") if isinstance(sample, dict) else None
    return method if method in METHODS else None


def problem_of(meta: dict) -> tuple[dict, bool]:
    """SALib's problem dict (names and bounds in the spec's order) and whether second order."""
    sample = meta["spec"]["sample"]
    names = list(sample["ranges"])
    bounds = [[float(v) for v in sample["ranges"][n]] for n in names]
    return ({"num_vars": len(names), "names": names, "bounds": bounds},
            bool(sample.get("second_order", False)))


def sobol_designs(meta: dict) -> list[dict]:
    """The per-scenario designs of sweep.json (``designs``) sampled by one of ``METHODS``."""
    found = meta.get("designs")
    if not isinstance(found, list):
        return []
    return [d for d in found if isinstance(d, dict) and isinstance(d.get("sample"), dict)
            and d["sample"].get("method") in METHODS]


def per_design_table(
    values: pl.DataFrame, outputs: list[str], meta: dict
) -> tuple[pl.DataFrame, list[str]]:
    """`sensitivity_table` for each scenario with its own Sobol' design, over its own factors.

    A scenario's runs are ``first_run_id`` on, point by point, then seed by seed, so its run ids
    less ``first_run_id`` are in the order `point_index` reads. A design with fewer than two
    factors, or without every point's runs, is skipped with a note.
    """
    tables, notes = [], []
    for design in sobol_designs(meta):
        scenario, names = design.get("scenario"), list(design["sample"].get("ranges", {}))
        if len(names) < 2:
            notes.append(f"{scenario}: sensitivity indices skipped (its design varies "
                         f"{', '.join(names)}; at least 2 factors needed).")
            continue
        part = values.filter(pl.col("scenario") == scenario).with_columns(
            pl.col("run_id") - int(design["first_run_id"]))
        own = {"spec": {"sample": design["sample"]}, "n_points": design["n_points"],
               "seeds": design["seeds"]}
        table, more = sensitivity_table(part, outputs, own)
        tables.append(table)
        notes += more
    table = pl.concat(tables) if tables else pl.DataFrame(schema=SCHEMA)
    return table, notes


def point_index(run_id: pl.Expr, n_points: int, seeds: int) -> pl.Expr:
    """The sample row of a run (run ids: scenario, then point, then seed)."""
    return (run_id % (n_points * seeds)) // seeds


def sobol_indices(y: np.ndarray, problem: dict, second_order: bool,
                  seed: int = BOOTSTRAP_SEED) -> dict:
    """``SALib.analyze.sobol.analyze`` on outputs ``y`` in the sample's row order.

    ``seed`` must be non-zero: SALib 1.6 treats 0 as "no seed" and the intervals would change
    from call to call.
    """
    if not seed:
        raise ValueError("seed must be non-zero (SALib treats 0 as unseeded)")
    from SALib.analyze import sobol

    return sobol.analyze(problem, np.asarray(y, dtype=float), calc_second_order=second_order,
                         num_resamples=RESAMPLES, conf_level=0.95, print_to_console=False,
                         seed=seed)


def sensitivity_table(
    values: pl.DataFrame, outputs: list[str], meta: dict
) -> tuple[pl.DataFrame, list[str]]:
    """Indices per scenario, output and parameter from per-run ``values``, and notes on skips.

    ``values`` has ``run_id``, ``scenario`` and one column per output (one row per finished run),
    and may carry the varied parameters, which are then checked to be one point per sample row.
    ``meta`` is sweep.json (``spec.sample``, ``n_points``, ``seeds``).
    """
    problem, second = problem_of(meta)
    n_points, seeds = int(meta["n_points"]), int(meta["seeds"])
    with_point = values.with_columns(point_index(pl.col("run_id"), n_points, seeds).alias("_pt"))
    rows, notes = [], []
    names = [n for n in problem["names"] if n in values.columns]
    most = (with_point.group_by("scenario", "_pt").agg(pl.col(n).n_unique() for n in names)
            .select(pl.max_horizontal(names).max()).item() if names else None)
    if most is not None and most > 1:  # None: no finished run to check
        return pl.DataFrame(schema=SCHEMA), ["no indices: runs of one sample point have different "
                                             "parameter values (run ids not in the sample order)"]
    method = method_of(meta) or "sobol"
    for (scenario,), part in with_point.group_by(["scenario"], maintain_order=True):
        means = part.group_by("_pt").agg(pl.col(o).cast(pl.Float64).drop_nans().mean()
                                         for o in outputs).sort("_pt")
        x = design_matrix(part, problem["names"], n_points) if method == "morris" else None
        if method == "morris" and x is None:
            notes.append(f"{scenario}: no Morris indices (the runs table lacks a point's "
                         "parameter values, which Morris needs beside the outputs).")
            continue
        for output in outputs:
            full = pl.DataFrame({"_pt": np.arange(n_points)}).join(
                means.select("_pt", output), on="_pt", how="left")
            y = full[output].to_numpy().astype(float)
            where = f"{scenario}, {output}"
            if not np.isfinite(y).all():
                notes.append(f"{where}: no indices ({int((~np.isfinite(y)).sum())} of {n_points} "
                             "sample points have no finished run with a value).")
                continue
            if np.ptp(y) == 0:
                notes.append(f"{where}: no indices (the same value, {y[0]:.3g}, at every point).")
                continue
            base = {"scenario": scenario, "output": output, "n_points": n_points, "seeds": seeds,
                    "method": method}
            nulls = dict.fromkeys(("S1", "S1_conf", "ST", "ST_conf", "mu_star", "mu_star_conf",
                                   "sigma"))
            if method == "morris":
                levels = int(meta["spec"]["sample"].get("levels", 4))
                si = morris_indices(x, y, problem, levels)  # type: ignore[arg-type]
                keys = ("mu_star", "mu_star_conf", "sigma")
            else:
                si = (sobol_indices(y, problem, second) if method == "sobol"
                      else fast_indices(y, problem))
                keys = ("S1", "S1_conf", "ST", "ST_conf")
            for i, name in enumerate(problem["names"]):
                rows.append({**base, "parameter": name, **nulls,
                             **{k: float(si[k][i]) for k in keys}})
    return pl.DataFrame(rows, schema=SCHEMA, orient="row"), notes


def design_matrix(part: pl.DataFrame, names: list[str], n_points: int) -> np.ndarray | None:
    """Each sample point's parameter values (rows in the sample's order); None if any is missing."""
    if not all(n in part.columns for n in names):
        return None
    points = part.group_by("_pt").agg(pl.col(n).first() for n in names).sort("_pt")
    if points.height != n_points or points.select(names).null_count().sum_horizontal().item():
        return None
    return points.select(names).cast(pl.Float64).to_numpy()


def fast_indices(y: np.ndarray, problem: dict, seed: int = BOOTSTRAP_SEED) -> dict:
    """``SALib.analyze.fast.analyze`` (eFAST) on outputs ``y`` in the sample's row order.

    SALib warns that its bootstrap half-widths for eFAST are indicative only (SALib on GitHub, #649):
    the report says so, so the warning is not repeated per output.
    """
    import warnings

    from SALib.analyze import fast

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="FAST confidence intervals")
        return fast.analyze(problem, np.asarray(y, dtype=float), M=FAST_M,
                            num_resamples=RESAMPLES, conf_level=0.95, print_to_console=False,
                            seed=seed)


def morris_indices(x: np.ndarray, y: np.ndarray, problem: dict, levels: int,
                   seed: int = BOOTSTRAP_SEED) -> dict:
    """``SALib.analyze.morris.analyze`` on the design ``x`` and outputs ``y`` (rows in order)."""
    from SALib.analyze import morris

    return morris.analyze(problem, np.asarray(x, dtype=float), np.asarray(y, dtype=float),
                          num_resamples=RESAMPLES, conf_level=0.95, print_to_console=False,
                          num_levels=levels, seed=seed)


def outcome_values(
    runs: pl.DataFrame, finals: pl.DataFrame, bursts: pl.DataFrame, metrics: list[str]
) -> tuple[pl.DataFrame, list[str]]:
    """Per run: the outputs of the module docstring (those whose inputs are recorded)."""
    table = runs.join(finals, on="run_id", how="left")
    outputs = []
    if "tool_complexity_final" in table.columns:
        table = table.with_columns(
            pl.col("tool_complexity_final").clip(lower_bound=1.0).log10()
            .alias("log10_tool_complexity_final"))
        outputs.append("log10_tool_complexity_final")
    if "expressivity_final" in table.columns:
        outputs.append("expressivity_final")
    judged = bursts.filter(pl.col("pattern") != "too_short")
    for metric in metrics:
        flags = (judged.filter(pl.col("metric") == metric)
                 .select("run_id", pl.col("burst").cast(pl.Float64).alias(f"p_burst_{metric}")))
        if flags.height:
            table = table.join(flags, on="run_id", how="left")
            outputs.append(f"p_burst_{metric}")
    return table, outputs


def stability_note(table: pl.DataFrame) -> str:
    """One line on the widest interval of ``table``: whether the sample is big enough."""
    table = table.filter(pl.col("S1_conf").is_not_null())  # Morris has no variance shares
    if table.is_empty():
        return ""
    widest = float(table.select(pl.max_horizontal("S1_conf", "ST_conf").max()).item())
    n_points = int(table["n_points"][0])
    verdict = ("the ranking of parameters is uncertain: raise n in the spec (a power of 2)"
               if widest > 0.1 else "stable to about 0.1")
    return (f"Widest 95 % half-width here: {widest:.2f} with {n_points} sample points; "
            f"{verdict}.")

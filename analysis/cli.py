"""``python run.py analyze DIR``: bursts, order of events, statistics, figures and a report.

Reads the tables of a run or sweep directory (``analysis.tables``), never the model, and writes only
into DIR/analysis/ (built in a hidden folder inside DIR, then swapped in whole): bursts.parquet (per
run and metric), lags.parquet (per run: mirror vs culture), order.parquet (lags per condition),
conditions.parquet (per condition and metric), effects.parquet (one-factor contrasts between
conditions), parity.parquet (a [grid] sweep varying mirror_initial) and levels_<x>.parquet (any
other [grid] parameter with three values or more), discovery.parquet (a sweep with
varied parameters, when ema_workbench is installed), sensitivity.parquet (a Sobol' sweep),
signatures.parquet and signature_runs.parquet (what an archaeologist could see, per account and
per run: `analysis.signatures`), the figures (PNG and SVG), report.md and report.html, whose
footer says how the results were made (code, versions, scenario values: what run.json or
sweep.json recorded; `analysis.provenance`).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import polars as pl

from analysis import bursts as bursts_mod
from analysis import (
    designs,
    discovery,
    factorial,
    plots,
    record,
    response,
    sensitivity,
    signatures,
    steer,
)
from analysis.bursts import bursts_table
from analysis.conclude import conclusions
from analysis.conditions import conditions_table, effects_table, with_conditions
from analysis.material import MINIMUM_RISE
from analysis.order import lags_table, summarize_lags
from analysis.outcomes import final_levels, parity_table, with_final_levels
from analysis.provenance import provenance_lines
from analysis.report import Report, text_table, write
from analysis.roles import scenario_archetypes, the_scenario_with
from analysis.signatures.summary import cells_table, levels_table
from analysis.tables import CULTURE_METRICS, Results, load
from analysis.windows import before_first_crash
from analysis.workspace import replace, workspace
from evo.errors import UsageError

SHOWN = ["metric", "n_runs", "n_burst", "p_burst", "p_lo", "p_hi", "onset_median",
         "concentration_median", "n_takeoff", "p_takeoff", "takeoff_onset_median",
         "lag_mid_median", "order"]
TIMESERIES = ("mirror_mean", "mirror_effective_mean", "tool_complexity", "tool_types",
              "gesture_success", "lexicon_coherence", "expressivity")
PARITY_X = "mirror_initial"  # the parity-threshold figure: outcomes against fixed mirror strength
PARITY_METRICS = ("gesture_success", "expressivity")
LEVEL_METRICS = ("tool_complexity", "tool_types", "gesture_success", "expressivity")
MAX_PANELS = 6


def _primary(results: Results) -> str | None:
    return results.metrics[0] if results.metrics else None


def _definition_text() -> str:
    b = bursts_mod
    return (
        "A burst is a change of slope that concentrates the rise: (a) the net rise (last 10 % of "
        f"the window minus the first 10 %) is at least {b.RISE_SIGMAS:g} times the noise sd; (b) PELT change "
        f"points on the increments (Killick et al. 2012; series averaged into at most {b.MAX_POINTS} bins) "
        f"find a phase growing at least {b.SLOPE_FACTOR:g} times faster than the window's "
        f"average, carrying at least {b.REGION_SHARE:.0%} of the net rise; (c) the steepest "
        f"10 % of the window carries at least {b.MIN_CONCENTRATION:.0%} of"
        " the gain (a linear ramp: 10 %); (d) the steep phase starts after the first 10 % of the "
        "window (earlier: a transient from the initial state); (e) the gain is kept: the net rise"
        " is at least half the rise of the steep phase (otherwise a spike). A take-off is a "
        "threshold-like onset that need not be concentrated: a change point after the first 10 % "
        "of the window, while the series has made at most 5 % of its rise, after which it grows "
        "at least 3 times faster than before (every burst is a take-off too). Gradual growth: a "
        "significant rise that is neither. The onset is the first generation of the steep phase "
        "(resolution one bin). A logistic fit (onset t0 - ln 9 / r, rise time 4.39 / r, burst "
        "when the rise takes at most a third of the window and beats a line by BIC > 10) is the "
        "second method; methods_agree is the share of runs where both verdicts match. Every "
        "verdict must be material, a rise that matters on the metric's own scale ("
        + "; ".join(f"{m}: {rule.describe()}" for m, rule in MINIMUM_RISE.items())
        + "); a smaller rise is 'immaterial': no burst, no take-off. These thresholds are our "
        "assumptions (analysis/bursts.py and analysis/material.py explain them)."
    )


def _figures(results: Results, bursts: pl.DataFrame, conditions: pl.DataFrame, keys: list[str],
             out: Path, years_per_generation: float = plots.YEARS_PER_GENERATION
             ) -> list[tuple[Path, str]]:
    gens, runs = results.generations, results.runs
    groups = plots.group_labels(runs, keys)
    order = sorted(groups["group"].unique().to_list())
    xlabel = results.time_label
    figs: list[tuple[Path, str]] = []
    panels = [m for m in TIMESERIES if m in gens.columns]
    primary = _primary(results)
    in_generations = xlabel == "generation"
    if panels:
        fig, axes = plots.plt.subplots(len(panels), 1, figsize=(8, 2.4 * len(panels)),
                                       sharex=True, layout="constrained", squeeze=False)
        for i, (m, ax) in enumerate(zip(panels, axes[:, 0], strict=True)):
            plots.plot_ribbons(plots.ribbon_data(gens, groups, m), m, xlabel, ax=ax,
                               order=order, legend=i == 0)
        for ax in axes[:-1, 0]:
            ax.set_xlabel("")  # the shared time axis is named once, below
        if in_generations:
            plots.kyr_axis(axes[0, 0], years_per_generation)
        figs.append((plots.save_figure(fig, out, "timeseries"),
                     "Median and interquartile band across seeds, per condition"
                     + (f"; time in generations and, on top, in thousands of years at "
                        f"{years_per_generation:g} years a generation." if in_generations
                        else ".")))
        if primary and bursts.filter((pl.col("metric") == primary) & pl.col("takeoff")).height:
            fig, axes = plots.plt.subplots(len(panels), 1, figsize=(8, 2.4 * len(panels)),
                                           sharex=True, layout="constrained", squeeze=False)
            for i, (m, ax) in enumerate(zip(panels, axes[:, 0], strict=True)):
                data = plots.aligned_data(gens, groups, bursts, m, primary)
                plots.plot_ribbons(data, m, f"{xlabel}s from the {primary} onset", ax=ax,
                                   order=order, legend=i == 0, show_n=True)
                ax.axvline(0, color="grey", linewidth=0.8, linestyle="--")
            for ax in axes[:-1, 0]:
                ax.set_xlabel("")
            if in_generations:
                plots.kyr_axis(axes[0, 0], years_per_generation)
            figs.append((plots.save_figure(fig, out, "aligned"),
                         f"The same series aligned at each run's {primary} burst or take-off "
                         "onset (runs with neither left out; n: the runs aligned per "
                         "condition)."))
    if primary:
        fig = plots.plot_burst_probability(conditions, primary, keys)
        figs.append((plots.save_figure(fig, out, "burst_probability"),
                     f"Burst probability of {primary} per condition, 95 % Wilson intervals."))
    if len(results.varied) >= 2:
        x, y = results.varied[:2]
        names = conditions["scenario"].unique(maintain_order=True).to_list()[:MAX_PANELS]
        for metric in results.metrics:
            fig = plots.plot_phase_diagram(conditions, x, y, metric, names)
            figs.append((plots.save_figure(fig, out, f"phase_diagram_{metric}"),
                         f"Phase diagram of {metric}: material burst (top) and take-off (bottom) "
                         f"probability over {x} and {y}, one column per account; each cell "
                         "gives p and k/n (runs with the event / runs judged; other varied "
                         "parameters pooled)."))
    if "mirror_mean" in gens.columns and "tool_complexity" in gens.columns:
        fig = plots.plot_phase(plots.phase_data(gens, groups, "mirror_mean", "tool_complexity"),
                               "mirror_mean", "tool_complexity", order=order)
        figs.append((plots.save_figure(fig, out, "phase"),
                     "Phase portrait: median mirror strength against median tool complexity "
                     "(dot: start, arrow: end)."))
    return figs


def level_plan(runs: pl.DataFrame, varied: list[str], meta: dict) -> list[tuple[str, list[str]]]:
    """(x, lines) per level figure: each numeric ``[grid]`` parameter with three values or more.

    A sampled sweep (LHS, Sobol') has nearly one value per run, so it gets no level figure (its
    phase diagrams bin the values instead). Lines split by the scenario and by each other varied
    parameter with at most ``plots.MAX_GROUPS`` values; the runs of any other are pooled.
    """
    grid = designs.grid_parameters(meta)
    plan = []
    for x in varied:
        if x not in grid or not runs[x].dtype.is_numeric():
            continue
        runs_x = _runs_varying(runs, meta, x)
        if runs_x[x].n_unique() < 3:
            continue
        by = [k for k in ("scenario", *varied) if k != x and runs_x[k].n_unique() > 1
              and (k == "scenario" or runs_x[k].n_unique() <= plots.MAX_GROUPS)]
        plan.append((x, by))
    return plan


def _runs_varying(runs: pl.DataFrame, meta: dict, x: str) -> pl.DataFrame:
    """The runs of the scenarios whose design varies `x` (all runs when they share one design)."""
    scenarios = designs.scenarios_varying(meta, x)
    return runs if scenarios is None else runs.filter(pl.col("scenario").is_in(scenarios))


def _levels(results: Results, finals: pl.DataFrame, out: Path) -> list[tuple[Path, str]]:
    """Final levels against each swept numeric parameter: the parity threshold and its kin.

    For ``mirror_initial`` (fixed mirror strength) this is the parity-threshold figure,
    parity.parquet / parity.png (gesture success, expressivity and tool complexity); for any other
    ``[grid]`` parameter with at least three values, levels_<x>.parquet / .png (e.g. the ceiling
    of tool complexity against population size). Lines as ``level_plan`` says.
    """
    runs, figs = results.runs, []
    for x, by in level_plan(runs, results.varied, results.meta):
        runs = _runs_varying(results.runs, results.meta, x)
        wanted = (*PARITY_METRICS, "tool_complexity") if x == PARITY_X else LEVEL_METRICS
        metrics = [m for m in wanted if m in results.metrics]
        table = parity_table(runs, finals, x, metrics, by)
        if not metrics or table.is_empty():
            continue
        stem = "parity" if x == PARITY_X else f"levels_{x}"
        table.write_parquet(out / f"{stem}.parquet")
        fig = plots.plot_parity(table, x, metrics, by)
        what = "The parity threshold: final" if x == PARITY_X else "Final"
        pooled = [k for k in results.varied if k != x and k not in by and runs[k].n_unique() > 1]
        figs.append((plots.save_figure(fig, out, stem),
                     f"{what} (last 10 % of generations) " + ", ".join(metrics) + f" against {x}, "
                     "mean across seeds with its 95 % t interval"
                     + (f", one line per {', '.join(by)}" if by else "")
                     + (f", {', '.join(pooled)} pooled" if pooled else "") + f" ({stem}.parquet)."))
    return figs


def _where(
    results: Results, bursts: pl.DataFrame, finals: pl.DataFrame, report: Report, out: Path
) -> None:
    """Scenario discovery (a sweep with varied parameters) and Sobol' indices (a Sobol' sweep)."""
    if not results.varied:
        return
    report.heading("Where in parameter space")
    report.heading("Scenario discovery (PRIM)", level=3)
    if not discovery.available():
        problem = discovery.import_problem() or "ema_workbench is not installed"
        note = f"scenario discovery skipped: {problem} (pip install -e \".[discovery]\")"
        print(note)
        report.text(note.capitalize() + ".")
    else:
        # Per-scenario designs: a box over one factor of a scenario's own grid is its own
        # one-factor contrast, already in the conditions table; the shared form keeps its 1.
        own = designs.per_scenario(results.meta) is not None
        table, notes = discovery.discovery_table(bursts, results.runs, results.varied,
                                                 results.metrics, min_inputs=2 if own else 1)
        table.write_parquet(out / "discovery.parquet")
        report.text("Boxes of parameter space in which a material burst or take-off of each "
                    "culture metric is concentrated, per account (PRIM, Friedman & Fisher 1999, "
                    "via ema_workbench; the box with the best balance of coverage and density, "
                    "analysis/discovery.py). Coverage: share of all runs with the outcome that "
                    "lie in the box; density: share of the runs in the box that have it; "
                    "base_rate: share of all runs of the account that have it.")
        if table.height:
            report.table(table, "Boxes, a row per restricted parameter (discovery.parquet)")
        for note in notes:
            report.text(note)
        report.heading("Feature scoring", level=3)
        scores, notes = discovery.scoring_table(bursts, results.runs, results.varied,
                                                results.metrics)
        scores.write_parquet(out / "feature_scores.parquet")
        report.text("How much each varied parameter says about a material burst or take-off of "
                    "each culture metric, per scenario: extra-trees feature scores (ema_workbench,"
                    " analysis/discovery.py), summing to 1 over the parameters; a ranking, with "
                    "no box and no direction.")
        if scores.height:
            report.table(scores, "Feature scores (feature_scores.parquet)")
        elif not notes:
            report.text("No scenario varies a numeric parameter, so there is nothing to score.")
        for note in notes[:12]:
            report.text(note)
    method = sensitivity.method_of(results.meta)
    if method or sensitivity.sobol_designs(results.meta):
        name = {"sobol": "Sobol'", "fast": "eFAST", "morris": "Morris"}.get(method or "", "")
        report.heading(f"{name} sensitivity indices" if name else "Sensitivity indices",
                       level=3)
        values, outputs = sensitivity.outcome_values(results.runs, finals, bursts, results.metrics)
        if method:
            table, notes = sensitivity.sensitivity_table(values, outputs, results.meta)
        else:
            table, notes = sensitivity.per_design_table(values, outputs, results.meta)
        table.write_parquet(out / "sensitivity.parquet")
        report.text("Sensitivity of the outcomes averaged over the seeds of each sample point "
                    "(analysis/sensitivity.py): for Sobol' and eFAST the first-order (S1) and "
                    "total (ST) indices, for Morris mu* (mean absolute elementary effect, in the "
                    "output's units) and sigma, each with SALib's bootstrap 95 % half-width "
                    "(for eFAST indicative only, as SALib warns). "
                    + sensitivity.stability_note(table))
        if table.height:
            shown = [c for c in table.columns if table[c].null_count() < table.height]
            report.table(table.select(shown), "Sensitivity indices (sensitivity.parquet)")
        for note in notes:
            report.text(note)


def _signatures(results: Results, report: Report,
                out: Path) -> tuple[pl.DataFrame, signatures.Inputs]:
    """signatures.parquet, signature_runs.parquet, signatures.png and the report's section.

    Returns the signatures table and the tables it read, which the record's section reuses.
    """
    inputs = signatures.load_inputs(results.root, results.kind, results.read)
    per_run = signatures.per_run_table(inputs, results.runs)
    table = signatures.signatures_table(per_run)
    per_run.write_parquet(out / "signature_runs.parquet")
    table.write_parquet(out / "signatures.parquet")
    if results.kind == "sweep":  # the same per design cell, beside the pooled table
        cells_table(per_run, results.runs, results.varied).write_parquet(
            out / "signatures_cells.parquet")
        levels = levels_table(per_run, results.runs, results.varied)
        if levels.height:  # each varied parameter's levels, pooled over the other factors
            levels.write_parquet(out / "signatures_levels.parquet")
    signatures.report_section(report, table, out)
    return table, inputs


def _run_params(results: Results, scenario: str) -> dict:
    """The parameters a scenario ran with (run.json's, or the sweep's resolved scenario's)."""
    if results.kind == "run":
        return results.record.get("params") or {}
    resolved = results.meta.get("resolved_scenarios", {}).get(scenario, {})
    return resolved.get("params") or {}


def _record(results: Results, table: pl.DataFrame, presence: pl.DataFrame | None,
            report: Report, out: Path, years_default: float) -> None:
    """The record through time: battleship charts, maps of regions, the data confronted.

    `presence`: the presence table the signatures read (None when the runs record none).
    """
    if presence is None:
        return
    camps = signatures.read_table(results.root, results.kind, "camps",
                                  ("generation", "camp", "x", "y", "population", "tool_types"),
                                  ("generation", "camp"))
    report.heading("The record through time", level=3)
    observed = record.observed_record()
    confronted = record.confrontation(table, observed)
    confronted.write_parquet(out / "record_vs_data.parquet")
    confronted.write_csv(out / "record_vs_data.csv")
    ships = record.battleship_data(presence, by_run=True)
    ships.write_parquet(out / "battleship.parquet")
    ships.write_csv(out / "battleship.csv")
    report.text("Flicker signatures (analysis/signatures/flicker.py) beside the record "
                "(data/msa_record.csv: Still Bay and Howiesons Poort durations, the span of "
                "McBrearty & Brooks' first appearances), per account: the model's median over "
                "runs with its 95 % interval, and whether the observed value lies inside it.")
    report.table(confronted, "Model against the record (record_vs_data.parquet)")
    firsts = results.runs.sort("run_id").unique("scenario", keep="first", maintain_order=True)
    for scenario, run_id in firsts.select("scenario", "run_id").iter_rows():
        params = _run_params(results, scenario)
        start = float(params.get("climate_start_ka", 0.0))
        years = float(params.get("years_per_generation", years_default))
        mine = presence if run_id is None else presence.filter(pl.col("run_id") == run_id)
        fig = record.plot_battleship(record.battleship_data(mine), start, years,
                                     f"{scenario}, first seed: share of regions holding each type")
        png = out / f"battleship_{scenario}.png"
        fig.savefig(png, dpi=110)
        plots.plt.close(fig)
        report.figure(png, f"Battleship chart of {scenario} (first seed): per tool type, the "
                           "share of occupied regions holding it over time.")
        if camps is not None and "tool_types" in camps.columns:
            rows = camps if run_id is None else camps.filter(pl.col("run_id") == run_id)
            fig = record.plot_map(record.map_data(rows), start, years)
            png = out / f"regions_{scenario}.png"
            fig.savefig(png, dpi=110)
            plots.plt.close(fig)
            report.figure(png, f"Regions of {scenario} (first seed) at six times: tool types "
                               "held; hatched regions are empty.")


def _factorial(results: Results, report: Report, out: Path) -> None:
    """Two scenarios crossed with one two-level parameter: the two-way variance decomposition."""
    runs = results.runs
    if results.read is None or runs["scenario"].n_unique() != 2 or len(results.varied) != 1:
        return
    factor = results.varied[0]
    cells = runs.group_by("scenario", factor).len()
    if runs[factor].n_unique() != 2 or cells.height != 4 or cells["len"].min() < 2:
        return
    per_run = factorial.run_outcomes(results.read).join(runs.select("run_id", "scenario", factor),
                                                   on="run_id")
    table = factorial.decompose(per_run, "scenario", factor)
    means = factorial.cell_means(per_run, "scenario", factor)
    table.write_parquet(out / "factorial.parquet")
    means.write_parquet(out / "factorial_cells.parquet")
    report.heading("Two factors crossed: how much each does", level=3)
    report.text(f"The design crosses scenario with {factor} (two levels each, "
                f"{means['n_runs'].min()}-{means['n_runs'].max()} runs per cell). Share of the "
                "variance of each outcome (the leap, 0 or 1; the final level, mean log10 tool "
                "complexity) due to each factor and their interaction, Type II sums of squares, "
                "with 95 % bootstrap intervals that resample runs within cells "
                "(analysis/factorial.py).")
    report.table(means, "Per cell (factorial_cells.parquet)")
    report.table(table, "Variance shares (factorial.parquet)")


def _response(results: Results, judged: pl.DataFrame, report: Report, out: Path) -> None:
    """One numeric factor over several levels: each outcome's end value against it."""
    factor = response.varied_numeric_factor(results.runs, results.varied)
    if factor is None:
        return
    outcomes = [m for m in ("mirror_mean", "tool_complexity", "tool_types") if m in judged.columns]
    finals = final_levels(judged, outcomes)
    table = response.response_table(finals, results.runs, factor, outcomes)
    found = response.thresholds(table, factor)
    table.write_parquet(out / "response.parquet")
    found.write_parquet(out / "response_thresholds.parquet")
    response.response_figure(table, factor, out / "response.png")
    report.heading(f"End values against {factor}", level=3)
    report.text(f"Median over seeds of each run's final value (last tenth of its generations "
                f"before any crash) with the interquartile range, at each level of {factor}; "
                "the threshold is the first level where the median falls below half its value "
                "at the lowest level (analysis/response.py).")
    report.table(found, "Where each median first halves (response_thresholds.parquet)")
    report.figure(out / "response.png", f"Final values against {factor}, per scenario")


def _finals_of(finals_by: pl.DataFrame, metric: str) -> dict[str, list[float]]:
    """Each scenario's per-run final levels of ``metric`` (none when not recorded)."""
    column = f"{metric}_final"
    if column not in finals_by.columns:
        return {}
    return {s: part[column].drop_nulls().to_list()
            for (s,), part in finals_by.group_by("scenario", maintain_order=True)}


def cmd_analyze(args: argparse.Namespace) -> int:
    """Analyse DIR (a run or a sweep); write DIR/analysis/; print the conditions table.

    Everything is written into a fresh hidden folder inside DIR, which then replaces
    DIR/analysis (``workspace``): an earlier analysis leaves no stale file, and a crash leaves the
    previous analysis folder as it was, never a half-written or mixed one.
    """
    root = Path(args.dir)
    results = load(root)
    steering = steer.from_sources(results.meta, getattr(args, "outcome", []),
                                  getattr(args, "contrast", []))
    recorded = [c for c, t in results.generations.schema.items()
                if t.is_numeric() and c not in ("run_id", "time")]
    steer.check(steering, results.runs["scenario"].unique(maintain_order=True).to_list(), recorded)
    if steering.outcomes:
        results = dataclasses.replace(results, metrics=list(steering.outcomes),
                                      mirror=[m for m in results.mirror
                                              if m not in steering.outcomes])
    years = float(getattr(args, "years_per_generation", plots.YEARS_PER_GENERATION))
    if not years > 0:
        raise UsageError(f"--years-per-generation {years:g}: must be a positive number of years")
    for warning in results.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    out = root / "analysis"
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: exists and is not a folder; move it away to analyse {root}")
    with workspace(root) as tmp:
        table, page = _analyze(results, root, tmp, steering, years)
        if getattr(args, "csv", False):
            write_csv_copies(tmp)
        replace(tmp, out)
    if results.skipped:
        print(f"skipped metrics (absent or all null): {', '.join(results.skipped)}")
    print(table)
    print(f"report: {out / page.name} (and report.md); tables and figures in {out}")
    return 0


def write_csv_copies(folder: Path) -> list[Path]:
    """Every ``*.parquet`` table of ``folder`` also as CSV (lists and structs as JSON text)."""
    written = []
    for path in sorted(folder.glob("*.parquet")):
        table = pl.read_parquet(path)
        nested = [c for c, t in table.schema.items() if t.is_nested()]
        if nested:
            table = table.with_columns(pl.col(c).map_elements(
                lambda v: None if v is None else str(v), return_dtype=pl.String) for c in nested)
        target = path.with_suffix(".csv")
        table.write_csv(target)
        written.append(target)
    return written


def _analyze(results: Results, root: Path, out: Path, steering: steer.Steering | None = None,
             years_per_generation: float = plots.YEARS_PER_GENERATION) -> tuple[str, Path]:
    """Write every table, figure and the report into ``out``; return (printout, report.html)."""
    steering = steering or steer.Steering()
    keys = ["scenario", *results.varied]
    runs = results.runs
    judged, n_cut = before_first_crash(results.generations)  # the leap, not the crash test
    bursts = bursts_table(judged, [*results.metrics, *results.mirror],
                          progress=results.kind == "sweep")
    finals = final_levels(judged, [*results.metrics, *results.mirror])  # once
    bursts = with_final_levels(bursts, finals)
    lags = lags_table(judged, bursts, results.mirror, results.metrics)
    order = summarize_lags(lags, runs, keys) if lags.height else None
    roles = scenario_archetypes(runs)
    control = the_scenario_with(roles, "fixed_low")
    names = runs["scenario"].unique(maintain_order=True).to_list()
    mirror_controls = control is not None and the_scenario_with(roles, "fixed_high") is not None
    pairs = steering.contrasts or (() if mirror_controls else steer.default_contrasts(names))
    finals_by = finals.join(runs.select("run_id", "scenario"), on="run_id", how="inner")
    conditions = conditions_table(bursts, runs, keys, order, control)
    effects = effects_table(bursts, runs, keys)
    scen_order = summarize_lags(lags, runs, ["scenario"]) if lags.height else None
    scenarios = conditions_table(bursts, runs, ["scenario"], None, control)
    meta = [c for c in ("scenario", "seed", *results.varied) if c in runs.columns]
    with_conditions(bursts, runs, meta).write_parquet(out / "bursts.parquet")
    with_conditions(lags, runs, meta).write_parquet(out / "lags.parquet")
    if order is not None:
        order.write_parquet(out / "order.parquet")
    conditions.write_parquet(out / "conditions.parquet")
    effects.write_parquet(out / "effects.parquet")

    report = Report(f"mirrorleap analysis of {root.name or root}")
    report.heading("Data")
    n_failed = results.failed.height
    report.text(f"{results.kind.capitalize()} directory {root}: {runs.height} run(s) analysed"
                + (f", {n_failed} failed run(s) excluded" if n_failed else "")
                + f"; time axis: {results.time_label}; conditions: {', '.join(keys)}.")
    if (own_designs := designs.describe(results.meta)) is not None:
        report.text(own_designs)
    report.text("Metrics analysed: " + ", ".join([*results.metrics, *results.mirror])
                + (" (the outcomes named)" if steering.outcomes else "") + ".")
    if pairs:
        how = ("named in the spec's [analysis] table or with --contrast" if steering.named else
               "each scenario against the first, as the mirror controls are not both present; "
               "name others in the spec's [analysis] table or with --contrast A:B")
        report.text("Contrasts (scenario vs control): "
                    + ", ".join(f"{a} vs {b}" for a, b in pairs) + f" ({how}).")
    if n_cut:
        report.text(f"{n_cut} run(s) had a population crash: their bursts, take-offs, lags and "
                    "final levels are judged on the generations before it (the crash is read "
                    "by the loss_after_crash signature below).")
    if results.skipped:
        report.text("Skipped (absent or all null in the tables): " + ", ".join(results.skipped)
                    + ".")
    for warning in results.warnings:
        report.text(f"Warning: {warning}")
    if n_failed:
        report.table(results.failed, "Failed runs (status error), excluded")
    report.heading("What these data say")
    if not results.metrics:
        report.text("None of the cultural measures (" + ", ".join(CULTURE_METRICS) + ") is "
                    "recorded in these tables, so they say nothing about a cultural burst.")
    for metric in results.metrics:
        report.heading(metric, level=3)
        levels = _finals_of(finals_by, metric)
        said = conclusions(scenarios, scen_order, metric, roles=roles, contrasts=pairs,
                           finals=levels)
        for paragraph in said:
            report.text(paragraph)
        rows = scenarios.filter(pl.col("metric") == metric)
        if rows.height and (rows["n_takeoff"] > rows["n_burst"]).any():
            report.text("Counting take-offs (a burst, or a threshold-like onset followed by "
                        "sustained growth) as well:")
            for paragraph in conclusions(scenarios, scen_order, metric, "takeoff", roles, pairs,
                                         levels):
                if paragraph not in said:  # the order of events is the same for both
                    report.text(paragraph)
    sig_table, inputs = _signatures(results, report, out)
    _record(results, sig_table, inputs.presence, report, out, years_per_generation)
    _where(results, bursts, finals, report, out)
    _factorial(results, report, out)
    _response(results, judged, report, out)
    report.heading("Definitions")
    report.text(_definition_text())
    report.heading("Tables")
    shown = [*keys, *[c for c in SHOWN if c in conditions.columns]]
    report.table(conditions.select(shown), "Per condition (conditions.parquet)")
    if order is not None:
        report.table(order, "Order of events: mirror rise minus cultural rise, in generations "
                            "(negative: mirror first; order.parquet)")
    if effects.height:
        top = effects.sort(pl.col("dp").abs(), descending=True, nulls_last=True)
        report.table(top, "One-factor contrasts, largest differences in burst probability "
                          "first (effects.parquet)")
    report.heading("Figures")
    for png, caption in [*_levels(results, finals, out),
                         *_figures(results, bursts, conditions, keys, out, years_per_generation)]:
        report.figure(png, caption)
    report.heading("How these results were made")
    for line in provenance_lines(results.kind, results.record):
        report.text(line)
    _, page = write(report, out)
    return text_table(conditions.filter(pl.col("metric").is_in(results.metrics)).select(shown)), page

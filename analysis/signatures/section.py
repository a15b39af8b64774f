"""The report's signatures section: the account x signature table, the claims worded, the figure."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis import plots
from analysis.report import Report
from analysis.signatures.registry import registered


def fmt_number(value: float) -> str:
    """A number with 3 significant digits ('inf' for a censored value, '–' for NaN)."""
    if math.isnan(value):
        return "–"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.3g}"


def _cell(row: dict) -> str:
    if row["n"] == 0:
        return "–"
    bounds = ("" if math.isnan(row["low"])
              else f" [{fmt_number(row['low'])}, {fmt_number(row['high'])}]")
    return f"{fmt_number(row['value'])}{bounds} (n={row['n']})"


def signature_matrix(table: pl.DataFrame) -> pl.DataFrame:
    """Account x signature: one row per signature, a column per account, 'value [low, high] (n=)'."""
    pooled = table.filter(pl.col("scenario").is_null())
    accounts = pooled["account"].unique(maintain_order=True).to_list()
    rows = []
    for spec in registered():
        part = {r["account"]: r for r in pooled.filter(pl.col("signature") == spec.name)
                .iter_rows(named=True)}
        rows.append({"signature": spec.name, "unit": spec.unit,
                     **{a: _cell(part[a]) if a in part else "–" for a in accounts}})
    return pl.DataFrame(rows, schema={"signature": pl.String, "unit": pl.String,
                                      **dict.fromkeys(accounts, pl.String)})


@dataclass(frozen=True)
class Claim:
    """What the 95 % interval of one claimed signature says, for one account.

    ``side`` is where the interval lies against the signature's reference value (0 for a lag or
    a correlation, 1 for a share kept): "below", "above", "includes", or "too few" when no
    interval exists (fewer than 6 runs). ``statements`` words claims; tests read them.
    """

    account: str
    signature: str
    median: float
    low: float
    high: float
    n: int
    side: str


def claims(table: pl.DataFrame) -> list[Claim]:
    """Per account (pooled rows), a ``Claim`` for each claimed signature measured in some run."""
    spec = {s.name: s for s in registered()}
    claimed = [s.name for s in registered() if s.claimed]
    pooled = table.filter(pl.col("scenario").is_null() & (pl.col("n") > 0)
                          & pl.col("signature").is_in(claimed))
    out = []
    for row in pooled.iter_rows(named=True):
        lo, hi, ref = row["low"], row["high"], spec[row["signature"]].reference
        side = ("too few" if math.isnan(lo) else "below" if hi < ref else "above" if lo > ref
                else "includes")
        out.append(Claim(row["account"], row["signature"], row["value"], lo, hi, row["n"], side))
    return out


def _finding(claim: Claim) -> str:
    """The words for where a claim's interval lies (the signature's own reading)."""
    name, side = claim.signature, claim.side
    if name.startswith("order_"):
        a, b = name.removeprefix("order_").split("_minus_")
        return {"below": f"{a} rises before {b}", "above": f"{a} rises after {b}"}.get(
            side, f"no detectable order between {a} and {b} (the interval includes 0)")
    if name == "camp_wave":
        return {"above": "camp onsets travel outward from the first camp, a wave",
                "below": "camps farther from the first rise earlier"}.get(
            side, "no detectable wave of camp onsets (the interval includes 0)")
    return ("a crash loses tool complexity" if side == "below"
            else "no detectable loss of tool complexity in a crash (the interval includes 1)")


def statements(table: pl.DataFrame) -> list[str]:
    """Sentences worded from the claims: the order of rises, the wave, the loss in a crash.

    Per account; signatures measured in too few runs for an interval are listed in one sentence.
    """
    units = {s.name: s.unit for s in registered()}
    out: list[str] = []
    by_account: dict[str, list[Claim]] = {}
    for claim in claims(table):
        by_account.setdefault(claim.account, []).append(claim)
    for account, found in by_account.items():
        few = []
        for c in found:
            unit = "" if units[c.signature] != "generations" else " generations"
            med = f"median {fmt_number(c.median)}{unit}"
            if c.side == "too few":
                few.append(f"{c.signature} ({med}, n = {c.n})")
                continue
            out.append(f"{account}: {_finding(c)} ({med}, 95 % CI {fmt_number(c.low)} "
                       f"to {fmt_number(c.high)}, n = {c.n}).")
        if few:
            out.append(f"{account}: too few runs for a 95 % interval (6 needed): "
                       + "; ".join(few) + ".")
    return out


def plotted() -> tuple[str, ...]:
    """The signatures the figure draws (not the unit conversions)."""
    return tuple(s.name for s in registered() if s.plotted)


def plot_data(table: pl.DataFrame) -> pl.DataFrame:
    """The figure's rows: per account (scenario null) and plotted signature (n 0: not measured)."""
    return (table.filter(pl.col("scenario").is_null() & pl.col("signature").is_in(plotted()))
            .select("signature", "account", "value", "low", "high", "n", "unit"))


def plot_signature(
    data: pl.DataFrame, signature: str, accounts: list[str], ax: Axes | None = None
) -> Figure:
    """One panel: a point per account and its 95 % interval (open marker: no interval).

    Infinite values (runs not recovered by their end) are drawn at the panel's right edge as '>'.
    """
    if ax is None:
        fig, ax = plots.plt.subplots(figsize=(4.0, 0.4 * len(accounts) + 1.2), layout="constrained")
    fig = ax.figure
    part = data.filter((pl.col("signature") == signature) & (pl.col("n") > 0))
    finite = [v for c in ("value", "low", "high") for v in part[c].to_list() if math.isfinite(v)]
    edge = (max(finite) + 0.1 * (max(finite) - min(finite)) + 1e-9) if finite else 1.0
    for row in part.iter_rows(named=True):
        i, colour = accounts.index(row["account"]), f"C{accounts.index(row['account']) % 10}"
        v, lo, hi = (edge if math.isinf(x) else x for x in (row["value"], row["low"], row["high"]))
        if not math.isnan(lo):
            ax.plot([lo, hi], [i, i], color=colour, linewidth=2)
        marker = ">" if math.isinf(row["value"]) else "o"
        ax.plot([v], [i], marker, color=colour, markerfacecolor="white" if math.isnan(lo) else colour)
        ax.annotate(f"n={row['n']}", (v, i), textcoords="offset points", xytext=(0, 5),
                    fontsize="x-small", ha="center")
    for i, account in enumerate(accounts):
        if account not in part["account"].to_list():
            ax.text(0.5, i, "not measured", transform=ax.get_yaxis_transform(), ha="center",
                    va="center", color="grey", fontsize="x-small")
    ax.set_yticks(range(len(accounts)), accounts, fontsize="small")
    ax.set_ylim(-0.6, len(accounts) - 0.4)
    ax.invert_yaxis()
    spec = {s.name: s for s in registered()}[signature]
    unit = spec.unit
    ax.set_title(signature, fontsize="small")
    ax.set_xlabel(unit, fontsize="small")
    if spec.reference is not None:
        ax.axvline(spec.reference, color="grey", linewidth=0.8, linestyle="--")
    return fig


def plot_signatures(data: pl.DataFrame, columns: int = 4) -> Figure:
    """Account x signature: one panel per signature measured in some run (``plot_data``)."""
    measured = set(data.filter(pl.col("n") > 0)["signature"].to_list())
    names = [s for s in plotted() if s in measured]
    accounts = sorted(data["account"].unique().to_list())
    rows = max(1, math.ceil(len(names) / columns))
    fig, axes = plots.plt.subplots(rows, columns, figsize=(3.6 * columns,
                                                           (0.35 * len(accounts) + 1.3) * rows),
                                   layout="constrained", squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        plot_signature(data, name, accounts, ax=ax)
    for ax in list(axes.flat)[len(names):]:
        ax.set_axis_off()
    return fig


def report_section(report: Report, table: pl.DataFrame, out: Path) -> None:
    """The report's signatures section: statements, the account x signature table, the figure."""
    report.heading("Signatures an archaeologist could see")
    report.text(
        "Per account (its scenarios pooled, controls left out): which series rises first (half-rise "
        "lags, negative: the first named first), the 10-90 % rise time of log10 tool complexity "
        "(in generations, and in years at 25 and 30 a generation), the spread (IQR) of the "
        "onsets of tool lineages and of camps, whether camp onsets travel outward as a wave "
        "(Spearman rho with distance from the first camp) and what a population crash keeps and "
        "how long recovery takes. Medians with distribution-free 95 % intervals (none below 6 "
        "runs), shares with Wilson intervals; n is the runs that could be measured. Definitions "
        "and every threshold (our assumptions): analysis/signatures/; per-scenario rows and the "
        "reasons a value is missing: signatures.parquet, every run's values: "
        "signature_runs.parquet.")
    for sentence in statements(table):
        report.text(sentence)
    report.table(signature_matrix(table),
                 "Signatures per account: median or share [95 % CI] (n runs)")
    data = plot_data(table)
    if not (data["n"] > 0).any():
        report.text("No signature could be measured in these runs, so there is no figure.")
        return
    png = plots.save_figure(plot_signatures(data), out, "signatures")
    report.figure(png, "Signatures per account: a point (median, or share of runs) and its 95 % "
                  "interval; an open point has no interval (fewer than 6 runs); '>' at the right "
                  "edge: not recovered by the end of the runs. Tempo in years is the generations "
                  "panel times 25 or 30.")

"""Every signature of one run, and of every run of a table (``signature_runs.parquet``)."""

from __future__ import annotations

import polars as pl

from analysis.roles import with_accounts
from analysis.signatures import crash, flicker, spread, timing  # noqa: F401  (they register the measures)
from analysis.signatures.crash import before_crash
from analysis.signatures.reading import Inputs
from analysis.signatures.registry import MEASURES, Measured, nan_because, registered


def run_signatures(
    gens: pl.DataFrame | None, camps: pl.DataFrame | None = None,
    lineages: pl.DataFrame | None = None, presence: pl.DataFrame | None = None,
) -> dict[str, Measured]:
    """Every signature of one run, in ``SIGNATURES`` order (NaN with a reason where not measured).

    ``gens`` has ``generation`` and any of ``reading.GEN_COLUMNS``; ``camps``, ``lineages`` and
    ``presence`` are that run's rows of the extra tables, or None where not recorded. Each
    registered measure gets the table it reads (``registry.READS``).
    """
    tables: dict[str, pl.DataFrame | None] = {"camps": camps, "lineages": lineages,
                                              "presence": presence}
    no_gens = gens is None or gens.is_empty() or "generation" not in gens.columns
    if not no_gens:
        gens = gens.filter(pl.col("generation").is_not_null()).sort("generation")  # type: ignore[union-attr]
        tables |= {"generations": gens, "leap": before_crash(gens)}
    out: dict[str, Measured] = {}
    for measure in MEASURES:
        if no_gens and measure.reads in ("generations", "leap"):
            out.update({s.name: nan_because("no generation rows") for s in measure.rows})
        else:
            out.update(measure(tables[measure.reads]))
    return {s.name: out[s.name] for s in registered()}


def _parts(tables: pl.DataFrame | None) -> dict[object, pl.DataFrame]:
    if tables is None:
        return {}
    return {k[0]: v for k, v in tables.partition_by("run_id", as_dict=True).items()}


def per_run_table(inputs: Inputs, runs: pl.DataFrame) -> pl.DataFrame:
    """One row per run and signature: ``run_id, scenario, account, role, signature, value, detail``."""
    runs = with_accounts(runs)
    gens, camps, lineages, presence = (_parts(inputs.generations), _parts(inputs.camps),
                                       _parts(inputs.lineages), _parts(inputs.presence))
    rows = []
    for run in runs.select("run_id", "scenario", "account", "role").iter_rows(named=True):
        rid = run["run_id"]
        values = run_signatures(gens.get(rid), camps.get(rid), lineages.get(rid),
                                presence.get(rid))
        rows += [{**run, "signature": name, "value": m.value, "detail": m.detail}
                 for name, m in values.items()]
    schema = {"run_id": pl.Int64, "scenario": pl.String, "account": pl.String, "role": pl.String,
              "signature": pl.String, "value": pl.Float64, "detail": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row")

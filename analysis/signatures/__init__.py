"""Signatures an archaeologist could see, per run and per account, with 95 % intervals.

A burst alone is no evidence of a brain change if an account without one bursts too. So, beside
the burst verdicts, ``analyze`` measures in every run the traces that the accounts predict
differently: which series rises first, how fast culture rises, whether tool types and camps take
it up together or one by one, and what a population crash costs. Every threshold in the modules
is our assumption, with its reason; each per-run value is NaN where it cannot be measured (the
reason is kept in ``detail``) and is then left out of ``n``.

The package, by job: ``registry`` (each signature declared once, with the measure that fills
it), ``rises`` (when a series rises, on the shared primitives of ``analysis.series``), the
measures (``timing``: order, leap, tempo; ``spread``: lineages and camps; ``flicker``: types
lost and regained, region by region; ``crash``: loss and
recovery), ``runs`` (every signature of every run: ``signature_runs.parquet``), ``summary``
(across runs: ``signatures.parquet``), ``reading`` (the tables they read) and ``section`` (the
report's claims, table and figure). Each module's docstring gives its definitions and thresholds.
"""

from __future__ import annotations

from analysis.signatures import crash, flicker, spread, timing  # noqa: F401  (they register measures)
from analysis.signatures.reading import Inputs, load_inputs, read_table
from analysis.signatures.registry import MEDIAN, WILSON, Measured, Signature, registered
from analysis.signatures.runs import per_run_table, run_signatures
from analysis.signatures.section import claims, report_section, statements
from analysis.signatures.summary import COLUMNS, signatures_table

SIGNATURES: tuple[Signature, ...] = registered()
BY_NAME = {s.name: s for s in SIGNATURES}

__all__ = ["BY_NAME", "COLUMNS", "MEDIAN", "SIGNATURES", "WILSON", "Inputs", "Measured",
           "Signature", "claims", "load_inputs", "per_run_table", "read_table",
           "report_section", "run_signatures", "signatures_table", "statements"]

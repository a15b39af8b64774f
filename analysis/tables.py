"""Loading and validating result tables (read-only): a run directory or a sweep directory.

A run directory holds ``generations.parquet`` and ``run.json``; a sweep directory holds
``runs.parquet``, ``generations/*.parquet`` (every row carrying ``run_id``) and ``sweep.json``.
Every problem with the input (missing, empty, corrupt or partial table) raises ``UsageError`` with
one line naming the file. Nothing here writes anything.
"""

from __future__ import annotations

import numpy as np
import polars as pl

CULTURE_METRICS = ("tool_complexity", "gesture_success", "lexicon_coherence")
MIRROR_METRICS = ("mirror_mean", "mirror_effective_mean")
TIME_COLUMNS = ("generation", "interactions")


def time_column(table: pl.DataFrame) -> str | None:
    """The time axis of a generation table: ``generation``, else ``interactions``, else None."""
    return next((c for c in TIME_COLUMNS if c in table.columns), None)


def time_values(table: pl.DataFrame) -> np.ndarray:
    """The time axis as floats (the row number when the table has no time column)."""
    col = time_column(table)
    if col is None:
        return np.arange(table.height, dtype=float)
    return table[col].cast(pl.Float64).to_numpy()

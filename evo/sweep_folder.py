"""The sweep folder's table format, read and written in one place by the sweeps and the analysis.

A sweep folder holds, besides ``sweep.json`` and ``runs.parquet``, one folder of Parquet parts per
table (`TABLES`: ``generations/``, and ``camps/`` ``lineages/`` and ``presence/`` when runs record them), each
row carrying ``run_id``. A task's part is ``part-NNNNNNN.parquet`` (its first run_id);
compaction merges many into ``merged-NNNNNNN-<token>.parquet`` and writes it before it removes
the parts it holds, so a kill in between leaves copies: `table_files` leaves out every part
whose runs a merged part holds, so no run is read twice. Hidden files are a writer's temporary
files (`evo.files.atomic_write`) and are never read. `evo.run.sweep.store` writes the folder
(and sets aside damaged parts); `analysis.tables` reads it with `read_parts`.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from evo.errors import UsageError

#: The folders of table parts, in the order a task writes them (its records part comes last).
TABLES = ("generations", "camps", "lineages", "presence")
#: The optional extra tables a run may record (`RunResult.extras`).
EXTRA_TABLES = TABLES[1:]
#: Each table's record column counting its rows per run (a finished ok run with a positive
#: count must have rows there).
ROW_COUNTS = {"generations": "generations_run", **{name: f"{name}_rows" for name in EXTRA_TABLES}}
#: A task's own part starts so; a compaction's merged part with `MERGED_PREFIX`.
PART_PREFIX = "part-"
MERGED_PREFIX = "merged-"


def part_name(first_run_id: int) -> str:
    """The file name of the parts (every table's and the records') of a task."""
    return f"{PART_PREFIX}{first_run_id:07d}.parquet"


def run_ids(path: Path) -> set[int]:
    """The run_ids a part holds."""
    return set(pl.read_parquet(path, columns=["run_id"])["run_id"].to_list())


def held_by_merged(folder: Path) -> set[int]:
    """The run_ids the readable merged parts of `folder` hold."""
    held: set[int] = set()
    for path in sorted(folder.glob(f"{MERGED_PREFIX}*.parquet")):
        with contextlib.suppress(Exception):  # a damaged one is named when it is read
            held |= run_ids(path)
    return held


def table_files(folder: Path) -> list[Path]:
    """The parts of a table folder to read: visible, and no part whose runs a merged part holds.

    A part that cannot be read is kept, so reading it names it.
    """
    files = sorted(f for f in folder.glob("*.parquet") if not f.name.startswith("."))
    held = held_by_merged(folder) if any(f.name.startswith(MERGED_PREFIX) for f in files) else set()
    if not held:
        return files
    kept = []
    for path in files:
        if path.name.startswith(PART_PREFIX):
            try:
                ids = run_ids(path)
            except Exception:
                ids = set()
            if ids and ids <= held:
                continue
        kept.append(path)
    return kept


def _fail(path: Path, problem: str) -> UsageError:
    return UsageError(f"{path}: {problem}")


def read_part(path: Path, columns: Sequence[str] | None = None) -> pl.DataFrame:
    """One part (`columns` of it that exist, or all); UsageError naming it when it is damaged."""
    try:
        if columns is None:
            return pl.read_parquet(path)
        schema = pl.read_parquet_schema(path)
        return pl.read_parquet(path, columns=[c for c in columns if c in schema])
    except Exception as exc:  # polars raises several types for bad bytes
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise _fail(path, f"not a readable Parquet table, corrupt or partially written "
                          f"({reason})") from None


def read_parts(files: Sequence[Path], folder: Path,
               columns: Sequence[str] | None = None) -> pl.DataFrame:
    """Every part in `files` once, stacked: one scan when all share a schema, else part by part.

    Parts written before the sweep store used one union schema differ by scenario (naming_game
    parts have ``interactions``, the others ``generation``); they are joined with missing
    columns as nulls. A part that cannot be read is named in the error; `folder` names the
    table when the parts cannot be combined.
    """
    schemas = []
    for path in files:
        try:
            schemas.append(pl.read_parquet_schema(path))
        except Exception:
            read_part(path)  # raises the one-line error naming the file
            raise _fail(path, "not a readable Parquet table (footer)") from None
    if columns is None and all(s == schemas[0] for s in schemas):
        try:
            return pl.scan_parquet(list(files)).collect()
        except Exception:
            pass  # a damaged part: found below (the error path only)
    tables = [read_part(path, columns) for path in files]
    try:
        return concat(tables)
    except Exception as exc:
        reason = str(exc).splitlines()[0][:120]
        raise _fail(folder, f"files cannot be combined ({reason})") from None


def read_table(root: Path, name: str, columns: Sequence[str] | None = None) -> pl.DataFrame | None:
    """Table `name` of the sweep folder `root`, each run's rows once; None when it has no parts."""
    folder = root / name
    files = table_files(folder) if folder.is_dir() else []
    return read_parts(files, folder, columns) if files else None


def concat(frames: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """Stack frames whose columns or null-only dtypes may differ."""
    return pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0]


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    """`frame` as the bytes of a Parquet file (polars' defaults)."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()

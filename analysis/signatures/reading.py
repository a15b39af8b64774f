"""Reading the tables the signatures need: generations, camps, lineages, presence of a run or sweep."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from evo import sweep_folder
from evo.errors import UsageError

GEN_COLUMNS = ("generation", "population", "mirror_mean", "mirror_learned_mean", "tool_complexity",
               "tool_types", "expressivity")
CAMP_COLUMNS = ("generation", "camp", "x", "y", "population", "tool_complexity")
LINEAGE_COLUMNS = ("generation", "lineage", "held")
PRESENCE_COLUMNS = ("generation", "camp", "lineage", "skill_best", "held")


@dataclass(frozen=True)
class Inputs:
    """The tables the signatures read: generations (``GEN_COLUMNS``), camps, lineages, presence."""

    generations: pl.DataFrame | None
    camps: pl.DataFrame | None
    lineages: pl.DataFrame | None
    presence: pl.DataFrame | None = None


def _files(root: Path, kind: str, name: str) -> list[Path]:
    if kind == "run":
        path = root / f"{name}.parquet"
        return [path] if path.is_file() else []
    folder = root / name
    if not folder.is_dir():
        return []
    return sweep_folder.table_files(folder)  # each run's rows once (merged copies left out)


def _read(path: Path, columns: Sequence[str], required: Sequence[str]) -> pl.DataFrame:
    """The columns of ``path`` that exist; UsageError naming the file when damaged or short."""
    try:
        schema = pl.read_parquet_schema(path)
        missing = [c for c in required if c not in schema]
        if missing:
            raise UsageError(f"{path}: missing column(s) {', '.join(missing)}")
        table = pl.read_parquet(path, columns=[c for c in columns if c in schema])
    except UsageError:
        raise
    except Exception as exc:  # polars raises several types for bad bytes
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise UsageError(f"{path}: not a readable Parquet table, corrupt or partially written "
                         f"({reason})") from None
    return table


def read_table(
    root: Path, kind: str, name: str, columns: Sequence[str], keys: Sequence[str],
    required: Sequence[str] = (), loaded: pl.DataFrame | None = None,
) -> pl.DataFrame | None:
    """``DIR/name.parquet`` (a run) or ``DIR/name/*.parquet`` (a sweep), with ``run_id``.

    None when absent. A sweep's parts are listed by `evo.sweep_folder.table_files`, so rows a
    merged part holds are read once. `loaded` is the table already read (`Results.read`, the
    generation table `analysis.tables` loaded): it is used instead of reading the files again.
    """
    files = [] if loaded is not None else _files(root, kind, name)
    if loaded is None and not files:
        return None
    need = (*required, "run_id") if kind == "sweep" else tuple(required)
    want = list(dict.fromkeys((*need, *keys, *columns)))
    if loaded is not None:
        missing = [c for c in need if c not in loaded.columns]
        if missing:
            raise UsageError(f"{root / name}: missing column(s) {', '.join(missing)}")
        files = [root / (name if kind == "sweep" else f"{name}.parquet")]
    parts = ([loaded.select([c for c in want if c in loaded.columns])] if loaded is not None
             else [_read(f, want, need) for f in files])
    parts = [p for p in parts if all(k in p.columns for k in keys)]
    if not parts:
        return None
    table = pl.concat(parts, how="diagonal_relaxed")
    if table.is_empty():
        raise UsageError(f"{files[0] if kind == 'run' else root / name}: empty table (0 rows)")
    if kind == "run":
        table = table.with_columns(pl.lit(None, dtype=pl.Int64).alias("run_id"))
    table = table.with_columns(pl.col("run_id").cast(pl.Int64))
    return table.unique(["run_id", *keys], keep="first", maintain_order=True)


def load_inputs(root: Path, kind: str, generations: pl.DataFrame | None = None) -> Inputs:
    """The generations, camps, lineages and presence tables of a run or sweep (None where absent).

    `generations`: the generation table already read (`Results.read`), not read again.
    """
    gens = read_table(root, kind, "generations", GEN_COLUMNS, ("generation",),
                      loaded=generations)
    if gens is not None:
        gens = gens.filter(pl.col("generation").is_not_null())
    camps = read_table(root, kind, "camps", CAMP_COLUMNS, ("generation", "camp"), CAMP_COLUMNS)
    lineages = read_table(root, kind, "lineages", LINEAGE_COLUMNS, ("generation", "lineage"),
                          LINEAGE_COLUMNS)
    presence = read_table(root, kind, "presence", PRESENCE_COLUMNS,
                          ("generation", "camp", "lineage"), PRESENCE_COLUMNS)
    return Inputs(gens, camps, lineages, presence)

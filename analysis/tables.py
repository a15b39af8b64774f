"""Loading and validating result tables (read-only): a run directory or a sweep directory.

A run directory holds ``generations.parquet`` and ``run.json``; a sweep directory holds
``runs.parquet``, ``generations/*.parquet`` (every row carrying ``run_id``) and ``sweep.json``.
Every problem with the input (missing, empty, corrupt or partial table) raises ``UsageError`` with
one line naming the file. Nothing here writes anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from evo import sweep_folder
from evo.errors import UsageError
from evo.measures import CULTURE, MIRROR
from evo.measures import TIME_COLUMNS as TIME

CULTURE_METRICS = CULTURE  # the registry's names (evo.measures), so a renamed column is renamed here
MIRROR_METRICS = MIRROR
TIME_COLUMNS = TIME


def time_column(table: pl.DataFrame) -> str | None:
    """The time axis of a generation table: ``generation``, else ``interactions``, else None.

    A column that is present but all null (a naming_game run in a sweep's union schema has a null
    ``generation``) gives way to the next one.
    """
    present = [c for c in TIME_COLUMNS if c in table.columns]
    filled = [c for c in present if table[c].null_count() < table.height]
    return next(iter(filled or present), None)


RUN_FILES = ("generations.parquet", "run.json")
SWEEP_FILES = ("runs.parquet", "generations/", "sweep.json")
PLANNED_KEYS = ("n_runs", "planned_runs", "total_runs", "runs_planned")


@dataclass(frozen=True)
class Results:
    """Validated tables of a run or a sweep, ready for analysis (never written back).

    ``runs`` has one row per analysed run (``run_id`` null for a single run, ``scenario``, ``seed``
    and one column per varied parameter); ``generations`` is long (``run_id``, ``time`` and the
    metric columns present). ``time_label`` names the time axis (generation, interactions or row).
    ``meta`` is sweep.json (empty for a single run); ``record`` is the run.json or sweep.json
    read, whose provenance the report's footer prints.
    """

    kind: str
    root: Path
    runs: pl.DataFrame
    generations: pl.DataFrame
    varied: list[str]
    metrics: list[str]
    skipped: list[str]
    mirror: list[str]
    time_label: str
    failed: pl.DataFrame
    warnings: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    record: dict[str, Any] = field(default_factory=dict)  # run.json or sweep.json, as read
    #: The generation table as read, every column (the signatures measure more than `metrics`),
    #: so the analysis reads the folder's generation rows once.
    read: pl.DataFrame | None = None


def _fail(path: Path, problem: str) -> UsageError:
    return UsageError(f"{path}: {problem}")


def _read_parquet(path: Path) -> pl.DataFrame:
    if not path.is_file():
        raise _fail(path, "missing")
    try:
        table = pl.read_parquet(path)
    except Exception as exc:  # polars raises several types for bad bytes
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        problem = f"not a readable Parquet table, corrupt or partially written ({reason})"
        raise _fail(path, problem) from None
    if table.height == 0:
        raise _fail(path, "empty table (0 rows)")
    return table


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise _fail(path, "missing")
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(path, f"not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise _fail(path, f"expected a JSON object, found {type(data).__name__}")
    return data


def _per_run_time(table: pl.DataFrame, by: list[str]) -> tuple[pl.Expr, list[str]]:
    """The time of each row: ``generation`` in runs that record it, else ``interactions``.

    A sweep that mixes naming_game with other scenarios holds both columns, each null in the other
    kind's rows, so the choice is made per run, not once for the whole table. Returns the
    expression and the labels of the columns used (in ``TIME_COLUMNS`` order).
    """
    present = [c for c in TIME_COLUMNS if c in table.columns]
    if len(present) == 1 or not by:
        col = present[0]
        if not by and table[col].null_count() == table.height and len(present) > 1:
            col = present[1]
        return pl.col(col).cast(pl.Float64), [col]
    first, second = present
    has_first = pl.col(first).is_not_null().any().over(by)
    expr = (pl.when(has_first).then(pl.col(first)).otherwise(pl.col(second))).cast(pl.Float64)
    uses = table.select(has_first.alias("uses_first"))["uses_first"]
    used = [c for c, flag in ((first, True), (second, False)) if (uses == flag).any()]
    return expr, used


def _check_generations(table: pl.DataFrame, path: Path, by: list[str]) -> tuple[str, pl.DataFrame]:
    """Validate one generation table; return (time label, table with a float ``time`` column)."""
    metrics = [c for c in (*CULTURE_METRICS, *MIRROR_METRICS) if c in table.columns]
    col = time_column(table)
    if not metrics:
        wanted = ", ".join((*TIME_COLUMNS, *CULTURE_METRICS, *MIRROR_METRICS))
        raise _fail(path, f"no metric column to analyse (wanted some of {wanted}; "
                          f"found {', '.join(table.columns[:12])})")
    for m in metrics:
        if not table[m].dtype.is_numeric():
            raise _fail(path, f"column {m} is {table[m].dtype}, expected numbers")
    if col is None:
        row = pl.int_range(pl.len()).over(by) if by else pl.int_range(pl.len())
        table = table.with_columns(row.cast(pl.Float64).alias("time"))
        label = "row"
    else:
        for c in TIME_COLUMNS:
            if c in table.columns and not (table[c].dtype.is_numeric()
                                           or table[c].dtype == pl.Null):
                raise _fail(path, f"column {c} is {table[c].dtype}, expected numbers")
        expr, used = _per_run_time(table, by)
        table = table.with_columns(expr.alias("time"))
        label = " / ".join(used)
        if table["time"].null_count():
            raise _fail(path, f"rows without a {label} value (each row needs its time)")
    dup = table.select([*by, "time"]).is_duplicated()
    if dup.any():
        raise _fail(path, f"repeated {label} values (each run needs one row per {label})")
    return label, table.select([*by, "time", *metrics]).sort([*by, "time"])


def detect_kind(root: Path) -> str:
    """'run' or 'sweep' from the files present; UsageError when it is neither."""
    if not root.is_dir():
        raise _fail(root, "no such directory (give a run directory or a sweep directory)")
    if any((root / f.rstrip("/")).exists() for f in SWEEP_FILES):
        return "sweep"
    if any((root / f).exists() for f in RUN_FILES):
        return "run"
    raise _fail(root, "neither a run directory (generations.parquet, run.json) nor a sweep "
                      "directory (runs.parquet, generations/, sweep.json)")


def load(root: Path | str) -> Results:
    """Load and validate a run or sweep directory (see ``detect_kind``)."""
    root = Path(root)
    return load_sweep(root) if detect_kind(root) == "sweep" else load_run(root)


def _recorded(generations: pl.DataFrame, metric: str) -> bool:
    """Whether the column exists and holds a finite value.

    Scenarios write all-null columns for measures they do not model.
    """
    if metric not in generations.columns:
        return False
    return generations.select(pl.col(metric).cast(pl.Float64).is_finite().any()).item() is True


def _present(generations: pl.DataFrame) -> tuple[list[str], list[str], list[str]]:
    """(cultural metrics recorded, cultural metrics absent or empty, mirror metrics recorded)."""
    metrics = [m for m in CULTURE_METRICS if _recorded(generations, m)]
    skipped = [m for m in CULTURE_METRICS if m not in metrics]
    mirror = [m for m in MIRROR_METRICS if _recorded(generations, m)]
    return metrics, skipped, mirror


def load_run(root: Path) -> Results:
    """A single run: ``generations.parquet`` and ``run.json``."""
    gpath = root / "generations.parquet"
    table = _read_parquet(gpath)
    meta = _read_json(root / "run.json")
    label, gens = _check_generations(table, gpath, [])
    gens = gens.with_columns(pl.lit(None, dtype=pl.Int64).alias("run_id"))
    warnings: list[str] = []
    planned = meta.get("generations")
    thinned = meta.get("record_every") not in (None, 1)  # record_every: fewer rows, not fewer gens
    last = gens["time"].max() if thinned else gens.height
    if isinstance(planned, int) and label == "generation" and last < planned:
        warnings.append(f"{gpath}: {gens.height} rows but run.json says {planned} generations; "
                        "analysing the partial run")
    runs = pl.DataFrame({"run_id": [None], "scenario": [str(meta.get("scenario", "unknown"))],
                         "seed": [meta.get("seed")], "account": [meta.get("account")],
                         "role": [meta.get("role")]},
                        schema={"run_id": pl.Int64, "scenario": pl.String, "seed": pl.Int64,
                                "account": pl.String, "role": pl.String})
    metrics, skipped, mirror = _present(gens)
    return Results("run", root, runs, gens, [], metrics, skipped, mirror, label,
                   runs.clear(), warnings, record=meta, read=table)


def _scan_generations(folder: Path) -> pl.DataFrame:
    """Every run's generation rows once (`evo.sweep_folder`: merged copies are not read twice)."""
    if not folder.is_dir():
        raise _fail(folder, "missing (a sweep directory needs generations/*.parquet)")
    files = sweep_folder.table_files(folder)
    if not files:
        raise _fail(folder, "no Parquet files")
    table = sweep_folder.read_parts(files, folder)
    if table.height == 0:
        raise _fail(folder, "empty tables (0 rows)")
    return table


def resume_hint(root: Path) -> str:
    """How to finish or resume a sweep folder: the same sweep command again."""
    return (f"to finish it, run the same `python run.py sweep SPEC --out {root}` again (it "
            "resumes where it stopped)")


def _records(root: Path) -> pl.DataFrame | None:
    """The finished runs' records (``records/*.parquet``, what runs.parquet is rebuilt from)."""
    folder = root / "records"
    files = sorted(f for f in folder.glob("*.parquet") if not f.name.startswith(".")) \
        if folder.is_dir() else []
    parts = []
    for f in files:
        try:
            parts.append(pl.read_parquet(f))
        except Exception:  # a record being written or damaged: the sweep recomputes its runs
            continue
    parts = [p for p in parts if "run_id" in p.columns and p.height]
    if not parts:
        return None
    table = pl.concat(parts, how="diagonal_relaxed")
    return table.unique("run_id", keep="last", maintain_order=True).sort("run_id")


def _runs_of(root: Path, meta: dict[str, Any]) -> tuple[pl.DataFrame, Path]:
    """The runs table of a sweep at any moment: runs.parquet, or its records while it runs.

    A sweep writes a record per finished task and rebuilds runs.parquet from them at its end, so
    while it runs (or after it was stopped) the records hold runs that runs.parquet does not yet:
    they are read instead, and the analysis is the same as if the sweep had stopped there.
    """
    rpath = root / "runs.parquet"
    records = _records(root)
    planned = next((meta[k] for k in PLANNED_KEYS if isinstance(meta.get(k), int)), None)
    if records is None:
        if not rpath.is_file():
            of = f" (0 of {planned})" if planned else ""
            raise _fail(rpath, f"missing: no run of the sweep has finished yet{of}; analyse "
                               f"again once some have, or, if it was stopped, {resume_hint(root)}")
        return _read_parquet(rpath), rpath
    if rpath.is_file():
        try:
            runs = pl.read_parquet(rpath)
        except Exception:  # damaged or being replaced: the records say the same
            runs = None
        if runs is not None and runs.height >= records.height:
            return _read_parquet(rpath), rpath
    return records, root / "records"


def load_sweep(root: Path) -> Results:
    """A sweep: ``sweep.json``, ``runs.parquet`` (or its records) and ``generations/*.parquet``."""
    meta = _read_json(root / "sweep.json")
    runs, rpath = _runs_of(root, meta)
    missing = [c for c in ("run_id", "scenario", "status") if c not in runs.columns]
    if missing:
        raise _fail(rpath, f"missing column(s) {', '.join(missing)}")
    if runs["run_id"].is_duplicated().any():
        raise _fail(rpath, "repeated run_id values")
    warnings: list[str] = []
    varied_raw = meta.get("varied", [])
    if not isinstance(varied_raw, list) or not all(isinstance(v, str) for v in varied_raw):
        raise _fail(root / "sweep.json", f"'varied' must be a list of parameter names, "
                                         f"found {varied_raw!r}")
    varied = [v for v in varied_raw if v in runs.columns]
    if len(varied) < len(varied_raw):
        gone = sorted(set(varied_raw) - set(varied))
        warnings.append(f"{rpath}: no column for varied parameter(s) {', '.join(gone)}; ignored")
    gpath = root / "generations"
    table = _scan_generations(gpath)
    if "run_id" not in table.columns:
        raise _fail(gpath, "rows carry no run_id column")
    label, gens = _check_generations(table, gpath, ["run_id"])
    gens = gens.with_columns(pl.col("run_id").cast(pl.Int64))
    runs = runs.with_columns(pl.col("run_id").cast(pl.Int64))
    failed = runs.filter(pl.col("status") != "ok")
    ok = runs.filter(pl.col("status") == "ok")
    have = set(gens["run_id"].unique().to_list())
    no_rows = ok.filter(~pl.col("run_id").is_in(list(have)))
    if no_rows.height:
        warnings.append(f"{gpath}: no rows for {no_rows.height} run(s) marked ok in runs.parquet "
                        "(still being written?); excluded")
        ok = ok.filter(pl.col("run_id").is_in(list(have)))
    extra = have - set(runs["run_id"].to_list())
    if extra:
        warnings.append(f"{gpath}: rows for {len(extra)} run(s) not yet in runs.parquet; skipped")
    if ok.height == 0:
        raise _fail(rpath, f"no finished run to analyse ({failed.height} failed, "
                           f"{no_rows.height} without generation rows)")
    gens = gens.filter(pl.col("run_id").is_in(ok["run_id"].to_list()))
    planned = next((meta[k] for k in PLANNED_KEYS if isinstance(meta.get(k), int)), None)
    if planned is not None and runs.height < planned:
        warnings.append(f"{root}: sweep in progress or stopped, {runs.height} of {planned} runs "
                        f"finished; analysing those ({resume_hint(root)})")
    keep = ["run_id", "scenario", *(c for c in ("seed", "account", "role") if c in ok.columns),
            *varied]
    metrics, skipped, mirror = _present(gens)
    failed = failed.select([c for c in ("run_id", "scenario", "error") if c in failed.columns])
    return Results("sweep", root, ok.select(keep), gens, varied, metrics, skipped, mirror, label,
                   failed, warnings, meta, record=meta, read=table)

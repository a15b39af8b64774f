"""The sweep folder: atomic files, a lock, the header, finished runs and the runs table.

The tables' format (part and merged names, reading each run's rows once) is `evo.sweep_folder`'s,
shared with the analysis; this module writes the folder, resumes and repairs it.

Layout of ``DIR``::

    sweep.json                 header: spec, spec_hash, root_seed, varied, code, model_hash,
                               versions, resolved_scenarios (extended only: `continued` on
                               resume)
    runs.parquet               one row per finished run (rebuilt from records/, atomically)
    generations/part-NNNNNNN.parquet   generation tables of one task's runs, with run_id
    generations/merged-NNNNNNN-*.parquet  many tasks' tables, merged by `compact`
    camps/part-NNNNNNN.parquet         the same task's per-camp tables (runs with record_camps),
    lineages/part-NNNNNNN.parquet      and per-lineage tables (record_lineages), with run_id;
                                       merged like generations/ by `compact`
    records/part-NNNNNNN.parquet       the rows of the same task's runs: the resume state
    errors.log                 tracebacks of failed runs
    retried/                   the records and rows of failed runs run again (--retry-errors)
    damaged/                   unreadable files set aside on resume (never deleted), see `repair`
    .lock                      held (filelock: flock, or Windows' lock) while a sweep writes here

Every file is written to a hidden temporary name in its own folder, flushed to disk, then renamed
over its final name, so a kill at any moment leaves either the old file or the new one. A task's
generations part (and its camps and lineages parts, when its runs record them) is renamed before
its records part; a task is finished exactly when its records part exists, so a part without
one (a kill between the renames) is an unfinished leftover and is removed on the next start,
like stray temporary files. Nothing else is ever deleted or overwritten: finished runs (status ok
or error) are skipped on resume, never recomputed, except the failed ones ``--retry-errors``
makes unfinished again (`SweepStore.release_errors`), their old records and rows kept in
``retried/``. A task's parts are named by its first run_id (``-K`` added when a retry finds the
name taken).
"""

from __future__ import annotations

import json
import secrets
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
from filelock import FileLock, Timeout

from evo.errors import UsageError
from evo.files import TMP_PATTERNS, atomic_write, write_bytes
from evo.sweep_folder import (
    EXTRA_TABLES,
    MERGED_PREFIX,
    ROW_COUNTS,
    concat,
    parquet_bytes,
    part_name,
    run_ids,
)

#: Rows per merged generations part: a few large files, each a modest read.
MERGE_ROWS = 1_000_000
#: A finished sweep with at least this many generations parts is compacted without --compact.
COMPACT_AUTO_PARTS = 256




class DamagedHeader(UsageError):
    """sweep.json cannot be read (`reason`): the folder's spec and root seed are not known."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path} is unreadable ({reason}); not a sweep folder")
        self.reason = reason


class SweepStore:
    """Reads and writes one sweep folder."""

    def __init__(self, out: str | Path):
        self.out = Path(out)
        self.header_path = self.out / "sweep.json"
        self.runs_path = self.out / "runs.parquet"
        self.generations_dir = self.out / "generations"
        self.records_dir = self.out / "records"
        self.errors_log = self.out / "errors.log"
        self.damaged_dir = self.out / "damaged"
        #: generations/, camps/, lineages/: the folders of a task's table parts.
        self.table_dirs = {name: self.out / name for name in ROW_COUNTS}

    # -- header -------------------------------------------------------------------------------
    def read_header(self) -> dict[str, Any] | None:
        """Return sweep.json, or None for a new sweep; refuse a folder that is not a sweep."""
        if self.out.exists() and not self.out.is_dir():
            raise UsageError(f"--out {self.out} is a file; give a folder (new, empty or a sweep's)")
        if not self.header_path.exists():
            if self.out.exists() and any(p.name != ".lock" for p in self.out.iterdir()):
                raise UsageError(
                    f"--out {self.out} is not empty and holds no sweep.json; "
                    "give a new or empty folder, or the folder of an earlier sweep to continue it"
                )
            return None
        try:
            header = json.loads(self.header_path.read_text(encoding="utf-8"))
            header["spec_hash"], header["root_seed"]  # required keys
        except (OSError, ValueError, KeyError, TypeError) as exc:
            reason = str(exc).splitlines()[0][:100] if str(exc) else type(exc).__name__
            raise DamagedHeader(self.header_path, reason) from None
        return header

    def write_header(self, header: Mapping[str, Any]) -> None:
        """Write sweep.json atomically."""
        write_bytes(self.header_path, (json.dumps(header, indent=2) + "\n").encode())

    @contextmanager
    def session(
        self,
        header: dict[str, Any],
        check: Callable[[dict[str, Any]], dict[str, Any] | None],
        recover: Callable[[str], dict[str, Any]] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Create the folder, hold its lock, write or `check` the header, and clear leftovers.

        `check(found)` raises UsageError to refuse the folder, or returns a header to write in
        place of the one found (which it must extend, never drop from), or None.
        Yields the header in force: `header` if this call wrote it, else the one found under the
        lock (another process may have started the sweep, with another drawn root seed, since
        the caller read the folder). If sweep.json is unreadable, `recover(reason)` returns the
        header to write in its place (the damaged file is set aside in ``damaged/``) or raises
        UsageError; without `recover` the folder is refused.
        """
        from evo.run.runner import make_writable_dir

        make_writable_dir(self.out)  # or one line naming why not, leaving nothing behind
        lock = FileLock(self.out / ".lock", timeout=0)  # refused at once, never waits
        try:
            lock.acquire()
        except Timeout:
            raise UsageError(
                f"another sweep process is writing to {self.out}; wait for it or stop it first"
            ) from None
        try:
            try:
                existing = self.read_header()  # again, under the lock
            except DamagedHeader as damaged:
                if recover is None:
                    raise
                rebuilt = recover(damaged.reason)
                self.set_aside(self.header_path)
                self.write_header(rebuilt)
                existing = rebuilt
                header = rebuilt
            if existing is None:
                self.write_header(header)
            else:
                updated = check(existing)
                if updated is not None:
                    self.write_header(updated)
                    existing = updated
            self.generations_dir.mkdir(exist_ok=True)
            self.records_dir.mkdir(exist_ok=True)
            self.remove_leftovers()
            self.repair()
            yield header if existing is None else existing
        finally:
            lock.release()

    # -- finished runs ------------------------------------------------------------------------
    def remove_leftovers(self) -> list[Path]:
        """Delete temporary files and generations parts of unfinished tasks; return them."""
        removed = []
        for folder in (self.out, *self.table_dirs.values(), self.records_dir):
            removed += [p for pattern in TMP_PATTERNS for p in folder.glob(pattern) if p.is_file()]
        finished = {p.name for p in self.records_dir.glob("part-*.parquet")}
        removed += [
            p for folder in self.table_dirs.values() for p in folder.glob("part-*.parquet")
            if p.name not in finished
        ]
        for path in removed:
            path.unlink()
        return removed

    def set_aside(self, path: Path) -> Path:
        """Move `path` into ``damaged/`` (same relative place, a free name): never delete data."""
        rel = path.relative_to(self.out)
        target = self.damaged_dir / rel
        n = 1
        while target.exists():
            n += 1
            target = self.damaged_dir / rel.parent / f"{rel.stem}.{n}{rel.suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        path.replace(target)
        return target

    def repair(self) -> list[Path]:
        """Set aside every unreadable part, with its task's other part; return what was moved.

        A task's runs are finished exactly when its records part can be read, so the runs of a
        damaged records part are recomputed; its generations part goes with it (and a damaged
        generations part takes its records part along), so a task stays whole in ``damaged/``
        and no run is held twice once it is recomputed. A damaged runs.parquet is set aside
        too: it is rebuilt from the records at the end of every sweep command. Each move is
        one warning line naming the file, the cause and what happens.
        """
        moved: list[Path] = []
        folders = {"records": self.records_dir, **self.table_dirs}
        for kind, folder in folders.items():
            for part in sorted(folder.glob("part-*.parquet")):
                if not part.exists():  # set aside already, with a damaged part of its task
                    continue
                problem = _unreadable(part, None if kind == "records" else ["run_id"])
                if problem is None:
                    continue
                runs = _runs_held(self.generations_dir / part.name, part.name)
                task = [d / part.name for d in folders.values() if (d / part.name).exists()]
                moved += [self.set_aside(path) for path in task]
                others = "other part" if len(task) <= 2 else "other parts"
                _warn(f"{part} is damaged ({problem}); moved it and its task's {others} to "
                      f"{self.damaged_dir}/; its runs ({runs}) will be recomputed")
        # Until nothing moves: a records part set aside for a camps or lineages part leaves rows
        # in the generations' merged parts that an earlier pass already found covered.
        while step := [path for kind in self.table_dirs for path in self._reconcile_merged(kind)]:
            moved += step
        if self.runs_path.exists() and (problem := _unreadable(self.runs_path, None)):
            moved.append(self.set_aside(self.runs_path))
            _warn(f"{self.runs_path} is damaged ({problem}); moved to {self.damaged_dir}/, "
                  "rebuilt from the records")
        return moved

    def _reconcile_merged(self, kind: str = "generations") -> list[Path]:
        """Make the merged parts of `kind` (generations, camps, lineages) and the records agree.

        See `compact`. A run's rows are expected in `kind` when its record counts them
        (`ROW_COUNTS`: generations_run, camps_rows, lineages_rows) above 0.

        A damaged merged part is set aside, and with it every records part whose ok runs now
        have no rows (their runs are recomputed). A part whose runs a merged part already holds
        is the leftover of a compaction killed before it removed it: an exact copy, removed.
        Rows of runs no record covers (their records part was set aside) are moved out of a
        merged part into ``damaged/``, so a recomputed run is never held twice.
        """
        folder = self.table_dirs[kind]
        merged = sorted(folder.glob(f"{MERGED_PREFIX}*.parquet"))
        if not merged:
            return []
        moved: list[Path] = []
        held: dict[Path, set[int]] = {}
        for path in merged:
            problem = _unreadable(path, ["run_id"])
            if problem is None:
                held[path] = run_ids(path)
                continue
            moved.append(self.set_aside(path))
            _warn(f"{path} is damaged ({problem}); moved to {self.damaged_dir}/; the runs it "
                  "held will be recomputed")
        in_merged = set().union(*held.values()) if held else set()
        for part in sorted(folder.glob("part-*.parquet")):
            ids = run_ids(part)
            if ids and ids <= in_merged:
                part.unlink()  # a copy of rows a merged part holds (compaction was killed)
        rows = in_merged.union(*(run_ids(part) for part in folder.glob("part-*.parquet")))
        count = ROW_COUNTS[kind]
        for record in sorted(self.records_dir.glob("part-*.parquet")):
            frame = pl.read_parquet(record)
            if count not in frame.columns:
                continue
            ok = frame.filter((pl.col("status") == "ok") & (pl.col(count) > 0))
            lost = sorted(set(ok["run_id"].to_list()) - rows)
            if lost:
                for path in (record, *(d / record.name for d in self.table_dirs.values())):
                    if path.exists():
                        moved.append(self.set_aside(path))
                what = "generation" if kind == "generations" else kind
                _warn(f"{record}: the {what} rows of its runs are lost (run_id "
                      f"{', '.join(map(str, lost))}); moved to {self.damaged_dir}/, its runs will "
                      "be recomputed")
        covered = set(self.read_records(["run_id"])["run_id"].to_list())
        for path, ids in held.items():
            orphans = ids - covered
            if orphans:
                table = pl.read_parquet(path)
                keep = pl.col("run_id").is_in(sorted(orphans))
                aside = (self.damaged_dir / kind
                         / f"orphans-of-{path.stem}-{secrets.token_hex(4)}.parquet")
                aside.parent.mkdir(parents=True, exist_ok=True)
                write_bytes(aside, parquet_bytes(table.filter(keep)))
                write_bytes(path, parquet_bytes(table.filter(~keep)))
                moved.append(aside)
        return moved

    def compact(self, max_rows: int = MERGE_ROWS) -> int:
        """Merge finished tasks' generations parts into parts of about `max_rows` rows.

        The camps and lineages parts, when the runs record them, are merged the same way, each
        in its own folder.

        Records are left as they are: they still say which runs are finished. Each merged part
        is written whole under a temporary name and renamed (``merged-<first run_id>-<token>``),
        and only then are the parts it replaces removed, one by one. A kill before the rename
        leaves a temporary file (removed on the next start); after it, a merged part and some
        of its parts, whose rows it holds: the next start removes those copies
        (`_reconcile_merged`) before anything else reads the folder, so no run is held twice.
        Returns the number of generations parts merged away.
        """
        merged = self._compact_folder(self.generations_dir, max_rows)
        for name in EXTRA_TABLES:
            self._compact_folder(self.table_dirs[name], max_rows)
        return merged

    def _compact_folder(self, folder: Path, max_rows: int) -> int:
        """`compact` in one folder of table parts; returns the number of parts merged away."""
        finished = {p.name for p in self.records_dir.glob("part-*.parquet")}
        parts = [p for p in sorted(folder.glob("part-*.parquet")) if p.name in finished]
        groups: list[list[Path]] = []
        rows = 0
        schema = None
        for part in parts:
            n, part_schema = _row_count(part), pl.read_parquet_schema(part)
            if not groups or rows + n > max_rows or part_schema != schema:
                groups.append([])
                rows, schema = 0, part_schema
            groups[-1].append(part)
            rows += n
        merged = 0
        for group in (g for g in groups if len(g) > 1):
            first = int(group[0].name.removeprefix("part-")[:7])
            target = folder / f"{MERGED_PREFIX}{first:07d}-{secrets.token_hex(4)}.parquet"
            atomic_write(target, lambda tmp, g=group: pl.scan_parquet(g).sink_parquet(tmp))
            for part in group:
                self._remove_part(part)
            merged += len(group)
        return merged

    @staticmethod
    def _remove_part(part: Path) -> None:
        """Remove a generations part a merged part now holds (a hook for the crash tests)."""
        part.unlink()

    def readable_records(self, columns: Sequence[str]) -> pl.DataFrame:
        """`columns` of every records part that can be read (for checking a lost header)."""
        frames = []
        for part in sorted(self.records_dir.glob("part-*.parquet")):
            try:
                frames.append(pl.read_parquet(part, columns=list(columns)))
            except Exception:  # damaged: set aside later, its runs recomputed
                continue
        if not frames:
            return pl.DataFrame(schema={c: pl.Int64 for c in columns})
        return concat(frames)

    def finished_ids(self) -> set[int]:
        """run_ids with a record (status ok or error)."""
        return set(self.read_records(["run_id"])["run_id"].to_list())

    def read_records(self, columns: Sequence[str]) -> pl.DataFrame:
        """`columns` of every record, read part by part (parts of older sweeps may differ)."""
        parts = sorted(self.records_dir.glob("part-*.parquet"))
        if not parts:
            return pl.DataFrame(schema={c: pl.Int64 if c == "run_id" else pl.String for c in columns})
        return concat([pl.read_parquet(p, columns=list(columns)) for p in parts])

    def release_errors(self) -> list[int]:
        """Make the runs that ended in an error unfinished again (``--retry-errors``).

        Their records and any rows they left in the table parts are moved out of the parts (each
        part rewritten whole, tables first, so a kill midway leaves every run either finished
        with its record or unfinished) into ``retried/<folder>/``, never deleted. Returns their
        run_ids.
        """
        found = self.read_records(["run_id", "status"])
        ids = sorted(found.filter(pl.col("status") != "ok")["run_id"].to_list())
        if not ids:
            return []
        token = f"{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}"
        for kind, folder in (*self.table_dirs.items(), ("records", self.records_dir)):
            for path in sorted(p for p in folder.glob("*.parquet") if not p.name.startswith(".")):
                table = pl.read_parquet(path)
                hit = pl.col("run_id").is_in(ids)
                moved = table.filter(hit)
                if not moved.height:
                    continue
                aside = self.out / "retried" / kind / f"{path.stem}-{token}.parquet"
                aside.parent.mkdir(parents=True, exist_ok=True)
                write_bytes(aside, parquet_bytes(moved))
                if moved.height == table.height:
                    path.unlink()
                else:
                    write_bytes(path, parquet_bytes(table.filter(~hit)))
        return ids

    def free_part_name(self, first_run_id: int) -> str:
        """The name of a new task's parts: `part_name`, or with ``-K`` when a retry left it taken."""
        name = part_name(first_run_id)
        k = 1
        while (self.records_dir / name).exists() or any(
                (folder / name).exists() for folder in self.table_dirs.values()):
            k += 1
            name = part_name(first_run_id).replace(".parquet", f"-{k}.parquet")
        return name

    def write_task(
        self,
        records: Sequence[dict[str, Any]],
        tables: Sequence[pl.DataFrame],
        schema: Mapping[str, Any],
        extras: Mapping[str, Sequence[pl.DataFrame]] | None = None,
    ) -> None:
        """Save one finished task: its generation tables, then (marking it finished) its records.

        `extras` maps an extra table's name ("camps", "lineages", "presence") to its runs' tables, written
        to ``DIR/<name>/`` before the records, like the generation tables.

        Records are written with `schema` (missing values as typed nulls), so every part of every
        sweep of the same spec has the same columns and types, whatever its runs' scenarios and
        statuses; keys not in `schema` follow, sorted, with inferred types.
        """
        name = self.free_part_name(min(r["run_id"] for r in records))
        for kind, frames in (extras or {}).items():
            if kind not in EXTRA_TABLES:
                raise ValueError(f"unknown extra table {kind!r}; valid: {', '.join(EXTRA_TABLES)}")
            if frames:
                self.table_dirs[kind].mkdir(exist_ok=True)
                write_bytes(self.table_dirs[kind] / name, parquet_bytes(concat(frames)))
        if tables:
            write_bytes(self.generations_dir / name, parquet_bytes(concat(tables)))
        write_bytes(self.records_dir / name, parquet_bytes(record_frame(records, schema)))

    def log_error(self, run_id: int, text: str) -> None:
        """Append a failed run's traceback to errors.log."""
        with open(self.errors_log, "a", encoding="utf-8") as log:
            log.write(f"--- run_id {run_id}\n{text.rstrip()}\n")

    def rebuild_runs(self, schema: Mapping[str, Any]) -> pl.DataFrame | None:
        """Write runs.parquet from all records, sorted by run_id, with `schema`'s columns first."""
        parts = sorted(self.records_dir.glob("part-*.parquet"))
        if not parts:
            return None
        runs = conform(concat([pl.read_parquet(p) for p in parts]), schema).sort("run_id")
        write_bytes(self.runs_path, parquet_bytes(runs))
        return runs


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _unreadable(path: Path, columns: list[str] | None) -> str | None:
    """Why `path` cannot be read as Parquet (`columns` of it, or all), or None if it can."""
    try:
        pl.read_parquet(path, columns=columns)
    except Exception as exc:  # polars raises several types for bad bytes
        return str(exc).splitlines()[0][:100] if str(exc) else type(exc).__name__
    return None


def _runs_held(generations_part: Path, name: str) -> str:
    """Which runs a task held: its generations part's run_ids if readable, else from its name."""
    try:
        ids = pl.read_parquet(generations_part, columns=["run_id"])["run_id"].unique().sort()
    except Exception:
        return f"from run_id {int(name.removeprefix('part-')[:7])}"
    return "run_id " + ", ".join(str(i) for i in ids.to_list())


def _row_count(path: Path) -> int:
    return pl.scan_parquet(path).select(pl.len()).collect().item()


def record_frame(records: Sequence[dict[str, Any]], schema: Mapping[str, Any]) -> pl.DataFrame:
    """`records` as a frame: `schema`'s columns typed (absent values null), then other keys, sorted."""
    extra = sorted({key for record in records for key in record} - set(schema))
    columns = [
        pl.Series(name, [r.get(name) for r in records], dtype=dtype)
        for name, dtype in schema.items()
    ]
    columns += [pl.Series(name, [r.get(name) for r in records]) for name in extra]
    return pl.DataFrame(columns)


def conform(frame: pl.DataFrame, schema: Mapping[str, Any]) -> pl.DataFrame:
    """`frame` with `schema`'s columns first, cast (missing ones as typed nulls), then the rest."""
    head = [
        pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype).alias(name)
        for name, dtype in schema.items()
    ]
    return frame.select(*head, *sorted(c for c in frame.columns if c not in schema))

"""`run_sweep`: check the spec and the folder, warm the numba cache, run what is missing, save.

Order of work: parse the spec; read ``DIR/sweep.json`` if the folder holds a sweep (a different
spec is refused; its root seed is reused); expand and check every run (`spec.build_plan`); only then
create the folder, take its lock, read the header again under it (if another process started the
sweep meanwhile, its root seed is used and the plan rebuilt), and skip the runs already recorded.
One tiny run per scenario in this process compiles the numba kernels into the on-disk cache, so the
workers load them instead of each compiling them again. Results are saved task by task;
runs.parquet is rebuilt every minute and at the end, also after Ctrl-C or an error.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evo.errors import UsageError
from evo.run import provenance
from evo.run.sweep.engines import check_engine, default_workers, open_engine
from evo.run.sweep.scheduler import execute
from evo.run.sweep.seeds import draw_root_seed
from evo.run.sweep.spec import PlannedRun, SweepSpec, build_plan, load_spec
from evo.run.sweep.store import COMPACT_AUTO_PARTS, DamagedHeader, SweepStore
from evo.run.sweep.worker import SUMMARIES, Outcome, RunFn, RunJob, simulate_run

REBUILD_EVERY_S = 60.0


@dataclass(frozen=True)
class SweepReport:
    """What a call of `run_sweep` did."""

    out: Path
    total: int
    already_done: int
    computed: int
    failed: int  # runs with status "error" in the whole sweep


def default_resolve(scenario: str, overrides: Mapping[str, object]) -> object:
    """Check a scenario's parameters with the model: `evo.run.runner.resolve_params`."""
    from evo.run.runner import resolve_params

    return resolve_params(scenario, overrides)


def declared_roles(names: Sequence[str]) -> dict[str, dict[str, str]]:
    """Each scenario's declared `account` and `role` (see `scenarios`), for the runs table."""
    import scenarios

    loaded = {name: scenarios.load(name) for name in names}
    return {name: {"account": s.account, "role": s.role} for name, s in loaded.items()}


def run_sweep(
    spec: SweepSpec | str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    engine: str = "local",
    address: str | None = None,
    run_fn: RunFn = simulate_run,
    resolve: Callable[[str, Mapping[str, object]], object] = default_resolve,
    progress: bool = True,
    warmup: bool = True,
    target_task_s: float = 2.0,
    allow_version_change: bool = False,
    compact: bool = False,
    retry_errors: bool = False,
) -> SweepReport:
    """Run (or continue) the sweep `spec` into folder `out`; see the package docstring.

    `run_fn(scenario, *, seed, generations, overrides)` returns an object with a polars `table`
    (or the table itself) and must be picklable (a module-level function). Bad input raises
    UsageError before any run starts. A folder made with other code, other package versions or
    other values of its scenarios is refused unless `allow_version_change` (then the change is
    recorded in sweep.json's ``continued`` list). With `compact`, or when a finished sweep
    holds at least `store.COMPACT_AUTO_PARTS` generations parts, the parts are merged at the end
    (`SweepStore.compact`). With `retry_errors` the runs that ended in an error are run again
    (`SweepStore.release_errors`). Every record says which invocation wrote it: ``made_with``
    is 0 for the provenance at the top of sweep.json and k for its k-th ``continued`` entry,
    and ``model_hash`` is the model's source hash it ran with.
    """
    with _stop_on_signals():
        return _run_sweep(spec, out, workers=workers, engine=engine, address=address,
                          run_fn=run_fn, resolve=resolve, progress=progress, warmup=warmup,
                          target_task_s=target_task_s,
                          allow_version_change=allow_version_change, compact=compact,
                          retry_errors=retry_errors)


class Stopped(KeyboardInterrupt):
    """The sweep was stopped by a signal (SIGTERM, SIGINT): handled as Ctrl-C, its pool stopped.

    `exit_code` is the shell's convention, 128 + the signal's number (SIGINT 130, SIGTERM 143).
    """

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
        self.exit_code = 128 + signum
        self.how = f"stopped by {signal.Signals(signum).name}"


@contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGINT into `Stopped` while a sweep runs (in the main thread only).

    Without this a ``kill`` ends the parent at once and leaves its pool's workers, the
    forkserver and the resource tracker running; as an exception, it unwinds through the
    engine, which stops its workers, and the runs finished so far are saved. A second signal
    while the sweep stops is ignored, so the stopping itself is not cut short.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted = (signal.SIGTERM, signal.SIGINT)
    before = {signum: signal.getsignal(signum) for signum in wanted}

    def stop(signum: int, frame: Any) -> None:
        for other in wanted:
            signal.signal(other, signal.SIG_IGN)
        raise Stopped(signum)

    for signum in wanted:
        signal.signal(signum, stop)
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)


def _run_sweep(
    spec: SweepSpec | str | Path,
    out: str | Path,
    *,
    workers: int | None,
    engine: str,
    address: str | None,
    run_fn: RunFn,
    resolve: Callable[[str, Mapping[str, object]], object],
    progress: bool,
    warmup: bool,
    target_task_s: float,
    allow_version_change: bool,
    compact: bool,
    retry_errors: bool,
) -> SweepReport:
    """`run_sweep`, once SIGTERM and SIGINT stop it cleanly."""
    if not isinstance(spec, SweepSpec):
        spec = load_spec(spec)
    check_engine(engine, workers, address)
    store = SweepStore(out)
    made_with = provenance.provenance(spec.scenarios)
    try:
        existing = store.read_header()
    except DamagedHeader as damaged:
        existing = None
        if spec.root_seed is None:
            raise UsageError(
                f"{store.header_path} is unreadable ({damaged.reason}) and the spec sets no "
                f"root_seed: the root seed is lost and {store.out} cannot be continued; sweep "
                "into a new --out (the finished runs stay where they are)"
            ) from None
    if existing is not None:
        _check_same_spec(existing, spec, store)
        _check_provenance(existing, made_with, store, allow_version_change)
        root_seed = int(existing["root_seed"])
    else:
        root_seed = spec.root_seed if spec.root_seed is not None else draw_root_seed()
    plan = build_plan(spec, root_seed, resolve)
    if existing is not None:
        _check_unordered_records(existing, spec, plan, store)
    header = _header(spec, root_seed, len(plan), made_with, plan)
    columns = record_schema(spec, plan)

    def check(found: dict[str, Any]) -> dict[str, Any] | None:
        _check_same_spec(found, spec, store)
        if int(found["root_seed"]) == root_seed:  # else checked below, once the plan is rebuilt
            _check_unordered_records(found, spec, plan, store)
        upgraded = _with_ordered_hash(found, spec)
        continued = _continue(upgraded, made_with, store, allow_version_change)
        return continued if continued is not None else (upgraded if upgraded is not found
                                                        else None)

    def recover(reason: str) -> dict[str, Any]:
        return _recovered_header(store, reason, spec, plan, header)

    with store.session(header, check, recover if spec.root_seed is not None else None) as current:
        if int(current["root_seed"]) != root_seed:  # started by another process meanwhile
            root_seed = int(current["root_seed"])
            plan = build_plan(spec, root_seed, resolve)
            _check_unordered_records(current, spec, plan, store)
        if retry_errors:
            again = store.release_errors()
            if again:
                print(f"retrying {len(again)} run{'s' if len(again) > 1 else ''} that ended in "
                      f"an error (their old records are in {store.out / 'retried'})",
                      file=sys.stderr)
        done = store.finished_ids()
        todo = [run for run in plan if run.run_id not in done]
        failed_before = _count_failed(store)
        invocation = {"made_with": len(current.get("continued") or []),
                      "model_hash": made_with["model_hash"]}
        saver = _Saver(store, plan, spec.varied, columns, done=len(done), failed=failed_before,
                       roles=declared_roles(spec.scenarios), invocation=invocation)
        interrupted: KeyboardInterrupt | None = None
        try:
            if todo:
                jobs = [RunJob(r.run_id, r.scenario, r.seed, r.overrides) for r in todo]
                if address is None:  # no more processes than runs to do
                    workers = min(workers or default_workers(), len(todo))
                with open_engine(engine, workers, address) as (executor, slots):
                    if warmup:  # workers are idle until the first submit
                        _warm_up(todo, run_fn)
                    saver.show_progress(total=len(plan), enabled=progress)
                    execute(
                        executor,
                        slots,
                        jobs,
                        generations=spec.generations,
                        run_fn=run_fn,
                        on_task=saver.save,
                        target_s=target_task_s,
                        record_every=spec.record_every,
                    )
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM / SIGINT (`Stopped`)
            interrupted = exc
            raise
        finally:
            saver.close()
            store.rebuild_runs(columns)
            if interrupted is not None:  # after the progress bar's last line
                how = interrupted.how if isinstance(interrupted, Stopped) else "interrupted"
                print(
                    ("\n" if progress and sys.stderr.isatty() else "")
                    + f"{how}: {saver.done} of {len(plan)} runs are saved in {store.out}; "
                    "run the same command again to continue",
                    file=sys.stderr,
                )
        parts = len(list(store.generations_dir.glob("part-*.parquet")))
        if parts > 1 and (compact or (saver.done == len(plan) and parts >= COMPACT_AUTO_PARTS)):
            merged = store.compact()
            print(f"compacted {merged} of {parts} generations parts of {store.out} into larger "
                  "ones")
    return SweepReport(store.out, len(plan), len(done), saver.done - len(done), saver.failed)


def _header(
    spec: SweepSpec, root_seed: int, n_runs: int, made_with: Mapping[str, Any],
    plan: Sequence[PlannedRun] = (),
) -> dict[str, Any]:
    """The content of sweep.json; `made_with` is `provenance.provenance` of its scenarios.

    A spec with ``[designs.*]`` records each scenario's resolved design (`resolved_designs`,
    from `plan`) under ``designs``; its ``n_points`` is null (the designs differ).
    """
    return {
        "spec": spec.raw,
        "spec_hash": spec.digest,
        "root_seed": root_seed,
        "root_seed_drawn": spec.root_seed is None,
        "scenarios": list(spec.scenarios),
        "varied": spec.varied,
        "seeds": spec.seeds,
        "generations": spec.generations,
        "record_every": 1 if spec.record_every is None else spec.record_every,
        "n_points": n_runs // (spec.seeds * len(spec.scenarios)) if not spec.per_scenario else None,
        "n_runs": n_runs,
        **({"designs": resolved_designs(spec, plan)} if spec.per_scenario and plan else {}),
        **made_with,  # code, model_hash, versions, resolved_scenarios
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def resolved_designs(spec: SweepSpec, plan: Sequence[PlannedRun]) -> list[dict[str, Any]]:
    """Each scenario's design as it runs, for sweep.json: what analysis needs to read it alone.

    Per scenario, in run order: its seeds, its fixed values (the shared [set] with its own over
    it), its grid or sample as written, the parameters it varies, its point count, its runs
    (``first_run_id`` to ``first_run_id + n_runs - 1``) and the value of every sweep factor it
    does not vary (what the runs table holds for them).
    """
    out = []
    for design in spec.designs:
        runs = [run for run in plan if run.scenario == design.scenario]
        own = spec.raw.get("designs", {}).get(design.scenario, {})
        out.append({
            "scenario": design.scenario,
            "seeds": design.seeds,
            "set": dict(design.fixed),
            **({"grid": own["grid"]} if "grid" in own else {}),
            **({"sample": own["sample"]} if "sample" in own else {}),
            "varied": design.varied,
            "n_points": len(runs) // design.seeds,
            "n_runs": len(runs),
            "first_run_id": runs[0].run_id if runs else None,
            "held": {name: runs[0].factors.get(name) for name in spec.varied
                     if name not in design.varied} if runs else {},
        })
    return out


#: The record columns naming the invocation that wrote a run (see `run_sweep`).
INVOCATION_COLUMNS = ("made_with", "model_hash")


def record_schema(spec: SweepSpec, plan: Sequence[PlannedRun]) -> dict[str, Any]:
    """Columns and types of every record and of runs.parquet, in order.

    Every run gets every column (null where it does not apply: an error, a scenario without
    tools or without a lexicon), so the record parts of a sweep always share one schema.
    """
    import polars as pl

    schema: dict[str, Any] = {
        "run_id": pl.Int64,
        "scenario": pl.String,
        "account": pl.String,
        "role": pl.String,
        "replicate": pl.Int64,
        "seed": pl.Int64,
    }
    for name in spec.varied:
        schema[name] = pl.Series([run.factors.get(name) for run in plan], strict=False).dtype
    schema |= {"status": pl.String, "error": pl.String, "wall_time_s": pl.Float64,
               "generations_run": pl.Int64, "made_with": pl.Int64, "model_hash": pl.String}
    return schema | {f"{column}_{how}": pl.Float64 for column, how in SUMMARIES}


class _Saver:
    """Saves each finished task, counts failures, drives the progress bar."""

    def __init__(
        self,
        store: SweepStore,
        plan: Sequence[PlannedRun],
        varied: list[str],
        columns: dict[str, Any],
        *,
        done: int,
        failed: int,
        roles: Mapping[str, Mapping[str, str]] | None = None,
        invocation: Mapping[str, Any] | None = None,
    ):
        self.store, self.plan, self.varied, self.columns = store, plan, varied, columns
        self.roles = roles or {}
        self.invocation = dict(invocation or {})  # made_with, model_hash: in every record
        self.done, self.failed = done, failed
        self.last_rebuild = time.monotonic()
        self.bar: Any = None

    def show_progress(self, total: int, enabled: bool) -> None:
        """Start the progress bar: runs done of `total`, rate, time left, failures."""
        from tqdm.auto import tqdm

        self.bar = tqdm(
            total=total,
            initial=self.done,
            unit="run",
            desc="sweep",
            disable=not enabled,
            dynamic_ncols=True,
            smoothing=0.05,
            mininterval=0.5 if sys.stderr.isatty() else 30.0,
        )
        self.bar.set_postfix(failed=self.failed)

    def save(self, outcomes: Sequence[Outcome]) -> None:
        records = [self.record(o) for o in outcomes]
        tables = [o.table for o in outcomes if o.table is not None and o.table.height]
        for outcome in outcomes:  # before the records: once they exist the runs are not redone
            if outcome.traceback:
                self.store.log_error(outcome.run_id, outcome.traceback)
        extras: dict[str, list[Any]] = {}
        for outcome in outcomes:
            for name, extra in outcome.extras.items():
                extras.setdefault(name, []).append(extra)
        self.store.write_task(records, tables, self.columns, extras)
        new_failures = sum(o.status != "ok" for o in outcomes)
        self.done += len(outcomes)
        self.failed += new_failures
        if self.bar is not None:
            if new_failures:
                self.bar.set_postfix(failed=self.failed, refresh=False)
            self.bar.update(len(outcomes))
        if time.monotonic() - self.last_rebuild > REBUILD_EVERY_S:
            self.store.rebuild_runs(self.columns)
            self.last_rebuild = time.monotonic()

    def record(self, outcome: Outcome) -> dict[str, Any]:
        run = self.plan[outcome.run_id]
        return {
            "run_id": run.run_id,
            "scenario": run.scenario,
            **self.roles.get(run.scenario, {}),
            "replicate": run.replicate,
            "seed": run.seed,
            **{name: run.factors.get(name, run.point.get(name)) for name in self.varied},
            "status": outcome.status,
            "error": outcome.error,
            "wall_time_s": outcome.wall_time_s,
            **self.invocation,
            **outcome.summary,
        }

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _check_same_spec(header: Mapping[str, Any], spec: SweepSpec, store: SweepStore) -> None:
    """Refuse to continue a sweep folder with another spec, naming the keys that differ.

    A folder of a spec without ``[designs]`` written before the key order entered the digest
    holds `SweepSpec.unordered_digest`: it passes here, and `_check_unordered_records` then
    checks its records against the plan.
    """
    if header.get("spec_hash") in (spec.digest, spec.unordered_digest):
        return
    old = header.get("spec") if isinstance(header.get("spec"), dict) else {}
    keys = sorted(k for k in set(old) | set(spec.raw) if old.get(k) != spec.raw.get(k))
    raise UsageError(
        f"{store.out} holds a different sweep (its spec differs in: {', '.join(keys) or '?'}); "
        "rerun it with its own spec (in its sweep.json) to continue, or give a new --out folder"
    )


def _check_unordered_records(
    header: Mapping[str, Any], spec: SweepSpec, plan: Sequence[PlannedRun], store: SweepStore
) -> None:
    """Refuse a folder whose digest does not hold the key order unless its records fit `plan`.

    Such a folder (`SweepSpec.unordered_digest`) may have been made by a spec that lists its
    ``[grid]`` or ``[sample.ranges]`` keys in another order, which numbers the runs otherwise:
    every record's scenario, seed and varied values must be the plan's at its run_id, else a
    resume would pair records with the wrong parameters.
    """
    if header.get("spec_hash") == spec.digest or spec.unordered_digest is None:
        return
    varied = list(spec.varied)
    records = store.readable_records(["run_id", "scenario", "seed", *varied])
    for row in records.iter_rows(named=True):
        run_id = row["run_id"]
        planned = plan[run_id] if 0 <= run_id < len(plan) else None
        wanted = None if planned is None else {
            "scenario": planned.scenario, "seed": planned.seed,
            **{name: planned.factors.get(name, planned.point.get(name)) for name in varied}}
        if wanted is None or any(row[key] != value for key, value in wanted.items()):
            raise UsageError(
                f"{store.out} holds runs numbered by another order of the spec's keys (run "
                f"{run_id} has {', '.join(f'{k}={row[k]}' for k in varied) or 'other values'}, "
                "not this spec's); rerun it with the spec it was made with (the order of its "
                "[grid] or [sample.ranges] keys), or give a new --out folder"
            )


def _with_ordered_hash(header: dict[str, Any], spec: SweepSpec) -> dict[str, Any]:
    """`header` with the digest that holds the key order, once its records were found to fit."""
    if header.get("spec_hash") == spec.digest:
        return header
    return {**header, "spec_hash": spec.digest, "spec_hash_unordered": header.get("spec_hash")}


def _count_failed(store: SweepStore) -> int:
    return int((store.read_records(["status"])["status"] != "ok").sum())


def _warm_up(todo: Sequence[PlannedRun], run_fn: RunFn) -> None:
    """One two-generation run per scenario here, so numba compiles once into its disk cache."""
    first: dict[str, PlannedRun] = {}
    for run in todo:
        first.setdefault(run.scenario, run)
    for scenario, run in first.items():
        try:
            run_fn(scenario, seed=0, generations=2, overrides=run.overrides)
        except Exception as exc:  # the runs themselves will record the error
            print(
                f"warning: warm-up run of {scenario!r} failed ({type(exc).__name__}: {exc}); continuing",
                file=sys.stderr,
            )


def _recovered_header(
    store: SweepStore, reason: str, spec: SweepSpec, plan: Sequence[PlannedRun],
    header: dict[str, Any],
) -> dict[str, Any]:
    """The header to write in place of an unreadable sweep.json, from the spec and its root seed.

    Allowed only when every readable record is a run of this plan (same scenario and seed at the
    same run_id): then the spec on the command line is the one the folder was made with.
    """
    records = store.readable_records(["run_id", "scenario", "seed"])
    for run_id, scenario, seed in records.iter_rows():
        planned = plan[run_id] if 0 <= run_id < len(plan) else None
        if planned is None or (planned.scenario, planned.seed) != (scenario, seed):
            raise UsageError(
                f"{store.header_path} is unreadable ({reason}) and run {run_id} of {store.out} "
                f"(scenario {scenario}, seed {seed}) is not this spec's; give the spec the folder "
                "was made with, or a new --out"
            )
    print(f"warning: {store.header_path} is unreadable ({reason}); rebuilt from the spec and its "
          f"root_seed, which match all {records.height} readable records (the damaged file is in "
          f"{store.damaged_dir}/)", file=sys.stderr)
    note = {"at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "reason": reason,
            "records_checked": records.height}
    return {**header, "header_recovered": note}


#: sweep.json's provenance fields, compared on every resume.
PROVENANCE_KEYS = ("code", "model_hash", "versions", "resolved_scenarios")


def _recorded(header: Mapping[str, Any]) -> dict[str, Any]:
    """The provenance the folder's latest runs were made with: the last ``continued`` entry's."""
    continued = header.get("continued")
    latest = continued[-1] if isinstance(continued, list) and continued else header
    return {key: latest.get(key) for key in PROVENANCE_KEYS}


def _check_provenance(
    header: Mapping[str, Any], made_with: Mapping[str, Any], store: SweepStore, allow: bool
) -> tuple[list[str], list[str]]:
    """Refuse a resume on other code, versions or scenario values unless `allow`.

    Returns (changes, unknown): see `provenance.changes`.
    """
    changed, unknown = provenance.changes(_recorded(header), made_with)
    if changed and not allow:
        raise UsageError(
            f"{store.out} cannot continue: {'; '.join(changed)}; give --allow-version-change "
            "to continue anyway, or a new --out"
        )
    return changed, unknown


def _continue(
    header: dict[str, Any], made_with: Mapping[str, Any], store: SweepStore, allow: bool
) -> dict[str, Any] | None:
    """Check a resume (under the lock); return the header to write if it must record one.

    An allowed change, or fields an older folder does not hold, is printed as a warning and
    appended to ``continued`` (when, what changed or was unknown, and what this process runs
    with), so the folder says which runs may have been made otherwise and the next resume
    compares with this code.
    """
    changed, unknown = _check_provenance(header, made_with, store, allow)
    if not changed and not unknown:
        return None
    if changed:
        print(f"warning: {store.out} continues with {'; '.join(changed)} "
              "(--allow-version-change; recorded in sweep.json)", file=sys.stderr)
    if unknown:
        print(f"warning: {store.header_path} does not record {', '.join(unknown)} "
              "(an older sweep folder): not checked; this run's are recorded from now on",
              file=sys.stderr)
    entry = {"at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "changed": changed, "unknown": unknown,
             **made_with}
    return {**header, "continued": [*header.get("continued", []), entry]}

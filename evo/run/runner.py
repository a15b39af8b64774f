"""Run one scenario to a generation table and its metadata; write them to a run folder."""

from __future__ import annotations

import contextlib
import json
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from tqdm import tqdm

import scenarios
from evo import files
from evo.core import kernels, stream
from evo.core.metrics import (
    CAMP_SCHEMA,
    GENERATION_SCHEMA,
    LINEAGE_SCHEMA,
    NAMING_GAME_SCHEMA,
    PRESENCE_SCHEMA,
    REPERTOIRE_SCHEMA,
    camp_rows,
    lineage_rows,
    naming_game_row,
    presence_rows,
)
from evo.core.model import MirrorModel
from evo.core.params import Params
from evo.core.repertoire import RepertoireRun, record_steps
from evo.core.scenario import scenario_params
from evo.errors import UsageError
from evo.files import atomic_write
from evo.run import provenance

MAX_SEED = 2**63 - 1


@dataclass(frozen=True)
class RunResult:
    """A finished run: its generation table and JSON-ready metadata (run.json).

    Example::

        result = simulate("default", seed=1, generations=50)
        result.table["tool_complexity"][-1]     # the last generation's tool complexity
        result.meta["params"]["mirror_cost"]    # every parameter as run
    """

    #: One row per generation kept (row 0: the founders); its columns are listed in Output files.
    table: pl.DataFrame
    #: What run.json holds: scenario, account, role, seed, every parameter, events, provenance.
    meta: dict[str, Any]
    #: The unthinned table when `record_every` thinned `table` (for exact summaries), else None.
    full_table: pl.DataFrame | None = None
    #: The optional extra tables by name ("camps", "lineages", "presence"; `record_camps`,
    #: `record_lineages`, `record_presence`).
    extras: dict[str, pl.DataFrame] = field(default_factory=dict)


def check_record_every(value: Any, where: str = "record_every") -> int | str | None:
    """None (every row), a positive integer k (every k-th row) or "final"; else UsageError."""
    if value is None or value == "final":
        return value
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise UsageError(f"bad {where} {value!r}; valid: a positive integer k (keep every k-th "
                         "generation, the first and the last always kept) or \"final\" (the "
                         "first and the last only)")
    return int(value)


def thin(table: pl.DataFrame, record_every: int | str | None) -> pl.DataFrame:
    """Every `record_every`-th row of `table` (row 0 and the last always kept); rows unchanged."""
    if record_every is None or record_every == 1 or table.height == 0:
        return table
    index = pl.int_range(pl.len())
    keep = (index == 0) | (index == pl.len() - 1)
    if record_every != "final":
        keep = keep | (index % record_every == 0)
    return table.filter(keep)


def resolve_params(
    scenario: str | scenarios.Scenario,
    overrides: Mapping[str, Any] | None = None,
    generations: int | None = None,
    *,
    warn: bool = True,
) -> Params:
    """The scenario's parameters with overrides applied and checked; raises UsageError.

    `scenario` is a name, a path to a .toml file (`scenarios.load`) or a loaded scenario. With
    `warn`, an event the run never reaches, or a ramp it cuts short, is an
    `evo.core.events.EventOutsideRunWarning` (one per event and message: Python shows each once).
    """
    values = dict(overrides or {})
    if generations is not None:
        values["generations"] = generations
    if isinstance(scenario, str):
        scenario = scenarios.load(scenario)
    return scenario_params(scenario, values, warn=warn)


def versions() -> dict[str, str]:
    """Versions of Python and of the packages that shape results (`evo.run.provenance.versions`)."""
    return dict(provenance.versions())


def check_seed(seed: Any) -> int:
    """A seed must be an integer in [0, 2**63 - 1]."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed <= MAX_SEED:
        raise UsageError(f"bad seed {seed!r}; valid: an integer in [0, {MAX_SEED}]")
    return int(seed)


def simulate(
    scenario: str,
    *,
    seed: int,
    generations: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    progress: bool = False,
    record_every: int | str | None = None,
) -> RunResult:
    """Run `scenario` with `overrides` from `seed`; same inputs give a bit-identical table.

    `scenario` is a name or a path to a .toml file (`scenarios.load`). It does not warn about
    events outside the run (a sweep's workers would repeat it); `resolve_params` does, and the
    command line and `run_sweep` call it first.

    `record_every` = k keeps every k-th row of the table (row 0 and the last always), "final"
    only those two; the model still runs every generation and the kept rows are unchanged.
    """
    seed = check_seed(seed)
    record_every = check_record_every(record_every)
    spec = scenarios.load(scenario)  # once: its parameters, events, account and role
    params = resolve_params(spec, overrides, generations, warn=False)
    events = spec.events
    started = time.perf_counter()
    extra: dict[str, Any] = {}
    extras: dict[str, pl.DataFrame] = {}
    if params.driver == "repertoire":
        if events:
            raise UsageError(f"scenario {scenario!r} has events, which driver=repertoire does not "
                             "run; valid: no [[events]] with the repertoire driver")
        run = RepertoireRun(params, stream.seeded(np.random.default_rng(seed)))
        table = _run_repertoire(run, progress)
        extra["repertoire_overflow"] = run.overflow
    else:
        model = MirrorModel(params, seed=seed, events=events)
        if params.driver == "interactions":
            table, extra["consensus_interactions"] = _run_interactions(model, progress)
        else:
            table, extras = _run_generations(model, progress)
        extra["gesture_variants_dropped"] = int(model.gesture_counters[1])
    full, table = table, thin(table, record_every)
    extra["record_every"] = 1 if record_every is None else record_every
    extra["rows_computed"] = full.height
    meta = {
        "scenario": scenario,
        "scenario_file": str(spec.path),
        "account": spec.account,
        "role": spec.role,
        "seed": seed,
        "generations": params.generations,
        "params": params.as_dict(),
        "events": [provenance.event_record(e) for e in events],
        **extra,
        **provenance.provenance([scenario]),  # code, model hash, versions, the scenario's values
        "wall_time_s": round(time.perf_counter() - started, 4),
    }
    return RunResult(table=table, meta=meta, full_table=None if full is table else full,
                     extras=extras)


def _run_generations(model: MirrorModel,
                     progress: bool) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
    """The generation table, and the extra tables the parameters ask for.

    Extra rows are taken every `extras_every` generations, at the first and at the last.
    """
    p = model.params
    rows = [model.record()]
    extras = ExtraTables(model)
    extras.add(model)
    for _ in tqdm(range(p.generations), desc="generations", disable=not progress,
                  unit="gen", leave=False):
        model.step()
        rows.append(model.last_row)
        if model.generation % p.extras_every == 0 or model.generation == p.generations:
            extras.add(model)
    return pl.DataFrame(rows, schema=GENERATION_SCHEMA), extras.tables()


class ExtraTables:
    """The rows of the optional per-camp, per-lineage and presence tables, collected during a run."""

    def __init__(self, model: MirrorModel) -> None:
        p = model.params
        wanted = {"camps": (p.record_camps, CAMP_SCHEMA),
                  "lineages": (p.record_lineages and p.lineages > 0, LINEAGE_SCHEMA),
                  "presence": (p.record_presence and p.lineages > 0, PRESENCE_SCHEMA)}
        self.schemas = {name: schema for name, (on, schema) in wanted.items() if on}
        self.rows: dict[str, dict[str, list]] = {
            name: {c: [] for c in schema} for name, schema in self.schemas.items()}

    def add(self, model: MirrorModel) -> None:
        """The current generation's rows."""
        p, st, g = model.params, model.state, model.generation
        made = {
            "camps": lambda: camp_rows(st, g, p.camps_y, model.capacity, model.world.coldness,
                                       model.emptied, p.skill_step, p.tool_type_skill),
            "lineages": lambda: lineage_rows(st, g, model.difficulty, p.skill_step,
                                             p.tool_type_skill),
            "presence": lambda: presence_rows(st, g, model.world.pays, p.skill_step,
                                              p.tool_type_skill),
        }
        for name, table in self.rows.items():
            rows = made[name]()
            height = len(rows["generation"])
            for column, values in table.items():  # a measure the run has no part for is null
                values.extend(rows.get(column, [None] * height))

    def tables(self) -> dict[str, pl.DataFrame]:
        """The collected tables by name."""
        return {name: pl.DataFrame(self.rows[name], schema=schema)
                for name, schema in self.schemas.items()}


ROWS_PER_CHUNK = 1000  # repertoire rows per kernel call (the progress bar's step); no effect on results


def _run_repertoire(run: RepertoireRun, progress: bool) -> pl.DataFrame:
    """The repertoire driver: Lewis & Laland's events or Kolodny's generations, `REPERTOIRE_SCHEMA`.

    The run's kernel stream is seeded from `numpy.random.default_rng(seed)`, as the Mesa model's
    is. A row at time step 0 (the initial repertoire), every `repertoire_record_every` steps and at
    the last; the kernels advance in chunks of rows, which does not change the numbers.
    """
    p = run.params
    steps = record_steps(p.generations, p.repertoire_record_every)
    chunks = [run.advance(steps[i:i + ROWS_PER_CHUNK])
              for i in tqdm(range(0, steps.size, ROWS_PER_CHUNK), desc=p.repertoire_model,
                            disable=not progress, unit="chunk", leave=False)]
    rows = np.concatenate(chunks)
    columns: dict[str, Any] = {name: rows[:, k] for k, name in enumerate(run.columns)}
    traits = columns["tool_types"]
    for total, mean in (("level_sum", "trait_level_mean"), ("seed_sum", "trait_seeds_mean")):
        if total in columns:  # per trait; null without traits
            columns[mean] = [None if n == 0 else float(x / n)
                             for x, n in zip(columns.pop(total), traits, strict=True)]
    data = {name: columns.get(name, [None] * rows.shape[0]) for name in REPERTOIRE_SCHEMA}
    return pl.DataFrame(data, schema=REPERTOIRE_SCHEMA)


def _run_interactions(model: MirrorModel, progress: bool) -> tuple[pl.DataFrame, int | None]:
    """The minimal naming game driver: episodes in chunks of `log_interval`, until consensus.

    Baronchelli et al. (2006): no births or deaths, one group, rows every `log_interval`
    interactions; returns the table and the interaction at which consensus was reached (None if
    `max_interactions` came first).
    """
    p, st = model.params, model.state
    members = st.alive_slots()
    rows = [naming_game_row(st, 0, 0, 0)]
    done, consensus = 0, None
    with tqdm(total=p.max_interactions, desc="interactions", disable=not progress,
              unit="int", leave=False) as bar:
        while done < p.max_interactions:
            chunk = min(p.log_interval, p.max_interactions - done)
            played, won, reached = kernels.naming_game_chunk(
                model.kernel_rng, st, model.rule, members, chunk, model.gesture_counters
            )
            done += played
            bar.update(played)
            rows.append(naming_game_row(st, done, won, played))
            if reached:
                consensus = done
                break
            if played == 0:  # fewer than two members: no pair can play (population >= 2)
                break
    return pl.DataFrame(rows, schema=NAMING_GAME_SCHEMA), consensus


def prepare_out_dir(out: Path, force: bool) -> None:
    """Refuse a non-empty folder unless `force`; a file in the way or an unwritable place is an error."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder; valid: a new or empty folder")
    try:
        full = out.is_dir() and any(out.iterdir())
    except OSError as exc:
        raise _unwritable(out, exc) from None
    if full and not force:
        raise UsageError(f"--out {out} is not empty; valid: a new or empty folder, or add --force")
    make_writable_dir(out)


def make_writable_dir(out: Path) -> None:
    """Create folder `out` (and its missing parents) and check that a file can be written in it.

    On failure, remove the folders this call created and raise UsageError with the reason, so an
    unwritable place stops the command in one line before any run, and leaves nothing behind.
    """
    created = [p for p in (out, *out.parents) if not p.exists()]  # deepest first
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):  # unnamed where the OS allows (O_TMPFILE)
            pass
    except OSError as exc:
        for folder in created:
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise _unwritable(out, exc) from None


def _unwritable(out: Path, exc: OSError) -> UsageError:
    reason = exc.strerror or type(exc).__name__
    return UsageError(f"--out {out}: cannot write there ({reason}); "
                      "valid: a folder this user may create and write")


def write_run(result: RunResult, out: Path) -> None:
    """`out/generations.parquet`, any extra tables and `out/run.json`, each whole or not at all."""
    atomic_write(out / "generations.parquet", lambda p: result.table.write_parquet(p))
    for name, table in result.extras.items():
        atomic_write(out / f"{name}.parquet", lambda p, t=table: t.write_parquet(p))
    files.write_text(out / "run.json", json.dumps(result.meta, indent=2))

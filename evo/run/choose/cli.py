"""`run.py choose SPEC --out DIR`: the model choice, its Monte Carlo check and its recovery test.

Writes into DIR:

- ``model_probabilities.parquet``: account, probability, population, epsilon, simulations, run
  (``main``: the spec's seed; ``check``: the same spec with seed + 1, whose difference from the
  main run measures the Monte Carlo error of the probabilities);
- ``posterior.parquet``: the main run's weighted particles (`evo.run.choose.smc.posterior`);
- ``confusion.parquet`` (``--recovery``): true_account, chosen_account, probability: the final
  model probabilities when the observed summaries are simulated from the true account at known
  parameters (the middle of each uniform prior, the first of each choice);
- ``choose.json``: the spec, the mode, the engine, the observed summaries, the provenance (code,
  versions, resolved scenarios; `evo.run.provenance`), timings and the simulations run;
- ``abc/*.db``: pyabc's databases. A killed ``choose`` run again with the same command continues
  each from its last complete population; other code, versions or scenario values are refused
  unless ``--allow-version-change``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl

from evo.errors import UsageError
from evo.run import provenance
from evo.run.choose.model import particle_seed, run_summaries
from evo.run.choose.smc import ENGINES, open_sampler, posterior, probabilities, run_choice
from evo.run.choose.spec import ChoiceSpec, load_choice_spec
from evo.run.runner import atomic_write, make_writable_dir
from evo.run.sweep.engines import default_workers

RECORD = "choose.json"


def check_engine(args: argparse.Namespace) -> int:
    """Refuse bad engine options before anything runs; return the worker count."""
    if args.engine not in ENGINES:
        raise UsageError(f"unknown engine {args.engine!r}; valid: {', '.join(ENGINES)}")
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers {args.workers}: give a positive number of worker processes")
    if args.address is not None and args.engine != "dask":
        raise UsageError("--address needs --engine dask (the local engine uses this machine)")
    if args.address is not None and args.workers is not None:
        raise UsageError("--workers sizes a local pool; with --address the scheduler's own "
                         "workers are used")
    if args.engine == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise UsageError("--engine dask needs dask.distributed: pip install '.[cluster]' "
                             "(or --engine local)") from None
    return args.workers or default_workers()


def known_point(spec: ChoiceSpec, index: int) -> dict[str, Any]:
    """The recovery's known parameters of account `index`: prior middles, first choices."""
    return {p.name: (p.choices[0] if p.kind == "choice" else p.value((p.low + p.high) / 2))
            for p in spec.accounts[index].priors}


def _pseudo_observed(spec: ChoiceSpec, index: int) -> dict[str, float]:
    point = known_point(spec, index)
    seed = particle_seed(spec.seed, 1000 + index, {})  # the spec's seed and the account only
    return run_summaries(spec, spec.accounts[index], point, seed)


def pseudo_observed(spec: ChoiceSpec, workers: int) -> dict[str, dict[str, float]]:
    """Each account's summaries at its known point, simulated in fresh worker processes.

    Fresh (forkserver) processes, so this one forks pyabc's workers later without having run the
    model's threads itself.
    """
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(spec.accounts))),
                             mp_context=context) as pool:
        futures = [pool.submit(_pseudo_observed, spec, i) for i in range(len(spec.accounts))]
        return {a.name: f.result() for a, f in zip(spec.accounts, futures, strict=True)}


def prepare(out: Path, spec: ChoiceSpec, args: argparse.Namespace) -> dict[str, Any] | None:
    """The record of an interrupted choice in `out` to continue, or None for a new folder.

    Refuses a file in the way, a non-empty folder that is not a choice of this spec, and a
    record made with other code, versions or scenario values (unless allowed).
    """
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder; valid: a new or empty folder")
    if not out.is_dir() or not any(out.iterdir()):
        return None
    try:
        record = json.loads((out / RECORD).read_text())
    except (OSError, ValueError):
        raise UsageError(f"--out {out} is not empty and holds no {RECORD}; valid: a new or empty "
                         "folder, or the folder of an interrupted choose") from None
    if record.get("digest") != spec.digest:
        raise UsageError(f"--out {out} holds a choice of another spec or mode; valid: the same "
                         "spec (and --quick or not) as before, or a new folder")
    if bool(record.get("recovery")) != bool(args.recovery):
        raise UsageError(f"--out {out} was started {'with' if record.get('recovery') else 'without'}"
                         " --recovery; valid: the same options, or a new folder")
    changed, _ = provenance.changes(record.get("provenance", {}), current_provenance(spec))
    if changed and not args.allow_version_change:
        raise UsageError(f"--out {out} was made with other code, versions or scenarios "
                         f"({'; '.join(changed)}); valid: add --allow-version-change, or a new "
                         "folder")
    return record


def current_provenance(spec: ChoiceSpec) -> dict[str, Any]:
    """Code, versions and resolved scenarios, as a sweep records them."""
    return provenance.provenance(sorted({a.scenario for a in spec.accounts}))


def write_record(out: Path, record: dict[str, Any]) -> None:
    """``choose.json``, whole or not at all."""
    atomic_write(out / RECORD, lambda p: p.write_text(json.dumps(record, indent=2) + "\n"))


def cmd_choose(args: argparse.Namespace) -> int:
    """Run (or continue) the choice, its check run and any recovery; write the tables."""
    spec = load_choice_spec(args.spec, quick=args.quick)
    workers = check_engine(args)
    out = Path(args.out)
    record = prepare(out, spec, args)
    started = time.perf_counter()
    jobs = [("main", spec.seed, spec.observed), ("check", spec.seed + 1, spec.observed)]
    with open_sampler(args.engine, workers, args.address) as sampler:
        if record is None:
            make_writable_dir(out)
            record = {"spec": spec.raw, "source": spec.source, "digest": spec.digest,
                      "quick": spec.quick, "recovery": bool(args.recovery),
                      "accounts": {a.name: a.scenario for a in spec.accounts},
                      "observed": spec.observed, "seed": spec.seed,
                      "provenance": current_provenance(spec), "status": "running",
                      "wall_time_s": 0.0}
        record |= {"engine": args.engine, "workers": workers, "address": args.address}
        write_record(out, record)
        if args.recovery and "recovery_observed" not in record:
            record["recovery_observed"] = pseudo_observed(spec, workers)
            record["recovery_points"] = {a.name: known_point(spec, i)
                                         for i, a in enumerate(spec.accounts)}
            write_record(out, record)
        if args.recovery:
            jobs += [(f"recovery_{name}", spec.seed + 2 + i, obs)
                     for i, (name, obs) in enumerate(record["recovery_observed"].items())]
        (out / "abc").mkdir(exist_ok=True)
        for label, seed, observed in jobs:
            run_choice(spec, observed, out / "abc" / f"{label}.db", seed, sampler)
    write_tables(out, spec, [label for label, _, _ in jobs])
    probs = pl.read_parquet(out / "model_probabilities.parquet")
    record |= {"status": "done", "simulations": {
        run: int(part.group_by("population").agg(pl.col("simulations").first())["simulations"]
                 .sum()) for (run,), part in probs.group_by("run")},
        "wall_time_s": round(record.get("wall_time_s", 0.0) + time.perf_counter() - started, 1)}
    write_record(out, record)
    main = probs.filter(pl.col("run") == "main")
    final = main.filter(pl.col("population") == main["population"].max())
    best = final.sort("probability", descending=True).row(0, named=True)
    print(f"choice in {out}: {best['account']} favoured (probability {best['probability']:.2f} "
          f"after {best['population'] + 1} SMC populations, epsilon {best['epsilon']:.3g}; "
          f"{record['wall_time_s']:.0f} s)")
    return 0


def write_tables(out: Path, spec: ChoiceSpec, labels: list[str]) -> None:
    """model_probabilities.parquet, posterior.parquet and (with recovery runs) confusion.parquet."""
    db = {label: out / "abc" / f"{label}.db" for label in labels}
    probs = pl.concat([probabilities(spec, db[label]).with_columns(run=pl.lit(label))
                       for label in ("main", "check")])
    atomic_write(out / "model_probabilities.parquet", lambda p: probs.write_parquet(p))
    post = posterior(spec, db["main"])
    atomic_write(out / "posterior.parquet", lambda p: post.write_parquet(p))
    recovery = [label for label in labels if label.startswith("recovery_")]
    if recovery:
        rows = []
        for label in recovery:
            p = probabilities(spec, db[label])
            last = p.filter(pl.col("population") == p["population"].max())
            rows += [{"true_account": label.removeprefix("recovery_"),
                      "chosen_account": r["account"], "probability": r["probability"]}
                     for r in last.iter_rows(named=True)]
        confusion = pl.DataFrame(rows, schema={"true_account": pl.String,
                                               "chosen_account": pl.String,
                                               "probability": pl.Float64})
        atomic_write(out / "confusion.parquet", lambda p: confusion.write_parquet(p))

"""The `list`, `show`, `params`, `run` and `validate` commands of run.py."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import scenarios
from evo.core.params import Params, describe
from evo.errors import UsageError
from evo.run.runner import check_seed, prepare_out_dir, resolve_params, simulate, write_run


def parse_overrides(items: list[str]) -> dict[str, str]:
    """`NAME=VALUE` strings to a dict (values are checked later against the parameter specs)."""
    overrides = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"bad --set {item!r}; valid: NAME=VALUE, e.g. --set population=500")
        overrides[name.strip()] = value.strip()
    return overrides


def cmd_list(args: argparse.Namespace) -> int:
    """Print each scenario's name, declared account and role, and one-line summary.

    A scenario from a user's folder ends with its folder; a broken file is listed as ``BROKEN``
    with the one-line reason, and the others are still listed (exit code 1 if any is broken).
    """
    broken = 0
    for entry in scenarios.catalogue():
        own = "" if entry.folder.resolve() == scenarios.SCENARIO_DIR.resolve() else f"  [{entry.folder}]"
        if entry.scenario is None:
            broken += 1
            print(f"{entry.name:<16} {'BROKEN':<24} {entry.problem}{own}")
        else:
            s = entry.scenario
            print(f"{entry.name:<16} {s.account + '/' + s.role:<24} {s.summary}{own}")
    return 1 if broken else 0


def cmd_show(args: argparse.Namespace) -> int:
    """Print a scenario: its file, base, account, role, texts, resolved parameters and events.

    Parameters set by the file or its bases are marked ``*`` (the others are `Params` defaults);
    `--set` and `--generations` apply as in `run`. The events are the file's and those its
    schedule parameters ask for (growth, a new allele, a crash), in the order they happen.
    """
    from evo.core.events import scheduled_events
    from evo.run import provenance

    spec = scenarios.load(args.scenario)
    params = resolve_params(spec, parse_overrides(args.overrides), args.generations)
    defaults = Params()
    print(f"scenario   {spec.name}")
    print(f"file       {spec.path}")
    print(f"base       {spec.base or '-'}")
    print(f"account    {spec.account}")
    print(f"role       {spec.role}")
    print(f"summary    {spec.summary}")
    print(f"hypothesis {' '.join(spec.hypothesis.split())}")
    print(f"citation   {spec.citation}")
    print("params     (* differs from the default)")
    for name, value in params.as_dict().items():
        mark = "*" if value != getattr(defaults, name) else " "
        print(f"  {mark} {name:<26} {value}")
    own = [(e, "file") for e in spec.events]
    own += [(e, "schedule parameters") for e in scheduled_events(params)]
    print("events" + ("     none" if not own else ""))
    for event, source in sorted(own, key=lambda pair: pair[0].generation):
        record = provenance.event_record(event)
        parts = [f"generation {record['generation']}"]
        if record["until"] is not None:
            parts.append(f"until {record['until']}")
        if record["set"]:
            parts.append("set " + ", ".join(f"{k}={v}" for k, v in record["set"].items()))
        if record["mutant"]:
            parts.append("mutant " + ", ".join(f"{k}={v}" for k, v in record["mutant"].items()))
        print(f"  {'; '.join(parts)}  ({source})")
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    """Print every parameter: name, valid range or choices, default, meaning."""
    defaults = Params()
    for name in Params.__dataclass_fields__:
        print(f"{describe(name)} [default {getattr(defaults, name)}]")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario, write its table and run.json, print a short summary."""
    overrides = parse_overrides(args.overrides)
    spec = scenarios.load(args.scenario)
    out = Path(args.out or f"results/{spec.name}")
    resolve_params(spec, overrides, args.generations)  # all checks (and warnings) before DIR
    check_seed(args.seed)
    prepare_out_dir(out, args.force)
    result = simulate(args.scenario, seed=args.seed, generations=args.generations,
                      overrides=overrides, progress=not args.quiet and sys.stderr.isatty())
    write_run(result, out)
    print(summarize(result.table, result.meta))
    written = ["generations.parquet", *(f"{name}.parquet" for name in result.extras), "run.json"]
    print("wrote " + ", ".join(str(out / name) for name in written))
    return 0


def summarize(table, meta: dict) -> str:
    """A few lines: what ran, how long, and where the key measures started and ended."""
    lines = [f"{meta['scenario']} (seed {meta['seed']}): {table.height} rows in "
             f"{meta['wall_time_s']:.2f} s"]
    if "consensus_interactions" in meta:
        lines.append(f"  consensus after {meta['consensus_interactions']} interactions")
    for col in ("mirror_mean", "mirror_effective_mean", "tool_complexity", "gesture_success",
                "lexicon_coherence", "social_learner_frequency", "fitness_mean", "words_total",
                "tool_types"):
        if col in table.columns and table[col].null_count() < table.height:
            series = table[col].drop_nulls()
            lines.append(f"  {col:<24} first {series[0]:10.4g}   last {series[-1]:10.4g}   "
                         f"max {series.max():10.4g}")
    return "\n".join(lines)


def cmd_validate(args: argparse.Namespace) -> int:
    """Compare the published special cases to their analytic results."""
    from evo.run.validate import run_validation

    return run_validation(quick=args.quick)

"""The `list`, `run` and `validate` commands of run.py."""

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
    """Print each scenario's name, declared account and role, and one-line summary."""
    for name in scenarios.names():
        s = scenarios.load(name)
        print(f"{name:<16} {s.account + '/' + s.role:<24} {s.summary}")
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
    out = Path(args.out or f"results/{args.scenario}")
    resolve_params(args.scenario, overrides, args.generations)  # all checks before touching DIR
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

"""Golden trajectories: a short run of every scenario and of every option that reaches its own code.

Each case is one `simulate` call; its digest is the SHA-256 of the generation table's values (column
names, types, validity and raw bytes, in schema order) and of the run's extra metadata. The
digests in `digests.json` were made by `python -m tests.golden.regenerate` on the code they
certify; `tests/test_golden.py` recomputes every case and compares. A change that is meant to
leave results alone (a refactor, a speed-up) keeps every digest; one that changes a rule changes
exactly the digests of the cases that reach that rule, and `regenerate` records the new ones in the
same commit, so the diff of `digests.json` shows what changed.

Beside each digest, `profiles.json` keeps a short profile of the same table: a digest per column
and, for a few key columns (``KEY_COLUMNS``), the value at every recorded generation. A case whose
digest no longer matches is explained from it (``explain``): which columns moved, and for the key
columns from which generation and from what value to what.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

DIGESTS = Path(__file__).with_name("digests.json")
PROFILES = Path(__file__).with_name("profiles.json")
KEY_COLUMNS = ("population", "mirror_mean", "tool_complexity", "tool_types", "expressivity",
               "gesture_success")


@dataclass(frozen=True)
class Case:
    """One short run: scenario, seed, generations and overrides."""

    scenario: str
    seed: int = 7
    generations: int | None = 60
    overrides: dict[str, Any] = field(default_factory=dict)


#: Every scenario, and the options that take other code paths, each as short as still reaches them.
CASES: dict[str, Case] = {
    "default": Case("default"),
    "coevolution": Case("coevolution", overrides={"population": 200}),
    "fixed_low": Case("fixed_low", overrides={"population": 200}),
    "fixed_high": Case("fixed_high", overrides={"population": 200}),
    "genetic_upgrade": Case("genetic_upgrade", generations=1010, overrides={"population": 60}),
    "associative": Case("associative", overrides={"population": 200}),
    "demography": Case("demography", generations=760),
    "tasmania": Case("tasmania", generations=1005, overrides={"population": 80}),
    "henrich": Case("henrich", generations=100),
    "gradual": Case("gradual", generations=80),
    "naming_game": Case("naming_game", generations=None,
                        overrides={"population": 60, "log_interval": 200}),
    "rogers": Case("rogers", generations=150, overrides={"population": 300}),
    "lewis_laland": Case("lewis_laland", generations=2000),
    "kolodny": Case("kolodny", generations=3000),
    "overlapping": Case("default", overrides={"overlapping": True, "death_rate": 0.3}),
    "confuse": Case("fixed_high", overrides={"population": 120, "misperception": "confuse",
                                             "mirror_initial": 0.6}),
    "preferred": Case("fixed_high", overrides={"population": 120, "speaker_choice": "preferred",
                                               "mirror_initial": 0.6}),
    "best": Case("default", overrides={"demonstrator": "best"}),
    "random": Case("default", overrides={"demonstrator": "random"}),
    "parent": Case("default", overrides={"demonstrator": "parent"}),
    "replace": Case("default", overrides={"keep_best": False, "innovation_rate": 0.5}),
    "no_budget": Case("fixed_high", overrides={"population": 120, "learning_budget": 0.0}),
    "tiny_inventory": Case("default", overrides={"variants": 1, "meanings": 1}),
    "two_variants": Case("default", overrides={"variants": 2, "misperception": "confuse"}),
    "flip": Case("default", overrides={"mutation_kind": "flip", "mirror_initial": 0.3}),
    "assoc_mutating": Case("associative", overrides={"population": 120,
                                                     "assoc_mutation_rate": 0.05,
                                                     "assoc_cost": 0.02}),
    "torus": Case("default", overrides={"torus": True, "camps_x": 3, "camps_y": 3,
                                        "migration_rate": 0.1}),
    "no_tools": Case("default", overrides={"lineages": 0}),
    "no_gestures": Case("default", overrides={"meanings": 0}),
    "no_teaching": Case("default", overrides={"teaching_gain": 0.0}),
    "assoc_correlated": Case("associative", overrides={"population": 120,
                                                       "assoc_experience": "correlated"}),
    "assoc_all_infancy": Case("associative", overrides={"population": 120, "assoc_experience": "all",
                                                        "assoc_infancy": 2}),
    "exposure": Case("fixed_high", overrides={"population": 120, "mirror_initial": 0.4,
                                              "exposure_gain": 0.3}),
    "ritual": Case("fixed_high", overrides={"population": 120, "mirror_initial": 0.4,
                                            "ritual_gain": 0.2}),
    "difficulty": Case("default", overrides={"difficulty_spread": 0.8}),
    "step_sync": Case("coevolution", generations=20, overrides={"population": 100,
                                                                "agent_sync": "step"}),
}


def _hash_column(h: Any, name: str, column: pl.Series) -> None:
    """Feed one column's name, type, validity and raw values to the hash ``h``."""
    h.update(f"{name}:{column.dtype}:{column.len()}\n".encode())
    valid = column.is_not_null().to_numpy()
    h.update(np.packbits(valid).tobytes())
    if column.dtype.is_float():
        values = column.fill_null(0.0).to_numpy().astype(np.float64)
    elif column.dtype.is_integer():
        values = column.fill_null(0).to_numpy().astype(np.int64)
    else:
        values = np.frombuffer(str(column.to_list()).encode(), np.uint8)
    h.update(np.ascontiguousarray(values).tobytes())


def table_digest(table: pl.DataFrame, extra: dict[str, Any]) -> str:
    """SHA-256 of a table's exact values and of `extra` (JSON), independent of file formats."""
    h = hashlib.sha256()
    for name in table.columns:
        _hash_column(h, name, table[name])
    h.update(json.dumps(extra, sort_keys=True).encode())
    return h.hexdigest()


def table_profile(table: pl.DataFrame, extra: dict[str, Any]) -> dict[str, Any]:
    """A digest per column (16 hex digits) and the key columns' values per generation."""
    digests = {}
    for name in table.columns:
        h = hashlib.sha256()
        _hash_column(h, name, table[name])
        digests[name] = h.hexdigest()[:16]
    digests["(extra)"] = hashlib.sha256(json.dumps(extra, sort_keys=True).encode()).hexdigest()[:16]
    keys = [c for c in ("generation", *KEY_COLUMNS) if c in table.columns]
    return {"columns": digests, "series": {c: table[c].to_list() for c in keys}}


def explain(recorded_profile: dict[str, Any] | None, now: dict[str, Any]) -> str:
    """Which columns of a case moved, and where each key column first differs."""
    if recorded_profile is None:
        return "no recorded profile for this case"
    old, new = recorded_profile["columns"], now["columns"]
    moved = sorted(c for c in set(old) | set(new) if old.get(c) != new.get(c))
    lines = [f"columns that changed: {', '.join(moved) if moved else 'none'}"]
    gens = now["series"].get("generation") or []
    for column in KEY_COLUMNS:
        a, b = recorded_profile["series"].get(column), now["series"].get(column)
        if a is None or b is None or a == b:
            continue
        first = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                     min(len(a), len(b)))
        at = gens[first] if first < len(gens) else f"row {first}"
        was = a[first] if first < len(a) else "(no row)"
        got = b[first] if first < len(b) else "(no row)"
        lines.append(f"{column} first differs at generation {at}: recorded {was}, now {got}")
    return "; ".join(lines)


def run_profiled(case: Case) -> tuple[str, dict[str, Any]]:
    """(digest, profile) of one case, computed by running it."""
    from evo.run.runner import simulate

    result = simulate(case.scenario, seed=case.seed, generations=case.generations,
                      overrides=case.overrides)
    extra = {k: result.meta[k] for k in ("consensus_interactions", "gesture_variants_dropped")
             if k in result.meta}
    return table_digest(result.table, extra), table_profile(result.table, extra)


def run_case(case: Case) -> str:
    """The digest of one case, computed by running it."""
    return run_profiled(case)[0]


def recorded() -> dict[str, str]:
    """The digests in `digests.json`."""
    return json.loads(DIGESTS.read_text())


def recorded_profiles() -> dict[str, Any]:
    """The profiles in `profiles.json` (empty when absent)."""
    return json.loads(PROFILES.read_text()) if PROFILES.exists() else {}

"""Golden trajectories: a short run of every scenario and of every option that reaches its own code.

Each case is one `simulate` call; its digest is the SHA-256 of the generation table's values (column
names, types, validity and raw bytes, in schema order) and of the run's extra metadata. The
digests in `digests.json` were made by `python -m tests.golden.regenerate` on the code they
certify; `tests/test_golden.py` recomputes every case and compares. A change that is meant to
leave results alone (a refactor, a speed-up) keeps every digest; one that changes a rule changes
exactly the digests of the cases that reach that rule, and `regenerate` records the new ones in the
same commit, so the diff of `digests.json` shows what changed.
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


def table_digest(table: pl.DataFrame, extra: dict[str, Any]) -> str:
    """SHA-256 of a table's exact values and of `extra` (JSON), independent of file formats."""
    h = hashlib.sha256()
    for name in table.columns:
        column = table[name]
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
    h.update(json.dumps(extra, sort_keys=True).encode())
    return h.hexdigest()


def run_case(case: Case) -> str:
    """The digest of one case, computed by running it."""
    from evo.run.runner import simulate

    result = simulate(case.scenario, seed=case.seed, generations=case.generations,
                      overrides=case.overrides)
    extra = {k: result.meta[k] for k in ("consensus_interactions", "gesture_variants_dropped")
             if k in result.meta}
    return table_digest(result.table, extra)


def recorded() -> dict[str, str]:
    """The digests in `digests.json`."""
    return json.loads(DIGESTS.read_text())

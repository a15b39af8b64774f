"""What part a scenario plays in the analysis: one table from its declared account and role.

A scenario file declares its ``account`` (the explanation it stages: genetic, demography, ...) and
its ``role`` in that account (``main``, ``control_low``, ...); the runs table carries both. The
analysis compares scenarios by their *archetype*, the part they play in the question "did a
stronger mirror system cause the leap": the genetic account's main scenario is ``coevolution``,
its controls ``fixed_low`` and ``fixed_high``, and so on. ``ARCHETYPES`` is the one table between
the two names; nothing is guessed from a scenario's name (a renamed scenario keeps its part, a
name that looks like an archetype gets none). A scenario whose (account, role) is not in the table
(a variant, a validation) plays no part in the comparisons.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Archetype:
    """The analysis's name for a scenario declared with ``account`` and ``role``."""

    name: str
    account: str
    role: str


ARCHETYPES = (
    Archetype("coevolution", "genetic", "main"),
    Archetype("fixed_low", "genetic", "control_low"),
    Archetype("fixed_high", "genetic", "control_high"),
    Archetype("genetic_upgrade", "genetic", "main_upgrade"),
    Archetype("demography", "demography", "main"),
    Archetype("associative", "associative", "main"),
    Archetype("nongenetic", "nongenetic", "main"),
    Archetype("gradual", "gradual", "main"),
)
NAMES = tuple(a.name for a in ARCHETYPES)
BY_DECLARATION = {(a.account, a.role): a.name for a in ARCHETYPES}
#: Declared roles that hold an account's cause fixed: they test the account, they do not stage it.
CONTROLS = ("control_low", "control_high")
UNKNOWN_ACCOUNT = "unknown"


def archetype(account: str | None, role: str | None) -> str | None:
    """The archetype of a scenario declared (account, role); None when it plays no part."""
    return BY_DECLARATION.get((account, role))  # type: ignore[arg-type]


def scenario_archetypes(runs: pl.DataFrame) -> dict[str, str | None]:
    """Each scenario of a runs table and its archetype (None without a declaration in the table).

    A scenario's first declared (account, role) counts: runs written before scenarios declared
    them (an older part of a resumed sweep) have nulls there.
    """
    scenarios = runs["scenario"].unique(maintain_order=True).to_list()
    if not {"account", "role"} <= set(runs.columns):
        return dict.fromkeys(scenarios)
    declared = runs.group_by("scenario", maintain_order=True).agg(
        pl.col("account", "role").drop_nulls().first())
    return {s: archetype(a, r) for s, a, r in declared.iter_rows()}


def the_scenario_with(archetypes: Mapping[str, str | None], wanted: str) -> str | None:
    """The one scenario with archetype ``wanted``, or None when none or several have it."""
    having = [s for s, r in archetypes.items() if r == wanted]
    return having[0] if len(having) == 1 else None


def with_accounts(runs: pl.DataFrame) -> pl.DataFrame:
    """``runs`` with ``account`` and ``role`` columns (account "unknown" and role null where absent)."""
    if "account" not in runs.columns:
        runs = runs.with_columns(pl.lit(None, dtype=pl.String).alias("account"))
    if "role" not in runs.columns:
        runs = runs.with_columns(pl.lit(None, dtype=pl.String).alias("role"))
    return runs.with_columns(pl.col("account").cast(pl.String).fill_null(UNKNOWN_ACCOUNT),
                             pl.col("role").cast(pl.String))

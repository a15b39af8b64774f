"""Scenarios: named, documented parameter sets in `scenarios/*.toml`.

Each file holds `summary` (one line), `hypothesis`, `citation`, `account` and `role` (below), a
`[params]` table (any `evo.core.params.Params` field) and optional `[[events]]` (see `evo.core.events`).
`base = "other"` starts from another scenario's parameters and account (not its events nor its
role), so a control differs from the main experiment only in the lines it lists. Every file
declares its own `role`: an inherited `role = "main"` would make a copy a second main staging.
Scenarios are data, not code: every scenario runs the same model. The files are read by the
model layer (`evo.core.scenario`, the format and its checks); this package holds the shipped files
and their registry: `names`, `load` (a name or a path to a .toml file, also from the user's
folders: `evo.core.scenario.ENV_VAR`) and `catalogue` (every file, the broken ones with their reason).

`account` is the account of the leap the scenario stages (README, "Scenarios"): `genetic`,
`associative`, `demography`, `nongenetic` (demography with associative learning and every other
route but a genetic change), `gradual`, or `none` (validations, examples). `role` is its place in
the comparison the analysis draws (`analysis.conclude`): `main` (the account's main staging, the
one compared with the other accounts; one per account), `main_upgrade` (the genetic account's
second staging, a single allele of large effect, compared like a main), `variant` (another
staging, reported but not compared), `control_low` / `control_high` (the account's cause held low
/ high), `validation` (a published special case) or `example`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evo.core import scenario as _files
from evo.core.scenario import ACCOUNTS, ROLES, Scenario
from evo.errors import UsageError

__all__ = ["ACCOUNTS", "ROLES", "SCENARIO_DIR", "Entry", "Scenario", "catalogue", "load", "names"]

SCENARIO_DIR = Path(__file__).parent


def names() -> list[str]:
    """Names of all scenarios (the user's folders and the shipped one), sorted."""
    return list(_files.available(SCENARIO_DIR))


def load(scenario: str) -> Scenario:
    """The scenario called `scenario`, or in the .toml file it names; raises UsageError."""
    return _files.load_scenario(scenario, SCENARIO_DIR)


load.cache_clear = _files.clear_cache  # type: ignore[attr-defined]  # forget what was read


@dataclass(frozen=True)
class Entry:
    """One scenario file for `list`: its name and folder, and the scenario or why it is broken."""

    name: str
    folder: Path
    scenario: Scenario | None
    problem: str | None


def catalogue() -> list[Entry]:
    """Every scenario file in the search folders, sorted by name; a broken one with its reason."""
    entries = []
    for name, paths in _files.available(SCENARIO_DIR).items():
        for path in paths:
            try:
                found, problem = _files.read(path, SCENARIO_DIR), None
            except UsageError as exc:
                found, problem = None, str(exc)
            if len(paths) > 1 and problem is None:
                problem = (f"the name is in more than one folder ({', '.join(map(str, paths))}); "
                           "rename one, or give the path")
            entries.append(Entry(name, path.parent, found, problem))
    return entries

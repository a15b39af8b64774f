"""Scenarios: named, documented parameter sets in `scenarios/*.toml`.

Each file holds `summary` (one line), `hypothesis`, `citation`, `account` and `role` (below), a
`[params]` table (any `evo.core.params.Params` field) and optional `[[events]]` (see `evo.core.events`).
`base = "other"` starts from another scenario's parameters and account (not its events nor its
role), so a control differs from the main experiment only in the lines it lists. Every file
declares its own `role`: an inherited `role = "main"` would make a copy a second main staging.
Scenarios are data, not code: every scenario runs the same model.

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

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from evo.core.events import Event, check_phases, parse_event
from evo.core.params import Params
from evo.errors import UsageError

SCENARIO_DIR = Path(__file__).parent
ACCOUNTS = ("genetic", "associative", "demography", "nongenetic", "gradual", "none")
ROLES = ("main", "main_upgrade", "variant", "control_low", "control_high", "validation", "example")


@dataclass(frozen=True)
class Scenario:
    """A named parameter set with the hypothesis it stages and its source."""

    name: str
    summary: str
    hypothesis: str
    citation: str
    params: Params
    events: tuple[Event, ...]
    account: str
    role: str


def names() -> list[str]:
    """Names of all scenarios, sorted."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


@cache
def load(name: str) -> Scenario:
    """The scenario called `name`; raises UsageError listing the valid names."""
    path = SCENARIO_DIR / f"{name}.toml"
    if name not in names():
        raise UsageError(f"unknown scenario {name!r}; valid: {', '.join(names())}")
    where = f"scenario file {path.name}"
    try:
        raw = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{where}: {exc}") from None
    missing = {"summary", "hypothesis", "citation", "params"} - set(raw)
    if missing:
        raise UsageError(f"{where} lacks {sorted(missing)}")
    base = None
    if "base" in raw:
        if raw["base"] == name:
            raise UsageError(f"{where}: a scenario cannot be its own base")
        base = load(raw["base"])
    params = Params.from_mapping(raw["params"], base=None if base is None else base.params)
    events = tuple(parse_event(e, where) for e in raw.get("events", []))
    check_phases(params, events, where)
    account = _choice(raw, "account", ACCOUNTS, base, where)
    role = _choice(raw, "role", ROLES, None, where)  # never inherited
    return Scenario(name, raw["summary"], raw["hypothesis"], raw["citation"], params, events,
                    account, role)


def _choice(raw: dict, key: str, choices: tuple[str, ...], base: Scenario | None, where: str) -> str:
    """`raw[key]`, else the base scenario's value (if given); UsageError naming the choices."""
    value = raw.get(key, getattr(base, key, None))
    if value not in choices:
        found = "is missing" if value is None else f"is {value!r}"
        raise UsageError(f"{where}: {key} {found}; valid: {', '.join(choices)}")
    return value

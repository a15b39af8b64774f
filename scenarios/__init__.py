"""Scenarios: named, documented parameter sets in `scenarios/*.toml`.

Each file holds `summary` (one line), `hypothesis` (which account it stages), `citation`, a
`[params]` table (any `evo.params.Params` field) and optional `[[events]]` (see `evo.events`).
`base = "other"` starts from another scenario's parameters (not its events), so a control differs
from the main experiment only in the lines it lists.
Scenarios are data, not code: every scenario runs the same model.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from evo.errors import UsageError
from evo.events import Event, parse_event
from evo.params import Params

SCENARIO_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Scenario:
    """A named parameter set with the hypothesis it stages and its source."""

    name: str
    summary: str
    hypothesis: str
    citation: str
    params: Params
    events: tuple[Event, ...]


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
        base = load(raw["base"]).params
    params = Params.from_mapping(raw["params"], base=base)
    events = tuple(parse_event(e, where) for e in raw.get("events", []))
    return Scenario(name, raw["summary"], raw["hypothesis"], raw["citation"], params, events)

"""Scheduled events of a scenario: parameter changes and a large-effect mutation.

- `set`: from `generation` on, the listed parameters take new values (e.g. a population crash
  and loss of contact, as in Henrich's 2004 Tasmanian case; rising density and migration, as in
  Powell, Shennan & Thomas 2009).
- `mutant`: at `generation`, a random `fraction` of the living get genetic mirror strength
  `mirror` (a neural mutation of large effect: Klein 1995; Ramachandran 2000).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from evo.core.params import Params
from evo.errors import UsageError

# Parameters that shape the arrays, the grid or the run itself: set once, before the run.
FIXED_FOR_A_RUN = frozenset({"camps_x", "camps_y", "torus", "lineages", "meanings", "variants",
                             "generations", "driver", "agent_sync", "log_interval",
                             "max_interactions", "mutation_kind"})


@dataclass(frozen=True)
class Mutant:
    """A large-effect mirror allele given to a random share of the living."""

    mirror: float
    fraction: float


@dataclass(frozen=True)
class Event:
    """Something that happens at the start of a given generation."""

    generation: int
    set: Mapping[str, Any] = field(default_factory=dict)
    mutant: Mutant | None = None


def parse_event(raw: Mapping[str, Any], where: str) -> Event:
    """An Event from its TOML table; raises UsageError naming `where` on a bad entry."""
    unknown = set(raw) - {"generation", "set", "mutant"}
    if unknown:
        raise UsageError(f"{where}: unknown event keys {sorted(unknown)}; valid: generation, set, mutant")
    gen = raw.get("generation")
    if not isinstance(gen, int) or isinstance(gen, bool) or gen < 1:
        raise UsageError(f"{where}: event generation must be an integer >= 1, got {gen!r}")
    if not isinstance(raw.get("set", {}), Mapping):
        raise UsageError(f"{where}: event set must be a table of parameter = value")
    changes = Params.convert_values(raw.get("set", {}))
    fixed = sorted(set(changes) & FIXED_FOR_A_RUN)
    if fixed:
        raise UsageError(f"{where}: {', '.join(fixed)} cannot change during a run; "
                         f"events may set any parameter but {', '.join(sorted(FIXED_FOR_A_RUN))}")
    mutant = None
    if "mutant" in raw:
        m = raw["mutant"]
        try:
            mutant = Mutant(mirror=float(m["mirror"]), fraction=float(m["fraction"]))
        except (KeyError, TypeError, ValueError):
            raise UsageError(f"{where}: mutant needs numbers mirror and fraction") from None
        if not (0.0 <= mutant.mirror <= 1.0 and 0.0 < mutant.fraction <= 1.0):
            raise UsageError(f"{where}: mutant mirror must be in [0, 1] and fraction in (0, 1]")
    return Event(generation=gen, set=changes, mutant=mutant)


def check_phases(params: Params, events: tuple[Event, ...], where: str = "") -> None:
    """Check every parameter set the events will produce, before the run; raise UsageError.

    Events apply in generation order, each on top of the ones before, so a phase is `params` with
    the `set`s of all events up to it. Each phase must pass `Params.check_consistency` (e.g. a
    crash to fewer people than camps), so a bad schedule stops the command at once instead of
    failing when the event fires, hours into a sweep.
    """
    phase = params
    for event in sorted(events, key=lambda e: e.generation):
        if not event.set:
            continue
        phase = dataclasses.replace(phase, **event.set)
        try:
            phase.check_consistency()
        except UsageError as exc:
            prefix = f"{where}: " if where else ""
            raise UsageError(f"{prefix}the event at generation {event.generation} "
                             f"({', '.join(f'{k}={v}' for k, v in event.set.items())}) makes an "
                             f"invalid model: {exc}") from None


def max_population(params: Params, events: tuple[Event, ...]) -> int:
    """The largest total carrying capacity the run will ever have."""
    sizes = [params.population]
    sizes += [int(e.set["population"]) for e in events if "population" in e.set]
    return max(sizes)

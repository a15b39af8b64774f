"""Scheduled events of a scenario: parameter changes and a large-effect mutation.

- `set`: from `generation` on, the listed parameters take new values (e.g. a population crash
  and loss of contact, as in Henrich's 2004 Tasmanian case; rising density and migration, as in
  Powell, Shennan & Thomas 2009).
- `until`: with it, the `set` is a ramp: from `generation` to `until` each listed (numeric)
  parameter moves linearly, generation by generation, from its value when the ramp starts to the
  target (integers rounded), as a population that grows steadily rather than in one step.
- `mutant`: at `generation`, a random `fraction` of the living get genetic mirror strength
  `mirror` (a neural mutation of large effect: Klein 1995; Ramachandran 2000).
"""

from __future__ import annotations

import dataclasses
import difflib
import warnings
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
    """A large-effect mirror allele given to a random share of the living.

    With `carriers` > 0 it is given to that many instead, drawn first from camp `camp` (a new
    mutation arises in one place, and spreads from there), then from everyone else.
    """

    mirror: float
    fraction: float = 0.0
    carriers: int = 0
    camp: int = 0


@dataclass(frozen=True)
class Event:
    """Something that happens at the start of a given generation."""

    generation: int
    set: Mapping[str, Any] = field(default_factory=dict)
    mutant: Mutant | None = None
    until: int | None = None  # a ramp's last generation (None: a step at `generation`)

    def values_at(self, generation: int, start: Mapping[str, Any]) -> dict[str, Any]:
        """The values this event sets at `generation`, from the `start` values of a ramp."""
        if self.until is None:
            return dict(self.set)
        share = min(1.0, (generation - self.generation) / (self.until - self.generation))
        out = {}
        for name, target in self.set.items():
            value = start[name] + (target - start[name]) * share
            out[name] = round(value) if isinstance(target, int) else value
        return out


def parse_event(raw: Mapping[str, Any], where: str) -> Event:
    """An Event from its TOML table; raises UsageError naming `where` on a bad entry."""
    keys = ("generation", "until", "set", "mutant")
    unknown = sorted(set(raw) - set(keys))
    if unknown:
        near = difflib.get_close_matches(unknown[0], keys, n=1)
        hint = f" (did you mean {near[0]}?)" if near else ""
        raise UsageError(f"{where}: unknown event key {unknown[0]!r}{hint}; "
                         "valid: generation, until, set, mutant")
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
        extra = sorted(set(m) - {"mirror", "fraction"}) if isinstance(m, Mapping) else []
        if extra:
            near = difflib.get_close_matches(extra[0], ("mirror", "fraction"), n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            raise UsageError(f"{where}: unknown mutant key {extra[0]!r}{hint}; valid: mirror, fraction")
        try:
            mutant = Mutant(mirror=float(m["mirror"]), fraction=float(m["fraction"]))
        except (KeyError, TypeError, ValueError):
            raise UsageError(f"{where}: mutant needs numbers mirror and fraction") from None
        if not (0.0 <= mutant.mirror <= 1.0 and 0.0 < mutant.fraction <= 1.0):
            raise UsageError(f"{where}: mutant mirror must be in [0, 1] and fraction in (0, 1]")
    until = raw.get("until")
    if until is not None:
        if not isinstance(until, int) or isinstance(until, bool) or until <= gen:
            raise UsageError(f"{where}: event until must be an integer > generation ({gen}), "
                             f"got {until!r}")
        if mutant is not None or not changes:
            raise UsageError(f"{where}: a ramp (until) needs a set and no mutant")
        kinds = {name: type(value) for name, value in changes.items()}
        bad = sorted(name for name, kind in kinds.items() if kind not in (int, float))
        if bad:
            raise UsageError(f"{where}: a ramp moves numbers only; {', '.join(bad)} "
                             "cannot ramp (use a step event without until)")
    return Event(generation=gen, set=changes, mutant=mutant, until=until)


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


def scheduled_events(params: Params) -> tuple[Event, ...]:
    """The events the schedule parameters ask for: growth, a new allele, a crash and its repair.

    Growth (Powell, Shennan & Thomas 2009): the population (and, unless -1, the migration rate)
    moves to its grown value, as a ramp from `growth_start` to `growth_end` or a step when they
    are equal. A new allele (Klein 1995; Ramachandran 2000): `allele_carriers` people of camp
    `allele_camp` get genetic mirror strength `allele_mirror` at `allele_generation`. A crash
    (Henrich 2004): at `crash_generation` the population falls to `crash_share` of what it then
    is, and is set back after `crash_length` generations (migration unchanged). Parameters rather
    than scenario events, so that a sweep can vary them.
    """
    events = []
    grown = params.population
    if params.growth_start:
        changes: dict[str, Any] = {"population": params.growth_population}
        if params.growth_migration >= 0.0:
            changes["migration_rate"] = params.growth_migration
        ramp = params.growth_end > params.growth_start
        events.append(Event(params.growth_start, changes, until=params.growth_end if ramp else None))
        grown = params.growth_population
    if params.allele_generation:
        events.append(Event(params.allele_generation, mutant=Mutant(
            params.allele_mirror, carriers=params.allele_carriers, camp=params.allele_camp)))
    if params.crash_generation:
        left = max(params.n_camps, round(params.crash_share * grown))
        events.append(Event(params.crash_generation, {"population": left}))
        events.append(Event(params.crash_generation + params.crash_length, {"population": grown}))
    return tuple(events)


def max_population(params: Params, events: tuple[Event, ...]) -> int:
    """The largest total carrying capacity the run will ever have."""
    sizes = [params.population]
    sizes += [int(e.set["population"]) for e in events if "population" in e.set]
    return max(sizes)


class EventOutsideRunWarning(UserWarning):
    """An event the run never reaches (or a ramp it cuts short): a cause outside the run."""


def describe_event(event: Event) -> str:
    """A phrase naming an event by when and what it sets: ``the event at generation 1000 (sets population)``.

    Not its values, so that a sweep varying them warns once.
    """
    what = [f"sets {', '.join(event.set)}"] if event.set else []
    if event.mutant is not None:
        what.append(f"a mutant allele of mirror strength {event.mutant.mirror}")
    if event.until is not None:
        return f"the ramp from generation {event.generation} to {event.until} ({'; '.join(what)})"
    return f"the event at generation {event.generation} ({'; '.join(what)})"


def outside_run(params: Params, events: tuple[Event, ...]) -> list[str]:
    """One phrase per event the run does not reach whole: after its last generation, or cut.

    Only the generation driver runs events (`MirrorModel.step`); the others have no generations
    for an event to fall in, and refuse events or schedules of their own.
    """
    if params.driver != "generations":
        return []
    last = params.generations
    out = []
    for event in sorted(events, key=lambda e: e.generation):
        if event.generation > last:
            out.append(f"{describe_event(event)} comes after the run's last generation ({last}) "
                       f"and never happens; valid: generations >= {event.generation} to include it")
        elif event.until is not None and event.until > last:
            share = (last - event.generation) / (event.until - event.generation)
            out.append(f"{describe_event(event)} is cut at the run's last generation ({last}), "
                       f"{share:.0%} of the way; valid: generations >= {event.until} to run it whole")
    return out


def warn_outside_run(params: Params, events: tuple[Event, ...], where: str) -> None:
    """Warn (`EventOutsideRunWarning`) once per event the run does not reach whole."""
    for phrase in outside_run(params, (*events, *scheduled_events(params))):
        warnings.warn(f"{where}: {phrase}", EventOutsideRunWarning, stacklevel=2)

"""The question a sweep asks: the outcomes and contrasts its user names.

In the sweep spec's ``[analysis]`` table (stored in sweep.json) or on the command line::

    [analysis]
    outcomes = ["tool_complexity", "expressivity"]     # the measures to analyse
    contrasts = [["demography", "coevolution"]]        # scenario, then its control

    python run.py analyze DIR --outcome tool_complexity --contrast demography:coevolution

Outcomes replace the default (every culture metric recorded); each must be a recorded numeric
column. A contrast compares scenario A against scenario B (the control): the difference in the
probability of a material burst (Newcombe's 95 % interval) and in the median final level
(bootstrap 95 % interval), per outcome, worded as "A vs B on X: ..." (``wording``). Without
contrasts and without both mirror controls, each scenario is compared with the first one listed,
so a sweep that is not about the mirror still gets its comparisons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evo.errors import UsageError


@dataclass(frozen=True)
class Steering:
    """The outcomes (empty: the default) and the contrasts (scenario, control) a user named."""

    outcomes: tuple[str, ...] = ()
    contrasts: tuple[tuple[str, str], ...] = ()
    named: bool = False  # contrasts named by the user (not the default pairs)


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{where}: expected a list of names, e.g. [\"tool_complexity\"]")
    return value


def _pair(value: Any, where: str) -> tuple[str, str]:
    if isinstance(value, str):
        parts = value.split(":")
    elif isinstance(value, list):
        parts = value
    else:
        parts = []
    if len(parts) != 2 or not all(isinstance(p, str) and p for p in parts):
        raise UsageError(f"{where}: a contrast is two scenarios, A:B on the command line or "
                         f"[\"A\", \"B\"] in [analysis] (B the control), got {value!r}")
    return parts[0], parts[1]


def from_sources(meta: dict, outcomes: Sequence[str] = (),
                 contrasts: Sequence[str] = ()) -> Steering:
    """The spec's ``[analysis]`` table (``meta`` is sweep.json) and the command line's, joined."""
    spec = meta.get("spec") if isinstance(meta.get("spec"), dict) else {}
    table = spec.get("analysis", {}) if isinstance(spec, dict) else {}
    if not isinstance(table, dict):
        raise UsageError("[analysis] in the sweep spec: expected a table")
    unknown = sorted(set(table) - {"outcomes", "contrasts"})
    if unknown:
        raise UsageError(f"[analysis] in the sweep spec: unknown key {unknown[0]!r}; valid keys: "
                         "outcomes, contrasts")
    named_outcomes = [*_strings(table.get("outcomes", []), "[analysis] outcomes"), *outcomes]
    pairs = [_pair(v, "[analysis] contrasts") for v in table.get("contrasts", [])]
    pairs += [_pair(v, "--contrast") for v in contrasts]
    return Steering(tuple(dict.fromkeys(named_outcomes)), tuple(dict.fromkeys(pairs)),
                    named=bool(pairs))


def check(steering: Steering, scenarios: Sequence[str], recorded: Sequence[str]) -> None:
    """A named outcome must be recorded, a contrast's scenarios analysed: else one clear line."""
    for outcome in steering.outcomes:
        if outcome not in recorded:
            raise UsageError(f"outcome {outcome!r} is not recorded in these tables; valid: "
                             + ", ".join(recorded))
    for a, b in steering.contrasts:
        for name in (a, b):
            if name not in scenarios:
                raise UsageError(f"contrast {a}:{b}: no scenario {name!r} in these runs; valid: "
                                 + ", ".join(scenarios))
        if a == b:
            raise UsageError(f"contrast {a}:{b}: a scenario against itself")


def default_contrasts(scenarios: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """Each scenario against the first one listed (the pairs when the user names none)."""
    return tuple((s, scenarios[0]) for s in scenarios[1:])

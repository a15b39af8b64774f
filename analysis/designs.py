"""Per-scenario designs: what a sweep's sweep.json says each scenario varied (``designs``).

A sweep spec with ``[designs.NAME]`` tables gives each scenario its own design; sweep.json then
lists, per scenario in run order, its ``seeds``, ``set``, ``grid`` or ``sample``, ``varied``,
``n_points``, ``n_runs``, ``first_run_id`` and ``held`` (the value the runs table holds for each
sweep factor that scenario does not vary: its resolved value, so tables stay joinable). A sweep of
the old form (every scenario crossed with one shared design) has no ``designs``: these helpers
then return None and the analysis reads it as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def per_scenario(meta: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """The designs of a per-scenario sweep, in run order, or None (a run, an old-form sweep)."""
    designs = meta.get("designs")
    if not isinstance(designs, list) or not all(isinstance(d, dict) for d in designs):
        return None
    return designs


def varied_by(meta: Mapping[str, Any]) -> dict[str, list[str]] | None:
    """Scenario -> the parameters its own design varies, or None (one shared design)."""
    designs = per_scenario(meta)
    if designs is None:
        return None
    return {str(d.get("scenario")): [str(v) for v in d.get("varied", [])] for d in designs}


def scenarios_varying(meta: Mapping[str, Any], name: str) -> list[str] | None:
    """The scenarios whose design varies `name`, or None when every scenario shares the design."""
    by = varied_by(meta)
    return None if by is None else [s for s, names in by.items() if name in names]


def grid_parameters(meta: Mapping[str, Any]) -> list[str]:
    """The ``[grid]`` parameters of a sweep: the shared grid's, or every design's, in order."""
    designs = per_scenario(meta)
    if designs is None:
        spec = meta.get("spec")
        grid = spec.get("grid") if isinstance(spec, dict) else None
        return list(grid) if isinstance(grid, dict) else []
    names: dict[str, None] = {}
    for design in designs:
        if isinstance(design.get("grid"), dict):
            names.update(dict.fromkeys(design["grid"]))
    return list(names)


def describe(meta: Mapping[str, Any]) -> str | None:
    """One paragraph for the report: each scenario's design and what its pooled row pools."""
    designs = per_scenario(meta)
    if designs is None:
        return None
    parts = []
    for d in designs:
        varied = d.get("varied") or []
        how = ("sample " + str(d["sample"].get("method")) if isinstance(d.get("sample"), dict)
               else "grid" if varied else "one point")
        parts.append(f"{d.get('scenario')}: {d.get('n_points')} point(s) x {d.get('seeds')} "
                     f"seed(s) = {d.get('n_runs')} runs, {how}"
                     + (f" over {', '.join(varied)}" if varied else ""))
    return ("Each scenario has its own design (sweep.json `designs`): " + "; ".join(parts)
            + ". The per-scenario comparisons pool each scenario over its own design; a factor a "
            "scenario does not vary holds that scenario's value in the runs table.")

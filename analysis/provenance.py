"""The report's footer: how the results were made, as their run.json or sweep.json recorded it.

Reads only what the record holds (the analysis never imports the model): the code's git commit
and whether the tree had uncommitted changes, the package versions, each scenario's resolved
parameters and events with their digest, the recording interval, and for a sweep every resume on
changed code or versions and any rebuilt header. What a record from before these fields lacks is
said to be unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

UNKNOWN = "unknown"


def code_text(code: Any, versions: Any = None) -> str:
    """The code a record names: its commit, and its uncommitted changes if any."""
    if not isinstance(code, Mapping):
        old = versions.get("git") if isinstance(versions, Mapping) else None
        return f"git describe {old} (recorded before commits were)" if old else "not recorded"
    commit = code.get("commit", UNKNOWN)
    if commit == UNKNOWN:
        return "unknown (git or the .git folder was not available)"
    dirty = code.get("dirty")
    state = ("no uncommitted changes" if dirty is False else
             f"uncommitted changes, digest {str(code.get('diff_digest'))[:12]}" if dirty is True
             else "uncommitted changes unknown")
    return f"git commit {commit} ({state})"


def versions_text(versions: Any) -> str:
    """``python 3.12.1, numpy 2.5.5, ...`` (an older record's git entry is the code's, not here)."""
    if not isinstance(versions, Mapping) or not versions:
        return "not recorded"
    return ", ".join(f"{name} {value}" for name, value in versions.items() if name != "git")


def scenario_text(name: str, record: Any) -> str:
    """One scenario's digest, every parameter value and its events."""
    if not isinstance(record, Mapping):
        return f"Scenario {name}: resolved values not recorded."
    params = record.get("params") or {}
    events = record.get("events") or []
    values = ", ".join(f"{k}={v}" for k, v in params.items())
    said = "; ".join(_event_text(e) for e in events) or "none"
    return f"Scenario {name} (digest {str(record.get('digest'))[:16]}): {values}; events: {said}."


def _event_text(event: Any) -> str:
    if not isinstance(event, Mapping):
        return str(event)
    what = []
    if event.get("set"):
        what.append(f"set {dict(event['set'])}")
    if event.get("mutant"):
        what.append(f"mutant {dict(event['mutant'])}")
    return f"generation {event.get('generation')}: {', '.join(what) or 'nothing'}"


def recording_text(every: Any) -> str | None:
    """The recording interval, when the generation tables were thinned."""
    if every in (None, 1):
        return None
    if every == "final":
        return "Recorded rows: the first and the last of each run only (record_every = \"final\")."
    return (f"Recorded rows: every {every}th generation of each run, the first and the last always "
            f"kept (record_every = {every}); the model ran every generation.")


def provenance_lines(kind: str, record: Mapping[str, Any]) -> list[str]:
    """Paragraphs for the report's footer, from a run's run.json or a sweep's sweep.json."""
    source = "run.json" if kind == "run" else "sweep.json"
    lines = [f"As recorded in {source}. Code: {code_text(record.get('code'), record.get('versions'))}.",
             f"Versions: {versions_text(record.get('versions'))}."]
    resolved = record.get("resolved_scenarios")
    names = list(resolved) if isinstance(resolved, Mapping) else []
    if not names:
        wanted = record.get("scenarios") if kind == "sweep" else [record.get("scenario")]
        names = [str(n) for n in (wanted or []) if n is not None]
        resolved = {}
    lines += [scenario_text(name, resolved.get(name)) for name in names]
    if not names:
        lines.append("Scenario values: not recorded.")
    spec = record.get("spec") if isinstance(record.get("spec"), Mapping) else {}
    every = recording_text(record.get("record_every", spec.get("record_every")))
    if every:
        lines.append(every)
    recovered = record.get("header_recovered")
    if isinstance(recovered, Mapping):
        lines.append(f"sweep.json was rebuilt on {recovered.get('at')} from the spec and its root "
                     f"seed ({recovered.get('reason')}); how the runs finished before then were "
                     "made is unknown.")
    for entry in record.get("continued") or []:
        if not isinstance(entry, Mapping):
            continue
        said = [*entry.get("changed", []), *(f"{u} not recorded before"
                                             for u in entry.get("unknown", []))]
        lines.append(f"Continued on {entry.get('at')} with code "
                     f"{code_text(entry.get('code'))}: {'; '.join(said) or 'no change'}.")
    return lines

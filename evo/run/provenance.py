"""What a result was made with: git state, model source hash, package versions, scenarios.

`run.json` and `sweep.json` record all four, so a result read a year later says how it was
made, and a sweep resumed on other code, other versions or an edited scenario file is refused
(`changes` names what differs). Where git or the ``.git`` folder is absent (an installed copy,
an exported tarball) the code's state is ``"unknown"``; the model's source hash
(`evo.core.kernel_cache.source_hash`, which also names the folder of the compiled kernels) is
known everywhere, so it tells the model's code apart even without git.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from evo.core import kernel_cache

#: The packages whose versions can change a result or how it is read, besides Python itself.
PACKAGES = ("numpy", "numba", "polars", "pyarrow", "SALib", "scipy", "ema_workbench", "mesa",
            "mirrorleap")
UNKNOWN = "unknown"
ROOT = Path(__file__).resolve().parents[2]  # the folder holding evo/, scenarios/, pyproject.toml
#: Untracked files larger than this enter the diff digest by size only.
MAX_HASHED_BYTES = 16 * 2**20


def canonical(data: Any) -> Any:
    """`data` as JSON gives it back (tuples become lists), so recorded and fresh values compare."""
    return json.loads(json.dumps(data))


def digest(data: Any) -> str:
    """SHA-256 of the canonical JSON of `data` (sorted keys, no spaces)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@cache
def versions() -> dict[str, str]:
    """Versions of Python and of every package in `PACKAGES` ("not installed" if absent)."""
    found = {"python": platform.python_version()}
    for pkg in PACKAGES:
        try:
            found[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            found[pkg] = "not installed"
    return found


def _git(*args: str) -> bytes | None:
    try:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, timeout=30,
                              check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout


@cache
def code_state() -> dict[str, Any]:
    """The code's git commit, whether the tree has uncommitted changes, and a digest of them.

    ``{"commit": sha or "unknown", "dirty": bool or "unknown", "diff_digest": sha256 or None}``.
    The digest covers ``git diff HEAD`` and every untracked file that git does not ignore, so two
    different sets of uncommitted changes on the same commit are told apart. Computed once per
    process: the code does not change under a running program.
    """
    top = _git("rev-parse", "--show-toplevel")
    if top is None or Path(top.decode().strip()).resolve() != ROOT:  # no git, or another repo
        return {"commit": UNKNOWN, "dirty": UNKNOWN, "diff_digest": None}
    head = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain", "-z", "--untracked-files=all")
    diff = _git("diff", "HEAD", "--binary")
    untracked = _git("ls-files", "-z", "--others", "--exclude-standard")
    if head is None or status is None or diff is None or untracked is None:
        return {"commit": UNKNOWN, "dirty": UNKNOWN, "diff_digest": None}
    dirty = bool(status.strip(b"\0"))
    return {"commit": head.decode().strip(), "dirty": dirty,
            "diff_digest": _diff_digest(diff, untracked) if dirty else None}


def _diff_digest(diff: bytes, untracked: bytes) -> str:
    sha = hashlib.sha256(diff)
    for name in sorted(n for n in untracked.split(b"\0") if n):
        path = ROOT / name.decode(errors="surrogateescape")
        sha.update(b"\0" + name + b"\0")
        try:
            size = path.stat().st_size
            sha.update(path.read_bytes() if size <= MAX_HASHED_BYTES else str(size).encode())
        except OSError:
            sha.update(b"unreadable")
    return sha.hexdigest()


def describe_code(code: Mapping[str, Any] | None) -> str:
    """One phrase: ``commit 0123456789ab``, with ``, uncommitted changes <digest>`` if dirty."""
    if not code or code.get("commit", UNKNOWN) == UNKNOWN:
        return "unknown"
    text = f"commit {str(code['commit'])[:12]}"
    if code.get("dirty") is True:
        text += f", uncommitted changes {str(code.get('diff_digest'))[:12]}"
    elif code.get("dirty") is not False:  # a recorded "unknown"
        text += ", uncommitted changes unknown"
    return text


def event_record(event: Any) -> dict[str, Any]:
    """A scenario event (`evo.core.events.Event`) as JSON."""
    mutant = event.mutant
    return {"generation": event.generation, "until": event.until, "set": dict(event.set),
            "mutant": None if mutant is None else dict(vars(mutant))}


def scenario_record(name: str) -> dict[str, Any]:
    """A scenario's resolved parameters (every `Params` field) and events, with their digest."""
    import scenarios

    loaded = scenarios.load(name)
    body = canonical({"params": loaded.params.as_dict(),
                      "events": [event_record(e) for e in loaded.events]})
    return {**body, "digest": digest(body)}


def resolved_scenarios(names: Iterable[str]) -> dict[str, dict[str, Any]]:
    """`scenario_record` of each name."""
    return {name: scenario_record(name) for name in names}


def provenance(names: Iterable[str]) -> dict[str, Any]:
    """The records a run.json or sweep.json holds: code, model hash, versions, resolved scenarios."""
    return {"code": code_state(), "model_hash": kernel_cache.source_hash(),
            "versions": versions(), "resolved_scenarios": resolved_scenarios(names)}


def changes(recorded: Mapping[str, Any], current: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """What differs between a recorded `provenance` and the current one, and what is unknown.

    Returns (changes, unknown): phrases such as ``numba 0.68.1 -> 0.69.0``, ``scenario
    coevolution changed (mirror_cost 0.05 -> 0.1)``, ``code commit 0123 -> 4567`` or ``model
    sources 89ab -> cdef`` (the hash of ``evo/core``), and the names of what the record does not
    hold (an older folder) and so cannot be checked.
    """
    changed: list[str] = []
    unknown: list[str] = []
    old_code, new_code = recorded.get("code"), current["code"]
    old_commit = old_code.get("commit", UNKNOWN) if isinstance(old_code, Mapping) else None
    new_commit = new_code.get("commit", UNKNOWN)
    if old_commit is None:
        unknown.append("the code's commit")
    elif old_commit == UNKNOWN and new_commit != UNKNOWN:
        unknown.append("the code's commit (git was not available)")
    elif new_commit == UNKNOWN and old_commit != UNKNOWN:
        unknown.append("the code's commit (git is not available now)")
    elif (old_commit, old_code.get("diff_digest")) != (new_commit, new_code.get("diff_digest")):
        changed.append(f"code {describe_code(old_code)} -> {describe_code(new_code)}")
    old_scen = recorded.get("resolved_scenarios")
    old_scen = old_scen if isinstance(old_scen, Mapping) else {}
    for name, new in current["resolved_scenarios"].items():
        old = old_scen.get(name)
        if not isinstance(old, Mapping) or "digest" not in old:
            unknown.append(f"scenario {name}")
        elif old["digest"] != new["digest"]:
            changed.append(f"scenario {name} changed ({_scenario_diff(old, new)})")
    old_versions = recorded.get("versions")
    old_versions = old_versions if isinstance(old_versions, Mapping) else {}
    missing = [pkg for pkg in current["versions"] if pkg not in old_versions]
    changed += [f"{pkg} {old_versions[pkg]} -> {version}"
                for pkg, version in current["versions"].items()
                if pkg in old_versions and old_versions[pkg] != version]
    if missing:
        unknown.append(f"the version{'s' if len(missing) > 1 else ''} of {', '.join(missing)}")
    old_model, new_model = recorded.get("model_hash"), current.get("model_hash")
    if not isinstance(old_model, str):
        unknown.append("the model's source hash")
    elif new_model is not None and old_model != new_model:
        changed.append(f"model sources {old_model[:12]} -> {str(new_model)[:12]}")
    return changed, unknown


def _scenario_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    old_p, new_p = old.get("params") or {}, new.get("params") or {}
    parts = [f"{k} {old_p.get(k, 'absent')} -> {new_p.get(k, 'absent')}"
             for k in sorted(set(old_p) | set(new_p)) if old_p.get(k) != new_p.get(k)]
    if old.get("events") != new.get("events"):
        parts.append("its events")
    return ", ".join(parts) or "its record"

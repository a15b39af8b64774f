"""Reading a scenario file: a TOML file of parameters, events, the account it stages and its role.

The model reads scenario files itself, so `MirrorModel.from_scenario` keeps a scenario's events
without importing the `scenarios` package (which sits above the model and holds the shipped files
and their registry). Scenarios are data, not code: the model reads them as it reads any input.

A scenario is named either by a path to its file (a string ending in ``.toml`` or holding a
``/``) or by a name, the file's stem, looked up in the folders of `search_folders`: the user's
folders (`ENV_VAR`, separated like ``PATH``; the command line's ``--scenarios DIR`` puts its
folder first there), then the shipped folder. A name found in two folders is refused rather than
one chosen silently.

File format (checked here; every unknown key is named with the nearest valid one)::

    base = "coevolution"     # optional: start from another scenario's params and account
    summary = "one line"     # required
    hypothesis = "..."       # required
    citation = "..."         # required
    account = "genetic"      # required unless the base has one (inherited)
    role = "variant"         # required, never inherited
    [params]                 # required (may be empty): any `Params` field
    mirror_cost = 0.1
    [[events]]               # optional, any number (`evo.core.events`)
    generation = 1000
    set = { population = 40 }
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evo.core.events import Event, check_phases, parse_event, scheduled_events, warn_outside_run
from evo.core.params import Params
from evo.errors import UsageError

#: The folder of the scenarios shipped with the program (the `scenarios` package's data files).
SHIPPED_DIR = Path(__file__).resolve().parents[2] / "scenarios"
#: Environment variable naming the user's scenario folders (``os.pathsep``-separated).
ENV_VAR = "MIRRORLEAP_SCENARIOS"

ACCOUNTS = ("genetic", "associative", "demography", "nongenetic", "gradual", "none")
ROLES = ("main", "main_upgrade", "variant", "control_low", "control_high", "validation", "example")
REQUIRED_KEYS = ("summary", "hypothesis", "citation", "params")
KEYS = ("base", "summary", "hypothesis", "citation", "account", "role", "params", "events")


@dataclass(frozen=True)
class Scenario:
    """A named parameter set with the hypothesis it stages, its source, account and role.

    `base` is the scenario it starts from (as the file names it), `path` the file it was read from.
    """

    name: str
    summary: str
    hypothesis: str
    citation: str
    params: Params
    events: tuple[Event, ...]
    account: str
    role: str
    base: str | None = None
    path: Path | None = None


def suggest(word: str, valid: Iterable[str]) -> str:
    """`` (did you mean X?)`` for the nearest valid word (difflib), else an empty string."""
    near = difflib.get_close_matches(word, list(valid), n=1)
    return f" (did you mean {near[0]}?)" if near else ""


def is_path(text: str) -> bool:
    """True when a scenario is given as a file path rather than a name."""
    return text.endswith(".toml") or "/" in text or os.sep in text


def user_folders() -> list[Path]:
    """The user's scenario folders, from `ENV_VAR` (empty entries skipped)."""
    return [Path(p).expanduser() for p in os.environ.get(ENV_VAR, "").split(os.pathsep) if p]


def search_folders(shipped: Path = SHIPPED_DIR) -> list[Path]:
    """Where names are looked up: the user's folders, then the shipped one."""
    folders = [*user_folders(), shipped]
    return list(dict.fromkeys(f.resolve() if f.exists() else f for f in folders))


def available(shipped: Path = SHIPPED_DIR) -> dict[str, list[Path]]:
    """Every scenario name in the search folders, sorted, with the files holding it."""
    found: dict[str, list[Path]] = {}
    for folder in search_folders(shipped):
        if folder.is_dir():
            for path in sorted(folder.glob("*.toml")):
                found.setdefault(path.stem, []).append(path)
    return dict(sorted(found.items()))


def locate(scenario: str, shipped: Path = SHIPPED_DIR, near: Path | None = None) -> Path:
    """The file of a scenario path or name; UsageError naming the valid names otherwise.

    A name is looked up first in folder `near` (a base next to the file that names it), then in
    `search_folders`.
    """
    if is_path(scenario):
        path = Path(scenario).expanduser()
        if near is not None and not path.is_absolute():
            path = near / path
        if not path.is_file():
            raise UsageError(f"no scenario file {scenario!r} (from {Path.cwd()}); valid: a path "
                             "to a .toml scenario file, or a scenario name (python run.py list)")
        return path
    if near is not None and (near / f"{scenario}.toml").is_file():
        return near / f"{scenario}.toml"
    names = available(shipped)
    if scenario not in names:
        folders = ", ".join(str(f) for f in search_folders(shipped))
        raise UsageError(f"unknown scenario {scenario!r}{suggest(scenario, names)}; valid: "
                         f"{', '.join(names)} (in {folders}), or a path to a .toml file")
    if len(names[scenario]) > 1:
        raise UsageError(f"scenario {scenario!r} is in more than one folder "
                         f"({', '.join(str(p) for p in names[scenario])}); valid: rename one, "
                         "or give the path of the file you mean")
    return names[scenario][0]


def load_scenario(scenario: str, shipped: Path = SHIPPED_DIR) -> Scenario:
    """The scenario named or pointed at by `scenario`, read and checked; raises UsageError."""
    return read(locate(scenario, shipped), shipped)


#: path -> (the stamps of it and of its bases when read, the scenario)
_CACHE: dict[tuple[Path, Path], tuple[tuple, Scenario]] = {}


def read(path: Path, shipped: Path = SHIPPED_DIR, _chain: tuple[Path, ...] = ()) -> Scenario:
    """The scenario in file `path` (its name: the file's stem); raises UsageError.

    A result is kept while the file and its bases are unchanged (size and modification time).
    """
    path = path.resolve()
    cached = _CACHE.get((path, shipped))
    if cached is not None and all(_stamp(p) == stamp for p, stamp in cached[0]):
        return cached[1]
    stamp = _stamp(path)
    if stamp is None:
        raise UsageError(f"cannot read scenario file {path}")
    scenario = _parse(path, shipped, _chain)
    stamps = ((path, stamp),)
    if scenario.base is not None:
        base_path = locate(scenario.base, shipped, near=path.parent).resolve()
        stamps += _CACHE[(base_path, shipped)][0]
    _CACHE[(path, shipped)] = (stamps, scenario)
    return scenario


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def clear_cache() -> None:
    """Forget every scenario read so far."""
    _CACHE.clear()


def _where(path: Path, shipped: Path) -> str:
    same = path.parent.resolve() == Path(shipped).resolve()
    return f"scenario file {path.name if same else path}"


def _parse(path: Path, shipped: Path, chain: tuple[Path, ...]) -> Scenario:
    where = _where(path, shipped)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{where}: TOML syntax error: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{where}: cannot read it ({exc})") from None
    for key in raw:
        if key not in KEYS:
            raise UsageError(f"{where}: unknown key {key!r}{suggest(key, KEYS)}; "
                             f"valid: {', '.join(KEYS)}")
    missing = [key for key in REQUIRED_KEYS if key not in raw]
    if missing:
        raise UsageError(f"{where} lacks {missing}; required: {', '.join(REQUIRED_KEYS)}")
    for key in ("summary", "hypothesis", "citation"):
        if not isinstance(raw[key], str):
            raise UsageError(f"{where}: {key} must be a string, not {raw[key]!r}")
    if not isinstance(raw["params"], Mapping):
        raise UsageError(f"{where}: [params] must be a table of parameter = value lines")
    events_raw = raw.get("events", [])
    if not isinstance(events_raw, list) or not all(isinstance(e, Mapping) for e in events_raw):
        raise UsageError(f"{where}: events must be [[events]] tables")
    base = None
    if "base" in raw:
        if not isinstance(raw["base"], str) or not raw["base"]:
            raise UsageError(f"{where}: base must be a scenario name or path, not {raw['base']!r}")
        base_path = locate(raw["base"], shipped, near=path.parent).resolve()
        if base_path == path or base_path in chain:
            raise UsageError(f"{where}: base {raw['base']!r} leads back to this file; "
                             "valid: a scenario that does not start from this one")
        base = read(base_path, shipped, (*chain, path))
    try:
        params = Params.from_mapping(raw["params"], base=None if base is None else base.params)
    except UsageError as exc:
        raise UsageError(f"{where}: [params] {exc}") from None
    events = tuple(parse_event(e, where) for e in events_raw)
    check_phases(params, events, where)
    account = _choice(raw, "account", ACCOUNTS, base, where)
    role = _choice(raw, "role", ROLES, None, where)  # never inherited
    return Scenario(path.stem, raw["summary"], raw["hypothesis"], raw["citation"], params, events,
                    account, role, raw.get("base"), path)


def _choice(raw: Mapping[str, Any], key: str, choices: tuple[str, ...], base: Scenario | None,
            where: str) -> str:
    """`raw[key]`, else the base scenario's value (if given); UsageError naming the choices."""
    value = raw.get(key, getattr(base, key, None))
    if value not in choices:
        found = "is missing" if value is None else f"is {value!r}"
        hint = suggest(value, choices) if isinstance(value, str) else ""
        raise UsageError(f"{where}: {key} {found}{hint}; valid: {', '.join(choices)}")
    return value


def scenario_params(scenario: Scenario, overrides: Mapping[str, Any] | None = None, *,
                    warn: bool = True) -> Params:
    """The scenario's parameters with `overrides` applied, every phase its events make checked.

    Raises UsageError on a bad value; with `warn`, an event the run never reaches (or a ramp it
    cuts short) is an `evo.core.events.EventOutsideRunWarning`.
    """
    params = Params.from_mapping(dict(overrides or {}), base=scenario.params)
    where = f"scenario {scenario.name}"
    check_phases(params, (*scenario.events, *scheduled_events(params)), where)
    if warn:
        warn_outside_run(params, scenario.events, where)
    return params

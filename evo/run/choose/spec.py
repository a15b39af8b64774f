"""Choice specs: which accounts compete, their priors, the shared world, the summaries, the budget.

A spec is a TOML file (``scenarios/sweeps/choice.toml``)::

    description = "..."
    seed = 20261204                      # pyabc's stream and every simulation's seed
    [world]                              # parameters every account runs with (the trial's [set])
    camps_x = 8
    [accounts.genetic]                   # one table per account (the key is the account's name)
    scenario = "coevolution"             # the scenario that stages it
    set = { ... }                        # its own fixed values (optional)
    priors = { mirror_cost = { uniform = [0.02, 0.1] }, demonstrator = { choice = ["best", "sample_best"] } }
    [summaries]                          # the summaries compared (names from the registry)
    kb_slope = { data = "data/kline_boyd_2010.csv" }   # observed value computed from a data file
    leap = { observed = 1 }                            # or given
    [islands]                            # the short runs of the Kline & Boyd summaries
    data = "data/kline_boyd_2010.csv"    # census sizes (or `census = [...]`)
    scale = 100                          # census people per model learner
    generations = 150
    set = { lineages = 80 }              # what differs on an island (optional)
    [budget]
    particles = 200                      # particles per SMC population (all accounts together)
    populations = 8                      # SMC populations at most
    min_epsilon = 0.0                    # stop once epsilon falls below this
    max_simulations = 20000              # stop once this many simulations were run
    [quick]                              # --quick: a smaller world and budget
    time_scale = 0.2                     # multiplies every generation-valued parameter
    population_scale = 0.25              # multiplies population sizes (and island sizes)
    world = { camps_x = 2, camps_y = 2 }
    budget = { particles = 24, populations = 2 }

Each account's parameters are its scenario's, then ``[world]``, then its ``set``, then the draw
from its priors, then the quick scaling. A ``uniform`` prior on an integer parameter is rounded;
a ``choice`` prior is uniform over the listed values. Every prior bound and choice is checked
against the parameter's declared range (`evo.core.params.Params`), and every corner of each
account's prior box is resolved with the model's own checks, before anything runs.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import itertools
import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import scenarios
from evo.core.params import Params
from evo.errors import UsageError
from evo.run.choose.summaries import REGISTRY, SummaryChoice
from evo.run.runner import resolve_params

TOP_KEYS = ("description", "seed", "world", "accounts", "summaries", "islands", "budget", "quick")
ACCOUNT_KEYS = ("scenario", "set", "priors")
BUDGET_KEYS = ("particles", "populations", "min_epsilon", "max_simulations")
QUICK_KEYS = ("time_scale", "population_scale", "world", "budget")
ISLAND_KEYS = ("data", "census", "scale", "generations", "set")
PRIOR_KINDS = ("uniform", "choice")
#: Parameters counted in generations (scaled by ``time_scale``; 0 means "never" and stays 0).
TIME_PARAMS = ("generations", "growth_start", "growth_end", "allele_generation",
               "crash_generation", "crash_length", "extras_every")
#: Parameters counted in people (scaled by ``population_scale``).
PEOPLE_PARAMS = ("population", "growth_population")
ROOT = Path(__file__).resolve().parents[3]  # the checkout: relative data paths may start here
MAX_CORNERS = 256


@dataclass(frozen=True)
class Prior:
    """One parameter's prior: ``uniform`` on [low, high] (rounded for integers) or ``choice``."""

    name: str
    kind: str
    low: float = 0.0
    high: float = 0.0
    choices: tuple[Any, ...] = ()
    integer: bool = False

    @property
    def width(self) -> float:
        """The width of the continuous variable pyabc draws (choice: an index in [0, k))."""
        return float(len(self.choices)) if self.kind == "choice" else self.high - self.low

    @property
    def start(self) -> float:
        """The lower end of the continuous variable pyabc draws."""
        return 0.0 if self.kind == "choice" else self.low

    def value(self, x: float) -> Any:
        """The parameter value of pyabc's draw `x` (rounded, clipped, or the choice it indexes)."""
        if self.kind == "choice":
            return self.choices[min(len(self.choices) - 1, max(0, math.floor(x)))]
        x = min(self.high, max(self.low, float(x)))
        return round(x) if self.integer else x

    def corners(self) -> tuple[Any, ...]:
        """The values a prior's extremes take (for the up-front checks)."""
        return self.choices if self.kind == "choice" else (self.value(self.low),
                                                           self.value(self.high))


@dataclass(frozen=True)
class Account:
    """One competing account: its name, its scenario, its fixed values and its priors."""

    name: str
    scenario: str
    fixed: dict[str, Any]
    priors: tuple[Prior, ...]


@dataclass(frozen=True)
class Budget:
    """The ABC-SMC budget (pyabc's stopping rules)."""

    particles: int
    populations: int
    min_epsilon: float = 0.0
    max_simulations: int = 10**9


@dataclass(frozen=True)
class Islands:
    """The short isolated runs of the Kline & Boyd summaries: census sizes and their learners."""

    census: tuple[float, ...]
    scale: float
    generations: int
    fixed: dict[str, Any] = field(default_factory=dict)

    def learners(self, population_scale: float = 1.0) -> list[int]:
        """Model learners per island: round(census / scale * population_scale), at least 2."""
        return [max(2, round(c / self.scale * population_scale)) for c in self.census]


@dataclass(frozen=True)
class ChoiceSpec:
    """A checked choice spec; `raw` the TOML as parsed, `source` where it came from."""

    accounts: tuple[Account, ...]
    world: dict[str, Any]
    summaries: tuple[SummaryChoice, ...]
    budget: Budget
    seed: int
    islands: Islands | None
    raw: dict[str, Any]
    source: str
    quick: bool = False
    time_scale: float = 1.0
    population_scale: float = 1.0
    description: str = ""
    observed: dict[str, float] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """The accounts' names, in spec order (pyabc's model index)."""
        return [a.name for a in self.accounts]

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical JSON of the spec and the mode (quick or not)."""
        text = json.dumps({"spec": self.raw, "quick": self.quick}, sort_keys=True,
                          separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def params(self, account: Account, draw: Mapping[str, Any]) -> Params:
        """The account's parameters at `draw` (prior values by name), scaled for --quick."""
        values = {**self.world, **account.fixed, **draw}
        params = resolve_params(account.scenario, values)
        return scale_params(params, self.time_scale, self.population_scale)


def scale_params(params: Params, time_scale: float, population_scale: float) -> Params:
    """`params` with generation counts times `time_scale` and sizes times `population_scale`.

    Rounded, at least 1 (a 0 meaning "never" stays 0); the result is checked again.
    """
    if time_scale == 1.0 and population_scale == 1.0:
        return params
    changes: dict[str, int] = {}
    for name in TIME_PARAMS:
        value = getattr(params, name)
        if value:
            changes[name] = max(1, round(value * time_scale))
    for name in PEOPLE_PARAMS:
        changes[name] = max(params.n_camps if name == "population" else 1,
                            round(getattr(params, name) * population_scale))
    scaled = dataclasses.replace(params, **changes)
    scaled.check_consistency()
    return scaled


def load_choice_spec(path: str | Path, *, quick: bool = False) -> ChoiceSpec:
    """Read and check the spec at `path` (every value, prior and summary); raise UsageError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read choice spec {str(path)!r}: {exc.strerror or exc}; "
                         "valid: a TOML file like scenarios/sweeps/choice.toml") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: TOML syntax error: {exc}") from None
    return parse_choice_spec(data, source=str(path), base=path.parent, quick=quick)


def parse_choice_spec(data: Mapping[str, Any], *, source: str = "spec", base: Path | None = None,
                      quick: bool = False) -> ChoiceSpec:
    """Check a parsed spec; `base` is the folder relative data paths are tried in first."""

    def bad(message: str) -> UsageError:
        return UsageError(f"{source}: {message}")

    _keys(data, TOP_KEYS, "top-level key", bad)
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise bad(f"'seed' must be an integer in [0, 2**63 - 1], not {seed!r}")
    if not isinstance(data.get("description", ""), str):
        raise bad("'description' must be a string")
    world = _table(data.get("world", {}), "[world]", bad)
    Params.convert_values(world)  # names and ranges, one line on the first bad one
    budget = _budget(_table(data.get("budget"), "[budget]", bad), bad)
    time_scale, population_scale = 1.0, 1.0
    if quick:
        q = _table(data.get("quick"), "[quick] (needed by --quick)", bad)
        _keys(q, QUICK_KEYS, "key of [quick]", bad)
        time_scale = _positive_number(q.get("time_scale", 1.0), "quick.time_scale", bad)
        population_scale = _positive_number(q.get("population_scale", 1.0),
                                            "quick.population_scale", bad)
        extra = _table(q.get("world", {}), "quick.world", bad)
        Params.convert_values(extra)
        world = {**world, **extra}
        budget = _budget({**dataclasses.asdict(budget), **_table(q.get("budget", {}),
                                                                 "quick.budget", bad)}, bad)
    elif "quick" in data:
        q = _table(data["quick"], "[quick]", bad)
        _keys(q, QUICK_KEYS, "key of [quick]", bad)
    raw_accounts = _table(data.get("accounts"), "[accounts]", bad)
    if len(raw_accounts) < 2:
        raise bad(f"[accounts] names {len(raw_accounts)} account(s); valid: at least two to "
                  "choose between")
    accounts = tuple(_account(name, body, bad) for name, body in raw_accounts.items())
    raw_summaries = _table(data.get("summaries"), "[summaries]", bad)
    if not raw_summaries:
        raise bad(f"[summaries] is empty; valid names: {', '.join(REGISTRY)}")
    summaries = tuple(SummaryChoice.parse(name, options, bad) for name, options
                      in raw_summaries.items())
    islands = None
    if any(REGISTRY[s.name].islands for s in summaries):
        islands = _islands(_table(data.get("islands"), "[islands] (needed by the Kline & Boyd "
                                  "summaries)", bad), bad, base)
    spec = ChoiceSpec(accounts=accounts, world=world, summaries=summaries, budget=budget,
                      seed=seed, islands=islands, raw=json.loads(json.dumps(dict(data))),
                      source=source, quick=quick, time_scale=time_scale,
                      population_scale=population_scale,
                      description=data.get("description", ""))
    for account in accounts:
        _check_corners(spec, account, bad)
    observed = {s.name: s.observed_value(base, islands, bad) for s in summaries}
    return dataclasses.replace(spec, observed=observed)


def _keys(table: Mapping[str, Any], valid: tuple[str, ...], what: str, bad) -> None:
    unknown = sorted(set(table) - set(valid))
    if unknown:
        raise bad(f"unknown {what} {unknown[0]!r}; valid: {', '.join(valid)}")


def _table(value: Any, what: str, bad) -> dict[str, Any]:
    if value is None:
        raise bad(f"{what} is missing")
    if not isinstance(value, Mapping):
        raise bad(f"{what} must be a table, not {value!r}")
    return dict(value)


def _positive_number(value: Any, what: str, bad) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0 \
            or not math.isfinite(value):
        raise bad(f"'{what}' must be a positive number, not {value!r}")
    return float(value)


def _positive_int(value: Any, what: str, bad) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise bad(f"'{what}' must be a positive integer, not {value!r}")
    return value


def _budget(b: dict[str, Any], bad) -> Budget:
    _keys(b, BUDGET_KEYS, "key of [budget]", bad)
    for key in ("particles", "populations"):
        if key not in b:
            raise bad(f"[budget] lacks {key!r}; valid keys: {', '.join(BUDGET_KEYS)}")
    particles = _positive_int(b["particles"], "budget.particles", bad)
    populations = _positive_int(b["populations"], "budget.populations", bad)
    eps = b.get("min_epsilon", 0.0)
    if isinstance(eps, bool) or not isinstance(eps, int | float) or eps < 0:
        raise bad(f"'budget.min_epsilon' must be a number >= 0, not {eps!r}")
    sims = _positive_int(b.get("max_simulations", 10**9), "budget.max_simulations", bad)
    return Budget(particles, populations, float(eps), sims)


def _account(name: str, body: Any, bad) -> Account:
    body = _table(body, f"[accounts.{name}]", bad)
    _keys(body, ACCOUNT_KEYS, f"key of [accounts.{name}]", bad)
    scenario = body.get("scenario")
    if scenario not in scenarios.names():
        raise bad(f"account {name!r}: unknown scenario {scenario!r}; valid: "
                  f"{', '.join(scenarios.names())}")
    declared = scenarios.load(scenario).account
    if declared not in scenarios.ACCOUNTS or declared == "none":
        valid = [n for n in scenarios.names() if scenarios.load(n).account != "none"]
        raise bad(f"account {name!r}: scenario {scenario!r} stages no account of the leap "
                  f"(account {declared!r}); valid: {', '.join(valid)}")
    fixed = _table(body.get("set", {}), f"accounts.{name}.set", bad)
    Params.convert_values(fixed)
    raw_priors = _table(body.get("priors", {}), f"accounts.{name}.priors", bad)
    if not raw_priors:
        raise bad(f"account {name!r} has no priors; valid: at least one parameter of its own "
                  "causes, e.g. priors = {{ mirror_cost = {{ uniform = [0.02, 0.1] }} }}")
    priors = tuple(_prior(name, p, raw, bad) for p, raw in raw_priors.items())
    clash = sorted(set(fixed) & set(raw_priors))
    if clash:
        raise bad(f"account {name!r} both sets and draws {clash[0]!r}; valid: one of the two")
    return Account(name, scenario, fixed, priors)


def _prior(account: str, name: str, raw: Any, bad) -> Prior:
    where = f"prior {name} of account {account!r}"
    fields = {f.name: f for f in dataclasses.fields(Params)}
    if name not in fields:
        Params.convert_values({name: None})  # the registry's own "unknown parameter" line
    raw = _table(raw, where, bad)
    if len(raw) != 1 or next(iter(raw)) not in PRIOR_KINDS:
        raise bad(f"{where} must be one of {{ uniform = [low, high] }} or "
                  f"{{ choice = [value, ...] }}, not {raw!r}")
    kind, values = next(iter(raw.items()))
    if not isinstance(values, list) or not values:
        raise bad(f"{where}: {kind} needs a list, not {values!r}")
    for v in values:
        try:
            Params.convert_values({name: v})
        except UsageError as exc:
            raise bad(f"{where} outside the parameter's range: {exc}") from None
    if kind == "choice":
        return Prior(name, kind, choices=tuple(values))
    spec = fields[name]
    if str(spec.type) not in ("int", "float"):
        raise bad(f"{where}: a uniform prior needs a numeric parameter; {name} is "
                  f"{spec.type}: use {{ choice = [...] }}")
    if len(values) != 2 or not values[0] < values[1]:
        raise bad(f"{where}: uniform needs [low, high] with low < high, not {values!r}")
    return Prior(name, kind, float(values[0]), float(values[1]),
                 integer=str(spec.type) == "int")


def _islands(raw: dict[str, Any], bad, base: Path | None) -> Islands:
    _keys(raw, ISLAND_KEYS, "key of [islands]", bad)
    if ("data" in raw) == ("census" in raw):
        raise bad("[islands] needs one of 'data' (a CSV with a population column) or 'census' "
                  "(a list of census sizes)")
    if "data" in raw:
        census = [float(r["population"]) for r in read_data(raw["data"], base, bad,
                                                              columns=("population",))]
    else:
        census = raw["census"]
        if not isinstance(census, list) or not all(
                isinstance(c, int | float) and not isinstance(c, bool) and c > 0 for c in census):
            raise bad(f"'islands.census' must be a list of positive numbers, not {census!r}")
    if len(set(census)) < 2:
        raise bad("[islands] needs at least two different census sizes (a slope on log size)")
    scale = _positive_number(raw.get("scale", 100), "islands.scale", bad)
    generations = _positive_int(raw.get("generations", 150), "islands.generations", bad)
    fixed = _table(raw.get("set", {}), "islands.set", bad)
    Params.convert_values(fixed)
    return Islands(tuple(float(c) for c in census), scale, generations, fixed)


def data_path(name: str, base: Path | None) -> Path | None:
    """A data file: as given, else beside the spec, else in the checkout; None if none exists."""
    for candidate in (Path(name), *(([base / name]) if base else []), ROOT / name):
        if candidate.is_file():
            return candidate
    return None


def read_data(name: Any, base: Path | None, bad, columns: tuple[str, ...],
              where: tuple[str, str] | None = None) -> list[dict[str, str]]:
    """The rows of a CSV data file (``#`` lines are comments); checks the columns and emptiness.

    `where` (column, value) keeps only the rows with that value (e.g. the industries of a table
    that also lists components) before the numeric `columns` are checked.
    """
    if not isinstance(name, str):
        raise bad(f"a data file must be a path string, not {name!r}")
    path = data_path(name, base)
    if path is None:
        raise bad(f"no data file {name!r}; valid: a CSV like data/kline_boyd_2010.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    if not rows:
        raise bad(f"data file {name!r} has no rows; valid: a table with at least two rows")
    missing = [c for c in (*columns, *(where or ())[:1]) if c not in rows[0]]
    if missing:
        raise bad(f"data file {name!r} lacks column {missing[0]!r}; it has "
                  f"{', '.join(rows[0])}")
    if where is not None:
        rows = [r for r in rows if r[where[0]] == where[1]]
    for row in rows:
        for c in columns:
            try:
                value = float(row[c])
            except (TypeError, ValueError):
                raise bad(f"data file {name!r}: {c} {row[c]!r} is not a number") from None
            if not math.isfinite(value) or value < 0:
                raise bad(f"data file {name!r}: {c} {row[c]!r} is not a finite number >= 0")
    return rows


def _check_corners(spec: ChoiceSpec, account: Account, bad) -> None:
    """Resolve the account at every corner of its prior box (at most `MAX_CORNERS` of them)."""
    options = [p.corners() for p in account.priors]
    for i, values in enumerate(itertools.product(*options)):
        if i >= MAX_CORNERS:
            break
        draw = dict(zip([p.name for p in account.priors], values, strict=True))
        try:
            params = spec.params(account, draw)
        except UsageError as exc:
            raise bad(f"account {account.name!r} at prior corner {draw}: {exc}") from None
        for summary in spec.summaries:
            need = REGISTRY[summary.name].needs(params)
            if need:
                raise bad(f"summary {summary.name!r} cannot be computed for account "
                          f"{account.name!r}: {need}")

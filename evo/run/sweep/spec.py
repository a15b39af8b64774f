"""Sweep specs: parse a TOML file, check it, and expand its design into one planned run per seed.

A spec names one or more scenarios, the replicate count, the generations, fixed overrides and a
design (see the package docstring for the format). The design is expanded in a fixed order —
scenarios (as listed) outermost, then design points, then replicates — and run ``i`` of that order
gets ``run_id = i`` and the ``i``-th seed spawned from the root seed (`evo.run.sweep.seeds`). Every
run's parameters are checked with the model's own `resolve_params` before anything runs, so a bad
value anywhere in the design stops the sweep at once with one line naming it.

Space-filling designs are drawn with SALib from their own stream, ``SeedSequence([root_seed, 1])``:
Latin hypercube (McKay, Beckman & Conover 1979) draws ``n`` points, one in each of ``n`` equal
slices of every range; Sobol' (Saltelli 2002 scheme, scrambled) draws ``n * (D + 2)`` points, or
``n * (2D + 2)`` with ``second_order = true``, ``n`` a power of 2, as `SALib.analyze.sobol` needs;
Morris's elementary effects (Morris 1991; Campolongo, Cariboni & Saltelli 2007) draw ``n``
trajectories of ``D + 1`` points on a grid of ``levels`` (even, default 4) values per range,
``n * (D + 1)`` points; eFAST (Saltelli, Tarantola & Chan 1999) draws ``n`` points per parameter
along its search curves, ``n * D`` points, ``n > 64`` (interference factor M = 4:
``n > 4 M^2``), as `SALib.analyze.morris` and `SALib.analyze.fast` need. Integer parameters are
rounded to the nearest integer after sampling. The points keep the draw's row order (design point
k is row k), so the analysis can hand the runs' outcomes back to SALib in that order.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from evo.errors import UsageError
from evo.run.sweep.seeds import spawn_run_seeds

TOP_KEYS = ("scenario", "seeds", "generations", "root_seed", "record_every", "description", "set",
            "grid", "sample", "designs", "analysis")
DESIGN_KEYS = ("seeds", "set", "grid", "sample")
SAMPLE_KEYS = ("method", "n", "ranges", "second_order", "levels")
METHODS = ("lhs", "sobol", "morris", "fast")
FAST_M = 4  # eFAST's interference factor (SALib's default): n must exceed 4 * M**2
Scalar = str | int | float | bool
ResolveFn = Callable[[str, Mapping[str, object]], object]


@dataclass(frozen=True)
class Sample:
    """A space-filling design: `method` over `ranges` (name -> (lo, hi)) with base count `n`."""

    method: str
    n: int
    ranges: dict[str, tuple[float, float]]
    second_order: bool = False
    levels: int = 4  # Morris's grid levels per range (method "morris" only)


@dataclass(frozen=True)
class Design:
    """One scenario's design: its seeds, fixed values (the shared [set] and its own) and factors.

    `index` is its place in the spec's ``[designs]`` (0 for the old form's scenarios, which share
    one design and one draw of a sample).
    """

    scenario: str
    seeds: int
    fixed: dict[str, Scalar]
    grid: dict[str, list[Scalar]]
    sample: Sample | None
    index: int = 0

    @property
    def varied(self) -> list[str]:
        """Names of the parameters this design varies, in spec order."""
        return list(self.grid) if self.sample is None else list(self.sample.ranges)


@dataclass(frozen=True)
class SweepSpec:
    """A checked sweep spec; `raw` is the parsed TOML exactly as written.

    `designs` holds one `Design` per scenario, in run order. In the old form (``scenario`` with a
    shared ``[grid]`` or ``[sample]``) they are all the same design and `grid`, `sample` hold it;
    with ``[designs.*]`` (`per_scenario`) each scenario has its own, and `grid` is empty and
    `sample` None. `fixed` is the shared ``[set]`` in both.
    """

    scenarios: tuple[str, ...]
    seeds: int
    generations: int | None
    root_seed: int | None
    fixed: dict[str, Scalar]
    grid: dict[str, list[Scalar]]
    sample: Sample | None
    raw: dict[str, Any]
    record_every: int | str | None = None  # every k-th generation row, or "final"; None: all
    designs: tuple[Design, ...] = ()
    per_scenario: bool = False

    def __post_init__(self) -> None:
        if not self.designs:  # built directly, not by parse_spec: the old form
            designs = tuple(Design(name, self.seeds, dict(self.fixed), self.grid, self.sample)
                            for name in self.scenarios)
            object.__setattr__(self, "designs", designs)

    @property
    def varied(self) -> list[str]:
        """Names of the parameters any design varies, in spec order (first appearance)."""
        names: dict[str, None] = {}
        for design in self.designs:
            names.update(dict.fromkeys(design.varied))
        return list(names)

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical JSON of `raw` and of the order that numbers the runs.

        Comments and the order of other keys do not count; the order of the scenarios, of the
        ``[grid]`` keys and of the ``[sample.ranges]`` keys (of each design's, in a per-scenario
        designs spec, and of the designs themselves) numbers the runs and draws the samples, so
        it is hashed too: two specs that differ only in that order would otherwise share a
        digest, and a resume would pair one spec's records with the other's parameters. The
        ``[analysis]`` table (what the analysis reports) changes no run and is left out.
        """
        raw = {k: v for k, v in self.raw.items() if k != "analysis"}
        if "designs" not in raw:
            order = [list(self.scenarios), list(self.grid),
                     list(self.sample.ranges) if self.sample else []]
            return hashlib.sha256(
                canonical_json({"spec": raw, "order": order}).encode()).hexdigest()
        order = [[d.scenario, list(d.grid), list(d.sample.ranges) if d.sample else []]
                 for d in self.designs]
        return hashlib.sha256(canonical_json({"spec": raw, "order": order}).encode()).hexdigest()

    @property
    def unordered_digest(self) -> str | None:
        """The digest folders of an old-form spec recorded before the order was hashed.

        The SHA-256 of `raw` alone; None for a designs spec, whose digest always held the order.
        """
        if "designs" in self.raw:
            return None
        return hashlib.sha256(canonical_json(self.raw).encode()).hexdigest()


@dataclass(frozen=True)
class PlannedRun:
    """One run of the sweep: its id, scenario, replicate index, int seed and varied values.

    `point` holds the values its design varies, `fixed` its design's fixed overrides (so the run's
    overrides are ``{**fixed, **point}``), `factors` the value of every parameter any design of
    the sweep varies (`build_plan`), for the runs table.
    """

    run_id: int
    scenario: str
    replicate: int
    seed: int
    point: dict[str, Scalar]
    fixed: dict[str, Scalar] = field(default_factory=dict)
    factors: dict[str, Scalar] = field(default_factory=dict)

    @property
    def overrides(self) -> dict[str, Scalar]:
        """The parameters this run sets: its design's fixed values and its point."""
        return {**self.fixed, **self.point}


def canonical_json(data: Any) -> str:
    """JSON with sorted keys and no spaces: equal data give equal text."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def load_spec(path: str | Path) -> SweepSpec:
    """Read and check the TOML spec at `path`; raise UsageError on any problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read sweep spec {str(path)!r}: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: TOML syntax error: {exc}") from None
    return parse_spec(data, source=str(path))


def parse_spec(data: Mapping[str, Any], *, source: str = "spec") -> SweepSpec:
    """Check the structure and types of a parsed spec (not yet the parameter values)."""

    def bad(message: str) -> UsageError:
        return UsageError(f"{source}: {message}")

    unknown = sorted(set(data) - set(TOP_KEYS))
    if unknown:
        raise bad(f"unknown key {unknown[0]!r}{_near(unknown[0], TOP_KEYS)}; valid keys: "
                  f"{', '.join(TOP_KEYS)}")
    seeds = _positive_int(data.get("seeds", 1), "seeds", bad)
    generations = data.get("generations")
    if generations is not None:
        generations = _positive_int(generations, "generations", bad)
    root_seed = data.get("root_seed")
    if root_seed is not None and (
        not isinstance(root_seed, int) or isinstance(root_seed, bool) or root_seed < 0
    ):
        raise bad(f"'root_seed' must be a non-negative integer, not {root_seed!r}")
    record_every = data.get("record_every")
    if record_every is not None and record_every != "final" and (
        not isinstance(record_every, int) or isinstance(record_every, bool) or record_every < 1
    ):
        raise bad(f"'record_every' must be a positive integer k (every k-th generation, the first "
                  f"and the last always kept) or \"final\" (the first and the last only), not "
                  f"{record_every!r}")
    if not isinstance(data.get("description", ""), str):
        raise bad("'description' must be a string")
    if not isinstance(data.get("analysis", {}), dict):
        raise bad("[analysis] must be a table (outcomes = [...], contrasts = [[A, B], ...]; "
                  "read by analyze)")

    designed = "designs" in data
    if designed:
        mixed = [key for key in ("scenario", "grid", "sample") if key in data]
        if mixed:
            raise bad(f"give either 'scenario' with a shared [grid] or [sample], or [designs.*], "
                      f"not both (found {mixed[0]!r} next to [designs])")
    elif "scenario" not in data:
        raise bad("missing 'scenario' (a scenario name or a list of names) or [designs.*]")
    else:
        _scenario_list(data["scenario"], bad)  # checked before the tables, as it always was
    fixed, grid, sample = _factors(data, "", bad, generations)
    designs: list[Design] = []
    if designed:
        table = _table(data, "designs", bad)
        if not table:
            raise bad("[designs] lists no scenario; give one [designs.NAME] table per scenario")
        for name, own in table.items():
            where = f"designs.{name}."
            if not isinstance(own, dict):
                raise bad(f"[designs.{name}] must be a table (keys: {', '.join(DESIGN_KEYS)})")
            unknown = sorted(set(own) - set(DESIGN_KEYS))
            if unknown:
                raise bad(f"[designs.{name}] unknown key {unknown[0]!r}"
                          f"{_near(unknown[0], DESIGN_KEYS)}; valid keys: {', '.join(DESIGN_KEYS)}")
            own_fixed, own_grid, own_sample = _factors(own, where, bad, generations)
            for factor in [*own_grid, *(own_sample.ranges if own_sample else {})]:
                if factor in fixed:
                    kind = "grid" if factor in own_grid else "sample.ranges"
                    raise bad(f"parameter {factor!r} is in both [set] and [{where}{kind}]")
            own_seeds = _positive_int(own.get("seeds", seeds), f"{where}seeds", bad)
            designs.append(Design(name, own_seeds, {**fixed, **own_fixed}, own_grid, own_sample,
                                  index=len(designs)))
        scenarios = list(table)
    else:
        scenarios = _scenario_list(data["scenario"], bad)
        designs = [Design(name, seeds, dict(fixed), grid, sample) for name in scenarios]
    return SweepSpec(
        scenarios=tuple(scenarios),
        seeds=seeds,
        generations=generations,
        root_seed=root_seed,
        fixed=dict(fixed),
        grid={} if designed else {k: list(v) for k, v in grid.items()},
        sample=None if designed else sample,
        raw=json.loads(canonical_json(dict(data))),
        record_every=record_every,
        designs=tuple(designs),
        per_scenario=designed,
    )


def _factors(
    data: Mapping[str, Any], prefix: str, bad: Callable[[str], UsageError], generations: int | None
) -> tuple[dict[str, Scalar], dict[str, list[Scalar]], Sample | None]:
    """The ``set``, ``grid`` and ``sample`` tables of `data` (the spec, or one of its designs).

    `prefix` names the place in messages: "" for the top level, ``designs.NAME.`` for a design.
    """
    fixed = _table(data, "set", bad, f"{prefix}set")
    for name, value in fixed.items():
        if not isinstance(value, Scalar):
            raise bad(f"[{prefix}set] {name} must be a string, number or boolean, not {value!r}")
    grid = _table(data, "grid", bad, f"{prefix}grid")
    for name, values in grid.items():
        if not isinstance(values, list) or not values:
            raise bad(f"[{prefix}grid] {name} must be a non-empty list of values, e.g. "
                      f"{name} = [1, 2]")
        if not all(isinstance(v, Scalar) for v in values):
            raise bad(f"[{prefix}grid] {name} values must be strings, numbers or booleans: "
                      f"{values!r}")
        if len({canonical_json(v) for v in values}) != len(values):
            raise bad(f"[{prefix}grid] {name} lists a value twice: {values!r}")
    sample = _sample(data, bad, prefix) if "sample" in data else None
    if grid and sample is not None:
        raise bad(f"give either [{prefix}grid] or [{prefix}sample], not both")

    seen: dict[str, str] = {}
    for where, names in (
        (f"{prefix}set", fixed),
        (f"{prefix}grid", grid),
        (f"{prefix}sample", sample.ranges if sample else {}),
    ):
        for name in names:
            if name in ("scenario", "seed", "seeds", "run_id"):
                raise bad(f"[{where}] {name}: set {name!r} at the top of the spec, not in a table")
            if name == "generations" and generations is not None:
                raise bad(f"[{where}] generations: already set by the top-level 'generations'")
            if name in seen:
                raise bad(f"parameter {name!r} is in both [{seen[name]}] and [{where}]")
            seen[name] = where
    return dict(fixed), {k: list(v) for k, v in grid.items()}, sample


def build_plan(spec: SweepSpec, root_seed: int, resolve: ResolveFn) -> list[PlannedRun]:
    """Expand the designs into every run, each with its spawned seed; check every run's parameters.

    `resolve(scenario, overrides)` is the model's `resolve_params`: it raises UsageError for an
    unknown scenario or parameter, a wrong type or an out-of-range value, and returns the
    parameters, from which the varied values are read back in their proper types. Each run's
    `factors` hold every parameter any design varies (`SweepSpec.varied`): its own point's value,
    or, for one its design does not vary, the value the scenario resolves to.
    """
    expanded = [(design, design_points(spec, root_seed, resolve, design)) for design in spec.designs]
    n_runs = sum(len(points) * design.seeds for design, points in expanded)
    seeds = spawn_run_seeds(root_seed, n_runs)
    top = {} if spec.generations is None else {"generations": spec.generations}
    varied = spec.varied
    plan: list[PlannedRun] = []
    for design, points in expanded:
        scenario = design.scenario
        for raw_point in points:
            try:
                params = resolve(scenario, {**design.fixed, **raw_point, **top})
            except UsageError as exc:
                where = ", ".join(f"{k}={v!r}" for k, v in raw_point.items())
                raise UsageError(
                    f"scenario {scenario!r} at {where or 'the fixed point'}: {exc}"
                ) from None
            point = {name: _read_param(params, name, raw_point[name]) for name in raw_point}
            factors = {name: point[name] if name in point else _read_param(params, name, None)
                       for name in varied}
            for replicate in range(design.seeds):
                run_id = len(plan)
                plan.append(PlannedRun(run_id, scenario, replicate, seeds[run_id], point,
                                       fixed=design.fixed, factors=factors))
    return plan


def design_points(
    spec: SweepSpec, root_seed: int, resolve: ResolveFn, design: Design | None = None
) -> list[dict[str, Scalar]]:
    """List a design's parameter points (without scenario or seed) in a fixed order.

    `design` defaults to the spec's first. A shared sample (the old form) is drawn from the
    stream ``SeedSequence([root_seed, 1])`` for every scenario, so they all get the same points;
    a per-scenario design's sample from ``SeedSequence([root_seed, 1, k])``, k its place in the
    spec (0 for the first), so each design has its own draw.
    """
    design = spec.designs[0] if design is None else design
    if design.sample is None:
        names = list(design.grid)
        return [
            dict(zip(names, combo, strict=True)) for combo in itertools.product(*design.grid.values())
        ]
    sample = design.sample
    names = list(sample.ranges)
    scenarios = spec.scenarios if not spec.per_scenario else (design.scenario,)
    kinds = {name: _range_kind(sample, design.fixed, scenarios, name, resolve) for name in names}
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(sample.ranges[n]) for n in names],
    }
    entropy = [root_seed, 1, design.index] if spec.per_scenario else [root_seed, 1]
    rng = np.random.default_rng(np.random.SeedSequence(entropy))
    matrix = draw_sample(sample, problem, rng)
    return [
        {
            name: (round(float(x)) if kinds[name] is int else float(x))
            for name, x in zip(names, row, strict=True)
        }
        for row in matrix
    ]


def draw_sample(sample: Sample, problem: dict[str, Any], rng: np.random.Generator) -> np.ndarray:
    """The sample's matrix from SALib (one row per design point, in the draw's order)."""
    if sample.method == "lhs":
        from SALib.sample import latin

        return latin.sample(problem, sample.n, seed=rng)
    if sample.method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, sample.n, calc_second_order=sample.second_order, seed=rng)
    if sample.method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, sample.n, num_levels=sample.levels, seed=rng)
    from SALib.sample import fast_sampler

    return fast_sampler.sample(problem, sample.n, M=FAST_M, seed=rng)


def sample_size(sample: Sample) -> int:
    """How many design points a sample draws (before replicates)."""
    d = len(sample.ranges)
    return {"lhs": sample.n, "sobol": sample.n * ((2 * d + 2) if sample.second_order else (d + 2)),
            "morris": sample.n * (d + 1), "fast": sample.n * d}[sample.method]


def _method_options(table: Mapping[str, Any], method: str, n: int,
                    bad: Callable[[str], UsageError], prefix: str) -> dict[str, Any]:
    """The method-specific keys of a [sample] (``levels`` for Morris), and eFAST's minimum n."""
    if method == "fast" and n <= 4 * FAST_M**2:
        raise bad(f"[{prefix}sample] n={n}: fast (eFAST) needs n > {4 * FAST_M**2} points per "
                  f"parameter (4 M^2, M = {FAST_M}), e.g. {4 * FAST_M**2 + 1}")
    levels = table.get("levels", 4)
    if "levels" in table and method != "morris":
        raise bad(f"[{prefix}sample] levels applies to method = 'morris' only")
    if isinstance(levels, bool) or not isinstance(levels, int) or levels < 2 or levels % 2:
        raise bad(f"[{prefix}sample] levels must be an even integer >= 2 (Morris's grid), "
                  f"not {levels!r}")
    return {"levels": levels}


def _range_kind(
    sample: Sample, fixed: Mapping[str, Scalar], scenarios: tuple[str, ...], name: str,
    resolve: ResolveFn,
) -> type:
    """Check both ends of a sample range with the model in each scenario; return int or float."""
    lo, hi = sample.ranges[name]
    kinds = set()
    for scenario in scenarios:
        for end in (lo, hi):
            try:
                params = resolve(scenario, {**fixed, name: end})
            except UsageError as exc:
                raise UsageError(
                    f"[sample.ranges] {name} = [{lo}, {hi}] in {scenario!r}: {exc}"
                ) from None
            kinds.add(type(_read_param(params, name, end)))
    if kinds - {int, float}:
        raise UsageError(
            f"[sample.ranges] {name}: only numeric parameters can be sampled; use [grid]"
        )
    return int if kinds == {int} else float


def _read_param(params: object, name: str, default: Scalar) -> Scalar:
    """Read a resolved parameter (attribute or mapping item), else return the value as given."""
    if isinstance(params, Mapping):
        return params.get(name, default)
    return getattr(params, name, default)


def _scenario_list(scenarios: Any, bad: Callable[[str], UsageError]) -> list[str]:
    if isinstance(scenarios, str):
        scenarios = [scenarios]
    if (
        not isinstance(scenarios, list)
        or not scenarios
        or not all(isinstance(s, str) and s for s in scenarios)
    ):
        raise bad(f"'scenario' must be a name or a non-empty list of names, not {scenarios!r}")
    if len(set(scenarios)) != len(scenarios):
        raise bad(f"'scenario' lists a name twice: {scenarios!r}")
    return scenarios


def _positive_int(value: Any, key: str, bad: Callable[[str], UsageError]) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise bad(f"{key!r} must be a positive integer, not {value!r}")
    return value


def _table(
    data: Mapping[str, Any], key: str, bad: Callable[[str], UsageError], label: str | None = None
) -> dict[str, Any]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise bad(f"[{label or key}] must be a table of name = value lines")
    return table


def _sample(
    data: Mapping[str, Any], bad: Callable[[str], UsageError], prefix: str = ""
) -> Sample:
    """The ``sample`` table of `data`; `prefix` names where it is in messages (``designs.X.``)."""
    table = _table(data, "sample", bad, f"{prefix}sample")
    unknown = sorted(set(table) - set(SAMPLE_KEYS))
    if unknown:
        raise bad(f"[{prefix}sample] unknown key {unknown[0]!r}{_near(unknown[0], SAMPLE_KEYS)}; "
                  f"valid keys: {', '.join(SAMPLE_KEYS)}")
    method = table.get("method")
    if method not in METHODS:
        near = _near(method, METHODS) if isinstance(method, str) else ""
        raise bad(f"[{prefix}sample] method must be one of {', '.join(METHODS)}, not {method!r}"
                  f"{near}")
    if "n" not in table:
        raise bad(f"[{prefix}sample] needs n, the sample count")
    n = _positive_int(table["n"], f"{prefix}sample.n", bad)
    if method == "sobol" and n & (n - 1):
        lower = 1 << (n.bit_length() - 1)
        raise bad(f"[{prefix}sample] n={n}: sobol needs a power of 2, e.g. {lower} or {2 * lower}")
    options = _method_options(table, method, n, bad, prefix)
    second_order = table.get("second_order", False)
    if not isinstance(second_order, bool):
        raise bad(f"[{prefix}sample] second_order must be true or false, not {second_order!r}")
    if second_order and method != "sobol":
        raise bad(f"[{prefix}sample] second_order applies to method = 'sobol' only")
    ranges_in = table.get("ranges")
    if not isinstance(ranges_in, dict) or not ranges_in:
        raise bad(f"[{prefix}sample.ranges] must list at least one parameter as name = [low, high]")
    ranges = {}
    for name, bounds in ranges_in.items():
        ok = (
            isinstance(bounds, list)
            and len(bounds) == 2
            and all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
            and all(math.isfinite(b) for b in bounds)
        )
        if not ok or not bounds[0] < bounds[1]:
            raise bad(
                f"[{prefix}sample.ranges] {name} must be [low, high] numbers, low < high, not {bounds!r}"
            )
        ranges[name] = (bounds[0], bounds[1])
    return Sample(method=method, n=n, ranges=ranges, second_order=second_order, **options)


def _near(word: str, valid: tuple[str, ...]) -> str:
    """`` (did you mean X?)`` for the nearest valid key (difflib), else an empty string."""
    import difflib

    found = difflib.get_close_matches(word, valid, n=1)
    return f" (did you mean {found[0]}?)" if found else ""

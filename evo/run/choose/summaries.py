"""The registry of named summaries a model choice compares: computed from a run, observed in data.

Each summary is a pure function of one run's generation table (and, for the Kline & Boyd
summaries, of short isolated runs at the run's end state: the "islands"), returning one finite
number, so pyabc's distance never meets a NaN. A spec selects summaries by name and gives each
observed value directly (``observed = x``) or as a data file the summary knows how to read
(``data = "path"``). Definitions, with their sources and our assumptions:

- ``final_tool_types``: tool types held at the last generation (Kline & Boyd 2010's count; the
  end state of the run).
- ``leap``: 1 when the run makes a leap in tools before any crash, else 0. A leap is a final
  tool complexity (the mean of the last 10 % of the pre-crash rows) of at least
  ``LEAP_MINIMUM`` = 100 components, the analysis's rule (six times the plateau of 16 a mirror held
  at 0.2 keeps in the trial; our assumption).
- ``leap_generation``: the first generation at which log10 tool complexity (floored at 1
  component) reaches half its final level, as the analysis dates the leap; a run with no leap is
  censored at the last pre-crash generation (its absence is the latest possible date).
- ``crash_kept_tool_types``: tool types held over the last ``LEVEL_WINDOW`` = 20 generations of a
  scheduled crash over those held in the 20 generations before it (Henrich 2004, Tasmania); 1
  when nothing was held before (nothing to lose). Needs ``crash_generation`` > 0.
- ``kb_slope``, ``kb_level``: Kline & Boyd's (2010) Poisson regression of tool types on log
  census, fitted to isolated one-camp runs ("islands") of the account at its end state: founders
  carry the run's final mean and SD of genetic mirror strength and its final mean associative
  learning rate, with no growth, allele or crash, for ``[islands] generations`` at census / scale
  learners (our mapping, as in `evo.run.calibrate`). ``kb_slope`` is the slope on log census;
  ``kb_level`` the fitted count at the geometric mean census over the possible tool types (the
  islands' ``lineages``, which ``[islands] set`` may raise above the run's; in the data,
  ``possible_types``, default 80 as in `evo.run.calibrate`: Hawaii's 71 must be reachable).
  Every count zero gives slope 0 (nothing rises with size). Learned matching is not inherited:
  the islands' founders rebuild it from their own experience.
- ``industry_kyr``: the median length, in kyr at the run's ``years_per_generation``, of the
  presence episodes of tool types that ended in a loss (`evo.flicker`: industries that appeared
  and vanished); the run's whole length when none ended (nothing vanished). Observed: the median
  of the industries' durations in ``data/msa_record.csv`` (Still Bay, Howiesons Poort).
- ``appearance_spread_kyr``: the span in kyr from the first to the last first appearance of a
  tool type (`evo.flicker`; 0 when fewer than 3 types appear). Observed: the span of the first
  appearances of McBrearty & Brooks' (2000) components in ``data/msa_record.csv``.
- ``appearance_median_ka``: the median, over the tool types that appear, of the age (ka, from
  the run's ``climate_start_ka`` and ``years_per_generation``) of a type's first appearance; the
  run's end for a type that never appears would bias it, so only types that appear count (the
  run's start when none does). Observed: the median first appearance of McBrearty & Brooks'
  components. It dates the rise of the record, which the accounts place differently (a mirror
  that must first evolve, against modern minds from the start).
  These need the run to record its presence table (``record_presence``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from evo.core.params import Params
from evo.errors import UsageError
from evo.flicker import flicker_of

if TYPE_CHECKING:
    from evo.run.choose.spec import Islands

LEAP_MINIMUM = 100.0
EDGE_SHARE = 0.1
LEVEL_WINDOW = 20
KB_POSSIBLE_TYPES = 80
SLOPE_LIMIT = 5.0


@dataclass
class RunView:
    """What a summary may read: a run's parameters, its generation table, and its islands.

    `islands` returns (census, tool types, possible types) of the short isolated runs at the run's
    end state; it is called at most once (the first summary that needs it runs them).
    """

    params: Params
    table: pl.DataFrame
    islands: Callable[[], tuple[np.ndarray, np.ndarray, int]] | None = None
    presence: pl.DataFrame | None = None  # the presence table, when the run records it
    _islands: tuple[np.ndarray, np.ndarray, int] | None = field(default=None, repr=False)

    def island_counts(self) -> tuple[np.ndarray, np.ndarray, int]:
        """(census, tool types, possible types) of the islands, run once."""
        if self._islands is None:
            if self.islands is None:
                raise UsageError("a Kline & Boyd summary needs [islands] in the spec")
            self._islands = self.islands()
        return self._islands

    def before_crash(self) -> pl.DataFrame:
        """The rows before the first scheduled crash (all rows without one)."""
        crash = self.params.crash_generation
        return self.table if not crash else self.table.filter(pl.col("generation") < crash)


def poisson_slope(counts: np.ndarray, census: np.ndarray, iterations: int = 50) -> tuple[float, float]:
    """(slope, intercept) of the Poisson GLM log E[count] = a + b log census.

    Fitted by iteratively reweighted least squares (McCullagh & Nelder 1989). Every count 0:
    (0, -inf), no rise with size. Where the maximum-likelihood slope does not exist (tools only
    on the largest islands: it grows without bound), the fit stops at ``iterations`` and the
    slope is held to +-``SLOPE_LIMIT`` (our bound: 5, twenty times Kline & Boyd's 0.24) and the
    intercept set so that the fit passes through the mean count at the mean log census.
    """
    y = np.asarray(counts, float)
    x = np.log(np.asarray(census, float))
    if y.sum() == 0:
        return 0.0, -math.inf
    design = np.column_stack([np.ones_like(x), x])
    beta = np.array([math.log(y.mean()), 0.0])
    for _ in range(iterations):
        eta = np.clip(design @ beta, -50.0, 50.0)
        mu = np.exp(eta)
        z = eta + (y - mu) / mu
        new = np.linalg.lstsq(design * np.sqrt(mu)[:, None], np.sqrt(mu) * z, rcond=None)[0]
        if not np.all(np.isfinite(new)):
            break
        done = np.max(np.abs(new - beta)) < 1e-10
        beta = new
        if done:
            break
    slope = float(np.clip(beta[1], -SLOPE_LIMIT, SLOPE_LIMIT))
    intercept = float(math.log(y.mean()) - slope * x.mean()) if slope != beta[1] else float(beta[0])
    return slope, intercept


def kb_level_of(counts: np.ndarray, census: np.ndarray, possible: float) -> float:
    """The fitted count at the geometric mean census, as a share of the possible types."""
    slope, intercept = poisson_slope(counts, census)
    if not math.isfinite(intercept):
        return 0.0
    return float(math.exp(intercept + slope * float(np.mean(np.log(census))))) / possible


def _log_complexity(c: np.ndarray) -> np.ndarray:
    return np.log10(np.maximum(np.nan_to_num(c, nan=1.0), 1.0))


def _final_log(table: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, float]:
    t = table["generation"].to_numpy().astype(float)
    logc = _log_complexity(table["tool_complexity"].cast(pl.Float64).to_numpy())
    final = float(np.mean(logc[-max(1, int(EDGE_SHARE * logc.size)):])) if logc.size else 0.0
    return t, logc, final


def final_tool_types(view: RunView) -> float:
    """Tool types held at the last generation."""
    return float(view.table["tool_types"][-1])


def leap(view: RunView) -> float:
    """1 when the pre-crash final tool complexity reaches LEAP_MINIMUM components, else 0."""
    _, _, final = _final_log(view.before_crash())
    return float(final >= math.log10(LEAP_MINIMUM))


def leap_generation(view: RunView) -> float:
    """The generation log10 complexity first reaches half its final level; censored if no leap."""
    t, logc, final = _final_log(view.before_crash())
    if final < math.log10(LEAP_MINIMUM):
        return float(t[-1])
    return float(t[np.argmax(logc >= 0.5 * final)])


def crash_kept_tool_types(view: RunView) -> float:
    """Mean tool types over the crash's last LEVEL_WINDOW generations over the window before."""
    p = view.params
    start, end = p.crash_generation, p.crash_generation + p.crash_length
    g = view.table["generation"]
    types = view.table["tool_types"].cast(pl.Float64)
    before = types.filter((g >= start - LEVEL_WINDOW) & (g < start)).mean()
    after = types.filter((g >= max(start, end - LEVEL_WINDOW)) & (g < end)).mean()
    if before is None or after is None or before < 1:
        return 1.0
    return float(after) / float(before)


def kb_slope(view: RunView) -> float:
    """Poisson slope of the islands' tool types on log census."""
    census, counts, _ = view.island_counts()
    return poisson_slope(counts, census)[0]


def kb_level(view: RunView) -> float:
    """The islands' fitted tool types at the geometric mean census, over their lineages."""
    census, counts, possible = view.island_counts()
    return kb_level_of(counts, census, max(1, possible))


def _kyr(view: RunView, generations: float) -> float:
    return generations * view.params.years_per_generation / 1000.0


def industry_kyr(view: RunView) -> float:
    """Median kyr of the presence episodes that ended in a loss; the run's length if none did."""
    ended = flicker_of(view.presence).presence if view.presence is not None else []
    return _kyr(view, float(np.median(ended)) if ended else float(view.params.generations))


def appearance_spread_kyr(view: RunView) -> float:
    """Kyr from the first to the last first appearance of a tool type (0: fewer than 3 types)."""
    spread = flicker_of(view.presence).first_appearance_spread if view.presence is not None else 0
    return _kyr(view, spread if math.isfinite(spread) else 0.0)


def appearance_median_ka(view: RunView) -> float:
    """Median age in ka of the first appearances of the tool types that appear."""
    firsts = flicker_of(view.presence).first if view.presence is not None else []
    generation = float(np.median(firsts)) if firsts else 0.0
    return view.params.climate_start_ka - _kyr(view, generation)


def _record_median_first(rows: list[dict[str, str]], options: Mapping[str, Any]) -> float:
    return float(np.median([float(r["first_ka"]) for r in rows]))


def _record_industries(rows: list[dict[str, str]], options: Mapping[str, Any]) -> float:
    return float(np.median([float(r["duration_kyr"]) for r in rows]))


def _record_spread(rows: list[dict[str, str]], options: Mapping[str, Any]) -> float:
    firsts = [float(r["first_ka"]) for r in rows]
    return max(firsts) - min(firsts)


def _kb_observe_slope(rows: list[dict[str, str]], options: Mapping[str, Any]) -> float:
    return poisson_slope(_col(rows, "total_tools"), _col(rows, "population"))[0]


def _kb_observe_level(rows: list[dict[str, str]], options: Mapping[str, Any]) -> float:
    possible = float(options.get("possible_types", KB_POSSIBLE_TYPES))
    return kb_level_of(_col(rows, "total_tools"), _col(rows, "population"), possible)


def _col(rows: list[dict[str, str]], name: str) -> np.ndarray:
    return np.array([float(r[name]) for r in rows])


def _no_need(params: Params) -> str | None:
    return None


def _needs_crash(params: Params) -> str | None:
    return None if params.crash_generation else "its world has no crash (set crash_generation)"


def _needs_tools(params: Params) -> str | None:
    return None if params.lineages else "its world has no tools (lineages = 0)"


def _needs_presence(params: Params) -> str | None:
    if not params.lineages:
        return "its world has no tools (lineages = 0)"
    return None if params.record_presence else "its world records no presence (record_presence)"


@dataclass(frozen=True)
class Summary:
    """A registered summary: its function of a run, what it needs, how data give its value."""

    name: str
    compute: Callable[[RunView], float]
    needs: Callable[[Params], str | None] = _no_need
    islands: bool = False
    #: Reads the observed value from a data file's rows (with these columns), or None.
    observe: Callable[[list[dict[str, str]], Mapping[str, Any]], float] | None = None
    data_columns: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    #: (column, value): the data rows the observed value is read from (None: every row).
    rows_where: tuple[str, str] | None = None


REGISTRY: dict[str, Summary] = {s.name: s for s in (
    Summary("final_tool_types", final_tool_types, _needs_tools),
    Summary("leap", leap, _needs_tools),
    Summary("leap_generation", leap_generation, _needs_tools),
    Summary("crash_kept_tool_types", crash_kept_tool_types, _needs_crash),
    Summary("kb_slope", kb_slope, _needs_tools, islands=True, observe=_kb_observe_slope,
            data_columns=("population", "total_tools")),
    Summary("kb_level", kb_level, _needs_tools, islands=True, observe=_kb_observe_level,
            data_columns=("population", "total_tools"), options=("possible_types",)),
    Summary("industry_kyr", industry_kyr, _needs_presence, observe=_record_industries,
            data_columns=("duration_kyr",), rows_where=("kind", "industry")),
    Summary("appearance_spread_kyr", appearance_spread_kyr, _needs_presence,
            observe=_record_spread, data_columns=("first_ka",), rows_where=("kind", "component")),
    Summary("appearance_median_ka", appearance_median_ka, _needs_presence,
            observe=_record_median_first, data_columns=("first_ka",),
            rows_where=("kind", "component")),
)}


@dataclass(frozen=True)
class SummaryChoice:
    """A summary a spec selects: its name, and its observed value or the data that give it."""

    name: str
    observed: float | None
    data: str | None
    options: dict[str, Any]

    @classmethod
    def parse(cls, name: str, raw: Any, bad) -> SummaryChoice:
        """Check one ``[summaries]`` entry."""
        if name not in REGISTRY:
            raise bad(f"unknown summary {name!r}; valid: {', '.join(REGISTRY)}")
        summary = REGISTRY[name]
        if not isinstance(raw, Mapping):
            raise bad(f"summary {name!r} must be a table like {{ observed = 1.0 }} or "
                      f"{{ data = \"data/file.csv\" }}, not {raw!r}")
        valid = ("observed", "data", *summary.options)
        unknown = sorted(set(raw) - set(valid))
        if unknown:
            raise bad(f"summary {name!r}: unknown key {unknown[0]!r}; valid: {', '.join(valid)}")
        if ("observed" in raw) == ("data" in raw):
            ways = "'observed' or 'data'" if summary.observe else "'observed'"
            raise bad(f"summary {name!r} needs exactly one of {ways}")
        if "data" in raw and summary.observe is None:
            raise bad(f"summary {name!r} cannot be read from a data file; valid: observed = x")
        observed = raw.get("observed")
        if observed is not None and (isinstance(observed, bool) or not isinstance(
                observed, int | float) or not math.isfinite(observed)):
            raise bad(f"summary {name!r}: observed must be a finite number, not {observed!r}")
        options = {k: v for k, v in raw.items() if k in summary.options}
        for k, v in options.items():
            if isinstance(v, bool) or not isinstance(v, int | float) or not v > 0:
                raise bad(f"summary {name!r}: {k} must be a positive number, not {v!r}")
        return cls(name, None if observed is None else float(observed), raw.get("data"), options)

    def observed_value(self, base: Path | None, islands: Islands | None, bad) -> float:
        """The observed value: as given, or read from the data file."""
        if self.observed is not None:
            return self.observed
        from evo.run.choose.spec import read_data

        summary = REGISTRY[self.name]
        rows = read_data(self.data, base, bad, summary.data_columns, summary.rows_where)
        if len(rows) < 2:
            raise bad(f"data file {self.data!r} has {len(rows)} row; valid: at least two")
        return float(summary.observe(rows, self.options))

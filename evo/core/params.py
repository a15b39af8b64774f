"""Model parameters: one frozen dataclass, each field with its valid range and its source.

`Params.from_mapping` is the only way values from the command line, scenario files or sweep specs
enter the model: it checks names, types and ranges and raises a one-line `UsageError` naming the
problem and the valid choices.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from evo.errors import UsageError

DEMONSTRATOR_RULES = ("best", "sample_best", "random", "parent")
MUTATION_KINDS = ("gaussian", "flip")
DRIVERS = ("generations", "interactions", "repertoire")
REPERTOIRE_MODELS = ("lewis_laland", "kolodny")
AGENT_SYNC = ("step", "lazy")
MISPERCEPTIONS = ("new", "confuse")
SPEAKER_CHOICES = ("random", "preferred")
ASSOC_EXPERIENCES = ("success", "correlated", "all")
CLIMATES = ("none", "lr04", "orbital", "red_noise")


def _p(default: Any, lo: float | None = None, hi: float | None = None, *, choices=None, doc: str):
    """A parameter field: default, inclusive range or choices, and a one-line meaning."""
    return field(default=default, metadata={"lo": lo, "hi": hi, "choices": choices, "doc": doc})


@dataclass(frozen=True)
class Params:
    """Every model parameter, with its base value (`python run.py params`).

    No scenario runs the bare defaults: each scenario file sets its own values on top (the small
    `default` scenario runs, among others, mirror_initial 0.35, 8 lineages, 1 learning episode,
    20 gesture episodes and misperception "confuse"; `python run.py show NAME` lists them).
    Build with `Params.from_mapping` (checked), read with attributes (``params.mirror_cost``)::

        p = Params.from_mapping({"population": "400", "mirror_cost": 0.1})
        p.n_camps, p.as_dict()["population"]   # (4, 400)
    """

    # Population and space (Powell, Shennan & Thomas 2009: demes linked by migration)
    population: int = _p(200, 2, 1_000_000, doc="total carrying capacity, split evenly over camps")
    camps_x: int = _p(2, 1, 100, doc="camps along x of the Mesa grid of camps")
    camps_y: int = _p(2, 1, 100, doc="camps along y of the Mesa grid of camps")
    torus: bool = _p(False, doc="whether the grid of camps wraps around")
    migration_rate: float = _p(0.02, 0.0, 1.0, doc="per-generation chance to move to a neighbour camp")
    generations: int = _p(300, 1, 10_000_000, doc="generations to run (the `generations` driver)")
    overlapping: bool = _p(False, doc="overlapping (Moran-like) instead of discrete generations")
    death_rate: float = _p(0.25, 0.0, 1.0, doc="adult death chance per generation when overlapping")
    baseline_fitness: float = _p(1.0, 0.0, 100.0, doc="w, fitness before benefits and costs")

    # Genome (Ramachandran 2000: genetic mirror strength; Heyes 2010: associative learning rate)
    mirror_initial: float = _p(0.05, 0.0, 1.0, doc="mean genetic mirror strength of the founders")
    mirror_initial_sd: float = _p(0.02, 0.0, 1.0, doc="spread of founder mirror strength")
    assoc_initial: float = _p(0.0, 0.0, 1.0, doc="founders' rate of associative mirror learning")
    mutation_rate: float = _p(0.01, 0.0, 1.0, doc="chance per birth that the mirror gene mutates")
    assoc_mutation_rate: float = _p(0.0, 0.0, 1.0, doc="chance per birth that the assoc gene mutates")
    mutation_sd: float = _p(0.05, 0.0, 1.0, doc="SD of a Gaussian mutation (reflected into [0,1])")
    mutation_kind: str = _p("gaussian", choices=MUTATION_KINDS, doc="gaussian step, or flip 0<->1")
    mirror_cost: float = _p(0.05, 0.0, 10.0, doc="fitness cost c in -c*mirror^2")
    assoc_cost: float = _p(0.0, 0.0, 10.0, doc="fitness cost in -c*assoc^2")
    assoc_experience: str = _p(
        "success", choices=ASSOC_EXPERIENCES,
        doc="what trains learned matching: successful copies and exchanges only, every episode "
        "pairing a seen and a done action (a skilled model; a shared gesture), or every episode "
        "(Heyes 2010; Cook et al. 2014)",
    )
    assoc_infancy: int = _p(
        0, 0, 1000,
        doc="episodes of being imitated by a camp adult in infancy, before the generation's "
        "gestures, each matched with the adult's effective mirror strength (Heyes 2018)",
    )

    # Tools (Henrich 2004)
    lineages: int = _p(4, 0, 256, doc="K, independent tool lineages (0 = no tools)")
    alpha: float = _p(6.0, 0.0, 1000.0, doc="copying loss (Gumbel mode shift) at mirror strength 0")
    mirror_gain: float = _p(0.9, 0.0, 1.0, doc="share of alpha removed at mirror strength 1")
    beta: float = _p(1.0, 1e-9, 1000.0, doc="Gumbel scale of copying and invention errors")
    demonstrator: str = _p("sample_best", choices=DEMONSTRATOR_RULES, doc="whom a learner copies")
    demonstrator_sample: int = _p(5, 1, 100_000, doc="s, adults sampled by sample_best")
    keep_best: bool = _p(True, doc="keep own skill if the copy is worse (False: Henrich's replace)")
    learning_episodes: int = _p(2, 1, 1000, doc="L, tool-learning episodes in a learner's youth")
    innovation_rate: float = _p(1.0, 0.0, 1.0, doc="chance per episode and lineage of trial and error")
    innovation_mode: float = _p(-1.0, -1000.0, 1000.0, doc="Gumbel mode of an invented skill")
    skill_step: float = _p(1.0, 1e-9, 1000.0, doc="skill per tool component (complexity unit)")
    tool_benefit: float = _p(0.05, 0.0, 100.0, doc="fitness per log1p(skill) summed over lineages")
    tool_saturation: float = _p(
        0.0, 0.0, 1e6,
        doc="S, diminishing returns of a toolkit: the tool term X = sum_k log1p(skill_k) pays "
        "tool_benefit*S*(1 - exp(-X/S)), at most tool_benefit*S (0 = no bound: tool_benefit*X)",
    )
    teaching_gain: float = _p(0.3, 0.0, 1.0, doc="share of alpha removed when conventions are shared")
    difficulty_spread: float = _p(
        0.0, 0.0, 5.0,
        doc="SD of log difficulty across lineages: lineage k copies with loss alpha*exp(s*z_k), "
        "z_k normal quantiles (0 = every lineage alike)",
    )
    tool_type_skill: float = _p(
        10.0, 0.0, 1e6,
        doc="skill (in skill_step units) a lineage's best holder needs for the population to hold "
        "that tool type (the tool_types measure; Kline & Boyd 2010)",
    )
    learning_budget: float = _p(
        0.0, 0.0, 1e9,
        doc="B, lifetime learning time (skill units at mirror 0), split evenly over lineages; "
        "0 = no acquisition cost, no ceiling (Mesoudi 2011)",
    )

    # Gestures (Baronchelli et al. 2006 naming game, with imperfect parity)
    meanings: int = _p(4, 0, 64, doc="M, meanings that need a gesture (0 = no gestures)")
    variants: int = _p(8, 1, 4096, doc="V, most gesture variants one individual holds per meaning")
    gesture_episodes: float = _p(4.0, 0.0, 100_000.0, doc="gesture episodes per individual per gen")
    comm_benefit: float = _p(0.1, 0.0, 100.0, doc="fitness per unit communicative success rate")
    misperception: str = _p(
        "new", choices=MISPERCEPTIONS,
        doc="a misperceived gesture is heard as a new variant, or confused with another the hearer "
        "knows (Nowak & Krakauer 1999)",
    )
    speaker_choice: str = _p(
        "random", choices=SPEAKER_CHOICES,
        doc="the speaker utters a random known variant (minimal naming game) or its preferred one",
    )
    exposure_gain: float = _p(
        0.0, 0.0, 1.0,
        doc="perception of a known variant improves with exposure: its miss chance falls by "
        "(1 - gain)^(1 + uses) (perceptual learning; 0 = parity is the mirror alone)",
    )
    ritual_gain: float = _p(
        0.0, 0.0, 1.0,
        doc="a variant its speaker has used well is easier to perceive: the miss chance falls by "
        "(1 - gain)^(speaker's uses) (ritualisation; 0 = off)",
    )

    # Changing environment (Rogers 1988): social vs individual learning of one behaviour
    env_change_rate: float = _p(0.0, 0.0, 1.0, doc="u, chance per generation the environment changes")
    env_benefit: float = _p(0.0, 0.0, 100.0, doc="b, fitness +b if behaviour fits, -b if not (0 = off)")
    individual_cost: float = _p(0.0, 0.0, 100.0, doc="c, individual learners lose b*c")

    # A changing world (evo.core.world): climate-driven carrying capacity, local extinction of camps
    # and tool types whose pay changes by camp (Kolodny, Creanza & Feldman 2015; Premo & Kuhn 2010)
    climate: str = _p(
        "none", choices=CLIMATES,
        doc="series that sets camp carrying capacities: none, the LR04 benthic d18O stack "
        "(Lisiecki & Raymo 2005), orbital cycles (100, 41, 23 kyr) or red noise",
    )
    climate_start_ka: float = _p(
        300.0, 0.0, 5320.0, doc="age in ka of generation 0 (climate series and time in kyr)")
    years_per_generation: float = _p(25.0, 1.0, 100.0, doc="years one generation stands for")
    climate_amplitude: float = _p(
        0.5, 0.0, 1.0,
        doc="share of a camp's capacity lost at full glacial (coldness 1): capacity factor "
        "1 - amplitude * coldness + regional deviation, clipped to [0, 1]",
    )
    climate_memory_kyr: float = _p(
        10.0, 0.001, 1000.0,
        doc="e-folding time in kyr of the red-noise climate and of regional deviations (AR(1))",
    )
    regional_sd: float = _p(
        0.0, 0.0, 1.0,
        doc="SD of each camp's own red-noise deviation of its capacity factor (0 = every camp "
        "follows the global climate alike)",
    )
    extinction_rate: float = _p(
        0.0, 0.0, 1.0,
        doc="chance per generation that an occupied camp loses all its people, to be refilled by "
        "migrants (Premo & Kuhn 2010)",
    )
    tool_env_off: float = _p(
        0.0, 0.0, 1.0,
        doc="chance per generation that a tool type stops paying in a camp: its learners there "
        "do not learn it until it pays again (Rogers 1988; 0 = every type always pays)",
    )
    tool_env_on: float = _p(
        0.01, 0.0, 1.0, doc="chance per generation that a tool type that does not pay in a camp "
        "pays again")

    # Schedules a sweep can vary (each becomes an event; `evo.core.events.scheduled_events`)
    growth_start: int = _p(0, 0, 10_000_000, doc="generation population growth starts (0 = none)")
    growth_end: int = _p(
        0, 0, 10_000_000,
        doc="generation growth ends: a linear ramp from growth_start, or a step when equal",
    )
    growth_population: int = _p(1000, 1, 1_000_000, doc="population once grown")
    growth_migration: float = _p(
        -1.0, -1.0, 1.0, doc="migration rate once grown (-1 = unchanged; Powell et al. 2009)")
    allele_generation: int = _p(
        0, 0, 10_000_000,
        doc="generation a large-effect mirror allele appears (0 = never; Klein 1995)",
    )
    allele_mirror: float = _p(0.8, 0.0, 1.0, doc="genetic mirror strength the allele gives")
    allele_carriers: int = _p(
        1, 1, 1_000_000,
        doc="people born with it, all in camp allele_camp first (1 = a single new copy)",
    )
    allele_camp: int = _p(0, 0, 9999, doc="camp where the allele appears (0: a corner of the grid)")
    crash_generation: int = _p(
        0, 0, 10_000_000,
        doc="generation the population crashes (0 = never; Henrich 2004, Tasmania)",
    )
    crash_share: float = _p(0.1, 0.001, 1.0, doc="share of the population the crash leaves")
    crash_length: int = _p(100, 1, 10_000_000, doc="generations until the population is restored")

    # Optional extra tables (run.py run / sweep write them beside the generation table)
    record_camps: bool = _p(False, doc="also record each camp's measures (camps.parquet)")
    record_lineages: bool = _p(False, doc="also record each tool lineage (lineages.parquet)")
    record_presence: bool = _p(
        False, doc="also record each camp's best skill in each tool type (presence.parquet)")
    extras_every: int = _p(10, 1, 10**9, doc="generations between rows of the extra tables")

    # Mesa face and driver
    agent_sync: str = _p("step", choices=AGENT_SYNC, doc="Mesa agents synced every step, or lazily")
    driver: str = _p(
        "generations", choices=DRIVERS,
        doc="generations, interactions (naming game) or repertoire (trait-event models below)",
    )
    log_interval: int = _p(1000, 1, 10**12, doc="interactions between rows (interactions driver)")
    max_interactions: int = _p(10**8, 1, 10**13, doc="cap on interactions (interactions driver)")

    # Repertoire event models (Lewis & Laland 2012; Kolodny, Creanza & Feldman 2015): a population's
    # repertoire of discrete traits gained and lost by events, run by driver = "repertoire" for
    # `generations` time steps (evo.core.repertoire)
    repertoire_model: str = _p(
        "lewis_laland", choices=REPERTOIRE_MODELS,
        doc="which repertoire model the repertoire driver runs",
    )
    repertoire_record_every: int = _p(
        1, 1, 10**9, doc="time steps between rows (repertoire driver; the last step is always a row)")
    ll_invention: float = _p(
        0.1, 0.0, 1.0, doc="rho1, chance a time step is a novel invention (Lewis & Laland 2012)")
    ll_combination: float = _p(
        0.3, 0.0, 1.0, doc="rho2, chance a time step combines two traits (Lewis & Laland 2012)")
    ll_modification: float = _p(
        0.3, 0.0, 1.0, doc="rho3, chance a time step modifies a trait (Lewis & Laland 2012)")
    ll_loss: float = _p(
        0.3, 0.0, 1.0,
        doc="rho4, chance a time step loses a trait; rho1..rho4 sum to 1 (Lewis & Laland 2012)",
    )
    ll_seeds: int = _p(10, 1, 20, doc="seed traits that novel invention can introduce (Lewis & Laland 2012)")
    ll_initial_seeds: int = _p(2, 0, 20, doc="seed traits the repertoire starts with (Lewis & Laland 2012)")
    kolodny_invention: float = _p(
        0.0005, 0.0, 1.0,
        doc="P_inv, chance per individual and generation of a novel (main-axis) invention "
        "(Kolodny, Creanza & Feldman 2015)",
    )
    kolodny_toolkit: float = _p(
        0.05, 0.0, 1.0,
        doc="chance per individual and generation of a toolkit (refinement) attempt "
        "(Kolodny, Creanza & Feldman 2015)",
    )
    kolodny_combination: float = _p(
        0.05, 0.0, 1.0,
        doc="chance per individual and generation of a combination attempt "
        "(Kolodny, Creanza & Feldman 2015)",
    )
    kolodny_useful: float = _p(
        0.2, 0.0, 1.0, doc="share of pairs of main-axis traits whose combination is useful "
        "(Kolodny, Creanza & Feldman's code: 0.2)",
    )
    kolodny_selection_mean: float = _p(
        0.1, 0.001, 10.0, doc="beta, mean of the exponential selection coefficient s (at most 1) of a "
        "novel invention, established with chance s (Kolodny, Creanza & Feldman 2015)",
    )
    kolodny_loss: float = _p(
        0.1, 0.0, 1e6, doc="P_loss, a trait is lost with chance P_loss/population per generation "
        "(Kolodny, Creanza & Feldman 2015)",
    )
    kolodny_toolkit_max: int = _p(
        10, 1, 100, doc="most toolkit traits a main-axis trait can carry (uniform 1..this; "
        "Kolodny, Creanza & Feldman's code: 10)",
    )

    @property
    def n_camps(self) -> int:
        """Number of camps (cells of the grid)."""
        return self.camps_x * self.camps_y

    @classmethod
    def convert_values(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """Check names, types and ranges of raw values (strings or typed); raise UsageError."""
        specs = {f.name: f for f in dataclasses.fields(cls)}
        converted = {}
        for name, raw in values.items():
            if name not in specs:
                hint = difflib.get_close_matches(name, specs, n=1)
                near = f" (did you mean {hint[0]}?)" if hint else ""
                raise UsageError(
                    f"unknown parameter {name!r}{near}; valid: {', '.join(sorted(specs))}"
                )
            converted[name] = _convert(specs[name], raw)
        return converted

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], base: Params | None = None) -> Params:
        """`base` (default: defaults) with `values` applied, checked alone and together."""
        params = dataclasses.replace(base or cls(), **cls.convert_values(values))
        params.check_consistency()
        return params

    def check_consistency(self) -> None:
        """Cross-parameter rules that single ranges cannot express."""
        if self.population < self.n_camps:
            raise UsageError(
                f"population={self.population} is smaller than the {self.n_camps} camps "
                f"(camps_x*camps_y); valid: population >= {self.n_camps}"
            )
        if self.growth_start and self.growth_end < self.growth_start:
            raise UsageError(f"growth_end={self.growth_end} is before growth_start="
                             f"{self.growth_start}; valid: growth_end >= growth_start")
        if self.allele_generation and self.allele_camp >= self.n_camps:
            raise UsageError(f"allele_camp={self.allele_camp} is not a camp; valid: 0 to "
                             f"{self.n_camps - 1}")
        if self.crash_generation and self.growth_start and self.crash_generation <= self.growth_end:
            raise UsageError(f"crash_generation={self.crash_generation} falls within the growth "
                             f"(to generation {self.growth_end}); valid: a crash after the growth")
        if self.climate == "lr04":
            end_ka = self.climate_start_ka - self.generations * self.years_per_generation / 1000
            if end_ka < 0:
                raise UsageError(
                    f"climate=lr04 from climate_start_ka={self.climate_start_ka:g} runs "
                    f"{self.generations} generations of {self.years_per_generation:g} years past "
                    "the present; valid: climate_start_ka >= generations * years_per_generation "
                    "/ 1000")
        if self.driver == "interactions" and self.meanings < 1:
            raise UsageError("driver=interactions needs meanings >= 1 (it runs the naming game)")
        if self.driver == "repertoire":
            from evo.core.repertoire import check_repertoire_params  # the model's own rules

            check_repertoire_params(self)

    def as_dict(self) -> dict[str, Any]:
        """Every parameter value by name (JSON-ready)."""
        return dataclasses.asdict(self)


def describe(name: str) -> str:
    """One line: a parameter's valid range or choices and its meaning."""
    spec = {f.name: f for f in dataclasses.fields(Params)}[name]
    return f"{name} ({_valid_text(spec)}): {spec.metadata['doc']}"


def _valid_text(spec: dataclasses.Field) -> str:
    meta = spec.metadata
    if meta["choices"]:
        return "one of " + ", ".join(meta["choices"])
    kind = {bool: "true or false", int: "an integer", float: "a number"}[_type_of(spec)]
    if meta["lo"] is None:
        return kind
    return f"{kind} in [{meta['lo']:g}, {meta['hi']:g}]"


def _type_of(spec: dataclasses.Field) -> type:
    return {"int": int, "float": float, "bool": bool, "str": str}[str(spec.type)]


def _convert(spec: dataclasses.Field, raw: Any) -> Any:
    """Convert one raw value to the field's type and check its range or choices."""
    kind = _type_of(spec)
    meta = spec.metadata
    bad = UsageError(f"bad value {raw!r} for {spec.name}; valid: {_valid_text(spec)}")
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off"):
            return False
        raise bad
    if kind is str:
        if str(raw) not in meta["choices"]:
            raise bad
        return str(raw)
    if isinstance(raw, bool):
        raise bad
    try:
        if kind is int:
            value = int(raw) if not isinstance(raw, str) else int(raw.strip())
            if isinstance(raw, float) and raw != value:
                raise bad
        else:
            value = float(raw)
    except (TypeError, ValueError):
        raise bad from None
    if isinstance(value, float) and not math.isfinite(value):
        raise bad
    if not meta["lo"] <= value <= meta["hi"]:
        raise bad
    return value

"""The registry of recorded measures: one place for each column's name, type, scale and reading.

Shared vocabulary of every layer: the model writes these columns (`evo.core.metrics` builds its
table schemas from here), the sweep summarises some of them per run, and the analysis reads them
by these names and judges them by these rules (it imports this module, never the model). A
renamed or new measure is one entry here; `tests/test_measures.py` holds every layer to it.

Each `Measure` says:
- `kind`: "time" (the table's time axis), "culture" (what a burst is sought in), "mirror" (the
  mirror metrics whose rise is timed against culture), or "state" (recorded, not judged);
- `scale`: "share" (in [0, 1]), "count" (meanings with a convention, 0 to M; tool types, 0 to
  K), "unbounded" (tool
  components, from about 3 to tens of thousands) or "level" (any other number);
- `minimum_rise`: the rise that matters on the measure's own scale (below);
- `axis`: "linear", or "log" for the unbounded ones (drawn on a symmetric-log axis);
- `summaries`: the per-run summaries a sweep's runs table carries, `{name}_{summary}`.

Material rises (`MinimumRise`; our assumptions, calibrated on the model's own series). A burst
detector that is scale-free calls a gesture success rate going from 0.0001 to 0.003 a burst, though
a third of a percent of successful episodes is no proto-language. So a rise must also matter on
the measure's scale, judged on the net rise R from the start level S:
- shares: R >= 0.1, a tenth of the scale. The invisible rises of coevolving gesture success
  were 0.003; real proto-language rises are 0.5-0.6; 0.1 keeps a margin of 30 on one side and 5
  on the other. Mirror strength uses the same bound: a drift of a few hundredths is no rise.
- expressivity: R >= 1 meaning, one more thing a camp can say by convention.
- tool types: a fold change (S + R) / max(S, 2) >= 2, the repertoire at least doubles and reaches
  at least 4 types: a count that spans a handful of lineages in the main model and tens to
  thousands of traits in the repertoire models, where only a ratio means the same in both; the
  floor of 2 keeps a single type appearing from passing on a ratio of small integers.
- tool complexity: a fold change (S + R) / max(S, 1) >= 2, the level at least doubles over its
  floor (trial and error alone holds about 3 components; the floor of 1 keeps a series near 0
  from passing on a large ratio of tiny numbers); on a log scale, log10 rises by >= 0.3.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MinimumRise:
    """A minimum material rise: ``absolute`` R >= value, or ``fold`` (S + R)/max(S, floor) >= value."""

    scale: str  # "absolute" | "fold"
    value: float
    floor: float = 0.0  # fold only: the start level is taken as at least this

    def describe(self) -> str:
        """'a rise of at least 0.1' or 'at least 2-fold over max(start, 1)'."""
        if self.scale == "fold":
            return f"at least {self.value:g}-fold over max(start, {self.floor:g})"
        return f"a rise of at least {self.value:g}"


@dataclass(frozen=True)
class Measure:
    """One column of a generation table (see the module docstring for the fields)."""

    name: str
    dtype: str  # "int" | "float"
    kind: str  # "time" | "culture" | "mirror" | "state"
    scale: str  # "share" | "count" | "unbounded" | "level"
    doc: str
    minimum_rise: MinimumRise | None = None
    axis: str = "linear"  # "linear" | "log"
    summaries: tuple[str, ...] = ()


SHARE_RISE = MinimumRise("absolute", 0.1)
_share = dict(scale="share", minimum_rise=SHARE_RISE)

#: Tool types held, in the generations driver (lineages above a skill) and in the repertoire
#: models (distinct traits): one measure, one rule.
TOOL_TYPES = Measure(
    "tool_types", "int", "culture", "count",
    "tool types the population holds: lineages whose best holder has at least tool_type_skill "
    "components, or the distinct traits of a repertoire model (Kline & Boyd 2010 count a "
    "society's tool types)", MinimumRise("fold", 2.0, floor=2.0), summaries=("final",))

#: The generation table of the `generations` driver, in column order.
GENERATION: tuple[Measure, ...] = (
    Measure("generation", "int", "time", "level", "generation number (0: the founders)"),
    Measure("population", "int", "state", "level", "living individuals",
            MinimumRise("fold", 2.0, floor=1.0)),
    Measure("mirror_mean", "float", "mirror", doc="mean genetic mirror strength",
            summaries=("final",), **_share),
    Measure("mirror_sd", "float", "state", "level", "SD of genetic mirror strength"),
    Measure("mirror_effective_mean", "float", "mirror",
            doc="mean effective mirror strength 1 - (1 - genetic)(1 - learned)", **_share),
    Measure("mirror_learned_mean", "float", "state", doc="mean learned mirror matching",
            **_share),
    Measure("assoc_mean", "float", "state", "share", "mean genetic rate of associative learning"),
    Measure("tool_skill_mean", "float", "state", "level", "mean skill over individuals and lineages"),
    Measure("tool_skill_max", "float", "state", "level", "highest skill in any lineage"),
    Measure("tool_complexity", "float", "culture", "unbounded",
            "mean over individuals of sum_k max(skill_k, 0) / skill_step: tool components known",
            MinimumRise("fold", 2.0, floor=1.0), "log", ("final", "max")),
    TOOL_TYPES,
    Measure("gesture_success", "float", "culture",
            doc="share of this generation's gesture episodes that succeeded",
            summaries=("final",), **_share),
    Measure("lexicon_size", "float", "state", "level",
            "distinct preferred variants in the population, mean over meanings"),
    Measure("lexicon_coherence", "float", "culture",
            doc="share holding their camp's most common preferred variant, mean over meanings",
            **_share),
    Measure("expressivity", "float", "culture", "count",
            "meanings with a shared convention (held by >= half the camp), mean over camps",
            MinimumRise("absolute", 1.0)),
    Measure("social_learner_frequency", "float", "state", "share",
            "share who learned the behaviour socially (Rogers 1988)"),
    Measure("fitness_mean", "float", "state", "level", "mean viability fitness"),
    Measure("camps_occupied", "int", "state", "level", "camps with at least one member"),
)

#: The table of the `interactions` driver (the minimal naming game), in column order.
NAMING_GAME: tuple[Measure, ...] = (
    Measure("interactions", "int", "time", "level", "naming-game interactions so far"),
    Measure("words_total", "int", "state", "level", "words held in all inventories (N_w)"),
    Measure("words_distinct", "int", "state", "level", "distinct words in use (N_d)"),
    Measure("gesture_success", "float", "culture", doc="share of successful interactions",
            **_share),
)

#: The table of the `repertoire` driver (Lewis & Laland 2012; Kolodny, Creanza & Feldman 2015),
#: in column order: one row every `repertoire_record_every` steps and at the last; gains and
#: losses are counted since the previous row; a column a model does not have is null.
REPERTOIRE: tuple[Measure, ...] = (
    Measure("generation", "int", "time", "level",
            "time step of the row (Lewis & Laland: events; Kolodny: generations)"),
    TOOL_TYPES,
    Measure("gains", "int", "state", "level", "traits gained since the previous row"),
    Measure("losses", "int", "state", "level", "traits lost since the previous row"),
    Measure("novel_inventions", "int", "state", "level", "gains by novel invention"),
    Measure("combinations", "int", "state", "level", "gains by combining two traits"),
    Measure("modifications", "int", "state", "level",
            "gains by modification (Lewis & Laland) or toolkit refinement (Kolodny)"),
    Measure("lineages", "int", "state", "level", "seed traits some trait descends from (L & L)"),
    Measure("trait_level_mean", "float", "state", "level",
            "seed elements plus modifications per trait (Lewis & Laland)"),
    Measure("trait_seeds_mean", "float", "state", "level", "seed traits combined per trait (L & L)"),
    Measure("main_traits", "int", "state", "level", "main-axis traits held (Kolodny)"),
    Measure("toolkit_traits", "int", "state", "level", "toolkit traits held (Kolodny)"),
    Measure("combination_traits", "int", "state", "level", "combination traits held (Kolodny)"),
)

#: The optional per-camp table (`record_camps`), one row per camp every `extras_every`
#: generations (and at 0 and the last): where and when culture starts, for its spread in space.
CAMPS: tuple[Measure, ...] = (
    Measure("generation", "int", "time", "level", "generation number"),
    Measure("camp", "int", "state", "level", "camp index (x * camps_y + y)"),
    Measure("x", "int", "state", "level", "the camp's column on the grid"),
    Measure("y", "int", "state", "level", "the camp's row on the grid"),
    Measure("population", "int", "state", "level", "members of the camp"),
    Measure("capacity", "int", "state", "level",
            "the camp's carrying capacity this generation (after the climate; evo.core.world)"),
    Measure("coldness", "float", "state", "share",
            "the climate's coldness this generation, 0 interglacial to 1 full glacial"),
    Measure("extinct", "int", "state", "level",
            "1 when the camp lost all its people at the start of this generation (climate or "
            "local extinction); migrants may refill it by its end"),
    Measure("mirror_mean", "float", "mirror", doc="the camp's mean genetic mirror strength",
            **_share),
    Measure("mirror_learned_mean", "float", "state", "share", "the camp's mean learned matching"),
    Measure("tool_complexity", "float", "culture", "unbounded",
            "the camp's mean tool components", MinimumRise("fold", 2.0, floor=1.0), "log"),
    Measure("tool_types", "int", "culture", "count", "tool types the camp holds",
            MinimumRise("fold", 2.0, floor=2.0)),
    Measure("expressivity", "float", "culture", "count",
            "meanings with a convention held by at least half the camp",
            MinimumRise("absolute", 1.0)),
)

#: The optional per-lineage table (`record_lineages`), one row per tool lineage every
#: `extras_every` generations: when each tool type is taken up, for the mosaic of onsets.
LINEAGES: tuple[Measure, ...] = (
    Measure("generation", "int", "time", "level", "generation number"),
    Measure("lineage", "int", "state", "level", "tool lineage index (0 the easiest)"),
    Measure("difficulty", "float", "state", "level", "the lineage's relative copying difficulty"),
    Measure("skill_mean", "float", "culture", "level", "mean skill in the lineage",
            MinimumRise("fold", 2.0, floor=1.0)),
    Measure("skill_best", "float", "state", "level", "highest skill in the lineage"),
    Measure("held", "int", "state", "level", "1 when the best holder reaches tool_type_skill"),
)

#: The optional per-camp-and-type table (`record_presence`), one row per camp and tool lineage
#: every `extras_every` generations: where and when each tool type is held, for flickering.
PRESENCE: tuple[Measure, ...] = (
    Measure("generation", "int", "time", "level", "generation number"),
    Measure("camp", "int", "state", "level", "camp index (x * camps_y + y)"),
    Measure("lineage", "int", "state", "level", "tool lineage index (0 the easiest)"),
    Measure("skill_best", "float", "state", "level",
            "the camp's highest skill in the lineage, in components (null in an empty camp)"),
    Measure("held", "int", "state", "level",
            "1 when the camp's best holder reaches tool_type_skill (0 in an empty camp)"),
    Measure("pays", "int", "state", "level", "1 when the type pays in the camp (evo.core.world)"),
)

MEASURES: dict[str, Measure] = {m.name: m for m in (*REPERTOIRE, *NAMING_GAME, *GENERATION)}
TIME_COLUMNS = tuple(m.name for m in (*GENERATION, *NAMING_GAME) if m.kind == "time")
CULTURE = tuple(m.name for m in GENERATION if m.kind == "culture")
MIRROR = tuple(m.name for m in GENERATION if m.kind == "mirror")
LOG_AXIS = tuple(name for name, m in MEASURES.items() if m.axis == "log")
SHARES = tuple(name for name, m in MEASURES.items() if m.scale == "share")
MINIMUM_RISE = {name: m.minimum_rise for name, m in MEASURES.items() if m.minimum_rise}
#: (column, summary) pairs a sweep's runs table carries as ``{column}_{summary}``.
SUMMARIES = tuple((m.name, how) for m in GENERATION for how in m.summaries)

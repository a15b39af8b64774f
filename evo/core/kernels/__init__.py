"""Numba kernels: the rules of one generation, one module per rule family.

- `rule`: the constants every rule reads (`Rule`, `make_rule`) and `nonallocating_kernel`, the
  decorator of the kernels that allocate nothing (compiled without reference counting);
- `camps`: who lives in which camp (`Camps`, CSR form);
- `associative`: effective mirror strength, learned mirror matching (Heyes 2010);
- `tools`: cumulative tool learning (Henrich 2004; Mesoudi 2011);
- `gestures`: gesture conventions, the naming game (Baronchelli et al. 2006);
- `behaviour`: social or individual learning in a changing environment (Rogers 1988);
- `selection`: viability fitness; `reproduction`: parents, inheritance, mutation;
- `migration`: moves between neighbouring camps;
- `prefetch`: a cache hint (LLVM's prefetch) that changes no value, for camps larger than the cache.

A rule kernel takes the population as one value, `state` (`evo.core.state.PopulationState`), the
rule's constants as another, `rule`, and camps in CSR form (`Camps`: members of camp c are
`members[start[c]:start[c + 1]]`, ascending slot order). Each draws its random numbers in a fixed,
documented order from `rng`, the state of the model's kernel stream (`evo.core.stream`,
xoshiro256** inlined), so one seed gives one result bit for bit. Each kernel has a plain-Python
twin under `tests/reference/` that must agree exactly. The public kernels are re-exported here.
"""

from evo.core.kernels.associative import effective_mirror, infancy
from evo.core.kernels.behaviour import learn_behaviour
from evo.core.kernels.camps import Camps, camp_members, camps_of
from evo.core.kernels.gestures import gesture_generation, naming_game_chunk, preferred_variants
from evo.core.kernels.migration import fitness_then_migrate, migrate
from evo.core.kernels.reproduction import choose_parents, inherit, reproduce
from evo.core.kernels.rule import RULE_BEST, RULE_PARENT, RULE_RANDOM, RULE_SAMPLE_BEST, Rule, make_rule
from evo.core.kernels.selection import fitness
from evo.core.kernels.tools import lineage_difficulty, tool_learning

__all__ = [
    "RULE_BEST",
    "RULE_PARENT",
    "RULE_RANDOM",
    "RULE_SAMPLE_BEST",
    "Camps",
    "Rule",
    "camp_members",
    "camps_of",
    "choose_parents",
    "effective_mirror",
    "fitness",
    "fitness_then_migrate",
    "gesture_generation",
    "infancy",
    "inherit",
    "learn_behaviour",
    "lineage_difficulty",
    "make_rule",
    "migrate",
    "naming_game_chunk",
    "preferred_variants",
    "reproduce",
    "tool_learning",
]

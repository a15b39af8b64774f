"""The constants every rule reads (`Rule`), built from the parameters, and `nonallocating_kernel`.

A rule kernel takes the population as one value, `state` (an `evo.core.state.PopulationState`, a
NamedTuple of arrays indexed by slot), and the rule's constants as another, `rule` (a `Rule`, a
NamedTuple of scalars built from `Params` by `make_rule`), so it reads `state.skill[i, k]` and
`rule.alpha`.
"""

from __future__ import annotations

import typing
from typing import TYPE_CHECKING, NamedTuple

from numba import njit

from evo.core.params import ASSOC_EXPERIENCES, DEMONSTRATOR_RULES

if TYPE_CHECKING:
    from evo.core.params import Params

RULE_BEST, RULE_SAMPLE_BEST, RULE_RANDOM, RULE_PARENT = range(len(DEMONSTRATOR_RULES))
EXPERIENCE_SUCCESS, EXPERIENCE_CORRELATED, EXPERIENCE_ALL = range(len(ASSOC_EXPERIENCES))

# The rule kernels read `state.x` and `camps.x` inside their loops. With numba's reference counting
# on, each such read of a NamedTuple field increments and decrements the array's reference count
# (a call and an atomic operation each), which makes the kernels several times slower than with
# separate array arguments. The kernels that allocate nothing are therefore
# compiled without it (`_nrt=False`: the arrays belong to the caller and live through the call);
# those that return a new array take each field once, at the top. `_nrt` is a numba compiler
# option outside its documented API: pyproject.toml caps numba below the next minor version and
# tests/test_kernels_fused.py checks that the option is still accepted and honoured.


#: The decorator of the rule kernels that allocate nothing (no new array, no list): compiled
#: without reference counting, which only such a kernel may be (an array it made would leak).
nonallocating_kernel = njit(cache=True, _nrt=False)


class Rule(NamedTuple):
    """The constants of every rule, one scalar each, as the kernels read them (`rule.alpha`).

    A field named like a `Params` field takes that parameter's value; the others are derived in
    `make_rule`. Adding a rule constant is one line here (plus its derivation if it has no
    parameter of its name).
    """

    # tools (Henrich 2004)
    demonstrator: int  # index into DEMONSTRATOR_RULES (RULE_BEST ... RULE_PARENT)
    demonstrator_sample: int
    learning_episodes: int
    alpha: float
    mirror_gain: float
    beta: float
    keep_best: bool
    innovation_rate: float
    innovation_mode: float
    teaching_gain: float
    learning_budget: float
    # gestures
    confuse: bool  # misperception == "confuse"
    prefer: bool  # speaker_choice == "preferred"
    exposure_gain: float
    ritual_gain: float
    # associative mirror learning (Heyes 2010)
    assoc_experience: int  # index into ASSOC_EXPERIENCES (EXPERIENCE_SUCCESS ... EXPERIENCE_ALL)
    assoc_infancy: int
    # fitness
    baseline_fitness: float
    tool_benefit: float
    tool_saturation: float
    comm_benefit: float
    mirror_cost: float
    assoc_cost: float
    env_benefit: float
    individual_cost: float
    # inheritance and migration
    mutation_rate: float
    assoc_mutation_rate: float
    mutation_sd: float
    flip: bool  # mutation_kind == "flip"
    migration_rate: float


_RULE_TYPES = typing.get_type_hints(Rule)


def make_rule(params: Params, **overrides) -> Rule:
    """The rule constants of `params`, with `overrides` (by `Rule` field) applied.

    Every value is cast to its field's type, so that numba compiles each kernel once.
    """
    derived = {
        "demonstrator": DEMONSTRATOR_RULES.index(params.demonstrator),
        "flip": params.mutation_kind == "flip",
        "confuse": params.misperception == "confuse",
        "prefer": params.speaker_choice == "preferred",
        "assoc_experience": ASSOC_EXPERIENCES.index(params.assoc_experience),
    }
    values = {name: derived[name] if name in derived else getattr(params, name)
              for name in Rule._fields}
    values.update(overrides)
    return Rule(**{name: _RULE_TYPES[name](value) for name, value in values.items()})

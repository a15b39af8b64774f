"""Plain-Python reference twins of the numba kernels in `evo.core.kernels`, used only in tests.

Each twin is written again from the kernel's documented rule, one individual at a time, with
Python lists and dicts, and draws its random numbers in the documented order from `Xoshiro`, a
plain-Python xoshiro256** written again from Blackman & Vigna's reference code.
`tests/test_kernels_*.py` run kernel and twin from equal states and assert equal outputs and equal
generator states afterwards.

Like the kernels, a twin takes the population as one value, `state`, and the rule's constants as
another, `rule` (the kernels' own `evo.core.kernels.Rule`, read as a plain NamedTuple). Data shapes used
by the twins (the tests convert to and from the kernels' arrays):
- `state` has one attribute per per-slot array of `evo.core.state.FIELDS`, each a list indexed by slot
  (`state.skill[i]` is the list of i's K lineage skills), except the gesture arrays, which are
  `state.inventory[i][m]`, a list of `[variant, score]` pairs in slot order of the kernel's arrays
  (the position matters: utterances pick a position at random), and `state.cap` (V);
- camps are a dict `camp -> [slots, ascending]` (see `camps_from_csr`); the kernels' `Camps` is
  `camps.members` and `camps.adults`, two such dicts;
- the gesture counters are a dict with keys `next_variant`, `dropped`, `words_total`.

Floating point: the twins evaluate each formula in the order the docstring writes it, so that
results agree bit for bit; `fitness` sums its terms in the order the kernel documents them as
separate `+=`/`-=` steps (see its comment).
"""

from __future__ import annotations

from tests.reference.associative import effective_mirror, infancy, learn_from_match
from tests.reference.behaviour import learn_behaviour
from tests.reference.camps import camp_members, camps_from_csr
from tests.reference.gestures import (
    gesture_episode,
    gesture_generation,
    naming_game_chunk,
    preferred_variant,
    preferred_variants,
)
from tests.reference.migration import migrate
from tests.reference.reproduction import choose_parents, inherit, mutate
from tests.reference.selection import fitness
from tests.reference.stream import MASK64, Xoshiro, draw_index
from tests.reference.tools import RULES, copy_skill, tool_learning

__all__ = [
    "MASK64", "RULES", "Xoshiro", "camp_members", "camps_from_csr", "choose_parents", "copy_skill",
    "draw_index", "effective_mirror", "fitness", "gesture_episode", "gesture_generation", "infancy",
    "inherit",
    "learn_behaviour", "learn_from_match", "migrate", "mutate", "naming_game_chunk",
    "preferred_variant", "preferred_variants", "tool_learning",
]

"""Struct-of-arrays state of every individual, indexed by slot, as one value the kernels take.

`PopulationState` is a NamedTuple of arrays: numba passes it to a kernel as one argument, and a
kernel reads `state.skill[i, k]`. `evo.core.agents.Individual` reads and writes the same arrays through
properties, so there is one copy of each individual's state. A slot is reused after its occupant
dies; `alive` says which slots hold an individual.

Adding a per-individual array is one line in `FIELDS` (its dtype, extra dimensions, value at
allocation and at birth); allocation, the newborn reset and every kernel see it from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

NO_VARIANT = -1
NO_PARENT = -1


@dataclass(frozen=True)
class Field:
    """One per-individual array: dtype, dimensions after the slot, initial and newborn values.

    `dims` names the extra axes: "K" tool lineages, "M" meanings, "V" variants per meaning.
    `newborn` is the value a slot is reset to at birth; None leaves it to the birth code (genes,
    camp and parent are set by `evo.core.kernels.inherit`, alive/serial/age by `newborn`).
    """

    dtype: type
    dims: tuple[str, ...]
    fill: bool | int | float
    newborn: bool | int | float | None
    doc: str


FIELDS: dict[str, Field] = {
    "alive": Field(np.bool_, (), False, None, "the slot holds a living individual"),
    "serial": Field(np.int64, (), -1, None, "birth number of the occupant (-1: never occupied)"),
    "age": Field(np.int64, (), 0, None, "generations lived (0 while learning)"),
    "camp": Field(np.int64, (), 0, None, "camp index"),
    "parent": Field(np.int64, (), NO_PARENT, None, "parent's slot at birth (-1 for founders)"),
    "g_mirror": Field(np.float64, (), 0.0, None, "genetic mirror strength in [0, 1]"),
    "g_assoc": Field(np.float64, (), 0.0, None, "genetic rate of associative mirror learning"),
    "m_learned": Field(np.float64, (), 0.0, 0.0, "mirror matching learned during life, [0, 1]"),
    "skill": Field(np.float64, ("K",), 0.0, 0.0, "skill per tool lineage (Henrich's z)"),
    "gestures": Field(np.int64, ("M", "V"), NO_VARIANT, NO_VARIANT,
                      "known gesture variants, the first n_known valid"),
    "scores": Field(np.int64, ("M", "V"), 0, 0, "successful uses of each known variant"),
    "n_known": Field(np.int64, ("M",), 0, 0, "number of known variants per meaning"),
    "attempts": Field(np.int64, (), 0, 0, "gesture episodes taken part in this generation"),
    "successes": Field(np.int64, (), 0, 0, "successful gesture episodes this generation"),
    "behaviour": Field(np.int64, (), -1, -1, "environment state the behaviour fits (Rogers)"),
    "alone": Field(np.bool_, (), False, False, "learned the behaviour individually (Rogers)"),
    "fitness": Field(np.float64, (), 0.0, 0.0, "viability fitness from the last evaluation"),
}

# Narrower types for the gesture inventories, used where a run's values fit (`allocate(narrow=True)`):
# variant ids and use scores in 32 bits, counts of known variants (<= V <= 4096) in 16: half the
# cache for the same values (tables identical), which speeds up large camps (bench/).
NARROW: dict[str, type] = {"gestures": np.int32, "scores": np.int32, "n_known": np.int16}
NARROW_MAX = np.iinfo(np.int32).max  # largest variant id or use score a narrow state can hold

_Arrays = NamedTuple("_Arrays", [(name, np.ndarray) for name in FIELDS])


def as_slice(slots: np.ndarray) -> slice | np.ndarray:
    """`slots` as a slice when they are consecutive and ascending, else unchanged.

    The same elements, cheaper to index: births fill the lowest free slots, which under discrete
    generations are one block.
    """
    if slots.size and slots[-1] - slots[0] + 1 == slots.size and np.all(np.diff(slots) == 1):
        return slice(int(slots[0]), int(slots[-1]) + 1)
    return slots


class PopulationState(_Arrays):
    """Arrays of length `capacity` (slots) holding every individual's genome, culture and record.

    The fields are those of `FIELDS`, in that order. A NamedTuple (immutable: the arrays are
    changed in place, never replaced), so that numba kernels take the whole state as one argument.
    """

    __slots__ = ()

    @classmethod
    def allocate(cls, capacity: int, lineages: int, meanings: int, variants: int,
                 narrow: bool = True) -> PopulationState:
        """Empty state with room for `capacity` individuals.

        `narrow`: the inventories take the `NARROW` types; the caller must know that no variant id
        or use score will exceed `NARROW_MAX` (`evo.core.model.gesture_count_bound`).
        """
        size = {"K": lineages, "M": meanings, "V": variants}
        return cls(**{
            name: np.full((capacity, *(size[d] for d in f.dims)), f.fill,
                          NARROW.get(name, f.dtype) if narrow else f.dtype)
            for name, f in FIELDS.items()
        })

    @property
    def capacity(self) -> int:
        """Number of slots."""
        return self.alive.size

    def free_slots(self, n: int) -> np.ndarray:
        """The `n` lowest free slots (deterministic); raises if there are too few."""
        free = np.flatnonzero(~self.alive)[:n]
        if free.size < n:
            raise RuntimeError(f"state capacity {self.capacity} exhausted (need {n} free slots)")
        return free

    def newborn(self, slots: np.ndarray, first_serial: int) -> None:
        """Reset slots to a newborn: alive, age 0, every `FIELDS` entry to its `newborn` value.

        Culture is learned, not inherited (our assumption; the parent is one possible model).
        Genes, camp and parent are set by `evo.core.kernels.inherit`.
        """
        where = as_slice(slots)
        self.alive[where] = True
        self.serial[where] = np.arange(first_serial, first_serial + slots.size)
        self.age[where] = 0
        for name, f in FIELDS.items():
            if f.newborn is not None:
                getattr(self, name)[where] = f.newborn

    def alive_slots(self) -> np.ndarray:
        """Slots of the living, ascending."""
        return np.flatnonzero(self.alive)

"""The Mesa face of an individual: a `CellAgent` in its camp whose attributes live in the arrays.

Reading `agent.mirror` reads `model.state.g_mirror[agent.slot]`; assigning it writes there. The
kernels update the same arrays, so there is no second copy that could drift.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import CellAgent

from evo.core.kernels import effective_mirror

if TYPE_CHECKING:
    from evo.core.model import MirrorModel


def _array_property(array_name: str, doc: str, cast: type = float) -> property:
    """A read-write property over `model.state.<array_name>[self.slot]`."""

    def get(self: Individual):
        return cast(getattr(self.model.state, array_name)[self.slot])

    def set_(self: Individual, value) -> None:
        getattr(self.model.state, array_name)[self.slot] = value

    return property(get, set_, doc=doc)


class Individual(CellAgent):
    """A person in a camp (a cell of the model's grid), carrying a genome and learned culture."""

    model: MirrorModel

    def __init__(self, model: MirrorModel, slot: int) -> None:
        super().__init__(model)
        self.slot = int(slot)

    mirror = _array_property("g_mirror", "Genetic mirror-system strength in [0, 1] (heritable).")
    assoc = _array_property("g_assoc", "Genetic rate of associative mirror learning (heritable).")
    learned_mirror = _array_property("m_learned", "Mirror matching learned during life, in [0, 1].")
    age = _array_property("age", "Generations lived.", int)
    camp = _array_property("camp", "Index of the camp (grid cell) the individual lives in.", int)
    fitness = _array_property("fitness", "Viability fitness from the last evaluation.")

    @property
    def mirror_effective(self) -> float:
        """Effective mirror strength 1 - (1 - genetic)(1 - learned)."""
        st = self.model.state
        return float(effective_mirror(st.g_mirror[self.slot], st.m_learned[self.slot]))

    @property
    def skills(self) -> np.ndarray:
        """Skill in each tool lineage (a read-only view of the state)."""
        view = self.model.state.skill[self.slot]
        view.flags.writeable = False
        return view

    @property
    def parent_slot(self) -> int:
        """Slot the parent held at this individual's birth (-1 for founders)."""
        return int(self.model.state.parent[self.slot])

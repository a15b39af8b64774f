"""The Mesa face of an individual: a `CellAgent` in its camp whose attributes live in the arrays.

Reading `agent.mirror` reads `model.state.g_mirror[agent.slot]`; assigning it writes there. The
kernels update the same arrays, so there is no second copy that could drift. A slot is reused by
a newborn once its person has died, so an agent keeps its person's birth number (`serial`) and
every attribute checks it: the agent of a dead person raises `DeadAgentError` instead of
reading (or writing) whoever holds the slot now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import CellAgent

from evo.core.kernels import effective_mirror

if TYPE_CHECKING:
    from evo.core.model import MirrorModel


class DeadAgentError(LookupError):
    """An attribute of an agent whose person has died was read or written."""


def _array_property(array_name: str, doc: str, cast: type = float) -> property:
    """A read-write property over `model.state.<array_name>[self.slot]`, for the living only."""

    def get(self: Individual):
        return cast(getattr(self._living_state(), array_name)[self.slot])

    def set_(self: Individual, value) -> None:
        getattr(self._living_state(), array_name)[self.slot] = value

    return property(get, set_, doc=doc)


class Individual(CellAgent):
    """A person in a camp (a cell of the model's grid), carrying a genome and learned culture."""

    model: MirrorModel

    def __init__(self, model: MirrorModel, slot: int) -> None:
        super().__init__(model)
        self.slot = int(slot)
        #: The birth number of the person this agent stands for (`PopulationState.serial`).
        self.serial = int(model.state.serial[self.slot])

    def _living_state(self):
        """The model's state, after checking that this agent's person still holds its slot."""
        st = self.model.state
        if st.alive[self.slot] and st.serial[self.slot] == self.serial:
            return st
        now = (f"the slot now holds person {int(st.serial[self.slot])}" if st.alive[self.slot]
               else "the slot is empty")
        raise DeadAgentError(f"agent {self.unique_id} (person {self.serial}, slot {self.slot}) "
                             f"is dead: its person died and {now}; take the living agents from "
                             "model.agents")

    mirror = _array_property("g_mirror", "Genetic mirror-system strength in [0, 1] (heritable).")
    assoc = _array_property("g_assoc", "Genetic rate of associative mirror learning (heritable).")
    learned_mirror = _array_property("m_learned", "Mirror matching learned during life, in [0, 1].")
    age = _array_property("age", "Generations lived.", int)
    camp = _array_property("camp", "Index of the camp (grid cell) the individual lives in.", int)
    fitness = _array_property("fitness", "Viability fitness from the last evaluation.")

    @property
    def mirror_effective(self) -> float:
        """Effective mirror strength 1 - (1 - genetic)(1 - learned)."""
        st = self._living_state()
        return float(effective_mirror(st.g_mirror[self.slot], st.m_learned[self.slot]))

    @property
    def skills(self) -> np.ndarray:
        """Skill in each tool lineage (a read-only view of the state)."""
        view = self._living_state().skill[self.slot]
        view.flags.writeable = False
        return view

    @property
    def parent_slot(self) -> int:
        """Slot the parent held at this individual's birth (-1 for founders)."""
        return int(self._living_state().parent[self.slot])

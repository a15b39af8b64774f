"""Struct-of-arrays state of every individual, indexed by slot.

The numba kernels read and write these arrays; `evo.agents.Individual` reads and writes the same
arrays through properties, so there is one copy of each individual's state. A slot is reused after
its occupant dies; `alive` says which slots hold an individual.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NO_VARIANT = -1
NO_PARENT = -1


@dataclass
class PopulationState:
    """Arrays of length `capacity` (slots) holding every individual's genome, culture and record."""

    alive: np.ndarray  # bool: the slot holds a living individual
    serial: np.ndarray  # int64: birth number of the slot's occupant (-1: never occupied)
    age: np.ndarray  # int64: generations lived (0 while learning)
    group: np.ndarray  # int64: camp index
    parent: np.ndarray  # int64: parent's slot at birth (-1 for founders)
    g_mirror: np.ndarray  # float64 in [0, 1]: genetic mirror strength
    g_assoc: np.ndarray  # float64 in [0, 1]: genetic rate of associative mirror learning
    m_learned: np.ndarray  # float64 in [0, 1]: mirror matching learned during life
    skill: np.ndarray  # float64 (capacity, K): skill per tool lineage (Henrich's z)
    gestures: np.ndarray  # int64 (capacity, M, V): known gesture variants, first n_known valid
    scores: np.ndarray  # int64 (capacity, M, V): successful uses of each known variant
    n_known: np.ndarray  # int64 (capacity, M): number of known variants per meaning
    attempts: np.ndarray  # int64: gesture episodes taken part in this generation
    successes: np.ndarray  # int64: successful gesture episodes this generation
    behaviour: np.ndarray  # int64: environment state the behaviour fits (Rogers)
    alone: np.ndarray  # bool: learned the behaviour individually (Rogers)
    fitness: np.ndarray  # float64: viability fitness from the last evaluation

    @classmethod
    def allocate(cls, capacity: int, lineages: int, meanings: int, variants: int) -> PopulationState:
        """Empty state with room for `capacity` individuals."""
        return cls(
            alive=np.zeros(capacity, np.bool_),
            serial=np.full(capacity, -1, np.int64),
            age=np.zeros(capacity, np.int64),
            group=np.zeros(capacity, np.int64),
            parent=np.full(capacity, NO_PARENT, np.int64),
            g_mirror=np.zeros(capacity),
            g_assoc=np.zeros(capacity),
            m_learned=np.zeros(capacity),
            skill=np.zeros((capacity, lineages)),
            gestures=np.full((capacity, meanings, variants), NO_VARIANT, np.int64),
            scores=np.zeros((capacity, meanings, variants), np.int64),
            n_known=np.zeros((capacity, meanings), np.int64),
            attempts=np.zeros(capacity, np.int64),
            successes=np.zeros(capacity, np.int64),
            behaviour=np.full(capacity, -1, np.int64),
            alone=np.zeros(capacity, np.bool_),
            fitness=np.zeros(capacity),
        )

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
        """Reset slots to a newborn: alive, age 0, no skill, no gestures, nothing learned.

        Culture is learned, not inherited (our assumption; the parent is one possible model).
        Genes, camp and parent are set by `evo.kernels.inherit`.
        """
        self.alive[slots] = True
        self.serial[slots] = np.arange(first_serial, first_serial + slots.size)
        self.age[slots] = 0
        self.m_learned[slots] = 0.0
        self.skill[slots] = 0.0
        self.gestures[slots] = NO_VARIANT
        self.scores[slots] = 0
        self.n_known[slots] = 0
        self.attempts[slots] = 0
        self.successes[slots] = 0
        self.behaviour[slots] = -1
        self.alone[slots] = False
        self.fitness[slots] = 0.0

    def alive_slots(self) -> np.ndarray:
        """Slots of the living, ascending."""
        return np.flatnonzero(self.alive)

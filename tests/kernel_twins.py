"""Builders shared by the kernel tests: states, streams and the plain-Python twins' views of them.

Kernel and twin run from two generators with one seed; their outputs must be equal exactly and the
generators must end in the same state (same draws, in the same order).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from hypothesis import settings

from evo.core import kernels, stream
from evo.core.kernels import Camps
from evo.core.params import Params
from evo.core.state import FIELDS, PopulationState
from tests import reference as ref

PROPERTY = settings(max_examples=25, deadline=None)
GESTURE_FIELDS = ("gestures", "scores", "n_known")  # the twins hold them as `inventory`


# --- builders --------------------------------------------------------------------------------


def kernel_rng(seed: int) -> np.ndarray:
    """The kernels' stream state as a model seeded with `seed` would start it."""
    return stream.seeded(np.random.default_rng(seed))


def two_rngs(seed: int) -> tuple[np.ndarray, ref.Xoshiro]:
    """The kernels' stream state and the twin's plain-Python generator, in the same state."""
    return kernel_rng(seed), ref.Xoshiro.from_seed(seed)


def assert_same_stream(rng_kernel: np.ndarray, rng_twin: ref.Xoshiro) -> None:
    assert rng_kernel.tolist() == rng_twin.words


def gene(g: np.random.Generator, n: int) -> np.ndarray:
    """Gene values in [0, 1] with exact 0s and 1s mixed in (the no-draw cases)."""
    return np.where(g.random(n) < 0.2, g.integers(0, 2, n).astype(float), g.random(n))


def random_state(seed: int, capacity: int = 12, lineages: int = 3, meanings: int = 2,
                 variants: int = 4, n_camps: int = 3, alive_share: float = 0.85,
                 learned: bool = True) -> PopulationState:
    """A small random state: ages 0 (learners) and 1+ (adults), genes, skills, inventories."""
    g = np.random.default_rng(seed)
    s = PopulationState.allocate(capacity, lineages, meanings, variants)
    s.alive[:] = g.random(capacity) < alive_share
    s.camp[:] = g.integers(0, n_camps, capacity)
    s.age[:] = g.integers(0, 3, capacity)
    s.g_mirror[:] = gene(g, capacity)
    s.g_assoc[:] = gene(g, capacity)
    s.m_learned[:] = g.random(capacity) * 0.5 if learned else 0.0
    s.skill[:] = g.normal(1.0, 2.0, (capacity, lineages))
    if g.random() < 0.5:  # whole-number skills: ties between demonstrators
        s.skill[:] = np.round(s.skill)
    pool = 2 * variants + 1  # a small pool of ids, so that partners often share words
    for i in range(capacity):
        for m in range(meanings):
            n = int(g.integers(0, variants + 1))
            s.gestures[i, m, :n] = g.choice(pool, n, replace=False)
            s.scores[i, m, :n] = g.integers(0, 4, n)
            s.n_known[i, m] = n
    s.attempts[:] = g.integers(0, 5, capacity)
    s.successes[:] = np.minimum(s.attempts, g.integers(0, 5, capacity))
    s.behaviour[:] = g.integers(0, 3, capacity)
    s.alone[:] = g.random(capacity) < 0.5
    s.fitness[:] = np.where(g.random(capacity) < 0.3, 0.0, g.random(capacity) * 2)
    adult = s.alive & (s.age >= 1)
    for i in range(capacity):  # a parent: an adult of the learner's camp, or none
        same_camp = np.flatnonzero(adult & (s.camp == s.camp[i]))
        if same_camp.size and g.random() < 0.8:
            s.parent[i] = g.choice(same_camp)
    return s


def counters_for(s: PopulationState) -> np.ndarray:
    """[next variant id, dropped, words total] consistent with the state's inventories."""
    next_id = int(s.gestures.max()) + 1 if s.gestures.size else 0
    return np.array([max(next_id, 0), 0, int(s.n_known.sum())], np.int64)


def counters_dict(counters: np.ndarray) -> dict:
    return dict(zip(("next_variant", "dropped", "words_total"), counters.tolist(), strict=True))


def inventory_of(s: PopulationState) -> list[list[list[list[int]]]]:
    """inventory[i][m] = [[variant, score], ...] from the arrays."""
    return [
        [
            [[int(s.gestures[i, m, j]), int(s.scores[i, m, j])] for j in range(s.n_known[i, m])]
            for m in range(s.n_known.shape[1])
        ]
        for i in range(s.capacity)
    ]


def twin_of(s: PopulationState) -> SimpleNamespace:
    """The twins' state: every array of `FIELDS` as a list, the gesture arrays as `inventory`."""
    lists = {name: getattr(s, name).tolist() for name in FIELDS if name not in GESTURE_FIELDS}
    return SimpleNamespace(**lists, inventory=inventory_of(s), cap=s.gestures.shape[2])


def assert_same_state(s: PopulationState, twin: SimpleNamespace) -> None:
    """Kernel and twin left every per-slot array equal (a kernel touches only what it should)."""
    for name in FIELDS:
        if name not in GESTURE_FIELDS:
            assert getattr(s, name).tolist() == getattr(twin, name), name
    assert inventory_of(s) == twin.inventory


def rule_with(**overrides) -> kernels.Rule:
    """The default parameters' rule constants with some replaced (by `Rule` field)."""
    return kernels.make_rule(Params(), **overrides)


def twin_camps(camps: Camps) -> SimpleNamespace:
    return SimpleNamespace(members=ref.camps_from_csr(camps.start, camps.members),
                           adults=ref.camps_from_csr(camps.adult_start, camps.adults))


def learners_of(s: PopulationState) -> np.ndarray:
    return np.flatnonzero(s.alive & (s.age == 0))


def random_neighbours(g: np.random.Generator, n_camps: int):
    """CSR neighbour table: each camp gets a random subset of the others (possibly none)."""
    start, flat = [0], []
    for c in range(n_camps):
        flat += [d for d in range(n_camps) if d != c and g.random() < 0.5]
        start.append(len(flat))
    return np.array(start, np.int64), np.array(flat, np.int64)

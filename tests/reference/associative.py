"""Twins of `evo.core.kernels.associative`."""

from __future__ import annotations

from tests.reference.stream import draw_index


def effective_mirror(g_mirror: float, m_learned: float) -> float:
    """m = 1 - (1 - genetic)(1 - learned)."""
    return 1.0 - (1.0 - g_mirror) * (1.0 - m_learned)


def learn_from_match(state, i: int) -> None:
    """Associative learning after a matched episode: m_learned += g_assoc (1 - m_learned)."""
    state.m_learned[i] = state.m_learned[i] + state.g_assoc[i] * (1.0 - state.m_learned[i])


def infancy(rng, state, rule, camps, newborns) -> None:
    """Each newborn is imitated `rule.assoc_infancy` times by a random adult of its camp; each time
    it learns matching with probability the adult's effective mirror (no draw at 0 or 1)."""
    for i in newborns:
        adults = camps.adults.get(state.camp[i], [])
        if not adults:
            continue
        for _ in range(rule.assoc_infancy):
            adult = adults[draw_index(rng, len(adults))]
            faithful = effective_mirror(state.g_mirror[adult], state.m_learned[adult])
            if faithful >= 1.0 or (faithful > 0.0 and rng.random() < faithful):
                learn_from_match(state, i)

"""Twins of `evo.core.kernels.associative`."""

from __future__ import annotations


def effective_mirror(g_mirror: float, m_learned: float) -> float:
    """m = 1 - (1 - genetic)(1 - learned)."""
    return 1.0 - (1.0 - g_mirror) * (1.0 - m_learned)


def learn_from_match(state, i: int) -> None:
    """Associative learning after a matched episode: m_learned += g_assoc (1 - m_learned)."""
    state.m_learned[i] = state.m_learned[i] + state.g_assoc[i] * (1.0 - state.m_learned[i])

"""Effective mirror strength and associative mirror learning (Heyes 2010; Catmur, Walsh & Heyes 2007)."""

from __future__ import annotations

from numba import njit


@njit(cache=True)
def effective_mirror(g_mirror: float, m_learned: float) -> float:
    """Effective mirror strength m = 1 - (1 - genetic)(1 - learned).

    Our assumption: the genetic and learned routes act like independent chances to
    match an observed action to one's own motor program; m lies in [0, 1] and equals either part
    when the other is 0.
    """
    return 1.0 - (1.0 - g_mirror) * (1.0 - m_learned)


@njit(cache=True, inline="always")
def _learn_from_match(state, i):
    """Associative sequence learning (Heyes 2010; Catmur, Walsh & Heyes 2007).

    A matched sensorimotor episode (doing while seeing the same action) strengthens the learned
    mirror link: m_learned += g_assoc * (1 - m_learned).
    """
    state.m_learned[i] += state.g_assoc[i] * (1.0 - state.m_learned[i])

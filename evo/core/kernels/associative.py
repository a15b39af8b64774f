"""Effective mirror strength and associative mirror learning (Heyes 2010; Catmur, Walsh & Heyes 2007).

The associative account (Heyes 2010; Cook, Bird, Catmur, Press & Heyes 2014, Behav Brain Sci
37:177): mirror matching is learned from correlated sensorimotor experience, doing an action while
seeing it. What counts as such experience is a parameter (`assoc_experience`): only successful
copies and exchanges (the strictest reading), every episode that pairs a seen and a done action,
or every episode. Heyes (2018, *Cognitive Gadgets*) adds that the experience is itself socially
structured and culturally inherited: infants are imitated by their caregivers, and an adult who
matches well imitates faithfully (`infancy`), so well-matched adults raise well-matched children
with no change in genes.
"""

from __future__ import annotations

from numba import njit

from evo.core import stream
from evo.core.kernels.rule import nonallocating_kernel


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


@nonallocating_kernel
def infancy(rng, state, rule, camps, newborns):
    """Being imitated in infancy: `rule.assoc_infancy` episodes per newborn, before gestures.

    Each episode pairs the newborn with a random adult of its camp (one `stream.below`), who
    imitates the infant's action; the infant sees its own action done, a matched experience, with
    probability equal to the adult's effective mirror strength (one uniform, none when that is 0
    or 1): faithful imitators train matching (Heyes 2018; Ray & Heyes 2011, Dev Sci 14:92, on how
    often caregivers imitate infants). A newborn of a camp without adults has no episode.
    """
    for r in range(newborns.size):
        i = newborns[r]
        c = state.camp[i]
        lo = camps.adult_start[c]
        n_adults = camps.adult_start[c + 1] - lo
        if n_adults == 0:
            continue
        for _ in range(rule.assoc_infancy):
            a = camps.adults[lo + stream.below(rng, n_adults)]
            faithful = effective_mirror(state.g_mirror[a], state.m_learned[a])
            if faithful >= 1.0 or (faithful > 0.0 and stream.uniform(rng) < faithful):
                _learn_from_match(state, i)

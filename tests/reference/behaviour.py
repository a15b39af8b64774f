"""Twin of `evo.core.kernels.behaviour` (Rogers 1988)."""

from __future__ import annotations

from tests.reference.associative import effective_mirror
from tests.reference.stream import draw_index


def learn_behaviour(rng, state, rule, camps, learners, env_state) -> None:
    """Social learning with probability m (copy a random adult of the camp), else alone."""
    for i in learners:
        mirror = effective_mirror(state.g_mirror[i], state.m_learned[i])
        if mirror >= 1.0:
            social = True
        elif mirror <= 0.0:
            social = False
        else:
            social = rng.random() < mirror
        adults = camps.adults.get(state.camp[i], [])
        if social and adults:
            state.behaviour[i] = state.behaviour[adults[draw_index(rng, len(adults))]]
            state.alone[i] = False
        else:
            state.behaviour[i] = env_state
            state.alone[i] = True

"""One behaviour in a changing environment, learned socially or alone (Rogers 1988)."""

from __future__ import annotations

from evo.core import stream
from evo.core.kernels.associative import effective_mirror
from evo.core.kernels.rule import nonallocating_kernel


@nonallocating_kernel
def learn_behaviour(rng, state, rule, camps, learners, env_state):
    """Learning one behaviour in a changing environment (Rogers 1988).

    A learner learns socially with probability equal to its effective mirror strength (no draw when
    that is 0 or 1; with mirror alleles 0/1 this is Rogers' pure strategies): it copies the
    behaviour of a random adult of its camp (Rogers: a random member of the previous generation).
    Otherwise it learns alone and gets the current environment right, at a cost paid in fitness.
    """
    for li in range(learners.size):
        i = learners[li]
        mirror = effective_mirror(state.g_mirror[i], state.m_learned[i])
        c = state.camp[i]
        lo = camps.adult_start[c]
        n_adults = camps.adult_start[c + 1] - lo
        social = mirror >= 1.0 or (mirror > 0.0 and stream.uniform(rng) < mirror)
        if social and n_adults > 0:
            state.behaviour[i] = state.behaviour[camps.adults[lo + stream.below(rng, n_adults)]]
            state.alone[i] = False
        else:
            state.behaviour[i] = env_state
            state.alone[i] = True

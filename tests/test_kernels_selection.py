"""Selection kernels (fitness, choice of parents) against their plain-Python twins."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hs

from evo.core import kernels
from evo.core.state import PopulationState
from tests import reference as ref
from tests.kernel_twins import (
    PROPERTY,
    assert_same_state,
    assert_same_stream,
    kernel_rng,
    random_state,
    rule_with,
    twin_of,
    two_rngs,
)

# --- fitness ---------------------------------------------------------------------------------


@PROPERTY
@given(seed=hs.integers(0, 2**31), capacity=hs.integers(1, 12), lineages=hs.integers(0, 4),
       env_benefit=hs.sampled_from([0.0, 0.5]), baseline=hs.sampled_from([0.0, 0.3, 1.0]),
       saturation=hs.sampled_from([0.0, 0.5, 4.0]))
def test_fitness_matches_twin(seed, capacity, lineages, env_benefit, baseline, saturation):
    s = random_state(seed, capacity, lineages, 0, 1)
    s.attempts[0] = 0  # success rate undefined: no communication term
    slots = np.flatnonzero(s.alive)
    env_state = 1
    rule = rule_with(baseline_fitness=baseline, tool_benefit=0.05, tool_saturation=saturation,
                     comm_benefit=0.1, mirror_cost=0.4, assoc_cost=0.2, env_benefit=env_benefit,
                     individual_cost=0.3)
    s.fitness[:] = -7.0
    twin = twin_of(s)
    kernels.fitness(s, rule, slots, env_state)
    ref.fitness(twin, rule, slots.tolist(), env_state)
    assert_same_state(s, twin)
    assert (s.fitness[slots] >= 0.0).all()
    assert (np.delete(s.fitness, slots) == -7.0).all()  # unlisted slots untouched


def test_a_saturated_toolkit_pays_at_most_its_bound_and_first_types_pay_as_before():
    """T = b S (1 - exp(-X/S)): below b*S however rich the toolkit, slope b at X = 0."""
    s = random_state(3, 2, 3, 0, 1)
    s.skill[0] = [1e6, 1e6, 1e6]  # X = 3 log1p(1e6), about 41
    s.skill[1] = [1e-6, 0.0, -2.0]  # X about 1e-6
    s.attempts[:] = 0
    s.g_mirror[:] = 0.0
    s.g_assoc[:] = 0.0
    slots = np.array([0, 1])
    rule = rule_with(baseline_fitness=1.0, tool_benefit=0.5, tool_saturation=2.0, comm_benefit=0.0,
                     mirror_cost=0.0, assoc_cost=0.0, env_benefit=0.0)
    kernels.fitness(s, rule, slots, 0)
    assert 1.0 + 0.5 * 2.0 * (1 - 1e-8) < s.fitness[0] <= 1.0 + 0.5 * 2.0
    assert s.fitness[1] == pytest.approx(1.0 + 0.5 * np.log1p(1e-6), rel=1e-6)


# --- choose_parents --------------------------------------------------------------------------


def check_choose_parents(seed, capacity=14, n_camps=4, max_births=5):
    g = np.random.default_rng(seed)
    s = random_state(seed, capacity, 0, 0, 1, n_camps)
    zero_camp = int(g.integers(0, n_camps))  # one camp where every member has fitness 0
    s.fitness[s.camp == zero_camp] = 0.0
    weights = s.fitness
    start, members = kernels.camp_members(s.camp, s.alive, n_camps)
    births = g.integers(0, max_births + 1, n_camps)
    twin = twin_of(s)
    rng_k, rng_t = two_rngs(seed)
    parents = kernels.choose_parents(rng_k, s, start, members, births)
    by_camp = ref.camps_from_csr(start, members)
    ref_parents = ref.choose_parents(rng_t, twin, by_camp, births.tolist())
    assert_same_state(s, twin)
    np.testing.assert_array_equal(parents, ref_parents)
    assert_same_stream(rng_k, rng_t)
    # invariants: camp by camp, members only, no zero-fitness parent while a member is fit
    out = 0
    for c in range(n_camps):
        if not by_camp[c]:
            continue
        chosen = parents[out:out + births[c]]
        out += births[c]
        assert set(chosen.tolist()) <= set(by_camp[c])
        if weights[by_camp[c]].sum() > 0:
            assert (weights[chosen] > 0).all()
    assert out == parents.size
    return parents


@PROPERTY
@given(seed=hs.integers(0, 2**31), capacity=hs.integers(0, 16), n_camps=hs.integers(1, 5))
def test_choose_parents_property(seed, capacity, n_camps):
    check_choose_parents(seed, capacity, n_camps)


def test_choose_parents_zero_and_empty_camps():
    """All-zero camp: uniform; empty camp with births: no parents; births 0: nothing drawn."""
    s = PopulationState.allocate(6, 0, 0, 1)
    s.fitness[:] = [0.0, 0.0, 0.0, 2.0, 0.0, 1.0]
    start, members = kernels.camp_members(np.array([0, 0, 0, 2, 2, 2]), np.ones(6, np.bool_), 4)
    births = np.array([50, 3, 40, 0])  # camp 1 is empty, camp 3 is empty and has no births
    rng_k, rng_t = two_rngs(8)
    parents = kernels.choose_parents(rng_k, s, start, members, births)
    ref_parents = ref.choose_parents(rng_t, twin_of(s), ref.camps_from_csr(start, members),
                                     births.tolist())
    np.testing.assert_array_equal(parents, ref_parents)
    assert_same_stream(rng_k, rng_t)
    assert parents.size == 90
    assert set(parents[:50].tolist()) == {0, 1, 2}  # uniform among the all-zero camp
    assert set(parents[50:].tolist()) == {3, 5}  # never the zero-fitness member 4


def test_choose_parents_no_births_draws_nothing():
    start, members = kernels.camp_members(np.array([0, 0]), np.ones(2, np.bool_), 1)
    rng = kernel_rng(3)
    s = PopulationState.allocate(2, 0, 0, 1)
    s.fitness[:] = 1.0
    parents = kernels.choose_parents(rng, s, start, members, np.array([0]))
    assert parents.size == 0
    assert (rng == kernel_rng(3)).all()



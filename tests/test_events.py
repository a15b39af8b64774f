"""Scheduled events: steps, ramps, and the checks that run before any generation."""

from __future__ import annotations

import numpy as np
import pytest

from evo.core.events import Event, check_phases, parse_event
from evo.core.model import MirrorModel
from evo.core.params import Params
from evo.errors import UsageError


def run_populations(events, generations=30, **values):
    params = Params.from_mapping({"population": 40, "camps_x": 2, "camps_y": 1,
                                  "generations": generations, "agent_sync": "lazy", **values})
    model = MirrorModel(params, seed=3, events=tuple(events))
    sizes, rates = [], []
    for _ in range(generations):
        model.step()
        sizes.append(model.last_row["population"])
        rates.append(model.params.migration_rate)
    return sizes, rates


def test_a_ramp_moves_linearly_from_its_start_to_its_target():
    ramp = parse_event({"generation": 10, "until": 20,
                        "set": {"population": 140, "migration_rate": 0.1}}, "test")
    sizes, rates = run_populations([ramp], migration_rate=0.0)
    assert sizes[:10] == [40] * 10  # generations 1-9 before, 10 at its start value
    expected = [round(40 + 100 * (g - 10) / 10) for g in range(10, 21)]
    assert sizes[9:20] == expected  # discrete generations fill every camp to capacity
    assert sizes[20:] == [140] * 10
    assert rates[9] == 0.0 and rates[14] == pytest.approx(0.05) and rates[19:] == [0.1] * 11


def test_a_step_event_is_a_ramp_of_one_generation():
    step = parse_event({"generation": 10, "set": {"population": 140}}, "test")
    assert run_populations([step])[0] == [40] * 9 + [140] * 21


def test_a_ramp_takes_numbers_only_and_ends_after_it_starts():
    with pytest.raises(UsageError, match="moves numbers only"):
        parse_event({"generation": 5, "until": 9, "set": {"overlapping": True}}, "t")
    with pytest.raises(UsageError, match="until must be an integer > generation"):
        parse_event({"generation": 5, "until": 5, "set": {"population": 9}}, "t")
    with pytest.raises(UsageError, match="needs a set and no mutant"):
        parse_event({"generation": 5, "until": 9, "mutant": {"mirror": 1, "fraction": 0.1}}, "t")


def test_phases_are_checked_cumulatively_before_the_run():
    params = Params.from_mapping({"population": 40, "camps_x": 2, "camps_y": 2})
    fine = (Event(10, {"camps_x": 2}), Event(20, {"population": 4}))
    check_phases(params, fine)
    with pytest.raises(UsageError, match=r"generation 20 .* population >= 4"):
        check_phases(params, (Event(20, {"population": 3}),))


def test_growth_parameters_make_a_ramp_or_a_step():
    ramp, _ = run_populations([], generations=30, growth_start=10, growth_end=20,
                              growth_population=140)
    assert ramp[9] == 40 and ramp[14] == 90 and ramp[20:] == [140] * 10
    step, _ = run_populations([], generations=30, growth_start=10, growth_end=10,
                              growth_population=140)
    assert step == [40] * 9 + [140] * 21


def test_a_crash_falls_to_its_share_and_is_restored():
    sizes, _ = run_populations([], generations=40, growth_start=5, growth_end=5,
                               growth_population=200, crash_generation=20, crash_share=0.1,
                               crash_length=10)
    assert sizes[18] == 200 and sizes[19:29] == [20] * 10 and sizes[29:] == [200] * 11
    with pytest.raises(UsageError, match="falls within the growth"):
        Params.from_mapping({"growth_start": 5, "growth_end": 50, "crash_generation": 30})


def test_a_new_allele_appears_in_its_camp_in_as_many_carriers_as_asked():
    params = Params.from_mapping({"population": 120, "camps_x": 3, "camps_y": 2,
                                  "mirror_initial": 0.0, "mirror_initial_sd": 0.0,
                                  "mutation_rate": 0.0, "allele_generation": 3,
                                  "allele_mirror": 0.9, "allele_carriers": 5, "allele_camp": 4,
                                  "agent_sync": "lazy"})
    model = MirrorModel(params, seed=1)
    for _ in range(2):
        model.step()
    assert not model.state.g_mirror.any()
    model.step()  # the allele appears at the start of generation 3, before reproduction
    st = model.state
    parents = st.parent[st.alive_slots()]
    carriers_now = np.flatnonzero(st.alive & (st.g_mirror == 0.9))
    assert carriers_now.size > 0 and set(st.camp[carriers_now].tolist()) <= {4} | set(
        st.camp[parents].tolist())
    single = MirrorModel(Params.from_mapping({"allele_carriers": 1, "allele_generation": 1,
                                              "allele_camp": 2, "mutation_rate": 0.0,
                                              "mirror_initial": 0.0, "mirror_initial_sd": 0.0,
                                              "agent_sync": "lazy"}), seed=2)
    chosen = single._carriers(single.events[0].mutant)
    assert chosen.size == 1 and single.state.camp[chosen[0]] == 2

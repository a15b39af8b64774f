"""The library API: a model from a scenario keeps its events, a Mesa DataCollector of its rows, and
`mesa.batch_run` over scenarios and parameters, all equal to what the runner's `simulate` gives."""

from __future__ import annotations

import polars as pl
import pytest
from mesa import batch_run

from evo.core.model import MirrorModel, ScenarioModel
from evo.errors import UsageError
from evo.run.runner import resolve_params, simulate


def test_from_scenario_keeps_the_events_and_matches_simulate_generation_by_generation():
    """Tasmania is cut from 100 (here) to 37 people at generation 300: with its events."""
    model = MirrorModel.from_scenario("tasmania", seed=1, population=100, generations=303,
                                      collect=True)
    while model.running:
        model.step()
    assert (model.generation, model.last_row["population"]) == (303, 37)
    table = simulate("tasmania", seed=1, overrides={"population": 100}, generations=303).table
    collected = pl.from_pandas(model.datacollector.get_model_vars_dataframe())
    assert collected.height == table.height == 304
    assert collected.to_dicts() == table.select(collected.columns).to_dicts()
    # the parameters alone drop the scenario's events: the pitfall from_scenario removes
    by_hand = MirrorModel(resolve_params("tasmania", {"population": 100, "generations": 303}), 1)
    for _ in range(303):
        by_hand.step()
    assert by_hand.last_row["population"] == 100


def test_from_scenario_checks_its_input(tmp_path):
    with pytest.raises(UsageError, match=r"unknown parameter 'mirror_cots' \(did you mean mirror_cost\?\)"):
        MirrorModel.from_scenario("default", mirror_cots=0.1)
    with pytest.raises(UsageError, match=r"unknown measure 'populaton' \(did you mean population\?\)"):
        MirrorModel.from_scenario("default", collect=["populaton"])
    with pytest.raises(UsageError, match=r"driver=interactions, which MirrorModel\.step does not drive"):
        MirrorModel.from_scenario("naming_game")
    path = tmp_path / "cheap.toml"
    path.write_text('base = "default"\nsummary = "s"\nhypothesis = "h"\ncitation = "c"\n'
                    'role = "example"\n[params]\nmirror_cost = 0.3\n')
    model = MirrorModel.from_scenario(str(path), seed=2)
    assert (model.source.name, model.params.mirror_cost) == ("cheap", 0.3)


def test_mesa_batch_run_runs_scenario_models_like_simulate():
    parameters = {"scenario": "default", "generations": 4, "mirror_cost": [0.01, 0.3]}
    rows = batch_run(ScenarioModel, parameters, rng=[5, 6], max_steps=1000,
                     data_collection_period=-1, display_progress=False)
    assert rows == batch_run(ScenarioModel, parameters, rng=[5, 6], max_steps=1000,
                             data_collection_period=-1, display_progress=False)
    assert sorted((r["seed"], r["mirror_cost"], r["generation"]) for r in rows) == [
        (5, 0.01, 4), (5, 0.3, 4), (6, 0.01, 4), (6, 0.3, 4)]
    for row in rows:
        final = simulate("default", seed=row["seed"], generations=4,
                         overrides={"mirror_cost": row["mirror_cost"]}).table.row(-1, named=True)
        assert all(row[name] == value for name, value in final.items() if name in row)

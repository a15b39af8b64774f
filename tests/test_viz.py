"""The browser view's model layer, without a browser: the adapter is the real model, slider
values go through Params, the per-camp picture agrees with the generation rows."""

from __future__ import annotations

import ast
import io
import math
from pathlib import Path

import numpy as np
import pytest

import run
import scenarios
from evo.core.events import scheduled_events
from evo.core.model import MirrorModel
from evo.core.params import Params
from evo.errors import UsageError
from evo.run.runner import resolve_params
from viz.app import model_params
from viz.components import CAMP_MEASURES, CampsCanvas, PlotsCanvas, camp_measures
from viz.model import SLIDERS, MirrorView, parse_seed, view_scenarios


def untouched_sliders(name: str) -> dict:
    """The keyword arguments SolaraViz's Reset passes when no input was moved."""
    return {key: (value["value"] if isinstance(value, dict) else value)
            for key, value in model_params(name).items()}


def test_the_view_runs_the_real_model_and_collects_its_rows():
    view = MirrorView(seed=3)
    model = MirrorModel(resolve_params("default"), seed=3, events=scenarios.load("default").events)
    rows = [model.record()]
    for _ in range(4):
        view.step()
        model.step()
        rows.append(model.last_row)
    assert view.last_row == model.last_row
    assert len(view.agents) == model.last_row["population"]  # one Mesa agent per person
    table = view.datacollector.get_model_vars_dataframe()
    assert table["generation"].tolist() == list(range(5))
    for column in ("mirror_mean", "mirror_sd", "tool_complexity", "gesture_success"):
        expected = [math.nan if row[column] is None else row[column] for row in rows]
        assert np.array_equal(table[column].to_numpy(), expected, equal_nan=True)


@pytest.mark.parametrize("name", view_scenarios())
def test_untouched_sliders_rebuild_the_scenario_exactly(name):
    inputs = model_params(name)
    for key in SLIDERS:
        spec = inputs[key]
        assert spec["min"] <= spec["value"] <= spec["max"]
    view = MirrorView(**untouched_sliders(name))
    assert view.refused is None
    scenario = scenarios.load(name)
    assert view.params == scenario.params
    # The model adds the events its schedule parameters ask for (growth, a new allele, a crash).
    expected = (*scenario.events, *scheduled_events(scenario.params))
    assert view.events == tuple(sorted(expected, key=lambda e: e.generation))


def test_picker_offers_the_hypothesis_scenarios_not_the_validation_cases():
    offered = view_scenarios()
    assert offered[0] == "default"
    assert {"coevolution", "fixed_low", "fixed_high", "genetic_upgrade", "associative", "demography",
            "tasmania"} <= set(offered)
    assert not {"henrich", "naming_game", "rogers"} & set(offered)


def test_slider_values_go_through_params():
    view = MirrorView(scenario_name="coevolution", seed="11", population=120, camps_x=3,
                      mirror_cost=0.2)
    assert view.refused is None and view.seed_used == 11
    expected = Params.from_mapping({"population": 120, "camps_x": 3, "mirror_cost": 0.2},
                                   base=scenarios.load("coevolution").params)
    assert view.params == expected
    assert view.last_row["population"] == 120


def params_error(values: dict) -> str:
    with pytest.raises(UsageError) as error:
        Params.from_mapping(values, base=scenarios.load("default").params)
    return str(error.value)


def seed_error(raw: str) -> str:
    with pytest.raises(UsageError) as error:
        parse_seed(raw)
    return str(error.value)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"population": 3, "camps_x": 2, "camps_y": 2},
     params_error({"population": 3, "camps_x": 2, "camps_y": 2})),
    ({"mirror_initial": 1.5}, params_error({"mirror_initial": 1.5})),
    ({"seed": "abc"}, seed_error("abc")),
    ({"seed": "-4"}, seed_error("-4")),
])
def test_a_refused_value_is_not_run_and_says_why(kwargs, message):
    view = MirrorView(**kwargs)
    assert view.refused == message  # the same line the command line prints
    assert view.params == scenarios.load("default").params and view.seed_used == 0
    view.step()  # the page keeps working
    assert view.generation == 1


def test_refusal_messages_name_the_problem():
    assert "population=3 is smaller than the 4 camps" in params_error(
        {"population": 3, "camps_x": 2, "camps_y": 2})
    assert seed_error("abc").startswith("bad seed 'abc'; valid: an integer in [0, ")


def test_camp_measures_agree_with_the_generation_row():
    view = MirrorView(scenario_name="default", seed=5, camps_x=3, camps_y=2, population=180)
    for _ in range(30):
        view.step()
    camps, row = camp_measures(view), view.last_row
    size = camps["size"]
    assert size.sum() == row["population"] and size.shape == (6,)
    weight = size / size.sum()
    for key, column in (("mirror", "mirror_mean"), ("tools", "tool_complexity"),
                        ("coherence", "lexicon_coherence")):
        assert np.nansum(camps[key] * weight) == pytest.approx(row[column], rel=1e-12)


def test_the_conventions_plot_switches_to_expressivity_when_rows_carry_it():
    class WithExpressivity(MirrorView):
        def record(self):
            return {**super().record(), "expressivity": 0.25}

    view = WithExpressivity()
    view.step()
    assert view.convention_measure == "expressivity"
    assert view.datacollector.get_model_vars_dataframe()["expressivity"].tolist() == [0.25, 0.25]
    assert PlotsCanvas(view).draw(view).axes[3].get_title() == "expressivity"
    plain = MirrorView()
    expected = "expressivity" if "expressivity" in plain.last_row else "lexicon_coherence"
    assert plain.convention_measure == expected


def png_size(figure) -> int:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=40)
    return buffer.tell()


def test_figures_draw_every_measure_as_the_run_goes_on():
    view = MirrorView(camps_x=3, camps_y=1, population=90)
    plots, camps = PlotsCanvas(view), CampsCanvas(view)  # one canvas per model, as on the page
    for steps in (0, 1, 40):
        for _ in range(steps):
            view.step()
        figure = plots.draw(view)
        assert png_size(figure) > 1000  # drawing at generation 0 (no tools yet) must not fail
        axes = figure.axes
        assert [ax.get_title() for ax in axes[:3]] == [
            "genetic mirror strength", "tool complexity (components, log)", "gesture success"]
        assert axes[1].get_yscale() == "log"
        generations = plots.lines["mirror_mean"].get_xdata()
        assert generations.tolist() == list(range(view.generation + 1))
        assert axes[0].get_xlim() == (0, max(1, view.generation))
        for ax, column in ((axes[1], "tool_complexity"), (axes[3], view.convention_measure)):
            shown = plots.lines[column].get_ydata()
            if np.isfinite(shown).any():  # every point inside the axis, which follows the data
                low, high = ax.get_ylim()
                top = np.nanmax(shown)
                assert low <= np.nanmin(shown) and top <= high <= max(top * 1.3, top + 0.1)
        for measure in CAMP_MEASURES:
            figure = camps.draw(view, measure)
            assert png_size(figure) > 1000
            ax = figure.axes[0]
            image = ax.get_images()[0].get_array()
            assert image.shape == (1, 3)  # rows y, columns x
            assert not np.ma.getmaskarray(image).any()  # every camp is occupied
            labels = [t.get_text() for t in ax.texts]
            assert sum(int(t.split("\n")[0][2:]) for t in labels) == view.last_row["population"]


def test_view_command_refuses_a_bad_port(capsys):
    assert run.main(["view", "--port", "70000"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "error: bad --port 70000; valid: an integer in [0, 65535]"]


def test_view_shows_a_given_scenario_first_and_refuses_one_without_tools(capsys, monkeypatch,
                                                                        tmp_path):
    from viz.model import FIRST_ENV

    monkeypatch.setenv(FIRST_ENV, "")  # restored after the command sets it
    assert run.main(["view", "henrich"]) == 2
    assert "scenario 'henrich' has no tools and gestures to show" in capsys.readouterr().err
    assert run.main(["view", "nosuch"]) == 2
    mine = tmp_path / "mine.toml"
    mine.write_text((scenarios.SCENARIO_DIR / "fixed_low.toml").read_text())
    monkeypatch.setenv(FIRST_ENV, str(mine))
    offered = view_scenarios()
    assert offered[:2] == [str(mine), "default"]
    assert MirrorView(scenario_name=str(mine)).params == scenarios.load("fixed_low").params


def test_the_model_layer_never_imports_viz():
    for path in (Path(__file__).parent.parent / "evo").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n == "viz" or n.startswith("viz.") for n in names), path

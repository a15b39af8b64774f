"""The browser page: `solara run viz/app.py` (or `python run.py view`).

Mesa's SolaraViz with Step, Play and Reset, sliders for the parameters that matter most and the
seed, the per-generation plots and the map of camps. Choosing a scenario loads it with its own
values (the sliders move to them); Reset rebuilds the model from the sliders.
"""

from __future__ import annotations

import solara
from mesa.visualization import SolaraViz

import scenarios
from viz.components import CampMap, Plots
from viz.model import SLIDERS, MirrorView, first_scenario, view_scenarios

# Slider ranges (lo, hi, step); a scenario whose own value lies outside widens the range.
SLIDER_RANGES = {
    "population": (10, 2000, 10),
    "camps_x": (1, 10, 1),
    "camps_y": (1, 10, 1),
    "migration_rate": (0.0, 0.2, 0.005),
    "mirror_cost": (0.0, 0.5, 0.01),
    "mirror_initial": (0.0, 1.0, 0.01),
    "mutation_rate": (0.0, 0.1, 0.005),
    "alpha": (0.0, 20.0, 0.5),
    "gesture_episodes": (0.0, 40.0, 1.0),
}


def model_params(scenario_name: str) -> dict:
    """SolaraViz inputs: the scenario (fixed), the seed (text) and one slider per parameter.

    Each slider starts at the scenario's own value.
    """
    params = scenarios.load(scenario_name).params
    inputs: dict = {"scenario_name": scenario_name,
                    "seed": {"type": "InputText", "value": "0", "label": "seed"}}
    for name in SLIDERS:
        lo, hi, step = SLIDER_RANGES[name]
        value = getattr(params, name)
        kind = "SliderInt" if isinstance(value, int) else "SliderFloat"
        inputs[name] = {"type": kind, "value": value, "min": min(lo, value), "max": max(hi, value),
                        "step": step, "label": name}
    return inputs


@solara.component
def Page():
    """The scenario picker above SolaraViz; a new scenario remounts SolaraViz with its values."""
    scenario_name, set_scenario_name = solara.use_state(first_scenario())
    model = solara.use_memo(lambda: solara.reactive(MirrorView(scenario_name=scenario_name)),
                            [scenario_name])
    with solara.Sidebar(), solara.Card("Scenario"):
        solara.Select("scenario", value=scenario_name, values=view_scenarios(),
                      on_value=set_scenario_name)
        solara.Text(scenarios.load(scenario_name).summary)  # Markdown would fetch KaTeX
    SolaraViz(
        model,
        components=[Plots, CampMap],
        model_params=model_params(scenario_name),
        name="mirrorleap: mirror strength, tools and gestures",
    ).key(scenario_name)

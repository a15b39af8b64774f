"""The page's pictures: the per-generation plots and the camps coloured by a chosen measure.

Each is a Solara component taking the model; `update_counter` (Mesa's signal after Step, Play and
Reset) makes them redraw. Figures are `matplotlib.figure.Figure` objects, not pyplot, so drawing is
safe from SolaraViz's play thread. The numbers drawn come from pure functions (`camp_measures`,
the DataCollector's table) that tests check apart from the drawing.
"""

from __future__ import annotations

import math

import numpy as np
import solara
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from mesa.visualization.utils import update_counter

from evo.kernels import preferred_variants
from evo.metrics import lexicon_measures
from viz.model import SLIDERS, MirrorView

_PLAIN = FuncFormatter(lambda value, _: f"{value:g}")

CAMP_MEASURES = {
    "mean mirror strength": "mirror",
    "tool complexity": "tools",
    "lexicon coherence": "coherence",
}


def camp_measures(model: MirrorView) -> dict[str, np.ndarray]:
    """Per camp (index c = x * camps_y + y): size and the mean of each measure (NaN when empty).

    `mirror` is the mean genetic mirror strength, `tools` the mean number of tool components
    commanded (`evo.metrics`' tool_complexity within the camp), `coherence` the camp's lexicon
    coherence (`evo.metrics.lexicon_measures` over its members).
    """
    st, p = model.state, model.params
    slots = st.alive_slots()
    camp = st.group[slots]
    size = np.bincount(camp, minlength=p.n_camps).astype(np.int64)
    occupied = size > 0

    def mean_by_camp(values: np.ndarray) -> np.ndarray:
        out = np.full(p.n_camps, np.nan)
        out[occupied] = np.bincount(camp, values, minlength=p.n_camps)[occupied] / size[occupied]
        return out

    tools = np.full(p.n_camps, np.nan)
    if st.skill.shape[1] > 0:
        tools = mean_by_camp(np.maximum(st.skill[slots], 0.0).sum(axis=1) / p.skill_step)
    coherence = np.full(p.n_camps, np.nan)
    if st.gestures.shape[1] > 0 and slots.size:
        preferred = preferred_variants(st.gestures, st.scores, st.n_known, slots)
        for c in np.flatnonzero(occupied):
            inside = camp == c
            coherence[c] = lexicon_measures(preferred[inside], camp[inside])[1]
    return {"size": size, "mirror": mean_by_camp(st.g_mirror[slots]), "tools": tools,
            "coherence": coherence}


def plots_figure(model: MirrorView) -> Figure:
    """Four panels over generations: mirror strength (mean +/- SD), tools (log), gestures."""
    table = model.datacollector.get_model_vars_dataframe()
    gen = table["generation"].to_numpy()
    style = {"marker": "o", "markersize": 3} if gen.size < 3 else {}  # a lone point shows too
    fig = Figure(figsize=(8.0, 5.6))
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.09, top=0.94, wspace=0.22, hspace=0.25)
    axes = fig.subplots(2, 2, sharex=True)
    mirror, tools, success, convention = axes.flat

    mean, sd = table["mirror_mean"].to_numpy(), table["mirror_sd"].to_numpy()
    mirror.fill_between(gen, mean - sd, mean + sd, color="tab:purple", alpha=0.25, label="± SD")
    mirror.plot(gen, mean, color="tab:purple", label="mean", **style)
    mirror.set(title="genetic mirror strength", ylim=(0, 1))
    mirror.legend(loc="upper left", fontsize="small")

    complexity = table["tool_complexity"].to_numpy()
    positive = complexity > 0
    tools.plot(gen[positive], complexity[positive], color="tab:brown", **style)
    tools.set_title("tool complexity (components, log)")
    if not np.isnan(complexity).all():
        tools.set_yscale("log")
        tools.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))  # labels within a decade
        tools.yaxis.set_major_formatter(_PLAIN)  # mathtext labels (10^k) cost a third of a frame
        tools.yaxis.set_minor_formatter(NullFormatter())
    else:
        tools.text(0.5, 0.5, "no tools in this scenario", ha="center", transform=tools.transAxes)

    success.plot(gen, table["gesture_success"].to_numpy(), color="tab:blue", **style)
    success.set(title="gesture success", ylim=(0, 1))

    measure = model.convention_measure
    convention.plot(gen, table[measure].to_numpy(), color="tab:green", **style)
    convention.set_title(measure.replace("_", " "))
    convention.set_ylim(bottom=0)
    for ax in axes[1]:
        ax.set_xlabel("generation")
    for ax in axes.flat:
        ax.set_xlim(0, max(1, int(gen[-1])))
        ax.grid(alpha=0.3)
    return fig


def camps_figure(model: MirrorView, measure: str) -> Figure:
    """The grid of camps coloured by `measure` (a key of CAMP_MEASURES), each with its size."""
    p = model.params
    values = camp_measures(model)
    key = CAMP_MEASURES[measure]
    grid = values[key].reshape(p.camps_x, p.camps_y).T  # rows: y, columns: x
    sizes = values["size"].reshape(p.camps_x, p.camps_y).T
    fig = Figure(figsize=(5.2, 4.4))
    fig.subplots_adjust(left=0.12, right=0.98, bottom=0.11, top=0.93)
    ax = fig.subplots()
    bounded = key in ("mirror", "coherence")
    cmap = colormaps["viridis"].with_extremes(bad="lightgrey")  # grey: an empty camp
    image = ax.imshow(np.ma.masked_invalid(grid), origin="lower", cmap=cmap,
                      vmin=0 if bounded else None, vmax=1 if bounded else None)
    fig.colorbar(image, ax=ax, label=measure, shrink=0.85)
    for (y, x), value in np.ndenumerate(grid):
        text = f"n={sizes[y, x]}" + ("" if math.isnan(value) else f"\n{value:.3g}")
        ax.text(x, y, text, ha="center", va="center", fontsize=9, color="white",
                bbox={"facecolor": "black", "alpha": 0.35, "pad": 1.5, "linewidth": 0})
    ax.set(xticks=range(p.camps_x), yticks=range(p.camps_y), xlabel="camp x", ylabel="camp y",
           title=f"camps at generation {model.generation}")
    return fig


def status_text(model: MirrorView) -> str:
    """What runs: scenario, seed, generation, people, and the slider parameters' values."""
    p = model.params
    values = ", ".join(f"{name} {getattr(p, name):g}" for name in SLIDERS)
    return (f"scenario {model.scenario_name} · seed {model.seed_used} · generation "
            f"{model.generation} of {p.generations} · {model.last_row['population']} people · "
            f"{values}")


@solara.component
def Status(model: MirrorView):
    """The status line; above it, when a value was refused, why."""
    update_counter.get()
    if model.refused:
        solara.Error(f"refused: {model.refused}. Showing scenario {model.scenario_name} with its "
                     "own values and seed 0; fix the value and press Reset.")
    solara.Text(status_text(model))


@solara.component
def Plots(model: MirrorView):
    """The status line and the per-generation plots."""
    update_counter.get()
    with solara.Column():
        Status(model)
        solara.FigureMatplotlib(plots_figure(model), format="png", dpi=80,
                                dependencies=[update_counter.value, model])


@solara.component
def CampMap(model: MirrorView):
    """The camps coloured by a measure chosen on the card, each labelled with its size."""
    update_counter.get()
    measure = solara.use_reactive(next(iter(CAMP_MEASURES)))
    with solara.Column():
        solara.Select("colour camps by", value=measure, values=list(CAMP_MEASURES))
        solara.FigureMatplotlib(camps_figure(model, measure.value), format="png", dpi=80,
                                dependencies=[update_counter.value, model, measure.value])

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

from evo.core.kernels import preferred_variants
from evo.core.metrics import lexicon_measures
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
    commanded (`evo.core.metrics`' tool_complexity within the camp), `coherence` the camp's lexicon
    coherence (`evo.core.metrics.lexicon_measures` over its members).
    """
    st, p = model.state, model.params
    slots = st.alive_slots()
    camp = st.camp[slots]
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
        preferred = preferred_variants(st, slots)
        for c in np.flatnonzero(occupied):
            inside = camp == c
            coherence[c] = lexicon_measures(preferred[inside], camp[inside])[1]
    return {"size": size, "mirror": mean_by_camp(st.g_mirror[slots]), "tools": tools,
            "coherence": coherence}


def _padded_range(values: np.ndarray, log: bool = False) -> tuple[float, float]:
    """Axis limits around the finite values (positive ones on a log axis), with a margin."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values) & (values > 0 if log else True)]
    if finite.size == 0:
        return (1.0, 10.0) if log else (0.0, 1.0)
    low, high = float(finite.min()), float(finite.max())
    if log:
        return low / 1.25, high * 1.25
    margin = 0.05 * (high - low) or 0.05 * abs(high) or 0.05
    return low - margin, high + margin


class PlotsCanvas:
    """Four panels over generations: mirror strength (mean +/- SD), tools (log), gestures.

    Axes and lines are made once per model; each frame only sets their data, which halves the
    cost of a frame against building the figure anew.
    """

    def __init__(self, model: MirrorView) -> None:
        self.figure = Figure(figsize=(8.0, 5.6))
        self.figure.subplots_adjust(left=0.08, right=0.98, bottom=0.09, top=0.94, wspace=0.22,
                                    hspace=0.25)
        axes = self.figure.subplots(2, 2, sharex=True)
        self.axes = axes.flat
        mirror, tools, success, convention = axes.flat
        self.band = mirror.fill_between([], [], [], color="tab:purple", alpha=0.25, label="± SD")
        self.lines = {
            "mirror_mean": mirror.plot([], [], color="tab:purple", label="mean")[0],
            "tool_complexity": tools.plot([], [], color="tab:brown")[0],
            "gesture_success": success.plot([], [], color="tab:blue")[0],
            model.convention_measure: convention.plot([], [], color="tab:green")[0],
        }
        mirror.set(title="genetic mirror strength", ylim=(0, 1))
        mirror.legend(loc="upper left", fontsize="small")
        tools.set_title("tool complexity (components, log)")
        if model.params.lineages > 0:
            tools.set_yscale("log")
            tools.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))  # labels in a decade
            tools.yaxis.set_major_formatter(_PLAIN)  # mathtext labels (10^k) cost a third
            tools.yaxis.set_minor_formatter(NullFormatter())
        else:
            tools.text(0.5, 0.5, "no tools in this scenario", ha="center",
                       transform=tools.transAxes)
        success.set(title="gesture success", ylim=(0, 1))
        convention.set_title(model.convention_measure.replace("_", " "))
        for ax in axes[1]:
            ax.set_xlabel("generation")
        for ax in axes.flat:
            ax.grid(alpha=0.3)

    def draw(self, model: MirrorView) -> Figure:
        """The figure with the DataCollector's table up to the current generation."""
        table = model.datacollector.get_model_vars_dataframe()
        gen = table["generation"].to_numpy()
        marker = "o" if gen.size < 3 else "None"  # a lone point shows too
        for column, line in self.lines.items():
            values = table[column].to_numpy(dtype=float)
            if column == "tool_complexity":
                values = np.where(values > 0, values, np.nan)  # log axis
            line.set_data(gen, values)
            line.set_marker(marker)
            line.set_markersize(3)
        mean, sd = table["mirror_mean"].to_numpy(), table["mirror_sd"].to_numpy()
        self.band.remove()
        self.band = self.axes[0].fill_between(gen, mean - sd, mean + sd, color="tab:purple",
                                              alpha=0.25)
        tools, convention = self.axes[1], self.axes[3]
        tools.set_ylim(*_padded_range(self.lines["tool_complexity"].get_ydata(), log=True))
        convention.set_ylim(0.0, _padded_range(self.lines[model.convention_measure].get_ydata())[1])
        self.axes[0].set_xlim(0, max(1, int(gen[-1])))  # shared by all four
        return self.figure


class CampsCanvas:
    """The grid of camps coloured by a measure, each labelled with its size and value.

    Made once per model (the grid's shape is fixed); each frame sets the colours and labels.
    """

    def __init__(self, model: MirrorView) -> None:
        p = model.params
        self.shape = (p.camps_x, p.camps_y)
        self.figure = Figure(figsize=(5.2, 4.4))
        self.figure.subplots_adjust(left=0.12, right=0.98, bottom=0.11, top=0.93)
        self.ax = self.figure.subplots()
        cmap = colormaps["viridis"].with_extremes(bad="lightgrey")  # grey: an empty camp
        self.image = self.ax.imshow(np.full(self.shape[::-1], np.nan), origin="lower", cmap=cmap)
        self.colorbar = self.figure.colorbar(self.image, ax=self.ax, shrink=0.85)
        self.labels = {
            (y, x): self.ax.text(x, y, "", ha="center", va="center", fontsize=9, color="white",
                                 bbox={"facecolor": "black", "alpha": 0.35, "pad": 1.5,
                                       "linewidth": 0})
            for y in range(p.camps_y) for x in range(p.camps_x)
        }
        self.ax.set(xticks=range(p.camps_x), yticks=range(p.camps_y), xlabel="camp x",
                    ylabel="camp y")

    def draw(self, model: MirrorView, measure: str) -> Figure:
        """The figure coloured by `measure` (a key of CAMP_MEASURES) at the current generation."""
        values = camp_measures(model)
        key = CAMP_MEASURES[measure]
        grid = values[key].reshape(self.shape).T  # rows: y, columns: x
        sizes = values["size"].reshape(self.shape).T
        self.image.set_data(np.ma.masked_invalid(grid))
        if key in ("mirror", "coherence"):
            self.image.set_clim(0.0, 1.0)
        elif np.isfinite(grid).any():
            low, high = np.nanmin(grid), np.nanmax(grid)
            self.image.set_clim(low, high if high > low else low + 1.0)
        self.colorbar.set_label(measure)
        for (y, x), value in np.ndenumerate(grid):
            self.labels[y, x].set_text(
                f"n={sizes[y, x]}" + ("" if math.isnan(value) else f"\n{value:.3g}")
            )
        self.ax.set_title(f"camps at generation {model.generation}")
        return self.figure


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
    canvas = solara.use_memo(lambda: PlotsCanvas(model), [model])
    with solara.Column():
        Status(model)
        solara.FigureMatplotlib(canvas.draw(model), format="png", dpi=80,
                                dependencies=[update_counter.value, model])


@solara.component
def CampMap(model: MirrorView):
    """The camps coloured by a measure chosen on the card, each labelled with its size."""
    update_counter.get()
    measure = solara.use_reactive(next(iter(CAMP_MEASURES)))
    canvas = solara.use_memo(lambda: CampsCanvas(model), [model])
    with solara.Column():
        solara.Select("colour camps by", value=measure, values=list(CAMP_MEASURES))
        solara.FigureMatplotlib(canvas.draw(model, measure.value), format="png", dpi=80,
                                dependencies=[update_counter.value, model, measure.value])

"""The model against Kline & Boyd's (2010) Oceanic tool counts, in the world the accounts run in.

Each society is one camp of the accounts' world (scenario `coevolution`: its tool lineages,
demonstrator rule, learning budget, gestures and teaching) at the state every account reaches: the
genetic mirror held at `END_MIRROR`, no mutation. Its count is `tool_types` (lineages whose best
holder has at least `tool_type_skill` components) after `generations` generations, times
`TOOLS_PER_TYPE`. The calibrated parameters, `alpha` (copying loss at mirror 0; the loss at the
end state is alpha * (1 - mirror_gain * END_MIRROR)) and `difficulty_spread`, are the world's
own: the scenarios take their values from the posterior. Our assumptions, stated:

- learners = round(census / (scale * exp(scale_sd * z))), z standard normal per society and
  simulation, at least 2: one model learner stands for about `scale` people, and how many people
  pool their expertise varies among societies (contact, density, ecology: Kline & Boyd's contact
  effect is one such source), lognormally with SD `scale_sd`; both are unknown, so calibrated;
- each of the world's lineages stands for `TOOLS_PER_TYPE` of Kline & Boyd's tool types (80
  possible types over the world's 16 lineages: Hawaii's 71 is reachable);
- contact between islands is not modelled (one isolated camp per society), so the model's fit is
  compared with the population-only regression.

The runnable part lives here and writes tables; `analysis.kline_boyd` reads them (fits, figure).
ABC-SMC uses pyabc (Klinger, Rickert & Hasenauer 2018) with a single-core sampler; the distance
between two sets of counts is the Euclidean distance of their square roots (the variance-
stabilising transform of Poisson counts), zero only when every society's count agrees.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

from evo.errors import UsageError
from evo.run.runner import resolve_params, simulate
from evo.run.sweep.seeds import spawn_run_seeds

DATA = Path(__file__).resolve().parents[2] / "data" / "kline_boyd_2010.csv"
SCENARIO = "coevolution"
#: The genetic mirror strength every account ends at in the trial's world (final `mirror_mean` of
#: its coevolution runs, 0.92-0.96): the modern minds of the ethnographic record, scenario `modern`.
END_MIRROR = resolve_params("modern").mirror_initial
#: Kline & Boyd tool types per model lineage (80 possible types over the world's lineages).
TOOLS_PER_TYPE = 80 / resolve_params(SCENARIO).lineages
#: Uniform priors (low, high) of the four calibrated parameters.
PRIORS = {"alpha": (12.0, 40.0), "spread": (0.5, 1.5), "log10_scale": (1.5, 3.0),
          "scale_sd": (0.0, 1.0)}


def load_societies(path: Path | str = DATA) -> pl.DataFrame:
    """The ten societies: culture, population (census), contact, total_tools."""
    return pl.read_csv(path, comment_prefix="#")


def learners(census: Sequence[float], scale: float, shifts: Sequence[float] | None = None) -> list[int]:
    """Model learners per society: round(census / (scale * exp(shift))), at least 2 (our mapping)."""
    shifts = [0.0] * len(census) if shifts is None else shifts
    return [max(2, round(c / (scale * np.exp(d)))) for c, d in zip(census, shifts, strict=True)]


def society_shifts(seed: int, n: int, scale_sd: float) -> np.ndarray:
    """Each society's log shift of people per learner, scale_sd * z, z ~ N(0, 1) from `seed`."""
    return scale_sd * np.random.default_rng(seed).standard_normal(n)


def simulate_societies(census: Sequence[float], alpha: float, spread: float, scale: float,
                       seed: int, generations: int = 80, mirror: float = END_MIRROR,
                       scale_sd: float = 0.0) -> np.ndarray:
    """Tool types each society sustains at the last generation (one run per society).

    Each society is one isolated camp of the accounts' world with the genetic mirror held at
    `mirror`; multiply by `TOOLS_PER_TYPE` to compare with Kline & Boyd's counts.
    """
    seeds = spawn_run_seeds(seed, len(census) + 1)
    sizes = learners(census, scale, society_shifts(seeds[-1], len(census), scale_sd))
    out = []
    for n, s in zip(sizes, seeds[:-1], strict=True):
        result = simulate(SCENARIO, seed=s, generations=generations, record_every="final",
                          overrides={"population": n, "camps_x": 1, "camps_y": 1,
                                     "migration_rate": 0.0, "mirror_initial": mirror,
                                     "mirror_initial_sd": 0.0, "mutation_rate": 0.0,
                                     "alpha": alpha, "difficulty_spread": spread})
        out.append(int(result.table["tool_types"][-1]))
    return np.asarray(out, float)


def distance(simulated_types: np.ndarray, observed: np.ndarray) -> float:
    """Euclidean distance of square-root counts, the model's types scaled to tool types.

    Zero only when every society's count agrees.
    """
    tools = TOOLS_PER_TYPE * np.asarray(simulated_types, float)
    return float(np.sqrt(np.sum((np.sqrt(tools) - np.sqrt(observed)) ** 2)))


def elasticity_grid(census: Sequence[float], alphas: Sequence[float], spreads: Sequence[float],
                    scales: Sequence[float], seeds: int, generations: int,
                    root_seed: int = 2010) -> pl.DataFrame:
    """One row per (alpha, spread, scale, seed, society): learners and tool types sustained."""
    rows = []
    points = [(a, s, sc) for a in alphas for s in spreads for sc in scales]
    for i, (alpha, spread, scale) in enumerate(points):
        for seed in spawn_run_seeds(root_seed + i, seeds):
            tools = simulate_societies(census, alpha, spread, scale, seed, generations)
            for c, n, t in zip(census, learners(census, scale), tools, strict=True):
                rows.append({"alpha": alpha, "spread": spread, "scale": scale, "seed": seed,
                             "population": float(c), "learners": n, "tool_types": int(t),
                             "tools": TOOLS_PER_TYPE * float(t)})
    return pl.DataFrame(rows)


def abc_smc(observed: np.ndarray, census: Sequence[float], *, particles: int, populations: int,
            max_simulations: int, generations: int, root_seed: int, db: Path,
            priors: dict[str, tuple[float, float]] = PRIORS,
            fixed: dict[str, float] | None = None) -> pl.DataFrame:
    """ABC-SMC posterior (pyabc): one row per particle of every SMC population, with its weight.

    Columns: t (SMC population), the parameters of `priors`, weight, epsilon. Parameters of
    `PRIORS` not in `priors` take their value from `fixed` (scale_sd: 0 unless given). pyabc draws from
    numpy's global generator, seeded here with `root_seed`, and each simulation draws its model
    seed from it, so a run is reproducible.
    """
    import pyabc

    logging.getLogger("ABC").setLevel(logging.WARNING)
    logging.getLogger("pyabc").setLevel(logging.WARNING)
    np.random.seed(root_seed)  # noqa: NPY002 (pyabc draws from the legacy global generator)
    prior = pyabc.Distribution(**{k: pyabc.RV("uniform", lo, hi - lo)
                                  for k, (lo, hi) in priors.items()})

    held = {"scale_sd": 0.0, **(fixed or {})}

    def model(par):
        seed = int(np.random.randint(0, 2**31 - 1))  # noqa: NPY002 (the same generator)
        value = {k: float(par[k]) if k in par else held[k] for k in PRIORS}
        return {"tools": simulate_societies(census, value["alpha"], value["spread"],
                                            10.0 ** value["log10_scale"], seed, generations,
                                            scale_sd=value["scale_sd"])}

    abc = pyabc.ABCSMC(model, prior, lambda x, y: distance(x["tools"], y["tools"]),
                       population_size=particles,
                       sampler=pyabc.sampler.SingleCoreSampler(check_max_eval=True))
    abc.new(f"sqlite:///{db}", {"tools": np.asarray(observed, float)})
    history = abc.run(max_nr_populations=populations, max_total_nr_simulations=max_simulations)
    epsilons = history.get_all_populations().set_index("t")["epsilon"].to_dict()
    frames = []
    for t in range(history.max_t + 1):
        df, w = history.get_distribution(m=0, t=t)
        frames.append(pl.DataFrame({"t": [t] * len(w), **{k: df[k].to_numpy() for k in priors},
                                    "weight": np.asarray(w, float),
                                    "epsilon": [float(epsilons[t])] * len(w)}))
    return pl.concat(frames)


def posterior_predictive(posterior: pl.DataFrame, census: Sequence[float], cultures: Sequence[str],
                         draws: int, generations: int, root_seed: int) -> pl.DataFrame:
    """Counts simulated at `draws` particles resampled (by weight) from the last population."""
    last = posterior.filter(pl.col("t") == posterior["t"].max())
    rng = np.random.default_rng(root_seed)
    w = last["weight"].to_numpy()
    picks = rng.choice(last.height, size=draws, p=w / w.sum())
    rows = []
    for d, (i, seed) in enumerate(zip(picks, spawn_run_seeds(root_seed, draws), strict=True)):
        p = last.row(int(i), named=True)
        tools = simulate_societies(census, p["alpha"], p["spread"], 10.0 ** p["log10_scale"], seed,
                                   generations, scale_sd=p.get("scale_sd", 0.0))
        rows += [{"draw": d, "culture": c, "population": float(n), "tool_types": int(t),
                  "tools": TOOLS_PER_TYPE * float(t)}
                 for c, n, t in zip(cultures, census, tools, strict=True)]
    return pl.DataFrame(rows)


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Write elasticity.parquet, posterior.parquet, predictive.parquet and calibrate.json."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if not Path(args.data).is_file():
        raise UsageError(f"no data file {args.data!r}; valid: a CSV like data/kline_boyd_2010.csv")
    data = load_societies(args.data)
    census = data["population"].cast(pl.Float64).to_list()
    observed = data["total_tools"].cast(pl.Float64).to_numpy()
    quick = args.quick
    settings = {"generations": 80, "scenario": SCENARIO, "end_mirror": END_MIRROR,
                "tools_per_type": TOOLS_PER_TYPE, "root_seed": 2010,
                "grid_alpha": [16.0, 24.0, 32.0], "grid_spread": [0.75, 1.0, 1.25],
                "grid_scale": [100.0, 300.0], "grid_seeds": 1,
                "particles": 12 if quick else 40, "populations": 2 if quick else 4,
                "max_simulations": 40 if quick else 320, "predictive_draws": 10 if quick else 50,
                "priors": PRIORS}
    started = time.perf_counter()
    g = settings["generations"]
    grid = elasticity_grid(census, settings["grid_alpha"], settings["grid_spread"],
                           settings["grid_scale"], settings["grid_seeds"], g, settings["root_seed"])
    grid.write_parquet(out / "elasticity.parquet")
    settings["elasticity_s"] = round(time.perf_counter() - started, 1)
    with tempfile.TemporaryDirectory() as tmp:
        posterior = abc_smc(observed, census, particles=settings["particles"],
                            populations=settings["populations"],
                            max_simulations=settings["max_simulations"], generations=g,
                            root_seed=settings["root_seed"], db=Path(tmp) / "abc.db")
    posterior.write_parquet(out / "posterior.parquet")
    settings["abc_s"] = round(time.perf_counter() - started - settings["elasticity_s"], 1)
    predictive = posterior_predictive(posterior, census, data["culture"].to_list(),
                                      settings["predictive_draws"], g, settings["root_seed"] + 1)
    predictive.write_parquet(out / "predictive.parquet")
    settings["wall_time_s"] = round(time.perf_counter() - started, 1)
    (out / "calibrate.json").write_text(json.dumps(settings, indent=2) + "\n")
    print(f"calibration tables in {out} ({settings['wall_time_s']:.0f} s; "
          f"{posterior['t'].max() + 1} SMC populations, final epsilon "
          f"{posterior['epsilon'].min():.3g})")
    return 0

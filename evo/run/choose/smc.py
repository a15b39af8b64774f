"""ABC-SMC model choice with pyabc: the samplers, a run that resumes from its database, its tables.

pyabc's ABCSMC with one model per account (Toni et al. 2009; Klinger, Rickert & Hasenauer 2018)
perturbs the model index between populations and gives each population's model probabilities.
The distance is pyabc's adaptive p-norm (p = 2) on summaries divided by their root mean square
deviation from the observed value over the last population's simulations (the standard deviation
and the bias together), re-weighted every population (Prangle 2017), so summaries on different
scales count alike. Not the median absolute deviation nor the standard deviation alone: a 0/1
summary such as ``leap`` has both 0 whenever the simulations agree, pyabc then drops it (weight
0), and a summary every particle gets wrong would stop counting. The acceptance threshold is
pyabc's default (the median distance of the last population).

Samplers: one core (`SingleCoreSampler`), several cores (`MulticoreEvalParallelSampler`, forked
worker processes), or a dask cluster (`DaskDistributedSampler`, one job per worker thread).

Determinism: every simulation is seeded from the run seed, the account and the drawn values
(`evo.run.choose.model.particle_seed`), so a particle's summaries are reproducible anywhere.
pyabc draws the particles themselves from numpy's global generator, seeded here with the run seed:
on one core (``--workers 1``) a whole run is reproducible; with several processes or dask workers
pyabc reseeds each worker from the OS and which particles are accepted first depends on timing,
so the probabilities differ by Monte Carlo error from run to run (the report measures that error).
A resumed run continues from the last stored population, with a fresh draw.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from evo.errors import UsageError
from evo.run.choose.model import AccountModel
from evo.run.choose.spec import ChoiceSpec

ENGINES = ("local", "dask")


def _quiet() -> None:
    for name in ("ABC", "pyabc", "Sampler", "Distance", "Epsilon", "Acceptor", "History",
                 "Population", "Transitions", "distributed"):
        logging.getLogger(name).setLevel(logging.WARNING)


@contextmanager
def open_sampler(engine: str, workers: int, address: str | None) -> Iterator[Any]:
    """A pyabc sampler for `engine`.

    local: `workers` cores; dask: the scheduler at `address`, or a LocalCluster of `workers`
    single-threaded processes when no address is given.
    """
    import pyabc

    _quiet()
    if engine == "local":
        if workers == 1:
            yield pyabc.sampler.SingleCoreSampler(check_max_eval=True)
        else:
            yield pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers, check_max_eval=True)
        return
    from distributed import Client, LocalCluster

    cluster = None
    if address is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        try:
            client = Client(address, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"cannot reach the dask scheduler at --address {address}: "
                             f"{exc}") from None
    try:
        slots = max(1, sum(client.nthreads().values()))
        yield pyabc.sampler.DaskDistributedSampler(dask_client=client, client_max_jobs=slots,
                                                   batch_size=1)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


#: The perturbation kernel's least SD per parameter, as a share of its prior's width.
KERNEL_FLOOR = 0.02


def floored_transition(widths: dict[str, float]):
    """Pyabc's multivariate normal perturbation with a least SD of `KERNEL_FLOOR` x prior width.

    A model left with one particle (or with particles alike in a parameter) has a sample
    covariance of 0: its kernel then gives new particles a density of 0 or infinity and the
    population's weights cannot be normalised (pyabc issue #614). The floor keeps every account
    able to move, as a small uniform jitter would: our assumption, 2 % of the prior's width.
    """
    import pyabc
    import scipy.stats as st

    class FlooredTransition(pyabc.MultivariateNormalTransition):
        def fit(self, X, w) -> None:
            super().fit(X, w)
            floor = np.array([widths[name] for name in X.columns]) * KERNEL_FLOOR
            self.cov = self.cov + np.diag(floor**2)
            self.normal = st.multivariate_normal(cov=self.cov, allow_singular=True)

    return FlooredTransition()


def build_abc(spec: ChoiceSpec, run_seed: int, sampler: Any):
    """The ABCSMC object: one model and one prior per account, adaptive p-norm distance."""
    import pyabc

    _quiet()
    models = [AccountModel(spec, i, run_seed) for i in range(len(spec.accounts))]
    priors = [pyabc.Distribution(**{p.name: pyabc.RV("uniform", p.start, p.width)
                                    for p in account.priors}) for account in spec.accounts]
    transitions = [floored_transition({p.name: p.width for p in account.priors})
                   for account in spec.accounts]
    distance = pyabc.distance.AdaptivePNormDistance(p=2, scale_function=pyabc.distance.rmsd)
    return pyabc.ABCSMC(models, priors, distance, population_size=spec.budget.particles,
                        sampler=sampler, transitions=transitions)


def stored_populations(db: Path) -> int:
    """SMC populations complete in the database `db` (0 if it holds none or does not exist)."""
    if not db.is_file():
        return 0
    import pyabc

    _quiet()
    try:
        history = pyabc.History(f"sqlite:///{db}", create=False)
        history.id = 1
        return max(0, int(history.max_t) + 1)
    except Exception:  # an empty or half-created database: nothing to continue from
        return 0


def run_choice(spec: ChoiceSpec, observed: dict[str, float], db: Path, run_seed: int,
               sampler: Any) -> None:
    """Run the choice into database `db`, continuing from its last population if it has one."""
    done = stored_populations(db)
    remaining = spec.budget.populations - done
    if remaining <= 0:
        return
    abc = build_abc(spec, run_seed, sampler)
    np.random.seed((run_seed + done) % 2**32)  # noqa: NPY002 (pyabc draws from the global one)
    if done:
        abc.load(f"sqlite:///{db}", 1)
    else:
        if db.exists():
            db.unlink()  # killed before its first population: start it again
        abc.new(f"sqlite:///{db}", {k: float(v) for k, v in observed.items()})
    abc.run(minimum_epsilon=spec.budget.min_epsilon, max_nr_populations=remaining,
            max_total_nr_simulations=spec.budget.max_simulations)


def _history(db: Path):
    import pyabc

    _quiet()
    history = pyabc.History(f"sqlite:///{db}", create=False)
    history.id = 1
    return history


def probabilities(spec: ChoiceSpec, db: Path) -> pl.DataFrame:
    """Every account's probability at every population (0 for an account no particle holds).

    Columns: account, probability, population, epsilon, simulations (of that population).
    """
    history = _history(db)
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0].set_index("t")
    rows = []
    for t in range(int(history.max_t) + 1):
        p = history.get_model_probabilities(t)["p"].to_dict()
        for m, name in enumerate(spec.names):
            rows.append({"account": name, "probability": float(p.get(m, 0.0)), "population": t,
                         "epsilon": float(pops.loc[t, "epsilon"]),
                         "simulations": int(pops.loc[t, "samples"])})
    return pl.DataFrame(rows, schema={"account": pl.String, "probability": pl.Float64,
                                      "population": pl.Int64, "epsilon": pl.Float64,
                                      "simulations": pl.Int64})


POSTERIOR_SCHEMA = {"account": pl.String, "population": pl.Int64, "particle": pl.Int64,
                    "weight": pl.Float64, "parameter": pl.String, "value": pl.Float64,
                    "label": pl.String}


def posterior(spec: ChoiceSpec, db: Path) -> pl.DataFrame:
    """Each account's weighted particles at every population, one row per parameter.

    `weight` is normalised within the account and population; `value` is the parameter value the
    model ran with (a choice prior's value is the index of the choice, `label` the choice itself).
    """
    history = _history(db)
    rows: dict[str, list] = {k: [] for k in POSTERIOR_SCHEMA}
    for t in range(int(history.max_t) + 1):
        for m, account in enumerate(spec.accounts):
            frame, weights = history.get_distribution(m=m, t=t)
            if len(weights) == 0:
                continue
            w = np.asarray(weights, float)
            w = w / w.sum()
            for prior in account.priors:
                for i, (x, wi) in enumerate(zip(frame[prior.name].to_numpy(), w, strict=True)):
                    v = prior.value(float(x))
                    index = prior.choices.index(v) if prior.kind == "choice" else v
                    rows["account"].append(account.name)
                    rows["population"].append(t)
                    rows["particle"].append(i)
                    rows["weight"].append(float(wi))
                    rows["parameter"].append(prior.name)
                    rows["value"].append(float(index))
                    rows["label"].append(str(v))
    return pl.DataFrame(rows, schema=POSTERIOR_SCHEMA)

"""Parameter sweeps: many seeded runs over a design, on a process pool or a dask cluster.

Command: ``python run.py sweep SPEC.toml --out DIR [--workers N] [--engine local|dask]
[--address HOST:PORT]``

Spec format (TOML)::

    description = "optional free text"
    scenario = ["coevolution", "fixed_low"]   # one name or a list: a design factor
    seeds = 20                 # replicates per scenario and design point (default 1)
    generations = 2000         # optional; default: each scenario's own
    root_seed = 12345          # optional; drawn and stored in sweep.json if absent
    record_every = 10          # optional: keep every 10th generation row (the first and the
                               # last always); "final": those two only; default: every row

    [set]                      # fixed overrides for every run (like --set NAME=VALUE)
    learning_episodes = 2

    [grid]                     # full factorial over the listed values ...
    mirror_cost = [0.01, 0.05]
    population = [100, 300]

    # ... or, instead of [grid], a space-filling sample drawn with SALib:
    # [sample]
    # method = "lhs"           # Latin hypercube: n points; or "sobol": n*(D+2) points
    # n = 64                   # (n*(2D+2) with second_order = true; n a power of 2)
    # [sample.ranges]
    # mirror_cost = [0.0, 0.1] # [low, high]; integer parameters are rounded
    # population = [100, 500]

Instead of ``scenario`` with a shared [grid] or [sample], each scenario may have its own design
(never both forms in one spec)::

    [designs.coevolution]      # keys: seeds, set (over the shared [set]), grid or sample
    grid = { mirror_cost = [0.02, 0.1] }
    seeds = 8
    [designs.fixed_low]        # no factor: one point

Neither table: one point (the scenarios with [set]). Runs are numbered scenario-major, then design
point, then replicate; run ``i`` gets the ``i``-th seed spawned from the root seed, so the results
do not depend on the engine or the worker count. Output in ``DIR``: ``runs.parquet`` (one row per
run), ``generations/*.parquet`` (every run's generation table with ``run_id``), ``sweep.json``
(spec, root seed, varied parameters, versions); see `evo.run.sweep.store` for the layout and the
resume rules.

Modules: `spec` (parse, check, design), `seeds`, `store` (atomic files, resume), `worker` (what a
worker runs), `scheduler` (task sizing), `engines` (local pool, dask), `core` (`run_sweep`), `cli`.
"""

from __future__ import annotations

import importlib
from typing import Any

# Exported lazily: a worker unpickling `evo.run.sweep.worker` must not import numpy, numba or polars
# before it has set its thread limits (see `evo.run.sweep.worker`).
_EXPORTS = {
    "SweepReport": "evo.run.sweep.core",
    "run_sweep": "evo.run.sweep.core",
    "SweepSpec": "evo.run.sweep.spec",
    "build_plan": "evo.run.sweep.spec",
    "load_spec": "evo.run.sweep.spec",
    "parse_spec": "evo.run.sweep.spec",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'evo.run.sweep' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)

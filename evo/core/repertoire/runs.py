"""One repertoire run: the cross-parameter checks and the state the kernels advance."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from evo.errors import UsageError

if TYPE_CHECKING:
    from evo.core.params import Params

from evo.core.repertoire.common import KOLODNY_COLUMNS, LL_COLUMNS, MAX_MAIN_TRAITS, SUM_TOLERANCE
from evo.core.repertoire.kolodny import kolodny_capacity, kolodny_init, kolodny_run
from evo.core.repertoire.lewis_laland import ll_rates, ll_run, ll_seed, ll_thresholds

# --- the run's state and the checks of its parameters ------------------------------------------


def check_repertoire_params(params: Params) -> None:
    """The repertoire models' cross-parameter rules; raises a one-line UsageError."""
    if params.repertoire_model == "lewis_laland":
        rates = ll_rates(params)
        if abs(sum(rates) - 1.0) > SUM_TOLERANCE:
            raise UsageError(
                f"ll_invention + ll_combination + ll_modification + ll_loss = {sum(rates):.10g}; "
                "valid: they sum to 1 (the chances of one time step's event, Lewis & Laland 2012)")
        if params.ll_modification + params.ll_loss <= 0.0:
            raise UsageError("ll_modification + ll_loss = 0 lets a full repertoire find no event; "
                             "valid: ll_modification + ll_loss > 0")
        if params.ll_initial_seeds > params.ll_seeds:
            raise UsageError(f"ll_initial_seeds={params.ll_initial_seeds} exceeds "
                             f"ll_seeds={params.ll_seeds}; valid: ll_initial_seeds <= ll_seeds")
        return
    if params.kolodny_loss > params.population:
        raise UsageError(f"kolodny_loss={params.kolodny_loss:g} above population="
                         f"{params.population} makes P_loss/N > 1; valid: kolodny_loss <= population")
    capacity = kolodny_capacity(params)
    if capacity > MAX_MAIN_TRAITS:
        raise UsageError(f"these Kolodny parameters allow about {capacity} main-axis traits; valid: "
                         f"at most {MAX_MAIN_TRAITS} (lower kolodny_invention or population, raise "
                         "kolodny_loss, or run fewer generations)")


class RepertoireRun:
    """The state of one repertoire run: the model's arrays, its stream, and the rows so far.

    `advance(steps)` runs the kernels to each time step in `steps` and returns their rows (an
    int64 array, columns `columns`). The state lives in plain arrays, as the kernels need.
    """

    def __init__(self, params: Params, rng: np.ndarray) -> None:
        self.params = params
        self.rng = rng
        self.step = 0
        self.overflow = 0
        if params.repertoire_model == "lewis_laland":
            self.columns = LL_COLUMNS
            self._init_lewis_laland()
        else:
            self.columns = KOLODNY_COLUMNS
            self._init_kolodny()

    def _init_lewis_laland(self) -> None:
        p = self.params
        capacity = p.ll_initial_seeds + p.generations
        self.masks = np.zeros(capacity, np.int64)
        self.levels = np.zeros(capacity, np.int64)
        self.mask_count = np.zeros(1 << p.ll_seeds, np.int64)
        self.seed_present = np.zeros(p.ll_seeds, np.int64)
        self.lineage_count = np.zeros(p.ll_seeds, np.int64)
        self.tally = np.zeros(4, np.int64)  # traits, level sum, seed traits present, seed sum
        self.thresholds = ll_thresholds(p)
        ll_seed(self.rng, self.masks, self.levels, self.mask_count, self.seed_present,
                self.lineage_count, self.tally, p.ll_initial_seeds)

    def _init_kolodny(self) -> None:
        p = self.params
        capacity, k_max = kolodny_capacity(p), p.kolodny_toolkit_max
        self.alive = np.zeros(capacity, np.uint8)
        self.ids = np.zeros(capacity, np.int64)
        self.kit_size = np.zeros(capacity, np.int64)
        self.kit = np.zeros((capacity, k_max), np.uint8)
        self.kit_count = np.zeros(capacity, np.int64)
        self.comb = np.zeros((capacity, capacity), np.uint8)
        self.owned = np.zeros(capacity, np.int64)
        self.order = np.zeros(capacity, np.int64)
        self.tally = np.zeros(5, np.int64)  # main, toolkit, combination traits, next id, overflow
        self.salt = np.zeros(1, np.uint64)
        most = capacity * (1 + k_max) + capacity * (capacity - 1) // 2
        self.hits = np.zeros(max(most, p.population), np.int64)
        self.targets = np.zeros((most, 3), np.int64)
        self.rates = np.array([p.kolodny_invention, p.kolodny_toolkit, p.kolodny_combination,
                               p.kolodny_useful, p.kolodny_selection_mean,
                               p.kolodny_loss / p.population], np.float64)
        kolodny_init(self.rng, self.salt)

    def advance(self, steps: np.ndarray) -> np.ndarray:
        """Run to each time step of `steps` (ascending, > the current one); their rows."""
        out = np.zeros((steps.size, len(self.columns)), np.int64)
        if self.params.repertoire_model == "lewis_laland":
            ll_run(self.rng, self.masks, self.levels, self.mask_count, self.seed_present,
                   self.lineage_count, self.tally, self.thresholds, self.step, steps, out)
        else:
            kolodny_run(self.rng, self.alive, self.ids, self.kit_size, self.kit, self.kit_count,
                        self.comb, self.owned, self.order, self.tally, self.salt,
                        self.params.population, self.rates, self.hits, self.targets, self.step,
                        steps, out)
            self.overflow = int(self.tally[4])
        if steps.size:
            self.step = int(steps[-1])
        return out

"""The changing world of a run: camp carrying capacities, local extinctions and which tools pay.

Each generation, before anyone reproduces (`World.advance`):
1. climate: camp c's capacity is its share of `population` times the factor
   f_c = clip(1 - climate_amplitude * coldness(t) + regional_sd * y_c(t), 0, 1), rounded; coldness
   from `evo.core.climate` (or an AR(1) red noise mapped through the normal CDF), y_c a camp's own
   AR(1) deviation with unit variance and e-folding time `climate_memory_kyr`. A camp whose
   capacity falls to 0 empties: local extinction by climate. Our assumption: capacity falls
   linearly with glacial aridity (deMenocal 1995), patches differ (Scerri et al. 2018, a
   structured, shifting pan-African population);
2. local extinction: each occupied camp loses all its people with `extinction_rate` (Premo & Kuhn
   2010, PLoS ONE 5:e15582); an empty camp is refilled only by migrants, who bring the culture
   they learned elsewhere, and their children fill it to capacity;
3. tool payoffs (Rogers 1988, environmental change, here per tool type and camp; Kolodny, Creanza
   & Feldman 2015, environmental change removing traits): a paying type stops paying in a camp
   with `tool_env_off`, a non-paying one pays again with `tool_env_on`. Learners do not learn a
   type that does not pay in their camp (time goes to what is useful: our assumption), so it is
   lost there within a generation and must be rebuilt by invention or brought back by migrants.
Random numbers come from the model's numpy Generator, in that order, and only for the parts
switched on: a run without them draws nothing here and is unchanged.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from evo.core import climate
from evo.core.params import Params

_NORMAL = NormalDist()


def ar1_coefficient(memory_kyr: float, years_per_generation: float) -> float:
    """The coefficient phi of an AR(1) step of one generation with e-folding time `memory_kyr`."""
    return math.exp(-years_per_generation / (1000.0 * memory_kyr))


def capacity_factor(coldness: float, deviation: np.ndarray, amplitude: float,
                    regional_sd: float) -> np.ndarray:
    """f_c = clip(1 - amplitude * coldness + regional_sd * deviation_c, 0, 1) (rule 1)."""
    return np.clip(1.0 - amplitude * coldness + regional_sd * deviation, 0.0, 1.0)


class World:
    """The state of the changing world: climate noise, regional deviations and tool payoffs."""

    def __init__(self, n_camps: int, lineages: int) -> None:
        self.global_noise: float | None = None  # AR(1) state of the red-noise climate
        self.regional = np.zeros(n_camps)  # each camp's AR(1) deviation y_c
        self.regional_started = False
        self.pays = np.ones((n_camps, lineages), np.uint8)  # 1 where a type pays in a camp
        self.coldness = 0.0

    @staticmethod
    def active(p: Params) -> bool:
        """Whether any part of the changing world is switched on."""
        return (p.climate != "none" or p.regional_sd > 0.0 or p.extinction_rate > 0.0
                or p.tool_env_off > 0.0)

    def advance(self, generation: int, p: Params, rng: np.random.Generator,
                base_capacity: np.ndarray, occupied: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Step the world to `generation`: (capacity per camp, camps that go extinct now)."""
        phi = ar1_coefficient(p.climate_memory_kyr, p.years_per_generation)
        innovation = math.sqrt(1.0 - phi * phi)
        if p.climate == "red_noise":
            if self.global_noise is None:
                self.global_noise = float(rng.standard_normal())
            else:
                self.global_noise = phi * self.global_noise + innovation * rng.standard_normal()
            self.coldness = _NORMAL.cdf(self.global_noise)
        else:
            age = climate.age_ka(generation, p.climate_start_ka, p.years_per_generation)
            self.coldness = float(climate.coldness(p.climate, age))
        if p.regional_sd > 0.0:
            draws = rng.standard_normal(self.regional.size)
            if self.regional_started:
                self.regional = phi * self.regional + innovation * draws
            else:
                self.regional, self.regional_started = draws, True
        factor = capacity_factor(self.coldness, self.regional, p.climate_amplitude, p.regional_sd)
        capacity = np.rint(base_capacity * factor).astype(np.int64)
        extinct = np.zeros(base_capacity.size, bool)
        if p.extinction_rate > 0.0:
            extinct = occupied & (rng.random(base_capacity.size) < p.extinction_rate)
        if p.tool_env_off > 0.0 or not self.pays.all():
            draws = rng.random(self.pays.shape)
            stops = (self.pays == 1) & (draws < p.tool_env_off)
            returns = (self.pays == 0) & (draws < p.tool_env_on)
            self.pays[stops] = 0
            self.pays[returns] = 1
        return capacity, extinct

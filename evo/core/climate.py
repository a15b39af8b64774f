"""Climate series as coldness in [0, 1] (0 = warmest interglacial, 1 = full glacial), by age.

- `lr04`: the LR04 benthic d18O stack (Lisiecki & Raymo 2005, Paleoceanography 20:PA1003,
  doi:10.1029/2004PA001071; `data/lr04.csv`), linear between its 1-kyr steps, mapped linearly
  from 3.2 per mil (an interglacial like the Holocene) to 5.0 per mil (the glacial maxima of the
  last 800 kyr) and clipped: our assumption, a global ice-volume proxy standing for how dry and
  cold Africa was (deMenocal 1995, Science 270:53, on glacial aridity in Africa).
- `orbital`: a synthetic series of the eccentricity, obliquity and precession periods (100, 41
  and 23 kyr; Hays, Imbrie & Shackleton 1976) with weights 0.6, 0.25 and 0.15: our assumption.
- `red_noise`: an AR(1) process, drawn by the model as it runs (`evo.core.world`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

LR04 = Path(__file__).resolve().parents[2] / "data" / "lr04.csv"
INTERGLACIAL_D18O = 3.2  # per mil: coldness 0
GLACIAL_D18O = 5.0  # per mil: coldness 1
ORBITS_KYR = (100.0, 41.0, 23.0)
ORBIT_WEIGHTS = (0.6, 0.25, 0.15)


@cache
def lr04() -> tuple[np.ndarray, np.ndarray]:
    """(age in ka, benthic d18O in per mil) of the LR04 stack, ascending in age."""
    table = np.loadtxt(LR04, delimiter=",", skiprows=1)
    return table[:, 0], table[:, 1]


def d18o_coldness(d18o: np.ndarray) -> np.ndarray:
    """Coldness of a d18O value: 0 at INTERGLACIAL_D18O, 1 at GLACIAL_D18O, clipped."""
    return np.clip((d18o - INTERGLACIAL_D18O) / (GLACIAL_D18O - INTERGLACIAL_D18O), 0.0, 1.0)


def orbital_coldness(age_ka: np.ndarray) -> np.ndarray:
    """The synthetic orbital series: 0.5 + 0.5 * weighted sum of three sines, in [0, 1]."""
    wave = sum(w * np.sin(2 * np.pi * age_ka / period)
               for w, period in zip(ORBIT_WEIGHTS, ORBITS_KYR, strict=True))
    return 0.5 + 0.5 * wave


def coldness(kind: str, age_ka: np.ndarray | float) -> np.ndarray:
    """Coldness at the given ages for a deterministic series ("none" is 0 throughout)."""
    age = np.asarray(age_ka, float)
    if kind == "none":
        return np.zeros_like(age)
    if kind == "lr04":
        ages, d18o = lr04()
        return d18o_coldness(np.interp(age, ages, d18o))
    if kind == "orbital":
        return orbital_coldness(age)
    raise ValueError(f"no deterministic climate series {kind!r}")


def age_ka(generation: np.ndarray | int, start_ka: float, years_per_generation: float):
    """Age in ka of a generation, counted from `start_ka` at generation 0."""
    return start_ka - np.asarray(generation) * years_per_generation / 1000.0

"""Burst detector: known answers on synthetic series, properties, and the PELT reference twin.

Tolerances. Series have T = 1000 generations, binned into 50 bins of w = 20 generations, so the
change-point onset cannot be finer than one bin. Step at t_s: |onset - t_s| <= w. Logistic with
midpoint t0 and rate r: the onset estimates the start of the rise, the 10 % point
t10 = t0 - ln 9 / r; the steep phase begins somewhere inside the first half of the 10-90 % rise
(of length 4.39 / r), so |onset - t10| <= 0.5 * 4.39 / r + w. The logistic fit estimates t10
directly: |onset_logistic - t10| <= 0.1 * 4.39 / r.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import ruptures as rpt
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.bursts import (
    MAX_POINTS,
    concentration,
    detect_burst,
    fit_logistic,
    pelt_mean,
)

T = 1000
W = math.ceil(T / MAX_POINTS)
SEEDS = range(8)
t = np.arange(T, dtype=float)


def logistic(t0: float, r: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-r * (t - t0)))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("t_step", [300, 620])
def test_step_is_a_burst_at_its_generation(seed: int, t_step: int) -> None:
    y = (t >= t_step).astype(float) + 0.1 * np.random.default_rng(seed).normal(size=T)
    b = detect_burst(t, y)
    assert b.burst and b.pattern == "burst"
    assert abs(b.onset - t_step) <= W
    assert b.concentration > 0.8
    assert b.size == pytest.approx(1.0, abs=0.15)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("t0", "r"), [(500, 0.05), (700, 0.1), (400, 0.03)])
def test_logistic_onset_within_tolerance(seed: int, t0: float, r: float) -> None:
    y = 3 + 50 * logistic(t0, r) + 2.5 * np.random.default_rng(seed).normal(size=T)
    rise_time = 2 * math.log(9) / r
    t10 = t0 - math.log(9) / r
    b = detect_burst(t, y)
    assert b.burst and b.takeoff and b.takeoff_onset == b.onset
    assert abs(b.onset - t10) <= 0.5 * rise_time + W
    assert b.burst_logistic
    assert abs(b.onset_logistic - t10) <= 0.1 * rise_time
    assert b.rise_time == pytest.approx(rise_time, rel=0.1)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("noise", [0.02, 0.1, 0.3])
def test_linear_ramp_is_gradual_not_a_burst(seed: int, noise: float) -> None:
    y = t / T + noise * np.random.default_rng(seed).normal(size=T)
    b = detect_burst(t, y)
    assert not b.burst and b.onset is None and b.size is None
    assert b.pattern == "gradual" and not b.takeoff
    assert not b.burst_logistic


@pytest.mark.parametrize("seed", SEEDS)
def test_pure_noise_is_flat_not_a_burst(seed: int) -> None:
    b = detect_burst(t, np.random.default_rng(seed).normal(size=T))
    assert not b.burst and b.pattern == "flat" and b.onset is None and not b.takeoff
    assert not b.burst_logistic


def test_slow_logistic_spanning_the_window_is_gradual() -> None:
    # 10-90 % rise time 4.39 / 0.006 = 732 generations, far over a third of the window.
    y = logistic(500, 0.006) + 0.02 * np.random.default_rng(0).normal(size=T)
    b = detect_burst(t, y)
    assert not b.burst and b.pattern == "gradual"


def test_decline_and_too_short() -> None:
    assert detect_burst(t, 1 - t / T).pattern == "decline"
    short = detect_burst(np.arange(10), np.arange(10.0))
    assert short.pattern == "too_short" and not short.burst


def test_nan_values_are_dropped_and_order_does_not_matter() -> None:
    y = (t >= 600).astype(float) + 0.05 * np.random.default_rng(1).normal(size=T)
    base = detect_burst(t, y)
    y2 = y.copy()
    y2[::97] = np.nan
    perm = np.random.default_rng(2).permutation(T)
    assert detect_burst(t, y2).burst
    assert detect_burst(t[perm], y[perm]) == base


def test_concentration_known_values() -> None:
    assert concentration(t) == pytest.approx(0.1, abs=0.01)
    assert concentration((t >= 500).astype(float)) == pytest.approx(1.0)
    r = 4.39 / (T / 3)  # rise time a third of the window
    assert concentration(logistic(500, r)) == pytest.approx(math.tanh(r * 0.05 * T / 2), abs=0.03)
    assert concentration(np.ones(T)) == 0.0
    assert concentration(1 - t / T) == 0.0


# Integer values, integer shifts and power-of-two scales keep the arithmetic exact, so the
# invariances are tested, not floating-point rounding.
series = st.lists(st.integers(-1000, 1000), min_size=2, max_size=200)


@settings(max_examples=60, deadline=None)
@given(series, st.integers(-1000, 1000), st.integers(-8, 8).map(lambda k: 2.0**k))
def test_concentration_bounded_and_invariant(values: list[int], shift: int,
                                             scale: float) -> None:
    y = np.array(values, dtype=float)
    c = concentration(y)
    assert 0.0 <= c <= 1.0
    assert concentration(y + shift) == pytest.approx(c, abs=1e-6)
    assert concentration(y * scale) == pytest.approx(c, abs=1e-6)


@pytest.mark.parametrize("seed", range(40))
def test_pelt_matches_ruptures(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(8, 50))
    d = rng.normal(size=n) + np.repeat(rng.normal(scale=2, size=3), n // 3 + 1)[:n]
    pen = float(rng.uniform(0.5, 10))
    expected = rpt.Pelt(model="l2", min_size=2, jump=1).fit(d).predict(pen=pen)
    assert pelt_mean(d, pen, min_size=2) == expected


def test_fit_logistic_recovers_parameters() -> None:
    y = 2 + 5 * logistic(600, 0.05)
    fit = fit_logistic(t, y)
    assert fit is not None
    assert (fit.lo, fit.k, fit.t0, fit.r) == pytest.approx((2, 5, 600, 0.05), rel=1e-3)
    assert fit_logistic(t, np.ones(T)) is None


def test_start_up_transient_is_not_a_burst() -> None:
    # Real runs start from zero culture at generation 0 and sit at their level from generation 1.
    rng = np.random.default_rng(0)
    y = np.full(50, 0.02) + 0.0001 * rng.normal(size=50)
    y[0] = 0.0
    b = detect_burst(np.arange(50), y)
    assert not b.burst and b.pattern == "transient"
    z = 3 + 0.2 * rng.normal(size=T)
    z[0] = 0.0
    assert not detect_burst(t, z).burst
    # ... while a burst after such a start is still found.
    z = z + 100 * (t >= 600)
    b = detect_burst(t, z)
    assert b.burst and abs(b.onset - 600) <= W


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("knee", [333, 500])
def test_hockey_stick_is_a_takeoff_not_a_burst(seed: int, knee: int) -> None:
    # Flat, then steady growth: a change of slope without concentration (Henrich-type take-off).
    # The onset is the last change point within 5 % of the rise: at most 5 % of the climb
    # (0.05 * (T - knee) generations) plus one bin after the knee.
    y = np.clip(t - knee, 0, None) / (T - knee) + 0.02 * np.random.default_rng(seed).normal(size=T)
    b = detect_burst(t, y)
    assert not b.burst and b.pattern == "takeoff" and b.takeoff
    assert -W <= b.takeoff_onset - knee <= 0.05 * (T - knee) + W


def test_spike_that_falls_back_is_not_a_burst() -> None:
    # Like gesture success in a real coevolution run: up by 0.15, back down to 0.01 above the start.
    rng = np.random.default_rng(0)
    y = 0.15 * ((t >= 600) & (t < 750)) + 0.01 * (t >= 750) + 0.0005 * rng.normal(size=T)
    b = detect_burst(t, y)
    assert not b.burst and b.pattern == "spike"
    assert detect_burst(t, y - 0.01 * (t >= 750)).pattern == "flat"  # no rise kept at all


def test_a_clean_step_is_a_burst_not_its_own_noise():
    """Expressivity in genetic_upgrade jumps exactly 0 -> 4 when the allele spreads: a burst.

    With no noise at all, the step was the only non-zero increment, and the plain-sd fallback
    of the noise estimate counted it as noise (pattern 'gradual' at concentration 1).
    """
    t = np.arange(3001.0)
    late = detect_burst(t, np.where(t > 1050, 4.0, 0.0), metric="expressivity")
    assert late.burst and late.concentration == 1.0
    assert abs(late.onset - 1050) <= 61  # one bin of 3001 / 50
    assert detect_burst(t, np.where(t > 100, 4.0, 0.0), metric="expressivity").pattern == "transient"

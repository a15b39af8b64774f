"""Material verdicts: a rise must matter on the metric's own scale (synthetic series)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.bursts import detect_burst
from analysis.material import LOG_METRICS, MINIMUM_RISE, is_material
from analysis.order import crossing_times

T = 1000
t = np.arange(T, dtype=float)


def sigmoid(t0: float = 500.0, r: float = 0.05) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-r * (t - t0)))


def series(lo: float, hi: float, noise: float, seed: int, t0: float = 500.0) -> np.ndarray:
    """A logistic burst from lo to hi with white noise of sd ``noise`` (shares clipped to >= 0)."""
    y = lo + (hi - lo) * sigmoid(t0) + noise * np.random.default_rng(seed).normal(size=T)
    return np.maximum(y, 0.0)


@pytest.mark.parametrize("seed", range(5))
def test_an_invisible_gesture_burst_is_no_burst(seed: int) -> None:
    # a rise from the parity study: success from 0.0001 to 0.003, far above its own noise
    y = series(0.0001, 0.003, 0.0001, seed)
    scale_free = detect_burst(t, y)
    assert scale_free.burst  # what the detector said before materiality
    b = detect_burst(t, y, metric="gesture_success")
    assert not b.burst and not b.takeoff and b.pattern == "immaterial"
    assert b.shape == "burst" and b.onset is None and b.burst_logistic is False
    assert b.total_rise == pytest.approx(scale_free.total_rise)


@pytest.mark.parametrize("seed", range(5))
def test_a_real_proto_language_burst_is_kept(seed: int) -> None:
    # coevolution runs crossing mirror 0.7: success jumps from 0.001 to about 0.6
    y = series(0.001, 0.6, 0.03, seed)
    b = detect_burst(t, y, metric="gesture_success")
    assert b.burst and b.pattern == b.shape == "burst"
    assert abs(b.onset - 456) <= 0.5 * 88 + 20  # the 10 % point, as in test_analysis_bursts


def test_tool_complexity_is_judged_by_fold_change() -> None:
    small = series(3.0, 4.0, 0.02, 0)  # a third more components: a clear but immaterial step
    assert detect_burst(t, small).burst
    assert detect_burst(t, small, metric="tool_complexity").pattern == "immaterial"
    large = series(3.0, 10_000.0, 20.0, 0)  # the take-off of a real coevolution run
    assert detect_burst(t, large, metric="tool_complexity").burst
    doubled = series(3.0, 6.5, 0.05, 0)
    assert detect_burst(t, doubled, metric="tool_complexity").burst
    assert "tool_complexity" in LOG_METRICS and "gesture_success" not in LOG_METRICS


def test_expressivity_needs_one_meaning() -> None:
    assert detect_burst(t, series(0.0, 0.3, 0.01, 1), metric="expressivity").pattern == "immaterial"
    assert detect_burst(t, series(0.0, 3.0, 0.1, 1), metric="expressivity").burst


def test_minimum_rules_by_hand() -> None:
    assert MINIMUM_RISE["gesture_success"].scale == "absolute"
    assert not is_material("gesture_success", 0.0001, 0.0029)
    assert is_material("gesture_success", 0.001, 0.599)
    assert is_material("lexicon_coherence", 0.2, 0.1)
    assert not is_material("mirror_mean", 0.30, 0.05)
    # fold over max(start, 1): 3 -> 6 doubles, 3 -> 4 does not, 0 -> 0.9 stays under one component
    assert is_material("tool_complexity", 3.0, 3.0)
    assert not is_material("tool_complexity", 3.0, 1.0)
    assert not is_material("tool_complexity", 0.0, 0.9)
    assert is_material("tool_complexity", 0.0, 2.0)
    assert not is_material("tool_complexity", 3.0, float("nan"))
    assert is_material("some_other_metric", 0.0, 1e-9) and is_material(None, 0.0, 1e-9)


def test_a_drifting_mirror_gives_no_order_of_events() -> None:
    drift = series(0.02, 0.06, 0.001, 3)
    assert crossing_times(t, drift)[1] is not None  # rises against its noise
    assert crossing_times(t, drift, metric="mirror_mean") == (None, None)
    rise = series(0.0, 0.7, 0.01, 3)
    assert crossing_times(t, rise, metric="mirror_mean")[1] == pytest.approx(500, abs=30)


def test_change_point_verdicts_without_the_logistic_fit_are_material() -> None:
    # the verdict without the logistic fit (the fast path) applies the same material minimum
    gesture = detect_burst(t, series(0.0001, 0.003, 0.0001, 2), logistic=False,
                           metric="gesture_success")
    assert not gesture.burst and gesture.onset is None and gesture.burst_logistic is None
    assert detect_burst(t, series(0.0, 3.0, 0.1, 2), logistic=False, metric="expressivity").burst

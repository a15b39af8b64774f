"""The kernels' random stream (`evo.core.stream`): the published xoshiro256** outputs, agreement with
the plain-Python twin, the moments of each distribution, and the Gumbel-max draw of the tool rule.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from scipy import stats

from evo.core import kernels, stream
from evo.core.kernels import tools
from evo.core.params import Params
from tests import reference as ref

# xoshiro256** from the state {1, 2, 3, 4}: the reference implementation's first ten outputs, as
# published with it and used by other ports' tests (e.g. Rust's rand_xoshiro)
REFERENCE = [11520, 0, 1509978240, 1215971899390074240, 1216172134540287360,
             607988272756665600, 16172922978634559625, 8476171486693032832,
             10595114339597558777, 2904607092377533576]


@njit(cache=True)
def _draw(rng, kind, n):
    out = np.empty(n)
    for r in range(n):
        if kind == 0:
            out[r] = stream.uniform(rng)
        elif kind == 1:
            out[r] = stream.gumbel(rng)
        elif kind == 2:
            out[r] = stream.normal(rng)
        elif kind == 3:
            out[r] = stream.exponential(rng)
        else:
            out[r] = stream.below(rng, 7)
    return out


@njit(cache=True)
def _u64(rng, n):
    out = np.empty(n, np.uint64)
    for r in range(n):
        out[r] = stream.next_u64(rng)
    return out


def test_reference_outputs():
    rng = np.array([1, 2, 3, 4], np.uint64)
    assert _u64(rng, 10).tolist() == REFERENCE
    twin = ref.Xoshiro([1, 2, 3, 4])
    assert [twin.next_u64() for _ in range(10)] == REFERENCE
    assert rng.tolist() == twin.words


def test_kernel_draws_equal_the_twin_bit_for_bit():
    for kind, method in enumerate(("random", "gumbel", "standard_normal")):
        rng = stream.seeded(np.random.default_rng(kind))
        twin = ref.Xoshiro(rng)
        values = _draw(rng, kind, 2000)
        assert values.tolist() == [getattr(twin, method)() for _ in range(2000)]
        assert rng.tolist() == twin.words


def test_seeding_is_deterministic_distinct_and_never_zero():
    assert (stream.seeded(np.random.default_rng(5)) == stream.seeded(np.random.default_rng(5))).all()
    assert (stream.seeded(np.random.default_rng(5)) != stream.seeded(np.random.default_rng(6))).any()

    class Zeros:
        def integers(self, *args, **kwargs):
            return np.zeros(stream.WORDS, np.uint64)

    assert stream.seeded(Zeros()).tolist() == [1, 0, 0, 0]


def test_distributions_have_their_moments():
    """10^6 draws each: means and variances within 5 standard errors of the exact values."""
    n = 10**6
    rng = stream.seeded(np.random.default_rng(11))
    exact = {0: (0.5, 1 / 12), 1: (np.euler_gamma, math.pi**2 / 6), 2: (0.0, 1.0), 3: (1.0, 1.0),
             4: (3.0, (49 - 1) / 12)}
    for kind, (mean, var) in exact.items():
        x = _draw(rng, kind, n)
        assert abs(x.mean() - mean) < 5 * math.sqrt(var / n), kind
        assert abs(x.var() / var - 1) < 0.01, kind
    u = _draw(rng, 0, n)
    assert 0.0 <= u.min() and u.max() < 1.0
    assert set(_draw(rng, 4, 1000).tolist()) == set(range(7))
    assert stats.kstest(_draw(rng, 2, 20000), "norm").pvalue > 0.01
    assert stats.kstest(_draw(rng, 1, 20000), "gumbel_r").pvalue > 0.01


@njit(cache=True)
def _best_of(rng, rule, mode, n):
    value = np.empty(n)
    copied = np.empty(n, np.bool_)
    for r in range(n):
        value[r], copied[r] = tools._best_of_copy_and_invention(rng, rule, mode)
    return value, copied


def test_one_gumbel_for_copy_and_invention_is_the_max_of_two():
    """The Gumbel-max draw against two explicit Gumbels: same value distribution, same share of
    copies (the analytic 1 / (1 + e^((b - a)/beta))), and the winner independent of the value."""
    n = 40000
    for mode, beta in ((-1.5, 1.0), (0.3, 2.0), (60.0, 1.0)):
        rule = kernels.make_rule(Params(), beta=beta, innovation_rate=1.0, innovation_mode=-1.0)
        value, copied = _best_of(stream.seeded(np.random.default_rng(3)), rule, mode, n)
        g = np.random.default_rng(4)
        copy = mode + beta * g.gumbel(size=n)
        invented = -1.0 + beta * g.gumbel(size=n)
        assert stats.ks_2samp(value, np.maximum(copy, invented)).pvalue > 0.01
        p_copy = 1.0 / (1.0 + math.exp((-1.0 - mode) / beta))
        assert abs(copied.mean() - p_copy) < 5 * math.sqrt(p_copy * (1 - p_copy) / n) + 1e-12
        if 0.05 < p_copy < 0.95:  # independence: the copies' values are distributed as all values
            assert stats.ks_2samp(value[copied], value[~copied]).pvalue > 0.01


def test_no_invention_is_one_plain_gumbel():
    rule = kernels.make_rule(Params(), beta=2.0, innovation_rate=0.0)
    value, copied = _best_of(stream.seeded(np.random.default_rng(8)), rule, 5.0, 20000)
    assert copied.all()
    assert stats.kstest(value, "gumbel_r", args=(5.0, 2.0)).pvalue > 0.01

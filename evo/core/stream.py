"""The kernels' random stream: xoshiro256** (Blackman & Vigna 2021) on a 4-word state array.

Why not numpy's Generator inside the kernels: there each draw is a call through the bit
generator's function pointer (5.7 ns per uniform on our machine), while xoshiro256** compiled
into the kernel costs about 1.3 ns (bench/kernel_rates.py measures both). Blackman & Vigna (ACM
TOMS 47:36, 2021) designed it for this: 256 bits of state, period 2**256 - 1, passes BigCrush.
The state is a uint64 array of 4 words that the kernels advance in place; `seeded` fills it from
the model's numpy Generator, which the run's seed seeds, so one seed still gives one result bit
for bit. Every function is inlined into the kernel that calls it.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64

WORDS = 4
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


def seeded(generator: np.random.Generator) -> np.ndarray:
    """A fresh state drawn from `generator` (never all zero, which xoshiro cannot leave)."""
    state = generator.integers(0, 2**64, size=WORDS, dtype=np.uint64, endpoint=False)
    if not state.any():
        state[0] = 1
    return state


@njit(cache=True, inline="always")
def _rotl(x, k):
    return (x << uint64(k)) | (x >> uint64(64 - k))


@njit(cache=True, inline="always")
def step(s0, s1, s2, s3):
    """(output, next state) of xoshiro256** on a state held in four words, not in the array.

    Word for word the reference algorithm; the kernels peek ahead with it without advancing.
    """
    result = _rotl(s1 * uint64(5), 7) * uint64(9)
    t = s1 << uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    return result, s0, s1, s2, s3


@njit(cache=True, inline="always")
def next_u64(s):
    """The next 64-bit output of xoshiro256**, advancing the state array `s`."""
    result, s[0], s[1], s[2], s[3] = step(s[0], s[1], s[2], s[3])
    return result


@njit(cache=True, inline="always")
def below_of(output, n):
    """`below`'s integer from a given 64-bit output: floor(u * n), u its top 53 bits over 2**53."""
    return np.int64(np.float64(output >> uint64(11)) * _TO_UNIT * n)


@njit(cache=True, inline="always")
def uniform(s):
    """Uniform on [0, 1) from the top 53 bits (numpy's `random()` makes its doubles the same way)."""
    return np.float64(next_u64(s) >> uint64(11)) * _TO_UNIT


@njit(cache=True, inline="always")
def open_uniform(s):
    """Uniform on (0, 1): the midpoints of the 2**53 cells, so its logarithm is finite."""
    return (np.float64(next_u64(s) >> uint64(11)) + 0.5) * _TO_UNIT


@njit(cache=True, inline="always")
def below(s, n):
    """A uniform integer in [0, n) as floor(u * n); bias at most n / 2**53."""
    return below_of(next_u64(s), n)


@njit(cache=True, inline="always")
def exponential(s):
    """Exp(1) by inversion, -log(U), U on (0, 1)."""
    return -np.log(open_uniform(s))


@njit(cache=True, inline="always")
def gumbel(s):
    """Standard Gumbel (mode 0, scale 1) by inversion, -log(-log(U)), U on (0, 1)."""
    return -np.log(-np.log(open_uniform(s)))


@njit(cache=True, inline="always")
def normal(s):
    """Standard normal by Box-Muller (Box & Muller 1958) from two uniforms; the sine pair unused."""
    radius = np.sqrt(-2.0 * np.log(open_uniform(s)))
    return radius * np.cos(2.0 * np.pi * uniform(s))

"""xoshiro256** in plain Python (Blackman & Vigna 2021) and the draws the kernels make."""

from __future__ import annotations

import math

import numpy as np

MASK64 = 2**64 - 1


class Xoshiro:
    """xoshiro256** (Blackman & Vigna 2021) in plain Python, and the draws `evo.core.stream` makes.

    `words` is the 4-word state, equal to the kernels' uint64 state array when in step with it.
    """

    def __init__(self, words) -> None:
        self.words = [int(w) for w in words]

    @classmethod
    def from_seed(cls, seed: int) -> Xoshiro:
        """The state `evo.core.stream.seeded` draws from `np.random.default_rng(seed)`."""
        return cls(np.random.default_rng(seed).integers(0, 2**64, size=4, dtype=np.uint64))

    def next_u64(self) -> int:
        s0, s1, s2, s3 = self.words
        result = (_rotl((s1 * 5) & MASK64, 7) * 9) & MASK64
        t = (s1 << 17) & MASK64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 45)
        self.words = [s0, s1, s2, s3]
        return result

    def random(self) -> float:
        """Uniform on [0, 1): the top 53 bits over 2**53."""
        return (self.next_u64() >> 11) / 2.0**53

    def open_random(self) -> float:
        """Uniform on (0, 1): the 2**53 cells' midpoints."""
        return ((self.next_u64() >> 11) + 0.5) / 2.0**53

    def gumbel(self) -> float:
        """Standard Gumbel by inversion."""
        return -math.log(-math.log(self.open_random()))

    def standard_normal(self) -> float:
        """Box-Muller, the cosine of the pair."""
        radius = math.sqrt(-2.0 * math.log(self.open_random()))
        return radius * math.cos(2.0 * math.pi * self.random())


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (64 - k))) & MASK64


def draw_index(rng: Xoshiro, n: int) -> int:
    """A uniform index in [0, n): floor(u * n) from one uniform u = `rng.random()`."""
    return math.floor(rng.random() * n)

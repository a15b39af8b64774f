"""Kolodny, Creanza & Feldman (2015), simplified: main-axis traits, toolkits, combinations, loss.

The rules and their derivations are in the package docstring (`evo.core.repertoire`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numba import njit, uint64

from evo.core import stream

if TYPE_CHECKING:
    from evo.core.params import Params

from evo.core.repertoire.common import COMBINATION, INVENTION, MODIFICATION, _bernoulli_hits

# --- Kolodny, Creanza & Feldman 2015 -----------------------------------------------------------


def kolodny_mean_selection(beta: float) -> float:
    """E[s] of s = beta * Exp(1) conditioned on s <= 1: beta - e^(-1/beta) / (1 - e^(-1/beta))."""
    tail = math.exp(-1.0 / beta)
    return beta - tail / (1.0 - tail)


def kolodny_rates(population: int, invention: float, beta: float,
                  loss: float) -> tuple[float, float]:
    """(lambda, mu): main-axis traits established per generation, and each one's loss chance."""
    return population * invention * kolodny_mean_selection(beta), loss / population


def kolodny_main_mean(t: np.ndarray | float, population: int, invention: float, beta: float,
                      loss: float) -> np.ndarray | float:
    """E[main-axis traits] after generation t from none: m* (1 - (1 - mu)^t), m* = lambda(1 - mu)/mu.

    Exact for the rules above (establishments before losses, which take each trait present with
    chance mu; a cascade never removes a main-axis trait), ignoring slot overflow; lambda t when
    mu = 0.
    """
    lam, mu = kolodny_rates(population, invention, beta, loss)
    if mu <= 0.0:
        return lam * np.asarray(t, np.float64)
    return lam * (1.0 - mu) / mu * (1.0 - (1.0 - mu) ** np.asarray(t, np.float64))


def kolodny_saturated_repertoire(population: int, invention: float, beta: float, loss: float,
                                 toolkit_max: int, useful: float) -> float:
    """The stationary repertoire when toolkits and combinations refill as fast as they are lost.

    Main-axis traits m: mean m*; second factorial moment F2 = E[m(m - 1)] from X' = thin(X + B,
    1 - mu) with B ~ Binomial(N, q), q = P_inv E[s]: F2 = (1 - mu)^2 (2 m* lambda + N(N-1) q^2) /
    (1 - (1 - mu)^2). Each main-axis trait holds a full toolkit, (K + 1)/2 on average, and each
    pair a combination with chance `useful`: m* (1 + (K + 1)/2) + useful F2 / 2. Requires mu > 0.
    """
    lam, mu = kolodny_rates(population, invention, beta, loss)
    q = invention * kolodny_mean_selection(beta)
    keep = (1.0 - mu) ** 2
    m_star = lam * (1.0 - mu) / mu
    f2 = keep * (2.0 * m_star * lam + population * (population - 1) * q * q) / (1.0 - keep)
    return m_star * (1.0 + (toolkit_max + 1) / 2.0) + useful * f2 / 2.0


def kolodny_capacity(params: Params) -> int:
    """Main-axis slots for a run: the mean plus 10 standard deviations (and 50), at its largest.

    The count is at most Poisson-like around its mean, which rises from 0 to m* (`kolodny_main_
    mean`), so more than 10 SD above it practically never happens; a run that still fills every
    slot counts the inventions it could not hold (`repertoire_overflow` in run.json).
    """
    lam, mu = kolodny_rates(params.population, params.kolodny_invention,
                            params.kolodny_selection_mean, params.kolodny_loss)
    peak = lam * params.generations if mu <= 0.0 else min(lam * params.generations,
                                                           lam * (1.0 - mu) / mu)
    return math.ceil(peak + 10.0 * math.sqrt(peak) + 50.0)


@njit(cache=True, inline="always")
def _splitmix(z):
    """The splitmix64 output function (Steele, Lea & Flood 2014) of a 64-bit word."""
    z = z + uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> uint64(30))) * uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> uint64(27))) * uint64(0x94D049BB133111EB)
    return z ^ (z >> uint64(31))


@njit(cache=True)
def pair_useful(salt, id_a, id_b, share):
    """Whether the pair of main-axis traits with ids a and b makes a useful combination.

    Fixed per pair and run: splitmix64 of the salt and the smaller id, then of that and the larger
    id; its top 53 bits as a uniform on [0, 1) below `share`.
    """
    lo, hi = min(id_a, id_b), max(id_a, id_b)
    z = _splitmix(_splitmix(salt ^ uint64(lo)) ^ uint64(hi))
    return np.float64(z >> uint64(11)) * (1.0 / 9007199254740992.0) < share


@njit(cache=True)
def kolodny_init(rng, salt):
    """The run's pair salt: one `stream.next_u64`, before the first generation."""
    salt[0] = stream.next_u64(rng)


@njit(cache=True, inline="always")
def _kolodny_drop_main(alive, kit, kit_count, comb, owned, order, ids, tally, i):
    """Remove main-axis trait i with its toolkit and combinations; returns the traits removed."""
    removed = 1 + kit_count[i]
    tally[1] -= kit_count[i]
    kit[i, :] = 0
    kit_count[i] = 0
    m = tally[0]
    at = 0
    for p in range(m):
        j = order[p]
        if j == i:
            at = p
        elif comb[i, j]:
            comb[i, j] = 0
            comb[j, i] = 0
            owned[j if ids[j] > ids[i] else i] -= 1
            tally[2] -= 1
            removed += 1
    for p in range(at, m - 1):
        order[p] = order[p + 1]
    alive[i] = 0
    tally[0] = m - 1
    return removed


@njit(cache=True)
def kolodny_generation(rng, alive, ids, kit_size, kit, kit_count, comb, owned, order, tally,
                       salt, population, rates, hits, targets, gains):
    """One generation of the simplified Kolodny, Creanza & Feldman model; returns traits lost.

    `rates` = (P_inv, P_toolkit, P_comb, useful share, beta, mu = P_loss/N); `tally` = (main-axis
    traits m, toolkit traits, combination traits, next id, overflow); `gains` receives the
    established inventions, combinations and toolkit traits of this generation. Draws, in order
    (see the module docstring): the inventions' successes (`_bernoulli_hits`), per invention s
    (`exponential`, again while s > 1), establishment (`uniform`) and, if established, the toolkit
    size (`below`); the toolkit attempts' successes, then per attempt the trait and the position
    (two `below`); the combination attempts' successes, then per attempt two traits (two `below`);
    the lost traits (`_bernoulli_hits` over the traits in canonical order: each main-axis trait in
    invention order, then its filled toolkit positions, then its combinations with earlier
    main-axis traits in their invention order).
    """
    capacity = alive.size
    k_max = kit.shape[1]
    gains[:] = 0
    for _ in range(_bernoulli_hits(rng, population, rates[0], hits)):
        s = rates[4] * stream.exponential(rng)
        while s > 1.0:
            s = rates[4] * stream.exponential(rng)
        if stream.uniform(rng) >= s:
            continue
        size = 1 + stream.below(rng, k_max)
        if tally[0] == capacity:
            tally[4] += 1
            continue
        slot = 0
        while alive[slot]:
            slot += 1
        alive[slot] = 1
        ids[slot] = tally[3]
        tally[3] += 1
        kit_size[slot] = size
        order[tally[0]] = slot
        tally[0] += 1
        gains[INVENTION] += 1
    m = tally[0]
    if m > 0:
        for _ in range(_bernoulli_hits(rng, population, rates[1], hits)):
            i = order[stream.below(rng, m)]
            position = stream.below(rng, kit_size[i])
            if kit[i, position] == 0:
                kit[i, position] = 1
                kit_count[i] += 1
                tally[1] += 1
                gains[MODIFICATION] += 1
    if m > 1:
        for _ in range(_bernoulli_hits(rng, population, rates[2], hits)):
            a = order[stream.below(rng, m)]
            b = order[stream.below(rng, m)]
            if a != b and comb[a, b] == 0 and pair_useful(salt[0], ids[a], ids[b], rates[3]):
                comb[a, b] = 1
                comb[b, a] = 1
                owned[a if ids[a] > ids[b] else b] += 1
                tally[2] += 1
                gains[COMBINATION] += 1
    total = tally[0] + tally[1] + tally[2]
    n_lost = _bernoulli_hits(rng, total, rates[5], hits)
    # which trait each lost index is, in the canonical order, before anything is removed
    t = 0
    offset = 0
    for p in range(tally[0]):
        if t == n_lost:
            break
        i = order[p]
        block = 1 + kit_count[i] + owned[i]
        while t < n_lost and hits[t] < offset + block:
            local = hits[t] - offset
            targets[t, 1] = i
            if local == 0:
                targets[t, 0] = 0
            elif local <= kit_count[i]:
                targets[t, 0] = 1
                seen = 0
                for position in range(k_max):
                    if kit[i, position]:
                        seen += 1
                        if seen == local:
                            targets[t, 2] = position
                            break
            else:
                targets[t, 0] = 2
                seen = kit_count[i]
                for q in range(p):
                    if comb[i, order[q]]:
                        seen += 1
                        if seen == local:
                            targets[t, 2] = order[q]
                            break
            t += 1
        offset += block
    lost = 0
    for t in range(n_lost):
        kind, i, item = targets[t, 0], targets[t, 1], targets[t, 2]
        if kind == 0:
            if alive[i]:
                lost += _kolodny_drop_main(alive, kit, kit_count, comb, owned, order, ids, tally, i)
        elif kind == 1:
            if kit[i, item]:
                kit[i, item] = 0
                kit_count[i] -= 1
                tally[1] -= 1
                lost += 1
        elif comb[i, item]:
            comb[i, item] = 0
            comb[item, i] = 0
            owned[i] -= 1
            tally[2] -= 1
            lost += 1
    return lost


@njit(cache=True)
def kolodny_run(rng, alive, ids, kit_size, kit, kit_count, comb, owned, order, tally, salt,
                population, rates, hits, targets, first_step, steps, out):
    """Advance to each generation in `steps` (ascending, after `first_step`), one row each.

    A row is `KOLODNY_COLUMNS`: the generation, traits, gains and losses since the previous row,
    gains by kind, and the main-axis, toolkit and combination traits held.
    """
    gains = np.zeros(3, np.int64)
    done = first_step
    for r in range(steps.size):
        got = np.zeros(3, np.int64)
        lost = 0
        while done < steps[r]:
            lost += kolodny_generation(rng, alive, ids, kit_size, kit, kit_count, comb, owned,
                                       order, tally, salt, population, rates, hits, targets,
                                       gains)
            got += gains
            done += 1
        out[r, 0] = done
        out[r, 1] = tally[0] + tally[1] + tally[2]
        out[r, 2] = got[0] + got[1] + got[2]
        out[r, 3] = lost
        out[r, 4] = got[INVENTION]
        out[r, 5] = got[COMBINATION]
        out[r, 6] = got[MODIFICATION]
        out[r, 7] = tally[0]
        out[r, 8] = tally[1]
        out[r, 9] = tally[3]
        out[r, 9] = tally[2]

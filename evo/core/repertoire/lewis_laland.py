"""Lewis & Laland (2012): traits gained by invention, combination and modification, and lost.

The rules and their derivations are in the package docstring (`evo.core.repertoire`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from evo.core import stream

if TYPE_CHECKING:
    from evo.core.params import Params

from evo.core.repertoire.common import COMBINATION, INVENTION, LOSS, MODIFICATION

# --- Lewis & Laland 2012 -----------------------------------------------------------------------


def ll_rates(params: Params) -> tuple[float, float, float, float]:
    """(rho1, rho2, rho3, rho4): invention, combination, modification, loss."""
    return (params.ll_invention, params.ll_combination, params.ll_modification, params.ll_loss)


def ll_thresholds(params: Params) -> np.ndarray:
    """Cumulative event chances (rho1, rho1 + rho2, rho1 + rho2 + rho3) over their sum."""
    r1, r2, r3, r4 = ll_rates(params)
    total = r1 + r2 + r3 + r4
    return np.array([r1 / total, (r1 + r2) / total, (r1 + r2 + r3) / total], np.float64)


def ll_growth_rate(invention: float, combination: float, modification: float,
                   loss: float) -> float:
    """Mean change of the repertoire per time step once every seed is present and partners abound.

    Invention cannot happen then and is drawn again, so the events are combination, modification
    and loss with chances rho_i / (1 - rho1): (rho2 + rho3 - rho4) / (1 - rho1).
    """
    return (combination + modification - loss) / (1.0 - invention)


def ll_transition(invention_share: float, combination_share: float,
                  modification_share: float) -> float:
    """The loss chance at which growth stops when gains keep the shares (w1, w2, w3).

    With rho_i = (1 - rho4) w_i, (rho2 + rho3 - rho4) = 0 at rho4* = (w2 + w3)/(1 + w2 + w3).
    """
    total = invention_share + combination_share + modification_share
    w = (combination_share + modification_share) / total
    return w / (1.0 + w)


def ll_stationary_mean(invention: float, modification: float, loss: float, seeds: int,
                       n_max: int = 400, tolerance: float = 1e-14) -> float:
    """The exact stationary mean repertoire without combination (rho2 = 0), when loss outweighs gain.

    Without combination, which trait an event picks matters only through whether it is a seed
    trait, so (n traits, k seed traits) is a Markov chain: from n = 0 an invention; else an
    invention (rho1, only while k < seeds: it adds a seed trait), a modification (rho3: a
    non-seed trait) or a loss (rho4: a seed trait with chance k/n), and while k = seeds the
    impossible invention is drawn again, so modification and loss have chances rho3, rho4 over
    rho3 + rho4. Its stationary law, by iterating the lazy chain (the chain itself alternates n's
    parity) on n <= `n_max` until no state's mass moves by `tolerance`, gives the mean of n.
    Valid when loss outweighs gain (then mass above `n_max` is negligible).
    """
    n = np.arange(n_max + 1, dtype=np.float64)[:, None]
    k = np.arange(seeds + 1, dtype=np.float64)[None, :]
    full = k == seeds
    norm = np.where(full, modification + loss, 1.0)
    up_seed = np.where(full, 0.0, invention) * (k <= n) * (n >= 1)
    up_trait = modification / norm * (k <= n) * (n >= 1)
    down = loss / norm * (k <= n) * (n >= 1)
    down_seed = down * np.divide(k, n, out=np.zeros_like(n * k), where=n > 0)
    down_trait = down - down_seed
    pi = np.zeros((n_max + 1, seeds + 1))
    pi[0, 0] = 1.0
    for _ in range(10_000_000):
        new = np.zeros_like(pi)
        new[1, 1] += pi[0, 0]
        new[1:, 1:] += (pi * up_seed)[:-1, :-1]
        new[1:, :] += (pi * up_trait)[:-1, :]
        new[:-1, :-1] += (pi * down_seed)[1:, 1:]
        new[:-1, :] += (pi * down_trait)[1:, :]
        new[-1, :] += (pi * (up_seed + up_trait))[-1, :]  # the top reflects
        new = 0.5 * (pi + new)
        if np.abs(new - pi).max() < tolerance:
            pi = new
            break
        pi = new
    return float((pi.sum(axis=1) * np.arange(n_max + 1)).sum())


@njit(cache=True, inline="always")
def _ll_add(masks, levels, mask_count, lineage_count, tally, mask, level):
    """Append a trait (seed mask, level) at slot n; update the per-mask and per-seed counts."""
    n = tally[0]
    masks[n] = mask
    levels[n] = level
    mask_count[mask] += 1
    for s in range(lineage_count.size):
        if (mask >> s) & 1:
            lineage_count[s] += 1
            tally[3] += 1
    tally[0] = n + 1
    tally[1] += level


@njit(cache=True, inline="always")
def _ll_remove(masks, levels, mask_count, seed_present, lineage_count, tally, j):
    """Remove the trait at slot j; the last trait moves into its slot."""
    mask, level = masks[j], levels[j]
    if level == 1:  # a seed trait (every other trait has level >= 2)
        for s in range(seed_present.size):
            if (mask >> s) & 1:
                seed_present[s] = 0
        tally[2] -= 1
    mask_count[mask] -= 1
    for s in range(lineage_count.size):
        if (mask >> s) & 1:
            lineage_count[s] -= 1
            tally[3] -= 1
    last = tally[0] - 1
    masks[j] = masks[last]
    levels[j] = levels[last]
    tally[0] = last
    tally[1] -= level


@njit(cache=True, inline="always")
def _ll_invent(rng, masks, levels, mask_count, seed_present, lineage_count, tally):
    """Novel invention: the k-th absent seed (k from one `stream.below`) joins, level 1."""
    k = stream.below(rng, seed_present.size - tally[2])
    for s in range(seed_present.size):
        if seed_present[s] == 0:
            if k == 0:
                seed_present[s] = 1
                tally[2] += 1
                _ll_add(masks, levels, mask_count, lineage_count, tally, np.int64(1) << s, 1)
                return
            k -= 1


@njit(cache=True, inline="always")
def _ll_partners(mask_count, mask, full):
    """How many traits have seed sets disjoint from `mask` (the submasks of its complement)."""
    free = full & ~mask
    total = 0
    sub = free
    while True:
        total += mask_count[sub]
        if sub == 0:
            return total
        sub = (sub - 1) & free


@njit(cache=True)
def ll_seed(rng, masks, levels, mask_count, seed_present, lineage_count, tally, k):
    """The initial repertoire: k novel inventions (one `stream.below` each)."""
    for _ in range(k):
        _ll_invent(rng, masks, levels, mask_count, seed_present, lineage_count, tally)


@njit(cache=True)
def ll_step(rng, masks, levels, mask_count, seed_present, lineage_count, tally, thresholds):
    """One time step of Lewis & Laland's model; returns the event kind (INVENTION ... LOSS).

    Draws: an empty repertoire invents (one `below`, no event draw). Otherwise one `uniform`
    picks the event by `thresholds`; an invention draws the seed (one `below`); a combination
    draws A (one `below`), then B by `below` until B's seeds are disjoint from A's; a
    modification or a loss draws the trait (one `below`). An event that cannot happen (no absent
    seed; no partner for A) is drawn again from a new `uniform`.
    """
    full = mask_count.size - 1
    if tally[0] == 0:
        _ll_invent(rng, masks, levels, mask_count, seed_present, lineage_count, tally)
        return INVENTION
    while True:
        u = stream.uniform(rng)
        if u < thresholds[0]:
            if tally[2] == seed_present.size:
                continue
            _ll_invent(rng, masks, levels, mask_count, seed_present, lineage_count, tally)
            return INVENTION
        n = tally[0]
        a = stream.below(rng, n)
        if u < thresholds[1]:
            if _ll_partners(mask_count, masks[a], full) == 0:
                continue
            b = stream.below(rng, n)
            while masks[b] & masks[a] != 0:
                b = stream.below(rng, n)
            _ll_add(masks, levels, mask_count, lineage_count, tally, masks[a] | masks[b],
                    levels[a] + levels[b])
            return COMBINATION
        if u < thresholds[2]:
            _ll_add(masks, levels, mask_count, lineage_count, tally, masks[a], levels[a] + 1)
            return MODIFICATION
        _ll_remove(masks, levels, mask_count, seed_present, lineage_count, tally, a)
        return LOSS


@njit(cache=True)
def ll_run(rng, masks, levels, mask_count, seed_present, lineage_count, tally, thresholds,
           first_step, steps, out):
    """Advance to each time step in `steps` (ascending, after `first_step`), one row of `out` each.

    A row is `LL_COLUMNS`: the step, traits, gains and losses since the previous row, gains by
    kind, lineages (seeds held by some trait), the sum of levels and the sum of seeds per trait.
    `tally` = (traits, sum of levels, seed traits present, sum of seeds per trait).
    """
    events = np.zeros(4, np.int64)
    done = first_step
    for r in range(steps.size):
        events[:] = 0
        while done < steps[r]:
            events[ll_step(rng, masks, levels, mask_count, seed_present, lineage_count, tally,
                           thresholds)] += 1
            done += 1
        lineages = 0
        for s in range(lineage_count.size):
            lineages += lineage_count[s] > 0
        out[r, 0] = done
        out[r, 1] = tally[0]
        out[r, 2] = events[INVENTION] + events[COMBINATION] + events[MODIFICATION]
        out[r, 3] = events[LOSS]
        out[r, 4] = events[INVENTION]
        out[r, 5] = events[COMBINATION]
        out[r, 6] = events[MODIFICATION]
        out[r, 7] = lineages
        out[r, 8] = tally[1]
        out[r, 9] = tally[3]

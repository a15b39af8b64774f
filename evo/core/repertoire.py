"""Repertoire event models: a population's repertoire of discrete traits, gained and lost by events.

The main model's culture is the continuous skill of K tool lineages (Henrich 2004). The two
published models here count *traits* instead: how many distinct traits a population holds, gained
by invention, refinement and combination and lost when transmission fails. Neither has genes or a
brain that changes, so both are null models of a cultural leap: whatever bursts they show, no
mirror system caused them. The driver `repertoire` (`evo.run.runner`) runs them; the kernels below
hold every trait in arrays and draw from the kernels' stream (`evo.core.stream`) in the order each
docstring states, so one seed gives one table bit for bit. Each kernel has a plain-Python twin in
`tests/reference/repertoire.py` that must agree exactly.

Lewis & Laland 2012 (Phil Trans R Soc B 367:2171-2180, "Transmission fidelity is the key to the
build-up of cumulative culture")
-----------------------------------------------------------------------------------------------
Sources: the paper's abstract (four processes: novel invention of entirely new traits,
modification as refinement of an existing trait, combination of two established traits into a new
one, and loss; no change in brain architecture; small changes in fidelity matter most, then
combination, then modification, invention hardly at all) and a public re-implementation's
summary of its methods (our source for: a pool of 10 seed traits, a start from 2 of them, one
event per time step with chances rho1 + rho2 + rho3 + rho4 = 1, 5000 events, no composite trait
holding a seed twice, an empty repertoire's next event is an invention). We could not read the
paper's methods section itself; every other detail is marked "our assumption". The version here is
the one with unbiased loss (every trait equally likely lost).

A trait is a seed set (a bit mask over the `ll_seeds` seed traits: its lineages) and a level
(its complexity: seed elements plus modifications). Each time step is one event:

* novel invention (rho1): a seed trait the repertoire lacks joins it, level 1, drawn uniformly
  among the absent seeds;
* combination (rho2): a trait A drawn uniformly and a trait B drawn uniformly among those whose
  seed sets are disjoint from A's give a new trait with the union of their seeds and level
  level(A) + level(B) (our assumption: complexity adds up; A and B stay);
* modification (rho3): a trait drawn uniformly gives a new variant with its seeds and level + 1
  (it stays too);
* loss (rho4): a trait drawn uniformly is lost.

Our assumptions besides: the initial seeds are drawn as inventions before the first time step;
an event that cannot happen (every seed already present; A has no disjoint partner) is drawn
again, so every time step is one event that happens ("one of the four events must happen"); every
gain makes a new trait, even when the same pair or trait was used before (the repertoire counts
gain events minus losses). Hence, once every seed is present and partners abound, the repertoire
changes by (rho2 + rho3 - rho4)/(1 - rho1) per time step on average (`ll_growth_rate`), and with
the gains' shares (w1, w2, w3) held fixed it stops growing at rho4* = (w2 + w3)/(1 + w2 + w3)
(`ll_transition`): near 1/2 when invention is rare, the loss probability where loss balances
gain. That is a mean-field bound, not a prediction: traits that hold every seed (and their
modifications) have no partner, so combinations are redrawn more often as they accumulate and
the growth falls short of it (by 1 % at the scenario's rates, by a third at rho4 = 0.42), while
small repertoires, which still lack seeds to invent, grow faster. Without combination the law of
the repertoire is exact (`ll_stationary_mean`).

Kolodny, Creanza & Feldman 2015 (PNAS 112:E6762-E6769, "Evolution in leaps: the punctuated
accumulation and loss of cultural innovations")
--------------------------------------------------------------------------------------------
Sources: the authors' own simulation code, published with their follow-up (Kolodny, Creanza &
Feldman 2016, PLOS Comput Biol 12:e1005302), which extends the 2015 model and dates its additions;
and their lab's descriptions of the 2015 framework (a new trait is invented with chance P_inv per
individual per time step, has a selection coefficient s drawn from an exponential distribution of
mean beta and is established with chance s; an established trait is lost with chance P_loss/N per
time step, N the number who know it). We run the *simplified* model: one population of N who all
know every trait (no sub-groups), one environment (no environmental loss), none of the 2016
parameter-changing innovations, from an empty repertoire (as the authors' code starts). Traits are
of three kinds, and each generation does, in order:

1. novel (main-axis) invention: Binomial(N, P_inv) inventions; each draws s = beta * Exp(1) again
   until s <= 1 (the authors' truncation), is established with chance s and then gets a toolkit
   size uniform in 1..`kolodny_toolkit_max`;
2. toolkit (refinement) attempts, if there is a main-axis trait: Binomial(N, P_toolkit); each picks
   a main-axis trait and a position in its toolkit uniformly and fills the position if it is empty;
3. combination attempts, if there are two main-axis traits: Binomial(N, P_comb); each picks two
   main-axis traits uniformly (with replacement) and adds their combination if it is new and the
   pair is useful, which a fixed share `kolodny_useful` of pairs is (the authors decide it by a
   hash of the two ids; ours is splitmix64 of the ids and a salt drawn once per run). Our
   assumption: a trait picked twice makes no combination (the authors' code would combine it
   with itself). So the innovation rate of combinations grows with the repertoire: m main-axis
   traits allow m(m - 1)/2 pairs;
4. loss: each trait present is lost with chance P_loss/N; a lost main-axis trait takes its whole
   toolkit and every combination it is part of with it (the authors' cascade), which makes losses
   punctuated. Our assumption: traits are lost independently (the authors draw Binomial(T,
   P_loss/N) losses among the T traits and pick them uniformly, the same law when no loss
   cascades, slightly more losses when one does).

Main-axis traits are thus an immigration-death chain: E[m(t)] = m* (1 - (1 - mu)^t), m* = lambda
(1 - mu)/mu, lambda = N P_inv E[s], mu = P_loss/N (`kolodny_main_mean`); with toolkits and
combinations filled as fast as they are lost, the stationary repertoire is m* (1 + (K + 1)/2) +
useful * E[m(m - 1)]/2 (`kolodny_saturated_repertoire`), quadratic in the main axis.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numba import njit, uint64

from evo.core import stream
from evo.errors import UsageError

if TYPE_CHECKING:
    from evo.core.params import Params

# Event kinds, the columns of the per-row event counts.
INVENTION, COMBINATION, MODIFICATION, LOSS = range(4)
#: Row columns both models write: time step, traits, gains, losses, and the gains by kind.
COMMON_COLUMNS = ("generation", "tool_types", "gains", "losses", "novel_inventions",
                  "combinations", "modifications")
LL_COLUMNS = (*COMMON_COLUMNS, "lineages", "level_sum", "seed_sum")
KOLODNY_COLUMNS = (*COMMON_COLUMNS, "main_traits", "toolkit_traits", "combination_traits")
MAX_MAIN_TRAITS = 2048  # main-axis slots a Kolodny run may allocate (combinations: slots^2 bytes)
SUM_TOLERANCE = 1e-9


# --- shared ------------------------------------------------------------------------------------


def record_steps(n_steps: int, every: int) -> np.ndarray:
    """The time steps that get a row: 0, every, 2 every, ... and always the last one."""
    steps = {*range(0, n_steps, every), n_steps}
    return np.array(sorted(steps), np.int64)


@njit(cache=True, inline="always")
def _bernoulli_hits(rng, n, p, out):
    """Which of n Bernoulli(p) trials succeed: fills out[:count] in increasing order, returns count.

    The gaps between successes are geometric, floor(log U / log(1 - p)) with U on (0, 1) (one
    `stream.open_uniform` per success and one more to pass the end), the same law as n separate
    trials with far fewer draws. No draw when n <= 0, p <= 0 (none) or p >= 1 (all).
    """
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        for i in range(n):
            out[i] = i
        return n
    log_fail = np.log1p(-p)
    count = 0
    position = 0.0
    while True:
        position += np.floor(np.log(stream.open_uniform(rng)) / log_fail)
        if position >= n:
            return count
        out[count] = np.int64(position)
        count += 1
        position += 1.0


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

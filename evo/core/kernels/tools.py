"""Cumulative tool learning (Henrich 2004), with mirror-dependent copying loss and a learning budget."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
from numba import njit

from evo.core import stream
from evo.core.kernels.associative import _learn_from_match, effective_mirror
from evo.core.kernels.rule import (
    EXPERIENCE_CORRELATED,
    EXPERIENCE_SUCCESS,
    RULE_BEST,
    RULE_RANDOM,
    RULE_SAMPLE_BEST,
    nonallocating_kernel,
)


@njit(cache=True, inline="always")
def _demonstrator(rng, state, rule, camps, best, i, c, k):
    """Whom learner i (in camp c, which has adults) copies for lineage k; -1 for nobody.

    `rule.demonstrator`: the best adult of the camp (`best[c, k]`, no draw), the best of
    `demonstrator_sample` adults drawn with replacement (one `stream.below` each), a random adult
    (one `stream.below`), or the parent (no draw; -1 when there is none).
    """
    lo = camps.adult_start[c]
    n_adults = camps.adult_start[c + 1] - lo
    if rule.demonstrator == RULE_BEST:
        return best[c, k]
    if rule.demonstrator == RULE_SAMPLE_BEST:
        d = camps.adults[lo + stream.below(rng, n_adults)]
        best_skill = state.skill[d, k]
        for _s in range(rule.demonstrator_sample - 1):
            e = camps.adults[lo + stream.below(rng, n_adults)]
            e_skill = state.skill[e, k]
            # a select, not a branch: which sampled adult is better is a coin toss to the CPU
            d = e if e_skill > best_skill else d
            best_skill = max(e_skill, best_skill)
        return d
    if rule.demonstrator == RULE_RANDOM:
        return camps.adults[lo + stream.below(rng, n_adults)]
    return state.parent[i]


@njit(cache=True, inline="always")
def _afford(new, old, unit_time, time_left, li, k):
    """The skill a learner ends with when gaining max(new, 0) - max(old, 0) costs unit_time each.

    Acquisition within a lifetime budget (Mesoudi 2011): a gain the time left cannot pay for is
    cut to what it can pay for, and the time is spent. Losses (Henrich's replace rule) cost none.
    """
    floor = max(old, 0.0)
    gain = max(new, 0.0) - floor
    if gain <= 0.0:
        return new
    cost = unit_time * gain
    if cost <= time_left[li, k]:
        time_left[li, k] -= cost
        return new
    bought = time_left[li, k] / unit_time
    time_left[li, k] = 0.0
    return floor + bought


@njit(cache=True, inline="always")
def _best_of_copy_and_invention(rng, rule, mode):
    """(skill, copied): the better of a copy Gumbel(mode, beta) and an invention.

    Henrich's copy is Gumbel(mode, beta); the invention, drawn with `innovation_rate` (one uniform
    when 0 < rate < 1), Gumbel(innovation_mode, beta). The larger of two Gumbels of one scale is
    itself Gumbel, with mode beta*log(exp(a/beta) + exp(b/beta)), and the copy is the larger with
    probability 1/(1 + exp((b - a)/beta)), independent of the value (the Gumbel-max property;
    McFadden 1974, Yellott 1977). So one Gumbel gives the value and one uniform (none when that
    probability is 1 in double precision) says which it was: the same joint distribution as two
    draws, with two logarithms instead of four.
    """
    invents = rule.innovation_rate >= 1.0 or (
        rule.innovation_rate > 0.0 and stream.uniform(rng) < rule.innovation_rate)
    if not invents:
        return mode + rule.beta * stream.gumbel(rng), True
    gap = (rule.innovation_mode - mode) / rule.beta
    if gap <= 0.0:
        top = mode + rule.beta * np.log1p(np.exp(gap))
    else:
        top = rule.innovation_mode + rule.beta * np.log1p(np.exp(-gap))
    p_copy = 1.0 / (1.0 + np.exp(gap))
    value = top + rule.beta * stream.gumbel(rng)
    return value, p_copy >= 1.0 or stream.uniform(rng) < p_copy


@njit(cache=True, inline="always")
def _fidelity_cost(state, rule, i):
    """1 - mirror_gain * m: what copying costs learner i per unit of loss and of time (step 2)."""
    return 1.0 - rule.mirror_gain * effective_mirror(state.g_mirror[i], state.m_learned[i])


@njit(cache=True, inline="always")
def _copy_skill(rng, state, rule, preferred, meaning, alpha_k, fidelity_cost, time_left, li, i,
                d, k):
    """Learner i (the li-th learner) copies demonstrator d in lineage k: `tool_learning` 2-6.

    `alpha_k` is alpha times lineage k's difficulty, `fidelity_cost` the learner's
    `_fidelity_cost`, `meaning` k mod M (-1 without teaching). Draws as
    `_best_of_copy_and_invention`. Returns 1 when the episode trained learned matching
    (`rule.assoc_experience`, step 6), else 0.
    """
    loss = alpha_k * fidelity_cost
    if meaning >= 0:
        p = preferred[i, meaning]
        if p >= 0 and p == preferred[d, meaning]:
            loss *= 1.0 - rule.teaching_gain
            fidelity_cost *= 1.0 - rule.teaching_gain
    model_skill = state.skill[d, k]
    new, copied = _best_of_copy_and_invention(rng, rule, model_skill - loss)
    old = state.skill[i, k]
    if new > old or not rule.keep_best:
        if rule.learning_budget > 0.0:
            new = _afford(new, old, fidelity_cost if copied else 1.0, time_left, li, k)
        state.skill[i, k] = new
    if rule.assoc_experience == EXPERIENCE_SUCCESS:
        matched = copied and state.skill[i, k] > old
    elif rule.assoc_experience == EXPERIENCE_CORRELATED:
        matched = model_skill > 0.0
    else:
        matched = True
    if matched:
        _learn_from_match(state, i)
        return 1
    return 0


def lineage_difficulty(lineages: int, spread: float) -> np.ndarray:
    """Relative copying difficulty of each lineage: exp(spread * z_k), z_k = Phi^-1((k + 1/2)/K).

    Tool types differ in how hard they are to copy, so that Henrich's threshold differs by type and
    the number of types a population sustains grows with its size (Kline & Boyd 2010; Henrich
    2004 with one alpha per type). Lognormal (difficulty multiplies the copying loss) with median
    1, drawn as deterministic normal quantiles, so no random number is spent and every run of a
    design has the same set of tools: our assumption. Lineage 0 is the easiest. spread = 0 gives
    exactly 1 for every lineage.
    """
    if spread == 0.0:
        return np.ones(lineages)
    quantiles = [NormalDist().inv_cdf((k + 0.5) / lineages) for k in range(lineages)]
    return np.exp(spread * np.array(quantiles))


def tool_learning(rng, state, rule, camps, learners, preferred, difficulty=None, pays=None) -> int:
    """Cumulative tool learning (Henrich 2004), with mirror-dependent copying loss.

    For each of `rule.learning_episodes` episodes, each learner (in order) and each lineage k:
    1. pick a demonstrator among the adults of its camp (`rule.demonstrator`: best in camp, best
       of `demonstrator_sample` drawn with replacement, a random adult, or the parent);
    2. copy: z = z_demo - alpha_eff - beta*ln(E), E ~ Exp(1), i.e. Gumbel(mode z_demo - alpha_eff,
       scale beta) as in Henrich (2004). alpha_eff = alpha*(1 - mirror_gain*m) falls linearly with
       effective mirror strength m (our assumption: the simplest monotone map, with alpha at m = 0);
       it is further multiplied by (1 - teaching_gain) when learner and demonstrator prefer the same
       gesture for the tool's meaning k mod M (`preferred`, slots x M; teaching through shared
       conventions: our assumption, after Morgan et al. 2015, Nat Commun 6:6029, where language
       raised transmission fidelity); and by lineage k's difficulty (`difficulty[k]`,
       `lineage_difficulty`; all 1 when omitted);
    3. with probability `innovation_rate`, also invent: Gumbel(innovation_mode, beta) (trial and
       error, our assumption: it keeps some culture alive without copying, so that copying can
       start to pay) and take the better of copy and invention;
    4. keep the result if `keep_best` and it beats the current skill, else replace (Henrich's rule).
    5. with `learning_budget` B > 0, acquisition costs time (Mesoudi 2011, PLoS ONE 6:e18239):
       each lineage gets an even share B/K of the learner's lifetime learning time, and every unit
       of positive skill gained costs f = (1 - mirror_gain*m)(1 - teaching_gain if shared) of it
       when copied (what lowers the copying loss lowers the acquisition time: our assumption) and
       1 when invented; a gain the remaining time cannot pay for is cut to what it can pay for.
       Per lineage, skill then stays below B/(K f): a ceiling that rises with mirror strength.
       B = 0 is Henrich's model without a ceiling.
    6. associative mirror learning (`rule.assoc_experience`): with "success" a copy that raised
       the learner's skill trains matching (doing what one saw, successfully); with "correlated"
       every episode whose demonstrator holds skill > 0 in the lineage (a skilled action watched
       while trying it: Heyes 2010, correlated sensorimotor experience); with "all" every episode.
    A lineage k that does not pay in the learner's camp c (`pays[c, k]` 0; `evo.core.world`, all 1
    when omitted) is skipped: not learned, no draws.
    Random draws per (episode, learner, lineage): demonstrator draws (none for best and parent,
    one for random, `demonstrator_sample` for sample_best; each a `stream.below`), then those of
    `_best_of_copy_and_invention` (steps 2-3 in one Gumbel).
    Returns the number of matched episodes.
    """
    if difficulty is None:
        difficulty = np.ones(state.skill.shape[1])
    n_camps, n_lineages = camps.adult_start.size - 1, state.skill.shape[1]
    if pays is None:
        pays = np.ones((n_camps, n_lineages), np.uint8)
    best = np.full((n_camps, n_lineages), -1, np.int64)
    if rule.demonstrator == RULE_BEST:
        _best_adults(state.skill, camps.adult_start, camps.adults, best)
    share = rule.learning_budget / n_lineages if n_lineages > 0 else 0.0
    time_left = np.full((learners.size, n_lineages), share)
    return _tool_learning(rng, state, rule, camps, learners, preferred, difficulty, pays, best,
                          time_left)


@njit(cache=True)
def _best_adults(skill, adult_start, adults, best):
    """Henrich's demonstrator: best[c, k], the most skilled adult of camp c in lineage k.

    The first in slot order on ties; fixed while the learners learn.
    """
    for c in range(adult_start.size - 1):
        for k in range(skill.shape[1]):
            for a in range(adult_start[c], adult_start[c + 1]):
                d = adults[a]
                if best[c, k] < 0 or skill[d, k] > skill[best[c, k], k]:
                    best[c, k] = d


@nonallocating_kernel
def _tool_learning(rng, state, rule, camps, learners, preferred, difficulty, pays, best,
                   time_left):
    """The learning loop of `tool_learning`.

    Henrich's best adults are already in `best`, each (learner, lineage)'s learning time in
    `time_left`.
    """
    n_lineages = state.skill.shape[1]
    n_meanings = preferred.shape[1]
    teaches = n_meanings > 0 and rule.teaching_gain > 0.0
    matched = 0
    for _ in range(rule.learning_episodes):
        for li in range(learners.size):
            i = learners[li]
            c = state.camp[i]
            if camps.adult_start[c + 1] == camps.adult_start[c]:
                continue
            # the learner's fidelity changes only when an episode trains its matching
            fidelity_cost = _fidelity_cost(state, rule, i)
            meaning = 0 if teaches else -1  # k mod M, kept without a division
            for k in range(n_lineages):
                if pays[c, k] != 0:
                    d = _demonstrator(rng, state, rule, camps, best, i, c, k)
                    if d >= 0 and _copy_skill(rng, state, rule, preferred, meaning,
                                              rule.alpha * difficulty[k], fidelity_cost,
                                              time_left, li, i, d, k):
                        matched += 1
                        fidelity_cost = _fidelity_cost(state, rule, i)
                if teaches:
                    meaning = meaning + 1 if meaning + 1 < n_meanings else 0
    return matched

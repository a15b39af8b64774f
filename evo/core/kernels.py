"""Numba kernels: the per-generation learning, communication and reproduction rules.

A rule kernel takes the population as one value, `state` (an `evo.core.state.PopulationState`, a
NamedTuple of arrays indexed by slot), and the rule's constants as another, `rule` (a `Rule`, a
NamedTuple of scalars built from `Params` by `make_rule`), so it reads `state.skill[i, k]` and
`rule.alpha`. Each draws its random numbers, in a fixed order, from `rng`, the state array of the
model's kernel stream (`evo.core.stream`, xoshiro256** inlined), so one seed gives one result bit for
bit. Camps are given in CSR form (`Camps`): members of camp c are
`members[start[c]:start[c + 1]]`, in ascending slot order.
Each kernel has a plain-Python twin in `tests/reference_kernels.py` that must agree exactly.
"""

from __future__ import annotations

import typing
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from evo.core import stream
from evo.core.params import DEMONSTRATOR_RULES

if TYPE_CHECKING:
    from evo.core.params import Params

RULE_BEST, RULE_SAMPLE_BEST, RULE_RANDOM, RULE_PARENT = range(len(DEMONSTRATOR_RULES))

# The rule kernels read `state.x` and `camps.x` inside their loops. With numba's reference counting
# on, each such read of a NamedTuple field increments and decrements the array's reference count
# (a call and an atomic operation each), which made the kernels 5x slower than with separate array
# arguments (measured). The kernels below that allocate nothing are therefore compiled without it
# (`_nrt=False`: the arrays belong to the caller and live through the call); those that return a
# new array take each field once, at the top.
kernel = njit(cache=True, _nrt=False)


class Rule(NamedTuple):
    """The constants of every rule, one scalar each, as the kernels read them (`rule.alpha`).

    A field named like a `Params` field takes that parameter's value; the others are derived in
    `make_rule`. Adding a rule constant is one line here (plus its derivation if it has no
    parameter of its name).
    """

    # tools (Henrich 2004)
    demonstrator: int  # index into DEMONSTRATOR_RULES (RULE_BEST ... RULE_PARENT)
    demonstrator_sample: int
    learning_episodes: int
    alpha: float
    mirror_gain: float
    beta: float
    keep_best: bool
    innovation_rate: float
    innovation_mode: float
    teaching_gain: float
    learning_budget: float
    # gestures
    confuse: bool  # misperception == "confuse"
    prefer: bool  # speaker_choice == "preferred"
    # fitness
    baseline_fitness: float
    tool_benefit: float
    comm_benefit: float
    mirror_cost: float
    assoc_cost: float
    env_benefit: float
    individual_cost: float
    # inheritance and migration
    mutation_rate: float
    assoc_mutation_rate: float
    mutation_sd: float
    flip: bool  # mutation_kind == "flip"
    migration_rate: float


_RULE_TYPES = typing.get_type_hints(Rule)


def make_rule(params: Params, **overrides) -> Rule:
    """The rule constants of `params`, with `overrides` (by `Rule` field) applied.

    Every value is cast to its field's type, so that numba compiles each kernel once.
    """
    derived = {
        "demonstrator": DEMONSTRATOR_RULES.index(params.demonstrator),
        "flip": params.mutation_kind == "flip",
        "confuse": params.misperception == "confuse",
        "prefer": params.speaker_choice == "preferred",
    }
    values = {name: derived[name] if name in derived else getattr(params, name)
              for name in Rule._fields}
    values.update(overrides)
    return Rule(**{name: _RULE_TYPES[name](value) for name, value in values.items()})


class Camps(NamedTuple):
    """Who is in which camp, in CSR form: everyone alive (`members`) and the adults (`adults`).

    Members of camp c are `members[start[c]:start[c + 1]]`, its adults (age >= 1)
    `adults[adult_start[c]:adult_start[c + 1]]`, each in ascending slot order.
    """

    start: np.ndarray
    members: np.ndarray
    adult_start: np.ndarray
    adults: np.ndarray


@njit(cache=True)
def effective_mirror(g_mirror: float, m_learned: float) -> float:
    """Effective mirror strength m = 1 - (1 - genetic)(1 - learned).

    Our assumption (DESIGN.md): the genetic and learned routes act like independent chances to
    match an observed action to one's own motor program; m lies in [0, 1] and equals either part
    when the other is 0.
    """
    return 1.0 - (1.0 - g_mirror) * (1.0 - m_learned)


@njit(cache=True)
def camp_members(group: np.ndarray, mask: np.ndarray, n_camps: int):
    """CSR listing of the slots with `mask` true, by camp, ascending slot order within a camp."""
    counts = np.zeros(n_camps + 1, np.int64)
    for i in range(group.size):
        if mask[i]:
            counts[group[i] + 1] += 1
    start = np.cumsum(counts)
    members = np.empty(start[-1], np.int64)
    fill = start[:-1].copy()
    for i in range(group.size):
        if mask[i]:
            members[fill[group[i]]] = i
            fill[group[i]] += 1
    return start, members


def camps_of(state, n_camps: int) -> Camps:
    """The living and the adults of each camp (see `Camps`)."""
    start, members = camp_members(state.group, state.alive, n_camps)
    adult_start, adults = camp_members(state.group, state.alive & (state.age >= 1), n_camps)
    return Camps(start, members, adult_start, adults)


@njit(cache=True, inline="always")
def _learn_from_match(state, i):
    """Associative sequence learning (Heyes 2010; Catmur, Walsh & Heyes 2007).

    A matched sensorimotor episode (doing while seeing the same action) strengthens the learned
    mirror link: m_learned += g_assoc * (1 - m_learned).
    """
    state.m_learned[i] += state.g_assoc[i] * (1.0 - state.m_learned[i])


# --- tools (Henrich 2004) --------------------------------------------------------------------


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
def _copy_skill(rng, state, rule, preferred, time_left, li, i, d, k):
    """Learner i (the li-th learner) copies demonstrator d in lineage k: `tool_learning` 2-5.

    Draws as `_best_of_copy_and_invention`. Returns 1 when the copy raised i's skill (a matched
    episode), else 0.
    """
    n_meanings = preferred.shape[1]
    m = effective_mirror(state.g_mirror[i], state.m_learned[i])
    fidelity_cost = 1.0 - rule.mirror_gain * m
    loss = rule.alpha * fidelity_cost
    if n_meanings > 0 and rule.teaching_gain > 0.0:
        p = preferred[i, k % n_meanings]
        if p >= 0 and p == preferred[d, k % n_meanings]:
            loss *= 1.0 - rule.teaching_gain
            fidelity_cost *= 1.0 - rule.teaching_gain
    new, copied = _best_of_copy_and_invention(rng, rule, state.skill[d, k] - loss)
    old = state.skill[i, k]
    if new > old or not rule.keep_best:
        if rule.learning_budget > 0.0:
            new = _afford(new, old, fidelity_cost if copied else 1.0, time_left, li, k)
        state.skill[i, k] = new
    if copied and state.skill[i, k] > old:
        _learn_from_match(state, i)
        return 1
    return 0


def tool_learning(rng, state, rule, camps, learners, preferred) -> int:
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
       raised transmission fidelity);
    3. with probability `innovation_rate`, also invent: Gumbel(innovation_mode, beta) (trial and
       error, our assumption after DESIGN.md) and take the better of copy and invention;
    4. keep the result if `keep_best` and it beats the current skill, else replace (Henrich's rule).
    5. with `learning_budget` B > 0, acquisition costs time (Mesoudi 2011, PLoS ONE 6:e18239):
       each lineage gets an even share B/K of the learner's lifetime learning time, and every unit
       of positive skill gained costs f = (1 - mirror_gain*m)(1 - teaching_gain if shared) of it
       when copied (what lowers the copying loss lowers the acquisition time: our assumption) and
       1 when invented; a gain the remaining time cannot pay for is cut to what it can pay for.
       Per lineage, skill then stays below B/(K f): a ceiling that rises with mirror strength.
       B = 0 is Henrich's model without a ceiling.
    A copy that raises the learner's skill is a matched episode for associative mirror learning.
    Random draws per (episode, learner, lineage): demonstrator draws (none for best and parent,
    one for random, `demonstrator_sample` for sample_best; each a `stream.below`), then those of
    `_best_of_copy_and_invention` (steps 2-3 in one Gumbel).
    Returns the number of matched episodes.
    """
    n_camps, n_lineages = camps.adult_start.size - 1, state.skill.shape[1]
    best = np.full((n_camps, n_lineages), -1, np.int64)
    if rule.demonstrator == RULE_BEST:
        _best_adults(state.skill, camps.adult_start, camps.adults, best)
    share = rule.learning_budget / n_lineages if n_lineages > 0 else 0.0
    time_left = np.full((learners.size, n_lineages), share)
    return _tool_learning(rng, state, rule, camps, learners, preferred, best, time_left)


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


@kernel
def _tool_learning(rng, state, rule, camps, learners, preferred, best, time_left):
    """The learning loop of `tool_learning`.

    Henrich's best adults are already in `best`, each (learner, lineage)'s learning time in
    `time_left`.
    """
    n_lineages = state.skill.shape[1]
    matched = 0
    for _ in range(rule.learning_episodes):
        for li in range(learners.size):
            i = learners[li]
            c = state.group[i]
            if camps.adult_start[c + 1] == camps.adult_start[c]:
                continue
            for k in range(n_lineages):
                d = _demonstrator(rng, state, rule, camps, best, i, c, k)
                if d < 0:
                    continue
                matched += _copy_skill(rng, state, rule, preferred, time_left, li, i, d, k)
    return matched


# --- gestures (naming game, Baronchelli et al. 2006) -----------------------------------------


@njit(cache=True, inline="always")
def _preferred_at(state, i, m):
    """Position of the variant with the highest use score (first on ties); -1 when none known."""
    best = -1
    best_score = -1
    for j in range(state.n_known[i, m]):
        if state.scores[i, m, j] > best_score:
            best_score = state.scores[i, m, j]
            best = j
    return best


@njit(cache=True, inline="always")
def _preferred_of(state, i, m):
    """The variant with the highest use score (first on ties), or -1 when none is known."""
    j = _preferred_at(state, i, m)
    return state.gestures[i, m, j] if j >= 0 else -1


def preferred_variants(state, slots) -> np.ndarray:
    """Preferred variant per listed slot and meaning, shape (len(slots), M); -1 = none."""
    out = np.empty((slots.size, state.gestures.shape[1]), np.int64)
    _preferred_variants(state, slots, out)
    return out


@kernel
def _preferred_variants(state, slots, out):
    for r in range(slots.size):
        for m in range(state.gestures.shape[1]):
            out[r, m] = _preferred_of(state, slots[r], m)


@njit(cache=True, inline="always")
def _add_variant(state, i, m, variant):
    """Add a variant to i's inventory; when full, it replaces the least used (first on ties).

    Returns 1 when a variant had to be dropped (the inventory cap V bound), else 0.
    """
    n = state.n_known[i, m]
    if n < state.gestures.shape[2]:
        state.gestures[i, m, n] = variant
        state.scores[i, m, n] = 0
        state.n_known[i, m] = n + 1
        return 0
    worst = 0
    for j in range(1, n):
        if state.scores[i, m, worst] == 0:
            break  # scores are >= 0: the first 0 is the least used, first on ties (a babel's case)
        if state.scores[i, m, j] < state.scores[i, m, worst]:
            worst = j
    state.gestures[i, m, worst] = variant
    state.scores[i, m, worst] = 0
    return 1


@njit(cache=True, inline="always")
def _collapse_at(state, i, m, j):
    """Success in the naming game: keep only the variant at position j, its use score plus one."""
    variant = state.gestures[i, m, j]
    score = state.scores[i, m, j]
    state.gestures[i, m, 0] = variant
    state.scores[i, m, 0] = score + 1
    state.n_known[i, m] = 1


@njit(cache=True, inline="always")
def _position(state, i, m, variant):
    """Where i holds `variant` for meaning m, or -1 (an inventory holds each variant once)."""
    for j in range(state.n_known[i, m]):
        if state.gestures[i, m, j] == variant:
            return j
    return -1


@njit(cache=True, inline="always")
def _knows(state, i, m, variant):
    return _position(state, i, m, variant) >= 0


@njit(cache=True, inline="always")
def _other_variant(state, i, m, word, r):
    """The r-th variant of i's inventory for meaning m, skipping `word`."""
    for j in range(state.n_known[i, m]):
        if state.gestures[i, m, j] == word:
            continue
        if r == 0:
            return state.gestures[i, m, j]
        r -= 1
    return -1


@njit(cache=True, inline="always")
def _gesture_episode(rng, state, rule, speaker, hearer, counters):
    """One naming-game episode (Baronchelli et al. 2006) with imperfect parity.

    The speaker picks a meaning (uniform; no draw when M = 1) and utters a random variant it knows,
    inventing a new one if it knows none. The hearer perceives it correctly with probability equal
    to its effective mirror strength (parity through the mirror system: Rizzolatti & Arbib 1998;
    no draw when that is 1), otherwise as a new variant. Success (hearer knows the variant it
    perceived, and it is the uttered one): both keep only that variant, and both have a matched
    episode for associative learning. Failure: the hearer adds what it perceived (it cannot know
    it yet). counters = [next variant id, variants dropped because an inventory was full, words
    held in all inventories (kept exact only while nobody is born or dies)]. Returns 1 on success.
    Options: `rule.prefer`, the speaker utters its preferred variant (highest use score, first on
    ties; no draw), the naming game with weighted inventories (Baronchelli et al. 2006, sec. 4);
    `rule.confuse`, a misperceived gesture is heard as another variant the hearer knows for that
    meaning (one uniform picks it among those other than the uttered one; the episode fails and
    nothing is added), or as a new one when it knows no other: errors confuse signals of the
    repertoire (Nowak & Krakauer 1999, PNAS 96:8028).
    """
    n_meanings = state.gestures.shape[1]
    m = 0 if n_meanings == 1 else stream.below(rng, n_meanings)
    n = state.n_known[speaker, m]
    if n == 0:
        word = counters[0]
        counters[0] += 1
        counters[1] += _add_variant(state, speaker, m, word)  # at position 0
        counters[2] += 1
        said = 0
    elif rule.prefer:
        said = _preferred_at(state, speaker, m)
        word = state.gestures[speaker, m, said]
    else:
        said = stream.below(rng, n)
        word = state.gestures[speaker, m, said]
    parity = effective_mirror(state.g_mirror[hearer], state.m_learned[hearer])
    perceived = word
    confused = False
    if parity < 1.0 and not stream.uniform(rng) < parity:
        others = state.n_known[hearer, m]
        if rule.confuse:
            others -= _knows(state, hearer, m, word)
        if rule.confuse and others > 0:
            confused = True
            perceived = _other_variant(state, hearer, m, word, stream.below(rng, others))
        else:
            perceived = counters[0]
            counters[0] += 1
    # a misperceived gesture is never the uttered one (a new id, or another known variant)
    heard = _position(state, hearer, m, word) if perceived == word else -1
    if heard >= 0:
        counters[2] -= state.n_known[speaker, m] + state.n_known[hearer, m] - 2
        _collapse_at(state, speaker, m, said)
        _collapse_at(state, hearer, m, heard)
        _learn_from_match(state, speaker)
        _learn_from_match(state, hearer)
        return 1
    if not confused:
        dropped = _add_variant(state, hearer, m, perceived)
        counters[1] += dropped
        counters[2] += 1 - dropped
    return 0


@kernel
def gesture_generation(rng, state, rule, camps, episodes_per_camp, counters):
    """A generation of gesture episodes, camp by camp: `episodes_per_camp[c]` random pairs.

    The speaker is a random adult of the camp (`camps.adults`), the hearer a random other member
    (`camps.members`, adults and newborns; redrawn while it is the speaker). Children learn
    conventions by attending to adults before they use them: our assumption, which keeps each new
    cohort from flooding the camp with inventions (in the minimal naming game every speaker may
    invent). `state.attempts` and `state.successes` are raised for both partners (they feed
    fitness). Returns (episodes, successful episodes).
    """
    total = 0
    won = 0
    for c in range(camps.start.size - 1):
        lo = camps.start[c]
        n = camps.start[c + 1] - lo
        s_lo = camps.adult_start[c]
        n_speakers = camps.adult_start[c + 1] - s_lo
        if n < 2 or n_speakers == 0:
            continue
        for _ in range(episodes_per_camp[c]):
            s = camps.adults[s_lo + stream.below(rng, n_speakers)]
            h = camps.members[lo + stream.below(rng, n)]
            while h == s:
                h = camps.members[lo + stream.below(rng, n)]
            ok = _gesture_episode(rng, state, rule, s, h, counters)
            state.attempts[s] += 1
            state.attempts[h] += 1
            state.successes[s] += ok
            state.successes[h] += ok
            total += 1
            won += ok
    return total, won


@njit(cache=True, inline="always")
def _all_share_one_word(state, members):
    """Every member knows exactly one variant per meaning, the same one for each meaning."""
    for m in range(state.gestures.shape[1]):
        word = state.gestures[members[0], m, 0]
        for r in range(members.size):
            i = members[r]
            if state.n_known[i, m] != 1 or state.gestures[i, m, 0] != word:
                return False
    return True


@kernel
def naming_game_chunk(rng, state, rule, members, n_episodes, counters):
    """Up to `n_episodes` naming-game episodes in one group, stopping at consensus.

    Consensus (Baronchelli et al. 2006): for every meaning, every member knows exactly one word,
    the same one; it is tested only when words_total = N * M, where it can hold.
    Returns (episodes played, successes, consensus reached).
    """
    n = members.size
    n_meanings = state.gestures.shape[1]
    won = 0
    for e in range(n_episodes):
        a = stream.below(rng, n)
        b = stream.below(rng, n - 1)
        b += b >= a  # a random other member
        won += _gesture_episode(rng, state, rule, members[a], members[b], counters)
        if counters[2] == n * n_meanings and _all_share_one_word(state, members):
            return e + 1, won, True
    return n_episodes, won, False


# --- behaviour in a changing environment (Rogers 1988) ---------------------------------------


@kernel
def learn_behaviour(rng, state, rule, camps, learners, env_state):
    """Learning one behaviour in a changing environment (Rogers 1988).

    A learner learns socially with probability equal to its effective mirror strength (no draw when
    that is 0 or 1; with mirror alleles 0/1 this is Rogers' pure strategies): it copies the
    behaviour of a random adult of its camp (Rogers: a random member of the previous generation).
    Otherwise it learns alone and gets the current environment right, at a cost paid in fitness.
    """
    for li in range(learners.size):
        i = learners[li]
        m = effective_mirror(state.g_mirror[i], state.m_learned[i])
        c = state.group[i]
        lo = camps.adult_start[c]
        n_adults = camps.adult_start[c + 1] - lo
        social = m >= 1.0 or (m > 0.0 and stream.uniform(rng) < m)
        if social and n_adults > 0:
            state.behaviour[i] = state.behaviour[camps.adults[lo + stream.below(rng, n_adults)]]
            state.alone[i] = False
        else:
            state.behaviour[i] = env_state
            state.alone[i] = True


# --- selection and reproduction ---------------------------------------------------------------


@kernel
def fitness(state, rule, slots, env_state):
    """Viability fitness of each listed slot into `state.fitness`, floored at 0.

    w = baseline + tool_benefit * sum_k log1p(max(z_k, 0))      (saturating returns: our assumption)
        + comm_benefit * success rate                            (Nowak & Krakauer 1999)
        - mirror_cost * g_mirror^2 - assoc_cost * g_assoc^2      (costly brains: our assumption)
        +/- env_benefit (behaviour right/wrong), - env_benefit * individual_cost if learned alone
                                                                 (Rogers 1988)
    """
    n_lineages = state.skill.shape[1]
    for r in range(slots.size):
        i = slots[r]
        w = rule.baseline_fitness
        for k in range(n_lineages):
            if state.skill[i, k] > 0.0:
                w += rule.tool_benefit * np.log1p(state.skill[i, k])
        if state.attempts[i] > 0:
            w += rule.comm_benefit * state.successes[i] / state.attempts[i]
        w -= rule.mirror_cost * state.g_mirror[i] ** 2 + rule.assoc_cost * state.g_assoc[i] ** 2
        if rule.env_benefit > 0.0:
            w += rule.env_benefit if state.behaviour[i] == env_state else -rule.env_benefit
            if state.alone[i]:
                w -= rule.env_benefit * rule.individual_cost
        state.fitness[i] = max(w, 0.0)


@njit(cache=True, inline="always")
def _mutate(rng, value, rate, sd, flip):
    """Mutation: with probability `rate`, a Gaussian step reflected into [0, 1], or 0<->1 flip."""
    if stream.uniform(rng) >= rate:
        return value
    if flip:
        return 1.0 - value
    x = value + sd * stream.normal(rng)
    while x < 0.0 or x > 1.0:
        x = -x if x < 0.0 else 2.0 - x
    return x


@njit(cache=True)
def choose_parents(rng, state, start, members, births_per_camp):
    """Parents for each camp's births, drawn with replacement proportional to `state.fitness`.

    Wright-Fisher sampling within a camp (Ewens 2004); a camp whose members all have zero fitness
    draws parents uniformly. One uniform per birth, inverted on the cumulative fitness. Camps are
    CSR (`start`, `members`), as from `camp_members`.
    """
    weights = state.fitness
    total_births = 0
    for c in range(births_per_camp.size):
        total_births += births_per_camp[c]
    parents = np.empty(total_births, np.int64)
    out = 0
    for c in range(births_per_camp.size):
        lo = start[c]
        n = start[c + 1] - lo
        if n == 0 or births_per_camp[c] == 0:
            continue
        cum = np.empty(n)
        acc = 0.0
        for r in range(n):
            acc += weights[members[lo + r]]
            cum[r] = acc
        for _ in range(births_per_camp[c]):
            if acc > 0.0:
                x = stream.uniform(rng) * acc
                r = np.searchsorted(cum, x, side="right")
                if r >= n:
                    r = n - 1
            else:
                r = stream.below(rng, n)
            parents[out] = members[lo + r]
            out += 1
    return parents[:out]


@kernel
def inherit(rng, state, rule, parents, children):
    """Children take their parent's genes with mutation and are born into the parent's camp.

    Random draws per birth: one uniform per gene (mirror, then assoc), plus one normal for each
    Gaussian mutation. Asexual inheritance of a quantitative trait: our simplification.
    """
    for r in range(parents.size):
        p = parents[r]
        c = children[r]
        state.g_mirror[c] = _mutate(rng, state.g_mirror[p], rule.mutation_rate, rule.mutation_sd,
                                    rule.flip)
        state.g_assoc[c] = _mutate(rng, state.g_assoc[p], rule.assoc_mutation_rate,
                                   rule.mutation_sd, rule.flip)
        state.group[c] = state.group[p]
        state.parent[c] = p


@njit(cache=True)
def reproduce(rng, state, rule, start, members, births_per_camp, children):
    """`choose_parents`, then `inherit` into `children` (one slot per birth), in one call.

    The same draws in the same order as the two calls; one call per generation fewer (each costs
    some microseconds of argument handling). Returns the parents.
    """
    parents = choose_parents(rng, state, start, members, births_per_camp)
    inherit(rng, state, rule, parents, children)
    return parents


@njit(cache=True)
def migrate(rng, state, rule, slots, neighbour_start, neighbours):
    """Each listed individual moves to a uniformly chosen neighbour camp with `migration_rate`.

    Stepping-stone migration between neighbouring demes (Kimura & Weiss 1964; Powell, Shennan &
    Thomas 2009). One uniform per individual, one more per mover (the neighbour); the camps'
    neighbours are CSR (`neighbour_start`, `neighbours`). Returns the movers' slots.
    """
    group, rate = state.group, rule.migration_rate
    moved = np.empty(slots.size, np.int64)
    n_moved = 0
    for r in range(slots.size):
        i = slots[r]
        if stream.uniform(rng) < rate:
            c = group[i]
            lo = neighbour_start[c]
            n = neighbour_start[c + 1] - lo
            if n > 0:
                group[i] = neighbours[lo + stream.below(rng, n)]
                moved[n_moved] = i
                n_moved += 1
    return moved[:n_moved]


@njit(cache=True)
def settle(rng, state, rule, slots, env_state, neighbour_start, neighbours):
    """`fitness` of the listed slots, then their `migrate`, in one call; returns the movers."""
    fitness(state, rule, slots, env_state)
    return migrate(rng, state, rule, slots, neighbour_start, neighbours)

"""Numba kernels: the per-generation learning, communication and reproduction rules.

Every kernel works on struct-of-arrays state indexed by slot (see `evo.state`) and draws its random
numbers from the numpy Generator it is given, in a fixed order, so one seed gives one result bit for
bit (numba's Generator shares the numpy bit generator's state and algorithms). Camps are given in
CSR form: members of camp c are `members[start[c]:start[c + 1]]`, in ascending slot order.
Each kernel has a plain-Python twin in `tests/reference_kernels.py` that must agree exactly.
"""

from __future__ import annotations

import numpy as np
from numba import njit

RULE_BEST, RULE_SAMPLE_BEST, RULE_RANDOM, RULE_PARENT = 0, 1, 2, 3


@njit(cache=True, inline="always")
def _randint(u, n):
    """A uniform integer in [0, n) as floor(u * n) from one uniform u = rng.random().

    Ten times faster than `Generator.integers` inside numba (measured 11 vs 112 ns); the bias
    from u's 53-bit resolution is below n / 2**53, far under any sampling error here.
    """
    return np.int64(u * n)


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


@njit(cache=True, inline="always")
def _learn_from_match(i, g_assoc, m_learned):
    """Associative sequence learning (Heyes 2010; Catmur, Walsh & Heyes 2007).

    A matched sensorimotor episode (doing while seeing the same action) strengthens the learned
    mirror link: m_learned += g_assoc * (1 - m_learned).
    """
    m_learned[i] += g_assoc[i] * (1.0 - m_learned[i])


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


@njit(cache=True)
def tool_learning(
    rng,
    learners,
    group,
    parent,
    adult_start,
    adults,
    skill,
    g_mirror,
    g_assoc,
    m_learned,
    preferred,
    rule,
    sample_size,
    episodes,
    alpha,
    mirror_gain,
    beta,
    keep_best,
    innovation_rate,
    innovation_mode,
    teaching_gain,
    learning_budget=0.0,
):
    """Cumulative tool learning (Henrich 2004), with mirror-dependent copying loss.

    For each of `episodes` episodes, each learner (in order) and each lineage k:
    1. pick a demonstrator among the adults of its camp (`rule`: best in camp, best of `sample_size`
       drawn with replacement, a random adult, or the parent);
    2. copy: z = z_demo - alpha_eff - beta*ln(E), E ~ Exp(1), i.e. Gumbel(mode z_demo - alpha_eff,
       scale beta) as in Henrich (2004). alpha_eff = alpha*(1 - mirror_gain*m) falls linearly with
       effective mirror strength m (our assumption: the simplest monotone map, with alpha at m = 0);
       it is further multiplied by (1 - teaching_gain) when learner and demonstrator prefer the same
       gesture for the tool's meaning k mod M (teaching through shared conventions: our assumption,
       after Morgan et al. 2015, Nat Commun 6:6029, where language raised transmission fidelity);
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
    one for random, `sample_size` for sample_best; each a `_randint`), one Exp(1), then for
    innovation one uniform if 0 < rate < 1 and one Exp(1) if inventing.
    Returns the number of matched episodes.
    """
    n_lineages = skill.shape[1]
    n_meanings = preferred.shape[1]
    n_camps = adult_start.size - 1
    # Henrich's demonstrator: the best adult of the camp, fixed while the learners learn.
    best = np.full((n_camps, n_lineages), -1, np.int64)
    if rule == RULE_BEST:
        for c in range(n_camps):
            for k in range(n_lineages):
                for a in range(adult_start[c], adult_start[c + 1]):
                    d = adults[a]
                    if best[c, k] < 0 or skill[d, k] > skill[best[c, k], k]:
                        best[c, k] = d
    matched = 0
    budgeted = learning_budget > 0.0
    share = learning_budget / n_lineages if n_lineages > 0 else 0.0
    time_left = np.full((learners.size, n_lineages), share)
    for _ in range(episodes):
        for li in range(learners.size):
            i = learners[li]
            c = group[i]
            lo = adult_start[c]
            n_adults = adult_start[c + 1] - lo
            if n_adults == 0:
                continue
            for k in range(n_lineages):
                if rule == RULE_BEST:
                    d = best[c, k]
                elif rule == RULE_SAMPLE_BEST:
                    d = adults[lo + _randint(rng.random(), n_adults)]
                    for _s in range(sample_size - 1):
                        e = adults[lo + _randint(rng.random(), n_adults)]
                        if skill[e, k] > skill[d, k]:
                            d = e
                elif rule == RULE_RANDOM:
                    d = adults[lo + _randint(rng.random(), n_adults)]
                else:
                    d = parent[i]
                    if d < 0:
                        continue
                m = effective_mirror(g_mirror[i], m_learned[i])
                fidelity_cost = 1.0 - mirror_gain * m
                loss = alpha * fidelity_cost
                if n_meanings > 0 and teaching_gain > 0.0:
                    p = preferred[i, k % n_meanings]
                    if p >= 0 and p == preferred[d, k % n_meanings]:
                        loss *= 1.0 - teaching_gain
                        fidelity_cost *= 1.0 - teaching_gain
                copy = skill[d, k] - loss - beta * np.log(rng.standard_exponential())
                new = copy
                if innovation_rate > 0.0:
                    if innovation_rate >= 1.0 or rng.random() < innovation_rate:
                        invented = innovation_mode - beta * np.log(rng.standard_exponential())
                        if invented > new:
                            new = invented
                old = skill[i, k]
                copied = copy >= new
                if new > old or not keep_best:
                    if budgeted:
                        new = _afford(new, old, fidelity_cost if copied else 1.0, time_left, li, k)
                    skill[i, k] = new
                if copy > old and copied and skill[i, k] > old:
                    matched += 1
                    _learn_from_match(i, g_assoc, m_learned)
    return matched


@njit(cache=True, inline="always")
def _preferred_of(gestures, scores, n_known, i, m):
    """The variant with the highest use score (first on ties), or -1 when none is known."""
    best = -1
    best_score = -1
    for j in range(n_known[i, m]):
        if scores[i, m, j] > best_score:
            best_score = scores[i, m, j]
            best = gestures[i, m, j]
    return best


@njit(cache=True)
def preferred_variants(gestures, scores, n_known, slots):
    """Preferred variant per listed slot and meaning, shape (len(slots), M); -1 = none."""
    n_meanings = gestures.shape[1]
    out = np.full((slots.size, n_meanings), -1, np.int64)
    for r in range(slots.size):
        for m in range(n_meanings):
            out[r, m] = _preferred_of(gestures, scores, n_known, slots[r], m)
    return out


@njit(cache=True, inline="always")
def _add_variant(gestures, scores, n_known, i, m, variant):
    """Add a variant to i's inventory; when full, it replaces the least used (first on ties).

    Returns 1 when a variant had to be dropped (the inventory cap V bound), else 0.
    """
    n = n_known[i, m]
    if n < gestures.shape[2]:
        gestures[i, m, n] = variant
        scores[i, m, n] = 0
        n_known[i, m] = n + 1
        return 0
    worst = 0
    for j in range(1, n):
        if scores[i, m, j] < scores[i, m, worst]:
            worst = j
    gestures[i, m, worst] = variant
    scores[i, m, worst] = 0
    return 1


@njit(cache=True, inline="always")
def _collapse(gestures, scores, n_known, i, m, variant):
    """Success in the naming game: keep only `variant`, with its use score raised by one."""
    for j in range(n_known[i, m]):
        if gestures[i, m, j] == variant:
            score = scores[i, m, j]
            gestures[i, m, 0] = variant
            scores[i, m, 0] = score + 1
            n_known[i, m] = 1
            return


@njit(cache=True, inline="always")
def _knows(gestures, n_known, i, m, variant):
    for j in range(n_known[i, m]):
        if gestures[i, m, j] == variant:
            return True
    return False


@njit(cache=True, inline="always")
def _other_variant(gestures, n_known, i, m, word, r):
    """The r-th variant of i's inventory for meaning m, skipping `word`."""
    for j in range(n_known[i, m]):
        if gestures[i, m, j] == word:
            continue
        if r == 0:
            return gestures[i, m, j]
        r -= 1
    return -1


@njit(cache=True, inline="always")
def _gesture_episode(
    rng, speaker, hearer, gestures, scores, n_known, g_mirror, g_assoc, m_learned, counters,
    confuse, prefer,
):
    """One naming-game episode (Baronchelli et al. 2006) with imperfect parity.

    The speaker picks a meaning (uniform; no draw when M = 1) and utters a random variant it knows,
    inventing a new one if it knows none. The hearer perceives it correctly with probability equal
    to its effective mirror strength (parity through the mirror system: Rizzolatti & Arbib 1998;
    no draw when that is 1), otherwise as a new variant. Success (hearer knows the variant it
    perceived, and it is the uttered one): both keep only that variant, and both have a matched
    episode for associative learning. Failure: the hearer adds what it perceived (it cannot know
    it yet). counters = [next variant id, variants dropped because an inventory was full, words
    held in all inventories (kept exact only while nobody is born or dies)]. Returns 1 on success.
    Options: `prefer`, the speaker utters its preferred variant (highest use score, first on ties;
    no draw), the naming game with weighted inventories (Baronchelli et al. 2006, sec. 4);
    `confuse`, a misperceived gesture is heard as another variant the hearer knows for that
    meaning (one uniform picks it among those other than the uttered one; the episode fails and
    nothing is added), or as a new one when it knows no other: errors confuse signals of the
    repertoire (Nowak & Krakauer 1999, PNAS 96:8028).
    """
    n_meanings = gestures.shape[1]
    m = 0 if n_meanings == 1 else _randint(rng.random(), n_meanings)
    n = n_known[speaker, m]
    if n == 0:
        word = counters[0]
        counters[0] += 1
        counters[1] += _add_variant(gestures, scores, n_known, speaker, m, word)
        counters[2] += 1
    elif prefer:
        word = _preferred_of(gestures, scores, n_known, speaker, m)
    else:
        word = gestures[speaker, m, _randint(rng.random(), n)]
    parity = effective_mirror(g_mirror[hearer], m_learned[hearer])
    hearer_knows = _knows(gestures, n_known, hearer, m, word)
    perceived = word
    confused = False
    if parity < 1.0 and not rng.random() < parity:
        others = n_known[hearer, m] - hearer_knows
        if confuse and others > 0:
            confused = True
            perceived = _other_variant(gestures, n_known, hearer, m, word,
                                       _randint(rng.random(), others))
        else:
            perceived = counters[0]
            counters[0] += 1
    if perceived == word and hearer_knows:
        counters[2] -= n_known[speaker, m] + n_known[hearer, m] - 2
        _collapse(gestures, scores, n_known, speaker, m, word)
        _collapse(gestures, scores, n_known, hearer, m, word)
        _learn_from_match(speaker, g_assoc, m_learned)
        _learn_from_match(hearer, g_assoc, m_learned)
        return 1
    if not confused:
        dropped = _add_variant(gestures, scores, n_known, hearer, m, perceived)
        counters[1] += dropped
        counters[2] += 1 - dropped
    return 0


@njit(cache=True)
def gesture_generation(
    rng,
    start,
    members,
    speaker_start,
    speakers,
    episodes_per_camp,
    gestures,
    scores,
    n_known,
    g_mirror,
    g_assoc,
    m_learned,
    attempts,
    successes,
    counters,
    confuse=False,
    prefer=False,
):
    """A generation of gesture episodes, camp by camp: `episodes_per_camp[c]` random pairs.

    The speaker is a random adult of the camp (`speakers`), the hearer a random other member
    (`members`, adults and newborns; redrawn while it is the speaker). Children learn conventions
    by attending to adults before they use them: our assumption, which keeps each new cohort from
    flooding the camp with inventions (in the minimal naming game every speaker may invent).
    Per-individual `attempts` and `successes` are raised for both partners (they feed fitness).
    Returns (episodes, successful episodes).
    """
    total = 0
    won = 0
    for c in range(start.size - 1):
        lo = start[c]
        n = start[c + 1] - lo
        s_lo = speaker_start[c]
        n_speakers = speaker_start[c + 1] - s_lo
        if n < 2 or n_speakers == 0:
            continue
        for _ in range(episodes_per_camp[c]):
            s = speakers[s_lo + _randint(rng.random(), n_speakers)]
            h = members[lo + _randint(rng.random(), n)]
            while h == s:
                h = members[lo + _randint(rng.random(), n)]
            ok = _gesture_episode(
                rng, s, h, gestures, scores, n_known, g_mirror, g_assoc, m_learned, counters,
                confuse, prefer,
            )
            attempts[s] += 1
            attempts[h] += 1
            successes[s] += ok
            successes[h] += ok
            total += 1
            won += ok
    return total, won


@njit(cache=True, inline="always")
def _all_share_one_word(gestures, n_known, members):
    """Every member knows exactly one variant per meaning, the same one for each meaning."""
    for m in range(gestures.shape[1]):
        word = gestures[members[0], m, 0]
        for r in range(members.size):
            i = members[r]
            if n_known[i, m] != 1 or gestures[i, m, 0] != word:
                return False
    return True


@njit(cache=True)
def naming_game_chunk(
    rng, members, n_episodes, gestures, scores, n_known, g_mirror, g_assoc, m_learned, counters,
    confuse=False, prefer=False,
):
    """Up to `n_episodes` naming-game episodes in one group, stopping at consensus.

    Consensus (Baronchelli et al. 2006): for every meaning, every member knows exactly one word,
    the same one; it is tested only when words_total = N * M, where it can hold.
    Returns (episodes played, successes, consensus reached).
    """
    n = members.size
    n_meanings = gestures.shape[1]
    won = 0
    for e in range(n_episodes):
        a = _randint(rng.random(), n)
        b = _randint(rng.random(), n - 1)
        b += b >= a  # a random other member
        won += _gesture_episode(
            rng, members[a], members[b], gestures, scores, n_known, g_mirror, g_assoc, m_learned,
            counters, confuse, prefer,
        )
        if counters[2] == n * n_meanings and _all_share_one_word(gestures, n_known, members):
            return e + 1, won, True
    return n_episodes, won, False


@njit(cache=True)
def learn_behaviour(rng, learners, group, adult_start, adults, behaviour, alone, g_mirror,
                    m_learned, env_state):
    """Learning one behaviour in a changing environment (Rogers 1988).

    A learner learns socially with probability equal to its effective mirror strength (no draw when
    that is 0 or 1; with mirror alleles 0/1 this is Rogers' pure strategies): it copies the
    behaviour of a random adult of its camp (Rogers: a random member of the previous generation).
    Otherwise it learns alone and gets the current environment right, at a cost paid in fitness.
    """
    for li in range(learners.size):
        i = learners[li]
        m = effective_mirror(g_mirror[i], m_learned[i])
        c = group[i]
        lo = adult_start[c]
        n_adults = adult_start[c + 1] - lo
        social = m >= 1.0 or (m > 0.0 and rng.random() < m)
        if social and n_adults > 0:
            behaviour[i] = behaviour[adults[lo + _randint(rng.random(), n_adults)]]
            alone[i] = False
        else:
            behaviour[i] = env_state
            alone[i] = True


@njit(cache=True)
def fitness(
    slots, skill, attempts, successes, g_mirror, g_assoc, behaviour, alone, env_state, out,
    baseline, tool_benefit, comm_benefit, mirror_cost, assoc_cost, env_benefit, individual_cost,
):
    """Viability fitness of each listed slot, floored at 0.

    w = baseline + tool_benefit * sum_k log1p(max(z_k, 0))      (saturating returns: our assumption)
        + comm_benefit * success rate                            (Nowak & Krakauer 1999)
        - mirror_cost * g_mirror^2 - assoc_cost * g_assoc^2      (costly brains: our assumption)
        +/- env_benefit (behaviour right/wrong), - env_benefit * individual_cost if learned alone
                                                                 (Rogers 1988)
    """
    n_lineages = skill.shape[1]
    for r in range(slots.size):
        i = slots[r]
        w = baseline
        for k in range(n_lineages):
            if skill[i, k] > 0.0:
                w += tool_benefit * np.log1p(skill[i, k])
        if attempts[i] > 0:
            w += comm_benefit * successes[i] / attempts[i]
        w -= mirror_cost * g_mirror[i] ** 2 + assoc_cost * g_assoc[i] ** 2
        if env_benefit > 0.0:
            w += env_benefit if behaviour[i] == env_state else -env_benefit
            if alone[i]:
                w -= env_benefit * individual_cost
        out[i] = max(w, 0.0)


@njit(cache=True, inline="always")
def _mutate(rng, value, rate, sd, flip):
    """Mutation: with probability `rate`, a Gaussian step reflected into [0, 1], or 0<->1 flip."""
    if rng.random() >= rate:
        return value
    if flip:
        return 1.0 - value
    x = value + sd * rng.standard_normal()
    while x < 0.0 or x > 1.0:
        x = -x if x < 0.0 else 2.0 - x
    return x


@njit(cache=True)
def choose_parents(rng, start, members, births_per_camp, weights):
    """Parents for each camp's births, drawn with replacement proportional to fitness.

    Wright-Fisher sampling within a camp (Ewens 2004); a camp whose members all have zero fitness
    draws parents uniformly. One uniform per birth, inverted on the cumulative fitness.
    """
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
                x = rng.random() * acc
                r = np.searchsorted(cum, x, side="right")
                if r >= n:
                    r = n - 1
            else:
                r = _randint(rng.random(), n)
            parents[out] = members[lo + r]
            out += 1
    return parents[:out]


@njit(cache=True)
def inherit(rng, parents, children, g_mirror, g_assoc, group, parent, mutation_rate,
            assoc_mutation_rate, mutation_sd, flip):
    """Children take their parent's genes with mutation and are born into the parent's camp.

    Random draws per birth: one uniform per gene (mirror, then assoc), plus one normal for each
    Gaussian mutation. Asexual inheritance of a quantitative trait: our simplification.
    """
    for r in range(parents.size):
        p = parents[r]
        c = children[r]
        g_mirror[c] = _mutate(rng, g_mirror[p], mutation_rate, mutation_sd, flip)
        g_assoc[c] = _mutate(rng, g_assoc[p], assoc_mutation_rate, mutation_sd, flip)
        group[c] = group[p]
        parent[c] = p


@njit(cache=True)
def migrate(rng, slots, group, neighbour_start, neighbours, rate):
    """Each listed individual moves to a uniformly chosen neighbour camp with probability `rate`.

    Stepping-stone migration between neighbouring demes (Kimura & Weiss 1964; Powell, Shennan &
    Thomas 2009). One uniform per individual, one more per mover (the neighbour).
    Returns the movers' slots.
    """
    moved = np.empty(slots.size, np.int64)
    n_moved = 0
    for r in range(slots.size):
        i = slots[r]
        if rng.random() < rate:
            c = group[i]
            lo = neighbour_start[c]
            n = neighbour_start[c + 1] - lo
            if n > 0:
                group[i] = neighbours[lo + _randint(rng.random(), n)]
                moved[n_moved] = i
                n_moved += 1
    return moved[:n_moved]

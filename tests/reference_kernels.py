"""Plain-Python reference twins of the numba kernels in `evo.core.kernels`, used only in tests.

Each twin is written again from the kernel's documented rule, one individual at a time, with
Python lists and dicts, and draws its random numbers in the documented order from `Xoshiro`, a
plain-Python xoshiro256** written again from Blackman & Vigna's reference code.
`tests/test_kernels.py` runs kernel and twin from equal states and asserts equal outputs and equal
generator states afterwards.

Like the kernels, a twin takes the population as one value, `state`, and the rule's constants as
another, `rule` (the kernels' own `evo.core.kernels.Rule`, read as a plain NamedTuple). Data shapes used
by the twins (the tests convert to and from the kernels' arrays):
- `state` has one attribute per per-slot array of `evo.core.state.FIELDS`, each a list indexed by slot
  (`state.skill[i]` is the list of i's K lineage skills), except the gesture arrays, which are
  `state.inventory[i][m]`, a list of `[variant, score]` pairs in slot order of the kernel's arrays
  (the position matters: utterances pick a position at random), and `state.cap` (V);
- camps are a dict `camp -> [slots, ascending]` (see `camps_from_csr`); the kernels' `Camps` is
  `camps.members` and `camps.adults`, two such dicts;
- the gesture counters are a dict with keys `next_variant`, `dropped`, `words_total`.

Floating point: the twins evaluate each formula in the order the docstring writes it, so that
results agree bit for bit; `fitness` sums its terms in the order the kernel documents them as
separate `+=`/`-=` steps (see its comment).
"""

from __future__ import annotations

import math

import numpy as np

RULES = ("best", "sample_best", "random", "parent")  # index = the kernel's RULE_* constant


# --- helpers ---------------------------------------------------------------------------------


def camps_from_csr(start, members) -> dict[int, list[int]]:
    """The kernels' CSR camp listing as a dict camp -> list of slots (every camp present)."""
    return {
        c: [int(x) for x in members[start[c]:start[c + 1]]] for c in range(len(start) - 1)
    }


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


def effective_mirror(g_mirror: float, m_learned: float) -> float:
    """m = 1 - (1 - genetic)(1 - learned)."""
    return 1.0 - (1.0 - g_mirror) * (1.0 - m_learned)


def learn_from_match(state, i: int) -> None:
    """Associative learning after a matched episode: m_learned += g_assoc (1 - m_learned)."""
    state.m_learned[i] = state.m_learned[i] + state.g_assoc[i] * (1.0 - state.m_learned[i])


# --- camps -----------------------------------------------------------------------------------


def camp_members(group: list[int], mask: list[bool], n_camps: int):
    """(start, members): the slots with mask true, camp by camp, ascending within a camp."""
    by_camp: dict[int, list[int]] = {c: [] for c in range(n_camps)}
    for slot, (camp, selected) in enumerate(zip(group, mask, strict=True)):
        if selected:
            by_camp[camp].append(slot)
    start = [0]
    members: list[int] = []
    for c in range(n_camps):
        members.extend(by_camp[c])
        start.append(len(members))
    return start, members


# --- tools (Henrich 2004) ----------------------------------------------------------------------


def tool_learning(rng, state, rule, camps, learners, preferred) -> int:
    """Cumulative tool learning; mutates `state.skill` and `state.m_learned`, returns matched
    episodes.

    `rule.demonstrator` indexes RULES. A learner whose camp has no adults learns nothing (and
    draws nothing); under "parent" a learner without a parent skips the lineage. With
    `rule.learning_budget` B > 0, each (learner, lineage) has B/K time; a positive gain costs
    (1 - mirror_gain m)(1 - teaching if shared) per unit when copied, 1 when invented, and is cut
    to what the time left pays for.
    """
    skill, demonstrator = state.skill, RULES[rule.demonstrator]
    # Henrich's "best": the most skilled adult of the camp per lineage, chosen before anyone
    # learns (the first in slot order on ties).
    best_of: dict[tuple[int, int], int] = {}
    if demonstrator == "best":
        for camp, adults in camps.adults.items():
            for k in range(len(skill[adults[0]]) if adults else 0):
                champion = adults[0]
                for a in adults[1:]:
                    if skill[a][k] > skill[champion][k]:
                        champion = a
                best_of[camp, k] = champion

    matched = 0
    time_left: dict[tuple[int, int], float] = {}
    for _episode in range(rule.learning_episodes):
        for i in learners:
            camp = state.group[i]
            adults = camps.adults.get(camp, [])
            if not adults:
                continue
            for k in range(len(skill[i])):
                # 1. the demonstrator
                if demonstrator == "best":
                    demo = best_of[camp, k]
                elif demonstrator == "sample_best":
                    sample = [adults[draw_index(rng, len(adults))]
                              for _ in range(rule.demonstrator_sample)]
                    demo = sample[0]
                    for other in sample[1:]:
                        if skill[other][k] > skill[demo][k]:
                            demo = other
                elif demonstrator == "random":
                    demo = adults[draw_index(rng, len(adults))]
                else:
                    demo = state.parent[i]
                    if demo < 0:
                        continue
                matched += copy_skill(rng, state, rule, preferred, time_left, i, demo, k)
    return matched


def copy_skill(rng, state, rule, preferred, time_left, i, demo, k) -> int:
    """One copy of lineage k by learner i from `demo`; 1 if it was a matched episode.

    `time_left[i, k]` is the learning time i has left for lineage k (B/K until first spent).
    """
    skill = state.skill
    # 2. the copy: Gumbel(mode z_demo - alpha_eff, scale beta)
    m = effective_mirror(state.g_mirror[i], state.m_learned[i])
    alpha_eff = rule.alpha * (1.0 - rule.mirror_gain * m)
    unit_time = 1.0 - rule.mirror_gain * m
    meanings = len(preferred[i])
    if meanings > 0 and rule.teaching_gain > 0.0:
        mine = preferred[i][k % meanings]
        if mine != -1 and mine == preferred[demo][k % meanings]:
            alpha_eff = alpha_eff * (1.0 - rule.teaching_gain)
            unit_time = unit_time * (1.0 - rule.teaching_gain)
    # 3. with trial and error, the better of copy and invention, drawn at once: the maximum of
    # Gumbel(a, beta) and Gumbel(b, beta) is Gumbel(beta log(e^(a/beta) + e^(b/beta)), beta), and
    # it is the copy with probability 1 / (1 + e^((b - a)/beta)), whatever its value
    if rule.innovation_rate >= 1.0:
        invents = True
    elif rule.innovation_rate > 0.0:
        invents = rng.random() < rule.innovation_rate
    else:
        invents = False
    copy_mode = skill[demo][k] - alpha_eff
    if invents:
        gap = (rule.innovation_mode - copy_mode) / rule.beta
        if gap <= 0.0:
            mode = copy_mode + rule.beta * math.log1p(math.exp(gap))
        else:
            mode = rule.innovation_mode + rule.beta * math.log1p(math.exp(-gap))
        p_copy = 1.0 / (1.0 + math.exp(gap))
        result = mode + rule.beta * rng.gumbel()
        copy_was_taken = p_copy >= 1.0 or rng.random() < p_copy
    else:
        result = copy_mode + rule.beta * rng.gumbel()
        copy_was_taken = True
    # 4. keep the better (keep_best) or replace (Henrich)
    before = skill[i][k]
    if result > before or not rule.keep_best:
        # 5. acquisition within a learning budget (Mesoudi 2011)
        if rule.learning_budget > 0.0:
            left = time_left.setdefault((i, k), rule.learning_budget / len(skill[i]))
            gain = max(result, 0.0) - max(before, 0.0)
            cost = (unit_time if copy_was_taken else 1.0) * gain
            if gain > 0.0 and cost > left:
                result = max(before, 0.0) + left / (unit_time if copy_was_taken else 1.0)
                left = 0.0
            elif gain > 0.0:
                left -= cost
            time_left[i, k] = left
        skill[i][k] = result
    if copy_was_taken and skill[i][k] > before:
        learn_from_match(state, i)
        return 1
    return 0


# --- gestures (naming game, Baronchelli et al. 2006) -----------------------------------------


def preferred_variant(variants: list[list[int]]) -> int:
    """The most used variant of one inventory (first on ties), -1 when it is empty."""
    if not variants:
        return -1
    return max(variants, key=lambda pair: pair[1])[0]


def preferred_variants(state, slots) -> list[list[int]]:
    """Preferred variant per listed slot and meaning."""
    return [[preferred_variant(per_meaning) for per_meaning in state.inventory[i]]
            for i in slots]


def _new_variant(counters: dict) -> int:
    word = counters["next_variant"]
    counters["next_variant"] += 1
    return word


def _learn_variant(variants: list[list[int]], word: int, cap: int, counters: dict) -> None:
    """Add `word` with score 0; a full inventory (cap) loses its least used variant instead."""
    if len(variants) < cap:
        variants.append([word, 0])
        counters["words_total"] += 1
        return
    scores = [score for _, score in variants]
    least_used = scores.index(min(scores))
    variants[least_used] = [word, 0]
    counters["dropped"] += 1


def _agree_on(variants: list[list[int]], word: int) -> int:
    """After a success: only `word` remains, its score raised by one. Returns words forgotten."""
    score = next(s for w, s in variants if w == word)
    forgotten = len(variants) - 1
    variants[:] = [[word, score + 1]]
    return forgotten


def gesture_episode(rng, state, rule, speaker, hearer, counters) -> int:
    """One naming-game episode with imperfect parity; returns 1 on success, else 0.

    `rule.prefer`: the speaker says its preferred (most used) variant, with no draw.
    `rule.confuse`: a misperceived gesture is heard as one of the hearer's other variants for the
    meaning (one draw among them; the hearer learns nothing), or as a new variant when it has no
    other.
    """
    inventory, cap = state.inventory, state.cap
    n_meanings = len(inventory[speaker])
    meaning = 0 if n_meanings == 1 else draw_index(rng, n_meanings)
    said = inventory[speaker][meaning]
    if not said:
        word = _new_variant(counters)
        _learn_variant(said, word, cap, counters)
    elif rule.prefer:
        word = preferred_variant(said)
    else:
        word = said[draw_index(rng, len(said))][0]
    parity = effective_mirror(state.g_mirror[hearer], state.m_learned[hearer])
    heard = inventory[hearer][meaning]
    others = [w for w, _ in heard if w != word]
    confused = False
    if parity >= 1.0 or rng.random() < parity:
        perceived = word
    elif rule.confuse and others:
        perceived = others[draw_index(rng, len(others))]
        confused = True
    else:
        perceived = _new_variant(counters)
    if perceived == word and any(w == word for w, _ in heard):
        counters["words_total"] -= _agree_on(said, word) + _agree_on(heard, word)
        learn_from_match(state, speaker)
        learn_from_match(state, hearer)
        return 1
    if not confused:
        _learn_variant(heard, perceived, cap, counters)
    return 0


def pick_pair(rng, group_members: list[int]) -> tuple[int, int]:
    """A random speaker, then a random hearer among the others (two index draws)."""
    speaker = group_members[draw_index(rng, len(group_members))]
    others = [x for x in group_members if x != speaker]
    hearer = others[draw_index(rng, len(others))]
    return speaker, hearer


def gesture_generation(rng, state, rule, camps, episodes_per_camp, counters) -> tuple[int, int]:
    """Each camp in turn plays its episodes; returns (episodes, successes).

    The speaker is a random adult of the camp (`camps.adults`), the hearer a random member
    (`camps.members`) drawn again while it is the speaker. A camp with fewer than two members or
    no adult plays nothing. Both partners' attempts and successes are counted.
    """
    played = won = 0
    for camp in sorted(camps.members):
        group_members = camps.members[camp]
        adults = camps.adults.get(camp, [])
        if len(group_members) < 2 or not adults:
            continue
        for _ in range(episodes_per_camp[camp]):
            speaker = adults[draw_index(rng, len(adults))]
            hearer = speaker
            while hearer == speaker:
                hearer = group_members[draw_index(rng, len(group_members))]
            ok = gesture_episode(rng, state, rule, speaker, hearer, counters)
            for x in (speaker, hearer):
                state.attempts[x] += 1
                state.successes[x] += ok
            played += 1
            won += ok
    return played, won


def consensus(inventory, group_members: list[int]) -> bool:
    """Every member knows exactly one word for each meaning, and the same one as the others."""
    first = group_members[0]
    for m in range(len(inventory[first])):
        words = [inventory[i][m] for i in group_members]
        if any(len(w) != 1 for w in words) or len({w[0][0] for w in words}) != 1:
            return False
    return True


def naming_game_chunk(rng, state, rule, group_members, n_episodes,
                      counters) -> tuple[int, int, bool]:
    """Up to n_episodes episodes in one group, stopping right after consensus.

    Returns (episodes played, successes, consensus reached).
    """
    won = 0
    for played in range(1, n_episodes + 1):
        speaker, hearer = pick_pair(rng, group_members)
        won += gesture_episode(rng, state, rule, speaker, hearer, counters)
        if consensus(state.inventory, group_members):
            return played, won, True
    return n_episodes, won, False


# --- behaviour in a changing environment (Rogers 1988) ---------------------------------------


def learn_behaviour(rng, state, rule, camps, learners, env_state) -> None:
    """Social learning with probability m (copy a random adult of the camp), else alone."""
    for i in learners:
        m = effective_mirror(state.g_mirror[i], state.m_learned[i])
        if m >= 1.0:
            social = True
        elif m <= 0.0:
            social = False
        else:
            social = rng.random() < m
        adults = camps.adults.get(state.group[i], [])
        if social and adults:
            state.behaviour[i] = state.behaviour[adults[draw_index(rng, len(adults))]]
            state.alone[i] = False
        else:
            state.behaviour[i] = env_state
            state.alone[i] = True


# --- selection and reproduction ---------------------------------------------------------------


def fitness(state, rule, slots, env_state) -> None:
    """Viability fitness of each listed slot into state.fitness[slot], floored at 0.

    The terms are added one at a time (each lineage's tool_benefit * log1p term, then the
    communication term, then both gene costs together, then the environment), which is the
    grouping the kernel uses; the documented formula fixes the value only up to rounding.
    """
    r = rule
    for i in slots:
        w = r.baseline_fitness
        for z in state.skill[i]:
            w += r.tool_benefit * math.log1p(max(z, 0.0))
        if state.attempts[i] > 0:
            w += r.comm_benefit * state.successes[i] / state.attempts[i]
        w -= r.mirror_cost * state.g_mirror[i] ** 2 + r.assoc_cost * state.g_assoc[i] ** 2
        if r.env_benefit > 0.0:
            w += r.env_benefit if state.behaviour[i] == env_state else -r.env_benefit
            if state.alone[i]:
                w -= r.env_benefit * r.individual_cost
        state.fitness[i] = max(w, 0.0)


def choose_parents(rng, state, members_by_camp, births_per_camp) -> list[int]:
    """Parents drawn with replacement proportional to `state.fitness` within each camp, camp by
    camp.

    One uniform per birth, times the camp's total fitness, located on the running total; a camp
    whose fitness is all zero draws one uniform index per birth. Empty camps give no parents.
    """
    weights = state.fitness
    parents: list[int] = []
    for camp, births in enumerate(births_per_camp):
        group_members = members_by_camp.get(camp, [])
        if not group_members or births == 0:
            continue
        total = 0.0
        for x in group_members:
            total += weights[x]
        for _ in range(births):
            if total > 0.0:
                target = rng.random() * total
                running = 0.0
                chosen = None
                for x in group_members:
                    running += weights[x]
                    if running > target:
                        chosen = x
                        break
                if chosen is None:  # rounding put the target at the very top
                    chosen = [x for x in group_members if weights[x] > 0.0][-1]
            else:
                chosen = group_members[draw_index(rng, len(group_members))]
            parents.append(chosen)
    return parents


def mutate(rng, value: float, rate: float, sd: float, flip: bool) -> float:
    """With probability `rate` (one uniform), flip 0<->1 or take a Gaussian step reflected into
    [0, 1] (one standard normal)."""
    if not rng.random() < rate:
        return value
    if flip:
        return 1.0 - value
    x = value + sd * rng.standard_normal()
    while not 0.0 <= x <= 1.0:
        x = -x if x < 0.0 else 2.0 - x
    return x


def inherit(rng, state, rule, parents, children) -> None:
    """Each child takes its parent's genes (mirror, then assoc, each maybe mutated) and camp."""
    for p, c in zip(parents, children, strict=True):
        state.g_mirror[c] = mutate(rng, state.g_mirror[p], rule.mutation_rate, rule.mutation_sd,
                                   rule.flip)
        state.g_assoc[c] = mutate(rng, state.g_assoc[p], rule.assoc_mutation_rate,
                                  rule.mutation_sd, rule.flip)
        state.group[c] = state.group[p]
        state.parent[c] = p


def migrate(rng, state, rule, slots, neighbours_by_camp) -> list[int]:
    """Each listed individual moves with probability `migration_rate` to a random neighbour camp.

    Returns the movers' slots in order.
    """
    moved = []
    for i in slots:
        if rng.random() < rule.migration_rate:
            options = neighbours_by_camp.get(state.group[i], [])
            if options:
                state.group[i] = options[draw_index(rng, len(options))]
                moved.append(i)
    return moved

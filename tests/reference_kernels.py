"""Plain-Python reference twins of the numba kernels in `evo.kernels`, used only in tests.

Each twin is written again from the kernel's documented rule, one individual at a time, with
Python lists and dicts (numpy only for the random `Generator`), and draws its random numbers in
the documented order. `tests/test_kernels.py` runs kernel and twin from equal seeds and asserts
equal outputs and equal generator states afterwards.

Data shapes used by the twins (the tests convert to and from the kernels' arrays):
- per-slot values are lists indexed by slot; `skill[i]` is the list of i's K lineage skills;
- camps are a dict `camp -> [slots, ascending]` (see `camps_from_csr`);
- a gesture inventory `inventory[i][m]` is a list of `[variant, score]` pairs in slot order of the
  kernel's arrays (the position matters: utterances pick a position at random);
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


def draw_index(rng: np.random.Generator, n: int) -> int:
    """A uniform index in [0, n): floor(u * n) from one uniform u = `rng.random()`."""
    return math.floor(rng.random() * n)


def effective_mirror(g_mirror: float, m_learned: float) -> float:
    """m = 1 - (1 - genetic)(1 - learned)."""
    return 1.0 - (1.0 - g_mirror) * (1.0 - m_learned)


def learn_from_match(i: int, g_assoc: list[float], m_learned: list[float]) -> None:
    """Associative learning after a matched episode: m_learned += g_assoc (1 - m_learned)."""
    m_learned[i] = m_learned[i] + g_assoc[i] * (1.0 - m_learned[i])


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


def tool_learning(
    rng, learners, group, parent, adults_by_camp, skill, g_mirror, g_assoc, m_learned, preferred,
    rule, sample_size, episodes, alpha, mirror_gain, beta, keep_best, innovation_rate,
    innovation_mode, teaching_gain, learning_budget=0.0,
) -> int:
    """Cumulative tool learning; mutates `skill` and `m_learned`, returns matched episodes.

    `rule` is one of RULES. A learner whose camp has no adults learns nothing (and draws nothing);
    under "parent" a learner without a parent skips the lineage. With `learning_budget` B > 0,
    each (learner, lineage) has B/K time; a positive gain costs (1 - mirror_gain m)(1 - teaching
    if shared) per unit when copied, 1 when invented, and is cut to what the time left pays for.
    """
    # Henrich's "best": the most skilled adult of the camp per lineage, chosen before anyone
    # learns (the first in slot order on ties).
    best_of: dict[tuple[int, int], int] = {}
    if rule == "best":
        for camp, adults in adults_by_camp.items():
            for k in range(len(skill[adults[0]]) if adults else 0):
                champion = adults[0]
                for a in adults[1:]:
                    if skill[a][k] > skill[champion][k]:
                        champion = a
                best_of[camp, k] = champion

    matched = 0
    time_left: dict[tuple[int, int], float] = {}
    for _episode in range(episodes):
        for i in learners:
            camp = group[i]
            adults = adults_by_camp.get(camp, [])
            if not adults:
                continue
            for k in range(len(skill[i])):
                # 1. the demonstrator
                if rule == "best":
                    demo = best_of[camp, k]
                elif rule == "sample_best":
                    sample = [adults[draw_index(rng, len(adults))] for _ in range(sample_size)]
                    demo = sample[0]
                    for other in sample[1:]:
                        if skill[other][k] > skill[demo][k]:
                            demo = other
                elif rule == "random":
                    demo = adults[draw_index(rng, len(adults))]
                else:
                    demo = parent[i]
                    if demo < 0:
                        continue
                # 2. the copy: Gumbel(mode z_demo - alpha_eff, scale beta)
                m = effective_mirror(g_mirror[i], m_learned[i])
                alpha_eff = alpha * (1.0 - mirror_gain * m)
                unit_time = 1.0 - mirror_gain * m
                meanings = len(preferred[i])
                if meanings > 0 and teaching_gain > 0.0:
                    mine = preferred[i][k % meanings]
                    if mine != -1 and mine == preferred[demo][k % meanings]:
                        alpha_eff = alpha_eff * (1.0 - teaching_gain)
                        unit_time = unit_time * (1.0 - teaching_gain)
                copy = skill[demo][k] - alpha_eff - beta * math.log(rng.standard_exponential())
                # 3. trial and error, the better of copy and invention
                if innovation_rate >= 1.0:
                    invents = True
                elif innovation_rate > 0.0:
                    invents = rng.random() < innovation_rate
                else:
                    invents = False
                result = copy
                if invents:
                    invented = innovation_mode - beta * math.log(rng.standard_exponential())
                    result = max(copy, invented)
                # 4. keep the better (keep_best) or replace (Henrich)
                before = skill[i][k]
                copy_was_taken = result == copy
                if result > before or not keep_best:
                    if learning_budget > 0.0:
                        left = time_left.setdefault((i, k), learning_budget / len(skill[i]))
                        gain = max(result, 0.0) - max(before, 0.0)
                        cost = (unit_time if copy_was_taken else 1.0) * gain
                        if gain > 0.0 and cost > left:
                            result = max(before, 0.0) + left / (unit_time if copy_was_taken else 1.0)
                            left = 0.0
                        elif gain > 0.0:
                            left -= cost
                        time_left[i, k] = left
                    skill[i][k] = result
                if copy_was_taken and copy > before and skill[i][k] > before:
                    matched += 1
                    learn_from_match(i, g_assoc, m_learned)
    return matched


# --- gestures (naming game, Baronchelli et al. 2006) -----------------------------------------


def preferred_variant(variants: list[list[int]]) -> int:
    """The most used variant of one inventory (first on ties), -1 when it is empty."""
    if not variants:
        return -1
    return max(variants, key=lambda pair: pair[1])[0]


def preferred_variants(inventory, slots) -> list[list[int]]:
    """Preferred variant per listed slot and meaning."""
    return [[preferred_variant(per_meaning) for per_meaning in inventory[i]] for i in slots]


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


def gesture_episode(rng, speaker, hearer, inventory, cap, g_mirror, g_assoc, m_learned,
                    counters, confuse=False, prefer=False) -> int:
    """One naming-game episode with imperfect parity; returns 1 on success, else 0.

    `prefer`: the speaker says its preferred (most used) variant, with no draw. `confuse`: a
    misperceived gesture is heard as one of the hearer's other variants for the meaning (one
    draw among them; the hearer learns nothing), or as a new variant when it has no other.
    """
    n_meanings = len(inventory[speaker])
    meaning = 0 if n_meanings == 1 else draw_index(rng, n_meanings)
    said = inventory[speaker][meaning]
    if not said:
        word = _new_variant(counters)
        _learn_variant(said, word, cap, counters)
    elif prefer:
        word = preferred_variant(said)
    else:
        word = said[draw_index(rng, len(said))][0]
    parity = effective_mirror(g_mirror[hearer], m_learned[hearer])
    heard = inventory[hearer][meaning]
    others = [w for w, _ in heard if w != word]
    confused = False
    if parity >= 1.0 or rng.random() < parity:
        perceived = word
    elif confuse and others:
        perceived = others[draw_index(rng, len(others))]
        confused = True
    else:
        perceived = _new_variant(counters)
    if perceived == word and any(w == word for w, _ in heard):
        counters["words_total"] -= _agree_on(said, word) + _agree_on(heard, word)
        learn_from_match(speaker, g_assoc, m_learned)
        learn_from_match(hearer, g_assoc, m_learned)
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


def gesture_generation(rng, members_by_camp, speakers_by_camp, episodes_per_camp, inventory,
                       cap, g_mirror, g_assoc, m_learned, attempts, successes,
                       counters, confuse=False, prefer=False) -> tuple[int, int]:
    """Each camp in turn plays its episodes; returns (episodes, successes).

    The speaker is a random adult of the camp (`speakers_by_camp`), the hearer a random member
    drawn again while it is the speaker. A camp with fewer than two members or no adult plays
    nothing. Both partners' attempts and successes are counted.
    """
    played = won = 0
    for camp in sorted(members_by_camp):
        group_members = members_by_camp[camp]
        adults = speakers_by_camp.get(camp, [])
        if len(group_members) < 2 or not adults:
            continue
        for _ in range(episodes_per_camp[camp]):
            speaker = adults[draw_index(rng, len(adults))]
            hearer = speaker
            while hearer == speaker:
                hearer = group_members[draw_index(rng, len(group_members))]
            ok = gesture_episode(rng, speaker, hearer, inventory, cap, g_mirror, g_assoc,
                                 m_learned, counters, confuse, prefer)
            for x in (speaker, hearer):
                attempts[x] += 1
                successes[x] += ok
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


def naming_game_chunk(rng, group_members, n_episodes, inventory, cap, g_mirror, g_assoc,
                      m_learned, counters, confuse=False, prefer=False) -> tuple[int, int, bool]:
    """Up to n_episodes episodes in one group, stopping right after consensus.

    Returns (episodes played, successes, consensus reached).
    """
    won = 0
    for played in range(1, n_episodes + 1):
        speaker, hearer = pick_pair(rng, group_members)
        won += gesture_episode(rng, speaker, hearer, inventory, cap, g_mirror, g_assoc,
                               m_learned, counters, confuse, prefer)
        if consensus(inventory, group_members):
            return played, won, True
    return n_episodes, won, False


# --- behaviour in a changing environment (Rogers 1988) ---------------------------------------


def learn_behaviour(rng, learners, group, adults_by_camp, behaviour, alone, g_mirror, m_learned,
                    env_state) -> None:
    """Social learning with probability m (copy a random adult of the camp), else alone."""
    for i in learners:
        m = effective_mirror(g_mirror[i], m_learned[i])
        if m >= 1.0:
            social = True
        elif m <= 0.0:
            social = False
        else:
            social = rng.random() < m
        adults = adults_by_camp.get(group[i], [])
        if social and adults:
            behaviour[i] = behaviour[adults[draw_index(rng, len(adults))]]
            alone[i] = False
        else:
            behaviour[i] = env_state
            alone[i] = True


# --- selection and reproduction ---------------------------------------------------------------


def fitness(slots, skill, attempts, successes, g_mirror, g_assoc, behaviour, alone, env_state,
            out, baseline, tool_benefit, comm_benefit, mirror_cost, assoc_cost, env_benefit,
            individual_cost) -> None:
    """Viability fitness of each listed slot into out[slot], floored at 0.

    The terms are added one at a time (each lineage's tool_benefit * log1p term, then the
    communication term, then both gene costs together, then the environment), which is the
    grouping the kernel uses; the documented formula fixes the value only up to rounding.
    """
    for i in slots:
        w = baseline
        for z in skill[i]:
            w += tool_benefit * math.log1p(max(z, 0.0))
        if attempts[i] > 0:
            w += comm_benefit * successes[i] / attempts[i]
        w -= mirror_cost * g_mirror[i] ** 2 + assoc_cost * g_assoc[i] ** 2
        if env_benefit > 0.0:
            w += env_benefit if behaviour[i] == env_state else -env_benefit
            if alone[i]:
                w -= env_benefit * individual_cost
        out[i] = max(w, 0.0)


def choose_parents(rng, members_by_camp, births_per_camp, weights) -> list[int]:
    """Parents drawn with replacement proportional to fitness within each camp, camp by camp.

    One uniform per birth, times the camp's total fitness, located on the running total; a camp
    whose fitness is all zero draws one uniform index per birth. Empty camps give no parents.
    """
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


def inherit(rng, parents, children, g_mirror, g_assoc, group, parent, mutation_rate,
            assoc_mutation_rate, mutation_sd, flip) -> None:
    """Each child takes its parent's genes (mirror, then assoc, each maybe mutated) and camp."""
    for p, c in zip(parents, children, strict=True):
        g_mirror[c] = mutate(rng, g_mirror[p], mutation_rate, mutation_sd, flip)
        g_assoc[c] = mutate(rng, g_assoc[p], assoc_mutation_rate, mutation_sd, flip)
        group[c] = group[p]
        parent[c] = p


def migrate(rng, slots, group, neighbours_by_camp, rate) -> list[int]:
    """Each listed individual moves with probability `rate` to a random neighbour camp.

    Returns the movers' slots in order.
    """
    moved = []
    for i in slots:
        if rng.random() < rate:
            options = neighbours_by_camp.get(group[i], [])
            if options:
                group[i] = options[draw_index(rng, len(options))]
                moved.append(i)
    return moved

"""Twin of `evo.core.kernels.tools` (Henrich 2004 with a learning budget, Mesoudi 2011)."""

from __future__ import annotations

import math

from tests.reference.associative import effective_mirror, learn_from_match
from tests.reference.stream import draw_index

RULES = ("best", "sample_best", "random", "parent")  # index = the kernel's RULE_* constant
EXPERIENCES = ("success", "correlated", "all")  # index = the kernel's EXPERIENCE_* constant


def tool_learning(rng, state, rule, camps, learners, preferred, difficulty=None) -> int:
    """Cumulative tool learning; mutates `state.skill` and `state.m_learned`, returns matched
    episodes.

    `rule.demonstrator` indexes RULES. A learner whose camp has no adults learns nothing (and
    draws nothing); under "parent" a learner without a parent skips the lineage. With
    `rule.learning_budget` B > 0, each (learner, lineage) has B/K time; a positive gain costs
    (1 - mirror_gain m)(1 - teaching if shared) per unit when copied, 1 when invented, and is cut
    to what the time left pays for.
    """
    skill, demonstrator = state.skill, RULES[rule.demonstrator]
    if difficulty is None:
        difficulty = [1.0] * (len(skill[0]) if skill else 0)
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
            camp = state.camp[i]
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
                matched += copy_skill(rng, state, rule, preferred, difficulty, time_left, i, demo,
                                      k)
    return matched


def copy_skill(rng, state, rule, preferred, difficulty, time_left, i, demo, k) -> int:
    """One copy of lineage k by learner i from `demo`; 1 if it trained learned matching.

    What trains it (`rule.assoc_experience`, EXPERIENCES): a copy that raised the skill; any
    episode whose demonstrator holds skill > 0 in the lineage; any episode.

    `time_left[i, k]` is the learning time i has left for lineage k (B/K until first spent).
    """
    skill = state.skill
    # 2. the copy: Gumbel(mode z_demo - alpha_eff, scale beta)
    mirror = effective_mirror(state.g_mirror[i], state.m_learned[i])
    alpha_eff = rule.alpha * difficulty[k] * (1.0 - rule.mirror_gain * mirror)
    unit_time = 1.0 - rule.mirror_gain * mirror
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
    model_skill = skill[demo][k]
    copy_mode = model_skill - alpha_eff
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
    experience = EXPERIENCES[rule.assoc_experience]
    if experience == "success":
        matched = copy_was_taken and skill[i][k] > before
    elif experience == "correlated":
        matched = model_skill > 0.0
    else:
        matched = True
    if matched:
        learn_from_match(state, i)
        return 1
    return 0

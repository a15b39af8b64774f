"""The coevolution model written the plain Mesa way: the benchmark's reference, not part of `evo`.

Every rule of `evo` (see the docstrings in `evo.core.kernels` and `evo.core.model`) is written again here one
agent at a time, as a Mesa 3.5 user would: `Person` is a `CellAgent` holding its own genes, skills
and gesture inventory as Python attributes, living in a cell of an `OrthogonalMooreGrid` (one cell
per camp); births create agents, deaths call `agent.remove()`, migration moves the agent's cell;
a `DataCollector` records the measures. Random numbers come from the stdlib generator Mesa gives
every agent (`self.random`): the fastest per-scalar generator in plain Python, so the speed ratios
against `evo` are, if anything, flattering to this version.

Scope: the rules the `coevolution` scenario uses (discrete generations, Gaussian or flip mutation,
any demonstrator rule, innovation, teaching through shared gestures, the naming game with parity,
associative mirror learning, viability fitness, Wright-Fisher reproduction within camps, stepping-
stone migration). Overlapping generations and the Rogers environment are not written here.
The random streams differ from `evo`, so agreement is statistical, not bit for bit
(`tests/test_bench.py`).
"""

from __future__ import annotations

import math

from mesa import DataCollector, Model
from mesa.discrete_space import CellAgent, OrthogonalMooreGrid

from evo.core.params import Params


class Person(CellAgent):
    """One individual: genes, learned mirror matching, tool skills and gesture inventory."""

    def __init__(self, model: PlainMirrorModel, mirror: float, assoc: float, age: int = 0) -> None:
        super().__init__(model)
        self.mirror = mirror
        self.assoc = assoc
        self.learned = 0.0
        self.age = age
        self.skill = [0.0] * model.params.lineages
        # inventory[m]: list of [variant, score] pairs; the position matters (like evo's arrays)
        self.inventory: list[list[list[int]]] = [[] for _ in range(model.params.meanings)]
        self.preferred: list[int] = [-1] * model.params.meanings
        self.attempts = 0
        self.successes = 0
        self.fitness = 0.0

    # --- helpers ------------------------------------------------------------------------

    def effective_mirror(self) -> float:
        return 1.0 - (1.0 - self.mirror) * (1.0 - self.learned)

    def learn_from_match(self) -> None:
        self.learned += self.assoc * (1.0 - self.learned)

    def prefer(self) -> None:
        """Preferred variant per meaning: the highest score, first on ties; -1 if none known."""
        for m, variants in enumerate(self.inventory):
            best, best_score = -1, -1
            for variant, score in variants:
                if score > best_score:
                    best, best_score = variant, score
            self.preferred[m] = best

    def add_variant(self, m: int, variant: int) -> None:
        variants = self.inventory[m]
        if len(variants) < self.model.params.variants:
            variants.append([variant, 0])
            return
        worst = 0
        for j in range(1, len(variants)):
            if variants[j][1] < variants[worst][1]:
                worst = j
        variants[worst] = [variant, 0]

    def collapse(self, m: int, variant: int) -> None:
        for v, score in self.inventory[m]:
            if v == variant:
                self.inventory[m] = [[variant, score + 1]]
                return

    # --- the rules ----------------------------------------------------------------------

    def talk_to(self, hearer: Person) -> int:
        """One naming-game episode with imperfect parity, this agent speaking; 1 on success."""
        model = self.model
        n_meanings = model.params.meanings
        m = 0 if n_meanings == 1 else int(self.random.random() * n_meanings)
        variants = self.inventory[m]
        if not variants:
            word = model.new_variant()
            self.add_variant(m, word)
        else:
            word = self.random.choice(variants)[0]
        parity = hearer.effective_mirror()
        perceived = word
        if parity < 1.0 and not self.random.random() < parity:
            perceived = model.new_variant()
        self.attempts += 1
        hearer.attempts += 1
        if perceived == word and any(v == word for v, _ in hearer.inventory[m]):
            self.collapse(m, word)
            hearer.collapse(m, word)
            self.learn_from_match()
            hearer.learn_from_match()
            self.successes += 1
            hearer.successes += 1
            return 1
        hearer.add_variant(m, perceived)
        return 0

    def learn_tools(self, adults: list[Person]) -> None:
        """Henrich (2004) tool learning from the adults of the camp, every episode and lineage."""
        p = self.model.params
        rnd = self.random
        if not adults:
            return
        for _ in range(p.learning_episodes):
            for k in range(p.lineages):
                if p.demonstrator == "best":
                    demo = max(adults, key=lambda a, k=k: a.skill[k])
                elif p.demonstrator == "sample_best":
                    demo = rnd.choice(adults)
                    for _s in range(p.demonstrator_sample - 1):
                        other = rnd.choice(adults)
                        if other.skill[k] > demo.skill[k]:
                            demo = other
                elif p.demonstrator == "random":
                    demo = rnd.choice(adults)
                else:
                    demo = self.parent
                    if demo is None:
                        continue
                loss = p.alpha * (1.0 - p.mirror_gain * self.effective_mirror())
                if p.meanings > 0 and p.teaching_gain > 0.0:
                    mine = self.preferred[k % p.meanings]
                    if mine >= 0 and mine == demo.preferred[k % p.meanings]:
                        loss *= 1.0 - p.teaching_gain
                copy = demo.skill[k] - loss - p.beta * math.log(rnd.expovariate(1.0))
                new = copy
                if p.innovation_rate > 0.0 and (
                    p.innovation_rate >= 1.0 or rnd.random() < p.innovation_rate
                ):
                    invented = p.innovation_mode - p.beta * math.log(rnd.expovariate(1.0))
                    new = max(new, invented)
                old = self.skill[k]
                if new > old or not p.keep_best:
                    self.skill[k] = new
                if copy > old and copy >= new:
                    self.learn_from_match()

    def evaluate_fitness(self) -> None:
        p = self.model.params
        w = p.baseline_fitness
        for z in self.skill:
            if z > 0.0:
                w += p.tool_benefit * math.log1p(z)
        if self.attempts > 0:
            w += p.comm_benefit * self.successes / self.attempts
        w -= p.mirror_cost * self.mirror**2 + p.assoc_cost * self.assoc**2
        self.fitness = max(w, 0.0)

    def mutated(self, value: float, rate: float) -> float:
        p = self.model.params
        if self.random.random() >= rate:
            return value
        if p.mutation_kind == "flip":
            return 1.0 - value
        x = value + p.mutation_sd * self.random.gauss(0.0, 1.0)
        while x < 0.0 or x > 1.0:
            x = -x if x < 0.0 else 2.0 - x
        return x

    def give_birth(self) -> Person:
        """A child in this agent's cell with its genes, each mutated with its own chance."""
        p = self.model.params
        child = Person(self.model, self.mutated(self.mirror, p.mutation_rate),
                       self.mutated(self.assoc, p.assoc_mutation_rate))
        child.parent = self
        child.cell = self.cell
        return child

    def migrate(self) -> None:
        if self.random.random() < self.model.params.migration_rate:
            self.cell = self.random.choice(self.model.neighbours[self.cell])

    parent: Person | None = None


# --- recorded measures (DataCollector model reporters) ------------------------------------


def mirror_mean(model: PlainMirrorModel) -> float:
    return sum(a.mirror for a in model.agents) / len(model.agents)


def mirror_effective_mean(model: PlainMirrorModel) -> float:
    return sum(a.effective_mirror() for a in model.agents) / len(model.agents)


def tool_complexity(model: PlainMirrorModel) -> float:
    step = model.params.skill_step
    return sum(sum(max(z, 0.0) for z in a.skill) for a in model.agents) / len(model.agents) / step


def gesture_success(model: PlainMirrorModel) -> float | None:
    return model.successes / model.episodes if model.episodes else None


def fitness_mean(model: PlainMirrorModel) -> float:
    return sum(a.fitness for a in model.agents) / len(model.agents)


def lexicon_size(model: PlainMirrorModel) -> float:
    sizes = []
    for m in range(model.params.meanings):
        sizes.append(len({a.preferred[m] for a in model.agents if a.preferred[m] >= 0}))
    return sum(sizes) / len(sizes) if sizes else float("nan")


def lexicon_coherence(model: PlainMirrorModel) -> float:
    agreeing = 0
    for cell in model.camps:
        members = cell.agents
        for m in range(model.params.meanings):
            counts: dict[int, int] = {}
            for a in members:
                if a.preferred[m] >= 0:
                    counts[a.preferred[m]] = counts.get(a.preferred[m], 0) + 1
            agreeing += max(counts.values(), default=0)
    return agreeing / (len(model.agents) * model.params.meanings) if model.params.meanings else float("nan")


REPORTERS = {
    "population": "population",
    "mirror_mean": mirror_mean,
    "mirror_effective_mean": mirror_effective_mean,
    "tool_complexity": tool_complexity,
    "gesture_success": gesture_success,
    "lexicon_size": lexicon_size,
    "lexicon_coherence": lexicon_coherence,
    "fitness_mean": fitness_mean,
}


#: The options of the coevolution scenario this plain version is written for: a misread gesture is
#: a new variant, every lineage is equally hard, a linear tool benefit, and the tool settings the
#: speed figures were first measured in (8 lineages, best of 5 sampled adults, alpha 6 falling to
#: 0.5 at mirror 1, 100 units of learning time), fixed so that the benchmark's workload does not
#: move when the accounts' world is recalibrated (the benchmark's regime sets them).
RULES_WRITTEN = {"misperception": "new", "difficulty_spread": 0.0, "tool_saturation": 0.0,
                 "lineages": 8, "demonstrator": "sample_best", "alpha": 6.0,
                 "mirror_gain": 0.9167, "learning_budget": 100.0}


class PlainMirrorModel(Model):
    """Camps on a Mesa grid, one `Person` agent per individual; one `step()` is one generation."""

    def __init__(self, params: Params, seed: int = 0, record: bool = True) -> None:
        if params.overlapping or params.env_benefit > 0.0:
            raise ValueError("plain_mesa covers discrete generations without the Rogers environment")
        super().__init__(rng=seed)
        self.params = params
        self.grid = OrthogonalMooreGrid((params.camps_x, params.camps_y), torus=params.torus,
                                        random=self.random)
        self.camps = [self.grid[(x, y)] for x in range(params.camps_x) for y in range(params.camps_y)]
        self.neighbours = {cell: list(cell.neighborhood) for cell in self.camps}
        base, extra = divmod(params.population, params.n_camps)
        self.capacity = {cell: base + (c < extra) for c, cell in enumerate(self.camps)}
        self.next_word = 0
        self.episodes = self.successes = 0
        for cell in self.camps:
            for _ in range(self.capacity[cell]):
                mirror = min(max(self.random.gauss(params.mirror_initial, params.mirror_initial_sd)
                                 if params.mirror_initial_sd > 0 else params.mirror_initial, 0.0), 1.0)
                if params.mutation_kind == "flip":
                    mirror = float(self.random.random() < params.mirror_initial)
                person = Person(self, mirror, params.assoc_initial, age=1)
                person.cell = cell
        self.agents.do("evaluate_fitness")
        self.datacollector = DataCollector(model_reporters=REPORTERS) if record else None
        self.population = len(self.agents)
        if self.datacollector is not None:
            self.datacollector.collect(self)

    def new_variant(self) -> int:
        self.next_word += 1
        return self.next_word - 1

    def step(self) -> None:
        p = self.params
        adults = list(self.agents)
        # 1. Wright-Fisher reproduction within each occupied camp, proportional to fitness
        newborns = []
        for cell in self.camps:
            members = cell.agents
            if not members:
                continue
            weights = [a.fitness for a in members]
            if sum(weights) > 0.0:
                parents = self.random.choices(members, weights=weights, k=self.capacity[cell])
            else:
                parents = [self.random.choice(members) for _ in range(self.capacity[cell])]
            newborns += [parent.give_birth() for parent in parents]
        # 2. gesture episodes in each camp: adult speakers, any other member as hearer
        self.agents.set("attempts", 0)
        self.agents.set("successes", 0)
        self.episodes = self.successes = 0
        if p.meanings > 0 and p.gesture_episodes > 0:
            for cell in self.camps:
                members = cell.agents
                speakers = [a for a in members if a.age >= 1]
                if len(members) < 2 or not speakers:
                    continue
                for _ in range(round(p.gesture_episodes * len(members))):
                    speaker = self.random.choice(speakers)
                    hearer = self.random.choice(members)
                    while hearer is speaker:
                        hearer = self.random.choice(members)
                    self.successes += speaker.talk_to(hearer)
                    self.episodes += 1
        # 3. the newborns learn tools from the adults of their camp
        if p.lineages > 0:
            if p.meanings > 0 and p.teaching_gain > 0.0:
                self.agents.do("prefer")
            adults_by_camp = {cell: [a for a in cell.agents if a.age >= 1] for cell in self.camps}
            for child in newborns:
                child.learn_tools(adults_by_camp[child.cell])
        # 4. death of all adults; 5. ageing, fitness, migration
        for person in adults:
            person.remove()
        for child in newborns:
            child.parent = None  # the parent is gone: do not keep it alive
            child.age += 1
        self.agents.do("evaluate_fitness")
        self.agents.do("migrate")
        self.population = len(self.agents)
        if self.datacollector is not None:
            self.agents.do("prefer")
            self.datacollector.collect(self)


# --- the two kernels' rules on their own, per agent (bench items 1-2) ---------------------


def tool_setup(params: Params, n: int, skills, preferred, seed: int = 0):
    """A model with `n` adults (given skills, preferred gestures) and `n` learners in the camps.

    Returns (model, learners, adults_by_camp); learner i and adult i are in camp i % n_camps.
    """
    p = params
    model = PlainMirrorModel(Params.from_mapping({"population": p.n_camps}, base=p), seed, False)
    for a in list(model.agents):
        a.remove()
    adults, learners = [], []
    for i in range(n):
        cell = model.camps[i % p.n_camps]
        adult = Person(model, p.mirror_initial, p.assoc_initial, age=1)
        adult.skill = [float(z) for z in skills[i]]
        adult.preferred = [int(v) for v in preferred[i]]
        adult.cell = cell
        adults.append(adult)
    for i in range(n):
        learner = Person(model, p.mirror_initial, p.assoc_initial, age=0)
        learner.preferred = [int(v) for v in preferred[n + i]]
        learner.cell = model.camps[i % p.n_camps]
        learners.append(learner)
    adults_by_camp = {cell: [a for a in cell.agents if a.age >= 1] for cell in model.camps}
    return model, learners, adults_by_camp


def tool_pass(learners, adults_by_camp) -> None:
    """Each learner's `learn_tools` step, in order (evo's `tool_learning` over the same learners)."""
    for learner in learners:
        learner.learn_tools(adults_by_camp[learner.cell])


def gesture_setup(params: Params, n: int, mirror: float, seed: int = 0):
    """A model with `n` adults of genetic mirror `mirror`, inventories empty."""
    model = PlainMirrorModel(Params.from_mapping({"population": n}, base=params), seed, False)
    model.agents.set("mirror", mirror)
    return model


def gesture_pass(model: PlainMirrorModel, episodes_per_member: float) -> int:
    """Gesture episodes camp by camp, as in one generation of `PlainMirrorModel.step`."""
    episodes = 0
    for cell in model.camps:
        members = cell.agents
        for _ in range(round(episodes_per_member * len(members))):
            speaker = model.random.choice(members)
            hearer = model.random.choice(members)
            while hearer is speaker:
                hearer = model.random.choice(members)
            speaker.talk_to(hearer)
            episodes += 1
    return episodes

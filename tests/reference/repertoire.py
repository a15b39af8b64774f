"""Plain-Python twins of the repertoire kernels (`evo.core.repertoire`), used only in tests.

Written again from the rules in the module's docstring, with lists, dicts and sets instead of
arrays: Lewis & Laland's repertoire is a list of [seed set, level] in slot order (a loss moves the
last trait into the freed slot, as the kernel does, since draws pick slots); Kolodny's main-axis
traits are dicts in invention order, each with its toolkit positions and the ids of the traits it
is combined with. Random numbers come from `tests.reference.stream.Xoshiro`, drawn in the order
the kernels document; `tests/test_repertoire.py` asserts equal rows, equal states and equal
generator states afterwards.
"""

from __future__ import annotations

import math

from tests.reference.stream import MASK64, Xoshiro

INVENTION, COMBINATION, MODIFICATION, LOSS = range(4)


def below(rng: Xoshiro, n: int) -> int:
    """floor(u * n) from one uniform."""
    return math.floor(rng.random() * n)


def exponential(rng: Xoshiro) -> float:
    """Exp(1) by inversion of a uniform on (0, 1)."""
    return -math.log(rng.open_random())


def bernoulli_hits(rng: Xoshiro, n: int, p: float) -> list[int]:
    """The successful trials among n Bernoulli(p), by geometric gaps (no draw if p <= 0 or >= 1)."""
    if n <= 0 or p <= 0.0:
        return []
    if p >= 1.0:
        return list(range(n))
    log_fail = math.log1p(-p)
    hits, position = [], 0.0
    while True:
        position += math.floor(math.log(rng.open_random()) / log_fail)
        if position >= n:
            return hits
        hits.append(int(position))
        position += 1.0


# --- Lewis & Laland 2012 -----------------------------------------------------------------------


class LewisLaland:
    """The repertoire: `traits[slot] = [seeds (a set), level]`; the seeds held as seed traits."""

    def __init__(self, seeds: int) -> None:
        self.n_seeds = seeds
        self.traits: list[list] = []
        self.seed_traits: set[int] = set()

    def invent(self, rng: Xoshiro) -> None:
        absent = [s for s in range(self.n_seeds) if s not in self.seed_traits]
        s = absent[below(rng, len(absent))]
        self.seed_traits.add(s)
        self.traits.append([frozenset({s}), 1])

    def lose(self, j: int) -> None:
        seeds, level = self.traits[j]
        if level == 1:
            self.seed_traits -= seeds
        self.traits[j] = self.traits[-1]
        self.traits.pop()

    def step(self, rng: Xoshiro, thresholds) -> int:
        if not self.traits:
            self.invent(rng)
            return INVENTION
        while True:
            u = rng.random()
            if u < thresholds[0]:
                if len(self.seed_traits) == self.n_seeds:
                    continue
                self.invent(rng)
                return INVENTION
            n = len(self.traits)
            a = below(rng, n)
            seeds_a, level_a = self.traits[a]
            if u < thresholds[1]:
                if not any(seeds_a.isdisjoint(seeds) for seeds, _ in self.traits):
                    continue
                b = below(rng, n)
                while not seeds_a.isdisjoint(self.traits[b][0]):
                    b = below(rng, n)
                seeds_b, level_b = self.traits[b]
                self.traits.append([seeds_a | seeds_b, level_a + level_b])
                return COMBINATION
            if u < thresholds[2]:
                self.traits.append([seeds_a, level_a + 1])
                return MODIFICATION
            self.lose(a)
            return LOSS

    def row(self, step: int, events: list[int]) -> list[int]:
        lineages = set().union(*(seeds for seeds, _ in self.traits)) if self.traits else set()
        return [step, len(self.traits), events[0] + events[1] + events[2], events[3], events[0],
                events[1], events[2], len(lineages), sum(level for _, level in self.traits),
                sum(len(seeds) for seeds, _ in self.traits)]


def ll_run(rng: Xoshiro, seeds: int, initial: int, thresholds, steps) -> tuple[LewisLaland, list]:
    """A run from `initial` invented seeds to each step of `steps`: (repertoire, rows)."""
    model = LewisLaland(seeds)
    for _ in range(initial):
        model.invent(rng)
    rows, done = [], 0
    for target in steps:
        events = [0, 0, 0, 0]
        while done < target:
            events[model.step(rng, thresholds)] += 1
            done += 1
        rows.append(model.row(done, events))
    return model, rows


# --- Kolodny, Creanza & Feldman 2015 -----------------------------------------------------------


def splitmix(z: int) -> int:
    z = (z + 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def pair_useful(salt: int, id_a: int, id_b: int, share: float) -> bool:
    lo, hi = min(id_a, id_b), max(id_a, id_b)
    z = splitmix(splitmix(salt ^ lo) ^ hi)
    return (z >> 11) / 2.0**53 < share


class Kolodny:
    """Main-axis traits in invention order: dicts with id, kit_size, kit (set of positions)."""

    def __init__(self, rng: Xoshiro, capacity: int, toolkit_max: int) -> None:
        self.salt = rng.next_u64()
        self.capacity, self.toolkit_max = capacity, toolkit_max
        self.mains: list[dict] = []
        self.combos: set[frozenset] = set()  # pairs of main-axis ids
        self.next_id = 0
        self.overflow = 0

    def by_id(self, trait_id: int) -> dict | None:
        return next((m for m in self.mains if m["id"] == trait_id), None)

    def counts(self) -> tuple[int, int, int]:
        return len(self.mains), sum(len(m["kit"]) for m in self.mains), len(self.combos)

    def canonical(self) -> list[tuple]:
        """Every trait, in the kernel's loss order: main, its toolkit, its earlier partners."""
        order = []
        for p, main in enumerate(self.mains):
            order.append(("main", main["id"]))
            order += [("kit", main["id"], k) for k in sorted(main["kit"])]
            order += [("comb", main["id"], earlier["id"]) for earlier in self.mains[:p]
                      if frozenset({main["id"], earlier["id"]}) in self.combos]
        return order

    def drop_main(self, trait_id: int) -> int:
        main = self.by_id(trait_id)
        gone = [c for c in self.combos if trait_id in c]
        self.combos -= set(gone)
        self.mains.remove(main)
        return 1 + len(main["kit"]) + len(gone)

    def generation(self, rng: Xoshiro, population: int, rates) -> tuple[list[int], int]:
        p_inv, p_kit, p_comb, useful, beta, mu = rates
        gains = [0, 0, 0]  # inventions, combinations, toolkit traits
        for _ in bernoulli_hits(rng, population, p_inv):
            s = beta * exponential(rng)
            while s > 1.0:
                s = beta * exponential(rng)
            if rng.random() >= s:
                continue
            size = 1 + below(rng, self.toolkit_max)
            if len(self.mains) == self.capacity:
                self.overflow += 1
                continue
            self.mains.append({"id": self.next_id, "kit_size": size, "kit": set()})
            self.next_id += 1
            gains[0] += 1
        m = len(self.mains)
        if m > 0:
            for _ in bernoulli_hits(rng, population, p_kit):
                main = self.mains[below(rng, m)]
                position = below(rng, main["kit_size"])
                if position not in main["kit"]:
                    main["kit"].add(position)
                    gains[2] += 1
        if m > 1:
            for _ in bernoulli_hits(rng, population, p_comb):
                a, b = self.mains[below(rng, m)]["id"], self.mains[below(rng, m)]["id"]
                pair = frozenset({a, b})
                if a != b and pair not in self.combos and pair_useful(self.salt, a, b, useful):
                    self.combos.add(pair)
                    gains[1] += 1
        traits = self.canonical()
        lost = 0
        for target in [traits[i] for i in bernoulli_hits(rng, len(traits), mu)]:
            owner = self.by_id(target[1])
            if target[0] == "main":
                if owner is not None:
                    lost += self.drop_main(target[1])
            elif target[0] == "kit":
                if owner is not None and target[2] in owner["kit"]:
                    owner["kit"].remove(target[2])
                    lost += 1
            elif frozenset(target[1:]) in self.combos:
                self.combos.remove(frozenset(target[1:]))
                lost += 1
        return gains, lost


def kolodny_run(rng: Xoshiro, capacity: int, toolkit_max: int, population: int, rates,
                steps) -> tuple[Kolodny, list]:
    """A run from an empty repertoire to each generation of `steps`: (state, rows)."""
    model = Kolodny(rng, capacity, toolkit_max)
    rows, done = [], 0
    for target in steps:
        got, lost = [0, 0, 0], 0
        while done < target:
            gains, n_lost = model.generation(rng, population, rates)
            got = [x + y for x, y in zip(got, gains, strict=True)]
            lost += n_lost
            done += 1
        mains, kits, combos = model.counts()
        rows.append([done, mains + kits + combos, sum(got), lost, got[0], got[1], got[2], mains,
                     kits, combos])
    return model, rows

"""The generation measures of proto-language: expressivity by hand, against a brute-force count."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as hs
from hypothesis.extra import numpy as hnp

from evo.core.metrics import (
    expressivity,
    lexicon_counts,
    lexicon_measures,
    lexicon_summary,
    most_common_counts,
    row_measures,
)
from evo.core.model import MirrorModel
from evo.run.runner import resolve_params, simulate

# Meanings 0 and 1. Camp 0: 5, 5, 7 / all 2. Camp 1: 7, none / all 2. Camp 2: empty.
# Camp 3: 1, 2, none / nobody.
PREFERRED = np.array([[5, 2], [5, 2], [7, 2], [7, 2], [-1, 2], [1, -1], [2, -1], [-1, -1]])
GROUP = np.array([0, 0, 0, 1, 1, 3, 3, 3])


def test_most_common_counts_by_hand():
    assert most_common_counts(PREFERRED, GROUP).tolist() == [[2, 3], [1, 2], [0, 0], [1, 0]]


def test_expressivity_by_hand():
    # camp 0: 2 of 3 hold 5 (shared), 3 of 3 hold 2 (shared) -> 2 meanings
    # camp 1: 1 of 2 holds 7 (exactly half: shared; the silent one counts as a member) -> 2
    # camp 2 is empty and does not count; camp 3: 1 of 3 (not shared), nobody -> 0
    assert expressivity(PREFERRED, GROUP) == (2 + 2 + 0) / 3
    # one camp in which everybody shares every meaning: all meanings are expressible
    assert expressivity(np.full((4, 3), 6), np.zeros(4, np.int64)) == 3.0
    assert expressivity(np.full((4, 3), -1), np.zeros(4, np.int64)) == 0.0
    assert np.isnan(expressivity(np.zeros((0, 2), np.int64), np.zeros(0, np.int64)))


def _brute_force(preferred: np.ndarray, camps: np.ndarray) -> float:
    per_camp = []
    for camp in np.unique(camps):
        rows = preferred[camps == camp]
        shared = 0
        for m in range(preferred.shape[1]):
            held = [v for v in rows[:, m] if v >= 0]
            top = max((held.count(v) for v in set(held)), default=0)
            shared += 2 * top >= len(rows)
        per_camp.append(shared)
    return float(np.mean(per_camp))


def _brute_force_lexicon(preferred: np.ndarray, camps: np.ndarray) -> tuple[float, float]:
    """(lexicon_size, lexicon_coherence) by counting individuals one by one (module docstring)."""
    n, meanings = preferred.shape
    sizes, agreeing = [], 0
    for m in range(meanings):
        sizes.append(len({v for v in preferred[:, m] if v >= 0}))  # in the whole population
        for i in range(n):
            held = [v for v, g in zip(preferred[:, m], camps, strict=True)
                    if g == camps[i] and v >= 0]
            if preferred[i, m] < 0 or not held:
                continue  # no preferred variant: does not agree
            top = min(set(held), key=lambda v: (-held.count(v), v))  # a tie: one of them
            agreeing += preferred[i, m] == top
    return float(np.mean(sizes)), agreeing / (n * meanings)


def test_lexicon_measures_by_hand():
    # meaning 0: variants 5, 7, 1, 2 -> 4; meaning 1: only 2 -> 1; size (4 + 1) / 2
    # coherence, meaning 0: camp 0 two 5s, camp 1 one 7, camp 3 a tie of 1 and 2 (one agrees)
    # meaning 1: camps 0 and 1 all 2 (5); 2 + 1 + 1 + 5 agreeing of 8 x 2
    assert lexicon_measures(PREFERRED, GROUP) == (2.5, 9 / 16)
    assert _brute_force_lexicon(PREFERRED, GROUP) == (2.5, 9 / 16)


def test_expressivity_agrees_with_a_brute_force_count():
    rng = np.random.default_rng(5)
    for _ in range(50):
        n, meanings, camps = rng.integers(1, 30), rng.integers(1, 5), rng.integers(1, 6)
        preferred = rng.integers(-1, 3, size=(n, meanings))
        camp = rng.integers(0, camps, size=n)
        assert expressivity(preferred, camp) == _brute_force(preferred, camp)
        # the shared counts give lexicon_measures the same numbers as computing them afresh
        counts = most_common_counts(preferred, camp)
        assert lexicon_measures(preferred, camp, counts) == lexicon_measures(preferred, camp)
        assert lexicon_measures(preferred, camp) == _brute_force_lexicon(preferred, camp)


def test_expressivity_is_a_column_bounded_by_the_number_of_meanings():
    result = simulate("fixed_high", seed=2, generations=30)
    values = result.table["expressivity"]
    assert values.null_count() == 0
    assert 0.0 <= values.min() and values.max() <= result.meta["params"]["meanings"]
    assert values.max() > 0  # fixed high mirroring does build conventions


def test_lexicon_counts_agree_with_the_numpy_definitions():
    """The compiled counts give the same sizes, most-common counts and camp sizes as numpy."""
    rng = np.random.default_rng(11)
    for _ in range(100):
        n, meanings, camps = rng.integers(1, 40), rng.integers(1, 5), rng.integers(1, 6)
        top = int(rng.choice([2, 50, 10**9]))  # few ids (ties), or ids far apart
        preferred = np.where(rng.random((n, meanings)) < 0.2, -1,
                             rng.integers(0, top, size=(n, meanings)))
        camp = rng.integers(0, camps, size=n)
        distinct, most_common, members = lexicon_counts(preferred, camp, int(camp.max()) + 1)
        expected = [np.unique(preferred[preferred[:, m] >= 0, m]).size for m in range(meanings)]
        assert distinct.tolist() == expected
        assert most_common.tolist() == most_common_counts(preferred, camp).tolist()
        assert members.tolist() == np.bincount(camp).tolist()
        size, coherence, shared, occupied = lexicon_summary(preferred, camp)
        assert (size, coherence) == lexicon_measures(preferred, camp)
        assert shared == expressivity(preferred, camp)
        assert occupied == np.unique(camp).size


def test_row_measures_are_named_typed_and_nan_without_tools():
    sim = MirrorModel(resolve_params("default", {"lineages": 0}), seed=4)
    sim.step()
    means = row_measures(sim.state, sim.state.alive_slots())
    assert np.isnan(means.tool_skill_mean) and np.isnan(means.positive_skill_sum_mean)
    assert 0.0 <= means.mirror_mean <= 1.0 and means.fitness_mean > 0.0
    assert type(means.tool_types) is int and means.tool_types == 0
    assert all(isinstance(value, float) for name, value in means._asdict().items()
               if name != "tool_types")


@given(hnp.arrays(np.float64, hs.integers(1, 3000), elements=hs.floats(0.0, 1.0)))
@settings(max_examples=200, deadline=None)
def test_direct_reductions_equal_numpys_mean_and_std_bit_for_bit(x):
    from evo.core.metrics import _mean, _std

    assert _mean(x) == x.mean() and _std(x) == x.std()
    m = np.resize(x, (max(1, x.size // 8), 8))
    assert _mean(m) == m.mean()

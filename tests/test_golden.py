"""Golden trajectories: every scenario and option gives exactly the recorded table (tests/golden)."""

from __future__ import annotations

import pytest

from tests.golden.cases import CASES, explain, recorded, recorded_profiles, run_profiled


def test_every_case_has_a_recorded_digest_and_profile():
    assert set(recorded()) == set(CASES) == set(recorded_profiles())


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_reproduces_its_recorded_table(name):
    digest, profile = run_profiled(CASES[name])
    assert digest == recorded()[name], (
        f"{name}: the table changed ({explain(recorded_profiles().get(name), profile)}); if that "
        "was meant, run python -m tests.golden.regenerate and say in the commit which rule changed")


def test_a_changed_case_is_explained_by_column_and_generation():
    import polars as pl

    from tests.golden.cases import table_profile

    table = pl.DataFrame({"generation": [0, 1, 2], "population": [10, 10, 10],
                          "tool_complexity": [3.0, 4.0, 5.0], "other": [1, 2, 3]})
    moved = table.with_columns(pl.Series("tool_complexity", [3.0, 4.0, 5.5]))
    said = explain(table_profile(table, {}), table_profile(moved, {}))
    assert said == ("columns that changed: tool_complexity; tool_complexity first differs at "
                    "generation 2: recorded 5.0, now 5.5")

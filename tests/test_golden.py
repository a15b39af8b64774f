"""Golden trajectories: every scenario and option gives exactly the recorded table (tests/golden)."""

from __future__ import annotations

import pytest

from tests.golden.cases import CASES, recorded, run_case


def test_every_case_has_a_recorded_digest():
    assert set(recorded()) == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_reproduces_its_recorded_table(name):
    assert run_case(CASES[name]) == recorded()[name], (
        f"{name}: the table changed; if that was meant, run python -m tests.golden.regenerate "
        "and say in the commit which rule changed")

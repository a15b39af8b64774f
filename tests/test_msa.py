"""One full run of the Middle Stone Age world (10,000 generations, 300-50 ka): it flickers."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from analysis.signatures import run_signatures
from evo.run.runner import simulate


@pytest.fixture(scope="module")
def modern():
    return simulate("msa_modern", seed=3)


def test_the_msa_world_runs_its_250_kyr_and_follows_the_climate(modern):
    assert modern.table["generation"].max() == 10_000
    camps = modern.extras["camps"]
    by_row = camps.group_by("generation").agg(pl.col("population").sum(),
                                              pl.col("coldness").first()).sort("generation")
    cold, people = by_row["coldness"].to_numpy(), by_row["population"].to_numpy()
    assert np.corrcoef(cold, people)[0, 1] < -0.5  # glacials empty the regions
    assert people.max() > 1.4 * people[1:].min()


def test_modern_minds_in_the_msa_world_lose_and_regain_tool_types(modern):
    values = {k: m.value for k, m in run_signatures(
        modern.table, lineages=modern.extras["lineages"],
        presence=modern.extras["presence"]).items()}
    assert values["flicker_losses"] >= 10
    assert values["flicker_gap_generations"] >= 40  # a loss lasts at least the unseen gap
    assert 0.1 < values["regional_share"] < 1.0  # types held by some regions, not all
    assert values["first_appearance_spread_kyr_25"] == values[
        "first_appearance_spread_generations"] * 0.025
    # the easy types are never lost: the presence table holds them in most regions throughout
    presence = modern.extras["presence"].filter(pl.col("generation") >= 1000)
    easiest = presence.filter(pl.col("lineage") == 0).group_by("generation").agg(
        pl.col("held").max())
    assert easiest["held"].min() == 1

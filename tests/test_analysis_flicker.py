"""Flicker signatures and the record's pictures, on presence tables with known answers."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from analysis import record
from analysis.signatures.flicker import flicker
from evo.flicker import GAP, Flicker, episodes


def presence_table(held: dict[tuple[int, int], list[int]], every: int = 20,
                   empty: dict[int, list[int]] | None = None) -> pl.DataFrame:
    """Rows for (camp, lineage) -> held per row; `empty` camp -> rows where it has no people."""
    rows = []
    for (camp, lineage), series in held.items():
        for r, h in enumerate(series):
            gone = empty is not None and r in empty.get(camp, [])
            rows.append({"generation": r * every, "camp": camp, "lineage": lineage,
                         "skill_best": None if gone else (12.0 if h else 3.0),
                         "held": 0 if gone else h})
    return pl.DataFrame(rows, schema={"generation": pl.Int64, "camp": pl.Int64,
                                      "lineage": pl.Int64, "skill_best": pl.Float64,
                                      "held": pl.Int64})


def test_short_absences_are_closed_and_long_ones_split_episodes():
    t = np.arange(0, 400, 20.0)
    present = np.zeros(t.size, bool)
    present[2:5] = True  # 40-80
    present[6:8] = True  # 120-140: a gap of 20 < GAP, closed
    present[12:14] = True  # 240-260: a gap of 100, a loss
    assert episodes(t, present) == [(40.0, 160.0), (240.0, 280.0)]
    present[-1] = True
    assert episodes(t, present)[-1] == (380.0, math.inf)  # still present at the end


def test_a_type_history_counts_finished_episodes_losses_and_gaps():
    t = np.arange(0, 400, 20.0)
    present = np.zeros(t.size, bool)
    present[2:5] = True
    present[12:14] = True
    h = Flicker()
    h.add_type(t, present, last=380.0)
    assert h.first == [40.0]
    assert h.presence == [60.0, 40.0]  # both ended, the second 100 generations before the end
    assert h.gaps == [140.0]  # the first loss ended at 240
    # a loss seen for less than GAP at the end is not yet a loss
    late = np.zeros(t.size, bool)
    late[:-1] = True
    h = Flicker()
    h.add_type(t, late, last=380.0)
    assert h.losses == [] and GAP > 20


def test_flicker_of_a_known_history():
    on, off = [1] * 10, [0] * 10
    table = presence_table({
        (0, 0): [1] * 20, (1, 0): [1] * 20,  # type 0: both regions, always
        (0, 1): on + off, (1, 1): [0] * 20,  # type 1: one region for 200 generations, then lost
        (0, 2): [0] * 5 + [1] * 15, (1, 2): [0] * 20,  # type 2 appears at 100
    })
    values = {k: v.value for k, v in flicker(table).items()}
    assert values["flicker_losses"] == 1
    assert values["presence_generations"] == 200 and values["presence_kyr_25"] == 5.0
    assert values["presence_longest_generations"] == 200
    assert math.isnan(values["flicker_gap_generations"])  # type 1 never came back
    assert values["first_appearance_spread_generations"] == 100
    assert values["first_appearance_spread_kyr_25"] == 2.5
    # held rows: type 0 by 2 of 2 regions (20 rows), type 1 by 1 of 2 (10), type 2 by 1 of 2 (15)
    assert values["regional_share"] == pytest.approx((20 * 1.0 + 25 * 0.5) / 45)


def test_empty_regions_do_not_count_against_the_share():
    table = presence_table({(0, 0): [1] * 6, (1, 0): [0] * 6, (0, 1): [1] * 6, (1, 1): [0] * 6,
                            (0, 2): [1] * 6, (1, 2): [0] * 6},
                           empty={1: [0, 1, 2, 3, 4, 5]})
    assert flicker(table)["regional_share"].value == 1.0


def test_flicker_without_a_presence_table_says_why():
    out = flicker(None)
    assert all(math.isnan(m.value) and "record_presence" in m.detail for m in out.values())


def test_battleship_share_and_map_panels():
    table = presence_table({(0, 0): [1, 1, 0], (1, 0): [0, 1, 0]}, empty={1: [2]})
    ships = record.battleship_data(table)
    assert ships["share"].to_list() == [0.5, 1.0, 0.0]
    assert ships["regions"].to_list() == [2, 2, 1]
    camps = pl.DataFrame({"generation": [0, 0, 10, 10, 20, 20], "camp": [0, 1] * 3,
                          "x": [0, 1] * 3, "y": [0] * 6, "population": [5, 5, 5, 0, 5, 5],
                          "tool_types": [0, 0, 2, 0, 3, 1]})
    picked = record.map_data(camps, panels=2)
    assert picked["generation"].unique().sort().to_list() == [10, 20]
    record.plot_map(picked, 300.0, 25.0)
    record.plot_battleship(ships, 300.0, 25.0)
    assert record.age_ka(np.array([0, 400]), 300.0, 25.0).tolist() == [300.0, 290.0]


def test_the_record_gives_the_published_durations():
    observed = record.observed_record()
    assert observed["Still Bay duration (kyr)"] == pytest.approx(0.9, abs=0.2)
    assert observed["Howiesons Poort duration (kyr)"] == pytest.approx(5.3, abs=0.5)
    assert observed["spread of first appearances (kyr)"] > 100


def test_confrontation_says_whether_the_record_lies_in_the_interval():
    table = pl.DataFrame({"account": ["genetic"] * 4,
                          "signature": ["presence_kyr_25", "first_appearance_spread_kyr_25",
                                        "presence_kyr_25", "presence_longest_kyr_25"],
                          "value": [1.0, 60.0, 2.0, 4.0], "low": [0.5, 40.0, 1.0, 3.0],
                          "high": [2.0, 80.0, 3.0, 6.0], "n": [10, 10, 5, 10],
                          "scenario": [None, None, "msa", None]},
                         schema_overrides={"scenario": pl.String})
    observed = {"Still Bay duration (kyr)": 0.9, "Howiesons Poort duration (kyr)": 5.3,
                "spread of first appearances (kyr)": 210.0}
    out = record.confrontation(table, observed)
    assert out["quantity"].to_list() == list(observed)  # pooled rows only, in CONFRONTED order
    assert out["within"].to_list() == [True, True, False]
    assert out["ratio"][2] == pytest.approx(60 / 210)


def test_levels_pool_each_factor_over_the_others():
    from analysis.signatures.summary import levels_table

    runs = pl.DataFrame({"run_id": list(range(8)), "scenario": ["s"] * 8,
                         "a": [0, 0, 0, 0, 1, 1, 1, 1], "b": [0, 0, 1, 1, 0, 0, 1, 1],
                         "c": [5] * 8})
    per_run = pl.DataFrame({"run_id": list(range(8)), "scenario": ["s"] * 8,
                            "account": ["demography"] * 8, "role": ["variant"] * 8,
                            "signature": ["flicker_losses"] * 8,
                            "value": [1.0, 2, 3, 4, 10, 20, 30, 40], "detail": [""] * 8})
    levels = levels_table(per_run, runs, ["a", "b", "c"])
    assert levels["parameter"].unique().sort().to_list() == ["a", "b"]  # c has one value
    by = {(p, lv): v for p, lv, v in levels.select("parameter", "level", "value").iter_rows()}
    assert by[("a", "0")] == 2.5 and by[("a", "1")] == 25.0
    assert by[("b", "0")] == np.median([1, 2, 10, 20]) and levels["n"].to_list() == [4] * 4


def test_a_blip_shorter_than_the_gap_is_no_presence_whatever_the_recording_interval():
    def history(every: int) -> list[tuple[float, float]]:
        t = np.arange(0, 2000, every, dtype=float)
        present = ((t >= 100) & (t < 120)) | ((t >= 500) & (t < 900))  # a 20-generation blip
        return episodes(t, present)

    assert history(10) == history(20) == [(500.0, 900.0)]

"""The judged window: each run up to its first population crash, by the same rule as find_crash."""

from __future__ import annotations

import numpy as np
import polars as pl

from analysis.windows import before_first_crash, find_crash

T = np.arange(40, dtype=float)


def table(series: dict[int, np.ndarray]) -> pl.DataFrame:
    return pl.concat([pl.DataFrame({"run_id": run, "time": T, "population": p, "x": p * 2.0})
                      for run, p in series.items()])


def test_a_crashed_run_is_cut_before_its_crash_and_others_kept_whole():
    crash = np.r_[np.full(20, 400.0), np.full(10, 40.0), np.full(10, 400.0)]
    growth = np.linspace(40, 1600, T.size)  # growth is no crash
    noisy = 400 + 100 * np.sin(T)  # falls, but never to half its peak
    kept, n_cut = before_first_crash(table({1: crash, 2: growth, 3: noisy}))
    assert n_cut == 1
    assert kept.filter(pl.col("run_id") == 1)["time"].max() == find_crash(T, crash).start - 1
    for run in (2, 3):
        assert kept.filter(pl.col("run_id") == run).height == T.size
    assert kept.columns == ["run_id", "time", "population", "x"]


def test_the_window_agrees_with_find_crash_on_random_series():
    rng = np.random.default_rng(7)
    series = {run: rng.choice([30.0, 100.0, 200.0], size=T.size) for run in range(30)}
    kept, n_cut = before_first_crash(table(series))
    found = {run: find_crash(T, p) for run, p in series.items()}
    assert n_cut == sum(c is not None for c in found.values())
    for run, crash in found.items():
        length = kept.filter(pl.col("run_id") == run).height
        assert length == (T.size if crash is None else int(crash.start))


def test_a_table_without_population_is_returned_whole():
    plain = pl.DataFrame({"run_id": [1, 1], "time": [0.0, 1.0], "x": [1.0, 2.0]})
    assert before_first_crash(plain) == (plain, 0)


def test_missing_population_values_are_skipped_as_find_crash_skips_them():
    p = np.r_[np.full(20, 400.0), np.full(10, 40.0), np.full(10, 400.0)]
    holes = p.copy()
    holes[[5, 12]] = np.nan
    kept, n_cut = before_first_crash(table({1: holes}))
    assert n_cut == 1 and kept["time"].max() == find_crash(T, holes).start - 1 == 19

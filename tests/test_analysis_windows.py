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


def test_a_fall_over_millennia_is_no_crash_and_a_fall_within_the_window_is():
    t = np.arange(0, 3000, 10, dtype=float)
    glacial = 800 - 480 * np.clip((t - 500) / 1500, 0, 1)  # to 40 % over 1,500 generations
    sudden = np.where((t >= 1000) & (t < 1200), 300.0, 800.0)
    assert find_crash(t, glacial) is None
    assert find_crash(t, sudden).start == 1000
    frame = pl.concat([pl.DataFrame({"run_id": run, "time": t, "population": p})
                       for run, p in ((1, glacial), (2, sudden))])
    kept, n_cut = before_first_crash(frame)
    assert n_cut == 1 and kept.filter(pl.col("run_id") == 1).height == t.size


def test_the_window_agrees_with_find_crash_where_the_window_matters():
    rng = np.random.default_rng(11)
    t = np.arange(0, 600, 5, dtype=float)
    series = {run: np.repeat(rng.choice([30.0, 100.0, 200.0], size=t.size // 12), 12)
              for run in range(20)}
    kept, n_cut = before_first_crash(pl.concat(
        [pl.DataFrame({"run_id": run, "time": t, "population": p}) for run, p in series.items()]))
    for run, p in series.items():
        crash = find_crash(t, p)
        rows = kept.filter(pl.col("run_id") == run)
        assert rows.height == (t.size if crash is None else int(np.searchsorted(t, crash.start)))
    assert n_cut == sum(find_crash(t, p) is not None for p in series.values())

"""The sweep's folder: thinned generation tables, compaction of its parts."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from evo.errors import UsageError
from evo.run.runner import simulate
from evo.run.sweep import run_sweep
from evo.run.sweep.store import SweepStore
from tests.sweep_support import (
    REAL_SPEC,
    generations,
    runs_without_time,
    tiny_run,
    truncate,
    write,
)


@pytest.mark.parametrize(("every", "kept"), [(5, [0, 5, 10, 15, 20, 23]), ("final", [0, 23])])
def test_thinning_keeps_rows_of_the_full_table_unchanged(every, kept):
    full = simulate("default", seed=3, generations=23, overrides={"population": 40}).table
    thin = simulate("default", seed=3, generations=23, overrides={"population": 40},
                    record_every=every)
    assert thin.table["generation"].to_list() == kept
    assert thin.table.equals(full.filter(pl.col("generation").is_in(kept)))
    assert thin.full_table.equals(full)
    assert (thin.meta["record_every"], thin.meta["rows_computed"]) == (every, 24)


@pytest.mark.parametrize("bad", [0, -2, True, 1.5, "last"])
def test_a_bad_recording_interval_is_one_line(bad):
    with pytest.raises(UsageError, match=r"^bad record_every .*valid: a positive integer k"):
        simulate("default", seed=3, generations=2, record_every=bad)


def test_a_sweep_with_a_recording_interval_thins_only_its_generation_tables(tmp_path, reference):
    spec = write(tmp_path, "record_every = 5\n" + REAL_SPEC)
    out = tmp_path / "out"
    run_sweep(spec, out, workers=1, progress=False, warmup=False)
    header = json.loads((out / "sweep.json").read_text())
    assert header["record_every"] == 5 and header["spec"]["record_every"] == 5
    assert header["spec_hash"] != json.loads((reference / "sweep.json").read_text())["spec_hash"]
    # Same runs (seeds, summaries of every generation), fewer rows, each one unchanged.
    assert runs_without_time(out).equals(runs_without_time(reference))
    kept = generations(reference).filter((pl.col("generation") % 5 == 0)
                                         | (pl.col("generation") == 12))
    assert generations(out).equals(kept)


COMPACT_SPEC = 'scenario = "default"\nseeds = 8\ngenerations = 1\nroot_seed = 31\n'


def tiny_sweep(tmp_path, name="out", **kwargs):
    spec = write(tmp_path, COMPACT_SPEC)
    out = tmp_path / name
    report = run_sweep(spec, out, workers=1, run_fn=tiny_run, progress=False, warmup=False,
                       **kwargs)
    return spec, out, report


def no_run_twice(out: Path) -> None:
    from analysis.tables import load

    results = load(out)  # refuses repeated rows of a run in one line
    assert results.generations.group_by("run_id").len()["len"].to_list() == [2] * 8


def test_compact_merges_the_parts_and_the_folder_still_resumes(tmp_path, capsys):
    _, plain, _ = tiny_sweep(tmp_path, "plain")
    parts = sorted(p.name for p in (plain / "generations").iterdir())
    assert len(parts) > 1
    spec, out, _ = tiny_sweep(tmp_path, compact=True)
    assert f"compacted {len(parts)} of {len(parts)} generations parts" in capsys.readouterr().out
    [merged] = list((out / "generations").iterdir())
    assert merged.name.startswith("merged-0000000-")
    assert sorted(p.name for p in (out / "records").iterdir()) == parts  # records untouched
    assert generations(out).equals(generations(plain))
    again = run_sweep(spec, out, workers=1, run_fn=tiny_run, progress=False, warmup=False)
    assert (again.computed, again.already_done) == (0, 8)
    assert runs_without_time(out).equals(runs_without_time(plain))
    no_run_twice(out)


@pytest.mark.parametrize("kill_at", ["writing", "after_rename", "midway"])
def test_a_compaction_killed_at_any_point_leaves_a_correct_folder(tmp_path, monkeypatch, kill_at):
    from evo.run.sweep import store as store_mod

    _, plain, _ = tiny_sweep(tmp_path, "plain")
    spec, out, _ = tiny_sweep(tmp_path)
    if kill_at == "writing":
        def killed_write(path, write):
            (path.parent / f".{path.name}.x1y2.tmp").write_bytes(b"PAR1 half a file")
            raise KeyboardInterrupt

        monkeypatch.setattr(store_mod, "atomic_write", killed_write)
    else:
        removed = []
        real_remove = SweepStore._remove_part

        def killed_remove(part):
            if len(removed) == (0 if kill_at == "after_rename" else 2):
                raise KeyboardInterrupt
            removed.append(part)
            real_remove(part)

        monkeypatch.setattr(SweepStore, "_remove_part", staticmethod(killed_remove))
    with pytest.raises(KeyboardInterrupt):
        SweepStore(out).compact()
    monkeypatch.undo()
    no_run_twice(out)  # analyze right after the kill: every run once
    report = run_sweep(spec, out, workers=1, run_fn=tiny_run, progress=False, warmup=False)
    assert (report.computed, report.already_done) == (0, 8)
    assert generations(out).equals(generations(plain))
    assert runs_without_time(out).equals(runs_without_time(plain))
    assert not list(out.rglob(".*tmp*"))
    no_run_twice(out)
    SweepStore(out).compact()  # and it can be compacted again
    assert generations(out).equals(generations(plain))


def test_a_damaged_record_of_a_merged_task_is_recomputed_once(tmp_path, capsys):
    _, plain, _ = tiny_sweep(tmp_path, "plain")
    spec, out, _ = tiny_sweep(tmp_path, compact=True)
    part = sorted((out / "records").glob("part-*.parquet"))[1]
    truncate(part)
    report = run_sweep(spec, out, workers=1, run_fn=tiny_run, progress=False, warmup=False)
    assert f"warning: {part} is damaged (" in capsys.readouterr().err
    assert report.computed >= 1
    assert generations(out).equals(generations(plain))
    assert list((out / "damaged" / "generations").glob("orphans-of-merged-*"))
    no_run_twice(out)


"""One reader of the sweep folder's tables: merged copies read once, by the sweeps and analysis."""

import shutil

import polars as pl

import run
from analysis import signatures, tables
from evo import sweep_folder
from evo.run.sweep import run_sweep
from evo.run.sweep.store import SweepStore

SPEC = ('scenario = "default"\nseeds = 4\ngenerations = 12\nroot_seed = 7\n'
        "[set]\npopulation = 40\n")


def compacted_with_a_leftover_copy(tmp_path):
    """A finished, compacted sweep holding a part whose runs a merged part holds too (as a kill
    between a compaction's rename and its removals leaves it)."""
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    out = tmp_path / "out"
    run_sweep(spec, out, workers=1, progress=False, target_task_s=0.0)
    parts = sorted((out / "generations").glob("part-*.parquet"))
    assert len(parts) > 1
    copy = tmp_path / parts[0].name
    shutil.copy(parts[0], copy)
    SweepStore(out).compact()
    shutil.copy(copy, out / "generations" / copy.name)
    return out


def test_merged_copies_are_read_once_and_analysis_reads_the_folder_once(tmp_path, monkeypatch):
    out = compacted_with_a_leftover_copy(tmp_path)
    names = sorted(p.name for p in (out / "generations").iterdir())
    assert names[0].startswith("merged-") and names[1].startswith("part-")
    table = sweep_folder.read_table(out, "generations")
    assert table.height == 4 * 13 and not table.select("run_id", "generation").is_duplicated().any()
    loaded = tables.load(out)
    assert loaded.read.equals(table)
    reads: list[str] = []
    real = sweep_folder.read_parts

    def counted(files, folder, columns=None):
        reads.append(folder.name)
        return real(files, folder, columns)

    monkeypatch.setattr(sweep_folder, "read_parts", counted)
    monkeypatch.setattr(signatures.reading, "_read",
                        lambda *a: (_ for _ in ()).throw(AssertionError(a)))
    assert run.main(["analyze", str(out)]) == 0
    assert reads == ["generations"]  # once, by analysis.tables; the signatures use that table
    per_run = pl.read_parquet(out / "analysis" / "signature_runs.parquet")
    assert sorted(per_run["run_id"].unique().to_list()) == [0, 1, 2, 3]

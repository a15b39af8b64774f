"""Loading sweeps whose parts mix naming_game (time: interactions) with generation scenarios."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import run
from analysis.tables import load
from tests.test_analysis_data import write_sweep

UNION = {"interactions": pl.Int64, "words_total": pl.Int64, "words_distinct": pl.Int64}


def naming_game_table(run_id: int, rows: int) -> pl.DataFrame:
    """A naming game run: interactions, word counts and a rising success share."""
    i = np.arange(rows)
    return pl.DataFrame({
        "interactions": i * 1000, "words_total": np.full(rows, 50), "words_distinct": 10 - i % 3,
        "gesture_success": 0.1 + 0.8 / (1 + np.exp(-0.3 * (i - rows / 2))),
        "run_id": np.full(rows, run_id),
    })


def mixed_sweep(folder: Path, union: bool, ng_rows: int = 40) -> Path:
    """A coevolution sweep (4 runs) plus two naming_game runs in their own part."""
    root = write_sweep(folder, seeds=1, scenarios={"coevolution": (1.0, None)}, n_errors=0)
    runs = pl.read_parquet(root / "runs.parquet")
    ng = pl.concat([naming_game_table(run_id, ng_rows) for run_id in (100, 101)])
    extra = runs.head(2).with_columns(pl.Series("run_id", [100, 101], runs["run_id"].dtype),
                                      pl.lit("naming_game").alias("scenario"))
    pl.concat([runs, extra]).write_parquet(root / "runs.parquet")
    parts = sorted((root / "generations").glob("*.parquet"))
    if union:  # the sweep store's union schema: every column in every part, typed nulls
        gens = pl.read_parquet(parts[0])
        schema = {**gens.schema, **UNION, "run_id": gens.schema["run_id"]}
        for p in parts:
            t = pl.read_parquet(p)
            t.with_columns(*(pl.lit(None, dtype=d).alias(c) for c, d in UNION.items())
                           ).select(list(schema)).write_parquet(p)
        ng = ng.with_columns(*(pl.lit(None, dtype=d).alias(c) for c, d in schema.items()
                               if c not in ng.columns)).select(list(schema)).cast(schema)
        assert all(pl.read_parquet_schema(p) == ng.schema for p in parts)
    ng.write_parquet(root / "generations" / "part-0000100.parquet")
    meta = json.loads((root / "sweep.json").read_text())
    meta["n_runs"] = 6
    (root / "sweep.json").write_text(json.dumps(meta))
    return root


@pytest.mark.parametrize("union", [False, True], ids=["per-part schemas", "union schema"])
def test_mixed_sweep_chooses_the_time_column_per_run(tmp_path: Path, union: bool) -> None:
    results = load(mixed_sweep(tmp_path / "s", union))
    assert results.time_label == "generation / interactions"
    gens = results.generations
    ng = gens.filter(pl.col("run_id") == 100)
    assert ng["time"].to_list() == [1000.0 * i for i in range(40)]
    coev = gens.filter(pl.col("run_id") == 0)
    assert coev["time"].to_list() == [float(i) for i in range(300)]
    assert sorted(gens["run_id"].unique().to_list()) == [0, 1, 2, 3, 100, 101]


@pytest.mark.parametrize("union", [False, True], ids=["per-part schemas", "union schema"])
def test_mixed_sweep_reads_each_part_once(tmp_path: Path, union: bool,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    root = mixed_sweep(tmp_path / "s", union)
    reads: list[Path] = []
    real_read, real_scan = pl.read_parquet, pl.scan_parquet

    def read(source, *args, **kwargs):
        reads.append(Path(source))
        return real_read(source, *args, **kwargs)

    def scan(source, *args, **kwargs):
        reads.extend(Path(s) for s in (source if isinstance(source, list) else [source]))
        return real_scan(source, *args, **kwargs)

    monkeypatch.setattr(pl, "read_parquet", read)
    monkeypatch.setattr(pl, "scan_parquet", scan)
    load(root)
    parts = [p for p in reads if p.parent.name == "generations"]
    assert sorted(parts) == sorted((root / "generations").glob("*.parquet"))


@pytest.mark.usefixtures("no_figures")
def test_analyze_mixed_sweep_with_short_naming_game(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    root = mixed_sweep(tmp_path / "s", union=True, ng_rows=8)
    assert run.main(["analyze", str(root)]) == 0, capsys.readouterr().err
    bursts = pl.read_parquet(root / "analysis" / "bursts.parquet")
    ng = bursts.filter(pl.col("scenario") == "naming_game")
    assert ng["metric"].to_list() == ["gesture_success"] * 2
    assert (ng["pattern"] == "too_short").all()
    assert "time axis: generation / interactions" in (root / "analysis" / "report.md").read_text()


@pytest.fixture
def no_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    import analysis.cli

    monkeypatch.setattr(analysis.cli, "_figures", lambda *args: [])


def test_time_column_skips_an_all_null_generation() -> None:
    from analysis.tables import time_column

    table = pl.DataFrame({"generation": [None, None], "interactions": [0, 500]},
                         schema={"generation": pl.Int64, "interactions": pl.Int64})
    assert time_column(table) == "interactions"
    assert time_column(table.with_columns(pl.Series("generation", [0, 1]))) == "generation"

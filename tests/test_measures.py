"""The registry of measures (evo.measures) ties every layer to one set of names."""

from __future__ import annotations

import polars as pl

from analysis import cli as analysis_cli
from analysis import material, tables
from evo import measures
from evo.core.metrics import GENERATION_SCHEMA, NAMING_GAME_SCHEMA, REPERTOIRE_SCHEMA
from evo.run.runner import simulate
from evo.run.sweep.worker import SUMMARIES, generation_schema

POLARS = {"int": pl.Int64, "float": pl.Float64}


def test_a_run_writes_exactly_the_registered_columns():
    table = simulate("default", seed=1, generations=3).table
    assert table.schema == {m.name: POLARS[m.dtype] for m in measures.GENERATION}
    assert dict(table.schema) == GENERATION_SCHEMA


def test_the_naming_game_writes_its_registered_columns():
    result = simulate("naming_game", seed=1, overrides={"population": 20, "log_interval": 50})
    assert dict(result.table.schema) == NAMING_GAME_SCHEMA
    assert list(NAMING_GAME_SCHEMA) == [m.name for m in measures.NAMING_GAME]


def test_every_judged_measure_has_a_material_rule_and_a_known_scale():
    for name in (*measures.CULTURE, *measures.MIRROR):
        assert measures.MINIMUM_RISE[name] is material.MINIMUM_RISE[name]
    for m in measures.MEASURES.values():
        assert m.kind in ("time", "culture", "mirror", "state")
        assert m.scale in ("share", "count", "unbounded", "level")
        assert m.axis in ("linear", "log") and m.dtype in POLARS


def test_the_analysis_names_only_registered_measures():
    names = set(measures.MEASURES)
    used = {*tables.CULTURE_METRICS, *tables.MIRROR_METRICS, *tables.TIME_COLUMNS,
            *analysis_cli.TIMESERIES, *analysis_cli.PARITY_METRICS, *analysis_cli.LEVEL_METRICS,
            *material.MINIMUM_RISE, *material.LOG_METRICS, *material.SHARE_METRICS}
    assert used <= names, used - names
    assert set(tables.CULTURE_METRICS) == set(measures.CULTURE)


def test_the_sweep_summarises_and_stores_registered_columns():
    schema = generation_schema()
    assert {column for column, _ in SUMMARIES} <= set(GENERATION_SCHEMA)
    assert (set(GENERATION_SCHEMA) | set(NAMING_GAME_SCHEMA) | set(REPERTOIRE_SCHEMA) | {"run_id"}
            == set(schema))


def test_the_repertoire_driver_writes_its_registered_columns():
    table = simulate("kolodny", seed=1, generations=50).table
    assert dict(table.schema) == REPERTOIRE_SCHEMA
    assert list(REPERTOIRE_SCHEMA) == [m.name for m in measures.REPERTOIRE]

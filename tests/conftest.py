"""Fixtures shared by the test modules: the reference sweep of the sweep tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from evo.run.sweep import run_sweep
from tests.sweep_support import REAL_SPEC, write


@pytest.fixture(scope="session")
def reference(tmp_path_factory) -> Path:
    """The REAL_SPEC sweep, uninterrupted, one worker: the result every other path must equal."""
    tmp = tmp_path_factory.mktemp("reference")
    out = tmp / "out"
    report = run_sweep(write(tmp, REAL_SPEC), out, workers=1, progress=False)
    assert (report.total, report.computed, report.failed) == (6, 6, 0)
    return out


"""The test session's own numba cache, set before anything imports numba; shared fixtures.

The tests compile the kernels into ``mirrorleap/kernels-tests/<source hash>`` in the user's
cache folder (`evo.core.kernel_cache`), never into the folder real runs use: a test run neither
reads kernels a run compiled nor leaves its own for runs. The folder is keyed on the model's
sources, so the kernels compile once per edit of the model, and every test process (the
command-line tests' subprocesses, sweep workers) loads them from there.
"""

import os
from pathlib import Path

_base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
os.environ["MIRRORLEAP_KERNEL_CACHE"] = str(Path(_base) / "mirrorleap" / "kernels-tests")

import pytest  # noqa: E402 (after the cache folder is set)

from evo.run.sweep import run_sweep  # noqa: E402
from tests.sweep_support import REAL_SPEC, write  # noqa: E402


def pytest_configure(config):
    """The tests run scenarios for a few generations on purpose, before their events."""
    config.addinivalue_line("filterwarnings", "ignore::evo.core.events.EventOutsideRunWarning")


@pytest.fixture(scope="session")
def reference(tmp_path_factory) -> Path:
    """The REAL_SPEC sweep, uninterrupted, one worker: the result every other path must equal."""
    tmp = tmp_path_factory.mktemp("reference")
    out = tmp / "out"
    report = run_sweep(write(tmp, REAL_SPEC), out, workers=1, progress=False)
    assert (report.total, report.computed, report.failed) == (6, 6, 0)
    return out


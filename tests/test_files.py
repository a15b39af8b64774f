"""Every file and folder the runs, sweeps and analysis write has the mode the umask gives."""

import os
import stat
from pathlib import Path

import polars as pl
import pytest

from analysis.workspace import replace, workspace
from evo import files
from evo.run.runner import simulate, write_run
from evo.run.sweep import run_sweep


@pytest.fixture(params=[0o022, 0o027])
def mask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def modes(root: Path) -> dict[str, int]:
    """Permission bits of `root` and of everything under it."""
    return {str(p.relative_to(root.parent)): stat.S_IMODE(p.stat().st_mode)
            for p in [root, *root.rglob("*")] if p.name != ".lock"}


def tiny(scenario, *, seed, generations, overrides):
    return pl.DataFrame({"generation": [0, 1], "tool_complexity": [0.0, float(seed % 7)]})


def test_the_umask_is_read_without_changing_it(mask):
    assert files.umask() == mask
    assert files.umask() == mask


def test_atomic_writes_and_temporary_folders_follow_the_umask(tmp_path, mask):
    files.write_text(tmp_path / "a.txt", "x")
    files.write_bytes(tmp_path / "a.txt", b"y")  # over an existing file too
    files.atomic_write(tmp_path / "b.bin", lambda tmp: tmp.write_bytes(b"z"))
    folder = files.make_temp_dir(".x-", tmp_path)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o666 & ~mask
    assert stat.S_IMODE((tmp_path / "b.bin").stat().st_mode) == 0o666 & ~mask
    assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~mask
    assert sorted(p.name for p in tmp_path.iterdir()) == [".x-" + folder.name[3:], "a.txt",
                                                          "b.bin"]


def test_a_run_folder_follows_the_umask(tmp_path, mask):
    out = tmp_path / "run"
    out.mkdir()
    write_run(simulate("default", seed=1, generations=2, progress=False), out)
    found = modes(out)
    assert set(found) == {"run", "run/generations.parquet", "run/run.json"}
    assert found["run/run.json"] == found["run/generations.parquet"] == 0o666 & ~mask
    assert found["run"] == 0o777 & ~mask


def test_a_sweep_folder_follows_the_umask(tmp_path, mask):
    spec = tmp_path / "spec.toml"
    spec.write_text('scenario = "default"\nseeds = 3\ngenerations = 1\nroot_seed = 2\n')
    out = tmp_path / "out"
    run_sweep(spec, out, workers=1, run_fn=tiny, progress=False, warmup=False, compact=True)
    found = modes(out)
    assert "out/sweep.json" in found and "out/runs.parquet" in found
    assert any(name.startswith("out/generations/merged-") for name in found)
    for name, mode in found.items():
        want = 0o777 if (tmp_path / name).is_dir() else 0o666
        assert mode == want & ~mask, (name, oct(mode))


def test_the_analysis_folder_follows_the_umask(tmp_path, mask):
    (tmp_path / "analysis").mkdir()
    with workspace(tmp_path) as build:
        (build / "report.md").write_text("report")
        replace(build, tmp_path / "analysis")
    assert stat.S_IMODE((tmp_path / "analysis").stat().st_mode) == 0o777 & ~mask
    assert stat.S_IMODE((tmp_path / "analysis" / "report.md").stat().st_mode) == 0o666 & ~mask

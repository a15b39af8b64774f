"""The compiled kernels' cache is keyed on the model's sources, and results record the key."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numba

import run
from evo.core import kernel_cache
from evo.run import provenance
from evo.run.runner import simulate, write_run

ROOT = Path(__file__).resolve().parents[1]


def cache_folder_of(tree: Path, root: Path) -> str:
    """NUMBA_CACHE_DIR as a fresh interpreter importing `tree`'s evo.core sets it."""
    env = {**os.environ, "PYTHONPATH": str(tree), kernel_cache.ENV: str(root)}
    env.pop("NUMBA_CACHE_DIR", None)
    code = "import os, evo.core; print(os.environ['NUMBA_CACHE_DIR'])"
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tree, capture_output=True,
                          text=True, timeout=60, check=True)
    return done.stdout.strip()


def test_a_changed_stream_constant_changes_the_cache_folder(tmp_path):
    """The stream is inlined into kernels of other files: its edit alone must change the key."""
    same, edited = tmp_path / "same", tmp_path / "edited"
    for tree in (same, edited):
        shutil.copytree(ROOT / "evo", tree / "evo", ignore=shutil.ignore_patterns("__pycache__"))
    stream = edited / "evo" / "core" / "stream.py"
    text = stream.read_text()
    line = "result = _rotl(s1 * uint64(5), 7) * uint64(9)"  # xoshiro256**'s output multiplier
    assert line in text
    stream.write_text(text.replace(line, line.replace("uint64(9)", "uint64(11)")))
    root = tmp_path / "kernels"
    ours = cache_folder_of(same, root)
    theirs = cache_folder_of(edited, root)
    assert ours == str(root / kernel_cache.source_hash()[:kernel_cache.FOLDER_DIGITS])
    assert Path(theirs).parent == root and theirs != ours


def test_a_numba_cache_dir_the_user_set_is_the_root_of_the_keyed_folders(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    env.pop(kernel_cache.ENV, None)
    code = "import os, evo.core; print(os.environ['NUMBA_CACHE_DIR'])"
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.strip() == str(tmp_path / kernel_cache.source_hash()[:16])


def test_this_process_compiles_into_the_tests_own_keyed_folder():
    folder = Path(numba.config.CACHE_DIR)
    assert folder == kernel_cache.cache_dir()
    assert folder.parent.name == "kernels-tests"  # tests/conftest.py: never the runs' cache


def test_run_json_and_sweep_json_record_the_model_hash(tmp_path):
    (tmp_path / "one").mkdir()
    write_run(simulate("default", seed=1, generations=2, progress=False), tmp_path / "one")
    meta = json.loads((tmp_path / "one" / "run.json").read_text())
    assert meta["model_hash"] == kernel_cache.source_hash() and len(meta["model_hash"]) == 64


def test_a_resume_across_another_model_hash_is_refused_like_a_version_change(tmp_path, capsys,
                                                                              monkeypatch):
    spec = tmp_path / "spec.toml"
    spec.write_text('scenario = "default"\nseeds = 2\ngenerations = 1\nroot_seed = 3\n')
    out = tmp_path / "out"
    assert run.main(["sweep", str(spec), "--out", str(out), "--workers", "1"]) == 0
    header = json.loads((out / "sweep.json").read_text())
    assert header["model_hash"] == kernel_cache.source_hash()
    capsys.readouterr()
    monkeypatch.setattr(kernel_cache, "source_hash", lambda root=None: "f" * 64)
    assert run.main(["sweep", str(spec), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == (f"error: {out} cannot continue: model sources "
                   f"{header['model_hash'][:12]} -> {'f' * 12}; give --allow-version-change "
                   "to continue anyway, or a new --out\n")
    assert run.main(["sweep", str(spec), "--out", str(out), "--allow-version-change"]) == 0
    entry = json.loads((out / "sweep.json").read_text())["continued"][0]
    assert entry["model_hash"] == "f" * 64 and entry["changed"][0].startswith("model sources")


def test_a_record_without_the_model_hash_names_it_unknown():
    now = provenance.provenance(["default"])
    older = {k: v for k, v in provenance.canonical(now).items() if k != "model_hash"}
    assert provenance.changes(older, now) == ([], ["the model's source hash"])

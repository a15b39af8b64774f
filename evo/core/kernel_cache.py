"""Where numba keeps the compiled kernels: a folder keyed on a hash of the model's sources.

numba's on-disk cache (``cache=True``) checks only the file of the cached function itself, while
the random stream (`evo.core.stream`) and the other ``inline="always"`` helpers are compiled
into kernels of other files: edited alone, they would leave a warm cache running the old code.
So the cache lives in a folder named by `source_hash` (every ``.py`` file of ``evo/core``): any
edit of the model gives a fresh folder, and the hash is recorded in ``run.json`` and
``sweep.json`` (`evo.run.provenance`), so a result names the compiled code that made it.

`configure` sets ``NUMBA_CACHE_DIR`` to ``ROOT/<first 16 hex digits of the hash>`` and runs when
`evo.core` is first imported, before any of its modules imports numba. ``ROOT`` is, in order:
``MIRRORLEAP_KERNEL_CACHE`` (this project's override), a ``NUMBA_CACHE_DIR`` the user set, or
``mirrorleap/kernels`` in the user's cache folder (``XDG_CACHE_HOME``, else ``~/.cache``).
Standard library only.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from functools import cache
from pathlib import Path

#: This project's override of the cache's root folder (per-hash folders are made inside it).
ENV = "MIRRORLEAP_KERNEL_CACHE"
#: The folder of the model's sources: every ``.py`` file under it enters `source_hash`.
SOURCES = Path(__file__).resolve().parent
#: Hex digits of the hash that name the cache folder.
FOLDER_DIGITS = 16


@cache
def source_hash(root: Path = SOURCES) -> str:
    """SHA-256 over the relative path and bytes of every ``.py`` file under `root`, sorted."""
    sha = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        sha.update(path.relative_to(root).as_posix().encode() + b"\0")
        sha.update(path.read_bytes() + b"\0")
    return sha.hexdigest()


def default_root() -> Path:
    """The root folder of the kernel caches when nothing overrides it (see the module docstring)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mirrorleap" / "kernels"


def cache_root() -> Path:
    """``MIRRORLEAP_KERNEL_CACHE``, else the user's ``NUMBA_CACHE_DIR``, else `default_root`."""
    chosen = os.environ.get(ENV) or os.environ.get("NUMBA_CACHE_DIR")
    return Path(chosen) if chosen else default_root()


def cache_dir() -> Path:
    """The folder numba caches this version of the model's kernels in."""
    return cache_root() / source_hash()[:FOLDER_DIGITS]


def configure() -> Path:
    """Point numba's cache at `cache_dir` (created; a temporary folder if it cannot be).

    The root is put in ``MIRRORLEAP_KERNEL_CACHE`` so child processes (sweep workers) find the
    same folder. If numba is already imported (a script imported it first), its configuration
    is reloaded so the kernels decorated after this call use the folder too.
    """
    root = cache_root()
    folder = root / source_hash()[:FOLDER_DIGITS]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # an unwritable home: a folder of our own in the temporary folder
        user = f"-{os.getuid()}" if hasattr(os, "getuid") else ""
        root = Path(tempfile.gettempdir()) / f"mirrorleap-kernels{user}"
        folder = root / source_hash()[:FOLDER_DIGITS]
        folder.mkdir(parents=True, exist_ok=True)
    os.environ[ENV] = str(root)
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    numba = sys.modules.get("numba")
    if numba is not None:
        numba.core.config.reload_config()
    return folder

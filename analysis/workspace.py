"""The analysis's hidden folders inside DIR: built aside, swapped in whole, stale ones cleared.

``analyze DIR`` writes everything into a fresh ``DIR/.analysis-tmp-*`` folder, then puts it in
place of ``DIR/analysis`` (``replace``; the old folder waits in ``DIR/.analysis-old-*`` for the
moment of the swap). A kill (SIGKILL, power loss) can leave either hidden folder behind.
``workspace`` holds a lock for DIR for the whole analysis (`filelock`: flock on Linux and macOS,
the system's lock on Windows; its file is in the system's temporary folder, named by DIR's
resolved path, so DIR itself gets no file but the analysis), so while it is held no other
analyze works in DIR and any such folder is stale: it puts back a previous analysis
that a kill left in ``.analysis-old-*`` (when ``analysis`` itself is missing), then removes the
stale folders. Only real folders with those two prefixes are removed, never a file or a symbolic link.
A DIR where none of this can be written ends in one line (UsageError), with nothing written.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from evo.errors import UsageError
from evo.files import make_temp_dir

TMP_PREFIX = ".analysis-tmp-"
OLD_PREFIX = ".analysis-old-"
LOCK_PREFIX = "mirrorleap-analyze-"


def lock(root: Path) -> FileLock:
    """The lock an analyze of `root` holds; acquiring it fails at once if another holds it."""
    key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:24]
    return FileLock(Path(tempfile.gettempdir()) / f"{LOCK_PREFIX}{key}.lock", timeout=0)


def _unwritable(root: Path, exc: OSError) -> UsageError:
    reason = exc.strerror or type(exc).__name__
    return UsageError(f"{root}: cannot write the analysis there ({reason}); valid: a run or sweep "
                      "folder this user may write (copy it somewhere writable first)")


@contextmanager
def workspace(root: Path) -> Iterator[Path]:
    """Yield a fresh hidden folder in `root` to build the analysis in, holding the lock.

    The folder is removed if the body raises; on success the body has moved it (``replace``).
    """
    held = lock(root)
    try:
        held.acquire()
    except Timeout:
        raise UsageError(f"{root}: another analyze is writing here; wait for it to finish") from None
    except OSError as exc:  # e.g. another account's lock file in a shared temporary folder
        raise UsageError(f"{root}: cannot take the analysis lock {held.lock_file} "
                         f"({exc.strerror or type(exc).__name__}); wait for the other analyze, "
                         "or remove that file if none runs") from None
    try:
        try:
            tmp = make_temp_dir(TMP_PREFIX, root)  # drwxr-xr-x under umask 022, as mkdir gives
        except OSError as exc:
            raise _unwritable(root, exc) from None
        try:
            clear_stale(root, keep=tmp)
            yield tmp
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    finally:
        held.release()


def _ours(root: Path, prefix: str) -> list[Path]:
    return sorted(p for p in root.glob(f"{prefix}*") if p.is_dir() and not p.is_symlink())


def clear_stale(root: Path, keep: Path) -> list[Path]:
    """Restore an analysis a kill left aside, remove stale hidden folders but `keep`; return them.

    Call only with the lock held (``workspace``).
    """
    out = root / "analysis"
    for old in _ours(root, OLD_PREFIX):
        kept = old / "analysis"
        if not out.exists() and kept.is_dir() and not kept.is_symlink():
            kept.rename(out)  # killed between the two renames of ``replace``
    keep = keep.resolve()  # mkdtemp gives an absolute path, `root` may be relative
    stale = [p for p in _ours(root, TMP_PREFIX) + _ours(root, OLD_PREFIX) if p.resolve() != keep]
    for folder in stale:
        shutil.rmtree(folder)
    return stale


def replace(new: Path, out: Path) -> None:
    """Put folder ``new`` in place of ``out`` (both in the same folder, so renames are atomic).

    The old ``out`` is moved into a hidden folder, ``new`` renamed in, then the old one deleted;
    if the second rename fails the old folder is moved back.
    """
    if not out.exists():
        new.rename(out)
        return
    trash = make_temp_dir(OLD_PREFIX, out.parent)
    out.rename(trash / out.name)
    try:
        new.rename(out)
    except BaseException:
        (trash / out.name).rename(out)
        trash.rmdir()
        raise
    shutil.rmtree(trash, ignore_errors=True)

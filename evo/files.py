"""Writing files whole, with the permissions the user's umask gives: shared by runs and analysis.

`atomic_write` writes through a temporary file in the target's folder, flushes it to disk and
renames it over the target, so a kill at any moment leaves either the old file or the new one
(and perhaps a hidden ``.{name}.XXXXXXXX.tmp``). `tempfile` makes that file ``-rw-------`` and a
rename keeps the mode, so without `follow_umask` every result would be unreadable to the
collaborators the umask lets in (``-rw-r--r--`` under the usual 022). `make_temp_dir` is
`tempfile.mkdtemp` (``drwx------``) with the same correction. Standard library only.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

#: The hidden temporary names `atomic_write` uses (``.{name}.XXXXXXXX.tmp``), and earlier ones.
TMP_PATTERNS = (".*.tmp", ".*.tmp-*")


def umask() -> int:
    """The process's umask (read from /proc where it is, else set and restored at once)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def follow_umask(path: str | Path, directory: bool = False) -> None:
    """Give `path` the mode a plain ``open`` (0666) or ``mkdir`` (0777) gets under the umask."""
    os.chmod(path, (0o777 if directory else 0o666) & ~umask())


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> None:
    """Write `path` whole or not at all through `write(tmp)`.

    `write` fills a temporary file in the same folder, which is flushed to disk, given the
    umask's mode and renamed over `path`.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        follow_umask(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_bytes(path: str | Path, data: bytes) -> None:
    """`atomic_write` of `data`."""
    atomic_write(path, lambda tmp: tmp.write_bytes(data))


def write_text(path: str | Path, text: str) -> None:
    """`atomic_write` of `text`, UTF-8."""
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def make_temp_dir(prefix: str, parent: str | Path) -> Path:
    """A new folder ``parent/prefix*`` (`tempfile.mkdtemp`) with the mode the umask gives."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    follow_umask(folder, directory=True)
    return folder

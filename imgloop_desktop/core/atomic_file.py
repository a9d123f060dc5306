"""Writing a file so that a crash or power cut leaves the old file or the new one, never a
torn one: images, the accounts index, the lifecycle and checklist caches all need it, from
several layers, so it lives at the bottom."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, data: bytes, *, private: bool = False) -> None:
    """Temp file in the same folder, fsync, rename, fsync the folder.

    A power cut leaves either no file or the whole file, never a torn one under the real name.
    The temp file is created owner-only; unless ``private``, it is opened up to the usual
    0644 before the rename, so images in a shared folder are readable like any other file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        if not private and os.name == "posix":
            os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":  # Windows cannot open a directory for fsync; rename is durable there
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

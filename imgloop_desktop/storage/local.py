"""The local image store: every image is on disk, durably, before anything else sees it."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from imgloop_desktop.core.protocols import StoredFile

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


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


class LocalImageStore:
    """Images under ``root/<run id>/<name>``; names come from the loop, never from a person."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, run_id: str, name: str, data: bytes) -> StoredFile:
        for part in (run_id, name):
            if not _SAFE_NAME.match(part):
                raise ValueError(f"unsafe path part {part!r}")
        path = self.root / run_id / name
        atomic_write(path, data)
        return StoredFile(path=path, sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data))

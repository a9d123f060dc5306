"""The local image store: every image is on disk, durably, before anything else sees it."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from imgloop_desktop.core.atomic_file import atomic_write
from imgloop_desktop.core.protocols import StoredFile

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


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

"""What an export is called, and how it fails: shared by the writer, the reader and the importer.

An export is a folder or a zip holding ``manifest.json`` and ``images/<run_id>/*.png``; these
names and the manifest's format tag are the contract between the machine that wrote it and
the one that reads it, so they live in one place.
"""

from __future__ import annotations

import re
from datetime import datetime

from imgloop_desktop.core.errors import ImgloopError
from imgloop_desktop.storage.history.schema import now_iso

FORMAT = "imgloop-history-export"
MANIFEST_VERSION = 1
MANIFEST_NAME = "manifest.json"

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")  # as the local image store


class ExportError(ImgloopError):
    """An export or import cannot go on; the message names the file, entry or field."""


def check_run_id(run_id: str, where: str) -> None:
    if not SAFE_NAME.match(run_id):
        raise ExportError(
            f"{where}: {run_id!r} is not allowed; a run id of letters, digits, '.', '_' and '-'"
        )


def printable(text: str) -> str:
    """``text`` with lone surrogates and NULs written as escapes, so a message quoting a
    hostile value can always be printed, logged and stored."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\0", "\\x00")


def iso_or_none(moment: datetime | None) -> str | None:
    return now_iso(moment) if moment is not None else None

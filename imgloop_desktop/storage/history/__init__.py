"""The session history: a SQLite file beside the image store that records every run as it
happens, survives a kill at any instant, and answers the history views quickly.

``recorder`` writes, ``queries`` reads, ``recovery`` repairs after a crash and ``schema``
owns the file format; ``tables`` is the one way rows are written (named columns) and read (by
column name), and ``errors`` words what SQLite and the OS say. The records all of them
speak in live in ``imgloop_desktop.core.records``. The GUI and the CLI go through
``imgloop_desktop.services.history``.
"""

from imgloop_desktop.storage.history.recorder import HistoryRecorder
from imgloop_desktop.storage.history.schema import (
    Decision,
    HistoryError,
    HistoryOutcome,
    UploadState,
    default_db_path,
    effective_approved,
)

__all__ = [
    "Decision",
    "HistoryError",
    "HistoryOutcome",
    "HistoryRecorder",
    "UploadState",
    "default_db_path",
    "effective_approved",
]

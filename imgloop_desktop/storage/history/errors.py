"""Plain words for what SQLite and the OS say about the history file.

Every front end shows ``HistoryError`` as ``error: <message>``; this module turns a
read-only folder, a full disk, a lock held too long or a damaged file into a message that
says what it is and what to do, never a traceback. Kept apart from ``schema`` (which
raises these) so the file format and the wording can each be read alone.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path

from imgloop_desktop.core.errors import ImgloopError

# How long a connection waits for another's lock; the "stayed locked" message names it.
BUSY_TIMEOUT_MS = 10_000


class HistoryError(ImgloopError):
    """The history store cannot do what was asked; the message says why in plain words."""


# -- plain words for what SQLite and the OS say -------------------------------------------------

SQLITE_MAGIC = b"SQLite format 3\x00"


def _move_aside(db_path: Path) -> str:
    return (
        f"Restore {db_path.name} from a backup, or move it aside (with any "
        f"{db_path.name}-wal and {db_path.name}-shm beside it) and imgloop will start a new, "
        "empty history; your image files are not touched"
    )


def damaged_error(db_path: Path, what: str, *, unchanged: bool = True) -> HistoryError:
    """The one message for a history file that cannot be trusted: it names the file, says
    what is wrong with it and what the person can do (and, when it was refused before any
    write, that nothing was changed)."""
    left = " imgloop left it unchanged." if unchanged else ""
    return HistoryError(f"the history file {db_path} {what};{left} {_move_aside(db_path)}")


def _read_only_error(db_path: Path, detail: str) -> HistoryError:
    return HistoryError(
        f"cannot write the history {db_path} ({detail}): its folder {db_path.parent} or the "
        "disk is read-only. Make it writable, or set IMGLOOP_DATA_DIR to a folder you can "
        "write to"
    )


def _full_error(db_path: Path, detail: str) -> HistoryError:
    return HistoryError(
        f"the disk holding the history {db_path} is full ({detail}); free some space and try again"
    )


def history_error(exc: sqlite3.Error | OSError, db_path: Path) -> HistoryError:
    """Translate what SQLite or the OS raised while using ``db_path`` into one plain message.

    Every front end shows ``HistoryError`` as ``error: <message>``, so a read-only folder, a
    full disk or a damaged file reads as what it is and what to do, never as a traceback.
    """
    if isinstance(exc, OSError):
        detail = exc.strerror or str(exc)
        where = f"{detail}: {exc.filename}" if exc.filename else detail
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            return _full_error(db_path, where)
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return _read_only_error(db_path, where)
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return HistoryError(
                f"the data folder {db_path.parent} does not exist and cannot be created "
                f"({where}); create it, or set IMGLOOP_DATA_DIR to a folder that exists"
            )
        return HistoryError(f"cannot use the history {db_path} ({where})")
    # The low byte of an extended result code is its primary code (sqlite.org/rescode.html).
    code = getattr(exc, "sqlite_errorcode", -1) & 0xFF
    detail = str(exc)
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return damaged_error(db_path, f"is damaged ({detail})", unchanged=False)
    if code == sqlite3.SQLITE_FULL:
        return _full_error(db_path, detail)
    if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM) or (
        code == sqlite3.SQLITE_CANTOPEN and not _writable(db_path)
    ):
        return _read_only_error(db_path, detail)
    if code == sqlite3.SQLITE_CANTOPEN:
        return HistoryError(
            f"cannot open the history {db_path} ({detail}); check that its folder exists, is "
            "writable and is on a mounted disk, or set IMGLOOP_DATA_DIR to another folder"
        )
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return HistoryError(
            f"the history {db_path} stayed locked by another program for "
            f"{BUSY_TIMEOUT_MS // 1000} s ({detail}); close other imgloop windows or "
            "commands using it and try again"
        )
    if code == sqlite3.SQLITE_IOERR and _nearly_full(db_path):
        return _full_error(db_path, detail)  # a full disk often surfaces as an I/O error
    if code == sqlite3.SQLITE_IOERR:
        return HistoryError(
            f"the disk failed while reading or writing the history {db_path} ({detail}); "
            "check the disk (is it full, unplugged or failing?) and try again"
        )
    return HistoryError(f"the history {db_path} could not be used ({detail})")


def _nearly_full(db_path: Path) -> bool:
    """Less room left than one WAL growth step: a write failing now is the disk being full."""
    try:
        return shutil.disk_usage(db_path.parent).free < 1 << 20
    except OSError:
        return False


def _writable(db_path: Path) -> bool:
    """Best effort: False when the folder (or an existing file) refuses writes to us."""
    folder_ok = os.access(db_path.parent, os.W_OK | os.X_OK)
    return folder_ok and (not db_path.exists() or os.access(db_path, os.W_OK))

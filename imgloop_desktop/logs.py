"""Log files and hard-crash traces, where a person (or a bug report) can find them.

A double-clicked app has no terminal: without a file, warnings and tracebacks vanish. So
the desktop app logs to a rotating file in the platform's user log folder (or
``<data dir>/logs`` when ``IMGLOOP_DATA_DIR`` / ``--data-dir`` points elsewhere, so a
portable install and the tests keep everything in one place). Records are redacted before
any handler sees them (``accounts.redaction``), so no access key reaches the file.

A crash in native code (Qt, a driver) kills the process before any Python handler runs;
``faulthandler`` still writes the Python stacks of every thread into a trace file, which
the next start finds non-empty and offers to show (``FaultTrace``).

Qt-free: the launcher sets this up before Qt is imported.
"""

from __future__ import annotations

import contextlib
import faulthandler
import logging
import logging.handlers
import os
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

import platformdirs

from imgloop_desktop import __version__, paths
from imgloop_desktop.accounts.redaction import install_redaction

LOG_FILE = "imgloop.log"
MAX_BYTES = 2_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)-8s [%(threadName)s] %(name)s: %(message)s"
LEVEL_ENV = "IMGLOOP_LOG_LEVEL"

FAULT_FILE = "crash-trace.txt"
FAULT_KEEP = 5
# A trace is a few KB per thread; anything beyond this is not worth putting in a dialog.
FAULT_SHOW_LIMIT = 200_000


def log_dir() -> Path:
    """Where log files and crash traces go (not created here)."""
    if os.environ.get("IMGLOOP_DATA_DIR"):
        return paths.data_dir() / "logs"
    return Path(platformdirs.user_log_dir(paths.APP_NAME, appauthor=False))


@dataclass
class _Setup:
    path: Path
    handlers: list[logging.Handler]
    previous_level: int
    undo_redaction: Callable[[], None]


_current: _Setup | None = None


def _level_from_env(default: int) -> int:
    name = os.environ.get(LEVEL_ENV, "").strip().upper()
    level = logging.getLevelName(name) if name else default
    return level if isinstance(level, int) else default


def setup_logging(
    level: int = logging.INFO,
    *,
    directory: Path | None = None,
    max_bytes: int = MAX_BYTES,
    backup_count: int = BACKUP_COUNT,
    console: bool = True,
) -> Path:
    """Send every log record (redacted) to a rotating file; returns the file's path.

    ``IMGLOOP_LOG_LEVEL=DEBUG`` overrides ``level`` so a person can produce a detailed log
    for a bug report without a special build. A second call returns the same path and
    changes nothing, so the launcher and the window may both ask for it. ``console`` adds a
    stderr handler for warnings when there is a stderr (not under ``pythonw`` or a windowed
    bundle, where ``sys.stderr`` is None).
    """
    global _current
    if _current is not None:
        return _current.path
    folder = directory or log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE
    root = logging.getLogger()
    handlers: list[logging.Handler] = []
    file_handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8", delay=False
    )
    file_handler.setFormatter(logging.Formatter(FORMAT))
    handlers.append(file_handler)
    if console and sys.stderr is not None:
        stream = logging.StreamHandler(sys.stderr)
        stream.setLevel(logging.WARNING)
        stream.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handlers.append(stream)
    for handler in handlers:
        root.addHandler(handler)
    previous_level = root.level
    root.setLevel(_level_from_env(level))
    # After the handlers, so the filter is on them too; the record factory covers the rest.
    undo = install_redaction()
    _current = _Setup(path, handlers, previous_level, undo)
    logging.getLogger(__name__).info(
        "imgloop desktop %s starting: Python %s on %s; log %s",
        __version__,
        platform.python_version(),
        platform.platform(),
        path,
    )
    return path


def current_log_file() -> Path | None:
    """The file ``setup_logging`` opened, for crash reports and the "open log" action."""
    return _current.path if _current is not None else None


def shutdown_logging() -> None:
    """Flush and remove what ``setup_logging`` added (at exit, and between tests)."""
    global _current
    setup, _current = _current, None
    if setup is None:
        return
    root = logging.getLogger()
    for handler in setup.handlers:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(setup.previous_level)
    setup.undo_redaction()


# -- hard crashes -------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviousCrash:
    """A trace left by a process that died in native code, moved aside for this start."""

    path: Path
    text: str
    when: datetime


class FaultTrace:
    """``faulthandler`` writing into ``<log dir>/crash-trace.txt`` for this process's life.

    The file is opened fresh (empty) at each start, so a clean exit leaves it empty and a
    native crash leaves the stacks in it. ``start`` first moves a non-empty file from the
    last run aside (keeping the newest few) and returns it, for the window to offer.

    Start it only once this process knows it is the only instance for its data folder: a
    second launch would otherwise move away the running instance's trace file.
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or log_dir()
        self.path = self.directory / FAULT_FILE
        self._file: IO[str] | None = None
        self._was_enabled = False

    def take_previous(self) -> PreviousCrash | None:
        """Move the last run's trace aside if it holds anything; None if it ended cleanly."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        if stat.st_size == 0:
            return None
        when = datetime.fromtimestamp(stat.st_mtime)
        target = self.directory / f"crash-trace-{when:%Y%m%d-%H%M%S}.txt"
        suffix = 1
        while target.exists():
            suffix += 1
            target = self.directory / f"crash-trace-{when:%Y%m%d-%H%M%S}-{suffix}.txt"
        self.path.replace(target)
        self._prune()
        with target.open("r", encoding="utf-8", errors="replace") as f:
            text = f.read(FAULT_SHOW_LIMIT)
        return PreviousCrash(target, text, when)

    def _prune(self) -> None:
        old = sorted(self.directory.glob("crash-trace-*.txt"), key=lambda p: p.stat().st_mtime)
        for path in old[:-FAULT_KEEP]:
            path.unlink(missing_ok=True)

    def start(self) -> PreviousCrash | None:
        """Take the previous trace (if any), then have faulthandler write into a fresh file."""
        self.directory.mkdir(parents=True, exist_ok=True)
        previous = self.take_previous()
        self._was_enabled = faulthandler.is_enabled()
        # The file object must stay open: faulthandler writes to its descriptor at crash time.
        self._file = self.path.open("w", encoding="utf-8")
        faulthandler.enable(self._file, all_threads=True)
        return previous

    def stop(self) -> None:
        """Stop writing into the file (clean exit); an empty file means "no crash"."""
        if self._file is None:
            return
        faulthandler.disable()
        self._file.close()
        self._file = None
        if self._was_enabled and sys.__stderr__ is not None:
            # stderr may have no usable descriptor (a windowed app).
            with contextlib.suppress(OSError, ValueError, AttributeError):
                faulthandler.enable(sys.__stderr__, all_threads=True)

"""Background work for the gallery, details pane and history browser, and the thumbnail
cache they paint from.

``Jobs`` is a private ``QThreadPool`` whose results come back on the GUI thread through one
queued signal, so no widget is ever touched from a worker and every owner can wait for its
own work (``close``) without waiting for anyone else's.

Workers must not log or ask for ``threading.current_thread()``: on Python 3.11 that
registers a never-ending "dummy" thread for the pool thread. Errors are therefore carried
back to the GUI thread as values and reported there.

``ThumbnailLoader`` follows orange3-imageanalytics' ``IconViewDelegate``: a paint asks for a
pixmap, which starts a load only for what is being painted (so only visible items load),
with a cap on loads in flight; workers make ``QImage``s and the ``QPixmap`` is made on the GUI
thread when the image arrives, into a small LRU cache keyed by content (SHA-256) or id.
"""

from __future__ import annotations

import contextlib
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QSize, Qt, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage, QPixmap

log = logging.getLogger(__name__)

T = TypeVar("T")

DISK_THUMBNAIL_SIZE = 256
"""The on-disk cache size every view shares (``storage.thumbnails`` default)."""


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a job returned, or the exception it raised (never both)."""

    value: T | None = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class _Task(QRunnable):
    def __init__(self, work: Callable[[], None]) -> None:
        super().__init__()
        self._work = work
        # Python keeps the wrapper alive (see Jobs._running); Qt must not delete it under us.
        self.setAutoDelete(False)

    def run(self) -> None:
        self._work()


class Jobs(QObject):
    """Runs callables on a private thread pool; ``then`` runs on the GUI thread with the
    ``Outcome``. After ``close`` nothing is started and late results are dropped."""

    _finished = Signal(object, object, object)  # task, then, Outcome

    def __init__(self, max_threads: int = 2, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._running: set[_Task] = set()
        self._closed = False
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        return bool(self._running)

    @property
    def closed(self) -> bool:
        return self._closed

    def submit(self, work: Callable[[], T], then: Callable[[Outcome[T]], None]) -> bool:
        """Queue ``work``; returns False (and does nothing) once closed."""
        if self._closed:
            return False
        finished = self._finished
        task: _Task

        def run() -> None:
            try:
                outcome: Outcome[Any] = Outcome(value=work())
            except BaseException as exc:  # carried to the GUI thread, reported there
                outcome = Outcome(error=exc)
            with contextlib.suppress(RuntimeError):  # the owner is gone (application quitting)
                finished.emit(task, then, outcome)

        task = _Task(run)
        self._running.add(task)
        self._pool.start(task)
        return True

    @Slot(object, object, object)
    def _deliver(
        self, task: _Task, then: Callable[[Outcome[Any]], None], outcome: Outcome[Any]
    ) -> None:
        self._running.discard(task)
        if self._closed:
            return
        then(outcome)

    def wait(self, msecs: int = -1) -> bool:
        """Block until the pool is idle (tests and shutdown; never from a slot in a run)."""
        return bool(self._pool.waitForDone(msecs))

    def close(self) -> None:
        """Drop queued work, wait for what is running; nothing reports back afterwards."""
        self._closed = True
        self._pool.clear()
        self._pool.waitForDone()
        self._running.clear()


def load_scaled(path: Path, size: int) -> QImage:
    """A ``QImage`` of ``path`` fitted into ``size`` x ``size`` (worker side: QImage is safe
    off the GUI thread, QPixmap is not). Raises OSError when the file does not decode."""
    image = QImage(str(path))
    if image.isNull():
        raise OSError(f"{path} cannot be read as an image")
    if image.width() > size or image.height() > size:
        image = image.scaled(
            QSize(size, size),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    return image


class ThumbnailLoader(QObject):
    """Pixmaps for painting, loaded on demand.

    ``pixmap(key, source)`` returns the cached pixmap or None; None also starts a load of
    ``source()`` (a thumbnail file path, computed on the worker) unless one is already in
    flight, the key failed before, or ``max_pending`` loads are in flight (the next paint
    after any load finishes asks again, so the visible items are served first).
    """

    loaded = Signal(str)
    """A key's pixmap (or its failure) is ready: repaint what shows it."""

    def __init__(
        self,
        size: int,
        *,
        max_pending: int = 8,
        cache_items: int = 400,
        threads: int = 2,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.size = size
        self.max_pending = max_pending
        self.cache_items = cache_items
        self._jobs = Jobs(threads, self)
        self._cache: OrderedDict[str, QPixmap] = OrderedDict()
        self._pending: set[str] = set()
        self._failed: dict[str, str] = {}
        self.loads_started = 0
        """How many loads were started (tests check that only visible items load)."""
        self.requested_keys: list[str] = []
        """Keys in the order their loads started (same purpose)."""

    @property
    def pending(self) -> int:
        return len(self._pending)

    def cached(self, key: str) -> QPixmap | None:
        pixmap = self._cache.get(key)
        if pixmap is not None:
            self._cache.move_to_end(key)
        return pixmap

    def failed(self, key: str) -> str | None:
        """Why the key's thumbnail could not be made, or None."""
        return self._failed.get(key)

    def pixmap(self, key: str, source: Callable[[], Path]) -> QPixmap | None:
        found = self.cached(key)
        if found is not None:
            return found
        self.request(key, source)
        return None

    def request(self, key: str, source: Callable[[], Path]) -> bool:
        """Start a load for ``key``; False when cached, in flight, failed, capped or closed."""
        if (
            key in self._cache
            or key in self._pending
            or key in self._failed
            or len(self._pending) >= self.max_pending
            or self._jobs.closed
        ):
            return False
        size = self.size

        def work() -> QImage:
            return load_scaled(source(), size)

        self._pending.add(key)
        self.loads_started += 1
        self.requested_keys.append(key)
        self._jobs.submit(work, lambda outcome: self._arrived(key, outcome))
        return True

    def _arrived(self, key: str, outcome: Outcome[QImage]) -> None:
        self._pending.discard(key)
        if outcome.value is not None:
            self._cache[key] = QPixmap.fromImage(outcome.value)
            while len(self._cache) > self.cache_items:
                self._cache.popitem(last=False)
        else:
            self._failed[key] = str(outcome.error)
            log.info("thumbnail %s: %s", key, outcome.error)
        self.loaded.emit(key)

    def forget(self, key: str) -> None:
        """Let ``key`` load again (its file changed or came back)."""
        self._cache.pop(key, None)
        self._failed.pop(key, None)

    def wait(self, msecs: int = -1) -> bool:
        return self._jobs.wait(msecs)

    def close(self) -> None:
        self._jobs.close()
        self._pending.clear()

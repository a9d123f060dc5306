"""The thumbnail cache the gallery and the history browser paint from.

Loads run on this loader's own ``gui.workers.Workers`` (Python threads, results delivered
on the GUI thread), so its owner can wait for its loads without waiting for anyone else's.

``ThumbnailLoader`` follows orange3-imageanalytics' ``IconViewDelegate``: a paint asks for a
pixmap, which starts a load only for what is being painted (so only visible items load),
with a cap on loads in flight; workers make ``QImage``s and the ``QPixmap`` is made on the GUI
thread when the image arrives, into a small LRU cache keyed by content (SHA-256) or id.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap

from imgloop_desktop.gui.workers import Workers

log = logging.getLogger(__name__)

DISK_THUMBNAIL_SIZE = 256
"""The on-disk cache size every view shares (``storage.thumbnails`` default)."""


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
        self._jobs = Workers("thumbnails", max_threads=threads, parent=self)
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
        self._jobs.start(
            work,
            returned=lambda image: self._arrived(key, image),
            errored=lambda error: self._load_failed(key, error),
        )
        return True

    def _arrived(self, key: str, image: QImage) -> None:
        self._pending.discard(key)
        self._cache[key] = QPixmap.fromImage(image)
        while len(self._cache) > self.cache_items:
            self._cache.popitem(last=False)
        self.loaded.emit(key)

    def _load_failed(self, key: str, error: BaseException) -> None:
        self._pending.discard(key)
        self._failed[key] = str(error)
        log.info("thumbnail %s: %s", key, error)
        self.loaded.emit(key)

    def forget(self, key: str) -> None:
        """Let ``key`` load again (its file changed or came back)."""
        self._cache.pop(key, None)
        self._failed.pop(key, None)

    def wait(self, msecs: int = -1) -> bool:
        return self._jobs.wait(msecs / 1000 if msecs >= 0 else 3600.0)

    def close(self) -> None:
        """Drop queued loads and late results, and join the threads."""
        self._jobs.close()
        self._jobs.wait()
        self._pending.clear()

"""The thumbnail loader on its own: loads start only when asked (a paint), at most
``max_pending`` at a time, arrive as pixmaps on the GUI thread, failures are remembered,
the cache is bounded, and ``close`` drops what is still coming."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from imgloop_desktop.gui.thumbnail_loader import ThumbnailLoader, load_scaled


def png(path: Path, width: int = 64, height: int = 32) -> Path:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("teal"))
    assert image.save(str(path))
    return path


@pytest.fixture
def loader(qtbot: QtBot) -> Iterator[ThumbnailLoader]:
    made = ThumbnailLoader(16, max_pending=2, cache_items=2)
    yield made
    made.close()


def test_load_scaled_fits_the_size_and_refuses_garbage(tmp_path: Path) -> None:
    image = load_scaled(png(tmp_path / "a.png", 64, 32), 16)
    assert (image.width(), image.height()) == (16, 8)
    small = load_scaled(png(tmp_path / "b.png", 8, 4), 16)
    assert (small.width(), small.height()) == (8, 4)  # never scaled up
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image")
    with pytest.raises(OSError, match="cannot be read"):
        load_scaled(junk, 16)


def test_a_paint_starts_one_load_and_the_pixmap_arrives(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path
) -> None:
    path = png(tmp_path / "a.png")
    sources: list[str] = []

    def source() -> Path:
        sources.append(threading.current_thread().name)
        return path

    with qtbot.waitSignal(loader.loaded, timeout=5000) as arrived:
        assert loader.pixmap("a", source) is None
        assert loader.pixmap("a", source) is None  # in flight: not started twice
    assert arrived.args == ["a"]
    pixmap = loader.pixmap("a", source)
    assert pixmap is not None and pixmap.width() == 16
    assert loader.loads_started == 1 and loader.requested_keys == ["a"]
    assert sources and sources[0] != threading.main_thread().name  # computed on a worker
    assert loader.pending == 0


def test_loads_in_flight_are_capped(qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path) -> None:
    release = threading.Event()
    path = png(tmp_path / "a.png")

    def slow() -> Path:
        release.wait(5)
        return path

    assert loader.request("a", slow)
    assert loader.request("b", slow)
    assert not loader.request("c", slow)  # max_pending=2
    assert loader.pending == 2
    release.set()
    qtbot.waitUntil(lambda: loader.pending == 0)
    assert loader.request("c", slow)
    qtbot.waitUntil(lambda: loader.cached("c") is not None)


def test_a_failure_is_remembered_until_forgotten(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.png"
    with qtbot.waitSignal(loader.loaded, timeout=5000):
        loader.request("gone", lambda: missing)
    assert loader.failed("gone") is not None
    assert not loader.request("gone", lambda: missing)  # not retried on every paint
    png(missing)
    loader.forget("gone")
    with qtbot.waitSignal(loader.loaded, timeout=5000):
        assert loader.request("gone", lambda: missing)
    assert loader.cached("gone") is not None and loader.failed("gone") is None


def test_the_cache_keeps_the_most_recently_used(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path
) -> None:
    path = png(tmp_path / "a.png")
    for key in ("a", "b"):
        with qtbot.waitSignal(loader.loaded, timeout=5000):
            loader.request(key, lambda: path)
    assert loader.cached("a") is not None  # "a" is now the most recent
    with qtbot.waitSignal(loader.loaded, timeout=5000):
        loader.request("c", lambda: path)
    assert loader.cached("b") is None
    assert loader.cached("a") is not None and loader.cached("c") is not None


def test_close_drops_loads_still_coming(qtbot: QtBot, tmp_path: Path) -> None:
    loader = ThumbnailLoader(16)
    started = threading.Event()
    release = threading.Event()
    path = png(tmp_path / "a.png")
    arrived: list[str] = []
    loader.loaded.connect(arrived.append)

    def slow() -> Path:
        started.set()
        release.wait(5)
        return path

    assert loader.request("a", slow)
    assert started.wait(5)
    release.set()
    loader.close()  # joins the worker; its answer is dropped
    assert not loader.request("b", lambda: path)
    with qtbot.waitSignal(loader.destroyed, timeout=2000):
        loader.deleteLater()
    assert arrived == []

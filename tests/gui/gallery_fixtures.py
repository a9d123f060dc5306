"""Fixtures and helpers for the gallery, details pane, history browser and drag tests:
recorded runs (through the real loop and recorder, no network), their events for replay,
and widgets whose workers are stopped before the history store closes."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, QRect, Signal
from pytestqt.qtbot import QtBot

from imgloop_desktop import paths
from imgloop_desktop.core import events as ev
from imgloop_desktop.core.loop import ImageLoop, RunResult
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.gui.details_pane import DetailsPane
from imgloop_desktop.gui.gallery import GalleryPanel
from imgloop_desktop.gui.gallery_model import GalleryItem, ItemKind
from imgloop_desktop.gui.history_browser import HistoryBrowser
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.storage.history import HistoryRecorder
from imgloop_desktop.storage.local import LocalImageStore
from tests.storage.history import fakes


@pytest.fixture
def history() -> Iterator[HistoryService]:
    service = HistoryService.open()
    yield service
    service.close()


def _stop(widget: Any) -> None:
    widget.close_workers()


@pytest.fixture
def gallery(qtbot: QtBot, history: HistoryService) -> Iterator[GalleryPanel]:
    panel = GalleryPanel(history)
    qtbot.addWidget(panel)
    panel.resize(900, 600)
    panel.show()
    yield panel
    _stop(panel)


@pytest.fixture
def opened_urls() -> list[str]:
    return []


@pytest.fixture
def details(qtbot: QtBot, history: HistoryService, opened_urls: list[str]) -> Iterator[DetailsPane]:
    pane = DetailsPane(history, open_url=lambda url: opened_urls.append(url.toString()))
    qtbot.addWidget(pane)
    pane.resize(500, 800)
    pane.show()
    yield pane
    _stop(pane)


@pytest.fixture
def browser(qtbot: QtBot, history: HistoryService) -> Iterator[HistoryBrowser]:
    widget = HistoryBrowser(history)
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    yield widget
    _stop(widget)


def record(
    history: HistoryService,
    run_params: RunParams | None = None,
    *,
    verdicts: list[str] | None = None,
    revisions: list[str] | None = None,
    generator: fakes.FakeGenerator | None = None,
    uploader: fakes.InlineUploader | None = None,
    start: datetime | None = None,
    chat: fakes.FakeChat | None = None,
) -> tuple[RunResult, list[ev.Event]]:
    """One whole run through the real loop and recorder (the recorder first, as the app
    wires it), and the events a window would have received, in order."""
    run_params = run_params or fakes.params()
    events: list[ev.Event] = []
    clock = fakes.Clock(start)
    store = LocalImageStore(paths.images_dir(run_params.output_dir))
    with HistoryRecorder(history.db_path, run_params, now=clock) as recorder:
        loop = ImageLoop(
            run_params,
            fakes.SPEC,
            generator=generator or fakes.FakeGenerator(),
            chat=chat or fakes.FakeChat(verdicts, revisions),
            store=store,
            uploader=uploader,
            recorder=recorder,
            emit=events.append,
            now=clock,
        )
        return loop.run(), events


def record_many(
    history: HistoryService, prompts: list[str], *, start: datetime | None = None
) -> list[str]:
    """Quick one-attempt sessions, one per prompt, a day apart from ``start`` (oldest
    first); every third one not approved. Run ids, oldest first."""
    start = start or datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    ids = []
    for n, prompt in enumerate(prompts):
        result, _ = record(
            history,
            fakes.params(prompt, max_retry_attempts=1, max_prompt_revisions=0),
            verdicts=["NO" if n % 3 == 2 else "YES"],
            start=start + timedelta(days=n),
        )
        ids.append(result.run_id)
    return ids


class EventRelay(QObject):
    """Carries events from the run's thread to the GUI thread, as the main window does."""

    emitted = Signal(object)


def run_on_thread(target: Any) -> threading.Thread:
    thread = threading.Thread(target=target, name="test-run", daemon=True)
    thread.start()
    return thread


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def image_items(panel: GalleryPanel) -> list[GalleryItem]:
    return [i for i in panel.model.items() if i.kind is ItemKind.IMAGE]


def shape(panel: GalleryPanel) -> list[tuple[Any, ...]]:
    """What a person sees in each cell, to compare a live gallery with a reopened one."""
    return [
        (
            i.kind.name,
            i.revision,
            i.attempt,
            i.index,
            i.image_id,
            i.badge.value if i.kind is not ItemKind.HEADER else "",
            i.upload_failed,
            i.prompt,
            i.sha256,
        )
        for i in panel.model.items()
    ]


def visible_rows(panel: GalleryPanel) -> list[int]:
    viewport: QRect = panel.view.viewport().rect()
    return [
        row
        for row in range(panel.model.rowCount())
        if panel.view.visualRect(panel.model.index(row)).intersects(viewport)
    ]


def thumbnail_key(item: GalleryItem) -> str:
    return item.sha256

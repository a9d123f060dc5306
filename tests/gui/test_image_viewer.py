"""The large viewer and the compare view over a recorded session, offscreen: open from the
gallery, zoom and pan, move through the run, decide and mark from there, compare in step."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, Qt
from pytestqt.qtbot import QtBot

from imgloop_desktop.core.records import Decision, ImageRecord
from imgloop_desktop.gui.gallery import GalleryPanel, ViewerStack
from imgloop_desktop.gui.image_viewer import ZoomCanvas
from imgloop_desktop.services.history import HistoryService
from tests.gui.gallery_fixtures import gallery, history, record
from tests.storage.history import fakes

__all__ = ["gallery", "history"]  # fixtures


@pytest.fixture
def stack(qtbot: QtBot, gallery: GalleryPanel, history: HistoryService) -> Iterator[ViewerStack]:
    result, _ = record(
        history,
        fakes.params("a fox", max_retry_attempts=3, max_prompt_revisions=0),
        verdicts=["NO", "NO", "YES"],
    )
    widget = ViewerStack(gallery, gallery)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    with qtbot.waitSignal(gallery.sessionLoaded):
        gallery.show_session(result.run_id)
    yield widget
    widget.close_workers()


def test_double_click_opens_the_viewer_and_esc_goes_back(
    qtbot: QtBot, stack: ViewerStack, gallery: GalleryPanel
) -> None:
    ids = gallery.model.image_ids()
    assert len(ids) == 3
    index = gallery.model.index(gallery.model.row_of_id(ids[1]))
    with qtbot.waitSignal(stack.viewer.loaded):
        gallery.view.doubleClicked.emit(index)
    assert stack.currentWidget() is stack.viewer
    assert stack.viewer.current_id == ids[1]
    assert stack.viewer.canvas.has_image() and stack.viewer.canvas.is_fit()
    assert stack.viewer.position_label.text() == "2 / 3"
    with qtbot.waitSignal(stack.viewer.loaded):
        qtbot.keyClick(stack.viewer.canvas, Qt.Key.Key_Right)
    assert stack.viewer.current_id == ids[2]
    qtbot.keyClick(stack.viewer.canvas, Qt.Key.Key_Escape)
    assert stack.currentWidget() is gallery
    assert gallery.selected_image_ids() == [ids[2]]  # the last one viewed


def test_space_opens_the_current_image(
    qtbot: QtBot, stack: ViewerStack, gallery: GalleryPanel
) -> None:
    first = gallery.model.image_ids()[0]
    gallery.select_image(first)
    with qtbot.waitSignal(stack.viewer.loaded):
        qtbot.keyClick(gallery.view, Qt.Key.Key_Space)
    assert stack.viewer.current_id == first


def test_zoom_keys_and_drag_pan(qtbot: QtBot) -> None:
    from PySide6.QtGui import QImage

    canvas = ZoomCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(200, 200)
    canvas.show()
    image = QImage(800, 400, QImage.Format.Format_RGB32)
    image.fill(0)
    canvas.set_image(image)
    assert canvas.is_fit() and canvas.zoom() == pytest.approx(0.25)
    qtbot.keyClick(canvas, Qt.Key.Key_1)
    assert not canvas.is_fit() and canvas.zoom() == 1.0
    qtbot.keyClick(canvas, Qt.Key.Key_Plus)
    assert canvas.zoom() == pytest.approx(1.25)
    qtbot.keyClick(canvas, Qt.Key.Key_Minus)
    assert canvas.zoom() == pytest.approx(1.0)
    before = canvas.view_state()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=canvas.rect().center())
    qtbot.mouseMove(canvas, canvas.rect().center() - QPoint(50, 0))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton)
    assert canvas.view_state().centre_x > before.centre_x  # dragged left: looks further right
    qtbot.keyClick(canvas, Qt.Key.Key_0)
    assert canvas.is_fit()


def test_decide_favourite_and_rate_from_the_viewer(
    qtbot: QtBot, stack: ViewerStack, gallery: GalleryPanel, history: HistoryService
) -> None:
    image_id = gallery.model.image_ids()[0]
    with qtbot.waitSignal(stack.viewer.loaded):
        stack.open_viewer(image_id)
    with qtbot.waitSignal(gallery.imageRefreshed):
        qtbot.keyClick(stack.viewer.canvas, Qt.Key.Key_A)
    assert history.image(image_id).human_decision is Decision.APPROVED
    with qtbot.waitSignal(gallery.imageRefreshed):
        qtbot.keyClick(stack.viewer.canvas, Qt.Key.Key_F)
    with qtbot.waitSignal(gallery.imageRefreshed):
        stack.viewer.star_buttons[3].click()
    stored = history.image(image_id)
    assert stored.favourite and stored.rating == 4
    item = gallery.model.item(gallery.model.row_of_id(image_id))
    assert item.favourite and item.rating == 4
    assert stack.viewer.favourite_button.isChecked()
    with qtbot.waitSignal(gallery.imageRefreshed):
        stack.viewer.star_buttons[3].click()  # the same star again clears the rating
    assert history.image(image_id).rating is None


def test_a_row_read_asked_before_a_mark_never_shows_the_row_as_it_was(
    qtbot: QtBot,
    stack: ViewerStack,
    gallery: GalleryPanel,
    history: HistoryService,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A refresh's read still under way when a star is clicked holds the row from before the
    click: it must not be shown after the click's own answer (a second click on the same star
    would then set the rating again instead of clearing it). CI met this once."""
    image_id = gallery.model.image_ids()[0]
    with qtbot.waitSignal(stack.viewer.loaded):
        stack.open_viewer(image_id)
    real = history.image
    first_read, later_reads, reading = threading.Event(), threading.Event(), threading.Event()
    calls: list[int] = []

    def held(wanted: int) -> ImageRecord:
        row = real(wanted)  # the row as it is now: no rating yet
        calls.append(wanted)
        if len(calls) == 1:
            reading.set()
            assert first_read.wait(10)
        else:
            assert later_reads.wait(10)
        return row

    monkeypatch.setattr(history, "image", held)
    stack.viewer.reload(image_id)  # a refresh's read, held with the row as it was
    assert reading.wait(10)
    with qtbot.waitSignal(stack.viewer.marksChanged):
        stack.viewer.star_buttons[3].click()
    first_read.set()
    assert stack.viewer.wait_idle()  # the old read has ended; its answer is delivered next
    QCoreApplication.processEvents()
    record = stack.viewer.record
    assert record is not None and record.rating == 4
    with qtbot.waitSignal(gallery.imageRefreshed):
        later_reads.set()
    assert history.image(image_id).rating == 4


def test_compare_keeps_zoom_and_pan_in_step_and_approves_one(
    qtbot: QtBot, stack: ViewerStack, gallery: GalleryPanel, history: HistoryService
) -> None:
    ids = gallery.model.image_ids()[:2]
    for image_id in ids:
        gallery.view.selectionModel().select(
            gallery.model.index(gallery.model.row_of_id(image_id)),
            gallery.view.selectionModel().SelectionFlag.Select,
        )
    assert gallery.compare_button.isEnabled()
    with qtbot.waitSignal(stack.compare.loaded):
        gallery.compare_button.click()
    assert stack.currentWidget() is stack.compare
    assert stack.compare.image_ids() == ids
    first, second = (p.canvas for p in stack.compare.panes)
    first.setFocus()
    first.set_zoom(2.0)
    first.pan(-30, -10)
    assert second.view_state() == first.view_state()
    assert "Prompt v1" in stack.compare.panes[1].title_label.text()
    with qtbot.waitSignal(gallery.imageRefreshed):
        stack.compare.panes[1].approve_button.click()
    assert history.image(ids[1]).human_decision is Decision.APPROVED
    qtbot.keyClick(first, Qt.Key.Key_Escape)
    assert stack.currentWidget() is gallery


def test_thumbnail_size_follows_the_slider_and_is_remembered(
    qtbot: QtBot, history: HistoryService, tmp_path: object
) -> None:
    from pathlib import Path

    from PySide6.QtCore import QSettings

    from imgloop_desktop.gui.settings_store import SettingsStore

    settings = SettingsStore(
        QSettings(str(Path(str(tmp_path)) / "s.ini"), QSettings.Format.IniFormat)
    )
    panel = GalleryPanel(history, settings=settings)
    qtbot.addWidget(panel)
    panel.size_slider.setValue(200)
    assert panel.thumbnail_size == 200 and settings.thumbnail_size() == 200
    panel.view.sizeStepRequested.emit(-1)
    assert panel.thumbnail_size == 184
    panel.set_thumbnail_size(10_000)
    assert panel.thumbnail_size == 256
    panel.close_workers()
    again = GalleryPanel(history, settings=settings)
    qtbot.addWidget(again)
    assert again.thumbnail_size == 256 and again.size_slider.value() == 256
    again.close_workers()


def test_the_history_browser_filters_by_marks(qtbot: QtBot, history: HistoryService) -> None:
    from imgloop_desktop.gui.history_browser import HistoryBrowser
    from tests.gui.gallery_fixtures import record_many

    runs = record_many(history, ["a fox", "a cat"])
    history.set_favourite(next(history.session(runs[0]).images()).image_id, True)
    history.set_rating(next(history.session(runs[1]).images()).image_id, 3)
    browser = HistoryBrowser(history)
    qtbot.addWidget(browser)
    browser.favourite_check.setChecked(True)
    assert browser.current_filter().favourites
    browser.favourite_check.setChecked(False)
    browser.rating_combo.setCurrentIndex(browser.rating_combo.findData(4))
    assert browser.current_filter().min_rating == 4
    assert history.list_sessions(browser.current_filter()).sessions == []
    browser.rating_combo.setCurrentIndex(browser.rating_combo.findData(3))
    assert [s.run_id for s in history.list_sessions(browser.current_filter()).sessions] == [runs[1]]
    browser.close_workers()

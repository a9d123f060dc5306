"""Drops onto the window (issue 16): an event JSON or a PNG dropped anywhere, the prompt box
and the other text fields included, loads its parameters over the form's current values and
names the fields it left; plain text still goes into a field as text; queue files go to the
run queue; during a run nothing is replaced."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from imgloop_desktop.core.params import RunParams
from imgloop_desktop.gui.drag_export import EMBEDDED, FROM_RUN, IN_HISTORY
from imgloop_desktop.gui.main_window.event_files import (
    LOADED,
    LOADED_SOME,
    NOT_ALLOWED,
    NOT_DURING_RUN,
    EventFiles,
)
from imgloop_desktop.gui.param_form import ParamForm
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.storage.export import insert_after_ihdr, itxt_chunk
from tests.fakes import png as png_bytes
from tests.gui.gallery_fixtures import history, record
from tests.storage.history import fakes

__all__ = ["history"]  # fixture


class Window(QMainWindow):
    """The parts of the main window drops touch: the form, another text field, and the
    window's own drop handlers (as ``MainWindow`` has them)."""

    def __init__(self, history: HistoryService | None) -> None:
        super().__init__()
        self.running = False
        body = QWidget()
        column = QVBoxLayout(body)
        self.form = ParamForm()
        self.search = QLineEdit()  # a text field outside the form (the history's search)
        column.addWidget(self.form)
        column.addWidget(self.search)
        self.setCentralWidget(body)
        self.files = EventFiles(self, self.form, lambda: self.running, history)
        self.said: list[str] = []
        self.files.message.connect(self.said.append)
        self.queued: list[list[Path]] = []
        self.files.queueFilesDropped.connect(self.queued.append)
        self.setAcceptDrops(True)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.files.accepts(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        if self.files.accepts(event.mimeData()):
            event.acceptProposedAction()
            self.files.drop(event.mimeData())


@pytest.fixture
def window(qtbot: QtBot, history: HistoryService) -> Iterator[Window]:
    shown = Window(history)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    yield shown


def file_drop(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drop_on(target: QWidget, mime: QMimeData) -> bool:
    """Enter then drop, as Qt delivers a real drop (events go through the app, so event
    filters and parent propagation apply). Returns whether the enter was accepted."""
    point = QPoint(5, 5)
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point, actions, mime, buttons, keys)
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    QApplication.sendEvent(target, QDropEvent(QPointF(point), actions, mime, buttons, keys))
    return True


def exported_png(tmp_path: Path, **provenance: object) -> Path:
    """A PNG carrying only our ``imgloop`` chunk (one from another computer's export)."""
    chunk = itxt_chunk("imgloop", json.dumps(provenance, ensure_ascii=False))
    path = tmp_path / "exported.png"
    path.write_bytes(insert_after_ihdr(png_bytes(8, 8), chunk)[0])
    return path


def test_a_png_dropped_on_the_prompt_box_loads_and_keeps_what_it_does_not_say(
    window: Window, tmp_path: Path
) -> None:
    form = window.form
    form.set_params(RunParams(prompt="before", max_retry_attempts=7, max_prompt_revisions=2))
    png = exported_png(
        tmp_path,
        original_prompt="夕焼けの海辺を歩く猫",
        seed=77,
        cfgScale=6.5,
        width=1024,
        height=1024,
    )
    assert drop_on(form.prompt_edit.viewport(), file_drop(png))
    loaded = form.params()
    assert loaded.prompt == "夕焼けの海辺を歩く猫"  # not "file:///…exported.png" pasted in
    assert (loaded.titan_img_seed, loaded.titan_img_cfg_scale) == (77, 6.5)
    assert (loaded.max_retry_attempts, loaded.max_prompt_revisions) == (7, 2)  # kept
    said = window.said[-1]
    assert said.startswith("Loaded 4 settings from exported.png (its embedded parameters)")
    assert "kept your current attempts per prompt, prompt revisions," in said
    assert said == LOADED_SOME.format(
        count=4,
        source="exported.png",
        how=f" ({EMBEDDED})",
        left=said.split("kept your current ", 1)[1].split(" (the file", 1)[0],
    )


def test_plain_text_dropped_on_the_prompt_still_goes_in_as_text(window: Window) -> None:
    mime = QMimeData()
    mime.setText("a lighthouse")
    viewport = window.form.prompt_edit.viewport()
    enter = QDragEnterEvent(
        QPoint(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()  # the text box's own handling, untouched
    assert window.said == []


def test_a_data_folder_original_dropped_on_another_field_loads_its_whole_run(
    window: Window, history: HistoryService
) -> None:
    result, _ = record(
        history,
        fakes.params("a heron at dawn", max_retry_attempts=3, max_prompt_revisions=1),
        verdicts=["NO", "YES"],
    )
    original = next(iter(history.session(result.run_id).images()))
    window.form.set_params(RunParams(prompt="before", max_retry_attempts=9))
    assert drop_on(window.search, file_drop(original.path))
    loaded = window.form.params()
    assert loaded.prompt == "a heron at dawn"
    assert (loaded.max_retry_attempts, loaded.max_prompt_revisions) == (3, 1)
    assert loaded.titan_img_seed == original.seed
    assert window.search.text() == ""
    # (The fake model's 64 x 64 images are smaller than any real model makes: flagged.)
    said = LOADED.format(source=original.path.name, how=f" ({IN_HISTORY})")
    assert window.said[-1] == said + NOT_ALLOWED


def test_an_exported_png_brings_its_run_from_the_history(
    window: Window, history: HistoryService, tmp_path: Path
) -> None:
    result, _ = record(history, fakes.params("a kite", max_retry_attempts=2), verdicts=["YES"])
    image = next(iter(history.session(result.run_id).images()))
    png = exported_png(tmp_path, original_prompt="a kite", sha256_original=image.sha256)
    assert drop_on(window, file_drop(png))  # on the window itself, outside any field
    assert window.form.params().max_retry_attempts == 2
    how = FROM_RUN.format(how=EMBEDDED, run_id=result.run_id)
    assert window.said[-1] == LOADED.format(source="exported.png", how=f" ({how})") + NOT_ALLOWED


def test_queue_files_go_to_the_queue_not_into_the_form(window: Window, tmp_path: Path) -> None:
    before = window.form.params()
    jsonl, csv = tmp_path / "prompts.jsonl", tmp_path / "prompts.CSV"
    jsonl.write_text('{"prompt": "a"}\n', encoding="utf-8")
    csv.write_text("prompt\nb\n", encoding="utf-8")
    assert drop_on(window.form.prompt_edit.viewport(), file_drop(jsonl, csv))
    assert window.queued == [[jsonl, csv]]
    assert window.form.params() == before
    assert window.form.prompt_edit.toPlainText() == before.prompt


def test_nothing_is_replaced_during_a_run(window: Window, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    RunParams(prompt="from the file").save(event)
    window.form.set_params(RunParams(prompt="running"))
    window.running = True
    assert drop_on(window.form.prompt_edit.viewport(), file_drop(event))
    assert window.form.params().prompt == "running"
    assert window.said[-1] == NOT_DURING_RUN


def test_an_event_file_sets_what_it_says_and_a_seed_event_judges_by_verdict(
    window: Window, tmp_path: Path
) -> None:
    event = tmp_path / "seed.json"
    event.write_text(json.dumps({"prompt": "a lantern", "max_retry_attempts": 2}), "utf-8")
    window.form.set_params(
        RunParams(prompt="x", judge_mode="checklist", max_prompt_revisions=5, titan_img_seed=11)
    )
    assert window.files.import_event(event)
    loaded = window.form.params()
    assert (loaded.prompt, loaded.max_retry_attempts, loaded.judge_mode) == (
        "a lantern",
        2,
        "verdict",
    )
    assert (loaded.max_prompt_revisions, loaded.titan_img_seed) == (5, 11)
    assert "Loaded 3 settings from seed.json; kept your current" in window.said[-1]

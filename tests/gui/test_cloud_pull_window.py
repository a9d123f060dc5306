"""Issue 14's last promise: runs made on AWS (``cloud submit``, the Distributed Map, ``cloud
pull``) open in the window like local ones, offline.

The cloud part is ``tests/services/test_cloud.py``'s, reused as it is: moto's S3 and Step
Functions, the Map played by the real Lambda handler against the Bedrock simulator. Then a
real ``MainWindow`` on the same history lists the pulled runs in its History dock; each is
opened from there as a person would (select the row, Open), and the gallery shows every
image with its verdict, and the details pane the approved one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from imgloop_desktop.core.records import ImageRecord, SessionTree
from imgloop_desktop.gui import details_pane as texts
from imgloop_desktop.gui.badges import Badge, badge_for, badge_text
from imgloop_desktop.gui.gallery_model import ItemKind
from imgloop_desktop.gui.history_browser import Column
from imgloop_desktop.gui.main_window import MainWindow
from imgloop_desktop.gui.main_window.window import VIEWING_SESSION
from imgloop_desktop.services import cloud
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.gui.window_runs import RUN_TIMEOUT_MS, MakeWindow
from tests.services.test_cloud import (
    BUCKET,
    CREDENTIALS,
    LINES,
    PREFIX,
    aws,  # noqa: F401 - a fixture, used by name
    events_file,
    play_the_map,
    sfn_url,  # noqa: F401 - a fixture the one above needs
)


def pull_a_batch(monkeypatch: pytest.MonkeyPatch, folder: Path, machine: str) -> set[str]:
    """Submit the sample batch, play the Map (its third item fails), pull the results into
    the local history; the pulled runs' ids."""
    ref = cloud.submit(
        events_file(folder),
        state_machine_arn=machine,
        bucket=BUCKET,
        prefix=PREFIX,
        credentials=CREDENTIALS,
        batch_id="b-window",
    )
    play_the_map(ref.execution_arn, monkeypatch, folder, raised={2})
    assert cloud.status(ref.execution_arn, credentials=CREDENTIALS).finished
    with HistoryService.open() as history:
        report = cloud.pull(
            ref.execution_arn, folder / "pulled", credentials=CREDENTIALS, history=history
        )
    pulled = set(report.imported.sessions_added)
    assert len(pulled) == 2
    return pulled


def open_from_history_dock(qtbot: QtBot, window: MainWindow, run_id: str) -> None:
    """Select the run's row in the History dock and press Open, as a person would."""
    browser = window.history_browser
    model = browser.model
    row = next(r for r in range(model.rowCount()) if model.summary(r).run_id == run_id)
    browser.table.setCurrentIndex(model.index(row, Column.PROMPT))
    with qtbot.waitSignal(window.gallery.sessionLoaded, timeout=RUN_TIMEOUT_MS) as loaded:
        browser.open_selected()
    assert loaded.args == [run_id]


def shown_status(image: ImageRecord) -> str:
    """The details pane's status line for a judged image nobody decided."""
    verdict = image.verdict
    assert verdict is not None
    badge = badge_for(verdict=verdict.result, human=None, attempt_failed=False, judging=False)
    approved = texts.APPROVED if image.effective_approved else texts.NOT_APPROVED
    return texts.STATUS.format(badge=badge_text(badge, verdict.badge), approved=approved)


def check_gallery(window: MainWindow, tree: SessionTree) -> None:
    """Every stored image is a cell with its own verdict and badge, nothing else."""
    cells = [i for i in window.gallery.model.items() if i.kind is ItemKind.IMAGE]
    stored = list(tree.images())
    assert [c.image_id for c in cells] == [i.image_id for i in stored]
    assert all(c.path is not None and c.path.is_file() for c in cells)
    for cell, image in zip(cells, stored, strict=True):
        assert image.verdict is not None, image.image_id  # the cloud judged every image
        assert cell.verdict == image.verdict.result
        assert cell.reason == image.verdict.reason
        assert cell.effective_approved is image.effective_approved
    approved = [c.image_id for c in cells if c.badge is Badge.APPROVED]
    assert approved == [tree.judge_approved_image_id]


def check_details(qtbot: QtBot, window: MainWindow, tree: SessionTree) -> None:
    """Selecting the approved cell shows that image, its verdict and its S3 copy."""
    approved_id = tree.judge_approved_image_id
    assert approved_id is not None
    image = next(i for i in tree.images() if i.image_id == approved_id)
    details = window.details
    with qtbot.waitSignal(details.loaded, timeout=RUN_TIMEOUT_MS) as loaded:
        assert window.gallery.select_image(approved_id)
    assert loaded.args == [approved_id]
    assert details.image_id == approved_id
    assert details.picture.has_picture()
    fields = details.fields
    assert fields["status"].text() == shown_status(image)
    assert image.verdict is not None
    assert fields["verdict"].text() == texts.VERDICT.format(
        result=texts.result_word(image.verdict.result), model=image.verdict.model_id, retried=""
    )
    assert fields["prompt"].text() == image.prompt
    assert fields["file"].text() == str(image.path)
    # The Lambda kept the image in the batch's S3 folder; the pulled copy says where.
    assert fields["upload"].text() == texts.UPLOAD_DONE.format(bucket=BUCKET)
    assert fields["s3_key"].text() == image.s3_key and image.s3_key.startswith(PREFIX)
    # A checklist verdict shows each requirement with its answer; a whole-prompt one none.
    rows = texts.check_rows(image.verdict, {})
    assert bool(rows) is (tree.judge_mode == "checklist")
    table = details.checks
    assert table.rowCount() == len(rows)
    cells = [[table.item(r, c) for c in range(4)] for r in range(table.rowCount())]
    shown = [tuple(cell.text() if cell is not None else "" for cell in row) for row in cells]
    assert shown == [row[:4] for row in rows]


def test_pulled_cloud_runs_open_in_the_window_with_their_verdicts(
    aws: str,  # noqa: F811 - the fixture imported above
    bedrock_sim: BedrockSimulator,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    make_window: MakeWindow,
    qtbot: QtBot,
) -> None:
    pulled = pull_a_batch(monkeypatch, tmp_path, aws)
    window = make_window()
    window.history_action.trigger()
    browser = window.history_browser
    qtbot.waitUntil(lambda: browser.model.rowCount() == len(pulled), timeout=RUN_TIMEOUT_MS)
    listed = {browser.model.summary(r).run_id for r in range(browser.model.rowCount())}
    assert listed == pulled

    with HistoryService.open() as history:
        trees = {run_id: history.session(run_id) for run_id in pulled}
    assert {t.prompt for t in trees.values()} == {LINES[0]["prompt"], LINES[1]["prompt"]}
    assert {t.judge_mode for t in trees.values()} == {"verdict", "checklist"}
    for run_id, tree in trees.items():
        open_from_history_dock(qtbot, window, run_id)
        assert window.gallery.run_id == run_id
        assert window.progress.step_label.text() == VIEWING_SESSION.format(run_id=run_id)
        check_gallery(window, tree)
        check_details(qtbot, window, tree)

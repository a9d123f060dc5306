"""Preferences → Queue: the saved limits shown, edits saved, a bad file said and replaced."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from imgloop_desktop.gui.queue_page import QueuePage
from imgloop_desktop.services.queue_limits import QueueLimits, limits_file, load_limits


def test_limits_are_shown_edited_and_saved(qtbot: QtBot) -> None:
    page = QueuePage()
    qtbot.addWidget(page)
    assert page.limits() == QueueLimits() and not page.save_button.isEnabled()
    page.spins["items_at_once"].setValue(6)
    page.spins["image_calls_per_minute"].setValue(120)
    assert page.save_button.isEnabled()
    with qtbot.waitSignal(page.saved) as saved:
        page.save_button.click()
    assert saved.args == [QueueLimits(items_at_once=6, image_calls_per_minute=120)]
    assert load_limits() == saved.args[0]
    assert not page.save_button.isEnabled()


def test_the_spin_boxes_cannot_go_past_what_the_file_allows(qtbot: QtBot) -> None:
    page = QueuePage()
    qtbot.addWidget(page)
    page.spins["image_calls_at_once"].setValue(500)
    assert page.spins["image_calls_at_once"].value() == 16


def test_a_bad_file_is_said_and_the_defaults_shown(qtbot: QtBot) -> None:
    limits_file().parent.mkdir(parents=True, exist_ok=True)
    limits_file().write_text('{"items_at_once": 0}')
    page = QueuePage()
    qtbot.addWidget(page)
    assert "items_at_once" in page.status.text() and "1-16" in page.status.text()
    assert page.limits() == QueueLimits()

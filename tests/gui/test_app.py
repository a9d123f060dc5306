"""The app's start and quit (issue 15): an idle window closes at once and leaves no thread,
and the benchmark's probe reports a start and a quit."""

from __future__ import annotations

import threading

import pytest
from pytestqt.qtbot import QtBot

from imgloop_desktop.gui import app as gui_app
from imgloop_desktop.gui.main_window import MainWindow

READY_TIMEOUT_MS = 30_000


def _ours() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t is not threading.main_thread()}


def test_an_idle_window_closes_with_no_thread_left(qtbot: QtBot) -> None:
    """Idle means the start's background work is done (history open, AWS models warmed);
    Quit must then join nothing slow and leave nothing running: the check is made right
    after ``close()`` returns, with no grace period."""
    before = _ours()
    window = MainWindow(profiles=[])
    qtbot.addWidget(window)
    with (
        qtbot.waitSignal(window.historyReady, timeout=READY_TIMEOUT_MS),
        qtbot.waitSignal(window.warmedUp, timeout=READY_TIMEOUT_MS),
    ):
        window.show()
    with qtbot.waitSignal(window.closed, timeout=READY_TIMEOUT_MS):
        window.quit_action.trigger()
    left = [t.name for t in _ours() - before if t.is_alive()]
    assert not left, f"threads still running after the window closed: {left}"
    assert not window.isVisible()
    assert window.controller.wait(0)


def test_the_startup_probe_reports_show_paint_and_quits_when_idle(
    qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    window = MainWindow(profiles=[])
    qtbot.addWidget(window)
    gui_app.StartupProbe(window)
    with qtbot.waitSignal(window.closed, timeout=READY_TIMEOUT_MS):
        window.show()
    out = capsys.readouterr().out
    marks = [line.split()[1] for line in out.splitlines() if line.startswith("imgloop-probe")]
    assert marks == ["shown", "painted", "quit"]

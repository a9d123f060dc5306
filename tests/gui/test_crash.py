"""The crash dialog: shown for an unexpected exception (GUI thread, Qt slot or worker
thread), secrets redacted, the log path included, the app still running; a hard
crash's faulthandler trace offered on the next start; and both kept above the welcome."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import TracebackType

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from imgloop_desktop.accounts.redaction import register_secret
from imgloop_desktop.gui.crash import (
    COUNTED_TITLE,
    SHOW_TRACE,
    TITLE,
    CrashDialog,
    CrashHandler,
    offer_previous_crash,
    show_trace,
)
from imgloop_desktop.gui.welcome import FirstRunFacts, WelcomeDialog, WelcomeFlow
from imgloop_desktop.logs import FaultTrace, PreviousCrash

# Made up, but in the shapes AWS uses.
KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SIGNATURE = "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"
# A secret in no known shape: only the registered-secret scrub can catch it.
LOADED_SECRET = "plain-looking-value-0123456789abcdef"
LEAKS = (KEY_ID, SECRET, SIGNATURE, LOADED_SECRET)


class UploadFailed(Exception):
    pass


def leaky_error() -> UploadFailed:
    return UploadFailed(
        f"upload failed for {KEY_ID} with aws_secret_access_key={SECRET} at "
        f"https://bucket.s3.amazonaws.com/x?X-Amz-Credential={KEY_ID}%2F20260101"
        f"&X-Amz-Signature={SIGNATURE} (token {LOADED_SECRET})"
    )


def fail() -> None:
    raise leaky_error()


def exc_info() -> tuple[type[BaseException], BaseException, TracebackType | None]:
    kind, value, tb = sys.exc_info()
    assert kind is not None and value is not None
    return kind, value, tb


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "logs" / "imgloop.log"


@pytest.fixture
def handler(qtbot: QtBot, log_path: Path) -> Iterator[CrashHandler]:
    register_secret(LOADED_SECRET)
    crash = CrashHandler(log_path)
    yield crash
    crash.uninstall()
    if crash.dialog is not None:
        crash.dialog.close()
    crash.deleteLater()


def assert_redacted(text: str, log_path: Path) -> None:
    for leak in LEAKS:
        assert leak not in text
    assert "[REDACTED-KEY-ID]" in text
    assert "Signature=[REDACTED]" in text
    assert "aws_secret_access_key=[REDACTED]" in text
    assert "UploadFailed" in text  # still says what went wrong
    assert str(log_path) in text


def test_dialog_shows_a_redacted_report_with_the_log_path(
    qtbot: QtBot, handler: CrashHandler, log_path: Path
) -> None:
    with qtbot.waitSignal(handler.reported) as reported:
        try:
            fail()
        except UploadFailed:
            handler.excepthook(*exc_info())
    dialog = handler.dialog
    assert isinstance(dialog, CrashDialog)
    qtbot.waitExposed(dialog)
    text = dialog.report_text()
    assert text == reported.args[0]
    assert_redacted(text, log_path)
    assert str(log_path) in dialog.log_label.text()
    assert "in fail" in text  # the traceback is there
    dialog.copy_button.click()
    clipboard = QApplication.clipboard()
    assert clipboard is not None
    assert clipboard.text() == text


def test_an_exception_in_a_qt_slot_shows_the_dialog_and_the_app_keeps_running(
    qtbot: QtBot, handler: CrashHandler, log_path: Path
) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    handler.install()
    with qtbot.waitSignal(handler.reported):
        QTimer.singleShot(0, fail)
    handler.uninstall()
    assert handler.dialog is not None
    assert_redacted(handler.dialog.report_text(), log_path)
    assert window.isVisible()  # nothing closed
    with qtbot.waitSignal(window.windowTitleChanged):
        QTimer.singleShot(0, lambda: window.setWindowTitle("still here"))
    assert window.windowTitle() == "still here"  # the event loop still runs slots


def test_a_worker_thread_exception_reaches_the_dialog_on_the_gui_thread(
    qtbot: QtBot, handler: CrashHandler, log_path: Path
) -> None:
    handler.install()
    try:
        with qtbot.waitSignal(handler.reported) as reported:
            worker = threading.Thread(target=fail, name="imgloop-test-worker")
            worker.start()
            worker.join()
    finally:
        handler.uninstall()
    report = str(reported.args[0])
    assert "Thread: imgloop-test-worker" in report
    assert_redacted(report, log_path)


def test_a_second_error_is_added_to_the_open_dialog(qtbot: QtBot, handler: CrashHandler) -> None:
    for _ in range(2):
        with qtbot.waitSignal(handler.reported):
            try:
                fail()
            except UploadFailed:
                handler.handle(*exc_info())
    dialog = handler.dialog
    assert dialog is not None
    assert dialog.count == 2
    assert dialog.report_text().count("UploadFailed:") == 2
    assert dialog.windowTitle() == COUNTED_TITLE.format(title=TITLE, n=2)
    assert len([w for w in QApplication.topLevelWidgets() if isinstance(w, CrashDialog)]) == 1


def test_hooks_are_restored_and_ctrl_c_is_not_a_crash(
    handler: CrashHandler, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[type[BaseException]] = []
    monkeypatch.setattr(sys, "excepthook", lambda t, v, tb: seen.append(t))
    previous_thread_hook = threading.excepthook
    handler.install()
    assert sys.excepthook == handler.excepthook
    assert threading.excepthook == handler.thread_excepthook
    handler.handle(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert seen == [KeyboardInterrupt]
    assert handler.dialog is None
    handler.uninstall()
    assert sys.excepthook != handler.excepthook
    assert threading.excepthook == previous_thread_hook


# -- hard crashes ---------------------------------------------------------------------------

CRASHER = """
import sys
from pathlib import Path
from imgloop_desktop.logs import FaultTrace
FaultTrace(Path(sys.argv[1])).start()
import faulthandler
faulthandler._sigsegv()
"""


def crash_a_process(log_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CRASHER, str(log_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_hard_crash_leaves_a_trace_that_the_next_start_offers(
    qtbot: QtBot, tmp_path: Path, log_path: Path
) -> None:
    log_dir = tmp_path / "logs"
    crashed = crash_a_process(log_dir)
    assert crashed.returncode != 0
    trace = FaultTrace(log_dir)
    assert trace.path.stat().st_size > 0

    previous = trace.take_previous()  # what the next start does first
    assert previous is not None
    assert "Segmentation fault" in previous.text
    assert not trace.path.exists()  # rotated away: offered once

    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    box = offer_previous_crash(window, previous, log_path)
    qtbot.waitExposed(box)
    assert isinstance(box, QMessageBox)
    assert str(previous.path) in box.informativeText()
    show = next(b for b in box.buttons() if b.text() == SHOW_TRACE)
    assert isinstance(show, QPushButton)
    show.click()

    def trace_dialog() -> CrashDialog | None:
        found = QApplication.topLevelWidgets() + window.findChildren(CrashDialog)
        dialogs = [
            w
            for w in found
            if isinstance(w, CrashDialog) and w.objectName() == "previousCrashTrace"
        ]
        return dialogs[0] if dialogs and dialogs[0].isVisible() else None

    qtbot.waitUntil(lambda: trace_dialog() is not None)
    dialog = trace_dialog()
    assert dialog is not None
    assert "Segmentation fault" in dialog.report_text()
    assert str(previous.path) in dialog.headline.text()
    dialog.close()


def test_a_clean_exit_leaves_nothing_to_offer(tmp_path: Path) -> None:
    clean = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\nfrom pathlib import Path\nfrom imgloop_desktop.logs import FaultTrace\n"
            "t = FaultTrace(Path(sys.argv[1]))\nt.start()\nt.stop()\n",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert clean.returncode == 0, clean.stderr
    assert FaultTrace(tmp_path).take_previous() is None


# -- stacking over the welcome --------------------------------------------------------------


def _welcome_over(window: QMainWindow) -> WelcomeDialog:
    flow = WelcomeFlow(window, settings=QSettings())
    return flow.show(FirstRunFacts())


def test_a_crash_during_the_welcome_opens_above_it_and_is_not_blocked(
    qtbot: QtBot, handler: CrashHandler
) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    welcome = _welcome_over(window)
    qtbot.waitExposed(welcome)
    assert QApplication.activeModalWidget() is welcome
    with qtbot.waitSignal(handler.reported):
        try:
            fail()
        except UploadFailed:
            handler.handle(*exc_info())
    dialog = handler.dialog
    assert dialog is not None and dialog.isVisible()
    handle, over = dialog.windowHandle(), welcome.windowHandle()
    assert handle is not None and over is not None
    assert handle.transientParent() is over  # what window managers stack by
    welcome.close()
    dialog.close()


def test_a_trace_open_before_the_welcome_is_kept_above_it(
    qtbot: QtBot, tmp_path: Path, log_path: Path
) -> None:
    """The last crash's trace (opened from the offer) stays on top when the welcome, which
    waits for the offer, opens after it."""
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    previous = PreviousCrash(
        tmp_path / "crash-trace-x.txt", "Fatal Python error: Aborted", datetime.now()
    )
    trace = show_trace(window, previous, log_path)
    qtbot.waitExposed(trace)
    welcome = _welcome_over(window)
    qtbot.waitExposed(welcome)
    handle, over = trace.windowHandle(), welcome.windowHandle()
    assert handle is not None and over is not None
    assert handle.transientParent() is over
    assert trace.isVisible()
    welcome.close()
    trace.close()

"""What a person sees when the app hits a bug: a dialog with a report they can copy into a
bug report, the log file's path, and an app that keeps running.

PySide6 hands exceptions raised in slots and event handlers to ``sys.excepthook`` and then
carries on, so replacing the hook is enough to turn a silent stderr traceback into a
dialog without ending the program. Exceptions in Python threads arrive through
``threading.excepthook`` on the thread that failed; they reach the dialog through a queued
signal, because no widget may be touched off the GUI thread.

Reports pass through ``accounts.redaction.scrub`` (which applies
``providers.aws_errors.redact`` plus every secret this process loaded): a traceback's
message can carry an access key id, a SigV4 signature or a secret, and the report is made
to be pasted into public bug trackers.

A native crash (``faulthandler``'s trace, see ``logs.FaultTrace``) cannot show anything
itself; the next start offers the trace with ``offer_previous_crash``. Only a crash of a
running app: a start that fails before its window exists is not a crash (``gui.startup``).

A crash dialog stays above a modal dialog (the first-run welcome) whether it opened before
or after it: it is made transient for that dialog (``keep_above``), which is what window
managers stack by, and a non-modal window is never blocked by a window-modal one that is
not its ancestor, so the report stays readable and copyable.
"""

from __future__ import annotations

import logging
import platform
import sys
import threading
import traceback
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import PySide6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot, qVersion
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from imgloop_desktop import __version__
from imgloop_desktop.accounts.redaction import scrub
from imgloop_desktop.gui.folders import open_folder
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, in_context
from imgloop_desktop.logs import PreviousCrash

log = logging.getLogger(__name__)

TITLE = QT_TRANSLATE_NOOP("CrashDialog", "imgloop desktop — unexpected error")
SEPARATOR = "\n\n" + "-" * 60 + "\n\n"
COUNTED_TITLE = QT_TRANSLATE_NOOP("CrashDialog", "{title} ({n} errors)")
SHOW_TRACE = QT_TRANSLATE_NOOP("CrashDialog", "Show the trace")


_tr = in_context("CrashDialog")


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def build_report(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    *,
    log_path: Path | None,
    thread_name: str | None = None,
) -> str:
    """The text a person copies into a bug report, with every secret shape removed."""
    app = QGuiApplication.instance()
    platform_name = QGuiApplication.platformName() if app is not None else "not started"
    lines = [
        f"imgloop desktop {__version__}: unexpected error",
        f"Time (UTC): {datetime.now(UTC):%Y-%m-%d %H:%M:%S}",
        f"Python {platform.python_version()} on {platform.platform()}",
        f"Qt {qVersion()}, PySide6 {PySide6.__version__}, platform {platform_name}",
        f"Frozen bundle: {'yes' if getattr(sys, 'frozen', False) else 'no'}",
        f"Thread: {thread_name or threading.current_thread().name}",
        f"Log file: {log_path if log_path else 'none (logging is not set up)'}",
        "",
        "".join(traceback.format_exception(exc_type, exc, tb)).rstrip(),
    ]
    return scrub("\n".join(lines))


class CrashDialog(QDialog):
    """A read-only, selectable report with "Copy report" and "Open log folder".

    Shown with ``show()``: it never starts a nested event loop, so the loop that Qt and
    asyncio share keeps running while it is up, and a second error is appended to the
    same dialog instead of stacking dialogs.
    """

    def __init__(
        self,
        report: str,
        log_path: Path | None,
        *,
        title: str | None = None,
        headline: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle(title if title is not None else _tr(TITLE))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.log_path = log_path
        self.count = 1

        self.headline = QLabel(
            headline
            or QCoreApplication.translate(
                "CrashDialog",
                "Something went wrong inside imgloop. The app is still running, but what you "
                "were doing may not have finished. Images already saved stay on disk.\n\n"
                "If you report this, please include the text below (access keys and "
                "signatures are already removed from it).",
            )
        )
        self.headline.setObjectName("crashHeadline")
        self.headline.setWordWrap(True)

        self.log_label = QLabel(
            QCoreApplication.translate("CrashDialog", "Log file: {path}").format(path=log_path)
            if log_path
            else QCoreApplication.translate("CrashDialog", "No log file is being written.")
        )
        self.log_label.setObjectName("crashLogPath")
        self.log_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.log_label.setWordWrap(True)

        self.report_view = QPlainTextEdit(report)
        self.report_view.setObjectName("crashReport")
        self.report_view.setReadOnly(True)
        self.report_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.report_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.report_view.setMinimumSize(640, 280)

        buttons = QDialogButtonBox()
        self.copy_button = QPushButton(QCoreApplication.translate("CrashDialog", "Copy report"))
        self.copy_button.setObjectName("copyReport")
        self.copy_button.clicked.connect(self.copy_report)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_log_button = QPushButton(
            QCoreApplication.translate("CrashDialog", "Open log folder")
        )
        self.open_log_button.setObjectName("openLogFolder")
        self.open_log_button.setEnabled(log_path is not None)
        self.open_log_button.clicked.connect(self.open_log_folder)
        buttons.addButton(self.open_log_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.clicked.connect(self.close)

        column = QVBoxLayout(self)
        column.addWidget(self.headline)
        column.addWidget(self.report_view, 1)
        column.addWidget(self.log_label)
        column.addWidget(buttons)

    def report_text(self) -> str:
        return self.report_view.toPlainText()

    def add_report(self, report: str) -> None:
        self.count += 1
        self.report_view.appendPlainText(SEPARATOR + report)
        self.setWindowTitle(_tr(COUNTED_TITLE).format(title=_tr(TITLE), n=self.count))

    @Slot()
    def copy_report(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(self.report_text())

    @Slot()
    def open_log_folder(self) -> None:
        if self.log_path is not None:
            open_folder(self, self.log_path.parent)  # says so when no file manager answers


class CrashHandler(QObject):
    """Installs the exception hooks and owns the (single) crash dialog.

    Create it on the GUI thread. ``reported`` carries each redacted report, for tests and
    for anything else that wants to know.
    """

    reported = Signal(str)
    _deliver = Signal(str)

    def __init__(self, log_path: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_path = log_path
        self.dialog: CrashDialog | None = None
        self._previous_hook: Callable[..., Any] | None = None
        self._previous_thread_hook: Callable[..., Any] | None = None
        self._handling = threading.local()
        # Queued even when emitted on the GUI thread: the dialog then opens from the event
        # loop, not from inside whatever Qt call was unwinding the exception.
        self._deliver.connect(self._show, Qt.ConnectionType.QueuedConnection)

    # -- hooks --------------------------------------------------------------------------------

    def install(self) -> None:
        if self._previous_hook is not None:
            return
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook

    def uninstall(self) -> None:
        if self._previous_hook is None:
            return
        if sys.excepthook == self.excepthook:
            sys.excepthook = self._previous_hook
        if threading.excepthook == self.thread_excepthook:
            threading.excepthook = self._previous_thread_hook or threading.__excepthook__
        self._previous_hook = self._previous_thread_hook = None

    def excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        self.handle(exc_type, exc, tb)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return  # what threading's own hook does: SystemExit ends a thread quietly
        name = args.thread.name if args.thread is not None else None
        self.handle(args.exc_type, args.exc_value, args.exc_traceback, thread_name=name)

    def handle(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
        *,
        thread_name: str | None = None,
    ) -> None:
        """Log the error and show (or extend) the dialog; never raises.

        Ctrl-C in a terminal still stops the app as usual. If building the report itself
        fails, the default hook prints the original error, so it is never lost.
        """
        if issubclass(exc_type, KeyboardInterrupt):
            (self._previous_hook or sys.__excepthook__)(exc_type, exc, tb)
            return
        if getattr(self._handling, "active", False):
            sys.__excepthook__(exc_type, exc, tb)  # an error while reporting an error
            return
        self._handling.active = True
        try:
            log.critical("unexpected error", exc_info=(exc_type, exc, tb))
            report = build_report(
                exc_type, exc, tb, log_path=self.log_path, thread_name=thread_name
            )
            self._deliver.emit(report)
        except Exception:
            sys.__excepthook__(exc_type, exc, tb)
        finally:
            self._handling.active = False

    # -- dialog -------------------------------------------------------------------------------

    @Slot(str)
    def _show(self, report: str) -> None:
        if self.dialog is not None:
            self.dialog.add_report(report)
        else:
            dialog = CrashDialog(report, self.log_path)
            dialog.destroyed.connect(self._forget_dialog)
            self.dialog = dialog
            dialog.show()
        modal = QApplication.activeModalWidget()
        _stack_over(self.dialog, modal if modal is not self.dialog else None)
        self.dialog.activateWindow()
        self.reported.emit(report)

    @Slot()
    def _forget_dialog(self) -> None:
        self.dialog = None


def _can_raise() -> bool:
    """Offscreen and minimal platforms have no stacking order and warn on raise()."""
    return QGuiApplication.platformName() not in ("offscreen", "minimal")


def _stack_over(dialog: QWidget, below: QWidget | None) -> None:
    """Put ``dialog`` above ``below`` (a modal dialog) and raise it."""
    handle = dialog.windowHandle()
    under = below.window().windowHandle() if below is not None else None
    if handle is not None and under is not None and under is not handle:
        handle.setTransientParent(under)
    if _can_raise():
        dialog.raise_()


def keep_above(modal: QWidget) -> None:
    """Every visible crash dialog (a report, or the last crash's trace) goes above
    ``modal``, a dialog that has just opened, e.g. the welcome."""
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, CrashDialog) and widget.isVisible() and widget is not modal:
            _stack_over(widget, modal)


def offer_previous_crash(
    parent: QWidget | None, previous: PreviousCrash, log_path: Path | None = None
) -> QMessageBox:
    """Tell the person the last run ended in a crash and offer its trace; returns the box
    (opened without a nested event loop). "Show the trace" opens it in a copyable dialog."""
    box = QMessageBox(parent)
    log.info("offering the trace of the last crash, %s", previous.path)
    box.setObjectName("previousCrashBox")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(
        QCoreApplication.translate("CrashDialog", "imgloop desktop stopped unexpectedly")
    )
    box.setText(
        QCoreApplication.translate(
            "CrashDialog",
            "imgloop stopped unexpectedly last time ({when}). "
            "A technical trace of that moment was saved.",
        ).format(when=f"{previous.when:%Y-%m-%d %H:%M}")
    )
    box.setInformativeText(
        QCoreApplication.translate(
            "CrashDialog",
            "Your images and history are kept. If it happens again, the trace helps find the "
            "cause.\n\nSaved as: {path}",
        ).format(path=previous.path)
    )
    show = box.addButton(_tr(SHOW_TRACE), QMessageBox.ButtonRole.AcceptRole)
    later = box.addButton(
        QCoreApplication.translate("CrashDialog", "Not now"), QMessageBox.ButtonRole.RejectRole
    )
    box.setDefaultButton(show)
    box.setEscapeButton(later)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    # Only a weak reference to the parent in the slot: if the slot held the last reference
    # to the window, deleting the box (which drops the slot) would delete the window, and
    # with it the box, in the middle of the box's own destructor.
    parent_ref = weakref.ref(parent) if parent is not None else None
    show.clicked.connect(
        lambda: show_trace(parent_ref() if parent_ref is not None else None, previous, log_path)
    )
    box.open()
    return box


def show_trace(
    parent: QWidget | None, previous: PreviousCrash, log_path: Path | None = None
) -> CrashDialog:
    dialog = CrashDialog(
        scrub(previous.text),
        log_path,
        title=QCoreApplication.translate(
            "CrashDialog", "imgloop desktop — trace of the last crash"
        ),
        headline=QCoreApplication.translate(
            "CrashDialog",
            "These are the Python stacks at the moment imgloop stopped last time. Copy them "
            "into a bug report if you report the crash.\n\nFile: {path}",
        ).format(path=previous.path),
        parent=parent,
    )
    dialog.setObjectName("previousCrashTrace")
    dialog.show()
    return dialog

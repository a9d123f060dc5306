"""Closing the window during a run.

``closeEvent`` asks first (with ``open()``, no nested loop): "Keep running" does nothing;
"Cancel run and close" cancels, keeps the window up and responsive until the worker reports
its end, then closes, so no thread outlives the window. If the call in flight does not
return within ``close_timeout`` the window closes anyway and ``app.main`` joins the worker
after the event loop ends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP
from imgloop_desktop.gui.run_controller import RunController

log = logging.getLogger(__name__)

CLOSE_TIMEOUT_SECONDS = 60.0
CLOSE_TITLE = QT_TRANSLATE_NOOP("CloseGuard", "A run is in progress")
CLOSE_QUESTION = QT_TRANSLATE_NOOP(
    "CloseGuard", "A run is in progress. Cancel it and close the window?"
)


class CloseGuard(QObject):
    """Decides whether a close may go ahead. ``cancelRequested`` asks the window to cancel
    the run (its own Cancel, so the progress panel and actions follow); ``message(str)``."""

    cancelRequested = Signal()
    message = Signal(str)

    def __init__(
        self,
        window: QWidget,
        controller: RunController,
        close: Callable[[], object],
        *,
        close_timeout: float = CLOSE_TIMEOUT_SECONDS,
    ) -> None:
        super().__init__(window)
        self._window = window
        self.controller = controller
        self._close = close
        self.close_timeout = close_timeout
        self.prompt: QMessageBox | None = None
        self.prompt_yes: QPushButton | None = None
        self.close_after_run = False
        self.force_close = False
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.timeout.connect(self._close_now)

    def allow(self, event: QCloseEvent) -> bool:
        """True when the window may close now; otherwise the event is ignored and the
        person asked (or told that the run is still stopping)."""
        if not self.controller.is_running or self.force_close:
            return True
        event.ignore()
        if self.close_after_run:
            self.message.emit(
                QCoreApplication.translate(
                    "CloseGuard", "Still cancelling; the window closes when the run has stopped."
                )
            )
        else:
            self._ask()
        return False

    def run_ended(self) -> None:
        if self.close_after_run:
            QTimer.singleShot(0, self._close)

    def stop(self) -> None:
        self._deadline.stop()

    def _ask(self) -> None:
        if self.prompt is not None:
            self.prompt.raise_()
            return
        box = QMessageBox(self._window)
        box.setObjectName("closeDuringRun")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(QCoreApplication.translate("CloseGuard", CLOSE_TITLE))
        box.setText(QCoreApplication.translate("CloseGuard", CLOSE_QUESTION))
        box.setInformativeText(
            QCoreApplication.translate(
                "CloseGuard", "Images made so far are kept, and the run is recorded as cancelled."
            )
        )
        yes = box.addButton(
            QCoreApplication.translate("CloseGuard", "Cancel run and close"),
            QMessageBox.ButtonRole.AcceptRole,
        )
        keep = box.addButton(
            QCoreApplication.translate("CloseGuard", "Keep running"),
            QMessageBox.ButtonRole.RejectRole,
        )
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.finished.connect(lambda _r: self._answered(box.clickedButton() is yes))
        self.prompt, self.prompt_yes = box, yes
        box.open()

    def _answered(self, cancel_and_close: bool) -> None:
        box, self.prompt, self.prompt_yes = self.prompt, None, None
        if box is not None:
            box.deleteLater()
        if not cancel_and_close:
            return
        if not self.controller.is_running:
            self._close()
            return
        self.close_after_run = True
        self.cancelRequested.emit()
        self.message.emit(
            QCoreApplication.translate(
                "CloseGuard", "Cancelling the run; the window closes when it has stopped."
            )
        )
        self._deadline.start(int(self.close_timeout * 1000))

    @Slot()
    def _close_now(self) -> None:
        log.warning("the run did not stop within %ss; closing anyway", self.close_timeout)
        self.force_close = True
        self._close()

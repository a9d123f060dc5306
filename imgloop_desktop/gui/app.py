"""Starting the desktop app: one QApplication, one qasync event loop shared by Qt and asyncio,
one main window, and a clean stop when it closes.

``QT_QPA_PLATFORM`` is left alone: Qt picks the platform (a person's desktop, or
``offscreen`` when a test or a headless machine sets it).

The loop runs until the window has really closed (after any run was cancelled and joined),
then any worker still busy is given a bounded time to finish, so the process exits without
a thread cut off mid-write.

``IMGLOOP_STARTUP_PROBE=1`` (``bench/bench_startup.py``) makes a start print, on stdout,
``imgloop-probe building <epoch seconds>`` just before the main window is made (Python, Qt,
the app's modules and the QApplication are ready then), ``imgloop-probe built <t>`` once it
is made, ``imgloop-probe shown <t>`` when the main window's first Show event is processed
and ``imgloop-probe painted <t>`` at its first paint; once the window is idle (the history
open, the AWS models warmed up) it prints ``imgloop-probe quit <t>`` and triggers the Quit
action, the way a person would; ``imgloop-probe loop-ended <t>`` follows when the event
loop has stopped. The benchmark times the process's exit against the quit line. Each line
ends with the process's CPU seconds so far (all threads): the start's own work, which on a
shared machine the wall clock mixes with other programs' turns.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from collections.abc import Sequence

import qasync
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from imgloop_desktop import __version__
from imgloop_desktop.gui import i18n
from imgloop_desktop.gui.main_window import MainWindow
from imgloop_desktop.gui.settings_store import APPLICATION, DISPLAY_NAME, ORGANIZATION
from imgloop_desktop.resources import APP_ID

log = logging.getLogger(__name__)

EXIT_JOIN_SECONDS = 30.0
PROBE_ENV = "IMGLOOP_STARTUP_PROBE"
PROBE_PREFIX = "imgloop-probe"
PROBE_IDLE_TIMEOUT_MS = 30_000
"""The probe quits after this even if the window never reported idle (a failed history)."""


def configure(app: QApplication) -> None:
    """Names QSettings and the desktop use; set before any settings are read."""
    app.setOrganizationName(ORGANIZATION)
    app.setOrganizationDomain("imgloop.invalid")
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(DISPLAY_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)  # Wayland matches it to the .desktop file


def application(argv: Sequence[str] | None = None) -> QApplication:
    """The process's QApplication, created once (a test's qapp is reused)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        args = list(argv) if argv is not None else sys.argv
        app = QApplication([args[0] if args else "imgloop-desktop", *args[1:]])
    configure(app)
    return app


def probe_line(what: str) -> None:
    """One benchmark line on stdout, flushed at once (the benchmark reads it live)."""
    print(f"{PROBE_PREFIX} {what} {time.time():.6f} {time.process_time():.6f}", flush=True)


class StartupProbe(QObject):
    """The benchmark's view of a start and a quit (see the module doc). Only installed when
    ``IMGLOOP_STARTUP_PROBE`` is set, so a normal start pays nothing for it."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._shown = False
        self._painted = False
        self._history = False
        self._warm = False
        self._quitting = False
        window.installEventFilter(self)
        window.historyReady.connect(self._history_ready)
        window.warmedUp.connect(self._warmed_up)
        QTimer.singleShot(PROBE_IDLE_TIMEOUT_MS, self, self._quit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Show and not self._shown:
            self._shown = True
            probe_line("shown")
        elif kind == QEvent.Type.Paint and not self._painted:
            self._painted = True
            probe_line("painted")
            self._maybe_quit()
        return False

    def _history_ready(self, _report: object) -> None:
        self._history = True
        self._maybe_quit()

    def _warmed_up(self) -> None:
        self._warm = True
        self._maybe_quit()

    def _maybe_quit(self) -> None:
        if self._painted and self._history and self._warm:
            # After whatever else this turn of the loop delivers: the window is idle then.
            QTimer.singleShot(0, self, self._quit)

    def _quit(self) -> None:
        if self._quitting:
            return
        self._quitting = True
        self._window.removeEventFilter(self)
        probe_line("quit")
        self._window.quit_action.trigger()


def _report_async_error(loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
    """An exception in an asyncio task goes where any other unexpected one goes: the crash
    dialog's excepthook (installed by the launcher), not only a line on stderr."""
    exc = context.get("exception")
    if isinstance(exc, BaseException):
        sys.excepthook(type(exc), exc, exc.__traceback__)
    else:
        loop.default_exception_handler(context)


def main(argv: Sequence[str] | None = None) -> int:
    """Show the window and run until it closes; the exit code for ``sys.exit``."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app = application(argv)
    app.setQuitOnLastWindowClosed(False)  # the window's ``closed`` ends the loop instead
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    loop.set_exception_handler(_report_async_error)
    i18n.install(app)  # the chosen language (or the system's), before any widget exists
    probing = bool(os.environ.get(PROBE_ENV))
    if probing:
        probe_line("building")
    window = MainWindow()
    if probing:
        probe_line("built")
        StartupProbe(window)
    try:
        with loop:
            done: asyncio.Future[None] = loop.create_future()

            def finish() -> None:
                if not done.done():
                    done.set_result(None)

            window.closed.connect(finish)
            app.aboutToQuit.connect(finish)  # session logout, or app.quit() from elsewhere
            window.show()
            loop.run_until_complete(done)
            if os.environ.get(PROBE_ENV):
                probe_line("loop-ended")
    finally:
        window.shutdown()
        if not window.controller.wait(EXIT_JOIN_SECONDS):
            log.error("a run was still busy %ss after the window closed", EXIT_JOIN_SECONDS)
        window.deleteLater()
        asyncio.set_event_loop(None)
    return 0


if __name__ == "__main__":
    sys.exit(main())

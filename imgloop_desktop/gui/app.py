"""Starting the desktop app: one QApplication, one qasync event loop shared by Qt and asyncio,
one main window, and a clean stop when it closes.

``QT_QPA_PLATFORM`` is left alone: Qt picks the platform (a person's desktop, or
``offscreen`` when a test or a headless machine sets it).

The loop runs until the window has really closed (after any run was cancelled and joined),
then any worker still busy is given a bounded time to finish, so the process exits without
a thread cut off mid-write.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence

import qasync
from PySide6.QtWidgets import QApplication

from imgloop_desktop import __version__
from imgloop_desktop.gui.main_window import MainWindow
from imgloop_desktop.gui.settings_store import APPLICATION, DISPLAY_NAME, ORGANIZATION
from imgloop_desktop.resources import APP_ID

log = logging.getLogger(__name__)

EXIT_JOIN_SECONDS = 30.0


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
    window = MainWindow()
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
    finally:
        window.shutdown()
        if not window.controller.wait(EXIT_JOIN_SECONDS):
            log.error("a run was still busy %ss after the window closed", EXIT_JOIN_SECONDS)
        window.deleteLater()
        asyncio.set_event_loop(None)
    return 0


if __name__ == "__main__":
    sys.exit(main())

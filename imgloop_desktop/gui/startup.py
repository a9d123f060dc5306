"""The desktop start sequence around ``gui.app.main``: logs, single instance, crash hooks,
app icon, then (once the window is on screen) the last crash's trace and the welcome.

Order matters:

1. The log file first, so everything after it (Qt's own messages included) is recorded.
2. The single-instance check, as a plain client (no ``QApplication`` needed): a second
   launch only asks the first to raise its window and exits 0, before it touches
   anything the first owns.
3. A *start* trace (``faulthandler`` into ``<log dir>/starting/``), before the
   ``QApplication``: a platform plugin that aborts while Qt starts leaves its stacks
   there. That is a failed start, not a crash of a running app: Qt's fatal message goes
   to stderr and the log as "imgloop could not start", and the next start only logs the
   old trace's path. Nothing is offered in a dialog for it. Then the exception hooks.
4. The ``QApplication`` and the single-instance server. Two launches in the same instant
   can both pass step 2; the later one finds the server taken, asks it to raise and
   exits.
5. ``gui.app.main`` makes the window and runs the event loop. An application-wide event
   filter notices the main window's first ``Show``: from then on a native crash is a
   crash (the start trace stops, the crash trace starts and hands over the last run's),
   and the crash offer and the welcome open over a window that is really there, without
   ``gui.app`` having to call us. An exception before that moment is a failed start too:
   logged with its traceback, said on stderr, exit code 1.

Also the Qt part of ``--self-test`` (``qt_self_check``), so nothing outside ``gui``
imports Qt.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import socket
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path

import PySide6
from PySide6.QtCore import (
    QEvent,
    QMessageLogContext,
    QObject,
    QSocketNotifier,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
    qVersion,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QWidget

from imgloop_desktop import logs
from imgloop_desktop.gui.crash import CrashHandler, offer_previous_crash
from imgloop_desktop.gui.qt_logging import qt_message_handler
from imgloop_desktop.gui.single_instance import SingleInstance, notify_running, server_name
from imgloop_desktop.logs import FaultTrace, PreviousCrash
from imgloop_desktop.resources import icon_files

log = logging.getLogger(__name__)

START_TRACE_FOLDER = "starting"
EXIT_FAILED_START = 1
FAILED_START = "imgloop could not start"


def app_icon() -> QIcon:
    """Every shipped size, so each platform picks a sharp one (empty if none shipped)."""
    icon = QIcon()
    for path in icon_files().values():
        icon.addFile(str(path))
    return icon


class _Traces:
    """The start trace until the window is up, then the crash trace (see the module doc)."""

    def __init__(self, directory: Path | None = None) -> None:
        folder = directory or logs.log_dir()
        self.start_trace = FaultTrace(folder / START_TRACE_FOLDER)
        self.crash_trace = FaultTrace(folder)
        self.window_shown = False

    def starting(self) -> None:
        failed = self.start_trace.start()
        if failed is not None:
            log.warning(
                "the start at %s failed before its window opened (a failed start, not a "
                "crash: nothing is offered); its trace is %s",
                f"{failed.when:%Y-%m-%d %H:%M:%S}",
                failed.path,
            )

    def shown(self) -> PreviousCrash | None:
        """The window is up: a native crash from now on is a crash; the last run's trace."""
        self.window_shown = True
        self.start_trace.stop()
        previous = self.crash_trace.start()
        if previous is not None:
            log.warning("the last run ended in a crash; its trace is %s", previous.path)
        return previous

    def stop(self) -> None:
        self.crash_trace.stop()
        self.start_trace.stop()


def _install_qt_messages(traces: _Traces) -> Callable[[], None]:
    """Qt's messages into logging (``qt_logging``); a fatal one before the window is up
    is also named a failed start, as Qt aborts the process right after it."""

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        qt_message_handler(kind, context, message)
        if kind == QtMsgType.QtFatalMsg and not traces.window_shown:
            with contextlib.suppress(Exception):  # never raise into Qt's fatal path
                log.critical(
                    "%s: Qt stopped before the window opened (%s). This is not saved as a "
                    "crash; see Troubleshooting in the README.",
                    FAILED_START,
                    message.splitlines()[0] if message else "no message",
                )

    previous = qInstallMessageHandler(handler)

    def uninstall() -> None:
        qInstallMessageHandler(previous)

    return uninstall


class _FirstShow(QObject):
    """Waits for the main window's first Show event, then sets it up once."""

    def __init__(
        self,
        guard: SingleInstance,
        traces: _Traces,
        log_path: Path | None,
    ) -> None:
        super().__init__()
        self.guard = guard
        self.traces = traces
        self.previous: PreviousCrash | None = None
        self.log_path = log_path
        self.done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Every event of the start passes here: the cheap type test first, as ``type()``
        # makes a Python enum each time.
        if (
            not self.done
            and isinstance(watched, QMainWindow)
            and event.type() == QEvent.Type.Show
            and watched.isWindow()
        ):
            self.done = True
            self.previous = self.traces.shown()
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
            # After the event: the window finishes showing before dialogs open over it.
            QTimer.singleShot(0, watched, _call_with(watched, self.attach))
        return False

    def attach(self, window: QWidget) -> None:
        _collect_again()
        # Imported only now: the welcome is for after the window is on screen.
        from imgloop_desktop.gui.welcome import maybe_show_welcome

        self.guard.window = window
        if self.previous is not None:
            box = offer_previous_crash(window, self.previous, self.log_path)
            box.finished.connect(_call_with(window, lambda w: maybe_show_welcome(w)))
        else:
            maybe_show_welcome(window)


def _collect_again() -> None:
    """Turn the garbage collector back on once the window is up (the launcher turned it off
    for the start), after moving what the start made out of its reach: those objects live
    as long as the app, and each full collection would walk them again."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _call_with(widget: QWidget, action: Callable[[QWidget], object]) -> Callable[..., None]:
    """A slot that runs ``action(widget)`` while the widget lives, holding it only weakly.

    A slot connected to a child's (or the widget's own) signal must not hold the widget:
    when the child is deleted and drops the slot, that could drop the widget's last
    reference and delete it, and the child with it, in the middle of the child's destructor.
    """
    ref = weakref.ref(widget)

    def slot(*_args: object) -> None:
        target = ref()
        if target is not None:
            action(target)

    return slot


class _QuitOnSignal(QObject):
    """SIGTERM (logout, ``kill``) and SIGINT (Ctrl-C in a terminal) close the main window the
    way its close button does, so the window saves its state and the history stays whole.

    Python runs signal handlers only when the interpreter gets control, and Qt's loop can
    sit in C for as long as nothing happens; ``signal.set_wakeup_fd`` writes the signal's
    number into a socket that Qt watches, which wakes the loop at once.
    """

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._read, self._write = socket.socketpair()
        self._read.setblocking(False)
        self._write.setblocking(False)
        self._notifier = QSocketNotifier(self._read.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._wake)
        self._previous_fd = signal.set_wakeup_fd(self._write.fileno())
        self._previous = {
            sig: signal.signal(sig, self._note) for sig in (signal.SIGINT, signal.SIGTERM)
        }

    @staticmethod
    def _note(_signum: int, _frame: object) -> None:
        """Replaces the default actions (KeyboardInterrupt, instant death); the work is
        done in ``_wake`` on the GUI thread."""

    def _wake(self) -> None:
        try:
            received = self._read.recv(64)
        except BlockingIOError:
            return
        for number in received:
            log.info("received %s; closing", signal.Signals(number).name)
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMainWindow) and widget.isVisible():
                widget.close()

    def close(self) -> None:
        signal.set_wakeup_fd(self._previous_fd)
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._notifier.setEnabled(False)
        self._read.close()
        self._write.close()


def _quit_on_signals(app: QApplication) -> _QuitOnSignal | None:
    """Only where POSIX signals exist; Windows closes apps through window messages."""
    return _QuitOnSignal(app) if hasattr(signal, "SIGTERM") and os.name == "posix" else None


def start_gui(argv: Sequence[str]) -> int:
    """Run the desktop app (``argv[0]`` is the program name); the process's exit code."""
    log_path = logs.setup_logging()
    traces = _Traces()
    uninstall_qt_log = _install_qt_messages(traces)
    name = server_name()
    if notify_running(name):
        log.info("imgloop is already running for this data folder; raised its window")
        uninstall_qt_log()
        logs.shutdown_logging()
        return 0
    traces.starting()
    crash = CrashHandler(log_path)
    crash.install()
    guard: SingleInstance | None = None
    first_show: _FirstShow | None = None
    quitter: _QuitOnSignal | None = None
    app: QApplication | None = None
    try:
        from imgloop_desktop.gui import app as gui_app  # the window, qasync, the services

        app = gui_app.application(list(argv))
        guard = SingleInstance(name)
        if not guard.listen() and guard.other_running:
            return 0
        app.setWindowIcon(app_icon())
        first_show = _FirstShow(guard, traces, log_path)
        app.installEventFilter(first_show)
        quitter = _quit_on_signals(app)
        return gui_app.main(list(argv))
    except Exception:
        if traces.window_shown:
            log.critical("the app stopped on an unexpected error", exc_info=True)
            raise
        # Before the window: a failed start with its cause (stderr gets it from the log's
        # console handler), not a crash report.
        log.critical("%s: an error before the window opened", FAILED_START, exc_info=True)
        return EXIT_FAILED_START
    finally:
        _collect_again()  # a start that never showed its window
        if quitter is not None:
            quitter.close()
        if app is not None and first_show is not None:
            app.removeEventFilter(first_show)
        if guard is not None:
            guard.close()
        crash.uninstall()
        traces.stop()
        log.info("imgloop desktop stopped")
        uninstall_qt_log()
        logs.shutdown_logging()


def qt_self_check() -> str:
    """Start Qt offscreen, show and close a widget; a one-line description, or raises."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(["imgloop", "-platform", "offscreen"])
    widget = QLabel("imgloop self-test")
    widget.show()
    app.processEvents()
    shown = widget.isVisible()
    widget.close()
    widget.deleteLater()
    app.processEvents()
    if not shown:
        raise RuntimeError("a widget could not be shown")
    platform = QApplication.platformName()
    return f"PySide6 {PySide6.__version__}, Qt {qVersion()}, platform {platform}"

"""One running app per person and data folder: launching it again raises the window that is
already open instead of starting a second one.

Two instances on one data folder would fight over the history's crash recovery, the
"last used" settings and the faulthandler trace file; and a person who double-clicks the
icon again almost always just lost the window behind others.

The first instance listens on a ``QLocalServer`` (a Unix socket, a named pipe on Windows);
a later launch connects, sends ``raise``, waits for ``ok`` and exits 0. The server's name
is derived from the user and the resolved data folder, so another account, or a portable
copy started with ``--data-dir``, is a separate app. On Linux the socket lives in
``$XDG_RUNTIME_DIR`` (private to the user) rather than the shared temp folder, where
another account could squat the name. A socket file left behind by a crashed instance is
noticed (nobody answers on it) and removed.

Wayland only lets the process a launch belongs to take focus; the second launch forwards
its ``XDG_ACTIVATION_TOKEN`` with ``raise`` so the first instance can activate its window.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from imgloop_desktop import paths

log = logging.getLogger(__name__)

RAISE = b"raise"
OK = b"ok"
CONNECT_TIMEOUT_MS = 1000
REPLY_TIMEOUT_MS = 5000
TOKEN_ENV = "XDG_ACTIVATION_TOKEN"
_MAX_MESSAGE = 4096


def server_name(data_dir: Path | None = None, user: str | None = None) -> str:
    """The per-user, per-data-folder name both instances compute the same way."""
    folder = (data_dir or paths.data_dir()).expanduser()
    try:
        folder = folder.resolve()
    except OSError:
        folder = folder.absolute()
    if user is None:
        try:
            user = getpass.getuser()
        except Exception:  # no login name in this environment (some containers)
            user = str(getattr(os, "getuid", lambda: "user")())
    digest = hashlib.sha256(f"{user}\0{os.path.normcase(folder)}".encode()).hexdigest()
    name = f"imgloop-desktop-{digest[:24]}"
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if sys.platform.startswith("linux") and runtime and Path(runtime).is_dir():
        return str(Path(runtime) / name)
    return name


def bring_to_front(window: QWidget) -> None:
    """Un-minimize, show, raise and activate ``window`` as far as the platform allows.

    Dialogs open over the window (the welcome, an error, the crash report) come up with it,
    and an open modal dialog gets the focus: activating a window a dialog blocks would
    leave the person looking at a window that ignores them.
    """
    if window.isMinimized():
        window.setWindowState(
            (window.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
        )
    window.show()
    # Offscreen and minimal platforms have no stacking order (and warn on raise).
    can_raise = QGuiApplication.platformName() not in ("offscreen", "minimal")
    if can_raise:
        window.raise_()
    dialogs = [
        w
        for w in QApplication.topLevelWidgets()
        if w is not window and w.isVisible() and _belongs_to(w, window)
    ]
    if can_raise:
        for dialog in dialogs:
            dialog.raise_()
    modal = QApplication.activeModalWidget()
    target = modal if modal is not None and modal in dialogs else window
    target.activateWindow()


def _belongs_to(widget: QWidget, window: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if parent is window:
            return True
        parent = parent.parentWidget()
    return False


def main_window() -> QWidget | None:
    """The app's main window, found without importing it (any top-level QMainWindow)."""
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow)]
    visible = [w for w in windows if w.isVisible()]
    candidates = visible or windows
    return candidates[0] if candidates else None


def notify_running(name: str | None = None, *, timeout_ms: int = REPLY_TIMEOUT_MS) -> bool:
    """Ask a running instance to raise its window; True if one is there.

    A server that accepts the connection but does not answer within ``timeout_ms`` still
    counts as running (its GUI is busy): starting a second app on the same data would be
    worse than waiting for the first.
    """
    name = name or server_name()
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    if sys.platform == "win32":
        _allow_foreground()
    token = os.environ.get(TOKEN_ENV, "")
    message = RAISE + (b" " + token.encode("utf-8", "replace") if token else b"") + b"\n"
    socket.write(QByteArray(message))
    socket.flush()
    socket.waitForBytesWritten(timeout_ms)
    answered = socket.waitForReadyRead(timeout_ms)
    reply = bytes(socket.readAll().data()).strip() if answered else b""
    if reply != OK:
        log.warning("the running instance did not confirm the raise request (%r)", reply)
    socket.disconnectFromServer()
    if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
        socket.waitForDisconnected(CONNECT_TIMEOUT_MS)
    return True


def _allow_foreground() -> None:
    """Windows only lets the foreground process hand focus on: this launch is the
    foreground process (the person just double-clicked it), so it lets the first take it."""
    try:
        import ctypes

        asfw_any = -1
        ctypes.windll.user32.AllowSetForegroundWindow(asfw_any)  # type: ignore[attr-defined,unused-ignore]
    except Exception:
        log.debug("AllowSetForegroundWindow failed", exc_info=True)


class SingleInstance(QObject):
    """The first instance's side: listens, and raises ``window`` on request.

    ``window`` may be set later (the window is made after the check); until then, or if it
    is None, the first top-level ``QMainWindow`` is raised. ``raiseRequested`` fires for
    each request, after the window was brought to front. ``other_running`` is True when
    ``listen`` found another instance that started at the same moment (this one should
    then exit, its request already sent).
    """

    raiseRequested = Signal()

    def __init__(
        self,
        name: str | None = None,
        *,
        window: QWidget | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.name = name or server_name()
        self.window = window
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}
        self.other_running = False

    def notify_running(self, timeout_ms: int = REPLY_TIMEOUT_MS) -> bool:
        return notify_running(self.name, timeout_ms=timeout_ms)

    def listen(self) -> bool:
        """Become the instance others find. False if that fails (the app runs anyway)."""
        if self.server.isListening():
            return True
        if self.server.listen(self.name):
            return True
        if self.server.serverError() == QAbstractSocket.SocketError.AddressInUseError:
            if notify_running(self.name, timeout_ms=CONNECT_TIMEOUT_MS):
                log.info("another instance started at the same moment; it keeps the window")
                self.other_running = True
                return False
            log.info("removing a stale single-instance socket %s", self.name)
            QLocalServer.removeServer(self.name)
            if self.server.listen(self.name):
                return True
        log.warning(
            "single-instance server %s could not listen: %s",
            self.name,
            self.server.errorString(),
        )
        return False

    def close(self) -> None:
        """Stop listening and drop open connections (idempotent)."""
        for socket in list(self._buffers):
            self._forget(socket)
            socket.abort()
        self.server.close()

    @Slot()
    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            if socket is None:
                break
            self._buffers[socket] = b""
            # Bound slots (not lambdas): Qt disconnects them when this object goes away,
            # so a socket closing during teardown never calls into a deleted guard.
            socket.readyRead.connect(self._ready_read)
            socket.disconnected.connect(self._disconnected)
            if socket.bytesAvailable():
                self._read(socket)

    @Slot()
    def _ready_read(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._read(socket)

    @Slot()
    def _disconnected(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket) and self._forget(socket):
            socket.deleteLater()

    def _forget(self, socket: QLocalSocket) -> bool:
        if self._buffers.pop(socket, None) is None:
            return False
        socket.readyRead.disconnect(self._ready_read)
        socket.disconnected.disconnect(self._disconnected)
        return True

    def _read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.readAll().data())
        if b"\n" not in data:
            if len(data) > _MAX_MESSAGE:
                self._forget(socket)
                socket.abort()
                socket.deleteLater()
            else:
                self._buffers[socket] = data
            return
        line = data.split(b"\n", 1)[0].strip()
        self._buffers[socket] = b""
        command, _, argument = line.partition(b" ")
        if command == RAISE:
            self._raise(argument.decode("utf-8", "replace").strip())
            socket.write(QByteArray(OK + b"\n"))
        else:
            log.warning("unknown single-instance request %r", line[:80])
            socket.write(QByteArray(b"unknown\n"))
        socket.flush()
        socket.disconnectFromServer()

    def _raise(self, token: str) -> None:
        if token and QGuiApplication.platformName().startswith("wayland"):
            os.environ[TOKEN_ENV] = token  # Qt's Wayland plugin uses it on activateWindow
        window = self.window or main_window()
        if window is not None:
            bring_to_front(window)
            log.info("another launch asked for the window; raised it")
        else:
            log.info("another launch asked for the window, but there is none yet")
        self.raiseRequested.emit()

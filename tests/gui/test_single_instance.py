"""A second launch raises the first window and exits 0: the first instance is this test
process (a real, offscreen main window), the second is the real launcher in a subprocess
pointed at the same data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, Qt
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow
from pytestqt.qtbot import QtBot

from imgloop_desktop.gui.single_instance import SingleInstance, notify_running, server_name

LAUNCH_TIMEOUT_MS = 60_000


@pytest.fixture
def windows(qtbot: QtBot) -> tuple[QMainWindow, QMainWindow]:
    """The app's window, minimized, and another window that has the focus."""
    first = QMainWindow()
    first.setWindowTitle("imgloop desktop")
    other = QMainWindow()
    other.setWindowTitle("some other window")
    for window in (first, other):
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
    first.showMinimized()
    other.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is other)
    assert first.isMinimized()
    return first, other


@pytest.fixture
def guard(isolated_env: Path) -> Iterator[SingleInstance]:
    instance = SingleInstance()
    assert instance.listen(), instance.server.errorString()
    yield instance
    instance.close()
    instance.deleteLater()


def launch_second(data_dir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "imgloop_desktop.launcher", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


def test_second_launch_raises_the_first_window_and_exits_0(
    qtbot: QtBot,
    windows: tuple[QMainWindow, QMainWindow],
    guard: SingleInstance,
    isolated_env: Path,
) -> None:
    first, _other = windows
    guard.window = first
    with qtbot.waitSignal(guard.raiseRequested, timeout=LAUNCH_TIMEOUT_MS):
        second = launch_second(isolated_env)
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, out + err
    qtbot.waitUntil(lambda: QApplication.activeWindow() is first)
    assert not first.isMinimized()
    assert first.isVisible()
    assert first.isActiveWindow()
    log = (isolated_env / "logs" / "imgloop.log").read_text(encoding="utf-8")
    assert "already running for this data folder" in log


def test_without_a_window_set_the_main_window_is_found(
    qtbot: QtBot, windows: tuple[QMainWindow, QMainWindow], guard: SingleInstance
) -> None:
    first, other = windows
    other.hide()  # the visible main window is the one to raise
    socket = QLocalSocket()
    with qtbot.waitSignal(guard.raiseRequested):
        socket.connectToServer(guard.name)
        socket.write(QByteArray(b"raise\n"))
    qtbot.waitUntil(lambda: socket.bytesAvailable() > 0 or socket.waitForReadyRead(0))
    assert bytes(socket.readAll().data()).strip() == b"ok"
    qtbot.waitUntil(lambda: QApplication.activeWindow() is first)
    socket.abort()


def test_an_open_modal_dialog_comes_up_with_the_window_and_gets_the_focus(
    qtbot: QtBot, windows: tuple[QMainWindow, QMainWindow], guard: SingleInstance
) -> None:
    first, other = windows
    guard.window = first
    dialog = QDialog(first)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.open()
    qtbot.waitExposed(dialog)
    other.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is other)
    socket = QLocalSocket()
    with qtbot.waitSignal(guard.raiseRequested):
        socket.connectToServer(guard.name)
        socket.write(QByteArray(b"raise\n"))
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    assert not first.isMinimized()
    socket.abort()
    dialog.close()


def test_another_data_dir_is_another_app(tmp_path: Path, isolated_env: Path) -> None:
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")
    assert server_name(tmp_path / "a") == server_name(tmp_path / "a" / ".." / "a")
    assert server_name(tmp_path / "a", user="ann") != server_name(tmp_path / "a", user="bob")
    assert server_name() == server_name(isolated_env)


def test_socket_lives_in_the_private_runtime_dir_on_linux(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert Path(server_name(tmp_path / "data")).parent == tmp_path
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert "/" not in server_name(tmp_path / "data")


def test_nobody_listening_means_not_running(isolated_env: Path) -> None:
    assert not notify_running(server_name(isolated_env / "nobody"))


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes leave no file behind")
def test_a_stale_socket_from_a_crashed_instance_is_replaced(
    qtbot: QtBot, tmp_path: Path, isolated_env: Path
) -> None:
    name = server_name()
    crashed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys\n"
            "from PySide6.QtNetwork import QLocalServer\n"
            "server = QLocalServer()\n"
            "ok = server.listen(sys.argv[1])\n"
            "os._exit(0 if ok else 1)  # dies without closing: the socket file stays\n",
            name,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert crashed.returncode == 0, crashed.stderr
    probe = QLocalServer()
    assert not probe.listen(name)  # the leftover really blocks a naive listen
    instance = SingleInstance(name)
    socket = QLocalSocket()
    try:
        assert instance.listen(), instance.server.errorString()
        assert not instance.other_running
        with qtbot.waitSignal(instance.raiseRequested):
            socket.connectToServer(name)
            socket.write(QByteArray(b"raise\n"))
    finally:
        socket.abort()
        instance.close()
        instance.deleteLater()


def test_unknown_requests_are_answered_and_ignored(qtbot: QtBot, guard: SingleInstance) -> None:
    raised: list[bool] = []
    guard.raiseRequested.connect(lambda: raised.append(True))
    socket = QLocalSocket()
    socket.connectToServer(guard.name)
    socket.write(QByteArray(b"open /etc/passwd\n"))
    qtbot.waitUntil(lambda: socket.bytesAvailable() > 0 or socket.waitForReadyRead(0))
    assert bytes(socket.readAll().data()).strip() == b"unknown"
    assert not raised
    socket.abort()

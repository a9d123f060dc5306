"""The real start sequence in a subprocess (offscreen): the log file, the single-instance
server, the last crash's trace offered, the first-run welcome, a second launch raising the
window, and SIGTERM closing everything cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from imgloop_desktop.gui.single_instance import notify_running, server_name
from tests.packaging.conftest import load_packaging_script

window_check = load_packaging_script("window_check")
wait_for = window_check.wait_for  # a bounded poll of a starting app, as the bundle check's
START_TIMEOUT_SECONDS = window_check.START_TIMEOUT_SECONDS

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGTERM")


def launch_first_run(data: Path, tmp_path: Path) -> subprocess.Popen[str]:
    """The real app, offscreen, as on a first run: fresh settings, no AWS set up."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),  # QSettings: a first run
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
    }
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        env.pop(name, None)
    return subprocess.Popen(
        [sys.executable, "-m", "imgloop_desktop.launcher", "--data-dir", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_app_starts_offers_the_crash_trace_welcomes_raises_and_stops_on_sigterm(
    isolated_env: Path, tmp_path: Path
) -> None:
    logs = isolated_env / "logs"
    logs.mkdir(parents=True)
    (logs / "crash-trace.txt").write_text("Fatal Python error: Segmentation fault\n")
    app = launch_first_run(isolated_env, tmp_path)
    log_file = logs / "imgloop.log"

    def log_has(text: str) -> Callable[[], bool]:
        return lambda: log_file.exists() and text in log_file.read_text(encoding="utf-8")

    try:
        wait_for(log_has("offering the trace of the last crash"), "crash offer", app)
        # The welcome waits for the crash offer to be answered; only the window is up now.
        name = server_name(isolated_env)
        assert notify_running(name)
        wait_for(log_has("another launch asked for the window; raised it"), "raise", app)
        app.send_signal(signal.SIGTERM)
        _out, err = app.communicate(timeout=START_TIMEOUT_SECONDS)
    finally:
        if app.poll() is None:
            app.kill()
            app.communicate()
    assert app.returncode == 0, err
    text = log_file.read_text(encoding="utf-8")
    assert "received SIGTERM; closing" in text
    assert "imgloop desktop stopped" in text
    assert not notify_running(name)  # the server is gone with the app
    socket_file = Path(name) if Path(name).is_absolute() else Path(tempfile.gettempdir()) / name
    assert not socket_file.exists()  # and no socket file is left behind
    traces = list(logs.glob("crash-trace-*.txt"))
    assert len(traces) == 1 and "Segmentation fault" in traces[0].read_text()
    assert (logs / "crash-trace.txt").read_text() == ""  # a clean exit leaves it empty


def test_first_run_welcome_opens_over_the_window(isolated_env: Path, tmp_path: Path) -> None:
    app = launch_first_run(isolated_env, tmp_path)
    log_file = isolated_env / "logs" / "imgloop.log"
    try:
        wait_for(
            lambda: (
                log_file.exists()
                and "showing the first-run welcome" in log_file.read_text(encoding="utf-8")
            ),
            "welcome",
            app,
        )
        app.send_signal(signal.SIGINT)  # Ctrl-C in the terminal closes it the same way
        _out, err = app.communicate(timeout=START_TIMEOUT_SECONDS)
    finally:
        if app.poll() is None:
            app.kill()
            app.communicate()
    assert app.returncode == 0, err
    assert "imgloop desktop stopped" in log_file.read_text(encoding="utf-8")


def test_a_start_that_fails_before_the_window_is_not_offered_as_a_crash(
    isolated_env: Path, tmp_path: Path
) -> None:
    """Qt aborting at start (xcb with no X server behind DISPLAY) is said on stderr and in
    the log as a failed start; the next start logs it but offers no crash trace."""
    runtime = tmp_path / "no-x"
    runtime.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE") and not k.startswith("AWS_")
    }
    # An X display nobody serves: no socket of that number, no abstract one either.
    env |= {"QT_QPA_PLATFORM": "xcb", "DISPLAY": f"unix:{runtime}/missing-socket"}
    failed = subprocess.run(
        [sys.executable, "-m", "imgloop_desktop.launcher", "--data-dir", str(isolated_env)],
        capture_output=True,
        text=True,
        env=env,
        timeout=START_TIMEOUT_SECONDS,
        check=False,
    )
    assert failed.returncode != 0
    logs = isolated_env / "logs"
    if failed.returncode == -signal.SIGABRT:  # Qt started and aborted (libraries present)
        assert "imgloop could not start" in failed.stderr
        assert "imgloop could not start" in (logs / "imgloop.log").read_text(encoding="utf-8")
        assert (logs / "starting" / "crash-trace.txt").stat().st_size > 0
    assert not (logs / "crash-trace.txt").exists()  # nothing for a crash offer

    app = launch_first_run(isolated_env, tmp_path)
    log_file = logs / "imgloop.log"
    try:
        wait_for(
            lambda: "showing the first-run welcome" in log_file.read_text(encoding="utf-8"),
            "welcome",
            app,
        )
        app.send_signal(signal.SIGTERM)
        _out, err = app.communicate(timeout=START_TIMEOUT_SECONDS)
    finally:
        if app.poll() is None:
            app.kill()
            app.communicate()
    assert app.returncode == 0, err
    text = log_file.read_text(encoding="utf-8")
    assert "offering the trace of the last crash" not in text
    if failed.returncode == -signal.SIGABRT:
        assert "failed before its window opened (a failed start, not a crash" in text
    assert not list(logs.glob("crash-trace-*.txt"))

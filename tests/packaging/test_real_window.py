"""The real window on X11: the app started as a person starts it (``QT_QPA_PLATFORM=xcb``),
under a private Xvfb, maps its main window and stops cleanly.

Offscreen tests never load the xcb plugin, so they cannot notice a missing X11 library;
this one can. In CI (``CI`` set) a missing Xvfb or xdotool fails the test (``.ci/run``
installs them); on a developer machine without them it is skipped.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.packaging.conftest import require_tool

START_TIMEOUT_SECONDS = 60.0
TITLE = "imgloop desktop"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 is Linux's")


def _stop(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def xvfb() -> Iterator[str]:
    """A private X server; ``-displayfd`` lets Xvfb pick a free display number and tell us,
    so parallel runs and a person's own displays are never taken."""
    server = require_tool("Xvfb", "xvfb")
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [server, "-displayfd", str(write_end), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], START_TIMEOUT_SECONDS)
        number = os.read(read_end, 32).decode().strip() if ready else ""
        if not number:
            _stop(process)
            err = process.stderr.read().decode(errors="replace") if process.stderr else ""
            pytest.fail(f"Xvfb did not start: {err}")
        yield f":{number}"
    finally:
        os.close(read_end)
        _stop(process)
        if process.stderr is not None:
            process.stderr.close()


def wait_for(condition: Callable[[], bool], what: str, app: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        if app.poll() is not None:
            _out, err = app.communicate()
            raise AssertionError(f"the app exited ({app.returncode}) before {what}: {err}")
        select.select([], [], [], 0.1)  # a bounded poll interval, not a fixed wait for the app
    raise AssertionError(f"no {what} within {START_TIMEOUT_SECONDS}s")


def test_the_real_window_maps_under_xvfb(xvfb: str, tmp_path: Path) -> None:
    xdotool = require_tool("xdotool", "xdotool")
    data = tmp_path / "data"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") and k not in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE")
    }
    env |= {
        "QT_QPA_PLATFORM": "xcb",
        "DISPLAY": xvfb,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
    }
    app = subprocess.Popen(
        [sys.executable, "-m", "imgloop_desktop.launcher", "--data-dir", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )

    def mapped() -> bool:
        found = subprocess.run(
            [xdotool, "search", "--onlyvisible", "--name", f"^{TITLE}"],
            capture_output=True,
            text=True,
            env=env,
            timeout=10,
            check=False,
        )
        return found.returncode == 0 and bool(found.stdout.strip())

    try:
        wait_for(mapped, "main window mapped on the X server", app)
        app.send_signal(signal.SIGTERM)
        _out, err = app.communicate(timeout=START_TIMEOUT_SECONDS)
    finally:
        if app.poll() is None:
            app.kill()
            app.communicate()
    assert app.returncode == 0, err
    log = (data / "logs" / "imgloop.log").read_text(encoding="utf-8")
    assert "imgloop desktop stopped" in log
    assert "could not start" not in log
    traces = [p for p in (data / "logs").rglob("crash-trace*.txt") if p.stat().st_size > 0]
    assert traces == []

"""Start the app as a person does, on X11, and prove its main window maps and closes cleanly.

    python packaging/window_check.py [--data-dir DIR] -- COMMAND [ARGS...]

Offscreen starts never load Qt's xcb plugin, so they cannot notice a missing X11 library or
a bundle that left one out; this can. It starts a private Xvfb (``-displayfd`` lets the
server pick a free display number, so parallel runs and a person's own displays are never
taken), runs COMMAND there with ``QT_QPA_PLATFORM=xcb`` and no AWS settings, waits until
``xdotool`` sees the visible window titled "imgloop desktop", sends SIGTERM, and requires
exit 0 and a log that says the app stopped without a failed start or a crash trace.

Used by ``packaging/build.py`` on the built bundle, by the release workflow, and by
``tests/packaging/test_real_window.py`` on the source, so all three check the same things.
"""

from __future__ import annotations

import argparse
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

TITLE = "imgloop desktop"
START_TIMEOUT_SECONDS = 60.0
SCREEN = "1366x768x24"


class WindowCheckError(Exception):
    """The window did not map, or the app did not stop cleanly; the message says which."""


def missing_tools() -> list[str]:
    """The Debian packages this check needs that are not installed."""
    return [
        pkg for tool, pkg in (("Xvfb", "xvfb"), ("xdotool", "xdotool")) if not shutil.which(tool)
    ]


def _stop(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def private_display(screen: str = SCREEN) -> Iterator[str]:
    """A private X server for the duration; yields its display name (``:N``)."""
    server = shutil.which("Xvfb")
    if server is None:
        raise WindowCheckError("Xvfb is not installed (Debian package: xvfb)")
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [server, "-displayfd", str(write_end), "-screen", "0", screen, "-nolisten", "tcp"],
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
            raise WindowCheckError(f"Xvfb did not start: {err}")
        yield f":{number}"
    finally:
        os.close(read_end)
        _stop(process)
        if process.stderr is not None:
            process.stderr.close()


def app_environment(display: str, home: Path) -> dict[str, str]:
    """The environment of a person's X11 session with no AWS settings and a private config
    folder (the app's remembered window state must not come from the machine's own)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") and k not in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE")
    }
    return env | {
        "QT_QPA_PLATFORM": "xcb",
        "DISPLAY": display,
        "XDG_CONFIG_HOME": str(home / "config"),
        "AWS_CONFIG_FILE": str(home / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-aws-credentials"),
    }


def wait_for(condition: Callable[[], bool], what: str, app: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        if app.poll() is not None:
            _out, err = app.communicate()
            raise WindowCheckError(f"the app exited ({app.returncode}) before {what}: {err}")
        select.select([], [], [], 0.1)  # a bounded poll interval, not a fixed wait for the app
    raise WindowCheckError(f"no {what} within {START_TIMEOUT_SECONDS:.0f}s")


def check_window(command: list[str], data: Path, home: Path) -> str:
    """Run ``command`` (which must use ``data`` as its data folder) on a private X server;
    returns a one-line summary, or raises WindowCheckError saying what went wrong."""
    xdotool = shutil.which("xdotool")
    if xdotool is None:
        raise WindowCheckError("xdotool is not installed (Debian package: xdotool)")
    started = time.monotonic()
    with private_display() as display:
        env = app_environment(display, home)
        app = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
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
            shown = time.monotonic() - started
            app.send_signal(signal.SIGTERM)
            _out, err = app.communicate(timeout=START_TIMEOUT_SECONDS)
        finally:
            if app.poll() is None:
                app.kill()
                app.communicate()
    if app.returncode != 0:
        raise WindowCheckError(f"the app exited {app.returncode} after SIGTERM: {err}")
    log_file = data / "logs" / "imgloop.log"
    log = log_file.read_text(encoding="utf-8") if log_file.exists() else ""
    if "imgloop desktop stopped" not in log:
        raise WindowCheckError(f"{log_file} does not say the app stopped:\n{log}")
    if "could not start" in log:
        raise WindowCheckError(f"{log_file} records a failed start:\n{log}")
    traces = [p for p in (data / "logs").rglob("crash-trace*.txt") if p.stat().st_size > 0]
    if traces:
        raise WindowCheckError(f"crash traces were written: {', '.join(map(str, traces))}")
    return f"window mapped on xcb in {shown:.1f}s and closed cleanly on SIGTERM"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data-dir", type=Path, help="the app's data folder (default: a temp one)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARGS...]")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to start after --")
    with tempfile.TemporaryDirectory(prefix="imgloop-window-") as tmp:
        data = args.data_dir or Path(tmp) / "data"
        try:
            print(check_window([*command, "--data-dir", str(data)], data, Path(tmp)))
        except WindowCheckError as exc:
            print(f"window check FAILED: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The launch check: which platform Qt will pick, which libraries do not resolve, the one
install line, and the launcher exiting with it (no Qt started, no crash trace)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from imgloop_desktop import platform_check
from imgloop_desktop.platform_check import (
    EXIT_MISSING_LIBRARIES,
    PACKAGES,
    WINDOW_PACKAGES,
    check,
    not_found,
    platform_candidates,
    uses_xcb,
)

# What ldd prints for the xcb plugin on a Debian 12 without two of the xcb utility libraries.
LDD_MISSING = """\
/venv/PySide6/Qt/plugins/platforms/libqxcb.so:
\tlinux-vdso.so.1 (0x00007ffd1c5f7000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x1)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f2b4d0b0000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f2b4d080000)
/venv/PySide6/QtNetwork.abi3.so:
\tlibxcb-icccm.so.4 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007f2b4d0c2000)
"""
X11 = {"DISPLAY": ":0"}


class FakeLdd:
    """Stands in for ``run_ldd``; remembers what it was asked about."""

    def __init__(self, output: str) -> None:
        self.output = output
        self.asked: list[Path] = []

    def __call__(self, paths: Sequence[Path]) -> str:
        self.asked.extend(paths)
        return self.output


def fake_qt(tmp_path: Path) -> Path:
    """A PySide6 folder with the files the check looks for (contents do not matter)."""
    qt = tmp_path / "PySide6" / "Qt"
    (qt / "plugins" / "platforms").mkdir(parents=True)
    (qt / "plugins" / "platforms" / "libqxcb.so").write_bytes(b"")
    for module in platform_check.QT_MODULES:
        (qt.parent / f"{module}.abi3.so").write_bytes(b"")
    return qt


@pytest.mark.parametrize(
    ("argv", "env", "expected"),
    [
        ([], {}, ["xcb"]),
        ([], {"QT_QPA_PLATFORM": "offscreen"}, ["offscreen"]),
        (["-platform", "offscreen"], {"QT_QPA_PLATFORM": "xcb"}, ["offscreen"]),
        (["--platform", "xcb:nograb"], {}, ["xcb"]),
        ([], {"XDG_SESSION_TYPE": "wayland"}, ["wayland", "xcb"]),
        ([], {"WAYLAND_DISPLAY": "wayland-1"}, ["wayland", "xcb"]),
        ([], {"QT_QPA_PLATFORM": "wayland;xcb"}, ["wayland", "xcb"]),
    ],
)
def test_the_platforms_qt_will_try(
    argv: list[str], env: dict[str, str], expected: list[str]
) -> None:
    assert platform_candidates(argv, env) == expected


def test_wayland_is_used_only_where_a_compositor_listens(tmp_path: Path) -> None:
    session = {"XDG_SESSION_TYPE": "wayland", "XDG_RUNTIME_DIR": str(tmp_path)}
    assert uses_xcb([], session)  # no socket: Qt falls back to xcb
    (tmp_path / "wayland-0").touch()
    assert not uses_xcb([], session)
    assert not uses_xcb([], {"QT_QPA_PLATFORM": "offscreen"})
    assert not uses_xcb([], {"QT_QPA_PLATFORM": "wayland", "XDG_RUNTIME_DIR": str(tmp_path)})


def test_missing_libraries_give_one_install_line(tmp_path: Path) -> None:
    ldd = FakeLdd(LDD_MISSING)
    problem = check([], X11, platform="linux", qt=fake_qt(tmp_path), ldd=ldd)
    assert problem is not None
    assert problem.missing == ("libxcb-icccm.so.4", "libxcb-keysyms.so.1")
    assert ldd.asked[0].name == "libqxcb.so"
    assert {p.name for p in ldd.asked} >= {"QtGui.abi3.so", "QtNetwork.abi3.so"}
    message = problem.message()
    install = [line for line in message.splitlines() if "apt-get install" in line]
    assert install == ["Install them: sudo apt-get install libxcb-icccm4 libxcb-keysyms1"]
    assert "dnf install xcb-util-wm xcb-util-keysyms" in message
    assert "pacman -S xcb-util-wm xcb-util-keysyms" in message


def test_an_unknown_library_is_named_without_a_guessed_package(tmp_path: Path) -> None:
    ldd = FakeLdd("\tlibxcb-icccm.so.4 => not found\n\tlibfuture.so.9 => not found\n")
    problem = check([], X11, platform="linux", qt=fake_qt(tmp_path), ldd=ldd)
    assert problem is not None
    message = problem.message()
    assert "apt-get install libxcb-icccm4\n" in message
    assert "libfuture.so.9" in message and "apt-file search" in message


def test_nothing_is_checked_off_xcb_or_off_linux(tmp_path: Path) -> None:
    ldd = FakeLdd(LDD_MISSING)
    qt = fake_qt(tmp_path)
    assert check([], {"QT_QPA_PLATFORM": "offscreen"}, platform="linux", qt=qt, ldd=ldd) is None
    assert check(["-platform", "minimal"], X11, platform="linux", qt=qt, ldd=ldd) is None
    assert check([], X11, platform="win32", qt=qt, ldd=ldd) is None
    assert check([], X11, platform="darwin", qt=qt, ldd=ldd) is None
    assert ldd.asked == []


def test_all_resolving_with_no_display_says_so(tmp_path: Path) -> None:
    ok = FakeLdd("\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x1)\n")
    qt = fake_qt(tmp_path)
    assert check([], X11, platform="linux", qt=qt, ldd=ok) is None
    problem = check([], {}, platform="linux", qt=qt, ldd=ok)
    assert problem is not None and problem.no_display
    assert "DISPLAY is not set" in problem.message()


def test_ldd_output_is_parsed() -> None:
    assert not_found(LDD_MISSING) == [
        "libxcb-icccm.so.4",
        "libxcb-keysyms.so.1",
        "libxcb-icccm.so.4",
    ]


def test_the_readme_lists_every_package_a_window_needs() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    line = next(x for x in readme.splitlines() if "apt-get install" in x and "libxcb-icccm4" in x)
    assert set(WINDOW_PACKAGES) <= set(line.replace("`", " ").split())
    assert set(WINDOW_PACKAGES) <= {p.debian for p in PACKAGES.values()}
    ci_run = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    listed = ci_run.split("window=(", 1)[1].split(")", 1)[0].split()
    assert set(WINDOW_PACKAGES) <= set(listed)  # CI installs what the README names


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldd and xcb are Linux's")
def test_the_installed_plugin_is_what_ldd_reads() -> None:
    """The real plugin and ldd: the check reads what Qt would load (resolved or not)."""
    qt = platform_check.qt_dir()
    assert qt is not None
    objects = platform_check.xcb_objects(qt, {})
    assert objects and objects[0].name == "libqxcb.so"
    report = platform_check.run_ldd(objects)
    assert "libxcb.so.1 =>" in report
    missing = platform_check.missing_libraries(objects)
    assert set(missing) <= set(PACKAGES), missing  # every gap gets a package name
    if os.environ.get("CI"):
        assert missing == []  # .ci/run installs the README's set


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldd and xcb are Linux's")
def test_the_launcher_prints_the_install_line_and_leaves_no_crash(
    isolated_env: Path, tmp_path: Path
) -> None:
    """With ``ldd`` reporting two libraries missing, the real launcher exits non-zero with
    the install line before Qt starts: no traceback, no crash trace, the message logged."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    report = tmp_path / "ldd-output.txt"
    report.write_text(LDD_MISSING)
    ldd = fake_bin / "ldd"
    ldd.write_text(f"#!/bin/sh\ncat '{report}'\n")
    ldd.chmod(0o755)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE")
    }
    env |= {"DISPLAY": ":0", "PATH": f"{fake_bin}{os.pathsep}{env.get('PATH', '')}"}
    done = subprocess.run(
        [sys.executable, "-m", "imgloop_desktop.launcher", "--data-dir", str(isolated_env)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == EXIT_MISSING_LIBRARIES, done.stderr
    install = [line for line in done.stderr.splitlines() if "apt-get install" in line]
    assert install == ["Install them: sudo apt-get install libxcb-icccm4 libxcb-keysyms1"]
    assert "Traceback" not in done.stderr and "Fatal" not in done.stderr
    logs = isolated_env / "logs"
    assert "sudo apt-get install libxcb-icccm4" in (logs / "imgloop.log").read_text()
    traces = [p for p in logs.rglob("crash-trace*.txt") if p.stat().st_size > 0]
    assert traces == []  # nothing for the next start to offer

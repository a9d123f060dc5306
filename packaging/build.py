#!/usr/bin/env python3
"""Build the double-clickable app with PyInstaller, then prove the result starts.

    .venv/bin/python packaging/build.py [--skip-smoke] [--smoke-only] [--no-clean]

The build is ``packaging/imgloop.spec`` into ``dist/`` (work files in ``build/``; both are
git-ignored). The smoke check then runs the *built* binary, not the source, with
``--self-test`` on Qt's offscreen platform and a throwaway data folder: Qt must start, the
data folder open, the keyring backends be present and the simulator answer through
boto3. A bundle that builds but misses a plugin, a hidden import or a data file fails
here instead of on someone's desktop. On Linux the bundle is then started as a person starts
it, on the real xcb platform under a private Xvfb (``packaging/window_check.py``): its window
must map and close cleanly on SIGTERM, which proves the bundled xcb plugin loads with only
the libraries a desktop has. Without Xvfb and xdotool that step is skipped with a note, and
fails when ``CI`` is set (``.ci/run`` installs them).

PyInstaller cannot cross-compile: run this on each OS to get that OS's app
(``dist/imgloop/`` on Linux and Windows, ``dist/imgloop desktop.app`` on macOS).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import window_check  # beside this script (a script's folder is first on sys.path)

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "imgloop.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build"
SMOKE_TIMEOUT_SECONDS = 180
REPORT_FILE = "self-test.txt"


def bundle_dir() -> Path:
    if sys.platform == "darwin":
        return DIST / "imgloop desktop.app"
    return DIST / "imgloop"


def binary() -> Path:
    if sys.platform == "darwin":
        return bundle_dir() / "Contents" / "MacOS" / "imgloop"
    return bundle_dir() / ("imgloop.exe" if os.name == "nt" else "imgloop")


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build(clean: bool) -> float:
    started = time.monotonic()
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level=WARN",
        f"--distpath={DIST}",
        f"--workpath={WORK}",
    ]
    if clean:
        command.append("--clean")
    command.append(str(SPEC))
    print("+", " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, check=True)
    return time.monotonic() - started


def smoke() -> tuple[int, float]:
    """Run the built binary's self-test offscreen; (exit code, seconds)."""
    exe = binary()
    if not exe.exists():
        print(f"smoke check: {exe} is missing; build first", file=sys.stderr)
        return 1, 0.0
    with tempfile.TemporaryDirectory(prefix="imgloop-smoke-") as tmp:
        data = Path(tmp) / "data"
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", IMGLOOP_DATA_DIR=str(data))
        for name in [n for n in env if n.startswith("AWS_")]:
            del env[name]  # the simulator is local; nothing here may reach AWS
        command = [str(exe), "--data-dir", str(data), "--self-test"]
        print("+ QT_QPA_PLATFORM=offscreen", " ".join(command), flush=True)
        started = time.monotonic()
        try:
            result = subprocess.run(
                command,
                env=env,
                capture_output=True,
                text=True,
                timeout=SMOKE_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            print(f"smoke check: no answer within {SMOKE_TIMEOUT_SECONDS}s", file=sys.stderr)
            return 1, time.monotonic() - started
        seconds = time.monotonic() - started
        output = result.stdout
        report = data / REPORT_FILE
        if not output.strip() and report.exists():  # a windowed Windows exe has no stdout
            output = report.read_text(encoding="utf-8")
        print(output, end="")
        if result.stderr.strip():
            print(result.stderr, end="", file=sys.stderr)
        return result.returncode, seconds


def window_smoke() -> int:
    """The bundle's window on xcb under Xvfb (Linux only); 0 when it mapped and closed."""
    if not sys.platform.startswith("linux"):
        return 0
    missing = window_check.missing_tools()
    if missing:
        note = f"window check needs {', '.join(missing)} (apt-get install {' '.join(missing)})"
        if os.environ.get("CI"):
            print(f"{note}: CI must install them", file=sys.stderr)
            return 1
        print(f"{note}: skipped")
        return 0
    with tempfile.TemporaryDirectory(prefix="imgloop-window-") as tmp:
        data = Path(tmp) / "data"
        command = [str(binary()), "--data-dir", str(data)]
        print("+ QT_QPA_PLATFORM=xcb (private Xvfb)", " ".join(command), flush=True)
        try:
            print(window_check.check_window(command, data, Path(tmp)))
        except window_check.WindowCheckError as exc:
            print(f"window check FAILED: {exc}", file=sys.stderr)
            return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the imgloop bundle and smoke-test it.")
    parser.add_argument("--skip-smoke", action="store_true", help="build only")
    parser.add_argument("--smoke-only", action="store_true", help="test an existing build")
    parser.add_argument(
        "--no-clean", action="store_true", help="reuse PyInstaller's cache (faster rebuilds)"
    )
    args = parser.parse_args(argv)
    total = time.monotonic()
    build_seconds = 0.0
    if not args.smoke_only:
        try:
            build_seconds = build(clean=not args.no_clean)
        except subprocess.CalledProcessError as exc:
            print(f"PyInstaller failed (exit {exc.returncode})", file=sys.stderr)
            return exc.returncode or 1
        size = size_of(bundle_dir())
        print(f"built {bundle_dir()} in {build_seconds:.0f}s: {size / 1e6:.0f} MB", flush=True)
    code = 0
    if not args.skip_smoke:
        code, smoke_seconds = smoke()
        if code == 0:
            code = window_smoke()
        verdict = "passed" if code == 0 else f"FAILED (exit {code})"
        print(f"smoke check {verdict} in {smoke_seconds:.1f}s")
    print(f"total {time.monotonic() - total:.0f}s")
    return code


if __name__ == "__main__":
    sys.exit(main())

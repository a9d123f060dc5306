#!/usr/bin/env python3
"""Set up and run imgloop desktop with nothing but python3 and pip (our Makefile).

    python3 dev.py run [ARGS...]   set up .venv, then start the app (ARGS go to it)
    python3 dev.py test [PYTEST ARGS...]   set up .venv with test tools, lint, type-check, test
    python3 dev.py package [--skip-smoke|--smoke-only]   build dist/ with PyInstaller, then
                                                         run the bundle's --self-test offscreen
    python3 dev.py install-desktop [--uninstall]   add imgloop to this user's desktop menu

Debian's python3 ships without ensurepip unless python3-venv is installed, so when
``python3 -m venv`` cannot bootstrap pip we make the venv without pip and let the system
pip install into it with ``pip --python``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def sh(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, env=env)


def compile_translations() -> None:
    """Each ``resources/i18n/<language>/*.ts`` to its ``.qm`` (what Qt loads), when newer:
    the ``.ts`` files are the source kept in git, the ``.qm`` files are built here."""
    lrelease = BIN / ("pyside6-lrelease.exe" if os.name == "nt" else "pyside6-lrelease")
    if not lrelease.exists():
        return  # the core install (no Qt): nothing shows text
    for ts in sorted((ROOT / "resources" / "i18n").glob("*/*.ts")):
        qm = ts.with_suffix(".qm")
        if not qm.exists() or qm.stat().st_mtime < ts.stat().st_mtime:
            subprocess.run([str(lrelease), "-silent", str(ts), "-qm", str(qm)], check=True)


def ensure_venv(extras: str) -> None:
    ensure_packages(extras)
    if APP in extras.split(","):
        compile_translations()


def ensure_packages(extras: str) -> None:
    if not PYTHON.exists():
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except subprocess.CalledProcessError:
            print("ensurepip is missing; creating the venv without pip", flush=True)
            venv.EnvBuilder(with_pip=False, clear=True).create(VENV)
    spec = f".[{extras}]" if extras else "."
    stamp = VENV / f".installed-{extras or 'app'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    has_pip = (
        subprocess.run(
            [str(PYTHON), "-m", "pip", "--version"], capture_output=True, check=False
        ).returncode
        == 0
    )
    pip = [PYTHON, "-m", "pip"] if has_pip else [sys.executable, "-m", "pip", "--python", PYTHON]
    sh(*pip, "install", "--quiet", "--disable-pip-version-check", "-e", spec)
    stamp.write_text(digest)


# The package's core has no Qt or keyring (so it fits AWS Lambda); the app needs the
# "desktop" extra, and the tests need both it and the tools in "test".
APP = "desktop"


def run(args: list[str]) -> int:
    """The launcher checks, before Qt starts, that the window's X11 libraries resolve
    (``imgloop_desktop.platform_check``, which needs the venv's PySide6 to look at): when
    some are missing it prints the one ``apt-get install`` line and exits 3, which we pass on."""
    ensure_venv(APP)
    return subprocess.run([str(PYTHON), "-m", "imgloop_desktop", *args], cwd=ROOT).returncode


def test(args: list[str]) -> int:
    ensure_venv(f"{APP},test")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
    sh(BIN / "ruff", "check", ".")
    sh(BIN / "ruff", "format", "--check", ".")
    sh(BIN / "mypy")
    sh(BIN / "lint-imports")  # the layer contracts in pyproject.toml
    return subprocess.run(pytest_command(args), cwd=ROOT, env=env, check=False).returncode


def pytest_command(args: list[str]) -> list[str]:
    """pytest, inside a private D-Bus session with its own unlocked Secret Service when the
    tools are installed, so the keyring tests use a real keyring but never the person's."""
    cmd = [str(PYTHON), "-m", "pytest", *args]
    tools = ("dbus-run-session", "dbus-send", "gnome-keyring-daemon", "secret-tool")
    if (
        sys.platform.startswith("linux")
        and not os.environ.get("IMGLOOP_KEYRING_SESSION")
        and all(shutil.which(t) for t in tools)
    ):
        cmd = [str(ROOT / ".ci" / "keyring-session.sh"), *cmd]
    return cmd


def package(args: list[str]) -> int:
    ensure_venv(f"{APP},package")
    return subprocess.run([str(PYTHON), "packaging/build.py", *args], cwd=ROOT).returncode


def install_desktop(args: list[str]) -> int:
    ensure_venv(APP)
    return subprocess.run([str(PYTHON), "packaging/install_desktop.py", *args], cwd=ROOT).returncode


COMMANDS = {"run": run, "test": test, "package": package, "install-desktop": install_desktop}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    try:
        return COMMANDS[command](rest)
    except subprocess.CalledProcessError as exc:
        return exc.returncode or 1


if __name__ == "__main__":
    sys.exit(main())

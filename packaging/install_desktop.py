#!/usr/bin/env python3
"""Put imgloop in this user's desktop menu (Linux and other freedesktop desktops).

    .venv/bin/python packaging/install_desktop.py [--exec PATH] [--data-home DIR]
    .venv/bin/python packaging/install_desktop.py --uninstall

Installs, for the current user only (no root, nothing outside the data home):

    $XDG_DATA_HOME/applications/io.github.imgloop.Desktop.desktop
    $XDG_DATA_HOME/icons/hicolor/<N>x<N>/apps/io.github.imgloop.Desktop.png  (each size)
    $XDG_DATA_HOME/icons/hicolor/scalable/apps/io.github.imgloop.Desktop.svg
    $XDG_DATA_HOME/metainfo/io.github.imgloop.Desktop.metainfo.xml

``XDG_DATA_HOME`` defaults to ``~/.local/share``. The launcher's ``Exec`` is the absolute
path of the venv's ``imgloop`` gui-script (the menu does not see the venv's ``bin`` on
PATH), so moving or deleting the venv breaks the entry: run this again afterwards, or
``--uninstall``. After changing files it refreshes the desktop and icon caches when those
tools exist; menus pick the entry up within seconds, or at the next login.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_ID = "io.github.imgloop.Desktop"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
DESKTOP_SOURCE = ROOT / "packaging" / "linux" / f"{APP_ID}.desktop"
METAINFO_SOURCE = ROOT / "packaging" / "linux" / f"{APP_ID}.metainfo.xml"
ICONS = ROOT / "resources" / "icons"
SCRIPT = "imgloop.exe" if os.name == "nt" else "imgloop"


def data_home(explicit: str | None = None) -> Path:
    """``--data-home``, else ``$XDG_DATA_HOME`` (if absolute, as the spec requires), else
    ``~/.local/share``."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("XDG_DATA_HOME", "")
    if env and Path(env).is_absolute():
        return Path(env)
    return Path.home() / ".local" / "share"


def default_exec() -> Path:
    """The ``imgloop`` gui-script beside this Python when it runs in a venv, else the
    project's ``.venv``."""
    if sys.prefix != sys.base_prefix:
        here = Path(sys.executable).parent / SCRIPT
        if here.exists():
            return here
    return ROOT / ".venv" / ("Scripts" if os.name == "nt" else "bin") / SCRIPT


def targets(home: Path) -> dict[Path, Path]:
    """Installed file → source file."""
    files = {
        home / "applications" / f"{APP_ID}.desktop": DESKTOP_SOURCE,
        home / "metainfo" / f"{APP_ID}.metainfo.xml": METAINFO_SOURCE,
        home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg": ICONS / "imgloop.svg",
    }
    for size in SIZES:
        icon = home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        files[icon] = ICONS / f"imgloop-{size}.png"
    return files


def _quote_exec(path: Path) -> str:
    """An Exec argument per the Desktop Entry spec: quoted when it has reserved characters,
    with ``"``, `` ` ``, ``$`` and ``\\`` escaped inside the quotes."""
    text = str(path)
    if not any(c in text for c in " \t\n\"'\\><~|&;$*?#()`"):
        return text
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in text)
    return f'"{escaped}"'


def desktop_entry(executable: Path) -> str:
    """The shipped .desktop file with Exec and TryExec pointing at ``executable``."""
    lines = []
    for line in DESKTOP_SOURCE.read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            line = f"Exec={_quote_exec(executable)}"
        elif line.startswith("TryExec="):
            line = f"TryExec={executable}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def _refresh_caches(home: Path, quiet: bool) -> None:
    """Best effort: desktops also notice new files by themselves, only more slowly."""
    commands = [
        ["update-desktop-database", "-q", str(home / "applications")],
        ["gtk-update-icon-cache", "-q", "-t", "-f", str(home / "icons" / "hicolor")],
    ]
    for command in commands:
        if shutil.which(command[0]) and Path(command[-1]).is_dir():
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            if result.returncode != 0 and not quiet:
                print(f"note: {command[0]} said: {result.stderr.strip()}", file=sys.stderr)


def install(home: Path, executable: Path, *, quiet: bool = False) -> list[Path]:
    written = []
    for target, source in targets(home).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        if source == DESKTOP_SOURCE:
            target.write_text(desktop_entry(executable), encoding="utf-8")
            target.chmod(0o755)  # some desktops only trust executable launchers
        else:
            shutil.copyfile(source, target)
        written.append(target)
    _refresh_caches(home, quiet)
    return written


def uninstall(home: Path, *, quiet: bool = False) -> list[Path]:
    removed = []
    for target in targets(home):
        if target.exists():
            target.unlink()
            removed.append(target)
    _refresh_caches(home, quiet)
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Install (or remove) the imgloop launcher and icons for this user."
    )
    parser.add_argument("--uninstall", action="store_true", help="remove what install put")
    parser.add_argument(
        "--exec",
        dest="executable",
        metavar="PATH",
        help="program the launcher starts (default: the venv's imgloop gui-script)",
    )
    parser.add_argument(
        "--data-home",
        metavar="DIR",
        help="install under DIR instead of $XDG_DATA_HOME or ~/.local/share",
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    args = parser.parse_args(argv)
    if sys.platform == "win32" or sys.platform == "darwin":
        print(
            "install_desktop is for Linux desktops; on Windows and macOS build the bundle "
            "(packaging/build.py) and use its .exe / .app.",
            file=sys.stderr,
        )
        return 2
    home = data_home(args.data_home)
    if args.uninstall:
        removed = uninstall(home, quiet=args.quiet)
        if not args.quiet:
            print(f"removed {len(removed)} file(s) from {home}")
        return 0
    executable = Path(args.executable).expanduser().absolute() if args.executable else None
    executable = executable or default_exec()
    if not executable.exists():
        print(
            f"{executable} does not exist. Install the app into the venv first "
            "(python3 dev.py run, or .venv/bin/pip install -e .), or pass --exec PATH.",
            file=sys.stderr,
        )
        return 1
    written = install(home, executable, quiet=args.quiet)
    if not args.quiet:
        print(f"installed {len(written)} file(s) under {home}; the launcher starts {executable}")
        print("imgloop desktop now appears in the applications menu (log out and in if not).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

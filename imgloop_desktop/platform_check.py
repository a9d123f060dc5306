"""Will Qt's window platform load here? Asked before Qt is imported, so a missing system
library ends in one install line instead of Qt's abort.

On Linux the PySide6 wheels ship Qt but not the X11 client libraries its ``xcb`` platform
plugin links against. When one is missing, Qt prints a message that often names the wrong
package, aborts the process (``SIGABRT``, so nothing in Python can catch it) and leaves a
person with a core dump. ``ldd`` on the plugin (and on the Qt modules the app imports) names
exactly which shared libraries do not resolve; a table maps them to package names.

Only when the platform Qt will pick is ``xcb``: an explicit ``-platform`` or
``QT_QPA_PLATFORM`` (``offscreen`` in tests, ``wayland``) is respected, and on a Wayland
session Qt tries ``wayland`` first and reaches ``xcb`` only if no compositor answers.

Qt-free and standard-library only: the launcher runs it first, and so does a double-clicked
desktop entry (which has no terminal: the launcher also writes the message to the log).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# The launcher's exit code when the window cannot start for want of system libraries.
EXIT_MISSING_LIBRARIES = 3
LDD_TIMEOUT_SECONDS = 20.0

# The Qt modules the window imports: each pulls in Qt libraries with their own system
# dependencies (QtNetwork needs Kerberos' libgssapi for the single-instance socket).
QT_MODULES = ("QtCore", "QtGui", "QtWidgets", "QtNetwork")


@dataclass(frozen=True)
class Package:
    """One library's package on Debian/Ubuntu, Fedora and Arch ("" where not known)."""

    debian: str
    fedora: str = ""
    arch: str = ""


# soname -> package; checked on Debian 12 with ``dpkg -S`` (PySide6 6.11 wheels).
PACKAGES: dict[str, Package] = {
    "libEGL.so.1": Package("libegl1", "libglvnd-egl", "libglvnd"),
    "libGL.so.1": Package("libgl1", "libglvnd-glx", "libglvnd"),
    "libGLX.so.0": Package("libglx0", "libglvnd-glx", "libglvnd"),
    "libGLdispatch.so.0": Package("libglvnd0", "libglvnd", "libglvnd"),
    "libOpenGL.so.0": Package("libopengl0", "libglvnd-opengl", "libglvnd"),
    "libX11.so.6": Package("libx11-6", "libX11", "libx11"),
    "libX11-xcb.so.1": Package("libx11-xcb1", "libX11-xcb", "libx11"),
    "libXau.so.6": Package("libxau6", "libXau", "libxau"),
    "libXdmcp.so.6": Package("libxdmcp6", "libXdmcp", "libxdmcp"),
    "libxcb.so.1": Package("libxcb1", "libxcb", "libxcb"),
    "libxcb-cursor.so.0": Package("libxcb-cursor0", "xcb-util-cursor", "xcb-util-cursor"),
    "libxcb-icccm.so.4": Package("libxcb-icccm4", "xcb-util-wm", "xcb-util-wm"),
    "libxcb-image.so.0": Package("libxcb-image0", "xcb-util-image", "xcb-util-image"),
    "libxcb-keysyms.so.1": Package("libxcb-keysyms1", "xcb-util-keysyms", "xcb-util-keysyms"),
    "libxcb-randr.so.0": Package("libxcb-randr0", "libxcb", "libxcb"),
    "libxcb-render.so.0": Package("libxcb-render0", "libxcb", "libxcb"),
    "libxcb-render-util.so.0": Package(
        "libxcb-render-util0", "xcb-util-renderutil", "xcb-util-renderutil"
    ),
    "libxcb-shape.so.0": Package("libxcb-shape0", "libxcb", "libxcb"),
    "libxcb-shm.so.0": Package("libxcb-shm0", "libxcb", "libxcb"),
    "libxcb-sync.so.1": Package("libxcb-sync1", "libxcb", "libxcb"),
    "libxcb-util.so.1": Package("libxcb-util1", "xcb-util", "xcb-util"),
    "libxcb-xfixes.so.0": Package("libxcb-xfixes0", "libxcb", "libxcb"),
    "libxcb-xinerama.so.0": Package("libxcb-xinerama0", "libxcb", "libxcb"),
    "libxcb-xkb.so.1": Package("libxcb-xkb1", "libxcb", "libxcb"),
    "libxkbcommon.so.0": Package("libxkbcommon0", "libxkbcommon", "libxkbcommon"),
    "libxkbcommon-x11.so.0": Package("libxkbcommon-x11-0", "libxkbcommon-x11", "libxkbcommon-x11"),
    "libfontconfig.so.1": Package("libfontconfig1", "fontconfig", "fontconfig"),
    "libfreetype.so.6": Package("libfreetype6", "freetype", "freetype2"),
    "libpng16.so.16": Package("libpng16-16", "libpng", "libpng"),
    "libglib-2.0.so.0": Package("libglib2.0-0", "glib2", "glib2"),
    "libgthread-2.0.so.0": Package("libglib2.0-0", "glib2", "glib2"),
    "libdbus-1.so.3": Package("libdbus-1-3", "dbus-libs", "dbus"),
    "libgssapi_krb5.so.2": Package("libgssapi-krb5-2", "krb5-libs", "krb5"),
    "libkrb5.so.3": Package("libkrb5-3", "krb5-libs", "krb5"),
    "libk5crypto.so.3": Package("libk5crypto3", "krb5-libs", "krb5"),
    "libkrb5support.so.0": Package("libkrb5support0", "krb5-libs", "krb5"),
    "libexpat.so.1": Package("libexpat1", "expat", "expat"),
    "libzstd.so.1": Package("libzstd1", "libzstd", "zstd"),
    "libbrotlidec.so.1": Package("libbrotli1", "libbrotli", "brotli"),
    "libbrotlicommon.so.1": Package("libbrotli1", "libbrotli", "brotli"),
    "libstdc++.so.6": Package("libstdc++6", "libstdc++", "gcc-libs"),
}

# What a real window needs on a minimal Debian/Ubuntu (README, .ci/run): the packages above
# that the plugin and the modules link directly; the rest come with them as dependencies.
WINDOW_PACKAGES = (
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libfreetype6",
    "libglib2.0-0",
    "libdbus-1-3",
    "libgssapi-krb5-2",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libx11-6",
    "libx11-xcb1",
    "libxcb1",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-shm0",
    "libxcb-sync1",
    "libxcb-util1",
    "libxcb-xfixes0",
    "libxcb-xkb1",
)

Ldd = Callable[[Sequence[Path]], str]


@dataclass(frozen=True)
class PlatformProblem:
    """Why the window cannot start here, and what to type to fix it."""

    missing: tuple[str, ...] = ()  # sonames that did not resolve
    no_display: bool = False

    def message(self, prog: str = "imgloop") -> str:
        if self.no_display:
            return (
                f"{prog}: there is no X display to open the window on (DISPLAY is not set).\n"
                "Start it from a desktop session, or use the headless command: "
                "imgloop-cli --help"
            )
        known = [PACKAGES[name] for name in self.missing if name in PACKAGES]
        unknown = [name for name in self.missing if name not in PACKAGES]
        lines = [
            f"{prog}: the window cannot start: Qt's X11 (xcb) platform needs shared "
            f"libraries that are not installed: {', '.join(self.missing)}.",
        ]
        if known:
            lines.append(f"Install them: sudo apt-get install {' '.join(_names(known, 'debian'))}")
            others = [
                f"Fedora: sudo dnf install {' '.join(_names(known, 'fedora'))}"
                if all(p.fedora for p in known)
                else "",
                f"Arch: sudo pacman -S {' '.join(_names(known, 'arch'))}"
                if all(p.arch for p in known)
                else "",
            ]
            if any(others):
                lines.append("  (" + "; ".join(o for o in others if o) + ")")
        if unknown:
            lines.append(
                "Find the package that provides "
                + ", ".join(unknown)
                + " in your distribution (on Debian/Ubuntu: apt-file search NAME)."
            )
        lines.append("The README's Troubleshooting lists every library a window needs.")
        return "\n".join(lines)


def _names(packages: Iterable[Package], field: str) -> list[str]:
    """Package names in first-seen order, each once (several sonames share a package)."""
    return list(dict.fromkeys(getattr(p, field) for p in packages))


def platform_candidates(argv: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """The platforms Qt 6 will try, in order (what ``QGuiApplication`` decides).

    ``-platform NAME`` (or ``--platform``) wins over ``QT_QPA_PLATFORM``, which wins over
    the default: ``xcb``, with ``wayland`` tried first in a Wayland session. A value may
    list fallbacks (``wayland;xcb``) and carry options (``xcb:nograb``).
    """
    spec = ""
    for i, arg in enumerate(argv):
        if arg in ("-platform", "--platform") and i + 1 < len(argv):
            spec = argv[i + 1]
    if not spec:
        spec = environ.get("QT_QPA_PLATFORM", "")
    if not spec:
        wayland_session = bool(environ.get("WAYLAND_DISPLAY")) or (
            environ.get("XDG_SESSION_TYPE") == "wayland"
        )
        spec = "wayland;xcb" if wayland_session else "xcb"
    return [part.split(":", 1)[0].strip() for part in spec.split(";") if part.strip()]


def _wayland_reachable(environ: Mapping[str, str]) -> bool:
    """Whether a compositor socket is there for Qt's wayland plugin to connect to."""
    display = environ.get("WAYLAND_DISPLAY") or "wayland-0"
    if Path(display).is_absolute():
        return Path(display).exists()
    runtime = environ.get("XDG_RUNTIME_DIR")
    return runtime is not None and (Path(runtime) / display).exists()


def uses_xcb(argv: Sequence[str], environ: Mapping[str, str]) -> bool:
    """Whether Qt would end up loading the xcb plugin (the first candidate that can work)."""
    for name in platform_candidates(argv, environ):
        if name == "xcb":
            return True
        if name == "wayland" and not _wayland_reachable(environ):
            continue  # Qt moves on to the next candidate
        return False
    return False


def qt_dir() -> Path | None:
    """PySide6's Qt folder (plugins, lib) without importing PySide6; None if not found."""
    if getattr(sys, "frozen", False):
        base = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "PySide6"
        return base / "Qt" if base.is_dir() else None
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "Qt"


def xcb_objects(qt: Path, environ: Mapping[str, str]) -> list[Path]:
    """The xcb plugin Qt will load, and the PySide6 modules the window imports."""
    plugin_dirs = (
        [Path(environ["QT_QPA_PLATFORM_PLUGIN_PATH"])]
        if environ.get("QT_QPA_PLATFORM_PLUGIN_PATH")
        else []
    )
    plugin_dirs.append(qt / "plugins" / "platforms")
    objects = [d / "libqxcb.so" for d in plugin_dirs if (d / "libqxcb.so").is_file()][:1]
    for module in QT_MODULES:
        objects.extend(sorted(qt.parent.glob(f"{module}.*.so"))[:1])
    return objects


def run_ldd(paths: Sequence[Path]) -> str:
    """``ldd``'s report for the objects, in one run as it is part of every start ("" when
    ldd cannot be run: nothing to conclude)."""
    ldd = shutil.which("ldd")
    if ldd is None or not paths:
        return ""
    try:
        done = subprocess.run(
            [ldd, *(str(p) for p in paths)],
            capture_output=True,
            text=True,
            timeout=LDD_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout


def not_found(ldd_output: str) -> list[str]:
    """The sonames ``ldd`` reports as ``NAME => not found``."""
    missing = []
    for line in ldd_output.splitlines():
        name, sep, target = line.strip().partition("=>")
        if sep and target.strip() == "not found":
            missing.append(name.strip())
    return missing


def missing_libraries(objects: Sequence[Path], ldd: Ldd = run_ldd) -> list[str]:
    """Every soname that does not resolve for any of ``objects``, each once, in order."""
    return list(dict.fromkeys(not_found(ldd(objects))))


def check(
    argv: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
    *,
    platform: str = sys.platform,
    qt: Path | None = None,
    ldd: Ldd = run_ldd,
) -> PlatformProblem | None:
    """The reason the window cannot start here, or None (fine, or nothing to check).

    ``argv`` is what Qt will see (for ``-platform``). Anything that cannot be checked (not
    Linux, no ``ldd``, PySide6 not found) is None: Qt then speaks for itself.
    """
    env = os.environ if environ is None else environ
    if not platform.startswith("linux") or not uses_xcb(argv, env):
        return None
    folder = qt if qt is not None else qt_dir()
    if folder is not None:
        missing = missing_libraries(xcb_objects(folder, env), ldd)
        if missing:
            return PlatformProblem(missing=tuple(missing))
    if not env.get("DISPLAY"):
        return PlatformProblem(no_display=True)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m imgloop_desktop.platform_check [QT ARGS]``: 0, or the message and 3."""
    problem = check(list(sys.argv[1:] if argv is None else argv))
    if problem is None:
        print("ok: the window's platform libraries resolve (or are not needed here)")
        return 0
    print(problem.message(), file=sys.stderr)
    return EXIT_MISSING_LIBRARIES


if __name__ == "__main__":
    sys.exit(main())

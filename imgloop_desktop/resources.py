"""Where the app's own files (icons, example events) are, in a source tree and in a bundle.

They live in ``resources/`` at the repository root rather than inside the package, because
the same files feed the PyInstaller bundle, the freedesktop icon install and the docs. A
PyInstaller bundle unpacks them under ``sys._MEIPASS``; a source checkout or an editable
install finds them next to the package. A plain wheel has none of them, so every caller
treats a missing file as "no icon", never as an error.
"""

from __future__ import annotations

import sys
from pathlib import Path

APP_ID = "io.github.imgloop.Desktop"
"""Reverse-DNS id shared by the .desktop file, the AppStream file, the icons and macOS."""

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def resources_dir() -> Path | None:
    """The ``resources`` folder, or None when this install carries none (a plain wheel)."""
    bundle = getattr(sys, "_MEIPASS", None)
    candidates = [Path(bundle) / "resources"] if bundle else []
    candidates.append(Path(__file__).resolve().parent.parent / "resources")
    return next((c for c in candidates if c.is_dir()), None)


def icon_files() -> dict[int, Path]:
    """The application icon's PNGs by pixel size (empty when none are shipped)."""
    base = resources_dir()
    if base is None:
        return {}
    found = {size: base / "icons" / f"imgloop-{size}.png" for size in ICON_SIZES}
    return {size: path for size, path in found.items() if path.is_file()}

"""The real window on X11: the app started as a person starts it (``QT_QPA_PLATFORM=xcb``),
under a private Xvfb, maps its main window and stops cleanly.

Offscreen tests never load the xcb plugin, so they cannot notice a missing X11 library;
this one can. The check itself is ``packaging/window_check.py``, the same one the bundle
build runs on the built binary. In CI (``CI`` set) a missing Xvfb or xdotool fails the test
(``.ci/run`` installs them); on a developer machine without them it is skipped.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.packaging.conftest import load_packaging_script, require_tool

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 is Linux's")

window_check = load_packaging_script("window_check")


def test_the_real_window_maps_under_xvfb(tmp_path: Path) -> None:
    require_tool("Xvfb", "xvfb")
    require_tool("xdotool", "xdotool")
    data = tmp_path / "data"
    command = [sys.executable, "-m", "imgloop_desktop.launcher", "--data-dir", str(data)]
    summary = window_check.check_window(command, data, tmp_path)
    assert summary.startswith("window mapped on xcb")


def test_a_window_that_never_maps_is_reported_with_the_apps_own_words(tmp_path: Path) -> None:
    """An app that dies before its window (here: a command that prints and exits 3, as the
    launcher does for missing X11 libraries) fails the check with its exit code and output."""
    require_tool("Xvfb", "xvfb")
    require_tool("xdotool", "xdotool")
    command = [sys.executable, "-c", "import sys; sys.exit('libxcb-icccm4 is missing')"]
    with pytest.raises(window_check.WindowCheckError, match=r"exited \(1\).*libxcb-icccm4"):
        window_check.check_window(command, tmp_path / "data", tmp_path)

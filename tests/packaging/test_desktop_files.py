"""The freedesktop launcher and AppStream files validate and agree with each other and
with the app (id, icon name, binary, window class, version)."""

from __future__ import annotations

import configparser
import subprocess
import xml.etree.ElementTree as ET

from imgloop_desktop import __version__
from imgloop_desktop.gui.settings_store import APPLICATION
from imgloop_desktop.resources import APP_ID as RESOURCES_APP_ID
from tests.packaging.conftest import (
    APP_ID,
    DESKTOP_FILE,
    METAINFO_FILE,
    require_tool,
    validate_desktop_file,
)


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP_FILE, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_file_validates() -> None:
    validate_desktop_file(DESKTOP_FILE)


def test_desktop_file_names_the_app_its_icon_and_window() -> None:
    entry = desktop_entry()
    assert RESOURCES_APP_ID == APP_ID
    assert entry["Type"] == "Application"
    assert entry["Icon"] == APP_ID
    assert entry["Exec"] == "imgloop"  # install_desktop.py makes it absolute
    assert entry["Terminal"] == "false"
    # Qt sets the X11 window class to the application name; docks match windows by it.
    assert entry["StartupWMClass"] == APPLICATION


def test_metainfo_validates() -> None:
    tool = require_tool("appstreamcli", "appstream")
    result = subprocess.run(
        [tool, "validate", "--no-net", str(METAINFO_FILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_metainfo_matches_the_desktop_file_and_the_version() -> None:
    root = ET.parse(METAINFO_FILE).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    launchable = root.find("launchable")
    assert launchable is not None and launchable.text == DESKTOP_FILE.name
    assert root.findtext("provides/binary") == "imgloop"
    versions = [r.get("version") for r in root.iter("release")]
    assert versions and versions[0] == __version__, "add a <release> for the new version"

"""install_desktop.py puts the launcher and icons into the user's data home (respecting
XDG_DATA_HOME), points Exec at the app, and --uninstall takes it all back out."""

from __future__ import annotations

import configparser
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from imgloop_desktop.resources import ICON_SIZES
from tests.packaging.conftest import APP_ID, PACKAGING, validate_desktop_file

SCRIPT = PACKAGING / "install_desktop.py"

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="freedesktop integration is Linux-only"
)


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def expected_files(home: Path) -> list[Path]:
    files = [
        home / "applications" / f"{APP_ID}.desktop",
        home / "metainfo" / f"{APP_ID}.metainfo.xml",
        home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
    ]
    files += [
        home / "icons" / "hicolor" / f"{s}x{s}" / "apps" / f"{APP_ID}.png" for s in ICON_SIZES
    ]
    return files


@pytest.fixture
def app(tmp_path: Path) -> Path:
    """A stand-in for the venv's gui-script, in a folder with a space in its name."""
    folder = tmp_path / "my apps"
    folder.mkdir()
    script = folder / "imgloop"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o755)
    return script


def test_install_into_xdg_data_home_and_uninstall(tmp_path: Path, app: Path) -> None:
    home = tmp_path / "share"
    result = run("--exec", str(app), env={"XDG_DATA_HOME": str(home)})
    assert result.returncode == 0, result.stderr
    for path in expected_files(home):
        assert path.is_file(), f"{path} was not installed"
    desktop = home / "applications" / f"{APP_ID}.desktop"
    validate_desktop_file(desktop)
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(desktop, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert shlex.split(entry["Exec"]) == [str(app)]
    assert entry["TryExec"] == str(app)
    assert entry["Icon"] == APP_ID
    icon = home / "icons" / "hicolor" / "48x48" / "apps" / f"{APP_ID}.png"
    assert icon.read_bytes() == (PACKAGING.parent / "resources/icons/imgloop-48.png").read_bytes()

    removed = run("--uninstall", env={"XDG_DATA_HOME": str(home)})
    assert removed.returncode == 0, removed.stderr
    for path in expected_files(home):
        assert not path.exists(), f"{path} was left behind"


def test_data_home_option_wins_and_a_relative_xdg_value_is_ignored(
    tmp_path: Path, app: Path
) -> None:
    home = tmp_path / "explicit"
    result = run(
        "--exec", str(app), "--data-home", str(home), env={"XDG_DATA_HOME": "relative/path"}
    )
    assert result.returncode == 0, result.stderr
    assert (home / "applications" / f"{APP_ID}.desktop").is_file()
    fallback = run(
        "--exec",
        str(app),
        "--quiet",
        env={"XDG_DATA_HOME": "relative", "HOME": str(tmp_path / "h")},
    )
    assert fallback.returncode == 0, fallback.stderr
    assert (tmp_path / "h" / ".local" / "share" / "applications" / f"{APP_ID}.desktop").is_file()


def test_a_missing_program_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "share"
    result = run("--exec", str(tmp_path / "nope"), env={"XDG_DATA_HOME": str(home)})
    assert result.returncode == 1
    assert "does not exist" in result.stderr
    assert not (home / "applications").exists()

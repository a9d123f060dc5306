"""Shared by the packaging tests: where the files are, and validators that must run in CI."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
APP_ID = "io.github.imgloop.Desktop"
DESKTOP_FILE = PACKAGING / "linux" / f"{APP_ID}.desktop"
METAINFO_FILE = PACKAGING / "linux" / f"{APP_ID}.metainfo.xml"
ICONS = ROOT / "resources" / "icons"


def require_tool(name: str, debian_package: str) -> str:
    """The tool's path; skips on a developer machine without it, but fails in CI (``CI``
    set), where a skipped validator would silently stop checking the files."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (Debian package: {debian_package})"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must install it")
    pytest.skip(message)


def load_packaging_script(name: str) -> ModuleType:
    """A script under ``packaging/`` as a module: the folder is not a package (its name
    would shadow the ``packaging`` library every pip tool imports)."""
    spec = importlib.util.spec_from_file_location(f"imgloop_{name}", PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def validate_desktop_file(path: Path) -> None:
    tool = require_tool("desktop-file-validate", "desktop-file-utils")
    result = subprocess.run([tool, str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr

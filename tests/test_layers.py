"""The layer rules of docs/architecture.md, checked in a fresh interpreter with imports blocked.

core must import neither Qt nor boto3; nothing below the GUI may import Qt. A static
contract would miss imports made inside functions; a blocked import cannot be missed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import imgloop_desktop

PACKAGE = Path(imgloop_desktop.__file__).parent

BLOCKER = """
import importlib, importlib.abc, pkgutil, sys
BLOCKED = {blocked!r}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"layer rule: {{name}} imported")
        return None
sys.meta_path.insert(0, Block())
import imgloop_desktop
for pkg in {packages!r}:
    mod = importlib.import_module(pkg)
    for info in pkgutil.walk_packages(mod.__path__, pkg + "."):
        if info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)
print("ok")
"""


def _modules_import_without(packages: list[str], blocked: set[str]) -> None:
    code = BLOCKER.format(blocked=sorted(blocked), packages=packages)
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


def test_core_imports_no_qt_and_no_boto3() -> None:
    _modules_import_without(
        ["imgloop_desktop.core"], {"PySide6", "shiboken6", "qasync", "boto3", "botocore"}
    )


@pytest.mark.parametrize(
    "package", ["providers", "storage", "services", "cli", "simulator", "accounts"]
)
def test_lower_layers_import_no_qt(package: str) -> None:
    if not (PACKAGE / package).is_dir():
        pytest.fail(f"missing package {package}")
    _modules_import_without([f"imgloop_desktop.{package}"], {"PySide6", "shiboken6", "qasync"})

"""The layer rules of docs/architecture.md, checked in a fresh interpreter with imports blocked.

core must import neither Qt nor boto3; nothing below the GUI may import Qt. The import-linter
contracts in pyproject.toml (``lint-imports``) check the whole graph statically, imports
inside functions included; they cannot see an import made by name at run time or one a
third-party package makes for us. A blocked import cannot be missed, so both run.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

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


def _contracts() -> dict[str, dict[str, Any]]:
    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["name"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _top_level_modules() -> set[str]:
    """Every package and module directly under imgloop_desktop, except its __init__."""
    names = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    names |= {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    return {f"imgloop_desktop.{name}" for name in names}


def test_the_contracts_name_every_top_level_module() -> None:
    """A new package or module must be placed in the contracts, or they would not see it."""
    contracts = _contracts()
    core = contracts["Core imports nothing of ours beyond itself, and neither Qt nor boto3"]
    qt = contracts["Only the window imports Qt"]
    ours = {m for m in core["forbidden_modules"] if m.startswith("imgloop_desktop")}
    assert ours | {"imgloop_desktop.core"} == _top_level_modules()
    assert set(qt["source_modules"]) | {"imgloop_desktop.gui"} == _top_level_modules()

"""The PyInstaller spec parses, names the dynamically imported modules PyInstaller cannot
see, and points at files that exist. (Building it takes a minute: packaging/build.py.)"""

from __future__ import annotations

import ast
import importlib.util
import sys

import pytest

from tests.packaging.conftest import ICONS, PACKAGING, ROOT

SPEC = PACKAGING / "imgloop.spec"
REQUIRED_HIDDEN_IMPORTS = (
    "keyring.backends",
    "keyring.backends.SecretService",
    "keyring.backends.macOS",
    "keyring.backends.Windows",
    "secretstorage",
    "jeepney",
    "imgloop_desktop.simulator",
)


def spec_tree() -> ast.Module:
    source = SPEC.read_text(encoding="utf-8")
    compile(source, str(SPEC), "exec")
    return ast.parse(source)


def strings(tree: ast.AST) -> set[str]:
    return {
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def calls(tree: ast.AST) -> dict[str, ast.Call]:
    return {
        n.func.id: n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }


def test_spec_compiles_and_names_the_hidden_imports() -> None:
    found = strings(spec_tree())
    for module in REQUIRED_HIDDEN_IMPORTS:
        assert module in found, f"{module} is not named in the spec"


@pytest.mark.parametrize(
    "module",
    [
        "keyring.backends.SecretService",
        "keyring.backends.libsecret",
        "keyring.backends.kwallet",
        "keyring.backends.macOS",
        "keyring.backends.Windows",
        "imgloop_desktop.simulator.server",
        "imgloop_desktop.selftest",
        "imgloop_desktop.gui.startup",
        "qasync",
    ],
)
def test_named_modules_exist(module: str) -> None:
    """A typo in a hidden import is only a warning in PyInstaller's log."""
    assert importlib.util.find_spec(module) is not None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux-only D-Bus modules")
@pytest.mark.parametrize("module", ["secretstorage", "jeepney"])
def test_linux_keyring_modules_exist(module: str) -> None:
    assert importlib.util.find_spec(module) is not None


def test_keyring_metadata_is_copied() -> None:
    """keyring finds its backends through entry points: without its metadata a bundle only
    ever gets the "fail" backend."""
    tree = spec_tree()
    copied = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Name)
        and n.func.id == "copy_metadata"
        and n.args
        and isinstance(n.args[0], ast.Constant)
        and n.args[0].value == "keyring"
    ]
    assert copied


def test_bundle_pieces_are_all_there() -> None:
    tree = spec_tree()
    found = calls(tree)
    for name in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE"):
        assert name in found, f"no {name}(...) in the spec"
    bundle = {k.arg for k in found["BUNDLE"].keywords}
    assert {"info_plist", "bundle_identifier", "icon"} <= bundle
    exe = {k.arg: k.value for k in found["EXE"].keywords}
    console = exe["console"]
    assert isinstance(console, ast.Constant) and console.value is False
    assert (ICONS / "imgloop.ico").is_file()
    assert (ICONS / "imgloop.icns").is_file()
    assert (ROOT / "imgloop_desktop" / "launcher.py").is_file()
    assert "imgloop.ico" in strings(tree) and "imgloop.icns" in strings(tree)


def test_build_output_is_ignored_by_git() -> None:
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "build/" in ignored and "dist/" in ignored

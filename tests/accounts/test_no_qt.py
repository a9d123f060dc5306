"""The accounts package sits below the GUI: it must import without Qt, like providers and
services (the CLI and the Lambda handler use it too)."""

from __future__ import annotations

from tests.test_layers import _modules_import_without


def test_accounts_imports_no_qt() -> None:
    _modules_import_without(["imgloop_desktop.accounts"], {"PySide6", "shiboken6", "qasync"})

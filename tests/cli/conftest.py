"""Shared by the command's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from imgloop_desktop.accounts.redaction import install_redaction


@pytest.fixture(autouse=True)
def undo_redaction() -> Iterator[None]:
    """main() installs log redaction for good (the process ends after it); in-process it
    must be undone after each test, or later tests' log capture sees filtered records."""
    uninstall = install_redaction()
    try:
        yield
    finally:
        uninstall()

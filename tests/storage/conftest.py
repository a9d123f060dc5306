"""Shared by the storage tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from imgloop_desktop.services.history import HistoryService


@pytest.fixture
def service(isolated_env: Path) -> Iterator[HistoryService]:
    """The history in the test's own data folder, closed after the test."""
    with HistoryService.open() as history:
        yield history

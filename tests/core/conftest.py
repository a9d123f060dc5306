"""The core tests run the loop synchronously against the shared fakes: no network."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgloop_desktop.storage.local import LocalImageStore


@pytest.fixture
def store(tmp_path: Path) -> LocalImageStore:
    return LocalImageStore(tmp_path / "images")

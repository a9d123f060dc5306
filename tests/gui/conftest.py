"""Shared by every GUI test: widgets run offscreen, and QSettings never touch the real
user's settings."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QStandardPaths

from tests.gui.window_runs import make_window as make_window  # the shared window fixture


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path: Path) -> Iterator[Path]:
    """Every QSettings written during a test lands in the test's own folder."""
    folder = tmp_path / "qsettings"
    QStandardPaths.setTestModeEnabled(True)
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    yield folder
    QStandardPaths.setTestModeEnabled(False)

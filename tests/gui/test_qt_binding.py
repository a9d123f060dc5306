"""Guards against Qt binding releases known to break the app."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    ping = Signal()


def test_emitting_signals_does_not_leak_a_reference_to_true() -> None:
    """PySide6 6.12.0's emit() returned True without a reference: every emit lowered True's
    count until Python aborted (~1,800 emits in). pyproject.toml excludes that release."""
    emitter = _Emitter()
    before = sys.getrefcount(True)
    for _ in range(200):
        emitter.ping.emit()
    assert sys.getrefcount(True) - before > -50

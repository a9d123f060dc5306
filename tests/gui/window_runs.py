"""Making real main windows and running them to the end, shared by the window's tests.

``make_window`` is a fixture (registered in ``tests/gui/conftest.py``): every window it made
is shut down and its run thread joined after the test, so no thread outlives it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from imgloop_desktop.core.loop import RunResult
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.gui.main_window import MainWindow
from imgloop_desktop.services.backends import DEFAULT_KEY

RUN_TIMEOUT_MS = 30_000
MakeWindow = Callable[..., MainWindow]


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[MakeWindow]:
    made: list[MainWindow] = []

    def make(**kwargs: Any) -> MainWindow:
        kwargs.setdefault("profiles", [])
        window = MainWindow(**kwargs)
        qtbot.addWidget(window)
        made.append(window)
        window.show()
        qtbot.waitUntil(lambda: window.recovery_report is not None)
        return window

    yield make
    for window in made:
        window.controller.shutdown()
        window.close()
        assert window.controller.wait()


def run_to_end(qtbot: QtBot, window: MainWindow, params: RunParams) -> RunResult:
    """Start ``params`` on the default backend and wait for the run's result."""
    window.select_backend(DEFAULT_KEY)
    window.form.set_params(params)
    with qtbot.waitSignal(window.controller.finished, timeout=RUN_TIMEOUT_MS) as signal:
        assert window.start_run()
    result = signal.args[0]
    assert isinstance(result, RunResult)
    return result

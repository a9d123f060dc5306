"""The one worker abstraction: typed delivery on the GUI thread, supersede, close, errors and
the cancel flag. No fixed sleeps: workers wait on events the test sets."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from imgloop_desktop.core.errors import ServiceError
from imgloop_desktop.gui.workers import Workers, cancelled


@pytest.fixture
def workers(qtbot: QtBot) -> Iterator[Workers]:
    pool = Workers("test", max_threads=2)
    yield pool
    pool.close()
    assert pool.wait(5)


def test_returned_value_arrives_on_the_gui_thread(qtbot: QtBot, workers: Workers) -> None:
    gui = threading.current_thread()
    ran_on: list[threading.Thread] = []
    got: list[tuple[int, threading.Thread]] = []
    finished: list[bool] = []

    def work() -> int:
        ran_on.append(threading.current_thread())
        return 42

    workers.start(
        work,
        returned=lambda value: got.append((value, threading.current_thread())),
        finished=lambda: finished.append(True),
    )
    qtbot.waitUntil(lambda: bool(finished))
    assert got == [(42, gui)]
    assert ran_on and ran_on[0] is not gui
    assert not workers.busy


def test_supersede_drops_the_stale_result(qtbot: QtBot, workers: Workers) -> None:
    release = threading.Event()
    got: list[str] = []

    def slow() -> str:
        release.wait(5)
        return "old"

    old = workers.start(slow, returned=got.append, supersede="session")
    workers.start(lambda: "new", returned=got.append, supersede="session")
    qtbot.waitUntil(lambda: got == ["new"])
    assert old.dropped and old.abort_requested
    release.set()
    assert workers.wait(5)
    qtbot.waitUntil(lambda: not workers.busy)
    assert got == ["new"]


def test_keyed_jobs_are_dropped_by_supersede_without_a_new_job(
    qtbot: QtBot, workers: Workers
) -> None:
    release = threading.Event()
    got: list[str] = []
    keep = workers.start(lambda: "other", returned=got.append, key="other")
    page = workers.start(lambda: release.wait(5) and "page", returned=got.append, key="filter")
    workers.supersede("filter")
    release.set()
    assert workers.wait(5)
    qtbot.waitUntil(lambda: got == ["other"])
    assert page.dropped and not keep.dropped


def test_close_drops_late_results_and_later_starts(qtbot: QtBot) -> None:
    pool = Workers("closing", max_threads=1)
    started = threading.Event()
    release = threading.Event()
    got: list[object] = []

    def running() -> str:
        started.set()
        release.wait(5)
        return "late"

    pool.start(running, returned=got.append, finished=lambda: got.append("finished"))
    queued = pool.start(lambda: got.append("ran") or "queued", returned=got.append)
    assert started.wait(5)
    pool.close()
    release.set()
    after = pool.start(lambda: "after", returned=got.append)
    assert pool.wait(5)
    assert queued.dropped and after.dropped
    # Give the event loop a chance to deliver anything that was (wrongly) queued.
    with qtbot.waitSignal(pool.destroyed, timeout=2000):
        pool.deleteLater()
    assert got == []


def test_errors_reach_errored_and_unexpected_ones_are_logged_once(
    qtbot: QtBot, workers: Workers, caplog: pytest.LogCaptureFixture
) -> None:
    errors: list[BaseException] = []
    finished: list[bool] = []

    def expected() -> None:
        raise ServiceError("refused", hint="check it")

    def unexpected() -> None:
        raise ZeroDivisionError("bug")

    with caplog.at_level(logging.ERROR, logger="imgloop_desktop.gui.workers"):
        workers.start(expected, errored=errors.append, finished=lambda: finished.append(True))
        workers.start(unexpected, errored=errors.append, finished=lambda: finished.append(True))
        qtbot.waitUntil(lambda: len(finished) == 2)
    assert sorted(type(e).__name__ for e in errors) == ["ServiceError", "ZeroDivisionError"]
    logged = [r for r in caplog.records if r.exc_info]
    assert len(logged) == 1 and logged[0].exc_info is not None
    assert logged[0].exc_info[0] is ZeroDivisionError


def test_cancel_sets_the_flag_the_function_checks(qtbot: QtBot, workers: Workers) -> None:
    started = threading.Event()
    got: list[str] = []

    def loop() -> str:
        started.set()
        while not cancelled():
            threading.Event().wait(0.01)
        return "stopped early"

    worker = workers.start(loop, returned=got.append)
    assert started.wait(5)
    assert not cancelled()  # outside a worker
    worker.cancel()
    qtbot.waitUntil(lambda: got == ["stopped early"])
    assert worker.abort_requested and not worker.dropped


def test_threads_end_when_the_queue_is_empty(qtbot: QtBot, workers: Workers) -> None:
    got: list[int] = []
    for i in range(10):
        workers.start(lambda i=i: i, returned=got.append)  # type: ignore[misc]
    qtbot.waitUntil(lambda: len(got) == 10)
    assert sorted(got) == list(range(10))
    assert workers.wait(5)
    assert not any(t.name == "imgloop-test" for t in threading.enumerate())

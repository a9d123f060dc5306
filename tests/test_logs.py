"""Log files: where they go, that they rotate and never hold a secret, that Qt's messages
reach them, and how a hard crash's trace is kept for the next start."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import platformdirs
import pytest

from imgloop_desktop import logs, paths

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SIGNATURE = "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"


@pytest.fixture
def log_file(isolated_env: Path) -> Iterator[Path]:
    path = logs.setup_logging(console=False)
    yield path
    logs.shutdown_logging()


def read(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_logs_go_under_the_data_dir_when_it_is_overridden(isolated_env: Path) -> None:
    assert logs.log_dir() == isolated_env / "logs"


def test_logs_go_to_the_platform_log_dir_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IMGLOOP_DATA_DIR")
    expected = Path(platformdirs.user_log_dir(paths.APP_NAME, appauthor=False))
    assert logs.log_dir() == expected


def test_setup_writes_a_file_and_returns_its_path(log_file: Path, isolated_env: Path) -> None:
    assert log_file == isolated_env / "logs" / logs.LOG_FILE
    assert logs.current_log_file() == log_file
    logging.getLogger("imgloop_desktop.test").warning("something to find later")
    text = read(log_file)
    assert "starting" in text  # the version/platform line
    assert "WARNING  [MainThread] imgloop_desktop.test: something to find later" in text


def test_records_are_redacted_before_they_reach_the_file(log_file: Path) -> None:
    log = logging.getLogger("botocore.endpoint")
    log.warning("signing with %s and secret_access_key=%s", KEY_ID, SECRET)
    try:
        raise RuntimeError(f"GET /?X-Amz-Signature={SIGNATURE}&Credential={KEY_ID}/x failed")
    except RuntimeError:
        log.exception("request failed")
    text = read(log_file)
    for secret in (KEY_ID, SECRET, SIGNATURE):
        assert secret not in text
    assert "[REDACTED" in text


def test_setup_twice_changes_nothing_and_shutdown_removes_its_handlers(log_file: Path) -> None:
    before = list(logging.getLogger().handlers)
    assert logs.setup_logging() == log_file
    assert logging.getLogger().handlers == before
    logs.shutdown_logging()
    assert logs.current_log_file() is None
    assert not any(
        isinstance(h, logging.FileHandler) and Path(h.baseFilename) == log_file
        for h in logging.getLogger().handlers
    )
    logs.shutdown_logging()  # twice is harmless


def test_the_file_rotates_and_keeps_a_bounded_number(isolated_env: Path) -> None:
    path = logs.setup_logging(max_bytes=2_000, backup_count=2, console=False)
    try:
        log = logging.getLogger("imgloop_desktop.test")
        for i in range(200):
            log.warning("line %03d %s", i, "x" * 60)
    finally:
        logs.shutdown_logging()
    names = sorted(p.name for p in path.parent.iterdir() if p.name.startswith(logs.LOG_FILE))
    assert names == [logs.LOG_FILE, f"{logs.LOG_FILE}.1", f"{logs.LOG_FILE}.2"]
    assert all(p.stat().st_size <= 2_200 for p in path.parent.glob(f"{logs.LOG_FILE}*"))


def test_level_comes_from_the_environment(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(logs.LEVEL_ENV, "debug")
    previous = logging.getLogger().level
    path = logs.setup_logging(console=False)
    try:
        assert logging.getLogger().level == logging.DEBUG
        logging.getLogger("imgloop_desktop.test").debug("fine detail")
        assert "fine detail" in read(path)
    finally:
        logs.shutdown_logging()
    assert logging.getLogger().level == previous


def test_qt_messages_reach_the_log_file(log_file: Path) -> None:
    from PySide6.QtCore import qWarning

    from imgloop_desktop.gui.qt_logging import install_qt_message_handler, logger_for

    uninstall = install_qt_message_handler()
    try:
        qWarning(f"a Qt warning mentioning {KEY_ID}")
    finally:
        uninstall()
    text = read(log_file)
    assert "WARNING  [MainThread] qt: a Qt warning mentioning [REDACTED-KEY-ID]" in text
    assert logger_for("qt.qpa.xcb").name == "qt.qpa.xcb"
    assert logger_for("default").name == "qt"
    assert logger_for("imgloop").name == "qt.imgloop"


# -- hard crash traces ----------------------------------------------------------------------


def test_no_previous_crash_when_the_trace_is_missing_or_empty(tmp_path: Path) -> None:
    trace = logs.FaultTrace(tmp_path)
    assert trace.take_previous() is None
    trace.path.write_text("")
    assert trace.take_previous() is None
    assert trace.path.exists()


def test_a_non_empty_trace_is_moved_aside_and_returned(tmp_path: Path) -> None:
    trace = logs.FaultTrace(tmp_path)
    trace.path.write_text("Fatal Python error: Segmentation fault\n")
    previous = trace.take_previous()
    assert previous is not None
    assert "Segmentation fault" in previous.text
    assert previous.path.parent == tmp_path
    assert previous.path.name.startswith("crash-trace-")
    assert not trace.path.exists()
    assert trace.take_previous() is None  # offered once, not at every start


def test_only_the_newest_traces_are_kept(tmp_path: Path) -> None:
    trace = logs.FaultTrace(tmp_path)
    for i in range(logs.FAULT_KEEP + 3):
        trace.path.write_text(f"crash {i}\n")
        stamp = 1_700_000_000 + i * 60
        os.utime(trace.path, (stamp, stamp))
        assert trace.take_previous() is not None
    kept = sorted(tmp_path.glob("crash-trace-*.txt"))
    assert len(kept) == logs.FAULT_KEEP
    assert "crash 7" in kept[-1].read_text()

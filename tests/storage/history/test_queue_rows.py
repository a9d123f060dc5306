"""Schema v9, the run queue: a version 8 file full of runs gains the queue tables with every
row kept; the tables' constraints hold; and an item a process was running when it was
SIGKILLed waits again on the next open, while one a live process runs is never taken."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.records import HistoryOutcome, QueueState
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.storage.history import queue_rows
from imgloop_desktop.storage.history.schema import (
    CURRENT_VERSION,
    connect,
    foreign_keys_on,
    now_iso,
    transaction,
    user_version,
)
from tests.storage.history.fakes import params
from tests.storage.history.spend_fakes import open_run
from tests.storage.history.test_history_schema_v8 import CHILDREN, V7_RUN_COLUMNS, write_v7_file

RUN_ID = "20240501120000-0a0b0c0d"


def write_v8_file(path: Path) -> None:
    """The v7 file of the v8 tests, brought to version 8 by the released steps, plus a run
    with spend rows: what a person's history looks like the day v9 ships."""
    write_v7_file(path)
    with closing(connect(path, target=8)) as conn:
        assert user_version(conn) == 8
    recorder, run = open_run(path, RUN_ID)
    with recorder:
        run.spent(ev.CallKind.GENERATE, "0.04", 0, 0)
        run.finish(ev.Outcome.NOT_APPROVED)


def snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with closing(sqlite3.connect(db)) as conn:
        rows = {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
            for table in (*CHILDREN, "spend")
        }
        rows["runs"] = conn.execute(f"SELECT {V7_RUN_COLUMNS} FROM runs ORDER BY id").fetchall()
        return rows


@pytest.fixture
def v8(tmp_path: Path) -> Path:
    db = tmp_path / "v8.sqlite3"
    write_v8_file(db)
    return db


def test_a_version_8_file_gains_the_queue_with_every_row_kept(v8: Path) -> None:
    before = snapshot(v8)
    with closing(connect(v8)) as conn:
        assert user_version(conn) == CURRENT_VERSION >= 9
        assert foreign_keys_on(conn)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_schema")}
        assert {"queue_items", "queue_runs", "queue_settings", "queue_items_by_state"} <= names
        assert conn.execute("SELECT count(*) FROM queue_items").fetchone() == (0,)
    assert snapshot(v8) == before
    with HistoryService.open(v8) as service:  # and the old runs read as they did
        assert service.session(RUN_ID).outcome is HistoryOutcome.NOT_APPROVED
        [item_id] = service.queue_add([params("a fox")])
        service.queue_claim_next()
        service.queue_attach_run(item_id, RUN_ID)
        [item] = service.queue_items()
        assert item.run_ids == (RUN_ID,) and str(item.cost_usd) == "0.04"


def test_the_tables_refuse_what_the_queue_never_writes(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    with closing(connect(db)) as conn:
        [item_id] = queue_rows.add(conn, [params()], now_iso())
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"), transaction(conn):
            conn.execute("UPDATE queue_items SET state = 'paused' WHERE id = ?", (item_id,))
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"), transaction(conn):
            conn.execute(
                "INSERT INTO queue_runs (item_id, run_id) VALUES (?, 'no-such-run')", (item_id,)
            )
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"), transaction(conn):
            conn.execute("INSERT INTO queue_runs (item_id, run_id) VALUES (999, ?)", (RUN_ID,))


def test_deleting_an_item_or_a_run_drops_only_the_link(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    recorder, _ = open_run(db, RUN_ID)
    recorder.close()
    with closing(connect(db)) as conn:
        first, second = queue_rows.add(conn, [params(), params()], now_iso())
        for item_id in (first, second):
            with transaction(conn):
                conn.execute(
                    "INSERT INTO queue_runs (item_id, run_id) VALUES (?, ?)", (item_id, RUN_ID)
                )
        with transaction(conn):
            conn.execute("DELETE FROM queue_items WHERE id = ?", (first,))
        assert conn.execute("SELECT item_id FROM queue_runs").fetchall() == [(second,)]
        assert conn.execute("SELECT count(*) FROM runs").fetchone() == (1,)
        with transaction(conn):
            conn.execute("DELETE FROM runs WHERE run_id = ?", (RUN_ID,))
        assert conn.execute("SELECT count(*) FROM queue_runs").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM queue_items").fetchone() == (1,)


def test_ids_are_never_reused(tmp_path: Path) -> None:
    """A late finish for a removed item must not land on a newer item with its id."""
    db = tmp_path / "h.sqlite3"
    with closing(connect(db)) as conn:
        [first] = queue_rows.add(conn, [params()], now_iso())
        assert queue_rows.remove(conn, db, [first]) == 1
        [second] = queue_rows.add(conn, [params()], now_iso())
        assert second > first


CHILD = """
import sys
from pathlib import Path
from imgloop_desktop.core import events as ev
from imgloop_desktop.services.history import HistoryService
from tests.storage.history.fakes import params

db, run_id = Path(sys.argv[1]), sys.argv[2]
service = HistoryService.open(db)
item = service.queue_claim_next()
recorder = service.recorder(item.params)
recorder(ev.RunStarted(run_id, item.params.prompt, "test.image-model", "test.judge", 2, 1))
service.queue_attach_run(item.id, run_id)
print(item.id, flush=True)
sys.stdin.read()  # running until killed
"""


def start_child(script: str, db: Path) -> subprocess.Popen[str]:
    """``script`` in its own process on ``db``: it prints the item it claimed, then runs
    until killed."""
    return subprocess.Popen(
        [sys.executable, "-c", script, str(db), RUN_ID],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
    )


def test_an_item_a_killed_process_was_running_waits_again(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    with HistoryService.open(db) as service:
        first, second = service.queue_add([params("a fox"), params("a hare")])
    child = start_child(CHILD, db)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == str(first)
        with HistoryService.open(db) as live:  # the child is alive: nothing is taken
            assert live.recovery_report.still_running == [RUN_ID]
            assert live.queue_recover() == 0
            [running, waiting] = live.queue_items()
            assert (running.state, waiting.state) == (QueueState.RUNNING, QueueState.WAITING)
            claimed = live.queue_claim_next()  # a second worker gets the other item
            assert claimed is not None and claimed.id == second
            live.queue_finish(second, QueueState.DONE, HistoryOutcome.APPROVED)
    finally:
        child.kill()
        child.communicate(timeout=60)
    assert child.returncode == -9
    with HistoryService.open(db) as service:  # as the window opens after the crash
        assert service.recovery_report.interrupted == [RUN_ID]
        item = service.queue_items()[0]
        assert item.id == first and item.state is QueueState.WAITING
        assert item.outcome is HistoryOutcome.INTERRUPTED and item.tries == 1
        assert item.run_ids == (RUN_ID,) and item.started_at is None
        assert service.session(RUN_ID).outcome is HistoryOutcome.INTERRUPTED
        again = service.queue_claim_next()
        assert again is not None and again.id == first and again.tries == 2
        assert again.outcome is None


ENDED_CHILD = CHILD.replace(
    "print(item.id, flush=True)",
    'recorder(ev.RunFinished(run_id, ev.Outcome.NOT_APPROVED, "Limits spent.", None, ()))\n'
    "print(item.id, flush=True)",
)


def test_an_item_whose_run_ended_before_the_kill_ends_too_and_never_runs_again(
    tmp_path: Path,
) -> None:
    """Killed after the run's end was recorded but before the item's: the next start must
    not run the item again (its paid work is done); it ends as its run did."""
    db = tmp_path / "h.sqlite3"
    with HistoryService.open(db) as service:
        [first] = service.queue_add([params("a fox")])
    child = start_child(ENDED_CHILD, db)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == str(first)
    finally:
        child.kill()
        child.communicate(timeout=60)
    with HistoryService.open(db) as service:
        assert service.recovery_report.interrupted == []
        [item] = service.queue_items()
        assert (item.state, item.outcome) == (QueueState.DONE, HistoryOutcome.NOT_APPROVED)
        assert item.run_ids == (RUN_ID,) and item.tries == 1
        assert service.queue_claim_next() is None

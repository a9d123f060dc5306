"""Schema v8 (issue 13, what it costs): the runs table rebuilt to admit the outcome 'budget'.

Many tables reference ``runs`` ON DELETE CASCADE, so this rebuild, unlike v7's, would
delete every child row if foreign keys were on. These tests migrate a version 7 file full
of data (real SQLite files) and check that every row survived, the foreign keys still hold
and still cascade, and that two openers at once run the step once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import pytest

from imgloop_desktop.storage.history import schema
from imgloop_desktop.storage.history.schema import (
    CURRENT_VERSION,
    HistoryError,
    connect,
    foreign_keys_on,
    migrate,
    transaction,
    user_version,
)

RUNS = 4
T = "2024-01-01T00:{:02d}:{:02d}.000000Z"
# Every table that references runs (directly, or through attempts and images).
CHILDREN = ("prompt_versions", "attempts", "images", "verdicts", "run_checklists")
# The runs columns a v7 file has, in order (v8 adds cost_usd and cost_missing after them).
V7_RUN_COLUMNS = (
    "id, run_id, prompt, params_json, image_model_id, judge_model_id, images_root, "
    "app_version, started_at, ended_at, outcome, message, approved_image_id, image_region, "
    "judge_region, notes, judge_mode, checklist_json, best_image_id, best_misses, best_how"
)


def _t(n: int) -> str:
    return T.format(n // 60, n % 60)


def write_v7_file(path: Path) -> None:
    """A history as version 7 left it: four runs, each with two prompt versions (searchable),
    two attempts per version, two images per attempt, a verdict on each, a person's decision
    on some, two checklists; plus an index and a view of the person's own on ``runs``, which
    the rebuild must keep."""
    with closing(connect(path, target=7)) as conn:
        assert user_version(conn) == 7
        with transaction(conn):
            image_id = attempt_id = 0
            for run in range(1, RUNS + 1):
                conn.execute(
                    "INSERT INTO runs (id, run_id, prompt, params_json, image_model_id, "
                    "judge_model_id, started_at, ended_at, outcome, message, image_region, "
                    "judge_region, notes, judge_mode, checklist_json, best_image_id, "
                    "best_misses, best_how) VALUES (?, ?, ?, '{\"a\": 1}', 'm', 'j', ?, ?, ?, "
                    "'done', 'us-west-2', 'us-east-1', 'a note', 'checklist', '[]', NULL, "
                    "'misses', 'rank')",
                    (
                        run,
                        f"2024010100000{run}-aaaaaaaa",
                        f"a fox number {run} 夕焼け",
                        _t(run * 10),
                        _t(run * 10 + 9),
                        ("approved", "not_approved", "error", "interrupted")[run % 4],
                    ),
                )
                for revision in (0, 1):
                    conn.execute(
                        "INSERT INTO prompt_versions (run_id, revision, prompt, ok, "
                        "created_at, notes) VALUES (?, ?, ?, 1, ?, 'n')",
                        (run, revision, f"revised fox {run}.{revision}", _t(run * 10)),
                    )
                    for attempt in (0, 1):
                        attempt_id += 1
                        conn.execute(
                            "INSERT INTO attempts (id, run_id, revision, attempt, prompt, seed, "
                            "request_json, started_at, notes) VALUES (?, ?, ?, ?, 'p', 5, '{}', "
                            "?, 'n')",
                            (attempt_id, run, revision, attempt, _t(run * 10 + 1)),
                        )
                        for idx in (0, 1):
                            image_id += 1
                            conn.execute(
                                "INSERT INTO images (id, run_id, attempt_id, revision, attempt, "
                                "idx, rel_path, sha256, width, height, size_bytes, prompt, "
                                "stored_at, human_decision, decided_at) VALUES (?, ?, ?, ?, ?, "
                                "?, ?, 'ab', 8, 8, 3, 'p', ?, ?, ?)",
                                (
                                    image_id,
                                    run,
                                    attempt_id,
                                    revision,
                                    attempt,
                                    idx,
                                    f"r{run}/{revision}-{attempt}-{idx}.png",
                                    _t(run * 10 + 2),
                                    "approved" if image_id % 5 == 0 else None,
                                    _t(run * 10 + 3) if image_id % 5 == 0 else None,
                                ),
                            )
                            conn.execute(
                                "INSERT INTO verdicts (image_id, result, reason, raw, model_id, "
                                "received_at, checks_json) VALUES (?, ?, 'r', '{}', 'j', ?, '')",
                                (image_id, ("YES", "NO", "REVIEW")[image_id % 3], _t(run * 10 + 4)),
                            )
                for seq in (1, 2):
                    conn.execute(
                        "INSERT INTO run_checklists (run_id, seq, origin, checklist_json, "
                        "items_text, created_at) VALUES (?, ?, 'given', '[]', 'a red fox', ?)",
                        (run, seq, _t(run * 10)),
                    )
                conn.execute(
                    "UPDATE runs SET approved_image_id = ?, best_image_id = ? WHERE id = ?",
                    (image_id, image_id - 1, run),
                )
            conn.execute("CREATE INDEX people_runs_by_judge ON runs (judge_model_id)")
            conn.execute(
                "CREATE VIEW finished_runs AS SELECT id, outcome FROM runs WHERE ended_at "
                "IS NOT NULL"
            )


def snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table the rebuild could touch, by id."""
    with closing(sqlite3.connect(db)) as conn:
        rows = {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
            for table in CHILDREN
        }
        rows["runs"] = conn.execute(f"SELECT {V7_RUN_COLUMNS} FROM runs ORDER BY id").fetchall()
        rows["fts"] = conn.execute("SELECT rowid, prompt FROM prompt_fts ORDER BY rowid").fetchall()
        return rows


@pytest.fixture
def v7(tmp_path: Path) -> Path:
    db = tmp_path / "v7.sqlite3"
    write_v7_file(db)
    return db


def test_every_row_survives_the_rebuild(v7: Path) -> None:
    before = snapshot(v7)
    assert len(before["images"]) == RUNS * 8 and len(before["verdicts"]) == RUNS * 8
    assert len(before["fts"]) == RUNS * 2
    with closing(connect(v7)) as conn:
        assert user_version(conn) == CURRENT_VERSION >= 8
        assert foreign_keys_on(conn)  # back on after the migration
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.execute("INSERT INTO prompt_fts (prompt_fts) VALUES ('integrity-check')")
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_schema")}
        assert {"runs_by_start", "runs_by_outcome", "people_runs_by_judge", "finished_runs"} <= (
            names
        )
        assert {"spend", "spend_by_time", "spend_by_run"} <= names and "runs_v8" not in names
        assert conn.execute("SELECT count(*) FROM finished_runs").fetchone() == (RUNS,)
        plan = " ".join(
            str(row[-1])
            for row in conn.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM runs ORDER BY started_at DESC, id DESC"
            )
        )
        assert "runs_by_start" in plan  # the index was made again, not just its name
        costs = conn.execute("SELECT cost_usd, cost_missing FROM runs").fetchall()
        assert costs == [(None, None)] * RUNS  # runs from before v8: unknown, not $0
    assert snapshot(v7) == before
    with closing(sqlite3.connect(v7)) as raw:
        found = raw.execute(
            "SELECT rowid FROM prompt_fts WHERE prompt_fts MATCH '\"fox 3.1\"'"
        ).fetchall()
    assert len(found) == 1  # the search index still finds rows written before v8


def test_the_outcome_admits_budget_and_still_refuses_others(v7: Path) -> None:
    with closing(connect(v7)) as conn:
        with transaction(conn):
            conn.execute("UPDATE runs SET outcome = 'budget' WHERE id = 1")
        assert conn.execute("SELECT outcome FROM runs WHERE id = 1").fetchone() == ("budget",)
        for bad in ("broke", "BUDGET", ""):
            with pytest.raises(sqlite3.IntegrityError, match="CHECK"), transaction(conn):
                conn.execute("UPDATE runs SET outcome = ? WHERE id = 2", (bad,))
        with transaction(conn):
            conn.execute("UPDATE runs SET outcome = NULL WHERE id = 2")  # running: still fine


def test_deleting_a_run_still_cascades_to_all_its_rows(v7: Path) -> None:
    with closing(connect(v7)) as conn:
        with transaction(conn):
            conn.execute(
                "INSERT INTO spend (run_id, kind, model_id, usd, created_at) "
                "VALUES (2, 'judge', 'j', '0.001', ?)",
                (_t(1),),
            )
            conn.execute("DELETE FROM runs WHERE id = 2")
        for table in (*CHILDREN[:3], "run_checklists", "spend"):
            left = conn.execute(f"SELECT count(*) FROM {table} WHERE run_id = 2").fetchone()
            assert left == (0,), table
        verdicts = conn.execute("SELECT count(*) FROM verdicts").fetchone()
        assert verdicts == ((RUNS - 1) * 8,)  # through images
        fts = conn.execute("SELECT count(*) FROM prompt_fts").fetchone()
        assert fts == ((RUNS - 1) * 2,)  # through the prompt_versions trigger
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"), transaction(conn):
            conn.execute(
                "INSERT INTO attempts (run_id, revision, attempt, prompt, seed, request_json, "
                "started_at) VALUES (99, 0, 0, 'p', 1, '{}', ?)",
                (_t(1),),
            )


def test_a_step_that_would_leave_dangling_rows_is_refused_and_rolled_back(v7: Path) -> None:
    """A child row that points at no run (written with foreign keys off by some other tool)
    stops the migration loudly; the file stays version 7 with every row."""
    with closing(sqlite3.connect(v7)) as raw:
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute(
            "INSERT INTO run_checklists (run_id, seq, origin, created_at) "
            "VALUES (77, 1, 'given', 'x')"
        )
        raw.commit()
    before = snapshot(v7)
    with pytest.raises(HistoryError, match=r"run_checklists row .* -> runs"):
        connect(v7)
    assert snapshot(v7) == before
    with closing(sqlite3.connect(v7)) as raw:
        assert user_version(raw) == 7


def test_migrate_refuses_to_start_inside_a_transaction(v7: Path) -> None:
    """Inside a transaction ``PRAGMA foreign_keys = OFF`` does nothing, and the rebuild
    would then cascade-delete every child row: refused before anything is written."""
    with closing(connect(v7, target=7)) as conn:
        conn.execute("BEGIN")
        with pytest.raises(HistoryError, match="inside an open transaction"):
            migrate(conn)
        conn.execute("ROLLBACK")
        assert user_version(conn) == 7 and foreign_keys_on(conn)
        with pytest.raises(HistoryError, match="foreign keys off"), transaction(conn):
            schema.MIGRATIONS[7](conn)  # the step alone, foreign keys on: refused too
    assert len(snapshot(v7)["images"]) == RUNS * 8


def test_foreign_keys_come_back_on_when_a_step_fails(
    v7: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("disk pulled")

    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS[:7], broken))
    with closing(connect(v7, target=7)) as conn:
        with pytest.raises(RuntimeError, match="disk pulled"):
            migrate(conn, 8)
        assert foreign_keys_on(conn) and user_version(conn) == 7
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_schema")}
        assert "half_done" not in names


@pytest.fixture
def counted_step(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Step 8, counting each time it runs (by thread name)."""
    ran: list[str] = []
    lock = threading.Lock()
    step = schema.MIGRATIONS[7]

    def counting(conn: sqlite3.Connection) -> None:
        with lock:
            ran.append(threading.current_thread().name)
        step(conn)

    monkeypatch.setattr(
        schema, "MIGRATIONS", (*schema.MIGRATIONS[:7], counting, *schema.MIGRATIONS[8:])
    )
    yield ran


def test_two_connections_opening_at_once_run_the_step_once(
    v7: Path, counted_step: list[str]
) -> None:
    before = snapshot(v7)
    start = threading.Barrier(2, timeout=30)

    def open_it() -> int:
        start.wait()
        with closing(connect(v7)) as conn:
            return user_version(conn)

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="v8-opener") as pool:
        versions = list(pool.map(lambda _: open_it(), range(2)))
    assert versions == [CURRENT_VERSION] * 2 and len(counted_step) == 1
    assert snapshot(v7) == before


def test_migrate_rereads_the_version_under_the_write_lock(
    v7: Path, counted_step: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the setup lock (another build, a tool): a connection that read version 7
    before another migrated still runs nothing once it holds the write lock."""
    with closing(connect(v7, target=7)) as late, closing(connect(v7, target=7)) as first:
        migrate(first)
        real = schema.user_version
        reads: list[int] = []

        def stale_first(conn: sqlite3.Connection) -> int:
            reads.append(1)
            return 7 if len(reads) == 1 else real(conn)  # the read before the lock: stale

        monkeypatch.setattr(schema, "user_version", stale_first)
        assert migrate(late) == CURRENT_VERSION
        monkeypatch.setattr(schema, "user_version", real)
        assert len(counted_step) == 1 and len(reads) >= 2
        assert foreign_keys_on(late)


CHILD = """
import sys
from contextlib import closing
from pathlib import Path
from imgloop_desktop.storage.history.schema import connect, user_version
with closing(connect(Path(sys.argv[1]))) as conn:
    print(user_version(conn))
"""


def test_two_processes_opening_at_once_both_succeed_with_every_row(v7: Path) -> None:
    """Run twice, the step would fail (its columns exist): both processes ending well is
    the proof it ran once."""
    before = snapshot(v7)
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(v7)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [child.communicate(timeout=60) for child in children]
    assert [child.returncode for child in children] == [0, 0], results
    assert [out.strip() for out, _ in results] == [str(CURRENT_VERSION)] * 2
    assert snapshot(v7) == before
    with closing(sqlite3.connect(v7)) as raw:
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []

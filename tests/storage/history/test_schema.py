"""The file format: setup pragmas, forward migrations from the first schema, refusal of newer
files, the transaction helper and the one approval rule."""

from __future__ import annotations

import errno
import hashlib
import random
import re
import sqlite3
from pathlib import Path

import pytest

from imgloop_desktop.core.records import Decision, effective_approved
from imgloop_desktop.services.history import HistoryService, make_filter
from imgloop_desktop.storage.history import schema
from imgloop_desktop.storage.history.schema import (
    CURRENT_VERSION,
    HistoryError,
    connect,
    history_error,
    transaction,
    user_version,
)
from tests.storage.history.fakes import FakeChat, params, read_only_folder, run_recorded


def test_fresh_store_is_current_wal_and_durable(tmp_path: Path) -> None:
    conn = connect(tmp_path / "h.sqlite3")
    try:
        assert user_version(conn) == CURRENT_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert schema.has_fts(conn)
    finally:
        conn.close()


def _write_v1_file(path: Path) -> None:
    """A history as version 1 of the app left it: no decisions, no search index."""
    conn = connect(path, target=1)
    try:
        assert user_version(conn) == 1
        with transaction(conn):
            conn.execute(
                "INSERT INTO runs (id, run_id, prompt, params_json, image_model_id, "
                "judge_model_id, started_at, ended_at, outcome, message) VALUES "
                "(1, '20240101000000-aaaaaaaa', '夕焼けの海辺を歩く猫', '{}', 'm', 'j', "
                "'2024-01-01T00:00:00.000000Z', '2024-01-01T00:01:00.000000Z', "
                "'not_approved', 'none')"
            )
            conn.execute(
                "INSERT INTO prompt_versions (run_id, revision, prompt, ok, created_at) VALUES "
                "(1, 0, '夕焼けの海辺を歩く猫', 1, '2024-01-01T00:00:00.000000Z'), "
                "(1, 1, 'A cat walking on a beach at sunset', 1, '2024-01-01T00:00:30.000000Z')"
            )
            conn.execute(
                "INSERT INTO attempts (id, run_id, revision, attempt, prompt, seed, request_json, "
                "started_at) VALUES (1, 1, 0, 0, 'p', 5, '{}', '2024-01-01T00:00:01.000000Z')"
            )
            conn.execute(
                "INSERT INTO images (id, run_id, attempt_id, revision, attempt, idx, rel_path, "
                "sha256, width, height, size_bytes, prompt, stored_at) VALUES "
                "(1, 1, 1, 0, 0, 0, 'r/000-000-0.png', 'ab', 8, 8, 3, 'p', "
                "'2024-01-01T00:00:02.000000Z')"
            )
            conn.execute(
                "INSERT INTO verdicts (image_id, result, reason, raw, model_id, received_at) "
                "VALUES (1, 'NO', 'no cat', '{}', 'j', '2024-01-01T00:00:03.000000Z')"
            )
        assert not schema.has_fts(conn)
    finally:
        conn.close()


def test_a_version_1_file_migrates_to_current_with_its_data(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    _write_v1_file(db)
    with HistoryService.open(db) as service:
        conn = sqlite3.connect(db)
        try:
            assert user_version(conn) == CURRENT_VERSION
        finally:
            conn.close()
        tree = service.session("20240101000000-aaaaaaaa")
        [image] = list(tree.images())
        assert image.verdict is not None and image.verdict.reason == "no cat"
        assert image.human_decision is None and not image.effective_approved
        # v2: decisions; v3: the search index covers rows written before it existed
        assert service.decide(image.image_id, Decision.APPROVED).effective_approved
        for text in ("海辺を歩", "beach at sunset", "猫"):
            page = service.list_sessions(make_filter(search=text))
            assert [s.run_id for s in page.sessions] == ["20240101000000-aaaaaaaa"], text


def test_migrations_run_one_step_at_a_time(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    for version in range(CURRENT_VERSION + 1):
        conn = connect(db, target=version)
        try:
            assert user_version(conn) == version
        finally:
            conn.close()


def test_a_file_from_a_newer_app_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    connect(db).close()
    raw = sqlite3.connect(db)
    raw.execute(f"PRAGMA user_version = {CURRENT_VERSION + 5}")
    raw.close()
    with pytest.raises(HistoryError, match="newer than this app"):
        connect(db)


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    conn = connect(tmp_path / "h.sqlite3")
    try:
        with pytest.raises(RuntimeError), transaction(conn):
            conn.execute(
                "INSERT INTO runs (run_id, prompt, params_json, image_model_id, judge_model_id, "
                "started_at) VALUES ('x', 'p', '{}', 'm', 'j', '2024')"
            )
            raise RuntimeError("boom")
        assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 0
        assert not conn.in_transaction
    finally:
        conn.close()


@pytest.mark.parametrize("judge", [None, "YES", "NO", "ERROR", "REVIEW"])
@pytest.mark.parametrize("human", [None, "approved", "rejected"])
def test_python_and_sql_agree_on_effective_approval(
    tmp_path: Path, judge: str | None, human: str | None
) -> None:
    conn = connect(tmp_path / "h.sqlite3")
    try:
        with transaction(conn):
            conn.execute(
                "INSERT INTO runs (id, run_id, prompt, params_json, image_model_id, "
                "judge_model_id, started_at) VALUES (1, 'r', 'p', '{}', 'm', 'j', 't')"
            )
            conn.execute(
                "INSERT INTO attempts (id, run_id, revision, attempt, prompt, seed, "
                "request_json, started_at) VALUES (1, 1, 0, 0, 'p', 1, '{}', 't')"
            )
            conn.execute(
                "INSERT INTO images (id, run_id, attempt_id, revision, attempt, idx, rel_path, "
                "sha256, width, height, size_bytes, prompt, stored_at, human_decision) "
                "VALUES (1, 1, 1, 0, 0, 0, 'x', 's', 1, 1, 1, 'p', 't', ?)",
                (human,),
            )
            if judge:
                conn.execute(
                    "INSERT INTO verdicts (image_id, result, reason, raw, model_id, received_at) "
                    "VALUES (1, ?, '', '', 'j', 't')",
                    (judge,),
                )
        [sql] = conn.execute("SELECT effective_approved FROM image_status").fetchone()
        expected = human == "approved" if human else judge == "YES"
        assert bool(sql) is effective_approved(judge, human) is expected
    finally:
        conn.close()


def test_without_trigram_support_search_falls_back_and_the_index_comes_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "h.sqlite3"
    capable = schema.trigram_supported
    monkeypatch.setattr(schema, "trigram_supported", lambda conn: False)
    result = run_recorded(db, params("a lighthouse in the storm"))
    with HistoryService.open(db) as service:
        conn = sqlite3.connect(db)
        try:
            assert not schema.has_fts(conn)
        finally:
            conn.close()
        page = service.list_sessions(make_filter(search="lighthouse"))
        assert [s.run_id for s in page.sessions] == [result.run_id]
    monkeypatch.setattr(schema, "trigram_supported", capable)  # not undo(): that drops the
    # autouse fixture's IMGLOOP_DATA_DIR too
    with HistoryService.open(db) as service:
        conn = sqlite3.connect(db)
        try:
            assert schema.has_fts(conn), "a capable SQLite adds the index on the next start"
        finally:
            conn.close()
        page = service.list_sessions(make_filter(search="LIGHTHOUSE in"))
        assert [s.run_id for s in page.sessions] == [result.run_id]


# -- a data folder or history file imgloop cannot use: one message, the file untouched ---------


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _history_with_runs(db: Path, runs: int = 6) -> None:
    for n in range(runs):
        verdicts = ["YES"] if n % 2 else ["NO"] * 4
        run_recorded(db, params(f"a red fox {n} " * 10), chat=FakeChat(verdicts=verdicts))


def _refused_unchanged(db: Path, *patterns: str) -> str:
    """Opening ``db`` raises HistoryError naming the file, and changes no byte of it."""
    before = _sha(db)
    beside = {p.name for p in db.parent.iterdir()}
    with pytest.raises(HistoryError) as caught:
        HistoryService.open(db)
    message = str(caught.value)
    assert str(db) in message
    for pattern in patterns:
        assert re.search(pattern, message), message
    assert _sha(db) == before, "the file was modified"
    assert {p.name for p in db.parent.iterdir()} == beside, "files were created beside it"
    return message


def test_a_read_only_data_folder_is_one_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / "history.sqlite3"
    connect(db).close()
    with read_only_folder(folder) as made:
        if not made:
            pytest.skip("cannot make a read-only folder on this machine")
        _refused_unchanged(db, "read-only", "IMGLOOP_DATA_DIR")
        with pytest.raises(HistoryError, match="read-only"):
            connect(folder / "new.sqlite3")  # a first start in that folder too


def test_a_data_folder_that_cannot_be_created_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    db = blocker / "data" / "history.sqlite3"
    with pytest.raises(HistoryError, match="does not exist and cannot be created") as caught:
        HistoryService.open(db)
    assert str(db.parent) in str(caught.value) and "IMGLOOP_DATA_DIR" in str(caught.value)


def test_a_file_with_a_corrupt_header_is_refused_unchanged(isolated_env: Path) -> None:
    db = isolated_env / "history.sqlite3"
    _history_with_runs(db, 2)
    with db.open("r+b") as handle:
        handle.write(b"this is no db!!\x00")
    _refused_unchanged(db, "not an SQLite database", "move it aside", "new, empty history")


def test_a_truncated_file_is_refused_unchanged(isolated_env: Path) -> None:
    db = isolated_env / "history.sqlite3"
    _history_with_runs(db)
    data = db.read_bytes()
    for cut in (len(data) // 2, len(data) - 512, 60):
        db.write_bytes(data[:cut])
        _refused_unchanged(db, "cut short|not an SQLite database", "backup")


def test_garbage_in_middle_pages_is_refused_before_anything_writes(isolated_env: Path) -> None:
    """An older file is migrated on open; a damaged one must be refused before that write."""
    db = isolated_env / "history.sqlite3"
    _history_with_runs(db)
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA user_version = 1")  # as if an older app wrote it: open would migrate
    page_size = raw.execute("PRAGMA page_size").fetchone()[0]
    raw.close()
    data = bytearray(db.read_bytes())
    pages = len(data) // page_size
    noise = random.Random(17)
    for page in range(pages // 3, 2 * pages // 3):
        data[page * page_size : (page + 1) * page_size] = noise.randbytes(page_size)
    db.write_bytes(bytes(data))
    _refused_unchanged(db, "is damaged", "move it aside")


def test_a_file_from_a_newer_app_is_refused_unchanged(tmp_path: Path) -> None:
    """A rollback-journal file: switching it to WAL alone would rewrite its header."""
    db = tmp_path / "h.sqlite3"
    raw = sqlite3.connect(db)
    raw.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY)")
    raw.execute(f"PRAGMA user_version = {CURRENT_VERSION + 1}")
    raw.commit()
    raw.close()
    message = _refused_unchanged(db, "newer than this app", "Update imgloop desktop")
    assert f"version {CURRENT_VERSION + 1}" in message


def test_sqlite_and_os_errors_become_plain_words(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = sqlite3.SQLITE_FULL  # type: ignore[attr-defined]
    assert "is full" in str(history_error(full, db))
    assert "is full" in str(history_error(OSError(errno.ENOSPC, "No space left"), db))
    assert "read-only" in str(history_error(OSError(errno.EROFS, "Read-only file system"), db))
    corrupt = sqlite3.DatabaseError("database disk image is malformed")
    corrupt.sqlite_errorcode = sqlite3.SQLITE_CORRUPT  # type: ignore[attr-defined]
    message = str(history_error(corrupt, db))
    assert str(db) in message and "move it aside" in message and "unchanged" not in message

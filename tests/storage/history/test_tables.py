"""The one table writer: named columns, refused misspellings, and the two conflict rules."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from imgloop_desktop.storage.history.tables import Table, fetch_all, fetch_one

NOTES = Table("notes", frozenset({"owner", "title", "body"}), key=("owner", "title"))


@pytest.fixture
def conn() -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, owner TEXT, title TEXT, body TEXT, "
        "UNIQUE (owner, title))"
    )
    yield db
    db.close()


def test_a_row_goes_in_by_column_name_and_comes_back_by_name(conn: sqlite3.Connection) -> None:
    row_id = NOTES.insert(conn, {"body": "b", "title": "t", "owner": "o"})
    row = fetch_one(conn, "SELECT id, owner, title, body FROM notes")
    assert row is not None
    assert (row["id"], row["owner"], row["title"], row["body"]) == (row_id, "o", "t", "b")


def test_an_unknown_column_is_refused_before_sqlite_sees_it(conn: sqlite3.Connection) -> None:
    with pytest.raises(ValueError, match="no column titel"):
        NOTES.insert(conn, {"owner": "o", "titel": "t"})
    with pytest.raises(ValueError, match="no column nope"):
        NOTES.insert(conn, {"owner": "o", "title": "t"}, update=("nope",))
    assert fetch_all(conn, "SELECT * FROM notes") == []


def test_keep_existing_leaves_the_row_and_update_changes_only_the_named_columns(
    conn: sqlite3.Connection,
) -> None:
    first = NOTES.insert(conn, {"owner": "o", "title": "t", "body": "one"})
    assert NOTES.insert(conn, {"owner": "o", "title": "t", "body": "two"}, keep_existing=True) == 0
    row = fetch_one(conn, "SELECT id, body FROM notes")
    assert row is not None and (row["id"], row["body"]) == (first, "one")
    NOTES.insert(conn, {"owner": "o", "title": "t", "body": "three"}, update=("body",))
    row = fetch_one(conn, "SELECT id, body FROM notes")
    assert row is not None and (row["id"], row["body"]) == (first, "three")
    with pytest.raises(sqlite3.IntegrityError):
        NOTES.insert(conn, {"owner": "o", "title": "t"})


def test_a_table_without_a_key_cannot_meet_an_existing_row(conn: sqlite3.Connection) -> None:
    keyless = Table("notes", frozenset({"owner"}))
    with pytest.raises(ValueError, match="declares no key"):
        keyless.insert(conn, {"owner": "o"}, keep_existing=True)


def test_the_connections_own_rows_stay_tuples(conn: sqlite3.Connection) -> None:
    """fetch_one/fetch_all set the row factory per cursor, so other readers are unchanged."""
    NOTES.insert(conn, {"owner": "o", "title": "t", "body": "b"})
    fetch_one(conn, "SELECT * FROM notes")
    assert conn.execute("SELECT owner, title FROM notes").fetchone() == ("o", "t")

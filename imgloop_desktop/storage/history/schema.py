"""The history database: where it lives, how a connection is set up, and its versioned schema.

Migrations are frozen once released: a file written by any earlier version of the app is
brought forward step by step inside one transaction per step, so a crash mid-migration
leaves the previous version intact. ``PRAGMA user_version`` records the step reached.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from imgloop_desktop import paths
from imgloop_desktop.core.errors import ImgloopError

DB_NAME = "history.sqlite3"
BUSY_TIMEOUT_MS = 10_000


class HistoryError(ImgloopError):
    """The history store cannot do what was asked; the message says why in plain words."""


class HistoryOutcome(StrEnum):
    """How a run ended, as the history shows it. ``running`` is a run with no end yet."""

    APPROVED = "approved"
    NOT_APPROVED = "not_approved"
    ERROR = "error"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"
    RUNNING = "running"


class Decision(StrEnum):
    """A person's verdict on one image; it overrides the judge's wherever approval matters."""

    APPROVED = "approved"
    REJECTED = "rejected"


class UploadState(StrEnum):
    NONE = "none"  # S3 was off for this run
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


def effective_approved(judge_result: str | None, human_decision: str | None) -> bool:
    """The one approval rule: the person's decision where there is one, else the judge's YES.

    The SQL view ``image_status`` encodes the same rule; a test keeps the two in step.
    """
    if human_decision is not None:
        return human_decision == Decision.APPROVED
    return judge_result == "YES"


def default_db_path() -> Path:
    return paths.data_dir() / DB_NAME


def now_iso(moment: datetime | None = None) -> str:
    """UTC, microseconds, fixed width: text order is time order, so indexes sort by time."""
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("timestamps must carry a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- migrations -------------------------------------------------------------------------------

Step = Callable[[sqlite3.Connection], None]

# Version 1: what the loop's events carry. Never edit; add a new version instead.
_V1: tuple[str, ...] = (
    """CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL UNIQUE,
        prompt TEXT NOT NULL,
        params_json TEXT NOT NULL,
        image_model_id TEXT NOT NULL,
        judge_model_id TEXT NOT NULL,
        images_root TEXT NOT NULL DEFAULT '',
        app_version TEXT NOT NULL DEFAULT '',
        started_at TEXT NOT NULL,
        ended_at TEXT,
        outcome TEXT CHECK (outcome IN
            ('approved', 'not_approved', 'error', 'cancelled', 'interrupted')),
        message TEXT NOT NULL DEFAULT '',
        approved_image_id INTEGER
    )""",
    "CREATE INDEX runs_by_start ON runs (started_at, id)",
    "CREATE INDEX runs_by_outcome ON runs (outcome, started_at, id)",
    """CREATE TABLE prompt_versions (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        revision INTEGER NOT NULL,
        prompt TEXT,
        previous_prompt TEXT,
        reasons_json TEXT NOT NULL DEFAULT '[]',
        ok INTEGER,
        raw TEXT NOT NULL DEFAULT '',
        error TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        UNIQUE (run_id, revision)
    )""",
    """CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        revision INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        prompt TEXT NOT NULL,
        seed INTEGER NOT NULL,
        request_json TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        error TEXT NOT NULL DEFAULT '',
        UNIQUE (run_id, revision, attempt)
    )""",
    """CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        attempt_id INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
        revision INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        rel_path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        size_bytes INTEGER NOT NULL,
        seed INTEGER,
        prompt TEXT NOT NULL,
        s3_bucket TEXT NOT NULL DEFAULT '',
        s3_key TEXT NOT NULL DEFAULT '',
        upload_state TEXT NOT NULL DEFAULT 'none'
            CHECK (upload_state IN ('none', 'pending', 'done', 'failed')),
        upload_error TEXT NOT NULL DEFAULT '',
        stored_at TEXT NOT NULL,
        judge_started_at TEXT,
        UNIQUE (run_id, revision, attempt, idx)
    )""",
    "CREATE INDEX images_by_attempt ON images (attempt_id)",
    """CREATE INDEX images_to_upload ON images (upload_state)
        WHERE upload_state IN ('pending', 'failed')""",
    """CREATE TABLE verdicts (
        id INTEGER PRIMARY KEY,
        image_id INTEGER NOT NULL UNIQUE REFERENCES images (id) ON DELETE CASCADE,
        result TEXT NOT NULL CHECK (result IN ('YES', 'NO', 'ERROR')),
        reason TEXT NOT NULL,
        raw TEXT NOT NULL,
        model_id TEXT NOT NULL,
        input_tokens INTEGER,
        output_tokens INTEGER,
        retried INTEGER NOT NULL DEFAULT 0,
        received_at TEXT NOT NULL
    )""",
)

# Version 2: a person can overrule the judge. The view is the one place SQL decides approval.
_V2: tuple[str, ...] = (
    """ALTER TABLE images ADD COLUMN human_decision TEXT
        CHECK (human_decision IN ('approved', 'rejected'))""",
    "ALTER TABLE images ADD COLUMN decided_at TEXT",
    "CREATE INDEX images_decided ON images (human_decision) WHERE human_decision IS NOT NULL",
    # The gallery starts from the few candidates for approval, not from every image.
    "CREATE INDEX verdicts_yes ON verdicts (image_id) WHERE result = 'YES'",
    """CREATE VIEW image_status AS
        SELECT i.*, v.result AS judge_result,
            CASE WHEN i.human_decision IS NOT NULL THEN i.human_decision = 'approved'
                 ELSE coalesce(v.result = 'YES', 0) END AS effective_approved
        FROM images AS i LEFT JOIN verdicts AS v ON v.image_id = i.id""",
)

# Version 3: prompt search in any language. Trigram FTS finds substrings, CJK included.
_FTS: tuple[str, ...] = (
    """CREATE VIRTUAL TABLE prompt_fts USING fts5 (
        prompt, content = 'prompt_versions', content_rowid = 'id', tokenize = 'trigram')""",
    """CREATE TRIGGER prompt_versions_fts_insert AFTER INSERT ON prompt_versions BEGIN
        INSERT INTO prompt_fts (rowid, prompt) VALUES (new.id, new.prompt);
    END""",
    """CREATE TRIGGER prompt_versions_fts_delete AFTER DELETE ON prompt_versions BEGIN
        INSERT INTO prompt_fts (prompt_fts, rowid, prompt) VALUES ('delete', old.id, old.prompt);
    END""",
    """CREATE TRIGGER prompt_versions_fts_update AFTER UPDATE OF prompt ON prompt_versions BEGIN
        INSERT INTO prompt_fts (prompt_fts, rowid, prompt) VALUES ('delete', old.id, old.prompt);
        INSERT INTO prompt_fts (rowid, prompt) VALUES (new.id, new.prompt);
    END""",
    "INSERT INTO prompt_fts (prompt_fts) VALUES ('rebuild')",
)


def _statements(statements: Sequence[str]) -> Step:
    def step(conn: sqlite3.Connection) -> None:
        for statement in statements:
            conn.execute(statement)

    return step


def _v3(conn: sqlite3.Connection) -> None:
    """An SQLite without the trigram tokenizer still opens the store; search falls back to
    LIKE, and ``ensure_fts`` adds the index on the first start with a capable SQLite."""
    if trigram_supported(conn):
        _statements(_FTS)(conn)


MIGRATIONS: tuple[Step, ...] = (_statements(_V1), _statements(_V2), _v3)
CURRENT_VERSION = len(MIGRATIONS)


def trigram_supported(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.trigram_probe USING fts5 (x, tokenize='trigram')")
    except sqlite3.OperationalError:
        return False
    conn.execute("DROP TABLE temp.trigram_probe")
    return True


def has_fts(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'prompt_fts'"
    ).fetchone()
    return row is not None


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = CURRENT_VERSION) -> int:
    """Bring the file forward to ``target``; each step commits with its version number.

    The version is re-read under the write lock, so two processes opening an old file at
    once run each step exactly once.
    """
    if not 0 <= target <= CURRENT_VERSION:
        raise ValueError(f"schema version {target} is not one this app knows")
    version = user_version(conn)
    if version > CURRENT_VERSION:
        raise HistoryError(
            f"the history database is schema version {version}, newer than this app "
            f"understands ({CURRENT_VERSION}); update imgloop desktop to open it"
        )
    while version < target:
        with transaction(conn):
            version = user_version(conn)
            if version >= target:
                break
            MIGRATIONS[version](conn)
            version += 1
            conn.execute(f"PRAGMA user_version = {version}")
    if target == CURRENT_VERSION:
        ensure_fts(conn)
    return version


def ensure_fts(conn: sqlite3.Connection) -> None:
    if has_fts(conn) or not trigram_supported(conn):
        return
    with transaction(conn):
        if not has_fts(conn):
            _statements(_FTS)(conn)


# -- connections ------------------------------------------------------------------------------


def connect(db_path: Path, *, target: int = CURRENT_VERSION) -> sqlite3.Connection:
    """One connection, set up for the crash-safety promise and migrated to ``target``.

    WAL lets the GUI read while a run writes; ``synchronous=FULL`` makes every commit
    durable through a power cut, not only through a crash of the app (see docs/history.md).
    ``check_same_thread`` is off only so ``ThreadConnections.close_all`` may close a worker's
    connection after the worker is done; each connection is still used by one thread.
    """
    db_path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        db_path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise HistoryError(f"{db_path} cannot use write-ahead logging (journal mode {mode})")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn, target)
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` on any exception.

    IMMEDIATE takes the write lock up front, so a writer waits (busy timeout) at the start
    instead of failing half-way when another process is writing.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class _Held:
    """A thread's connection, kept in that thread's locals: when the thread ends (or a Qt
    pool thread finishes its task and Python drops its locals) the holder is collected and
    its finalizer closes the connection, so short-lived workers leak no file handles."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn


class ThreadConnections:
    """One connection per thread (sqlite3 connections must not be shared between threads),
    closed when its thread ends, and all closed together by whoever owns the object."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: dict[int, sqlite3.Connection] = {}
        self._closed = False

    def get(self) -> sqlite3.Connection:
        if self._closed:
            raise HistoryError("the history store was closed")
        held: _Held | None = getattr(self._local, "held", None)
        if held is not None:
            return held.conn
        conn = connect(self.db_path)
        with self._lock:
            if self._closed:
                conn.close()
                raise HistoryError("the history store was closed")
            self._open[id(conn)] = conn
        held = _Held(conn)
        weakref.finalize(held, self._release, conn)
        self._local.held = held
        return conn

    @property
    def open_count(self) -> int:
        with self._lock:
            return len(self._open)

    def _release(self, conn: sqlite3.Connection) -> None:
        with self._lock:
            if self._open.pop(id(conn), None) is None:
                return  # close_all already closed it
        conn.close()

    def close_all(self) -> None:
        with self._lock:
            self._closed = True
            conns, self._open = list(self._open.values()), {}
        for conn in conns:
            conn.close()

"""The history database: where it lives, how a connection is set up, and its versioned schema.

Migrations are frozen once released: a file written by any earlier version of the app is
brought forward step by step inside one transaction per step, so a crash mid-migration
leaves the previous version intact. ``PRAGMA user_version`` records the step reached.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from imgloop_desktop import paths

# The history's vocabulary lives in core (front ends import it from there); storage code
# that always took these names from ``schema`` still can.
from imgloop_desktop.core.records import Decision as Decision
from imgloop_desktop.core.records import HistoryOutcome as HistoryOutcome
from imgloop_desktop.core.records import UploadState as UploadState
from imgloop_desktop.core.records import effective_approved as effective_approved
from imgloop_desktop.storage.history.errors import BUSY_TIMEOUT_MS, SQLITE_MAGIC
from imgloop_desktop.storage.history.errors import HistoryError as HistoryError
from imgloop_desktop.storage.history.errors import damaged_error as damaged_error
from imgloop_desktop.storage.history.errors import history_error as history_error
from imgloop_desktop.storage.history.tables import fetch_all, fetch_one

DB_NAME = "history.sqlite3"


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


# Version 4: notes on an attempt that still produced images (extra images ignored, bytes
# that did not decode, an answer after the deadline); ``error`` stays for failed attempts.
_V4: tuple[str, ...] = ("ALTER TABLE attempts ADD COLUMN notes TEXT NOT NULL DEFAULT ''",)

# Version 5: what was done to the judge's copy of an image to fit Converse's image limits
# (re-encoded or downscaled); empty when the judge saw the image as the settings asked.
_V5: tuple[str, ...] = ("ALTER TABLE verdicts ADD COLUMN judge_image TEXT NOT NULL DEFAULT ''",)

# Version 6 (issue 11): the region each model was called in (they may differ), the run's
# notes (a size mapped to the model's nearest, settings the model does not use), and the
# judge's and reviser's notes (a sampling setting the model rejected, then left out).
_V6: tuple[str, ...] = (
    "ALTER TABLE runs ADD COLUMN image_region TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE runs ADD COLUMN judge_region TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE runs ADD COLUMN notes TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE verdicts ADD COLUMN notes TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE prompt_versions ADD COLUMN notes TEXT NOT NULL DEFAULT ''",
)

# Version 7 (issue 12, the approval contract): checklist judging. SQLite cannot alter a
# CHECK constraint, so ``verdicts`` is rebuilt (new table, copy, drop, rename: SQLite's own
# recipe) to admit 'REVIEW', the verdict that sends an image to a person; the view and the
# index that name ``verdicts`` are dropped first and made again after. Nothing references
# ``verdicts`` by foreign key, so the rebuild is safe with foreign keys on.
_APPROVAL_VIEW = """CREATE VIEW image_status AS
        SELECT i.*, v.result AS judge_result,
            CASE WHEN i.human_decision IS NOT NULL THEN i.human_decision = 'approved'
                 ELSE coalesce(v.result = 'YES', 0) END AS effective_approved
        FROM images AS i LEFT JOIN verdicts AS v ON v.image_id = i.id"""
_V7: tuple[str, ...] = (
    "DROP VIEW image_status",
    "DROP INDEX verdicts_yes",
    """CREATE TABLE verdicts_v7 (
        id INTEGER PRIMARY KEY,
        image_id INTEGER NOT NULL UNIQUE REFERENCES images (id) ON DELETE CASCADE,
        result TEXT NOT NULL CHECK (result IN ('YES', 'NO', 'ERROR', 'REVIEW')),
        reason TEXT NOT NULL,
        raw TEXT NOT NULL,
        model_id TEXT NOT NULL,
        input_tokens INTEGER,
        output_tokens INTEGER,
        retried INTEGER NOT NULL DEFAULT 0,
        received_at TEXT NOT NULL,
        judge_image TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        checks_json TEXT NOT NULL DEFAULT '',
        checklist_json TEXT NOT NULL DEFAULT ''
    )""",
    """INSERT INTO verdicts_v7 (id, image_id, result, reason, raw, model_id, input_tokens,
            output_tokens, retried, received_at, judge_image, notes)
        SELECT id, image_id, result, reason, raw, model_id, input_tokens, output_tokens,
            retried, received_at, judge_image, notes
        FROM verdicts""",
    "DROP TABLE verdicts",
    "ALTER TABLE verdicts_v7 RENAME TO verdicts",
    "CREATE INDEX verdicts_yes ON verdicts (image_id) WHERE result = 'YES'",
    # The review list starts from the few images the judge sent to a person.
    "CREATE INDEX verdicts_review ON verdicts (image_id) WHERE result = 'REVIEW'",
    "ALTER TABLE images ADD COLUMN human_items_json TEXT NOT NULL DEFAULT ''",
    _APPROVAL_VIEW,
    "ALTER TABLE runs ADD COLUMN judge_mode TEXT NOT NULL DEFAULT 'verdict'",
    "ALTER TABLE runs ADD COLUMN checklist_json TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE runs ADD COLUMN best_image_id INTEGER",
    "ALTER TABLE runs ADD COLUMN best_misses TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE runs ADD COLUMN best_how TEXT NOT NULL DEFAULT ''",
    """CREATE TABLE run_checklists (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        origin TEXT NOT NULL
            CHECK (origin IN ('given', 'cached', 'written', 'edited', 'failed')),
        checklist_json TEXT NOT NULL DEFAULT '',
        items_text TEXT NOT NULL DEFAULT '',
        model_id TEXT NOT NULL DEFAULT '',
        raw TEXT NOT NULL DEFAULT '',
        error TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        input_tokens INTEGER,
        output_tokens INTEGER,
        created_at TEXT NOT NULL,
        UNIQUE (run_id, seq)
    )""",
)

# Version 8 (issue 13, what it costs): runs may end with outcome 'budget' (a call a cap did
# not allow was not started), each run keeps what it spent, and every paid call is a row.
#
# The outcome is a CHECK constraint, so ``runs`` is rebuilt, and unlike ``verdicts`` in v7
# many tables reference it ``ON DELETE CASCADE``: dropping it with foreign keys on would
# delete every prompt version, attempt, image, verdict and checklist of every run. This step
# therefore follows SQLite's "generalized ALTER TABLE" procedure (the 12 steps of
# https://www.sqlite.org/lang_altertable.html#otheralter): ``migrate`` turns foreign keys off
# before its transactions (the pragma is a no-op inside one) and checks them before each
# commit. The new table is made from the current CREATE text in ``sqlite_schema`` with
# 'budget' added to the list, so every column an ALTER added since v1 is kept in order and
# ``SELECT *`` copies rows as they are; indexes, triggers and views that name ``runs`` are
# made again from their own stored SQL.
_OUTCOMES_V1 = "'approved', 'not_approved', 'error', 'cancelled', 'interrupted'"
_OUTCOME_CHECK = re.compile(r"(outcome\s+IN\s*\(\s*)" + re.escape(_OUTCOMES_V1) + r"(\s*\))")
_CREATE_RUNS = re.compile(r"^CREATE TABLE\s+(?:\"runs\"|runs)\b", re.IGNORECASE)
_NAMES_RUNS = re.compile(r"\bruns\b", re.IGNORECASE)


def _runs_dependents(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Indexes and triggers on ``runs`` and views or triggers whose SQL names it, in the
    order they were made; automatic indexes (no SQL) come back with the table."""
    return [
        row
        for row in fetch_all(
            conn,
            """SELECT type, name, tbl_name, sql FROM sqlite_schema
               WHERE type IN ('index', 'trigger', 'view') AND sql IS NOT NULL
               ORDER BY rowid""",
        )
        if row["tbl_name"] == "runs"
        or (row["type"] != "index" and _NAMES_RUNS.search(str(row["sql"])))
    ]


def _v8(conn: sqlite3.Connection) -> None:
    if foreign_keys_on(conn):
        raise HistoryError(
            "schema step 8 rebuilds the runs table and must run with foreign keys off; "
            "with them on, dropping the old table would delete every run's rows"
        )
    row = fetch_one(conn, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'runs'")
    if row is None:
        raise HistoryError("the history has no runs table; it is not one this app wrote")
    create, found = _OUTCOME_CHECK.subn(rf"\g<1>{_OUTCOMES_V1}, 'budget'\g<2>", str(row["sql"]))
    create, named = _CREATE_RUNS.subn("CREATE TABLE runs_v8", create)
    if found != 1 or named != 1:
        raise HistoryError(
            "the history's runs table is not one this app made (its outcome constraint or "
            "name differs); imgloop left it unchanged"
        )
    dependents = _runs_dependents(conn)
    for item in dependents:
        if item["type"] != "index":  # indexes go with the table; the others would dangle
            conn.execute(f'DROP {item["type"].upper()} "{item["name"]}"')
    conn.execute(create)
    conn.execute("INSERT INTO runs_v8 SELECT * FROM runs")
    conn.execute("DROP TABLE runs")
    conn.execute("ALTER TABLE runs_v8 RENAME TO runs")
    for item in dependents:
        conn.execute(str(item["sql"]))
    _statements(_V8)(conn)


_V8: tuple[str, ...] = (
    # What RunFinished.spent said: the known amount as exact decimal text, and what could
    # not be priced as a JSON list; both NULL when the run had no price table (or no end).
    "ALTER TABLE runs ADD COLUMN cost_usd TEXT",
    "ALTER TABLE runs ADD COLUMN cost_missing TEXT",
    # One row per Spent event. ``kind`` has no CHECK on purpose: a new kind of call must not
    # need another rebuild. Amounts are text, summed in Python as Decimal (SQLite's sum()
    # would turn them into floats).
    """CREATE TABLE spend (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        model_id TEXT NOT NULL,
        revision INTEGER,
        attempt INTEGER,
        idx INTEGER,
        usd TEXT NOT NULL,
        missing_json TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL
    )""",
    # The monthly budget sums one month's rows: a range on time, covering the amounts.
    "CREATE INDEX spend_by_time ON spend (created_at, usd, missing_json)",
    # A session's costs, and the cascade when a run is deleted.
    "CREATE INDEX spend_by_run ON spend (run_id, revision, attempt, idx)",
)

# Version 9: a run queue that survives quit, crash and reboot (``queue_rows``). Items keep
# their run's parameters as ``RunParams.to_event()`` JSON, like ``runs.params_json``, so a
# queued run reads back through the same validating loader. ``AUTOINCREMENT`` so an id is
# never reused: a late ``finish`` or ``cancel`` from the window for a removed item must not
# land on a newer one. Every run an item started stays linked (a crash's interrupted run
# too); a run's row is the parent, so a link is made only once the run was recorded.
_V9: tuple[str, ...] = (
    """CREATE TABLE queue_items (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        position INTEGER NOT NULL,
        event TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'waiting'
            CHECK (state IN ('waiting', 'running', 'done', 'failed', 'cancelled')),
        outcome TEXT,
        error TEXT NOT NULL DEFAULT '',
        tries INTEGER NOT NULL DEFAULT 0,
        added_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT
    )""",
    # The next item to claim is the first waiting one by position.
    "CREATE INDEX queue_items_by_state ON queue_items (state, position)",
    """CREATE TABLE queue_runs (
        item_id INTEGER NOT NULL REFERENCES queue_items (id) ON DELETE CASCADE,
        run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        PRIMARY KEY (item_id, run_id)
    )""",
    # Deleting a run (tests, tools) cascades through this index, not a scan.
    "CREATE INDEX queue_runs_by_run ON queue_runs (run_id)",
    """CREATE TABLE queue_settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
)

# Version 10 (issue 16): a person's own marks on an image, a favourite star and a 1-5
# rating (``marks_rows``). A table of its own rather than columns on ``images``: marks are
# the person's, changed often and long after the run, never by the recorder; a row exists
# only for an image someone marked, and goes with the image (cascade). ``rating`` NULL is
# "not rated"; a row with neither mark is deleted rather than kept.
_V10: tuple[str, ...] = (
    """CREATE TABLE image_marks (
        image_id INTEGER PRIMARY KEY REFERENCES images (id) ON DELETE CASCADE,
        favourite INTEGER NOT NULL DEFAULT 0 CHECK (favourite IN (0, 1)),
        rating INTEGER CHECK (rating BETWEEN 1 AND 5),
        marked_at TEXT NOT NULL
    )""",
    # The history browser's "favourites only" and "rated at least" filters start here.
    "CREATE INDEX image_marks_favourite ON image_marks (image_id) WHERE favourite = 1",
    "CREATE INDEX image_marks_rating ON image_marks (rating, image_id) WHERE rating IS NOT NULL",
)

# Version 11 (issue 16): a PNG dropped on the window with no parameters of its own is found
# by its SHA-256 (``queries.image_id_by_sha256``); without an index that read the whole
# images table on the GUI thread.
_V11: tuple[str, ...] = ("CREATE INDEX images_by_sha256 ON images (sha256)",)

MIGRATIONS: tuple[Step, ...] = (
    _statements(_V1),
    _statements(_V2),
    _v3,
    _statements(_V4),
    _statements(_V5),
    _statements(_V6),
    _statements(_V7),
    _v8,
    _statements(_V9),
    _statements(_V10),
    _statements(_V11),
)
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
    row = fetch_one(conn, "PRAGMA user_version")
    return int(row["user_version"]) if row is not None else 0


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
    if version < target:
        with foreign_keys_off(conn):
            while version < target:
                with transaction(conn):
                    version = user_version(conn)
                    if version >= target:
                        break
                    MIGRATIONS[version](conn)
                    check_foreign_keys(conn, f"schema step {version + 1}")
                    version += 1
                    conn.execute(f"PRAGMA user_version = {version}")
    if target == CURRENT_VERSION:
        ensure_fts(conn)
    return version


def foreign_keys_on(conn: sqlite3.Connection) -> bool:
    row = fetch_one(conn, "PRAGMA foreign_keys")
    return row is not None and bool(row["foreign_keys"])


@contextmanager
def foreign_keys_off(conn: sqlite3.Connection) -> Iterator[None]:
    """Foreign keys off while migrating (step 1 of SQLite's 12-step procedure), back as they
    were after, even when a step fails.

    ``PRAGMA foreign_keys`` is a no-op inside a transaction, so this refuses to start in one
    rather than let a table rebuild cascade-delete every child row."""
    if conn.in_transaction:
        raise HistoryError("the history cannot be migrated inside an open transaction")
    was_on = foreign_keys_on(conn)
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        if was_on:
            conn.execute("PRAGMA foreign_keys = ON")


def check_foreign_keys(conn: sqlite3.Connection, during: str) -> None:
    """Raise ``HistoryError`` (rolling the step back) when any row points at nothing
    (step 10 of the procedure); a step that dropped a child row's parent says so here,
    before it commits, instead of leaving a history with dangling rows."""
    problems = fetch_all(conn, "PRAGMA foreign_key_check")
    if problems:
        shown = "; ".join(f"{p['table']} row {p['rowid']} -> {p['parent']}" for p in problems[:5])
        more = f" and {len(problems) - 5} more" if len(problems) > 5 else ""
        raise HistoryError(
            f"{during} would leave rows that reference nothing ({shown}{more}); the history "
            "was left as it was"
        )


def ensure_fts(conn: sqlite3.Connection) -> None:
    if has_fts(conn) or not trigram_supported(conn):
        return
    with transaction(conn):
        if not has_fts(conn):
            _statements(_FTS)(conn)


# -- connections ------------------------------------------------------------------------------


def _newer_error(db_path: Path, version: int) -> HistoryError:
    return HistoryError(
        f"the history file {db_path} is schema version {version}, newer than this app "
        f"understands ({CURRENT_VERSION}); imgloop left it unchanged. "
        "Update imgloop desktop to open it, or set IMGLOOP_DATA_DIR to another folder"
    )


def inspect_file(db_path: Path) -> None:
    """Refuse, without writing a byte, a file that must not be opened for writing.

    Opening for real switches the file to WAL, creates ``-wal``/``-shm`` beside it and
    migrates it; done to a damaged, foreign or newer file, that changes the very bytes a
    person would need to restore or inspect it. So the header is read with plain file I/O
    and the schema with an ``immutable`` read-only connection (no lock, no journal files,
    no writes) first. A missing or empty file is a new history and passes.
    """
    try:
        size = db_path.stat().st_size
        if size == 0:
            return
        with db_path.open("rb") as handle:
            header = handle.read(100)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise history_error(exc, db_path) from exc
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise damaged_error(
            db_path, "is not an SQLite database (its header is damaged, or it is another file)"
        )
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise damaged_error(db_path, f"has a damaged header (page size {page_size})")
    version = int.from_bytes(header[60:64], "big", signed=True)
    if version > CURRENT_VERSION:
        raise _newer_error(db_path, version)
    wal = db_path.with_name(db_path.name + "-wal")
    try:  # another connection closing may remove it between any two looks
        wal_size = wal.stat().st_size
    except FileNotFoundError:
        wal_size = 0
    pages = int.from_bytes(header[28:32], "big")
    pages_valid = header[24:28] == header[92:96]  # SQLite's rule for trusting the count
    if wal_size:
        # Someone may be writing (or a crash left a log to replay): the main file alone is
        # not the whole story and may be mid-checkpoint, so the checks below would misread
        # it. Damage is then found by the first query, before anything is migrated.
        return
    if size % page_size or (pages_valid and size < pages * page_size):
        expected = f", its header says {pages * page_size:,}" if pages_valid else ""
        raise damaged_error(db_path, f"is cut short ({size:,} bytes{expected})")
    uri = f"{db_path.resolve().as_uri()}?mode=ro&immutable=1"
    try:
        probe = sqlite3.connect(uri, uri=True)
        try:
            tables = fetch_all(probe, "SELECT name FROM sqlite_schema WHERE type = 'table'")
            version = user_version(probe)
        finally:
            probe.close()
    except sqlite3.DatabaseError as exc:
        raise damaged_error(db_path, f"is damaged ({exc})") from exc
    if version > CURRENT_VERSION:
        raise _newer_error(db_path, version)
    if version == 0 and tables:
        names = ", ".join(sorted(str(t["name"]) for t in tables)[:5])
        raise HistoryError(
            f"{db_path} is an SQLite database of another program (tables: {names}), not an "
            "imgloop history; imgloop left it unchanged. Point --db or IMGLOOP_DATA_DIR "
            "elsewhere"
        )


def connect(db_path: Path, *, target: int = CURRENT_VERSION) -> sqlite3.Connection:
    """One connection, set up for the crash-safety promise and migrated to ``target``.

    WAL lets the GUI read while a run writes; ``synchronous=FULL`` makes every commit
    durable through a power cut, not only through a crash of the app (see docs/history.md).
    ``check_same_thread`` is off only so ``ThreadConnections.close_all`` may close a worker's
    connection after the worker is done; each connection is still used by one thread.

    A folder that cannot be made or written, a full disk, and a damaged, foreign or newer
    file raise ``HistoryError`` with one plain message; the file is not modified first
    (``inspect_file``).
    """
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise history_error(exc, db_path) from exc
    # Once, before the lock file exists, so a refused history gets nothing beside it; what
    # passed here stays valid under the lock (another opener only creates or migrates it).
    inspect_file(db_path)
    with _setup_lock(db_path):
        return _connect(db_path, target)


@contextmanager
def _setup_lock(db_path: Path) -> Iterator[None]:
    """One connection at a time inspects, switches to WAL and migrates the file.

    Two processes opening a new history at once otherwise deadlock: the one that read the
    header before the other switched it to WAL asks for the exclusive lock a mode change
    needs, which the other's open WAL connection never gives up (seen as "database is
    locked" after the busy timeout, with two same-second runs)."""
    lock_path = db_path.with_name(db_path.name + ".setup-lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise history_error(exc, db_path) from exc
    try:
        if os.name == "posix":
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _connect(db_path: Path, target: int) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(
            db_path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
    except sqlite3.Error as exc:
        raise history_error(exc, db_path) from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if db_path.stat().st_size and (
            _journal_mode(conn, "PRAGMA journal_mode") != "wal" or user_version(conn) < target
        ):
            # Switching to WAL and migrating both write: a damaged file is refused before
            # it is changed. Only an old file pays for this check, once.
            quick_check(conn, db_path)
        mode = _journal_mode(conn, "PRAGMA journal_mode = WAL")
        if mode != "wal":
            raise HistoryError(
                f"{db_path} cannot use write-ahead logging (journal mode {mode}); is its "
                "folder read-only or on a network drive? Set IMGLOOP_DATA_DIR to a local, "
                "writable folder"
            )
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn, target)
    except sqlite3.Error as exc:
        conn.close()
        raise history_error(exc, db_path) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _journal_mode(conn: sqlite3.Connection, pragma: str) -> str:
    """The journal mode ``pragma`` reports (reading it, or after setting it), lower case."""
    row = fetch_one(conn, pragma)
    return str(row["journal_mode"]).lower() if row is not None else ""


def quick_check(conn: sqlite3.Connection, db_path: Path) -> None:
    """Raise ``HistoryError`` unless SQLite finds every page of the file sound.

    Damage in pages a query does not happen to touch goes unnoticed by that query, so a
    command that exports or reports on the whole history checks first rather than
    succeeding with less than there is. ``quick_check`` reads every page once without
    checking index contents: a few milliseconds per megabyte.
    """
    try:
        rows = fetch_all(conn, "PRAGMA quick_check(5)")
    except sqlite3.DatabaseError as exc:
        raise history_error(exc, db_path) from exc
    found = [str(row["quick_check"]) for row in rows]
    if found != ["ok"]:
        lines = [line for row in found for line in row.splitlines() if "***" not in line]
        more = f", and {len(lines) - 2} more" if len(lines) > 2 else ""
        raise damaged_error(db_path, f"is damaged ({'; '.join(lines[:2])}{more})")


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

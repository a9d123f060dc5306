"""One writer for the history's tables, and one way to read them: rows go in as
``{column: value}`` and come out as ``sqlite3.Row`` read by column name, never by position.

The recorder (a run as it happens), the importer (a run from another machine) and repair
(an image a kill left unrecorded) write the same tables. With a positional INSERT in each,
a new column meant three hand-counted lists of ``?`` to keep in step; here a row names its
columns, a misspelt one is refused before SQLite sees it, and "insert, or keep / update the
row already there" is spelt once. The shape follows qutebrowser's ``misc/sql.py``
``SqlTable.insert``.

Reads go through ``fetch_one`` / ``fetch_all``: a SELECT that gains or reorders a column
cannot shift what ``row["prompt"]`` means, as it would ``row[12]``. The connection's own
row factory is left alone, so tuples stay tuples for code (and tests) that compare them.

Column names are interpolated into SQL, so they come only from the declarations below (a
name not declared raises), never from data; values always travel as parameters.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


def fetch_one(
    conn: sqlite3.Connection, sql: str, args: Sequence[object] | Mapping[str, object] = ()
) -> sqlite3.Row | None:
    """The first row of ``sql``, read by column name; None when there is none."""
    cursor = conn.execute(sql, args)
    cursor.row_factory = sqlite3.Row
    row: sqlite3.Row | None = cursor.fetchone()
    return row


def fetch_all(
    conn: sqlite3.Connection, sql: str, args: Sequence[object] | Mapping[str, object] = ()
) -> list[sqlite3.Row]:
    """Every row of ``sql``, read by column name."""
    cursor = conn.execute(sql, args)
    cursor.row_factory = sqlite3.Row
    rows: list[sqlite3.Row] = cursor.fetchall()
    return rows


@dataclass(frozen=True)
class Table:
    name: str
    columns: frozenset[str]
    key: tuple[str, ...] = ()
    """The UNIQUE columns an insert may meet an existing row on (``keep`` / ``update``)."""

    def insert(
        self,
        conn: sqlite3.Connection,
        values: Mapping[str, object],
        *,
        keep_existing: bool = False,
        update: Sequence[str] = (),
    ) -> int:
        """Insert one row; returns the new row's id, or 0 with ``update`` or when a row already
        there was kept (SQLite reports no id then: look it up by ``key``).

        ``keep_existing``: a row already there under ``key`` is left as it is.
        ``update``: a row already there under ``key`` takes these columns from ``values``.
        """
        self._check(values.keys())
        self._check(update)
        if (keep_existing or update) and not self.key:
            raise ValueError(f"table {self.name} declares no key to meet an existing row on")
        names = list(values)
        sql = (
            f"INSERT INTO {self.name} ({', '.join(names)}) "
            f"VALUES ({', '.join(':' + name for name in names)})"
        )
        if update:
            assignments = ", ".join(f"{column} = excluded.{column}" for column in update)
            sql += f" ON CONFLICT ({', '.join(self.key)}) DO UPDATE SET {assignments}"
        elif keep_existing:
            sql += f" ON CONFLICT ({', '.join(self.key)}) DO NOTHING"
        cursor = conn.execute(sql, dict(values))
        if update or not cursor.rowcount:  # SQLite leaves lastrowid stale for these
            return 0
        return int(cursor.lastrowid or 0)

    def _check(self, names: Iterable[str]) -> None:
        unknown = sorted(set(names) - self.columns)
        if unknown:
            raise ValueError(f"table {self.name} has no column {', '.join(unknown)}")


RUNS = Table(
    "runs",
    frozenset(
        {
            "run_id",
            "prompt",
            "params_json",
            "image_model_id",
            "judge_model_id",
            "image_region",
            "judge_region",
            "notes",
            "images_root",
            "app_version",
            "started_at",
            "ended_at",
            "outcome",
            "message",
            "approved_image_id",
            "judge_mode",
            "checklist_json",
            "best_image_id",
            "best_misses",
            "best_how",
            "cost_usd",
            "cost_missing",
        }
    ),
    key=("run_id",),
)
PROMPT_VERSIONS = Table(
    "prompt_versions",
    frozenset(
        {
            "run_id",
            "revision",
            "prompt",
            "previous_prompt",
            "reasons_json",
            "ok",
            "raw",
            "error",
            "notes",
            "created_at",
        }
    ),
    key=("run_id", "revision"),
)
ATTEMPTS = Table(
    "attempts",
    frozenset(
        {
            "run_id",
            "revision",
            "attempt",
            "prompt",
            "seed",
            "request_json",
            "started_at",
            "ended_at",
            "error",
            "notes",
        }
    ),
    key=("run_id", "revision", "attempt"),
)
IMAGES = Table(
    "images",
    frozenset(
        {
            "run_id",
            "attempt_id",
            "revision",
            "attempt",
            "idx",
            "rel_path",
            "sha256",
            "width",
            "height",
            "size_bytes",
            "seed",
            "prompt",
            "s3_bucket",
            "s3_key",
            "upload_state",
            "upload_error",
            "stored_at",
            "judge_started_at",
            "human_decision",
            "decided_at",
            "human_items_json",
        }
    ),
    key=("run_id", "revision", "attempt", "idx"),
)
VERDICTS = Table(
    "verdicts",
    frozenset(
        {
            "image_id",
            "result",
            "reason",
            "raw",
            "model_id",
            "input_tokens",
            "output_tokens",
            "retried",
            "received_at",
            "judge_image",
            "notes",
            "checks_json",
            "checklist_json",
        }
    ),
    key=("image_id",),
)
RUN_CHECKLISTS = Table(
    "run_checklists",
    frozenset(
        {
            "run_id",
            "seq",
            "origin",
            "checklist_json",
            "items_text",
            "model_id",
            "raw",
            "error",
            "notes",
            "input_tokens",
            "output_tokens",
            "created_at",
        }
    ),
    key=("run_id", "seq"),
)

SPEND = Table(
    "spend",
    frozenset(
        {
            "run_id",
            "kind",
            "model_id",
            "revision",
            "attempt",
            "idx",
            "usd",
            "missing_json",
            "created_at",
        }
    ),
)


def unseen_attempt(
    run_row: int, revision: int, attempt: int, prompt: str, started_at: str
) -> dict[str, object]:
    """The row for an attempt whose start was never recorded (its images came first, or a
    kill beat it): seed 0 and an empty request say "not known" rather than guess."""
    return {
        "run_id": run_row,
        "revision": revision,
        "attempt": attempt,
        "prompt": prompt,
        "seed": 0,
        "request_json": "{}",
        "started_at": started_at,
    }

"""Reading the history: session lists, search, one session's whole tree, human decisions.

Everything returns plain frozen dataclasses, so a Qt model can adapt them on the GUI thread
after a worker thread fetched them. Functions take a connection owned by the calling
thread; ``services.history`` hands out one per thread.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from imgloop_desktop import paths
from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.storage.history.schema import (
    Decision,
    HistoryError,
    HistoryOutcome,
    UploadState,
    effective_approved,
    has_fts,
    now_iso,
    parse_iso,
    transaction,
)

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
FTS_MIN_CHARS = 3  # the trigram index cannot match fewer characters; LIKE does those


@dataclass(frozen=True)
class SessionFilter:
    """What to show. ``since`` is inclusive and ``until`` exclusive; both carry a time zone."""

    search: str = ""
    outcomes: frozenset[HistoryOutcome] = frozenset()
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class SessionSummary:
    run_id: str
    prompt: str
    latest_prompt: str
    outcome: HistoryOutcome
    message: str
    started_at: datetime
    ended_at: datetime | None
    image_model_id: str
    judge_model_id: str
    image_count: int
    attempt_count: int
    revision_count: int
    approved_count: int
    thumbnail_image_id: int | None
    """The effectively approved image, else the last one; None when the run made none."""


@dataclass(frozen=True)
class SessionPage:
    sessions: list[SessionSummary]
    next_cursor: str | None
    """Pass back as ``cursor`` for the next page; None on the last page."""


@dataclass(frozen=True)
class VerdictRecord:
    result: str
    reason: str
    raw: str
    model_id: str
    input_tokens: int | None
    output_tokens: int | None
    retried: bool
    received_at: datetime


@dataclass(frozen=True)
class ImageRecord:
    image_id: int
    run_id: str
    revision: int
    attempt: int
    index: int
    rel_path: str
    path: Path
    sha256: str
    width: int
    height: int
    size_bytes: int
    seed: int | None
    prompt: str
    s3_bucket: str
    s3_key: str
    upload_state: UploadState
    upload_error: str
    stored_at: datetime
    verdict: VerdictRecord | None
    human_decision: Decision | None
    decided_at: datetime | None

    @property
    def effective_approved(self) -> bool:
        return effective_approved(
            self.verdict.result if self.verdict else None,
            self.human_decision.value if self.human_decision else None,
        )

    @property
    def label(self) -> str:
        return f"prompt {self.revision} attempt {self.attempt} image {self.index}"


@dataclass(frozen=True)
class AttemptRecord:
    revision: int
    attempt: int
    prompt: str
    seed: int
    request: dict[str, Any]
    started_at: datetime
    ended_at: datetime | None
    error: str
    images: tuple[ImageRecord, ...] = ()


@dataclass(frozen=True)
class PromptVersionRecord:
    """Revision 0 is the person's prompt. ``prompt`` is None while the reviser was being asked
    (the run stopped there); ``ok`` False means the reviser's answer was unreadable."""

    revision: int
    prompt: str | None
    previous_prompt: str | None
    reasons: tuple[str, ...]
    ok: bool | None
    raw: str
    error: str
    created_at: datetime
    attempts: tuple[AttemptRecord, ...] = ()


@dataclass(frozen=True)
class SessionTree:
    run_id: str
    prompt: str
    params: dict[str, Any]
    image_model_id: str
    judge_model_id: str
    images_root: str
    app_version: str
    started_at: datetime
    ended_at: datetime | None
    outcome: HistoryOutcome
    message: str
    judge_approved_image_id: int | None
    prompt_versions: tuple[PromptVersionRecord, ...] = field(default=())

    def images(self) -> Iterator[ImageRecord]:
        for version in self.prompt_versions:
            for attempt in version.attempts:
                yield from attempt.images

    def approved_images(self) -> list[ImageRecord]:
        return [image for image in self.images() if image.effective_approved]


# -- listing ----------------------------------------------------------------------------------


def _outcome(value: str | None) -> HistoryOutcome:
    return HistoryOutcome(value) if value is not None else HistoryOutcome.RUNNING


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(conn: sqlite3.Connection, flt: SessionFilter) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    args: list[Any] = []
    text = flt.search.strip()
    if text:
        if len(text) >= FTS_MIN_CHARS and has_fts(conn):
            where.append(
                "r.id IN (SELECT pv.run_id FROM prompt_versions AS pv WHERE pv.id IN "
                "(SELECT rowid FROM prompt_fts WHERE prompt_fts MATCH ?))"
            )
            args.append('"' + text.replace('"', '""') + '"')  # one phrase: a substring match
        else:
            where.append(
                "r.id IN (SELECT run_id FROM prompt_versions WHERE prompt LIKE ? ESCAPE '\\')"
            )
            args.append(f"%{_like_escape(text)}%")
    if flt.outcomes:
        stored = sorted(o.value for o in flt.outcomes if o is not HistoryOutcome.RUNNING)
        parts = []
        if stored:
            parts.append(f"r.outcome IN ({','.join('?' * len(stored))})")
            args.extend(stored)
        if HistoryOutcome.RUNNING in flt.outcomes:
            parts.append("r.outcome IS NULL")
        where.append("(" + " OR ".join(parts) + ")")
    if flt.since is not None:
        where.append("r.started_at >= ?")
        args.append(now_iso(flt.since))
    if flt.until is not None:
        where.append("r.started_at < ?")
        args.append(now_iso(flt.until))
    return where, args


def encode_cursor(started_at: str, row_id: int) -> str:
    return f"{started_at}|{row_id}"


def decode_cursor(cursor: str) -> tuple[str, int]:
    started, sep, row = cursor.rpartition("|")
    try:
        if not sep:
            raise ValueError(cursor)
        parse_iso(started)
        return started, int(row)
    except ValueError:
        raise ValidationError(
            [Problem("cursor", cursor, "a cursor returned by a previous page")]
        ) from None


def list_sessions(
    conn: sqlite3.Connection,
    flt: SessionFilter | None = None,
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    cursor: str | None = None,
    offset: int = 0,
) -> SessionPage:
    """Newest first. Pass ``cursor`` from the previous page (keyset paging: as fast on page
    200 as on page 1, and stable while runs are being added), or an ``offset`` for "go to
    page N"."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationError([Problem("page_size", page_size, f"1-{MAX_PAGE_SIZE}")])
    if offset < 0:
        raise ValidationError([Problem("offset", offset, "a whole number of at least 0")])
    where, args = _conditions(conn, flt or SessionFilter())
    if cursor is not None:
        started, row = decode_cursor(cursor)
        where.append("(r.started_at, r.id) < (?, ?)")
        args.extend([started, row])
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = conn.execute(
        f"""WITH page AS (
                SELECT r.id FROM runs AS r {clause}
                ORDER BY r.started_at DESC, r.id DESC LIMIT ? OFFSET ?)
            SELECT r.id, r.run_id, r.prompt, r.outcome, r.message, r.started_at, r.ended_at,
                r.image_model_id, r.judge_model_id,
                (SELECT count(*) FROM images WHERE run_id = r.id),
                (SELECT count(*) FROM attempts WHERE run_id = r.id),
                (SELECT max(revision) FROM prompt_versions WHERE run_id = r.id),
                (SELECT count(*) FROM image_status AS s
                    WHERE s.run_id = r.id AND s.effective_approved),
                (SELECT s.id FROM image_status AS s WHERE s.run_id = r.id
                    ORDER BY s.effective_approved DESC, s.id DESC LIMIT 1),
                (SELECT prompt FROM prompt_versions WHERE run_id = r.id AND prompt IS NOT NULL
                    ORDER BY revision DESC LIMIT 1)
            FROM page JOIN runs AS r ON r.id = page.id
            ORDER BY r.started_at DESC, r.id DESC""",
        [*args, page_size + 1, offset],
    ).fetchall()
    more = len(rows) > page_size
    rows = rows[:page_size]
    sessions = [
        SessionSummary(
            run_id=row[1],
            prompt=row[2],
            latest_prompt=row[14] or row[2],
            outcome=_outcome(row[3]),
            message=row[4],
            started_at=parse_iso(row[5]),
            ended_at=parse_iso(row[6]) if row[6] else None,
            image_model_id=row[7],
            judge_model_id=row[8],
            image_count=row[9],
            attempt_count=row[10],
            revision_count=row[11] or 0,
            approved_count=row[12],
            thumbnail_image_id=row[13],
        )
        for row in rows
    ]
    next_cursor = encode_cursor(rows[-1][5], rows[-1][0]) if more and rows else None
    return SessionPage(sessions=sessions, next_cursor=next_cursor)


def count_sessions(conn: sqlite3.Connection, flt: SessionFilter | None = None) -> int:
    where, args = _conditions(conn, flt or SessionFilter())
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    return int(conn.execute(f"SELECT count(*) FROM runs AS r {clause}", args).fetchone()[0])


# -- one session ------------------------------------------------------------------------------

_IMAGE_COLUMNS = """s.id, r.run_id, r.images_root, s.revision, s.attempt, s.idx, s.rel_path,
    s.sha256, s.width, s.height, s.size_bytes, s.seed, s.prompt, s.s3_bucket, s.s3_key,
    s.upload_state, s.upload_error, s.stored_at, s.human_decision, s.decided_at,
    v.result, v.reason, v.raw, v.model_id, v.input_tokens, v.output_tokens, v.retried,
    v.received_at, s.attempt_id"""
_IMAGE_FROM = """image_status AS s JOIN runs AS r ON r.id = s.run_id
    LEFT JOIN verdicts AS v ON v.image_id = s.id"""


def _image(row: Sequence[Any]) -> ImageRecord:
    verdict = None
    if row[20] is not None:
        verdict = VerdictRecord(
            result=row[20],
            reason=row[21],
            raw=row[22],
            model_id=row[23],
            input_tokens=row[24],
            output_tokens=row[25],
            retried=bool(row[26]),
            received_at=parse_iso(row[27]),
        )
    return ImageRecord(
        image_id=row[0],
        run_id=row[1],
        revision=row[3],
        attempt=row[4],
        index=row[5],
        rel_path=row[6],
        path=paths.images_dir(row[2]) / row[6],
        sha256=row[7],
        width=row[8],
        height=row[9],
        size_bytes=row[10],
        seed=row[11],
        prompt=row[12],
        s3_bucket=row[13],
        s3_key=row[14],
        upload_state=UploadState(row[15]),
        upload_error=row[16],
        stored_at=parse_iso(row[17]),
        verdict=verdict,
        human_decision=Decision(row[18]) if row[18] else None,
        decided_at=parse_iso(row[19]) if row[19] else None,
    )


def get_session(conn: sqlite3.Connection, run_id: str) -> SessionTree:
    """The whole run: prompt versions → attempts → images → verdict and human decision.

    Reads in one read transaction, so a run being recorded is seen at one instant.
    """
    conn.execute("BEGIN")
    try:
        return _read_session(conn, run_id)
    finally:
        conn.execute("COMMIT")


def _read_session(conn: sqlite3.Connection, run_id: str) -> SessionTree:
    run = conn.execute(
        """SELECT id, run_id, prompt, params_json, image_model_id, judge_model_id, images_root,
               app_version, started_at, ended_at, outcome, message, approved_image_id
           FROM runs WHERE run_id = ?""",
        (run_id,),
    ).fetchone()
    if run is None:
        raise HistoryError(f"run {run_id!r} is not in the history")
    row_id = run[0]
    images_by_attempt: dict[int, list[ImageRecord]] = {}
    for row in conn.execute(
        f"SELECT {_IMAGE_COLUMNS} FROM {_IMAGE_FROM} WHERE s.run_id = ? "
        "ORDER BY s.revision, s.attempt, s.idx",
        (row_id,),
    ):
        images_by_attempt.setdefault(row[28], []).append(_image(row))
    attempts_by_revision: dict[int, list[AttemptRecord]] = {}
    for a in conn.execute(
        """SELECT id, revision, attempt, prompt, seed, request_json, started_at, ended_at, error
           FROM attempts WHERE run_id = ? ORDER BY revision, attempt""",
        (row_id,),
    ):
        attempts_by_revision.setdefault(a[1], []).append(
            AttemptRecord(
                revision=a[1],
                attempt=a[2],
                prompt=a[3],
                seed=a[4],
                request=json.loads(a[5]),
                started_at=parse_iso(a[6]),
                ended_at=parse_iso(a[7]) if a[7] else None,
                error=a[8],
                images=tuple(images_by_attempt.get(a[0], ())),
            )
        )
    versions: list[PromptVersionRecord] = []
    for p in conn.execute(
        """SELECT revision, prompt, previous_prompt, reasons_json, ok, raw, error, created_at
           FROM prompt_versions WHERE run_id = ? ORDER BY revision""",
        (row_id,),
    ):
        versions.append(
            PromptVersionRecord(
                revision=p[0],
                prompt=p[1],
                previous_prompt=p[2],
                reasons=tuple(json.loads(p[3])),
                ok=None if p[4] is None else bool(p[4]),
                raw=p[5],
                error=p[6],
                created_at=parse_iso(p[7]),
                attempts=tuple(attempts_by_revision.pop(p[0], ())),
            )
        )
    for revision, attempts in sorted(attempts_by_revision.items()):  # never expected
        versions.append(
            PromptVersionRecord(
                revision=revision,
                prompt=attempts[0].prompt,
                previous_prompt=None,
                reasons=(),
                ok=None,
                raw="",
                error="no record of this prompt version",
                created_at=attempts[0].started_at,
                attempts=tuple(attempts),
            )
        )
    versions.sort(key=lambda v: v.revision)
    return SessionTree(
        run_id=run[1],
        prompt=run[2],
        params=json.loads(run[3]),
        image_model_id=run[4],
        judge_model_id=run[5],
        images_root=run[6],
        app_version=run[7],
        started_at=parse_iso(run[8]),
        ended_at=parse_iso(run[9]) if run[9] else None,
        outcome=_outcome(run[10]),
        message=run[11],
        judge_approved_image_id=run[12],
        prompt_versions=tuple(versions),
    )


def get_image(conn: sqlite3.Connection, image_id: int) -> ImageRecord:
    row = conn.execute(
        f"SELECT {_IMAGE_COLUMNS} FROM {_IMAGE_FROM} WHERE s.id = ?", (image_id,)
    ).fetchone()
    if row is None:
        raise HistoryError(f"image {image_id} is not in the history")
    return _image(row)


# Only a judge's YES or a person's "approved" can make an image approved: start from those
# (two small partial indexes) instead of computing the rule for every image.
_CANDIDATES = """WITH candidates (id) AS (
        SELECT image_id FROM verdicts WHERE result = 'YES'
        UNION SELECT id FROM images WHERE human_decision = 'approved')"""


def approved_images(
    conn: sqlite3.Connection, *, limit: int = DEFAULT_PAGE_SIZE, offset: int = 0
) -> list[ImageRecord]:
    """Every effectively approved image, newest run first: the gallery and ``--approved``."""
    rows = conn.execute(
        f"""{_CANDIDATES}, page (id, n) AS (
                SELECT s.id, row_number() OVER (ORDER BY r.started_at DESC, r.id DESC, s.id)
                FROM image_status AS s JOIN runs AS r ON r.id = s.run_id
                WHERE s.id IN candidates AND s.effective_approved
                ORDER BY 2 LIMIT ? OFFSET ?)
            SELECT {_IMAGE_COLUMNS} FROM page, {_IMAGE_FROM} WHERE s.id = page.id
            ORDER BY page.n""",
        (limit, offset),
    ).fetchall()
    return [_image(row) for row in rows]


def approved_run_ids(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        f"""{_CANDIDATES}
            SELECT r.run_id FROM runs AS r WHERE r.id IN (
                SELECT s.run_id FROM candidates AS c JOIN image_status AS s ON s.id = c.id
                WHERE s.effective_approved)
            ORDER BY r.started_at DESC, r.id DESC"""
    ).fetchall()
    return [row[0] for row in rows]


def set_decision(
    conn: sqlite3.Connection,
    image_id: int,
    decision: Decision | None,
    *,
    at: datetime | None = None,
) -> ImageRecord:
    """Record (or with None, clear) a person's decision; the judge's verdict stays as it was."""
    with transaction(conn):
        cursor = conn.execute(
            "UPDATE images SET human_decision = ?, decided_at = ? WHERE id = ?",
            (
                decision.value if decision else None,
                now_iso(at) if decision else None,
                image_id,
            ),
        )
        if cursor.rowcount != 1:
            raise HistoryError(f"image {image_id} is not in the history")
    return get_image(conn, image_id)

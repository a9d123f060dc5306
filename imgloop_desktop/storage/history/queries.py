"""Reading the history: session lists, search, one session's whole tree, human decisions.

Everything returns plain frozen dataclasses, so a Qt model can adapt them on the GUI thread
after a worker thread fetched them. Functions take a connection owned by the calling
thread; ``services.history`` hands out one per thread.

What a run recorded about itself in words is read too (schema v5 and v6): the region each
model was called in, the run's notes (a size mapped to the model's nearest, a setting the
model does not use), what was done to fit an image into the judge's limits, and the
judge's and reviser's notes (a sampling setting the model refused, then left out). A file
from before those columns reads them as their defaults ("", no notes): the migrations add
them with those defaults.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from imgloop_desktop import paths
from imgloop_desktop.core.checklist import Checklist
from imgloop_desktop.core.cost import ZERO, Cost
from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.records import (
    Agreement,
    AttemptRecord,
    ChecklistChange,
    Decision,
    HistoryOutcome,
    ImageRecord,
    PromptVersionRecord,
    ReviewItem,
    ReviewReason,
    SessionFilter,
    SessionPage,
    SessionSummary,
    SessionTree,
    SpendLine,
    SpendStats,
    UploadState,
    VerdictRecord,
    per_approved,
)
from imgloop_desktop.storage.history.checklist_rows import (
    human_items_text,
    read_checklist,
    read_checks,
    read_human_items,
)
from imgloop_desktop.storage.history.cost_rows import read_cost, total
from imgloop_desktop.storage.history.schema import (
    HistoryError,
    has_fts,
    now_iso,
    parse_iso,
    transaction,
)
from imgloop_desktop.storage.history.tables import fetch_all, fetch_one

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
FTS_MIN_CHARS = 3  # the trigram index cannot match fewer characters; LIKE does those


# -- listing ----------------------------------------------------------------------------------


def _outcome(value: str | None) -> HistoryOutcome:
    return HistoryOutcome(value) if value is not None else HistoryOutcome.RUNNING


# -- what a run noted (schema v5/v6) -------------------------------------------------------------
def split_notes(text: str) -> tuple[str, ...]:
    """The run's notes, stored one per line (``runs.notes``), as a tuple without blanks."""
    return tuple(line for line in text.splitlines() if line.strip())


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(conn: sqlite3.Connection, flt: SessionFilter) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    args: list[Any] = []
    text = flt.search.strip()
    if text:
        if len(text) >= FTS_MIN_CHARS and has_fts(conn):
            prompts = (
                "r.id IN (SELECT pv.run_id FROM prompt_versions AS pv WHERE pv.id IN "
                "(SELECT rowid FROM prompt_fts WHERE prompt_fts MATCH ?))"
            )
            args.append('"' + text.replace('"', '""') + '"')  # one phrase: a substring match
        else:
            prompts = "r.id IN (SELECT run_id FROM prompt_versions WHERE prompt LIKE ? ESCAPE '\\')"
            args.append(f"%{_like_escape(text)}%")
        # Any checklist the run used (schema v7): a requirement is part of what was asked.
        where.append(
            f"({prompts} OR r.id IN (SELECT run_id FROM run_checklists "
            "WHERE items_text LIKE ? ESCAPE '\\'))"
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
    # A person's marks (schema v10): runs holding a starred image, or one rated high enough.
    if flt.favourites:
        where.append(
            "r.id IN (SELECT i.run_id FROM image_marks AS m JOIN images AS i "
            "ON i.id = m.image_id WHERE m.favourite = 1)"
        )
    if flt.min_rating > 0:
        where.append(
            "r.id IN (SELECT i.run_id FROM image_marks AS m JOIN images AS i "
            "ON i.id = m.image_id WHERE m.rating >= ?)"
        )
        args.append(flt.min_rating)
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
    rows = fetch_all(
        conn,
        f"""WITH page AS (
                SELECT r.id FROM runs AS r {clause}
                ORDER BY r.started_at DESC, r.id DESC LIMIT ? OFFSET ?)
            SELECT r.id AS id, r.run_id AS run_id, r.prompt AS prompt, r.outcome AS outcome,
                r.message AS message, r.started_at AS started_at, r.ended_at AS ended_at,
                r.image_model_id AS image_model_id, r.judge_model_id AS judge_model_id,
                r.image_region AS image_region, r.judge_region AS judge_region,
                r.notes AS notes, r.judge_mode AS judge_mode, r.best_image_id AS best_image_id,
                r.cost_usd AS cost_usd, r.cost_missing AS cost_missing,
                (SELECT count(*) FROM images WHERE run_id = r.id) AS image_count,
                (SELECT count(*) FROM attempts WHERE run_id = r.id) AS attempt_count,
                (SELECT max(revision) FROM prompt_versions WHERE run_id = r.id)
                    AS revision_count,
                (SELECT count(*) FROM image_status AS s
                    WHERE s.run_id = r.id AND s.effective_approved) AS approved_count,
                (SELECT s.id FROM image_status AS s WHERE s.run_id = r.id
                    ORDER BY s.effective_approved DESC, s.id DESC LIMIT 1)
                    AS thumbnail_image_id,
                (SELECT prompt FROM prompt_versions WHERE run_id = r.id AND prompt IS NOT NULL
                    ORDER BY revision DESC LIMIT 1) AS latest_prompt
            FROM page JOIN runs AS r ON r.id = page.id
            ORDER BY r.started_at DESC, r.id DESC""",
        [*args, page_size + 1, offset],
    )
    more = len(rows) > page_size
    rows = rows[:page_size]
    costs = _run_costs(conn, rows)
    sessions: list[SessionSummary] = [
        SessionSummary(
            run_id=row["run_id"],
            prompt=row["prompt"],
            latest_prompt=row["latest_prompt"] or row["prompt"],
            outcome=_outcome(row["outcome"]),
            message=row["message"],
            started_at=parse_iso(row["started_at"]),
            ended_at=parse_iso(row["ended_at"]) if row["ended_at"] else None,
            image_model_id=row["image_model_id"],
            judge_model_id=row["judge_model_id"],
            image_region=row["image_region"],
            judge_region=row["judge_region"],
            notes=split_notes(row["notes"]),
            image_count=row["image_count"],
            attempt_count=row["attempt_count"],
            revision_count=row["revision_count"] or 0,
            approved_count=row["approved_count"],
            thumbnail_image_id=row["thumbnail_image_id"],
            judge_mode=row["judge_mode"],
            best_image_id=row["best_image_id"],
            cost=costs.get(row["id"]),
        )
        for row in rows
    ]
    last = rows[-1] if more and rows else None
    next_cursor = encode_cursor(last["started_at"], last["id"]) if last is not None else None
    return SessionPage(sessions=sessions, next_cursor=next_cursor)


def count_sessions(conn: sqlite3.Connection, flt: SessionFilter | None = None) -> int:
    where, args = _conditions(conn, flt or SessionFilter())
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    row = fetch_one(conn, f"SELECT count(*) AS n FROM runs AS r {clause}", args)
    return int(row["n"]) if row is not None else 0


# -- one session ------------------------------------------------------------------------------

# Named once, read by these names in ``_image``; the verdict's columns carry a prefix because
# the image has a ``prompt`` and the verdict a ``raw`` and ``model_id`` of its own.
_IMAGE_COLUMNS = """s.id AS image_id, r.run_id AS run_id, r.images_root AS images_root,
    s.revision AS revision, s.attempt AS attempt, s.idx AS idx, s.rel_path AS rel_path,
    s.sha256 AS sha256, s.width AS width, s.height AS height, s.size_bytes AS size_bytes,
    s.seed AS seed, s.prompt AS prompt, s.s3_bucket AS s3_bucket, s.s3_key AS s3_key,
    s.upload_state AS upload_state, s.upload_error AS upload_error, s.stored_at AS stored_at,
    s.human_decision AS human_decision, s.decided_at AS decided_at,
    v.result AS verdict_result, v.reason AS verdict_reason, v.raw AS verdict_raw,
    v.model_id AS verdict_model_id, v.input_tokens AS verdict_input_tokens,
    v.output_tokens AS verdict_output_tokens, v.retried AS verdict_retried,
    v.received_at AS verdict_received_at, v.judge_image AS verdict_judge_image,
    v.notes AS verdict_notes, s.attempt_id AS attempt_id,
    v.checks_json AS verdict_checks_json, v.checklist_json AS verdict_checklist_json,
    r.checklist_json AS run_checklist_json, s.human_items_json AS human_items_json,
    coalesce(r.best_image_id = s.id, 0) AS is_best,
    coalesce(m.favourite, 0) AS mark_favourite, m.rating AS mark_rating"""
_IMAGE_FROM = """image_status AS s JOIN runs AS r ON r.id = s.run_id
    LEFT JOIN verdicts AS v ON v.image_id = s.id
    LEFT JOIN image_marks AS m ON m.image_id = s.id"""


def _image(row: sqlite3.Row) -> ImageRecord:
    """One row of ``_IMAGE_COLUMNS``."""
    verdict = None
    if row["verdict_result"] is not None:
        verdict = VerdictRecord(
            result=row["verdict_result"],
            reason=row["verdict_reason"],
            raw=row["verdict_raw"],
            model_id=row["verdict_model_id"],
            input_tokens=row["verdict_input_tokens"],
            output_tokens=row["verdict_output_tokens"],
            retried=bool(row["verdict_retried"]),
            received_at=parse_iso(row["verdict_received_at"]),
            judge_image=row["verdict_judge_image"],
            notes=row["verdict_notes"],
            **_verdict_checks(row),
        )
    return ImageRecord(
        image_id=row["image_id"],
        run_id=row["run_id"],
        revision=row["revision"],
        attempt=row["attempt"],
        index=row["idx"],
        rel_path=row["rel_path"],
        path=paths.images_dir(row["images_root"]) / row["rel_path"],
        sha256=row["sha256"],
        width=row["width"],
        height=row["height"],
        size_bytes=row["size_bytes"],
        seed=row["seed"],
        prompt=row["prompt"],
        s3_bucket=row["s3_bucket"],
        s3_key=row["s3_key"],
        upload_state=UploadState(row["upload_state"]),
        upload_error=row["upload_error"],
        stored_at=parse_iso(row["stored_at"]),
        verdict=verdict,
        human_decision=Decision(row["human_decision"]) if row["human_decision"] else None,
        decided_at=parse_iso(row["decided_at"]) if row["decided_at"] else None,
        human_items=read_human_items(row["human_items_json"], f"image {row['image_id']}"),
        is_best=bool(row["is_best"]),
        favourite=bool(row["mark_favourite"]),
        rating=row["mark_rating"],
    )


def _verdict_checks(row: sqlite3.Row) -> dict[str, Any]:
    """A checklist verdict's items and the checklist they were judged against (schema v7).

    A verdict stored without its own checklist falls back to the run's; one whose own is
    damaged does not (the run's may be a later edit, with other items under the same ids).
    Damaged JSON is logged and read as none: the rest of the session still reads."""
    where = f"image {row['image_id']}"
    checks_json = row["verdict_checks_json"]
    if not checks_json:
        return {}
    own = row["verdict_checklist_json"]
    checklist = (
        read_checklist(own, where)
        if own
        else read_checklist(row["run_checklist_json"], f"run {row['run_id']}")
    )
    checks = read_checks(checks_json, checklist, where)
    if checks is None:
        return {}
    return {"checks": checks, "checklist": checklist}


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
    run = fetch_one(
        conn,
        """SELECT id, run_id, prompt, params_json, image_model_id, judge_model_id, image_region,
               judge_region, notes, images_root, app_version, started_at, ended_at, outcome,
               message, approved_image_id, judge_mode, checklist_json, best_image_id,
               best_misses, best_how, cost_usd, cost_missing
           FROM runs WHERE run_id = ?""",
        (run_id,),
    )
    if run is None:
        raise HistoryError(f"run {run_id!r} is not in the history")
    row_id = run["id"]
    spend = RunSpend.read(conn, row_id, run_id)
    run_cost = read_cost(run["cost_usd"], run["cost_missing"], f"run {run_id}") or spend.total
    images_by_attempt: dict[int, list[ImageRecord]] = {}
    for row in fetch_all(
        conn,
        f"SELECT {_IMAGE_COLUMNS} FROM {_IMAGE_FROM} WHERE s.run_id = ? "
        "ORDER BY s.revision, s.attempt, s.idx",
        (row_id,),
    ):
        images_by_attempt.setdefault(row["attempt_id"], []).append(_image(row))
    if run_cost is not None:
        for made in images_by_attempt.values():
            made[:] = [spend.with_costs(image, len(made)) for image in made]
    attempts_by_revision: dict[int, list[AttemptRecord]] = {}
    for a in fetch_all(
        conn,
        """SELECT id, revision, attempt, prompt, seed, request_json, started_at, ended_at, error
           FROM attempts WHERE run_id = ? ORDER BY revision, attempt""",
        (row_id,),
    ):
        attempts_by_revision.setdefault(a["revision"], []).append(
            AttemptRecord(
                revision=a["revision"],
                attempt=a["attempt"],
                prompt=a["prompt"],
                seed=a["seed"],
                request=json.loads(a["request_json"]),
                started_at=parse_iso(a["started_at"]),
                ended_at=parse_iso(a["ended_at"]) if a["ended_at"] else None,
                error=a["error"],
                images=tuple(images_by_attempt.get(a["id"], ())),
            )
        )
    versions: list[PromptVersionRecord] = []
    for p in fetch_all(
        conn,
        """SELECT revision, prompt, previous_prompt, reasons_json, ok, raw, error, notes,
               created_at
           FROM prompt_versions WHERE run_id = ? ORDER BY revision""",
        (row_id,),
    ):
        versions.append(
            PromptVersionRecord(
                revision=p["revision"],
                prompt=p["prompt"],
                previous_prompt=p["previous_prompt"],
                reasons=tuple(json.loads(p["reasons_json"])),
                ok=None if p["ok"] is None else bool(p["ok"]),
                raw=p["raw"],
                error=p["error"],
                created_at=parse_iso(p["created_at"]),
                attempts=tuple(attempts_by_revision.pop(p["revision"], ())),
                notes=p["notes"],
                cost=spend.revision_cost(p["revision"]) if run_cost is not None else None,
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
        run_id=run["run_id"],
        prompt=run["prompt"],
        params=json.loads(run["params_json"]),
        image_model_id=run["image_model_id"],
        judge_model_id=run["judge_model_id"],
        image_region=run["image_region"],
        judge_region=run["judge_region"],
        notes=split_notes(run["notes"]),
        images_root=run["images_root"],
        app_version=run["app_version"],
        started_at=parse_iso(run["started_at"]),
        ended_at=parse_iso(run["ended_at"]) if run["ended_at"] else None,
        outcome=_outcome(run["outcome"]),
        message=run["message"],
        judge_approved_image_id=run["approved_image_id"],
        prompt_versions=tuple(versions),
        judge_mode=run["judge_mode"],
        checklist=read_checklist(run["checklist_json"], f"run {run_id}"),
        checklist_changes=_checklist_changes(conn, row_id, run_id),
        best_image_id=run["best_image_id"],
        best_misses=run["best_misses"],
        best_how=run["best_how"],
        cost=run_cost,
    )


def _checklist_changes(
    conn: sqlite3.Connection, row_id: int, run_id: str
) -> tuple[ChecklistChange, ...]:
    """Every checklist the run used, in the order it came (schema v7)."""
    return tuple(
        ChecklistChange(
            origin=c["origin"],
            checklist=read_checklist(c["checklist_json"], f"run {run_id} checklist {c['seq']}"),
            model_id=c["model_id"],
            error=c["error"],
            created_at=parse_iso(c["created_at"]),
            input_tokens=c["input_tokens"],
            output_tokens=c["output_tokens"],
        )
        for c in fetch_all(
            conn,
            """SELECT seq, origin, checklist_json, model_id, error, input_tokens, output_tokens,
                   created_at
               FROM run_checklists WHERE run_id = ? ORDER BY seq""",
            (row_id,),
        )
    )


def get_image(conn: sqlite3.Connection, image_id: int) -> ImageRecord:
    """One image, with its cost as in its session tree."""
    row = fetch_one(
        conn,
        f"""SELECT {_IMAGE_COLUMNS}, s.run_id AS run_row, r.cost_usd AS run_cost_usd,
                r.cost_missing AS run_cost_missing,
                (SELECT count(*) FROM images AS o WHERE o.attempt_id = s.attempt_id)
                    AS attempt_images
            FROM {_IMAGE_FROM} WHERE s.id = ?""",
        (image_id,),
    )
    if row is None:
        raise HistoryError(f"image {image_id} is not in the history")
    image = _image(row)
    spend = RunSpend.read(conn, row["run_row"], row["run_id"], (image.revision, image.attempt))
    if spend.rows or row["run_cost_usd"] is not None or row["run_cost_missing"] is not None:
        image = spend.with_costs(image, row["attempt_images"])
    return image


# Only a judge's YES or a person's "approved" can make an image approved: start from those
# (two small partial indexes) instead of computing the rule for every image.
_CANDIDATES = """WITH candidates (id) AS (
        SELECT image_id FROM verdicts WHERE result = 'YES'
        UNION SELECT id FROM images WHERE human_decision = 'approved')"""


def approved_images(
    conn: sqlite3.Connection, *, limit: int = DEFAULT_PAGE_SIZE, offset: int = 0
) -> list[ImageRecord]:
    """Every effectively approved image, newest run first: the gallery and ``--approved``."""
    rows = fetch_all(
        conn,
        f"""{_CANDIDATES}, page (id, n) AS (
                SELECT s.id, row_number() OVER (ORDER BY r.started_at DESC, r.id DESC, s.id)
                FROM image_status AS s JOIN runs AS r ON r.id = s.run_id
                WHERE s.id IN candidates AND s.effective_approved
                ORDER BY 2 LIMIT ? OFFSET ?)
            SELECT {_IMAGE_COLUMNS} FROM page, {_IMAGE_FROM} WHERE s.id = page.id
            ORDER BY page.n""",
        (limit, offset),
    )
    return [_image(row) for row in rows]


def approved_run_ids(conn: sqlite3.Connection) -> list[str]:
    rows = fetch_all(
        conn,
        f"""{_CANDIDATES}
            SELECT r.run_id AS run_id FROM runs AS r WHERE r.id IN (
                SELECT s.run_id FROM candidates AS c JOIN image_status AS s ON s.id = c.id
                WHERE s.effective_approved)
            ORDER BY r.started_at DESC, r.id DESC""",
    )
    return [row["run_id"] for row in rows]


def set_decision(
    conn: sqlite3.Connection,
    image_id: int,
    decision: Decision | None,
    *,
    items: Mapping[str, bool] | None = None,
    at: datetime | None = None,
) -> ImageRecord:
    """Record (or with None, clear) a person's decision; the judge's verdict stays as it was.

    ``items`` are the person's ticks per checklist item (True: met), kept beside the
    decision as the labels a judge is later measured against (schema v7). They must name
    items of the checklist the image was judged against (or, not yet judged, the run's);
    a decision without them (or clearing one) leaves none.
    """
    ticks = dict(items or {})
    with transaction(conn):
        if ticks:
            _check_items(conn, image_id, decision, ticks)
        cursor = conn.execute(
            "UPDATE images SET human_decision = ?, decided_at = ?, human_items_json = ? "
            "WHERE id = ?",
            (
                decision.value if decision else None,
                now_iso(at) if decision else None,
                human_items_text(ticks) if decision else "",
                image_id,
            ),
        )
        if cursor.rowcount != 1:
            raise HistoryError(f"image {image_id} is not in the history")
    return get_image(conn, image_id)


def _check_items(
    conn: sqlite3.Connection, image_id: int, decision: Decision | None, ticks: dict[str, bool]
) -> None:
    """Refuse ticks that cannot be labels: on a cleared decision, without a checklist, or
    naming an item the checklist does not have. ValidationError names each."""
    value = ", ".join(f"{k}={'yes' if v else 'no'}" for k, v in ticks.items())
    if decision is None:
        raise ValidationError([Problem("items", value, "no item ticks when clearing a decision")])
    row = fetch_one(
        conn,
        """SELECT v.checklist_json AS verdict_checklist, r.checklist_json AS run_checklist
           FROM images AS i JOIN runs AS r ON r.id = i.run_id
           LEFT JOIN verdicts AS v ON v.image_id = i.id WHERE i.id = ?""",
        (image_id,),
    )
    if row is None:
        raise HistoryError(f"image {image_id} is not in the history")
    checklist = read_checklist(row["verdict_checklist"], f"image {image_id}") or read_checklist(
        row["run_checklist"], f"image {image_id}"
    )
    if checklist is None:
        raise ValidationError(
            [
                Problem(
                    "items",
                    value,
                    "no item ticks: this image was judged against the whole prompt, "
                    "without a checklist",
                )
            ]
        )
    problems = [
        Problem(
            "items",
            f"{key}={'yes' if met else 'no'}",
            f"ids of this image's checklist ({', '.join(checklist.ids)})",
        )
        for key, met in ticks.items()
        if key not in checklist.ids
    ]
    problems += [
        Problem(f"items.{key}", met, "true or false")
        for key, met in ticks.items()
        if not isinstance(met, bool)
    ]
    if problems:
        raise ValidationError(problems)


# -- review and agreement (schema v7) -------------------------------------------------------

# Only a REVIEW verdict or a run's best can need review: start from those (a partial index
# and a column of ``runs``) instead of looking at every image.
_REVIEW_CANDIDATES = """WITH candidates (id) AS (
        SELECT image_id FROM verdicts WHERE result = 'REVIEW'
        UNION SELECT best_image_id FROM runs WHERE best_image_id IS NOT NULL)"""


def review_items(
    conn: sqlite3.Connection, *, limit: int = 200, run_ids: Sequence[str] | None = None
) -> list[ReviewItem]:
    """Images waiting for a person, newest first: not decided by one, and either the best
    candidate of a run where nothing is approved, or judged REVIEW (a must the judge was
    unsure of). A run's best that a person has since approved something in drops out.
    ``run_ids``: only these runs' images (a queue item's)."""
    if not 1 <= limit <= MAX_PAGE_SIZE * 10:
        raise ValidationError([Problem("limit", limit, f"1-{MAX_PAGE_SIZE * 10}")])
    only = ""
    if run_ids is not None:
        only = f"AND r.run_id IN ({', '.join('?' * len(run_ids))}) " if run_ids else "AND 0 "
    rows = fetch_all(
        conn,
        f"""{_REVIEW_CANDIDATES}
            SELECT {_IMAGE_COLUMNS}, r.prompt AS run_prompt, r.best_misses AS best_misses,
                r.best_image_id = s.id AND NOT EXISTS (
                    SELECT 1 FROM image_status AS a
                    WHERE a.run_id = r.id AND a.effective_approved) AS open_best
            FROM {_IMAGE_FROM}
            WHERE s.id IN candidates AND s.human_decision IS NULL
                AND (v.result = 'REVIEW' OR (r.best_image_id = s.id AND NOT EXISTS (
                    SELECT 1 FROM image_status AS a
                    WHERE a.run_id = r.id AND a.effective_approved)))
                {only}
            ORDER BY s.stored_at DESC, s.id DESC LIMIT ?""",
        (*(run_ids or ()), limit),
    )
    items: list[ReviewItem] = []
    for row in rows:
        image = _image(row)
        if row["open_best"]:
            reason, misses = ReviewReason.BEST_NOT_APPROVED, row["best_misses"]
        else:
            reason, misses = ReviewReason.UNSURE_MUSTS, _misses(image)
        items.append(ReviewItem(image, reason, row["run_prompt"], misses))
    return items


def _misses(image: ImageRecord) -> str:
    """What keeps a judged image from approval, in words; the judge's reason without a
    checklist decision to tell it."""
    verdict = image.verdict
    if verdict is None:
        return ""
    decision = verdict.decision
    if decision is not None and verdict.checklist is not None:
        return decision.misses(verdict.checklist) or verdict.reason
    return verdict.reason


def agreement(conn: sqlite3.Connection) -> list[Agreement]:
    """How often the judge's YES/NO matched a person's decision, per (judge, image model)
    of the run. Only images a person decided and the judge answered YES or NO count:
    REVIEW and ERROR were no claim either way."""
    rows = fetch_all(
        conn,
        """SELECT r.judge_model_id AS judge_model_id, r.image_model_id AS image_model_id,
               count(*) AS decided,
               sum((v.result = 'YES') = (i.human_decision = 'approved')) AS agreed,
               sum(v.result = 'YES' AND i.human_decision = 'rejected') AS yes_no,
               sum(v.result = 'NO' AND i.human_decision = 'approved') AS no_yes,
               sum(v.result = 'YES' AND i.human_decision = 'approved') AS yes_yes,
               sum(v.result = 'NO' AND i.human_decision = 'rejected') AS no_no
           FROM images AS i JOIN runs AS r ON r.id = i.run_id
           JOIN verdicts AS v ON v.image_id = i.id
           WHERE i.human_decision IS NOT NULL AND v.result IN ('YES', 'NO')
           GROUP BY r.judge_model_id, r.image_model_id
           ORDER BY r.judge_model_id, r.image_model_id""",
    )
    return [
        Agreement(
            judge_model_id=row["judge_model_id"],
            image_model_id=row["image_model_id"],
            decided=int(row["decided"]),
            agreed=int(row["agreed"]),
            judge_yes_person_no=int(row["yes_no"]),
            judge_no_person_yes=int(row["no_yes"]),
            judge_yes_person_yes=int(row["yes_yes"]),
            judge_no_person_no=int(row["no_no"]),
        )
        for row in rows
    ]


def decided_images(conn: sqlite3.Connection) -> list[tuple[ImageRecord, SessionLabels]]:
    """Every image a person decided, oldest decision first, with what its run asked: the
    labelled set ``export_labels`` writes."""
    rows = fetch_all(
        conn,
        f"""SELECT {_IMAGE_COLUMNS}, r.prompt AS run_prompt,
               r.image_model_id AS run_image_model_id, r.judge_model_id AS run_judge_model_id
            FROM {_IMAGE_FROM}
            WHERE s.human_decision IS NOT NULL
            ORDER BY s.decided_at, s.id""",
    )
    out: list[tuple[ImageRecord, SessionLabels]] = []
    for row in rows:
        checklist = read_checklist(row["verdict_checklist_json"], f"image {row['image_id']}")
        checklist = checklist or read_checklist(row["run_checklist_json"], f"run {row['run_id']}")
        out.append(
            (
                _image(row),
                SessionLabels(
                    prompt=row["run_prompt"],
                    checklist=checklist,
                    image_model_id=row["run_image_model_id"],
                    judge_model_id=row["run_judge_model_id"],
                ),
            )
        )
    return out


@dataclass(frozen=True)
class SessionLabels:
    """What a labelled image was made for: its run's prompt, the checklist it was (or would
    have been) judged against, and the run's models."""

    prompt: str
    checklist: Checklist | None
    image_model_id: str
    judge_model_id: str


# -- what was spent (schema v8) -----------------------------------------------------------------


@dataclass(frozen=True)
class SpendRow:
    """One ``spend`` row: one paid call."""

    kind: str
    model_id: str
    revision: int | None
    attempt: int | None
    index: int | None
    cost: Cost


@dataclass(frozen=True)
class RunSpend:
    """A run's paid calls, to share among its images and prompt versions."""

    rows: tuple[SpendRow, ...] = field(default=())

    @classmethod
    def read(
        cls,
        conn: sqlite3.Connection,
        row_id: int,
        run_id: str,
        attempt: tuple[int, int] | None = None,
    ) -> RunSpend:
        """Every call of the run (or, with ``attempt``, of one (revision, attempt))."""
        sql = """SELECT id, kind, model_id, revision, attempt, idx, usd, missing_json
                 FROM spend WHERE run_id = ?"""
        args: list[object] = [row_id]
        if attempt is not None:
            sql += " AND revision = ? AND attempt = ?"
            args.extend(attempt)
        return cls(
            tuple(
                SpendRow(
                    kind=r["kind"],
                    model_id=r["model_id"],
                    revision=r["revision"],
                    attempt=r["attempt"],
                    index=r["idx"],
                    cost=read_cost(r["usd"], r["missing_json"], f"run {run_id} call {r['id']}")
                    or Cost(),
                )
                for r in fetch_all(conn, sql + " ORDER BY id", args)
            )
        )

    @property
    def total(self) -> Cost | None:
        """The sum of every call; None when the run recorded none."""
        return total(row.cost for row in self.rows)

    def _sum(self, rows: Iterable[SpendRow]) -> Cost:
        return Cost.total(row.cost for row in rows)

    def with_costs(self, image: ImageRecord, images_of_attempt: int) -> ImageRecord:
        """``image`` with its cost (its even share of its attempt's generation calls, plus
        its own judging) and its verdict's (the judging alone)."""
        generated = self._sum(
            r
            for r in self.rows
            if r.kind == "generate" and (r.revision, r.attempt) == (image.revision, image.attempt)
        )
        judged = self._sum(
            r
            for r in self.rows
            if r.kind == "judge"
            and (r.revision, r.attempt, r.index) == (image.revision, image.attempt, image.index)
        )
        share = Cost(generated.known / max(images_of_attempt, 1), generated.missing)
        verdict = replace(image.verdict, cost=judged) if image.verdict is not None else None
        return replace(image, cost=share + judged, verdict=verdict)

    def revision_cost(self, revision: int) -> Cost:
        """What the reviser was paid to write this prompt version ($0 for revision 0)."""
        return self._sum(r for r in self.rows if r.kind == "revise" and r.revision == revision)


def _run_costs(conn: sqlite3.Connection, rows: list[sqlite3.Row]) -> dict[int, Cost]:
    """Each listed run's cost by row id: its final total, else (running, interrupted) the
    sum of the calls recorded so far; a run with neither is left out (unknown)."""
    costs: dict[int, Cost] = {}
    open_runs: list[int] = []
    for row in rows:
        cost = read_cost(row["cost_usd"], row["cost_missing"], f"run {row['run_id']}")
        if cost is not None:
            costs[row["id"]] = cost
        else:
            open_runs.append(row["id"])
    if open_runs:
        marks = ",".join("?" * len(open_runs))
        found: dict[int, list[Cost | None]] = {}
        for r in fetch_all(
            conn,
            f"SELECT id, run_id, usd, missing_json FROM spend WHERE run_id IN ({marks})",
            open_runs,
        ):
            found.setdefault(r["run_id"], []).append(
                read_cost(r["usd"], r["missing_json"], f"call {r['id']}")
            )
        for row_id, listed in found.items():
            summed = total(listed)
            if summed is not None:
                costs[row_id] = summed
    return costs


def spend_between(conn: sqlite3.Connection, start: datetime, end: datetime) -> Cost:
    """Every call billed from ``start`` (inclusive) to ``end`` (exclusive), whatever became
    of its run: $0 (complete) when there was none."""
    rows = fetch_all(
        conn,
        """SELECT id, usd, missing_json FROM spend
           WHERE created_at >= ? AND created_at < ?""",
        (now_iso(start), now_iso(end)),
    )
    return Cost.total(
        read_cost(r["usd"], r["missing_json"], f"call {r['id']}") or Cost() for r in rows
    )


def median_attempts(
    conn: sqlite3.Connection, image_model_id: str, judge_model_id: str
) -> float | None:
    """The median number of generations to approval over the approved runs of this model
    pair: the attempts a run started up to and including the one whose image the judge
    approved, counted across prompt versions (what ``cost_estimate.expected`` takes).
    Attempts started after it (speculation) are not counted: they are not needed to get
    there. None when no run of the pair was approved."""
    rows = fetch_all(
        conn,
        """SELECT (SELECT count(*) FROM attempts AS a WHERE a.run_id = r.id
                   AND (a.revision, a.attempt) <= (i.revision, i.attempt)) AS n
           FROM runs AS r JOIN images AS i ON i.id = r.approved_image_id
           WHERE r.outcome = 'approved' AND r.image_model_id = ? AND r.judge_model_id = ?""",
        (image_model_id, judge_model_id),
    )
    counts = [int(r["n"]) for r in rows if r["n"]]
    return float(statistics.median(counts)) if counts else None


@dataclass
class _Line:
    known: Decimal = ZERO
    missing: set[str] = field(default_factory=set)
    calls: int = 0
    runs: set[int] = field(default_factory=set)

    def add(self, cost: Cost, run: int) -> None:
        self.known += cost.known
        self.missing.update(cost.missing)
        self.calls += 1
        self.runs.add(run)

    def line(self, key: str, approved: Mapping[int, int]) -> SpendLine:
        return SpendLine(
            key=key,
            cost=Cost(self.known, tuple(sorted(self.missing))),
            calls=self.calls,
            runs=len(self.runs),
            approved=sum(approved.get(run, 0) for run in self.runs),
        )


def spend_stats(
    conn: sqlite3.Connection,
    since: datetime | None = None,
    until: datetime | None = None,
    tz: tzinfo | None = None,
) -> SpendStats:
    """Spend per day, month and model over the calls billed in [since, until), with days
    and months in ``tz`` (None: the machine's local time zone), and the cost per approved
    image. Sums are exact (Decimal, in Python: SQLite would sum text as floats)."""
    where, args = [], []
    if since is not None:
        where.append("created_at >= ?")
        args.append(now_iso(since))
    if until is not None:
        where.append("created_at < ?")
        args.append(now_iso(until))
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = fetch_all(
        conn,
        f"SELECT id, run_id, model_id, usd, missing_json, created_at FROM spend {clause}",
        args,
    )
    approved = {
        int(r["run_id"]): int(r["n"])
        for r in fetch_all(
            conn,
            f"""SELECT run_id, count(*) AS n FROM image_status
                WHERE effective_approved AND run_id IN (SELECT run_id FROM spend {clause})
                GROUP BY run_id""",
            args,
        )
    }
    days: dict[str, _Line] = {}
    months: dict[str, _Line] = {}
    models: dict[str, _Line] = {}
    everything = _Line()
    for r in rows:
        cost = read_cost(r["usd"], r["missing_json"], f"call {r['id']}") or Cost()
        when = parse_iso(r["created_at"]).astimezone(tz)
        run = int(r["run_id"])
        days.setdefault(when.strftime("%Y-%m-%d"), _Line()).add(cost, run)
        months.setdefault(when.strftime("%Y-%m"), _Line()).add(cost, run)
        models.setdefault(r["model_id"], _Line()).add(cost, run)
        everything.add(cost, run)
    whole = everything.line("", approved)
    return SpendStats(
        by_day=tuple(days[k].line(k, approved) for k in sorted(days)),
        by_month=tuple(months[k].line(k, approved) for k in sorted(months)),
        by_model=tuple(models[k].line(k, approved) for k in sorted(models)),
        per_approved_image=per_approved(whole.cost, whole.approved),
        total=whole.cost,
        approved=whole.approved,
    )


# -- finding an image by its bytes ------------------------------------------------------------


def image_id_by_sha256(conn: sqlite3.Connection, sha256: str) -> int | None:
    """The newest image whose stored bytes have this SHA-256, or None.

    How a PNG that carries no parameters of its own (an untouched original copied out of
    the data folder) is traced back to its run. The images table has no index on
    ``sha256``: a scan of a few thousand rows takes about a millisecond, and this runs once
    per drop, not per row shown.
    """
    row = fetch_one(
        conn,
        "SELECT id FROM images WHERE sha256 = ? ORDER BY id DESC LIMIT 1",
        (sha256.lower(),),
    )
    return None if row is None else int(row["id"])

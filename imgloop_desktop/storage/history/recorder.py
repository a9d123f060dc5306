"""Writes the loop's events into the history as they arrive, one committed transaction each.

The recorder is the loop's ``recorder`` (a failure there ends the run). ``ImageStored`` arrives
right after the file was written durably, and its row is committed before the call
returns, so a kill at any later instant finds the row; a kill between the two leaves a file
that recovery reports as an orphan.

Words the window shows in its language (a run's notes, an attempt's message, the judge's and
reviser's notes) come as ``Phrase``s; the history keeps ``str()`` of them, the English, as
it always has, and reads them back as plain text.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from imgloop_desktop import __version__, paths
from imgloop_desktop.core import events as ev
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.storage.history.checklist_rows import checklist_text, checks_text, items_text
from imgloop_desktop.storage.history.cost_rows import missing_text, usd_text
from imgloop_desktop.storage.history.recovery import RunLock
from imgloop_desktop.storage.history.schema import (
    HistoryError,
    ThreadConnections,
    UploadState,
    history_error,
    now_iso,
    transaction,
)
from imgloop_desktop.storage.history.tables import (
    ATTEMPTS,
    IMAGES,
    PROMPT_VERSIONS,
    RUN_CHECKLISTS,
    RUNS,
    SPEND,
    VERDICTS,
    unseen_attempt,
)

log = logging.getLogger(__name__)

Consumer = Callable[[ev.Event], None]


def image_rel_path(path: Path, images_root: str) -> str:
    """Relative to the run's image folder, so moving the data folder keeps history valid."""
    root = paths.images_dir(images_root)
    try:
        return path.relative_to(root).as_posix()
    except ValueError:  # the store wrote elsewhere; an absolute path still finds the file
        return str(path)


class HistoryRecorder:
    """Records one run. ``params`` are stored as given (``RunParams.to_event()``), which hold
    no secrets: credentials never pass through the loop's parameters."""

    def __init__(
        self,
        db_path: Path,
        params: RunParams,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db_path = db_path
        self.params = params
        self._now = now
        self._conns = ThreadConnections(db_path)
        self._lock = threading.RLock()
        self._run_row: int | None = None
        self._run_id = ""
        self._attempts: dict[tuple[int, int], int] = {}
        self._images: dict[ev.ImageRef, int] = {}
        self._run_lock: RunLock | None = None
        self._checklist_seq = 0
        self._closed = False
        self._conns.get()  # create or migrate the file now, not in the middle of a run

    @property
    def run_id(self) -> str:
        return self._run_id

    def __call__(self, event: ev.Event) -> None:
        with self._lock:
            if self._closed:
                raise HistoryError("the history recorder was closed")
            handler = self._handlers.get(type(event))
            if handler is not None:
                try:
                    handler(self, event)
                except sqlite3.DatabaseError as exc:  # a full disk or damage, said plainly
                    raise history_error(exc, self.db_path) from exc

    def close(self) -> None:
        """Close every thread's connection; a run without RunFinished stays open, so the next
        start marks it interrupted."""
        with self._lock:
            self._closed = True
            self._conns.close_all()
            if self._run_lock is not None:
                self._run_lock.release(remove=False)
                self._run_lock = None

    def __enter__(self) -> HistoryRecorder:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- handlers ---------------------------------------------------------------------------

    def _ts(self) -> str:
        return now_iso(self._now())

    def _run(self) -> int:
        if self._run_row is None:
            raise HistoryError("an event arrived before RunStarted")
        return self._run_row

    def _on_run_started(self, e: ev.RunStarted) -> None:
        if self._run_row is not None:
            raise HistoryError(f"this recorder already records run {self._run_id}")
        lock = RunLock.for_run(self.db_path, e.run_id)
        if not lock.acquire():
            log.warning("run %s is locked by another process", e.run_id)
        else:
            self._run_lock = lock
        ts = self._ts()
        conn = self._conns.get()
        with transaction(conn):
            run_row = RUNS.insert(
                conn,
                {
                    "run_id": e.run_id,
                    "prompt": e.prompt,
                    "params_json": json.dumps(
                        self.params.to_event(), ensure_ascii=False, sort_keys=True
                    ),
                    "image_model_id": e.image_model_id,
                    "judge_model_id": e.judge_model_id,
                    "image_region": e.image_region,
                    "judge_region": e.judge_region,
                    "notes": "\n".join(str(note) for note in e.notes),
                    "images_root": self.params.output_dir,
                    "app_version": __version__,
                    "started_at": ts,
                    # The event does not carry it: how images are judged is a parameter.
                    "judge_mode": self.params.judge_mode,
                },
            )
            PROMPT_VERSIONS.insert(
                conn,
                {"run_id": run_row, "revision": 0, "prompt": e.prompt, "ok": 1, "created_at": ts},
            )
        self._run_row = run_row
        self._run_id = e.run_id

    def _on_checklist_set(self, e: ev.ChecklistSet) -> None:
        """Every checklist the run used, in order (given, written, a person's edits), so a
        session shows what each verdict was judged against and how it came to be; the run's
        own ``checklist_json`` is the one in force now. A FAILED one leaves that as it was."""
        self._checklist_seq += 1
        conn = self._conns.get()
        with transaction(conn):
            RUN_CHECKLISTS.insert(
                conn,
                {
                    "run_id": self._run(),
                    "seq": self._checklist_seq,
                    "origin": e.origin.value,
                    "checklist_json": checklist_text(e.checklist),
                    "items_text": items_text(e.checklist),
                    "model_id": e.model_id,
                    "raw": e.raw,
                    "error": e.error,
                    "notes": str(e.notes),
                    "input_tokens": e.input_tokens,
                    "output_tokens": e.output_tokens,
                    "created_at": self._ts(),
                },
            )
            if e.checklist is not None and e.origin is not ev.ChecklistOrigin.FAILED:
                conn.execute(
                    "UPDATE runs SET checklist_json = ? WHERE id = ?",
                    (checklist_text(e.checklist), self._run()),
                )

    def _on_attempt_started(self, e: ev.AttemptStarted) -> None:
        request = dataclasses.asdict(e.request)
        conn = self._conns.get()
        with transaction(conn):
            attempt_id = ATTEMPTS.insert(
                conn,
                {
                    "run_id": self._run(),
                    "revision": e.revision,
                    "attempt": e.attempt,
                    "prompt": e.prompt,
                    "seed": e.seed,
                    "request_json": json.dumps(request, ensure_ascii=False, sort_keys=True),
                    "started_at": self._ts(),
                },
            )
        self._attempts[(e.revision, e.attempt)] = attempt_id

    def _on_attempt_failed(self, e: ev.AttemptFailed) -> None:
        conn = self._conns.get()
        with transaction(conn):
            conn.execute(
                "UPDATE attempts SET error = ?, ended_at = ? WHERE id = ?",
                (str(e.message), self._ts(), self._attempt_id(conn, e.revision, e.attempt, "")),
            )

    def _on_attempt_note(self, e: ev.AttemptNote) -> None:
        message = str(e.message)
        conn = self._conns.get()
        with transaction(conn):
            conn.execute(
                """UPDATE attempts SET notes = CASE WHEN notes = '' THEN ? ELSE notes || ' ' || ?
                       END WHERE id = ?""",
                (message, message, self._attempt_id(conn, e.revision, e.attempt, "")),
            )

    def _attempt_id(
        self, conn: sqlite3.Connection, revision: int, attempt: int, prompt: str
    ) -> int:
        """The attempt's row; made here only if its AttemptStarted was never seen."""
        found = self._attempts.get((revision, attempt))
        if found is not None:
            return found
        row = ATTEMPTS.insert(
            conn, unseen_attempt(self._run(), revision, attempt, prompt, self._ts())
        )
        self._attempts[(revision, attempt)] = row
        return row

    def _on_image_stored(self, e: ev.ImageStored) -> None:
        c = e.candidate
        s3 = bool(c.s3_key)
        ts = self._ts()
        conn = self._conns.get()
        with transaction(conn):
            attempt_id = self._attempt_id(conn, c.ref.revision, c.ref.attempt, c.prompt)
            image_id = IMAGES.insert(
                conn,
                {
                    "run_id": self._run(),
                    "attempt_id": attempt_id,
                    "revision": c.ref.revision,
                    "attempt": c.ref.attempt,
                    "idx": c.ref.index,
                    "rel_path": image_rel_path(c.path, self.params.output_dir),
                    "sha256": c.sha256,
                    "width": c.width,
                    "height": c.height,
                    "size_bytes": c.size_bytes,
                    "seed": c.seed,
                    "prompt": c.prompt,
                    "s3_bucket": self.params.output_s3_bucket_name if s3 else "",
                    "s3_key": c.s3_key,
                    "upload_state": UploadState.PENDING if s3 else UploadState.NONE,
                    "stored_at": ts,
                },
            )
            conn.execute(
                "UPDATE attempts SET ended_at = ? WHERE id = ? AND ended_at IS NULL",
                (ts, attempt_id),
            )
        self._images[c.ref] = image_id

    def _image_id(self, ref: ev.ImageRef) -> int:
        found = self._images.get(ref)
        if found is None:
            raise HistoryError(f"no image was recorded for {ref.label}")
        return found

    def _on_judging_started(self, e: ev.JudgingStarted) -> None:
        conn = self._conns.get()
        with transaction(conn):
            conn.execute(
                "UPDATE images SET judge_started_at = ? WHERE id = ?",
                (self._ts(), self._image_id(e.ref)),
            )

    def _on_verdict(self, e: ev.VerdictReceived) -> None:
        v = e.verdict
        conn = self._conns.get()
        with transaction(conn):
            VERDICTS.insert(
                conn,
                {
                    "image_id": self._image_id(e.ref),
                    "result": v.result.value,
                    "reason": v.reason,
                    "raw": v.raw,
                    "model_id": v.model_id,
                    "input_tokens": v.input_tokens,
                    "output_tokens": v.output_tokens,
                    "retried": int(e.retried),
                    "received_at": self._ts(),
                    "judge_image": str(v.judge_image_note),
                    "notes": str(v.notes),
                    "checks_json": checks_text(v.checks),
                    "checklist_json": checklist_text(v.checklist),
                },
            )

    def _on_upload(self, e: ev.UploadDone | ev.UploadFailed) -> None:
        """The key is written again on purpose: the uploader never overwrites an object, so
        an upload that met someone else's object at the intended key reports the
        alternative it wrote, and the row must name that one. A failure reports the
        intended key, which later retries start from; a done row is never changed."""
        ok = isinstance(e, ev.UploadDone)
        error = "" if isinstance(e, ev.UploadDone) else e.message
        conn = self._conns.get()
        with transaction(conn):
            conn.execute(
                """UPDATE images SET upload_state = ?, upload_error = ?, s3_bucket = ?, s3_key = ?
                   WHERE id = ? AND upload_state != 'done'""",
                (
                    UploadState.DONE if ok else UploadState.FAILED,
                    error,
                    e.bucket,
                    e.key,
                    self._image_id(e.ref),
                ),
            )

    def _on_revision_started(self, e: ev.RevisionStarted) -> None:
        reasons = json.dumps(list(e.reasons), ensure_ascii=False)
        conn = self._conns.get()
        with transaction(conn):
            PROMPT_VERSIONS.insert(
                conn,
                {
                    "run_id": self._run(),
                    "revision": e.revision,
                    "reasons_json": reasons,
                    "created_at": self._ts(),
                },
                update=("reasons_json",),
            )

    def _on_prompt_revised(self, e: ev.PromptRevised) -> None:
        conn = self._conns.get()
        with transaction(conn):
            PROMPT_VERSIONS.insert(
                conn,
                {
                    "run_id": self._run(),
                    "revision": e.revision,
                    "prompt": e.prompt,
                    "previous_prompt": e.previous_prompt,
                    "reasons_json": json.dumps(list(e.reasons), ensure_ascii=False),
                    "ok": int(e.ok),
                    "raw": e.raw,
                    "error": e.error,
                    "notes": str(e.notes),
                    "created_at": self._ts(),
                },
                update=("prompt", "previous_prompt", "reasons_json", "ok", "raw", "error", "notes"),
            )

    def _on_best_chosen(self, e: ev.BestChosen) -> None:
        """No image was approved: the one the checklist ranks best, with what it misses and
        how it was picked, so the review list can offer it to a person."""
        conn = self._conns.get()
        with transaction(conn):
            conn.execute(
                "UPDATE runs SET best_image_id = ?, best_misses = ?, best_how = ? WHERE id = ?",
                (self._images.get(e.candidate.ref), e.misses, e.how, self._run()),
            )

    def _on_spent(self, e: ev.Spent) -> None:
        """One row per paid call, committed as it is reported: a run killed half-way still
        counts toward the month's budget for everything it was billed."""
        conn = self._conns.get()
        with transaction(conn):
            SPEND.insert(
                conn,
                {
                    "run_id": self._run(),
                    "kind": str(e.kind),
                    "model_id": e.model_id,
                    "revision": e.revision,
                    "attempt": e.attempt,
                    "idx": e.index,
                    "usd": usd_text(e.cost),
                    "missing_json": missing_text(e.cost),
                    "created_at": self._ts(),
                },
            )

    def _on_run_finished(self, e: ev.RunFinished) -> None:
        """The end, and the meter's total (None without a price table: NULL, read back as
        unknown rather than $0). ``budget`` is an outcome like any other (schema v8)."""
        approved = self._images.get(e.approved.ref) if e.approved is not None else None
        spent = e.spent
        conn = self._conns.get()
        with transaction(conn):
            conn.execute(
                """UPDATE runs SET ended_at = ?, outcome = ?, message = ?, approved_image_id = ?,
                       cost_usd = ?, cost_missing = ? WHERE id = ?""",
                (
                    self._ts(),
                    e.outcome.value,
                    e.message,
                    approved,
                    usd_text(spent) if spent is not None else None,
                    missing_text(spent) if spent is not None else None,
                    self._run(),
                ),
            )
        if self._run_lock is not None:
            self._run_lock.release(remove=True)
            self._run_lock = None

    _handlers: ClassVar[dict[type, Callable[[HistoryRecorder, Any], None]]] = {
        ev.RunStarted: _on_run_started,
        ev.ChecklistSet: _on_checklist_set,
        ev.AttemptStarted: _on_attempt_started,
        ev.AttemptFailed: _on_attempt_failed,
        ev.AttemptNote: _on_attempt_note,
        ev.ImageStored: _on_image_stored,
        ev.JudgingStarted: _on_judging_started,
        ev.VerdictReceived: _on_verdict,
        ev.UploadDone: _on_upload,
        ev.UploadFailed: _on_upload,
        ev.RevisionStarted: _on_revision_started,
        ev.PromptRevised: _on_prompt_revised,
        ev.Spent: _on_spent,
        ev.BestChosen: _on_best_chosen,
        ev.RunFinished: _on_run_finished,
    }

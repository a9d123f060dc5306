"""Importing an export into this machine's history: files first (atomically, never over a
different file), then every row in one transaction; any failure removes what was written.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

from imgloop_desktop import paths
from imgloop_desktop.core.image_check import BadImageError, ImageInfo, check_image
from imgloop_desktop.core.records import HistoryOutcome, ImageRecord, ImportResult, UploadState
from imgloop_desktop.storage.export.archive import MAX_IMAGE_BYTES, Source, read_at_most
from imgloop_desktop.storage.export.format import MANIFEST_NAME, ExportError, iso_or_none
from imgloop_desktop.storage.export.manifest_read import (
    FileRef,
    ImportSession,
    original,
    read_manifest_from,
)
from imgloop_desktop.storage.history.checklist_rows import (
    checklist_text,
    checks_text,
    human_items_text,
    items_text,
)
from imgloop_desktop.storage.history.marks_rows import write_marks_in
from imgloop_desktop.storage.history.schema import now_iso, transaction
from imgloop_desktop.storage.history.tables import (
    ATTEMPTS,
    IMAGES,
    PROMPT_VERSIONS,
    RUN_CHECKLISTS,
    RUNS,
    VERDICTS,
    fetch_all,
    fetch_one,
)
from imgloop_desktop.storage.local import LocalImageStore

_FREE_SPACE_MARGIN = 16 * 1024 * 1024


def _checked_original(source: Source, ref: FileRef, image: ImageRecord | None) -> int:
    """Read within limits, both hashes matched, decoded as a whole PNG and its sizes the
    manifest's; returns its length. A matching hash only proves the bytes are the ones the
    manifest names, not that they are an image: an ELF binary can carry a matching hash."""
    data = original(source, ref)
    try:
        info = check_image(data)
    except BadImageError as exc:
        raise ExportError(
            f"{source.path}: {ref.file} is not an image that can be imported: {exc}; "
            "nothing was imported"
        ) from exc
    _check_recorded_size(data, info, image, ref)
    return len(data)


def import_export(conn: sqlite3.Connection, source_path: Path) -> ImportResult:
    """Restore the sessions of an export into this history, images into this machine's image
    folder with their original bytes.

    Nothing is written until the whole export has been checked: sizes against the limits,
    the manifest parsed and validated, and every file it names read within the limits,
    matched against both hashes and decoded as an image. Then the files are written and every
    row is recorded in one transaction; when any part fails the rows are rolled back and the
    files written so far removed, so a refused import leaves this history as it was.

    Importing the same export twice adds nothing the second time; importing a full export
    after an approved-only one adds the missing images to the sessions already there.
    Existing rows (and a person's decisions and marks on them) are never overwritten; an
    image imported here brings its favourite and rating with it, in the same transaction.
    """
    with Source(source_path) as source:
        sessions = read_manifest_from(source)
        source.check_total([MANIFEST_NAME, *(r.file for s in sessions for r in s.files.values())])
        sizes: dict[str, int] = {}
        for session in sessions:  # check every file before writing anything
            images = {(i.revision, i.attempt, i.index): i for i in session.tree.images()}
            for key, ref in session.files.items():
                sizes[ref.file] = _checked_original(source, ref, images.get(key))
        store = LocalImageStore(paths.images_dir())
        missing = [
            (session, {k: r for k, r in session.files.items() if k not in existing})
            for session in sessions
            for existing in [_existing_images(conn, session.tree.run_id)]
        ]
        _check_free_space(store.root, sum(sizes[r.file] for _, m in missing for r in m.values()))
        created: list[Path] = []
        try:
            written_by_run: list[dict[tuple[int, int, int], str]] = []
            for session, refs in missing:  # disk first, as for a run
                written: dict[tuple[int, int, int], str] = {}
                for key, ref in refs.items():
                    revision, attempt, index = key
                    name = f"{revision:03d}-{attempt:03d}-{index}.png"
                    data = original(source, ref)  # read again: the hashes are checked again
                    _place(store, session.tree.run_id, name, data, created)
                    written[key] = f"{session.tree.run_id}/{name}"
                written_by_run.append(written)
            added: list[str] = []
            merged: list[str] = []
            images_added = 0
            already = 0
            with transaction(conn):  # every session or none
                for (session, _refs), written in zip(missing, written_by_run, strict=True):
                    # Read again under the write lock: a concurrent import may have added some.
                    existing = _existing_images(conn, session.tree.run_id)
                    fresh = {k: v for k, v in written.items() if k not in existing}
                    new_run, count, present = _insert_session(conn, session, fresh, existing)
                    (added if new_run else merged).append(session.tree.run_id)
                    images_added += count
                    already += present
        except BaseException:
            _remove_created(created)
            raise
    return ImportResult(
        sessions_added=added,
        sessions_merged=merged,
        images_added=images_added,
        images_already_present=already,
    )


def _check_free_space(folder: Path, needed: int) -> None:
    """Refuse up front rather than fill the disk half-way through the writes."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError:
        return  # cannot tell; a write that fails is still undone
    if needed + _FREE_SPACE_MARGIN > free:
        raise ExportError(
            f"the import needs {needed:,} bytes in {folder}, but only {free:,} are free; "
            "nothing was imported"
        )


def _place(
    store: LocalImageStore, run_id: str, name: str, data: bytes, created: list[Path]
) -> None:
    """Write one image (atomically), noting it in ``created`` so a failure can remove it. A
    file already there is never overwritten: the same bytes are kept as they are (and not
    removed on failure), other bytes stop the import."""
    path = store.root / run_id / name
    try:
        if path.exists() or path.is_symlink():
            if path.is_file() and not path.is_symlink():
                with path.open("rb") as handle:
                    present = read_at_most(handle, MAX_IMAGE_BYTES)
                if present == data:
                    return
            raise ExportError(
                f"{path} already exists with other content, so it was left as it is and "
                "nothing was imported; move it away (or run `imgloop-cli history check "
                "--repair`) and import again"
            )
        store.save(run_id, name, data)
    except OSError as exc:
        raise ExportError(
            f"{path} cannot be written ({exc.strerror or exc}); nothing was imported"
        ) from exc
    created.append(path)


def _remove_created(created: list[Path]) -> None:
    """Undo the writes of a failed import: the files it created, then their run folders
    when that leaves them empty. Best effort: the import's own error is what is reported."""
    for path in reversed(created):
        try:
            path.unlink(missing_ok=True)
        except OSError:
            continue
    for folder in dict.fromkeys(path.parent for path in created):
        try:
            folder.rmdir()
        except OSError:
            continue  # not empty (other images), or already gone


def _check_recorded_size(
    data: bytes, info: ImageInfo, image: ImageRecord | None, ref: FileRef
) -> None:
    """The manifest's byte and pixel counts must be the file's own: history checks them
    against the disk later, and a wrong number would be reported forever."""
    if image is None:
        return
    for name, recorded, actual in (
        ("size_bytes", image.size_bytes, len(data)),
        ("width", image.width, info.width),
        ("height", image.height, info.height),
    ):
        if recorded != actual:
            raise ExportError(
                f"{ref.file}: the manifest's {name} is {recorded}, but the file's is {actual}"
            )


def _existing_images(conn: sqlite3.Connection, run_id: str) -> set[tuple[int, int, int]]:
    rows = fetch_all(
        conn,
        "SELECT i.revision AS revision, i.attempt AS attempt, i.idx AS idx FROM images AS i "
        "JOIN runs AS r ON r.id = i.run_id WHERE r.run_id = ?",
        (run_id,),
    )
    return {(row["revision"], row["attempt"], row["idx"]) for row in rows}


def _insert_session(
    conn: sqlite3.Connection,
    session: ImportSession,
    written: dict[tuple[int, int, int], str],
    existing: set[tuple[int, int, int]],
) -> tuple[bool, int, int]:
    """The rows of one session, inside the caller's transaction: import_export records every
    session in one, so an import is either all there or not at all."""
    t = session.tree
    outcome: str = t.outcome.value
    message = t.message
    ended = t.ended_at
    if t.outcome is HistoryOutcome.RUNNING:  # exported mid-run: it will never finish here
        outcome = HistoryOutcome.INTERRUPTED.value
        message = "Interrupted: the run was still going when it was exported."
        ended = ended or t.started_at
    added = 0
    row = fetch_one(conn, "SELECT id FROM runs WHERE run_id = ?", (t.run_id,))
    new_run = row is None
    if row is None:
        run_row = RUNS.insert(
            conn,
            {
                "run_id": t.run_id,
                "prompt": t.prompt,
                "params_json": json.dumps(t.params, ensure_ascii=False, sort_keys=True),
                "image_model_id": t.image_model_id,
                "judge_model_id": t.judge_model_id,
                "image_region": t.image_region,
                "judge_region": t.judge_region,
                "notes": "\n".join(t.notes),
                "images_root": "",
                "app_version": t.app_version,
                "started_at": now_iso(t.started_at),
                "ended_at": iso_or_none(ended),
                "outcome": outcome,
                "message": message,
                "judge_mode": t.judge_mode,
                "checklist_json": checklist_text(t.checklist),
                "best_misses": t.best_misses,
                "best_how": t.best_how,
            },
        )
        for seq, change in enumerate(t.checklist_changes, start=1):
            RUN_CHECKLISTS.insert(
                conn,
                {
                    "run_id": run_row,
                    "seq": seq,
                    "origin": change.origin,
                    "checklist_json": checklist_text(change.checklist),
                    "items_text": items_text(change.checklist),
                    "model_id": change.model_id,
                    "error": change.error,
                    "input_tokens": change.input_tokens,
                    "output_tokens": change.output_tokens,
                    "created_at": now_iso(change.created_at),
                },
            )
    else:
        run_row = int(row["id"])
    for version in t.prompt_versions:
        PROMPT_VERSIONS.insert(
            conn,
            {
                "run_id": run_row,
                "revision": version.revision,
                "prompt": version.prompt,
                "previous_prompt": version.previous_prompt,
                "reasons_json": json.dumps(list(version.reasons), ensure_ascii=False),
                "ok": None if version.ok is None else int(version.ok),
                "raw": version.raw,
                "error": version.error,
                "notes": version.notes,
                "created_at": now_iso(version.created_at),
            },
            keep_existing=True,
        )
        for attempt in version.attempts:
            ATTEMPTS.insert(
                conn,
                {
                    "run_id": run_row,
                    "revision": version.revision,
                    "attempt": attempt.attempt,
                    "prompt": attempt.prompt,
                    "seed": attempt.seed,
                    "request_json": json.dumps(attempt.request, ensure_ascii=False, sort_keys=True),
                    "started_at": now_iso(attempt.started_at),
                    "ended_at": iso_or_none(attempt.ended_at),
                    "error": attempt.error,
                },
                keep_existing=True,
            )
            found = fetch_one(
                conn,
                "SELECT id FROM attempts WHERE run_id = ? AND revision = ? AND attempt = ?",
                (run_row, version.revision, attempt.attempt),
            )
            assert found is not None  # inserted or kept just above, in this transaction
            attempt_id = int(found["id"])
            for image in attempt.images:
                key = (image.revision, image.attempt, image.index)
                if key not in written:
                    continue  # already here, or not in this export
                _insert_image(conn, run_row, attempt_id, _imported(image), written[key])
                added += 1
    if session.judge_approved is not None:  # once its image is here
        revision, attempt_no, index = session.judge_approved
        conn.execute(
            """UPDATE runs SET approved_image_id = (SELECT id FROM images WHERE run_id = ?
                   AND revision = ? AND attempt = ? AND idx = ?)
               WHERE id = ? AND approved_image_id IS NULL""",
            (run_row, revision, attempt_no, index, run_row),
        )
    if session.best is not None:
        revision, attempt_no, index = session.best
        conn.execute(
            """UPDATE runs SET best_image_id = (SELECT id FROM images WHERE run_id = ?
                   AND revision = ? AND attempt = ? AND idx = ?)
               WHERE id = ? AND best_image_id IS NULL""",
            (run_row, revision, attempt_no, index, run_row),
        )
    present = sum(1 for key in session.files if key in existing)
    return new_run, added, present


def _imported(image: ImageRecord) -> ImageRecord:
    """An upload that had not finished on the other machine is not retried from here, with
    this machine's credentials, into a bucket the person may not own."""
    if image.upload_state in (UploadState.PENDING, UploadState.FAILED):
        return replace(
            image,
            upload_state=UploadState.NONE,
            upload_error="imported: the upload had not finished on the exporting machine",
        )
    return image


def _insert_image(
    conn: sqlite3.Connection, run_row: int, attempt_id: int, image: ImageRecord, rel_path: str
) -> None:
    image_id: int = IMAGES.insert(
        conn,
        {
            "run_id": run_row,
            "attempt_id": attempt_id,
            "revision": image.revision,
            "attempt": image.attempt,
            "idx": image.index,
            "rel_path": rel_path,
            "sha256": image.sha256,
            "width": image.width,
            "height": image.height,
            "size_bytes": image.size_bytes,
            "seed": image.seed,
            "prompt": image.prompt,
            "s3_bucket": image.s3_bucket,
            "s3_key": image.s3_key,
            "upload_state": image.upload_state.value,
            "upload_error": image.upload_error,
            "stored_at": now_iso(image.stored_at),
            "human_decision": image.human_decision.value if image.human_decision else None,
            "decided_at": iso_or_none(image.decided_at),
            "human_items_json": human_items_text(image.human_items),
        },
    )
    if image.favourite or image.rating is not None:  # a row only for a marked image
        write_marks_in(conn, image_id, image.favourite, image.rating)
    v = image.verdict
    if v is not None:
        VERDICTS.insert(
            conn,
            {
                "image_id": image_id,
                "result": v.result,
                "reason": v.reason,
                "raw": v.raw,
                "model_id": v.model_id,
                "input_tokens": v.input_tokens,
                "output_tokens": v.output_tokens,
                "retried": int(v.retried),
                "received_at": now_iso(v.received_at),
                "judge_image": v.judge_image,
                "notes": v.notes,
                "checks_json": checks_text(v.checks),
                "checklist_json": checklist_text(v.checklist),
            },
        )

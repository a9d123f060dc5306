"""What a start after a crash finds, and how the history is made whole again without losing
anything: unfinished runs become ``interrupted``, files and rows that disagree are reported,
``repair`` puts back what a kill left behind (an image written just before the kill is
recorded, a file that cannot be placed is moved to ``quarantine/``, never deleted; a temp file
of a write cut short is removed), and S3 uploads that did not finish are listed for a retry.

A run is only "unfinished" when nobody is still running it: the recorder holds an OS file
lock for the life of its run (released by the OS when the process dies, even on SIGKILL),
so a history window opened while the headless command runs does not mark that run
interrupted.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import sqlite3
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from imgloop_desktop import paths
from imgloop_desktop.core.image_check import BadImageError, check_image
from imgloop_desktop.core.records import (
    FileProblem,
    HistoryOutcome,
    PendingImageUpload,
    ProblemKind,
    RecoveryReport,
    RepairAction,
    RepairKind,
    UploadState,
)
from imgloop_desktop.storage.history.schema import HistoryError, now_iso, transaction
from imgloop_desktop.storage.history.tables import (
    ATTEMPTS,
    IMAGES,
    fetch_all,
    fetch_one,
    unseen_attempt,
)

LOCK_DIR = "history-locks"
# The loop's run ids: a UTC stamp and 8 hex digits. Only such folders are scanned for orphans,
# so a person's own pictures in a chosen output folder are never reported as ours.
RUN_FOLDER_RE = re.compile(r"^\d{14}-[0-9a-f]{8}$")
# The loop's image names (core/loop.py ``_keep``): revision, attempt, index within the call.
IMAGE_NAME_RE = re.compile(r"^(\d{3})-(\d{3})-(\d{1,4})\.png$")
# What the loop keeps when a model's bytes do not decode (``core.loop.bad_image_name``):
# named in the attempt's record, expected in a known run's folder, never an image.
BAD_IMAGE_RE = re.compile(r"^(\d{3})-(\d{3})-(\d{1,4})\.bad$")
# Beside the run folders in an image root; not run-id-shaped, so never scanned as a run.
QUARANTINE_DIR = "quarantine"


class RunLock:
    """An exclusive, non-blocking lock on a small file, held while a run is being recorded."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @classmethod
    def for_run(cls, db_path: Path, run_id: str) -> RunLock:
        digest = hashlib.sha256(run_id.encode("utf-8")).hexdigest()[:32]
        return cls(db_path.parent / LOCK_DIR / f"{digest}.lock")

    def acquire(self) -> bool:
        """True when this object now holds the lock; False when another holder is alive."""
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if not _try_lock(fd):
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self, *, remove: bool = True) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        if remove:
            # Windows refuses to delete an open file; a stale lock file is harmless.
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)
        os.close(fd)  # closing the descriptor releases the lock

    @property
    def held(self) -> bool:
        return self._fd is not None


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True


def recover(conn: sqlite3.Connection, db_path: Path, *, repair: bool = False) -> RecoveryReport:
    """Mark every run nobody is running any more as interrupted, keeping all it produced, and
    check the files of those runs; with ``repair``, also put those files right (``repair``)
    and report only what is still wrong afterwards. Safe to call at any time, from any
    process."""
    rows = fetch_all(conn, "SELECT id, run_id FROM runs WHERE ended_at IS NULL")
    interrupted: list[str] = []
    running: list[str] = []
    for row in rows:
        row_id, run_id = int(row["id"]), str(row["run_id"])
        lock = RunLock.for_run(db_path, run_id)
        if not lock.acquire():
            running.append(run_id)
            continue
        try:
            if _mark_interrupted(conn, row_id):
                interrupted.append(run_id)
        finally:
            lock.release(remove=True)
    problems = check_files(conn, run_ids=interrupted) if interrupted else []
    repairs: list[RepairAction] = []
    if repair and problems:
        repairs = repair_files(conn, db_path, problems)
        problems = check_files(conn, run_ids=interrupted)
    return RecoveryReport(
        interrupted=interrupted, still_running=running, problems=problems, repairs=repairs
    )


def _mark_interrupted(conn: sqlite3.Connection, row_id: int) -> bool:
    """The end time is the run's last recorded activity, not the time of this restart."""
    with transaction(conn):
        last_row = fetch_one(
            conn,
            """SELECT max(t) AS last FROM (
                SELECT started_at AS t FROM runs WHERE id = :r
                UNION ALL SELECT max(coalesce(ended_at, started_at)) FROM attempts WHERE run_id = :r
                UNION ALL SELECT max(created_at) FROM prompt_versions WHERE run_id = :r
                UNION ALL SELECT max(stored_at) FROM images WHERE run_id = :r
                UNION ALL SELECT max(v.received_at) FROM verdicts AS v
                    JOIN images AS i ON i.id = v.image_id WHERE i.run_id = :r)""",
            {"r": row_id},
        )
        last = last_row["last"] if last_row is not None else None
        count = fetch_one(conn, "SELECT count(*) AS n FROM images WHERE run_id = ?", (row_id,))
        kept = count["n"] if count is not None else 0
        message = f"Interrupted: the app stopped before this run finished; {kept} image(s) kept."
        cursor = conn.execute(
            "UPDATE runs SET ended_at = ?, outcome = ?, message = ? "
            "WHERE id = ? AND ended_at IS NULL",
            (
                last or now_iso(),
                HistoryOutcome.INTERRUPTED.value,
                message,
                row_id,
            ),
        )
        return cursor.rowcount == 1


def check_files(
    conn: sqlite3.Connection, run_ids: Sequence[str] | None = None, *, verify: bool = False
) -> list[FileProblem]:
    """Compare image rows with the run folders on disk.

    ``run_ids`` None checks every run and also reports run-id-shaped folders the database
    does not know. ``verify`` re-hashes and decodes every file (slow on a large library), so
    an image that was stored broken is found too; otherwise a size check catches truncated
    or replaced files cheaply.
    """
    where, args = "", tuple[str, ...]()
    if run_ids is not None:
        if not run_ids:
            return []
        where = f"WHERE r.run_id IN ({','.join('?' * len(run_ids))})"
        args = tuple(run_ids)
    runs = fetch_all(conn, f"SELECT id, run_id, images_root FROM runs AS r {where}", args)
    images = fetch_all(
        conn,
        f"""SELECT i.id AS id, r.run_id AS run_id, r.images_root AS images_root,
                i.rel_path AS rel_path, i.sha256 AS sha256, i.size_bytes AS size_bytes
            FROM images AS i JOIN runs AS r ON r.id = i.run_id {where} ORDER BY i.id""",
        args,
    )
    problems: list[FileProblem] = []
    known: set[Path] = set()
    for image in images:
        image_id, run_id, sha256, size = (
            image["id"],
            image["run_id"],
            image["sha256"],
            image["size_bytes"],
        )
        path = paths.images_dir(image["images_root"]) / image["rel_path"]
        known.add(path)
        try:
            actual_size = path.stat().st_size
        except FileNotFoundError:
            problems.append(
                FileProblem(ProblemKind.MISSING, path, run_id, image_id, "the file is gone")
            )
            continue
        if actual_size != size:
            detail = f"{actual_size} bytes on disk, {size} recorded"
            problems.append(FileProblem(ProblemKind.MISMATCH, path, run_id, image_id, detail))
        elif verify:
            problem = _verify(path, run_id, image_id, sha256)
            if problem is not None:
                problems.append(problem)

    folders: dict[Path, str | None] = {}
    for run in runs:
        folders[paths.images_dir(run["images_root"]) / run["run_id"]] = run["run_id"]
    if run_ids is None:
        for root in {paths.images_dir(r["images_root"]) for r in runs} | {paths.images_dir()}:
            for folder in _subfolders(root):
                if RUN_FOLDER_RE.match(folder.name) and folder not in folders:
                    folders[folder] = None
    for folder, run_id in sorted(folders.items(), key=lambda item: str(item[0])):
        for path in _files(folder):
            if path.name.startswith(".") and path.name.endswith(".part"):
                problems.append(
                    FileProblem(
                        ProblemKind.PARTIAL, path, run_id, None, "an unfinished write's temp file"
                    )
                )
            elif run_id is not None and BAD_IMAGE_RE.match(path.name):
                continue
            elif path not in known:
                detail = "no history row names this file"
                if run_id is None:
                    detail = "its run is not in the history"
                problems.append(FileProblem(ProblemKind.ORPHAN, path, run_id, None, detail))
    return problems


def _verify(path: Path, run_id: str, image_id: int, sha256: str) -> FileProblem | None:
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        detail = "the bytes differ from the recorded SHA-256"
        return FileProblem(ProblemKind.MISMATCH, path, run_id, image_id, detail)
    try:
        check_image(data)
    except BadImageError as exc:
        return FileProblem(ProblemKind.UNDECODABLE, path, run_id, image_id, str(exc))
    return None


def _subfolders(root: Path) -> list[Path]:
    try:
        return sorted(p for p in root.iterdir() if p.is_dir())
    except FileNotFoundError:
        return []


def _files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_file())
    except FileNotFoundError:
        return []


def repair_files(
    conn: sqlite3.Connection, db_path: Path, problems: Sequence[FileProblem]
) -> list[RepairAction]:
    """Put right what a kill leaves behind, reporting each action; delete nothing of value.

    - an *orphan* whose name places it (``<run>/<rev>-<att>-<index>.png`` in a known run)
      and that decodes as a whole image is recorded in its run, unjudged, as the kill
      landed between the file's rename and its row;
    - an orphan that cannot be placed (unknown run, foreign name, not a whole image, or its
      place taken) is moved to ``quarantine/<run folder>/`` beside the run folders;
    - a *partial* temp file is removed: the write it belonged to never finished.

    Runs still being recorded (their lock is held by a live process) are left alone, so a
    file written a moment before its row is never mistaken for an orphan. Missing,
    mismatched and undecodable rows are left for a person: nothing here can mend them.
    """
    actions: list[RepairAction] = []
    live: dict[str, bool] = {}
    for problem in problems:
        if problem.kind not in (ProblemKind.ORPHAN, ProblemKind.PARTIAL):
            continue
        folder_run = problem.path.parent.name
        if folder_run not in live:
            live[folder_run] = _run_is_live(conn, db_path, folder_run)
        if live[folder_run]:
            continue
        if problem.kind is ProblemKind.PARTIAL:
            problem.path.unlink(missing_ok=True)
            actions.append(
                RepairAction(
                    RepairKind.REMOVED,
                    problem.path,
                    problem.run_id,
                    "temp file of a write that never finished",
                )
            )
            continue
        reason = _adopt(conn, problem)
        if isinstance(reason, RepairAction):
            actions.append(reason)
        else:
            moved = _quarantine(problem.path)
            actions.append(
                RepairAction(
                    RepairKind.QUARANTINED,
                    problem.path,
                    problem.run_id,
                    f"{reason}; moved to {moved}",
                    moved_to=moved,
                )
            )
    return actions


def _run_is_live(conn: sqlite3.Connection, db_path: Path, run_id: str) -> bool:
    """True while some process records this run (its lock is held) or its row has no end."""
    lock = RunLock.for_run(db_path, run_id)
    if not lock.acquire():
        return True
    lock.release(remove=True)
    row = fetch_one(conn, "SELECT ended_at FROM runs WHERE run_id = ?", (run_id,))
    return row is not None and row["ended_at"] is None


def _adopt(conn: sqlite3.Connection, problem: FileProblem) -> RepairAction | str:
    """Record an orphan in its run; the reason it cannot be, as text, otherwise."""
    path, run_id = problem.path, problem.run_id
    if run_id is None:
        return "its run is not in the history"
    match = IMAGE_NAME_RE.match(path.name)
    if match is None:
        return "its name is not one imgloop gives an image"
    revision, attempt, index = (int(g) for g in match.groups())
    try:
        data = path.read_bytes()
        info = check_image(data)
        stored_at = now_iso(datetime.fromtimestamp(path.stat().st_mtime, UTC))
    except BadImageError as exc:
        return f"not a whole image: {exc}"
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    run = fetch_one(conn, "SELECT id, images_root FROM runs WHERE run_id = ?", (run_id,))
    if run is None:
        return "its run is not in the history"
    run_row, images_root = int(run["id"]), str(run["images_root"])
    try:
        rel_path = path.relative_to(paths.images_dir(images_root)).as_posix()
    except ValueError:
        rel_path = str(path)
    with transaction(conn):
        taken = fetch_one(
            conn,
            "SELECT id FROM images WHERE run_id = ? AND revision = ? AND attempt = ? AND idx = ?",
            (run_row, revision, attempt, index),
        )
        if taken is not None:
            return f"image {taken['id']} is already recorded for that place"
        found = fetch_one(
            conn,
            "SELECT id, prompt, seed FROM attempts WHERE run_id = ? AND revision = ? "
            "AND attempt = ?",
            (run_row, revision, attempt),
        )
        if found is None:  # the kill also beat the attempt's row: the recorder's fallback
            prompt_row = fetch_one(
                conn,
                "SELECT coalesce(prompt, '') AS prompt FROM prompt_versions "
                "WHERE run_id = ? AND revision <= ? ORDER BY revision DESC LIMIT 1",
                (run_row, revision),
            )
            prompt, seed = (str(prompt_row["prompt"]) if prompt_row else ""), 0
            attempt_row = ATTEMPTS.insert(
                conn, unseen_attempt(run_row, revision, attempt, prompt, stored_at)
            )
        else:
            attempt_row, prompt, seed = int(found["id"]), str(found["prompt"]), int(found["seed"])
        image_id = IMAGES.insert(
            conn,
            {
                "run_id": run_row,
                "attempt_id": attempt_row,
                "revision": revision,
                "attempt": attempt,
                "idx": index,
                "rel_path": rel_path,
                "sha256": hashlib.sha256(data).hexdigest(),
                "width": info.width,
                "height": info.height,
                "size_bytes": len(data),
                "seed": seed,
                "prompt": prompt,
                "upload_state": UploadState.NONE.value,
                "upload_error": "recovered after a crash; not uploaded to S3",
                "stored_at": stored_at,
            },
        )
    return RepairAction(
        RepairKind.ADOPTED,
        path,
        run_id,
        f"recorded as image {image_id}, prompt {revision} attempt {attempt}, not judged",
        image_id=image_id,
    )


def _quarantine(path: Path) -> Path:
    """Move ``path`` to ``<image root>/quarantine/<its folder>/``, never over another file."""
    folder = path.parent.parent / QUARANTINE_DIR / path.parent.name
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    number = 1
    while target.exists():
        target = folder / f"{path.stem}-{number}{path.suffix}"
        number += 1
    shutil.move(path, target)
    return target


def pending_uploads(conn: sqlite3.Connection) -> list[PendingImageUpload]:
    """Uploads that never finished (the app stopped) or failed, oldest first. Runs still
    going are left out: their own uploader is on them."""
    rows = fetch_all(
        conn,
        """SELECT i.id AS id, r.run_id AS run_id, r.images_root AS images_root,
                  i.rel_path AS rel_path, i.s3_bucket AS s3_bucket, i.s3_key AS s3_key,
                  i.upload_state AS upload_state, i.upload_error AS upload_error
           FROM images AS i JOIN runs AS r ON r.id = i.run_id
           WHERE i.upload_state IN ('pending', 'failed') AND r.ended_at IS NOT NULL
           ORDER BY i.id""",
    )
    return [
        PendingImageUpload(
            image_id=row["id"],
            run_id=row["run_id"],
            path=paths.images_dir(row["images_root"]) / row["rel_path"],
            bucket=row["s3_bucket"],
            key=row["s3_key"],
            state=UploadState(row["upload_state"]),
            error=row["upload_error"],
        )
        for row in rows
    ]


def mark_upload(
    conn: sqlite3.Connection, image_id: int, ok: bool, error: str = "", key: str = ""
) -> None:
    """Record a retry's outcome; a late failure never undoes an upload already done.

    ``key`` is the key a successful upload actually wrote: the uploader never overwrites,
    so it differs from the row's when that key held another object. A done row keeps its
    key."""
    with transaction(conn):
        if conn.execute("SELECT 1 FROM images WHERE id = ?", (image_id,)).fetchone() is None:
            raise HistoryError(f"image {image_id} is not in the history")
        if ok and key:
            conn.execute(
                "UPDATE images SET s3_key = ? WHERE id = ? AND upload_state != 'done'",
                (key, image_id),
            )
        conn.execute(
            "UPDATE images SET upload_state = ?, upload_error = ? WHERE id = ?"
            + ("" if ok else " AND upload_state != 'done'"),
            (UploadState.DONE if ok else UploadState.FAILED, "" if ok else error, image_id),
        )

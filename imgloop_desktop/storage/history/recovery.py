"""What a start after a crash finds, and how the history is made whole again without losing
anything: unfinished runs become ``interrupted``, files and rows that disagree are reported
(never deleted), and S3 uploads that did not finish are listed for a retry.

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
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from imgloop_desktop import paths
from imgloop_desktop.storage.history.schema import (
    HistoryError,
    HistoryOutcome,
    UploadState,
    now_iso,
    transaction,
)

LOCK_DIR = "history-locks"
# The loop's run ids: a UTC stamp and 8 hex digits. Only such folders are scanned for orphans,
# so a person's own pictures in a chosen output folder are never reported as ours.
RUN_FOLDER_RE = re.compile(r"^\d{14}-[0-9a-f]{8}$")


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


class ProblemKind(StrEnum):
    ORPHAN = "orphan"  # a file in a run folder that no image row names
    MISSING = "missing"  # a row whose file is gone
    MISMATCH = "mismatch"  # a row whose file has other bytes than recorded
    PARTIAL = "partial"  # a temp file left by a write that was cut short


@dataclass(frozen=True)
class FileProblem:
    kind: ProblemKind
    path: Path
    run_id: str | None
    image_id: int | None
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.path} ({self.detail})"


@dataclass(frozen=True)
class RecoveryReport:
    """What opening the store found; the GUI and CLI show it, nothing in it was deleted."""

    interrupted: list[str] = field(default_factory=list)
    still_running: list[str] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.interrupted or self.problems)


@dataclass(frozen=True)
class PendingImageUpload:
    image_id: int
    run_id: str
    path: Path
    bucket: str
    key: str
    state: UploadState
    error: str


def recover(conn: sqlite3.Connection, db_path: Path) -> RecoveryReport:
    """Mark every run nobody is running any more as interrupted, keeping all it produced, and
    check the files of those runs. Safe to call at any time, from any process."""
    rows = conn.execute("SELECT id, run_id FROM runs WHERE ended_at IS NULL").fetchall()
    interrupted: list[str] = []
    running: list[str] = []
    for row_id, run_id in rows:
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
    return RecoveryReport(interrupted=interrupted, still_running=running, problems=problems)


def _mark_interrupted(conn: sqlite3.Connection, row_id: int) -> bool:
    """The end time is the run's last recorded activity, not the time of this restart."""
    with transaction(conn):
        last = conn.execute(
            """SELECT max(t) FROM (
                SELECT started_at AS t FROM runs WHERE id = :r
                UNION ALL SELECT max(coalesce(ended_at, started_at)) FROM attempts WHERE run_id = :r
                UNION ALL SELECT max(created_at) FROM prompt_versions WHERE run_id = :r
                UNION ALL SELECT max(stored_at) FROM images WHERE run_id = :r
                UNION ALL SELECT max(v.received_at) FROM verdicts AS v
                    JOIN images AS i ON i.id = v.image_id WHERE i.run_id = :r)""",
            {"r": row_id},
        ).fetchone()[0]
        count = conn.execute("SELECT count(*) FROM images WHERE run_id = ?", (row_id,)).fetchone()
        message = (
            f"Interrupted: the app stopped before this run finished; {count[0]} image(s) kept."
        )
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
    does not know. ``verify`` re-hashes every file (slow on a large library); otherwise a
    size check catches truncated or replaced files cheaply.
    """
    where, args = "", tuple[str, ...]()
    if run_ids is not None:
        if not run_ids:
            return []
        where = f"WHERE r.run_id IN ({','.join('?' * len(run_ids))})"
        args = tuple(run_ids)
    runs = conn.execute(f"SELECT id, run_id, images_root FROM runs AS r {where}", args).fetchall()
    images = conn.execute(
        f"""SELECT i.id, r.run_id, r.images_root, i.rel_path, i.sha256, i.size_bytes
            FROM images AS i JOIN runs AS r ON r.id = i.run_id {where} ORDER BY i.id""",
        args,
    ).fetchall()
    problems: list[FileProblem] = []
    known: set[Path] = set()
    for image_id, run_id, root, rel_path, sha256, size in images:
        path = paths.images_dir(root) / rel_path
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
        elif verify and _sha256(path) != sha256:
            detail = "the bytes differ from the recorded SHA-256"
            problems.append(FileProblem(ProblemKind.MISMATCH, path, run_id, image_id, detail))

    folders: dict[Path, str | None] = {}
    for _row_id, run_id, root in runs:
        folders[paths.images_dir(root) / run_id] = run_id
    if run_ids is None:
        for root in {paths.images_dir(r[2]) for r in runs} | {paths.images_dir()}:
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
            elif path not in known:
                detail = "no history row names this file"
                if run_id is None:
                    detail = "its run is not in the history"
                problems.append(FileProblem(ProblemKind.ORPHAN, path, run_id, None, detail))
    return problems


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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pending_uploads(conn: sqlite3.Connection) -> list[PendingImageUpload]:
    """Uploads that never finished (the app stopped) or failed, oldest first. Runs still
    going are left out: their own uploader is on them."""
    rows = conn.execute(
        """SELECT i.id, r.run_id, r.images_root, i.rel_path, i.s3_bucket, i.s3_key,
                  i.upload_state, i.upload_error
           FROM images AS i JOIN runs AS r ON r.id = i.run_id
           WHERE i.upload_state IN ('pending', 'failed') AND r.ended_at IS NOT NULL
           ORDER BY i.id"""
    ).fetchall()
    return [
        PendingImageUpload(
            image_id=image_id,
            run_id=run_id,
            path=paths.images_dir(root) / rel_path,
            bucket=bucket,
            key=key,
            state=UploadState(state),
            error=error,
        )
        for image_id, run_id, root, rel_path, bucket, key, state, error in rows
    ]


def mark_upload(conn: sqlite3.Connection, image_id: int, ok: bool, error: str = "") -> None:
    """Record a retry's outcome; a late failure never undoes an upload already done."""
    with transaction(conn):
        if conn.execute("SELECT 1 FROM images WHERE id = ?", (image_id,)).fetchone() is None:
            raise HistoryError(f"image {image_id} is not in the history")
        conn.execute(
            "UPDATE images SET upload_state = ?, upload_error = ? WHERE id = ?"
            + ("" if ok else " AND upload_state != 'done'"),
            (UploadState.DONE if ok else UploadState.FAILED, "" if ok else error, image_id),
        )

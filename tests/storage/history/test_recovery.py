"""Crash safety: a run killed at any instant leaves a history that opens, shows the run as
interrupted with every image written before the kill, and reports (never drops) files and
rows that disagree."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from imgloop_desktop import paths
from imgloop_desktop.core import events as ev
from imgloop_desktop.core.records import HistoryOutcome, ProblemKind, RepairKind, UploadState
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.storage.history import HistoryRecorder
from imgloop_desktop.storage.history.recovery import RunLock
from imgloop_desktop.storage.local import LocalImageStore
from tests.storage.history.fakes import Clock, params, png, request

CHILD = Path(__file__).with_name("crash_child.py")
ROOT = Path(__file__).resolve().parents[3]
RUN_ID = "20240501120000-0123abcd"


@pytest.fixture
def db(isolated_env: Path) -> Path:
    return isolated_env / "history.sqlite3"


def _half_run(db: Path, *, close: bool = True) -> HistoryRecorder:
    """Events of a run up to its second image, as a process that then died would leave."""
    p = params(s3_enabled=True, output_s3_bucket_name="imgloop-test")
    store = LocalImageStore(paths.images_dir())
    recorder = HistoryRecorder(db, p, now=Clock())
    recorder(ev.RunStarted(RUN_ID, p.prompt, "test.image-model", "test.judge", 2, 1))
    for attempt in range(2):
        recorder(ev.AttemptStarted(0, attempt, request(p.prompt, 42 + attempt)))
        stored = store.save(RUN_ID, f"000-{attempt:03d}-0.png", png(colour=(attempt, 0, 0)))
        ref = ev.ImageRef(0, attempt, 0)
        candidate = ev.Candidate(
            ref, stored.path, stored.sha256, stored.size_bytes, 16, 16, 42, p.prompt, f"k{attempt}"
        )
        recorder(ev.ImageStored(candidate))
    recorder(
        ev.VerdictReceived(ev.ImageRef(0, 0, 0), ev.Verdict(ev.VerdictResult.NO, "r", "{}", "j"))
    )
    if close:
        recorder.close()
    return recorder


def test_an_unfinished_run_becomes_interrupted_keeping_its_images(db: Path) -> None:
    _half_run(db)
    with HistoryService.open(db) as service:
        report = service.recovery_report
        assert report.interrupted == [RUN_ID] and report.problems == []
        tree = service.session(RUN_ID)
        assert tree.outcome is HistoryOutcome.INTERRUPTED
        assert "2 image(s) kept" in tree.message
        latest = max(i.verdict.received_at for i in tree.images() if i.verdict)
        assert tree.ended_at == latest, "the end is the last recorded activity"
        assert [i.path.is_file() for i in tree.images()] == [True, True]
        assert [u.key for u in service.pending_uploads()] == ["k0", "k1"]
        assert {u.state for u in service.pending_uploads()} == {UploadState.PENDING}
    with HistoryService.open(db) as service:
        assert service.recovery_report.clean, "recovery runs once per interruption"


def test_a_run_still_being_recorded_is_left_alone(db: Path) -> None:
    recorder = _half_run(db, close=False)
    try:
        with HistoryService.open(db) as service:
            assert service.recovery_report.still_running == [RUN_ID]
            assert service.recovery_report.interrupted == []
            assert service.session(RUN_ID).outcome is HistoryOutcome.RUNNING
    finally:
        recorder.close()
    with HistoryService.open(db) as service:
        assert service.recovery_report.interrupted == [RUN_ID]


def test_run_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    first, second = RunLock(tmp_path / "l.lock"), RunLock(tmp_path / "l.lock")
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()
    assert not (tmp_path / "l.lock").exists()


def test_disagreements_between_rows_and_files_are_reported_not_fixed(db: Path) -> None:
    _half_run(db)
    folder = paths.images_dir() / RUN_ID
    (folder / "000-000-0.png").unlink()  # a row whose file vanished
    (folder / "000-001-0.png").write_bytes(b"short")  # a file changed behind our back
    (folder / "000-002-0.png").write_bytes(png())  # a file no row names
    (folder / ".000-003-0.png.abc.part").write_bytes(b"half")  # a write cut short
    stray = paths.images_dir() / "20240101000000-ffffffff"  # a run folder we do not know
    stray.mkdir()
    (stray / "000-000-0.png").write_bytes(png())
    (paths.images_dir() / "holiday-photos").mkdir()  # not ours: never reported
    (paths.images_dir() / "holiday-photos" / "beach.png").write_bytes(png())
    with HistoryService.open(db) as service:
        found = {(p.kind, p.path.name) for p in service.recovery_report.problems}
        assert found == {
            (ProblemKind.MISSING, "000-000-0.png"),
            (ProblemKind.MISMATCH, "000-001-0.png"),
            (ProblemKind.ORPHAN, "000-002-0.png"),
            (ProblemKind.PARTIAL, ".000-003-0.png.abc.part"),
        }
        everything = {(p.kind, p.path) for p in service.check_files(verify=True)}
        assert (ProblemKind.ORPHAN, stray / "000-000-0.png") in everything
        assert not any("holiday" in str(path) for _kind, path in everything)
    for path in (folder / "000-002-0.png", folder / ".000-003-0.png.abc.part", stray):
        assert path.exists(), "recovery deletes nothing"


def test_verify_catches_same_size_corruption(db: Path) -> None:
    _half_run(db)
    path = paths.images_dir() / RUN_ID / "000-000-0.png"
    data = bytearray(path.read_bytes())
    data[-20] ^= 0xFF
    path.write_bytes(bytes(data))
    with HistoryService.open(db) as service:
        assert service.check_files() == []
        [problem] = service.check_files(verify=True)
        assert problem.kind is ProblemKind.MISMATCH and problem.path == path


# -- the kill test ---------------------------------------------------------------------------


def _start_child(db: Path, mode: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(db), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def _kill_after(child: subprocess.Popen[str], lines: int, prefix: str = "") -> list[str]:
    """Read the child's lines until the ``lines``-th one starting with ``prefix``, then
    SIGKILL it: no sleeps, the kill lands wherever the child has got to by then."""
    assert child.stdout is not None and child.stderr is not None
    seen: list[str] = []
    count = 0
    try:
        while count < lines:
            line = child.stdout.readline()
            if not line:
                raise AssertionError(f"child ended early: {child.stderr.read()}")
            seen.append(line.strip())
            if line.startswith(prefix):
                count += 1
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
        for stream in (child.stdin, child.stdout, child.stderr):
            if stream is not None:
                stream.close()
    assert child.returncode == -signal.SIGKILL
    return seen


def _check_consistent(db: Path) -> tuple[list[str], set[Path]]:
    """The store opens, the run is interrupted, every row's file is there with its bytes, and
    every file on disk is either named by a row or reported."""
    with HistoryService.open(db) as service:
        report = service.recovery_report
        page = service.list_sessions()
        [session] = page.sessions
        assert session.outcome is HistoryOutcome.INTERRUPTED
        assert report.interrupted == [session.run_id]
        tree = service.session(session.run_id)
        rows = {image.path for image in tree.images()}
        for image in tree.images():
            assert hashlib.sha256(image.path.read_bytes()).hexdigest() == image.sha256
        folder = paths.images_dir() / session.run_id
        on_disk = set(folder.iterdir()) if folder.exists() else set()
        reported = {p.path for p in report.problems}
        assert on_disk == rows | reported, "a file is neither recorded nor reported"
        assert all(p.kind in (ProblemKind.ORPHAN, ProblemKind.PARTIAL) for p in report.problems)
        pending = {u.image_id for u in service.pending_uploads()}
        assert pending <= {image.image_id for image in tree.images()}
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    return report.interrupted, {p.path for p in report.problems if p.kind is ProblemKind.ORPHAN}


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("seed", range(int(os.environ.get("IMGLOOP_KILL_SEEDS", "6"))))
def test_kill_at_a_random_point_leaves_a_consistent_history(db: Path, seed: int) -> None:
    lines = random.Random(seed).randint(1, 1200)
    seen = _kill_after(_start_child(db, "run"), lines)
    assert "done" not in seen
    _check_consistent(db)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_kill_between_file_and_row_reports_the_orphan(db: Path) -> None:
    seen = _kill_after(_start_child(db, "pause"), 2, prefix="saved ")
    assert seen[-1] == "saved 000-000-1.png"
    _interrupted, orphans = _check_consistent(db)
    assert [p.name for p in orphans] == ["000-000-1.png"]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_repair_after_a_kill_adopts_the_orphan_and_removes_the_temp_file(db: Path) -> None:
    """What the window does at start (``recover(repair=True)``) after a kill between a
    file's rename and its row, and inside another write: afterwards the check is clean."""
    seen = _kill_after(_start_child(db, "pause"), 2, prefix="saved ")
    assert seen[-1] == "saved 000-000-1.png"
    [folder] = [p for p in paths.images_dir().iterdir() if p.is_dir()]
    orphan = folder / "000-000-1.png"
    part = folder / ".000-001-0.png.x7f3k2qa.part"  # the kill landed inside this write
    part.write_bytes(orphan.read_bytes()[:100])
    with HistoryService.open(db, repair=True) as service:
        report = service.recovery_report
        assert report.interrupted == [folder.name] and report.problems == []
        assert {(r.kind, r.path) for r in report.repairs} == {
            (RepairKind.ADOPTED, orphan),
            (RepairKind.REMOVED, part),
        }
        assert service.check_files(verify=True) == []
        tree = service.session(folder.name)
        [adopted] = [i for i in tree.images() if i.path == orphan]
        assert adopted.sha256 == hashlib.sha256(orphan.read_bytes()).hexdigest()
        assert (adopted.revision, adopted.attempt, adopted.index) == (0, 0, 1)
        assert adopted.verdict is None and not adopted.effective_approved
    assert orphan.is_file() and not part.exists()


def test_repair_leaves_a_run_still_being_recorded_alone(db: Path) -> None:
    """A file written a moment before its row is not an orphan while its run is live."""
    recorder = _half_run(db, close=False)
    try:
        folder = paths.images_dir() / RUN_ID
        (folder / "000-002-0.png").write_bytes(png())
        (folder / ".000-003-0.png.abcdefgh.part").write_bytes(b"half")
        with HistoryService.open(db) as service:
            problems = service.check_files()
            assert len(problems) == 2
            assert service.repair_files(problems) == []
        assert (folder / "000-002-0.png").exists()
        assert (folder / ".000-003-0.png.abcdefgh.part").exists()
    finally:
        recorder.close()

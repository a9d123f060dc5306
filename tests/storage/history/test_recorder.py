"""The recorder against the real loop: every event lands in the history as it happens."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from imgloop_desktop import paths
from imgloop_desktop.core import events as ev
from imgloop_desktop.core.cancel import CancelToken
from imgloop_desktop.core.loop import ImageLoop
from imgloop_desktop.core.records import HistoryOutcome, UploadState
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.storage.history import HistoryError, HistoryRecorder
from imgloop_desktop.storage.local import LocalImageStore
from tests.conftest import FAKE_KEY_ID, FAKE_SECRET
from tests.storage.history.fakes import (
    SPEC,
    Clock,
    FakeChat,
    FakeGenerator,
    InlineUploader,
    params,
    request,
    run_recorded,
)


@pytest.fixture
def db(isolated_env: Path) -> Path:
    return isolated_env / "history.sqlite3"


def test_a_whole_run_is_recorded_as_a_tree(db: Path) -> None:
    chat = FakeChat(verdicts=["NO", "NO", "NO", "NO", "NO", "YES"])
    p = params(titan_img_number_of_images=2)  # two images per call: judged on pool threads
    result = run_recorded(db, p, chat=chat)
    assert result.outcome is ev.Outcome.APPROVED
    with HistoryService.open(db) as service:
        tree = service.session(result.run_id)
    assert tree.outcome is HistoryOutcome.APPROVED
    assert tree.message == result.message
    assert tree.params == p.to_event()
    assert tree.image_model_id == "test.image-model" and tree.judge_model_id == "test.judge"
    assert tree.ended_at is not None and tree.ended_at > tree.started_at
    assert [v.prompt for v in tree.prompt_versions] == result.prompts
    assert tree.prompt_versions[1].reasons == ("judged NO",) * 4
    assert tree.prompt_versions[1].ok is True
    images = list(tree.images())
    assert [i.sha256 for i in images] == [c.sha256 for c in result.candidates]
    for image, candidate in zip(images, result.candidates, strict=True):
        assert image.path == candidate.path and image.path.is_file()
        assert image.rel_path == f"{result.run_id}/{candidate.path.name}"
        assert (image.width, image.height, image.size_bytes) == (64, 64, candidate.size_bytes)
        assert image.seed == candidate.seed and image.prompt == candidate.prompt
        assert image.verdict is not None
        assert image.verdict.result == result.verdicts[candidate.ref].result.value
        assert image.verdict.input_tokens == 100 and image.verdict.model_id == "test.judge"
        assert image.upload_state is UploadState.NONE
    approved = [i for i in images if i.effective_approved]
    assert len(approved) == 1 and tree.judge_approved_image_id == approved[0].image_id
    attempt = tree.prompt_versions[0].attempts[0]
    assert attempt.request["width"] == 64 and attempt.request["seed"] == attempt.seed
    assert attempt.ended_at is not None and attempt.ended_at >= attempt.started_at


def test_refusals_unreadable_revisions_and_cancel_are_on_record(db: Path) -> None:
    chat = FakeChat(revisions=["not json", "still not json"])
    result = run_recorded(db, params(), chat=chat, generator=FakeGenerator(refuse={1}))
    with HistoryService.open(db) as service:
        tree = service.session(result.run_id)
    first = tree.prompt_versions[0].attempts[0]
    assert "blocked by content filters" in first.error and first.images == ()
    revision = tree.prompt_versions[1]
    assert revision.ok is False and revision.raw == "still not json"
    assert "could not be read" in revision.error
    assert revision.prompt == tree.prompt  # the previous prompt was kept

    cancel = CancelToken()
    cancel.cancel()
    p = params()
    with HistoryRecorder(db, p) as recorder:
        loop = ImageLoop(
            p,
            SPEC,
            generator=FakeGenerator(),
            chat=FakeChat(),
            store=LocalImageStore(paths.images_dir()),
            emit=recorder,
            cancel=cancel,
        )
        cancelled = loop.run()
    with HistoryService.open(db) as service:
        assert service.session(cancelled.run_id).outcome is HistoryOutcome.CANCELLED


def test_upload_states_follow_the_uploader(db: Path) -> None:
    p = params(s3_enabled=True, output_s3_bucket_name="imgloop-test", max_prompt_revisions=0)
    uploader = InlineUploader("imgloop-test", fail={"generated-images-20240501120001-000-001.png"})
    result = run_recorded(db, p, uploader=uploader)
    with HistoryService.open(db) as service:
        images = list(service.session(result.run_id).images())
        assert [i.upload_state for i in images] == [UploadState.DONE, UploadState.FAILED]
        assert images[1].upload_error == "S3 refused: AccessDenied"
        assert images[1].s3_bucket == "imgloop-test" and images[1].s3_key.endswith("001.png")
        [pending] = service.pending_uploads()
        assert pending.image_id == images[1].image_id and pending.path == images[1].path
        service.mark_upload(pending.image_id, ok=True)
        assert service.pending_uploads() == []


def test_the_image_row_is_committed_before_emit_returns(db: Path) -> None:
    """A second connection (another process, the GUI) sees the row as soon as the event was
    consumed: nothing is held in an open transaction."""
    seen: list[int] = []

    def check(event: ev.Event) -> None:
        if isinstance(event, ev.ImageStored):
            conn = sqlite3.connect(db)
            try:
                row = conn.execute(
                    "SELECT count(*) FROM images WHERE sha256 = ?", (event.candidate.sha256,)
                ).fetchone()
            finally:
                conn.close()
            seen.append(row[0])

    p = params()
    with HistoryRecorder(db, p) as recorder:
        ImageLoop(
            p,
            SPEC,
            generator=FakeGenerator(),
            chat=FakeChat(),
            store=LocalImageStore(paths.images_dir()),
            recorder=recorder,
            emit=check,
        ).run()
    assert seen == [1, 1, 1, 1]


def test_no_secret_reaches_the_database(db: Path, isolated_env: Path) -> None:
    run_recorded(db, params(s3_enabled=True, output_s3_bucket_name="b-1"), uploader=None)
    files = [f for f in isolated_env.iterdir() if f.name.startswith("history.sqlite3")]
    assert files
    for file in files:
        data = file.read_bytes()
        for secret in (FAKE_SECRET, FAKE_KEY_ID):
            assert secret.encode() not in data, f"{secret} found in {file.name}"


def test_connections_of_every_thread_are_closed(db: Path) -> None:
    p = params()
    recorder = HistoryRecorder(db, p, now=Clock())
    recorder(ev.RunStarted("20240501120000-abcdef01", "p", "m", "j", 1, 0))

    def other() -> None:
        recorder(ev.AttemptStarted(0, 0, request("p", 7)))

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert recorder._conns.open_count == 1, "the worker's connection closed with the worker"
    recorder.close()
    assert recorder._conns.open_count == 0
    with pytest.raises(HistoryError, match="closed"):
        recorder(ev.AttemptStarted(0, 1, request("p", 8)))

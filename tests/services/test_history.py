"""The service the window and the CLI call: recovery on open, input parsing, reads from worker
threads while a run writes, thumbnails, and retrying S3 uploads after a restart."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.records import HistoryOutcome, UploadState
from imgloop_desktop.services.history import HistoryService, make_filter, parse_when
from tests.storage.history.fakes import FakeChat, InlineUploader, params, run_recorded


@pytest.fixture
def service(isolated_env: Path) -> Iterator[HistoryService]:
    with HistoryService.open() as service:
        yield service


def test_the_store_lives_in_the_data_folder(service: HistoryService, isolated_env: Path) -> None:
    assert service.db_path == isolated_env / "history.sqlite3"
    assert service.db_path.is_file() and service.recovery_report.clean


def test_filters_from_typed_text() -> None:
    flt = make_filter(search="fox", outcomes=["Approved", "not-approved"], since="2024-05-01")
    assert flt.outcomes == {HistoryOutcome.APPROVED, HistoryOutcome.NOT_APPROVED}
    assert flt.since == datetime(2024, 5, 1).astimezone().astimezone(UTC)
    until = parse_when("until", "2024-05-01", end_of_day=True)
    assert until == datetime(2024, 5, 2).astimezone().astimezone(UTC)
    assert parse_when("since", "2024-05-01T10:00:00+09:00") == datetime(2024, 5, 1, 1, tzinfo=UTC)
    with pytest.raises(ValidationError) as info:
        make_filter(outcomes=["great"], since="yesterday", until="2024-13-01")
    assert [p.field for p in info.value.problems] == ["outcome", "since", "until"]
    assert "interrupted" in info.value.problems[0].allowed
    with pytest.raises(ValidationError, match="a time after since"):
        make_filter(since="2024-05-02", until="2024-05-01")


def test_reads_from_worker_threads_while_a_run_is_recorded(service: HistoryService) -> None:
    """WAL: readers on other threads never wait for, or block, the recorder."""
    stop = threading.Event()
    errors: list[BaseException] = []
    reads = [0]

    def reader() -> None:
        try:
            while not stop.is_set():
                for summary in service.list_sessions().sessions:
                    service.session(summary.run_id)
                reads[0] += 1
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for _ in range(3):
            run_recorded(service.db_path, params(titan_img_number_of_images=2))
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == [] and reads[0] > 0
    assert service.count_sessions() == 3


def test_thumbnail_by_image_id(service: HistoryService, isolated_env: Path) -> None:
    result = run_recorded(service.db_path, params(), chat=FakeChat(verdicts=["YES"]))
    [summary] = service.list_sessions().sessions
    assert summary.thumbnail_image_id is not None
    path = service.thumbnail(summary.thumbnail_image_id, 32)
    assert path.is_relative_to(isolated_env / "thumbnails")
    assert result.candidates[0].sha256 in path.name


@pytest.fixture
def s3(s3_endpoint: str) -> Iterator[Any]:
    client = boto3.client("s3", region_name="us-east-1")
    yield client
    client.close()


def test_pending_uploads_are_retried_after_a_restart(
    service: HistoryService, s3: Any, isolated_env: Path
) -> None:
    p = params(
        s3_enabled=True,
        output_s3_bucket_name="imgloop-later",
        max_prompt_revisions=0,
        max_retry_attempts=3,
    )
    keys = [f"generated-images-20240501120001-000-{i:03d}.png" for i in range(3)]
    run_recorded(service.db_path, p, uploader=InlineUploader("imgloop-later", fail=set(keys)))
    pending = service.pending_uploads()
    assert [u.key for u in pending] == keys
    pending[2].path.unlink()  # its local copy is gone: reported, not retried

    s3.create_bucket(Bucket="imgloop-later")  # the outage is over
    results = service.retry_uploads(s3, timeout=30)
    assert [r.ok for r in results] == [True, True, False]
    assert results[2].error == "the local file is gone"
    for item in pending[:2]:
        body = s3.get_object(Bucket="imgloop-later", Key=item.key)["Body"].read()
        assert body == item.path.read_bytes()
    [left] = service.pending_uploads()
    assert left.image_id == pending[2].image_id and left.state is UploadState.FAILED
    states = [i.upload_state for i in service.session(pending[0].run_id).images()]
    assert states == [UploadState.DONE, UploadState.DONE, UploadState.FAILED]


def test_a_retry_records_the_key_it_actually_wrote(service: HistoryService, s3: Any) -> None:
    """Someone else's object took the intended key while the upload waited: the retry
    writes beside it, never over it, and the row names the key that holds its image."""
    p = params(s3_enabled=True, output_s3_bucket_name="imgloop-later", max_prompt_revisions=0)
    run_recorded(service.db_path, p, uploader=InlineUploader("imgloop-later", fail_all=True))
    pending = service.pending_uploads()
    s3.create_bucket(Bucket="imgloop-later")
    taken = pending[0]
    s3.put_object(Bucket="imgloop-later", Key=taken.key, Body=b"another run's image")

    results = service.retry_uploads(s3, timeout=30)
    assert all(r.ok for r in results)
    moved = taken.key.removesuffix(".png") + "-alt1.png"
    assert results[0].key == moved
    assert s3.get_object(Bucket="imgloop-later", Key=taken.key)["Body"].read() == (
        b"another run's image"
    )
    rows = {i.image_id: i for i in service.session(taken.run_id).images()}
    for item in pending:
        row = rows[item.image_id]
        expected = moved if item is taken else item.key
        assert (row.s3_key, row.upload_state) == (expected, UploadState.DONE)
        in_s3 = s3.get_object(Bucket="imgloop-later", Key=row.s3_key)["Body"].read()
        assert in_s3 == item.path.read_bytes()


def test_a_missing_bucket_stays_pending_with_its_error(service: HistoryService, s3: Any) -> None:
    p = params(s3_enabled=True, output_s3_bucket_name="no-such-bucket-here", max_prompt_revisions=0)
    run_recorded(service.db_path, p, uploader=InlineUploader("no-such-bucket-here", fail_all=True))
    results = service.retry_uploads(s3, timeout=30)
    assert results and not any(r.ok for r in results)
    assert all("NoSuchBucket" in r.error for r in results)
    assert len(service.pending_uploads()) == len(results)


def test_recorder_from_the_service_writes_into_it(service: HistoryService) -> None:
    p = params()
    with service.recorder(p) as recorder:
        recorder(ev.RunStarted("20240501120000-00000001", p.prompt, "m", "j", 1, 0))
    report = service.recover()
    assert report.interrupted == ["20240501120000-00000001"]


def test_short_lived_threads_leave_no_connection_open(tmp_path: Path) -> None:
    """Every worker thread gets its own connection, closed when the thread ends: a long
    session of background reads must not run out of file handles."""
    import threading

    with HistoryService.open(tmp_path / "h.sqlite3") as service:
        for _ in range(30):
            worker = threading.Thread(target=service.pending_uploads)
            worker.start()
            worker.join()
        assert service._conns.open_count <= 2

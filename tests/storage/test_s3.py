"""The S3 mirror against moto's real S3 endpoint on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from imgloop_desktop.core.protocols import UploadOutcome
from imgloop_desktop.storage.s3 import S3Uploader
from tests.conftest import free_port


@pytest.fixture
def s3(s3_endpoint: str) -> Iterator[Any]:
    client = boto3.client("s3", region_name="us-east-1")
    assert client.meta.endpoint_url == s3_endpoint
    client.create_bucket(Bucket="imgloop-test")
    yield client
    client.close()


class Outcomes:
    def __init__(self) -> None:
        self.items: list[UploadOutcome] = []
        self.lock = threading.Lock()

    def __call__(self, outcome: UploadOutcome) -> None:
        with self.lock:
            self.items.append(outcome)


def image(tmp_path: Path, name: str = "a.png", data: bytes = b"\x89PNG fake") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_upload_lands_in_the_bucket(s3: Any, tmp_path: Path) -> None:
    outcomes = Outcomes()
    with S3Uploader(s3, "imgloop-test") as uploader:
        uploader.submit(image(tmp_path), "gen-1-000-000.png", outcomes)
        assert uploader.drain(30)
        assert uploader.pending == []
    body = s3.get_object(Bucket="imgloop-test", Key="gen-1-000-000.png")
    assert body["Body"].read() == b"\x89PNG fake"
    assert body["ContentType"] == "image/png"
    assert outcomes.items == [UploadOutcome("imgloop-test", "gen-1-000-000.png", ok=True)]


def test_missing_bucket_fails_at_once_and_stays_pending(s3: Any, tmp_path: Path) -> None:
    outcomes = Outcomes()
    with S3Uploader(s3, "no-such-bucket", retry_delays=(60.0,)) as uploader:
        path = image(tmp_path)
        uploader.submit(path, "k.png", outcomes)
        assert uploader.drain(30)
        [pending] = uploader.pending
    assert pending.key == "k.png" and pending.path == path and "NoSuchBucket" in pending.error
    assert [o.ok for o in outcomes.items] == [False]
    assert path.read_bytes() == b"\x89PNG fake", "the local copy is untouched"


def test_outage_is_retried_until_it_ends(tmp_path: Path) -> None:
    """A dead endpoint fails fast; the retry after it comes back succeeds."""
    dead = f"http://127.0.0.1:{free_port()}"
    client = boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url=dead,
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    outcomes = Outcomes()
    try:
        with S3Uploader(client, "imgloop-test", retry_delays=(0.01, 0.01)) as uploader:
            uploader.submit(image(tmp_path), "k.png", outcomes)
            assert uploader.drain(30)
            [pending] = uploader.pending
        assert "Could not connect" in pending.error
        assert [o.ok for o in outcomes.items] == [False, False, False]
    finally:
        client.close()


def test_retry_succeeds_after_a_transient_failure(s3: Any, tmp_path: Path) -> None:
    calls = {"n": 0}
    real_put = s3.put_object

    class Flaky:
        def put_object(self, **kwargs: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 1:
                raise OSError("connection reset")
            return real_put(**kwargs)

    outcomes = Outcomes()
    with S3Uploader(Flaky(), "imgloop-test", retry_delays=(0.01,)) as uploader:
        uploader.submit(image(tmp_path), "k.png", outcomes)
        assert uploader.drain(30)
        assert uploader.pending == []
    assert [o.ok for o in outcomes.items] == [False, True]
    assert s3.get_object(Bucket="imgloop-test", Key="k.png")["Body"].read() == b"\x89PNG fake"


def test_close_stops_waiting_retries(tmp_path: Path) -> None:
    class Down:
        def put_object(self, **kwargs: Any) -> Any:
            raise OSError("down")

    uploader = S3Uploader(Down(), "b", retry_delays=(3600.0,))
    uploader.submit(image(tmp_path), "k.png", Outcomes())
    uploader.close()
    assert [p.key for p in uploader.pending] == ["k.png"]

"""The S3 mirror against moto's real S3 endpoint on loopback."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError

from imgloop_desktop.core.protocols import UploadOutcome
from imgloop_desktop.storage.s3 import (
    MAX_PUTS,
    META_ORIGIN,
    META_SHA256,
    S3Uploader,
    alternative_key,
)
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


# -- never overwrite (issue 17, finding 1) ---------------------------------------------------


class Wrapped:
    """The real moto client, with ``put_object`` or ``head_object`` replaced by a test."""

    def __init__(self, real: Any, **overrides: Callable[..., Any]) -> None:
        self._real = real
        self._overrides = overrides

    def __getattr__(self, name: str) -> Any:
        return self._overrides.get(name) or getattr(self._real, name)


def client_error(code: str, status: int, operation: str = "PutObject") -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": code},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, operation)


def run_image(tmp_path: Path, run_id: str, data: bytes, name: str = "r000-a000.png") -> Path:
    """An image where the local store puts it: ``<root>/<run id>/<name>``."""
    folder = tmp_path / run_id
    folder.mkdir(parents=True, exist_ok=True)
    return image(folder, name, data)


def upload(
    client: Any, path: Path, key: str, **kwargs: Any
) -> tuple[list[UploadOutcome], S3Uploader]:
    outcomes = Outcomes()
    with S3Uploader(client, "imgloop-test", **kwargs) as uploader:
        uploader.submit(path, key, outcomes)
        assert uploader.drain(30)
    return outcomes.items, uploader


def keys(s3: Any) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket="imgloop-test").get("Contents", []))


def body(s3: Any, key: str) -> bytes:
    data: bytes = s3.get_object(Bucket="imgloop-test", Key=key)["Body"].read()
    return data


def test_alternative_keys_keep_the_layout() -> None:
    assert alternative_key("p-20240501120000-000-001.png", 0) == "p-20240501120000-000-001.png"
    assert alternative_key("p-20240501120000-000-001.png", 2) == "p-20240501120000-000-001-alt2.png"
    assert alternative_key("dir.v2/name", 1) == "dir.v2/name-alt1"


def test_moto_refuses_a_conditional_put_over_an_existing_key(s3: Any) -> None:
    """What the uploader relies on, checked against the moto in use (5.x): 412."""
    s3.put_object(Bucket="imgloop-test", Key="k.png", Body=b"first", IfNoneMatch="*")
    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket="imgloop-test", Key="k.png", Body=b"second", IfNoneMatch="*")
    assert refused.value.response["Error"]["Code"] == "PreconditionFailed"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert body(s3, "k.png") == b"first"


def test_a_taken_key_is_never_overwritten(s3: Any, tmp_path: Path) -> None:
    s3.put_object(Bucket="imgloop-test", Key="p-1-000-000.png", Body=b"another run's image")
    path = run_image(tmp_path, "run-b", b"\x89PNG ours")
    outcomes, uploader = upload(s3, path, "p-1-000-000.png")
    assert outcomes == [UploadOutcome("imgloop-test", "p-1-000-000-alt1.png", ok=True)]
    assert uploader.pending == []
    assert body(s3, "p-1-000-000.png") == b"another run's image"
    assert body(s3, "p-1-000-000-alt1.png") == b"\x89PNG ours"
    head = s3.head_object(Bucket="imgloop-test", Key="p-1-000-000-alt1.png")
    assert head["ContentType"] == "image/png"
    assert head["Metadata"] == {
        META_SHA256: hashlib.sha256(b"\x89PNG ours").hexdigest(),
        META_ORIGIN: "run-b/r000-a000.png",
    }


def test_the_next_free_alternative_is_taken(s3: Any, tmp_path: Path) -> None:
    for key in ("k.png", "k-alt1.png", "k-alt2.png"):
        s3.put_object(Bucket="imgloop-test", Key=key, Body=key.encode())
    outcomes, _ = upload(s3, run_image(tmp_path, "run-a", b"mine"), "k.png")
    assert [o.key for o in outcomes] == ["k-alt3.png"]
    assert [body(s3, k) for k in ("k.png", "k-alt1.png", "k-alt2.png")] == [
        b"k.png",
        b"k-alt1.png",
        b"k-alt2.png",
    ]


def test_identical_bytes_of_another_image_are_not_ours(s3: Any, tmp_path: Path) -> None:
    """Two runs can make byte-identical images; each must still get a key of its own, or
    one history row would name an object the other run wrote."""
    first, _ = upload(s3, run_image(tmp_path, "run-a", b"same"), "k.png")
    second, _ = upload(s3, run_image(tmp_path, "run-b", b"same"), "k.png")
    assert [o.key for o in first + second] == ["k.png", "k-alt1.png"]
    assert keys(s3) == ["k-alt1.png", "k.png"]


def test_a_retry_after_a_lost_response_counts_as_done(s3: Any, tmp_path: Path) -> None:
    """The put landed but its answer was lost: the retry finds its own object and reports
    success under that key, with no copy made."""
    s3.put_object(Bucket="imgloop-test", Key="k.png", Body=b"someone else")
    lost = {"n": 0}

    def put_then_lose(**kwargs: Any) -> Any:
        s3.put_object(**kwargs)
        if lost["n"] == 0 and kwargs["Key"] == "k-alt1.png":
            lost["n"] += 1
            raise ReadTimeoutError(endpoint_url="http://moto")
        return None

    path = run_image(tmp_path, "run-a", b"mine")
    outcomes, uploader = upload(
        Wrapped(s3, put_object=put_then_lose), path, "k.png", retry_delays=(0.01,)
    )
    assert [(o.ok, o.key) for o in outcomes] == [(False, "k.png"), (True, "k-alt1.png")]
    assert uploader.pending == []
    assert keys(s3) == ["k-alt1.png", "k.png"]
    assert body(s3, "k-alt1.png") == b"mine"


def test_a_conflicting_write_in_progress_is_retried(s3: Any, tmp_path: Path) -> None:
    """409 ConditionalRequestConflict (another conditional write to the key under way, which
    moto does not produce): the key is looked at and, still free, tried again."""
    conflicts = {"n": 0}

    def conflict_once(**kwargs: Any) -> Any:
        if conflicts["n"] == 0:
            conflicts["n"] += 1
            raise client_error("ConditionalRequestConflict", 409)
        return s3.put_object(**kwargs)

    outcomes, _ = upload(Wrapped(s3, put_object=conflict_once), image(tmp_path), "k.png")
    assert [(o.ok, o.key) for o in outcomes] == [(True, "k.png")]
    assert body(s3, "k.png") == b"\x89PNG fake"


def test_a_store_without_conditional_writes_gets_check_then_put(
    s3: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """501 NotImplemented to If-None-Match: warned once, then each key is checked before an
    unconditional put, so an existing object is still never replaced."""
    s3.put_object(Bucket="imgloop-test", Key="taken.png", Body=b"theirs")
    puts: list[dict[str, Any]] = []

    def no_conditions(**kwargs: Any) -> Any:
        puts.append(kwargs)
        if "IfNoneMatch" in kwargs:
            raise client_error("NotImplemented", 501)
        return s3.put_object(**kwargs)

    client = Wrapped(s3, put_object=no_conditions)
    outcomes = Outcomes()
    with (
        caplog.at_level(logging.WARNING, logger="imgloop_desktop.storage.s3"),
        S3Uploader(client, "imgloop-test", workers=1) as uploader,
    ):
        uploader.submit(run_image(tmp_path, "r", b"one"), "free.png", outcomes)
        uploader.submit(run_image(tmp_path, "r", b"two", "b.png"), "taken.png", outcomes)
        assert uploader.drain(30)
        assert uploader.conditional is False
    assert sorted((o.ok, o.key) for o in outcomes.items) == [
        (True, "free.png"),
        (True, "taken-alt1.png"),
    ]
    assert body(s3, "taken.png") == b"theirs"
    assert sum("IfNoneMatch" in p for p in puts) == 1, "asked once, then never again"
    warnings = [r for r in caplog.records if "conditional writes" in r.getMessage()]
    assert len(warnings) == 1


def test_an_unreadable_taken_key_is_left_alone(s3: Any, tmp_path: Path) -> None:
    """A write-only role cannot look at the key that refused it: not provably ours, so the
    image goes to the next key rather than being reported as uploaded."""
    s3.put_object(Bucket="imgloop-test", Key="k.png", Body=b"unknown")

    def forbidden(**kwargs: Any) -> Any:
        raise client_error("403", 403, "HeadObject")

    outcomes, _ = upload(Wrapped(s3, head_object=forbidden), image(tmp_path), "k.png")
    assert [(o.ok, o.key) for o in outcomes] == [(True, "k-alt1.png")]
    assert body(s3, "k.png") == b"unknown"


def test_tries_are_bounded(tmp_path: Path) -> None:
    """A bucket where every key is taken (or a bug) ends in a pending upload, not a loop."""
    calls = {"put": 0}

    class AllTaken:
        def put_object(self, **kwargs: Any) -> Any:
            calls["put"] += 1
            raise client_error("PreconditionFailed", 412)

        def head_object(self, **kwargs: Any) -> Any:
            return {"Metadata": {}, "ContentLength": 1, "ETag": '"x"'}

    outcomes, uploader = upload(AllTaken(), image(tmp_path), "k.png", retry_delays=())
    assert calls["put"] == MAX_PUTS
    [outcome] = outcomes
    assert not outcome.ok and outcome.key == "k.png" and "gave up" in outcome.error
    assert [p.key for p in uploader.pending] == ["k.png"]

"""The S3 mirror: uploads run on their own threads and never hold up or endanger the local copy.

A failed upload is reported at once (the loop records it in the history) and retried with
backoff during the run; what still fails waits in the history, whose upload state survives
restarts and is retried on request (``services.history.retry_pending_uploads``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from imgloop_desktop.core.protocols import UploadOutcome

log = logging.getLogger(__name__)

# Errors a retry in the next seconds cannot fix; they wait for a later retry instead.
_PERMANENT = {
    "AccessDenied",
    "AllAccessDisabled",
    "InvalidAccessKeyId",
    "InvalidBucketName",
    "NoSuchBucket",
    "SignatureDoesNotMatch",
}


@dataclass(frozen=True)
class PendingUpload:
    path: Path
    bucket: str
    key: str
    error: str


class S3Uploader:
    """Puts files to one bucket from a small thread pool.

    ``done`` may be called more than once per upload: a failure, then the success of a
    retry. The s3 client is shared by the pool's threads (boto3 clients are thread-safe).
    """

    def __init__(
        self,
        client: Any,
        bucket: str,
        *,
        retry_delays: tuple[float, ...] = (1.0, 4.0, 10.0),
        workers: int = 4,
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.retry_delays = retry_delays
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="s3-upload")
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._in_flight = 0
        self._pending: dict[str, PendingUpload] = {}

    @property
    def pending(self) -> list[PendingUpload]:
        with self._idle:
            return list(self._pending.values())

    def submit(self, path: Path, key: str, done: Callable[[UploadOutcome], None]) -> None:
        with self._idle:
            self._in_flight += 1
        try:
            self._pool.submit(self._run, path, key, done)
        except RuntimeError:  # pool already shut down: keep it for a later retry
            self._finish(path, key, "the uploader was closed before this upload started")

    def drain(self, timeout: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout=timeout)

    def close(self) -> None:
        """Stop retrying and wait for the uploads under way; what is left stays pending."""
        self._stop.set()
        self._pool.shutdown(wait=True, cancel_futures=False)

    def __enter__(self) -> S3Uploader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _run(self, path: Path, key: str, done: Callable[[UploadOutcome], None]) -> None:
        error = ""
        try:
            for delay in (0.0, *self.retry_delays):
                if delay and self._stop.wait(delay):
                    break
                error, permanent = self._put(path, key)
                done(UploadOutcome(self.bucket, key, ok=not error, error=error))
                if not error or permanent:
                    break
        except Exception as exc:  # a consumer bug must not leave the count stuck
            log.exception("upload of %s failed", key)
            error = f"the upload of s3://{self.bucket}/{key} stopped on an error: {exc!r}"
        self._finish(path, key, error)

    def _finish(self, path: Path, key: str, error: str) -> None:
        with self._idle:
            if error:
                self._pending[key] = PendingUpload(path, self.bucket, key, error)
            else:
                self._pending.pop(key, None)
            self._in_flight -= 1
            self._idle.notify_all()

    def _put(self, path: Path, key: str) -> tuple[str, bool]:
        """Upload once: ("", False) on success, else the error and whether it is permanent."""
        try:
            body = path.read_bytes()
            self.client.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="image/png")
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            return f"S3 refused s3://{self.bucket}/{key}: {code}", code in _PERMANENT
        except (BotoCoreError, OSError) as exc:
            return f"S3 upload of s3://{self.bucket}/{key} failed: {exc}", False
        return "", False

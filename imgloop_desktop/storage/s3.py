"""The S3 mirror: uploads run on their own threads and never hold up or endanger the local copy.

A failed upload is reported at once (the loop records it in the history) and retried with
backoff during the run; what still fails waits in the history, whose upload state survives
restarts and is retried on request (``services.history.retry_pending_uploads``).

Nothing is ever overwritten. Every put is conditional (``If-None-Match: *``): two runs
started in the same second with the same prefix compute the same keys, and the second
writer must not replace the first one's image. When the key is taken, the object is
checked first: one we wrote ourselves (a retry after a lost response) counts as done;
anyone else's sends the image to the next alternative key, ``{stem}-alt{n}.png``, and the
key actually written is reported back so the history names it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import urllib.parse
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


# The key is taken (412), or another conditional write to it is under way (409, which
# S3 documents as "retry"): both are answered by looking at what the key holds.
_CONFLICT = {"PreconditionFailed", "ConditionalRequestConflict"}
# Stores without conditional writes answer 501 NotImplemented (e.g. versitygw for
# If-None-Match values it does not know); they get the check-before-put fallback.
_UNSUPPORTED = {"NotImplemented"}
# Puts per upload at most: the intended key, then alternatives. Two same-second runs need
# two; the bound only stops a pathological bucket (or a bug) from looping forever.
MAX_PUTS = 12
# User metadata naming the image an object holds, so "is this object ours?" never
# depends on the ETag, which is not the MD5 of the bytes under SSE-KMS or SSE-C.
META_SHA256 = "imgloop-sha256"
META_ORIGIN = "imgloop-origin"


def alternative_key(key: str, n: int) -> str:
    """The ``n``-th key to try when ``key`` holds someone else's object: ``{stem}-alt{n}``.

    Not ``{stem}-{n}``: the loop's own layout ends in ``-{index}`` when one call returns
    several images, so ``-1`` would read as image index 1 and could take the key another
    run means for its own second image. ``alt`` also sorts beside the intended key, keeps
    the prefix and timestamp, and needs no run id (which the retry path, one uploader for
    many runs, would have to carry). The sequence is deterministic, so a retry after a lost
    response walks the same keys and finds its own object instead of writing a copy.
    """
    if n == 0:
        return key
    stem, dot, ext = key.rpartition(".")
    if not dot or "/" in ext:
        return f"{key}-alt{n}"
    return f"{stem}-alt{n}.{ext}"


def origin_of(path: Path) -> str:
    """What names an image across runs and machines: ``<run id>/<file name>`` (images
    live in ``<root>/<run id>/<name>``). The folder above is left out: it holds the
    person's user name, which has no business in bucket metadata. Quoted so metadata
    stays ASCII."""
    return urllib.parse.quote(f"{path.parent.name}/{path.name}", safe="/")


@dataclass(frozen=True)
class _Written:
    """One upload's result: the key that holds the image (or was last tried), the error
    ("" when done) and whether it is permanent."""

    key: str
    error: str = ""
    permanent: bool = False


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
        # False once the store answered a conditional put with 501: from then on each key
        # is checked before an unconditional put (see ``_put_one``), with a warning logged.
        self.conditional = True

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

    def close(self, *, wait: bool = True) -> None:
        """Stop retrying; wait for the uploads under way unless told not to (a cancelled
        run must not wait out a hung upload). What is left stays pending in the history."""
        self._stop.set()
        self._pool.shutdown(wait=wait, cancel_futures=not wait)

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
                written = self._put(path, key)
                error = written.error
                # A failure names the intended key: the history keeps it, and a later retry
                # walks the same keys from there (see ``alternative_key``).
                done(UploadOutcome(self.bucket, key if error else written.key, not error, error))
                if not error or written.permanent:
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

    def _put(self, path: Path, key: str) -> _Written:
        """Upload once, never over another object: the intended key, else the first
        alternative that is free or already holds this very image."""
        candidate = key
        try:
            body = path.read_bytes()
            meta = {META_SHA256: hashlib.sha256(body).hexdigest(), META_ORIGIN: origin_of(path)}
            n = 0
            for _ in range(MAX_PUTS):
                candidate = alternative_key(key, n)
                state = self._put_one(candidate, body, meta)
                if state in ("written", "ours"):
                    return _Written(candidate)
                if state == "theirs":
                    n += 1
                # "absent": the object that refused us is gone (its write failed, or it was
                # deleted); the same key is tried again.
        except ClientError as exc:
            code = _code(exc)
            return _Written(
                key, f"S3 refused s3://{self.bucket}/{candidate}: {code}", code in _PERMANENT
            )
        except (BotoCoreError, OSError) as exc:
            return _Written(key, f"S3 upload of s3://{self.bucket}/{candidate} failed: {exc}")
        return _Written(
            key,
            f"S3 upload of s3://{self.bucket}/{key} gave up after {MAX_PUTS} tries: the key "
            f"and its alternatives (up to {candidate}) hold other objects",
        )

    def _put_one(self, key: str, body: bytes, meta: dict[str, str]) -> str:
        """One key: "written", or what the key already holds: "ours", "theirs" or
        "absent" (free again). Raises ClientError for anything else."""
        if not self.conditional:
            # Check, then put: a writer between the two can still be overwritten. Only
            # stores without conditional writes come here, and the log says so.
            state = self._holder(key, body, meta)
            if state == "unknown":
                raise ClientError(
                    {"Error": {"Code": "AccessDenied", "Message": "cannot read the key"}},
                    "HeadObject",
                )
            if state == "absent":
                self.client.put_object(
                    Bucket=self.bucket, Key=key, Body=body, ContentType="image/png", Metadata=meta
                )
                return "written"
            return state
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=body,
                ContentType="image/png",
                Metadata=meta,
                IfNoneMatch="*",
            )
            return "written"
        except ClientError as exc:
            code = _code(exc)
            if code in _UNSUPPORTED or _status(exc) == 501:
                self._without_conditional_writes(code)
                return "absent"
            if code not in _CONFLICT:
                raise
        state = self._holder(key, body, meta)
        # Unreadable (a write-only role): not provably ours, so it is left alone and the
        # image goes to the next key. At worst a retry after a lost response writes a copy.
        return "theirs" if state == "unknown" else state

    def _holder(self, key: str, body: bytes, meta: dict[str, str]) -> str:
        """Whose object ``key`` holds: "ours" (this image: same bytes, same origin),
        "theirs", "absent", or "unknown" when we may not look (403).

        Our own metadata decides, not the ETag alone: the ETag is the MD5 of the bytes only
        for plain or SSE-S3 single-part objects, so it is compared only then. Two runs'
        byte-identical images still differ in origin, so neither takes the other's key.
        """
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            code = _code(exc)
            if code in ("404", "NoSuchKey", "NotFound"):
                return "absent"
            if code in ("403", "AccessDenied"):
                return "unknown"
            raise
        theirs = {str(k).lower(): str(v) for k, v in (head.get("Metadata") or {}).items()}
        if any(theirs.get(name) != value for name, value in meta.items()):
            return "theirs"
        if head.get("ContentLength") != len(body):
            return "theirs"
        etag = str(head.get("ETag", "")).strip('"')
        plain = head.get("ServerSideEncryption") in (None, "AES256") and not head.get(
            "SSECustomerAlgorithm"
        )
        if (
            plain
            and "-" not in etag
            and etag != hashlib.md5(body, usedforsecurity=False).hexdigest()
        ):
            return "theirs"
        return "ours"

    def _without_conditional_writes(self, code: str) -> None:
        """The store refused ``If-None-Match``: fall back to check-then-put, loudly (once
        per uploader, whichever pool thread learns it first)."""
        with self._idle:
            if not self.conditional:
                return
            self.conditional = False
        log.warning(
            "s3://%s does not support conditional writes (%s to If-None-Match); "
            "each key is checked before it is written instead, which cannot stop "
            "another writer in the moment between check and write",
            self.bucket,
            code or "HTTP 501",
        )


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _status(exc: ClientError) -> int | None:
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status if isinstance(status, int) else None

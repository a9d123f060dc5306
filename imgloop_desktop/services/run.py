"""Wires a run together from parameters: the one place that turns settings into real clients.

The desktop window, the headless command and the Lambda handler all start runs here, so
they validate, resolve models and store images the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from imgloop_desktop import paths
from imgloop_desktop.core.cancel import CancelToken
from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.events import Event
from imgloop_desktop.core.loop import CallDeadlines, ImageLoop, RunResult
from imgloop_desktop.core.models import ImageModelSpec
from imgloop_desktop.core.params import RunParams, validate
from imgloop_desktop.providers import catalog
from imgloop_desktop.providers.bedrock import BedrockImageGenerator, ConverseChat
from imgloop_desktop.providers.catalog import image_spec
from imgloop_desktop.providers.session import (
    CHAT_TIMEOUT_RESENDS,
    CONNECT_TIMEOUT_SECONDS,
    Clients,
    CredentialsSource,
    make_clients,
)
from imgloop_desktop.storage.history import HistoryRecorder, default_db_path
from imgloop_desktop.storage.local import LocalImageStore
from imgloop_desktop.storage.s3 import S3Uploader

log = logging.getLogger(__name__)

# Beyond the SDK's own timeouts: connecting, and adaptive-retry backoff when throttled.
DEADLINE_SLACK_SECONDS = CONNECT_TIMEOUT_SECONDS + 50.0


def check(params: RunParams) -> ImageModelSpec:
    """The image model's spec, or ValidationError with every problem in ``params``."""
    spec = image_spec(params.image_model_id)
    problems = validate(params, spec)
    if problems:
        raise ValidationError(problems)
    return spec


@dataclass(frozen=True)
class Execution:
    """A finished run and the clients it ran on, closed by ``close()`` or leaving ``with``.

    ``execute`` builds the boto3 clients, so it owns their connection pools: every caller
    ends the same way (``with execute(...) as run:``) instead of each closing two clients
    by hand. Clients a caller passed in stay the caller's and are left open.
    """

    result: RunResult
    clients: Clients
    owns_clients: bool = True

    @property
    def region(self) -> str:
        """The region the run's calls went to, for the headless command's report."""
        return self.clients.region

    def close(self) -> None:
        """Close the connection pools now rather than leave sockets to the garbage collector.

        Safe to call twice (botocore's close is); a client that fails to close is logged,
        never raised, so the run's outcome still reaches the caller.
        """
        if self.owns_clients:
            close_clients(self.clients)

    def __enter__(self) -> Execution:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def close_clients(clients: Clients) -> None:
    """Close both clients, logging (not raising) a failure: closing must not hide a result."""
    for client in (clients.bedrock_runtime, clients.s3):
        try:
            client.close()
        except Exception:
            log.debug("closing a boto3 client failed", exc_info=True)


def execute(
    params: RunParams,
    *,
    credentials: CredentialsSource,
    emit: Callable[[Event], None] | None = None,
    cancel: CancelToken | None = None,
    clients: Clients | None = None,
) -> Execution:
    """Validate, then run the loop to its end on the calling thread, recording it in history.

    Raises ValidationError (bad parameters) or ServiceError (unusable profile, no
    credentials) before any Bedrock call, and OSError or HistoryError when the data folder
    cannot be used; once the loop starts, everything ends in a RunResult. The recorder sees
    each event before ``emit`` does, so a row exists for anything a front end shows.

    The returned ``Execution`` owns the clients made here (use it as a context manager);
    when this raises, they are already closed. ``clients``, if given, stay the caller's.
    """
    spec = check(params)
    if params.output_dir:  # recorded paths must mean the same folder from anywhere later
        params = params.with_changes(output_dir=str(Path(params.output_dir).expanduser().resolve()))
    owns_clients = clients is None
    if clients is None:
        clients = make_clients(credentials, params.aws_region or None)
    try:
        result = _run(params, spec, clients, emit=emit, cancel=cancel)
    except BaseException:
        if owns_clients:
            close_clients(clients)
        raise
    return Execution(result, clients, owns_clients)


def _run(
    params: RunParams,
    spec: ImageModelSpec,
    clients: Clients,
    *,
    emit: Callable[[Event], None] | None,
    cancel: CancelToken | None,
) -> RunResult:
    """The loop on ``clients``, with its recorder and uploader closed whatever happens."""
    recorder = HistoryRecorder(default_db_path(), params)
    uploader = S3Uploader(clients.s3, params.output_s3_bucket_name) if params.s3_enabled else None
    loop = ImageLoop(
        params,
        spec,
        generator=BedrockImageGenerator(clients.bedrock_runtime, spec, region=clients.region),
        chat=ConverseChat(clients.bedrock_runtime, params.judge_model_id, region=clients.region),
        store=LocalImageStore(paths.images_dir(params.output_dir)),
        uploader=uploader,
        emit=emit,
        recorder=recorder,
        cancel=cancel,
        deadlines=deadlines(spec),
    )
    try:
        return loop.run()
    finally:
        if uploader is not None:
            uploader.close(wait=not (cancel is not None and cancel.cancelled))
        recorder.close()


def deadlines(spec: ImageModelSpec) -> CallDeadlines:
    """The loop's hard bound on each call, from the SDK's read timeout for the model family
    and role: a read timeout bounds one socket read, so a service trickling bytes never
    trips it; the loop's deadline does. Room for the connect timeout, the one Converse
    resend the provider allows, and throttling backoff."""
    chat = catalog.CHAT_READ_TIMEOUT_SECONDS * (1 + CHAT_TIMEOUT_RESENDS) + DEADLINE_SLACK_SECONDS
    return CallDeadlines(
        generation=catalog.image_read_timeout(spec.model_id) + DEADLINE_SLACK_SECONDS,
        judge=chat,
        revise=chat,
    )

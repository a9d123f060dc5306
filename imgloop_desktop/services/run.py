"""Wires a run together from parameters: the one place that turns settings into real clients.

The desktop window, the headless command and the Lambda handler all start runs here, so
they validate, resolve models and store images the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

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

# Beyond the SDK's own timeouts: connecting, and adaptive-retry backoff when throttled.
DEADLINE_SLACK_SECONDS = CONNECT_TIMEOUT_SECONDS + 50.0


def check(params: RunParams) -> ImageModelSpec:
    """The image model's spec, or ValidationError with every problem in ``params``."""
    spec = image_spec(params.image_model_id)
    problems = validate(params, spec)
    if problems:
        raise ValidationError(problems)
    return spec


def execute(
    params: RunParams,
    *,
    credentials: CredentialsSource,
    emit: Callable[[Event], None] | None = None,
    cancel: CancelToken | None = None,
    clients: Clients | None = None,
) -> tuple[RunResult, Clients]:
    """Validate, then run the loop to its end on the calling thread, recording it in history.

    Raises ValidationError (bad parameters) or ServiceError (unusable profile, no
    credentials) before any Bedrock call, and OSError or HistoryError when the data folder
    cannot be used; once the loop starts, everything ends in a RunResult. The recorder sees
    each event before ``emit`` does, so a row exists for anything a front end shows.
    """
    spec = check(params)
    if params.output_dir:  # recorded paths must mean the same folder from anywhere later
        params = params.with_changes(output_dir=str(Path(params.output_dir).expanduser().resolve()))
    clients = clients or make_clients(credentials, params.aws_region or None)
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
        return loop.run(), clients
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

"""Deploy the same core as the seed's Lambda.

Handler: ``imgloop_desktop.cli.lambda_handler.lambda_handler``.

Images are kept in /tmp (the only writable place in Lambda) and uploaded to S3 as the
seed did; the response is the seed's, plus our additions.
"""

from __future__ import annotations

import logging
from typing import Any

from imgloop_desktop.cli import progress, result
from imgloop_desktop.core.errors import ImgloopError, ValidationError
from imgloop_desktop.core.events import Event
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.services import run as run_service
from imgloop_desktop.services.credentials import DefaultChain

log = logging.getLogger("imgloop")


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    try:
        params = RunParams.from_event(event)
        run_service.check(params)
    except ValidationError as exc:
        return result.from_invalid(exc)

    def show(ev: Event) -> None:
        log.info("%s", progress.describe(ev))

    try:
        execution = run_service.execute(
            params, credentials=DefaultChain(region=params.aws_region or None), emit=show
        )
    except (ImgloopError, OSError) as exc:  # the seed answered 500 for these, not a crash
        log.error("the run could not start: %s", exc)
        return result.from_failure(str(exc))
    with execution:  # a warm container keeps no pools from past events
        return result.from_result(execution.result, params, execution.region)

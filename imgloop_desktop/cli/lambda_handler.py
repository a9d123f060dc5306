"""Deploy the same core as the seed's Lambda.

Handler: ``imgloop_desktop.cli.lambda_handler.lambda_handler``. It needs only the core
dependencies (no Qt, no keyring): packaging/aws/build_lambda.py builds the artifact and
packaging/aws/template.yaml deploys it behind a Step Functions Distributed Map
(docs/scale-out.md).

Images are kept in /tmp (the only writable place in Lambda) and uploaded to S3 as the
seed did; the response is the seed's, plus our additions. In Lambda each invocation's
images go to a folder of their own that is removed once the run has ended (its uploads
included): a warm container runs many events one after another, and /tmp (512 MB by
default) would otherwise fill up with images that are already in S3.

Set ``IMGLOOP_RAISE_WHEN_THROTTLED=1`` (the batch template does) and a run that Bedrock
throttled out, after the SDK's own retries, raises ``BedrockThrottledError`` instead of
answering 500: Lambda reports the class name as the error type, and the state machine
retries that item later with backoff rather than recording it as failed.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from imgloop_desktop import paths
from imgloop_desktop.cli import progress, result
from imgloop_desktop.core.errors import ImgloopError, ValidationError
from imgloop_desktop.core.events import Event, Outcome
from imgloop_desktop.core.loop import RunResult
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.services import run as run_service
from imgloop_desktop.services import run_check
from imgloop_desktop.services.credentials import DefaultChain

log = logging.getLogger("imgloop")

RAISE_WHEN_THROTTLED = "IMGLOOP_RAISE_WHEN_THROTTLED"
# How providers.aws_errors words a run ended by throttling or 5xx answers that outlasted the
# SDK's retries (tests/providers/test_aws_errors.py holds it to this wording, and
# tests/packaging/test_lambda_artifact.py checks the two agree).
THROTTLED_PREFIX = "Bedrock kept throttling"


class BedrockThrottledError(Exception):
    """Bedrock throttled (or kept failing) the run out; worth trying again later.

    The name is the contract with packaging/aws/statemachine.asl.json's Retry rule.
    """


def throttled_out(run: RunResult) -> bool:
    """Whether the run ended because Bedrock was too busy, not for a reason that a retry
    would meet again (a refused prompt, a bad model id, no access)."""
    return run.outcome is Outcome.ERROR and run.message.startswith(THROTTLED_PREFIX)


def _scratch_images(params: RunParams) -> Path | None:
    """A folder of this invocation's own under /tmp in Lambda, unless the event names one."""
    if params.output_dir or not os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return None
    base = paths.data_dir() / "invocations"
    base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="run-", dir=base))


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    try:
        params = RunParams.from_event(event)
        run_check.check(params)
    except ValidationError as exc:
        return result.from_invalid(exc)

    def show(ev: Event) -> None:
        log.info("%s", progress.describe(ev))

    scratch = _scratch_images(params)
    if scratch is not None:
        params = params.with_changes(output_dir=str(scratch))
    try:
        try:
            execution = run_service.execute(
                params, credentials=DefaultChain(region=params.aws_region or None), emit=show
            )
        except (ImgloopError, OSError) as exc:  # the seed answered 500 for these, not a crash
            log.error("the run could not start: %s", exc)
            return result.from_failure(str(exc))
        with execution:  # a warm container keeps no pools from past events
            if throttled_out(execution.result) and os.environ.get(RAISE_WHEN_THROTTLED) == "1":
                raise BedrockThrottledError(execution.result.message)
            return result.from_result(execution.result, params, execution.region)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)

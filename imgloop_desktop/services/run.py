"""Wires a run together from parameters: the one place that turns settings into real clients.

The desktop window, the headless command and the Lambda handler all start runs here, so
they validate, resolve models and store images the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import TracebackType

from imgloop_desktop import paths
from imgloop_desktop.core.budget import Meter, Shared
from imgloop_desktop.core.cancel import CancelToken
from imgloop_desktop.core.cost import PriceTable
from imgloop_desktop.core.events import ChecklistOrigin, ChecklistSet, Event
from imgloop_desktop.core.loop import CallDeadlines, ImageLoop, RunResult
from imgloop_desktop.core.models import ImageModelSpec
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.price_overrides import Overrides
from imgloop_desktop.providers import catalog
from imgloop_desktop.providers.bedrock import BedrockImageGenerator, ConverseChat
from imgloop_desktop.providers.prices import price_table
from imgloop_desktop.providers.session import (
    CHAT_TIMEOUT_RESENDS,
    CONNECT_TIMEOUT_SECONDS,
    Clients,
    CredentialsSource,
    close_clients,
    make_clients,
)
from imgloop_desktop.services import checklist_cache
from imgloop_desktop.services.run_check import check, regions
from imgloop_desktop.storage.history import HistoryRecorder, default_db_path
from imgloop_desktop.storage.local import LocalImageStore
from imgloop_desktop.storage.s3 import S3Uploader

log = logging.getLogger(__name__)

# Beyond the SDK's own timeouts: connecting, and adaptive-retry backoff when throttled.
DEADLINE_SLACK_SECONDS = CONNECT_TIMEOUT_SECONDS + 50.0


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


def execute(
    params: RunParams,
    *,
    credentials: CredentialsSource,
    emit: Callable[[Event], None] | None = None,
    cancel: CancelToken | None = None,
    clients: Clients | None = None,
    loop_ready: Callable[[ImageLoop], None] | None = None,
    price_overrides: Overrides | None = None,
    monthly_left: Decimal | Shared | None = None,
) -> Execution:
    """Validate, then run the loop to its end on the calling thread, recording it in history.

    Raises ValidationError (bad parameters) or ServiceError (unusable profile, no
    credentials) before any Bedrock call, and OSError or HistoryError when the data folder
    cannot be used; once the loop starts, everything ends in a RunResult. The recorder sees
    each event before ``emit`` does, so a row exists for anything a front end shows.

    The returned ``Execution`` owns the clients made here (use it as a context manager);
    when this raises, they are already closed. ``clients``, if given, stay the caller's.
    ``loop_ready`` gets the loop before it starts, for a front end that edits the running
    loop's checklist (``ImageLoop.set_checklist``, thread-safe). Every call is priced with
    the shipped table and the person's ``price_overrides``; ``params.max_cost_usd`` and
    ``monthly_left`` (what the monthly budget still allows: a figure for this run alone,
    or the allowance every run of the process shares, ``batch_engine.monthly_allowance``)
    are the caps.
    """
    spec = check(params)
    if params.output_dir:  # recorded paths must mean the same folder from anywhere later
        params = params.with_changes(output_dir=str(Path(params.output_dir).expanduser().resolve()))
    owns_clients = clients is None
    if clients is None:
        clients = make_clients(credentials, params.aws_region or None)
    try:
        meter = Meter(
            run_cap=Decimal(str(params.max_cost_usd)) if params.max_cost_usd else None,
            monthly_left=monthly_left,
        )
        result = _run(
            params,
            spec,
            clients,
            emit=emit,
            cancel=cancel,
            loop_ready=loop_ready,
            prices=price_table(price_overrides),
            meter=meter,
        )
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
    loop_ready: Callable[[ImageLoop], None] | None = None,
    prices: PriceTable | None = None,
    meter: Meter | None = None,
) -> RunResult:
    """The loop on ``clients``, with its recorder and uploader closed whatever happens.

    A checklist run without its own checklist starts from the one written for the same
    prompt and judge model before (no call), and one the loop writes is kept for next time.
    """
    image_region, judge_region = regions(params, clients.region)
    image_client, image_region = clients.runtime(image_region)
    judge_client, judge_region = clients.runtime(judge_region)
    if image_region != clients.region or judge_region != clients.region:
        log.info(
            "calling %s in %s and %s in %s (the run's region is %s)",
            params.image_model_id,
            image_region,
            params.judge_model_id,
            judge_region,
            clients.region,
        )
    origin = ChecklistOrigin.GIVEN
    simulated = clients.endpoint_url is not None  # only the offline demo names an endpoint
    cache_key = checklist_cache.key_for(params.prompt, params.judge_model_id, simulated=simulated)
    if params.uses_checklist and params.checklist is None:
        cached = checklist_cache.cached(cache_key)
        if cached is not None:
            params, origin = params.with_changes(checklist=cached), ChecklistOrigin.CACHED
    recorder = HistoryRecorder(default_db_path(), params)
    uploader = S3Uploader(clients.s3, params.output_s3_bucket_name) if params.s3_enabled else None
    loop = ImageLoop(
        params,
        spec,
        generator=BedrockImageGenerator(image_client, spec, region=image_region),
        chat=ConverseChat(judge_client, params.judge_model_id, region=judge_region),
        store=LocalImageStore(paths.images_dir(params.output_dir)),
        uploader=uploader,
        emit=emit,
        recorder=_keeping_written_checklists(recorder, cache_key),
        cancel=cancel,
        deadlines=deadlines(spec),
        checklist_origin=origin,
        prices=prices,
        meter=meter,
    )
    if loop_ready is not None:
        loop_ready(loop)
    try:
        return loop.run()
    finally:
        if uploader is not None:
            uploader.close(wait=not (cancel is not None and cancel.cancelled))
        recorder.close()


def _keeping_written_checklists(recorder: HistoryRecorder, key: str) -> Callable[[Event], None]:
    """The recorder, keeping a checklist the judge model wrote for the next run of the
    same prompt (a person's edits are theirs to pass again, not the model's answer)."""

    def record(event: Event) -> None:
        recorder(event)
        if (
            isinstance(event, ChecklistSet)
            and event.origin is ChecklistOrigin.WRITTEN
            and event.checklist is not None
        ):
            checklist_cache.keep(key, event.checklist)

    return record


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

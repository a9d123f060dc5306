"""Many events run as one batch: several loops at once on one client set, under one limit.

People with real work have lists (a catalogue, a book's illustrations), so a batch reads a
JSONL or CSV file of events, refuses it whole when any line is invalid (every problem named
``line N: field``, before any call), then runs the items in order of submission, at most
``concurrency`` at once, reporting each item as it finishes.

Sharing: every item runs through ``services.run.execute`` on one ``Clients``: boto3 clients
are thread-safe and their adaptive retry then paces all items' retries together. The
regional Bedrock clients are made here, on the calling thread, before any item starts
(``Clients.runtime`` makes them lazily and is not meant to race).

The limiter (``core.rate.AdaptiveLimiter``) gates the image calls (Bedrock InvokeModel) of
every item: a botocore ``before-send`` hook acquires a slot and a token before each
attempt is sent, and the ``needs-retry`` hook that botocore emits after every attempt
releases it, reporting whether the answer was throttling. So the account's image quota is
shared first come, first served between items, and a throttle seen by one item lowers the
rate for all. Converse calls (judging, revising) are not gated: their quota is separate and
an image call's wait must never hold up the judge that would free an item.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from imgloop_desktop.core.cancel import CancelToken
from imgloop_desktop.core.errors import ImgloopError, Problem, ValidationError
from imgloop_desktop.core.events import Event, Outcome
from imgloop_desktop.core.loop import RunResult
from imgloop_desktop.core.param_values import short
from imgloop_desktop.core.params import PARAMS, RunParams
from imgloop_desktop.core.price_overrides import Overrides
from imgloop_desktop.core.rate import AdaptiveLimiter
from imgloop_desktop.providers.session import Clients, CredentialsSource, make_clients
from imgloop_desktop.services import run as run_service

log = logging.getLogger(__name__)

# A batch file is read whole before anything runs; this bounds what that may cost.
MAX_BATCH_BYTES = 64 * 1024 * 1024
MAX_BATCH_ITEMS = 10_000
# Bedrock's default on-demand quotas for image models are a few calls per minute per
# model on new accounts and far more on established ones; these defaults let four items run
# freely and are lowered by throttling answers (and raised again) as the account allows.
DEFAULT_IMAGE_CALLS_PER_MINUTE = 600.0
DEFAULT_MIN_CALLS_PER_MINUTE = 6.0
THROTTLE_CODES = frozenset({"ThrottlingException", "TooManyRequestsException"})
_IMAGE_OP = "bedrock-runtime.InvokeModel"
# How often (seconds) the calling thread looks at the batch's cancel token while it waits.
_POLL_SECONDS = 0.1
_TYPES = {f.name: f.type for f in PARAMS}


@dataclass(frozen=True)
class CallLimits:
    """The account's image-call limit for a batch: concurrent calls and calls per minute
    (the ceiling the adaptive rate returns to)."""

    concurrent_calls: int
    calls_per_minute: float = DEFAULT_IMAGE_CALLS_PER_MINUTE
    min_calls_per_minute: float = DEFAULT_MIN_CALLS_PER_MINUTE
    # Calls paced one token at a time by default: items that start together would
    # otherwise send their first image calls in the same instant, which is what a
    # service's burst allowance refuses first.
    burst: float = 1.0


@dataclass(frozen=True)
class BatchItem:
    """One event of a batch and the line it came from (1-based; 0 when built in code)."""

    params: RunParams
    line: int = 0


@dataclass(frozen=True)
class ItemResult:
    """How one item ended: a RunResult, or ``error`` when it could not start (or was never
    started because the batch was cancelled: ``started`` False)."""

    index: int
    item: BatchItem
    result: RunResult | None
    region: str
    seconds: float
    error: str = ""
    started: bool = True

    @property
    def outcome(self) -> Outcome:
        if self.result is not None:
            return self.result.outcome
        return Outcome.ERROR if self.started else Outcome.CANCELLED


@dataclass
class BatchSummary:
    """Counts for the whole batch, and its wall time."""

    items: int = 0
    done: int = 0
    approved: int = 0
    not_approved: int = 0
    budget: int = 0
    failed: int = 0
    cancelled: int = 0
    not_started: int = 0
    seconds: float = 0.0
    throttles: int = 0
    rate_per_minute: float = 0.0  # the limiter's image-call rate when the batch ended
    lowest_rate_per_minute: float = 0.0  # and the lowest throttling brought it to
    outcomes: list[Outcome] = field(default_factory=list)

    def add(self, item: ItemResult) -> None:
        self.done += 1
        self.outcomes.append(item.outcome)
        if not item.started:
            self.not_started += 1
        elif item.outcome is Outcome.APPROVED:
            self.approved += 1
        elif item.outcome is Outcome.NOT_APPROVED:
            self.not_approved += 1
        elif item.outcome is Outcome.BUDGET:
            self.budget += 1
        elif item.outcome is Outcome.CANCELLED:
            self.cancelled += 1
        else:
            self.failed += 1

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": True,
            "items": self.items,
            "done": self.done,
            "approved": self.approved,
            "not_approved": self.not_approved,
            "budget": self.budget,
            "failed": self.failed,
            "cancelled": self.cancelled,
            "not_started": self.not_started,
            "throttles": self.throttles,
            "image_calls_per_minute": round(self.rate_per_minute, 1),
            "wall_seconds": round(self.seconds, 3),
        }


# -- reading a batch file ------------------------------------------------------------------


def read_batch(
    path: Path, *, overrides: dict[str, Any] | None = None, check: bool = True
) -> list[BatchItem]:
    """The file's events (``.csv`` by header row, anything else JSONL), each with
    ``overrides`` applied and, when ``check``, validated as a run would be.

    Raises ValidationError naming every problem of every line as ``line N: field`` (or the
    file itself), so a person fixes the whole file in one go and nothing runs meanwhile.
    """
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BATCH_BYTES + 1)
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise ValidationError(
            [Problem("batch file", short(str(path)), f"a readable file ({reason})")]
        ) from exc
    if len(data) > MAX_BATCH_BYTES:
        raise ValidationError(
            [Problem("batch file", short(str(path)), f"at most {MAX_BATCH_BYTES:,} bytes")]
        )
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise ValidationError([Problem("batch file", short(str(path)), "UTF-8 text")]) from exc
    rows = _csv_rows(text) if path.suffix.lower() == ".csv" else _jsonl_rows(text)
    return parse_rows(rows, overrides=overrides or {}, check=check)


def _jsonl_rows(text: str) -> list[tuple[int, str | dict[str, Any]]]:
    return [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]


def _csv_rows(text: str) -> list[tuple[int, str | dict[str, Any]]]:
    """Each data row as an event: the header names the fields, an empty cell leaves the
    field unset, and a cell of a non-text field is read as JSON (``3``, ``true``, a list)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, str | dict[str, Any]]] = []
    header: list[str] | None = None
    line = 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [c.strip() for c in cells]
            continue
        event: dict[str, Any] = {}
        for name, cell in zip(header, cells, strict=False):
            if cell == "":
                continue
            event[name] = cell if _TYPES.get(name) is str else _cell_value(cell)
        for extra in cells[len(header) :]:
            if extra.strip():
                event.setdefault("", extra)  # a cell without a column: named as a problem
        rows.append((start, event))
    return rows


def _cell_value(cell: str) -> object:
    try:
        return json.loads(cell)
    except ValueError:
        return cell  # validation names the field with the value as written


def parse_rows(
    rows: Sequence[tuple[int, str | dict[str, Any]]],
    *,
    overrides: dict[str, Any],
    check: bool = True,
) -> list[BatchItem]:
    """Rows (line number, JSON text or an event dict) as checked items; ValidationError
    with every line's problems, each field prefixed ``line N: ``."""
    problems: list[Problem] = []
    items: list[BatchItem] = []
    if len(rows) > MAX_BATCH_ITEMS:
        raise ValidationError(
            [Problem("batch file", f"{len(rows)} events", f"at most {MAX_BATCH_ITEMS:,}")]
        )
    for line, row in rows:
        try:
            if isinstance(row, str):
                params = RunParams.loads(row, f"line {line}")
            else:
                params = RunParams.from_event(row)
            params = params.with_changes(**overrides)
            if check:
                run_service.check(params)
        except ValidationError as exc:
            problems += [
                Problem(f"line {line}: {p.field}", p.value, p.allowed) for p in exc.problems
            ]
            continue
        items.append(BatchItem(params, line))
    if not rows:
        problems.append(Problem("batch file", "empty", "at least one event"))
    if problems:
        raise ValidationError(problems)
    return items


# -- running a batch -----------------------------------------------------------------------


class _ImageCallGate:
    """The limiter on the shared clients' image calls, through botocore's event hooks.

    One attempt is one slot: ``before-send`` acquires (on the calling thread, so the wait
    is the item's own), ``needs-retry`` releases and reports throttling. A thread-local flag
    pairs them, so an attempt let through unheld (the batch was cancelled) releases nothing.
    """

    def __init__(self, limiter: AdaptiveLimiter, cancel: CancelToken) -> None:
        self.limiter = limiter
        self.cancel = cancel
        self._held = threading.local()
        self._clients: list[Any] = []

    def install(self, clients: Clients) -> None:
        for client in clients.all():
            if client is clients.s3:
                continue
            events = client.meta.events
            # botocore keys unique ids per emitter, not per event: one id each.
            events.register(
                f"before-send.{_IMAGE_OP}", self._before_send, unique_id=f"{self._id}-send"
            )
            events.register(f"needs-retry.{_IMAGE_OP}", self._after, unique_id=f"{self._id}-retry")
            self._clients.append(client)

    @property
    def _id(self) -> str:
        return f"imgloop-batch-gate-{id(self)}"

    def uninstall(self) -> None:
        for client in self._clients:
            events = client.meta.events
            events.unregister(f"before-send.{_IMAGE_OP}", unique_id=f"{self._id}-send")
            events.unregister(f"needs-retry.{_IMAGE_OP}", unique_id=f"{self._id}-retry")
        self._clients.clear()

    def _before_send(self, **_: Any) -> None:
        # Must return None: botocore treats a before-send answer as the HTTP response.
        self._held.value = self.limiter.acquire(self.cancel)

    def _after(self, response: Any = None, caught_exception: Any = None, **_: Any) -> None:
        throttled = _is_throttle(response)
        if getattr(self._held, "value", False):
            self._held.value = False
            self.limiter.release(throttled=throttled)
        elif throttled:
            self.limiter.report(throttled=True)


def _is_throttle(response: Any) -> bool:
    """Whether botocore's parsed answer for an attempt is the service's throttling."""
    if not isinstance(response, tuple) or len(response) != 2:
        return False
    parsed = response[1]
    if not isinstance(parsed, dict):
        return False
    error = parsed.get("Error")
    return isinstance(error, dict) and error.get("Code") in THROTTLE_CODES


def shared_clients(
    items: Sequence[BatchItem], credentials: CredentialsSource, region: str | None
) -> Clients:
    """One client set for every item, with the regional Bedrock clients each item will call
    made now, on this thread. Raises ServiceError (no credentials, unusable profile)."""
    region = region or next((i.params.aws_region for i in items if i.params.aws_region), None)
    clients = make_clients(credentials, region or None)
    try:
        for item in items:
            try:
                for call_region in run_service.regions(item.params, clients.region):
                    clients.runtime(call_region)
            except ImgloopError:
                continue  # that item will fail to start and say why itself
    except BaseException:
        run_service.close_clients(clients)
        raise
    return clients


def run_batch(
    events: Sequence[RunParams | BatchItem],
    *,
    concurrency: int,
    credentials: CredentialsSource,
    emit_item: Callable[[ItemResult], None] | None = None,
    emit_event: Callable[[int, Event], None] | None = None,
    cancel: CancelToken | None = None,
    limits: CallLimits | None = None,
    region: str | None = None,
    price_overrides: Overrides | None = None,
    monthly_left: Callable[[], Decimal | None] | None = None,
) -> BatchSummary:
    """Run every event, at most ``concurrency`` at once, in order of submission.

    ``emit_item`` gets each item's ItemResult as it finishes, on the calling thread (so a
    front end prints without a lock); ``emit_event`` gets each run's events with the item's
    index, on the item's own thread. An item that cannot start (ValidationError, a data
    folder problem) is that item's error; the batch goes on. When ``cancel`` is set, no new
    item starts (each is reported not started) and running items are cancelled, or forced
    when the token is forced. ``monthly_left``, if given, is asked as each item starts.

    Raises ServiceError before any item starts when no client can be made (credentials).
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    items = [e if isinstance(e, BatchItem) else BatchItem(e) for e in events]
    cancel = cancel or CancelToken()
    limits = limits or CallLimits(concurrent_calls=concurrency)
    limiter = AdaptiveLimiter(
        max_concurrent=limits.concurrent_calls,
        calls_per_minute=limits.calls_per_minute,
        min_per_minute=min(limits.min_calls_per_minute, limits.calls_per_minute),
        burst=limits.burst,
    )
    summary = BatchSummary(items=len(items))
    start = time.perf_counter()
    clients = shared_clients(items, credentials, region)
    gate = _ImageCallGate(limiter, cancel)
    gate.install(clients)
    finished: queue.Queue[ItemResult] = queue.Queue()
    pending: queue.Queue[int] = queue.Queue()
    for index in range(len(items)):
        pending.put(index)
    tokens: dict[int, CancelToken] = {}
    lock = threading.Lock()

    def run_one(index: int) -> ItemResult:
        item = items[index]
        token = CancelToken()
        with lock:
            if cancel.cancelled:
                return ItemResult(index, item, None, clients.region, 0.0, "", started=False)
            tokens[index] = token
        began = time.perf_counter()

        def emit(event: Event) -> None:
            if emit_event is not None:
                emit_event(index, event)

        try:
            execution = run_service.execute(
                item.params,
                credentials=credentials,
                emit=emit,
                cancel=token,
                clients=clients,
                price_overrides=price_overrides,
                monthly_left=monthly_left() if monthly_left is not None else None,
            )
        except (ImgloopError, OSError) as exc:
            message = str(exc) if isinstance(exc, ImgloopError) else f"{exc.strerror}: {exc}"
            return ItemResult(
                index, item, None, clients.region, time.perf_counter() - began, message
            )
        finally:
            with lock:
                tokens.pop(index, None)
        with execution:
            return ItemResult(
                index, item, execution.result, execution.region, time.perf_counter() - began
            )

    def worker() -> None:
        while True:
            try:
                index = pending.get_nowait()
            except queue.Empty:
                return
            try:
                outcome = run_one(index)
            except Exception as exc:  # a bug in one item must not lose the others' results
                log.exception("batch item %d failed unexpectedly", index)
                outcome = ItemResult(index, items[index], None, clients.region, 0.0, repr(exc))
            finished.put(outcome)

    threads = [
        threading.Thread(target=worker, name=f"imgloop-batch-{n}", daemon=True)
        for n in range(min(concurrency, len(items)))
    ]
    try:
        for thread in threads:
            thread.start()
        propagated = forced = False
        while summary.done < len(items):
            try:
                outcome = finished.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                outcome = None
            if (cancel.cancelled and not propagated) or (cancel.forced and not forced):
                propagated, forced = True, cancel.forced
                with lock:
                    for token in tokens.values():
                        token.force() if forced else token.cancel()
                limiter.wake()
            if outcome is not None:
                summary.add(outcome)
                if emit_item is not None:
                    emit_item(outcome)
    finally:
        if summary.done < len(items):  # the caller's emit raised: stop the rest
            cancel.cancel()
            with lock:
                for token in tokens.values():
                    token.cancel()
            limiter.wake()
        for thread in threads:
            thread.join()
        gate.uninstall()
        run_service.close_clients(clients)
    summary.seconds = time.perf_counter() - start
    state = limiter.snapshot()
    summary.throttles, summary.rate_per_minute = state.throttles, state.rate_per_minute
    summary.lowest_rate_per_minute = state.lowest_per_minute
    return summary

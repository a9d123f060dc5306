"""Several runs at once on one client set, under one limit: the engine behind both the
headless ``imgloop-cli batch`` (a file's events) and the window's queue (the history's).

One engine for both, so the two cannot drift apart in how they share the account's quota,
cancel, or report. What differs is where items come from and where results go: an
``ItemSource`` hands out the next item to start (or none for now) and is told how each
ended. A list source is exhausted when empty; the window's queue never is (people add to
it, resume it, retry items), so idle workers wait for ``wake()``.

Sharing: every item runs through ``services.run.execute`` on one ``Clients``: boto3
clients are thread-safe and their adaptive retry then paces all items' retries together.
The regional Bedrock clients an item needs are made under the engine's lock just before
it starts (``Clients.runtime`` makes them lazily and is not meant to race).

The limiter (``core.rate.AdaptiveLimiter``) gates the image calls (Bedrock InvokeModel) of
every item: a botocore ``before-send`` hook acquires a slot and a token before each
attempt is sent, and the ``needs-retry`` hook that botocore emits after every attempt
releases it, reporting whether the answer was throttling. So the account's image quota is
shared first come, first served between items, and a throttle seen by one item lowers the
rate for all. Converse calls (judging, revising) are not gated: their quota is separate and
an image call's wait must never hold up the judge that would free an item.

Budgets: items running at once spend from shared allowances (``core.budget``), never each
from its own figure: the process's monthly allowance (``monthly_allowance``, the same one
the window's runs spend from) and one allowance for the source's own budget (the queue's).
Each is read again from the history as an item starts and every call of every item
reserves its worst case against it, so together they cannot pass either cap.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from imgloop_desktop import paths
from imgloop_desktop.core.budget import PROCESS_BUDGETS, QUEUE, Allowance, SharedCap
from imgloop_desktop.core.cancel import Cancelled, CancelToken
from imgloop_desktop.core.errors import ImgloopError
from imgloop_desktop.core.events import Event, Outcome, RunStarted
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.price_overrides import Overrides
from imgloop_desktop.core.rate import AdaptiveLimiter, RateSnapshot
from imgloop_desktop.providers.session import (
    Clients,
    CredentialsSource,
    close_clients,
    make_clients,
)
from imgloop_desktop.services import run_check

if TYPE_CHECKING:
    # The loop, the clients and the recorder come with the first engine, not with this
    # module: the window imports it for the queue's limits while it opens (issue 15).
    from imgloop_desktop.core.loop import RunResult
    from imgloop_desktop.services import run as run_service

log = logging.getLogger(__name__)

# Bedrock's default on-demand quotas for image models are a few calls per minute per
# model on new accounts and far more on established ones; these defaults let four items run
# freely and are lowered by throttling answers (and raised again) as the account allows.
DEFAULT_IMAGE_CALLS_PER_MINUTE = 600.0
DEFAULT_MIN_CALLS_PER_MINUTE = 6.0
THROTTLE_CODES = frozenset({"ThrottlingException", "TooManyRequestsException"})
_IMAGE_OP = "bedrock-runtime.InvokeModel"
# A history that cannot be read or written for a moment (another process's write, a full
# disk being cleared) is tried again after this many seconds, this many times for an end.
CLAIM_RETRY_SECONDS = 1.0
FINISH_ATTEMPTS = 3


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
class Claim:
    """An item a source handed out: ``key`` names it to the source (a list index, a queue
    item id) and to ``BatchEngine.cancel_item``."""

    key: Hashable
    item: BatchItem


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


class ItemSource(Protocol):
    """Where a batch's items come from, and where each one's end is reported."""

    def claim(self) -> Claim | None:
        """The next item to start, marked as started; None when none may start now."""

    def exhausted(self) -> bool:
        """True when no item will ever come again (idle workers then end)."""

    def started(self, claim: Claim, run_id: str) -> None:
        """The item's run exists (its first event); called on the item's thread."""

    def finished(self, claim: Claim, result: ItemResult) -> None:
        """The item ended; called on the item's thread, never twice for one claim."""

    def budget_left(self) -> Decimal | None:
        """What the source's own budget still allows by its record (the spend written so
        far); None: no cap. Read as each item starts; the engine shares it between items."""


# The cancel token of the item whose call this is. A context variable, not a thread-local:
# the loop makes each Bedrock call on a thread of its own, started in its caller's context
# (``core.loop._spawn``), so the item's token reaches the gate on the call's thread and a
# cancelled item's waiting call is dropped, never sent after the item shows "cancelled".
_ITEM_TOKEN: contextvars.ContextVar[CancelToken | None] = contextvars.ContextVar(
    "imgloop_batch_item_token", default=None
)


class _ImageCallGate:
    """The limiter on the shared clients' image calls, through botocore's event hooks.

    One attempt is one slot: ``before-send`` acquires (on the call's thread, so the wait
    is the item's own, and the item's cancel ends it), ``needs-retry`` releases and reports
    throttling. A thread-local flag pairs them, so an attempt let through unheld (the item
    was cancelled) releases nothing. ``after-call-error`` releases too: another
    ``needs-retry`` handler (``providers.session``'s veto on resending a generation after a
    timeout or reset) raises before this one runs, and botocore then calls no other handler,
    so without it such a call would keep its slot for good and the queue would stall.
    """

    def __init__(self, limiter: AdaptiveLimiter, cancel: CancelToken) -> None:
        self.limiter = limiter
        self.cancel = cancel
        self._local = threading.local()
        self._clients: dict[int, Any] = {}

    @property
    def _id(self) -> str:
        return f"imgloop-batch-gate-{id(self)}"

    def install(self, clients: Clients) -> None:
        """Hook every Bedrock runtime client made so far; safe to call again as more are."""
        for client in clients.all():
            if client is clients.s3 or id(client) in self._clients:
                continue
            events = client.meta.events
            # botocore keys unique ids per emitter, not per event: one id each.
            events.register(
                f"before-send.{_IMAGE_OP}", self._before_send, unique_id=f"{self._id}-send"
            )
            events.register(f"needs-retry.{_IMAGE_OP}", self._after, unique_id=f"{self._id}-retry")
            events.register(
                f"after-call-error.{_IMAGE_OP}", self._failed, unique_id=f"{self._id}-error"
            )
            self._clients[id(client)] = client

    def uninstall(self) -> None:
        for client in self._clients.values():
            events = client.meta.events
            events.unregister(f"before-send.{_IMAGE_OP}", unique_id=f"{self._id}-send")
            events.unregister(f"needs-retry.{_IMAGE_OP}", unique_id=f"{self._id}-retry")
            events.unregister(f"after-call-error.{_IMAGE_OP}", unique_id=f"{self._id}-error")
        self._clients.clear()

    def _before_send(self, **_: Any) -> None:
        # Must return None: botocore treats a before-send answer as the HTTP response.
        token = _ITEM_TOKEN.get() or self.cancel
        self._local.held = self.limiter.acquire(token)
        if not self._local.held and token.cancelled:
            # Never sent: the item (or the batch) was cancelled while this call waited, and
            # the loop has abandoned it. botocore hands the error back as the call's own.
            raise Cancelled("the image call was not sent: its batch item was cancelled")

    def _failed(self, **_: Any) -> None:
        if getattr(self._local, "held", False):
            self._local.held = False
            self.limiter.release(throttled=False)

    def _after(self, response: Any = None, caught_exception: Any = None, **_: Any) -> None:
        throttled = _is_throttle(response)
        if getattr(self._local, "held", False):
            self._local.held = False
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


def monthly_allowance(monthly_left: Callable[[], Decimal | None]) -> Allowance | None:
    """This process's allowance for the month, brought up to date with ``monthly_left()``
    (what the history says the monthly budget allows; None: no cap): the one every run
    recorded in the data folder's history spends from, the window's and every queue or
    batch item's, so runs going at once cannot each spend the whole month."""
    return PROCESS_BUDGETS.monthly(str(paths.data_dir()), monthly_left)


class BatchEngine:
    """Runs a source's items, at most ``concurrency`` at once, until ``close()`` (or, for
    a source that becomes exhausted, until every worker is idle: ``wait_idle``).

    ``emit_event`` gets each run's events with the item's key, on the item's own thread.
    An item that cannot start (invalid, a data folder problem) ends with its error and the
    engine goes on. ``monthly_left``, if given, is asked as each item starts (what the
    history says the monthly budget allows); items spend from the process's monthly
    allowance and from one allowance for the source's own budget, so a call that would
    pass either, counting every running item, is not started (the item ends ``budget``).

    Raises ServiceError from the constructor when no client can be made (credentials).
    """

    def __init__(
        self,
        source: ItemSource,
        *,
        concurrency: int,
        credentials: CredentialsSource,
        limits: CallLimits | None = None,
        region: str | None = None,
        emit_event: Callable[[Hashable, Event], None] | None = None,
        price_overrides: Overrides | None = None,
        monthly_left: Callable[[], Decimal | None] | None = None,
        execute: Callable[..., run_service.Execution] | None = None,
    ) -> None:
        """``execute``: how an item's run is carried out (``services.run.execute`` when None)."""
        if execute is None:  # the loop and the clients: loaded with the first engine
            from imgloop_desktop.services.run import execute as run_execute

            execute = run_execute
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.source = source
        self.concurrency = concurrency
        self.credentials = credentials
        self.emit_event = emit_event
        self.price_overrides = price_overrides
        self.monthly_left = monthly_left
        self._execute = execute
        limits = limits or CallLimits(concurrent_calls=concurrency)
        self.limiter = AdaptiveLimiter(
            max_concurrent=limits.concurrent_calls,
            calls_per_minute=limits.calls_per_minute,
            min_per_minute=min(limits.min_calls_per_minute, limits.calls_per_minute),
            burst=limits.burst,
        )
        self.cancel = CancelToken()
        self.clients = make_clients(credentials, region or None)
        self._gate = _ImageCallGate(self.limiter, self.cancel)
        self._gate.install(self.clients)
        self._cond = threading.Condition()
        self._tokens: dict[Hashable, CancelToken] = {}
        self._idle = 0
        self._closing = False
        self._threads: list[threading.Thread] = []
        self._source_budget = SharedCap(QUEUE)

    # -- control (any thread) ---------------------------------------------------------------

    def start(self) -> None:
        with self._cond:
            if self._threads:
                return
            self._threads = [
                threading.Thread(target=self._worker, name=f"imgloop-batch-{n}", daemon=True)
                for n in range(self.concurrency)
            ]
        for thread in self._threads:
            thread.start()

    def wake(self) -> None:
        """Items may be claimable now (added, resumed, retried): idle workers look again."""
        with self._cond:
            self._cond.notify_all()

    def cancel_item(self, key: Hashable, *, force: bool = False) -> bool:
        """Cancel one running item (its run ends within about two seconds, keeping what it
        made); False when it is not running."""
        with self._cond:
            token = self._tokens.get(key)
        if token is None:
            return False
        token.force() if force else token.cancel()
        self.limiter.wake()
        return True

    def cancel_all(self, *, force: bool = False) -> None:
        """No new item starts; every running one is cancelled (or forced)."""
        with self._cond:
            self._closing = True
            tokens = list(self._tokens.values())
            self._cond.notify_all()
        self.cancel.force() if force else self.cancel.cancel()
        for token in tokens:
            token.force() if force else token.cancel()
        self.limiter.wake()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Until every worker has ended (an exhausted source, or after cancel_all)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self._threads:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self._threads)

    def close(self, *, force: bool = False, timeout: float | None = None) -> bool:
        """Cancel what runs, wait for the workers, release the clients. True when every
        worker ended within ``timeout``."""
        self.cancel_all(force=force)
        ended = self.wait_idle(timeout)
        if ended:
            self._gate.uninstall()
            close_clients(self.clients)
        return ended

    def snapshot(self) -> RateSnapshot:
        return self.limiter.snapshot()

    # -- workers ----------------------------------------------------------------------------

    def _next(self) -> Claim | None:
        with self._cond:
            while not self._closing:
                try:
                    claim = self.source.claim()
                except Exception:  # a locked or failing history: say so, try again soon
                    log.exception("claiming the next batch item failed; trying again")
                    self._cond.wait(CLAIM_RETRY_SECONDS)
                    continue
                if claim is not None:
                    self._tokens[claim.key] = CancelToken()
                    return claim
                if self.source.exhausted():
                    return None
                self._cond.wait()
            return None

    def _worker(self) -> None:
        while (claim := self._next()) is not None:
            try:
                outcome = self._run_one(claim)
            except Exception as exc:  # a bug in one item must not lose the others' results
                log.exception("batch item %r failed unexpectedly", claim.key)
                region = self.clients.region
                outcome = ItemResult(_index(claim), claim.item, None, region, 0.0, repr(exc))
            try:
                self._report(claim, outcome)
            finally:
                # Only now: a cancel arriving while the end is written must find the item
                # still running here, not overwrite its result with "cancelled".
                with self._cond:
                    self._tokens.pop(claim.key, None)

    def _report(self, claim: Claim, outcome: ItemResult) -> None:
        """Tell the source, a few times if it fails (a busy history), before giving up."""
        for attempt in range(FINISH_ATTEMPTS):
            try:
                self.source.finished(claim, outcome)
                return
            except Exception:
                if attempt + 1 == FINISH_ATTEMPTS:
                    run_id = outcome.result.run_id if outcome.result is not None else "-"
                    log.exception(
                        "recording the end of batch item %r (run %s) failed", claim.key, run_id
                    )
                    return
                self.cancel.wait(CLAIM_RETRY_SECONDS)

    def _run_one(self, claim: Claim) -> ItemResult:
        with self._cond:
            token = self._tokens[claim.key]
            try:  # the regional clients this item calls, made before it starts
                for call_region in run_check.regions(claim.item.params, self.clients.region):
                    self.clients.runtime(call_region)
                self._gate.install(self.clients)
            except ImgloopError:
                pass  # the run will fail to start and say why itself
        if self.cancel.cancelled:
            token.cancel()
        began = time.perf_counter()

        def emit(event: Event) -> None:
            if isinstance(event, RunStarted):
                self.source.started(claim, event.run_id)
            if self.emit_event is not None:
                self.emit_event(claim.key, event)

        bound = _ITEM_TOKEN.set(token)
        try:
            execution = self._execute(
                claim.item.params,
                credentials=self.credentials,
                emit=emit,
                cancel=token,
                clients=self.clients,
                price_overrides=self.price_overrides,
                monthly_left=self._allowances(),
            )
        except (ImgloopError, OSError) as exc:
            message = str(exc) if isinstance(exc, ImgloopError) else f"{exc.strerror}: {exc}"
            seconds = time.perf_counter() - began
            return ItemResult(
                _index(claim), claim.item, None, self.clients.region, seconds, message
            )
        finally:
            _ITEM_TOKEN.reset(bound)
        with execution:
            seconds = time.perf_counter() - began
            return ItemResult(
                _index(claim), claim.item, execution.result, execution.region, seconds
            )

    def _allowances(self) -> tuple[Allowance, ...] | None:
        """The shared caps an item starting now spends from (the source's budget, the
        month's), each brought up to date from the history; None when neither is set.
        Raises what reading the history raises."""
        shared = [self._source_budget.current(self.source.budget_left)]
        if self.monthly_left is not None:
            shared.append(monthly_allowance(self.monthly_left))
        found = tuple(a for a in shared if a is not None)
        return found or None


def _index(claim: Claim) -> int:
    return claim.key if isinstance(claim.key, int) else 0

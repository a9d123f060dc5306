"""The window's run queue: prompts kept in the history database, run several at once.

The queue's rows live in the history (schema v9), so a quit, a crash or a reboot loses
nothing: an item a dead process was running goes back to waiting when the history is
next opened, with the run it had started kept (interrupted) beside the new one. The
running is ``services.batch_engine``, the same engine as ``imgloop-cli batch``, fed from
the history instead of a file: a worker claims the first waiting item (so a reorder or a
retry is seen at once), and each run's end is written back to its item.

Quitting (or stopping the queue) while items run does not leave them cancelled: their
runs are cut short (and kept) and the items wait again, so the next start resumes them.
Only a person's Cancel leaves an item ``cancelled``.

The queue's budget (0: none) caps what its items spend together: items running at once
spend from one shared allowance of it (and from the process's monthly allowance), every
call reserving its worst case against both before it starts, so together they cannot pass
either (``services.batch_engine``). An item whose call does not fit ends ``budget``, and
once the queue's spend reaches its budget the queue pauses itself.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable, Sequence
from decimal import Decimal
from pathlib import Path

from imgloop_desktop.core.events import Event, Outcome
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.price_overrides import Overrides
from imgloop_desktop.core.records import HistoryOutcome, QueueItem, QueueState, QueueSummary
from imgloop_desktop.providers.session import CredentialsSource
from imgloop_desktop.services import run_check
from imgloop_desktop.services.batch import read_batch
from imgloop_desktop.services.batch_engine import (
    BatchEngine,
    BatchItem,
    CallLimits,
    Claim,
    ItemResult,
)
from imgloop_desktop.services.history import HistoryService

log = logging.getLogger(__name__)

# How long a quit waits for running items to stop (their runs end within about two seconds
# of a cancel; what they made is kept either way).
CLOSE_SECONDS = 5.0

_DONE = {
    Outcome.APPROVED: HistoryOutcome.APPROVED,
    Outcome.NOT_APPROVED: HistoryOutcome.NOT_APPROVED,
    Outcome.BUDGET: HistoryOutcome.BUDGET,
}


def item_end(result: ItemResult) -> tuple[QueueState, HistoryOutcome, str]:
    """The queue state, outcome and error an item's end is recorded with."""
    outcome = result.outcome
    if outcome in _DONE:
        return QueueState.DONE, _DONE[outcome], ""
    if outcome is Outcome.CANCELLED:
        return QueueState.CANCELLED, HistoryOutcome.CANCELLED, ""
    error = result.error or (result.result.message if result.result is not None else "")
    return QueueState.FAILED, HistoryOutcome.ERROR, error or "the run ended in an error"


class _HistorySource:
    """The engine's items, claimed from the history's queue in its order."""

    def __init__(
        self,
        history: HistoryService,
        adjust: Callable[[RunParams], RunParams],
        changed: Callable[[], None],
    ) -> None:
        self.history = history
        self.adjust = adjust
        self.changed = changed
        self.quitting = threading.Event()
        # Items a person cancelled: a quit right after must not put them back to waiting.
        self.cancelled_by_person: set[int] = set()

    def claim(self) -> Claim | None:
        if self.quitting.is_set():
            return None
        budget = self.history.queue_budget()
        if budget > 0 and self.history.queue_summary().cost_usd >= budget:
            if not self.history.queue_paused():
                self.history.queue_set_paused(True)
                log.info("the queue's budget of $%s is spent: paused", budget)
                self.changed()
            return None
        item = self.history.queue_claim_next()
        if item is None:
            return None
        try:
            params = self.adjust(item.params)
        except Exception as exc:  # never leave a claimed item running with nobody on it
            self.history.queue_finish(item.id, QueueState.FAILED, HistoryOutcome.ERROR, str(exc))
            raise
        self.changed()
        return Claim(item.id, BatchItem(params))

    def exhausted(self) -> bool:
        return self.quitting.is_set()

    def started(self, claim: Claim, run_id: str) -> None:
        self.history.queue_attach_run(int(str(claim.key)), run_id)
        self.changed()

    def finished(self, claim: Claim, result: ItemResult) -> None:
        item_id = int(str(claim.key))
        stopped = item_id not in self.cancelled_by_person
        if self.quitting.is_set() and result.outcome is Outcome.CANCELLED and stopped:
            # A stop, not a person's cancel: the item waits again (its cut-short run kept),
            # so the next start resumes it.
            self.history.queue_finish(item_id, QueueState.CANCELLED, HistoryOutcome.CANCELLED)
            self.history.queue_retry([item_id])
            self.changed()
            return
        state, outcome, error = item_end(result)
        self.history.queue_finish(item_id, state, outcome, error)
        if outcome is HistoryOutcome.BUDGET and self.history.queue_budget() > 0:
            # The item stopped at what was left of the queue's budget (or the month's):
            # starting the next would only stop at once too.
            self.history.queue_set_paused(True)
        self.changed()

    def budget_left(self) -> Decimal | None:
        budget = self.history.queue_budget()
        if budget <= 0:
            return None
        return max(Decimal(0), budget - self.history.queue_summary().cost_usd)


class RunQueue:
    """The queue's controls for a front end; every method is safe from any thread.

    ``changed`` is called (from any thread) whenever the queue's rows may have changed;
    ``emit_event`` gets each item's run events with the item id, on the item's thread.
    Nothing runs until ``start``; ``close`` stops the workers and keeps every item.
    """

    def __init__(
        self,
        history: HistoryService,
        *,
        changed: Callable[[], None] | None = None,
        emit_event: Callable[[int, Event], None] | None = None,
    ) -> None:
        self.history = history
        self._changed = changed or (lambda: None)
        self._emit_event = emit_event
        self._engine: BatchEngine | None = None
        self._source: _HistorySource | None = None
        self._lock = threading.Lock()

    # -- contents ---------------------------------------------------------------------------

    def items(self) -> list[QueueItem]:
        return self.history.queue_items()

    def summary(self) -> QueueSummary:
        return self.history.queue_summary()

    def add(self, events: Sequence[RunParams]) -> list[int]:
        """Append checked events (ValidationError naming every bad one, nothing added)."""
        for params in events:
            run_check.check(params)
        ids = self.history.queue_add(events)
        self._wake()
        return ids

    def add_file(self, path: Path, *, base: RunParams | None = None) -> list[int]:
        """A JSONL/CSV file's events, every line checked first (``line N: field``); with
        ``base`` (the form) a field a line leaves out is the base's."""
        return self.add([item.params for item in read_batch(path, base=base)])

    def add_lines(self, text: str, base: RunParams) -> list[int]:
        """One prompt per non-empty line, each with the other fields of ``base``."""
        prompts = [line.strip() for line in text.splitlines() if line.strip()]
        return self.add([base.with_changes(prompt=p) for p in prompts])

    def move(self, item_id: int, to_index: int) -> None:
        self.history.queue_move(item_id, to_index)
        self._wake()

    def remove(self, item_ids: Sequence[int]) -> int:
        removed = self.history.queue_remove(item_ids)
        self._changed()
        return removed

    def clear_finished(self) -> int:
        cleared = self.history.queue_clear_finished()
        self._changed()
        return cleared

    def retry(self, item_ids: Sequence[int] | None = None) -> int:
        retried = self.history.queue_retry(item_ids)
        self._wake()
        return retried

    def cancel(self, item_ids: Sequence[int]) -> None:
        """Waiting items are cancelled at once; running ones end within about two seconds,
        keeping what they made."""
        running = self.history.queue_cancel(item_ids)
        engine, source = self._engine, self._source
        if source is not None:
            source.cancelled_by_person.update(running)
        others = [i for i in running if engine is None or not engine.cancel_item(i)]
        if others:
            # Not running here: items a dead process left running go back to waiting (an
            # item another live process runs stays with it), then are cancelled as waiting.
            self.history.queue_recover()
            self.history.queue_cancel(others)
        self._changed()

    def set_paused(self, paused: bool) -> None:
        """Paused: no item starts; running ones go on to their end."""
        self.history.queue_set_paused(paused)
        self._wake()

    def set_budget(self, budget_usd: Decimal) -> None:
        self.history.queue_set_budget(budget_usd)
        self._wake()

    # -- running ----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._engine is not None

    def start(
        self,
        credentials: CredentialsSource,
        *,
        concurrency: int,
        limits: CallLimits | None = None,
        adjust: Callable[[RunParams], RunParams] = lambda params: params,
        price_overrides: Overrides | None = None,
        monthly_left: Callable[[], Decimal | None] | None = None,
    ) -> None:
        """Start working through the queue with these credentials (ServiceError when no
        client can be made). Already started: nothing changes. ``adjust`` applies to each
        item as it starts (the demo turns S3 off)."""
        with self._lock:
            if self._engine is not None:
                return
            source = _HistorySource(self.history, adjust, self._changed)
            emit = self._emit_event

            def relay(key: Hashable, event: Event) -> None:
                if emit is not None:
                    emit(int(str(key)), event)

            engine = BatchEngine(
                source,
                concurrency=concurrency,
                credentials=credentials,
                limits=limits,
                emit_event=relay,
                price_overrides=price_overrides,
                monthly_left=monthly_left,
            )
            self._source, self._engine = source, engine
        engine.start()
        self._changed()

    def close(self, timeout: float = CLOSE_SECONDS) -> bool:
        """Stop (a quit, another backend): no item starts, running ones are cut short and
        wait again (the next start resumes them). True when every worker ended in time."""
        with self._lock:
            engine, source = self._engine, self._source
            self._engine = self._source = None
        if engine is None or source is None:
            return True
        source.quitting.set()
        ended = engine.close(timeout=timeout)
        if not ended:
            ended = engine.close(force=True, timeout=timeout)
        self._changed()
        return ended

    def _wake(self) -> None:
        engine = self._engine
        if engine is not None:
            engine.wake()
        self._changed()

"""Many events run as one batch: several loops at once on one client set, under one limit.

People with real work have lists (a catalogue, a book's illustrations), so a batch reads a
JSONL or CSV file of events, refuses it whole when any line is invalid (every problem named
``line N: field``, before any call), then runs the items in order of submission, at most
``concurrency`` at once, reporting each item as it finishes.

The running is ``services.batch_engine`` (the window's queue uses it too): one client set
for every item, and one adaptive limit on image calls that throttling lowers for all.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from imgloop_desktop.core.cancel import CancelToken
from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.events import Event, Outcome
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP
from imgloop_desktop.core.param_values import READABLE_FILE, UTF8_TEXT, short
from imgloop_desktop.core.params import PARAMS, RunParams
from imgloop_desktop.core.price_overrides import Overrides
from imgloop_desktop.providers.session import CredentialsSource
from imgloop_desktop.services import run_check
from imgloop_desktop.services.batch_engine import BatchEngine, Claim
from imgloop_desktop.services.batch_engine import BatchItem as BatchItem
from imgloop_desktop.services.batch_engine import CallLimits as CallLimits
from imgloop_desktop.services.batch_engine import ItemResult as ItemResult

log = logging.getLogger(__name__)

# A batch file is read whole before anything runs; this bounds what that may cost.
MAX_BATCH_BYTES = 64 * 1024 * 1024
MAX_BATCH_ITEMS = 10_000
# How often (seconds) the calling thread looks at the batch's cancel token while it waits.
_POLL_SECONDS = 0.1
_TYPES = {f.name: f.type for f in PARAMS}


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
    path: Path,
    *,
    overrides: dict[str, Any] | None = None,
    check: bool = True,
    base: RunParams | None = None,
) -> list[BatchItem]:
    """The file's events (``.csv`` by header row, anything else JSONL), each with
    ``overrides`` applied and, when ``check``, validated as a run would be. With ``base``
    (the window's form), a field a line leaves out is the base's, not the default.

    Raises ValidationError naming every problem of every line as ``line N: field`` (or the
    file itself), so a person fixes the whole file in one go and nothing runs meanwhile.
    """
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BATCH_BYTES + 1)
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise ValidationError(
            [Problem.of("batch file", short(str(path)), READABLE_FILE, reason=reason)]
        ) from exc
    if len(data) > MAX_BATCH_BYTES:
        raise ValidationError(
            [
                Problem.of(
                    "batch file",
                    short(str(path)),
                    QT_TRANSLATE_NOOP("Validation", "at most {most} bytes"),
                    most=f"{MAX_BATCH_BYTES:,}",
                )
            ]
        )
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise ValidationError([Problem.of("batch file", short(str(path)), UTF8_TEXT)]) from exc
    rows = _csv_rows(text) if path.suffix.lower() == ".csv" else _jsonl_rows(text)
    return parse_rows(rows, overrides=overrides or {}, check=check, base=base)


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
    base: RunParams | None = None,
) -> list[BatchItem]:
    """Rows (line number, JSON text or an event dict) as checked items; ValidationError
    with every line's problems, each field prefixed ``line N: ``."""
    problems: list[Problem] = []
    items: list[BatchItem] = []
    if len(rows) > MAX_BATCH_ITEMS:
        raise ValidationError(
            [
                Problem.of(
                    "batch file",
                    f"{len(rows)} events",
                    QT_TRANSLATE_NOOP("Validation", "at most {most}"),
                    most=f"{MAX_BATCH_ITEMS:,}",
                )
            ]
        )
    for line, row in rows:
        try:
            if isinstance(row, str):
                params = RunParams.loads(row, f"line {line}")
            else:
                params = RunParams.from_event(row)
            if base is not None:
                params = _over(base, params, _keys(row))
            params = params.with_changes(**overrides)
            if check:
                run_check.check(params)
        except ValidationError as exc:
            problems += [
                dataclasses.replace(p, field=f"line {line}: {p.field}") for p in exc.problems
            ]
            continue
        items.append(BatchItem(params, line))
    if not rows:
        problems.append(
            Problem.of("batch file", "empty", QT_TRANSLATE_NOOP("Validation", "at least one event"))
        )
    if problems:
        raise ValidationError(problems)
    return items


def _keys(row: str | dict[str, Any]) -> set[str]:
    """The fields a row set (it already read as an event, so its JSON is sound)."""
    event = json.loads(row) if isinstance(row, str) else row
    keys = set(event) if isinstance(event, dict) else set()
    if "output_s3_bucket_name" in keys:
        keys.add("s3_enabled")  # an event naming a bucket uploads unless it says otherwise
    if "checklist" in keys:
        keys.add("judge_mode")  # an event carrying a checklist is judged against it
    return keys


def _over(base: RunParams, row: RunParams, keys: set[str]) -> RunParams:
    return base.with_changes(**{k: getattr(row, k) for k in keys if k in _TYPES})


# -- running a batch -----------------------------------------------------------------------


class _ListSource:
    """A file's items in order; exhausted once all are handed out (or the batch is cancelled,
    when the rest are reported as never started)."""

    def __init__(
        self, items: Sequence[BatchItem], finished: queue.Queue[ItemResult], cancel: CancelToken
    ) -> None:
        self._items = list(items)
        self._cancel = cancel
        self._next = 0
        self._finished = finished
        self._lock = threading.Lock()

    def claim(self) -> Claim | None:
        with self._lock:
            if self._next >= len(self._items) or self._cancel.cancelled:
                return None
            index, self._next = self._next, self._next + 1
        return Claim(index, self._items[index])

    def exhausted(self) -> bool:
        with self._lock:
            return self._next >= len(self._items) or self._cancel.cancelled

    def started(self, claim: Claim, run_id: str) -> None:
        """A file's items are not kept anywhere between runs: nothing to link."""

    def finished(self, claim: Claim, result: ItemResult) -> None:
        self._finished.put(result)

    def budget_left(self) -> Decimal | None:
        return None

    def never_started(self, region: str) -> list[ItemResult]:
        """Stop handing out items; those left are reported not started."""
        with self._lock:
            left, self._next = range(self._next, len(self._items)), len(self._items)
        return [ItemResult(i, self._items[i], None, region, 0.0, "", started=False) for i in left]


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
    summary = BatchSummary(items=len(items))
    start = time.perf_counter()
    finished: queue.Queue[ItemResult] = queue.Queue()
    source = _ListSource(items, finished, cancel)
    region = region or next((i.params.aws_region for i in items if i.params.aws_region), None)

    def relay(key: Hashable, event: Event) -> None:
        if emit_event is not None and isinstance(key, int):
            emit_event(key, event)

    engine = BatchEngine(
        source,
        concurrency=min(concurrency, len(items)),
        credentials=credentials,
        limits=limits or CallLimits(concurrent_calls=concurrency),
        region=region,
        emit_event=relay,
        price_overrides=price_overrides,
        monthly_left=monthly_left,
    )
    engine.start()
    try:
        propagated = forced = False
        while summary.done < len(items):
            try:
                outcome: ItemResult | None = finished.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                outcome = None
            if (cancel.cancelled and not propagated) or (cancel.forced and not forced):
                propagated, forced = True, cancel.forced
                for skipped in source.never_started(engine.clients.region):
                    finished.put(skipped)
                engine.cancel_all(force=forced)
            if outcome is not None:
                summary.add(outcome)
                if emit_item is not None:
                    emit_item(outcome)
    finally:
        engine.close(force=cancel.forced)  # after the caller's emit raised: stops the rest
    summary.seconds = time.perf_counter() - start
    state = engine.snapshot()
    summary.throttles, summary.rate_per_minute = state.throttles, state.rate_per_minute
    summary.lowest_rate_per_minute = state.lowest_per_minute
    return summary

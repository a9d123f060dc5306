"""The history as the window and the headless command use it: one object, no Qt.

Every method blocks (SQLite, disk, Pillow), so the GUI calls them from a worker thread and
hands the returned plain data to its models. The service keeps one SQLite connection per
calling thread and closes them all in ``close()``.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from imgloop_desktop.core.cost import Cost
from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.protocols import UploadOutcome
from imgloop_desktop.core.records import (
    MAX_RATING,
    MIN_RATING,
    Agreement,
    Decision,
    ExportResult,
    FileProblem,
    HistoryOutcome,
    ImageMarks,
    ImageRecord,
    ImportResult,
    PendingImageUpload,
    QueueItem,
    QueueState,
    QueueSummary,
    RecoveryReport,
    RepairAction,
    ReviewItem,
    SessionFilter,
    SessionPage,
    SessionTree,
    SpendStats,
)
from imgloop_desktop.storage import export as export_mod
from imgloop_desktop.storage import thumbnails
from imgloop_desktop.storage.history import marks_rows, queries, queue_rows, recovery
from imgloop_desktop.storage.history.recorder import HistoryRecorder
from imgloop_desktop.storage.history.schema import (
    ThreadConnections,
    default_db_path,
    history_error,
    now_iso,
    quick_check,
)

if TYPE_CHECKING:  # botocore loads only when uploads are retried, not to browse history
    from imgloop_desktop.providers.session import CredentialsSource
    from imgloop_desktop.storage.s3 import S3Uploader


log = logging.getLogger(__name__)

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _plain_errors(
    method: Callable[Concatenate[HistoryService, _P], _R],
) -> Callable[Concatenate[HistoryService, _P], _R]:
    """SQLite's errors leave the service as ``HistoryError`` naming the file and what to do.

    A history damaged in pages no earlier call touched fails in the middle of a query
    (``database disk image is malformed``); the window and the CLI show ``HistoryError``
    plainly, so this is where that becomes words instead of a traceback. Programming
    errors (a closed connection, bad SQL) stay what they are: they are bugs.
    """

    @functools.wraps(method)
    def wrapper(self: HistoryService, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.ProgrammingError:
            raise
        except sqlite3.DatabaseError as exc:
            raise history_error(exc, self.db_path) from exc

    return wrapper


@dataclass(frozen=True)
class UploadRetry:
    image_id: int
    bucket: str
    key: str
    ok: bool
    error: str


class HistoryService:
    """Open with ``HistoryService.open()``: it creates or migrates the store and runs crash
    recovery once; ``recovery_report`` says what that found, for the window to show."""

    def __init__(self, db_path: Path | None = None) -> None:
        self.db_path = db_path or default_db_path()
        self._conns = ThreadConnections(self.db_path)
        self.recovery_report = RecoveryReport()
        # Whose queue claims are whose within this process (queue_rows.ClaimLocks).
        self._claim_owner = object()

    @classmethod
    def open(cls, db_path: Path | None = None, *, repair: bool = False) -> HistoryService:
        service = cls(db_path)
        try:
            service.recovery_report = service.recover(repair=repair)
        except BaseException:
            service.close()
            raise
        return service

    def close(self) -> None:
        # Items this service claimed and never finished wait again at the next recover.
        queue_rows.CLAIMS.release_owned(self._claim_owner)
        self._conns.close_all()

    def __enter__(self) -> HistoryService:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- recording and recovery ---------------------------------------------------------------

    def recorder(self, params: RunParams) -> HistoryRecorder:
        """A recorder for one run into this store: the loop's ``recorder``.
        The caller closes it after the run."""
        return HistoryRecorder(self.db_path, params)

    @_plain_errors
    def recover(self, *, repair: bool = False) -> RecoveryReport:
        """Mark runs nobody is running as interrupted and check their files; with ``repair``
        (the window at start) also adopt, quarantine and clean up what a kill left."""
        try:
            report = recovery.recover(self._conns.get(), self.db_path, repair=repair)
        except OSError as exc:  # the lock folder or a run folder refused us
            raise history_error(exc, self.db_path) from exc
        # After the runs: an item put back keeps its run, now marked interrupted.
        self.queue_recover()
        return report

    @_plain_errors
    def check_files(self, *, verify: bool = False) -> list[FileProblem]:
        """Every row against every run folder, after checking the file itself is sound (a
        report on a damaged file would be wrong). ``verify`` re-hashes and decodes every
        image (slow on big libraries)."""
        conn = self._conns.get()
        quick_check(conn, self.db_path)
        return recovery.check_files(conn, verify=verify)

    @_plain_errors
    def repair_files(self, problems: list[FileProblem]) -> list[RepairAction]:
        """Adopt, quarantine or remove what ``check_files`` found after a crash (see
        ``recovery.repair_files``); runs still being recorded are left alone."""
        return recovery.repair_files(self._conns.get(), self.db_path, problems)

    @_plain_errors
    def pending_uploads(self) -> list[PendingImageUpload]:
        return recovery.pending_uploads(self._conns.get())

    @_plain_errors
    def mark_upload(self, image_id: int, ok: bool, error: str = "", key: str = "") -> None:
        """Record a retry's outcome; ``key`` is the key a successful upload actually wrote."""
        recovery.mark_upload(self._conns.get(), image_id, ok, error, key)

    def retry_uploads(
        self,
        client: Any,
        *,
        timeout: float = 300.0,
        uploader_factory: Callable[[Any, str], S3Uploader] | None = None,
    ) -> list[UploadRetry]:
        """Try every pending or failed upload once more, through one ``S3Uploader`` per bucket.

        Outcomes are collected from the uploader's threads and written here, on the calling
        thread, so no connection is left on a pool thread.
        """
        from imgloop_desktop.storage.s3 import S3Uploader

        factory = uploader_factory or (lambda c, bucket: S3Uploader(c, bucket, retry_delays=()))
        pending = self.pending_uploads()
        results: dict[int, UploadRetry] = {}
        lock = threading.Lock()
        by_bucket: dict[str, list[PendingImageUpload]] = {}
        for item in pending:
            if not item.bucket or not item.key:
                results[item.image_id] = UploadRetry(
                    item.image_id, item.bucket, item.key, False, "no S3 bucket or key recorded"
                )
            elif not item.path.is_file():
                results[item.image_id] = UploadRetry(
                    item.image_id, item.bucket, item.key, False, "the local file is gone"
                )
            else:
                by_bucket.setdefault(item.bucket, []).append(item)
        for bucket, items in by_bucket.items():
            with factory(client, bucket) as uploader:
                for item in items:

                    def done(outcome: UploadOutcome, image_id: int = item.image_id) -> None:
                        with lock:
                            results[image_id] = UploadRetry(
                                image_id, outcome.bucket, outcome.key, outcome.ok, outcome.error
                            )

                    uploader.submit(item.path, item.key, done)
                uploader.drain(timeout)
            for item in items:
                results.setdefault(
                    item.image_id,
                    UploadRetry(item.image_id, bucket, item.key, False, "timed out"),
                )
        for result in results.values():
            self.mark_upload(result.image_id, result.ok, result.error, result.key)
        return [results[item.image_id] for item in pending]

    # -- reading --------------------------------------------------------------------------

    @_plain_errors
    def list_sessions(
        self,
        flt: SessionFilter | None = None,
        *,
        page_size: int = queries.DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
        page: int | None = None,
    ) -> SessionPage:
        """Newest first. Scroll with ``cursor`` (from the previous page) or jump with ``page``
        (1-based)."""
        offset = 0
        if page is not None:
            if page < 1:
                raise ValidationError([Problem("page", page, "a whole number of at least 1")])
            offset = (page - 1) * page_size
        return queries.list_sessions(
            self._conns.get(), flt, page_size=page_size, cursor=cursor, offset=offset
        )

    @_plain_errors
    def count_sessions(self, flt: SessionFilter | None = None) -> int:
        return queries.count_sessions(self._conns.get(), flt)

    @_plain_errors
    def session(self, run_id: str) -> SessionTree:
        return queries.get_session(self._conns.get(), run_id)

    @_plain_errors
    def run_again_params(self, run_id: str) -> RunParams:
        """The run's parameters as it ended, for "Run again": its event, with the checklist
        in force at its end (a person's edits during the run, or the one the model wrote,
        which then costs no call), not only the settings it started with."""
        tree = queries.get_session(self._conns.get(), run_id)
        params = RunParams.from_event(tree.params)
        if params.uses_checklist and tree.checklist is not None:
            params = params.with_changes(checklist=tree.checklist)
        return params

    @_plain_errors
    def image(self, image_id: int) -> ImageRecord:
        return queries.get_image(self._conns.get(), image_id)

    @_plain_errors
    def image_by_sha256(self, sha256: str) -> ImageRecord | None:
        """The image whose stored bytes have this SHA-256 (hex), or None: how a PNG with no
        parameters of its own (an original from the data folder) finds its run again."""
        image_id = queries.image_id_by_sha256(self._conns.get(), sha256)
        return None if image_id is None else queries.get_image(self._conns.get(), image_id)

    @_plain_errors
    def approved_images(self, *, limit: int = 200, offset: int = 0) -> list[ImageRecord]:
        return queries.approved_images(self._conns.get(), limit=limit, offset=offset)

    @_plain_errors
    def decide(
        self,
        image_id: int,
        decision: Decision | None,
        items: Mapping[str, bool] | None = None,
    ) -> ImageRecord:
        """A person approves or rejects an image (None clears it); the judge's verdict stays.

        ``items``: the person's tick per checklist item (True: met), from the review list;
        they become the labels a judge is measured against (``export_labels``)."""
        return queries.set_decision(self._conns.get(), image_id, decision, items=items)

    # -- a person's marks (schema v10) ---------------------------------------------------

    @_plain_errors
    def set_favourite(self, image_id: int, favourite: bool) -> ImageMarks:
        """Star (or unstar) an image; its rating and any decision stay as they were."""
        return marks_rows.set_favourite(self._conns.get(), image_id, favourite)

    @_plain_errors
    def set_rating(self, image_id: int, rating: int | None) -> ImageMarks:
        """Rate an image 1-5 (None clears it); ValidationError for anything else."""
        return marks_rows.set_rating(self._conns.get(), image_id, rating)

    @_plain_errors
    def marks(self, image_ids: Iterable[int]) -> dict[int, ImageMarks]:
        """The marks of those of ``image_ids`` that carry any (unmarked ones are absent)."""
        return marks_rows.marks_of(self._conns.get(), image_ids)

    @_plain_errors
    def review_items(
        self, limit: int = 200, run_ids: Sequence[str] | None = None
    ) -> list[ReviewItem]:
        """Images waiting for a person, newest first: a run's best when nothing was
        approved, and images the judge sent to review (a must it was unsure of); with
        ``run_ids``, only those runs' (a queue item's)."""
        return queries.review_items(self._conns.get(), limit=limit, run_ids=run_ids)

    @_plain_errors
    def agreement(self) -> list[Agreement]:
        """How often the judge agreed with people, per (judge model, image model)."""
        return queries.agreement(self._conns.get())

    # -- what was spent (schema v8) ----------------------------------------------------------

    @_plain_errors
    def month_spend(self, now: datetime | None = None) -> Cost:
        """What every call billed in the calendar month of ``now`` (default: this instant)
        cost, whatever became of its run (interrupted runs count: Bedrock billed them).

        The month is the one on the machine's wall calendar: its local time zone, from the
        first of the month 00:00 to the first of the next, so the monthly budget resets
        when the person's month does. Incomplete when any call's price was unknown; $0
        (complete) when nothing was spent. ``services.costs.monthly_left`` takes it."""
        start, end = month_bounds(now)
        return queries.spend_between(self._conns.get(), start, end)

    @_plain_errors
    def median_attempts(self, image_model_id: str, judge_model_id: str) -> float | None:
        """The median number of generations to approval over the approved runs of this
        model pair (ids as the runs recorded them), for the expected cost before Run
        (``services.costs.estimate_run``); None when no run of the pair was approved."""
        return queries.median_attempts(self._conns.get(), image_model_id, judge_model_id)

    @_plain_errors
    def spend_stats(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> SpendStats:
        """Spend per day, month (both in the machine's local time zone) and model of the
        calls billed from ``since`` (inclusive) to ``until`` (exclusive), and the cost per
        approved image: ``imgloop-cli history stats`` and the history panel."""
        return queries.spend_stats(self._conns.get(), since, until)

    @_plain_errors
    def export_labels(self, dest: Path) -> int:
        """A person's decisions as a labelled set, for measuring judges (``bench``'s judge
        evaluation reads exactly this): JSON Lines, one line per decided image, oldest
        decision first. Returns the number of lines written.

        Each line: ``image`` (absolute path), ``prompt`` (the run's), ``checklist`` (its
        items, or null for a whole-prompt run), ``labels`` (the person's ticks by item id,
        {} when they decided the image as a whole), ``approved``, ``judge_model_id`` and
        ``image_model_id`` (the run's). An image whose file is gone is left out (logged):
        a label without its image measures nothing. Written to a temp file and renamed, so
        an interrupted export leaves no half file under ``dest``.
        """
        if "\0" in str(dest):  # the OS cannot name such a file; say so as bad input
            raise ValidationError(
                [Problem("dest", str(dest), "a file path without NUL characters")]
            )
        lines: list[str] = []
        for image, run in queries.decided_images(self._conns.get()):
            if not image.path.is_file():
                log.warning(
                    "export-labels: %s is gone; image %s left out", image.path, image.image_id
                )
                continue
            lines.append(
                json.dumps(
                    {
                        "image": str(image.path.resolve()),
                        "prompt": run.prompt,
                        "checklist": run.checklist.to_json() if run.checklist else None,
                        "labels": dict(image.human_items),
                        "approved": image.human_decision is Decision.APPROVED,
                        "judge_model_id": run.judge_model_id,
                        "image_model_id": run.image_model_id,
                    },
                    ensure_ascii=False,
                )
            )
        _write_atomically(dest, "".join(line + "\n" for line in lines))
        return len(lines)

    @_plain_errors
    def thumbnail(self, image_id: int, size: int = thumbnails.DEFAULT_SIZE) -> Path:
        image = self.image(image_id)
        return thumbnails.thumbnail(image.path, image.sha256, size)

    # -- the run queue (schema v9) ---------------------------------------------------------
    # Thin: the rules live in ``storage.history.queue_rows``. Safe from many threads at once
    # (each has its own connection; every change is one BEGIN IMMEDIATE transaction).

    @_plain_errors
    def queue_add(self, events: Sequence[RunParams]) -> list[int]:
        """Append runs to the queue, waiting, in the order given; returns their ids."""
        return queue_rows.add(self._conns.get(), events, now_iso())

    @_plain_errors
    def queue_items(self) -> list[QueueItem]:
        """Every item in queue order, with its runs and what they spent."""
        return queue_rows.items(self._conns.get())

    @_plain_errors
    def queue_claim_next(self) -> QueueItem | None:
        """The first waiting item, now running and claimed by this process until
        ``queue_finish``; None when paused or nothing waits. Two workers never get the same
        item."""
        try:
            return queue_rows.claim_next(
                self._conns.get(), self.db_path, self._claim_owner, now_iso()
            )
        except OSError as exc:  # the lock folder refused us
            raise history_error(exc, self.db_path) from exc

    @_plain_errors
    def queue_attach_run(self, item_id: int, run_id: str) -> None:
        """Link a run the item started, once its start is recorded (the run's row is the
        link's parent; the loop records before it emits, so ``RunStarted`` is the moment).
        A link to an item that is gone is dropped (logged)."""
        queue_rows.attach_run(self._conns.get(), item_id, run_id)

    @_plain_errors
    def queue_finish(
        self,
        item_id: int,
        state: QueueState,
        outcome: HistoryOutcome | None,
        error: str = "",
    ) -> None:
        """End a running item as done, failed or cancelled and drop its claim; ignored when
        the item is no longer running (removed, or already finished)."""
        queue_rows.finish(
            self._conns.get(), self.db_path, item_id, state, outcome, error, now_iso()
        )

    @_plain_errors
    def queue_move(self, item_id: int, to_index: int) -> None:
        """Reorder: the item goes to ``to_index`` (0-based, among all items; past the end
        means last), whatever its state."""
        queue_rows.move(self._conns.get(), item_id, to_index)

    @_plain_errors
    def queue_cancel(self, item_ids: Iterable[int]) -> list[int]:
        """Waiting items are cancelled at once; returns the ids that are running, for the
        engine to stop (it then finishes them as cancelled)."""
        return queue_rows.cancel(self._conns.get(), item_ids, now_iso())

    @_plain_errors
    def queue_retry(self, item_ids: Iterable[int] | None = None) -> int:
        """Failed or cancelled items (None: every failed one) wait again, error cleared;
        returns how many."""
        return queue_rows.retry(self._conns.get(), item_ids)

    @_plain_errors
    def queue_remove(self, item_ids: Iterable[int]) -> int:
        """Delete items that are not running; returns how many. Their runs stay."""
        return queue_rows.remove(self._conns.get(), self.db_path, item_ids)

    @_plain_errors
    def queue_clear_finished(self) -> int:
        """Delete the done items; returns how many."""
        return queue_rows.clear_finished(self._conns.get(), self.db_path)

    @_plain_errors
    def queue_paused(self) -> bool:
        return queue_rows.paused(self._conns.get())

    @_plain_errors
    def queue_set_paused(self, paused: bool) -> None:
        """Paused: nothing more is claimed; running items go on."""
        queue_rows.set_paused(self._conns.get(), paused)

    @_plain_errors
    def queue_budget(self) -> Decimal:
        """The queue's spending cap in US dollars; 0 means no cap."""
        return queue_rows.budget(self._conns.get())

    @_plain_errors
    def queue_set_budget(self, budget_usd: Decimal) -> None:
        """ValidationError (field ``queue budget``) unless finite and from 0 to the largest
        cap a run takes."""
        queue_rows.set_budget(self._conns.get(), budget_usd)

    @_plain_errors
    def queue_recover(self) -> int:
        """Items left running by a process that died wait again (outcome ``interrupted``,
        their runs still linked); returns how many. Never takes an item a live process,
        this one included, is running: see ``queue_rows`` for the rule."""
        try:
            return len(queue_rows.recover(self._conns.get(), self.db_path))
        except OSError as exc:  # the lock folder refused us
            raise history_error(exc, self.db_path) from exc

    @_plain_errors
    def queue_summary(self) -> QueueSummary:
        return queue_rows.summary(self._conns.get())

    # -- export and import ----------------------------------------------------------------

    @_plain_errors
    def export_session(
        self, run_id: str, dest: Path, *, as_zip: bool = False, embed_in_signed: bool = False
    ) -> ExportResult:
        """``embed_in_signed``: the person's "embed parameters in signed images too"
        setting (``storage.export.png_meta.annotate``), which only a front end can read."""
        quick_check(self._conns.get(), self.db_path)
        return export_mod.export_trees(
            [self.session(run_id)],
            dest,
            as_zip=as_zip,
            selection="session",
            embed_in_signed=embed_in_signed,
        )

    @_plain_errors
    def export_approved(
        self, dest: Path, *, as_zip: bool = False, embed_in_signed: bool = False
    ) -> ExportResult:
        """Every approved image, after checking the whole file: damage in pages the query
        does not touch would otherwise export fewer images (or none) and say "done".
        ``embed_in_signed`` as for ``export_session``."""
        conn = self._conns.get()
        quick_check(conn, self.db_path)
        trees = [queries.get_session(conn, r) for r in queries.approved_run_ids(conn)]
        return export_mod.export_trees(
            trees, dest, as_zip=as_zip, selection="approved", embed_in_signed=embed_in_signed
        )

    @_plain_errors
    def import_export(self, source: Path) -> ImportResult:
        return export_mod.import_export(self._conns.get(), source)


def _write_atomically(dest: Path, text: str) -> None:
    """``text`` into ``dest`` through a temp file beside it and a rename."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- input parsing shared by the GUI's filter bar and the CLI ------------------------------------


def parse_outcomes(values: list[str] | None) -> frozenset[HistoryOutcome]:
    problems = []
    out: set[HistoryOutcome] = set()
    allowed = ", ".join(o.value for o in HistoryOutcome)
    for value in values or []:
        try:
            out.add(HistoryOutcome(value.strip().lower().replace("-", "_")))
        except ValueError:
            problems.append(Problem("outcome", value, f"one of {allowed}"))
    if problems:
        raise ValidationError(problems)
    return frozenset(out)


def month_bounds(now: datetime | None = None) -> tuple[datetime, datetime]:
    """The local calendar month holding ``now`` as [start, end) instants with time zones.

    Each bound's offset is the one in force on that first day (a month that crosses a
    daylight-saving change has bounds with different offsets), so the month starts at
    midnight on the wall clock. A naive ``now`` is read as local time."""
    local = (now or datetime.now(UTC)).astimezone()
    first = datetime(local.year, local.month, 1)
    following = datetime(local.year + local.month // 12, local.month % 12 + 1, 1)
    return first.astimezone(), following.astimezone()


def parse_when(field_name: str, text: str, *, end_of_day: bool = False) -> datetime:
    """A date (``2024-05-01``) or date and time, read in local time unless it names a zone.

    With ``end_of_day`` a bare date means up to the end of that day, so ``--until
    2024-05-01`` includes the first of May.
    """
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time())
            if end_of_day:
                moment += timedelta(days=1)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(
            [Problem(field_name, text, "a date like 2024-05-01 or 2024-05-01T13:30")]
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # local time, as a person typing a date means it
    return moment.astimezone(UTC)


RATING_ALLOWED = f"a whole number from {MIN_RATING} to {MAX_RATING}"
SEARCH_TOKENS_ALLOWED = (
    f"is:fav (only sessions with a starred image), or rating:N or rating>=N (only sessions "
    f"with an image rated at least N, N from {MIN_RATING} to {MAX_RATING})"
)
FAVOURITE_WORDS = frozenset({"fav", "favs", "favourite", "favourites", "favorite", "favorites"})
_SEARCH_TOKEN = re.compile(r"(?<!\S)(?P<key>is|rating)(?P<op>:>=|>=|:)(?P<value>\S*)", re.I)
"""``is:…`` and ``rating:…``/``rating>=…``, each a whole word of the search text."""


@dataclass(frozen=True)
class SearchTerms:
    """The search box's text taken apart: the words to find and the marks asked for."""

    text: str
    favourites: bool = False
    min_rating: int = 0


def parse_search(search: str) -> SearchTerms:
    """Split ``is:fav`` and ``rating:N`` / ``rating>=N`` (any case, anywhere, as words of
    their own) out of the typed search; what is left is searched for as one phrase, its
    words joined by single spaces. ValidationError (field ``search``) names each token
    that asks for something else, with what is allowed."""
    problems: list[Problem] = []
    favourites = False
    min_rating = 0
    for match in _SEARCH_TOKEN.finditer(search):
        key, value = match["key"].lower(), match["value"]
        if key == "is" and match["op"] == ":" and value.lower() in FAVOURITE_WORDS:
            favourites = True
            continue
        rating = _rating(value) if key == "rating" else None
        if rating is None:
            problems.append(Problem("search", match[0], SEARCH_TOKENS_ALLOWED))
        else:
            min_rating = max(min_rating, rating)
    if problems:
        raise ValidationError(problems)
    if not favourites and not min_rating:
        return SearchTerms(search)
    return SearchTerms(" ".join(_SEARCH_TOKEN.sub(" ", search).split()), favourites, min_rating)


def _rating(value: object) -> int | None:
    """A rating typed as text (or given as a number) as 1-5, or None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii() or not value.isdigit():
            return None
        value = int(value)
    if isinstance(value, int) and MIN_RATING <= value <= MAX_RATING:
        return value
    return None


def make_filter(
    *,
    search: str = "",
    outcomes: list[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    favourites: bool = False,
    min_rating: int | str | None = None,
) -> SessionFilter:
    """A SessionFilter from text a person typed; ValidationError names every bad field.

    Marks come from the search text (``is:fav``, ``rating>=N``: ``parse_search``) and from
    ``favourites`` / ``min_rating`` (the window's check box and list, the command's
    ``--favourite`` and ``--min-rating``); both together keep the stricter of each.
    ``min_rating`` None means any rating."""
    problems: list[Problem] = []
    parsed_outcomes: frozenset[HistoryOutcome] = frozenset()
    start = end = None
    try:
        parsed_outcomes = parse_outcomes(outcomes)
    except ValidationError as exc:
        problems.extend(exc.problems)
    for name, value, late in (("since", since, False), ("until", until, True)):
        if value:
            try:
                moment = parse_when(name, value, end_of_day=late)
            except ValidationError as exc:
                problems.extend(exc.problems)
                continue
            if late:
                end = moment
            else:
                start = moment
    if start and end and start >= end:
        problems.append(Problem("until", until, f"a time after since ({since})"))
    terms = SearchTerms(search)
    if len(search) > 1000:
        problems.append(Problem("search", search[:40] + "...", "at most 1000 characters"))
    else:
        try:
            terms = parse_search(search)
        except ValidationError as exc:
            problems.extend(exc.problems)
    least = 0
    if min_rating is not None:
        rating = _rating(min_rating)
        if rating is None:
            problems.append(Problem("min-rating", min_rating, RATING_ALLOWED))
        else:
            least = rating
    if problems:
        raise ValidationError(problems)
    return SessionFilter(
        search=terms.text,
        outcomes=parsed_outcomes,
        since=start,
        until=end,
        favourites=favourites or terms.favourites,
        min_rating=max(least, terms.min_rating),
    )


def retry_pending_uploads(
    service: HistoryService, credentials: CredentialsSource, region: str | None = None
) -> list[UploadRetry]:
    """Every pending or failed upload once more, with clients made (and closed) here: the
    window and ``imgloop-cli history retry-uploads`` share it."""
    from imgloop_desktop.providers.session import make_clients

    if not service.pending_uploads():
        return []
    clients = make_clients(credentials, region)
    try:
        return service.retry_uploads(clients.s3)
    finally:
        clients.s3.close()
        clients.bedrock_runtime.close()

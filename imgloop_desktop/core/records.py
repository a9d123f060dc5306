"""The history's shared vocabulary: the records and states every layer speaks about.

Front ends (the window, the headless command) show sessions, images, decisions and what a
check or an export found; storage produces them from SQLite. Keeping these plain frozen
dataclasses and enums here, with no sqlite and no Qt, lets a front end import the words
without importing the store, so the layer contracts can forbid ``gui -> storage``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from imgloop_desktop.core.checklist import Checklist, ItemVerdicts, decide
from imgloop_desktop.core.checklist import Decision as ChecklistDecision
from imgloop_desktop.core.cost import Cost
from imgloop_desktop.core.params import RunParams

# -- states -----------------------------------------------------------------------------------


class HistoryOutcome(StrEnum):
    """How a run ended, as the history shows it. ``running`` is a run with no end yet."""

    APPROVED = "approved"
    NOT_APPROVED = "not_approved"
    ERROR = "error"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"
    BUDGET = "budget"
    """A call a cap (the run's or the month's) did not allow was not started (schema v8)."""
    RUNNING = "running"


class Decision(StrEnum):
    """A person's verdict on one image; it overrides the judge's wherever approval matters."""

    APPROVED = "approved"
    REJECTED = "rejected"


class UploadState(StrEnum):
    NONE = "none"  # S3 was off for this run
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


def effective_approved(judge_result: str | None, human_decision: str | None) -> bool:
    """The one approval rule: the person's decision where there is one, else the judge's YES.

    The SQL view ``image_status`` encodes the same rule; a test keeps the two in step.
    """
    if human_decision is not None:
        return human_decision == Decision.APPROVED
    return judge_result == "YES"


# -- sessions and images -------------------------------------------------------------------


@dataclass(frozen=True)
class SessionFilter:
    """What to show. ``since`` is inclusive and ``until`` exclusive; both carry a time zone."""

    search: str = ""
    outcomes: frozenset[HistoryOutcome] = frozenset()
    since: datetime | None = None
    until: datetime | None = None
    favourites: bool = False
    """Only runs with at least one image marked favourite (schema v10)."""
    min_rating: int = 0
    """Only runs with an image rated at least this (1-5); 0: any (schema v10)."""


@dataclass(frozen=True)
class SessionSummary:
    run_id: str
    prompt: str
    latest_prompt: str
    outcome: HistoryOutcome
    message: str
    started_at: datetime
    ended_at: datetime | None
    image_model_id: str
    judge_model_id: str
    image_count: int
    attempt_count: int
    revision_count: int
    approved_count: int
    thumbnail_image_id: int | None
    """The effectively approved image, else the last one; None when the run made none."""
    image_region: str = ""
    judge_region: str = ""
    notes: tuple[str, ...] = ()
    """Where each model was called (they may differ) and the run's notes (schema v6)."""
    judge_mode: str = "verdict"
    best_image_id: int | None = None
    """Checklist judging (schema v7): the best candidate named when none was approved."""
    cost: Cost | None = None
    """What the run spent (schema v8): its final total, or while it runs (or after it was
    interrupted) the sum of the calls recorded so far. None when nothing was recorded (a
    run from before v8, or one without a price table): unknown, never $0."""


@dataclass(frozen=True)
class SessionPage:
    sessions: list[SessionSummary]
    next_cursor: str | None
    """Pass back as ``cursor`` for the next page; None on the last page."""


@dataclass(frozen=True)
class VerdictRecord:
    result: str
    reason: str
    raw: str
    model_id: str
    input_tokens: int | None
    output_tokens: int | None
    retried: bool
    received_at: datetime
    judge_image: str = ""
    """What was done to fit the image into Converse's limits for the judge (schema v5)."""
    notes: str = ""
    """A sampling setting the judge's model refused, then left out (schema v6)."""
    checks: ItemVerdicts | None = None
    checklist: Checklist | None = None
    """Checklist judging (schema v7): each item's verdict, and the checklist it was judged
    against (the one in force when the judging started)."""
    cost: Cost | None = None
    """What judging this image cost (its judge calls, asked again included); None when the
    run recorded no spend (schema v8)."""

    @property
    def decision(self) -> ChecklistDecision | None:
        if self.checks is None or self.checklist is None:
            return None
        return decide(self.checklist, self.checks)

    @property
    def badge(self) -> str:
        """ "5/6 \u2713" for a checklist verdict; "" for a whole-prompt one."""
        decision = self.decision
        return decision.badge if decision is not None else ""


@dataclass(frozen=True)
class ImageRecord:
    image_id: int
    run_id: str
    revision: int
    attempt: int
    index: int
    rel_path: str
    path: Path
    sha256: str
    width: int
    height: int
    size_bytes: int
    seed: int | None
    prompt: str
    s3_bucket: str
    s3_key: str
    upload_state: UploadState
    upload_error: str
    stored_at: datetime
    verdict: VerdictRecord | None
    human_decision: Decision | None
    decided_at: datetime | None
    human_items: dict[str, bool] = field(default_factory=dict)
    """The items a person ticked (True: met) when deciding from the review list, by item
    id; empty when they decided the image as a whole (schema v7)."""
    is_best: bool = False
    """Named the run's best candidate when none was approved (schema v7)."""
    favourite: bool = False
    rating: int | None = None
    """A person's own marks (schema v10): a star and a 1-5 rating, None when unrated."""
    cost: Cost | None = None
    """Its share of its attempt's generation cost (split evenly among the attempt's images)
    plus its own judging (schema v8); None when its run recorded no costs."""

    @property
    def effective_approved(self) -> bool:
        return effective_approved(
            self.verdict.result if self.verdict else None,
            self.human_decision.value if self.human_decision else None,
        )

    @property
    def label(self) -> str:
        return f"prompt {self.revision} attempt {self.attempt} image {self.index}"


MIN_RATING = 1
MAX_RATING = 5


@dataclass(frozen=True)
class ImageMarks:
    """A person's marks on one image (schema v10), apart from approval: a favourite is
    "I like this one", whatever the judge or the person decided."""

    image_id: int
    favourite: bool = False
    rating: int | None = None


@dataclass(frozen=True)
class AttemptRecord:
    revision: int
    attempt: int
    prompt: str
    seed: int
    request: dict[str, Any]
    started_at: datetime
    ended_at: datetime | None
    error: str
    images: tuple[ImageRecord, ...] = ()


@dataclass(frozen=True)
class PromptVersionRecord:
    """Revision 0 is the person's prompt. ``prompt`` is None while the reviser was being asked
    (the run stopped there); ``ok`` False means the reviser's answer was unreadable."""

    revision: int
    prompt: str | None
    previous_prompt: str | None
    reasons: tuple[str, ...]
    ok: bool | None
    raw: str
    error: str
    created_at: datetime
    attempts: tuple[AttemptRecord, ...] = ()
    notes: str = ""
    """A sampling setting the reviser's model refused, then left out (schema v6)."""
    cost: Cost | None = None
    """What its revision call(s) cost (schema v8); nothing for revision 0, the person's own
    prompt. None when its run recorded no costs."""


@dataclass(frozen=True)
class SessionTree:
    run_id: str
    prompt: str
    params: dict[str, Any]
    image_model_id: str
    judge_model_id: str
    images_root: str
    app_version: str
    started_at: datetime
    ended_at: datetime | None
    outcome: HistoryOutcome
    message: str
    judge_approved_image_id: int | None
    prompt_versions: tuple[PromptVersionRecord, ...] = field(default=())
    image_region: str = ""
    judge_region: str = ""
    notes: tuple[str, ...] = ()
    """Where each model was called (they may differ) and the run's notes (schema v6)."""
    judge_mode: str = "verdict"
    checklist: Checklist | None = None
    """The checklist in force at the end (schema v7); each verdict keeps its own."""
    checklist_changes: tuple[ChecklistChange, ...] = ()
    best_image_id: int | None = None
    best_misses: str = ""
    best_how: str = ""
    cost: Cost | None = None
    """What the run spent, as ``SessionSummary.cost`` (schema v8)."""

    def images(self) -> Iterator[ImageRecord]:
        for version in self.prompt_versions:
            for attempt in version.attempts:
                yield from attempt.images

    def approved_images(self) -> list[ImageRecord]:
        return [image for image in self.images() if image.effective_approved]


@dataclass(frozen=True)
class ChecklistChange:
    """One ``ChecklistSet`` of a run: given, cached, written by the model, or edited by the
    person during the run; FAILED ones carry the error and no checklist."""

    origin: str
    checklist: Checklist | None
    model_id: str
    error: str
    created_at: datetime
    input_tokens: int | None = None
    output_tokens: int | None = None


# -- review and the judge's agreement with people ----------------------------------------------


class ReviewReason(StrEnum):
    BEST_NOT_APPROVED = "best_not_approved"  # the run's best image; no image was approved
    UNSURE_MUSTS = "unsure_musts"  # the judge was unsure of (or could not answer) a must


@dataclass(frozen=True)
class ReviewItem:
    """An image waiting for a person: not yet decided by one."""

    image: ImageRecord
    reason: ReviewReason
    run_prompt: str
    misses: str
    """What keeps it from approval, in words (unmet musts)."""


@dataclass(frozen=True)
class Agreement:
    """How often the judge's verdict matched a person's own decision, for one pair of judge
    and image model. Only images a person decided and the judge answered YES or NO count."""

    judge_model_id: str
    image_model_id: str
    decided: int
    agreed: int
    judge_yes_person_no: int
    judge_no_person_yes: int
    judge_yes_person_yes: int = 0
    judge_no_person_no: int = 0
    """The agreeing half of the confusion counts (``agreed`` is their sum)."""

    @property
    def rate(self) -> float | None:
        return self.agreed / self.decided if self.decided else None


# -- what was spent (schema v8) ----------------------------------------------------------------


@dataclass(frozen=True)
class SpendLine:
    """Spend of one day (``2024-05-01``), month (``2024-05``) or model id, in local time.

    ``calls`` counts the paid calls in it, ``runs`` the runs those calls belong to, and
    ``approved`` the effectively approved images of those runs (a run whose calls span two
    days counts on both), so a front end can show cost per approved image per line."""

    key: str
    cost: Cost
    calls: int
    runs: int
    approved: int

    @property
    def per_approved_image(self) -> Cost | None:
        return per_approved(self.cost, self.approved)


@dataclass(frozen=True)
class SpendStats:
    """Spend per day, per month and per model, each sorted by key, and the cost per approved
    image over the whole range: every call's cost divided by the approved images of the
    runs those calls belong to (None when no image was approved)."""

    by_day: tuple[SpendLine, ...] = ()
    by_month: tuple[SpendLine, ...] = ()
    by_model: tuple[SpendLine, ...] = ()
    per_approved_image: Cost | None = None
    total: Cost = field(default_factory=Cost)
    approved: int = 0


def per_approved(cost: Cost, approved: int) -> Cost | None:
    """``cost`` shared among ``approved`` images; None for none (no such thing as the cost
    of an approved image then). Incomplete stays incomplete."""
    if approved <= 0:
        return None
    return Cost(cost.known / approved, cost.missing)


# -- checking and repairing the files -------------------------------------------------------


class ProblemKind(StrEnum):
    ORPHAN = "orphan"  # a file in a run folder that no image row names
    MISSING = "missing"  # a row whose file is gone
    MISMATCH = "mismatch"  # a row whose file has other bytes than recorded
    PARTIAL = "partial"  # a temp file left by a write that was cut short
    UNDECODABLE = "undecodable"  # a row whose file is not a whole image (``verify`` only)


@dataclass(frozen=True)
class FileProblem:
    kind: ProblemKind
    path: Path
    run_id: str | None
    image_id: int | None
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.path} ({self.detail})"


class RepairKind(StrEnum):
    ADOPTED = "adopted"  # an orphan image, now recorded in its run
    QUARANTINED = "quarantined"  # moved to quarantine/: it could not be placed
    REMOVED = "removed"  # a temp file of a write that never finished


@dataclass(frozen=True)
class RepairAction:
    """One thing ``repair`` did to one file, for the person to read."""

    kind: RepairKind
    path: Path
    run_id: str | None
    detail: str
    image_id: int | None = None
    moved_to: Path | None = None

    def __str__(self) -> str:
        return f"{self.kind}: {self.path} ({self.detail})"


@dataclass(frozen=True)
class RecoveryReport:
    """What opening the store found, and (when asked to repair) what was done about it.
    Nothing in it was deleted except temp files of writes that never finished."""

    interrupted: list[str] = field(default_factory=list)
    still_running: list[str] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    repairs: list[RepairAction] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.interrupted or self.problems or self.repairs)


@dataclass(frozen=True)
class PendingImageUpload:
    image_id: int
    run_id: str
    path: Path
    bucket: str
    key: str
    state: UploadState
    error: str


# -- the run queue (schema v9) ---------------------------------------------------------------


class QueueState(StrEnum):
    """Where a queued run stands. Only ``waiting`` items are claimed; ``running`` is one a
    live process holds (a dead one's goes back to ``waiting`` on the next open)."""

    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class QueueItem:
    """One queued run and what became of it. ``outcome`` is the last run's (``interrupted``
    when a crash ended it and the item was put back), kept while the item waits again, so the
    queue can say why it is being run once more."""

    id: int
    position: int
    params: RunParams
    state: QueueState
    outcome: HistoryOutcome | None
    error: str
    tries: int
    added_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    run_ids: tuple[str, ...] = ()
    """Every run the item started, oldest first, interrupted ones included."""
    cost_usd: Decimal = Decimal(0)
    """What the history recorded as spent by those runs (the known part of each call)."""

    @property
    def last_run_id(self) -> str | None:
        return self.run_ids[-1] if self.run_ids else None


@dataclass(frozen=True)
class QueueSummary:
    """The queue at a glance. ``approved`` and ``best_not_approved`` count done items by
    their last run's outcome; ``budget`` counts finished items a cap stopped."""

    waiting: int = 0
    running: int = 0
    done: int = 0
    failed: int = 0
    cancelled: int = 0
    approved: int = 0
    best_not_approved: int = 0
    budget: int = 0
    cost_usd: Decimal = Decimal(0)
    mean_seconds: float | None = None
    """Mean wall time of the done items' last runs; None before any is done."""
    paused: bool = False
    budget_usd: Decimal = Decimal(0)
    """The queue's spending cap in US dollars; 0 means no cap."""

    @property
    def total(self) -> int:
        return self.waiting + self.running + self.done + self.failed + self.cancelled


# -- export and import -----------------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sessions: int
    images: int
    skipped: list[str] = field(default_factory=list)
    """Images that could not be exported (file gone or changed), each with why."""


@dataclass(frozen=True)
class ImportResult:
    sessions_added: list[str] = field(default_factory=list)
    sessions_merged: list[str] = field(default_factory=list)
    images_added: int = 0
    images_already_present: int = 0

"""Typed events the loop emits; front ends and the history store consume them. They come
from the loop's threads (scheduler, judge pool, uploader) one at a time under the loop's
lock, so consumers see one ordered stream. Each is immutable so it can cross threads."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from imgloop_desktop.core.checklist import Checklist, Decision, ItemVerdicts
from imgloop_desktop.core.cost import Cost
from imgloop_desktop.core.i18n_marks import Phrase
from imgloop_desktop.core.protocols import GenerationRequest


class Outcome(StrEnum):
    APPROVED = "approved"
    NOT_APPROVED = "not_approved"
    ERROR = "error"
    CANCELLED = "cancelled"
    # A call would have passed the run's cap or the monthly budget, so it was not started;
    # everything made so far is kept (issue 13).
    BUDGET = "budget"


class VerdictResult(StrEnum):
    YES = "YES"
    NO = "NO"
    ERROR = "ERROR"
    # Checklist judging only: a must the judge was unsure of (or could not answer) sends the
    # image to a person; it is never silently approved or rejected.
    REVIEW = "REVIEW"


class JudgeMode(StrEnum):
    """How an image is judged: the seed's one YES/NO for the whole prompt, or item by item
    against a requirement checklist (issue 12)."""

    VERDICT = "verdict"
    CHECKLIST = "checklist"


class ChecklistOrigin(StrEnum):
    GIVEN = "given"  # the event's or the window's own
    CACHED = "cached"  # written for the same prompt and judge model before
    WRITTEN = "written"  # written by the judge model for this run
    EDITED = "edited"  # changed by the person while the run went on
    FAILED = "failed"  # could not be written: the run judges the whole prompt instead


@dataclass(frozen=True)
class ImageRef:
    """Identifies an image within a run: prompt version, attempt and index, all from 0."""

    revision: int
    attempt: int
    index: int

    @property
    def label(self) -> str:
        """For people, counted from 1 (S3 keys and file names keep the seed's 0-based)."""
        return (
            f"prompt version {self.revision + 1}, attempt {self.attempt + 1}, "
            f"image {self.index + 1}"
        )


@dataclass(frozen=True)
class Candidate:
    """An image kept on local disk, with where it goes in S3 (empty when S3 is off)."""

    ref: ImageRef
    path: Path
    sha256: str
    size_bytes: int
    width: int
    height: int
    seed: int | None
    prompt: str
    s3_key: str = ""


@dataclass(frozen=True)
class Verdict:
    result: VerdictResult
    reason: str
    raw: str
    model_id: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    # Set when the judge saw a re-encoded or smaller copy to fit Converse's image limits.
    # These notes are Phrases from a live run (str() is the English the history keeps).
    judge_image_note: str | Phrase = ""
    # Set when the judge model rejected a sampling setting and was asked again without it.
    notes: str | Phrase = ""
    # Checklist judging: every item's verdict and what they mean under the approval rule,
    # against ``checklist`` (the one in force when the judging started).
    checks: ItemVerdicts | None = None
    decision: Decision | None = None
    checklist: Checklist | None = None

    @property
    def approved(self) -> bool:
        return self.result is VerdictResult.YES

    @property
    def badge(self) -> str:
        """Items passed out of all with a mark ("5/6 \u2713"); empty for a whole-prompt verdict."""
        return self.decision.badge if self.decision is not None else ""


@dataclass(frozen=True)
class RunStarted:
    run_id: str
    prompt: str
    image_model_id: str
    judge_model_id: str
    max_attempts: int
    max_revisions: int
    # Where each model is called: they may differ (a model served in one region only).
    image_region: str = ""
    judge_region: str = ""
    # What the run changed or left unused from its parameters for this model, in words
    # (a size mapped to the model's nearest, a setting the model has no use for); str() is
    # the English, the window shows a Phrase translated.
    notes: tuple[str | Phrase, ...] = ()


@dataclass(frozen=True)
class ChecklistSet:
    """The checklist images are judged against from now on: before the first judgement
    (given, cached or written by the judge model), or a person's edit during the run.
    ``checklist`` is None only with origin FAILED: ``error`` says why, and the run judges
    the whole prompt YES/NO instead. A written one carries its call's answer and tokens."""

    checklist: Checklist | None
    origin: ChecklistOrigin
    model_id: str = ""
    raw: str = ""
    error: str = ""
    notes: str | Phrase = ""  # a sampling setting the model refused; str() is the English
    input_tokens: int | None = None
    output_tokens: int | None = None


@dataclass(frozen=True)
class AttemptStarted:
    """A generation call is about to start, with exactly what it will ask for."""

    revision: int
    attempt: int
    request: GenerationRequest

    @property
    def prompt(self) -> str:
        return self.request.prompt

    @property
    def seed(self) -> int:
        return self.request.seed


@dataclass(frozen=True)
class AttemptFailed:
    """The attempt ended without a usable verdict: the image model refused or reported an
    error, or a service failure that also ends the run struck during it. ``message`` is a
    Phrase when its words are the loop's or an AWS error's (``str()`` is the English the
    history and the headless command keep; the window shows it in its language)."""

    revision: int
    attempt: int
    message: str | Phrase


@dataclass(frozen=True)
class AttemptNote:
    """Something a person should know about an attempt that still produced usable images:
    extra images the model returned beyond what was asked (ignored), an image that did not
    decode (kept for inspection, not judged), an answer that came after its deadline.
    ``message`` is a Phrase as ``AttemptFailed``'s is."""

    revision: int
    attempt: int
    message: str | Phrase


@dataclass(frozen=True)
class ImageStored:
    candidate: Candidate


@dataclass(frozen=True)
class JudgingStarted:
    ref: ImageRef


@dataclass(frozen=True)
class VerdictReceived:
    ref: ImageRef
    verdict: Verdict
    retried: bool = False


@dataclass(frozen=True)
class UploadDone:
    ref: ImageRef
    bucket: str
    key: str


@dataclass(frozen=True)
class UploadFailed:
    ref: ImageRef
    bucket: str
    key: str
    message: str


@dataclass(frozen=True)
class RevisionStarted:
    revision: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class PromptRevised:
    """A new prompt version. ``ok`` is False when the reviser's answer was unreadable and the
    previous prompt is kept; ``error`` then says why and ``raw`` holds what came back."""

    revision: int
    prompt: str
    previous_prompt: str
    reasons: tuple[str, ...]
    ok: bool
    raw: str = ""
    error: str = ""
    # Set when the reviser model rejected a sampling setting and was asked again without it.
    notes: str | Phrase = ""


class CallKind(StrEnum):
    """Every kind of paid call, one vocabulary for what a run spent and what it may spend.

    A call asked again (an unreadable answer, items left out) is billed as its first ask's
    kind, so ``Spent`` never names an "again" kind: the history places a judgement's whole
    cost on its image by kind. The "again" kinds are the estimate's worst-case lines for
    those calls (``cost_estimate``), apart because a run approved early makes none.
    """

    GENERATE = "generate"
    JUDGE = "judge"
    JUDGE_AGAIN = "judge again"
    CHECKLIST = "checklist"
    CHECKLIST_AGAIN = "checklist again"
    REVISE = "revise"
    REVISE_AGAIN = "revise again"
    COMPARE = "compare"

    @property
    def billed_as(self) -> CallKind:
        """The kind a ``Spent`` event names for a call of this kind."""
        return CallKind(self.value.removesuffix(" again"))


@dataclass(frozen=True)
class Spent:
    """What one finished call cost, from what the service reported (images returned, tokens
    used), and the run's total so far. ``revision``/``attempt``/``index`` place a
    generation or a judgement; a revision has only ``revision``. A price the table does not
    know leaves the cost (and the total) incomplete, never zero."""

    kind: CallKind
    model_id: str
    cost: Cost
    total: Cost
    revision: int | None = None
    attempt: int | None = None
    index: int | None = None


@dataclass(frozen=True)
class BestChosen:
    """No image was approved: the best candidate under the checklist (most musts met, then
    shoulds; ties broken by one comparison asked in both orders). ``how`` says which
    decided ("rank", "comparison", or "tie: ..." when the comparison could not tell them
    apart and the earliest was named); ``misses`` what keeps it from approval."""

    candidate: Candidate
    decision: Decision
    misses: str
    how: str


@dataclass(frozen=True)
class RunFinished:
    run_id: str
    outcome: Outcome
    message: str
    approved: Candidate | None
    candidates: tuple[Candidate, ...]
    best: Candidate | None = None  # named when no image was approved (checklist judging)
    spent: Cost | None = None  # None when the run had no price table (tests, old callers)


Event = (
    RunStarted
    | ChecklistSet
    | AttemptStarted
    | AttemptFailed
    | AttemptNote
    | ImageStored
    | JudgingStarted
    | VerdictReceived
    | UploadDone
    | UploadFailed
    | RevisionStarted
    | PromptRevised
    | Spent
    | BestChosen
    | RunFinished
)

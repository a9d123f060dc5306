"""The generate → keep → judge → revise loop, free of Qt and boto3.

Everything it touches comes in through the constructor, so the same code runs in the
desktop worker thread, the headless command, the Lambda handler and synchronous tests.
Whatever happens — refusal, unreadable answers, a service failure, cancel, a bug — the
run ends with a RunFinished event listing every image already on disk.

Why one file of about 750 lines: the run and its scheduler (``_PromptRound``) share one
lock, the first-approval gate and the deadlines; split apart, those private pieces would
have to become a public interface between two modules that change together.
"""

from __future__ import annotations

import contextvars
import dataclasses
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.budget import Meter, Reservation
from imgloop_desktop.core.cancel import Cancelled, CancelToken
from imgloop_desktop.core.checklist import (
    Approval,
    Checklist,
    Decision,
    ItemVerdicts,
    decide,
    leaders,
    reason_words,
    resolve_tie,
)
from imgloop_desktop.core.checklist_prompts import (
    ask_for_checklist,
    judge_items,
    pairwise_prompt,
    parse_pairwise,
    revise_checklist_prompt,
    revision_brief,
)
from imgloop_desktop.core.cost import (
    Cost,
    ImageCall,
    PriceTable,
    TextCall,
    TextRequest,
    TokenUsage,
    call_cost,
    worst_case_call,
)
from imgloop_desktop.core.errors import (
    AttemptFailedError,
    ModelOutputError,
    PromptRefusedError,
    ServiceError,
)
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP, Phrase, in_turn
from imgloop_desktop.core.image_check import BadImageError, ImageInfo, check_image
from imgloop_desktop.core.judge_image import judge_copy
from imgloop_desktop.core.models import ImageModelSpec
from imgloop_desktop.core.params import RunParams, fit_to_model
from imgloop_desktop.core.parsing import parse_revision, parse_verdict
from imgloop_desktop.core.prompts import fit_to_limit, judge_prompt, revise_prompt
from imgloop_desktop.core.protocols import (
    ChatModel,
    GeneratedImage,
    GenerationRequest,
    ImageGenerator,
    ImageStore,
    InferenceSettings,
    ModelReply,
    Uploader,
    UploadOutcome,
)
from imgloop_desktop.core.text_limits import MAX_REASON_CHARS, bounded, encodable

log = logging.getLogger(__name__)

UPLOAD_DRAIN_SECONDS = 30.0
# A cancel ends the run within about two seconds whatever the service does: calls in flight
# get this long to land, then are abandoned; uploads under way get the drain below.
CANCEL_GRACE_SECONDS = 1.0
CANCEL_UPLOAD_DRAIN_SECONDS = 0.5
# How often the scheduler looks at the cancel flag and the deadlines while calls run.
POLL_SECONDS = 0.05

# What a run says when it ends (``RunResult.message`` is the English, ``RunResult.words``
# the same words with their values apart, which the window shows in its language).
OUTCOME = "RunOutcome"
APPROVED = QT_TRANSLATE_NOOP("RunOutcome", "Approved {label}.")
NOT_APPROVED = QT_TRANSLATE_NOOP(
    "RunOutcome",
    "No image was approved after {versions} prompt version(s) x {attempts} attempt(s); "
    "{kept} image(s) kept.",
)
NOT_APPROVED_BEST = QT_TRANSLATE_NOOP(
    "RunOutcome",
    "No image was approved after {versions} prompt version(s) x {attempts} attempt(s); "
    "{kept} image(s) kept. Best, not approved: {label} ({badge}).",
)
NOT_APPROVED_BEST_MISSES = QT_TRANSLATE_NOOP(
    "RunOutcome",
    "No image was approved after {versions} prompt version(s) x {attempts} attempt(s); "
    "{kept} image(s) kept. Best, not approved: {label} ({badge}); {misses}.",
)
CANCELLED = QT_TRANSLATE_NOOP("RunOutcome", "Cancelled; {kept} image(s) kept.")
CANCELLED_AT_ONCE = QT_TRANSLATE_NOOP(
    "RunOutcome", "Cancelled at once (asked twice); {kept} image(s) kept."
)
BUDGET = QT_TRANSLATE_NOOP("RunOutcome", "Stopped at the budget: {reason}. {kept} image(s) kept.")
BUDGET_BEST = QT_TRANSLATE_NOOP(
    "RunOutcome",
    "Stopped at the budget: {reason}. {kept} image(s) kept. Best, not approved: {label} ({badge}).",
)
SERVICE_FAILED = QT_TRANSLATE_NOOP("RunOutcome", "{message} {hint}")
NOT_SAVED = QT_TRANSLATE_NOOP("RunOutcome", "An image could not be saved to {path}: {reason}")
NOT_SAVED_TO_DISK = QT_TRANSLATE_NOOP("RunOutcome", "An image could not be saved to disk: {reason}")
NOT_RECORDED = QT_TRANSLATE_NOOP("RunOutcome", "The history could not record {event}: {error}")
UNEXPECTED = QT_TRANSLATE_NOOP("RunOutcome", "Unexpected error: {error}")
IMAGE_LABEL = QT_TRANSLATE_NOOP(
    "RunOutcome", "prompt version {version}, attempt {attempt}, image {image}"
)
"""``ImageRef.label`` in words and values (a test keeps the two the same)."""

# What an attempt's events say (``AttemptFailed``/``AttemptNote.message``): English in the
# history, logs and the headless command, the window's language in the window.
ATTEMPTS = "Attempts"
NO_IMAGE = QT_TRANSLATE_NOOP("Attempts", "{model} returned no image.")
EXTRA_IMAGES = QT_TRANSLATE_NOOP(
    "Attempts", "{model} returned {count} images for {asked} asked; the {extra} extra were ignored."
)
NOT_USABLE = QT_TRANSLATE_NOOP(
    "Attempts",
    "Image {number} is not a usable image ({reason}); kept for inspection as {name}, not judged.",
)
ABANDONED = QT_TRANSLATE_NOOP(
    "Attempts",
    "{why}; the call was abandoned (an image that still arrives is kept, not judged).",
)
CANCELLED_IN_FLIGHT = QT_TRANSLATE_NOOP(
    "Attempts", "The run was cancelled while this call was in flight"
)
NO_ANSWER = QT_TRANSLATE_NOOP("Attempts", "{model} gave no answer within {seconds} s")
ARRIVED_LATE = QT_TRANSLATE_NOOP(
    "Attempts", "The answer arrived after the call was abandoned; {label} was kept, not judged."
)


@dataclass(frozen=True)
class CallDeadlines:
    """How long the loop waits for one call before it abandons it and moves on.

    The SDK's read timeout bounds each socket read, not a whole call: a service that
    trickles a byte a minute never trips it. These are the loop's own bounds, above the
    slowest answer the documented models give (premium multi-image generations take about
    a minute; judge and reviser answers seconds).
    """

    generation: float = 300.0
    judge: float = 120.0
    revise: float = 120.0


@dataclass
class RunResult:
    run_id: str
    outcome: ev.Outcome
    message: str
    """How the run ended, in English (history, JSON, the headless command)."""
    approved: ev.Candidate | None
    candidates: list[ev.Candidate]
    prompts: list[str]
    verdicts: dict[ev.ImageRef, ev.Verdict] = field(default_factory=dict)
    uploads: dict[ev.ImageRef, UploadOutcome] = field(default_factory=dict)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # Checklist judging: the checklist in force at the end, and the best candidate named
    # when none was approved.
    checklist: Checklist | None = None
    best: ev.BestChosen | None = None
    # What the run's calls cost (None without a price table); the meter's reckoning.
    spent: Cost | None = None
    words: Phrase | str = ""
    """``message`` with its values apart (a Phrase; plain text where its cause gave none),
    for the window to show in its language (``gui.i18n.shown``)."""


def s3_key(prefix: str, stamp: str, ref: ev.ImageRef, images_per_attempt: int) -> str:
    """The seed's key layout; an image index only when one call returns several images."""
    suffix = f"-{ref.index}" if images_per_attempt > 1 else ""
    return f"{prefix}-{stamp}-{ref.revision:03d}-{ref.attempt:03d}{suffix}.png"


class ImageLoop:
    """One run. Construct, call ``run()`` once on a worker thread, read the RunResult.

    ``emit`` is called from the loop's threads (the loop, the judge pool and the uploader),
    one event at a time under a lock, so a consumer sees a single ordered stream.
    """

    def __init__(
        self,
        params: RunParams,
        spec: ImageModelSpec,
        *,
        generator: ImageGenerator,
        chat: ChatModel,
        store: ImageStore,
        uploader: Uploader | None = None,
        emit: Callable[[ev.Event], None] | None = None,
        recorder: Callable[[ev.Event], None] | None = None,
        cancel: CancelToken | None = None,
        rng: random.Random | None = None,
        run_id: str | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        deadlines: CallDeadlines | None = None,
        checklist_origin: ev.ChecklistOrigin = ev.ChecklistOrigin.GIVEN,
        prices: PriceTable | None = None,
        meter: Meter | None = None,
    ) -> None:
        # The seed's Titan-named fields fitted to this model: said, recorded, never refused.
        self.params, self.notes = fit_to_model(params, spec)
        params = self.params
        self.spec = spec
        self.generator = generator
        self.chat = chat
        self.store = store
        self.uploader = uploader
        self.cancel = cancel or CancelToken()
        self._emit_to = emit or (lambda _e: None)
        self._record = recorder
        self._rng = rng or random.SystemRandom()
        self._lock = threading.RLock()
        self._now = now
        self.deadlines = deadlines or CallDeadlines()
        self._first_approved: ev.Candidate | None = None
        # Checklist judging (issue 12): the checklist in force, changed by ``set_checklist``
        # between judgements; each judgement uses the one in force when it starts.
        self._checklist_mode = params.uses_checklist
        self._checklist = params.checklist if self._checklist_mode else None
        self._checklist_origin = checklist_origin
        self._checks_by_revision: dict[int, list[ItemVerdicts]] = {}
        # Costs (issue 13): every call is priced; with caps, a call whose worst case would
        # pass one is not started. Without a price table nothing is counted.
        self._prices = prices
        self._meter = meter if meter is not None or prices is None else Meter()
        if self._meter is not None and self._meter.capped and prices is None:
            raise ValueError("a budget needs a price table")
        self._finished = False  # after RunFinished, late answers only reach the disk
        self._max_pixels = max_pixels(spec)
        started = now()
        self._stamp = started.strftime("%Y%m%d%H%M%S")
        self.result = RunResult(
            run_id=run_id or f"{self._stamp}-{uuid.uuid4().hex[:8]}",
            outcome=ev.Outcome.ERROR,
            message="",
            approved=None,
            candidates=[],
            prompts=[params.prompt],
            started_at=started,
        )

    # -- public -------------------------------------------------------------------------

    def run(self) -> RunResult:
        p = self.params
        r = self.result
        said: Phrase | str
        try:
            self._emit(
                ev.RunStarted(
                    run_id=r.run_id,
                    prompt=p.prompt,
                    image_model_id=self.generator.model_id,
                    judge_model_id=self.chat.model_id,
                    max_attempts=p.max_retry_attempts,
                    max_revisions=p.max_prompt_revisions,
                    image_region=self.generator.region,
                    judge_region=self.chat.region,
                    notes=self.notes,
                )
            )
            if self._checklist_mode:
                self._prepare_checklist()
            r.outcome, said = self._run_prompts()
        except Cancelled:
            r.outcome, said = ev.Outcome.CANCELLED, _said(CANCELLED, kept=len(r.candidates))
        except BudgetReached as exc:
            r.outcome, said = ev.Outcome.BUDGET, self._budget_message(exc)
        except ServiceError as exc:
            r.outcome, said = ev.Outcome.ERROR, _service_failed(exc)
        except RecordingError as exc:
            r.outcome, said = ev.Outcome.ERROR, exc.phrase
        except OSError as exc:
            r.outcome, said = ev.Outcome.ERROR, _not_saved(exc)
        except Exception as exc:  # a bug must not discard what the run produced
            log.exception("run %s failed unexpectedly", r.run_id)
            r.outcome, said = ev.Outcome.ERROR, _said(UNEXPECTED, error=repr(exc))
        drain = UPLOAD_DRAIN_SECONDS
        if self.cancel.cancelled:
            drain = 0.0 if self.cancel.forced else CANCEL_UPLOAD_DRAIN_SECONDS
        if self.uploader is not None and not self.uploader.drain(drain):
            log.warning("run %s: uploads still pending after %ss", r.run_id, drain)
        if self.cancel.forced and r.outcome is ev.Outcome.CANCELLED:
            said = _said(CANCELLED_AT_ONCE, kept=len(r.candidates))
        r.words, r.message = said, str(said)
        r.checklist = self._checklist
        r.spent = self._meter.spent if self._meter is not None else None
        finished = ev.RunFinished(
            run_id=r.run_id,
            outcome=r.outcome,
            message=r.message,
            approved=r.approved,
            candidates=tuple(r.candidates),
            best=r.best.candidate if r.best is not None else None,
            spent=r.spent,
        )
        with self._lock:
            try:
                self._emit(finished)
            except RecordingError:  # already the run's message, or it failed only now
                log.exception("run %s: the history did not record its end", r.run_id)
            self._finished = True
        return r

    def set_checklist(self, checklist: Checklist) -> None:
        """A person's edit, from any thread: judgements that start from now on use it;
        those under way finish against the one they started with."""
        if not self.params.uses_checklist:
            raise ValueError('this run judges the whole prompt (judge_mode "verdict")')
        with self._lock:
            if self._finished or checklist == self._checklist:
                return
            self._checklist = checklist
            self._checklist_mode = True  # also after a checklist that could not be written
            self._emit(ev.ChecklistSet(checklist, ev.ChecklistOrigin.EDITED))

    @property
    def checklist(self) -> Checklist | None:
        with self._lock:
            return self._checklist

    # -- steps ----------------------------------------------------------------------------

    def _prepare_checklist(self) -> None:
        """The checklist before the first judgement: the one given, else one written by the
        judge model (``ask_for_checklist``, each call bounded by the revise deadline and
        cancel). One that cannot be written leaves the run judging the whole prompt, on
        record, rather than ending it."""
        if self._checklist is not None:
            self._emit(ev.ChecklistSet(self._checklist, self._checklist_origin))
            return

        def ask(request: str) -> ModelReply:
            self._check_cancel()
            purpose = _Purpose(ev.CallKind.CHECKLIST)
            call = _spawn(self._ask, purpose, request, self.params.revise_settings)
            reply = self._await(call, self.deadlines.revise)
            if reply is None:
                raise AttemptFailedError(f"no answer within {self.deadlines.revise:g} s")
            return reply

        answer = ask_for_checklist(self.params.prompt, ask)
        with self._lock:
            if self._checklist is not None:  # a person's checklist, set meanwhile, wins
                return
            if answer.checklist is not None:
                self._checklist = answer.checklist
                origin = ev.ChecklistOrigin.WRITTEN
                self._emit(self._checklist_event(answer.checklist, origin, answer.replies))
                return
            self._checklist_mode = False
            self._emit(
                self._checklist_event(
                    None,
                    ev.ChecklistOrigin.FAILED,
                    answer.replies,
                    error=f"The checklist could not be written ({answer.error}); each image "
                    "is judged YES/NO against the whole prompt instead.",
                )
            )

    def _checklist_event(
        self,
        checklist: Checklist | None,
        origin: ev.ChecklistOrigin,
        replies: Sequence[ModelReply],
        *,
        error: str = "",
    ) -> ev.ChecklistSet:
        last = replies[-1] if replies else None
        return ev.ChecklistSet(
            checklist,
            origin,
            model_id=last.model_id if last else self.chat.model_id,
            raw=bounded(last.text, total=last.truncated_from) if last else "",
            error=error,
            notes=in_turn(*(r.note for r in replies)),
            input_tokens=_total(r.input_tokens for r in replies),
            output_tokens=_total(r.output_tokens for r in replies),
        )

    def _run_prompts(self) -> tuple[ev.Outcome, Phrase]:
        p = self.params
        prompt = p.prompt
        for revision in range(p.max_prompt_revisions + 1):
            approved, reasons = _PromptRound(self, revision, prompt).run()
            if approved is not None:
                self.result.approved = approved
                return ev.Outcome.APPROVED, _said(APPROVED, label=_label(approved.ref))
            if revision < p.max_prompt_revisions:
                prompt = self._revise(revision + 1, prompt, reasons)
        counts = {
            "versions": p.max_prompt_revisions + 1,
            "attempts": p.max_retry_attempts,
            "kept": len(self.result.candidates),
        }
        best = self._name_best()
        if best is None:
            return ev.Outcome.NOT_APPROVED, _said(NOT_APPROVED, **counts)
        named = {"label": _label(best.candidate.ref), "badge": best.decision.badge}
        if best.misses:
            said = _said(NOT_APPROVED_BEST_MISSES, **counts, **named, misses=best.misses)
        else:
            said = _said(NOT_APPROVED_BEST, **counts, **named)
        return ev.Outcome.NOT_APPROVED, said

    def _name_best(self) -> ev.BestChosen | None:
        """The best image under the checklist in force: most musts met, then shoulds; a tie
        is broken by one comparison asked in both orders, so position bias reads as a tie
        and the earliest image is named."""
        checklist = self._checklist
        if not self._checklist_mode or checklist is None:
            return None
        judged: list[tuple[ev.Candidate, Decision]] = []
        for candidate in self.result.candidates:
            verdict = self.result.verdicts.get(candidate.ref)
            if verdict is not None and verdict.checks is not None:
                judged.append((candidate, decide(checklist, verdict.checks)))
        tied = leaders([d for _, d in judged])
        if not tied:
            return None
        chosen, how = tied[0], "rank"
        if len(tied) > 1:
            a, b = judged[tied[0]][0], judged[tied[1]][0]
            winner, how = self._compare(checklist, a, b)
            chosen = tied[1] if winner == "b" else tied[0]
        candidate, decision = judged[chosen]
        best = ev.BestChosen(candidate, decision, decision.misses(checklist), how)
        self.result.best = best
        self._emit(best)
        return best

    def _compare(self, checklist: Checklist, a: ev.Candidate, b: ev.Candidate) -> tuple[str, str]:
        """Which of two tied images meets the request better: one comparison, asked with
        each image first. Returns ("a" | "b" | "tie", how it was decided)."""
        size = self.params.judge_image_max_side
        first = judge_copy(a.path.read_bytes(), size).data
        second = judge_copy(b.path.read_bytes(), size).data
        question = pairwise_prompt(self.params.prompt, checklist)
        answers = []
        for images in ((first, second), (second, first)):
            self._check_cancel()
            call = _spawn(
                self._ask,
                _Purpose(ev.CallKind.COMPARE),
                question,
                self.params.validate_settings,
                images,
            )
            try:
                reply = self._await(call, self.deadlines.judge)
                if reply is None:
                    return "tie", "tie: the comparison gave no answer; the earliest is named"
                answers.append(parse_pairwise(encodable(reply.text)))
            except BudgetReached:
                return "tie", "tie: the budget left no room to compare them; the earliest is named"
            except (AttemptFailedError, ModelOutputError) as exc:
                return "tie", f"tie: the comparison failed ({exc}); the earliest is named"
        winner = resolve_tie(answers[0], answers[1])
        if winner == "tie":
            return "tie", (
                "tie: the comparison did not pick the same image in both orders; "
                "the earliest is named"
            )
        return winner, "comparison"

    def _request(self, prompt: str) -> GenerationRequest:
        p = self.params
        return GenerationRequest(
            prompt=prompt,
            width=p.titan_img_width,
            height=p.titan_img_height,
            cfg_scale=p.titan_img_cfg_scale,
            number_of_images=p.titan_img_number_of_images,
            seed=p.titan_img_seed or self._rng.randint(0, self.spec.seed_max),
        )

    def _generate(
        self, revision: int, attempt: int, request: GenerationRequest
    ) -> list[GeneratedImage]:
        """The images of one call (on a call thread). Raises PromptRefusedError when the model
        declined; the scheduler records failures, so an abandoned call records nothing."""
        purpose = _Purpose(ev.CallKind.GENERATE, revision, attempt)
        asked = ImageCall(
            self.generator.model_id,
            request.width,
            request.height,
            request.number_of_images,
            self.generator.region,
        )
        with self._lock:  # the gate: decided and announced atomically with approvals
            self._may_call()
            reservation = self._reserve(purpose, asked)
            self._emit(ev.AttemptStarted(revision=revision, attempt=attempt, request=request))
        try:
            images = self.generator.generate(request)
        except BaseException:
            self._release(reservation)
            raise
        returned = dataclasses.replace(asked, images=min(len(images), request.number_of_images))
        self._settle(reservation, purpose, returned)
        return images

    def _inspect(self, image: GeneratedImage) -> ImageInfo:
        """Decode the image fully; raises BadImageError. A signature proves nothing: a
        truncated file or a decompression bomb must never be judged or approved."""
        return check_image(image.data, max_pixels=self._max_pixels)

    def _keep(
        self,
        ref: ev.ImageRef,
        image: GeneratedImage,
        prompt: str,
        returned: int,
        info: ImageInfo,
    ) -> ev.Candidate:
        """Disk first: the image exists locally before it is judged, uploaded or shown.
        ``returned`` is how many images the call gave (an untrusted count), so two images
        never share an S3 key even when more came back than were asked for."""
        stored = self.store.save(self.result.run_id, image_name(ref), image.data)
        key = ""
        if self.uploader is not None:
            key = s3_key(
                self.params.output_s3_key_prefix,
                self._stamp,
                ref,
                max(returned, self.params.titan_img_number_of_images),
            )
        candidate = ev.Candidate(
            ref=ref,
            path=stored.path,
            sha256=stored.sha256,
            size_bytes=stored.size_bytes,
            width=info.width,
            height=info.height,
            seed=image.seed,
            prompt=prompt,
            s3_key=key,
        )
        with self._lock:
            self.result.candidates.append(candidate)
            self._emit(ev.ImageStored(candidate))
        if self.uploader is not None:
            self.uploader.submit(stored.path, key, lambda outcome: self._uploaded(ref, outcome))
        return candidate

    def _keep_bad(self, ref: ev.ImageRef, image: GeneratedImage) -> str:
        """Bytes that are not a usable image, kept for inspection under a name no viewer,
        export or upload takes for an image; returns the file name."""
        name = bad_image_name(ref)
        self.store.save(self.result.run_id, name, image.data)
        return name

    def _late_images(self, revision: int, attempt: int, prompt: str, future: Future[Any]) -> None:
        """An abandoned generation answered after all: its images are kept (not judged).
        After the run ended they only reach the disk, where the next history check adopts
        them into this run by their names."""
        try:
            images = future.result()
        except BaseException as exc:  # the abandoned call failed late: nothing to keep
            log.info("run %s: an abandoned call ended with %r", self.result.run_id, exc)
            return
        asked = self.params.titan_img_number_of_images
        with self._lock:
            for index, image in enumerate(images[:asked]):
                ref = ev.ImageRef(revision, attempt, index)
                try:
                    info = self._inspect(image)
                    if self._finished:
                        self.store.save(self.result.run_id, image_name(ref), image.data)
                        continue
                    self._keep(ref, image, prompt, len(images), info)
                    late = _attempts(ARRIVED_LATE, label=_label(ref))
                    self._emit(ev.AttemptNote(revision, attempt, late))
                except Exception:
                    log.exception("run %s: a late image was not kept", self.result.run_id)

    def _uploaded(self, ref: ev.ImageRef, outcome: UploadOutcome) -> None:
        with self._lock:
            self.result.uploads[ref] = outcome
            if outcome.ok:
                self._emit(ev.UploadDone(ref=ref, bucket=outcome.bucket, key=outcome.key))
            else:
                self._emit(
                    ev.UploadFailed(
                        ref=ref, bucket=outcome.bucket, key=outcome.key, message=outcome.error
                    )
                )

    def _judge(self, candidate: ev.Candidate) -> _Judgement:
        """Ask the judge (on a call thread), once more for an unreadable answer. Nothing is
        recorded here: the scheduler records, so a judgement past its deadline is dropped."""
        copy = judge_copy(candidate.path.read_bytes(), self.params.judge_image_max_side)
        with self._lock:
            self._may_call()
            checklist = self._checklist if self._checklist_mode else None
            self._emit(ev.JudgingStarted(candidate.ref))
        ref = candidate.ref
        purpose = _Purpose(ev.CallKind.JUDGE, ref.revision, ref.attempt, ref.index)
        ask = self._judge_asker(purpose, copy.data)
        if checklist is not None:
            judged = judge_items(self.params.prompt, checklist, ask)
            return _Judgement(
                _RESULTS[judged.decision.result],
                str(reason_words(judged.decision, checklist)),
                list(judged.replies),
                copy.note,
                judged.checks,
                judged.decision,
                checklist,
            )
        question = judge_prompt(self.params.prompt)
        replies: list[ModelReply] = []
        error: ModelOutputError | None = None
        for _ in range(2):  # one retry for an unreadable answer, then an explicit error
            replies.append(ask(question))
            try:
                result, reason = parse_verdict(encodable(replies[-1].text))
            except ModelOutputError as exc:
                error = exc
                continue
            return _Judgement(result, reason, replies, copy.note)
        return _Judgement(
            ev.VerdictResult.ERROR,
            f"The judge's answer could not be read, twice: {error}",
            replies,
            copy.note,
        )

    def _judge_asker(self, purpose: _Purpose, image: bytes) -> Callable[[str], ModelReply]:
        """The judge's calls for one image. The first was let through by ``_judge``'s gate,
        atomically with JudgingStarted; an ask again passes the gate itself, so none starts
        after a cancel or an approval."""
        asked = False

        def ask(question: str) -> ModelReply:
            nonlocal asked
            if asked:
                with self._lock:
                    self._may_call()
            asked = True
            return self._ask(purpose, question, self.params.validate_settings, image)

        return ask

    def _record_verdict(self, candidate: ev.Candidate, judgement: _Judgement) -> ev.Verdict:
        replies = judgement.replies
        verdict = ev.Verdict(
            result=judgement.result,
            reason=bounded(judgement.reason, MAX_REASON_CHARS),
            raw=bounded(replies[-1].text, total=replies[-1].truncated_from) if replies else "",
            model_id=replies[-1].model_id if replies else self.chat.model_id,
            input_tokens=_total(r.input_tokens for r in replies),
            output_tokens=_total(r.output_tokens for r in replies),
            judge_image_note=judgement.judge_image_note,
            notes=in_turn(*(r.note for r in replies)),
            checks=judgement.checks,
            decision=judgement.decision,
            checklist=judgement.checklist,
        )
        with self._lock:
            self.result.verdicts[candidate.ref] = verdict
            if judgement.checks is not None:
                revision = candidate.ref.revision
                self._checks_by_revision.setdefault(revision, []).append(judgement.checks)
            if verdict.approved and self._first_approved is None:
                # Set before the event goes out, so whatever reacts to it already finds
                # the run stopping and no call starts after an approval.
                self._first_approved = candidate
            self._emit(ev.VerdictReceived(candidate.ref, verdict, retried=len(replies) > 1))
        return verdict

    def _revise(self, revision: int, latest: str, reasons: list[str]) -> str:
        """A new prompt from the latest one; an unreadable or missing answer keeps ``latest``,
        on record."""
        self._check_cancel()
        self._emit(ev.RevisionStarted(revision=revision, reasons=tuple(reasons)))
        request = self._revision_request(latest, reasons)
        error = ""
        raw = ""
        notes: list[str | Phrase] = []
        for tries in range(2):
            if tries:
                self._check_cancel()
            purpose = _Purpose(ev.CallKind.REVISE, revision)
            call = _spawn(self._ask, purpose, request, self.params.revise_settings)
            try:
                reply = self._await(call, self.deadlines.revise)
            except AttemptFailedError as exc:  # the reviser timed out on the service's side
                error = f"{exc}; the previous prompt is kept."
                break
            if reply is None:
                error = (
                    f"The reviser gave no answer within {self.deadlines.revise:g} s; the "
                    "previous prompt is kept."
                )
                break
            raw = bounded(reply.text, total=reply.truncated_from)
            if reply.note:
                notes.append(reply.note)
            try:
                revised = fit_to_limit(
                    parse_revision(encodable(reply.text)), self.spec.prompt_max_chars
                )
            except ModelOutputError as exc:
                error = (
                    "The reviser's answer could not be read, twice; the previous prompt is "
                    f"kept: {exc}"
                )
                continue
            self.result.prompts.append(revised)
            self._emit(
                ev.PromptRevised(
                    revision,
                    revised,
                    latest,
                    tuple(reasons),
                    ok=True,
                    raw=raw,
                    notes=in_turn(*notes),
                )
            )
            return revised
        self.result.prompts.append(latest)
        self._emit(
            ev.PromptRevised(
                revision,
                latest,
                latest,
                tuple(reasons),
                ok=False,
                raw=raw,
                error=error,
                notes=in_turn(*notes),
            )
        )
        return latest

    def _revision_request(self, latest: str, reasons: list[str]) -> str:
        """Under a checklist the reviser sees what failed and what was unsure, with the
        judge's evidence and each version's score, and is told to keep what passed."""
        with self._lock:
            checklist = self._checklist if self._checklist_mode else None
            checks = {k: list(v) for k, v in self._checks_by_revision.items()}
        if checklist is None:
            return revise_prompt(
                original=self.params.prompt, latest=latest, reasons=reasons, spec=self.spec
            )
        prompts = self.result.prompts
        versions = [(prompts[n], checks.get(n, [])) for n in range(len(prompts))]
        return revise_checklist_prompt(
            original=self.params.prompt,
            latest=latest,
            brief=revision_brief(checklist, versions),
            spec=self.spec,
        )

    # -- paying for calls -------------------------------------------------------------------

    def _ask(
        self,
        purpose: _Purpose,
        question: str,
        settings: InferenceSettings,
        image_png: bytes | tuple[bytes, ...] | None = None,
    ) -> ModelReply:
        """One Converse call, priced: its worst case is held before it starts (refused past a
        cap: BudgetReached), and what the service reported is counted after it."""
        images = (image_png,) if isinstance(image_png, bytes) else image_png or ()
        request = TextRequest(
            self.chat.model_id,
            question,
            settings.max_tokens,
            tuple(size for data in images if (size := png_size(data)) is not None),
            self.chat.region,
        )
        with self._lock:
            reservation = self._reserve(purpose, request)
        try:
            reply = self.chat.ask(question, settings, image_png)
        except BaseException:
            self._release(reservation)
            raise
        usage = TokenUsage(reply.input_tokens, reply.output_tokens)
        self._settle(reservation, purpose, TextCall(self.chat.model_id, usage, self.chat.region))
        return reply

    def _reserve(self, purpose: _Purpose, call: ImageCall | TextRequest) -> Reservation | None:
        """Hold the call's worst case; BudgetReached when a cap does not allow it."""
        if self._meter is None or self._prices is None:
            return None
        worst = worst_case_call(call, self._prices)
        reservation = self._meter.reserve(worst, purpose.describe())
        if not reservation:
            raise BudgetReached(reservation.reason)
        return reservation

    def _settle(
        self, reservation: Reservation | None, purpose: _Purpose, call: ImageCall | TextCall
    ) -> None:
        if reservation is None or self._meter is None or self._prices is None:
            return
        cost = call_cost(call, self._prices)
        with self._lock:  # the total and the event in one order with the other events
            self._meter.settle(reservation, cost)
            self._emit(
                ev.Spent(
                    purpose.kind,
                    call.model_id,
                    cost,
                    self._meter.spent,
                    purpose.revision,
                    purpose.attempt,
                    purpose.index,
                )
            )

    def _release(self, reservation: Reservation | None) -> None:
        """A call that failed or never went out: Bedrock bills neither."""
        if reservation is not None and self._meter is not None:
            self._meter.release(reservation)

    def _budget_message(self, exc: BudgetReached) -> Phrase:
        kept = len(self.result.candidates)
        try:
            best = self._name_best()
        except Exception:  # naming the best must not lose the outcome
            log.exception("run %s: the best candidate could not be named", self.result.run_id)
            best = None
        if best is None:
            return _said(BUDGET, reason=str(exc), kept=kept)
        label, badge = _label(best.candidate.ref), best.decision.badge
        return _said(BUDGET_BEST, reason=str(exc), kept=kept, label=label, badge=badge)

    # -- plumbing -------------------------------------------------------------------------

    def _await(self, call: Future[ModelReply], deadline: float) -> ModelReply | None:
        """The call's answer, None past ``deadline``; Cancelled after a cancel and its grace.

        Waits in short slices so a cancel is seen at once whatever the service does.
        """
        ends = time.monotonic() + deadline
        while True:
            if self.cancel.cancelled:
                # The grace is waited in slices too: a second Ctrl-C (force) cuts it short.
                grace_ends = time.monotonic() + CANCEL_GRACE_SECONDS
                while not (self.cancel.forced or call.done()):
                    left = grace_ends - time.monotonic()
                    if left <= 0:
                        break
                    wait([call], timeout=min(left, POLL_SECONDS))
                raise Cancelled
            left = ends - time.monotonic()
            if left <= 0:
                return None
            done, _ = wait([call], timeout=min(left, POLL_SECONDS))
            if done:
                return call.result()

    def _check_cancel(self) -> None:
        if self.cancel.cancelled:
            raise Cancelled

    def _may_call(self) -> None:
        """Called under the lock right before a Bedrock call: none starts after a cancel or
        after an approval (``_Superseded``: the work is dropped, not failed)."""
        self._check_cancel()
        if self._first_approved is not None:
            raise _Superseded

    def _emit(self, event: ev.Event) -> None:
        """The recorder first, and its failure ends the run (the history row is part of
        keeping an image); then the front end, which must not be able to break the run.
        Nothing goes out after RunFinished: an abandoned call's late news is dropped."""
        with self._lock:
            if self._finished:
                name = type(event).__name__
                log.info("run %s ended; dropped a late %s", self.result.run_id, name)
                return
            if self._record is not None:
                try:
                    self._record(event)
                except Exception as exc:
                    raise RecordingError(
                        _said(NOT_RECORDED, event=type(event).__name__, error=str(exc))
                    ) from exc
            try:
                self._emit_to(event)
            except Exception:
                log.exception("event consumer failed on %s", type(event).__name__)


def image_name(ref: ev.ImageRef) -> str:
    """The file name of an image in its run's folder; recovery places orphans by it."""
    return f"{ref.revision:03d}-{ref.attempt:03d}-{ref.index}.png"


def bad_image_name(ref: ev.ImageRef) -> str:
    """Where bytes that did not decode are kept: not ``.png``, so nothing shows or exports
    them as an image."""
    return f"{ref.revision:03d}-{ref.attempt:03d}-{ref.index}.bad"


def max_pixels(spec: ImageModelSpec) -> int:
    """The most pixels an image of ``spec`` may have: twice its largest documented size,
    since some models (Stability's) do not document their exact output sizes."""
    largest = max((w * h for w, h in spec.sizes), default=0)
    if spec.free_size is not None:
        largest = max(largest, spec.free_size.max_pixels)
    return 2 * max(largest, 1024 * 1024)


def png_size(data: bytes) -> tuple[int, int] | None:
    """A PNG's width and height from its header (the judge's copies are PNGs), for the
    worst-case token count of the call that sends it; None for anything else."""
    if len(data) >= 24 and data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None


@dataclass(frozen=True)
class _Purpose:
    """What a paid call is for, so its cost lands on the right row of the history."""

    kind: ev.CallKind
    revision: int | None = None
    attempt: int | None = None
    index: int | None = None

    def describe(self) -> str:
        where = ", ".join(
            f"{name} {value + 1}"
            for name, value in (
                ("prompt version", self.revision),
                ("attempt", self.attempt),
                ("image", self.index),
            )
            if value is not None
        )
        return f"the {self.kind} call" + (f" ({where})" if where else "")


def _spawn(fn: Callable[..., Any], *args: Any) -> Future[Any]:
    """Run one Bedrock call on its own daemon thread.

    Not a pool: a pool's threads are joined at exit and on shutdown, so one hung call would
    hold Cancel, the window's quit and the headless command's exit for its whole timeout.
    An abandoned call's thread ends by itself when the SDK gives up.
    """
    future: Future[Any] = Future()

    def target() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            result = fn(*args)
        except BaseException as exc:
            future.set_exception(exc)
        else:
            future.set_result(result)

    # In the caller's context: whatever the caller set for its calls (a batch item's cancel
    # token, read by the batch's image-call gate) holds on the call's thread too.
    context = contextvars.copy_context()
    threading.Thread(target=context.run, args=(target,), name="imgloop-call", daemon=True).start()
    return future


@dataclass(frozen=True)
class _Judgement:
    result: ev.VerdictResult
    reason: str
    replies: list[ModelReply]
    judge_image_note: str | Phrase = ""  # what was done to fit Converse's limits, if anything
    checks: ItemVerdicts | None = None
    decision: Decision | None = None
    checklist: Checklist | None = None


_RESULTS = {
    Approval.APPROVED: ev.VerdictResult.YES,
    Approval.REJECTED: ev.VerdictResult.NO,
    Approval.REVIEW: ev.VerdictResult.REVIEW,
}


class BudgetReached(Exception):
    """A call would have passed the run's cap or the monthly budget; it was not started."""


class RecordingError(Exception):
    """The history store refused an event; the run stops rather than go on unrecorded."""

    def __init__(self, phrase: Phrase) -> None:
        super().__init__(str(phrase))
        self.phrase = phrase


def _said(template: str, **values: object) -> Phrase:
    """A run's last words: ``template`` is one of the RunOutcome texts above."""
    return Phrase(OUTCOME, template, values)


def _label(ref: ev.ImageRef) -> Phrase:
    """``ref.label`` with its numbers apart, counted from 1 as it is."""
    values = {"version": ref.revision + 1, "attempt": ref.attempt + 1, "image": ref.index + 1}
    return _said(IMAGE_LABEL, **values)


def _attempts(template: str, **values: object) -> Phrase:
    """What an attempt's event says: ``template`` is one of the Attempts texts above."""
    return Phrase(ATTEMPTS, template, values)


def _service_failed(exc: ServiceError) -> Phrase | str:
    """``str(exc)`` (what went wrong, then what to do) with its parts apart."""
    if not exc.advice or not str(exc.explanation):
        return str(exc) if not str(exc.explanation) else exc.explanation
    return Phrase(OUTCOME, SERVICE_FAILED, {"message": exc.explanation, "hint": exc.advice})


def _not_saved(exc: OSError) -> Phrase:
    if exc.filename:
        return _said(NOT_SAVED, path=exc.filename, reason=exc.strerror)
    return _said(NOT_SAVED_TO_DISK, reason=exc.strerror)


class _Superseded(Exception):
    """A call that would start after the run found its approved image: skipped, not failed."""


class _PromptRound:
    """The attempts of one prompt version, scheduled under the run's concurrency settings.

    With ``candidates_in_flight`` = 1 and no speculation this is the seed's order exactly:
    generate, then judge every image, then the next attempt. More in flight starts further
    attempts while earlier ones are generating or being judged; speculation starts the next
    generation as soon as no generation is running. The first approval stops new calls; what
    is still under way finishes and is recorded, unused. All calls share one boto3 client,
    whose adaptive retry mode paces every thread together when Bedrock throttles.

    Every call has a deadline; one past it is abandoned (its attempt fails, or its image
    gets an ERROR verdict) and the round goes on. A cancel gives calls in flight a short
    grace, then abandons them, so the round ends within about two seconds.
    """

    def __init__(self, loop: ImageLoop, revision: int, prompt: str) -> None:
        self.loop = loop
        self.revision = revision
        self.prompt = prompt
        # future -> (attempt, monotonic start)
        self.generating: dict[Future[list[GeneratedImage]], tuple[int, float]] = {}
        # future -> (candidate, monotonic start)
        self.judging: dict[Future[_Judgement], tuple[ev.Candidate, float]] = {}
        self.started = 0
        self.reasons: list[str] = []
        self.error: BaseException | None = None

    def run(self) -> tuple[ev.Candidate | None, list[str]]:
        while True:
            self._start_what_may_start()
            if not self.generating and not self.judging:
                break
            if self.loop.cancel.cancelled:
                self._wind_down()
                break
            under_way: list[Future[Any]] = [*self.generating, *self.judging]
            done, _ = wait(under_way, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                self._collect(future)
            self._expire()
        approved = self.loop._first_approved
        if approved is not None:  # the first YES ends the run, whatever happened after it
            return approved, self.reasons
        if self.error is not None:
            raise self.error
        self.loop._check_cancel()
        return None, self.reasons

    def _stopping(self) -> bool:
        loop = self.loop
        return loop._first_approved is not None or self.error is not None or loop.cancel.cancelled

    def _start_what_may_start(self) -> None:
        p = self.loop.params
        while not self._stopping() and self.started < p.max_retry_attempts:
            in_flight = {a for a, _ in self.generating.values()} | {
                c.ref.attempt for c, _ in self.judging.values()
            }
            limit = p.candidates_in_flight
            if p.speculative_next and not self.generating:
                limit += 1
            if len(in_flight) >= limit:
                return
            request = self.loop._request(self.prompt)
            future = _spawn(self.loop._generate, self.revision, self.started, request)
            self.generating[future] = (self.started, time.monotonic())
            self.started += 1

    def _wind_down(self) -> None:
        """After a cancel: a short grace for calls in flight (what lands is kept), then the
        rest are abandoned. A forced cancel gives no grace."""
        loop = self.loop
        grace = 0.0 if loop.cancel.forced else CANCEL_GRACE_SECONDS
        ends = time.monotonic() + grace
        while self.generating or self.judging:
            left = ends - time.monotonic()
            if left <= 0 or loop.cancel.forced:
                break
            under_way: list[Future[Any]] = [*self.generating, *self.judging]
            done, _ = wait(under_way, timeout=min(left, POLL_SECONDS), return_when=FIRST_COMPLETED)
            for future in done:
                self._collect(future)
        for future, (attempt, _) in list(self.generating.items()):
            self._abandon_generation(future, attempt, _attempts(CANCELLED_IN_FLIGHT))
        self.generating.clear()
        self.judging.clear()  # those images stay kept, unjudged

    def _expire(self) -> None:
        loop = self.loop
        now = time.monotonic()
        limits = loop.deadlines
        for future, (attempt, started) in list(self.generating.items()):
            if now - started > limits.generation:
                del self.generating[future]
                model, seconds = loop.generator.model_id, f"{limits.generation:g}"
                why = _attempts(NO_ANSWER, model=model, seconds=seconds)
                self._abandon_generation(future, attempt, why)
        for judging, (candidate, started) in list(self.judging.items()):
            if now - started > limits.judge:
                del self.judging[judging]
                reason = (
                    f"The judge ({loop.chat.model_id}) gave no answer within {limits.judge:g} s; "
                    "the call was abandoned."
                )
                loop._record_verdict(candidate, _Judgement(ev.VerdictResult.ERROR, reason, []))

    def _abandon_generation(self, future: Future[Any], attempt: int, why: Phrase) -> None:
        loop = self.loop
        loop._emit(ev.AttemptFailed(self.revision, attempt, _attempts(ABANDONED, why=why)))
        future.add_done_callback(
            lambda done: loop._late_images(self.revision, attempt, self.prompt, done)
        )

    def _collect(self, future: Future[Any]) -> None:
        loop = self.loop
        if future in self.generating:
            attempt, _ = self.generating.pop(future)
            try:
                images = future.result()
            except _Superseded:
                return
            except PromptRefusedError as exc:
                loop._emit(ev.AttemptFailed(self.revision, attempt, message=exc.explanation))
                self.reasons.append(f"The image model refused the prompt: {exc}")
                return
            except AttemptFailedError as exc:  # counted, but says nothing about the prompt
                loop._emit(ev.AttemptFailed(self.revision, attempt, message=exc.explanation))
                return
            except ServiceError as exc:  # on the attempt's record too, not only the run's
                said = _service_failed(exc)
                loop._emit(ev.AttemptFailed(self.revision, attempt, message=said))
                self._fail(exc)
                return
            except BaseException as exc:
                self._fail(exc)
                return
            self._take_images(attempt, images)
            return
        candidate, _ = self.judging.pop(future)
        try:
            judgement = future.result()
        except _Superseded:
            return
        except AttemptFailedError as exc:  # the judge timed out: this image stays unjudged
            judgement = _Judgement(ev.VerdictResult.ERROR, str(exc), [])
        except ServiceError as exc:
            ref = candidate.ref
            said = _service_failed(exc)
            loop._emit(ev.AttemptFailed(ref.revision, ref.attempt, message=said))
            self._fail(exc)
            return
        except BaseException as exc:
            self._fail(exc)
            return
        try:
            verdict = loop._record_verdict(candidate, judgement)
        except Exception as exc:
            self._fail(exc)
            return
        if not verdict.approved:
            self.reasons.append(verdict.reason)

    def _take_images(self, attempt: int, images: list[GeneratedImage]) -> None:
        """Keep every usable image of one answer and send it to the judge. More images than
        asked are ignored; bytes that do not decode are kept for inspection, never judged."""
        loop = self.loop
        asked = loop.params.titan_img_number_of_images
        model = loop.generator.model_id
        notes: list[Phrase] = []
        if len(images) > asked:
            count, extra = len(images), len(images) - asked
            notes.append(
                _attempts(EXTRA_IMAGES, model=model, count=count, asked=asked, extra=extra)
            )
            images = images[:asked]
        kept = 0
        for index, image in enumerate(images):
            ref = ev.ImageRef(self.revision, attempt, index)
            try:
                try:
                    info = loop._inspect(image)
                except BadImageError as exc:
                    name = loop._keep_bad(ref, image)
                    notes.append(
                        _attempts(NOT_USABLE, number=index + 1, reason=str(exc), name=name)
                    )
                    continue
                candidate = loop._keep(ref, image, self.prompt, len(images), info)
            except Exception as exc:  # keep collecting: the other calls were paid for
                self._fail(exc)
                continue
            kept += 1
            if not self._stopping():
                self.judging[_spawn(loop._judge, candidate)] = (candidate, time.monotonic())
        if kept == 0 and self.error is None:
            message = in_turn(*notes) or _attempts(NO_IMAGE, model=model)
            loop._emit(ev.AttemptFailed(self.revision, attempt, message=message))
        elif notes:
            loop._emit(ev.AttemptNote(self.revision, attempt, in_turn(*notes)))

    def _fail(self, exc: BaseException) -> None:
        if self.error is None:
            self.error = exc


def _total(values: Iterable[int | None]) -> int | None:
    numbers = [v for v in values if v is not None]
    return sum(numbers) if numbers else None

"""The generate → keep → judge → revise loop, free of Qt and boto3.

Everything it touches comes in through the constructor, so the same code runs in the
desktop worker thread, the headless command, the Lambda handler and synchronous tests.
Whatever happens — refusal, unreadable answers, a service failure, cancel, a bug — the
run ends with a RunFinished event listing every image already on disk.
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.cancel import Cancelled, CancelToken
from imgloop_desktop.core.errors import ModelOutputError, PromptRefusedError, ServiceError
from imgloop_desktop.core.judge_image import judge_copy
from imgloop_desktop.core.models import ImageModelSpec
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.parsing import parse_revision, parse_verdict
from imgloop_desktop.core.pngs import png_size
from imgloop_desktop.core.prompts import fit_to_limit, judge_prompt, revise_prompt
from imgloop_desktop.core.protocols import (
    ChatModel,
    GeneratedImage,
    GenerationRequest,
    ImageGenerator,
    ImageStore,
    ModelReply,
    Uploader,
    UploadOutcome,
)

log = logging.getLogger(__name__)

UPLOAD_DRAIN_SECONDS = 30.0


@dataclass
class RunResult:
    run_id: str
    outcome: ev.Outcome
    message: str
    approved: ev.Candidate | None
    candidates: list[ev.Candidate]
    prompts: list[str]
    verdicts: dict[ev.ImageRef, ev.Verdict] = field(default_factory=dict)
    uploads: dict[ev.ImageRef, UploadOutcome] = field(default_factory=dict)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))


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
    ) -> None:
        self.params = params
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
        self._first_approved: ev.Candidate | None = None
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
        try:
            self._emit(
                ev.RunStarted(
                    run_id=r.run_id,
                    prompt=p.prompt,
                    image_model_id=self.generator.model_id,
                    judge_model_id=self.chat.model_id,
                    max_attempts=p.max_retry_attempts,
                    max_revisions=p.max_prompt_revisions,
                )
            )
            r.outcome, r.message = self._run_prompts()
        except Cancelled:
            r.outcome = ev.Outcome.CANCELLED
            r.message = f"Cancelled; {len(r.candidates)} image(s) kept."
        except ServiceError as exc:
            r.outcome, r.message = ev.Outcome.ERROR, str(exc)
        except RecordingError as exc:
            r.outcome, r.message = ev.Outcome.ERROR, str(exc)
        except OSError as exc:
            r.outcome = ev.Outcome.ERROR
            r.message = f"An image could not be saved to {exc.filename or 'disk'}: {exc.strerror}"
        except Exception as exc:  # a bug must not discard what the run produced
            log.exception("run %s failed unexpectedly", r.run_id)
            r.outcome, r.message = ev.Outcome.ERROR, f"Unexpected error: {exc!r}"
        if self.uploader is not None and not self.uploader.drain(UPLOAD_DRAIN_SECONDS):
            log.warning("run %s: uploads still pending after %ss", r.run_id, UPLOAD_DRAIN_SECONDS)
        finished = ev.RunFinished(
            run_id=r.run_id,
            outcome=r.outcome,
            message=r.message,
            approved=r.approved,
            candidates=tuple(r.candidates),
        )
        try:
            self._emit(finished)
        except RecordingError:  # already the run's message, or it failed only now
            log.exception("run %s: the history did not record its end", r.run_id)
        return r

    # -- steps ----------------------------------------------------------------------------

    def _run_prompts(self) -> tuple[ev.Outcome, str]:
        p = self.params
        prompt = p.prompt
        # Enough workers that no scheduled call ever waits for a thread.
        workers = (p.candidates_in_flight + 1) * (p.titan_img_number_of_images + 1)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="imgloop") as pool:
            for revision in range(p.max_prompt_revisions + 1):
                approved, reasons = _PromptRound(self, pool, revision, prompt).run()
                if approved is not None:
                    self.result.approved = approved
                    return ev.Outcome.APPROVED, f"Approved {approved.ref.label}."
                if revision < p.max_prompt_revisions:
                    prompt = self._revise(revision + 1, prompt, reasons)
        versions = p.max_prompt_revisions + 1
        return (
            ev.Outcome.NOT_APPROVED,
            f"No image was approved after {versions} prompt version(s) x "
            f"{p.max_retry_attempts} attempt(s); {len(self.result.candidates)} image(s) kept.",
        )

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
    ) -> list[GeneratedImage] | str:
        """The images of one call, or the refusal message when the model declined."""
        with self._lock:  # the gate: decided and announced atomically with approvals
            self._may_call()
            self._emit(ev.AttemptStarted(revision=revision, attempt=attempt, request=request))
        try:
            return self.generator.generate(request)
        except PromptRefusedError as exc:
            self._emit(ev.AttemptFailed(revision=revision, attempt=attempt, message=str(exc)))
            return str(exc)
        except ServiceError as exc:  # on the attempt's record too, not only the run's
            self._emit(ev.AttemptFailed(revision=revision, attempt=attempt, message=str(exc)))
            raise

    def _keep(
        self, ref: ev.ImageRef, image: GeneratedImage, prompt: str, returned: int
    ) -> ev.Candidate:
        """Disk first: the image exists locally before it is judged, uploaded or shown.
        ``returned`` is how many images the call gave (an untrusted count), so two images
        never share an S3 key even when more came back than were asked for."""
        stored = self.store.save(
            self.result.run_id, f"{ref.revision:03d}-{ref.attempt:03d}-{ref.index}.png", image.data
        )
        width, height = png_size(image.data) or (0, 0)
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
            width=width,
            height=height,
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

    def _judge(self, candidate: ev.Candidate) -> ev.Verdict:
        image = judge_copy(candidate.path.read_bytes(), self.params.judge_image_max_side)
        question = judge_prompt(self.params.prompt)
        with self._lock:
            self._may_call()
            self._emit(ev.JudgingStarted(candidate.ref))
        replies: list[ModelReply] = []
        error: ModelOutputError | None = None
        for _ in range(2):  # one retry for an unreadable answer, then an explicit error
            if replies:
                with self._lock:
                    self._may_call()
            try:
                reply = self.chat.ask(question, self.params.validate_settings, image_png=image)
            except ServiceError as exc:
                ref = candidate.ref
                self._emit(ev.AttemptFailed(ref.revision, ref.attempt, message=str(exc)))
                raise
            replies.append(reply)
            try:
                result, reason = parse_verdict(reply.text)
            except ModelOutputError as exc:
                error = exc
                continue
            return self._record_verdict(candidate, result, reason, replies)
        return self._record_verdict(
            candidate,
            ev.VerdictResult.ERROR,
            f"The judge's answer could not be read, twice: {error}",
            replies,
        )

    def _record_verdict(
        self,
        candidate: ev.Candidate,
        result: ev.VerdictResult,
        reason: str,
        replies: list[ModelReply],
    ) -> ev.Verdict:
        verdict = ev.Verdict(
            result=result,
            reason=reason,
            raw=replies[-1].text,
            model_id=replies[-1].model_id,
            input_tokens=_total(r.input_tokens for r in replies),
            output_tokens=_total(r.output_tokens for r in replies),
        )
        with self._lock:
            self.result.verdicts[candidate.ref] = verdict
            if verdict.approved and self._first_approved is None:
                # Set before the event goes out, so whatever reacts to it already finds
                # the run stopping and no call starts after an approval.
                self._first_approved = candidate
            self._emit(ev.VerdictReceived(candidate.ref, verdict, retried=len(replies) > 1))
        return verdict

    def _revise(self, revision: int, latest: str, reasons: list[str]) -> str:
        """A new prompt from the latest one; an unreadable answer keeps ``latest``, on record."""
        self._check_cancel()
        self._emit(ev.RevisionStarted(revision=revision, reasons=tuple(reasons)))
        request = revise_prompt(
            original=self.params.prompt, latest=latest, reasons=reasons, spec=self.spec
        )
        error: ModelOutputError | None = None
        raw = ""
        for tries in range(2):
            if tries:
                self._check_cancel()
            reply = self.chat.ask(request, self.params.revise_settings)
            raw = reply.text
            try:
                revised = fit_to_limit(parse_revision(raw), self.spec.prompt_max_chars)
            except ModelOutputError as exc:
                error = exc
                continue
            self.result.prompts.append(revised)
            self._emit(
                ev.PromptRevised(revision, revised, latest, tuple(reasons), ok=True, raw=raw)
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
                error=f"The reviser's answer could not be read, twice; the previous prompt is "
                f"kept: {error}",
            )
        )
        return latest

    # -- plumbing -------------------------------------------------------------------------

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
        keeping an image); then the front end, which must not be able to break the run."""
        with self._lock:
            if self._record is not None:
                try:
                    self._record(event)
                except Exception as exc:
                    raise RecordingError(
                        f"The history could not record {type(event).__name__}: {exc}"
                    ) from exc
            try:
                self._emit_to(event)
            except Exception:
                log.exception("event consumer failed on %s", type(event).__name__)


class RecordingError(Exception):
    """The history store refused an event; the run stops rather than go on unrecorded."""


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
    """

    def __init__(
        self, loop: ImageLoop, pool: ThreadPoolExecutor, revision: int, prompt: str
    ) -> None:
        self.loop = loop
        self.pool = pool
        self.revision = revision
        self.prompt = prompt
        self.generating: dict[Future[list[GeneratedImage] | str], int] = {}
        self.judging: dict[Future[ev.Verdict], ev.Candidate] = {}
        self.started = 0
        self.reasons: list[str] = []
        self.error: BaseException | None = None

    def run(self) -> tuple[ev.Candidate | None, list[str]]:
        while True:
            self._start_what_may_start()
            if not self.generating and not self.judging:
                break
            under_way: list[Future[Any]] = [*self.generating, *self.judging]
            done, _ = wait(under_way, return_when=FIRST_COMPLETED)
            for future in done:
                self._collect(future)
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
            in_flight = set(self.generating.values()) | {
                c.ref.attempt for c in self.judging.values()
            }
            limit = p.candidates_in_flight
            if p.speculative_next and not self.generating:
                limit += 1
            if len(in_flight) >= limit:
                return
            request = self.loop._request(self.prompt)
            future = self.pool.submit(self.loop._generate, self.revision, self.started, request)
            self.generating[future] = self.started
            self.started += 1

    def _collect(self, future: Future[Any]) -> None:
        if future in self.generating:
            attempt = self.generating.pop(future)
            outcome = self._result(future)
            if isinstance(outcome, str):
                self.reasons.append(f"The image model refused the prompt: {outcome}")
                return
            images = outcome or []
            for index, image in enumerate(images):
                ref = ev.ImageRef(self.revision, attempt, index)
                try:
                    candidate = self.loop._keep(ref, image, self.prompt, len(images))
                except Exception as exc:  # keep collecting: the other calls were paid for
                    self._fail(exc)
                    continue
                if not self._stopping():
                    self.judging[self.pool.submit(self.loop._judge, candidate)] = candidate
            return
        self.judging.pop(future)
        verdict = self._result(future)
        if verdict is not None and not verdict.approved:
            self.reasons.append(verdict.reason)

    def _result(self, future: Future[Any]) -> Any:
        """The future's value; a failure is kept to raise once everything under way is in."""
        try:
            return future.result()
        except _Superseded:
            return None
        except BaseException as exc:
            self._fail(exc)
            return None

    def _fail(self, exc: BaseException) -> None:
        if self.error is None:
            self.error = exc


def _total(values: Iterable[int | None]) -> int | None:
    numbers = [v for v in values if v is not None]
    return sum(numbers) if numbers else None

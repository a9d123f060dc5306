from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.cancel import CancelToken
from imgloop_desktop.core.errors import AttemptFailedError, ServiceError
from imgloop_desktop.core.loop import ImageLoop, RunResult, s3_key
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.protocols import (
    GeneratedImage,
    GenerationRequest,
    InferenceSettings,
    ModelReply,
    UploadOutcome,
)
from imgloop_desktop.storage.local import LocalImageStore
from tests.fakes import SPEC, FakeChat, FakeGenerator, verdict

ORIGINAL = "自然の中から見た夜景、オーロラと月"


class RecordingUploader:
    bucket = "b"

    def __init__(self) -> None:
        self.keys: list[str] = []

    def submit(self, path: Path, key: str, done: Callable[[UploadOutcome], None]) -> None:
        assert path.exists(), "the local copy exists before an upload starts"
        self.keys.append(key)
        done(UploadOutcome(self.bucket, key, ok=not key.endswith("001.png")))

    def drain(self, timeout: float) -> bool:
        return True


def run(
    store: LocalImageStore,
    *,
    attempts: int = 2,
    revisions: int = 1,
    images: int = 1,
    generator: FakeGenerator | None = None,
    chat: FakeChat | None = None,
    cancel: CancelToken | None = None,
    on_event: Callable[[ev.Event], None] | None = None,
    uploader: RecordingUploader | None = None,
) -> tuple[RunResult, list[ev.Event], FakeGenerator, FakeChat]:
    params = RunParams(
        prompt=ORIGINAL,
        max_retry_attempts=attempts,
        max_prompt_revisions=revisions,
        titan_img_number_of_images=images,
        output_s3_key_prefix="gen",
    )
    generator = generator or FakeGenerator()
    chat = chat or FakeChat()
    seen: list[ev.Event] = []

    def emit(event: ev.Event) -> None:
        seen.append(event)
        if on_event:
            on_event(event)

    loop = ImageLoop(
        params,
        SPEC,
        generator=generator,
        chat=chat,
        store=store,
        uploader=uploader,
        emit=emit,
        cancel=cancel,
        rng=random.Random(7),
    )
    return loop.run(), seen, generator, chat


def kinds(events: list[ev.Event]) -> list[str]:
    return [type(e).__name__ for e in events]


def test_counts_follow_the_documentation_not_the_seed_code(store: LocalImageStore) -> None:
    """max_prompt_revisions=M gives M revisions and M+1 prompt versions (the seed ran M-1)."""
    result, events, generator, chat = run(store, attempts=2, revisions=2)
    assert result.outcome is ev.Outcome.NOT_APPROVED
    assert len(generator.requests) == 2 * 3
    assert len(chat.judge_calls) == 6
    assert len(chat.revise_calls) == 2
    assert result.prompts == [ORIGINAL, "revised prompt 1", "revised prompt 2"]
    assert len(result.candidates) == 6
    assert all(c.path.exists() for c in result.candidates)
    assert kinds(events)[0] == "RunStarted"
    assert kinds(events)[-1] == "RunFinished"
    finished = events[-1]
    assert isinstance(finished, ev.RunFinished)
    assert len(finished.candidates) == 6


def test_zero_revisions_means_one_prompt(store: LocalImageStore) -> None:
    result, _, generator, chat = run(store, attempts=3, revisions=0)
    assert len(generator.requests) == 3
    assert chat.revise_calls == []
    assert result.outcome is ev.Outcome.NOT_APPROVED


def test_approval_ends_the_run(store: LocalImageStore) -> None:
    chat = FakeChat(verdicts=["NO", "NO", "YES"])
    result, _, generator, _ = run(store, attempts=2, revisions=3, chat=chat)
    assert result.outcome is ev.Outcome.APPROVED
    assert len(generator.requests) == 3
    assert result.approved is not None
    assert result.approved.ref == ev.ImageRef(revision=1, attempt=0, index=0)
    assert result.approved.prompt == "revised prompt 1"
    assert result.approved.path.read_bytes()[:4] == b"\x89PNG"


def test_judge_always_sees_the_original_prompt(store: LocalImageStore) -> None:
    _, _, _, chat = run(store, attempts=1, revisions=2)
    assert len(chat.judge_calls) == 3
    assert all(ORIGINAL in call for call in chat.judge_calls)
    assert not any("revised prompt 1" in call for call in chat.judge_calls)


def test_judge_template_shows_the_allowed_values(store: LocalImageStore) -> None:
    """The seed's template showed an unrelated sentence where "result" belonged."""
    _, _, _, chat = run(store, attempts=1, revisions=0)
    assert '"result": "YES" or "NO"' in chat.judge_calls[0]
    assert "ingenuity" not in chat.judge_calls[0]


def test_revision_builds_on_the_latest_prompt_with_reasons_and_guide(
    store: LocalImageStore,
) -> None:
    reasons = [verdict("NO", f"reason {n}") for n in range(1, 5)]
    _, _, _, chat = run(store, attempts=2, revisions=2, chat=FakeChat(verdicts=reasons))
    first, second = chat.revise_calls
    assert ORIGINAL in first and ORIGINAL in second
    assert "reason 1" in first and "reason 2" in first
    assert "<latest>\nrevised prompt 1\n</latest>" in second
    assert "reason 3" in second and "reason 1" not in second
    assert SPEC.prompt_guide in first
    assert "at most 512 characters" in first and "English" in first


def test_unreadable_verdict_is_retried_once(store: LocalImageStore) -> None:
    chat = FakeChat(verdicts=["Looks great to me!", "YES"])
    result, events, _, _ = run(store, attempts=1, revisions=0, chat=chat)
    assert result.outcome is ev.Outcome.APPROVED
    verdict_events = [e for e in events if isinstance(e, ev.VerdictReceived)]
    assert [e.retried for e in verdict_events] == [True]
    assert verdict_events[0].verdict.input_tokens == 200


def test_twice_unreadable_verdict_is_a_visible_error(store: LocalImageStore) -> None:
    chat = FakeChat(verdicts=["nope", '{"result": "YES", "reason": "trunc', "YES"])
    result, events, _, _ = run(store, attempts=2, revisions=0, chat=chat)
    verdicts = [e.verdict for e in events if isinstance(e, ev.VerdictReceived)]
    assert verdicts[0].result is ev.VerdictResult.ERROR
    assert "could not be read" in verdicts[0].reason
    assert verdicts[0].raw == '{"result": "YES", "reason": "trunc'
    assert verdicts[1].result is ev.VerdictResult.YES
    assert result.outcome is ev.Outcome.APPROVED


def test_every_image_of_an_attempt_is_judged(store: LocalImageStore) -> None:
    chat = FakeChat(verdicts=["NO", "NO", "NO"])
    result, events, _, _ = run(store, attempts=1, revisions=0, images=3, chat=chat)
    assert len(chat.judge_calls) == 3
    assert {e.ref.index for e in events if isinstance(e, ev.VerdictReceived)} == {0, 1, 2}
    assert len(result.verdicts) == 3


def test_any_approved_image_of_an_attempt_wins(store: LocalImageStore) -> None:
    chat = FakeChat(verdicts=["NO", "YES"])
    result, _, _, _ = run(store, attempts=1, revisions=0, images=2, chat=chat)
    assert result.outcome is ev.Outcome.APPROVED
    assert result.approved is not None
    approved_verdict = result.verdicts[result.approved.ref]
    assert approved_verdict.approved


def test_unreadable_revision_keeps_latest_prompt_on_record(store: LocalImageStore) -> None:
    chat = FakeChat(revisions=['{"revised_prompt": "better"}', "no json", "still none"])
    result, events, generator, _ = run(store, attempts=1, revisions=2, chat=chat)
    revised = [e for e in events if isinstance(e, ev.PromptRevised)]
    assert [r.ok for r in revised] == [True, False]
    assert revised[1].prompt == "better"
    assert "could not be read" in revised[1].error
    assert revised[1].raw == "still none"
    assert [r.prompt for r in generator.requests] == [ORIGINAL, "better", "better"]
    assert result.prompts == [ORIGINAL, "better", "better"]


def test_refused_prompt_is_a_failed_attempt_not_a_crash(store: LocalImageStore) -> None:
    generator = FakeGenerator(refuse={1})
    chat = FakeChat(verdicts=["YES"])
    result, events, _, _ = run(store, attempts=2, revisions=0, generator=generator, chat=chat)
    failed = [e for e in events if isinstance(e, ev.AttemptFailed)]
    assert len(failed) == 1 and "content filters" in failed[0].message
    assert result.outcome is ev.Outcome.APPROVED
    assert result.approved is not None and result.approved.ref.attempt == 1


def test_refusal_reason_reaches_the_reviser(store: LocalImageStore) -> None:
    generator = FakeGenerator(refuse={1})
    _, _, _, chat = run(store, attempts=1, revisions=1, generator=generator)
    assert "refused the prompt" in chat.revise_calls[0]


class FailingChat(FakeChat):
    def __init__(self, fail_on_call: int, error: Exception) -> None:
        super().__init__()
        self.fail_on_call = fail_on_call
        self.error = error
        self.calls = 0

    def ask(self, prompt, settings, image_png=None):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.calls == self.fail_on_call:
            raise self.error
        return super().ask(prompt, settings, image_png)


@pytest.mark.parametrize(
    "error", [ServiceError("AccessDenied for test.judge"), RuntimeError("bug")]
)
def test_a_failure_keeps_everything_produced(store: LocalImageStore, error: Exception) -> None:
    chat = FailingChat(fail_on_call=3, error=error)
    result, events, _, _ = run(store, attempts=5, revisions=0, chat=chat)
    assert result.outcome is ev.Outcome.ERROR
    assert len(result.candidates) == 3
    assert all(c.path.exists() for c in result.candidates)
    finished = events[-1]
    assert isinstance(finished, ev.RunFinished)
    assert len(finished.candidates) == 3
    assert ("AccessDenied" in finished.message) or ("bug" in finished.message)


def test_cancel_starts_no_new_call_and_keeps_images(store: LocalImageStore) -> None:
    cancel = CancelToken()

    def cancel_after_second_image(event: ev.Event) -> None:
        if isinstance(event, ev.ImageStored) and event.candidate.ref.attempt == 1:
            cancel.cancel()

    result, events, generator, chat = run(
        store, attempts=5, revisions=2, cancel=cancel, on_event=cancel_after_second_image
    )
    assert result.outcome is ev.Outcome.CANCELLED
    assert len(generator.requests) == 2
    assert len(chat.judge_calls) == 1
    assert len(result.candidates) == 2
    assert kinds(events)[-2:] == ["ImageStored", "RunFinished"]


def test_a_yes_landing_after_cancel_still_approves(store: LocalImageStore) -> None:
    """The verdict was paid for and is on record: the first YES ends the run as approved,
    and nothing new starts after the cancel."""
    cancel = CancelToken()

    def cancel_while_judging(event: ev.Event) -> None:
        if isinstance(event, ev.JudgingStarted):
            cancel.cancel()

    chat = FakeChat(verdicts=["YES"])
    result, events, generator, _ = run(
        store, cancel=cancel, chat=chat, on_event=cancel_while_judging
    )
    assert result.outcome is ev.Outcome.APPROVED
    assert result.approved is not None
    assert len(generator.requests) == 1
    assert kinds(events)[-2:] == ["VerdictReceived", "RunFinished"]


def test_a_no_landing_after_cancel_ends_the_run_cancelled(store: LocalImageStore) -> None:
    cancel = CancelToken()

    def cancel_while_judging(event: ev.Event) -> None:
        if isinstance(event, ev.JudgingStarted):
            cancel.cancel()

    result, _, generator, chat = run(
        store, cancel=cancel, chat=FakeChat(verdicts=["NO"]), on_event=cancel_while_judging
    )
    assert result.outcome is ev.Outcome.CANCELLED
    assert [v.result for v in result.verdicts.values()] == [ev.VerdictResult.NO]
    assert (len(generator.requests), len(chat.judge_calls)) == (1, 1)


def test_cancel_before_start_makes_no_call(store: LocalImageStore) -> None:
    cancel = CancelToken()
    cancel.cancel()
    result, _, generator, chat = run(store, cancel=cancel)
    assert result.outcome is ev.Outcome.CANCELLED
    assert generator.requests == [] and chat.judge_calls == []


def test_random_seed_is_picked_and_recorded(store: LocalImageStore) -> None:
    result, events, generator, _ = run(store, attempts=2, revisions=0)
    seeds = [r.seed for r in generator.requests]
    assert all(0 <= s <= SPEC.seed_max for s in seeds) and seeds[0] != seeds[1]
    assert [c.seed for c in result.candidates] == seeds
    assert [e.seed for e in events if isinstance(e, ev.AttemptStarted)] == seeds


def test_uploads_use_seed_keys_and_report_each_outcome(store: LocalImageStore) -> None:
    uploader = RecordingUploader()
    result, events, _, _ = run(store, attempts=2, revisions=0, uploader=uploader)
    stamp = result.run_id.split("-")[0]
    assert uploader.keys == [f"gen-{stamp}-000-000.png", f"gen-{stamp}-000-001.png"]
    assert [type(e).__name__ for e in events if "Upload" in type(e).__name__] == [
        "UploadDone",
        "UploadFailed",
    ]
    assert result.uploads[ev.ImageRef(0, 1, 0)].ok is False


def test_s3_key_gets_an_index_only_for_several_images() -> None:
    ref = ev.ImageRef(2, 3, 1)
    assert s3_key("p", "20240101000000", ref, 1) == "p-20240101000000-002-003.png"
    assert s3_key("p", "20240101000000", ref, 2) == "p-20240101000000-002-003-1.png"


def test_images_land_on_disk_before_judging(store: LocalImageStore) -> None:
    order: list[str] = []

    def watch(event: ev.Event) -> None:
        if isinstance(event, ev.ImageStored):
            assert event.candidate.path.exists()
            order.append("stored")
        elif isinstance(event, ev.JudgingStarted):
            order.append("judging")

    run(store, attempts=1, revisions=0, on_event=watch)
    assert order == ["stored", "judging"]


class TimingOutGenerator(FakeGenerator):
    """Fails its first call the way a ModelTimeoutException arrives from the provider."""

    def generate(self, request: GenerationRequest) -> list[GeneratedImage]:
        with self.lock:
            first = not self.requests
        if first:
            with self.lock:
                self.requests.append(request)
            raise AttemptFailedError("test.image-model timed out making the image")
        return super().generate(request)


def test_a_failed_attempt_costs_one_attempt_and_no_reviser_reason(
    store: LocalImageStore,
) -> None:
    generator = TimingOutGenerator()
    chat = FakeChat(verdicts=["NO", "YES"])
    result, events, _, _ = run(store, attempts=2, revisions=1, generator=generator, chat=chat)
    failed = [e for e in events if isinstance(e, ev.AttemptFailed)]
    assert [(f.revision, f.attempt) for f in failed] == [(0, 0)]
    assert "timed out" in failed[0].message
    assert result.outcome is ev.Outcome.APPROVED
    assert result.approved is not None and result.approved.ref.revision == 1
    assert len(chat.revise_calls) == 1
    assert "timed out" not in chat.revise_calls[0]
    assert "judged NO" in chat.revise_calls[0]


class TimingOutChat(FakeChat):
    """The service's own ModelTimeoutException on the first judge and the first reviser call."""

    def __init__(self, verdicts: list[str]) -> None:
        super().__init__(verdicts=verdicts)
        self.timed_out: set[str] = set()

    def ask(
        self, prompt: str, settings: InferenceSettings, image_png: bytes | None = None
    ) -> ModelReply:
        role = "judge" if image_png is not None else "revise"
        if role not in self.timed_out:
            self.timed_out.add(role)
            raise AttemptFailedError(f"test.judge timed out answering ({role})")
        return super().ask(prompt, settings, image_png)


def test_a_judge_or_reviser_timeout_costs_one_judgement_not_the_run(
    store: LocalImageStore,
) -> None:
    """Before, the service's ModelTimeoutException on a judge or reviser call ended the run."""
    chat = TimingOutChat(verdicts=["NO", "YES"])
    result, events, _, _ = run(store, attempts=2, revisions=1, chat=chat)
    assert result.outcome is ev.Outcome.APPROVED, result.message
    verdicts = [result.verdicts[c.ref].result for c in result.candidates]
    assert verdicts[0] is ev.VerdictResult.ERROR  # the lost judgement, on record
    assert verdicts[-1] is ev.VerdictResult.YES
    revised = [e for e in events if isinstance(e, ev.PromptRevised)]
    assert revised and not revised[0].ok and "timed out" in revised[0].error

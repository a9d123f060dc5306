"""Issue 17 in the loop: calls have deadlines, Cancel ends the run within two seconds
whatever the service does, only real images go on, model text is bounded and encodable.

The hanging fakes block on an Event the test releases in its teardown, so no call thread
outlives the test (the suite's no-thread-left check holds) and no test sleeps."""

from __future__ import annotations

import struct
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.cancel import CancelToken
from imgloop_desktop.core.loop import CallDeadlines, ImageLoop, RunResult
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.protocols import (
    GeneratedImage,
    GenerationRequest,
    InferenceSettings,
    ModelReply,
)
from imgloop_desktop.core.text_limits import MAX_KEPT_CHARS
from imgloop_desktop.storage.local import LocalImageStore
from tests.fakes import SPEC, FakeChat, FakeGenerator, png

CANCEL_BOUND = 2.0


class Hang:
    """An Event every hanging fake waits on; released when the test ends."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.entered = threading.Event()

    def block(self) -> None:
        self.entered.set()
        self.release.wait(30)


@pytest.fixture
def hang() -> Iterator[Hang]:
    h = Hang()
    yield h
    h.release.set()


class HangingGenerator(FakeGenerator):
    """Hangs on the calls numbered in ``hang_calls`` (1-based), answers the others."""

    def __init__(self, hang: Hang, hang_calls: set[int]) -> None:
        super().__init__()
        self.hang = hang
        self.hang_calls = hang_calls

    def generate(self, request: GenerationRequest) -> list[GeneratedImage]:
        with self.lock:
            number = len(self.requests) + 1
        if number in self.hang_calls:
            with self.lock:
                self.requests.append(request)
            self.hang.block()
            return [GeneratedImage(png(32, 32, (1, 2, 3)), request.seed)]
        return super().generate(request)


class HangingChat(FakeChat):
    def __init__(self, hang: Hang, *, judge: bool = True, revise: bool = False) -> None:
        super().__init__()
        self.hang = hang
        self.hang_judge = judge
        self.hang_revise = revise

    def ask(
        self, prompt: str, settings: InferenceSettings, image_png: bytes | None = None
    ) -> ModelReply:
        if (image_png is not None and self.hang_judge) or (image_png is None and self.hang_revise):
            self.hang.block()
        return super().ask(prompt, settings, image_png)


class FixedGenerator(FakeGenerator):
    """Answers every call with the same list of images."""

    def __init__(self, images: list[bytes]) -> None:
        super().__init__()
        self.images = images

    def generate(self, request: GenerationRequest) -> list[GeneratedImage]:
        with self.lock:
            self.requests.append(request)
        return [GeneratedImage(data, request.seed) for data in self.images]


class ReplyChat(FakeChat):
    """The judge answers ``text`` every time."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def ask(
        self, prompt: str, settings: InferenceSettings, image_png: bytes | None = None
    ) -> ModelReply:
        if image_png is None:
            return super().ask(prompt, settings, image_png)
        return ModelReply(self.text, self.model_id)


def make_loop(
    tmp_path: Path,
    generator: FakeGenerator,
    chat: FakeChat,
    *,
    attempts: int = 1,
    revisions: int = 0,
    deadlines: CallDeadlines | None = None,
    cancel: CancelToken | None = None,
    events: list[ev.Event] | None = None,
) -> ImageLoop:
    params = RunParams(
        prompt="a red cube",
        max_retry_attempts=attempts,
        max_prompt_revisions=revisions,
        titan_img_width=64,
        titan_img_height=64,
    )
    sink = events if events is not None else []
    return ImageLoop(
        params,
        SPEC,
        generator=generator,
        chat=chat,
        store=LocalImageStore(tmp_path / "images"),
        emit=sink.append,
        cancel=cancel,
        deadlines=deadlines,
    )


def run_in_thread(loop: ImageLoop) -> tuple[threading.Thread, list[RunResult]]:
    results: list[RunResult] = []
    thread = threading.Thread(target=lambda: results.append(loop.run()), name="test-loop")
    thread.start()
    return thread, results


def bomb_png() -> bytes:
    """A valid-looking 30000x30000 PNG header with a tiny IDAT: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )


# -- Cancel ends within two seconds ---------------------------------------------------------


@pytest.mark.parametrize("where", ["generation", "judge", "revise"])
def test_cancel_ends_a_hung_call_within_two_seconds(tmp_path: Path, hang: Hang, where: str) -> None:
    cancel = CancelToken()
    generator = HangingGenerator(hang, {1} if where == "generation" else set())
    chat = HangingChat(hang, judge=where == "judge", revise=where == "revise")
    if where == "revise":
        chat.verdicts.extend(["NO"])
    loop = make_loop(tmp_path, generator, chat, revisions=1, cancel=cancel)
    thread, results = run_in_thread(loop)
    assert hang.entered.wait(10), "the hanging call never started"
    asked = time.monotonic()
    cancel.cancel()
    thread.join(CANCEL_BOUND + 1)
    elapsed = time.monotonic() - asked
    assert not thread.is_alive()
    assert elapsed <= CANCEL_BOUND, f"cancel took {elapsed:.2f} s"
    assert results[0].outcome is ev.Outcome.CANCELLED
    if where != "generation":  # the image made before the hang is kept
        assert len(results[0].candidates) == 1
        assert results[0].candidates[0].path.exists()


def test_forced_cancel_gives_no_grace(tmp_path: Path, hang: Hang) -> None:
    cancel = CancelToken()
    loop = make_loop(tmp_path, HangingGenerator(hang, {1}), FakeChat(), cancel=cancel)
    thread, results = run_in_thread(loop)
    assert hang.entered.wait(10)
    asked = time.monotonic()
    cancel.cancel()
    cancel.force()
    thread.join(CANCEL_BOUND)
    assert time.monotonic() - asked < 1.0
    assert results[0].outcome is ev.Outcome.CANCELLED
    assert "at once" in results[0].message


def test_no_call_starts_after_cancel(tmp_path: Path, hang: Hang) -> None:
    cancel = CancelToken()
    generator = HangingGenerator(hang, {1})
    loop = make_loop(tmp_path, generator, FakeChat(), attempts=5, cancel=cancel)
    thread, _results = run_in_thread(loop)
    assert hang.entered.wait(10)
    cancel.cancel()
    thread.join(CANCEL_BOUND + 1)
    hang.release.set()  # the abandoned call now answers; nothing new may start after it
    assert len(generator.requests) == 1


# -- Deadlines -------------------------------------------------------------------------------


def test_a_generation_past_its_deadline_fails_the_attempt_and_the_run_goes_on(
    tmp_path: Path, hang: Hang
) -> None:
    events: list[ev.Event] = []
    generator = HangingGenerator(hang, {1})
    chat = FakeChat(verdicts=["YES"])
    loop = make_loop(
        tmp_path,
        generator,
        chat,
        attempts=2,
        deadlines=CallDeadlines(generation=0.3, judge=5, revise=5),
        events=events,
    )
    result = loop.run()
    assert result.outcome is ev.Outcome.APPROVED
    assert result.approved is not None and result.approved.ref.attempt == 1
    failed = [e for e in events if isinstance(e, ev.AttemptFailed)]
    assert failed and failed[0].attempt == 0 and "no answer within 0.3 s" in str(failed[0].message)


def test_a_judge_past_its_deadline_gives_an_error_verdict(tmp_path: Path, hang: Hang) -> None:
    loop = make_loop(
        tmp_path,
        FakeGenerator(),
        HangingChat(hang, judge=True),
        deadlines=CallDeadlines(generation=5, judge=0.3, revise=5),
    )
    result = loop.run()
    assert result.outcome is ev.Outcome.NOT_APPROVED
    (verdict,) = result.verdicts.values()
    assert verdict.result is ev.VerdictResult.ERROR
    assert "no answer within 0.3 s" in verdict.reason


def test_a_reviser_past_its_deadline_keeps_the_prompt(tmp_path: Path, hang: Hang) -> None:
    events: list[ev.Event] = []
    loop = make_loop(
        tmp_path,
        FakeGenerator(),
        HangingChat(hang, judge=False, revise=True),
        revisions=1,
        deadlines=CallDeadlines(generation=5, judge=5, revise=0.3),
        events=events,
    )
    result = loop.run()
    assert result.outcome is ev.Outcome.NOT_APPROVED
    revised = [e for e in events if isinstance(e, ev.PromptRevised)]
    assert revised and not revised[0].ok and "no answer within 0.3 s" in revised[0].error
    assert result.prompts == ["a red cube", "a red cube"]


def test_a_late_image_is_kept_unjudged_while_the_run_goes_on(tmp_path: Path, hang: Hang) -> None:
    """Attempt 1 hangs past its deadline; it answers while attempt 2 is being judged."""
    noted = threading.Event()

    class Events(list[ev.Event]):
        def append(self, event: ev.Event) -> None:
            super().append(event)
            if isinstance(event, ev.AttemptNote):
                noted.set()

    events = Events()

    class ReleasingChat(FakeChat):
        def ask(
            self, prompt: str, settings: InferenceSettings, image_png: bytes | None = None
        ) -> ModelReply:
            if image_png is not None:
                hang.release.set()
                # The late answer lands and is recorded before this verdict.
                assert noted.wait(5)
            return super().ask(prompt, settings, image_png)

    loop = make_loop(
        tmp_path,
        HangingGenerator(hang, {1}),
        ReleasingChat(verdicts=["NO"]),
        attempts=2,
        deadlines=CallDeadlines(generation=0.3, judge=5, revise=5),
        events=events,
    )
    result = loop.run()
    refs = sorted(c.ref.attempt for c in result.candidates)
    assert refs == [0, 1]
    assert list(result.verdicts) == [ev.ImageRef(0, 1, 0)]  # the late one was never judged


# -- Only real images go on ------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(png(32, 32)[:40], id="truncated"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, id="signature-then-noise"),
        pytest.param(bomb_png(), id="decompression-bomb"),
    ],
)
def test_an_undecodable_image_is_kept_for_inspection_and_never_judged(
    tmp_path: Path, data: bytes
) -> None:
    events: list[ev.Event] = []
    chat = FakeChat(verdicts=["YES"])
    loop = make_loop(tmp_path, FixedGenerator([data]), chat, events=events)
    result = loop.run()
    assert result.outcome is ev.Outcome.NOT_APPROVED
    assert result.approved is None and not result.candidates
    assert chat.judge_calls == []
    (failed,) = [e for e in events if isinstance(e, ev.AttemptFailed)]
    assert "not a usable image" in str(failed.message)
    kept = list((tmp_path / "images").rglob("*.bad"))
    assert len(kept) == 1 and kept[0].read_bytes() == data


def test_extra_images_are_recorded_and_ignored(tmp_path: Path) -> None:
    events: list[ev.Event] = []
    chat = FakeChat()
    images = [png(32, 32, (i, i, i)) for i in range(40)]
    loop = make_loop(tmp_path, FixedGenerator(images), chat, events=events)
    result = loop.run()
    assert len(result.candidates) == 1
    assert len(chat.judge_calls) == 1
    (note,) = [e for e in events if isinstance(e, ev.AttemptNote)]
    assert "returned 40 images for 1 asked" in str(note.message)


# -- Model text kept bounded and encodable ---------------------------------------------------


def test_a_huge_judge_answer_is_kept_bounded(tmp_path: Path) -> None:
    answer = '{"result": "NO", "reason": "' + "x" * 5_000_000 + '"}'
    result = make_loop(tmp_path, FakeGenerator(), ReplyChat(answer)).run()
    (verdict,) = result.verdicts.values()
    assert len(verdict.raw) < MAX_KEPT_CHARS + 100
    assert "5,000,0" in verdict.raw  # the note gives the full length
    assert len(verdict.reason) < 2_100


def test_a_surrogate_in_a_judge_reason_is_recorded(tmp_path: Path) -> None:
    answer = '{"result": "YES", "reason": "bad \\ud800 char"}'
    result = make_loop(tmp_path, FakeGenerator(), ReplyChat(answer)).run()
    assert result.outcome is ev.Outcome.APPROVED
    (verdict,) = result.verdicts.values()
    verdict.reason.encode("utf-8")  # encodable: no lone surrogate left
    assert "\ufffd" in verdict.reason

"""Candidates in flight and speculation, with fakes that hold calls open on purpose so the
overlap is certain rather than timing-dependent."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.loop import ImageLoop, RunResult
from imgloop_desktop.core.params import RunParams, extra_cost
from imgloop_desktop.core.protocols import (
    GeneratedImage,
    GenerationRequest,
    InferenceSettings,
    ModelReply,
)
from imgloop_desktop.storage.local import LocalImageStore
from tests.fakes import SPEC, FakeChat, FakeGenerator, png, verdict

WAIT = 10.0


class CallLog:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: list[str] = []
        self.active_generations = 0
        self.max_active_generations = 0

    def add(self, entry: str) -> None:
        with self.lock:
            self.entries.append(entry)


class LoggedGenerator(FakeGenerator):
    def __init__(self, log: CallLog, hold: dict[int, threading.Event] | None = None) -> None:
        super().__init__()
        self.log = log
        self.hold = hold or {}
        self.count_lock = threading.Lock()

    def generate(self, request: GenerationRequest) -> list[GeneratedImage]:
        with self.count_lock:
            number = len(self.requests) + 1
        self.log.add(f"gen{number}")
        with self.log.lock:
            self.log.active_generations += 1
            self.log.max_active_generations = max(
                self.log.max_active_generations, self.log.active_generations
            )
        try:
            if number in self.hold:
                assert self.hold[number].wait(WAIT), f"generation {number} was never released"
            with self.count_lock:
                return super().generate(request)
        finally:
            with self.log.lock:
                self.log.active_generations -= 1


class LoggedChat(FakeChat):
    def __init__(
        self, log: CallLog, verdicts: list[str], before_judge: threading.Event | None = None
    ):
        super().__init__(verdicts=verdicts)
        self.log = log
        self.before_judge = before_judge
        self.image_sizes: list[tuple[int, int]] = []

    def ask(self, prompt: str, settings: InferenceSettings, image_png: bytes | None = None):  # type: ignore[no-untyped-def]
        if image_png is not None:
            with Image.open(io.BytesIO(image_png)) as image:
                self.image_sizes.append(image.size)
            if self.before_judge is not None:
                assert self.before_judge.wait(WAIT), "the awaited event never happened"
            self.log.add("judge")
        return super().ask(prompt, settings, image_png)


def run(
    tmp_path: Path,
    generator: FakeGenerator,
    chat: FakeChat,
    store: LocalImageStore | None = None,
    watch: Callable[[ev.Event], None] = lambda event: None,
    **params: object,
) -> tuple[RunResult, list[ev.Event]]:
    """``watch`` sees each event as the loop emits it, on the loop's thread."""
    events: list[ev.Event] = []

    def emit(event: ev.Event) -> None:
        events.append(event)
        watch(event)

    full = RunParams(prompt="a fox", **params)  # type: ignore[arg-type]
    loop = ImageLoop(
        full,
        SPEC,
        generator=generator,
        chat=chat,
        store=store or LocalImageStore(tmp_path),
        emit=emit,
    )
    return loop.run(), events


def test_one_in_flight_is_the_seeds_order(tmp_path: Path) -> None:
    log = CallLog()
    result, _ = run(
        tmp_path,
        LoggedGenerator(log),
        LoggedChat(log, ["NO", "NO", "YES"]),
        max_retry_attempts=5,
    )
    assert result.outcome is ev.Outcome.APPROVED
    assert log.entries == ["gen1", "judge", "gen2", "judge", "gen3", "judge"]


def test_three_in_flight_generate_together(tmp_path: Path) -> None:
    """The first three generations meet at a barrier, which only opens when all three are
    under way at once; none ever has a fourth beside it."""
    log = CallLog()
    barrier = threading.Barrier(3, timeout=WAIT)

    class BarrierGenerator(FakeGenerator):
        def __init__(self) -> None:
            super().__init__()
            self.calls = 0

        def generate(self, request: GenerationRequest) -> list[GeneratedImage]:
            with log.lock:
                self.calls += 1
                first_three = self.calls <= 3
                log.active_generations += 1
                log.max_active_generations = max(log.max_active_generations, log.active_generations)
            try:
                if first_three:
                    barrier.wait()
                with log.lock:
                    return super().generate(request)
            finally:
                with log.lock:
                    log.active_generations -= 1

    generator = BarrierGenerator()
    result, _ = run(
        tmp_path,
        generator,
        LoggedChat(log, ["NO"] * 5),
        max_retry_attempts=5,
        candidates_in_flight=3,
        max_prompt_revisions=0,
    )
    assert result.outcome is ev.Outcome.NOT_APPROVED
    assert len(generator.requests) == 5, "never more than the attempt budget"
    assert log.max_active_generations == 3


def test_approval_stops_new_calls_and_keeps_what_was_under_way(tmp_path: Path) -> None:
    """Attempt 0 is approved while attempts 1 and 2 are still generating: they finish and
    are kept, but are never judged, and no fourth generation starts."""
    log = CallLog()
    approved = threading.Event()
    releases = {2: approved, 3: approved}

    class ReleasingChat(LoggedChat):
        def ask(self, prompt, settings, image_png=None):  # type: ignore[no-untyped-def]
            reply = super().ask(prompt, settings, image_png)
            return reply

    def on_event(event: ev.Event) -> None:
        if isinstance(event, ev.VerdictReceived) and event.verdict.approved:
            approved.set()

    generator = LoggedGenerator(log, hold=releases)
    chat = ReleasingChat(log, ["YES"])
    events: list[ev.Event] = []

    def emit(event: ev.Event) -> None:
        events.append(event)
        on_event(event)

    loop = ImageLoop(
        RunParams(prompt="a fox", max_retry_attempts=5, candidates_in_flight=3),
        SPEC,
        generator=generator,
        chat=chat,
        store=LocalImageStore(tmp_path),
        emit=emit,
    )
    result = loop.run()
    assert result.outcome is ev.Outcome.APPROVED
    assert result.approved is not None and result.approved.ref.attempt == 0
    assert len(generator.requests) == 3
    assert len(chat.judge_calls) == 1
    assert {c.ref.attempt for c in result.candidates} == {0, 1, 2}
    assert all(c.path.exists() for c in result.candidates)
    finished = events[-1]
    assert isinstance(finished, ev.RunFinished) and len(finished.candidates) == 3


def test_speculation_generates_while_judging(tmp_path: Path) -> None:
    """The judge of attempt 0 waits until generation 2 has started: only speculation gets
    past it, at the cost of exactly one extra generation. Generation 2 ends only once the
    loop has taken the approval (on a loaded machine it could otherwise end first, and its
    image would rightly be judged before the YES was read)."""
    log = CallLog()
    second_started = threading.Event()
    approval_read = threading.Event()

    class SignallingGenerator(LoggedGenerator):
        def generate(self, request: GenerationRequest) -> list[GeneratedImage]:
            if len(self.requests) == 1:
                second_started.set()
                assert approval_read.wait(WAIT), "the loop never read the judge's YES"
            return super().generate(request)

    def watch(event: ev.Event) -> None:
        if isinstance(event, ev.VerdictReceived) and event.verdict.approved:
            approval_read.set()

    generator = SignallingGenerator(log)
    chat = LoggedChat(log, ["YES"], before_judge=second_started)
    result, _ = run(
        tmp_path, generator, chat, watch=watch, max_retry_attempts=5, speculative_next=True
    )
    assert result.outcome is ev.Outcome.APPROVED
    assert len(generator.requests) == 2
    assert len(chat.judge_calls) == 1
    assert len(result.candidates) == 2


def test_judge_can_see_a_smaller_copy(tmp_path: Path) -> None:
    class BigGenerator(FakeGenerator):
        def generate(self, request: GenerationRequest) -> list[GeneratedImage]:
            self.requests.append(request)
            return [GeneratedImage(png(1024, 512), request.seed)]

    log = CallLog()
    chat = LoggedChat(log, ["YES"])
    result, _ = run(tmp_path, BigGenerator(), chat, judge_image_max_side=256)
    assert chat.image_sizes == [(256, 128)]
    assert result.approved is not None
    with Image.open(result.approved.path) as stored:
        assert stored.size == (1024, 512), "the stored original is untouched"


def test_extra_cost_is_spelled_out() -> None:
    assert "Same Bedrock calls" in extra_cost(RunParams())
    text = extra_cost(RunParams(candidates_in_flight=3, speculative_next=True))
    assert "Up to 3 extra generation(s)" in text and "2 extra judging(s)" in text


def test_no_judge_retry_starts_after_an_approval(tmp_path: Path) -> None:
    """Two images judged at once: the first says YES; the other's answer is unreadable and
    arrives after the approval, so its retry must not be sent."""
    approved = threading.Event()
    second_started = threading.Event()

    class Chat(FakeChat):
        def ask(self, prompt, settings, image_png=None):  # type: ignore[no-untyped-def]
            with self.lock:
                self.judge_calls.append(prompt)
                call = len(self.judge_calls)
            if call == 1:  # answers YES only once the other judge is under way
                assert second_started.wait(WAIT)
                return ModelReply(verdict("YES", "all there"), self.model_id)
            second_started.set()
            assert approved.wait(WAIT)
            return ModelReply("not json at all", self.model_id)

    events: list[ev.Event] = []

    def emit(event: ev.Event) -> None:
        events.append(event)
        if isinstance(event, ev.VerdictReceived) and event.verdict.approved:
            approved.set()

    chat = Chat()
    result = ImageLoop(
        RunParams(prompt="a fox", titan_img_number_of_images=2),
        SPEC,
        generator=FakeGenerator(),
        chat=chat,
        store=LocalImageStore(tmp_path),
        emit=emit,
    ).run()
    assert result.outcome is ev.Outcome.APPROVED
    assert len(chat.judge_calls) == 2


def test_a_failed_save_keeps_the_other_images_under_way(tmp_path: Path) -> None:
    class FlakyStore(LocalImageStore):
        saves = 0

        def save(self, run_id: str, name: str, data: bytes):  # type: ignore[no-untyped-def]
            FlakyStore.saves += 1
            if FlakyStore.saves == 1:
                raise OSError(28, "No space left on device", str(tmp_path / name))
            return super().save(run_id, name, data)

    result, _ = run(
        tmp_path,
        FakeGenerator(),
        FakeChat(verdicts=["NO"] * 4),
        max_retry_attempts=2,
        candidates_in_flight=2,
        store=FlakyStore(tmp_path),
    )
    assert result.outcome is ev.Outcome.ERROR
    assert "could not be saved" in result.message and "No space left" in result.message
    assert len(result.candidates) == 1 and result.candidates[0].path.exists()


def test_a_history_that_cannot_record_ends_the_run(tmp_path: Path) -> None:
    def recorder(event: ev.Event) -> None:
        if isinstance(event, ev.ImageStored):
            raise RuntimeError("database is locked")

    loop = ImageLoop(
        RunParams(prompt="a fox"),
        SPEC,
        generator=FakeGenerator(),
        chat=FakeChat(verdicts=["YES"]),
        store=LocalImageStore(tmp_path),
        recorder=recorder,
    )
    result = loop.run()
    assert result.outcome is ev.Outcome.ERROR
    assert "could not record ImageStored: database is locked" in result.message
    assert [c.path.exists() for c in result.candidates] == [True]

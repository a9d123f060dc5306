"""A run's last words: ``RunResult.message`` is the English it always was, and
``RunResult.words`` the same words with their values apart for the window's translation."""

from __future__ import annotations

import random

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.errors import ServiceError
from imgloop_desktop.core.i18n_marks import Phrase
from imgloop_desktop.core.loop import OUTCOME, ImageLoop, RunResult
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.protocols import GeneratedImage, GenerationRequest
from imgloop_desktop.storage.local import LocalImageStore
from tests.fakes import SPEC, FakeChat, FakeGenerator


class _Denied(FakeGenerator):
    def generate(self, request: GenerationRequest) -> list[GeneratedImage]:
        raise ServiceError("Access denied.", model_id=self.model_id, hint="Ask for access.")


def run(store: LocalImageStore, generator: FakeGenerator, verdicts: list[str]) -> RunResult:
    params = RunParams(prompt="a lighthouse", max_retry_attempts=2, max_prompt_revisions=0)
    loop = ImageLoop(
        params,
        SPEC,
        generator=generator,
        chat=FakeChat(verdicts),
        store=store,
        rng=random.Random(7),
    )
    return loop.run()


def test_not_approved(store: LocalImageStore) -> None:
    result = run(store, FakeGenerator(), ["NO", "NO"])
    assert result.outcome is ev.Outcome.NOT_APPROVED
    assert result.message == (
        "No image was approved after 1 prompt version(s) x 2 attempt(s); 2 image(s) kept."
    )
    assert isinstance(result.words, Phrase) and result.words.context == OUTCOME
    assert str(result.words) == result.message
    assert result.words.values == {"versions": 1, "attempts": 2, "kept": 2}


def test_approved_names_the_image_as_its_label_does(store: LocalImageStore) -> None:
    result = run(store, FakeGenerator(), ["NO", "YES"])
    assert result.approved is not None
    assert result.message == f"Approved {result.approved.ref.label}."
    assert str(result.words) == result.message


def test_a_service_error_is_its_message_then_its_hint(store: LocalImageStore) -> None:
    result = run(store, _Denied(), [])
    assert result.outcome is ev.Outcome.ERROR
    assert result.message == "Access denied. Ask for access."
    assert isinstance(result.words, Phrase)
    assert result.words.values == {"message": "Access denied.", "hint": "Ask for access."}

"""The history keeps the English of what a live run says with its values apart: an
attempt's message and notes, the judge's image note, the judge's and reviser's sampling
notes come from the loop as Phrases (the window says them in its language), and the
recorder stores ``str()`` of each, exactly the English it stored before they were Phrases."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from imgloop_desktop import paths
from imgloop_desktop.core import events as ev
from imgloop_desktop.core.i18n_marks import Phrase
from imgloop_desktop.core.loop import ImageLoop
from imgloop_desktop.core.protocols import (
    GeneratedImage,
    GenerationRequest,
    InferenceSettings,
    ModelReply,
)
from imgloop_desktop.providers.bedrock import DROPPED_ONE, SAMPLING
from imgloop_desktop.storage.history.recorder import HistoryRecorder
from imgloop_desktop.storage.local import LocalImageStore
from tests.fakes import SPEC, FakeChat, FakeGenerator, png
from tests.storage.history.fakes import params

WIDE = png(8100, 8)
"""Over Converse's 8000 px a side: the judge is sent a smaller copy, with a note."""


class Answers(FakeGenerator):
    """Bytes that are no image first, then one image too many (a wide one), then one."""

    def generate(self, request: GenerationRequest) -> list[GeneratedImage]:
        with self.lock:
            self.requests.append(request)
            call = len(self.requests)
        if call == 1:
            return [GeneratedImage(b"not a png", request.seed)]
        if call == 2:
            return [GeneratedImage(WIDE, request.seed), GeneratedImage(png(), request.seed)]
        return [GeneratedImage(png(), request.seed)]


class RefusedSettingChat(FakeChat):
    """Every answer notes, as Bedrock's provider words it, a setting its model refused."""

    def ask(
        self, prompt: str, settings: InferenceSettings, image_png: bytes | None = None
    ) -> ModelReply:
        reply = super().ask(prompt, settings, image_png)
        values = {"model": self.model_id, "region": self.region, "settings": "`top_p`"}
        note = Phrase(SAMPLING, DROPPED_ONE, values | {"said": "top_p is not supported"})
        return ModelReply(reply.text, reply.model_id, note=note)


def test_the_recorder_stores_the_english_of_the_runs_phrases(isolated_env: Path) -> None:
    db = isolated_env / "history.sqlite3"
    run_params = params("a lighthouse", titan_img_number_of_images=1)
    seen: list[ev.Event] = []
    with HistoryRecorder(db, run_params) as recorder:

        def emit(event: ev.Event) -> None:
            seen.append(event)
            recorder(event)

        ImageLoop(
            run_params,
            SPEC,
            generator=Answers(),
            chat=RefusedSettingChat(verdicts=["NO", "NO"]),
            store=LocalImageStore(paths.images_dir(run_params.output_dir)),
            emit=emit,
        ).run()
    failed = next(e for e in seen if isinstance(e, ev.AttemptFailed))
    noted = next(e for e in seen if isinstance(e, ev.AttemptNote))
    verdicts = [e.verdict for e in seen if isinstance(e, ev.VerdictReceived)]
    wide = next(v for v in verdicts if v.judge_image_note)
    revised = next(e for e in seen if isinstance(e, ev.PromptRevised))
    said = [failed.message, noted.message, wide.judge_image_note, wide.notes, revised.notes]
    assert all(isinstance(words, Phrase) for words in said), said

    with sqlite3.connect(db) as conn:
        attempts = conn.execute("SELECT error, notes FROM attempts ORDER BY id").fetchall()
        judged = conn.execute("SELECT judge_image, notes FROM verdicts ORDER BY id").fetchall()
        versions = conn.execute("SELECT notes FROM prompt_versions WHERE revision = 1").fetchall()
    conn.close()
    assert attempts[0][0] == str(failed.message)
    assert str(failed.message).startswith("Image 1 is not a usable image (")
    assert attempts[1][1] == str(noted.message)
    assert str(noted.message) == (
        "test.image-model returned 2 images for 1 asked; the 1 extra were ignored."
    )
    assert (str(wide.judge_image_note), str(wide.notes)) in judged
    assert str(wide.judge_image_note) == (
        "The judge was sent a copy of 8000x8 px: downscaled from 8100x8 (over 8000 px a "
        "side) (Bedrock Converse limits). The saved image is unchanged."
    )
    assert versions == [(str(revised.notes),)]
    assert str(revised.notes) == (
        "test.judge in us-east-1 rejected `top_p` (top_p is not supported); the call was sent "
        "again without it, and it is left out for the rest of the run."
    )

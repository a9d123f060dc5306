"""Small offline stand-ins for Bedrock, shared by the history tests and the crash-test child
process (which imports this module by path, so it must not import pytest)."""

from __future__ import annotations

import io
import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image

from imgloop_desktop import paths
from imgloop_desktop.core.errors import PromptRefusedError
from imgloop_desktop.core.loop import ImageLoop, RunResult
from imgloop_desktop.core.models import ImageModelSpec
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.protocols import (
    GeneratedImage,
    GenerationRequest,
    InferenceSettings,
    ModelReply,
    UploadOutcome,
)
from imgloop_desktop.storage.history.recorder import HistoryRecorder
from imgloop_desktop.storage.local import LocalImageStore

SPEC = ImageModelSpec(
    model_id="test.image-model",
    name="Test Image Model",
    family="test",
    prompt_max_chars=512,
    sizes=((64, 64), (1024, 1024)),
    cfg_range=(1.1, 10.0),
    max_images=5,
    seed_max=2147483646,
    prompt_guide="Put the subject first.",
)


def png(width: int = 16, height: int = 16, colour: tuple[int, int, int] = (10, 20, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


class FakeGenerator:
    """Distinct small PNGs per call; ``refuse`` holds 1-based call numbers to refuse."""

    model_id = "test.image-model"

    def __init__(self, refuse: set[int] | None = None) -> None:
        self.calls = 0
        self.refuse = refuse or set()
        self.lock = threading.Lock()

    def generate(self, request: GenerationRequest) -> list[GeneratedImage]:
        with self.lock:
            self.calls += 1
            call = self.calls
        if call in self.refuse:
            raise PromptRefusedError("blocked by content filters")
        return [
            GeneratedImage(
                png(request.width, request.height, (call % 256, i * 40, 7)), request.seed
            )
            for i in range(request.number_of_images)
        ]


class FakeChat:
    """Judge answers from ``verdicts`` ("YES"/"NO" or raw text; empty means NO), revisions
    from ``revisions`` (default: a revised prompt naming the call)."""

    model_id = "test.judge"

    def __init__(self, verdicts: list[str] | None = None, revisions: list[str] | None = None):
        self.verdicts = deque(verdicts or [])
        self.revisions = deque(revisions or [])
        self.lock = threading.Lock()
        self.revise_calls = 0

    def ask(
        self, prompt: str, settings: InferenceSettings, image_png: bytes | None = None
    ) -> ModelReply:
        with self.lock:
            if image_png is not None:
                answer = self.verdicts.popleft() if self.verdicts else "NO"
                if answer in ("YES", "NO"):
                    answer = f'{{"result": "{answer}", "reason": "judged {answer}"}}'
                return ModelReply(answer, self.model_id, input_tokens=100, output_tokens=10)
            self.revise_calls += 1
            answer = (
                self.revisions.popleft()
                if self.revisions
                else f'{{"revised_prompt": "revised prompt {self.revise_calls}"}}'
            )
            return ModelReply(answer, self.model_id, input_tokens=50, output_tokens=20)


class InlineUploader:
    """Reports each upload at once on the caller's thread: ``fail`` holds keys that fail."""

    def __init__(self, bucket: str, fail: set[str] | None = None, fail_all: bool = False) -> None:
        self.bucket = bucket
        self.fail = fail or set()
        self.fail_all = fail_all

    def submit(self, path: Path, key: str, done: Callable[[UploadOutcome], None]) -> None:
        if self.fail_all or key in self.fail:
            done(UploadOutcome(self.bucket, key, ok=False, error="S3 refused: AccessDenied"))
        else:
            done(UploadOutcome(self.bucket, key, ok=True))

    def drain(self, timeout: float) -> bool:
        return True


class Clock:
    """A clock that moves one second per reading, so rows get distinct, ordered times."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            self.now += timedelta(seconds=1)
            return self.now


def params(prompt: str = "a red fox in the snow", **changes: object) -> RunParams:
    base = RunParams(
        prompt=prompt,
        max_retry_attempts=2,
        max_prompt_revisions=1,
        titan_img_width=64,
        titan_img_height=64,
        image_model_id="test.image-model",
        judge_model_id="test.judge",
    )
    return base.with_changes(**changes)


def run_recorded(
    db_path: Path,
    run_params: RunParams,
    *,
    chat: FakeChat | None = None,
    generator: FakeGenerator | None = None,
    uploader: InlineUploader | None = None,
    clock: Clock | None = None,
) -> RunResult:
    """One whole run through the real loop, recorded into ``db_path``."""
    clock = clock or Clock()
    store = LocalImageStore(paths.images_dir(run_params.output_dir))
    with HistoryRecorder(db_path, run_params, now=clock) as recorder:
        loop = ImageLoop(
            run_params,
            SPEC,
            generator=generator or FakeGenerator(),
            chat=chat or FakeChat(),
            store=store,
            uploader=uploader,
            emit=recorder,
            now=clock,
        )
        return loop.run()


def request(prompt: str, seed: int) -> GenerationRequest:
    """What the loop would ask for with the default parameters."""
    p = RunParams(prompt=prompt)
    return GenerationRequest(
        prompt=prompt,
        width=p.titan_img_width,
        height=p.titan_img_height,
        cfg_scale=p.titan_img_cfg_scale,
        number_of_images=p.titan_img_number_of_images,
        seed=seed,
    )

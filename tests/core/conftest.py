"""Synchronous fakes for the loop's ports: counting and ordering tests need no network."""

from __future__ import annotations

import io
import threading
from collections import deque
from pathlib import Path

import pytest
from PIL import Image

from imgloop_desktop.core.errors import PromptRefusedError
from imgloop_desktop.core.models import ImageModelSpec
from imgloop_desktop.core.protocols import (
    GeneratedImage,
    GenerationRequest,
    InferenceSettings,
    ModelReply,
)
from imgloop_desktop.storage.local import LocalImageStore

SPEC = ImageModelSpec(
    model_id="test.image-model",
    name="Test Image Model",
    family="test",
    prompt_max_chars=512,
    sizes=((1024, 1024), (512, 512)),
    cfg_range=(1.1, 10.0),
    max_images=5,
    seed_max=2147483646,
    prompt_guide="Put the subject first.",
)


def png(width: int = 8, height: int = 8, colour: tuple[int, int, int] = (10, 20, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


class FakeGenerator:
    """Returns ``number_of_images`` small PNGs; ``refuse`` holds attempt numbers to refuse."""

    model_id = "test.image-model"

    def __init__(self, refuse: set[int] | None = None) -> None:
        self.requests: list[GenerationRequest] = []
        self.refuse = refuse or set()

    def generate(self, request: GenerationRequest) -> list[GeneratedImage]:
        self.requests.append(request)
        if len(self.requests) in self.refuse:
            raise PromptRefusedError("blocked by content filters")
        shade = len(self.requests) % 256
        return [
            GeneratedImage(png(colour=(shade, i, 0)), request.seed)
            for i in range(request.number_of_images)
        ]


class FakeChat:
    """Answers judge calls (with an image) from ``verdicts`` and revise calls from ``revisions``.

    A verdict is "YES"/"NO" or a raw string; an empty queue answers NO.
    """

    model_id = "test.judge"

    def __init__(self, verdicts: list[str] | None = None, revisions: list[str] | None = None):
        self.verdicts = deque(verdicts or [])
        self.revisions = deque(revisions or [])
        self.judge_calls: list[str] = []
        self.revise_calls: list[str] = []
        self.lock = threading.Lock()

    def ask(
        self, prompt: str, settings: InferenceSettings, image_png: bytes | None = None
    ) -> ModelReply:
        with self.lock:
            if image_png is not None:
                self.judge_calls.append(prompt)
                answer = self.verdicts.popleft() if self.verdicts else "NO"
                if answer in ("YES", "NO"):
                    answer = f'{{"result": "{answer}", "reason": "reason {len(self.judge_calls)}"}}'
                return ModelReply(answer, self.model_id, input_tokens=100, output_tokens=10)
            self.revise_calls.append(prompt)
            answer = (
                self.revisions.popleft()
                if self.revisions
                else f'{{"revised_prompt": "revised {len(self.revise_calls)}"}}'
            )
            return ModelReply(answer, self.model_id, input_tokens=50, output_tokens=20)


@pytest.fixture
def store(tmp_path: Path) -> LocalImageStore:
    return LocalImageStore(tmp_path / "images")

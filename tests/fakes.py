"""Offline stand-ins for Bedrock shared by every test that runs the real loop without a
network (imported by path from the crash-test child process too, so no pytest here)."""

from __future__ import annotations

import io
import threading
from collections import deque

from PIL import Image

from imgloop_desktop.core.errors import PromptRefusedError
from imgloop_desktop.core.models import ImageModelSpec
from imgloop_desktop.core.protocols import (
    GeneratedImage,
    GenerationRequest,
    InferenceSettings,
    ModelReply,
)


def verdict(result: str, reason: str) -> str:
    """A judge answer with a reason of the test's choosing, in the seed's format."""
    return f'{{"result": "{result}", "reason": "{reason}"}}'


SPEC = ImageModelSpec(
    model_id="test.image-model",
    name="Test Image Model",
    family="test",
    prompt_max_chars=512,
    sizes=((1024, 1024), (512, 512), (64, 64)),
    cfg_range=(1.1, 10.0),
    max_images=5,
    seed_max=2147483646,
    prompt_guide="Put the subject first.",
)


def png(width: int = 16, height: int = 16, colour: tuple[int, int, int] = (10, 20, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def noisy_png(width: int, height: int) -> bytes:
    """Noise does not compress: a 4096x1024 RGB PNG of it is about 12 MB."""
    noise = Image.effect_noise((width, height), 100)
    image = Image.merge("RGB", (noise, noise.transpose(Image.Transpose.ROTATE_180), noise))
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


class FakeGenerator:
    """Distinct small PNGs per call; ``refuse`` holds 1-based call numbers to refuse."""

    model_id = "test.image-model"
    region = "us-west-2"

    def __init__(self, refuse: set[int] | None = None) -> None:
        self.requests: list[GenerationRequest] = []
        self.refuse = refuse or set()
        self.lock = threading.Lock()

    def generate(self, request: GenerationRequest) -> list[GeneratedImage]:
        with self.lock:
            self.requests.append(request)
            call = len(self.requests)
        if call in self.refuse:
            raise PromptRefusedError("blocked by content filters")
        return [
            GeneratedImage(
                png(min(request.width, 64), min(request.height, 64), (call % 256, i * 40, 7)),
                request.seed,
            )
            for i in range(request.number_of_images)
        ]


class FakeChat:
    """Judge answers from ``verdicts`` ("YES"/"NO" or raw text; empty means NO), revisions
    from ``revisions`` (default: a revised prompt naming the call)."""

    model_id = "test.judge"
    region = "us-east-1"

    def __init__(self, verdicts: list[str] | None = None, revisions: list[str] | None = None):
        self.verdicts = deque(verdicts or [])
        self.revisions = deque(revisions or [])
        self.lock = threading.Lock()
        self.judge_calls: list[str] = []
        self.revise_calls: list[str] = []

    def ask(
        self, prompt: str, settings: InferenceSettings, image_png: bytes | None = None
    ) -> ModelReply:
        with self.lock:
            if image_png is not None:
                self.judge_calls.append(prompt)
                answer = self.verdicts.popleft() if self.verdicts else "NO"
                if answer in ("YES", "NO"):
                    answer = f'{{"result": "{answer}", "reason": "judged {answer}"}}'
                return ModelReply(answer, self.model_id, input_tokens=100, output_tokens=10)
            self.revise_calls.append(prompt)
            answer = (
                self.revisions.popleft()
                if self.revisions
                else f'{{"revised_prompt": "revised prompt {len(self.revise_calls)}"}}'
            )
            return ModelReply(answer, self.model_id, input_tokens=50, output_tokens=20)

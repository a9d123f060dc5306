"""The loop's view of the outside world: small interfaces passed in, so tests can run the loop
synchronously against fakes or against the simulator, and the loop never imports boto3."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from imgloop_desktop.core.i18n_marks import Phrase


@dataclass(frozen=True)
class GenerationRequest:
    """One call to an image model, in model-neutral terms; providers map it onto their body."""

    prompt: str
    width: int
    height: int
    cfg_scale: float
    number_of_images: int
    seed: int


@dataclass(frozen=True)
class GeneratedImage:
    """One image as the model returned it: PNG bytes and the seed that made it, where known."""

    data: bytes
    seed: int | None


class ImageGenerator(Protocol):
    model_id: str
    region: str  # where the calls go, recorded with the run

    def generate(self, request: GenerationRequest) -> list[GeneratedImage]:
        """Return every image of one call.

        Raises PromptRefusedError when the model declines this request and ServiceError
        when the run cannot go on.
        """
        ...


@dataclass(frozen=True)
class InferenceSettings:
    """Sampling settings for one role (judge or reviser), under the seed's meaning; None
    is "unset": the setting is left out of the request and the model's default applies."""

    temperature: float | None
    top_p: float | None
    top_k: int | None
    max_tokens: int


@dataclass(frozen=True)
class ModelReply:
    """A text model's answer with the token usage the API reported (None where it did not).

    ``truncated_from`` is the full answer's length in characters when ``text`` holds only
    its beginning (providers cut absurdly long answers); None when ``text`` is whole.
    ``note`` says, in plain words, what the provider changed to get this answer (a sampling
    setting the model rejected and that is left out from now on); empty when nothing. It
    is a Phrase so the window can say it in its language; ``str()`` is the English.
    """

    text: str
    model_id: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    truncated_from: int | None = None
    note: str | Phrase = ""


class ChatModel(Protocol):
    model_id: str
    region: str  # where the calls go, recorded with the run

    def ask(
        self,
        prompt: str,
        settings: InferenceSettings,
        image_png: bytes | tuple[bytes, ...] | None = None,
    ) -> ModelReply:
        """One user turn, with an optional PNG image (or several, in order: a comparison)
        before the text. Raises ServiceError."""
        ...


@dataclass(frozen=True)
class StoredFile:
    path: Path
    sha256: str
    size_bytes: int


class ImageStore(Protocol):
    def save(self, run_id: str, name: str, data: bytes) -> StoredFile:
        """Write durably (temp file, fsync, rename) and return where it landed."""
        ...


@dataclass(frozen=True)
class UploadOutcome:
    bucket: str
    key: str
    ok: bool
    error: str = ""


class Uploader(Protocol):
    """Mirrors local files to S3 off the loop's thread; never blocks the caller."""

    bucket: str

    def submit(self, path: Path, key: str, done: Callable[[UploadOutcome], None]) -> None: ...

    def drain(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for submitted uploads; True when none is left."""
        ...

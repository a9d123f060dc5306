"""Small offline stand-ins for Bedrock, shared by the history tests and the crash-test child
process (which imports this module by path, so it must not import pytest)."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from imgloop_desktop import paths
from imgloop_desktop.core.loop import ImageLoop, RunResult
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.protocols import (
    GenerationRequest,
    InferenceSettings,
    ModelReply,
    UploadOutcome,
)
from imgloop_desktop.storage.history.recorder import HistoryRecorder
from imgloop_desktop.storage.local import LocalImageStore
from tests.fakes import SPEC, FakeChat, FakeGenerator, png

__all__ = ["SPEC", "Clock", "FakeChat", "FakeGenerator", "InlineUploader", "params", "png"]


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


@contextmanager
def read_only_folder(folder: Path) -> Iterator[bool]:
    """``folder`` made read-only for the block; yields False when this machine cannot.

    As root, permission bits do not stop writes, so the immutable attribute (``chattr +i``,
    root only) stands in: the folder's entries can then be neither created nor removed,
    which is what a read-only data folder means to SQLite (no ``-wal``/``-shm`` beside it).
    """
    if os.name != "posix":
        yield False
        return
    if os.geteuid() != 0:
        mode = folder.stat().st_mode
        folder.chmod(0o555)
        try:
            yield True
        finally:
            folder.chmod(mode)
        return
    chattr = shutil.which("chattr")
    made = (
        chattr is not None
        and subprocess.run([chattr, "+i", str(folder)], capture_output=True, check=False).returncode
        == 0
    )
    try:
        yield made
    finally:
        if made and chattr is not None:
            subprocess.run([chattr, "-i", str(folder)], capture_output=True, check=True)


JUDGE_NOTE = "test.judge in us-east-1 rejected `top_p`; asked again without it."
REVISER_NOTE = "test.judge in us-east-1 rejected `temperature`; asked again without it."


class NotingChat(FakeChat):
    """A judge and reviser whose provider left a sampling setting out, and says so."""

    def ask(
        self, prompt: str, settings: InferenceSettings, image_png: bytes | None = None
    ) -> ModelReply:
        reply = super().ask(prompt, settings, image_png)
        note = JUDGE_NOTE if image_png is not None else REVISER_NOTE
        return ModelReply(
            reply.text, reply.model_id, reply.input_tokens, reply.output_tokens, note=note
        )

"""A 4096x1024 image too large for Converse (a noisy PNG over 3.75 MB) is still judged,
through boto3 and the simulator that refuses oversize images as Bedrock does: the judge is
sent a copy within the limits, the verdict says so, the history keeps it, and the image on
disk is the one the model made."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from imgloop_desktop.core.events import Outcome
from imgloop_desktop.core.judge_image import CONVERSE_MAX_IMAGE_BYTES
from imgloop_desktop.core.loop import ImageLoop
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.protocols import GeneratedImage, GenerationRequest
from imgloop_desktop.providers.bedrock import ConverseChat
from imgloop_desktop.providers.session import DefaultChain
from imgloop_desktop.services.run import execute
from imgloop_desktop.simulator.server import BedrockSimulator
from imgloop_desktop.storage.history import HistoryRecorder, default_db_path
from imgloop_desktop.storage.local import LocalImageStore
from tests.fakes import SPEC, FakeGenerator, noisy_png

LARGE = noisy_png(4096, 1024)


class LargeImages(FakeGenerator):
    """A model that answers a 4096x1024 image whose PNG is over Converse's 3.75 MB (the
    simulator's own images compress too well to be over it)."""

    def generate(self, request: GenerationRequest) -> list[GeneratedImage]:
        self.requests.append(request)
        return [GeneratedImage(LARGE, request.seed)]


@pytest.fixture
def bedrock(bedrock_sim: BedrockSimulator) -> Iterator[Any]:
    client = boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        endpoint_url=bedrock_sim.url,
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret",
    )
    try:
        yield client
    finally:
        client.close()


def test_a_large_image_is_judged_on_a_copy_within_converse_limits(
    bedrock_sim: BedrockSimulator, bedrock: Any, tmp_path: Path
) -> None:
    assert len(LARGE) > CONVERSE_MAX_IMAGE_BYTES
    params = RunParams(prompt="a wide mountain panorama", max_retry_attempts=1)
    recorder = HistoryRecorder(default_db_path(), params)
    try:
        result = ImageLoop(
            params,
            dataclasses.replace(SPEC, sizes=((4096, 1024),)),
            generator=LargeImages(),
            chat=ConverseChat(bedrock, params.judge_model_id, region="us-east-1"),
            store=LocalImageStore(tmp_path / "images"),
            recorder=recorder,
        ).run()
    finally:
        recorder.close()
    assert result.outcome is Outcome.APPROVED, result.message
    assert bedrock_sim.arrivals("judge") == 1
    ((width, height),) = bedrock_sim.last("judge").image_sizes
    assert max(width, height) <= 8000 and width < 4096
    verdict = next(iter(result.verdicts.values()))
    assert verdict.approved
    note = str(verdict.judge_image_note)  # the English the history keeps
    assert "4096x1024" in note
    assert f"{width}x{height}" in note
    assert result.approved is not None
    assert result.approved.path.read_bytes() == LARGE, "the original on disk is untouched"
    with sqlite3.connect(default_db_path()) as conn:
        (recorded,) = conn.execute("SELECT judge_image FROM verdicts").fetchone()
    assert recorded == note


def test_an_image_within_the_limits_records_no_note(bedrock_sim: BedrockSimulator) -> None:
    params = RunParams(prompt="a red fox in snow", max_retry_attempts=1)
    with execute(params, credentials=DefaultChain()) as run:
        verdict = next(iter(run.result.verdicts.values()))
    assert verdict.judge_image_note == ""
    with sqlite3.connect(default_db_path()) as conn:
        assert conn.execute("SELECT judge_image FROM verdicts").fetchall() == [("",)]

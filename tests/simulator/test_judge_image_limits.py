"""Converse refuses an image over 3.75 MB (5 MiB once base64-encoded) or over 8,000 px a side,
and so does the simulator, with the ValidationException texts Bedrock answers."""

from __future__ import annotations

import io

import pytest
from botocore.exceptions import ClientError
from mypy_boto3_bedrock_runtime import BedrockRuntimeClient
from PIL import Image

from imgloop_desktop.simulator.server import BedrockSimulator
from tests.fakes import noisy_png
from tests.simulator.test_server import JUDGE


def flat_png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "gray").save(out, format="PNG")
    return out.getvalue()


def ask(client: BedrockRuntimeClient, image: bytes) -> None:
    client.converse(
        modelId=JUDGE,
        messages=[
            {
                "role": "user",
                "content": [
                    {"text": "Does it match?"},
                    {"image": {"format": "png", "source": {"bytes": image}}},
                ],
            }
        ],
    )


def test_an_image_over_3_75_mb_is_refused_with_bedrocks_text(
    sim: BedrockSimulator, client: BedrockRuntimeClient
) -> None:
    image = noisy_png(4096, 1024)
    encoded = 4 * ((len(image) + 2) // 3)
    assert encoded > 5_242_880
    with pytest.raises(ClientError) as refused:
        ask(client, image)
    error = refused.value.response["Error"]
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Code"] == "ValidationException"
    assert error["Message"] == (
        "The model returned the following errors: messages.0.content.1.image.source: "
        f"image exceeds 5 MB maximum: {encoded} bytes > 5242880 bytes"
    )


def test_an_image_over_8000_px_a_side_is_refused(
    sim: BedrockSimulator, client: BedrockRuntimeClient
) -> None:
    with pytest.raises(ClientError) as refused:
        ask(client, flat_png(9000, 100))
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"] == (
        "The model returned the following errors: messages.0.content.1.image.source.base64.data: "
        "At least one of the image dimensions exceed max allowed size: 8000 pixels"
    )


def test_an_image_at_the_limits_is_answered(
    sim: BedrockSimulator, client: BedrockRuntimeClient
) -> None:
    ask(client, flat_png(8000, 100))
    assert sim.last("judge").image_sizes == ((8000, 100),)

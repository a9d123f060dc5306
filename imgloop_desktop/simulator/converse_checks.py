"""Converse's request checks (judge, reviser and checklist calls), as Bedrock and the
models make them.

Split out of ``server.py`` (issue 11) for the same reason as ``image_bodies``: these rules
are read against Bedrock's Converse reference and public reports of its refusals, and they
grow per model, while routing and transport stay put.

Order, as the service does it: Bedrock's own checks on the request (``maxTokens`` against
the model's ceiling) come before what the model itself refuses (sampling settings, Claude's
``top_k`` range, image limits: texts that start "The model returned the following errors").
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from typing import Any

from imgloop_desktop.core import jsonshape as js
from imgloop_desktop.simulator.errors import BedrockError
from imgloop_desktop.simulator.images import image_size
from imgloop_desktop.simulator.script import (
    MAX_TOKENS_MESSAGE,
    TOP_K_LIMIT,
    TOP_K_MESSAGE,
)
from imgloop_desktop.simulator.served import ServedModel

# Claude's published rule of thumb: about width*height/750 tokens per image, after the
# image is scaled to fit 1568 px on the long edge and about 1.15 megapixels.
_TOKEN_PIXELS = 750
_MAX_EDGE = 1568
_MAX_IMAGE_PIXELS = 1_150_000


def check_inference(model: ServedModel | None, body: Mapping[str, Any]) -> None:
    """``inferenceConfig.maxTokens`` above the model's ceiling: Bedrock's own check, made
    before the model sees the request."""
    config = body.get("inferenceConfig")
    requested = config.get("maxTokens") if isinstance(config, Mapping) else None
    limit = model.max_tokens if model is not None else None
    if (
        limit is not None
        and isinstance(requested, int)
        and not isinstance(requested, bool)
        and requested > limit
    ):
        raise BedrockError("ValidationException", MAX_TOKENS_MESSAGE.format(limit=limit))


def check_top_k(model: ServedModel | None, body: Mapping[str, Any]) -> None:
    """Claude's ``additionalModelRequestFields.top_k`` above 500 (the model's refusal)."""
    extra = body.get("additionalModelRequestFields")
    top_k = extra.get("top_k") if isinstance(extra, Mapping) else None
    is_claude = model is not None and model.model_id.startswith("anthropic.")
    if (
        is_claude
        and isinstance(top_k, int | float)
        and not isinstance(top_k, bool)
        and top_k > TOP_K_LIMIT
    ):
        raise BedrockError("ValidationException", TOP_K_MESSAGE)


def has_image(body: Mapping[str, Any]) -> bool:
    messages = body.get("messages")
    if not isinstance(messages, list):
        return False
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list) and any(
            isinstance(block, dict) and "image" in block for block in content
        ):
            return True
    return False


def request_shape(body: Mapping[str, Any]) -> tuple[list[str], int]:
    """The texts and the number of image blocks of a Converse request, read leniently (no
    check raises here): enough to tell which call it is before the request is checked."""
    texts: list[str] = []
    system = body.get("system")
    if isinstance(system, list):
        texts.extend(
            b["text"] for b in system if isinstance(b, dict) and isinstance(b.get("text"), str)
        )
    images = 0
    messages = body.get("messages")
    for message in messages if isinstance(messages, list) else []:
        content = message.get("content") if isinstance(message, dict) else None
        for block in content if isinstance(content, list) else []:
            if isinstance(block, dict):
                if isinstance(block.get("text"), str):
                    texts.append(block["text"])
                if "image" in block:
                    images += 1
    return texts, images


_CONVERSATION = js.Obj({"messages": js.Arr(min_items=1)})
"""What Converse needs before it reads a turn; the turns themselves are read leniently."""
_IMAGE_BLOCK = js.Obj({"source": js.Obj({"bytes": js.Str()})})


def converse_content(body: Mapping[str, Any]) -> tuple[list[str], list[bytes]]:
    if js.check(_CONVERSATION, body):
        raise BedrockError(
            "ValidationException",
            "A conversation must start with a user message. "
            "Try again with a conversation that starts with a user message.",
        )
    messages = body["messages"]
    texts: list[str] = []
    system = body.get("system")
    if isinstance(system, list):
        texts.extend(
            b["text"] for b in system if isinstance(b, dict) and isinstance(b.get("text"), str)
        )
    images: list[bytes] = []
    for m, message in enumerate(messages):
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, list):
            continue
        for c, block in enumerate(content):
            if not isinstance(block, dict):
                continue
            if isinstance(block.get("text"), str):
                texts.append(block["text"])
            image = block.get("image")
            if isinstance(image, dict):
                images.append(image_bytes(image, f"messages.{m}.content.{c}.image.source"))
    return texts, images


# Converse's per-image limits: "Each image's size, height, and width must be no more than
# 3.75 MB, 8000 px, and 8000 px, respectively" (Message.content,
# https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Message.html). The size
# is measured on the base64 text, 5 MiB, as the refusal itself says; its text as Bedrock
# answers it (aws/aws-sdk-js-v3#6785; the same shape in
# aws-solutions-library-samples/accelerated-intelligent-document-processing-on-aws#778):
#   "The model returned the following errors: messages.0.content.1.image.source: image
#    exceeds 5 MB maximum: 6737924 bytes > 5242880 bytes"
# The side limit's text is Claude's, in the form of its published many-image variant
# ("...image.source.base64.data: At least one of the image dimensions exceed max allowed
# size for many-image requests: 2000 pixels", anthropics/claude-code#52220) with the
# single-image limit of 8000 pixels.
_MAX_IMAGE_BASE64_BYTES = 5_242_880
_MAX_IMAGE_SIDE = 8000


def image_bytes(image: Mapping[str, Any], where: str) -> bytes:
    if js.check(_IMAGE_BLOCK, image):
        raise BedrockError("ValidationException", "The image block needs source.bytes.")
    encoded = image["source"]["bytes"]
    try:
        data = base64.b64decode(encoded, validate=True)
        width, height = image_size(data)
    except ValueError as exc:
        raise BedrockError(
            "ValidationException",
            "The model returned the following errors: Could not process image",
        ) from exc
    if len(encoded) > _MAX_IMAGE_BASE64_BYTES:
        raise BedrockError(
            "ValidationException",
            f"The model returned the following errors: {where}: image exceeds 5 MB maximum: "
            f"{len(encoded)} bytes > {_MAX_IMAGE_BASE64_BYTES} bytes",
        )
    if max(width, height) > _MAX_IMAGE_SIDE:
        raise BedrockError(
            "ValidationException",
            f"The model returned the following errors: {where}.base64.data: At least one of "
            f"the image dimensions exceed max allowed size: {_MAX_IMAGE_SIDE} pixels",
        )
    return data


def image_tokens(width: int, height: int) -> int:
    scale = min(
        1.0, _MAX_EDGE / max(width, height), math.sqrt(_MAX_IMAGE_PIXELS / (width * height))
    )
    return max(1, math.ceil(width * scale * height * scale / _TOKEN_PIXELS))


def max_tokens(body: Mapping[str, Any]) -> int | None:
    config = body.get("inferenceConfig")
    value = config.get("maxTokens") if isinstance(config, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None

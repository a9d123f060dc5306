"""The two Bedrock calls the loop makes: InvokeModel for images, Converse for judging/revising.

Both take an already-built ``bedrock-runtime`` client (see ``session.make_clients``) so one
client, which is thread-safe, serves every thread, and tests can pass a stub. Everything
Bedrock returns is treated as untrusted input: bodies are size-capped and read under
``jsonsafe`` limits, parsed defensively, and every failure becomes PromptRefusedError or
ServiceError naming the model and region, never a KeyError or a traceback. That includes
what botocore's own response parser raises on a malformed Converse or error body
(``aws_errors.UNREADABLE_ANSWER_ERRORS``), which escapes from the client call itself.

Extra images are not dropped here: ``generate`` returns every image the model sent, all
checked, and the loop records how many came back and ignores those beyond what it asked.
"""

from __future__ import annotations

import contextvars
import dataclasses
import json
import logging
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from imgloop_desktop.core import jsonsafe
from imgloop_desktop.core.errors import ServiceError
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP, Phrase, chained, in_turn
from imgloop_desktop.core.models import ImageModelSpec
from imgloop_desktop.core.protocols import (
    GeneratedImage,
    GenerationRequest,
    InferenceSettings,
    ModelReply,
)
from imgloop_desktop.providers import aws_errors, catalog

log = logging.getLogger(__name__)

# Five 4-megapixel PNGs in base64 stay well below this; anything larger is not an answer
# we asked for and must not be held in memory.
MAX_RESPONSE_BYTES = 256 * 1024 * 1024
# Amazon Nova documents topK up to 128; the seed's default of 250 was meant for Claude.
NOVA_TOP_K_MAX = 128
# A judge or reviser answer longer than this is cut (ModelReply.truncated_from keeps the
# full length): ten times the longest prompt any catalog image model takes (Stability's
# 10,000 characters), so no answer the loop can use is ever cut, while a 30 MB answer is
# never held, parsed or recorded whole.
MAX_REPLY_CHARS = 100_000
# Token counts above this are not counts (the largest context window is about a million
# tokens); they are dropped rather than stored in a 64-bit history column.
MAX_TOKEN_COUNT = 1_000_000_000

# What a judge or reviser answer notes when its model refused a sampling setting
# (``ModelReply.note``): English in logs and the history, the window's language in the window.
SAMPLING = "Sampling"
DROPPED_ONE = QT_TRANSLATE_NOOP(
    "Sampling",
    "{model} in {region} rejected {settings} ({said}); the call was sent again without it, "
    "and it is left out for the rest of the run.",
)
DROPPED_SEVERAL = QT_TRANSLATE_NOOP(
    "Sampling",
    "{model} in {region} rejected {settings} ({said}); the call was sent again without them, "
    "and they are left out for the rest of the run.",
)
SETTING_AND = QT_TRANSLATE_NOOP("Sampling", "{first} and {then}")


class BedrockImageGenerator:
    """``ImageGenerator`` over InvokeModel for any model in the catalog."""

    def __init__(
        self,
        client: Any,  # mypy_boto3_bedrock_runtime.BedrockRuntimeClient, or a test stub
        spec: ImageModelSpec,
        *,
        region: str,
        profile: str | None = None,
    ) -> None:
        self._client = client
        self.spec = spec
        self.model_id = spec.model_id
        self.region = region
        self._profile = profile
        self._family = catalog.family_of(spec)

    def generate(self, request: GenerationRequest) -> list[GeneratedImage]:
        """Every image of one attempt. A model that returns fewer images per call than the
        attempt asks for (Stability: one) gets that many calls at once, each with the next
        seed, so ``titan_img_number_of_images`` means the same on every model."""
        per_call = max(1, self.spec.max_images)
        if request.number_of_images <= per_call:
            return self._call(request)
        requests = []
        for first in range(0, request.number_of_images, per_call):
            count = min(per_call, request.number_of_images - first)
            seed = (request.seed + first) % (self.spec.seed_max + 1)
            requests.append(dataclasses.replace(request, number_of_images=count, seed=seed))
        return _all_at_once(self._call, requests)

    def _call(self, request: GenerationRequest) -> list[GeneratedImage]:
        # Built outside the try below, so nothing of ours is mistaken for a bad answer.
        body = json.dumps(self._family.build_body(self.spec, request))
        try:
            response = self._client.invoke_model(
                modelId=self.spec.model_id,
                body=body,
                contentType="application/json",
                accept="application/json",
            )
            raw = _read_body(response, self.spec.model_id, self.region)
        except (ClientError, BotoCoreError) as exc:
            raise aws_errors.translate(
                exc,
                model_id=self.spec.model_id,
                region=self.region,
                operation=aws_errors.IMAGE_OPERATION,
                profile=self._profile,
            ) from exc
        except aws_errors.UNREADABLE_ANSWER_ERRORS as exc:
            raise aws_errors.unreadable_answer(
                exc,
                model_id=self.spec.model_id,
                region=self.region,
                operation=aws_errors.IMAGE_OPERATION,
            ) from exc
        payload = _load_json(raw, self.spec.model_id, self.region)
        try:
            images = self._family.parse_response(self.spec, payload)
        except ServiceError as exc:
            # The family modules name the model; the region is known only here.
            raise ServiceError(
                f"{exc.args[0]} ({self.spec.model_id} in {self.region})",
                model_id=self.spec.model_id,
                region=self.region,
                hint=exc.hint,
            ) from exc
        # Titan and Nova never echo the seed; the request's seed is the one that made them.
        return [
            image if image.seed is not None else dataclasses.replace(image, seed=request.seed)
            for image in images
        ]


def _all_at_once(
    call: Callable[[GenerationRequest], list[GeneratedImage]],
    requests: list[GenerationRequest],
) -> list[GeneratedImage]:
    """``call`` for each request on its own daemon thread (as the loop runs its calls, so a
    cancelled run never waits for them), images in request order.

    What was made is kept: a call refused or failed while others returned images is
    logged and its images are missing. When none returned any, the first failure is
    raised, a run-ending ServiceError before an attempt-only one.
    """
    results: list[list[GeneratedImage] | BaseException] = [[] for _ in requests]

    def run(index: int) -> None:
        try:
            results[index] = call(requests[index])
        except BaseException as exc:  # handed to the caller's thread below
            results[index] = exc

    # Each in a copy of the caller's context (see core.loop._spawn).
    threads = [
        threading.Thread(
            target=contextvars.copy_context().run,
            args=(run, i),
            name="imgloop-call-part",
            daemon=True,
        )
        for i in range(len(requests))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    images = [image for r in results if not isinstance(r, BaseException) for image in r]
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures and not images:
        ending = [f for f in failures if isinstance(f, ServiceError)]
        raise (ending or failures)[0]
    for failure in failures:
        log.warning("one of an attempt's calls failed, the others' images are kept: %s", failure)
    return images


class ConverseChat:
    """``ChatModel`` over Converse, so any vision model Bedrock hosts can judge and revise."""

    def __init__(
        self,
        client: Any,  # mypy_boto3_bedrock_runtime.BedrockRuntimeClient, or a test stub
        model_id: str,
        *,
        region: str,
        profile: str | None = None,
    ) -> None:
        self._client = client
        self.model_id = model_id
        self.region = region
        self._profile = profile
        # Sampling settings this model rejected ("temperature", "top_p", "top_k"), learnt
        # from its first refusal and left out of every later call of the run.
        self._omitted: set[str] = set()

    def ask(
        self,
        prompt: str,
        settings: InferenceSettings,
        image_png: bytes | tuple[bytes, ...] | None = None,
    ) -> ModelReply:
        content: list[dict[str, object]] = []
        images = (image_png,) if isinstance(image_png, bytes) else image_png or ()
        for image in images:
            content.append({"image": {"format": "png", "source": {"bytes": image}}})
        content.append({"text": prompt})
        notes: list[Phrase] = []
        try:
            while True:
                try:
                    response = self._converse(content, settings)
                    break
                except ClientError as exc:
                    # Each setting is dropped at most once, so this ends within three resends.
                    rejected = rejected_settings(exc) - self._omitted
                    if not rejected:
                        raise
                    self._omitted |= rejected
                    notes.append(self._dropped_note(sorted(rejected), exc))
                    log.warning("%s", notes[-1])
        except (ClientError, BotoCoreError) as exc:
            raise aws_errors.translate(
                exc,
                model_id=self.model_id,
                region=self.region,
                operation=aws_errors.CHAT_OPERATION,
                profile=self._profile,
            ) from exc
        except aws_errors.UNREADABLE_ANSWER_ERRORS as exc:
            raise aws_errors.unreadable_answer(
                exc,
                model_id=self.model_id,
                region=self.region,
                operation=aws_errors.CHAT_OPERATION,
            ) from exc
        reply = self._reply(response)
        return dataclasses.replace(reply, note=in_turn(*notes)) if notes else reply

    def _dropped_note(self, names: list[str], exc: ClientError) -> Phrase:
        """The words of a refused setting, AWS's message redacted and clipped among the
        values (the words around them are ours, so only the values need it)."""
        said = aws_errors.clip(str(exc.response.get("Error", {}).get("Message", "")), 300)
        settings = chained(SAMPLING, SETTING_AND, [f"`{name}`" for name in names])
        values = {"model": self.model_id, "region": self.region, "settings": settings, "said": said}
        template = DROPPED_ONE if len(names) == 1 else DROPPED_SEVERAL
        return aws_errors.redacted(Phrase(SAMPLING, template, values))

    def _converse(self, content: list[dict[str, object]], settings: InferenceSettings) -> object:
        inference: dict[str, object] = {"maxTokens": settings.max_tokens}
        # An unset setting (None) is left out, as is one this model rejected earlier.
        if settings.temperature is not None and "temperature" not in self._omitted:
            inference["temperature"] = settings.temperature
        if settings.top_p is not None and "top_p" not in self._omitted:
            inference["topP"] = settings.top_p
        kwargs: dict[str, object] = {
            "modelId": self.model_id,
            "messages": [{"role": "user", "content": content}],
            "inferenceConfig": inference,
        }
        top_k = 0 if "top_k" in self._omitted or settings.top_k is None else settings.top_k
        extra = additional_fields(self.model_id, top_k)
        if extra:
            kwargs["additionalModelRequestFields"] = extra
        result: object = self._client.converse(**kwargs)
        return result

    def _reply(self, response: object) -> ModelReply:
        if not isinstance(response, Mapping):
            raise ServiceError(
                f"{self.model_id} in {self.region} answered with something other than a "
                "Converse response.",
                model_id=self.model_id,
                region=self.region,
            )
        output = response.get("output")
        if output is None and response.get("stopReason") is None:
            # botocore reads a body that is not JSON, or JSON it cannot fit to the model,
            # as an empty response rather than failing.
            raise ServiceError(
                f"{self.model_id} in {self.region} answered Converse without the output "
                "message and stop reason Bedrock documents (the answer was empty, not JSON, "
                "or held numbers too large to read).",
                model_id=self.model_id,
                region=self.region,
            )
        message = output.get("message") if isinstance(output, Mapping) else None
        blocks = message.get("content") if isinstance(message, Mapping) else None
        texts = [
            block["text"]
            for block in (blocks if isinstance(blocks, list) else [])
            if isinstance(block, Mapping) and isinstance(block.get("text"), str)
        ]
        text = "".join(texts)
        if not text.strip():
            stop = response.get("stopReason")
            shown = aws_errors.clip(str(stop), 100) if stop else "not given"
            raise ServiceError(
                aws_errors.redact(
                    f"{self.model_id} in {self.region} returned no text (stopReason: {shown})."
                ),
                model_id=self.model_id,
                region=self.region,
                hint=_stop_hint(stop),
            )
        truncated_from = None
        if len(text) > MAX_REPLY_CHARS:
            truncated_from = len(text)
            text = text[:MAX_REPLY_CHARS]
        usage = response.get("usage")
        usage_map: Mapping[str, object] = usage if isinstance(usage, Mapping) else {}
        return ModelReply(
            text=aws_errors.printable(text),
            model_id=self.model_id,
            input_tokens=_count(usage_map.get("inputTokens")),
            output_tokens=_count(usage_map.get("outputTokens")),
            truncated_from=truncated_from,
        )


def additional_fields(model_id: str, top_k: int) -> dict[str, object]:
    """Model-specific request fields carrying top_k, which Converse has no common field for.

    Anthropic takes ``top_k`` at the top level, Amazon Nova nests ``topK`` in its own
    ``inferenceConfig``; other providers get nothing rather than a field they would reject.
    A top_k of 0 means "no top-k cut", so it is not sent.
    """
    if top_k <= 0:
        return {}
    lowered = model_id.lower()
    if "anthropic." in lowered:
        return {"top_k": top_k}
    if "amazon.nova" in lowered:
        return {"inferenceConfig": {"topK": min(top_k, NOVA_TOP_K_MAX)}}
    return {}


# Claude's two refusals of sampling settings on Bedrock (texts in simulator/script.py with
# their sources): "`temperature` is deprecated for this model." (Opus 4.7 and later) and
# "`temperature` and `top_p` cannot both be specified for this model. Please use only one."
# (Sonnet 4.5, Haiku 4.5 and later).
_DEPRECATED_SETTING = re.compile(r"`?\b(temperature|top_p|top_k)\b`? is deprecated")


def rejected_settings(exc: ClientError) -> frozenset[str]:
    """The sampling settings ("temperature", "top_p", "top_k") a ValidationException says
    the model will not take; empty for any other error. Of temperature and top_p sent
    together, top_p is the one left out: temperature is the setting the seed documents."""
    error = exc.response.get("Error", {})
    if error.get("Code") != "ValidationException":
        return frozenset()
    message = str(error.get("Message", "")).lower()
    rejected = set(_DEPRECATED_SETTING.findall(message))
    if (
        "temperature" in message
        and "top_p" in message
        and ("cannot both" in message or "only one" in message)
    ):
        rejected.add("top_p")
    return frozenset(rejected)


def _stop_hint(stop: object) -> str:
    if stop == "max_tokens":
        return "Raise the max tokens setting for this role."
    if stop in ("content_filtered", "guardrail_intervened"):
        return "A content filter stopped the answer; rephrase the prompt or pick another model."
    return ""


def _count(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= MAX_TOKEN_COUNT else None


def _read_body(response: object, model_id: str, region: str) -> bytes:
    """The InvokeModel body as bytes, at most MAX_RESPONSE_BYTES (reads may raise botocore
    errors, which the caller translates)."""
    body = response.get("body") if isinstance(response, Mapping) else None
    if isinstance(body, bytes | bytearray):
        raw = bytes(body)
    elif body is not None and hasattr(body, "read"):
        try:
            raw = body.read(MAX_RESPONSE_BYTES + 1)
        finally:  # a reset or a cut leaves the connection half-read: close it, never leak it
            close = getattr(body, "close", None)
            if callable(close):
                close()
        if not isinstance(raw, bytes | bytearray):
            raise ServiceError(
                f"{model_id} answered with a body that did not read as bytes.",
                model_id=model_id,
                region=region,
            )
        raw = bytes(raw)
    else:
        raise ServiceError(f"{model_id} answered without a body.", model_id=model_id, region=region)
    if len(raw) > MAX_RESPONSE_BYTES:
        raise ServiceError(
            f"{model_id} answered with more than {MAX_RESPONSE_BYTES // (1024 * 1024)} MiB.",
            model_id=model_id,
            region=region,
        )
    return raw


def _load_json(raw: bytes, model_id: str, region: str) -> Mapping[str, object]:
    try:
        payload = jsonsafe.loads(
            raw, what=f"The answer of {model_id} in {region}", max_bytes=MAX_RESPONSE_BYTES
        )
    except jsonsafe.JsonLimitError as exc:
        preview = aws_errors.redact(aws_errors.clip(repr(raw[:80]), 200))
        raise ServiceError(
            f"{aws_errors.clip(str(exc), 300)} (it starts {preview}).",
            model_id=model_id,
            region=region,
        ) from exc
    if not isinstance(payload, dict):
        raise ServiceError(
            f"{model_id} in {region} answered with a JSON {_json_kind(payload)}, "
            "not the object its model documents.",
            model_id=model_id,
            region=region,
        )
    return payload


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return "number"

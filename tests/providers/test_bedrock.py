"""InvokeModel and Converse wrappers: exact calls, untrusted bodies, error translation.

Stubber tests run against a real bedrock-runtime client, so botocore checks our parameters
against the service model; the rest use a recording fake for the odd cases.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from botocore.response import StreamingBody
from botocore.stub import Stubber
from PIL import Image

from imgloop_desktop.core.errors import AttemptFailedError, PromptRefusedError, ServiceError
from imgloop_desktop.core.protocols import (
    ChatModel,
    GeneratedImage,
    GenerationRequest,
    ImageGenerator,
    InferenceSettings,
)
from imgloop_desktop.providers import bedrock, catalog
from imgloop_desktop.providers.bedrock import BedrockImageGenerator, ConverseChat, additional_fields

REGION = "us-east-1"
REQUEST = GenerationRequest(
    prompt="a teapot", width=1024, height=1024, cfg_scale=8.0, number_of_images=1, seed=77
)
SETTINGS = InferenceSettings(temperature=1.0, top_p=0.999, top_k=250, max_tokens=4096)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2, 2), (9, 9, 9)).save(out, format="PNG")
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def stream(raw: bytes) -> StreamingBody:
    return StreamingBody(io.BytesIO(raw), len(raw))


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    client = boto3.Session(region_name=REGION).client("bedrock-runtime")
    yield client


def client_error(code: str, message: str, operation: str = "InvokeModel") -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": 400}},
        operation,
    )


class FakeClient:
    """Records calls; answers from a queue of results or exceptions."""

    def __init__(self, *answers: object) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def _next(self, name: str, kwargs: dict[str, Any]) -> Any:
        self.calls.append((name, kwargs))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def invoke_model(self, **kwargs: Any) -> Any:
        return self._next("invoke_model", kwargs)

    def converse(self, **kwargs: Any) -> Any:
        return self._next("converse", kwargs)


# -- BedrockImageGenerator ---------------------------------------------------------------


def test_generator_sends_exact_invoke_model_call(runtime: Any) -> None:
    spec = catalog.image_spec("amazon.titan-image-generator-v1")
    data = png()
    answer = json.dumps({"images": [b64(data)], "error": None}).encode()
    generator: ImageGenerator = BedrockImageGenerator(runtime, spec, region=REGION)
    assert generator.model_id == "amazon.titan-image-generator-v1"
    with Stubber(runtime) as stub:
        stub.add_response(
            "invoke_model",
            {"body": stream(answer), "contentType": "application/json"},
            {
                "modelId": "amazon.titan-image-generator-v1",
                "body": json.dumps(
                    {
                        "taskType": "TEXT_IMAGE",
                        "textToImageParams": {"text": "a teapot"},
                        "imageGenerationConfig": {
                            "numberOfImages": 1,
                            "height": 1024,
                            "width": 1024,
                            "cfgScale": 8.0,
                            "seed": 77,
                        },
                    }
                ),
                "contentType": "application/json",
                "accept": "application/json",
            },
        )
        images = generator.generate(REQUEST)
        stub.assert_no_pending_responses()
    # Titan does not report seeds: the request's seed made the image.
    assert images == [GeneratedImage(data, 77)]


def test_generator_keeps_the_profile_id_as_given(runtime: Any) -> None:
    spec = catalog.image_spec("us.stability.stable-image-core-v1:1")
    data = png()
    answer = json.dumps({"seeds": [5], "finish_reasons": [None], "images": [b64(data)]}).encode()
    with Stubber(runtime) as stub:
        stub.add_response(
            "invoke_model",
            {"body": stream(answer), "contentType": "application/json"},
            {
                "modelId": "us.stability.stable-image-core-v1:1",
                "body": json.dumps(
                    {
                        "prompt": "a teapot",
                        "aspect_ratio": "1:1",
                        "seed": 77,
                        "output_format": "png",
                    }
                ),
                "contentType": "application/json",
                "accept": "application/json",
            },
        )
        images = BedrockImageGenerator(runtime, spec, region=REGION).generate(REQUEST)
    assert images == [GeneratedImage(data, 5)]  # the response's seed wins


def test_generator_translates_a_filter_into_a_refusal(runtime: Any) -> None:
    spec = catalog.image_spec("amazon.nova-canvas-v1:0")
    with Stubber(runtime) as stub:
        stub.add_client_error(
            "invoke_model",
            service_error_code="ValidationException",
            service_message="This request has been blocked by our content filters.",
            http_status_code=400,
        )
        with pytest.raises(PromptRefusedError, match="content filters"):
            BedrockImageGenerator(runtime, spec, region=REGION).generate(REQUEST)


def test_generator_translates_access_denied(runtime: Any) -> None:
    spec = catalog.image_spec("stability.sd3-5-large-v1:0")
    with Stubber(runtime) as stub:
        stub.add_client_error(
            "invoke_model",
            service_error_code="AccessDeniedException",
            service_message="You don't have access to the model with the specified model ID.",
            http_status_code=403,
        )
        with pytest.raises(ServiceError) as info:
            BedrockImageGenerator(runtime, spec, region=REGION).generate(REQUEST)
    assert "bedrock:InvokeModel on stability.sd3-5-large-v1:0" in info.value.hint
    assert info.value.region == REGION


@pytest.mark.parametrize(
    ("response", "message"),
    [
        ({"body": b"<html>proxy error</html>"}, "not valid JSON"),
        ({"body": b"\xff\xfe\x00"}, "not UTF-8"),
        ({"body": b"[1, 2]"}, "JSON array"),
        ({"body": b"null"}, "JSON null"),
        ({}, "without a body"),
        ({"body": 42}, "without a body"),
        (None, "without a body"),
        ({"body": b'{"images": [] , "error": null}'}, None),
        ({"body": b'{"images": 3}'}, "not a list"),
    ],
)
def test_untrusted_bodies(response: object, message: str | None) -> None:
    spec = catalog.image_spec("amazon.titan-image-generator-v2:0")
    generator = BedrockImageGenerator(FakeClient(response), spec, region=REGION)
    if message is None:
        with pytest.raises(PromptRefusedError):
            generator.generate(REQUEST)
    else:
        with pytest.raises(ServiceError, match=message):
            generator.generate(REQUEST)


def test_deeply_nested_json_is_rejected_cleanly() -> None:
    raw = b"[" * 100_000 + b"]" * 100_000
    spec = catalog.image_spec("amazon.titan-image-generator-v2:0")
    with pytest.raises(ServiceError, match="nests 100000 levels deep"):
        BedrockImageGenerator(FakeClient({"body": raw}), spec, region=REGION).generate(REQUEST)


def test_oversized_body_is_refused_without_reading_it_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bedrock, "MAX_RESPONSE_BYTES", 10)
    raw = json.dumps({"images": [b64(png())]}).encode()
    spec = catalog.image_spec("amazon.titan-image-generator-v1")
    with pytest.raises(ServiceError, match="more than"):
        BedrockImageGenerator(FakeClient({"body": stream(raw)}), spec, region=REGION).generate(
            REQUEST
        )


class TimingOutBody:
    def read(self, amount: int | None = None) -> bytes:
        raise ReadTimeoutError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com")


def test_timeout_while_reading_the_body_is_one_failed_attempt() -> None:
    spec = catalog.image_spec("amazon.titan-image-generator-v1")
    generator = BedrockImageGenerator(FakeClient({"body": TimingOutBody()}), spec, region=REGION)
    with pytest.raises(AttemptFailedError, match="sent no answer within the read timeout"):
        generator.generate(REQUEST)


class SeedEcho:
    """Answers each Stability call with one image carrying the seed it was asked for; a
    seed in ``refuse`` gets the content filter's answer. Safe from several threads."""

    def __init__(self, refuse: frozenset[int] = frozenset()) -> None:
        self.refuse = refuse
        self.seeds: list[int] = []
        self.lock = threading.Lock()

    def invoke_model(self, **kwargs: Any) -> Any:
        seed = json.loads(kwargs["body"])["seed"]
        with self.lock:
            self.seeds.append(seed)
        if seed in self.refuse:
            answer = {"seeds": [seed], "finish_reasons": ["Filter reason: prompt"], "images": []}
        else:
            answer = {"seeds": [seed], "finish_reasons": [None], "images": [b64(png())]}
        return {"body": stream(json.dumps(answer).encode())}


def test_several_images_on_a_one_image_model_are_calls_at_once_with_the_next_seeds() -> None:
    spec = catalog.image_spec("stability.sd3-5-large-v1:0")
    client = SeedEcho()
    generator = BedrockImageGenerator(client, spec, region="us-west-2")
    images = generator.generate(dataclasses.replace(REQUEST, number_of_images=3))
    assert sorted(client.seeds) == [77, 78, 79]
    assert [image.seed for image in images] == [77, 78, 79]  # in request order


def test_a_refused_call_among_several_keeps_the_other_images() -> None:
    spec = catalog.image_spec("stability.stable-image-core-v1:1")
    generator = BedrockImageGenerator(SeedEcho(frozenset({78})), spec, region="us-west-2")
    images = generator.generate(dataclasses.replace(REQUEST, number_of_images=3))
    assert [image.seed for image in images] == [77, 79]


def test_when_every_call_is_refused_the_attempt_is_refused() -> None:
    spec = catalog.image_spec("stability.stable-image-core-v1:1")
    generator = BedrockImageGenerator(SeedEcho(frozenset({77, 78})), spec, region="us-west-2")
    with pytest.raises(PromptRefusedError, match="Filter reason: prompt"):
        generator.generate(dataclasses.replace(REQUEST, number_of_images=2))


def test_the_seed_wraps_at_the_models_maximum() -> None:
    spec = catalog.image_spec("stability.sd3-5-large-v1:0")
    client = SeedEcho()
    request = dataclasses.replace(REQUEST, number_of_images=2, seed=spec.seed_max)
    BedrockImageGenerator(client, spec, region="us-west-2").generate(request)
    assert sorted(client.seeds) == [0, spec.seed_max]


# -- ConverseChat ------------------------------------------------------------------------


def converse_answer(*texts: str, stop: str = "end_turn") -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": t} for t in texts]}},
        "stopReason": stop,
        "usage": {"inputTokens": 1200, "outputTokens": 34, "totalTokens": 1234},
        "metrics": {"latencyMs": 900},
    }


def test_converse_call_with_image_for_anthropic(runtime: Any) -> None:
    image = png()
    model = "anthropic.claude-3-5-sonnet-20240620-v1:0"
    chat: ChatModel = ConverseChat(runtime, model, region=REGION)
    with Stubber(runtime) as stub:
        stub.add_response(
            "converse",
            converse_answer('{"result": ', '"YES"}'),
            {
                "modelId": model,
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {"image": {"format": "png", "source": {"bytes": image}}},
                            {"text": "Does it match?"},
                        ],
                    }
                ],
                "inferenceConfig": {"maxTokens": 4096, "temperature": 1.0, "topP": 0.999},
                "additionalModelRequestFields": {"top_k": 250},
            },
        )
        reply = chat.ask("Does it match?", SETTINGS, image)
    assert reply.text == '{"result": "YES"}'
    assert reply.model_id == model
    assert (reply.input_tokens, reply.output_tokens) == (1200, 34)


def test_converse_text_only_for_nova(runtime: Any) -> None:
    model = "us.amazon.nova-pro-v1:0"
    with Stubber(runtime) as stub:
        stub.add_response(
            "converse",
            converse_answer("better prompt"),
            {
                "modelId": model,
                "messages": [{"role": "user", "content": [{"text": "Revise it"}]}],
                "inferenceConfig": {"maxTokens": 4096, "temperature": 1.0, "topP": 0.999},
                "additionalModelRequestFields": {"inferenceConfig": {"topK": 128}},
            },
        )
        reply = ConverseChat(runtime, model, region=REGION).ask("Revise it", SETTINGS)
    assert reply.text == "better prompt"


@pytest.mark.parametrize(
    ("model_id", "top_k", "fields"),
    [
        ("anthropic.claude-3-haiku-20240307-v1:0", 5, {"top_k": 5}),
        ("us.anthropic.claude-sonnet-4-6", 250, {"top_k": 250}),
        (
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
            40,
            {"top_k": 40},
        ),
        ("amazon.nova-lite-v1:0", 50, {"inferenceConfig": {"topK": 50}}),
        ("eu.amazon.nova-pro-v1:0", 500, {"inferenceConfig": {"topK": 128}}),
        ("meta.llama3-2-90b-instruct-v1:0", 50, {}),
        ("mistral.pixtral-large-2502-v1:0", 50, {}),
        ("anthropic.claude-3-haiku-20240307-v1:0", 0, {}),
    ],
)
def test_additional_fields(model_id: str, top_k: int, fields: dict[str, object]) -> None:
    assert additional_fields(model_id, top_k) == fields


def test_other_providers_get_no_additional_fields() -> None:
    fake = FakeClient(converse_answer("ok"))
    ConverseChat(fake, "meta.llama3-2-90b-instruct-v1:0", region=REGION).ask("hi", SETTINGS)
    assert "additionalModelRequestFields" not in fake.calls[0][1]


def test_temperature_with_top_p_refusal_is_retried_once_without_top_p() -> None:
    refusal = client_error(
        "ValidationException",
        "`temperature` and `top_p` cannot both be specified for this model. Please use only one.",
        "Converse",
    )
    fake = FakeClient(refusal, converse_answer("first"), converse_answer("second"))
    chat = ConverseChat(fake, "us.anthropic.claude-sonnet-4-6", region=REGION)
    assert chat.ask("a", SETTINGS).text == "first"
    assert chat.ask("b", SETTINGS).text == "second"
    configs = [kwargs["inferenceConfig"] for _, kwargs in fake.calls]
    assert configs[0] == {"maxTokens": 4096, "temperature": 1.0, "topP": 0.999}
    assert configs[1] == {"maxTokens": 4096, "temperature": 1.0}
    assert configs[2] == {"maxTokens": 4096, "temperature": 1.0}


def test_second_refusal_is_not_retried_again() -> None:
    refusal = client_error(
        "ValidationException", "temperature and top_p cannot both be specified", "Converse"
    )
    other = client_error("ValidationException", "messages: too many images", "Converse")
    fake = FakeClient(refusal, other)
    with pytest.raises(ServiceError, match="too many images"):
        ConverseChat(fake, "us.anthropic.claude-sonnet-4-6", region=REGION).ask("a", SETTINGS)
    assert len(fake.calls) == 2


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ValidationException", "The provided model identifier is invalid."),
        ("ValidationException", "blocked by our content filters"),
        ("AccessDeniedException", "no access"),
        ("ThrottlingException", "slow down"),
        ("ResourceNotFoundException", "This model version has reached the end of its life."),
    ],
)
def test_converse_errors_are_always_service_errors(code: str, message: str) -> None:
    fake = FakeClient(client_error(code, message, "Converse"))
    chat = ConverseChat(fake, "anthropic.claude-3-5-sonnet-20240620-v1:0", region=REGION)
    with pytest.raises(ServiceError):
        chat.ask("x", SETTINGS)


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (converse_answer(stop="max_tokens"), "max tokens"),
        (converse_answer("  ", stop="end_turn"), ""),
        (converse_answer(stop="content_filtered"), "content filter"),
        ({"output": {"message": {"content": [{"image": {}}]}}, "stopReason": "end_turn"}, ""),
        ({"output": {"message": {"content": "text"}}}, ""),
        ({"output": "nope"}, ""),
    ],
)
def test_no_text_is_a_service_error(answer: dict[str, Any], hint: str) -> None:
    chat = ConverseChat(FakeClient(answer), "amazon.nova-lite-v1:0", region=REGION)
    with pytest.raises(ServiceError, match="returned no text") as info:
        chat.ask("x", SETTINGS)
    assert hint in info.value.hint


def test_an_empty_response_says_what_was_missing() -> None:
    """What botocore makes of a body that is not JSON or holds a 5,000-digit number."""
    chat = ConverseChat(FakeClient({}), "amazon.nova-lite-v1:0", region=REGION)
    with pytest.raises(ServiceError, match="without the output message") as info:
        chat.ask("x", SETTINGS)
    assert "in us-east-1" in str(info.value)


def test_non_mapping_response_is_a_service_error() -> None:
    chat = ConverseChat(FakeClient(["not", "a", "dict"]), "amazon.nova-lite-v1:0", region=REGION)
    with pytest.raises(ServiceError, match="other than a Converse response"):
        chat.ask("x", SETTINGS)


def test_missing_or_odd_usage_gives_none() -> None:
    answer: dict[str, Any] = {
        "output": {"message": {"content": [{"reasoningContent": {}}, {"text": "ok"}]}},
        "usage": {"inputTokens": "12", "outputTokens": True},
    }
    reply = ConverseChat(FakeClient(answer), "amazon.nova-lite-v1:0", region=REGION).ask(
        "x", SETTINGS
    )
    assert reply.text == "ok"
    assert reply.input_tokens is None and reply.output_tokens is None


def test_generator_and_chat_share_one_client() -> None:
    fake = FakeClient(
        {"body": json.dumps({"images": [b64(png())]}).encode()}, converse_answer("YES")
    )
    spec = catalog.image_spec("amazon.titan-image-generator-v1")
    make: list[Callable[[], object]] = [
        lambda: BedrockImageGenerator(fake, spec, region=REGION).generate(REQUEST),
        lambda: ConverseChat(fake, "amazon.nova-lite-v1:0", region=REGION).ask("x", SETTINGS),
    ]
    for call in make:
        call()
    assert [name for name, _ in fake.calls] == ["invoke_model", "converse"]


def test_unset_sampling_settings_are_not_sent() -> None:
    client = FakeClient(converse_answer("YES"))
    chat = ConverseChat(client, "us.anthropic.claude-sonnet-4-6", region=REGION)
    unset = InferenceSettings(temperature=0.2, top_p=None, top_k=None, max_tokens=300)
    chat.ask("judge this", unset)
    ((_, sent),) = client.calls
    assert sent["inferenceConfig"] == {"maxTokens": 300, "temperature": 0.2}
    assert "additionalModelRequestFields" not in sent

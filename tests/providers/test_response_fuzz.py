"""Property-based fuzzing of every model answer the providers read (issue 17).

Whatever comes back - any JSON value, JSON shaped almost like each family's answer, an
almost-Converse response, raw bytes, error statuses with odd bodies - the providers answer
with a result or one of the app's own errors (ServiceError, PromptRefusedError,
ModelOutputError), whose message is bounded and printable. Never another exception.

Bodies go through a real bedrock-runtime client whose ``before-send`` hook hands back the
generated HTTP response, so botocore's own response parsing (where issue 17's tracebacks
came from) is fuzzed along with ours, in process and without sockets.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.config import Config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from imgloop_desktop.core.errors import ModelOutputError, PromptRefusedError, ServiceError
from imgloop_desktop.core.pngs import PNG_SIGNATURE
from imgloop_desktop.core.protocols import GenerationRequest, InferenceSettings, ModelReply
from imgloop_desktop.providers import catalog
from imgloop_desktop.providers.bedrock import (
    MAX_REPLY_CHARS,
    MAX_TOKEN_COUNT,
    BedrockImageGenerator,
    ConverseChat,
)
from imgloop_desktop.providers.session import install_call_policy

REGION = "us-east-1"
JUDGE = "us.anthropic.claude-sonnet-4-6"
CLEAN_ERRORS = (ServiceError, PromptRefusedError, ModelOutputError)
REQUEST = GenerationRequest(
    prompt="a teapot", width=1024, height=1024, cfg_scale=8.0, number_of_images=1, seed=5
)
SETTINGS = InferenceSettings(temperature=0.5, top_p=0.9, top_k=50, max_tokens=512)
# One spec per body style: Titan and Nova Canvas share a parser, Stability has two.
SPECS = [
    catalog.image_spec(model_id)
    for model_id in (
        "amazon.titan-image-generator-v2:0",
        "us.amazon.nova-canvas-v1:0",
        "stability.stable-image-core-v1:1",
        "stability.stable-diffusion-xl-v1",
    )
]
FUZZ = settings(
    max_examples=250,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _png() -> str:
    out = io.BytesIO()
    Image.new("RGB", (2, 2), (1, 2, 3)).save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode("ascii")


VALID_PNG_B64 = _png()

# -- strategies ----------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**45), max_value=10**45),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=12), children, max_size=4),
    ),
    max_leaves=12,
)
image_items = st.one_of(
    st.just(VALID_PNG_B64),
    st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode("ascii")),
    st.binary(max_size=64).map(lambda b: base64.b64encode(PNG_SIGNATURE + b).decode("ascii")),
    st.text(max_size=30),
    json_values,
)
maybe = lambda strategy: st.one_of(strategy, json_values)  # noqa: E731
titan_payloads = st.fixed_dictionaries(
    {},
    optional={
        "images": maybe(st.lists(image_items, max_size=6)),
        "error": st.one_of(st.none(), st.just(""), json_values),
        "extra": json_values,
    },
)
stability_payloads = st.fixed_dictionaries(
    {},
    optional={
        "images": maybe(st.lists(image_items, max_size=6)),
        "seeds": maybe(st.lists(json_values, max_size=6)),
        "finish_reasons": maybe(
            st.lists(st.one_of(st.none(), st.sampled_from(["Filter reason: prompt"])), max_size=6)
        ),
    },
)
sdxl_artifacts = st.fixed_dictionaries(
    {},
    optional={
        "base64": image_items,
        "seed": json_values,
        "finishReason": st.one_of(
            st.sampled_from(["SUCCESS", "ERROR", "CONTENT_FILTERED"]), json_values
        ),
    },
)
sdxl_payloads = st.fixed_dictionaries(
    {},
    optional={"result": json_values, "artifacts": maybe(st.lists(sdxl_artifacts, max_size=6))},
)
absurd_bodies = st.sampled_from(
    [
        b"[" * 50_000 + b"]" * 50_000,
        b'{"images": [' + b"9" * 5_000 + b"]}",
        b'{"usage": {"inputTokens": ' + b"9" * 5_000 + b"}}",
        b'{"usage": {"inputTokens": "lots"}}',
        b'{"usage": {"inputTokens": NaN}}',
        b'{"metrics": {"latencyMs": 1e400}}',
        b"NaN",
        b"null",
        b"",
        b"\xff\xfe\x00",
        b'"\\ud800"',
        b'{"output": {"message": {"content": [{"text": "\\ud800 lone"}]}}}',
        b"<html>502</html>",
    ]
)
invoke_bodies = st.one_of(
    absurd_bodies,
    st.binary(max_size=120),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.one_of(titan_payloads, stability_payloads, sdxl_payloads).map(
        lambda v: json.dumps(v).encode()
    ),
)
content_blocks = st.one_of(
    st.fixed_dictionaries({"text": maybe(st.text(max_size=60))}),
    st.fixed_dictionaries(
        {"image": maybe(st.fixed_dictionaries({"format": json_values, "source": json_values}))}
    ),
    st.fixed_dictionaries({"reasoningContent": json_values}),
    st.fixed_dictionaries({"toolUse": json_values}),
    json_values,
)
converse_payloads = st.fixed_dictionaries(
    {},
    optional={
        "output": maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "message": maybe(
                        st.fixed_dictionaries(
                            {"role": maybe(st.just("assistant"))},
                            optional={"content": maybe(st.lists(content_blocks, max_size=4))},
                        )
                    )
                },
            )
        ),
        "stopReason": st.one_of(
            st.sampled_from(["end_turn", "max_tokens", "content_filtered"]), json_values
        ),
        "usage": maybe(st.dictionaries(st.sampled_from(["inputTokens", "outputTokens"]), scalars)),
        "metrics": maybe(st.fixed_dictionaries({"latencyMs": scalars})),
        "additionalModelResponseFields": json_values,
    },
)
converse_bodies = st.one_of(
    absurd_bodies,
    st.binary(max_size=120),
    json_values.map(lambda v: json.dumps(v).encode()),
    converse_payloads.map(lambda v: json.dumps(v).encode()),
)
statuses = st.one_of(st.just(200), st.sampled_from([200, 200, 400, 403, 404, 408, 424]))
error_types = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "ValidationException",
            "AccessDeniedException",
            "ResourceNotFoundException",
            "ModelErrorException",
            "ExpiredTokenException",
            "Odd:Thing",
        ]
    ),
    st.text(max_size=20).filter(lambda t: "\r" not in t and "\n" not in t),
)

# -- a client that answers whatever the example says ---------------------------------------


class _RawBody(io.BytesIO):
    """What botocore needs from urllib3's response: ``read`` and ``stream``."""

    def stream(self, amt: int = 1024, decode_content: bool | None = None) -> Iterator[bytes]:
        while chunk := self.read(amt):
            yield chunk


class CannedHttp:
    def __init__(self) -> None:
        self.status = 200
        self.body = b""
        self.error_type: str | None = None

    def answer(self, status: int, body: bytes, error_type: str | None) -> None:
        self.status, self.body, self.error_type = status, body, error_type

    def send(self, request: Any, **_: Any) -> AWSResponse:
        headers = HeadersDict(
            {"Content-Type": "application/json", "Content-Length": str(len(self.body))}
        )
        if self.error_type is not None:
            headers["x-amzn-ErrorType"] = self.error_type
        return AWSResponse(request.url, self.status, headers, _RawBody(self.body))


@pytest.fixture(scope="module")
def canned() -> Iterator[tuple[Any, CannedHttp]]:
    http = CannedHttp()
    client = boto3.client(
        "bedrock-runtime",
        region_name=REGION,
        aws_access_key_id="AKIDFUZZ",
        aws_secret_access_key="fuzz-secret",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )
    install_call_policy(client)
    client.meta.events.register("before-send.bedrock-runtime", http.send)
    try:
        yield client, http
    finally:
        client.close()


def assert_clean(exc: BaseException, model_id: str) -> None:
    assert isinstance(exc, CLEAN_ERRORS), f"{type(exc).__name__}: {exc}"
    text = str(exc)
    text.encode("utf-8")  # printable: no lone surrogates
    assert len(text) < 4_000
    if isinstance(exc, ServiceError):
        assert exc.model_id == model_id


# -- the properties ------------------------------------------------------------------------


@FUZZ
@given(spec=st.sampled_from(SPECS), status=statuses, body=invoke_bodies, error_type=error_types)
def test_any_invoke_model_answer(
    canned: tuple[Any, CannedHttp],
    spec: Any,
    status: int,
    body: bytes,
    error_type: str | None,
) -> None:
    client, http = canned
    http.answer(status, body, error_type if status != 200 else None)
    generator = BedrockImageGenerator(client, spec, region=REGION)
    try:
        images = generator.generate(REQUEST)
    except Exception as exc:
        assert_clean(exc, spec.model_id)
        return
    assert status == 200
    assert images
    for image in images:
        assert image.data.startswith(PNG_SIGNATURE)
        assert image.seed is None or 0 <= image.seed <= max(spec.seed_max, REQUEST.seed)


@FUZZ
@given(status=statuses, body=converse_bodies, error_type=error_types)
def test_any_converse_answer(
    canned: tuple[Any, CannedHttp], status: int, body: bytes, error_type: str | None
) -> None:
    client, http = canned
    http.answer(status, body, error_type if status != 200 else None)
    chat = ConverseChat(client, JUDGE, region=REGION)
    try:
        reply = chat.ask("Does it match?", SETTINGS)
    except Exception as exc:
        assert_clean(exc, JUDGE)
        return
    assert_valid_reply(reply)


class FakeClient:
    """Hands back any Python object as the parsed answer (stubs and odd SDK versions)."""

    def __init__(self, answer: object) -> None:
        self.answer = answer

    def invoke_model(self, **_: Any) -> object:
        return self.answer

    def converse(self, **_: Any) -> object:
        return self.answer


def assert_valid_reply(reply: ModelReply) -> None:
    assert isinstance(reply.text, str) and reply.text.strip()
    assert len(reply.text) <= MAX_REPLY_CHARS
    reply.text.encode("utf-8")
    for count in (reply.input_tokens, reply.output_tokens):
        assert count is None or 0 <= count <= MAX_TOKEN_COUNT


@FUZZ
@given(answer=st.one_of(converse_payloads, json_values))
def test_any_parsed_converse_object(answer: object) -> None:
    try:
        reply = ConverseChat(FakeClient(answer), JUDGE, region=REGION).ask("x", SETTINGS)
    except Exception as exc:
        assert_clean(exc, JUDGE)
        return
    assert_valid_reply(reply)


@FUZZ
@given(
    spec=st.sampled_from(SPECS),
    payload=st.one_of(titan_payloads, stability_payloads, sdxl_payloads),
)
def test_any_family_payload(spec: Any, payload: dict[str, Any]) -> None:
    """Straight into the family parsers, the shapes nearest to real answers."""
    raw = json.dumps(payload).encode()
    generator = BedrockImageGenerator(FakeClient({"body": raw}), spec, region=REGION)
    try:
        images = generator.generate(REQUEST)
    except Exception as exc:
        assert_clean(exc, spec.model_id)
        return
    assert all(image.data.startswith(PNG_SIGNATURE) for image in images)

"""The simulator as boto3 sees it: every assertion goes through a real bedrock-runtime
client, so request serialisation, SigV4 headers and rest-json error parsing are the
library's own."""

from __future__ import annotations

import base64
import io
import json
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError
from mypy_boto3_bedrock_runtime import BedrockRuntimeClient
from PIL import Image

from imgloop_desktop.simulator import image_bodies
from imgloop_desktop.simulator.errors import BedrockError
from imgloop_desktop.simulator.images import ASPECT_RATIO_SIZES, make_image
from imgloop_desktop.simulator.script import (
    CONTENT_FILTER_MESSAGE,
    EOL_MESSAGE,
    ERROR_STATUS,
    OUTPUT_FILTER_MESSAGE,
    SimScript,
    base_model_id,
)
from imgloop_desktop.simulator.server import BedrockSimulator, model_family
from tests.simulator.conftest import RETRIED_CODES, make_client

TITAN_V1 = "amazon.titan-image-generator-v1"
TITAN_V2 = "amazon.titan-image-generator-v2:0"
NOVA = "amazon.nova-canvas-v1:0"
NOVA_PROFILE = "us.amazon.nova-canvas-v1:0"
NOVA_ARN = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-canvas-v1:0"
SD35 = "stability.sd3-5-large-v1:0"
CORE = "stability.stable-image-core-v1:1"
ULTRA = "stability.stable-image-ultra-v1:1"
SDXL = "stability.stable-diffusion-xl-v1"
JUDGE = "us.anthropic.claude-sonnet-4-6"


@pytest.fixture(autouse=True)
def _old_families(retired: BedrockSimulator) -> None:
    """Most of these tests use the Titan, Nova Canvas and SDXL bodies: opt into the retired
    models (the strict defaults are tested in test_front_door.py)."""


def titan_body(prompt: str = "a red fox in snow", **config: object) -> dict[str, Any]:
    return {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": prompt},
        "imageGenerationConfig": {
            "numberOfImages": 1,
            "height": 512,
            "width": 512,
            "cfgScale": 8.0,
            "seed": 7,
            **config,
        },
    }


def stability_body(prompt: str = "a red fox in snow", **extra: Any) -> dict[str, Any]:
    return {"prompt": prompt, "seed": 7, "output_format": "png", **extra}


def sdxl_body(prompt: str = "a red fox in snow", **extra: Any) -> dict[str, Any]:
    return {
        "text_prompts": [{"text": prompt, "weight": 1}],
        "cfg_scale": 7,
        "seed": 7,
        "steps": 30,
        "samples": 1,
        **extra,
    }


def body_for(model_id: str) -> dict[str, Any]:
    family = model_family(model_id)
    if family in ("titan", "nova"):
        return titan_body()
    if family == "sdxl":
        return sdxl_body()
    return stability_body()


def invoke(client: BedrockRuntimeClient, model_id: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.invoke_model(
        modelId=model_id,
        body=json.dumps(body),
        contentType="application/json",
        accept="application/json",
    )
    assert response["contentType"] == "application/json"
    result: dict[str, Any] = json.loads(response["body"].read())
    return result


def decode(b64: str) -> Image.Image:
    img = Image.open(io.BytesIO(base64.b64decode(b64)))
    img.load()
    return img


def png_bytes(width: int, height: int) -> bytes:
    return make_image("judge input", 1, 0, width, height)


def judge(client: BedrockRuntimeClient, image: bytes, text: str = "Does it match?") -> Any:
    return client.converse(
        modelId=JUDGE,
        messages=[
            {
                "role": "user",
                "content": [
                    {"image": {"format": "png", "source": {"bytes": image}}},
                    {"text": text},
                ],
            }
        ],
        inferenceConfig={"maxTokens": 512, "temperature": 1.0},
        additionalModelRequestFields={"top_k": 250},
    )


def revise(client: BedrockRuntimeClient, text: str) -> Any:
    return client.converse(
        modelId=JUDGE,
        system=[{"text": "You rewrite image prompts."}],
        messages=[{"role": "user", "content": [{"text": text}]}],
        inferenceConfig={"maxTokens": 512},
    )


def reply_text(response: Any) -> str:
    text: str = response["output"]["message"]["content"][0]["text"]
    return text


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    err = exc.value.response["Error"]
    status = exc.value.response["ResponseMetadata"]["HTTPStatusCode"]
    return err.get("Code", ""), err.get("Message", ""), status


# -- InvokeModel ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "config", "size", "count"),
    [
        (TITAN_V1, {"numberOfImages": 3, "width": 1024, "height": 1024}, (1024, 1024), 3),
        (TITAN_V2, {"numberOfImages": 1, "width": 1152, "height": 640}, (1152, 640), 1),
        (NOVA, {"numberOfImages": 2, "width": 512, "height": 768}, (512, 768), 2),
        (NOVA_PROFILE, {"numberOfImages": 1, "width": 1280, "height": 720}, (1280, 720), 1),
        (NOVA_ARN, {"numberOfImages": 5, "width": 320, "height": 320}, (320, 320), 5),
    ],
)
def test_titan_family_returns_requested_pngs(
    east_client: BedrockRuntimeClient,
    sim: BedrockSimulator,
    model_id: str,
    config: dict[str, object],
    size: tuple[int, int],
    count: int,
) -> None:
    body = titan_body()
    body["imageGenerationConfig"].update(config)
    out = invoke(east_client, model_id, body)  # Nova Canvas answered in us-east-1
    assert out["error"] is None
    assert len(out["images"]) == count
    for b64 in out["images"]:
        img = decode(b64)
        assert img.format == "PNG"
        assert img.size == size
    assert len(set(out["images"])) == count  # index makes each image distinct
    assert sim.last("generate").model_id == model_id


@pytest.mark.parametrize("model_id", [SD35, CORE, ULTRA])
@pytest.mark.parametrize("ratio", ["1:1", "16:9", "9:21", "3:2"])
def test_stability_returns_size_for_aspect_ratio(
    client: BedrockRuntimeClient, model_id: str, ratio: str
) -> None:
    extra = {"aspect_ratio": ratio}
    if "sd3" in model_id:
        extra["mode"] = "text-to-image"
    out = invoke(client, model_id, stability_body(**extra))
    assert out["seeds"] == [7]
    assert out["finish_reasons"] == [None]
    assert len(out["images"]) == 1
    img = decode(out["images"][0])
    assert img.format == "PNG"
    assert img.size == ASPECT_RATIO_SIZES[ratio]


def test_stability_defaults_and_jpeg(client: BedrockRuntimeClient) -> None:
    out = invoke(client, CORE, {"prompt": "a lighthouse", "output_format": "jpeg"})
    assert out["seeds"][0] > 0  # seed omitted: a seed is still reported
    img = decode(out["images"][0])
    assert (img.format, img.size) == ("JPEG", (1024, 1024))


def test_sdxl_returns_artifacts(client: BedrockRuntimeClient) -> None:
    out = invoke(client, SDXL, sdxl_body(width=1152, height=896))
    assert out["result"] == "success"
    [artifact] = out["artifacts"]
    assert artifact["finishReason"] == "SUCCESS"
    assert artifact["seed"] == 7
    img = decode(artifact["base64"])
    assert (img.format, img.size) == ("PNG", (1152, 896))


def test_images_are_deterministic(client: BedrockRuntimeClient) -> None:
    first = invoke(client, TITAN_V1, titan_body(numberOfImages=2))
    again = invoke(client, TITAN_V1, titan_body(numberOfImages=2))
    other_seed = invoke(client, TITAN_V1, titan_body(numberOfImages=2, seed=8))
    assert first["images"] == again["images"]
    assert first["images"][0] != other_seed["images"][0]


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        (
            {"textToImageParams": {"text": "x"}},
            ["#: required key [taskType] not found"],
        ),
        (
            {"taskType": "TEXT_TO_IMAGE", "textToImageParams": {"text": "x"}},
            ["#/taskType: TEXT_TO_IMAGE is not a valid enum value"],
        ),
        (
            {"taskType": "TEXT_IMAGE", "textToImageParams": {}},
            ["#/textToImageParams: required key [text] not found"],
        ),
        (
            {"taskType": "TEXT_IMAGE"},
            ["#: required key [textToImageParams] not found"],
        ),
        (
            titan_body(width="1024", height=512.5),
            [
                "#/imageGenerationConfig/width: expected type: Integer, found: String",
                "#/imageGenerationConfig/height: expected type: Integer, found: BigDecimal",
            ],
        ),
        (
            titan_body(numberOfImages=6),
            ["#/imageGenerationConfig/numberOfImages: 6 is not less or equal to 5"],
        ),
        (
            titan_body(seed=2147483647),
            ["#/imageGenerationConfig/seed: 2147483647 is not less or equal to 2147483646"],
        ),
        (
            titan_body(prompt=""),
            ["#/textToImageParams/text: expected minLength: 1, actual: 0"],
        ),
    ],
)
def test_titan_malformed_bodies(
    client: BedrockRuntimeClient, body: dict[str, Any], fragments: list[str]
) -> None:
    with pytest.raises(ClientError) as exc:
        invoke(client, TITAN_V1, body)
    code, message, status = error_of(exc)
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("Malformed input request: ")
    assert message.endswith(", please reformat your input and try again.")
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("model_id", "body", "fragment"),
    [
        (SD35, {"aspect_ratio": "1:1"}, "#: required key [prompt] not found"),
        (CORE, stability_body(aspect_ratio="4:3"), "#/aspect_ratio: 4:3 is not a valid enum"),
        (ULTRA, stability_body(output_format="gif"), "#/output_format: gif is not a valid enum"),
        (SDXL, {"cfg_scale": 7}, "#: required key [text_prompts] not found"),
        (SDXL, sdxl_body(samples=2), "#/samples: 2 is not less or equal to 1"),
        (SDXL, sdxl_body(width=1000, height=1000), "must be one of 1024x1024"),
    ],
)
def test_stability_malformed_bodies(
    client: BedrockRuntimeClient, model_id: str, body: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ClientError) as exc:
        invoke(client, model_id, body)
    code, message, _ = error_of(exc)
    assert code == "ValidationException"
    assert fragment in message


def test_unknown_model_and_bad_json(client: BedrockRuntimeClient) -> None:
    with pytest.raises(ClientError) as exc:
        invoke(client, "acme.paint-v1", {"prompt": "x"})
    assert error_of(exc)[:2] == (
        "ValidationException",
        "The provided model identifier is invalid.",
    )
    with pytest.raises(ClientError) as exc:
        client.invoke_model(modelId=TITAN_V1, body=b"{not json")
    assert error_of(exc)[0] == "ValidationException"


# -- Converse -----------------------------------------------------------------------------------


def test_judge_answers_scripted_verdicts_then_default(
    client: BedrockRuntimeClient, sim: BedrockSimulator
) -> None:
    fenced = '```json\n{"result": "NO", "reason": "no fox"}\n```'
    sim.script.queue_verdicts("NO", "YES", SimScript.raw(fenced))
    sim.script.verdicts.append("Sure! The answer is YES.")  # plain prose goes out verbatim
    image = png_bytes(512, 512)
    replies = [reply_text(judge(client, image)) for _ in range(5)]
    assert json.loads(replies[0])["result"] == "NO"
    assert json.loads(replies[1])["result"] == "YES"
    assert json.loads(replies[0])["reason"]
    assert replies[2] == fenced
    assert replies[3] == "Sure! The answer is YES."
    assert json.loads(replies[4])["result"] == "YES"  # queue empty: default verdict
    sim.script.default_verdict = "NO"
    assert json.loads(reply_text(judge(client, image)))["result"] == "NO"
    assert sim.count("judge") == 6
    assert sim.count("revise") == 0


def test_judge_response_shape_and_tokens_follow_image_size(
    client: BedrockRuntimeClient, sim: BedrockSimulator
) -> None:
    big = judge(client, png_bytes(1024, 1024))
    small = judge(client, png_bytes(512, 512))
    assert big["stopReason"] == "end_turn"
    assert big["output"]["message"]["role"] == "assistant"
    usage, small_usage = big["usage"], small["usage"]
    assert usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"]
    assert usage["inputTokens"] > 3 * small_usage["inputTokens"]
    assert 1300 < usage["inputTokens"] < 1500  # about 1024*1024/750
    assert isinstance(big["metrics"]["latencyMs"], int)
    record = sim.last("judge")
    assert record.image_sizes == ((512, 512),)
    assert record.input_tokens == small_usage["inputTokens"]
    assert record.body["inferenceConfig"]["maxTokens"] == 512
    assert record.body["additionalModelRequestFields"] == {"top_k": 250}


def test_judge_rejects_bytes_that_are_not_an_image(client: BedrockRuntimeClient) -> None:
    with pytest.raises(ClientError) as exc:
        judge(client, b"definitely not a png")
    assert error_of(exc)[0] == "ValidationException"


def test_max_tokens_truncates_the_answer(
    client: BedrockRuntimeClient, sim: BedrockSimulator
) -> None:
    sim.script.queue_verdicts(SimScript.raw('{"result": "YES", "reason": "' + "x" * 100 + '"}'))
    response = client.converse(
        modelId=JUDGE,
        messages=[
            {
                "role": "user",
                "content": [
                    {"image": {"format": "png", "source": {"bytes": png_bytes(64, 64)}}},
                    {"text": "?"},
                ],
            }
        ],
        inferenceConfig={"maxTokens": 5},
    )
    assert response["stopReason"] == "max_tokens"
    assert reply_text(response) == '{"result": "YES", "r'  # 5 tokens of ~4 characters
    assert response["usage"]["outputTokens"] == 5


def test_revise_scripted_raw_and_default(
    client: BedrockRuntimeClient, sim: BedrockSimulator
) -> None:
    sim.script.queue_revisions("A fox in deep snow at dusk", SimScript.raw("not json at all"))
    first = reply_text(revise(client, "Improve it. Prompt: a fox"))
    assert json.loads(first) == {"revised_prompt": "A fox in deep snow at dusk"}
    assert reply_text(revise(client, "Improve it. Prompt: a fox")) == "not json at all"
    derived = json.loads(reply_text(revise(client, "Rewrite.\nPrompt: a red fox in snow\n")))
    detail = ", highly detailed, soft natural light"
    assert derived == {"revised_prompt": "An image of a red fox in snow" + detail}
    tagged = json.loads(reply_text(revise(client, "<prompt>An image of a cat</prompt> fix it")))
    assert tagged == {"revised_prompt": "An image of a cat" + detail}
    latest = json.loads(
        reply_text(revise(client, "<latest>An image of a cat" + detail + "</latest>"))
    )
    assert latest == tagged, "revising a revision does not pile up the same detail"
    assert sim.count("revise") == 5
    assert sim.count("judge") == 0


# -- faults ---------------------------------------------------------------------------------------

FAULT_CODES = [
    "ThrottlingException",
    "ServiceUnavailableException",
    "ValidationException",
    "AccessDeniedException",
    "ResourceNotFoundException",
    "ModelErrorException",
    "ModelTimeoutException",
    "InternalServerException",
]


@pytest.mark.parametrize("code", FAULT_CODES)
def test_generate_faults_surface_as_client_error_codes(
    client: BedrockRuntimeClient, sim: BedrockSimulator, code: str
) -> None:
    attempts = 2 if code in RETRIED_CODES else 1
    sim.script.fail("generate", code, times=attempts, message=f"scripted {code}")
    with pytest.raises(ClientError) as exc:
        invoke(client, TITAN_V1, titan_body())
    assert error_of(exc) == (code, f"scripted {code}", ERROR_STATUS[code])
    assert invoke(client, TITAN_V1, titan_body())["images"]  # consumed: next call works
    assert [c.error_code for c in sim.calls] == [code] * attempts + [None]


@pytest.mark.parametrize("code", FAULT_CODES)
def test_converse_faults_surface_as_client_error_codes(
    client: BedrockRuntimeClient, sim: BedrockSimulator, code: str
) -> None:
    attempts = 2 if code in RETRIED_CODES else 1
    sim.script.fail("judge", code, times=attempts)
    sim.script.fail("revise", code, times=attempts)
    with pytest.raises(ClientError) as exc:
        judge(client, png_bytes(64, 64))
    assert error_of(exc)[0] == code
    with pytest.raises(ClientError) as exc:
        revise(client, "Prompt: x")
    assert error_of(exc)[0] == code


def test_fault_times_and_per_op_queues(
    east_client: BedrockRuntimeClient, sim: BedrockSimulator
) -> None:
    client = east_client
    sim.script.fail("generate", "ModelTimeoutException", times=2)  # not retried by boto3
    for _ in range(2):
        with pytest.raises(ClientError):
            invoke(client, NOVA, titan_body())
    reply_text(judge(client, png_bytes(64, 64)))  # judge has its own queue
    assert invoke(client, NOVA, titan_body())["images"]
    assert sim.count("generate") == 3


def test_a_single_throttle_is_absorbed_by_the_retry(
    east_client: BedrockRuntimeClient, sim: BedrockSimulator
) -> None:
    sim.script.fail("generate", "ThrottlingException")
    assert invoke(east_client, NOVA, titan_body())["images"]
    assert [c.error_code for c in sim.calls] == ["ThrottlingException", None]


@pytest.mark.parametrize("model_id", [TITAN_V1, TITAN_V2, NOVA, NOVA_PROFILE])
def test_refusal_titan_and_nova(
    east_client: BedrockRuntimeClient, sim: BedrockSimulator, model_id: str
) -> None:
    sim.script.refuse_next_generation()
    with pytest.raises(ClientError) as exc:
        invoke(east_client, model_id, titan_body())
    assert error_of(exc) == ("ValidationException", CONTENT_FILTER_MESSAGE, 400)
    assert "blocked by our content filters" in CONTENT_FILTER_MESSAGE


@pytest.mark.parametrize("model_id", [SD35, CORE, ULTRA])
def test_refusal_stability(
    client: BedrockRuntimeClient, sim: BedrockSimulator, model_id: str
) -> None:
    sim.script.refuse_next_generation()
    out = invoke(client, model_id, stability_body())
    assert out == {"finish_reasons": ["Filter reason: prompt"]}
    sim.script.refuse_next_generation(finish_reason="Filter reason: output image")
    assert invoke(client, model_id, stability_body())["finish_reasons"] == [
        "Filter reason: output image"
    ]


def test_refusal_sdxl(client: BedrockRuntimeClient, sim: BedrockSimulator) -> None:
    sim.script.refuse_next_generation()
    out = invoke(client, SDXL, sdxl_body())
    [artifact] = out["artifacts"]
    assert artifact["finishReason"] == "CONTENT_FILTERED"
    assert decode(artifact["base64"]).size == (1024, 1024)  # the blurred stand-in


def test_titan_error_field_with_images(
    east_client: BedrockRuntimeClient, sim: BedrockSimulator
) -> None:
    client = east_client
    sim.script.titan_error_next()
    out = invoke(client, TITAN_V1, titan_body(numberOfImages=3))
    assert out["error"] == OUTPUT_FILTER_MESSAGE
    assert len(out["images"]) == 2
    sim.script.titan_error_next("Something else went wrong.")
    out = invoke(client, NOVA, titan_body(numberOfImages=1))
    assert out["error"] == "Something else went wrong."
    assert decode(out["images"][0]).size == (512, 512)


def test_model_error_in_stability_bodies(
    client: BedrockRuntimeClient, sim: BedrockSimulator
) -> None:
    sim.script.titan_error_next(times=2)
    assert invoke(client, SD35, stability_body())["finish_reasons"] == ["Inference error"]
    assert invoke(client, SDXL, sdxl_body())["artifacts"][0]["finishReason"] == "ERROR"


def test_end_of_life(client: BedrockRuntimeClient, sim: BedrockSimulator) -> None:
    sim.script.mark_end_of_life(TITAN_V1, "anthropic.claude-sonnet-4-6")
    for _ in range(2):
        with pytest.raises(ClientError) as exc:
            invoke(client, TITAN_V1, titan_body())
        assert error_of(exc) == ("ValidationException", EOL_MESSAGE, 400)
    with pytest.raises(ClientError) as exc:
        judge(client, png_bytes(64, 64))  # via the us. inference profile id
    assert error_of(exc)[1] == EOL_MESSAGE
    sim.script.eol_error_code = "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        invoke(client, TITAN_V1, titan_body())
    assert error_of(exc) == ("ResourceNotFoundException", EOL_MESSAGE, 404)
    assert invoke(client, TITAN_V2, titan_body())["images"]


# -- recording, latency, concurrency -------------------------------------------------------------


def test_records_access_key_and_counts(sim: BedrockSimulator) -> None:
    first, second = make_client(sim.url, "AKIDFIRST"), make_client(sim.url, "AKIDSECOND")
    try:
        invoke(first, TITAN_V1, titan_body())
        reply_text(judge(second, png_bytes(32, 32)))
        reply_text(revise(second, "Prompt: a"))
    finally:
        first.close()
        second.close()
    calls = sim.calls
    assert [(c.op, c.access_key_id) for c in calls] == [
        ("generate", "AKIDFIRST"),
        ("judge", "AKIDSECOND"),
        ("revise", "AKIDSECOND"),
    ]
    assert calls[0].body == titan_body()
    assert calls[0].timestamp <= calls[1].timestamp <= calls[2].timestamp
    assert (sim.count("generate"), sim.count("judge"), sim.count("revise"), sim.count()) == (
        1,
        1,
        1,
        3,
    )
    sim.clear_calls()
    assert sim.count() == 0


def test_latency_is_applied_and_recorded(
    client: BedrockRuntimeClient, sim: BedrockSimulator
) -> None:
    sim.script.set_latency("generate", 5.0)
    sim.script.latencies["judge"] = 2.0
    sim.script.latency_scale = 0.02
    invoke(client, TITAN_V1, titan_body())
    judged = judge(client, png_bytes(32, 32))
    reply_text(revise(client, "Prompt: a"))
    generate, judge_call, revise_call = sim.calls
    assert generate.latency == pytest.approx(0.1)
    assert generate.duration >= generate.latency
    assert judge_call.latency == pytest.approx(0.04)
    assert judged["metrics"]["latencyMs"] >= 40
    assert revise_call.latency == 0.0


def test_errors_skip_latency(client: BedrockRuntimeClient, sim: BedrockSimulator) -> None:
    sim.script.set_latency("generate", 60.0)
    sim.script.fail("generate", "AccessDeniedException")
    with pytest.raises(ClientError):
        invoke(client, TITAN_V1, titan_body())
    assert sim.last().latency == 0.0


def test_stop_interrupts_a_call_in_its_latency(sim: BedrockSimulator) -> None:
    sim.script.set_latency("generate", 60.0)
    outcome: list[BaseException | dict[str, Any]] = []
    bedrock = make_client(sim.url)

    def call() -> None:
        try:
            outcome.append(invoke(bedrock, TITAN_V1, titan_body()))
        except Exception as exc:
            outcome.append(exc)

    worker = threading.Thread(target=call)
    worker.start()
    try:
        assert sim.wait_for_arrival("generate", timeout=10)
        stopper = threading.Thread(target=sim.stop)
        stopper.start()
        stopper.join(10)  # a bound, not a measurement (bench/bench_simulator.py measures it)
        assert not stopper.is_alive(), "stop() waited out the call's 60 s latency"
    finally:
        worker.join(30)
        bedrock.close()
    assert not worker.is_alive()
    assert len(outcome) == 1
    # Either the answer got out before the socket closed, or the client saw it close.
    assert isinstance(outcome[0], dict | ConnectionClosedError | EndpointConnectionError)


def test_concurrent_judges_each_take_one_verdict(
    client: BedrockRuntimeClient, sim: BedrockSimulator
) -> None:
    sim.script.queue_verdicts(*(["NO"] * 6))
    sim.script.default_verdict = "YES"
    image = png_bytes(64, 64)
    results: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(3):
            verdict = json.loads(reply_text(judge(client, image)))["result"]
            with lock:
                results.append(verdict)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["NO"] * 6 + ["YES"] * 6
    assert sim.count("judge") == 12


def test_script_changes_while_running(client: BedrockRuntimeClient, sim: BedrockSimulator) -> None:
    assert invoke(client, TITAN_V1, titan_body())["images"]
    sim.script.update({"faults": {"generate": [{"kind": "refuse"}]}})
    with pytest.raises(ClientError):
        invoke(client, TITAN_V1, titan_body())
    sim.script = SimScript(default_verdict="NO")
    assert json.loads(reply_text(judge(client, png_bytes(16, 16))))["result"] == "NO"


def test_unknown_route_is_rejected(sim: BedrockSimulator) -> None:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=10)
    try:
        conn.request("GET", "/foundation-models")
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    assert response.status == 404
    assert response.getheader("x-amzn-ErrorType") == "UnknownOperationException"


def test_context_manager_and_idempotent_stop() -> None:
    with BedrockSimulator() as sim:
        url = sim.url
        assert sim.start() == url  # already running: same server
        assert sim.env() == {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": url}
    assert not sim.running
    sim.stop()


# -- script files and the CLI ---------------------------------------------------------------------


def test_script_from_dict_and_errors(tmp_path: Path) -> None:
    data = {
        "default_verdict": "NO",
        "verdicts": ["YES", {"raw": "```json\n{}\n```"}],
        "revisions": ["better", {"raw": "x"}],
        "latencies": {"generate": 1.5},
        "latency_scale": 0.5,
        "faults": {
            "generate": [
                {"kind": "error", "code": "ThrottlingException", "times": 2},
                {"kind": "refuse"},
                {"kind": "titan_error", "message": "oops"},
            ],
            "judge": [{"code": "ModelTimeoutException"}],
        },
        "end_of_life": [TITAN_V1],
        "eol_error_code": "ResourceNotFoundException",
    }
    path = tmp_path / "script.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    script = SimScript.load(path)
    assert script.default_verdict == "NO"
    assert list(script.verdicts) == ["YES", SimScript.raw("```json\n{}\n```")]
    assert script.latency("generate") == pytest.approx(0.75)
    assert [f.kind for f in script.faults["generate"]] == [
        "error",
        "error",
        "refuse",
        "model_error",
    ]
    assert script.faults["judge"][0].code == "ModelTimeoutException"
    assert script.is_end_of_life("us." + TITAN_V1)
    assert script.eol_error_code == "ResourceNotFoundException"

    bad_scripts: list[dict[str, Any]] = [
        {"verdict": ["YES"]},
        {"faults": {"generate": [{"kind": "error", "code": "NopeException"}]}},
        {"faults": {"judge": [{"kind": "refuse"}]}},
        {"faults": {"paint": []}},
        {"latencies": {"generate": "slow"}},
        {"verdicts": [1]},
    ]
    for bad in bad_scripts:
        with pytest.raises(ValueError):
            SimScript.from_dict(bad)
    with pytest.raises(ValueError):
        SimScript().fail("paint", "ThrottlingException")


def test_base_model_id() -> None:
    assert base_model_id(NOVA_ARN) == NOVA
    assert base_model_id(NOVA_PROFILE) == NOVA
    assert base_model_id(NOVA) == NOVA
    assert base_model_id("global.anthropic.claude-sonnet-4-20250514-v1:0") == (
        "anthropic.claude-sonnet-4-20250514-v1:0"
    )


def test_cli_serves_script_until_sigterm(tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(
        json.dumps({"serve_retired": True, "faults": {"generate": [{"kind": "refuse"}]}}),
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "imgloop_desktop.simulator", "--port", "0", "--script", str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first_line = proc.stdout.readline()
        assert first_line.startswith("Bedrock simulator listening on http://127.0.0.1:")
        url = first_line.rsplit(" ", 1)[1].strip()
        bedrock = make_client(url)
        try:
            with pytest.raises(ClientError) as exc:
                invoke(bedrock, TITAN_V1, titan_body())
            assert error_of(exc)[1] == CONTENT_FILTER_MESSAGE
            assert invoke(bedrock, TITAN_V1, titan_body())["images"]
        finally:
            bedrock.close()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "stopped" in out


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"text_prompts": []},
            "#/text_prompts: expected minimum item count: 1, found: 0",
        ),
        (
            {"text_prompts": [{"text": "x" * 2001}]},
            "#/text_prompts/0/text: expected maxLength: 2000, actual: 2001",
        ),
        (
            {"text_prompts": [None], "steps": 9},
            "#/text_prompts/0: expected type: JSONObject, found: Null"
            "#/steps: 9 is not greater or equal to 10",
        ),
    ],
)
def test_sdxl_body_problems_in_the_validators_words(body: dict[str, Any], message: str) -> None:
    """The shared shape checker (core.jsonshape) worded as Bedrock's schema validator."""
    with pytest.raises(BedrockError) as exc:
        image_bodies.sdxl_request(body)
    assert exc.value.message == (
        f"Malformed input request: {message}, please reformat your input and try again."
    )

"""The simulator's fault modes (issue 17), checked on the wire.

Raw HTTP shows exactly what the simulator sends (boto3 would turn most of these into its
own exceptions, which is what tests/providers/test_fault_injection.py checks); boto3 is
used where the client's view is the point (read timeouts, resets, shutdown).
"""

from __future__ import annotations

import base64
import http.client
import io
import json
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import (
    ConnectionClosedError,
    EndpointConnectionError,
    ReadTimeoutError,
    ResponseStreamingError,
)
from PIL import Image

from imgloop_desktop.simulator.images import BOMB_SIDE, PNG_SIGNATURE
from imgloop_desktop.simulator.script import (
    DEEP_NESTING_LEVELS,
    HUGE_INT_DIGITS,
    HUGE_TEXT_BYTES,
    SimScript,
)
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.simulator.test_server import (
    CORE,
    JUDGE,
    SDXL,
    TITAN_V2,
    body_for,
    judge,
    png_bytes,
    titan_body,
)


@pytest.fixture(autouse=True)
def _old_families(retired: BedrockSimulator) -> None:
    """These tests use Titan and SDXL bodies: opt into the retired models."""


# A judge call as boto3 puts it on the wire: the image block makes it a judge call.
JUDGE_WIRE = {
    "messages": [
        {
            "role": "user",
            "content": [
                {"image": {"format": "png", "source": {"bytes": ""}}},
                {"text": "Does it match?"},
            ],
        }
    ]
}
REVISE_WIRE = {"messages": [{"role": "user", "content": [{"text": "Prompt: a fox"}]}]}


def judge_wire() -> dict[str, Any]:
    body = json.loads(json.dumps(JUDGE_WIRE))
    encoded = base64.b64encode(png_bytes(8, 8)).decode("ascii")
    body["messages"][0]["content"][0]["image"]["source"]["bytes"] = encoded
    return body


def post(sim: BedrockSimulator, model_id: str, action: str, body: object) -> tuple[int, bytes]:
    """One request, the raw status and body as sent."""
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=30)
    try:
        conn.request("POST", f"/model/{model_id}/{action}", body=json.dumps(body).encode())
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def short_client(sim: BedrockSimulator, read_timeout: float) -> Any:
    """No retries at all: these tests count what one request does."""
    return boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        endpoint_url=sim.url,
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret",
        config=Config(
            retries={"mode": "standard", "total_max_attempts": 1}, read_timeout=read_timeout
        ),
    )


def images_of(payload: dict[str, Any]) -> list[bytes]:
    if "artifacts" in payload:
        return [base64.b64decode(a["base64"]) for a in payload["artifacts"]]
    return [base64.b64decode(item) for item in payload["images"]]


# -- hang ----------------------------------------------------------------------------------


def stop_during(
    sim: BedrockSimulator, call: Callable[[], object], arrived: Callable[[], bool]
) -> list[BaseException | None]:
    """Run ``call`` on a thread, stop the simulator once ``arrived()`` says the call is in
    it, and return how the call ended (None when it returned). ``stop()`` must take < 2 s."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            call()
            outcome.append(None)
        except Exception as exc:
            outcome.append(exc)

    caller = threading.Thread(target=run, name="test-stopped-caller")
    caller.start()
    try:
        assert arrived()
        started = time.monotonic()
        sim.stop()
        assert time.monotonic() - started < 2.0
        caller.join(timeout=5)
        assert not caller.is_alive()
    finally:
        caller.join(timeout=5)
    return outcome


def test_a_hung_call_is_never_answered(sim: BedrockSimulator) -> None:
    sim.script.hang_next("generate")
    client = short_client(sim, 0.3)
    try:
        with pytest.raises(ReadTimeoutError):
            client.invoke_model(modelId=TITAN_V2, body=json.dumps(titan_body()))
    finally:
        client.close()
    assert sim.arrivals("generate") == 1
    assert sim.hanging() == 1
    assert sim.count("generate") == 0  # hung calls are never recorded as answered


def test_stop_releases_a_call_hanging_with_its_client_still_waiting(
    sim: BedrockSimulator,
) -> None:
    sim.script.hang_next("judge")
    client = short_client(sim, 60.0)
    try:
        outcome = stop_during(
            sim,
            lambda: judge(client, png_bytes(8, 8)),
            lambda: sim.wait_for_arrival("judge", 1, timeout=10),
        )
    finally:
        client.close()
    assert len(outcome) == 1
    assert isinstance(outcome[0], ConnectionClosedError | EndpointConnectionError)


def test_other_calls_are_answered_while_one_hangs(sim: BedrockSimulator) -> None:
    sim.script.hang_next("generate")
    client = short_client(sim, 0.3)
    try:
        with pytest.raises(ReadTimeoutError):
            client.invoke_model(modelId=TITAN_V2, body=json.dumps(titan_body()))
    finally:
        client.close()
    status, _ = post(sim, TITAN_V2, "invoke", titan_body())
    assert status == 200
    assert sim.hanging() == 1
    assert sim.arrivals("generate") == 2 and sim.count("generate") == 1


# -- trickle and reset ---------------------------------------------------------------------


def test_trickle_sends_the_whole_answer_slowly(sim: BedrockSimulator) -> None:
    sim.script.trickle_next("revise", chunk_bytes=16, interval=0.02)
    started = time.monotonic()
    status, raw = post(sim, JUDGE, "converse", REVISE_WIRE)
    elapsed = time.monotonic() - started
    assert status == 200
    assert "revised_prompt" in json.loads(raw)["output"]["message"]["content"][0]["text"]
    chunks = -(-len(raw) // 16)
    assert elapsed >= chunks * 0.02 * 0.9
    assert sim.last("revise").fault == "trickle"


def test_trickle_stops_when_the_simulator_stops(sim: BedrockSimulator) -> None:
    sim.script.trickle_next("generate", chunk_bytes=1, interval=0.5)
    client = short_client(sim, 5.0)
    try:
        outcome = stop_during(
            sim,
            lambda: client.invoke_model(modelId=TITAN_V2, body=json.dumps(titan_body()))[
                "body"
            ].read(),
            lambda: sim.wait_for("generate", 1, timeout=10),
        )
    finally:
        client.close()
    assert outcome and outcome[0] is not None


@pytest.mark.parametrize("after_bytes", [0, 100, -1])
def test_reset_breaks_the_body_mid_way(sim: BedrockSimulator, after_bytes: int) -> None:
    sim.script.reset_next("generate", after_bytes=after_bytes)
    client = short_client(sim, 5.0)
    try:
        response = client.invoke_model(modelId=TITAN_V2, body=json.dumps(titan_body()))
        with pytest.raises(ResponseStreamingError, match=r"reset|broken|Connection"):
            response["body"].read()
    finally:
        client.close()
    assert sim.last("generate").fault == "reset"


def test_a_reset_before_the_headers_closes_the_call(sim: BedrockSimulator) -> None:
    sim.script.reset_next("generate", before_headers=True)
    client = short_client(sim, 5.0)
    try:
        with pytest.raises(ConnectionClosedError):
            client.invoke_model(modelId=TITAN_V2, body=json.dumps(titan_body()))
    finally:
        client.close()
    assert sim.last("generate").fault == "reset"


def test_a_reset_converse_call_fails_in_the_client(sim: BedrockSimulator) -> None:
    sim.script.reset_next("judge")
    client = short_client(sim, 5.0)
    try:
        with pytest.raises(ConnectionClosedError):
            judge(client, png_bytes(8, 8))
    finally:
        client.close()


# -- absurd bodies -------------------------------------------------------------------------


def test_absurd_generation_bodies(sim: BedrockSimulator) -> None:
    script = sim.script
    for variant in ("json_array", "deep_nesting", "huge_int", "not_json"):
        script.absurd_next("generate", variant)
    status, array = post(sim, TITAN_V2, "invoke", titan_body())
    assert status == 200 and isinstance(json.loads(array), list)
    _, deep = post(sim, TITAN_V2, "invoke", titan_body())
    assert deep == b"[" * DEEP_NESTING_LEVELS + b"]" * DEEP_NESTING_LEVELS
    _, huge = post(sim, TITAN_V2, "invoke", titan_body())
    assert b'"seeds": [' + b"9" * HUGE_INT_DIGITS + b"]" in huge
    _, html = post(sim, TITAN_V2, "invoke", titan_body())
    assert html.startswith(b"<html>")
    assert [c.fault for c in sim.calls] == [
        "absurd:json_array",
        "absurd:deep_nesting",
        "absurd:huge_int",
        "absurd:not_json",
    ]


def test_absurd_converse_bodies(sim: BedrockSimulator) -> None:
    wire = judge_wire()
    sim.script.absurd_next("judge", "bad_usage")
    sim.script.absurd_next("judge", "huge_int")
    sim.script.absurd_next("judge", "huge_text")
    _, lots = post(sim, JUDGE, "converse", wire)
    assert json.loads(lots)["usage"]["inputTokens"] == "lots"
    _, huge_int = post(sim, JUDGE, "converse", wire)
    assert b'"inputTokens": ' + b"9" * HUGE_INT_DIGITS in huge_int
    _, huge_text = post(sim, JUDGE, "converse", wire)
    text = json.loads(huge_text)["output"]["message"]["content"][0]["text"]
    assert len(text) > HUGE_TEXT_BYTES
    assert text.startswith('{"result": "YES", "reason": "AAAA')


# -- images --------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["truncated", "random_after_signature", "bomb"])
@pytest.mark.parametrize("model_id", [TITAN_V2, CORE, SDXL])
def test_bad_images_start_like_a_png_and_do_not_decode(
    sim: BedrockSimulator, model_id: str, variant: str
) -> None:
    sim.script.bad_image_next(variant)
    status, raw = post(sim, model_id, "invoke", body_for(model_id))
    assert status == 200
    (data,) = images_of(json.loads(raw))
    assert data.startswith(PNG_SIGNATURE)
    with (
        pytest.raises((OSError, Image.DecompressionBombError, SyntaxError)),
        Image.open(io.BytesIO(data)) as img,
    ):
        img.load()
    if variant == "bomb":
        width, height = struct.unpack(">II", data[16:24])
        assert (width, height) == (BOMB_SIDE, BOMB_SIDE)
        assert len(data) < 200


@pytest.mark.parametrize("model_id", [TITAN_V2, CORE, SDXL])
def test_extra_images(sim: BedrockSimulator, model_id: str) -> None:
    sim.script.extra_images_next(40)
    _, raw = post(sim, model_id, "invoke", body_for(model_id))
    payload = json.loads(raw)
    images = images_of(payload)
    assert len(images) == 40 and len(set(images)) == 40
    if "seeds" in payload:
        assert len(payload["seeds"]) == len(payload["finish_reasons"]) == 40
    assert sim.last("generate").fault == "extra_images:40"


# -- scripting -----------------------------------------------------------------------------


def test_every_fault_can_be_scripted_from_json() -> None:
    script = SimScript.from_dict(
        {
            "faults": {
                "generate": [
                    {"kind": "hang"},
                    {"kind": "trickle", "chunk_bytes": 32, "interval": 0.25},
                    {"kind": "reset", "after_bytes": 10},
                    {"kind": "reset", "before_headers": True},
                    {"kind": "absurd", "variant": "deep_nesting", "times": 2},
                    {"kind": "bad_image", "variant": "bomb"},
                    {"kind": "extra_images", "count": 40},
                ],
                "judge": [{"kind": "absurd", "variant": "huge_text"}, {"kind": "hang"}],
            }
        }
    )
    kinds = [(f.kind, f.variant) for f in script.faults["generate"]]
    assert kinds == [
        ("hang", ""),
        ("trickle", ""),
        ("reset", ""),
        ("reset", ""),
        ("absurd", "deep_nesting"),
        ("absurd", "deep_nesting"),
        ("bad_image", "bomb"),
        ("extra_images", ""),
    ]
    trickle = script.faults["generate"][1]
    assert (trickle.chunk_bytes, trickle.interval) == (32, 0.25)
    assert script.faults["generate"][2].after_bytes == 10
    assert script.faults["generate"][3].before_headers
    assert script.faults["generate"][-1].count == 40
    assert [f.kind for f in script.faults["judge"]] == ["absurd", "hang"]


@pytest.mark.parametrize(
    ("entry", "op", "message"),
    [
        ({"kind": "absurd", "variant": "huge_text"}, "generate", "unknown absurd variant"),
        ({"kind": "absurd"}, "judge", "needs a variant"),
        ({"kind": "bad_image", "variant": "bomb"}, "judge", "generate only"),
        ({"kind": "bad_image", "variant": "gif"}, "generate", "unknown bad image"),
        ({"kind": "extra_images", "count": 0}, "generate", "at least 1"),
        ({"kind": "extra_images", "count": 1.5}, "generate", "whole number"),
        ({"kind": "trickle", "interval": -1}, "revise", "not negative"),
        ({"kind": "trickle", "chunk_bytes": "x"}, "revise", "whole number"),
        ({"kind": "reset", "after_bytes": -2}, "generate", "after_bytes"),
        ({"kind": "reset", "before_headers": "yes"}, "generate", "true or false"),
        ({"kind": "melt"}, "generate", "unknown kind"),
    ],
)
def test_bad_fault_entries_are_refused(entry: dict[str, Any], op: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SimScript.from_dict({"faults": {op: [entry]}})


def test_a_rate_limit_throttles_calls_beyond_its_bucket_on_the_wire(sim: BedrockSimulator) -> None:
    # 60 a minute refills one call a second: the third call arriving at once is over it.
    sim.script.set_rate_limit("generate", per_minute=60, burst=2)
    statuses = [post(sim, TITAN_V2, "invoke", titan_body())[0] for _ in range(3)]
    assert statuses[:2] == [200, 200]
    status, body = post(sim, TITAN_V2, "invoke", titan_body())
    assert (statuses[2], status) == (429, 429)
    assert b"ThrottlingException" in body or b"Too many" in body
    limit = sim.script.rate_limits["generate"]
    assert (limit.admitted, limit.throttled) == (2, 2)
    # Judge calls have their own quota: a limit on images leaves them alone.
    assert post(sim, JUDGE, "converse", judge_wire())[0] == 200
    sim.script.set_rate_limit("generate", None)
    assert post(sim, TITAN_V2, "invoke", titan_body())[0] == 200


def test_a_scripted_rate_limit_is_read_and_checked() -> None:
    script = SimScript.from_dict({"rate_limits": {"generate": {"per_minute": 30, "burst": 2}}})
    assert script.rate_limits["generate"].per_minute == 30
    assert script.rate_limits["generate"].burst == 2
    for bad in (
        {"generate": {"per_minute": "fast"}},
        {"generate": {"per_minute": 0}},
        {"generate": {"per_minute": 30, "burst": 0.5}},
        {"generate": {"per_minute": 30, "every": 2}},
        {"paint": {"per_minute": 30}},
        ["generate"],
    ):
        with pytest.raises(ValueError):
            SimScript.from_dict({"rate_limits": bad})

"""The providers against a misbehaving Bedrock (the simulator's fault modes, issue 17).

Every call goes through a real boto3 client with the app's retry mode and call policy, so
what is checked is what a person gets: one clear ServiceError naming the model and region
within a bounded time, never a traceback, and never an image-generation request resent by
the SDK after the service went quiet.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

import boto3
import pytest
from botocore.config import Config

from imgloop_desktop.core.errors import AttemptFailedError, ServiceError
from imgloop_desktop.core.image_check import BadImageError, check_image
from imgloop_desktop.core.protocols import GenerationRequest, InferenceSettings, ModelReply
from imgloop_desktop.providers import catalog
from imgloop_desktop.providers.bedrock import (
    MAX_REPLY_CHARS,
    BedrockImageGenerator,
    ConverseChat,
)
from imgloop_desktop.providers.session import (
    CHAT_TIMEOUT_RESENDS,
    READ_TIMEOUT_SECONDS,
    install_call_policy,
)
from imgloop_desktop.simulator.script import ABSURD_VARIANTS, HUGE_TEXT_BYTES
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.fakes import png

# Where today's Stability models are served, and the retired families were (see below).
REGION = "us-west-2"
TITAN = "amazon.titan-image-generator-v2:0"
ULTRA = "stability.stable-image-ultra-v1:1"
CORE = "stability.stable-image-core-v1:1"
SDXL = "stability.stable-diffusion-xl-v1"
JUDGE = "amazon.nova-lite-v1:0"
# Short enough for a quick suite, long enough that a loaded machine answers in time.
TEST_READ_TIMEOUT = 0.5
SETTINGS = InferenceSettings(temperature=0.5, top_p=0.9, top_k=0, max_tokens=512)


def request_for(model_id: str) -> GenerationRequest:
    size = (1024, 1024) if "stab" in model_id else (512, 512)
    return GenerationRequest(
        prompt="a red fox in snow",
        width=size[0],
        height=size[1],
        cfg_scale=8.0,
        number_of_images=1,
        seed=7,
    )


def tiny_png() -> bytes:
    return png(8, 8, (200, 10, 10))


@pytest.fixture(autouse=True)
def retired_families_answer(sim: BedrockSimulator) -> None:
    """The faults are the service's, not the model's: the retired Titan and SDXL bodies are
    answered as Bedrock did in 2024, so each family's parsing still meets every fault."""
    sim.script.serve_retired = True


def make_client(url: str, read_timeout: float) -> Any:
    """The app's client settings (adaptive retries, 6 retries, the call policy) with the
    test's read timeout as the ceiling."""
    bedrock = boto3.client(
        "bedrock-runtime",
        region_name=REGION,
        endpoint_url=url,
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="test-secret",
        config=Config(
            retries={"mode": "adaptive", "max_attempts": 6},
            connect_timeout=2,
            read_timeout=read_timeout,
        ),
    )
    install_call_policy(bedrock)
    return bedrock


@pytest.fixture
def client(sim: BedrockSimulator) -> Iterator[Any]:
    bedrock = make_client(sim.url, TEST_READ_TIMEOUT)
    try:
        yield bedrock
    finally:
        bedrock.close()


@pytest.fixture
def patient_client(sim: BedrockSimulator) -> Iterator[Any]:
    """For answers the simulator takes a while to make (forty 1-megapixel images)."""
    bedrock = make_client(sim.url, 30.0)
    try:
        yield bedrock
    finally:
        bedrock.close()


def generator(client: Any, model_id: str = TITAN) -> BedrockImageGenerator:
    return BedrockImageGenerator(client, catalog.image_spec(model_id), region=REGION)


def judge(client: Any) -> Callable[[], ModelReply]:
    chat = ConverseChat(client, JUDGE, region=REGION)
    return lambda: chat.ask("Does the image match the prompt?", SETTINGS, tiny_png())


def timed(call: Callable[[], object]) -> tuple[BaseException | None, float]:
    started = time.monotonic()
    try:
        call()
    except Exception as exc:
        return exc, time.monotonic() - started
    return None, time.monotonic() - started


# -- a service that never answers ----------------------------------------------------------


@pytest.mark.parametrize("model_id", [TITAN, ULTRA, CORE, SDXL])
def test_hung_generation_is_sent_exactly_once(
    sim: BedrockSimulator, client: Any, model_id: str
) -> None:
    """Before: botocore resent a timed-out InvokeModel up to max_attempts times (7 here;
    issue 17 measured 6 resends and 21 minutes). Now the first read timeout ends the call,
    as one failed attempt (issue 11): the loop goes on with the next one."""
    sim.script.hang_next("generate", times=10)
    error, elapsed = timed(lambda: generator(client, model_id).generate(request_for(model_id)))
    assert isinstance(error, AttemptFailedError)
    assert f"{model_id} in {REGION} sent no answer within the read timeout" in str(error)
    assert sim.arrivals("generate") == 1
    assert sim.hanging() == 1
    assert elapsed < TEST_READ_TIMEOUT + 2.0


def test_hung_judge_is_resent_at_most_once(sim: BedrockSimulator, client: Any) -> None:
    sim.script.hang_next("judge", times=10)
    error, elapsed = timed(judge(client))
    assert isinstance(error, ServiceError)
    assert f"{JUDGE} in {REGION} sent no answer to Converse" in str(error)
    assert sim.arrivals("judge") == 1 + CHAT_TIMEOUT_RESENDS
    assert elapsed < (1 + CHAT_TIMEOUT_RESENDS) * TEST_READ_TIMEOUT + 4.0


def test_throttling_is_still_retried_by_the_sdk(sim: BedrockSimulator, patient_client: Any) -> None:
    sim.script.fail("generate", "ThrottlingException")
    images = generator(patient_client).generate(request_for(TITAN))
    assert len(images) == 1
    assert sim.arrivals("generate") == 2


def test_a_generation_reset_before_its_answer_is_not_resent(
    sim: BedrockSimulator, client: Any
) -> None:
    """The request reached the service, which may have made (and billed) the image; the
    SDK would resend it (ConnectionClosedError is retryable), the loop decides instead."""
    sim.script.reset_next("generate", before_headers=True, times=10)
    error, elapsed = timed(lambda: generator(client).generate(request_for(TITAN)))
    assert isinstance(error, AttemptFailedError)
    assert "connection closed first" in str(error) and TITAN in str(error)
    assert sim.arrivals("generate") == 1
    assert elapsed < 5.0


def test_a_judge_reset_before_its_answer_is_retried(
    sim: BedrockSimulator, patient_client: Any
) -> None:
    sim.script.reset_next("judge", before_headers=True)
    assert judge(patient_client)().text
    assert sim.arrivals("judge") == 2


def test_a_generation_reset_mid_body_is_a_service_error(
    sim: BedrockSimulator, patient_client: Any
) -> None:
    sim.script.reset_next("generate")
    error, _ = timed(lambda: generator(patient_client).generate(request_for(TITAN)))
    assert isinstance(error, ServiceError)
    assert f"{TITAN}'s answer to InvokeModel was arriving from {REGION}" in str(error)
    assert sim.arrivals("generate") == 1


def test_a_judge_reset_mid_body_is_retried(sim: BedrockSimulator, patient_client: Any) -> None:
    sim.script.reset_next("judge")
    assert judge(patient_client)().text
    assert sim.arrivals("judge") == 2


def test_a_trickle_never_trips_the_read_timeout(sim: BedrockSimulator, client: Any) -> None:
    """Every read gets bytes in time, so the SDK waits as long as the trickle lasts: only
    the loop's deadline on the whole call bounds this (core/loop.py CallDeadlines)."""
    sim.script.trickle_next("generate", chunk_bytes=8192, interval=0.05)
    images = generator(client).generate(request_for(TITAN))
    assert len(images) == 1
    record = sim.last("generate")
    assert record.fault == "trickle"
    assert sim.arrivals("generate") == 1


# -- per-call read timeouts ----------------------------------------------------------------


def test_each_call_gets_its_family_or_role_read_timeout(sim: BedrockSimulator) -> None:
    seen: dict[str, float] = {}

    def record(request: Any, **_: Any) -> None:
        seen[unquote(urlsplit(request.url).path)] = request.context["read_timeout"]

    bedrock = boto3.client(
        "bedrock-runtime",
        region_name=REGION,
        endpoint_url=sim.url,
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="test-secret",
        config=Config(read_timeout=READ_TIMEOUT_SECONDS),
    )
    try:
        install_call_policy(bedrock)
        bedrock.meta.events.register("before-send.bedrock-runtime", record)
        generator(bedrock, TITAN).generate(request_for(TITAN))
        generator(bedrock, CORE).generate(request_for(CORE))
        judge(bedrock)()
    finally:
        bedrock.close()
    assert seen == {
        f"/model/{TITAN}/invoke": catalog.IMAGE_READ_TIMEOUT_SECONDS["titan"],
        f"/model/{CORE}/invoke": catalog.IMAGE_READ_TIMEOUT_SECONDS["stability"],
        f"/model/{JUDGE}/converse": catalog.CHAT_READ_TIMEOUT_SECONDS,
    }
    assert min(catalog.IMAGE_READ_TIMEOUT_SECONDS.values()) > catalog.CHAT_READ_TIMEOUT_SECONDS
    assert max(catalog.IMAGE_READ_TIMEOUT_SECONDS.values()) == READ_TIMEOUT_SECONDS


def test_botocore_honours_the_per_call_read_timeout(
    sim: BedrockSimulator, patient_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-request override (botocore PR #3770) is what bounds a hung call below the
    client-wide timeout; an older botocore would ignore it and wait the ceiling out."""
    monkeypatch.setitem(catalog.IMAGE_READ_TIMEOUT_SECONDS, "titan", 0.3)
    sim.script.hang_next("generate")
    error, elapsed = timed(lambda: generator(patient_client).generate(request_for(TITAN)))
    assert isinstance(error, AttemptFailedError)
    assert elapsed < 3.0
    assert sim.arrivals("generate") == 1


def test_the_client_read_timeout_is_a_ceiling(sim: BedrockSimulator, client: Any) -> None:
    seen: list[float] = []
    client.meta.events.register(
        "before-send.bedrock-runtime",
        lambda request, **_: seen.append(request.context["read_timeout"]),
    )
    generator(client).generate(request_for(TITAN))
    assert seen == [TEST_READ_TIMEOUT]


# -- absurd bodies -------------------------------------------------------------------------


ABSURD_CASES = [
    (op, variant)
    for op in ("generate", "judge")
    for variant in ABSURD_VARIANTS[op]
    if variant != "huge_text"
]


@pytest.mark.parametrize(("op", "variant"), ABSURD_CASES)
def test_absurd_bodies_are_service_errors_naming_model_and_region(
    sim: BedrockSimulator, patient_client: Any, op: str, variant: str
) -> None:
    """Before: a JSON array, 50,000-deep nesting, a 5,000-digit integer or
    ``usage.inputTokens: "lots"`` escaped as AttributeError, RecursionError or ValueError
    from boto3's parser or ours, and the run ended as "Unexpected error" with a traceback."""
    sim.script.absurd_next(op, variant)
    call = (
        judge(patient_client)
        if op == "judge"
        else lambda: generator(patient_client).generate(request_for(TITAN))
    )
    error, elapsed = timed(call)
    assert isinstance(error, ServiceError), repr(error)
    model_id = JUDGE if op == "judge" else TITAN
    assert model_id in str(error) and REGION in str(error)
    assert error.model_id == model_id and error.region == REGION
    assert len(str(error)) < 2_000
    assert sim.arrivals(op) == 1
    assert elapsed < 5.0


@pytest.mark.parametrize("model_id", [ULTRA, CORE, SDXL])
@pytest.mark.parametrize("variant", ABSURD_VARIANTS["generate"])
def test_absurd_bodies_for_every_family(
    sim: BedrockSimulator, patient_client: Any, model_id: str, variant: str
) -> None:
    sim.script.absurd_next("generate", variant)
    error, _ = timed(lambda: generator(patient_client, model_id).generate(request_for(model_id)))
    assert isinstance(error, ServiceError), repr(error)
    assert model_id in str(error) and REGION in str(error)


@pytest.mark.parametrize("op", ["judge", "revise"])
def test_a_30_mb_answer_is_cut_with_its_length_kept(
    sim: BedrockSimulator, patient_client: Any, op: str
) -> None:
    sim.script.absurd_next(op, "huge_text")
    chat = ConverseChat(patient_client, JUDGE, region=REGION)
    started = time.monotonic()
    image = tiny_png() if op == "judge" else None
    reply = chat.ask("Judge or revise", SETTINGS, image)
    assert len(reply.text) == MAX_REPLY_CHARS
    assert reply.truncated_from is not None and reply.truncated_from > HUGE_TEXT_BYTES
    assert time.monotonic() - started < 10.0


# -- images that are not images, and too many of them ---------------------------------------


@pytest.mark.parametrize("variant", ["truncated", "random_after_signature", "bomb"])
def test_undecodable_images_reach_the_image_check(
    sim: BedrockSimulator, patient_client: Any, variant: str
) -> None:
    """The provider checks base64 and the PNG signature; a full decode under a pixel limit
    is the loop's (core/image_check), and each of these fails it."""
    sim.script.bad_image_next(variant)
    images = generator(patient_client).generate(request_for(TITAN))
    assert len(images) == 1
    assert sim.last("generate").fault == f"bad_image:{variant}"
    with pytest.raises(BadImageError):
        check_image(images[0].data)


@pytest.mark.parametrize("model_id", [TITAN, CORE, SDXL])
def test_forty_images_for_one_asked_are_all_returned_checked(
    sim: BedrockSimulator, patient_client: Any, model_id: str
) -> None:
    """The provider keeps the list whole (the loop records the count and ignores extras)."""
    sim.script.extra_images_next(40)
    started = time.monotonic()
    images = generator(patient_client, model_id).generate(request_for(model_id))
    assert len(images) == 40
    assert len({image.data for image in images}) == 40
    assert time.monotonic() - started < 20.0

"""Issue 11: the errors real accounts meet, through a real boto3 client against the
simulator answering with Bedrock's own status, code and text (simulator/script.py cites the
public report of each). Each ends the run at once with what to do, except a model timeout
(one failed attempt) and a refused sampling setting (sent again without it, once)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from imgloop_desktop.core.errors import AttemptFailedError, PromptRefusedError, ServiceError
from imgloop_desktop.core.protocols import GenerationRequest, InferenceSettings
from imgloop_desktop.providers import catalog
from imgloop_desktop.providers.bedrock import BedrockImageGenerator, ConverseChat
from imgloop_desktop.providers.session import install_call_policy
from imgloop_desktop.simulator import script as sim_script
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.fakes import png

REGION = "us-west-2"
CORE = "stability.stable-image-core-v1:1"
SD35 = "stability.sd3-5-large-v1:0"
TITAN = "amazon.titan-image-generator-v2:0"
NOVA = "amazon.nova-canvas-v1:0"
SONNET = catalog.SONNET_46
OPUS = "us.anthropic.claude-opus-4-7"
SETTINGS = InferenceSettings(temperature=0.5, top_p=0.9, top_k=0, max_tokens=512)
REQUEST = GenerationRequest(
    prompt="a red fox in snow", width=1024, height=1024, cfg_scale=8.0, number_of_images=1, seed=7
)


def tiny_png() -> bytes:
    return png(8, 8, (200, 10, 10))


@pytest.fixture
def client(sim: BedrockSimulator) -> Iterator[Any]:
    """The app's retry settings and call policy, so "not retried" is what the app does."""
    bedrock = boto3.client(
        "bedrock-runtime",
        region_name=REGION,
        endpoint_url=sim.url,
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="test-secret",
        config=Config(retries={"mode": "adaptive", "max_attempts": 6}, read_timeout=10),
    )
    install_call_policy(bedrock)
    try:
        yield bedrock
    finally:
        bedrock.close()


def generate(client: Any, model_id: str = CORE) -> None:
    BedrockImageGenerator(client, catalog.image_spec(model_id), region=REGION).generate(REQUEST)


def judge(client: Any, model_id: str = SONNET) -> Any:
    return ConverseChat(client, model_id, region=REGION).ask("Does it match?", SETTINGS, tiny_png())


def assert_ends_run(exc: BaseException, model_id: str) -> ServiceError:
    assert isinstance(exc, ServiceError) and not isinstance(exc, PromptRefusedError)
    assert exc.model_id == model_id and exc.region == REGION
    assert model_id in str(exc) and REGION in str(exc)
    assert "model access" not in exc.hint.lower()  # the retired console page
    return exc


@pytest.mark.parametrize("model_id", [CORE, SD35])
def test_operation_not_allowed_ends_the_run_naming_the_account_block(
    sim: BedrockSimulator, client: Any, model_id: str
) -> None:
    sim.script.fail(
        "generate", "ValidationException", message=sim_script.OPERATION_NOT_ALLOWED_MESSAGE
    )
    with pytest.raises(ServiceError) as info:
        generate(client, model_id)
    error = assert_ends_run(info.value, model_id)
    assert "Operation not allowed" in str(error)
    assert "payment method" in error.hint and "AWS Support" in error.hint
    assert sim.count("generate") == 1
    assert sim.last("generate").status == 400


def test_operation_not_allowed_on_the_judge_ends_the_run(
    sim: BedrockSimulator, client: Any
) -> None:
    sim.script.fail(
        "judge", "ValidationException", message=sim_script.OPERATION_NOT_ALLOWED_MESSAGE
    )
    with pytest.raises(ServiceError) as info:
        judge(client)
    assert "payment method" in assert_ends_run(info.value, SONNET).hint
    assert sim.count("judge") == 1


@pytest.mark.parametrize(
    "message",
    [
        sim_script.MALFORMED_INPUT_MESSAGE,
        "Malformed input request: #: required key [prompt] not found, please reformat your "
        "input and try again.",
    ],
)
def test_malformed_input_is_not_a_refused_prompt(
    sim: BedrockSimulator, client: Any, message: str
) -> None:
    sim.script.fail("generate", "ValidationException", message=message)
    with pytest.raises(ServiceError) as info:
        generate(client)
    error = assert_ends_run(info.value, CORE)
    assert "Malformed input request" in str(error)
    assert "not the prompt" in error.hint
    assert sim.count("generate") == 1


@pytest.mark.parametrize("op", ["generate", "judge"])
def test_marketplace_subscription_failure_names_the_iam_actions(
    sim: BedrockSimulator, client: Any, op: str
) -> None:
    sim.script.fail(op, "AccessDeniedException", message=sim_script.MARKETPLACE_MESSAGE)
    model_id = CORE if op == "generate" else SONNET
    with pytest.raises(ServiceError) as info:
        generate(client) if op == "generate" else judge(client)
    error = assert_ends_run(info.value, model_id)
    assert "AWS Marketplace" in str(error)
    for words in ("aws-marketplace:Subscribe", "aws-marketplace:ViewSubscriptions", "payment"):
        assert words in error.hint
    assert sim.count(op) == 1
    assert sim.last(op).status == 403


def test_anthropic_use_case_form_is_named(sim: BedrockSimulator, client: Any) -> None:
    sim.script.fail("judge", "ResourceNotFoundException", message=sim_script.USE_CASE_FORM_MESSAGE)
    with pytest.raises(ServiceError) as info:
        judge(client)
    error = assert_ends_run(info.value, SONNET)
    assert "use-case form" in str(error)
    assert "one-time use-case details" in error.hint and "Model catalog" in error.hint
    assert sim.count("judge") == 1
    assert sim.last("judge").status == 404


@pytest.mark.parametrize("code", ["ResourceNotFoundException", "AccessDeniedException"])
def test_legacy_inactive_account_is_lifecycle_with_a_replacement(
    sim: BedrockSimulator, client: Any, code: str
) -> None:
    sim.script.fail("generate", code, message=sim_script.LEGACY_MESSAGE)
    with pytest.raises(ServiceError) as info:
        generate(client, NOVA)
    error = assert_ends_run(info.value, NOVA)
    assert "end of life" in str(error) and "Legacy" in str(error)
    assert f"Switch to {SD35}" in error.hint
    assert sim.count("generate") == 1


def test_legacy_judge_names_a_current_claude(sim: BedrockSimulator, client: Any) -> None:
    old = "us.anthropic.claude-3-7-sonnet-20250219-v1:0"
    sim.script.fail("judge", "ResourceNotFoundException", message=sim_script.LEGACY_MESSAGE)
    with pytest.raises(ServiceError) as info:
        judge(client, old)
    assert f"Switch to {SONNET}" in assert_ends_run(info.value, old).hint


def test_model_timeout_is_one_failed_attempt_not_sent_again(
    sim: BedrockSimulator, client: Any
) -> None:
    sim.script.fail("generate", "ModelTimeoutException")
    with pytest.raises(AttemptFailedError) as info:
        generate(client)
    assert not isinstance(info.value, ServiceError | PromptRefusedError)
    assert CORE in str(info.value) and "ModelTimeoutException" in str(info.value)
    assert sim.count("generate") == 1
    assert sim.last("generate").status == 408


def test_model_timeout_on_the_judge_is_one_lost_judgement(
    sim: BedrockSimulator, client: Any
) -> None:
    """The loop records an ERROR verdict for that image (or keeps the previous prompt for
    the reviser) and goes on; it does not end the run."""
    sim.script.fail("judge", "ModelTimeoutException")
    with pytest.raises(AttemptFailedError) as info:
        judge(client)
    assert "timed out answering (ModelTimeoutException)" in str(info.value)


def inference_configs(sim: BedrockSimulator) -> list[dict[str, Any]]:
    return [dict(call.body["inferenceConfig"]) for call in sim.calls if call.op == "judge"]


def test_temperature_with_top_p_refusal_drops_top_p_once_for_the_run(
    sim: BedrockSimulator, client: Any
) -> None:
    chat = ConverseChat(client, SONNET, region=REGION)
    first = chat.ask("Does it match?", SETTINGS, tiny_png())
    second = chat.ask("Does it match?", SETTINGS, tiny_png())
    statuses = [call.status for call in sim.calls]
    assert statuses == [400, 200, 200]
    assert sim.calls[0].error_code == "ValidationException"
    configs = inference_configs(sim)
    assert configs[0] == {"maxTokens": 512, "temperature": 0.5, "topP": 0.9}
    assert configs[1] == configs[2] == {"maxTokens": 512, "temperature": 0.5}
    note = str(first.note)  # the English: the window says it in its language
    assert "rejected `top_p`" in note
    assert "cannot both be specified" in note and "rest of the run" in note
    assert second.note == ""


def test_deprecated_temperature_is_dropped_once_for_the_run(
    sim: BedrockSimulator, client: Any
) -> None:
    chat = ConverseChat(client, OPUS, region=REGION)
    first = chat.ask("Does it match?", SETTINGS, tiny_png())
    chat.ask("Does it match?", SETTINGS, tiny_png())
    assert [call.status for call in sim.calls] == [400, 200, 200]
    configs = inference_configs(sim)
    assert configs[0] == {"maxTokens": 512, "temperature": 0.5, "topP": 0.9}
    assert configs[1] == configs[2] == {"maxTokens": 512, "topP": 0.9}
    assert "rejected `temperature`" in str(first.note) and "is deprecated" in str(first.note)


def test_both_refusals_in_turn_are_each_handled_once(sim: BedrockSimulator, client: Any) -> None:
    sim.script.reject_sampling("anthropic.claude-opus", "temperature_or_top_p")
    chat = ConverseChat(client, OPUS, region=REGION)
    reply = chat.ask("Does it match?", SETTINGS, tiny_png())
    # Temperature is deprecated; without it, temperature and top_p are no longer both sent.
    assert [call.status for call in sim.calls] == [400, 200]
    assert inference_configs(sim)[1] == {"maxTokens": 512, "topP": 0.9}
    assert reply.note


def test_a_model_that_takes_its_settings_is_called_once(sim: BedrockSimulator, client: Any) -> None:
    reply = judge(client, "amazon.nova-lite-v1:0")
    assert [call.status for call in sim.calls] == [200]
    assert reply.note == ""

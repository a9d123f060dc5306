"""The simulator refuses what today's Bedrock refuses, in the service's order, with its
status, error code and text: model ids, regions (from the request's signature), lifecycle,
Converse limits and each image family's stricter body rules. Every call goes through a
real boto3 client signed for the region under test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from mypy_boto3_bedrock_runtime import BedrockRuntimeClient

from imgloop_desktop.simulator.script import (
    CONVERSE_UNSUPPORTED_MESSAGE,
    EOL_MESSAGE,
    INVALID_MODEL_MESSAGE,
    LEGACY_MESSAGE,
    MAX_TOKENS_MESSAGE,
    TOP_K_MESSAGE,
    SimScript,
)
from imgloop_desktop.simulator.served import SERVED, Lifecycle, lookup, parse_model_id
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.simulator.conftest import make_client
from tests.simulator.test_server import (
    CORE,
    NOVA,
    SD35,
    SDXL,
    TITAN_V1,
    TITAN_V2,
    ULTRA,
    error_of,
    invoke,
    png_bytes,
    sdxl_body,
    stability_body,
    titan_body,
)

SONNET = "anthropic.claude-sonnet-4-6"
SONNET_US = "us.anthropic.claude-sonnet-4-6"
PREMIER = "amazon.nova-premier-v1:0"  # the table's Legacy model
OLD_SONNET = "anthropic.claude-3-5-sonnet-20240620-v1:0"
ON_DEMAND_SONNET = (
    "Invocation of model ID anthropic.claude-sonnet-4-6 with on-demand throughput isn\u2019t "
    "supported. Retry your request with the ID or ARN of an inference profile that contains "
    "this model."
)
INVALID = ("ValidationException", INVALID_MODEL_MESSAGE, 400)


@pytest.fixture
def clients(sim: BedrockSimulator) -> Iterator[dict[str, BedrockRuntimeClient]]:
    """One client per region, made on first use and all closed at the end."""
    made: dict[str, BedrockRuntimeClient] = {}

    class _Clients(dict[str, BedrockRuntimeClient]):
        def __missing__(self, region: str) -> BedrockRuntimeClient:
            made[region] = make_client(sim.url, region=region)
            return made[region]

    try:
        yield _Clients()
    finally:
        for client in made.values():
            client.close()


def ask(client: BedrockRuntimeClient, model_id: str, *, image: bool = False, **extra: Any) -> Any:
    content: list[Any] = [{"text": "Prompt: a red fox"}]
    if image:
        content.insert(0, {"image": {"format": "png", "source": {"bytes": png_bytes(16, 16)}}})
    return client.converse(
        modelId=model_id, messages=[{"role": "user", "content": content}], **extra
    )


def refusal_of(call: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as exc:
        call()
    return error_of(exc)


# -- model ids and regions --------------------------------------------------------------------


def test_unknown_model_id(clients: dict[str, BedrockRuntimeClient]) -> None:
    west = clients["us-west-2"]
    assert refusal_of(lambda: invoke(west, "stability.sd4-ultra-v9:0", stability_body())) == (
        INVALID
    )
    assert refusal_of(lambda: ask(west, "us.anthropic.claude-sonnet-9")) == INVALID


def test_profile_only_model_by_its_base_id(clients: dict[str, BedrockRuntimeClient]) -> None:
    east = clients["us-east-1"]
    assert refusal_of(lambda: ask(east, SONNET)) == (
        "ValidationException",
        ON_DEMAND_SONNET,
        400,
    )
    assert refusal_of(lambda: ask(east, SONNET, image=True)) == (
        "ValidationException",
        ON_DEMAND_SONNET,
        400,
    )
    assert json.loads(ask(east, SONNET_US)["output"]["message"]["content"][0]["text"])


def test_model_not_served_in_the_region(clients: dict[str, BedrockRuntimeClient]) -> None:
    """Stability answers on demand in us-west-2 only."""
    for model_id in (SD35, CORE, ULTRA):
        assert refusal_of(lambda m=model_id: invoke(clients["us-east-1"], m, stability_body())) == (
            INVALID
        )
        assert invoke(clients["us-west-2"], model_id, stability_body())["images"]


def test_profile_geography_must_contain_the_region(
    clients: dict[str, BedrockRuntimeClient],
) -> None:
    assert refusal_of(lambda: ask(clients["us-east-1"], "eu." + SONNET)) == INVALID
    assert refusal_of(lambda: ask(clients["us-west-1"], SONNET_US)) == INVALID
    assert refusal_of(lambda: ask(clients["ap-northeast-1"], "au." + SONNET)) == INVALID
    for region in ("us-east-1", "us-east-2", "us-west-2"):
        assert ask(clients[region], SONNET_US)["stopReason"] == "end_turn"
    assert ask(clients["eu-west-1"], "eu." + SONNET)["stopReason"] == "end_turn"
    assert ask(clients["ap-northeast-1"], "jp." + SONNET)["stopReason"] == "end_turn"
    assert ask(clients["sa-east-1"], "global." + SONNET)["stopReason"] == "end_turn"


def test_profile_prefix_on_a_model_without_that_profile(
    clients: dict[str, BedrockRuntimeClient],
) -> None:
    west = clients["us-west-2"]
    assert refusal_of(lambda: invoke(west, "us." + SD35, stability_body())) == INVALID
    assert refusal_of(lambda: ask(clients["us-east-1"], "global.amazon.nova-lite-v1:0")) == (
        INVALID
    )
    assert ask(clients["us-east-1"], "us.amazon.nova-lite-v1:0")["stopReason"] == "end_turn"


def test_an_arn_names_its_own_region(clients: dict[str, BedrockRuntimeClient]) -> None:
    arn = f"arn:aws:bedrock:us-west-2::foundation-model/{SD35}"
    assert invoke(clients["us-west-2"], arn, stability_body())["images"]
    profile = f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/{SONNET_US}"
    assert refusal_of(lambda: ask(clients["us-west-2"], profile)) == INVALID
    assert ask(clients["us-east-1"], profile)["stopReason"] == "end_turn"


def test_region_is_taken_from_the_signature_and_recorded(
    sim: BedrockSimulator, clients: dict[str, BedrockRuntimeClient]
) -> None:
    invoke(clients["us-west-2"], SD35, stability_body())
    ask(clients["us-east-2"], SONNET_US)
    refusal_of(lambda: ask(clients["eu-west-3"], SONNET_US))
    assert [(c.op, c.region, c.status) for c in sim.calls] == [
        ("generate", "us-west-2", 200),
        ("revise", "us-east-2", 200),
        ("revise", "eu-west-3", 400),
    ]


def test_front_door_comes_before_faults_and_body_checks(
    sim: BedrockSimulator, clients: dict[str, BedrockRuntimeClient]
) -> None:
    west = clients["us-west-2"]
    sim.script.fail("generate", "ModelTimeoutException")
    assert refusal_of(lambda: invoke(west, "stability.nope-v1:0", {"bad": True})) == INVALID
    assert refusal_of(lambda: invoke(west, TITAN_V2, {"bad": True})) == (
        "ValidationException",
        EOL_MESSAGE,
        400,
    )
    # The queued fault is still waiting for a call that gets past the front door.
    assert refusal_of(lambda: invoke(west, SD35, stability_body()))[0] == "ModelTimeoutException"


def test_converse_on_an_image_model(clients: dict[str, BedrockRuntimeClient]) -> None:
    assert refusal_of(lambda: ask(clients["us-west-2"], SD35)) == (
        "ValidationException",
        CONVERSE_UNSUPPORTED_MESSAGE,
        400,
    )


# -- lifecycle ----------------------------------------------------------------------------------


@pytest.mark.parametrize("model_id", [TITAN_V1, TITAN_V2, NOVA, SDXL])
def test_retired_image_models_answer_as_retired_by_default(
    clients: dict[str, BedrockRuntimeClient], model_id: str
) -> None:
    body = sdxl_body() if model_id == SDXL else titan_body()
    assert refusal_of(lambda: invoke(clients["us-east-1"], model_id, body)) == (
        "ValidationException",
        EOL_MESSAGE,
        400,
    )


@pytest.mark.parametrize(
    "model_id",
    [OLD_SONNET, "us." + OLD_SONNET, "us.anthropic.claude-sonnet-4-20250514-v1:0"],
)
def test_retired_text_models_answer_as_retired(
    sim: BedrockSimulator, clients: dict[str, BedrockRuntimeClient], model_id: str
) -> None:
    sim.script.serve_retired = True  # revives the old image families only
    assert refusal_of(lambda: ask(clients["us-east-1"], model_id, image=True)) == (
        "ValidationException",
        EOL_MESSAGE,
        400,
    )
    sim.script.eol_error_code = "ResourceNotFoundException"
    assert refusal_of(lambda: ask(clients["us-east-1"], model_id)) == (
        "ResourceNotFoundException",
        EOL_MESSAGE,
        404,
    )


def test_serve_retired_through_the_script(
    sim: BedrockSimulator, clients: dict[str, BedrockRuntimeClient]
) -> None:
    sim.script.update({"serve_retired": True})
    east, west = clients["us-east-1"], clients["us-west-2"]
    assert invoke(east, TITAN_V2, titan_body())["images"]
    assert invoke(west, TITAN_V1, titan_body())["images"]
    assert invoke(east, NOVA, titan_body())["images"]
    assert invoke(west, SDXL, sdxl_body())["artifacts"]
    # Nova Canvas never answered on demand in us-west-2, nor Titan in eu-central-1.
    assert refusal_of(lambda: invoke(west, NOVA, titan_body())) == INVALID
    assert refusal_of(lambda: invoke(clients["eu-central-1"], TITAN_V2, titan_body())) == INVALID
    # mark_end_of_life still retires a model on top.
    sim.script.mark_end_of_life(TITAN_V2)
    assert refusal_of(lambda: invoke(east, TITAN_V2, titan_body()))[1] == EOL_MESSAGE


def test_legacy_model_not_used_lately(
    sim: BedrockSimulator, clients: dict[str, BedrockRuntimeClient]
) -> None:
    east = clients["us-east-1"]
    assert refusal_of(lambda: ask(east, "us." + PREMIER)) == (
        "ResourceNotFoundException",
        LEGACY_MESSAGE,
        404,
    )
    sim.script.update({"legacy_in_use": [PREMIER]})
    assert ask(east, "us." + PREMIER)["stopReason"] == "end_turn"
    sim.script.reset()
    assert refusal_of(lambda: ask(east, "us." + PREMIER))[1] == LEGACY_MESSAGE
    sim.script.use_legacy("us." + PREMIER)
    assert ask(east, "us." + PREMIER)["stopReason"] == "end_turn"


# -- Converse limits ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "limit"), [(SONNET_US, 64000), ("us.amazon.nova-pro-v1:0", 10000)]
)
def test_max_tokens_above_the_models_ceiling(
    clients: dict[str, BedrockRuntimeClient], model_id: str, limit: int
) -> None:
    east = clients["us-east-1"]
    expected = ("ValidationException", MAX_TOKENS_MESSAGE.format(limit=limit), 400)
    assert (
        refusal_of(
            lambda: ask(east, model_id, image=True, inferenceConfig={"maxTokens": limit + 1})
        )
        == expected
    )
    assert "exceeds the model limit of" in expected[1]
    assert ask(east, model_id, inferenceConfig={"maxTokens": limit})["stopReason"] == "end_turn"


def test_top_k_above_500(clients: dict[str, BedrockRuntimeClient]) -> None:
    east = clients["us-east-1"]
    assert refusal_of(
        lambda: ask(east, SONNET_US, image=True, additionalModelRequestFields={"top_k": 501})
    ) == ("ValidationException", TOP_K_MESSAGE, 400)
    assert ask(east, SONNET_US, additionalModelRequestFields={"top_k": 500})["output"]


# -- stricter image bodies ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "extra", "key"),
    [
        (CORE, {"mode": "text-to-image"}, "mode"),
        (ULTRA, {"mode": "text-to-image"}, "mode"),
        (CORE, {"cfg_scale": 7}, "cfg_scale"),
        (ULTRA, {"cfg_scale": 7}, "cfg_scale"),
        (SD35, {"cfg_scale": 7}, "cfg_scale"),
        (SD35, {"style_preset": "photographic"}, "style_preset"),
    ],
)
def test_stability_refuses_keys_the_model_does_not_take(
    clients: dict[str, BedrockRuntimeClient], model_id: str, extra: dict[str, Any], key: str
) -> None:
    body = stability_body(**extra)
    assert refusal_of(lambda: invoke(clients["us-west-2"], model_id, body)) == (
        "ValidationException",
        f"Malformed input request: #: extraneous key [{key}] is not permitted, "
        "please reformat your input and try again.",
        400,
    )


def test_sd35_takes_mode(clients: dict[str, BedrockRuntimeClient]) -> None:
    body = stability_body(mode="text-to-image", aspect_ratio="16:9")
    assert invoke(clients["us-west-2"], SD35, body)["images"]


def test_stability_aspect_ratio(clients: dict[str, BedrockRuntimeClient]) -> None:
    body = stability_body(aspect_ratio="4:3")
    assert refusal_of(lambda: invoke(clients["us-west-2"], CORE, body)) == (
        "ValidationException",
        "Malformed input request: #/aspect_ratio: 4:3 is not a valid enum value, "
        "please reformat your input and try again.",
        400,
    )


def test_titan_answers_its_listed_sizes_only(
    retired: BedrockSimulator, clients: dict[str, BedrockRuntimeClient]
) -> None:
    east = clients["us-east-1"]
    code, message, status = refusal_of(
        lambda: invoke(east, TITAN_V2, titan_body(width=1000, height=1000))
    )
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith(
        "Malformed input request: #/imageGenerationConfig: width x height 1000x1000 must be one "
        "of 1024x1024, 768x768"
    )
    assert invoke(east, TITAN_V2, titan_body(width=1173, height=640))["images"]


@pytest.mark.parametrize(
    ("size", "problem"),
    [
        ((1000, 1024), "#/imageGenerationConfig: width 1000 must be a multiple of 16"),
        ((304, 512), "#/imageGenerationConfig: width 304 must be between 320 and 4096"),
        ((512, 4112), "#/imageGenerationConfig/height: 4112 is not less or equal to 4096"),
        ((2048, 496), "#/imageGenerationConfig: aspect ratio 2048:496 must be between 1:4 and 4:1"),
        ((2064, 2048), "#/imageGenerationConfig: 2064x2048 is 4227072 pixels, more than 4194304"),
    ],
)
def test_nova_canvas_size_rules(
    retired: BedrockSimulator,
    clients: dict[str, BedrockRuntimeClient],
    size: tuple[int, int],
    problem: str,
) -> None:
    body = titan_body(width=size[0], height=size[1])
    code, message, status = refusal_of(lambda: invoke(clients["us-east-1"], NOVA, body))
    assert (code, status) == ("ValidationException", 400)
    assert problem in message
    assert message.startswith("Malformed input request: ")


def test_nova_canvas_accepts_the_edges(
    retired: BedrockSimulator, clients: dict[str, BedrockRuntimeClient]
) -> None:
    east = clients["us-east-1"]
    for width, height in ((2048, 2048), (320, 1280), (1280, 320), (4096, 1024)):
        out = invoke(east, NOVA, titan_body(width=width, height=height))
        assert out["images"], (width, height)


# -- the served table -----------------------------------------------------------------------------


def test_served_table() -> None:
    for model_id in (SD35, CORE, ULTRA):
        model = SERVED[model_id]
        assert model.lifecycle is Lifecycle.ACTIVE
        assert model.regions == frozenset({"us-west-2"})
        assert model.on_demand and not model.profiles
    for model_id in (TITAN_V1, TITAN_V1 + ":0", TITAN_V2, NOVA, SDXL, OLD_SONNET):
        assert SERVED[model_id].lifecycle is Lifecycle.END_OF_LIFE
    sonnet = SERVED[SONNET]
    assert not sonnet.on_demand
    assert {"us", "eu", "apac", "global", "jp", "au"} <= set(sonnet.profiles)
    assert sonnet.max_tokens == 64000 and sonnet.reads_images
    assert sonnet.inference_types == ("INFERENCE_PROFILE",)
    assert lookup(f"arn:aws:bedrock:us-east-1:1:inference-profile/{SONNET_US}") is sonnet
    ref = parse_model_id(f"arn:aws:bedrock:us-west-2::foundation-model/{SD35}")
    assert (ref.base_id, ref.geography, ref.arn_region) == (SD35, None, "us-west-2")


def test_script_keys_are_checked() -> None:
    script = SimScript.from_dict({"serve_retired": True, "legacy_in_use": ["us." + PREMIER]})
    assert script.serve_retired and script.uses_legacy(PREMIER)
    assert SimScript(serve_retired=True, legacy_in_use=(PREMIER,)).uses_legacy("us." + PREMIER)
    assert not SimScript().serve_retired
    for bad in ({"serve_retired": "yes"}, {"legacy_in_use": [1]}, {"legacy_in_use": "x"}):
        with pytest.raises(ValueError):
            SimScript.from_dict(bad)

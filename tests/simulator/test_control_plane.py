"""GetFoundationModel from the same simulator, through boto3's ``bedrock`` client pointed
at it by ``AWS_ENDPOINT_URL_BEDROCK`` (``control_plane_env()``); and the offline demo with
the app's new defaults."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from imgloop_desktop.simulator.demo import DemoBackend, demo_script
from imgloop_desktop.simulator.script import INVALID_MODEL_MESSAGE
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.simulator.test_front_door import PREMIER, SONNET
from tests.simulator.test_server import NOVA, SD35, TITAN_V2, error_of, stability_body


@pytest.fixture
def control(sim: BedrockSimulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """``bedrock`` clients per region, reaching the simulator through the environment."""
    for name, value in sim.control_plane_env().items():
        monkeypatch.setenv(name, value)
    made: dict[str, Any] = {}

    class _Clients(dict[str, Any]):
        def __missing__(self, region: str) -> Any:
            made[region] = boto3.client(
                "bedrock",
                region_name=region,
                aws_access_key_id="AKIDTEST",
                aws_secret_access_key="secret",
            )
            return made[region]

    try:
        yield _Clients()
    finally:
        for client in made.values():
            client.close()


def test_control_plane_env(sim: BedrockSimulator) -> None:
    assert sim.control_plane_env() == {"AWS_ENDPOINT_URL_BEDROCK": sim.url}
    assert sim.env() == {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": sim.url}


def test_active_on_demand_model(sim: BedrockSimulator, control: dict[str, Any]) -> None:
    details = control["us-west-2"].get_foundation_model(modelIdentifier=SD35)["modelDetails"]
    assert details["modelArn"] == f"arn:aws:bedrock:us-west-2::foundation-model/{SD35}"
    assert details["modelId"] == SD35
    assert details["providerName"] == "Stability AI"
    assert details["modelName"] == "Stable Diffusion 3.5 Large"
    assert details["inputModalities"] == ["TEXT", "IMAGE"]
    assert details["outputModalities"] == ["IMAGE"]
    assert details["inferenceTypesSupported"] == ["ON_DEMAND"]
    assert details["responseStreamingSupported"] is False
    assert details["modelLifecycle"]["status"] == "ACTIVE"
    assert [(c.op, c.model_id, c.region, c.status) for c in sim.calls] == [
        ("get_foundation_model", SD35, "us-west-2", 200)
    ]
    assert sim.count("get_foundation_model") == 1
    assert sim.arrivals("get_foundation_model") == 1


def test_active_profile_only_model(control: dict[str, Any]) -> None:
    details = control["us-east-1"].get_foundation_model(modelIdentifier=SONNET)["modelDetails"]
    assert details["inferenceTypesSupported"] == ["INFERENCE_PROFILE"]
    assert details["outputModalities"] == ["TEXT"]
    assert "IMAGE" in details["inputModalities"]
    assert details["modelLifecycle"] == {"status": "ACTIVE"}


def test_legacy_model(control: dict[str, Any]) -> None:
    details = control["us-west-2"].get_foundation_model(modelIdentifier=PREMIER)["modelDetails"]
    lifecycle = details["modelLifecycle"]
    assert lifecycle["status"] == "LEGACY"
    assert "endOfLifeTime" not in lifecycle  # no date is known, so none is made up


def test_the_table_keeps_the_end_of_life_dates_it_has_a_source_for() -> None:
    from imgloop_desktop.simulator import served

    sonnet4 = served.lookup("anthropic.claude-sonnet-4-20250514-v1:0")
    assert sonnet4 is not None and sonnet4.eol_date is not None
    assert sonnet4.eol_date.isoformat() == "2026-10-14"


@pytest.mark.parametrize(
    ("region", "model_id"),
    [
        ("us-east-1", TITAN_V2),  # end of life
        ("us-east-1", NOVA),  # end of life
        ("us-east-1", SD35),  # not offered in us-east-1
        ("us-west-2", "stability.sd4-v1:0"),  # unknown
        ("us-east-1", "us." + SONNET),  # a profile id is not a foundation model id
    ],
)
def test_unknown_retired_or_elsewhere(
    sim: BedrockSimulator, control: dict[str, Any], region: str, model_id: str
) -> None:
    with pytest.raises(ClientError) as exc:
        control[region].get_foundation_model(modelIdentifier=model_id)
    assert error_of(exc) == ("ValidationException", INVALID_MODEL_MESSAGE, 400)
    assert sim.last("get_foundation_model").status == 400


def test_retired_model_under_serve_retired(sim: BedrockSimulator, control: dict[str, Any]) -> None:
    sim.script.serve_retired = True
    details = control["us-east-1"].get_foundation_model(modelIdentifier=NOVA)["modelDetails"]
    assert details["modelLifecycle"]["status"] == "ACTIVE"  # as it was in 2024


def test_scripted_control_plane_fault(sim: BedrockSimulator, control: dict[str, Any]) -> None:
    sim.script.fail("get_foundation_model", "AccessDeniedException")
    with pytest.raises(ClientError) as exc:
        control["us-west-2"].get_foundation_model(modelIdentifier=SD35)
    assert error_of(exc)[0::2] == ("AccessDeniedException", 403)
    assert control["us-west-2"].get_foundation_model(modelIdentifier=SD35)["modelDetails"]


def test_demo_serves_the_apps_new_defaults() -> None:
    """The image model in us-west-2 and the judge's ``us.`` profile from the person's
    region, with the demo's own credentials and script."""
    backend = DemoBackend(demo_script())
    credentials = backend.start()
    try:
        backend.simulator.script.latency_scale = 0.0
        session = credentials.session()
        image = session.client(
            "bedrock-runtime",
            region_name="us-west-2",
            endpoint_url=credentials.bedrock_endpoint_url,
        )
        judge = session.client("bedrock-runtime", endpoint_url=credentials.bedrock_endpoint_url)
        try:
            out = json.loads(
                image.invoke_model(
                    modelId=SD35, body=json.dumps(stability_body(mode="text-to-image"))
                )["body"].read()
            )
            assert out["images"]
            answer = judge.converse(
                modelId="us.anthropic.claude-sonnet-4-6",
                messages=[{"role": "user", "content": [{"text": "Prompt: a fox"}]}],
                inferenceConfig={"maxTokens": 512, "temperature": 0.2},
            )
            assert answer["output"]["message"]["content"][0]["text"]
        finally:
            image.close()
            judge.close()
        calls = backend.simulator.calls
        assert [(c.op, c.region) for c in calls] == [
            ("generate", "us-west-2"),
            ("revise", credentials.region),
        ]
    finally:
        backend.stop()

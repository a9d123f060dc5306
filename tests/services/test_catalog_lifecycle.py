"""The front ends' lifecycle facade: ``lifecycle`` (no network, for the picker) and
``refresh_lifecycle`` (Bedrock's control plane: the simulator on loopback, reached through
``AWS_ENDPOINT_URL_BEDROCK`` as a real endpoint would be)."""

from __future__ import annotations

import subprocess
import sys

import boto3
import pytest

from imgloop_desktop.core.errors import ServiceError
from imgloop_desktop.core.models import Lifecycle
from imgloop_desktop.services import catalog
from imgloop_desktop.services.catalog import LifecycleInfo, lifecycle, refresh_lifecycle
from imgloop_desktop.services.credentials import DefaultChain
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.conftest import free_port

LEGACY = "us.amazon.nova-premier-v1:0"
ACTIVE = "us.anthropic.claude-sonnet-4-6"
RETIRED = "anthropic.claude-3-5-sonnet-20240620-v1:0"


@pytest.fixture
def control_plane(sim: BedrockSimulator, monkeypatch: pytest.MonkeyPatch) -> BedrockSimulator:
    for name, value in sim.control_plane_env().items():
        monkeypatch.setenv(name, value)
    return sim


def test_without_a_refresh_the_catalog_answers() -> None:
    info = lifecycle(RETIRED)
    assert isinstance(info, LifecycleInfo)
    assert info.status is Lifecycle.END_OF_LIFE
    assert info.source == "catalog" and info.checked == ""
    assert info.source_text == "from the app's catalog"
    assert lifecycle(ACTIVE).status is Lifecycle.ACTIVE


def test_a_refresh_reads_bedrock_and_the_picker_sees_it_afterwards(
    control_plane: BedrockSimulator,
) -> None:
    results = refresh_lifecycle(DefaultChain(), "us-east-1", [LEGACY, ACTIVE, LEGACY])

    assert list(results) == [LEGACY, ACTIVE]  # each id once
    assert control_plane.count("get_foundation_model") == 2
    assert {c.access_key_id for c in control_plane.calls} == {"AKIDIMGLOOPTEST00000"}
    today = results[LEGACY].checked
    assert today and results[LEGACY].status is Lifecycle.LEGACY
    assert lifecycle(LEGACY) == results[LEGACY]
    assert lifecycle(LEGACY, "us-east-1").source_text == f"from Bedrock, checked {today}"

    refresh_lifecycle(DefaultChain(), "us-east-1", [LEGACY, ACTIVE])
    assert control_plane.count("get_foundation_model") == 2  # fresh: not asked again


def test_the_sessions_region_is_used_when_none_is_given(
    control_plane: BedrockSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    refresh_lifecycle(DefaultChain(), None, ["amazon.nova-lite-v1:0", ACTIVE])
    asked = [(c.model_id, c.region) for c in control_plane.calls]
    # A us. profile is asked about where runs would call it from eu-central-1: us-east-1.
    assert asked == [
        ("amazon.nova-lite-v1:0", "eu-central-1"),
        ("anthropic.claude-sonnet-4-6", "us-east-1"),
    ]


def test_refused_credentials_fall_back_to_the_catalog(control_plane: BedrockSimulator) -> None:
    control_plane.script.fail("get_foundation_model", "AccessDeniedException", times=3)
    results = refresh_lifecycle(DefaultChain(), "us-east-1", [ACTIVE, RETIRED])
    assert {m: i.source for m, i in results.items()} == {ACTIVE: "catalog", RETIRED: "catalog"}
    assert control_plane.arrivals("get_foundation_model") == 1


def test_an_unreachable_control_plane_falls_back_to_the_catalog(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK", f"http://127.0.0.1:{free_port()}")
    results = refresh_lifecycle(DefaultChain(), "us-east-1", [ACTIVE])
    assert results[ACTIVE] == LifecycleInfo(Lifecycle.ACTIVE, source="catalog")


class _NoCredentials:
    """A credentials source that cannot make a session (a keyring account gone missing)."""

    def session(self) -> boto3.Session:
        raise ServiceError("No AWS account named 'gone' is stored.")

    def describe(self) -> str:
        return "keyring account 'gone'"


def test_missing_credentials_fall_back_to_the_catalog(sim: BedrockSimulator) -> None:
    results = refresh_lifecycle(_NoCredentials(), "us-east-1", [RETIRED])
    assert results[RETIRED].source == "catalog"
    assert sim.calls == []


def test_the_facade_names_are_exported() -> None:
    assert {"lifecycle", "refresh_lifecycle", "LifecycleInfo"} <= set(catalog.__all__)


def test_the_pickers_lookup_imports_no_aws_sdk() -> None:
    """``lifecycle`` runs on the GUI thread for every listed model: no botocore for it."""
    code = (
        "import sys\n"
        "from imgloop_desktop.services.catalog import lifecycle\n"
        "lifecycle('us.anthropic.claude-sonnet-4-6')\n"
        "assert not {'boto3', 'botocore'} & set(sys.modules), 'AWS SDK imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)

"""The account's request quota for an image model, read from Service Quotas with boto3 over
HTTP against the simulator (``AWS_ENDPOINT_URL_SERVICE_QUOTAS``, set by ``bedrock_sim``)."""

from __future__ import annotations

import pytest

from imgloop_desktop.core.errors import ServiceError, ValidationError
from imgloop_desktop.providers.quotas import (
    CROSS_REGION_PREFIX,
    GLOBAL_PREFIX,
    ON_DEMAND_PREFIX,
    best_match,
    quota_prefixes,
    read_image_quota,
)
from imgloop_desktop.providers.session import DefaultChain
from imgloop_desktop.providers.stability import CORE_ID, SD35_LARGE_ID, ULTRA_ID
from imgloop_desktop.providers.titan import G1, V2
from imgloop_desktop.simulator.server import BedrockSimulator
from imgloop_desktop.simulator.service_quotas import ON_DEMAND_RPM, QuotaRow

CORE_QUOTA = ON_DEMAND_RPM.format(model="Stability.ai Stable Image Core")


def _rows(sim: BedrockSimulator, *rows: QuotaRow) -> None:
    sim.script.service_quotas.set_rows(*rows)


def test_the_applied_value_is_read_where_the_model_runs(bedrock_sim: BedrockSimulator) -> None:
    _rows(
        bedrock_sim,
        QuotaRow(CORE_QUOTA, 20.0, applied=10.0, code="L-CORE"),
        QuotaRow(ON_DEMAND_RPM.format(model="Stable Image Ultra"), 20.0, applied=5.0),
        # The same name in another Region is another quota.
        QuotaRow(CORE_QUOTA, 20.0, applied=99.0, region="us-east-1"),
    )
    quota = read_image_quota(DefaultChain(), CORE_ID, None)
    assert (quota.model_name, quota.region, quota.requests_per_minute) == (
        "Stable Image Core",
        "us-west-2",  # where Stability models are served, as runs call them
        10.0,
    )
    assert quota.applied and quota.quota_name == CORE_QUOTA and quota.quota_code == "L-CORE"
    assert bedrock_sim.count("list_service_quotas") == 1
    assert bedrock_sim.count("list_aws_default_service_quotas") == 0
    assert bedrock_sim.last("list_service_quotas").region == "us-west-2"


def test_only_the_aws_default_is_used_when_nothing_is_applied(
    bedrock_sim: BedrockSimulator,
) -> None:
    _rows(bedrock_sim, QuotaRow(ON_DEMAND_RPM.format(model="Stable Diffusion 3.5 Large"), 15.0))
    quota = read_image_quota(DefaultChain(), SD35_LARGE_ID, None)
    assert quota.requests_per_minute == 15.0 and not quota.applied
    assert bedrock_sim.count("list_aws_default_service_quotas") == 1


def test_no_matching_quota_is_said_plainly(bedrock_sim: BedrockSimulator) -> None:
    _rows(bedrock_sim, QuotaRow(ON_DEMAND_RPM.format(model="Stable Image Core"), 20.0))
    with pytest.raises(ServiceError) as caught:
        read_image_quota(DefaultChain(), ULTRA_ID, None)
    text = str(caught.value)
    assert f"no quota named like '{ON_DEMAND_PREFIX}Stable Image Ultra'" in text
    assert "us-west-2" in text and "Service Quotas console" in text


def test_every_page_is_read(bedrock_sim: BedrockSimulator) -> None:
    fillers = [
        QuotaRow(f"On-demand InvokeModel tokens per minute for Model {i}", 1000.0, applied=1.0)
        for i in range(7)
    ]
    _rows(bedrock_sim, *fillers, QuotaRow(CORE_QUOTA, 20.0, applied=12.0))
    bedrock_sim.script.service_quotas.page_size = 3
    quota = read_image_quota(DefaultChain(), CORE_ID, None)
    assert quota.requests_per_minute == 12.0 and quota.applied
    assert bedrock_sim.count("list_service_quotas") == 3


def test_access_denied_names_the_permission(bedrock_sim: BedrockSimulator) -> None:
    bedrock_sim.script.service_quotas.deny()
    with pytest.raises(ServiceError) as caught:
        read_image_quota(DefaultChain(), CORE_ID, None)
    text = str(caught.value)
    assert "servicequotas:ListServiceQuotas" in text
    assert "servicequotas:ListAWSDefaultServiceQuotas" in text
    assert "Service Quotas in us-west-2 did not let these credentials" in text


def test_an_unreachable_endpoint_is_a_plain_network_error(bedrock_sim: BedrockSimulator) -> None:
    bedrock_sim.stop()  # nothing listens on its port any more
    with pytest.raises(ServiceError) as caught:
        read_image_quota(DefaultChain(), CORE_ID, None, read_timeout=2.0)
    assert "Could not reach Service Quotas in us-west-2" in str(caught.value)


def test_an_unknown_model_is_refused_before_any_call(bedrock_sim: BedrockSimulator) -> None:
    with pytest.raises(ValidationError):
        read_image_quota(DefaultChain(), "stability.no-such-model-v1:0", None)
    assert bedrock_sim.count() == 0


def test_the_closest_name_wins_and_vendor_words_do_not_matter() -> None:
    quotas = [
        {"QuotaName": ON_DEMAND_PREFIX + "Amazon Titan Image Generator G1 V2", "Value": 2.0},
        {"QuotaName": ON_DEMAND_PREFIX + "amazon titan image generator g1", "Value": 1.0},
        {
            "QuotaName": "On-demand InvokeModel tokens per minute for Titan Image Generator G1",
            "Value": 9.0,
        },
    ]
    assert best_match(quotas, G1.name, (ON_DEMAND_PREFIX,)) == quotas[1]
    assert best_match(quotas, V2.name, (ON_DEMAND_PREFIX,)) == quotas[0]
    assert best_match(quotas, G1.name, (CROSS_REGION_PREFIX,)) is None


def test_a_profile_id_reads_the_cross_region_quota() -> None:
    assert quota_prefixes("us.amazon.nova-canvas-v1:0") == (CROSS_REGION_PREFIX,)
    assert quota_prefixes("global.x.y") == (GLOBAL_PREFIX, CROSS_REGION_PREFIX)
    assert quota_prefixes(CORE_ID) == (ON_DEMAND_PREFIX,)

"""Service Quotas' two list calls from the simulator, through boto3's ``service-quotas``
client over HTTP: applied values only where the account has one, defaults for all, pages,
Regions, and the errors boto3 reads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from imgloop_desktop.simulator.server import BedrockSimulator
from imgloop_desktop.simulator.service_quotas import ON_DEMAND_RPM, QuotaRow

CORE = ON_DEMAND_RPM.format(model="Stable Image Core")
ULTRA = ON_DEMAND_RPM.format(model="Stable Image Ultra")


@pytest.fixture
def quotas(sim: BedrockSimulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in sim.service_quotas_env().items():
        monkeypatch.setenv(name, value)
    client = boto3.client(
        "service-quotas",
        region_name="us-west-2",
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret",
    )
    try:
        yield client
    finally:
        client.close()


def test_applied_lists_only_quotas_with_an_applied_value(
    sim: BedrockSimulator, quotas: Any
) -> None:
    sim.script.service_quotas.set_rows(
        QuotaRow(CORE, 20.0, applied=10.0, code="L-CORE"),
        QuotaRow(ULTRA, 20.0),
        QuotaRow(CORE, 20.0, applied=50.0, region="us-east-1"),
    )
    applied = quotas.list_service_quotas(ServiceCode="bedrock")["Quotas"]
    assert [(q["QuotaName"], q["Value"], q["QuotaCode"]) for q in applied] == [
        (CORE, 10.0, "L-CORE")
    ]
    assert applied[0]["QuotaArn"].startswith("arn:aws:servicequotas:us-west-2:")
    defaults = quotas.list_aws_default_service_quotas(ServiceCode="bedrock")["Quotas"]
    assert [(q["QuotaName"], q["Value"]) for q in defaults] == [(CORE, 20.0), (ULTRA, 20.0)]
    assert sim.count("list_service_quotas") == 1
    assert sim.last("list_aws_default_service_quotas").region == "us-west-2"


def test_pages_follow_max_results_and_the_page_size(sim: BedrockSimulator, quotas: Any) -> None:
    sim.script.service_quotas.set_rows(*(QuotaRow(f"{CORE} {i}", float(i)) for i in range(5)))
    pages = quotas.get_paginator("list_aws_default_service_quotas").paginate(
        ServiceCode="bedrock", PaginationConfig={"PageSize": 2}
    )
    assert [len(p["Quotas"]) for p in pages] == [2, 2, 1]
    sim.script.service_quotas.page_size = 4
    first = quotas.list_aws_default_service_quotas(ServiceCode="bedrock", MaxResults=100)
    assert len(first["Quotas"]) == 4 and first["NextToken"]


def test_another_service_lists_nothing(quotas: Any) -> None:
    assert quotas.list_service_quotas(ServiceCode="ec2")["Quotas"] == []


def test_a_refusal_reads_as_iam_says_it(sim: BedrockSimulator, quotas: Any) -> None:
    sim.script.service_quotas.deny()
    with pytest.raises(ClientError) as caught:
        quotas.list_service_quotas(ServiceCode="bedrock")
    error = caught.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert "not authorized to perform: servicequotas:ListServiceQuotas" in error["Message"]
    quotas.list_service_quotas(ServiceCode="bedrock")  # only the next call was refused


def test_a_bad_token_is_refused(quotas: Any) -> None:
    with pytest.raises(ClientError) as caught:
        quotas.list_service_quotas(ServiceCode="bedrock", NextToken="nonsense")
    assert caught.value.response["Error"]["Code"] == "InvalidPaginationTokenException"


def test_reset_brings_back_the_default_table(sim: BedrockSimulator) -> None:
    table = sim.script.service_quotas
    table.set_rows()
    table.deny()
    sim.script.reset()
    assert table.rows and all(r.applied is None for r in table.rows)
    with pytest.raises(ValueError, match="unknown operation"):
        table.fail("GetServiceQuota", "AccessDeniedException", "no")

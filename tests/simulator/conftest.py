"""A fresh simulator and a real boto3 client per test, both torn down completely: the
suite runs with warnings as errors, so a leaked socket or thread fails the test that
leaked it rather than some later one."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import botocore.config
import pytest
from mypy_boto3_bedrock_runtime import BedrockRuntimeClient

from imgloop_desktop.simulator.server import BedrockSimulator

# botocore reads ``max_attempts`` as *retries*: this config makes up to two attempts, and
# standard mode retries throttling, 500 and 503 answers. Tests queue those faults twice.
RETRIED_CODES = frozenset(
    {"ThrottlingException", "ServiceUnavailableException", "InternalServerException"}
)


# The app's image models are served in us-west-2 (Stability, on demand only there); the
# retired Nova Canvas answered in us-east-1, where ``east_client`` signs.
IMAGE_REGION = "us-west-2"


def make_client(
    url: str, access_key_id: str = "AKIDTEST", region: str = IMAGE_REGION
) -> BedrockRuntimeClient:
    """The client configuration the app's providers use (one retry at most); the simulator
    reads the region from the request's signature."""
    return boto3.client(
        "bedrock-runtime",
        region_name=region,
        endpoint_url=url,
        aws_access_key_id=access_key_id,
        aws_secret_access_key="secret",
        config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


@pytest.fixture
def client(sim: BedrockSimulator) -> Iterator[BedrockRuntimeClient]:
    bedrock = make_client(sim.url)
    try:
        yield bedrock
    finally:
        bedrock.close()


@pytest.fixture
def east_client(sim: BedrockSimulator) -> Iterator[BedrockRuntimeClient]:
    bedrock = make_client(sim.url, region="us-east-1")
    try:
        yield bedrock
    finally:
        bedrock.close()


@pytest.fixture
def retired(sim: BedrockSimulator) -> BedrockSimulator:
    """The simulator answering the end-of-life image models (Titan, Nova Canvas, SDXL) as
    Bedrock did in 2024, for tests about those families' request bodies."""
    sim.script.serve_retired = True
    return sim

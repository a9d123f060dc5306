"""Credentials sources and client construction, with fake keys and no ~/.aws."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse, HeadersDict

from imgloop_desktop import __version__
from imgloop_desktop.core.errors import ServiceError
from imgloop_desktop.providers import catalog
from imgloop_desktop.providers.session import (
    FALLBACK_REGION,
    Clients,
    CredentialsSource,
    DefaultChain,
    make_clients,
)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Fake keys, empty config files in tmp_path, and nothing else AWS-related."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    config = tmp_path / "config"
    config.write_text("", encoding="utf-8")
    credentials = tmp_path / "credentials"
    credentials.write_text("", encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return config


def test_default_chain_satisfies_the_protocol(aws_env: Path) -> None:
    source: CredentialsSource = DefaultChain(region="eu-central-1")
    session = source.session()
    assert isinstance(session, boto3.Session)
    assert session.region_name == "eu-central-1"
    assert str(source.describe()) == "environment / default chain"
    credentials = session.get_credentials()
    assert credentials is not None and credentials.access_key == "AKIDTEST"


def test_profile_description_and_region(aws_env: Path) -> None:
    aws_env.write_text(
        "[profile dev]\nregion = ap-southeast-2\naws_access_key_id = AKIDPROFILE\n"
        "aws_secret_access_key = profile-secret\n",
        encoding="utf-8",
    )
    chain = DefaultChain(profile="dev")
    assert str(chain.describe()) == "AWS profile 'dev'"
    assert make_clients(chain, None).region == "ap-southeast-2"


def test_explicit_region_wins(aws_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    clients = make_clients(DefaultChain(), "us-west-2")
    assert clients.region == "us-west-2"
    assert clients.bedrock_runtime.meta.region_name == "us-west-2"
    assert clients.s3.meta.region_name == "us-west-2"


def test_region_falls_back_to_environment_then_us_east_1(
    aws_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert make_clients(DefaultChain(), None).region == FALLBACK_REGION == "us-east-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    assert make_clients(DefaultChain(), None).region == "eu-west-3"


def test_clients_use_adaptive_retries_and_timeouts(aws_env: Path) -> None:
    clients = make_clients(DefaultChain(), "us-east-1")
    assert isinstance(clients, Clients)
    for client in (clients.bedrock_runtime, clients.s3):
        config = client.meta.config
        # botocore stores max_attempts (retries) as total attempts: 6 retries + 1 call.
        assert config.retries == {"mode": "adaptive", "total_max_attempts": 7}
        assert config.connect_timeout == 10
        assert config.read_timeout == 180
        assert config.user_agent_extra == f"imgloop-desktop/{__version__}"


def test_max_attempts_can_be_overridden(aws_env: Path) -> None:
    clients = make_clients(DefaultChain(), "us-east-1", max_attempts=1)
    assert clients.bedrock_runtime.meta.config.retries == {
        "mode": "adaptive",
        "total_max_attempts": 2,
    }


def test_endpoint_urls_from_the_environment_are_honoured(
    aws_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://127.0.0.1:4599")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:4598")
    clients = make_clients(DefaultChain(), "us-east-1")
    assert clients.bedrock_runtime.meta.endpoint_url == "http://127.0.0.1:4599"
    assert clients.s3.meta.endpoint_url == "http://127.0.0.1:4598"


def test_default_endpoints_without_overrides(aws_env: Path) -> None:
    clients = make_clients(DefaultChain(), "eu-west-1")
    assert clients.bedrock_runtime.meta.endpoint_url == (
        "https://bedrock-runtime.eu-west-1.amazonaws.com"
    )


def test_unknown_profile_is_a_service_error(aws_env: Path) -> None:
    with pytest.raises(ServiceError, match="missing") as info:
        make_clients(DefaultChain(profile="missing"), None)
    assert "list-profiles" in info.value.hint


class StaticKeys:
    """A second credentials source, to show the protocol is all make_clients needs."""

    def session(self) -> boto3.Session:
        return boto3.Session(
            aws_access_key_id="AKIDOTHER", aws_secret_access_key="x", region_name="eu-north-1"
        )

    def describe(self) -> str:
        return "static test keys"


def test_any_credentials_source_works(aws_env: Path) -> None:
    clients = make_clients(StaticKeys(), None)
    assert clients.region == "eu-north-1"
    credentials = clients.bedrock_runtime._request_signer._credentials
    assert credentials.access_key == "AKIDOTHER"


def test_missing_credentials_are_refused_before_any_client_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    with pytest.raises(ServiceError) as info:
        make_clients(DefaultChain(), "us-east-1")
    assert "credentials" in str(info.value).lower()


def test_clients_carry_the_call_policy(aws_env: Path) -> None:
    """Per-call read timeouts come with every client make_clients builds; the loop and the
    simulator tests (tests/providers/test_fault_injection.py) rely on it."""
    clients = make_clients(DefaultChain(), "us-east-1")
    seen: list[float] = []

    def answer(request: AWSPreparedRequest, **_: object) -> AWSResponse:
        seen.append(request.context["read_timeout"])
        body = b'{"output": {"message": {"role": "assistant", "content": [{"text": "ok"}]}}}'
        return AWSResponse(request.url, 200, HeadersDict(), _Body(body))

    runtime = clients.bedrock_runtime
    runtime.meta.events.register("before-send.bedrock-runtime", answer)
    try:
        runtime.converse(
            modelId="amazon.nova-lite-v1:0",
            messages=[{"role": "user", "content": [{"text": "hi"}]}],
        )
    finally:
        runtime.close()
        clients.s3.close()
    assert seen == [catalog.CHAT_READ_TIMEOUT_SECONDS]


class _Body(io.BytesIO):
    def stream(self, amt: int = 1024, decode_content: bool | None = None) -> Iterator[bytes]:
        while chunk := self.read(amt):
            yield chunk


def test_the_read_timeout_ceiling_can_be_lowered(aws_env: Path) -> None:
    clients = make_clients(DefaultChain(), "us-east-1", read_timeout=0.5)
    try:
        assert clients.bedrock_runtime.meta.config.read_timeout == 0.5
    finally:
        clients.bedrock_runtime.close()
        clients.s3.close()

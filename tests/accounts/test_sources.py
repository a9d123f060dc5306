"""Credentials sources: a keyring account signs real requests to the simulator with its own
key id; the profile route is the standard chain; a deleted account stops the next run."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgloop_desktop.accounts.sources import (
    KeyringAccount,
    active_source,
    available_profiles,
    profile_source,
    source_for,
)
from imgloop_desktop.accounts.store import (
    AccountNotFoundError,
    AccountStore,
    ActiveChoice,
    KeyringUnavailableError,
)
from imgloop_desktop.core.errors import ServiceError
from imgloop_desktop.core.events import Outcome
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.providers.session import CredentialsSource, DefaultChain, make_clients
from imgloop_desktop.services import run as run_service
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.conftest import FAKE_KEY_ID
from tests.keyring_fixtures import KEY_ID, SECRET, SESSION_TOKEN, TEMP_KEY_ID, TEMP_SECRET

PARAMS = RunParams(
    prompt="a lighthouse at dusk",
    max_retry_attempts=2,
    max_prompt_revisions=1,
    titan_img_width=512,
    titan_img_height=512,
    s3_enabled=False,
)


def test_a_keyring_account_is_a_credentials_source(store: AccountStore) -> None:
    store.add("work", KEY_ID, SECRET, None, "eu-west-1")
    source: CredentialsSource = KeyringAccount("work")

    session = source.session()
    credentials = session.get_credentials()
    assert credentials is not None
    frozen = credentials.get_frozen_credentials()
    assert (frozen.access_key, frozen.secret_key, frozen.token) == (KEY_ID, SECRET, None)
    assert session.region_name == "eu-west-1"
    assert str(source.describe()) == "keyring account 'work' (AKIA…WXYZ)"
    assert SECRET not in repr(source) and KEY_ID not in str(source.describe())


def test_temporary_keys_carry_their_token(store: AccountStore) -> None:
    store.add("temp", TEMP_KEY_ID, TEMP_SECRET, SESSION_TOKEN, "us-west-2")
    credentials = KeyringAccount("temp").session().get_credentials()
    assert credentials is not None
    assert credentials.get_frozen_credentials().token == SESSION_TOKEN
    assert str(KeyringAccount("temp").describe()) == "keyring account 'temp' (ASIA…TMP1)"


def test_the_accounts_keys_win_over_the_environment(store: AccountStore) -> None:
    store.add("work", KEY_ID, SECRET, None, "eu-west-1")
    clients = make_clients(KeyringAccount("work"), None)
    try:
        assert clients.region == "eu-west-1"
        signer = clients.bedrock_runtime._request_signer._credentials
        assert signer.access_key == KEY_ID != FAKE_KEY_ID
    finally:
        clients.bedrock_runtime.close()
        clients.s3.close()


def test_a_run_is_signed_with_the_keyring_accounts_key(
    store: AccountStore, bedrock_sim: BedrockSimulator
) -> None:
    store.add("work", KEY_ID, SECRET, None, "us-east-1")
    bedrock_sim.script.queue_verdicts("NO", "YES")

    with run_service.execute(PARAMS, credentials=KeyringAccount("work")) as execution:
        result = execution.result

    assert result.outcome is Outcome.APPROVED
    calls = bedrock_sim.calls
    assert len(calls) >= 3
    assert {call.access_key_id for call in calls} == {KEY_ID}


def test_after_delete_the_next_run_refuses_plainly(
    store: AccountStore, bedrock_sim: BedrockSimulator
) -> None:
    store.add("work", KEY_ID, SECRET, None, "us-east-1")
    store.delete("work")

    source = active_source()
    assert source == KeyringAccount("work")  # not the environment's keys, silently
    with pytest.raises(AccountNotFoundError) as info:
        run_service.execute(PARAMS, credentials=source)
    assert isinstance(info.value, ServiceError)
    assert str(info.value).startswith("No AWS account named 'work' is stored in the keyring")
    assert bedrock_sim.calls == []


def test_no_keyring_stops_a_run_before_any_call(
    no_keyring: object, bedrock_sim: BedrockSimulator
) -> None:
    with pytest.raises(KeyringUnavailableError, match="No keyring is available"):
        run_service.execute(PARAMS, credentials=KeyringAccount("work"))
    assert bedrock_sim.calls == []


def test_the_profile_route_is_the_standard_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "aws-config"
    config.write_text(
        "[profile dev]\nregion = ap-southeast-2\n"
        "aws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n"
        "[profile sso-work]\nsso_session = corp\nsso_account_id = 111122223333\n"
        "sso_role_name = Artist\nregion = us-west-2\n"
        "[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\n"
        "sso_region = us-east-1\n",
        encoding="utf-8",
    )
    assert "dev" in available_profiles() and "sso-work" in available_profiles()
    assert profile_source("dev") == DefaultChain(profile="dev")
    assert profile_source("") == DefaultChain()
    assert profile_source(None, "eu-west-1") == DefaultChain(region="eu-west-1")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    assert make_clients(profile_source("dev"), None).region == "ap-southeast-2"


def test_a_broken_aws_config_lists_no_profiles(tmp_path: Path) -> None:
    (tmp_path / "aws-config").write_text("[profile dev\nregion", encoding="utf-8")
    assert available_profiles() == []


def test_active_source_follows_the_choice(store: AccountStore) -> None:
    assert active_source() == DefaultChain()
    store.add("work", KEY_ID, SECRET, None, "us-east-1")
    assert active_source() == KeyringAccount("work")
    store.set_active_profile("dev")
    assert active_source() == DefaultChain(profile="dev")
    assert source_for(ActiveChoice("keyring", "x")) == KeyringAccount("x")

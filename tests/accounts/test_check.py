"""The connection check: STS answered by moto's server, the runtime fallback by our Bedrock
simulator, and the Bedrock control plane (which neither serves) through botocore's Stubber."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from imgloop_desktop.accounts import check
from imgloop_desktop.accounts.check import (
    IDENTITY,
    IMAGE_MODEL,
    JUDGE_MODEL,
    CheckClients,
    CheckResult,
    check_connection,
    make_check_clients,
    run_checks,
)
from imgloop_desktop.accounts.sources import KeyringAccount, profile_source
from imgloop_desktop.accounts.store import AccountStore
from imgloop_desktop.core.i18n_marks import Phrase
from imgloop_desktop.core.models import Lifecycle
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.protocols import InferenceSettings
from imgloop_desktop.providers import lifecycle as model_lifecycle
from imgloop_desktop.simulator.script import CONTENT_FILTER_MESSAGE
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.conftest import free_port
from tests.keyring_fixtures import KEY_ID, SECRET

KEYS = Phrase("Credentials", "test keys")
"""The stubbed clients' source, as a source describes itself."""

# Models today's Bedrock (the simulator) serves in REGION: Stability on demand in us-west-2
# only, Claude Sonnet 4.6 through its us. profile.
REGION = "us-west-2"
IMAGE = "stability.sd3-5-large-v1:0"
JUDGE = "us.anthropic.claude-sonnet-4-6"
JUDGE_BASE = "anthropic.claude-sonnet-4-6"
RETIRED_JUDGE = "anthropic.claude-3-5-sonnet-20240620-v1:0"
# For the stubbed control plane, which answers whatever it is told.
STUB_IMAGE = "amazon.titan-image-generator-v1"
STUB_JUDGE = "anthropic.claude-3-5-sonnet-20240620-v1:0"
MOTO_ACCOUNT = "123456789012"


@pytest.fixture
def sts_endpoint(moto_s3_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """moto's server answers STS as well as S3; boto3 finds it through the standard variable."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", moto_s3_url)
    return moto_s3_url


@pytest.fixture
def work(store: AccountStore) -> KeyringAccount:
    store.add("work", KEY_ID, SECRET, None, REGION)
    return KeyringAccount("work", store)


def by_name(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.name: r for r in results}


def test_identity_and_both_models_pass_against_moto_and_the_simulator(
    work: KeyringAccount, sts_endpoint: str, bedrock_sim: BedrockSimulator
) -> None:
    results = check_connection(work, None, IMAGE, JUDGE)

    assert [r.name for r in results] == [IDENTITY, IMAGE_MODEL, JUDGE_MODEL]
    assert all(r.ok for r in results), results
    identity = results[0].detail
    assert f"AWS account {MOTO_ACCOUNT}" in identity
    assert "arn:aws:sts::123456789012:" in identity
    assert "keyring account 'work' (AKIA…WXYZ)" in identity and REGION in identity
    assert results[1].detail == f"{IMAGE} answers in {REGION}."
    # The runtime fallback was used (the control plane would be real AWS here), signed with
    # the account's key, and the image check made no image.
    assert bedrock_sim.count("generate") == 1
    assert bedrock_sim.last("generate").error_code == "ValidationException"
    assert bedrock_sim.count("revise") == 1
    assert bedrock_sim.last("revise").body["inferenceConfig"] == {"maxTokens": 1}
    assert {c.access_key_id for c in bedrock_sim.calls} == {KEY_ID}
    for result in results:
        assert SECRET not in result.detail and KEY_ID not in result.detail


def test_the_region_asked_for_wins_and_a_model_it_does_not_serve_fails_as_a_run_would(
    work: KeyringAccount, sts_endpoint: str, bedrock_sim: BedrockSimulator
) -> None:
    identity, image, judge = check_connection(work, "us-east-1", IMAGE, JUDGE)
    assert identity.ok and "us-east-1" in identity.detail
    assert not image.ok and "a run would refuse it" in image.detail
    assert "us-west-2" in image.detail
    assert judge.ok and judge.detail == f"{JUDGE} answers in us-east-1."
    assert bedrock_sim.count("generate") == 0  # refused before any call, as a run is


def test_each_model_is_checked_where_a_run_would_call_it(
    store: AccountStore, sts_endpoint: str, bedrock_sim: BedrockSimulator
) -> None:
    """A person in us-east-1 with the default models: Stability is served in us-west-2 only,
    so that is where the check (and a run) calls it; the judge's profile from us-east-1."""
    store.add("east", KEY_ID, SECRET, None, "us-east-1")
    results = check_connection(KeyringAccount("east", store), None, IMAGE, JUDGE)
    assert all(r.ok for r in results), results
    assert results[1].detail == f"{IMAGE} answers in us-west-2."
    assert results[2].detail == f"{JUDGE} answers in us-east-1."
    assert {c.region for c in bedrock_sim.calls if c.op == "generate"} == {"us-west-2"}


def test_runtime_failures_name_the_model_and_what_to_do(
    work: KeyringAccount, sts_endpoint: str, bedrock_sim: BedrockSimulator
) -> None:
    bedrock_sim.script.fail("generate", "AccessDeniedException")

    results = by_name(check_connection(work, None, IMAGE, RETIRED_JUDGE))

    assert results[IDENTITY].ok
    image = results[IMAGE_MODEL]
    assert not image.ok
    assert f"Access denied to {IMAGE} in {REGION}" in image.detail
    assert "bedrock:InvokeModel" in image.detail and "model access" not in image.detail.lower()
    judge = results[JUDGE_MODEL]
    assert not judge.ok and "end of its life" in judge.detail


def test_an_unknown_image_model_is_not_offered(
    work: KeyringAccount, sts_endpoint: str, bedrock_sim: BedrockSimulator
) -> None:
    results = by_name(check_connection(work, None, "acme.no-such-image-model-v9", JUDGE))
    assert not results[IMAGE_MODEL].ok
    assert "does not know model acme.no-such-image-model-v9" in results[IMAGE_MODEL].detail
    assert results[JUDGE_MODEL].ok


def test_a_missing_account_is_one_plain_result(store: AccountStore) -> None:
    results = check_connection(KeyringAccount("gone", store), None, IMAGE, JUDGE)
    assert len(results) == 1 and not results[0].ok
    assert "No AWS account named 'gone'" in results[0].detail


def test_no_keyring_is_one_plain_result(no_keyring: object) -> None:
    (result,) = check_connection(KeyringAccount("work"), None, IMAGE, JUDGE)
    assert not result.ok and "No keyring is available" in result.detail
    assert "AWS profile" in result.detail


def test_an_expired_sso_login_says_to_run_aws_sso_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No token in the (empty, temporary) SSO cache is what an expired login looks like."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    (tmp_path / "aws-config").write_text(
        "[profile sso-work]\nsso_session = corp\nsso_account_id = 111122223333\n"
        "sso_role_name = Artist\nregion = us-west-2\n"
        "[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\n"
        "sso_region = us-east-1\n",
        encoding="utf-8",
    )
    results = check_connection(profile_source("sso-work"), None, IMAGE, JUDGE)

    identity = results[0]
    assert not identity.ok
    assert "AWS profile 'sso-work'" in identity.detail
    assert "aws sso login --profile sso-work" in identity.detail
    assert [r.detail for r in results[1:]] == [
        "Not checked: AWS did not accept the credentials (see above).",
    ] * 2


def test_unreachable_sts_still_checks_the_models(
    work: KeyringAccount, bedrock_sim: BedrockSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", f"http://127.0.0.1:{free_port()}")
    results = check_connection(work, None, IMAGE, JUDGE)
    assert not results[0].ok and "Could not reach AWS STS" in results[0].detail
    assert results[1].ok and results[2].ok


# -- the control plane, stubbed -------------------------------------------------------------


@contextlib.contextmanager
def stubbed_clients(
    bedrock_sim: BedrockSimulator, region: str = "us-east-1"
) -> Iterator[tuple[CheckClients, Stubber, Stubber]]:
    """STS and the control plane stubbed; the runtime is the simulator, for fallbacks."""
    keys: dict[str, Any] = {
        "region_name": region,
        "aws_access_key_id": KEY_ID,
        "aws_secret_access_key": SECRET,
    }
    sts = boto3.client("sts", **keys)
    bedrock = boto3.client("bedrock", **keys)
    runtime = boto3.client("bedrock-runtime", endpoint_url=bedrock_sim.url, **keys)
    clients = CheckClients(sts=sts, bedrock=bedrock, bedrock_runtime=runtime, region=region)
    with Stubber(sts) as sts_stub, Stubber(bedrock) as bedrock_stub:
        yield clients, sts_stub, bedrock_stub
    clients.close()


@pytest.fixture
def stubbed(bedrock_sim: BedrockSimulator) -> Iterator[tuple[CheckClients, Stubber, Stubber]]:
    with stubbed_clients(bedrock_sim) as stubs:
        yield stubs


def signed_in(sts_stub: Stubber) -> None:
    sts_stub.add_response(
        "get_caller_identity",
        {"UserId": "AIDAEXAMPLE", "Account": "111122223333", "Arn": "arn:aws:iam::1:user/a"},
    )


def model_details(model_id: str, **changes: Any) -> dict[str, Any]:
    details = {
        "modelArn": f"arn:aws:bedrock:us-east-1::foundation-model/{model_id}",
        "modelId": model_id,
        "inputModalities": ["TEXT", "IMAGE"] if "claude" in model_id else ["TEXT"],
        "outputModalities": ["TEXT"] if "claude" in model_id else ["IMAGE"],
        "inferenceTypesSupported": ["ON_DEMAND"],
        "modelLifecycle": {"status": "ACTIVE"},
    }
    return {"modelDetails": details | changes}


def availability(model_id: str, **changes: Any) -> dict[str, Any]:
    answer = {
        "modelId": model_id,
        "agreementAvailability": {"status": "AVAILABLE"},
        "authorizationStatus": "AUTHORIZED",
        "entitlementAvailability": "AVAILABLE",
        "regionAvailability": "AVAILABLE",
    }
    return answer | changes


def expect_model(
    stub: Stubber,
    model_id: str,
    details: dict[str, Any] | None = None,
    avail: dict[str, Any] | None = None,
) -> None:
    stub.add_response(
        "get_foundation_model",
        details or model_details(model_id),
        {"modelIdentifier": model_id},
    )
    stub.add_response(
        "get_foundation_model_availability",
        avail or availability(model_id),
        {"modelId": model_id},
    )


def run(clients: CheckClients) -> dict[str, CheckResult]:
    return by_name(run_checks(clients, KEYS, STUB_IMAGE, STUB_JUDGE, control_plane=True))


def test_control_plane_all_good(
    stubbed: tuple[CheckClients, Stubber, Stubber], bedrock_sim: BedrockSimulator
) -> None:
    clients, sts, stub = stubbed
    signed_in(sts)
    expect_model(stub, STUB_IMAGE)
    expect_model(stub, STUB_JUDGE)
    results = run(clients)
    assert results[IDENTITY].ok and "111122223333" in results[IDENTITY].detail
    assert results[IMAGE_MODEL] == CheckResult(
        IMAGE_MODEL, True, f"{STUB_IMAGE} is offered and enabled in us-east-1."
    )
    assert results[JUDGE_MODEL].ok
    stub.assert_no_pending_responses()
    assert bedrock_sim.calls == []  # nothing reached the runtime


@pytest.mark.parametrize(
    ("avail", "words"),
    [
        ({"regionAvailability": "NOT_AVAILABLE"}, "is not offered in us-east-1"),
        ({"authorizationStatus": "NOT_AUTHORIZED"}, "not allowed to use"),
        ({"entitlementAvailability": "NOT_AVAILABLE"}, "is not enabled for this AWS account"),
        ({"agreementAvailability": {"status": "PENDING"}}, "still being processed"),
        ({"agreementAvailability": {"status": "NOT_AVAILABLE"}}, "has not been accepted"),
    ],
)
def test_control_plane_says_why_a_model_cannot_be_used(
    stubbed: tuple[CheckClients, Stubber, Stubber], avail: dict[str, Any], words: str
) -> None:
    clients, sts, stub = stubbed
    signed_in(sts)
    expect_model(stub, STUB_IMAGE, avail=availability(STUB_IMAGE, **avail))
    expect_model(stub, STUB_JUDGE)
    results = run(clients)
    assert not results[IMAGE_MODEL].ok
    assert words in results[IMAGE_MODEL].detail
    assert STUB_IMAGE in results[IMAGE_MODEL].detail
    assert "model access" not in results[IMAGE_MODEL].detail.lower()  # a retired page
    assert results[JUDGE_MODEL].ok


def test_a_model_not_in_the_region(stubbed: tuple[CheckClients, Stubber, Stubber]) -> None:
    clients, sts, stub = stubbed
    signed_in(sts)
    stub.add_client_error(
        "get_foundation_model", "ResourceNotFoundException", "Model not found", 404
    )
    expect_model(stub, STUB_JUDGE)
    result = run(clients)[IMAGE_MODEL]
    assert not result.ok
    assert f"Bedrock in us-east-1 does not offer the model {STUB_IMAGE}" in result.detail


def test_on_demand_unsupported_points_at_inference_profiles(
    stubbed: tuple[CheckClients, Stubber, Stubber],
) -> None:
    clients, sts, stub = stubbed
    signed_in(sts)
    expect_model(stub, STUB_IMAGE)
    expect_model(
        stub,
        STUB_JUDGE,
        details=model_details(STUB_JUDGE, inferenceTypesSupported=["INFERENCE_PROFILE"]),
    )
    result = run(clients)[JUDGE_MODEL]
    assert not result.ok
    assert "cannot be called on demand" in result.detail and f"'us.{STUB_JUDGE}'" in result.detail


def test_an_inference_profile_is_looked_up_as_such(
    stubbed: tuple[CheckClients, Stubber, Stubber],
) -> None:
    clients, sts, stub = stubbed
    signed_in(sts)
    expect_model(stub, STUB_IMAGE)
    profile_id = f"us.{STUB_JUDGE}"
    # The base model first (its lifecycle is kept even if the rest is refused), then the
    # profile, then the base model's availability.
    stub.add_response(
        "get_foundation_model",
        model_details(STUB_JUDGE, inferenceTypesSupported=["INFERENCE_PROFILE"]),
        {"modelIdentifier": STUB_JUDGE},
    )
    stub.add_response(
        "get_inference_profile",
        {
            "inferenceProfileName": "US Claude",
            "inferenceProfileArn": "arn:aws:bedrock:us-east-1:1:inference-profile/" + profile_id,
            "models": [{"modelArn": "arn:aws:bedrock:us-east-1::foundation-model/" + STUB_JUDGE}],
            "inferenceProfileId": profile_id,
            "status": "ACTIVE",
            "type": "SYSTEM_DEFINED",
        },
        {"inferenceProfileIdentifier": profile_id},
    )
    stub.add_response(
        "get_foundation_model_availability", availability(STUB_JUDGE), {"modelId": STUB_JUDGE}
    )
    results = by_name(run_checks(clients, KEYS, STUB_IMAGE, profile_id, control_plane=True))
    assert results[JUDGE_MODEL].ok, results[JUDGE_MODEL]
    stub.assert_no_pending_responses()


def test_a_judge_that_cannot_see_images(stubbed: tuple[CheckClients, Stubber, Stubber]) -> None:
    clients, sts, stub = stubbed
    signed_in(sts)
    expect_model(stub, STUB_IMAGE)
    expect_model(stub, STUB_JUDGE, details=model_details(STUB_JUDGE, inputModalities=["TEXT"]))
    result = run(clients)[JUDGE_MODEL]
    assert not result.ok and "does not accept images" in result.detail


def test_a_legacy_model_passes_with_a_warning(
    stubbed: tuple[CheckClients, Stubber, Stubber],
) -> None:
    clients, sts, stub = stubbed
    signed_in(sts)
    expect_model(
        stub, STUB_IMAGE, details=model_details(STUB_IMAGE, modelLifecycle={"status": "LEGACY"})
    )
    expect_model(stub, STUB_JUDGE)
    result = run(clients)[IMAGE_MODEL]
    assert result.ok and "Legacy" in result.detail


def test_no_permission_for_the_control_plane_falls_back_to_the_runtime(
    bedrock_sim: BedrockSimulator,
) -> None:
    with stubbed_clients(bedrock_sim, REGION) as (clients, sts, stub):
        signed_in(sts)
        for _ in range(2):
            stub.add_client_error("get_foundation_model", "AccessDeniedException", "nope", 403)
        results = by_name(run_checks(clients, KEYS, IMAGE, JUDGE, control_plane=True))
    for name in (IMAGE_MODEL, JUDGE_MODEL):
        assert results[name].ok
        assert "bedrock:GetFoundationModel" in results[name].detail
    assert bedrock_sim.count("generate") == 1 and bedrock_sim.count("revise") == 1


def test_refused_credentials_skip_the_model_checks(
    stubbed: tuple[CheckClients, Stubber, Stubber],
) -> None:
    clients, sts_stub, _ = stubbed
    sts_stub.add_client_error(
        "get_caller_identity",
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
        403,
    )
    results = run(clients)
    assert not results[IDENTITY].ok
    assert "AWS did not accept the credentials (InvalidClientTokenId)" in results[IDENTITY].detail
    assert results[IMAGE_MODEL].detail.startswith("Not checked")


def test_the_control_plane_is_used_only_where_the_runtime_goes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session = boto3.Session()

    def matches() -> bool:
        clients = make_check_clients(session, "us-east-1")
        try:
            return check._control_plane_matches(clients)
        finally:
            clients.close()

    assert matches()  # both real AWS
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://127.0.0.1:1")
    session = boto3.Session()
    assert not matches()  # the runtime is a simulator/proxy; AWS's list says nothing about it
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK", "http://127.0.0.1:2")
    session = boto3.Session()
    assert matches()


# -- issue 11: lifecycle kept, the judge's real settings, a refused image probe --------------

# Legacy in the simulator's table (no dates given there).
LEGACY_JUDGE = "us.amazon.nova-premier-v1:0"


@pytest.fixture
def control_plane_sim(bedrock_sim: BedrockSimulator, monkeypatch: pytest.MonkeyPatch) -> str:
    """The simulator answers the control plane too (GetFoundationModel; it serves no
    GetFoundationModelAvailability, so the check goes on to the runtime probe)."""
    for name, value in bedrock_sim.control_plane_env().items():
        monkeypatch.setenv(name, value)
    return bedrock_sim.url


def test_the_check_keeps_each_lifecycle_it_reads(
    work: KeyringAccount,
    sts_endpoint: str,
    bedrock_sim: BedrockSimulator,
    control_plane_sim: str,
) -> None:
    bedrock_sim.script.use_legacy(LEGACY_JUDGE)

    results = by_name(check_connection(work, None, IMAGE, LEGACY_JUDGE))

    assert results[IMAGE_MODEL].ok and results[JUDGE_MODEL].ok, results
    assert bedrock_sim.count("get_foundation_model") == 2
    today = model_lifecycle.today_utc().isoformat()
    legacy = model_lifecycle.known(LEGACY_JUDGE, region=REGION)
    assert (legacy.status, legacy.source, legacy.checked) == (Lifecycle.LEGACY, "bedrock", today)
    assert legacy.source_text == f"from Bedrock, checked {today}"
    active = model_lifecycle.known(IMAGE, region=REGION)
    assert (active.status, active.source, active.checked) == (Lifecycle.ACTIVE, "bedrock", today)
    # Kept under the base id and the region asked.
    kept = model_lifecycle.LifecycleCache()
    assert kept.get(REGION, "amazon.nova-premier-v1:0") == legacy


def test_a_judge_rejecting_its_settings_fails_the_check_naming_them(
    work: KeyringAccount, sts_endpoint: str, bedrock_sim: BedrockSimulator
) -> None:
    settings = InferenceSettings(temperature=1.0, top_p=0.9, top_k=None, max_tokens=4096)

    results = by_name(check_connection(work, None, IMAGE, JUDGE, judge_settings=settings))

    assert results[IMAGE_MODEL].ok
    judge = results[JUDGE_MODEL]
    assert not judge.ok
    assert "rejected the judge settings" in judge.detail
    assert "`temperature` and `top_p` cannot both be specified" in judge.detail  # its words
    assert "Judge settings, clear Top p or Temperature" in judge.detail  # what to change
    sent = bedrock_sim.last("revise").body
    assert sent["inferenceConfig"] == {"maxTokens": 1, "temperature": 1.0, "topP": 0.9}


def test_unset_judge_settings_are_not_sent(
    work: KeyringAccount, sts_endpoint: str, bedrock_sim: BedrockSimulator
) -> None:
    unset = InferenceSettings(temperature=None, top_p=None, top_k=None, max_tokens=4096)
    results = by_name(check_connection(work, None, IMAGE, JUDGE, judge_settings=unset))
    assert results[JUDGE_MODEL].ok, results[JUDGE_MODEL]
    body = bedrock_sim.last("revise").body
    assert body["inferenceConfig"] == {"maxTokens": 1}
    assert "additionalModelRequestFields" not in body

    defaults = RunParams().validate_settings  # temperature and top_k set, top_p unset
    results = by_name(check_connection(work, None, IMAGE, JUDGE, judge_settings=defaults))
    assert results[JUDGE_MODEL].ok, results[JUDGE_MODEL]
    body = bedrock_sim.last("revise").body
    assert body["inferenceConfig"] == {"maxTokens": 1, "temperature": defaults.temperature}
    assert body["additionalModelRequestFields"] == {"top_k": defaults.top_k}


def test_a_judge_passed_by_the_control_plane_is_still_probed_with_its_settings(
    bedrock_sim: BedrockSimulator,
) -> None:
    settings = InferenceSettings(temperature=0.7, top_p=0.9, top_k=None, max_tokens=4096)
    with stubbed_clients(bedrock_sim, REGION) as (clients, sts, stub):
        signed_in(sts)
        expect_model(stub, IMAGE)
        stub.add_response(
            "get_foundation_model",
            model_details(JUDGE_BASE, inferenceTypesSupported=["INFERENCE_PROFILE"]),
            {"modelIdentifier": JUDGE_BASE},
        )
        stub.add_response(
            "get_inference_profile",
            {
                "inferenceProfileName": "US Claude Sonnet 4.6",
                "inferenceProfileArn": f"arn:aws:bedrock:{REGION}:1:inference-profile/{JUDGE}",
                "models": [
                    {"modelArn": f"arn:aws:bedrock:{REGION}::foundation-model/{JUDGE_BASE}"}
                ],
                "inferenceProfileId": JUDGE,
                "status": "ACTIVE",
                "type": "SYSTEM_DEFINED",
            },
            {"inferenceProfileIdentifier": JUDGE},
        )
        stub.add_response(
            "get_foundation_model_availability", availability(JUDGE_BASE), {"modelId": JUDGE_BASE}
        )
        results = by_name(
            run_checks(clients, KEYS, IMAGE, JUDGE, judge_settings=settings, control_plane=True)
        )
        stub.assert_no_pending_responses()
    assert results[IMAGE_MODEL].ok and "offered and enabled" in results[IMAGE_MODEL].detail
    assert not results[JUDGE_MODEL].ok and "Top p" in results[JUDGE_MODEL].detail
    assert bedrock_sim.count("generate") == 0 and bedrock_sim.count("revise") == 1


def test_a_refused_image_probe_is_not_reported_as_working(
    work: KeyringAccount, sts_endpoint: str, bedrock_sim: BedrockSimulator
) -> None:
    bedrock_sim.script.fail("generate", "ValidationException", message=CONTENT_FILTER_MESSAGE)

    image = by_name(check_connection(work, None, IMAGE, JUDGE))[IMAGE_MODEL]

    assert not image.ok
    assert image.detail.startswith(f"Not proven: {IMAGE} in {REGION} refused")
    assert "blocked by our content filters" in image.detail
    assert "answers in" not in image.detail
    assert bedrock_sim.last("generate").error_code == "ValidationException"

"""Translation of real botocore exceptions, and redaction of secrets from every message."""

from __future__ import annotations

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    ResponseStreamingError,
    SSOTokenLoadError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)

from imgloop_desktop.core.errors import AttemptFailedError, PromptRefusedError, ServiceError
from imgloop_desktop.providers.aws_errors import CHAT_OPERATION, IMAGE_OPERATION, redact, translate

TITAN = "amazon.titan-image-generator-v1"
REGION = "eu-west-1"
KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def client_error(
    code: str, message: str, status: int = 400, operation: str = IMAGE_OPERATION
) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        operation,
    )


def image(
    exc: Exception, model_id: str = TITAN
) -> PromptRefusedError | AttemptFailedError | ServiceError:
    return translate(exc, model_id=model_id, region=REGION, operation=IMAGE_OPERATION)


def chat(
    exc: Exception, model_id: str = "amazon.nova-pro-v1:0"
) -> PromptRefusedError | AttemptFailedError | ServiceError:
    return translate(exc, model_id=model_id, region=REGION, operation=CHAT_OPERATION)


# -- ValidationException -----------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "This request has been blocked by our content filters.",
        "The generated image has been blocked by our content filters.",
        "Your request was filtered by Responsible AI.",
    ],
)
def test_content_filter_is_a_refusal_with_the_message_kept(message: str) -> None:
    result = image(client_error("ValidationException", message))
    assert isinstance(result, PromptRefusedError)
    assert message in str(result)


def test_other_validation_during_image_generation_is_a_refusal() -> None:
    message = "1 validation error detected: Value 'x' at 'text' failed to satisfy constraint"
    result = image(client_error("ValidationException", message))
    assert isinstance(result, PromptRefusedError)
    assert "failed to satisfy constraint" in str(result)


def test_validation_during_converse_ends_the_run() -> None:
    result = chat(
        client_error("ValidationException", "maxTokens exceeds the limit", 400, "Converse")
    )
    assert isinstance(result, ServiceError)
    assert "maxTokens exceeds the limit" in str(result)


def test_filtered_converse_is_a_service_error() -> None:
    result = chat(client_error("ValidationException", "blocked by our content filters"))
    assert isinstance(result, ServiceError)
    assert "blocked" in str(result)


def test_end_of_life_names_model_region_and_a_current_replacement() -> None:
    exc = client_error(
        "ResourceNotFoundException",
        "This model version has reached the end of its life. "
        "Please refer to the AWS documentation for more details.",
        404,
    )
    result = image(exc)
    assert isinstance(result, ServiceError)
    assert result.model_id == TITAN and result.region == REGION
    text = str(result)
    assert TITAN in text and REGION in text
    assert "stability.sd3-5-large-v1:0" in result.hint


def test_end_of_life_as_validation_exception() -> None:
    exc = client_error("ValidationException", "The model has reached end of life.")
    result = chat(exc, "anthropic.claude-3-5-sonnet-20240620-v1:0")
    assert isinstance(result, ServiceError)
    assert "us.anthropic.claude-sonnet-4-6" in result.hint


def test_legacy_access_denied_is_treated_as_end_of_life() -> None:
    exc = client_error(
        "AccessDeniedException",
        "Access denied. This Model is marked by provider as Legacy and you have not been "
        "actively using the model in the last 30 days.",
        403,
    )
    result = chat(exc, "us.anthropic.claude-3-7-sonnet-20250219-v1:0")
    assert isinstance(result, ServiceError)
    assert "us.anthropic.claude-sonnet-4-6" in result.hint


def test_end_of_life_of_unknown_model_still_gives_advice() -> None:
    result = image(client_error("ResourceNotFoundException", "reached the end of its life"), "x.y")
    assert isinstance(result, ServiceError)
    assert "Active model" in result.hint


def test_on_demand_not_supported_suggests_a_profile() -> None:
    exc = client_error(
        "ValidationException",
        "Invocation of model ID anthropic.claude-sonnet-4-6 with on-demand throughput isn't "
        "supported. Retry your request with the ID or ARN of an inference profile that "
        "contains this model.",
    )
    result = translate(
        exc, model_id="anthropic.claude-sonnet-4-6", region=REGION, operation=IMAGE_OPERATION
    )
    assert isinstance(result, ServiceError)
    assert "us.anthropic.claude-sonnet-4-6" in result.hint


def test_invalid_identifier_is_unknown_model() -> None:
    result = image(client_error("ValidationException", "The provided model identifier is invalid."))
    assert isinstance(result, ServiceError)
    assert "does not know model" in str(result)


# -- access, lookup, throttling ----------------------------------------------------------


def test_access_denied_hint() -> None:
    exc = client_error(
        "AccessDeniedException",
        "You don't have access to the model with the specified model ID.",
        403,
    )
    result = image(exc)
    assert isinstance(result, ServiceError)
    assert result.hint == (
        f"Check the IAM policy allows bedrock:InvokeModel on {TITAN} in {REGION} "
        "(and that no service control policy denies it)."
    )
    assert "model access" not in result.hint.lower()  # the retired console page


def test_resource_not_found_is_unknown_or_not_offered() -> None:
    result = image(client_error("ResourceNotFoundException", "Could not resolve the model", 404))
    assert isinstance(result, ServiceError)
    assert TITAN in str(result) and REGION in str(result)
    assert "offered" in result.hint


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("ThrottlingException", 429),
        ("ServiceUnavailableException", 503),
        ("InternalServerException", 500),
        ("SomethingNew", 502),
    ],
)
def test_throttling_and_5xx(code: str, status: int) -> None:
    result = image(client_error(code, "Too many requests, please wait.", status))
    assert isinstance(result, ServiceError)
    assert str(result).startswith("Bedrock kept throttling")


@pytest.mark.parametrize(
    "code", ["UnrecognizedClientException", "ExpiredTokenException", "InvalidSignatureException"]
)
def test_rejected_credentials(code: str) -> None:
    result = image(
        client_error(code, "The security token included in the request is invalid.", 403)
    )
    assert isinstance(result, ServiceError)
    assert "credentials" in str(result)


def test_unknown_client_error_keeps_code_and_message() -> None:
    result = chat(client_error("ConflictException", "odd", 409, "Converse"))
    assert isinstance(result, ServiceError)
    assert "ConflictException" in str(result) and "odd" in str(result)


# -- network and credentials -------------------------------------------------------------

URL = "https://bedrock-runtime.eu-west-1.amazonaws.com/model/x/invoke"


@pytest.mark.parametrize(
    "exc",
    [
        EndpointConnectionError(endpoint_url=URL),
        ConnectTimeoutError(endpoint_url=URL),
    ],
)
def test_network_errors(exc: Exception) -> None:
    result = image(exc)
    assert isinstance(result, ServiceError)
    assert "Could not reach Bedrock" in str(result)
    assert "internet connection" in result.hint


def test_an_image_read_timeout_is_one_failed_attempt() -> None:
    """The image may already be made and billed: not resent, counted as an attempt."""
    result = image(ReadTimeoutError(endpoint_url=URL))
    assert isinstance(result, AttemptFailedError)
    assert "sent no answer within the read timeout" in str(result)


def test_a_judge_read_timeout_says_the_call_was_given_up() -> None:
    result = chat(ReadTimeoutError(endpoint_url=URL))
    assert isinstance(result, ServiceError)
    assert "sent no answer to Converse" in str(result)
    assert "internet connection" in result.hint


def test_broken_answer_stream_is_named() -> None:
    result = image(ResponseStreamingError(error="Connection reset by peer"))
    assert isinstance(result, ServiceError)
    assert "connection broke" in str(result)


def test_huge_error_messages_are_cut() -> None:
    result = chat(client_error("ValidationException", "x" * 30_000_000, 400, "Converse"))
    assert len(str(result)) < 2_000
    assert "30,000,000 characters in all" in str(result)


@pytest.mark.parametrize(
    "exc",
    [
        SSOTokenLoadError(error_msg="Token for dev does not exist"),
        UnauthorizedSSOTokenError(),
        TokenRetrievalError(provider="sso", error_msg="expired"),
    ],
)
def test_sso_expiry_hints_at_sso_login(exc: Exception, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    result = translate(exc, model_id=TITAN, region=REGION, operation=IMAGE_OPERATION, profile="dev")
    assert isinstance(result, ServiceError)
    assert "aws sso login --profile dev" in result.hint


def test_sso_hint_falls_back_to_aws_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "work")
    result = image(UnauthorizedSSOTokenError())
    assert (
        "aws sso login --profile work" in result.hint if isinstance(result, ServiceError) else False
    )


@pytest.mark.parametrize(
    "exc", [NoCredentialsError(), PartialCredentialsError(provider="env", cred_var="secret")]
)
def test_missing_credentials(exc: Exception) -> None:
    result = image(exc)
    assert isinstance(result, ServiceError)
    assert "aws sso login --profile" in result.hint
    assert "AWS_ACCESS_KEY_ID" in result.hint


def test_profile_and_region_problems() -> None:
    missing = image(ProfileNotFound(profile="nope"))
    assert isinstance(missing, ServiceError) and "nope" in str(missing)
    no_region = image(NoRegionError())
    assert isinstance(no_region, ServiceError) and "region" in str(no_region)


def test_unexpected_exception_becomes_service_error() -> None:
    result = image(RuntimeError("boom"))
    assert isinstance(result, ServiceError)
    assert "RuntimeError" in str(result) and "boom" in str(result)


# -- redaction ---------------------------------------------------------------------------


def test_redact_key_ids() -> None:
    text = redact(f"key {KEY_ID} and ASIAY34FZKBOKMUTVV7A, not AKIA123")
    assert KEY_ID not in text and "ASIAY34FZKBOKMUTVV7A" not in text
    assert "AKIA123" in text


@pytest.mark.parametrize(
    "text",
    [
        f"aws_secret_access_key = {SECRET}",
        f'"SecretAccessKey": "{SECRET}"',
        f"secret={SECRET}",
        f"Secret key: {SECRET} was rejected",
    ],
)
def test_redact_secret_keys(text: str) -> None:
    assert SECRET not in redact(text)


def test_redact_does_not_eat_ordinary_long_strings() -> None:
    text = f"sha {SECRET} in a log line with no key word"
    assert redact(text) == text


def test_redact_sigv4_material() -> None:
    url = (
        "https://bucket.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Credential={KEY_ID}%2F20261126%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Security-Token=IQoJb3JpZ2luX2VjEJr%2F%2F%2F&X-Amz-Signature=abcdef0123456789"
    )
    header = (
        f"Authorization: AWS4-HMAC-SHA256 Credential={KEY_ID}/20261126/us-east-1/bedrock/"
        "aws4_request, SignedHeaders=host;x-amz-date, Signature=fe5f80f77d5fa3beca038a248ff027d0"
    )
    token = "X-Amz-Security-Token: FwoGZXIvYXdzEBYaDHhBTEXAMPLETOKEN"
    for text in (url, header, token):
        cleaned = redact(text)
        assert KEY_ID not in cleaned
        assert "abcdef0123456789" not in cleaned
        assert "fe5f80f77d5fa3beca038a248ff027d0" not in cleaned
        assert "IQoJb3JpZ2luX2VjEJr" not in cleaned
        assert "FwoGZXIvYXdzEBYaDHhBTEXAMPLETOKEN" not in cleaned
        assert "[REDACTED]" in cleaned


def test_translate_redacts_every_message() -> None:
    leaky = f"Credential={KEY_ID}/x, Signature=deadbeef, secret {SECRET}"
    for code in ("ValidationException", "AccessDeniedException", "ThrottlingException", "Odd"):
        for result in (image(client_error(code, leaky)), chat(client_error(code, leaky))):
            text = str(result)
            assert KEY_ID not in text and "deadbeef" not in text and SECRET not in text
    network = image(EndpointConnectionError(endpoint_url=f"https://x/?X-Amz-Credential={KEY_ID}"))
    assert KEY_ID not in str(network)


def test_hint_is_redacted_too() -> None:
    result = translate(
        client_error("AccessDeniedException", "denied", 403),
        model_id=f"model-{KEY_ID}",
        region=REGION,
        operation=IMAGE_OPERATION,
    )
    assert isinstance(result, ServiceError)
    assert KEY_ID not in result.hint and KEY_ID not in str(result)

"""An AWS error's explanation and hint keep their words and values apart (``Phrase``) for
the window's translation, while ``str()`` stays the English the logs, JSON and the
headless command have always had, secrets redacted in both."""

from __future__ import annotations

from botocore.exceptions import ClientError, NoCredentialsError

from imgloop_desktop.core.errors import ServiceError
from imgloop_desktop.core.i18n_marks import Phrase
from imgloop_desktop.providers.aws_errors import CONTEXT, IMAGE_OPERATION, translate

MODEL = "stability.sd3-5-large-v1:0"
REGION = "us-west-2"
KEY_ID = "AKIAIOSFODNN7EXAMPLE"


def service_error(code: str, message: str) -> ServiceError:
    body = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {}}
    exc = ClientError(body, IMAGE_OPERATION)  # type: ignore[arg-type]
    error = translate(exc, model_id=MODEL, region=REGION, operation=IMAGE_OPERATION)
    assert isinstance(error, ServiceError)
    return error


def test_access_denied_is_the_same_english_with_its_words_apart() -> None:
    error = service_error("AccessDeniedException", "no access")
    assert str(error) == (
        f"Access denied to {MODEL} in {REGION}: no access Check the IAM policy allows "
        f"bedrock:InvokeModel on {MODEL} in {REGION} (and that no service control policy "
        "denies it)."
    )
    assert error.args == (f"Access denied to {MODEL} in {REGION}: no access",)
    assert isinstance(error.explanation, Phrase) and isinstance(error.advice, Phrase)
    assert error.explanation.context == CONTEXT
    assert error.explanation.template == "Access denied to {model_id} in {region}: {message}"
    assert error.explanation.values == {"model_id": MODEL, "region": REGION, "message": "no access"}
    assert str(error.advice) == error.hint


def test_the_values_are_redacted_so_the_shown_words_are_safe_too() -> None:
    error = service_error("AccessDeniedException", f"key {KEY_ID} Signature=abcdef")
    assert isinstance(error.explanation, Phrase)
    said = str(error.explanation.values["message"])
    assert KEY_ID not in said and "abcdef" not in said
    assert KEY_ID not in str(error)


def test_a_credentials_hint_names_the_profile_in_english_and_as_a_value() -> None:
    error = translate(
        NoCredentialsError(),
        model_id=MODEL,
        region=REGION,
        operation=IMAGE_OPERATION,
        profile="work",
    )
    assert isinstance(error, ServiceError)
    assert error.hint.startswith("Run 'aws sso login --profile work' for an SSO profile")
    assert isinstance(error.advice, Phrase) and error.advice.values == {"profile": "work"}


def test_a_plain_service_error_keeps_working_as_before() -> None:
    error = ServiceError("No backend is chosen.", hint="Pick one in the toolbar.")
    assert str(error) == "No backend is chosen. Pick one in the toolbar."
    assert error.explanation == "No backend is chosen." and error.advice == error.hint

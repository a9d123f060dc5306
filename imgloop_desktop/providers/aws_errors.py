"""Turn botocore's exceptions into the two failures the loop tells apart, in plain words.

A refused prompt costs one attempt; anything a retry will not fix (access, region, retired
model, credentials, network, throttling after boto3's own retries) ends the run with a hint
a person can act on. Every message passes through ``redact`` first: botocore messages and
URLs can carry access key ids, signatures and session tokens, and these messages end up in
logs, the window and S3 metadata.

The Bedrock wording matched below comes from real answers quoted in public bug reports:
"This model version has reached the end of its life" (ResourceNotFoundException),
"Invocation of model ID ... with on-demand throughput isn't supported" and "The provided
model identifier is invalid" (ValidationException), "Access denied. This Model is marked by
provider as Legacy ..." (AccessDeniedException, and ResourceNotFoundException in 2026
reports), and the content filter answers of Titan and Nova ("This request has been blocked by
our content filters"). Answers that end the run because no retry or revision fixes them:
"Operation not allowed" (an account Bedrock does not yet let run models), "Malformed input
request" (a body the model does not take), the AWS Marketplace subscription failure on first
use of a Marketplace model (Anthropic, Stability) and Anthropic's use-case form. The simulator
(``simulator/script.py``) holds each text with the public report it comes from.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectionError,
    CredentialRetrievalError,
    HTTPClientError,
    IncompleteReadError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    ResponseStreamingError,
    SSOError,
    TokenRetrievalError,
)

from imgloop_desktop.core.errors import AttemptFailedError, PromptRefusedError, ServiceError
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP, Phrase

IMAGE_OPERATION = "InvokeModel"
CHAT_OPERATION = "Converse"

CONTEXT = "AwsErrors"
"""The translation context of the explanations and hints below: each is a ``Phrase``
whose English (``str()``) is what logs, JSON and the headless command say, and which the
window shows in its own language."""

# What botocore's response parser raises on a body that does not fit the service model,
# found by feeding it malformed Converse and error bodies: AttributeError or TypeError for
# an array, string or null where an object belongs, ValueError for ``"lots"`` or NaN where
# an integer belongs (and for undecodable UTF-8), OverflowError for 1e400 there,
# RecursionError for 50,000-deep nesting, and its own ResponseParserError (not a
# BotoCoreError) for a union such as ``"output": {}`` with no member set (found by
# tests/providers/test_response_fuzz.py). They escape from the client call itself, outside
# botocore's own error handling, so callers catch these around the call and its body read.
# botocore.parsers costs about 80 ms to import, paid at every start for one exception
# class: the tuple is built when first read (the first Bedrock answer), not at import.
_UNREADABLE_BUILTINS: tuple[type[Exception], ...] = (
    ValueError,
    TypeError,
    AttributeError,
    LookupError,
    OverflowError,
    RecursionError,
)
if TYPE_CHECKING:
    UNREADABLE_ANSWER_ERRORS: tuple[type[Exception], ...]


def __getattr__(name: str) -> object:
    if name == "UNREADABLE_ANSWER_ERRORS":
        from botocore.parsers import ResponseParserError

        value = (ResponseParserError, *_UNREADABLE_BUILTINS)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# A message from Bedrock (or anything posing as it) longer than this is cut: it ends up in
# the window, logs and history, and a real one is a sentence or two.
MAX_MESSAGE_CHARS = 1_000

_REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Query-string and header forms of SigV4 material.
    (re.compile(r"(X-Amz-Security-Token\s*[=:]\s*)[^&\s,;\"']+", re.I), r"\1[REDACTED]"),
    (re.compile(r"(Signature\s*=\s*)[^&\s,;\"']+", re.I), r"\1[REDACTED]"),
    (re.compile(r"(Credential\s*=\s*)[^&\s,;\"']+", re.I), r"\1[REDACTED]"),
    # A 40-character secret access key shortly after the word "secret".
    (
        re.compile(r"(secret[\w\-\"' ]{0,30}?[\s:=\"']+)[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])", re.I),
        r"\1[REDACTED]",
    ),
    # Long-term (AKIA) and temporary (ASIA) access key ids.
    (re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])"), "[REDACTED-KEY-ID]"),
)

_SURROGATE = re.compile("[\ud800-\udfff]")

_FILTER_WORDS = (
    "content filter",
    "blocked",
    "filtered",
    "responsible ai",
    "acceptable use",
    "not allowed by our",
    "harmful",
    "violat",
)
_END_OF_LIFE_WORDS = ("end of its life", "end of life", "end-of-life")
_LIFECYCLE_CODES = frozenset({"AccessDeniedException", "ResourceNotFoundException"})
_MARKETPLACE_WORDS = ("aws-marketplace", "marketplace subscription")
_USE_CASE_WORDS = ("use case details", "use-case form", "use case form")
CREDENTIAL_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "ExpiredTokenException",
        "ExpiredToken",
        "InvalidClientTokenId",
        "InvalidAccessKeyId",
        "RequestExpired",
    }
)
_BUSY_CODES = frozenset(
    {
        "ThrottlingException",
        "TooManyRequestsException",
        "ServiceUnavailableException",
        "ServiceUnavailable",
        "InternalServerException",
        "ModelNotReadyException",
        "ModelTimeoutException",
        "ModelErrorException",
        "ServiceQuotaExceededException",
    }
)


def redact(text: str) -> str:
    """``text`` without AWS key ids, secret keys, SigV4 signatures/credentials or tokens."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


def printable(text: str) -> str:
    """``text`` with lone UTF-16 surrogates (which JSON escapes can carry) replaced by
    U+FFFD, so it can always be printed, logged and stored."""
    return _SURROGATE.sub("\ufffd", text)


def clip(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` made printable and cut to ``limit`` characters with a note of its length."""
    text = printable(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... [{len(text):,} characters in all]"


def unreadable_answer(
    exc: BaseException, *, model_id: str, region: str, operation: str
) -> ServiceError:
    """The error for an answer the AWS SDK (or our JSON reader) could not read at all."""
    return _service(
        _say(
            QT_TRANSLATE_NOOP(
                "AwsErrors",
                "{model_id} in {region} answered {operation} with something that could not "
                "be read ({kind}: {detail}).",
            ),
            model_id=model_id,
            region=region,
            operation=operation,
            kind=type(exc).__name__,
            detail=clip(str(exc), 200),
        ),
        model_id=model_id,
        region=region,
        hint=_say(
            QT_TRANSLATE_NOOP(
                "AwsErrors",
                "Bedrock does not answer like this; if it repeats, check any proxy or VPC "
                "endpoint between this computer and AWS, or try another region.",
            )
        ),
    )


def translate(
    exc: Exception,
    *,
    model_id: str,
    region: str,
    operation: str,
    profile: str | None = None,
) -> PromptRefusedError | AttemptFailedError | ServiceError:
    """The error to raise instead of ``exc`` (raise it ``from exc``).

    ``operation`` is the Bedrock API call ("InvokeModel" for image generation, "Converse"
    for the judge and reviser). A request Bedrock rejects as invalid or filtered during image
    generation is almost always about the prompt, so it costs one attempt rather than the
    run (PromptRefusedError). A ModelTimeoutException during image generation costs one
    attempt too, but says nothing about the prompt (AttemptFailedError). The judge and
    reviser may only raise ServiceError, so the same answers to "Converse" end the run
    instead.
    ``profile`` only makes the SSO hint exact; AWS_PROFILE is used when it is not given.
    """
    if isinstance(exc, ClientError):
        return _client_error(exc, model_id=model_id, region=region, operation=operation)
    return _other_error(exc, model_id=model_id, region=region, operation=operation, profile=profile)


def redacted(words: Phrase) -> Phrase:
    """``words`` with each text value redacted: templates are ours and hold no secrets, the
    values (botocore's words, AWS's message, a profile name) may."""
    safe = {k: redact(v) if isinstance(v, str) else v for k, v in words.values.items()}
    return Phrase(words.context, words.template, safe)


def _say(template: str, **values: object) -> Phrase:
    """``template`` (marked ``QT_TRANSLATE_NOOP("AwsErrors", ...)`` where it is written)
    with its values, redacted."""
    return redacted(Phrase(CONTEXT, template, values))


def _service(
    message: Phrase, *, model_id: str, region: str, hint: Phrase | None = None
) -> ServiceError:
    return ServiceError(message, model_id=model_id, region=region, hint=hint or "")


def _client_error(
    exc: ClientError, *, model_id: str, region: str, operation: str
) -> PromptRefusedError | AttemptFailedError | ServiceError:
    error = exc.response.get("Error", {})
    code = clip(str(error.get("Code", "") or ""), 100)
    message = clip(str(error.get("Message", "") or "") or str(exc))
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    lowered = message.lower()
    said = {"model_id": model_id, "region": region, "message": message}

    if any(word in lowered for word in _END_OF_LIFE_WORDS) or (
        code in _LIFECYCLE_CODES and "legacy" in lowered
    ):
        return _end_of_life(message, model_id=model_id, region=region)

    if any(word in lowered for word in _MARKETPLACE_WORDS):
        return _service(
            _say(
                QT_TRANSLATE_NOOP(
                    "AwsErrors",
                    "{model_id} could not be subscribed to through AWS Marketplace for this "
                    "account in {region}, which its first use needs: {message}",
                ),
                **said,
            ),
            model_id=model_id,
            region=region,
            hint=_say(
                QT_TRANSLATE_NOOP(
                    "AwsErrors",
                    "Let these credentials run the IAM actions aws-marketplace:Subscribe and "
                    "aws-marketplace:ViewSubscriptions (needed once per account and model), "
                    "check the AWS account has a valid payment method, then wait a few "
                    "minutes and run again.",
                )
            ),
        )

    if any(word in lowered for word in _USE_CASE_WORDS):
        return _service(
            _say(
                QT_TRANSLATE_NOOP(
                    "AwsErrors",
                    "Anthropic's use-case form has not been submitted for this AWS account, "
                    "so {model_id} cannot be used in {region} yet: {message}",
                ),
                **said,
            ),
            model_id=model_id,
            region=region,
            hint=_say(
                QT_TRANSLATE_NOOP(
                    "AwsErrors",
                    "Submit Anthropic's one-time use-case details: open the Bedrock console, "
                    "choose an Anthropic model in the Model catalog and fill in the form it "
                    "shows (once per account or organisation), then wait about 15 minutes "
                    "and run again.",
                )
            ),
        )

    if code == "ModelTimeoutException":
        # One image call, or one judgement, lost: the loop counts it and goes on.
        timed_out = (
            QT_TRANSLATE_NOOP(
                "AwsErrors", "{model_id} in {region} timed out making the image ({code}): {message}"
            )
            if operation == IMAGE_OPERATION
            else QT_TRANSLATE_NOOP(
                "AwsErrors", "{model_id} in {region} timed out answering ({code}): {message}"
            )
        )
        return AttemptFailedError(
            _say(timed_out, model_id=model_id, region=region, code=code, message=message)
        )

    if code == "ValidationException":
        if "operation not allowed" in lowered:
            return _service(
                _say(
                    QT_TRANSLATE_NOOP(
                        "AwsErrors",
                        "Bedrock does not allow this AWS account to call {operation} on "
                        "{model_id} in {region}: {message}",
                    ),
                    operation=operation,
                    **said,
                ),
                model_id=model_id,
                region=region,
                hint=_say(
                    QT_TRANSLATE_NOOP(
                        "AwsErrors",
                        "This is an account-level block, not the prompt or IAM: new accounts "
                        "and accounts without a valid payment method get it. Check the "
                        "account's billing and payment method; if it stays, open an AWS "
                        "Support case about Bedrock access in {region}.",
                    ),
                    region=region,
                ),
            )
        if "malformed input request" in lowered:
            return _service(
                _say(
                    QT_TRANSLATE_NOOP(
                        "AwsErrors",
                        "{model_id} in {region} does not take the request imgloop sent: {message}",
                    ),
                    **said,
                ),
                model_id=model_id,
                region=region,
                hint=_say(
                    QT_TRANSLATE_NOOP(
                        "AwsErrors",
                        "The request's fields do not match what this model accepts (a model "
                        "change or an imgloop bug, not the prompt); pick another model and "
                        "report this message.",
                    )
                ),
            )
        if "on-demand throughput" in lowered or "inference profile" in lowered:
            return _service(
                _say(
                    QT_TRANSLATE_NOOP(
                        "AwsErrors",
                        "Bedrock will not run {model_id} in {region} on demand: {message}",
                    ),
                    **said,
                ),
                model_id=model_id,
                region=region,
                hint=_say(
                    QT_TRANSLATE_NOOP(
                        "AwsErrors",
                        "Use a cross-region inference profile id instead, for example "
                        "'us.{model_id}' or 'global.{model_id}', as listed under Cross-region "
                        "inference in the Bedrock console for {region}.",
                    ),
                    model_id=model_id,
                    region=region,
                ),
            )
        if "model identifier is invalid" in lowered:
            return _unknown_model(message, model_id=model_id, region=region)
        filtered = any(word in lowered for word in _FILTER_WORDS)
        if operation == IMAGE_OPERATION:
            declined = (
                QT_TRANSLATE_NOOP("AwsErrors", "{model_id} refused the request: {message}")
                if filtered
                else QT_TRANSLATE_NOOP("AwsErrors", "{model_id} rejected the request: {message}")
            )
            return PromptRefusedError(_say(declined, model_id=model_id, message=message))
        if filtered:
            # The judge/reviser protocol only raises ServiceError: a filtered judging call
            # cannot be retried with another image, so it ends the run with the reason.
            return _service(
                _say(
                    QT_TRANSLATE_NOOP(
                        "AwsErrors", "{model_id} refused the {operation} request: {message}"
                    ),
                    operation=operation,
                    **said,
                ),
                model_id=model_id,
                region=region,
                hint=_say(
                    QT_TRANSLATE_NOOP(
                        "AwsErrors",
                        "The text model's content filter blocked the prompt or image; "
                        "rephrase the prompt or pick another judge model.",
                    )
                ),
            )
        return _service(
            _say(
                QT_TRANSLATE_NOOP(
                    "AwsErrors",
                    "Bedrock rejected the {operation} request to {model_id} in {region}: {message}",
                ),
                operation=operation,
                **said,
            ),
            model_id=model_id,
            region=region,
            hint=_say(
                QT_TRANSLATE_NOOP(
                    "AwsErrors",
                    "Check the model's settings (tokens, temperature, top_p, top_k) against "
                    "what this model accepts.",
                )
            ),
        )

    if code == "AccessDeniedException":
        return _service(
            _say(
                QT_TRANSLATE_NOOP(
                    "AwsErrors", "Access denied to {model_id} in {region}: {message}"
                ),
                **said,
            ),
            model_id=model_id,
            region=region,
            hint=_say(
                QT_TRANSLATE_NOOP(
                    "AwsErrors",
                    "Check the IAM policy allows bedrock:InvokeModel on {model_id} in "
                    "{region} (and that no service control policy denies it).",
                ),
                model_id=model_id,
                region=region,
            ),
        )

    if code == "ResourceNotFoundException":
        return _unknown_model(message, model_id=model_id, region=region)

    if code in CREDENTIAL_CODES:
        return _service(
            _say(
                QT_TRANSLATE_NOOP(
                    "AwsErrors", "AWS did not accept the credentials ({code}): {message}"
                ),
                code=code,
                message=message,
            ),
            model_id=model_id,
            region=region,
            hint=_say(
                QT_TRANSLATE_NOOP(
                    "AwsErrors",
                    "Refresh or replace the credentials: run 'aws sso login' for SSO "
                    "profiles, or update the access keys, and check the computer's clock is "
                    "right.",
                )
            ),
        )

    if code in _BUSY_CODES or (isinstance(status, int) and status >= 500) or status == 429:
        return _service(
            _say(
                QT_TRANSLATE_NOOP(
                    "AwsErrors",
                    "Bedrock kept throttling or failing requests to {model_id} in {region} "
                    "after retries ({code}): {message}",
                ),
                code=code or status,
                **said,
            ),
            model_id=model_id,
            region=region,
            hint=_say(
                QT_TRANSLATE_NOOP(
                    "AwsErrors",
                    "Wait a few minutes and run again, lower the number of images per call, "
                    "or ask for a higher quota for {model_id} in Service Quotas for {region}.",
                ),
                model_id=model_id,
                region=region,
            ),
        )

    return _service(
        _say(
            QT_TRANSLATE_NOOP(
                "AwsErrors",
                "Bedrock {operation} failed for {model_id} in {region} ({code}): {message}",
            ),
            operation=operation,
            code=code or status,
            **said,
        ),
        model_id=model_id,
        region=region,
    )


def _end_of_life(message: str, *, model_id: str, region: str) -> ServiceError:
    # Imported here: the catalog imports the family modules, which need none of this.
    from imgloop_desktop.providers.catalog import current_replacement

    replacement = current_replacement(model_id)
    hint = (
        _say(
            QT_TRANSLATE_NOOP("AwsErrors", "Switch to {replacement}, which Bedrock still offers."),
            replacement=replacement,
        )
        if replacement
        else _say(
            QT_TRANSLATE_NOOP(
                "AwsErrors", "Pick an Active model from the Bedrock console's model catalog."
            )
        )
    )
    return _service(
        _say(
            QT_TRANSLATE_NOOP(
                "AwsErrors",
                "{model_id} has reached its end of life on Bedrock in {region} (or is Legacy "
                "and no longer open to this account): {message}",
            ),
            model_id=model_id,
            region=region,
            message=message,
        ),
        model_id=model_id,
        region=region,
        hint=hint,
    )


def _unknown_model(message: str, *, model_id: str, region: str) -> ServiceError:
    return _service(
        _say(
            QT_TRANSLATE_NOOP(
                "AwsErrors", "Bedrock does not know model {model_id} in {region}: {message}"
            ),
            model_id=model_id,
            region=region,
            message=message,
        ),
        model_id=model_id,
        region=region,
        hint=_say(
            QT_TRANSLATE_NOOP(
                "AwsErrors",
                "Check the model id for typos and that the model is offered in {region} "
                "(some models need a region prefix such as 'us.' or another region).",
            ),
            region=region,
        ),
    )


def _other_error(
    exc: Exception, *, model_id: str, region: str, operation: str, profile: str | None
) -> AttemptFailedError | ServiceError:
    detail = clip(str(exc))
    profile_name = profile or os.environ.get("AWS_PROFILE") or "<your-profile>"
    said = {"model_id": model_id, "region": region, "operation": operation, "detail": detail}
    if isinstance(exc, ReadTimeoutError | ConnectionClosedError) and operation == IMAGE_OPERATION:
        # The request reached Bedrock, which may have made (and billed) the image: the SDK
        # does not send it again (session.install_call_policy); the loop counts it as one
        # failed attempt and goes on, as for the service's own ModelTimeoutException.
        given_up = QT_TRANSLATE_NOOP(
            "AwsErrors",
            "{model_id} in {region} sent no answer within the read timeout (or the connection "
            "closed first), so this attempt was given up: {detail}",
        )
        return AttemptFailedError(_say(given_up, model_id=model_id, region=region, detail=detail))
    network = _say(
        QT_TRANSLATE_NOOP(
            "AwsErrors", "Check the internet connection, VPN or proxy, and try again."
        )
    )
    if isinstance(exc, ReadTimeoutError):
        return _service(
            _say(
                QT_TRANSLATE_NOOP(
                    "AwsErrors",
                    "{model_id} in {region} sent no answer to {operation} within the read "
                    "timeout, so the call was given up: {detail}",
                ),
                **said,
            ),
            model_id=model_id,
            region=region,
            hint=_say(
                QT_TRANSLATE_NOOP(
                    "AwsErrors",
                    "Bedrock or the path to it (internet connection, VPN, proxy) is stuck or "
                    "overloaded; try again in a few minutes or pick another region.",
                )
            ),
        )
    if isinstance(exc, ConnectionClosedError):
        # The request went out; unlike a refused connection, Bedrock may have run it.
        return _service(
            _say(
                QT_TRANSLATE_NOOP(
                    "AwsErrors",
                    "The connection to Bedrock in {region} closed before {model_id} answered "
                    "{operation}: {detail}",
                ),
                **said,
            ),
            model_id=model_id,
            region=region,
            hint=network,
        )
    if isinstance(exc, ResponseStreamingError | IncompleteReadError):
        return _service(
            _say(
                QT_TRANSLATE_NOOP(
                    "AwsErrors",
                    "The connection broke while {model_id}'s answer to {operation} was "
                    "arriving from {region}: {detail}",
                ),
                **said,
            ),
            model_id=model_id,
            region=region,
            hint=network,
        )
    if isinstance(exc, (ConnectionError, HTTPClientError)):
        return _service(
            _say(
                QT_TRANSLATE_NOOP("AwsErrors", "Could not reach Bedrock in {region}: {detail}"),
                region=region,
                detail=detail,
            ),
            model_id=model_id,
            region=region,
            hint=_say(
                QT_TRANSLATE_NOOP(
                    "AwsErrors",
                    "Check the internet connection, VPN or proxy (HTTPS_PROXY) and that "
                    "{region} is the region you meant.",
                ),
                region=region,
            ),
        )
    if isinstance(exc, (SSOError, TokenRetrievalError)):
        return _service(
            _say(
                QT_TRANSLATE_NOOP("AwsErrors", "The AWS SSO session could not be used: {detail}"),
                detail=detail,
            ),
            model_id=model_id,
            region=region,
            hint=_say(
                QT_TRANSLATE_NOOP(
                    "AwsErrors", "Run 'aws sso login --profile {profile}' and try again."
                ),
                profile=profile_name,
            ),
        )
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError, CredentialRetrievalError)):
        return _service(
            _say(
                QT_TRANSLATE_NOOP("AwsErrors", "No usable AWS credentials were found: {detail}"),
                detail=detail,
            ),
            model_id=model_id,
            region=region,
            hint=_say(
                QT_TRANSLATE_NOOP(
                    "AwsErrors",
                    "Run 'aws sso login --profile {profile}' for an SSO profile, or add "
                    "access keys with 'aws configure' or the AWS_ACCESS_KEY_ID and "
                    "AWS_SECRET_ACCESS_KEY environment variables.",
                ),
                profile=profile_name,
            ),
        )
    if isinstance(exc, ProfileNotFound):
        return _service(
            _say(QT_TRANSLATE_NOOP("AwsErrors", "AWS profile not found: {detail}"), detail=detail),
            model_id=model_id,
            region=region,
            hint=_say(
                QT_TRANSLATE_NOOP(
                    "AwsErrors", "Check the profile name against 'aws configure list-profiles'."
                )
            ),
        )
    if isinstance(exc, NoRegionError):
        return _service(
            _say(QT_TRANSLATE_NOOP("AwsErrors", "No AWS region is set.")),
            model_id=model_id,
            region=region,
            hint=_say(
                QT_TRANSLATE_NOOP("AwsErrors", "Choose a region in the settings or set AWS_REGION.")
            ),
        )
    return _service(
        _say(
            QT_TRANSLATE_NOOP("AwsErrors", "Unexpected error calling Bedrock ({kind}): {detail}"),
            kind=type(exc).__name__,
            detail=detail,
        ),
        model_id=model_id,
        region=region,
    )

""" "Test connection": who AWS thinks we are, and whether the two chosen models will answer.

Each finding is one ``CheckResult`` in plain words (which account and region, which model
is not offered or not enabled, which permission is missing), so the dialog shows them as a
list and the window can run the same check before a run.

The models are looked up on the Bedrock control plane (``GetFoundationModel``,
``GetFoundationModelAvailability``, ``GetInferenceProfile``), which costs nothing and says
*why* a model cannot be used. Where that is not permitted or not reachable, a runtime call
that costs (almost) nothing stands in: for the image model an InvokeModel with an empty
body, which Bedrock refuses at body validation only after it has checked that the model
exists in the region and the caller may invoke it (so no image is made and nothing is
billed); for the judge a one-token Converse.

What is proven and what is not (issue 11): the empty-body probe's "Malformed input request"
proves the image model exists and may be invoked; any other refusal of it (a content
filter's answer included) proves nothing and is reported as not proven, never as "works".
The judge's probe carries the run's judge sampling settings (``judge_settings``; an unset
one, None, is not sent), so a model that rejects them fails here, naming the setting to
change, rather than in the run; with settings to try, the judge is probed even after the
control plane passed it. Every lifecycle the control plane shows is kept
(``providers.lifecycle``), so the model picker can show it with the day it was read.

The control plane is skipped when it would describe a different Bedrock than the runtime
calls reach: with ``AWS_ENDPOINT_URL_BEDROCK_RUNTIME`` pointing at a proxy or the local
simulator and no matching ``AWS_ENDPOINT_URL_BEDROCK``, the runtime is the truth.
All calls run on the calling thread, which must not be the GUI thread.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import urlsplit

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    CredentialRetrievalError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
    SSOError,
    TokenRetrievalError,
)

from imgloop_desktop import __version__
from imgloop_desktop.core.errors import (
    AttemptFailedError,
    PromptRefusedError,
    ServiceError,
    ValidationError,
)
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP, Phrase
from imgloop_desktop.core.models import Lifecycle
from imgloop_desktop.core.protocols import InferenceSettings
from imgloop_desktop.providers import aws_errors
from imgloop_desktop.providers import lifecycle as model_lifecycle
from imgloop_desktop.providers.bedrock import additional_fields, rejected_settings
from imgloop_desktop.providers.catalog import base_model_id, call_region, current_replacement
from imgloop_desktop.providers.session import FALLBACK_REGION, CredentialsSource

if TYPE_CHECKING:
    import boto3
    from botocore.config import Config
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient

CHECK = "ConnectionCheck"
"""The translation context of the check's names and findings: each finding is a
``Phrase`` too (``CheckResult.words``), so the window shows it in its language."""
IDENTITY = QT_TRANSLATE_NOOP("ConnectionCheck", "AWS identity")
IMAGE_MODEL = QT_TRANSLATE_NOOP("ConnectionCheck", "Image model")
JUDGE_MODEL = QT_TRANSLATE_NOOP("ConnectionCheck", "Judge model")
CREDENTIALS = QT_TRANSLATE_NOOP("ConnectionCheck", "Credentials")

_AWS_HOST_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws")
_CREDENTIAL_ERRORS = (
    NoCredentialsError,
    PartialCredentialsError,
    CredentialRetrievalError,
    SSOError,
    TokenRetrievalError,
)
_NOT_FOUND_CODES = frozenset({"ResourceNotFoundException", "ValidationException"})


@dataclass(frozen=True)
class CheckResult:
    """One finding: ``name`` is what was checked, ``detail`` says what was found and, when
    ``ok`` is False, what to do about it."""

    name: str
    ok: bool
    detail: str
    words: Phrase | str = field(default="", compare=False, repr=False)
    """``detail`` with its values apart, for the window to show in its language."""

    @property
    def said(self) -> Phrase | str:
        """What to show: ``words`` where there are any, else ``detail``."""
        return self.words or self.detail


class StsClient(Protocol):
    """The one STS call we make (boto3-stubs for STS are not a dependency)."""

    def get_caller_identity(self) -> Mapping[str, Any]: ...

    def close(self) -> None: ...


class BedrockControlClient(Protocol):
    """The Bedrock control-plane calls we make."""

    def get_foundation_model(self, *, modelIdentifier: str) -> Mapping[str, Any]: ...

    def get_foundation_model_availability(self, *, modelId: str) -> Mapping[str, Any]: ...

    def get_inference_profile(self, *, inferenceProfileIdentifier: str) -> Mapping[str, Any]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class CheckClients:
    sts: StsClient
    bedrock: BedrockControlClient
    bedrock_runtime: BedrockRuntimeClient
    region: str

    def close(self) -> None:
        """Close the connection pools now: a person may test many times, and an unclosed
        pool is a leaked socket until the garbage collector finds it."""
        self.sts.close()
        self.bedrock.close()
        self.bedrock_runtime.close()


def check_config() -> Config:
    """Few retries and short timeouts: a person is waiting for the answer."""
    from botocore.config import Config  # here: the accounts dialog imports this module

    return Config(
        retries={"mode": "standard", "max_attempts": 2},
        connect_timeout=5,
        read_timeout=30,
        user_agent_extra=f"imgloop-desktop/{__version__} connection-check",
    )


def check_connection(
    source: CredentialsSource,
    region: str | None,
    image_model_id: str,
    judge_model_id: str,
    *,
    judge_settings: InferenceSettings | None = None,
    control_plane: bool | None = None,
) -> list[CheckResult]:
    """Check ``source`` against AWS in ``region`` (else the source's, else us-east-1).

    Never raises for anything AWS or the keyring answers: every failure is a result.
    ``judge_settings`` are the run's judge sampling settings, sent with the judge's probe
    (None: none sent). ``control_plane`` forces (True) or forbids (False) the Bedrock
    control plane; None decides from the endpoints in use (see the module docstring).
    """
    profile = getattr(source, "profile", None)
    made: dict[str, CheckClients] = {}
    try:
        session = source.session()
        resolved = region or session.region_name or FALLBACK_REGION
        clients = made[resolved] = make_check_clients(session, resolved)
        # Each model is checked where a run would call it (a Stability model in us-west-2
        # for a person in us-east-1); a region the person set is held to, as a run does.
        model_clients: dict[str, CheckClients | str] = {}
        for name, field, model_id in (
            (IMAGE_MODEL, "image_model_id", image_model_id),
            (JUDGE_MODEL, "judge_model_id", judge_model_id),
        ):
            try:
                where = call_region(field, model_id, resolved, pinned=bool(region))
            except ValidationError as exc:
                model_clients[name] = "; ".join(p.allowed for p in exc.problems)
                continue
            if where not in made:
                made[where] = make_check_clients(session, where)
            model_clients[name] = made[where]
    except ServiceError as exc:
        _close(made)
        return [CheckResult(CREDENTIALS, False, aws_errors.redact(str(exc)), _error_words(exc))]
    except BotoCoreError as exc:
        _close(made)
        error = aws_errors.translate(
            exc, model_id="", region=region or "", operation="CreateClient", profile=profile
        )
        return [CheckResult(CREDENTIALS, False, str(error), _error_words(error))]
    try:
        return run_checks(
            clients,
            source.describe(),
            image_model_id,
            judge_model_id,
            judge_settings=judge_settings,
            control_plane=control_plane,
            profile=profile,
            model_clients=model_clients,
        )
    finally:
        _close(made)


def _close(made: Mapping[str, CheckClients]) -> None:
    for clients in made.values():
        clients.close()


def make_check_clients(session: boto3.Session, region: str) -> CheckClients:
    """No ``endpoint_url`` is passed, so AWS_ENDPOINT_URL_STS / _BEDROCK / _BEDROCK_RUNTIME
    (VPC endpoints, proxies, moto, the simulator) are honoured."""
    config = check_config()
    return CheckClients(
        sts=cast(StsClient, session.client("sts", region_name=region, config=config)),
        bedrock=cast(
            BedrockControlClient, session.client("bedrock", region_name=region, config=config)
        ),
        bedrock_runtime=session.client("bedrock-runtime", region_name=region, config=config),
        region=region,
    )


def run_checks(
    clients: CheckClients,
    description: Phrase,
    image_model_id: str,
    judge_model_id: str,
    *,
    judge_settings: InferenceSettings | None = None,
    control_plane: bool | None = None,
    profile: str | None = None,
    lifecycle_cache: model_lifecycle.LifecycleCache | None = None,
    model_clients: Mapping[str, CheckClients | str] | None = None,
) -> list[CheckResult]:
    """The checks themselves, on clients made elsewhere (tests pass stubbed ones).

    ``model_clients`` gives, per model check (IMAGE_MODEL, JUDGE_MODEL), the clients of the
    region a run would call that model in, or why a run would refuse it before any call;
    ``clients`` serve the rest. Every lifecycle the control plane shows is kept in
    ``lifecycle_cache`` (the data folder's by default), so the model picker shows it."""
    identity, credentials_refused = _check_identity(clients, description, profile)
    results = [identity]
    models = ((IMAGE_MODEL, image_model_id), (JUDGE_MODEL, judge_model_id))
    if credentials_refused:
        reason = _words(
            QT_TRANSLATE_NOOP(
                "ConnectionCheck", "Not checked: AWS did not accept the credentials (see above)."
            )
        )
        results.extend(_result(name, False, reason) for name, _ in models)
        return results
    use_control = _control_plane_matches(clients) if control_plane is None else control_plane
    probe = _Probe(judge_settings, lifecycle_cache or model_lifecycle.LifecycleCache(), profile)
    for name, model_id in models:
        target = (model_clients or {}).get(name, clients)
        if isinstance(target, str):
            refused = QT_TRANSLATE_NOOP(
                "ConnectionCheck", "{model_id}: a run would refuse it: {why}"
            )
            results.append(_result(name, False, _words(refused, model_id=model_id, why=target)))
            continue
        results.append(_check_model(target, name, model_id.strip(), use_control, probe))
    return results


@dataclass(frozen=True)
class _Probe:
    """What the model checks carry besides the clients."""

    judge_settings: InferenceSettings | None
    cache: model_lifecycle.LifecycleCache
    profile: str | None


# -- identity -------------------------------------------------------------------------------


def _check_identity(
    clients: CheckClients, description: Phrase, profile: str | None
) -> tuple[CheckResult, bool]:
    """The result, and whether the credentials themselves were refused (then checking
    models would only repeat the same failure)."""
    region = clients.region
    try:
        identity = clients.sts.get_caller_identity()
    except ClientError as exc:
        code = _code(exc)
        error = aws_errors.translate(
            exc, model_id="", region=region, operation="GetCallerIdentity", profile=profile
        )
        failed = QT_TRANSLATE_NOOP("ConnectionCheck", "Signing in with {source} failed: {error}")
        said = _words(failed, source=description, error=_error_words(error))
        return _result(IDENTITY, False, said), code in aws_errors.CREDENTIAL_CODES
    except (ConnectionError, HTTPClientError) as exc:
        unreachable = QT_TRANSLATE_NOOP(
            "ConnectionCheck",
            "Could not reach AWS STS ({endpoint}) to confirm who {source} is: {error}. Check "
            "the internet connection, VPN or proxy (HTTPS_PROXY); the model checks below "
            "still try Bedrock itself.",
        )
        said = _words(
            unreachable,
            endpoint=aws_errors.redact(_endpoint(clients.sts)),
            source=aws_errors.redacted(description),
            error=aws_errors.redact(str(exc)),
        )
        return _result(IDENTITY, False, said, redacted=True), False
    except BotoCoreError as exc:
        error = aws_errors.translate(
            exc, model_id="", region=region, operation="GetCallerIdentity", profile=profile
        )
        refused = isinstance(exc, _CREDENTIAL_ERRORS)
        said = _words(
            QT_TRANSLATE_NOOP("ConnectionCheck", "{source}: {error}"),
            source=description,
            error=_error_words(error),
        )
        return _result(IDENTITY, False, said), refused
    signed_in = QT_TRANSLATE_NOOP(
        "ConnectionCheck",
        "Signed in to AWS account {account} as {arn}, using {source}, in {region}.",
    )
    said = _words(
        signed_in,
        account=aws_errors.redact(str(identity.get("Account", "?"))),
        arn=aws_errors.redact(str(identity.get("Arn", "?"))),
        source=aws_errors.redacted(description),
        region=aws_errors.redact(region),
    )
    return _result(IDENTITY, True, said, redacted=True), False


# -- models ---------------------------------------------------------------------------------


def _check_model(
    clients: CheckClients, name: str, model_id: str, use_control: bool, probe: _Probe
) -> CheckResult:
    """The control plane's answer where it is usable; the runtime probe otherwise. A judge
    with settings is probed on the runtime even after the control plane passed it: only a
    Converse call shows whether the model takes them."""
    if not model_id:
        return _result(
            name, False, _words(QT_TRANSLATE_NOOP("ConnectionCheck", "No model is chosen."))
        )
    note: Phrase | None = None
    if use_control:
        result, note = _control_plane(clients, name, model_id, probe.cache)
        if result is not None and (not result.ok or not _sends_settings(name, probe)):
            return result
        if result is not None:
            runtime = _runtime(clients, name, model_id, probe)
            return result if runtime.ok else runtime
    result = _runtime(clients, name, model_id, probe)
    if note is not None:
        noted = _words(
            QT_TRANSLATE_NOOP("ConnectionCheck", "{detail} ({note})"), detail=result.said, note=note
        )
        return CheckResult(result.name, result.ok, f"{result.detail} ({note})", noted)
    return result


def _sends_settings(name: str, probe: _Probe) -> bool:
    settings = probe.judge_settings
    return (
        name == JUDGE_MODEL
        and settings is not None
        and any(v is not None for v in (settings.temperature, settings.top_p, settings.top_k))
    )


def _control_plane(
    clients: CheckClients, name: str, model_id: str, cache: model_lifecycle.LifecycleCache
) -> tuple[CheckResult | None, Phrase | None]:
    """The control plane's answer, or None and why the runtime must answer instead.

    GetFoundationModel comes first, so the lifecycle it shows is kept even when the
    calls after it are refused."""
    region = clients.region
    base = base_model_id(model_id)
    is_profile = base != model_id and "foundation-model/" not in model_id
    try:
        details = clients.bedrock.get_foundation_model(modelIdentifier=base).get("modelDetails", {})
        model_lifecycle.record(region, model_id, details, cache=cache)
        if is_profile:
            clients.bedrock.get_inference_profile(inferenceProfileIdentifier=model_id)
        availability = clients.bedrock.get_foundation_model_availability(modelId=base)
    except ClientError as exc:
        code = _code(exc)
        operation = str(exc.operation_name or "GetFoundationModel")
        if code == "AccessDeniedException":
            return None, _words(
                QT_TRANSLATE_NOOP(
                    "ConnectionCheck",
                    "the Bedrock model list is not open to these credentials, so a runtime "
                    "call was used instead; allowing bedrock:{operation} gives a more precise "
                    "answer",
                ),
                operation=operation,
            )
        if code in _NOT_FOUND_CODES:
            if operation == "GetInferenceProfile":
                missing = QT_TRANSLATE_NOOP(
                    "ConnectionCheck",
                    "Bedrock in {region} does not offer the inference profile {model_id}.",
                )
            else:
                missing = QT_TRANSLATE_NOOP(
                    "ConnectionCheck", "Bedrock in {region} does not offer the model {model_id}."
                )
            return _fail(
                name,
                _words(missing, region=region, model_id=model_id),
                _words(
                    QT_TRANSLATE_NOOP(
                        "ConnectionCheck",
                        "Check the id for typos and choose a region where {base} is offered "
                        "(the Bedrock console lists models per region); some models need a "
                        "cross-region profile id such as 'us.' + the model id.",
                    ),
                    base=base,
                ),
            ), None
        if code in aws_errors.CREDENTIAL_CODES:
            error = aws_errors.translate(exc, model_id=model_id, region=region, operation="")
            return _fail(name, _error_words(error), ""), None
        return None, _words(
            QT_TRANSLATE_NOOP(
                "ConnectionCheck",
                "the Bedrock model list could not be read ({code}), so a runtime call was used",
            ),
            code=code,
        )
    except (ConnectionError, HTTPClientError):
        return None, _words(
            QT_TRANSLATE_NOOP(
                "ConnectionCheck",
                "the Bedrock model list could not be reached, so a runtime call was used",
            )
        )
    except BotoCoreError as exc:
        error = aws_errors.translate(exc, model_id=model_id, region=region, operation="")
        return _fail(name, _error_words(error), ""), None
    result = _judge_availability(name, model_id, base, is_profile, details, availability, region)
    return result, None


def _judge_availability(
    name: str,
    model_id: str,
    base: str,
    is_profile: bool,
    details: Mapping[str, Any],
    availability: Mapping[str, Any],
    region: str,
) -> CheckResult:
    said = {"model_id": model_id, "region": region}
    if availability.get("regionAvailability") == "NOT_AVAILABLE":
        return _fail(
            name,
            _words(
                QT_TRANSLATE_NOOP("ConnectionCheck", "{model_id} is not offered in {region}."),
                **said,
            ),
            _words(
                QT_TRANSLATE_NOOP(
                    "ConnectionCheck",
                    "Choose a region where it is offered, or a cross-region profile id.",
                )
            ),
        )
    if availability.get("authorizationStatus") == "NOT_AUTHORIZED":
        return _fail(
            name,
            _words(
                QT_TRANSLATE_NOOP(
                    "ConnectionCheck",
                    "These credentials are not allowed to use {model_id} in {region}.",
                ),
                **said,
            ),
            _words(
                QT_TRANSLATE_NOOP(
                    "ConnectionCheck",
                    "Ask for an IAM policy that allows bedrock:InvokeModel on it (and no "
                    "service control policy denying it).",
                )
            ),
        )
    if availability.get("entitlementAvailability") == "NOT_AVAILABLE":
        return _fail(
            name,
            _words(
                QT_TRANSLATE_NOOP(
                    "ConnectionCheck", "{model_id} is not enabled for this AWS account in {region}."
                ),
                **said,
            ),
            _words(
                QT_TRANSLATE_NOOP(
                    "ConnectionCheck",
                    "Bedrock opens a model to an account on its first call; for models sold "
                    "through AWS Marketplace (Anthropic, Stability) let these credentials run "
                    "aws-marketplace:Subscribe and aws-marketplace:ViewSubscriptions, and "
                    "check the account has a valid payment method.",
                )
            ),
        )
    agreement = availability.get("agreementAvailability") or {}
    status = agreement.get("status") if isinstance(agreement, Mapping) else None
    if status in ("NOT_AVAILABLE", "ERROR", "PENDING"):
        why = {
            "PENDING": QT_TRANSLATE_NOOP(
                "ConnectionCheck", "the model provider's agreement is still being processed"
            ),
            "NOT_AVAILABLE": QT_TRANSLATE_NOOP(
                "ConnectionCheck", "the model provider's agreement has not been accepted"
            ),
            "ERROR": QT_TRANSLATE_NOOP(
                "ConnectionCheck", "accepting the model provider's agreement failed"
            ),
        }[str(status)]
        extra = agreement.get("errorMessage") if isinstance(agreement, Mapping) else None
        if extra:
            not_yet = QT_TRANSLATE_NOOP(
                "ConnectionCheck", "{model_id} cannot be used yet in {region}: {why} ({extra})."
            )
        else:
            not_yet = QT_TRANSLATE_NOOP(
                "ConnectionCheck", "{model_id} cannot be used yet in {region}: {why}."
            )
        return _fail(
            name,
            _words(not_yet, **said, why=_words(why), extra=extra),
            _words(
                QT_TRANSLATE_NOOP(
                    "ConnectionCheck",
                    "Let these credentials run aws-marketplace:Subscribe and "
                    "aws-marketplace:ViewSubscriptions and check the account has a valid "
                    "payment method; for Anthropic models, submit the one-time use-case form "
                    "(choose the model in the Bedrock console's Model catalog for {region}).",
                ),
                region=region,
            ),
        )
    inference_types = details.get("inferenceTypesSupported") or []
    if not is_profile and inference_types and "ON_DEMAND" not in inference_types:
        return _fail(
            name,
            _words(
                QT_TRANSLATE_NOOP(
                    "ConnectionCheck", "{model_id} cannot be called on demand in {region}."
                ),
                **said,
            ),
            _words(
                QT_TRANSLATE_NOOP(
                    "ConnectionCheck",
                    "Use a cross-region inference profile id such as 'us.{base}' or "
                    "'global.{base}' (listed under Cross-region inference in the Bedrock "
                    "console).",
                ),
                base=base,
            ),
        )
    if name == JUDGE_MODEL and "IMAGE" not in (details.get("inputModalities") or ["IMAGE"]):
        return _fail(
            name,
            _words(
                QT_TRANSLATE_NOOP(
                    "ConnectionCheck", "{model_id} does not accept images, so it cannot judge them."
                ),
                model_id=model_id,
            ),
            _words(
                QT_TRANSLATE_NOOP(
                    "ConnectionCheck",
                    "Choose a vision model as judge, for example an Anthropic Claude or Amazon "
                    "Nova Lite/Pro model.",
                )
            ),
        )
    if name == IMAGE_MODEL and "IMAGE" not in (details.get("outputModalities") or ["IMAGE"]):
        return _fail(
            name,
            _words(
                QT_TRANSLATE_NOOP("ConnectionCheck", "{model_id} does not make images."),
                model_id=model_id,
            ),
            _words(
                QT_TRANSLATE_NOOP(
                    "ConnectionCheck",
                    "Choose an image model such as Amazon Nova Canvas or a Stability AI model.",
                )
            ),
        )
    lifecycle = model_lifecycle.from_details(model_id, details, today=model_lifecycle.today_utc())
    offered = _words(
        QT_TRANSLATE_NOOP("ConnectionCheck", "{model_id} is offered and enabled in {region}."),
        **said,
    )
    if lifecycle.status is Lifecycle.ACTIVE:
        return _result(name, True, offered)
    replacement = lifecycle.replacement or current_replacement(model_id)
    legacy = {
        (True, True): QT_TRANSLATE_NOOP(
            "ConnectionCheck",
            "{offered} It is marked Legacy and will be retired on {day}; consider {replacement}.",
        ),
        (True, False): QT_TRANSLATE_NOOP(
            "ConnectionCheck", "{offered} It is marked Legacy and will be retired on {day}."
        ),
        (False, True): QT_TRANSLATE_NOOP(
            "ConnectionCheck",
            "{offered} It is marked Legacy and will be retired; consider {replacement}.",
        ),
        (False, False): QT_TRANSLATE_NOOP(
            "ConnectionCheck", "{offered} It is marked Legacy and will be retired."
        ),
    }[bool(lifecycle.end_of_life), bool(replacement)]
    day, instead = lifecycle.end_of_life, replacement
    return _result(name, True, _words(legacy, offered=offered, day=day, replacement=instead))


def _runtime(clients: CheckClients, name: str, model_id: str, probe: _Probe) -> CheckResult:
    region = clients.region
    runtime = clients.bedrock_runtime
    settings = probe.judge_settings if name == JUDGE_MODEL else None
    try:
        if name == IMAGE_MODEL:
            # Deliberately an empty body: see the module docstring.
            runtime.invoke_model(
                modelId=model_id,
                body=json.dumps({}),
                contentType="application/json",
                accept="application/json",
            )
        else:
            runtime.converse(**_judge_probe(model_id, settings))
    except (ClientError, BotoCoreError) as exc:
        operation = aws_errors.IMAGE_OPERATION if name == IMAGE_MODEL else aws_errors.CHAT_OPERATION
        if settings is not None and isinstance(exc, ClientError):
            rejected = rejected_settings(exc)
            if rejected:
                return _settings_refused(model_id, region, exc, rejected)
        if name == IMAGE_MODEL and _is_malformed_input(exc):
            # Bedrock got as far as reading the body: the model is there and may be invoked.
            # (In a run, "Malformed input request" ends the run; here the empty body is ours.)
            return _answers(name, model_id, region)
        error = aws_errors.translate(
            exc, model_id=model_id, region=region, operation=operation, profile=probe.profile
        )
        if isinstance(error, PromptRefusedError):
            return _not_proven(name, model_id, region, str(error))
        return CheckResult(name, False, str(error), _error_words(error))
    return _answers(name, model_id, region)


def _answers(name: str, model_id: str, region: str) -> CheckResult:
    answers = QT_TRANSLATE_NOOP("ConnectionCheck", "{model_id} answers in {region}.")
    return _result(name, True, _words(answers, model_id=model_id, region=region))


def _judge_probe(model_id: str, settings: InferenceSettings | None) -> dict[str, Any]:
    """A one-token Converse carrying the run's judge settings as ``ConverseChat`` sends them
    (an unset setting, None, is left out; top_k goes in the model's own request fields)."""
    inference: dict[str, object] = {"maxTokens": 1}
    top_k = 0
    if settings is not None:
        if settings.temperature is not None:
            inference["temperature"] = settings.temperature
        if settings.top_p is not None:
            inference["topP"] = settings.top_p
        top_k = settings.top_k or 0
    request: dict[str, Any] = {
        "modelId": model_id,
        "messages": [{"role": "user", "content": [{"text": "Reply with the word OK."}]}],
        "inferenceConfig": inference,
    }
    extra = additional_fields(model_id, top_k)
    if extra:
        request["additionalModelRequestFields"] = extra
    return request


# The judge settings as the form names them (core/params.py, section "Judge settings").
_SETTING_LABELS = {
    "temperature": QT_TRANSLATE_NOOP("ConnectionCheck", "Temperature"),
    "top_p": QT_TRANSLATE_NOOP("ConnectionCheck", "Top p"),
    "top_k": QT_TRANSLATE_NOOP("ConnectionCheck", "Top k"),
}
_AND = QT_TRANSLATE_NOOP("ConnectionCheck", "{first} and {second}")


def _settings_refused(
    model_id: str, region: str, exc: ClientError, rejected: frozenset[str]
) -> CheckResult:
    said = aws_errors.clip(str(exc.response.get("Error", {}).get("Message", "") or ""), 300)
    lowered = said.lower()
    if "temperature" in lowered and "top_p" in lowered and "only one" in lowered:
        change = _words(
            QT_TRANSLATE_NOOP(
                "ConnectionCheck", "clear Top p or Temperature: this model takes only one of them"
            )
        )
    else:
        labels = [_words(_SETTING_LABELS.get(r, r)) for r in sorted(rejected)]
        names = labels[0]
        for label in labels[1:]:
            names = _words(_AND, first=names, second=label)
        if len(rejected) == 1:
            change = _words(
                QT_TRANSLATE_NOOP(
                    "ConnectionCheck", "clear {names}: this model no longer takes it"
                ),
                names=names,
            )
        else:
            change = _words(
                QT_TRANSLATE_NOOP(
                    "ConnectionCheck", "clear {names}: this model no longer takes them"
                ),
                names=names,
            )
    return _fail(
        JUDGE_MODEL,
        _words(
            QT_TRANSLATE_NOOP(
                "ConnectionCheck", "{model_id} in {region} rejected the judge settings: {said}"
            ),
            model_id=model_id,
            region=region,
            said=said,
        ),
        _words(
            QT_TRANSLATE_NOOP(
                "ConnectionCheck",
                "In the form's Judge settings, {change}; a run would otherwise leave the "
                "setting out after the first refusal.",
            ),
            change=change,
        ),
    )


def _not_proven(name: str, model_id: str, region: str, error: str) -> CheckResult:
    return _fail(
        name,
        _words(
            QT_TRANSLATE_NOOP(
                "ConnectionCheck",
                "Not proven: {model_id} in {region} refused the check's test request "
                "({error}), so whether it may be invoked is not known.",
            ),
            model_id=model_id,
            region=region,
            error=error,
        ),
        _words(
            QT_TRANSLATE_NOOP(
                "ConnectionCheck",
                "The check sends an empty request that makes no image; a refusal of it says "
                "nothing about access. Run a short generation, or allow "
                "bedrock:GetFoundationModel and bedrock:GetFoundationModelAvailability so the "
                "check can ask Bedrock directly.",
            )
        ),
    )


# -- helpers --------------------------------------------------------------------------------


def _words(template: str, **values: object) -> Phrase:
    """``template``, marked in the "ConnectionCheck" context where it is written, with its
    values."""
    return Phrase(CHECK, template, values)


def _result(name: str, ok: bool, words: Phrase, *, redacted: bool = False) -> CheckResult:
    """A finding whose English is ``words``' (redacted when ``redacted``: the values are
    then each redacted already, so the shown words are safe too)."""
    detail = str(words)
    return CheckResult(name, ok, aws_errors.redact(detail) if redacted else detail, words)


def _error_words(
    error: ServiceError | PromptRefusedError | AttemptFailedError,
) -> Phrase | str:
    """What an AWS error says (``str(error)``), with its parts apart where it has them."""
    if not str(error.explanation):
        return str(error)
    if not isinstance(error, ServiceError) or not error.advice:
        return error.explanation
    joined = QT_TRANSLATE_NOOP("ConnectionCheck", "{message} {hint}")
    return _words(joined, message=error.explanation, hint=error.advice)


def _fail(name: str, message: Phrase | str, hint: Phrase | str) -> CheckResult:
    detail = aws_errors.redact(f"{message} {hint}".strip())
    if not hint:
        return CheckResult(name, False, detail, message)
    joined = QT_TRANSLATE_NOOP("ConnectionCheck", "{message} {hint}")
    return CheckResult(name, False, detail, _words(joined, message=message, hint=hint))


def _is_malformed_input(exc: Exception) -> bool:
    if not isinstance(exc, ClientError) or _code(exc) != "ValidationException":
        return False
    message = str(exc.response.get("Error", {}).get("Message", "") or "")
    return "malformed input request" in message.lower()


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "") or "")


def _endpoint(client: object) -> str:
    meta = getattr(client, "meta", None)
    return str(getattr(meta, "endpoint_url", "") or "the STS endpoint")


def _is_aws(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host.endswith(_AWS_HOST_SUFFIXES)


def _control_plane_matches(clients: CheckClients) -> bool:
    """True when the control plane and the runtime are the same kind of place (both AWS, or
    both redirected), so the control plane's answer is about the Bedrock runs will call."""
    control = _endpoint(clients.bedrock)
    runtime = str(clients.bedrock_runtime.meta.endpoint_url)
    return _is_aws(control) == _is_aws(runtime)

"""The person's own Bedrock request quota for an image model, read from Service Quotas.

Bedrock's on-demand quotas are per model and per Region, and the values an account really
has differ from the published defaults (new accounts often get less; the Bedrock User
Guide's "Quotas for Amazon Bedrock" says to check Service Quotas for the values that
apply). So the honest source for the queue's "image calls per minute" is the account
itself: ``read_image_quota`` asks Service Quotas (service code ``bedrock``) in the Region
the model is called in, with the person's credentials.

Which quota: "On-demand InvokeModel requests per minute for ${model}", or "Cross-Region
InvokeModel requests per minute for ${model}" when the model is called through a
cross-region inference profile (the names the Bedrock User Guide documents). The model
part is matched on the words of the catalog's display name ("Stable Image Core"),
case-insensitively and ignoring the vendor's name ("Amazon", "Stability.ai"), because the
exact spelling AWS uses per model (a vendor prefix, a version suffix) is not documented;
the quota with the fewest words beyond the model's wins, so "Titan Image Generator G1"
does not take G1 v2's quota.

Which value: ListServiceQuotas gives the values applied to the account and leaves out
quotas that have none; for those, ListAWSDefaultServiceQuotas gives AWS's default. Both
are paged. The answer says which one it was.

Errors come back as ``ServiceError`` in plain words, with the IAM permission to add when
Service Quotas refuses (``servicequotas:ListServiceQuotas`` and
``servicequotas:ListAWSDefaultServiceQuotas``). boto3 is imported on first use, as in
``session``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectionError,
    HTTPClientError,
    ReadTimeoutError,
)

from imgloop_desktop.core.errors import ServiceError
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP, Phrase
from imgloop_desktop.providers import aws_errors, catalog, session

if TYPE_CHECKING:
    from imgloop_desktop.providers.session import CredentialsSource

CONTEXT = "Quotas"
"""The translation context of this module's messages (each a ``Phrase``)."""

SERVICE_CODE = "bedrock"
LIST_APPLIED = "ListServiceQuotas"
LIST_DEFAULTS = "ListAWSDefaultServiceQuotas"
ON_DEMAND_PREFIX = "On-demand InvokeModel requests per minute for "
CROSS_REGION_PREFIX = "Cross-Region InvokeModel requests per minute for "
GLOBAL_PREFIX = "Global cross-Region InvokeModel requests per minute for "
PAGE_SIZE = 100  # the largest MaxResults Service Quotas takes
# Bedrock lists several hundred quotas per Region (a few pages); more than this many pages
# means an endpoint that never stops handing out tokens.
MAX_PAGES = 50
READ_TIMEOUT_SECONDS = 20.0
MAX_ATTEMPTS = 3
# Words of a vendor, left out on both sides of the match: the catalog says "Amazon Nova
# Canvas", a quota may say "Nova Canvas", or "Stability.ai Stable Image Core".
_VENDOR_WORDS = frozenset({"amazon", "aws", "stability", "stability.ai", "stabilityai", "ai"})
_WORD = re.compile(r"[^\s(),]+")


@dataclass(frozen=True)
class ImageQuota:
    """One image model's requests-per-minute quota in one Region.

    ``applied`` is True for the value Service Quotas applies to this account, False for
    AWS's default (the account has no applied value for it)."""

    model_id: str
    model_name: str
    region: str
    requests_per_minute: float
    quota_name: str
    quota_code: str
    applied: bool


def quota_prefixes(model_id: str) -> tuple[str, ...]:
    """The quota names' beginnings that fit how ``model_id`` is called, best first."""
    geography = catalog.profile_geography(model_id)
    if geography == "global":
        return (GLOBAL_PREFIX, CROSS_REGION_PREFIX)
    if geography:
        return (CROSS_REGION_PREFIX,)
    return (ON_DEMAND_PREFIX,)


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in _VENDOR_WORDS)


def best_match(
    quotas: Iterable[Mapping[str, Any]], model_name: str, prefixes: tuple[str, ...]
) -> Mapping[str, Any] | None:
    """The quota among ``quotas`` (Service Quotas' ``Quotas`` entries) for ``model_name``:
    its name starts with one of ``prefixes`` (earlier ones preferred) and holds every word
    of the model's name; of several, the one with the fewest other words. None when none
    fits."""
    wanted = _words(model_name)
    best: tuple[int, int, Mapping[str, Any]] | None = None
    for quota in quotas:
        name = quota.get("QuotaName")
        if not isinstance(name, str) or not isinstance(quota.get("Value"), int | float):
            continue
        for rank, prefix in enumerate(prefixes):
            if not name.lower().startswith(prefix.lower()):
                continue
            words = _words(name[len(prefix) :])
            if wanted and wanted <= words:
                key = (rank, len(words - wanted))
                if best is None or key < best[:2]:
                    best = (*key, quota)
            break
    return best[2] if best else None


def read_image_quota(
    source: CredentialsSource,
    image_model_id: str,
    region: str | None,
    *,
    read_timeout: float = READ_TIMEOUT_SECONDS,
) -> ImageQuota:
    """The requests-per-minute quota of ``image_model_id`` for the account ``source``
    reaches, in the Region the model is called in (``catalog.call_region``: the person's
    ``region`` when they set one, else where the model is served).

    Raises ValidationError for a model id the catalog does not know or a region that does
    not serve it, and ServiceError when Service Quotas cannot be asked or lists no quota
    for the model. Makes network calls: never on the GUI thread.
    """
    spec = catalog.image_spec(image_model_id)
    profile = getattr(source, "profile", None)
    try:
        boto_session = session.credentialed_session(source)
        home = region or boto_session.region_name or session.FALLBACK_REGION
        call_region = catalog.call_region(
            "image_model_id", image_model_id, home, pinned=bool(region)
        )
        client = boto_session.client(
            "service-quotas",
            region_name=call_region,
            config=session.client_config(MAX_ATTEMPTS, read_timeout, retry_mode="standard"),
        )
    except BotoCoreError as exc:
        raise aws_errors.translate(
            exc,
            model_id=image_model_id,
            region=region or "",
            operation=LIST_APPLIED,
            profile=profile,
        ) from exc
    try:
        prefixes = quota_prefixes(image_model_id)
        applied = True
        found = best_match(
            _list(client, LIST_APPLIED, image_model_id, call_region, profile),
            spec.name,
            prefixes,
        )
        if found is None:
            applied = False
            found = best_match(
                _list(client, LIST_DEFAULTS, image_model_id, call_region, profile),
                spec.name,
                prefixes,
            )
    finally:
        client.close()
    if found is None:
        raise _no_quota(spec.name, image_model_id, call_region, prefixes[0])
    return ImageQuota(
        model_id=image_model_id,
        model_name=spec.name,
        region=call_region,
        requests_per_minute=float(found["Value"]),
        quota_name=str(found["QuotaName"]),
        quota_code=str(found.get("QuotaCode", "")),
        applied=applied,
    )


def _list(
    client: Any, operation: str, model_id: str, region: str, profile: str | None
) -> list[Mapping[str, Any]]:
    """Every page of ``operation`` for Bedrock, errors said in plain words."""
    call = (
        client.list_service_quotas
        if operation == LIST_APPLIED
        else client.list_aws_default_service_quotas
    )
    quotas: list[Mapping[str, Any]] = []
    token: str | None = None
    for _ in range(MAX_PAGES):
        kwargs: dict[str, Any] = {"ServiceCode": SERVICE_CODE, "MaxResults": PAGE_SIZE}
        if token:
            kwargs["NextToken"] = token
        try:
            page = call(**kwargs)
        except (ClientError, BotoCoreError) as exc:
            raise _translate(exc, operation, model_id, region, profile) from exc
        except aws_errors.UNREADABLE_ANSWER_ERRORS as exc:
            raise aws_errors.unreadable_answer(
                exc, model_id=model_id, region=region, operation=operation
            ) from exc
        quotas.extend(q for q in page.get("Quotas", []) if isinstance(q, Mapping))
        token = page.get("NextToken")
        if not token:
            return quotas
    return quotas


def _say(template: str, **values: object) -> Phrase:
    """``template`` (marked for the "Quotas" context) with its text values redacted."""
    safe = {k: aws_errors.redact(v) if isinstance(v, str) else v for k, v in values.items()}
    return Phrase(CONTEXT, template, safe)


def _translate(
    exc: Exception, operation: str, model_id: str, region: str, profile: str | None
) -> ServiceError:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = aws_errors.clip(str(error.get("Code", "") or ""), 100)
        message = aws_errors.clip(str(error.get("Message", "") or "") or str(exc))
        if code == "AccessDeniedException":
            return ServiceError(
                _say(
                    QT_TRANSLATE_NOOP(
                        "Quotas",
                        "Service Quotas in {region} did not let these credentials read "
                        "Bedrock's quotas ({operation}): {message}",
                    ),
                    region=region,
                    operation=operation,
                    message=message,
                ),
                model_id=model_id,
                region=region,
                hint=_say(
                    QT_TRANSLATE_NOOP(
                        "Quotas",
                        "Allow servicequotas:ListServiceQuotas and "
                        "servicequotas:ListAWSDefaultServiceQuotas in the IAM policy of "
                        "these credentials, or set the numbers by hand from the Service "
                        "Quotas console.",
                    )
                ),
            )
        if code in aws_errors.CREDENTIAL_CODES:
            return _as_service(
                aws_errors.translate(
                    exc, model_id=model_id, region=region, operation=operation, profile=profile
                )
            )
        return ServiceError(
            _say(
                QT_TRANSLATE_NOOP(
                    "Quotas", "Service Quotas in {region} refused {operation} ({code}): {message}"
                ),
                region=region,
                operation=operation,
                code=code,
                message=message,
            ),
            model_id=model_id,
            region=region,
            hint=_say(QT_TRANSLATE_NOOP("Quotas", "Try again in a minute.")),
        )
    if isinstance(
        exc, ConnectionError | HTTPClientError | ReadTimeoutError | ConnectionClosedError
    ):
        return ServiceError(
            _say(
                QT_TRANSLATE_NOOP("Quotas", "Could not reach Service Quotas in {region}: {detail}"),
                region=region,
                detail=aws_errors.clip(str(exc)),
            ),
            model_id=model_id,
            region=region,
            hint=_say(
                QT_TRANSLATE_NOOP(
                    "Quotas", "Check the internet connection, VPN or proxy, and try again."
                )
            ),
        )
    return _as_service(
        aws_errors.translate(
            exc, model_id=model_id, region=region, operation=operation, profile=profile
        )
    )


def _as_service(error: Exception) -> ServiceError:
    """``aws_errors.translate`` gives a ServiceError for everything but a refused image;
    a quota read never is one, but the type says so."""
    if isinstance(error, ServiceError):
        return error
    return ServiceError(str(error))


def _no_quota(model_name: str, model_id: str, region: str, prefix: str) -> ServiceError:
    return ServiceError(
        _say(
            QT_TRANSLATE_NOOP(
                "Quotas",
                "Service Quotas in {region} lists no quota named like '{quota}' for this "
                "account, so imgloop cannot tell {model}'s requests per minute.",
            ),
            region=region,
            quota=prefix + model_name,
            model=model_name,
        ),
        model_id=model_id,
        region=region,
        hint=_say(
            QT_TRANSLATE_NOOP(
                "Quotas",
                "Look the model up in the Service Quotas console (Amazon Bedrock, {region}) "
                "and type its requests per minute here; the queue keeps its limits until then.",
            ),
            region=region,
        ),
    )

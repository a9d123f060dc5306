"""Every model the app knows, and how to get from whatever id a person typed to its family.

People paste base ids, cross-region inference profile ids (``us.``, ``eu.``, ``apac.``,
``global.``, ...) and foundation-model ARNs; all of them must find the same limits, while the
exact text they gave is what goes to Bedrock.

Text model ids and lifecycles (checked November 2026): AWS's model lifecycle pages and
release notes as quoted publicly put Claude 3.5 Sonnet v1/v2 at end of life on March 1, 2026,
Claude 3.7 Sonnet on April 28, 2026 and Claude Sonnet 4 on October 14, 2026 (Legacy since
April 14, 2026). Claude Sonnet 4.6 (``anthropic.claude-sonnet-4-6``) and its ``us.``/
``global.`` profiles were reported Active with no end-of-life date in August 2026, so it is
the replacement offered. Claude 3 Haiku is listed among the retired ``anthropic.claude-*``
ids in public bug reports from August 2026; Haiku 4.5 replaces it. Nova Lite and Pro v1 are
Active (only Nova Premier, Sonic, Canvas and Reel v1 went Legacy in 2026). The Claude 4.x ids
need an inference profile for on-demand use, hence the ``us.`` ids.

Image models (checked November 2026): Bedrock's model cards for Stability AI
(docs.aws.amazon.com/bedrock/latest/userguide/model-card-stability-ai-*.html, "Model
lifecycle: Active") and its Regional availability page (models-region-compatibility.html)
list Stable Diffusion 3.5 Large (``stability.sd3-5-large-v1:0``), Stable Image Core and
Stable Image Ultra v1:1 as Active, on demand in us-west-2, with no cross-region inference
profiles; sebsto/swift-bedrock-library 1.12.0 (May 2026) reports the same three ids
"available in us-west-2". Titan Image Generator v1/v2 (end of life 2026-06-30), Nova Canvas
(Legacy, end of life 2026-09-30) and SDXL 1.0 (May 2025) are retired; their specs stay so
old events load and fail naming SD3.5 Large. The default is SD3.5 Large rather than the
cheaper Core: the loop pays per attempt until the judge approves, and the model that follows
the prompt best tends to need fewer.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Protocol

from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP, Phrase
from imgloop_desktop.core.models import ImageModelSpec, Lifecycle, TextModelSpec
from imgloop_desktop.core.protocols import GeneratedImage, GenerationRequest
from imgloop_desktop.providers import nova_canvas, stability, titan


class ImageFamily(Protocol):
    """What ``bedrock.py`` needs from a family module (titan, nova_canvas, stability)."""

    SPECS: tuple[ImageModelSpec, ...]

    def build_body(self, spec: ImageModelSpec, request: GenerationRequest) -> dict[str, object]: ...

    def parse_response(
        self, spec: ImageModelSpec, payload: Mapping[str, object]
    ) -> list[GeneratedImage]: ...


_FAMILY_MODULES: dict[str, ImageFamily] = {
    titan.FAMILY: titan,
    nova_canvas.FAMILY: nova_canvas,
    stability.FAMILY: stability,
    stability.SDXL_FAMILY: stability,
}

IMAGE_MODELS: tuple[ImageModelSpec, ...] = (
    *titan.SPECS,
    *nova_canvas.SPECS,
    *stability.SPECS,
)

# How long one call may go without a byte from Bedrock before the SDK gives up on it
# (botocore's per-request ``read_timeout``; ``session.install_call_policy`` applies them).
# No Bedrock page documents image-model latency; the only documented bound is the service's
# own ModelTimeoutException. These are generous margins over what the app asks for: up to
# five images of up to 4 megapixels per Titan/Nova Canvas call (premium multi-image calls
# take about a minute), one image of about 1 megapixel per Stability call. They stay below
# the loop's per-call deadlines (core/loop.py ``CallDeadlines``), which also bound a
# service that trickles bytes and so never trips a read timeout.
IMAGE_READ_TIMEOUT_SECONDS: Mapping[str, float] = {
    titan.FAMILY: 180.0,
    nova_canvas.FAMILY: 180.0,
    stability.FAMILY: 90.0,
    stability.SDXL_FAMILY: 90.0,
}
# Judge and reviser answers are a short JSON object; a Converse call that sends nothing for
# a minute is stuck. One resend after a timeout is allowed (see session.py), so a judge call
# is bounded by about twice this.
CHAT_READ_TIMEOUT_SECONDS = 60.0

SONNET_46 = "us.anthropic.claude-sonnet-4-6"
HAIKU_45 = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
_US = ("us-east-1", "us-east-2", "us-west-2")
# Geographies of the Claude 4.x system-defined inference profiles ("Supported Regions and
# models for inference profiles", docs.aws.amazon.com/bedrock/latest/userguide/
# inference-profiles-support.html; the model cards list them per model).
_CLAUDE_4_PROFILES = ("us", "eu", "apac", "global", "jp", "au")
_NOVA_PROFILES = ("us", "eu", "apac")

TEXT_MODELS: tuple[TextModelSpec, ...] = (
    TextModelSpec(
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "Claude 3.5 Sonnet",
        lifecycle=Lifecycle.END_OF_LIFE,
        replacement=SONNET_46,
    ),
    TextModelSpec(
        "anthropic.claude-3-5-sonnet-20241022-v2:0",
        "Claude 3.5 Sonnet v2",
        lifecycle=Lifecycle.END_OF_LIFE,
        replacement=SONNET_46,
    ),
    TextModelSpec(
        "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        "Claude 3.7 Sonnet",
        lifecycle=Lifecycle.END_OF_LIFE,
        replacement=SONNET_46,
        regions=_US,
    ),
    TextModelSpec(
        "us.anthropic.claude-sonnet-4-20250514-v1:0",
        "Claude Sonnet 4",
        lifecycle=Lifecycle.END_OF_LIFE,
        replacement=SONNET_46,
        regions=_US,
    ),
    TextModelSpec(
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "Claude Sonnet 4.5",
        regions=_US,
        profiles=_CLAUDE_4_PROFILES,
        on_demand=False,
    ),
    TextModelSpec(
        SONNET_46, "Claude Sonnet 4.6", regions=_US, profiles=_CLAUDE_4_PROFILES, on_demand=False
    ),
    TextModelSpec(
        "anthropic.claude-3-haiku-20240307-v1:0",
        "Claude 3 Haiku",
        lifecycle=Lifecycle.END_OF_LIFE,
        replacement=HAIKU_45,
    ),
    TextModelSpec(
        HAIKU_45, "Claude Haiku 4.5", regions=_US, profiles=_CLAUDE_4_PROFILES, on_demand=False
    ),
    TextModelSpec(
        "us.amazon.nova-premier-v1:0",
        "Amazon Nova Premier",
        lifecycle=Lifecycle.LEGACY,
        replacement=SONNET_46,
        regions=_US,
        profiles=("us",),
        on_demand=False,
    ),
    TextModelSpec("amazon.nova-lite-v1:0", "Amazon Nova Lite", profiles=_NOVA_PROFILES),
    TextModelSpec("amazon.nova-pro-v1:0", "Amazon Nova Pro", profiles=_NOVA_PROFILES),
)

# Geography prefixes of system-defined cross-region inference profiles.
_PROFILE_PREFIX = re.compile(r"^(?P<geo>us|eu|apac|global|us-gov|jp|au|ca)\.(?=[a-z0-9-]+\.)")
# Which source regions each geography's profiles may be called from (by region prefix),
# and where the app calls one when the person's region is outside it.
_GEOGRAPHY_REGIONS: Mapping[str, tuple[tuple[str, ...], str]] = {
    "us": (("us-east-", "us-west-"), "us-east-1"),
    "us-gov": (("us-gov-",), "us-gov-west-1"),
    "eu": (("eu-",), "eu-central-1"),
    "apac": (("ap-",), "ap-northeast-1"),
    "jp": (("ap-northeast-1", "ap-northeast-3"), "ap-northeast-1"),
    "au": (("ap-southeast-2", "ap-southeast-4"), "ap-southeast-2"),
    "ca": (("ca-",), "ca-central-1"),
    "global": (
        ("us-east-", "us-west-", "eu-", "ap-", "ca-", "sa-", "me-", "af-", "il-", "mx-"),
        "",
    ),
}
_ARN = re.compile(
    r"^arn:aws(?:-[a-z-]+)?:bedrock:[a-z0-9-]*:\d*:"
    r"(?:foundation-model|inference-profile)/(?P<id>[^/\s]+)$"
)
# Ids Bedrock lists with an explicit ":0" version for the same model.
_ALIASES = {"amazon.titan-image-generator-v1:0": titan.G1_ID}


def base_model_id(model_id: str) -> str:
    """The foundation model id inside a profile id or ARN (the input itself otherwise)."""
    text = model_id.strip()
    match = _ARN.match(text)
    if match:
        text = match.group("id")
    return _PROFILE_PREFIX.sub("", text, count=1)


def image_spec(model_id: str) -> ImageModelSpec:
    """The family spec for ``model_id``, carrying ``model_id`` exactly as given.

    Raises ValidationError naming every supported model when the id is unknown, so a typo
    is caught before any Bedrock call.
    """
    base = base_model_id(model_id)
    base = _ALIASES.get(base, base)
    for spec in IMAGE_MODELS:
        if spec.model_id == base:
            return dataclasses.replace(spec, model_id=model_id)
    supported = ", ".join(f"{spec.model_id} ({spec.name})" for spec in IMAGE_MODELS)
    raise ValidationError(
        [
            Problem.of(
                "image_model_id",
                model_id,
                QT_TRANSLATE_NOOP(
                    "Validation",
                    "one of {models}, optionally as a cross-region inference profile id "
                    "(us., eu., apac., global.) or a foundation-model ARN",
                ),
                models=supported,
            )
        ]
    )


NOTES_CONTEXT = "CatalogNotes"
"""The translation context of a model's ``notes`` (marked where each spec is declared)."""


def model_notes(spec: ImageModelSpec) -> Phrase | None:
    """``spec``'s notes to show (``gui.i18n.shown``), or None when it has none: the text is
    the catalog's English, marked ``QT_TRANSLATE_NOOP("CatalogNotes", ...)`` in its
    family's module."""
    return Phrase(NOTES_CONTEXT, spec.notes) if spec.notes else None


def family_of(spec: ImageModelSpec) -> ImageFamily:
    """The module that builds and parses bodies for ``spec``."""
    module = _FAMILY_MODULES.get(spec.family)
    if module is None:
        raise ValueError(f"no provider module for image model family {spec.family!r}")
    return module


def text_spec(model_id: str) -> TextModelSpec | None:
    """The catalog entry for a judge/reviser id, or None (any Converse model still works)."""
    base = base_model_id(model_id)
    for spec in TEXT_MODELS:
        if spec.model_id == model_id or base_model_id(spec.model_id) == base:
            return spec
    return None


def current_replacement(model_id: str) -> str:
    """An Active model to suggest instead of ``model_id``, or "" when none is known.

    Follows replacement chains so a suggestion is never itself end-of-life.
    """
    seen: set[str] = set()
    image_by_base = {spec.model_id: spec for spec in IMAGE_MODELS}
    candidate = model_id
    while candidate and candidate not in seen:
        seen.add(candidate)
        base = _ALIASES.get(base_model_id(candidate), base_model_id(candidate))
        entry: ImageModelSpec | TextModelSpec | None = image_by_base.get(base) or text_spec(
            candidate
        )
        if entry is None:
            return "" if candidate == model_id else candidate
        if entry.lifecycle is Lifecycle.ACTIVE:
            return "" if candidate == model_id else entry.model_id
        candidate = entry.replacement
    return ""


def image_read_timeout(model_id: str) -> float:
    """The read timeout for one InvokeModel call to ``model_id``: its family's, or the
    longest of all for an id the catalog does not know (the call will say what is wrong)."""
    try:
        family = image_spec(model_id).family
    except ValidationError:
        return max(IMAGE_READ_TIMEOUT_SECONDS.values())
    return IMAGE_READ_TIMEOUT_SECONDS.get(family, max(IMAGE_READ_TIMEOUT_SECONDS.values()))


def profile_geography(model_id: str) -> str:
    """The geography prefix of a cross-region inference profile id ("us", "global", ...),
    or "" for a base id or an ARN."""
    match = _PROFILE_PREFIX.match(model_id.strip())
    return match.group("geo") if match else ""


def _in_geography(geography: str, region: str) -> bool:
    prefixes, _ = _GEOGRAPHY_REGIONS.get(geography, ((), ""))
    return any(region.startswith(prefix) for prefix in prefixes)


def _near(regions: tuple[str, ...], home: str) -> str:
    """Of ``regions``, the one in ``home``'s own area (us-, eu-, ap-) when there is one."""
    area = home.split("-", 1)[0] + "-"
    return next((r for r in regions if r.startswith(area)), regions[0])


def call_region(field: str, model_id: str, home: str, *, pinned: bool) -> str:
    """The region ``model_id`` is called in, for a person whose region is ``home``.

    A model served in some regions only (the Stability models: us-west-2) is called in one
    of them, and a profile in its own geography, so the first run works whatever region a
    profile names; the image model and the judge may then run in different regions. When
    the person set the region themselves (``pinned``) it is respected: a region that does
    not serve the model is refused before any call, naming the regions that do. Ids this
    catalog does not know, ARNs and retired models go to ``home`` unchanged (Bedrock
    answers for those, with the end-of-life message naming a replacement).

    Raises ValidationError naming ``field`` (or ``aws_region``), the value and what is
    allowed: a profile prefix on a model that has no such profile, or the base id of a
    model that is served only through a profile.
    """
    text = model_id.strip()
    if _ARN.match(text):
        return home
    geography = profile_geography(text)
    base = _ALIASES.get(base_model_id(text), base_model_id(text))
    spec: ImageModelSpec | TextModelSpec | None = next(
        (s for s in IMAGE_MODELS if s.model_id == base), None
    ) or text_spec(text)
    if spec is None or spec.lifecycle is Lifecycle.END_OF_LIFE:
        return home
    profiles = spec.profiles if isinstance(spec, TextModelSpec) else ()
    on_demand = spec.on_demand if isinstance(spec, TextModelSpec) else True
    if geography:
        if geography not in profiles:
            offered: str | Phrase = (
                ", ".join(f"{g}.{base}" for g in profiles)
                if profiles
                else Phrase(
                    "Validation",
                    QT_TRANSLATE_NOOP(
                        "Validation", "{model} (served on demand, without a profile prefix)"
                    ),
                    {"model": base},
                )
            )
            raise ValidationError(
                [
                    Problem.of(
                        field,
                        model_id,
                        QT_TRANSLATE_NOOP(
                            "Validation", "{model} has no '{geography}.' profile: {offered}"
                        ),
                        model=spec.name,
                        geography=geography,
                        offered=offered,
                    )
                ]
            )
        if _in_geography(geography, home):
            return home
        if pinned:
            raise ValidationError(
                [
                    Problem.of(
                        "aws_region",
                        home,
                        QT_TRANSLATE_NOOP(
                            "Validation",
                            "a region inside the '{geography}.' profile's geography for "
                            "{model}, or empty to let the app choose",
                        ),
                        geography=geography,
                        model=model_id,
                    )
                ]
            )
        return _GEOGRAPHY_REGIONS[geography][1] or home
    if not on_demand:
        ids = ", ".join(f"{g}.{base}" for g in profiles)
        raise ValidationError(
            [
                Problem.of(
                    field,
                    model_id,
                    QT_TRANSLATE_NOOP(
                        "Validation",
                        "an inference profile id such as {ids}: {model} is not served on "
                        "demand by its base id",
                    ),
                    ids=ids,
                    model=spec.name,
                )
            ]
        )
    if not spec.regions or home in spec.regions:
        return home
    if pinned:
        raise ValidationError(
            [
                Problem.of(
                    "aws_region",
                    home,
                    QT_TRANSLATE_NOOP(
                        "Validation",
                        "a region that serves {model} ({regions}), or empty "
                        "to call each model in a region that serves it",
                    ),
                    model=spec.name,
                    regions=", ".join(spec.regions),
                )
            ]
        )
    return _near(spec.regions, home)

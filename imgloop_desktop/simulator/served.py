"""What today's Bedrock serves: per base model id, its family, lifecycle, on-demand regions
and cross-region inference profiles, as of November 2026.

The simulator keeps its OWN table rather than importing the app's provider catalogue (an
import-linter contract forbids ``simulator -> providers``): the simulator stands for the
service, so when the app's catalogue and this table disagree, a test shows it instead of
both being wrong together. Sources, read November 2026:

* Model lifecycle (Active / Legacy / EOL and dates):
  https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html and, for models
  launched before 2026-09-07, .../model-lifecycle-legacy.html.
* Regions and inference profiles:
  https://docs.aws.amazon.com/bedrock/latest/userguide/models-region-compatibility.html and
  https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html.
* Per-model cards: https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-*.html.

Region lists are the ones the simulator needs to be honest about (the app's defaults and the
regions its users pick); where a list is shorter than the documentation's, a call from a
missing region is refused as Bedrock would refuse an unserved region, which errs towards
strict. Entries whose facts could not be checked against a page say so beside them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Lifecycle(StrEnum):
    ACTIVE = "ACTIVE"
    LEGACY = "LEGACY"
    END_OF_LIFE = "END_OF_LIFE"


# Families the simulator answers: image bodies per family, "text" for Converse.
IMAGE_FAMILIES = ("titan", "nova", "stability", "sdxl")
TEXT = "text"

# Commercial regions a ``global.`` profile may be called from (the inference-profiles page
# lists "commercial AWS Regions"; GovCloud and China are not commercial).
COMMERCIAL_REGIONS = frozenset(
    {
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "ca-central-1",
        "ca-west-1",
        "sa-east-1",
        "mx-central-1",
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "af-south-1",
        "ap-east-2",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-7",
    }
)

# Source regions per geography, from the inference-profiles-support page (Claude 4.5/4.6
# rows). Bedrock checks the *source* region (the one the request is signed for) against the
# profile's list.
US = frozenset({"us-east-1", "us-east-2", "us-west-2"})
US_NOVA = frozenset({"us-east-1", "us-east-2", "us-west-2"})
EU = frozenset({"eu-central-1", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-3"})
APAC = frozenset(
    {
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-4",
    }
)
JP = frozenset({"ap-northeast-1", "ap-northeast-3"})
AU = frozenset({"ap-southeast-2", "ap-southeast-4"})
GEOGRAPHIES = ("us", "us-gov", "eu", "apac", "global", "jp", "au", "ca")

_CLAUDE_4X_PROFILES: Mapping[str, frozenset[str]] = {
    "us": US,
    "eu": EU,
    "apac": APAC,
    "jp": JP,
    "au": AU,
    "global": COMMERCIAL_REGIONS,
}


@dataclass(frozen=True)
class ServedModel:
    """One base model as the service knows it.

    ``regions`` are where the base id answers on demand today; ``retired_regions`` where an
    end-of-life model answered in 2024 (served again only under ``serve_retired``).
    ``profiles`` maps a geography prefix (``us`` in ``us.anthropic...``) to the source
    regions that profile may be called from. ``max_tokens`` is the Converse
    ``inferenceConfig.maxTokens`` ceiling (text models).
    """

    model_id: str
    name: str
    provider: str
    family: str
    lifecycle: Lifecycle
    regions: frozenset[str] = frozenset()
    on_demand: bool = True
    profiles: Mapping[str, frozenset[str]] = field(default_factory=dict)
    legacy_date: date | None = None
    eol_date: date | None = None
    launch_date: date | None = None
    retired_regions: frozenset[str] = frozenset()
    max_tokens: int | None = None
    reads_images: bool = False
    streaming: bool = False

    @property
    def is_image(self) -> bool:
        return self.family in IMAGE_FAMILIES

    @property
    def input_modalities(self) -> tuple[str, ...]:
        if self.is_image or self.reads_images:
            return ("TEXT", "IMAGE")
        return ("TEXT",)

    @property
    def output_modalities(self) -> tuple[str, ...]:
        return ("IMAGE",) if self.is_image else ("TEXT",)

    @property
    def inference_types(self) -> tuple[str, ...]:
        """As GetFoundationModel lists them: the service answers ``INFERENCE_PROFILE`` for
        profile-only models (botocore's enum still lists only ON_DEMAND and PROVISIONED; it
        does not validate answers)."""
        kinds: list[str] = []
        if self.on_demand:
            kinds.append("ON_DEMAND")
        if self.profiles:
            kinds.append("INFERENCE_PROFILE")
        return tuple(kinds)


_STABILITY_REGIONS = frozenset({"us-west-2"})

_MODELS: tuple[ServedModel, ...] = (
    # -- image, active: model-card-stability-*.html; us-west-2 on demand, no profiles.
    ServedModel(
        "stability.sd3-5-large-v1:0",
        "Stable Diffusion 3.5 Large",
        "Stability AI",
        "stability",
        Lifecycle.ACTIVE,
        regions=_STABILITY_REGIONS,
        launch_date=date(2024, 12, 19),
    ),
    ServedModel(
        "stability.stable-image-core-v1:1",
        "Stable Image Core 1.0",
        "Stability AI",
        "stability",
        Lifecycle.ACTIVE,
        regions=_STABILITY_REGIONS,
        launch_date=date(2024, 12, 19),
    ),
    ServedModel(
        "stability.stable-image-ultra-v1:1",
        "Stable Image Ultra 1.0",
        "Stability AI",
        "stability",
        Lifecycle.ACTIVE,
        regions=_STABILITY_REGIONS,
        launch_date=date(2024, 12, 19),
    ),
    # -- image, end of life (model-lifecycle-legacy.html, EOL table). retired_regions: the
    # regions each served on demand in 2024 (models-region-compatibility as of 2024).
    ServedModel(
        "amazon.titan-image-generator-v1",
        "Titan Image Generator G1",
        "Amazon",
        "titan",
        Lifecycle.END_OF_LIFE,
        retired_regions=frozenset({"us-east-1", "us-west-2", "ap-south-1", "eu-west-1"}),
        # EOL date: not found on a page read here; the brief lists it as EOL.
    ),
    ServedModel(
        "amazon.titan-image-generator-v1:0",
        "Titan Image Generator G1",
        "Amazon",
        "titan",
        Lifecycle.END_OF_LIFE,
        retired_regions=frozenset({"us-east-1", "us-west-2", "ap-south-1", "eu-west-1"}),
    ),
    ServedModel(
        "amazon.titan-image-generator-v2:0",
        "Titan Image Generator G1 v2",
        "Amazon",
        "titan",
        Lifecycle.END_OF_LIFE,
        eol_date=date(2026, 6, 30),
        retired_regions=frozenset({"us-east-1", "us-west-2"}),
    ),
    ServedModel(
        "amazon.nova-canvas-v1:0",
        "Nova Canvas",
        "Amazon",
        "nova",
        Lifecycle.END_OF_LIFE,
        eol_date=date(2026, 9, 30),
        # Nova Canvas answered on demand in us-east-1, eu-west-1 and ap-northeast-1 only
        # (docs.quantcdn.io/cloud-api/operations/imagegeneration, "NOT available in
        # ap-southeast-2"). The ``us.`` profile is kept because the app's older tests named
        # it: a Nova Canvas cross-region profile was NOT confirmed on a page read here.
        retired_regions=frozenset({"us-east-1", "eu-west-1", "ap-northeast-1"}),
        profiles={"us": US_NOVA},
    ),
    ServedModel(
        "stability.stable-diffusion-xl-v1",
        "SDXL 1.0",
        "Stability AI",
        "sdxl",
        Lifecycle.END_OF_LIFE,
        retired_regions=frozenset({"us-east-1", "us-west-2"}),
    ),
    # -- text, end of life (model-lifecycle-legacy.html).
    ServedModel(
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "Claude 3.5 Sonnet",
        "Anthropic",
        TEXT,
        Lifecycle.END_OF_LIFE,
        max_tokens=4096,
        reads_images=True,
    ),
    ServedModel(
        "anthropic.claude-3-5-sonnet-20241022-v2:0",
        "Claude 3.5 Sonnet v2",
        "Anthropic",
        TEXT,
        Lifecycle.END_OF_LIFE,
        max_tokens=8192,
        reads_images=True,
    ),
    ServedModel(
        "anthropic.claude-3-7-sonnet-20250219-v1:0",
        "Claude 3.7 Sonnet",
        "Anthropic",
        TEXT,
        Lifecycle.END_OF_LIFE,
        max_tokens=131072,
        reads_images=True,
    ),
    ServedModel(
        "anthropic.claude-sonnet-4-20250514-v1:0",
        "Claude Sonnet 4",  # 64,000 documented max output (anthropics/claude-code#1293)
        "Anthropic",
        TEXT,
        Lifecycle.END_OF_LIFE,
        eol_date=date(2026, 10, 14),
        max_tokens=65536,
        reads_images=True,
    ),
    ServedModel(
        "anthropic.claude-3-haiku-20240307-v1:0",
        "Claude 3 Haiku",
        "Anthropic",
        TEXT,
        Lifecycle.END_OF_LIFE,
        max_tokens=4096,
        reads_images=True,
    ),
    # -- text, legacy. Amazon Nova Premier v1 is among the Nova models AWS marked Legacy in
    # 2026 (with Sonic, Canvas and Reel v1; see providers/catalog.py); its end-of-life date
    # was not found on a page read here, so none is given. Served through its us. profile.
    ServedModel(
        "amazon.nova-premier-v1:0",
        "Nova Premier",
        "Amazon",
        TEXT,
        Lifecycle.LEGACY,
        on_demand=False,
        profiles={"us": US},
        reads_images=True,
        streaming=True,
    ),
    # -- text, active. Claude 4.5/4.6: profile-only (model-card-anthropic-claude-*.html,
    # "INFERENCE_PROFILE" only). Converse maxTokens ceiling 64,000: Sonnet 4.6's 64K output
    # as aws-samples/sample-multi-agent-orchestration-chat-on-agentcore#62 (2026) quotes the
    # Bedrock model card ("128k (2x Sonnet 4.6)" for Sonnet 5); danny-avila/LibreChat#14115
    # raises Sonnet 4.6 to 128K on Anthropic's own API, so Bedrock's figure may have moved:
    # not re-checked on the card itself. Haiku 4.5 / Sonnet 4.5: 64K, the same cards.
    ServedModel(
        "anthropic.claude-sonnet-4-6",
        "Claude Sonnet 4.6",
        "Anthropic",
        TEXT,
        Lifecycle.ACTIVE,
        on_demand=False,
        profiles=_CLAUDE_4X_PROFILES,
        max_tokens=64000,
        reads_images=True,
        streaming=True,
    ),
    ServedModel(
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
        "Claude Sonnet 4.5",
        "Anthropic",
        TEXT,
        Lifecycle.ACTIVE,
        on_demand=False,
        profiles=_CLAUDE_4X_PROFILES,
        max_tokens=64000,
        reads_images=True,
        streaming=True,
    ),
    ServedModel(
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        "Claude Haiku 4.5",
        "Anthropic",
        TEXT,
        Lifecycle.ACTIVE,
        on_demand=False,
        profiles=_CLAUDE_4X_PROFILES,
        max_tokens=64000,
        reads_images=True,
        streaming=True,
    ),
    # Claude Opus 4.7 / 4.8: named by script.DEFAULT_SAMPLING_RULES (they refuse
    # temperature); ids as public code calls them ("us.anthropic.claude-opus-4-7", "...-4-8",
    # found by exact-text search in 2026 repositories, one noting it as the fix for "The
    # provided model identifier is invalid"). Profile-only like the other Claude 4.x models;
    # their profile geographies and maxTokens ceiling were NOT checked on a model card, so
    # no ceiling is enforced and Claude 4.x's geographies are assumed.
    ServedModel(
        "anthropic.claude-opus-4-7",
        "Claude Opus 4.7",
        "Anthropic",
        TEXT,
        Lifecycle.ACTIVE,
        on_demand=False,
        profiles=_CLAUDE_4X_PROFILES,
        reads_images=True,
        streaming=True,
    ),
    ServedModel(
        "anthropic.claude-opus-4-8",
        "Claude Opus 4.8",
        "Anthropic",
        TEXT,
        Lifecycle.ACTIVE,
        on_demand=False,
        profiles=_CLAUDE_4X_PROFILES,
        reads_images=True,
        streaming=True,
    ),
    # Nova Lite / Pro: on demand in us-east-1 and us-west-2 (and more regions not listed
    # here); us/eu/apac profiles. maxTokens ceiling 10,000: BerriAI/litellm#23198 (2026)
    # quotes Bedrock's "The maximum tokens you requested exceeds the model limit of 10000."
    # for Nova Pro; BerriAI/litellm#11441 cites docs.aws.amazon.com/nova/latest/userguide/
    # what-is-nova.html for 10K on Lite and Pro.
    ServedModel(
        "amazon.nova-lite-v1:0",
        "Nova Lite",
        "Amazon",
        TEXT,
        Lifecycle.ACTIVE,
        regions=frozenset({"us-east-1", "us-west-2", "us-gov-west-1"}),
        profiles={"us": US_NOVA, "eu": EU, "apac": APAC},
        max_tokens=10000,
        reads_images=True,
        streaming=True,
    ),
    ServedModel(
        "amazon.nova-pro-v1:0",
        "Nova Pro",
        "Amazon",
        TEXT,
        Lifecycle.ACTIVE,
        regions=frozenset({"us-east-1", "us-west-2", "us-gov-west-1"}),
        profiles={"us": US_NOVA, "eu": EU, "apac": APAC},
        max_tokens=10000,
        reads_images=True,
        streaming=True,
    ),
)

SERVED: Mapping[str, ServedModel] = {m.model_id: m for m in _MODELS}

_ARN_RE = re.compile(
    r"^arn:aws(?:-[a-z-]+)?:bedrock:(?P<region>[a-z0-9-]*):(?P<account>\d*):"
    r"(?P<kind>foundation-model|inference-profile)/(?P<resource>.+)$"
)


@dataclass(frozen=True)
class ModelRef:
    """A model id as a caller named it: ``geography`` is the inference-profile prefix
    (None for a base id), ``arn_region`` the region an ARN names (None for plain ids)."""

    base_id: str
    geography: str | None = None
    arn_region: str | None = None
    is_arn: bool = False


def parse_model_id(model_id: str) -> ModelRef:
    """``stability.sd3-5-large-v1:0``, ``us.anthropic.claude-sonnet-4-6``,
    ``arn:aws:bedrock:us-west-2::foundation-model/...`` and
    ``arn:aws:bedrock:us-east-1:123456789012:inference-profile/us....``."""
    resource, arn_region, is_arn = model_id, None, False
    match = _ARN_RE.match(model_id)
    if match:
        resource, arn_region, is_arn = match["resource"], match["region"] or None, True
    head, sep, rest = resource.partition(".")
    if sep and head in GEOGRAPHIES and "." in rest:
        return ModelRef(rest, head, arn_region, is_arn)
    return ModelRef(resource, None, arn_region, is_arn)


def lookup(model_id: str) -> ServedModel | None:
    """The table's entry for a base id, profile id or ARN; None when Bedrock has no such
    model."""
    return SERVED.get(parse_model_id(model_id).base_id)


def model_arn(model: ServedModel, region: str) -> str:
    return f"arn:aws:bedrock:{region}::foundation-model/{model.model_id}"

"""Run parameters: the seed's input event, under its names and defaults, plus our additions.

The object loads from and saves to the seed's event JSON, so an event written for the
original Lambda runs here unchanged and one saved here runs there.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.models import ImageModelSpec
from imgloop_desktop.core.protocols import InferenceSettings

DEFAULT_IMAGE_MODEL = "amazon.titan-image-generator-v1"
DEFAULT_JUDGE_MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"
MAX_IN_FLIGHT = 8
# Vision models resample below ~200 px anyway; above 8000 px Bedrock refuses the image.
MIN_JUDGE_SIDE = 200
MAX_JUDGE_SIDE = 8000

# S3's bucket naming rules (general purpose buckets), checked in ``bucket_problem``.
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP_RE = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_BUCKET_BAD_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_BAD_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


@dataclass(frozen=True)
class RunParams:
    prompt: str = ""
    max_retry_attempts: int = 5
    max_prompt_revisions: int = 3
    output_s3_bucket_name: str = ""
    output_s3_key_prefix: str = "generated-images"
    claude_validate_temperature: float = 1.0
    claude_validate_top_p: float = 0.999
    claude_validate_top_k: int = 250
    claude_validate_max_tokens: int = 4096
    claude_revise_temperature: float = 1.0
    claude_revise_top_p: float = 0.999
    claude_revise_top_k: int = 250
    claude_revise_max_tokens: int = 4096
    titan_img_cfg_scale: float = 8.0
    titan_img_width: int = 1024
    titan_img_height: int = 1024
    titan_img_number_of_images: int = 1
    titan_img_seed: int = 0
    # Ours, beyond the seed's event:
    image_model_id: str = DEFAULT_IMAGE_MODEL
    judge_model_id: str = DEFAULT_JUDGE_MODEL
    output_dir: str = ""
    s3_enabled: bool = False
    aws_region: str = ""
    candidates_in_flight: int = 1
    speculative_next: bool = False
    judge_image_max_side: int = 0

    @property
    def validate_settings(self) -> InferenceSettings:
        return InferenceSettings(
            temperature=self.claude_validate_temperature,
            top_p=self.claude_validate_top_p,
            top_k=self.claude_validate_top_k,
            max_tokens=self.claude_validate_max_tokens,
        )

    @property
    def revise_settings(self) -> InferenceSettings:
        return InferenceSettings(
            temperature=self.claude_revise_temperature,
            top_p=self.claude_revise_top_p,
            top_k=self.claude_revise_top_k,
            max_tokens=self.claude_revise_max_tokens,
        )

    def with_changes(self, **changes: Any) -> RunParams:
        return replace(self, **changes)

    def to_event(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_event(cls, event: object) -> RunParams:
        """Read a seed event (or one of ours). Raises ValidationError naming every bad field.

        The seed needed a bucket, so an event that names one and does not say otherwise
        keeps uploading to S3 as it did there.
        """
        if not isinstance(event, dict):
            raise ValidationError([Problem("event", _short(event), "a JSON object")])
        problems: list[Problem] = []
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in event.items():
            if key not in known:
                # Never echo an unknown field's value: it may be a key someone pasted in.
                hidden = f"<{type(value).__name__} hidden>"
                problems.append(Problem(str(key), hidden, "not a known parameter"))
                continue
            expected = _FIELD_TYPES[key]
            coerced = _coerce(value, expected)
            if coerced is _BAD:
                problems.append(Problem(key, _short(value), f"a {_TYPE_WORDS[expected]}"))
            else:
                values[key] = coerced
        if "s3_enabled" not in event and values.get("output_s3_bucket_name"):
            values["s3_enabled"] = True
        if problems:
            raise ValidationError(problems)
        return cls(**values)

    @classmethod
    def load(cls, path: Path) -> RunParams:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ValidationError(
                [Problem("event file", str(path), f"a readable file ({exc.strerror})")]
            ) from exc
        except UnicodeDecodeError as exc:
            raise ValidationError([Problem("event file", str(path), "UTF-8 text")]) from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                [Problem("event file", str(path), f"valid JSON (line {exc.lineno}: {exc.msg})")]
            ) from exc
        return cls.from_event(data)

    def save(self, path: Path) -> None:
        path.write_text(
            json.dumps(self.to_event(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )


_BAD = object()
_FIELD_TYPES: dict[str, type] = {
    f.name: {"str": str, "int": int, "float": float, "bool": bool}[str(f.type)]
    for f in fields(RunParams)
}
_TYPE_WORDS = {str: "string", int: "whole number", float: "number", bool: "true or false"}


def _coerce(value: object, expected: type) -> object:
    """Accept what JSON gives for each type; never turn a bool into a number or back."""
    if expected is bool:
        return value if isinstance(value, bool) else _BAD
    if isinstance(value, bool):
        return _BAD
    if expected is int:
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return _BAD
    if expected is float:
        if isinstance(value, int | float) and math.isfinite(value):
            return float(value)
        return _BAD
    return value if isinstance(value, str) else _BAD


def _short(value: object) -> object:
    if isinstance(value, str) and len(value) > 80:
        return value[:77] + "..."
    return value


def bucket_problem(name: str) -> str | None:
    """Why ``name`` breaks S3's general purpose bucket naming rules, or None."""
    allowed = (
        "3-63 characters of lowercase letters, digits, '.' and '-', starting and ending "
        "with a letter or digit, not an IP address, no '..'"
    )
    if not _BUCKET_RE.match(name) or ".." in name or _IP_RE.match(name):
        return allowed
    if name.startswith(_BUCKET_BAD_PREFIXES) or name.endswith(_BUCKET_BAD_SUFFIXES):
        return (
            "a name without the prefixes and suffixes S3 reserves "
            "(xn--, sthree-, -s3alias, --ol-s3, ...)"
        )
    return None


def validate(params: RunParams, spec: ImageModelSpec) -> list[Problem]:
    """Every problem with ``params`` against ``spec``'s real limits, in form order."""
    p: list[Problem] = []

    def check(ok: bool, name: str, allowed: str) -> None:
        if not ok:
            p.append(Problem(name, _short(getattr(params, name)), allowed))

    prompt_len = len(params.prompt)
    check(
        1 <= prompt_len <= spec.prompt_max_chars and bool(params.prompt.strip()),
        "prompt",
        f"1-{spec.prompt_max_chars} characters for {spec.name} (this one has {prompt_len})",
    )
    check(params.max_retry_attempts >= 1, "max_retry_attempts", "a whole number of at least 1")
    check(params.max_prompt_revisions >= 0, "max_prompt_revisions", "a whole number of at least 0")
    for role in ("validate", "revise"):
        check(
            0.0 <= getattr(params, f"claude_{role}_temperature") <= 1.0,
            f"claude_{role}_temperature",
            "0.0-1.0",
        )
        check(
            0.0 <= getattr(params, f"claude_{role}_top_p") <= 1.0, f"claude_{role}_top_p", "0.0-1.0"
        )
        check(
            getattr(params, f"claude_{role}_top_k") >= 0,
            f"claude_{role}_top_k",
            "a whole number of at least 0",
        )
        check(
            getattr(params, f"claude_{role}_max_tokens") >= 1,
            f"claude_{role}_max_tokens",
            "a whole number of at least 1",
        )
    if spec.cfg_range is not None:
        low, high = spec.cfg_range
        check(
            low <= params.titan_img_cfg_scale <= high,
            "titan_img_cfg_scale",
            f"{low:g}-{high:g} for {spec.name}",
        )
    size_problem = spec.size_problem(params.titan_img_width, params.titan_img_height)
    if size_problem:
        p.append(
            Problem(
                "titan_img_width x titan_img_height",
                f"{params.titan_img_width}x{params.titan_img_height}",
                size_problem,
            )
        )
    check(
        1 <= params.titan_img_number_of_images <= spec.max_images,
        "titan_img_number_of_images",
        f"1-{spec.max_images} for {spec.name}",
    )
    check(
        0 <= params.titan_img_seed <= spec.seed_max,
        "titan_img_seed",
        f"0-{spec.seed_max} (0 picks a random seed)",
    )
    check(
        1 <= params.candidates_in_flight <= MAX_IN_FLIGHT,
        "candidates_in_flight",
        f"1-{MAX_IN_FLIGHT} candidates generated or judged at once",
    )
    check(
        params.judge_image_max_side == 0
        or MIN_JUDGE_SIDE <= params.judge_image_max_side <= MAX_JUDGE_SIDE,
        "judge_image_max_side",
        f"0 (send the full image) or {MIN_JUDGE_SIDE}-{MAX_JUDGE_SIDE} pixels",
    )
    check(
        bool(params.judge_model_id.strip()),
        "judge_model_id",
        "a Bedrock model id, inference profile id or ARN",
    )
    if params.s3_enabled:
        problem = bucket_problem(params.output_s3_bucket_name)
        if problem:
            p.append(Problem("output_s3_bucket_name", params.output_s3_bucket_name, problem))
    prefix = params.output_s3_key_prefix
    check(
        not prefix.startswith("/")
        and ".." not in prefix
        and len(prefix.encode()) <= 900
        and not any(ord(c) < 32 for c in prefix),
        "output_s3_key_prefix",
        "a key prefix without a leading '/', '..' or control characters, at most 900 bytes",
    )
    return p


def extra_cost(params: RunParams) -> str:
    """What the concurrency settings can cost beyond the seed's calls, in plain words."""
    k = params.candidates_in_flight
    if k == 1 and not params.speculative_next:
        return "Same Bedrock calls as one at a time; only uploads overlap judging."
    extra = k - 1 + (1 if params.speculative_next else 0)
    images = params.titan_img_number_of_images
    return (
        f"Up to {extra} extra generation(s) ({extra * images} image(s)) and "
        f"{(k - 1) * images} extra judging(s) after the approved image; never more than "
        f"{params.max_retry_attempts} generation(s) per prompt."
    )

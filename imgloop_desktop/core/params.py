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
from typing import IO, Any

from imgloop_desktop.core import jsonsafe
from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.models import ImageModelSpec
from imgloop_desktop.core.protocols import InferenceSettings

DEFAULT_IMAGE_MODEL = "amazon.titan-image-generator-v1"
DEFAULT_JUDGE_MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"
MAX_IN_FLIGHT = 8
# Vision models resample below ~200 px anyway; above 8000 px Bedrock refuses the image.
MIN_JUDGE_SIDE = 200
MAX_JUDGE_SIDE = 8000
# Every attempt is a paid generation plus a paid judging, and the loop makes up to
# attempts x (revisions + 1) of them: 100 x 21 = 2,100 generations is already a bill nobody
# means to run unattended, while 10**30 (a typo, a fuzzer) would never end. 100 attempts per
# prompt is far past where retrying an unchanged prompt still helps.
MAX_RETRY_ATTEMPTS = 100
# Each revision rewrites the prompt from the judge's words; after about 20 it has drifted
# from what the person asked for, and the original prompt is what the judge checks against.
MAX_PROMPT_REVISIONS = 20
# Anthropic documents top_k 0-500 for Claude on Bedrock; larger values are refused there.
MAX_TOP_K = 500
# The judge and reviser are any Converse model that reads images (an id, profile or ARN), so
# the exact model's output ceiling is not known here. 64,000 is the largest any model in the
# catalog takes (Claude Sonnet 4.x / Haiku 4.5); Bedrock refuses more than a given model's
# own ceiling itself, and what we ask for (a verdict, a prompt) needs a few hundred tokens.
MAX_OUTPUT_TOKENS = 64_000
# Converse and InvokeModel take model ids (ids, profile ids, ARNs) of 1-2048 characters.
MAX_MODEL_ID_CHARS = 2048
# Linux's PATH_MAX; Windows and macOS allow less, and say so when the folder is made.
MAX_OUTPUT_DIR_CHARS = 4096
# AWS region names: us-east-1, eu-central-2, us-gov-west-1, us-isob-east-1, ...
# Used with fullmatch: "$" would let a trailing newline through, "\d" non-ASCII digits.
REGION_RE = re.compile(r"[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-[0-9]{1,2}")
REGION_ALLOWED = "a region name like us-east-1, or empty for the profile's region"
# An event is a flat object of ~30 short fields, the longest a prompt of at most 10,000
# characters (40 KB as UTF-8); 1 MiB leaves room for any formatting and stops a file that is
# plainly not an event (or a device) before it is parsed. Any nesting at all is already a
# wrong type, so the depth limit only has to keep the parser off the stack's edge.
MAX_EVENT_BYTES = 1_048_576
MAX_EVENT_DEPTH = 16
TEXT_ALLOWED = "text without NUL characters or lone UTF-16 surrogates (\\ud800-\\udfff)"

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
        keeps uploading to S3 as it did there. ``event`` may come from JSON or be built in
        code (the Lambda runtime, tests): any value answers as a Problem, never a traceback.
        Text holding NUL or a lone surrogate is refused here already, because no file,
        database or terminal can take it and everything after loading would have to.
        """
        if not isinstance(event, dict):
            raise ValidationError([Problem("event", _short(event), "a JSON object")])
        problems: list[Problem] = []
        values: dict[str, Any] = {}
        for key, value in event.items():
            if not isinstance(key, str) or key not in _FIELD_TYPES:
                # Never echo an unknown field's value: it may be a key someone pasted in.
                hidden = f"<{type(value).__name__} hidden>"
                problems.append(Problem(_field_name(key), hidden, "not a known parameter"))
                continue
            expected = _FIELD_TYPES[key]
            coerced = _coerce(value, expected)
            if coerced is _BAD:
                problems.append(Problem(key, _short(value), f"a {_TYPE_WORDS[expected]}"))
            elif isinstance(coerced, str) and (unusable := _text_problem(coerced)):
                problems.append(Problem(key, _short(coerced), unusable))
            else:
                values[key] = coerced
        if "s3_enabled" not in event and values.get("output_s3_bucket_name"):
            values["s3_enabled"] = True
        if problems:
            raise ValidationError(problems)
        return cls(**values)

    @classmethod
    def load(cls, path: Path) -> RunParams:
        """Read an event file under the event limits; ValidationError names the file.

        Only ``MAX_EVENT_BYTES`` + 1 bytes are read, so a huge file or a device cannot
        fill memory before it is refused.
        """
        try:
            with path.open("rb") as stream:
                return cls.read(stream, str(path), field="event file")
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise ValidationError(
                [Problem("event file", _short(str(path)), f"a readable file ({reason})")]
            ) from exc
        except ValueError as exc:  # open() refuses a path holding NUL
            raise ValidationError(
                [Problem("event file", _short(str(path)), "a file path without NUL characters")]
            ) from exc

    @classmethod
    def read(
        cls, stream: IO[bytes] | IO[str], source_name: str, *, field: str = "event"
    ) -> RunParams:
        """Read an event from an open file or stdin: at most ``MAX_EVENT_BYTES`` + 1 are
        read, so a huge input or an endless device is refused without filling memory."""
        return cls.loads(
            read_event_bytes(stream, source_name, field=field), source_name, field=field
        )

    @classmethod
    def loads(cls, data: str | bytes, source_name: str, *, field: str = "event") -> RunParams:
        """Read an event from JSON text or UTF-8 bytes (a file's, stdin's) under the limits.

        Size, nesting depth, digits and non-finite numbers are checked by ``jsonsafe``
        before Python's parser could overflow the stack or refuse an integer with a
        traceback; each limit answers as one Problem naming ``field`` and ``source_name``.
        A leading byte order mark (Windows editors write one) is skipped.
        """
        if isinstance(data, bytes):
            data = data.removeprefix(b"\xef\xbb\xbf")
        else:
            data = data.removeprefix("\ufeff")
        try:
            event = jsonsafe.loads(
                data, what="this one", max_bytes=MAX_EVENT_BYTES, max_depth=MAX_EVENT_DEPTH
            )
        except jsonsafe.JsonLimitError as exc:
            allowed = (
                f"a JSON object of at most {MAX_EVENT_BYTES:,} bytes of UTF-8, nested at most "
                f"{MAX_EVENT_DEPTH} levels, with whole numbers of at most "
                f"{jsonsafe.MAX_INT_DIGITS} digits and finite numbers; {exc}"
            )
            raise ValidationError([Problem(field, _short(source_name), allowed)]) from exc
        return cls.from_event(event)

    def save(self, path: Path) -> None:
        path.write_text(
            json.dumps(self.to_event(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )


def read_event_bytes(stream: IO[bytes] | IO[str], source_name: str, *, field: str) -> bytes | str:
    """At most ``MAX_EVENT_BYTES`` from ``stream`` (a file, stdin); a longer one is refused
    before the rest is read, so a huge input or an endless device costs nothing."""
    try:
        data = stream.read(MAX_EVENT_BYTES + 1)
    except UnicodeDecodeError as exc:  # a text stream (stdin replaced in-process)
        raise ValidationError([Problem(field, _short(source_name), "UTF-8 text")]) from exc
    size = len(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    if size > MAX_EVENT_BYTES:
        raise ValidationError(
            [
                Problem(
                    field,
                    _short(source_name),
                    f"an event of at most {MAX_EVENT_BYTES:,} bytes (this one is longer)",
                )
            ]
        )
    return data


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
            return int(value)
        if isinstance(value, float) and value.is_integer():  # False for inf and nan
            return int(value)
        return _BAD
    if expected is float:
        if not isinstance(value, int | float):
            return _BAD
        try:
            number = float(value)  # an int of 400 digits overflows a float
        except OverflowError:
            return _BAD
        return number if math.isfinite(number) else _BAD
    return str(value) if isinstance(value, str) else _BAD


def _text_problem(text: str) -> str | None:
    """Why ``text`` cannot be kept, printed or sent (NUL, lone surrogate), or None."""
    if "\x00" in text or jsonsafe.has_surrogate(text):
        where = next(i for i, c in enumerate(text) if c == "\x00" or "\ud800" <= c <= "\udfff")
        return f"{TEXT_ALLOWED}; this one has one at character {where + 1}"
    return None


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _printable(text: str) -> str:
    """``text`` with each lone surrogate written out as ``\\udxxx``, so it can be printed."""
    return _SURROGATE_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _field_name(key: object) -> str:
    """An unknown field's name as shown: printable and short whatever the key was."""
    if key == "":
        return '""'  # an empty name would read as no field at all
    shown = _short(key)
    return shown if isinstance(shown, str) else f"<{type(key).__name__} key>"


def _short(value: object) -> object:
    """``value`` as a Problem shows it: short, printable and JSON-encodable whatever it is.

    Problems are printed and written as JSON, so a lone surrogate, an integer past Python's
    4,300-digit conversion limit, an infinity or a deeply nested list (whose repr would
    overflow the stack) each become plain text here.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if value.bit_length() <= 128:  # up to ~38 digits: shown as it is
            return int(value)
        if value.bit_length() <= 14_000:  # ~4,200 digits: str() still works
            digits = f"{len(str(abs(value))):,}"
        else:
            digits = f"about {int(value.bit_length() * math.log10(2)) + 1:,}"
        sign = "-" if value < 0 else ""
        return f"<{sign}whole number of {digits} digits>"
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        text = _printable(value)
        return text[:77] + "..." if len(text) > 80 else text
    if isinstance(value, list | tuple | dict | set | frozenset):
        return f"<{type(value).__name__} of {len(value):,} items>"
    return f"<{type(value).__name__}>"


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
    """Every problem with ``params`` against ``spec``'s real limits, in form order.

    Every field has an upper bound too: a value Bedrock would take can still be one no
    person meant (10**30 revisions), and it must be refused before any call is paid for.
    ``params`` may be built in code (the window), so any value answers as a Problem.
    """
    p: list[Problem] = []

    def check(ok: bool, name: str, allowed: str) -> None:
        if not ok:
            p.append(Problem(name, _short(getattr(params, name)), allowed))

    # Text no file, database or terminal can take is refused first, in every text field;
    # the checks below then see only text that can be kept and printed.
    unusable = set()
    for f in fields(RunParams):
        value = getattr(params, f.name)
        problem = _text_problem(value) if isinstance(value, str) else None
        if problem:
            unusable.add(f.name)
            p.append(Problem(f.name, _short(value), problem))

    prompt_len = len(params.prompt)
    check(
        1 <= prompt_len <= spec.prompt_max_chars and bool(params.prompt.strip()),
        "prompt",
        f"1-{spec.prompt_max_chars} characters for {spec.name} (this one has {prompt_len:,})",
    )
    check(
        1 <= params.max_retry_attempts <= MAX_RETRY_ATTEMPTS,
        "max_retry_attempts",
        f"1-{MAX_RETRY_ATTEMPTS} generations per prompt version",
    )
    check(
        0 <= params.max_prompt_revisions <= MAX_PROMPT_REVISIONS,
        "max_prompt_revisions",
        f"0-{MAX_PROMPT_REVISIONS} revisions of the prompt",
    )
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
            0 <= getattr(params, f"claude_{role}_top_k") <= MAX_TOP_K,
            f"claude_{role}_top_k",
            f"0-{MAX_TOP_K} (Anthropic's documented range; 0 lets the model choose)",
        )
        check(
            1 <= getattr(params, f"claude_{role}_max_tokens") <= MAX_OUTPUT_TOKENS,
            f"claude_{role}_max_tokens",
            f"1-{MAX_OUTPUT_TOKENS} tokens (the largest output of the catalog's judge models; "
            "a model with a lower ceiling refuses more itself)",
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
                f"{_short(params.titan_img_width)}x{_short(params.titan_img_height)}",
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
    # Ids, profile ids and ARNs never hold spaces; the catalog matches an id with its
    # spaces stripped, so " amazon.titan...\n" would pass there and fail at Bedrock. An
    # empty image model id is the catalog's to name (it lists the supported ones).
    for name in ("image_model_id", "judge_model_id"):
        model_id = getattr(params, name)
        check(
            name in unusable
            or (
                (bool(model_id) or name == "image_model_id")
                and len(model_id) <= MAX_MODEL_ID_CHARS
                and not any(c.isspace() for c in model_id)
                and not _has_control(model_id)
            ),
            name,
            f"a Bedrock model id, inference profile id or ARN: at most {MAX_MODEL_ID_CHARS} "
            "characters, no spaces or control characters",
        )
    if params.s3_enabled and "output_s3_bucket_name" not in unusable:
        problem = bucket_problem(params.output_s3_bucket_name)
        if problem:
            p.append(
                Problem("output_s3_bucket_name", _short(params.output_s3_bucket_name), problem)
            )
    prefix = params.output_s3_key_prefix
    check(
        "output_s3_key_prefix" in unusable
        or (
            not prefix.startswith("/")
            and ".." not in prefix
            and len(prefix.encode()) <= 900
            and not _has_control(prefix)
        ),
        "output_s3_key_prefix",
        "a key prefix without a leading '/', '..' or control characters, at most 900 bytes",
    )
    # The window used to be the only one refusing these; the headless command agrees now.
    check(
        "output_dir" in unusable
        or (len(params.output_dir) <= MAX_OUTPUT_DIR_CHARS and not _has_control(params.output_dir)),
        "output_dir",
        f"a folder path without control characters, at most {MAX_OUTPUT_DIR_CHARS} characters "
        "(empty for the app's images folder)",
    )
    check(
        "aws_region" in unusable
        or not params.aws_region
        or REGION_RE.fullmatch(params.aws_region) is not None,
        "aws_region",
        REGION_ALLOWED,
    )
    return p


def _has_control(text: str) -> bool:
    """True when ``text`` holds a C0 control character or DEL (newline, tab, NUL, escape)."""
    return any(ord(c) < 32 or c == "\x7f" for c in text)


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

"""Run parameters: the seed's input event, under its names and defaults, plus our additions.

The object loads from and saves to the seed's event JSON, so an event written for the
original Lambda runs here unchanged and one saved here runs there.

Each field is declared once, in ``RunParams`` (``core.param_decl``); validation here, the
form and the README's table are derived from the declarations. The module is a little over
600 lines because those 26 declarations (about 300 lines) belong together, in one place.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from imgloop_desktop.core import jsonsafe, jsonshape
from imgloop_desktop.core import param_values as words
from imgloop_desktop.core.checklist import Checklist
from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP, Phrase
from imgloop_desktop.core.models import ImageModelSpec
from imgloop_desktop.core.param_decl import (
    Bounds,
    ParamField,
    Rule,
    Section,
    Tier,
    declared_fields,
    param,
)
from imgloop_desktop.core.param_values import (
    A_TYPE,
    OR_UNSET,
    coerce,
    has_control,
    problem,
    says,
    short,
    text_words,
)
from imgloop_desktop.core.param_values import TEXT_ALLOWED as TEXT_ALLOWED
from imgloop_desktop.core.param_values import bucket_problem as bucket_problem
from imgloop_desktop.core.protocols import InferenceSettings

# Current models, active on Bedrock in November 2026 (sources in providers/catalog.py); the
# seed's own (below) are past their end of life there, and an event naming them still
# loads and fails at Bedrock with a message naming these.
DEFAULT_IMAGE_MODEL = "stability.sd3-5-large-v1:0"
DEFAULT_JUDGE_MODEL = "us.anthropic.claude-sonnet-4-6"
SEED_IMAGE_MODEL = "amazon.titan-image-generator-v1"
SEED_JUDGE_MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"
MAX_IN_FLIGHT = 8
# A run's cap in US dollars: 100,000 is far past any run a person means (2,100 generations at
# the dearest model's $0.14 is under $300 plus judging); more is a typo.
MAX_COST_USD = 100_000.0
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
REGION_ALLOWED = says(words.REGION_WORDS)
# An event is a flat object of ~30 short fields, the longest a prompt of at most 10,000
# characters (40 KB as UTF-8); 1 MiB leaves room for any formatting and stops a file that is
# plainly not an event (or a device) before it is parsed. Any nesting at all is already a
# wrong type, so the depth limit only has to keep the parser off the stack's edge.
MAX_EVENT_BYTES = 1_048_576
MAX_EVENT_DEPTH = 16
TIMES = "\u00d7"  # the multiplication sign, as in "1024 \u00d7 1024"


def _model_id_ok(model_id: str, *, required: bool) -> bool:
    """Ids, profile ids and ARNs never hold spaces; the catalog matches an id with its
    spaces stripped, so " amazon.titan...\n" would pass there and fail at Bedrock. An
    empty image model id is the catalog's to name (it lists the supported ones)."""
    return (
        (bool(model_id) or not required)
        and len(model_id) <= MAX_MODEL_ID_CHARS
        and not any(c.isspace() for c in model_id)
        and not has_control(model_id)
    )


def _prefix_ok(prefix: str) -> bool:
    return (
        not prefix.startswith("/")
        and ".." not in prefix
        and len(prefix.encode()) <= 900
        and not has_control(prefix)
    )


JUDGE_MODES = ("verdict", "checklist")
# The validator's words are declared in core.param_values (their own catalogue).
CHECKLIST_ALLOWED = says(words.CHECKLIST_WORDS, item="{text, must}")
MODEL_ID_ALLOWED = says(words.MODEL_ID_WORDS, most=MAX_MODEL_ID_CHARS)
BUCKET_ALLOWED = says(words.BUCKET_WORDS)
PREFIX_ALLOWED = says(words.PREFIX_WORDS)
OUTPUT_DIR_ALLOWED = says(words.OUTPUT_DIR_WORDS, most=MAX_OUTPUT_DIR_CHARS)
SIZE_FIELD = "titan_img_width x titan_img_height"
"""The problem name of width and height together: a model allows sizes, not sides."""

# The sides any image model in the catalog makes (Titan and Nova Canvas: 320-4096); a size
# inside them that the chosen model does not make is mapped to its nearest one.
_SIDE = Bounds(320, 4096, words.PIXELS)
# The seed's Titan took at most 5 images per call; models with one image per call make that
# many calls at once, so the number means the same on every model.
MAX_IMAGES_PER_ATTEMPT = 5
_TEMPERATURE = Bounds(0.0, 1.0)
_TOP_P = Bounds(0.0, 1.0)
_TOP_K = Bounds(0, MAX_TOP_K, words.TOP_K_NOTE)
_MAX_TOKENS = Bounds(1, MAX_OUTPUT_TOKENS, words.MAX_TOKENS_NOTE)


# The judge's and the reviser's sampling settings are the seed's two sets of the same four
# fields: each is still declared once per field, in one shape per setting.
_HELP_TEMPERATURE = {
    "judge": QT_TRANSLATE_NOOP("Params", "The judge's sampling temperature"),
    "reviser": QT_TRANSLATE_NOOP("Params", "The reviser's sampling temperature"),
}
_HELP_TOP_P = {
    "judge": QT_TRANSLATE_NOOP("Params", "The judge's nucleus sampling"),
    "reviser": QT_TRANSLATE_NOOP("Params", "The reviser's nucleus sampling"),
}
_HELP_TOP_K = {
    "judge": QT_TRANSLATE_NOOP("Params", "The judge's top-k sampling"),
    "reviser": QT_TRANSLATE_NOOP("Params", "The reviser's top-k sampling"),
}


def _temperature(who: str, section: Section) -> float | None:
    return param(
        1.0,
        label=QT_TRANSLATE_NOOP("Params", "Temperature"),
        help=_HELP_TEMPERATURE[who],
        section=section,
        row=0,
        bounds=_TEMPERATURE,
        step=0.05,
        decimals=3,
    )


def _top_p(who: str, section: Section) -> float | None:
    # Unset by default: current Claude models (Sonnet 4.5 and later, Haiku 4.5) refuse
    # temperature and top_p in one request, and the seed's 0.999 changed almost nothing.
    return param(
        None,
        label=QT_TRANSLATE_NOOP("Params", "Top p"),
        help=_HELP_TOP_P[who],
        section=section,
        row=1,
        bounds=_TOP_P,
        step=0.01,
        decimals=3,
    )


def _top_k(who: str, section: Section) -> int | None:
    return param(
        250,
        label=QT_TRANSLATE_NOOP("Params", "Top k"),
        help=_HELP_TOP_K[who],
        section=section,
        row=2,
        bounds=_TOP_K,
    )


def _max_tokens(help_text: str, section: Section) -> int:
    return param(
        4096,
        label=QT_TRANSLATE_NOOP("Params", "Max tokens"),
        help=help_text,
        section=section,
        row=3,
        bounds=_MAX_TOKENS,
        step=256,
    )


@dataclass(frozen=True)
class RunParams:
    """The seed's event fields under their names and defaults, then ours (``ours=True``).

    Each field is declared once, here: ``param(default, ...)`` carries its label, help,
    group, form place, range or rule (see ``core.param_decl``). Validation, the form and the
    README's table are derived from these declarations.
    """

    prompt: str = param(
        "",
        label=QT_TRANSLATE_NOOP("Params", "Prompt"),
        help=QT_TRANSLATE_NOOP(
            "Params",
            "What the image should show, in any language; the judge checks every image against it",
        ),
        section=Section.PROMPT,
        row=0,
        tier=Tier.ESSENTIAL,
        model_rule="1 to the model's limit (512 characters for Titan G1), not only spaces",
        widget="prompt",
        hint=QT_TRANSLATE_NOOP("Params", "Describe the image you want, in your own words."),
        strip=False,
    )
    max_retry_attempts: int = param(
        5,
        label=QT_TRANSLATE_NOOP("Params", "Attempts per prompt"),
        help=QT_TRANSLATE_NOOP(
            "Params", "Generations per prompt version before the prompt is revised"
        ),
        section=Section.LIMITS,
        row=0,
        tier=Tier.ESSENTIAL,
        bounds=Bounds(1, MAX_RETRY_ATTEMPTS, words.ATTEMPTS_NOTE),
    )
    max_prompt_revisions: int = param(
        3,
        label=QT_TRANSLATE_NOOP("Params", "Prompt revisions"),
        help=QT_TRANSLATE_NOOP(
            "Params", "How many times the prompt may be rewritten; 3 means up to 4 prompt versions"
        ),
        section=Section.LIMITS,
        row=1,
        tier=Tier.ESSENTIAL,
        bounds=Bounds(0, MAX_PROMPT_REVISIONS, words.REVISIONS_NOTE),
    )
    output_s3_bucket_name: str = param(
        "",
        label=QT_TRANSLATE_NOOP("Params", "Bucket"),
        help=QT_TRANSLATE_NOOP("Params", "The S3 bucket each image is uploaded to when S3 is on"),
        section=Section.STORAGE,
        row=2,
        rule=Rule(BUCKET_ALLOWED, why=bucket_problem, only_when="s3_enabled"),
        hint=QT_TRANSLATE_NOOP("Params", "my-bucket"),
    )
    output_s3_key_prefix: str = param(
        "generated-images",
        label=QT_TRANSLATE_NOOP("Params", "Key prefix"),
        help=QT_TRANSLATE_NOOP(
            "Params",
            "Keys are `{prefix}-{yyyymmddHHMMSS}-{revision:03d}-{attempt:03d}.png` "
            "(`-{index}` added when several images per call)",
        ),
        section=Section.STORAGE,
        row=3,
        rule=Rule(PREFIX_ALLOWED, ok=_prefix_ok),
        strip=False,
    )
    claude_validate_temperature: float | None = _temperature("judge", Section.JUDGE_SETTINGS)
    claude_validate_top_p: float | None = _top_p("judge", Section.JUDGE_SETTINGS)
    claude_validate_top_k: int | None = _top_k("judge", Section.JUDGE_SETTINGS)
    claude_validate_max_tokens: int = _max_tokens(
        QT_TRANSLATE_NOOP("Params", "The longest answer the judge may write"),
        Section.JUDGE_SETTINGS,
    )
    claude_revise_temperature: float | None = _temperature("reviser", Section.REVISER_SETTINGS)
    claude_revise_top_p: float | None = _top_p("reviser", Section.REVISER_SETTINGS)
    claude_revise_top_k: int | None = _top_k("reviser", Section.REVISER_SETTINGS)
    claude_revise_max_tokens: int = _max_tokens(
        QT_TRANSLATE_NOOP("Params", "The longest revised prompt the reviser may write"),
        Section.REVISER_SETTINGS,
    )
    titan_img_cfg_scale: float = param(
        8.0,
        label=QT_TRANSLATE_NOOP("Params", "CFG scale"),
        help=QT_TRANSLATE_NOOP(
            "Params", "How closely the image follows the prompt; unused by models without it"
        ),
        section=Section.IMAGE,
        row=2,
        model_rule="the model's range (Titan: 1.1-10); unused by models without one",
        step=0.5,
        decimals=2,
    )
    titan_img_width: int = param(
        1024,
        label=QT_TRANSLATE_NOOP("Params", "Size (W \u00d7 H)"),
        help=QT_TRANSLATE_NOOP("Params", "Image width in pixels"),
        section=Section.IMAGE,
        row=1,
        tier=Tier.ESSENTIAL,
        bounds=_SIDE,
        model_rule="with the height, a size the model makes, else its nearest is used",
        widget="size",
    )
    titan_img_height: int = param(
        1024,
        label=QT_TRANSLATE_NOOP("Params", "Size (W \u00d7 H)"),
        help=QT_TRANSLATE_NOOP("Params", "Image height in pixels"),
        section=Section.IMAGE,
        row=1,
        tier=Tier.ESSENTIAL,
        bounds=_SIDE,
        model_rule="with the width, a size the model makes, else its nearest is used",
        widget="size",
    )
    titan_img_number_of_images: int = param(
        1,
        label=QT_TRANSLATE_NOOP("Params", "Images per attempt"),
        help=QT_TRANSLATE_NOOP(
            "Params",
            "Images each attempt makes, each judged; a model that returns one image per "
            "call gets that many calls at once",
        ),
        section=Section.IMAGE,
        row=3,
        bounds=Bounds(1, MAX_IMAGES_PER_ATTEMPT, words.IMAGES_NOTE),
    )
    titan_img_seed: int = param(
        0,
        label=QT_TRANSLATE_NOOP("Params", "Seed"),
        help=QT_TRANSLATE_NOOP("Params", "0 picks a random seed for each attempt (it is recorded)"),
        section=Section.IMAGE,
        row=4,
        model_rule="0 to the model's maximum seed",
        special=QT_TRANSLATE_NOOP("Params", "0 = random"),
    )
    # Ours, beyond the seed's event:
    image_model_id: str = param(
        DEFAULT_IMAGE_MODEL,
        label=QT_TRANSLATE_NOOP("Params", "Model"),
        help=QT_TRANSLATE_NOOP(
            "Params", "The image model: a catalog id or an inference profile id"
        ),
        section=Section.IMAGE,
        row=0,
        tier=Tier.ESSENTIAL,
        ours=True,
        rule=Rule(MODEL_ID_ALLOWED, ok=lambda v: _model_id_ok(v, required=False)),
        model_rule="one the catalog knows (`imgloop_desktop/providers/catalog.py`)",
        widget="image_model",
    )
    judge_model_id: str = param(
        DEFAULT_JUDGE_MODEL,
        label=QT_TRANSLATE_NOOP("Params", "Model"),
        help=QT_TRANSLATE_NOOP("Params", "Judge and reviser: any Converse model that reads images"),
        section=Section.JUDGE,
        row=0,
        tier=Tier.ESSENTIAL,
        ours=True,
        rule=Rule(MODEL_ID_ALLOWED, ok=lambda v: _model_id_ok(v, required=True)),
        widget="judge_model",
        hint=QT_TRANSLATE_NOOP("Params", "model id, inference profile id or ARN"),
    )
    judge_mode: str = param(
        "verdict",
        label=QT_TRANSLATE_NOOP("Params", "Approval"),
        help=QT_TRANSLATE_NOOP(
            "Params",
            "`checklist`: the judge checks each requirement of a checklist and an image is "
            "approved when every must is met; `verdict`: the seed's one YES/NO for the "
            "whole prompt",
        ),
        section=Section.JUDGE,
        row=1,
        tier=Tier.ESSENTIAL,
        ours=True,
        choices=JUDGE_MODES,
        default_text="`verdict` in an event (the seed's behaviour; `checklist` when the event "
        "carries one); `checklist` in the window and its presets",
    )
    # param() returns a dataclass field(); ruff only knows built-in types are immutable.
    checklist: Checklist | None = param(  # noqa: RUF009
        None,
        label=QT_TRANSLATE_NOOP("Params", "Checklist"),
        help=QT_TRANSLATE_NOOP(
            "Params",
            "The requirements each image is checked against, a list of `{text, must}` "
            "(optionally `id`, `kind`, `depends_on`); unset: the judge model writes one from the "
            "prompt before the first image (`imgloop-cli checklist` prints it)",
        ),
        section=Section.JUDGE,
        row=2,
        tier=Tier.ESSENTIAL,
        ours=True,
        rule=Rule(CHECKLIST_ALLOWED, ok=lambda v: isinstance(v, Checklist)),
        widget="checklist",
        default_text="unset",
    )
    output_dir: str = param(
        "",
        label=QT_TRANSLATE_NOOP("Params", "Local folder"),
        help=QT_TRANSLATE_NOOP("Params", "Where every image is written first"),
        section=Section.STORAGE,
        row=0,
        tier=Tier.ESSENTIAL,
        ours=True,
        # The window used to be the only one refusing these; the headless command agrees now.
        rule=Rule(
            OUTPUT_DIR_ALLOWED,
            ok=lambda v: len(v) <= MAX_OUTPUT_DIR_CHARS and not has_control(v),
        ),
        widget="folder",
        default_text="`<data dir>/images`",
    )
    s3_enabled: bool = param(
        False,
        label=QT_TRANSLATE_NOOP("Params", "S3"),
        help=QT_TRANSLATE_NOOP(
            "Params", "Upload each image to S3 as well (a mirror: a failed upload is retried later)"
        ),
        section=Section.STORAGE,
        row=1,
        tier=Tier.ESSENTIAL,
        ours=True,
        hint=QT_TRANSLATE_NOOP("Params", "Upload each image to S3 as well"),
        default_text="true when the event names a bucket",
    )
    aws_region: str = param(
        "",
        label=QT_TRANSLATE_NOOP("Params", "Region"),
        help=QT_TRANSLATE_NOOP(
            "Params",
            "Where the models are called; anything but a region name is invalid input (exit 2)",
        ),
        section=Section.STORAGE,
        row=4,
        ours=True,
        rule=Rule(REGION_ALLOWED, ok=lambda v: not v or REGION_RE.fullmatch(v) is not None),
        widget="region",
        hint=QT_TRANSLATE_NOOP("Params", "the profile's region, else us-east-1"),
        default_text="the profile's region, else `us-east-1`",
    )
    candidates_in_flight: int = param(
        1,
        label=QT_TRANSLATE_NOOP("Params", "Candidates at once"),
        help=QT_TRANSLATE_NOOP(
            "Params", "Candidates generated or judged at the same time for the current prompt"
        ),
        section=Section.LIMITS,
        row=2,
        ours=True,
        bounds=Bounds(1, MAX_IN_FLIGHT, words.IN_FLIGHT_NOTE),
    )
    speculative_next: bool = param(
        False,
        label=QT_TRANSLATE_NOOP("Params", "Look ahead"),
        help=QT_TRANSLATE_NOOP(
            "Params", "Start the next generation while the current image is judged"
        ),
        section=Section.LIMITS,
        row=3,
        ours=True,
        hint=QT_TRANSLATE_NOOP("Params", "Generate the next while judging"),
    )
    max_cost_usd: float = param(
        0.0,
        label=QT_TRANSLATE_NOOP("Params", "Budget per run"),
        help=QT_TRANSLATE_NOOP(
            "Params",
            "The most this run may spend, in US dollars: a call whose worst case would pass "
            "it is not started and the run ends with outcome `budget`, keeping everything made",
        ),
        section=Section.LIMITS,
        row=5,
        ours=True,
        bounds=Bounds(0.01, MAX_COST_USD, words.US_DOLLARS, off=0, off_means=words.NO_CAP),
        step=0.5,
        decimals=2,
        special=QT_TRANSLATE_NOOP("Params", "0 = no cap"),
    )
    judge_image_max_side: int = param(
        0,
        label=QT_TRANSLATE_NOOP("Params", "Judge image size"),
        help=QT_TRANSLATE_NOOP(
            "Params", "Longest side of the copy sent to the judge; the kept image is never resized"
        ),
        section=Section.LIMITS,
        row=4,
        ours=True,
        bounds=Bounds(
            MIN_JUDGE_SIDE, MAX_JUDGE_SIDE, words.PIXELS, off=0, off_means=words.FULL_IMAGE
        ),
        step=64,
        special=QT_TRANSLATE_NOOP("Params", "0 = full image"),
    )

    @property
    def uses_checklist(self) -> bool:
        return self.judge_mode == "checklist"

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
        """The event as JSON-ready values (the checklist as its list of items)."""
        event: dict[str, Any] = {}
        for f in PARAMS:
            value = getattr(self, f.name)
            event[f.name] = value.to_json() if isinstance(value, Checklist) else value
        return event

    @classmethod
    def from_event(cls, event: object) -> RunParams:
        """Read a seed event (or one of ours). Raises ValidationError naming every bad field.

        The seed needed a bucket, so an event that names one and does not say otherwise
        keeps uploading to S3 as it did there. ``event`` may come from JSON or be built in
        code (the Lambda runtime, tests): any value answers as a Problem, never a traceback.
        Text holding NUL or a lone surrogate is refused here already, because no file,
        database or terminal can take it and everything after loading would have to.
        """
        if isinstance(event, dict):
            event = {k: None if k in _UNSETTABLE and v == UNSET else v for k, v in event.items()}
        problems = jsonshape.check(_EVENT_SHAPE, event, _EVENT_WORDS)
        if problems:
            raise ValidationError(problems)
        assert isinstance(event, dict)  # the shape says so
        # Checked: each value converts (3.0 to 3 for a whole number, 1 to 1.0 for a number).
        values: dict[str, Any] = {
            k: v if v is None or k == "checklist" else coerce(v, _FIELD_TYPES[k])
            for k, v in event.items()
        }
        if values.get("checklist") is not None:
            values["checklist"] = Checklist.from_json(values["checklist"], name="checklist")
            # A checklist says how to judge: an event that carries one and does not say
            # otherwise is judged against it.
            values.setdefault("judge_mode", "checklist")
        if "s3_enabled" not in event and values.get("output_s3_bucket_name"):
            values["s3_enabled"] = True
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
                [Problem.of("event file", short(str(path)), words.READABLE_FILE, reason=reason)]
            ) from exc
        except ValueError as exc:  # open() refuses a path holding NUL
            raise ValidationError(
                [Problem.of("event file", short(str(path)), words.NO_NUL_PATH)]
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
            limits = Problem.of(
                field,
                short(source_name),
                words.EVENT_LIMITS,
                bytes=f"{MAX_EVENT_BYTES:,}",
                depth=MAX_EVENT_DEPTH,
                digits=jsonsafe.MAX_INT_DIGITS,
                reason=str(exc),
            )
            raise ValidationError([limits]) from exc
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
        raise ValidationError([Problem.of(field, short(source_name), words.UTF8_TEXT)]) from exc
    size = len(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    if size > MAX_EVENT_BYTES:
        raise ValidationError(
            [
                Problem.of(
                    field, short(source_name), words.EVENT_TOO_LONG, bytes=f"{MAX_EVENT_BYTES:,}"
                )
            ]
        )
    return data


PARAMS: tuple[ParamField, ...] = declared_fields(RunParams)
"""Every run field with its declaration, in the event's (the seed's) order."""
PARAMS_BY_NAME: dict[str, ParamField] = {f.name: f for f in PARAMS}
_FIELD_TYPES: dict[str, type] = {f.name: f.type for f in PARAMS}
UNSET = "unset"
"""What an event writes for a setting left out of the request (JSON null means the same)."""
_UNSETTABLE = frozenset(f.name for f in PARAMS if f.unsettable)


def _event_shape(f: ParamField) -> jsonshape.Shape:
    """What JSON gives for field ``f``, worded as events always were ("a whole number");
    ranges are ``validate``'s, since they may depend on the model."""
    expected = f.type
    if expected is Checklist:  # its items are checked by Checklist.from_json
        return jsonshape.OrNull(jsonshape.AnyValue(), CHECKLIST_ALLOWED)
    a_type = says(A_TYPE[expected])
    if f.unsettable:
        inner = _plain_shape(expected, a_type)
        allowed = says(OR_UNSET, type=a_type, unset=UNSET)
        return jsonshape.OrNull(inner, allowed)  # "unset" is read as null before the check
    return _plain_shape(expected, a_type)


def _plain_shape(expected: type, allowed: words.Words) -> jsonshape.Shape:
    if expected is bool:
        return jsonshape.Bool(allowed=allowed)
    if expected is int:
        return jsonshape.Int(whole_floats=True, allowed=allowed)
    if expected is float:
        return jsonshape.Num(allowed=allowed)
    # Text no file, database or terminal can take is refused at loading already.
    return jsonshape.Str(rule=text_words, allowed=allowed)


_EVENT_SHAPE = jsonshape.Obj(
    {f.name: jsonshape.Opt(_event_shape(f)) for f in PARAMS},
    extra=False,
    value_order=True,
)
"""A seed event: an object of known fields, each optional, nothing else; its problems in
the order the event lists its fields."""
_EVENT_WORDS = jsonshape.Plain("event", bare=True)


def model_limits(spec: ImageModelSpec) -> dict[str, tuple[float, float] | None]:
    """The number ranges ``spec`` sets, by field: what ``validate`` checks and the form's
    spin boxes hold. None: the model has no such setting (the value is unused)."""
    return {
        "titan_img_cfg_scale": spec.cfg_range,
        "titan_img_seed": (0, spec.seed_max),
    }


_MODEL_LIMIT_WORDS = {"titan_img_cfg_scale": words.CFG_WORDS, "titan_img_seed": words.SEED_WORDS}
_MODEL_LIMIT_FORMAT = {"titan_img_cfg_scale": "{:g}", "titan_img_seed": "{:.0f}"}


def validate(params: RunParams, spec: ImageModelSpec) -> list[Problem]:
    """Every problem with ``params`` against ``spec``'s real limits.

    The rules come from each field's declaration (``PARAMS``), then the rules that need the
    model. Every field has an upper bound too: a value Bedrock would take can still be one
    no person meant (10**30 revisions), and it must be refused before any call is paid for.
    ``params`` may be built in code (the window), so any value answers as a Problem.
    """
    p: list[Problem] = []
    for f in PARAMS:
        value = getattr(params, f.name)
        # Text no file, database or terminal can take is refused first; the field's other
        # rules then see only text that can be kept and printed.
        why: words.Words | None = text_words(value) if isinstance(value, str) else None
        if why is None:
            rule = f.declared.rule
            if rule is not None and rule.only_when and not getattr(params, rule.only_when):
                continue
            why = f.declared.problem(value)
        if why:
            p.append(problem(f.name, short(value), why))

    # Rules that depend on the model; each field declares them in words (``model_rule``).
    prompt_len = len(params.prompt)
    if not (1 <= prompt_len <= spec.prompt_max_chars and params.prompt.strip()):
        p.append(
            Problem.of(
                "prompt",
                short(params.prompt),
                words.PROMPT_WORDS,
                most=spec.prompt_max_chars,
                model=spec.name,
                count=f"{prompt_len:,}",
            )
        )
    if params.checklist is not None and not params.uses_checklist:
        p.append(
            Problem.of(
                "checklist", f"{len(params.checklist.items)} item(s)", words.CHECKLIST_UNUSED
            )
        )
    for name, bounds in model_limits(spec).items():
        value = getattr(params, name)
        if bounds is not None and not bounds[0] <= value <= bounds[1]:
            low, high = (_MODEL_LIMIT_FORMAT[name].format(b) for b in bounds)
            p.append(
                Problem.of(
                    name,
                    short(value),
                    _MODEL_LIMIT_WORDS[name],
                    low=low,
                    high=high,
                    model=spec.name,
                )
            )
    return p


def fit_to_model(params: RunParams, spec: ImageModelSpec) -> tuple[RunParams, tuple[Phrase, ...]]:
    """``params`` as ``spec`` will run them, and what that changed, in words.

    The seed's fields are Titan's; every model still runs a seed event. A size the model
    does not make becomes its nearest (same aspect ratio first), and a setting the model
    has no use for is named as unused rather than silently dropped. Both notes are shown
    while the run goes and kept with it.
    """
    notes: list[Phrase] = []
    width, height = params.titan_img_width, params.titan_img_height
    fitted = spec.nearest_size(width, height)
    if fitted != (width, height):
        template = QT_TRANSLATE_NOOP(
            "RunNotes", "{asked} is not a size {model} makes; the nearest, {used}, is used."
        )
        asked, used = f"{width}{TIMES}{height}", f"{fitted[0]}{TIMES}{fitted[1]}"
        notes.append(
            Phrase("RunNotes", template, {"asked": asked, "model": spec.name, "used": used})
        )
        params = params.with_changes(titan_img_width=fitted[0], titan_img_height=fitted[1])
    if spec.cfg_range is None:
        template = QT_TRANSLATE_NOOP(
            "RunNotes", "titan_img_cfg_scale ({cfg}) is not used: {model} has no CFG setting."
        )
        cfg = f"{params.titan_img_cfg_scale:g}"
        notes.append(Phrase("RunNotes", template, {"cfg": cfg, "model": spec.name}))
    images = params.titan_img_number_of_images
    if images > spec.max_images:
        template = QT_TRANSLATE_NOOP(
            "RunNotes",
            "{model} returns {per_call} image(s) per call, so each attempt makes "
            "{calls} calls at once for {images} images.",
        )
        values = {
            "model": spec.name,
            "per_call": spec.max_images,
            "calls": -(-images // spec.max_images),
            "images": images,
        }
        notes.append(Phrase("RunNotes", template, values))
    return params, tuple(notes)


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


if __name__ == "__main__":  # python -m imgloop_desktop.core.params --readme-table
    from imgloop_desktop.core.param_docs import main

    sys.exit(main())

"""How a run field's value from outside is taken and shown: JSON conversion, unusable text,
S3 bucket names, the short printable form a Problem shows, and the validator's words.

Apart from ``core.params`` so that module holds the fields' declarations and the checks
built from them; these helpers know nothing of any one field. The validator's words for
the run fields are declared here too (``QT_TRANSLATE_NOOP("Validation", ...)``, values
apart), not in ``core.params``: that module's own text is the form's, extracted into its
own catalogue (``resources/i18n/README.md``), and these go to ``validation.ts``.
"""

from __future__ import annotations

import math
import re

from imgloop_desktop.core import jsonsafe
from imgloop_desktop.core.errors import VALIDATION, Problem
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP, Phrase

Words = str | Phrase
"""What a validator says is allowed: a Phrase (translated in the window) or plain English
(words from elsewhere that are not translated, e.g. a stored file's reader)."""


def says(template: str, **values: object) -> Phrase:
    """The validator's words: ``template`` (marked ``QT_TRANSLATE_NOOP("Validation", ...)``
    where declared) with ``values``."""
    return Phrase(VALIDATION, template, values)


def problem(field: str, value: object, words: Words) -> Problem:
    """A Problem whose allowed ``words`` were built elsewhere (a declaration, a rule): a
    Phrase keeps its template and values for the window, plain text stays as it is."""
    if isinstance(words, Phrase):
        return Problem(field, value, str(words), words)
    return Problem(field, value, words)


TEXT_ALLOWED = "text without NUL characters or lone UTF-16 surrogates (\\ud800-\\udfff)"
TEXT_AT = QT_TRANSLATE_NOOP(
    "Validation",
    "text without NUL characters or lone UTF-16 surrogates (\\ud800-\\udfff); "
    "this one has one at character {position}",
)

# S3's bucket naming rules (general purpose buckets), checked in ``bucket_problem``.
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP_RE = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_BUCKET_BAD_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_BAD_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def has_control(text: str) -> bool:
    """True when ``text`` holds a C0 control character or DEL (newline, tab, NUL, escape)."""
    return any(ord(c) < 32 or c == "\x7f" for c in text)


TYPE_WORDS = {str: "string", int: "whole number", float: "number", bool: "true or false"}
A_TYPE = {
    str: QT_TRANSLATE_NOOP("Validation", "a string"),
    int: QT_TRANSLATE_NOOP("Validation", "a whole number"),
    float: QT_TRANSLATE_NOOP("Validation", "a number"),
    bool: QT_TRANSLATE_NOOP("Validation", "a true or false"),
}
"""A run field's type as an event's problem says it ("a whole number")."""
OR_UNSET = QT_TRANSLATE_NOOP("Validation", '{type}, or "{unset}" (or null) to leave it out')
ONE_OF = QT_TRANSLATE_NOOP("Validation", "one of {choices}")

# The run fields' words (their declarations in ``core.params`` use these).
RANGE = QT_TRANSLATE_NOOP("Validation", "{low}-{high}")
RANGE_NOTE = QT_TRANSLATE_NOOP("Validation", "{low}-{high} {note}")
OFF_OR_RANGE = QT_TRANSLATE_NOOP("Validation", "{off} ({off_means}) or {range}")
PIXELS = QT_TRANSLATE_NOOP("Validation", "pixels")
TOP_K_NOTE = QT_TRANSLATE_NOOP(
    "Validation", "(Anthropic's documented range; 0 lets the model choose)"
)
MAX_TOKENS_NOTE = QT_TRANSLATE_NOOP(
    "Validation",
    "tokens (the largest output of the catalog's judge models; "
    "a model with a lower ceiling refuses more itself)",
)
ATTEMPTS_NOTE = QT_TRANSLATE_NOOP("Validation", "generations per prompt version")
REVISIONS_NOTE = QT_TRANSLATE_NOOP("Validation", "revisions of the prompt")
IMAGES_NOTE = QT_TRANSLATE_NOOP("Validation", "images (the seed's Titan maximum)")
IN_FLIGHT_NOTE = QT_TRANSLATE_NOOP("Validation", "candidates generated or judged at once")
US_DOLLARS = QT_TRANSLATE_NOOP("Validation", "US dollars")
NO_CAP = QT_TRANSLATE_NOOP("Validation", "no cap")
FULL_IMAGE = QT_TRANSLATE_NOOP("Validation", "send the full image")
REGION_WORDS = QT_TRANSLATE_NOOP(
    "Validation", "a region name like us-east-1, or empty for the profile's region"
)
CHECKLIST_WORDS = QT_TRANSLATE_NOOP(
    "Validation",
    'a list of {item} items (used with judge_mode "checklist"), or unset to have the '
    "judge model write one",
)
MODEL_ID_WORDS = QT_TRANSLATE_NOOP(
    "Validation",
    "a Bedrock model id, inference profile id or ARN: at most {most} characters, "
    "no spaces or control characters",
)
BUCKET_WORDS = QT_TRANSLATE_NOOP("Validation", "an S3 bucket name (checked only when S3 is on)")
PREFIX_WORDS = QT_TRANSLATE_NOOP(
    "Validation",
    "a key prefix without a leading '/', '..' or control characters, at most 900 bytes",
)
OUTPUT_DIR_WORDS = QT_TRANSLATE_NOOP(
    "Validation",
    "a folder path without control characters, at most {most} characters "
    "(empty for the app's images folder)",
)
PROMPT_WORDS = QT_TRANSLATE_NOOP(
    "Validation", "1-{most} characters for {model} (this one has {count})"
)
CHECKLIST_UNUSED = QT_TRANSLATE_NOOP(
    "Validation",
    'unset while judge_mode is "verdict" (a checklist is used only with judge_mode "checklist")',
)
CFG_WORDS = QT_TRANSLATE_NOOP("Validation", "{low}-{high} for {model}")
SEED_WORDS = QT_TRANSLATE_NOOP("Validation", "{low}-{high} (0 picks a random seed)")
SIZE_TEXT_WORDS = QT_TRANSLATE_NOOP(
    "Validation", "a width {times} height in pixels, like {example}"
)

# Reading a file or a stream (an event, a batch, a settings file).
READABLE_FILE = QT_TRANSLATE_NOOP("Validation", "a readable file ({reason})")
NO_NUL_PATH = QT_TRANSLATE_NOOP("Validation", "a file path without NUL characters")
UTF8_TEXT = QT_TRANSLATE_NOOP("Validation", "UTF-8 text")
EVENT_LIMITS = QT_TRANSLATE_NOOP(
    "Validation",
    "a JSON object of at most {bytes} bytes of UTF-8, nested at most {depth} levels, with "
    "whole numbers of at most {digits} digits and finite numbers; {reason}",
)
EVENT_TOO_LONG = QT_TRANSLATE_NOOP(
    "Validation", "an event of at most {bytes} bytes (this one is longer)"
)


def coerce(value: object, expected: type) -> object:
    """A value ``core.jsonshape`` has checked, as the field's type: 3.0 read for a whole
    number is 3 and 1 read for a number is 1.0 (JSON writers differ); every other mismatch,
    a bool for a number included, was refused by the check."""
    if expected is int and isinstance(value, float):
        return int(value)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def text_words(text: str) -> Phrase | None:
    """Why ``text`` cannot be kept, printed or sent (NUL, lone surrogate), or None."""
    if "\x00" in text or jsonsafe.has_surrogate(text):
        where = next(i for i, c in enumerate(text) if c == "\x00" or "\ud800" <= c <= "\udfff")
        return says(TEXT_AT, position=where + 1)
    return None


def text_problem(text: str) -> str | None:
    """``text_words`` in English (for readers whose problems are not shown translated)."""
    words = text_words(text)
    return None if words is None else str(words)


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with each lone surrogate written out as ``\\udxxx``, so it can be printed."""
    return _SURROGATE_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def field_name(key: object) -> str:
    """An unknown field's name as shown: printable and short whatever the key was."""
    if key == "":
        return '""'  # an empty name would read as no field at all
    shown = short(key)
    return shown if isinstance(shown, str) else f"<{type(key).__name__} key>"


def short(value: object) -> object:
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
        text = printable(value)
        return text[:77] + "..." if len(text) > 80 else text
    if isinstance(value, list | tuple | dict | set | frozenset):
        return f"<{type(value).__name__} of {len(value):,} items>"
    return f"<{type(value).__name__}>"


BUCKET_NAME = QT_TRANSLATE_NOOP(
    "Validation",
    "3-63 characters of lowercase letters, digits, '.' and '-', starting and ending "
    "with a letter or digit, not an IP address, no '..'",
)
BUCKET_RESERVED = QT_TRANSLATE_NOOP(
    "Validation",
    "a name without the prefixes and suffixes S3 reserves (xn--, sthree-, -s3alias, --ol-s3, ...)",
)


def bucket_problem(name: str) -> Phrase | None:
    """Why ``name`` breaks S3's general purpose bucket naming rules, or None."""
    if not _BUCKET_RE.match(name) or ".." in name or _IP_RE.match(name):
        return says(BUCKET_NAME)
    if name.startswith(_BUCKET_BAD_PREFIXES) or name.endswith(_BUCKET_BAD_SUFFIXES):
        return says(BUCKET_RESERVED)
    return None

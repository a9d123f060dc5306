"""How a run field's value from outside is taken and shown: JSON conversion, unusable text,
S3 bucket names, and the short printable form a Problem shows.

Apart from ``core.params`` so that module holds the fields' declarations and the checks
built from them; these helpers know nothing of any one field.
"""

from __future__ import annotations

import math
import re

from imgloop_desktop.core import jsonsafe

TEXT_ALLOWED = "text without NUL characters or lone UTF-16 surrogates (\\ud800-\\udfff)"

# S3's bucket naming rules (general purpose buckets), checked in ``bucket_problem``.
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP_RE = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_BUCKET_BAD_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_BAD_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def has_control(text: str) -> bool:
    """True when ``text`` holds a C0 control character or DEL (newline, tab, NUL, escape)."""
    return any(ord(c) < 32 or c == "\x7f" for c in text)


TYPE_WORDS = {str: "string", int: "whole number", float: "number", bool: "true or false"}


def coerce(value: object, expected: type) -> object:
    """A value ``core.jsonshape`` has checked, as the field's type: 3.0 read for a whole
    number is 3 and 1 read for a number is 1.0 (JSON writers differ); every other mismatch,
    a bool for a number included, was refused by the check."""
    if expected is int and isinstance(value, float):
        return int(value)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be kept, printed or sent (NUL, lone surrogate), or None."""
    if "\x00" in text or jsonsafe.has_surrogate(text):
        where = next(i for i, c in enumerate(text) if c == "\x00" or "\ud800" <= c <= "\udfff")
        return f"{TEXT_ALLOWED}; this one has one at character {where + 1}"
    return None


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

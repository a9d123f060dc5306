"""JSON from outside (events, model bodies, manifests) read under limits, never a traceback.

Python's ``json`` happily builds a 100,000-deep list until it overflows the stack, turns a
5,000-digit number into a ``ValueError`` about "integer string conversion", reads ``1e400``
as infinity and ``NaN`` as a float. Every reader of untrusted JSON goes through ``loads``
here, so each of those answers as one ``JsonLimitError`` naming what was wrong.
"""

from __future__ import annotations

import json
import math
import re

from imgloop_desktop.core.errors import ImgloopError

DEFAULT_MAX_DEPTH = 64
# Enough for any integer a run field or a model body can hold (seeds, token counts).
MAX_INT_DIGITS = 40


class JsonLimitError(ImgloopError):
    """Not JSON, or JSON beyond the limits the reader set; the message says which."""


def loads(
    data: str | bytes,
    *,
    what: str,
    max_bytes: int,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> object:
    """Parse ``data`` as JSON under size, depth and number limits.

    ``what`` names the input in the message ("event file x.json", "the body of model y").
    """
    size = len(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    if size > max_bytes:
        raise JsonLimitError(f"{what} is {size:,} bytes; at most {max_bytes:,} are read")
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonLimitError(f"{what} is not UTF-8 text (byte {exc.start})") from exc
    else:
        text = data
    depth = nesting_depth(text)
    if depth > max_depth:
        raise JsonLimitError(f"{what} nests {depth} levels deep; at most {max_depth} are read")
    try:
        return json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as exc:
        raise JsonLimitError(
            f"{what} is not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})"
        ) from exc
    except (ValueError, RecursionError) as exc:  # our hooks' refusals, or the stack anyway
        raise JsonLimitError(f"{what}: {exc}") from exc


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # unrolled: no per-char alternation
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def nesting_depth(text: str) -> int:
    """The deepest ``[``/``{`` nesting in ``text``, brackets inside strings not counted.

    Known before the recursive parser could overflow. Strings and everything that is not a
    bracket are dropped by regular expressions first (in C), so a 256 MB body of base64
    costs a scan of its few brackets, not a Python loop over every character.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    depth = deepest = 0
    for char in brackets:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def has_surrogate(text: str) -> bool:
    """True when ``text`` holds a lone UTF-16 surrogate, which no file or terminal can encode."""
    return any("\ud800" <= char <= "\udfff" for char in text)


def _parse_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(
            f"a number of {len(digits.lstrip('-')):,} digits; at most {MAX_INT_DIGITS} are read"
        )
    return int(digits)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is too large for a float")
    return value


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")

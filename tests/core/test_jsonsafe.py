"""The bounded JSON reader: every limit answers as JsonLimitError, never a traceback, and
JSON within the limits reads exactly as Python's own parser reads it."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from imgloop_desktop.core import jsonsafe
from imgloop_desktop.core.jsonsafe import JsonLimitError, has_surrogate, nesting_depth

BIG = 1_000_000


def read(data: str | bytes, **limits: int) -> object:
    return jsonsafe.loads(data, what="the input", max_bytes=limits.pop("max_bytes", BIG), **limits)


def test_plain_json_reads_as_json() -> None:
    text = '{"a": [1, -2.5, true, null, "x"], "b": {"c": "湖"}}'
    assert read(text) == json.loads(text)
    assert read(text.encode("utf-8")) == json.loads(text)


def test_size_limit_counts_utf8_bytes_and_is_inclusive() -> None:
    text = '"湖"'  # 5 bytes as UTF-8, 3 characters
    assert read(text, max_bytes=5) == "湖"
    with pytest.raises(JsonLimitError, match="the input is 5 bytes; at most 4 are read"):
        read(text, max_bytes=4)


def test_a_lone_surrogate_in_text_is_sized_not_a_traceback() -> None:
    assert read('"\ud800"', max_bytes=5) == "\ud800"


def test_depth_limit_is_inclusive() -> None:
    assert read("[" * 64 + "]" * 64) is not None
    with pytest.raises(JsonLimitError, match="nests 65 levels deep; at most 64"):
        read("[" * 65 + "]" * 65)


def test_100000_deep_nesting_is_refused_before_parsing() -> None:
    with pytest.raises(JsonLimitError, match="nests 100000 levels"):
        read("[" * 100_000 + "]" * 100_000)
    with pytest.raises(JsonLimitError, match="nests 100000 levels"):
        read('{"a":' * 100_000 + "1" + "}" * 100_000)


def test_brackets_inside_strings_do_not_count() -> None:
    assert nesting_depth('["[[[[", "\\"[[[", "\\\\", [1]]') == 2
    assert read('["' + "[" * 1000 + '"]') == ["[" * 1000]


@pytest.mark.parametrize("digits", [40, 41, 4301, 5000])
def test_integer_digits_are_limited(digits: int) -> None:
    for sign in ("", "-"):
        text = sign + "9" * digits
        if digits <= jsonsafe.MAX_INT_DIGITS:
            assert read(text) == int(text)
        else:
            with pytest.raises(JsonLimitError, match=f"a number of {digits:,} digits"):
                read(text)


@pytest.mark.parametrize("text", ["1e400", "-1e400", "1E+999", "123456789" * 50 + ".0"])
def test_numbers_beyond_a_float_are_refused(text: str) -> None:
    with pytest.raises(JsonLimitError, match="too large for a float"):
        read(text)


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "[1, NaN]"])
def test_non_json_constants_are_refused(text: str) -> None:
    with pytest.raises(JsonLimitError, match="is not a JSON number"):
        read(text)


def test_tiny_floats_underflow_to_zero_as_json_does() -> None:
    assert read("1e-400") == 0.0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe{}", "not UTF-8 text"),
        ("", "not valid JSON"),
        ('{"a": 1,}', "line 1 column 9"),
        ("\ufeff{}", "not valid JSON"),
        ("[1] [2]", "Extra data"),
    ],
)
def test_bad_text_is_named(data: str | bytes, message: str) -> None:
    with pytest.raises(JsonLimitError, match=message):
        read(data)


def test_has_surrogate() -> None:
    assert has_surrogate("a\ud800b") and has_surrogate("\udfff")
    assert not has_surrogate("湖 🌄 \ue000")


# -- properties -------------------------------------------------------------------------------

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**39), max_value=10**39)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
JSON_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=150, deadline=None)
@given(JSON_VALUES, st.booleans())
def test_json_within_the_limits_reads_as_json_reads_it(value: object, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert nesting_depth(text) == _depth(value)
    assert read(text) == json.loads(text)


@settings(max_examples=150, deadline=None)
@given(st.text() | st.binary())
@example("[" * 100_000)
@example("9" * 5000)
@example("-1e400")
@example(b"\xed\xa0\x80")  # a surrogate encoded as UTF-8: not valid UTF-8
@example('"\\ud800"')
def test_anything_reads_or_is_refused_cleanly(data: str | bytes) -> None:
    try:
        read(data, max_bytes=10_000)
    except JsonLimitError as exc:
        assert str(exc).startswith("the input")

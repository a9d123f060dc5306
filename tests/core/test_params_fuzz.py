"""Property-based fuzzing of the event loader and validation (issue 17, "every bad input
answered"): whatever an event holds, reading and checking it ends in a RunParams or a
ValidationError whose every problem can be printed and written as JSON; never a traceback,
and nothing that passes validation holds a value outside its documented range."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import fields
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from imgloop_desktop.core.checklist import Checklist
from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.params import (
    MAX_OUTPUT_TOKENS,
    MAX_PROMPT_REVISIONS,
    MAX_RETRY_ATTEMPTS,
    MAX_TOP_K,
    PARAMS_BY_NAME,
    RunParams,
    validate,
)
from tests.fakes import SPEC

FIELDS = [f.name for f in fields(RunParams)]
GOOD: dict[str, Any] = {"prompt": "a lake at dawn", "max_retry_attempts": 2}

# Values a wild event can hold: every JSON type, and what JSON readers and code can make
# that JSON cannot (huge ints, infinities, NaN, lone surrogates, NUL, deep nesting).
# Built lazily from exponents: hypothesis reprs its strategies and examples, and an int past
# 4,300 digits cannot be repr'd.
HUGE_INTS = st.integers(min_value=0, max_value=6000).map(lambda n: 10**n) | st.sampled_from(
    [63, 64, 400, 5000]
).map(lambda n: 2**n if n < 100 else 10**n)
WILD_FLOATS = st.floats() | st.sampled_from([math.inf, -math.inf, math.nan, 1e308, -0.0])
WILD_TEXT = (
    st.text()
    | st.text(alphabet=st.characters(codec=None, categories=None), max_size=20)
    | st.sampled_from(["\x00", "a\x00b", "\ud800", "x\udfffy", "\n", "us-east-1\n", " ", ""])
    | st.text(min_size=500, max_size=2000)
)
SCALARS = st.none() | st.booleans() | st.integers() | HUGE_INTS | WILD_FLOATS | WILD_TEXT
WILD = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _deep(depth: int) -> Any:
    """A list nested ``depth`` deep, built without recursion (its repr would overflow)."""
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


EVENTS = st.dictionaries(
    st.sampled_from(FIELDS) | st.text(max_size=12), WILD, max_size=8
) | st.builds(
    lambda base, extra: base | extra,
    st.just(GOOD),
    st.dictionaries(st.sampled_from(FIELDS), WILD, max_size=3),
)


def answered(problems: list[Problem]) -> None:
    """Each problem names a field and what is allowed, and prints and encodes cleanly."""
    assert problems
    for problem in problems:
        assert problem.field and problem.allowed
        str(problem).encode("utf-8")
    ValidationError(problems)
    json.dumps(
        [{"field": p.field, "value": p.value, "allowed": p.allowed} for p in problems],
        ensure_ascii=False,
    ).encode("utf-8")


def in_range(params: RunParams) -> None:
    """What validation passed is within the documented ranges and can be saved."""
    assert 1 <= params.max_retry_attempts <= MAX_RETRY_ATTEMPTS
    assert 0 <= params.max_prompt_revisions <= MAX_PROMPT_REVISIONS
    for role in ("validate", "revise"):
        top_k = getattr(params, f"claude_{role}_top_k")
        assert top_k is None or 0 <= top_k <= MAX_TOP_K
        assert 1 <= getattr(params, f"claude_{role}_max_tokens") <= MAX_OUTPUT_TOKENS
    for value in params.to_event().values():
        if isinstance(value, str):
            assert "\x00" not in value
            value.encode("utf-8")
    json.dumps(params.to_event(), ensure_ascii=False).encode("utf-8")


def check(load: Callable[[], RunParams]) -> RunParams | None:
    """Run ``load`` and validate what it returns: one clean answer either way."""
    try:
        params = load()
    except ValidationError as exc:
        answered(exc.problems)
        return None
    problems = validate(params, SPEC)
    if problems:
        answered(problems)
        return None
    in_range(params)
    return params


# -- the regression corpus: every case issue 17 names ----------------------------------------

CORPUS_TEXT = [
    '{"prompt": "x", "titan_img_seed": ' + "9" * 4301 + "}",
    '{"prompt": "x", "titan_img_seed": -' + "9" * 5000 + "}",
    '{"prompt": "x", "titan_img_cfg_scale": 1e400}',
    '{"prompt": "x", "titan_img_cfg_scale": -1e400}',
    '{"prompt": "x", "max_retry_attempts": 1e400}',
    '{"prompt": "x", "claude_validate_temperature": NaN}',
    '{"prompt": "x", "claude_validate_temperature": Infinity}',
    '{"prompt": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "[" * 100_000,
    '{"prompt": "a lake \\ud800 at dawn"}',
    '{"prompt": "a lake \\u0000 at dawn"}',
    '{"prompt": "x", "max_retry_attempts": 1' + "0" * 400 + "}",
    '{"prompt": "x", "max_prompt_revisions": 1' + "0" * 30 + "}",
    '{"prompt": "x", "claude_validate_max_tokens": 9223372036854775808}',
    '{"prompt": "x", "claude_revise_top_k": 1' + "0" * 400 + "}",
    '{"prompt": "x", "aws_region": "not a region!!"}',
    '{"prompt": "x", "output_dir": "/tmp/a\\u0000b"}',
    '{"prompt": "x", "output_s3_key_prefix": "p\\udfff"}',
]
CORPUS_EVENTS: list[dict[Any, Any]] = [
    {"prompt": "x", "max_retry_attempts": 10**400},
    {"prompt": "x", "max_prompt_revisions": 10**30},
    {"prompt": "x", "claude_validate_max_tokens": 2**63},
    {"prompt": "x", "claude_validate_top_k": 10**400},
    {"prompt": "x", "titan_img_seed": 10**5000},
    {"prompt": "x", "titan_img_cfg_scale": 10**400},
    {"prompt": "x", "titan_img_cfg_scale": math.inf},
    {"prompt": "x", "claude_revise_top_p": math.nan},
    {"prompt": "a lake \ud800 at dawn"},
    {"prompt": "a lake \x00 at dawn"},
    {"prompt": "x", "aws_region": "not a region!!"},
    {"prompt": _deep(100_000)},
    {"prompt": "x", 10**5000: "a key that is a huge number"},
    {"prompt": "x", "\ud800": "a key that is a surrogate"},
]


@pytest.mark.parametrize("text", CORPUS_TEXT, ids=range(len(CORPUS_TEXT)))
def test_corpus_text_is_refused_cleanly(text: str) -> None:
    assert check(lambda: RunParams.loads(text, "corpus.json")) is None
    assert check(lambda: RunParams.loads(text.encode("utf-8", "surrogatepass"), "x")) is None


@pytest.mark.parametrize("event", CORPUS_EVENTS, ids=range(len(CORPUS_EVENTS)))
def test_corpus_events_built_in_code_are_refused_cleanly(event: dict[Any, Any]) -> None:
    assert check(lambda: RunParams.from_event(event)) is None


# -- generated cases -------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(EVENTS)
@example({"prompt": "x", "max_retry_attempts": 10**400})
@example({"prompt": "x", "titan_img_width": 10**4000, "titan_img_height": -(10**4000)})
@example({"prompt": ["deep"] * 3, "aws_region": "us-east-1\n"})
def test_any_event_built_in_code_is_answered(event: dict[Any, Any]) -> None:
    check(lambda: RunParams.from_event(event))


@settings(max_examples=150, deadline=None)
@given(st.text() | st.binary())
@example(b"\xef\xbb\xbf{}")
@example(b"\xed\xa0\x80")
@example("{" * 17)
def test_any_text_or_bytes_is_answered(data: str | bytes) -> None:
    check(lambda: RunParams.loads(data, "<stdin>"))


def _number_text(kind: int, digits: int, depth: int) -> str:
    if kind == 0:
        return "9" * digits
    if kind == 1:
        return f"-1e{digits}"
    if kind == 2:
        return "[" * depth + "1" + "]" * depth
    return '"' + "\\ud800" * (digits % 7 + 1) + '"'


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(FIELDS),
    st.integers(0, 3),
    st.integers(1, 6000),
    st.integers(1, 50_000),
)
@example("titan_img_seed", 0, 4301, 1)
@example("prompt", 2, 1, 100_000)
def test_number_and_nesting_bombs_in_any_field_are_answered(
    field: str, kind: int, digits: int, depth: int
) -> None:
    text = json.dumps(GOOD)[:-1] + f', "{field}": {_number_text(kind, digits, depth)}}}'
    check(lambda: RunParams.loads(text, "event.json"))


def _valid_checklist(items: list[dict[str, Any]]) -> st.SearchStrategy[Checklist]:
    """The items as a checklist when they make one (a must, usable texts), else a small one:
    a Checklist that exists is valid, so the window can only hold valid ones."""
    try:
        return st.just(Checklist.from_json([{**items[0], "must": True}, *items[1:]]))
    except ValidationError:
        return st.just(Checklist.from_json([{"text": "a dog", "must": True}]))


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            name: (
                {
                    int: st.integers() | HUGE_INTS | HUGE_INTS.map(lambda n: -n),
                    float: WILD_FLOATS,
                    str: WILD_TEXT,
                    bool: st.booleans(),
                    Checklist: st.lists(
                        st.builds(lambda t, m: {"text": t, "must": m}, WILD_TEXT, st.booleans()),
                        min_size=1,
                        max_size=4,
                    ).flatmap(_valid_checklist),
                }[PARAMS_BY_NAME[name].type]
                | (st.none() if PARAMS_BY_NAME[name].unsettable else st.nothing())
            )
            for name in FIELDS
        },
    )
)
def test_params_built_in_code_with_wild_values_of_the_right_type_are_answered(
    changes: dict[str, Any],
) -> None:
    """The window builds RunParams directly; validate must answer anything it can hold."""
    params = RunParams(**(GOOD | changes))
    problems = validate(params, SPEC)
    if problems:
        answered(problems)
    else:
        in_range(params)

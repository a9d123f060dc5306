"""The one JSON-shape checker the event loader, the manifest reader and the simulator share:
what each shape takes and refuses, how problems are named and worded, and that no value at
all makes it raise."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from imgloop_desktop.core import jsonshape as js
from imgloop_desktop.core.errors import Problem


def _allowed(shape: js.Shape, value: object) -> list[str]:
    return [p.allowed for p in js.check(shape, value)]


def test_scalars_take_their_own_type_and_never_a_bool_as_a_number() -> None:
    assert _allowed(js.Str(), "x") == []
    assert _allowed(js.Str(), 1) == ["a string"]
    assert _allowed(js.Int(), 3) == []
    assert _allowed(js.Int(), True) == ["a whole number"]
    assert _allowed(js.Int(), 3.0) == ["a whole number"]
    assert _allowed(js.Int(whole_floats=True), 3.0) == []
    assert _allowed(js.Int(whole_floats=True), 3.5) == ["a whole number"]
    assert _allowed(js.Num(), 1) == []
    assert _allowed(js.Num(), False) == ["a number"]
    assert _allowed(js.Bool(), True) == []
    assert _allowed(js.Bool(), 1) == ["true or false"]


def test_numbers_outside_their_range_or_not_finite_are_refused() -> None:
    assert _allowed(js.Int(0, 9), 10) == ["a whole number from 0 to 9"]
    assert _allowed(js.Int(0, 9), -1) == ["a whole number from 0 to 9"]
    assert _allowed(js.Int(lo=1), 0) == ["a whole number of at least 1"]
    for bad in (math.inf, -math.inf, math.nan, 10**400):
        assert _allowed(js.Num(), bad) == ["a number"]
    assert _allowed(js.Num(finite=False), math.nan) == []
    assert _allowed(js.Num(0.0, 1.0), 1.5) == ["a number from 0.0 to 1.0"]


def test_strings_lengths_choices_and_rules() -> None:
    assert _allowed(js.Str(non_empty=True), "") == ["a string"]
    assert [i.kind for i in js.issues(js.Str(max_len=2), "abc")] == ["too_long"]
    assert _allowed(js.Str(choices=("a", "b")), "c") == ["one of a, b"]
    rule = js.Str(rule=lambda v: None if v.isdigit() else "digits only")
    assert _allowed(rule, "12") == []
    assert _allowed(rule, "x") == ["digits only"]


def test_one_of_compares_with_the_type() -> None:
    assert _allowed(js.OneOf(1, "x"), 1) == []
    assert _allowed(js.OneOf(1, "x"), True) == ["one of 1, x"]
    assert _allowed(js.OneOf(1, allowed="the first version"), 1.0) == ["the first version"]


def test_objects_name_fields_by_path_and_missing_ones_as_missing() -> None:
    shape = js.Obj({"a": js.Int(), "b": js.Opt(js.Str()), "c": js.Arr(js.Obj({"d": js.Bool()}))})
    problems = js.check(shape, {"a": "1", "c": [{"d": True}, {}]}, js.Plain("doc"))
    assert problems == [
        Problem("doc.a", "1", "a whole number"),
        Problem("doc.c[1].d", "<missing>", "true or false"),
    ]
    assert js.check(shape, [], js.Plain("doc")) == [
        Problem("doc", "<list of 0 items>", "a JSON object")
    ]


def test_or_null_adds_null_to_the_words() -> None:
    shape = js.Obj({"t": js.Opt(js.OrNull(js.Str()))})
    assert js.check(shape, {"t": None}) == []
    assert js.check(shape, {}) == []
    assert _allowed(shape, {"t": 1}) == ["a string or null"]


def test_unknown_fields_are_refused_without_showing_their_value() -> None:
    shape = js.Obj({"a": js.Opt(js.Int())}, extra=False)
    problems = js.check(shape, {"secret": "AKIA...", 7: 1, "": 2}, js.Plain("event", bare=True))
    assert [p.field for p in problems] == ["secret", "<int key>", '""']
    assert problems[0].value == "<str hidden>"
    assert all(p.allowed == "not a known parameter" for p in problems)
    assert js.check(js.Obj({}), {"other": 1}) == []


def test_array_counts_and_the_problem_limit() -> None:
    assert [i.kind for i in js.issues(js.Arr(min_items=1), [])] == ["too_few"]
    assert [i.kind for i in js.issues(js.Arr(max_items=1), [1, 2])] == ["too_many"]
    assert len(js.check(js.Arr(js.Int()), ["x"] * 500, limit=50)) == 50


def test_values_are_shown_short_and_printable() -> None:
    [problem] = js.check(js.Int(), "\ud800" + "x" * 200)
    assert isinstance(problem.value, str) and len(problem.value) == 80
    assert problem.value.startswith("\\ud800")
    [problem] = js.check(js.Str(), 10**5000)
    assert problem.value == "<whole number of about 5,001 digits>"


def test_a_deeply_nested_value_is_not_recursed_into() -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    assert _allowed(js.Arr(js.Int()), deep) == ["a whole number"]
    assert js.check(js.AnyValue(), deep) == []


# -- never raises ----------------------------------------------------------------------------

NAMES = st.sampled_from(["a", "b", "n", "s", "items", "", "x"])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    # Built from exponents: hypothesis reprs examples, and 5,000 digits cannot be repr'd.
    | st.sampled_from([400, 5000, 63]).map(lambda n: 2**n if n < 100 else -(10**n))
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["\x00", "\ud800", "yes", "YES"])
)
WILD = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(NAMES, inner, max_size=5)
        | st.dictionaries(st.integers() | st.none(), inner, max_size=2)
    ),
    max_leaves=15,
)
LEAF = st.sampled_from(
    [
        js.Str(),
        js.Str(min_len=1, max_len=3, choices=("a", "ab", "abcd")),
        js.Str(rule=lambda v: None if v.isascii() else "ascii"),
        js.Int(),
        js.Int(0, 10, whole_floats=True),
        js.Num(),
        js.Num(-1.0, 1.0, finite=False),
        js.Bool(),
        js.OneOf("YES", 1, None),
        js.AnyValue(),
    ]
)
SHAPES = st.recursive(
    LEAF,
    lambda inner: (
        st.builds(js.OrNull, inner)
        | st.builds(js.Arr, inner, st.none() | st.integers(0, 2), st.none() | st.integers(0, 3))
        | st.builds(
            js.Obj,
            st.dictionaries(NAMES, inner | st.builds(js.Opt, inner), max_size=4),
            st.booleans(),
        )
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(shape=SHAPES, value=WILD, root=st.text(max_size=5), bare=st.booleans())
def test_check_never_raises_and_every_problem_prints(
    shape: js.Shape, value: object, root: str, bare: bool
) -> None:
    problems = js.check(shape, value, js.Plain(root, bare=bare))
    for p in problems:
        assert isinstance(p.field, str) and p.allowed
        json.dumps({"field": p.field, "value": p.value, "allowed": p.allowed}).encode("utf-8")
        str(p).encode("utf-8")


def test_problems_come_in_declared_order_or_in_the_values_own() -> None:
    fields: dict[str, js.Shape] = {"a": js.Int(), "b": js.Int(), "c": js.Int()}
    value = {"c": "x", "z": 1, "a": "x"}
    declared = js.check(js.Obj(fields, extra=False), value)
    assert [p.field for p in declared] == ["value.a", "value.b", "value.c", "value.z"]
    as_written = js.check(js.Obj(fields, extra=False, value_order=True), value)
    assert [p.field for p in as_written] == ["value.c", "value.z", "value.a", "value.b"]

"""One declarative checker for the shape of parsed JSON from outside.

The event loader, the manifest reader and the simulator each used to check their JSON by
hand, three ways (a coercion loop, a ``_Checker`` class, a schema-wording ``_Fields``).
Here a shape is declared once (``Obj({...})``, ``Arr(...)``, ``Str(...)``, ``Int(...)``,
...) and ``check`` walks a value against it, returning every problem as a
``core.errors.Problem`` so callers report them the way they always have.

Rules that are not shape (a model's sizes, a duplicate index) stay with their domain; a
shape can carry a small ``rule`` callable for a field's own text rules (a hash's pattern).

``check`` never raises on any value (it is fuzzed): only the shape is recursed into, never
the value, so a deeply nested input cannot reach the stack's edge; a bool is never taken as
a number; a value shown in a problem is short and printable (``param_values.short``).

How a problem is worded belongs to its audience: ``Plain`` says "a whole number from 0 to
9" and names fields ``manifest.sessions[0].seed``; the simulator words the same findings as
Bedrock's schema validator does. Both see the same ``Issue``. A shape's words are a Phrase
(``param_values.says``) so the window shows them translated; words given as plain text
(a stored file's reader) stay as they are.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from imgloop_desktop.core.errors import Problem
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP
from imgloop_desktop.core.param_values import ONE_OF, Words, field_name, says, short
from imgloop_desktop.core.param_values import problem as said

PathPart = str | int
Path = tuple[PathPart, ...]
Rule = Callable[[str], Words | None]
"""Why a string that has the right shape is still not allowed, or None when it is."""


class _Missing:
    """The value of a key that is not there (distinct from JSON null)."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING: object = _Missing()

ANY_VALUE = says(QT_TRANSLATE_NOOP("Validation", "any value"))
NOT_KNOWN = QT_TRANSLATE_NOOP("Validation", "not a known parameter")
A_STRING = says(QT_TRANSLATE_NOOP("Validation", "a string"))
TRUE_OR_FALSE = says(QT_TRANSLATE_NOOP("Validation", "true or false"))
A_LIST = says(QT_TRANSLATE_NOOP("Validation", "a list"))
AN_OBJECT = says(QT_TRANSLATE_NOOP("Validation", "a JSON object"))
OR_NULL = QT_TRANSLATE_NOOP("Validation", "{shape} or null")
NOUNS = {
    "a whole number": QT_TRANSLATE_NOOP("Validation", "a whole number"),
    "a number": QT_TRANSLATE_NOOP("Validation", "a number"),
}
FROM_TO = {
    "a whole number": QT_TRANSLATE_NOOP("Validation", "a whole number from {low} to {high}"),
    "a number": QT_TRANSLATE_NOOP("Validation", "a number from {low} to {high}"),
}
AT_LEAST = {
    "a whole number": QT_TRANSLATE_NOOP("Validation", "a whole number of at least {low}"),
    "a number": QT_TRANSLATE_NOOP("Validation", "a number of at least {low}"),
}
AT_MOST = {
    "a whole number": QT_TRANSLATE_NOOP("Validation", "a whole number of at most {high}"),
    "a number": QT_TRANSLATE_NOOP("Validation", "a number of at most {high}"),
}


@dataclass(frozen=True)
class Issue:
    """One finding, before it is worded: what went wrong (``kind``), where and with what.

    ``kind`` is one of: missing, unknown, type, choice, too_short, too_long, below, above,
    too_few, too_many, rule. ``limit`` is the bound crossed (for the length, range and count
    kinds); ``allowed`` the shape's plain words (or the rule's answer).
    """

    kind: str
    path: Path
    value: object
    words: Words
    shape: Shape
    limit: float | None = None

    @property
    def allowed(self) -> str:
        """The words in English."""
        return str(self.words)


class Wording(Protocol):
    """Turns an ``Issue`` into the ``Problem`` its reader expects."""

    def problem(self, issue: Issue) -> Problem: ...


@dataclass(frozen=True)
class Plain:
    """People's wording: the field's path, its value shortened, the shape's allowed words.

    ``root`` names the whole value ("manifest"); with ``bare`` a field is named without it
    ("prompt" rather than "event.prompt"), as an event's fields always were. An unknown
    field's value is never shown: it may be a secret someone pasted in.
    """

    root: str = "value"
    bare: bool = False

    def field(self, path: Path) -> str:
        if not path:
            return self.root
        text = "" if self.bare else self.root
        for part in path:
            if isinstance(part, int):
                text += f"[{part}]"
            else:
                name = field_name(part)
                text = f"{text}.{name}" if text else name
        return text

    def problem(self, issue: Issue) -> Problem:
        if issue.kind == "unknown":
            hidden = f"<{type(issue.value).__name__} hidden>"
            return Problem.of(self.field(issue.path), hidden, NOT_KNOWN)
        value = "<missing>" if issue.value is MISSING else short(issue.value)
        return said(self.field(issue.path), value, issue.words)


class Shape:
    """What a JSON value may be. ``allowed`` is the plain wording of it."""

    allowed: Words = ANY_VALUE

    def walk(self, value: object, path: Path, out: list[Issue]) -> None:
        """Append to ``out`` every issue of ``value`` at ``path``; the first per value."""


@dataclass(frozen=True)
class AnyValue(Shape):
    """Anything at all (a part read elsewhere, or not read)."""

    allowed: Words = ANY_VALUE


def _type(shape: Shape, value: object, path: Path, out: list[Issue]) -> None:
    out.append(Issue("type", path, value, shape.allowed, shape))


@dataclass(frozen=True)
class Str(Shape):
    """A string; lengths in characters, ``choices`` the only strings allowed."""

    min_len: int | None = None
    max_len: int | None = None
    non_empty: bool = False
    choices: tuple[str, ...] | None = None
    rule: Rule | None = None
    allowed: Words = ""

    def __post_init__(self) -> None:
        if not self.allowed:
            text = A_STRING
            if self.choices is not None:
                text = says(ONE_OF, choices=", ".join(self.choices))
            object.__setattr__(self, "allowed", text)

    def walk(self, value: object, path: Path, out: list[Issue]) -> None:
        if not isinstance(value, str):
            _type(self, value, path, out)
            return
        if self.choices is not None and value not in self.choices:
            out.append(Issue("choice", path, value, self.allowed, self))
            return
        low = max(self.min_len or 0, 1 if self.non_empty else 0)
        if len(value) < low:
            out.append(Issue("too_short", path, value, self.allowed, self, low))
        elif self.max_len is not None and len(value) > self.max_len:
            out.append(Issue("too_long", path, value, self.allowed, self, self.max_len))
        elif self.rule is not None and (why := self.rule(value)):
            out.append(Issue("rule", path, value, why, self))


def _range_words(noun: str, lo: float | None, hi: float | None) -> Words:
    if lo is not None and hi is not None:
        return says(FROM_TO[noun], low=lo, high=hi)
    if lo is not None:
        return says(AT_LEAST[noun], low=lo)
    if hi is not None:
        return says(AT_MOST[noun], high=hi)
    return says(NOUNS[noun])


def _range(value: float, lo: float | None, hi: float | None) -> tuple[str, float]:
    """The range issue of ``value``, or ("", 0) when it is inside."""
    if lo is not None and value < lo:
        return "below", lo
    if hi is not None and value > hi:
        return "above", hi
    return "", 0


@dataclass(frozen=True)
class Int(Shape):
    """A whole number (never a bool); ``whole_floats`` also takes 3.0, as JSON writers do."""

    lo: int | None = None
    hi: int | None = None
    whole_floats: bool = False
    allowed: Words = ""

    def __post_init__(self) -> None:
        if not self.allowed:
            object.__setattr__(self, "allowed", _range_words("a whole number", self.lo, self.hi))

    def walk(self, value: object, path: Path, out: list[Issue]) -> None:
        whole = isinstance(value, int) or (
            self.whole_floats and isinstance(value, float) and value.is_integer()
        )
        if isinstance(value, bool) or not whole:
            _type(self, value, path, out)
            return
        assert isinstance(value, int | float)
        kind, limit = _range(value, self.lo, self.hi)
        if kind:
            out.append(Issue(kind, path, value, self.allowed, self, limit))


@dataclass(frozen=True)
class Num(Shape):
    """Any number (never a bool); ``finite`` refuses infinities and NaN, and integers too
    large to be a float."""

    lo: float | None = None
    hi: float | None = None
    finite: bool = True
    allowed: Words = ""

    def __post_init__(self) -> None:
        if not self.allowed:
            object.__setattr__(self, "allowed", _range_words("a number", self.lo, self.hi))

    def walk(self, value: object, path: Path, out: list[Issue]) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            _type(self, value, path, out)
            return
        if self.finite:
            try:
                ok = math.isfinite(value)
            except OverflowError:  # an int of 400 digits is no float
                ok = False
            if not ok:
                _type(self, value, path, out)
                return
        kind, limit = _range(value, self.lo, self.hi)
        if kind:
            out.append(Issue(kind, path, value, self.allowed, self, limit))


@dataclass(frozen=True)
class Bool(Shape):
    """true or false; never 0 or 1."""

    allowed: Words = TRUE_OR_FALSE

    def walk(self, value: object, path: Path, out: list[Issue]) -> None:
        if not isinstance(value, bool):
            _type(self, value, path, out)


@dataclass(frozen=True, init=False)
class OneOf(Shape):
    """One of a few JSON scalars, compared with their type (``True`` is not ``1``)."""

    choices: tuple[object, ...]
    allowed: Words

    def __init__(self, *choices: object, allowed: Words = "") -> None:
        object.__setattr__(self, "choices", choices)
        words = allowed or says(ONE_OF, choices=", ".join(str(c) for c in choices))
        object.__setattr__(self, "allowed", words)

    def walk(self, value: object, path: Path, out: list[Issue]) -> None:
        if not any(type(value) is type(c) and value == c for c in self.choices):
            out.append(Issue("choice", path, value, self.allowed, self))


@dataclass(frozen=True)
class OrNull(Shape):
    """``shape`` or JSON null."""

    shape: Shape
    allowed: Words = ""

    def __post_init__(self) -> None:
        if not self.allowed:
            object.__setattr__(self, "allowed", says(OR_NULL, shape=self.shape.allowed))

    def walk(self, value: object, path: Path, out: list[Issue]) -> None:
        if value is None:
            return
        found: list[Issue] = []
        self.shape.walk(value, path, found)
        # The inner shape's issues, worded with "or null" where they name its type.
        for issue in found:
            words = self.allowed if issue.words == self.shape.allowed else issue.words
            out.append(Issue(issue.kind, issue.path, issue.value, words, issue.shape, issue.limit))


@dataclass(frozen=True)
class Opt(Shape):
    """An object's key that may be left out (then it is not checked at all)."""

    shape: Shape
    allowed: Words = field(init=False, default="")

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed", self.shape.allowed)

    def walk(self, value: object, path: Path, out: list[Issue]) -> None:
        self.shape.walk(value, path, out)


@dataclass(frozen=True)
class Arr(Shape):
    """A JSON array of ``item``s, with optional item counts."""

    item: Shape = field(default_factory=AnyValue)
    min_items: int | None = None
    max_items: int | None = None
    allowed: Words = A_LIST

    def walk(self, value: object, path: Path, out: list[Issue]) -> None:
        if not isinstance(value, list):
            _type(self, value, path, out)
            return
        if self.min_items is not None and len(value) < self.min_items:
            out.append(Issue("too_few", path, value, self.allowed, self, self.min_items))
            return
        if self.max_items is not None and len(value) > self.max_items:
            out.append(Issue("too_many", path, value, self.allowed, self, self.max_items))
            return
        for i, item in enumerate(value):
            self.item.walk(item, (*path, i), out)


@dataclass(frozen=True)
class Obj(Shape):
    """A JSON object: each declared key's shape (``Opt`` when it may be left out); other
    keys allowed with ``extra`` (read elsewhere, or by a newer writer), else each an
    ``unknown`` issue.

    Issues come in the declared order (unknown keys last), as a schema validator lists
    them; ``value_order`` lists them in the value's own order instead (missing keys last),
    as a person reads the file they wrote.
    """

    fields: Mapping[str, Shape] = field(default_factory=dict)
    extra: bool = True
    value_order: bool = False
    allowed: Words = AN_OBJECT

    def walk(self, value: object, path: Path, out: list[Issue]) -> None:
        if not isinstance(value, dict):
            _type(self, value, path, out)
            return
        if not self.value_order:
            for key, shape in self.fields.items():
                if key in value:
                    shape.walk(value[key], (*path, key), out)
                elif not isinstance(shape, Opt):
                    out.append(Issue("missing", (*path, key), MISSING, shape.allowed, shape))
            if not self.extra:
                for key, item in value.items():
                    if not (isinstance(key, str) and key in self.fields):
                        self._walk_key(key, item, path, out)
            return
        for key, item in value.items():
            self._walk_key(key, item, path, out)
        for key, shape in self.fields.items():
            if key not in value and not isinstance(shape, Opt):
                out.append(Issue("missing", (*path, key), MISSING, shape.allowed, shape))

    def _walk_key(self, key: object, item: object, path: Path, out: list[Issue]) -> None:
        shape = self.fields.get(key) if isinstance(key, str) else None
        if shape is not None and isinstance(key, str):
            shape.walk(item, (*path, key), out)
        elif not self.extra:
            out.append(Issue("unknown", (*path, _key_part(key)), item, "", self))


def _key_part(key: object) -> PathPart:
    """A key as a path part: JSON's are strings; one built in code may be anything."""
    return key if isinstance(key, str) else field_name(key)


def issues(shape: Shape, value: object, path: Path = ()) -> list[Issue]:
    """Every issue of ``value`` against ``shape``, unworded (for a wording of one's own)."""
    out: list[Issue] = []
    shape.walk(value, path, out)
    return out


def check(
    shape: Shape,
    value: object,
    wording: Wording | None = None,
    *,
    path: Path = (),
    limit: int | None = None,
) -> list[Problem]:
    """Every problem of ``value`` against ``shape``, worded by ``wording`` (``Plain()``),
    at most ``limit`` of them (a damaged file's thousands help nobody)."""
    words = wording if wording is not None else Plain()
    found = issues(shape, value, path)
    if limit is not None:
        found = found[:limit]
    return [words.problem(issue) for issue in found]

"""How a run parameter is declared: once, beside its ``RunParams`` field.

A field used to be named in six places (the dataclass, ``validate``, the form's builders,
``params()``, ``set_params()`` and the README table) with the form's spin ranges repeating
the validator's. Now each field carries a ``Declared`` in its dataclass metadata (as Vorta's
``store/settings.py`` keeps one entry per setting) and everything else is derived from it:
the validator's ranges and messages, the form's rows and widgets, reading and writing the
form, and the README's table. Adding a field is one ``param(...)`` plus its use in the loop.

Rules that depend on the image model (prompt length, size, CFG range, images per call, seed
maximum) need the model's spec, so ``validate(params, spec)`` checks them; the declaration
says so in words (``model_rule``), which the README shows.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import Field, dataclass, field, fields
from typing import Any, TypeVar

from imgloop_desktop.core.checklist import Checklist
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP, Phrase
from imgloop_desktop.core.param_values import (
    OFF_OR_RANGE,
    ONE_OF,
    RANGE,
    RANGE_NOTE,
    Words,
    says,
)

T = TypeVar("T")

DECLARED_KEY = "imgloop.declared"
"""The metadata key under which a field's ``Declared`` lives."""


class Tier(enum.Enum):
    """Whether a person needs the field for a first run (essential) or only to tune one."""

    ESSENTIAL = "essential"
    ADVANCED = "advanced"


class Section(enum.Enum):
    """Where a field sits in the window, in the order the form shows them."""

    PROMPT = QT_TRANSLATE_NOOP("Params", "Prompt")
    LIMITS = QT_TRANSLATE_NOOP("Params", "Loop limits")
    IMAGE = QT_TRANSLATE_NOOP("Params", "Image model")
    JUDGE = QT_TRANSLATE_NOOP("Params", "Judge and reviser")
    JUDGE_SETTINGS = QT_TRANSLATE_NOOP("Params", "Judge settings")
    REVISER_SETTINGS = QT_TRANSLATE_NOOP("Params", "Reviser settings")
    STORAGE = QT_TRANSLATE_NOOP("Params", "Storage")

    @property
    def parent(self) -> Section | None:
        """The section a sub-section is drawn inside (flat, under its own title)."""
        return Section.JUDGE if self in (Section.JUDGE_SETTINGS, Section.REVISER_SETTINGS) else None


@dataclass(frozen=True)
class Bounds:
    """A number range; ``off`` is one more value outside it that means "not used".

    The message is written from the numbers themselves, so the range a person reads is the
    range the validator checks and the spin box holds. ``note`` and ``off_means`` are
    marked ``QT_TRANSLATE_NOOP("Validation", ...)`` (``core.param_values``).
    """

    low: float
    high: float
    note: str = ""
    off: float | None = None
    off_means: str = ""

    def allows(self, value: float) -> bool:
        return value == self.off or self.low <= value <= self.high

    @property
    def words(self) -> Phrase:
        """What the range allows, in the validator's words (values apart)."""
        if self.note:
            text = says(RANGE_NOTE, low=self.low, high=self.high, note=says(self.note))
        else:
            text = says(RANGE, low=self.low, high=self.high)
        if self.off is not None:
            return says(OFF_OR_RANGE, off=self.off, off_means=says(self.off_means), range=text)
        return text

    @property
    def allowed(self) -> str:
        return str(self.words)

    @property
    def spin_range(self) -> tuple[float, float]:
        """The widest range the form's spin box offers (``off`` included)."""
        low = self.low if self.off is None else min(self.low, self.off)
        return (low, self.high)


@dataclass(frozen=True)
class Rule:
    """A check on one field's value. ``why`` may say more precisely what is wrong (a
    bucket name has several rules); without it the problem is ``allowed``. With
    ``only_when`` the rule applies only while that boolean field is on."""

    allowed: Words
    ok: Callable[[Any], bool] = lambda _value: True
    why: Callable[[Any], Words | None] | None = None
    only_when: str = ""

    def problem(self, value: Any) -> Words | None:
        if self.why is not None:
            return self.why(value)
        return None if self.ok(value) else self.allowed


@dataclass(frozen=True)
class Declared:
    """Everything said about a run field besides its name, type and default.

    ``section`` and ``row`` place it in the window; ``widget`` names a special editor the
    form builds by that name (a plain number, flag, text or choice needs none); ``hint``
    is the text inside the widget (a check box's words, an empty line's placeholder);
    ``step``, ``decimals`` and ``special`` (shown at a spin box's minimum) shape a number's
    spin box; ``strip`` trims spaces as the form reads the text. ``default_text`` replaces
    the default in the README where the real default is decided later (a folder, a region).
    """

    label: str
    help: str
    section: Section
    row: int
    tier: Tier = Tier.ADVANCED
    ours: bool = False
    bounds: Bounds | None = None
    choices: tuple[str, ...] = ()
    rule: Rule | None = None
    model_rule: str = ""
    widget: str = ""
    hint: str = ""
    step: float = 1.0
    decimals: int = 0
    special: str = ""
    strip: bool = True
    default_text: str = ""

    @property
    def allowed(self) -> str:
        """What the field allows without the model, in the validator's words (English)."""
        return str(self.words)

    @property
    def words(self) -> Words:
        """What the field allows without the model, values apart (shown translated)."""
        if self.bounds is not None:
            return self.bounds.words
        if self.choices:
            return says(ONE_OF, choices=", ".join(self.choices))
        return self.rule.allowed if self.rule is not None else ""

    def problem(self, value: Any) -> Words | None:
        """Why ``value`` is refused by the rules declared here (not the model's), or None.
        None is "unset" (the field's type allows it, or the dataclass would not hold it)."""
        if value is None:
            return None
        if self.bounds is not None and not self.bounds.allows(value):
            return self.bounds.words
        if self.choices and value not in self.choices:
            return self.words
        return self.rule.problem(value) if self.rule is not None else None


def param(default: T, **declared: Any) -> T:
    """A dataclass field with default ``default`` and its ``Declared`` (keyword arguments).

    Typed as the default so the dataclass stays fully typed; an unknown keyword fails at
    import, so a misspelt declaration cannot pass unnoticed.
    """
    result: T = field(default=default, metadata={DECLARED_KEY: Declared(**declared)})
    return result


@dataclass(frozen=True)
class ParamField:
    """One declared field: its name, Python type, default and declaration."""

    name: str
    type: type
    default: Any
    declared: Declared
    unsettable: bool = False
    """Typed ``X | None``: None (written "unset" or null in an event) means "not sent"."""

    @property
    def is_number(self) -> bool:
        return self.type in (int, float)


# A checklist is the one field that is not a scalar: JSON gives it as a list of items,
# read and checked by ``Checklist.from_json``.
_TYPES: dict[str, type] = {
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "Checklist": Checklist,
}


def declared_fields(cls: type) -> tuple[ParamField, ...]:
    """Every field of dataclass ``cls`` with its declaration, in the dataclass's order.

    A field without a declaration is a mistake (it would have no check, no row and no
    README line), so it raises here, at import.
    """
    found: list[ParamField] = []
    for f in fields(cls):
        found.append(_param_field(f))
    return tuple(found)


def _param_field(f: Field[Any]) -> ParamField:
    declared = f.metadata.get(DECLARED_KEY)
    if not isinstance(declared, Declared):
        raise TypeError(f"run field {f.name} has no declaration (use param(...))")
    kind = str(f.type)
    unsettable = kind.endswith(" | None")
    return ParamField(f.name, _TYPES[kind.removesuffix(" | None")], f.default, declared, unsettable)


def in_form_order(params: tuple[ParamField, ...]) -> list[ParamField]:
    """``params`` as the window shows them: by section, then row."""
    sections = list(Section)
    return sorted(params, key=lambda p: (sections.index(p.declared.section), p.declared.row))

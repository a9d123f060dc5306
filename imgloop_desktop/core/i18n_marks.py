"""Marking text declared as data for the window's translation, without Qt.

Core must not import Qt, yet the field labels, section titles and help declared here are
what the window shows. ``QT_TRANSLATE_NOOP`` marks such text (``pyside6-lupdate`` finds the
calls by that name) and returns it unchanged; the window translates it where it shows it
(``QCoreApplication.translate(context, text)``). Everything else (the README table, the
validator's words, the headless command) keeps the English.

A message built from values (a validator's "a whole number from 1 to 5", an AWS error's
explanation) is a ``Phrase``: its template is marked where it is declared and its values
are kept apart, so ``str()`` gives the English for logs, JSON and the headless command while
the window translates the template and fills in the same values (``gui.i18n.shown``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Return ``text`` unchanged; ``context`` is where the translation is looked up."""
    return text


@dataclass(frozen=True)
class Phrase:
    """Words with their values apart: ``template`` (marked with ``QT_TRANSLATE_NOOP(context,
    ...)`` where it is declared) filled with ``values``; a value may itself be a Phrase."""

    context: str
    template: str
    values: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template.format_map(
            {k: str(v) if isinstance(v, Phrase) else v for k, v in self.values.items()}
        )


IN_TURN = QT_TRANSLATE_NOOP("Sentences", "{first} {then}")
"""Two sentences one after the other: a space between them in English, none in Japanese."""


def chained(context: str, template: str, parts: Sequence[str | Phrase]) -> str | Phrase:
    """``parts`` joined two at a time by ``template`` (marked in ``context``, with
    ``{first}`` and ``{then}``), so each language joins them its own way: "" for no parts,
    the part itself for one."""
    if not parts:
        return ""
    joined = parts[0]
    for part in parts[1:]:
        joined = Phrase(context, template, {"first": joined, "then": part})
    return joined


def in_turn(*parts: str | Phrase) -> str | Phrase:
    """``parts`` said one after another, the empty ones left out: ``str()`` is the English
    joined with spaces (as ``" ".join`` gives it), while the window says each part in its
    language and joins them as that language does."""
    return chained("Sentences", IN_TURN, [part for part in parts if str(part)])

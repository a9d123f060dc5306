"""Marking text declared as data for the window's translation, without Qt.

Core must not import Qt, yet the field labels, section titles and help declared here are
what the window shows. ``QT_TRANSLATE_NOOP`` marks such text (``pyside6-lupdate`` finds the
calls by that name) and returns it unchanged; the window translates it where it shows it
(``QCoreApplication.translate(context, text)``). Everything else (the README table, the
validator's words, the headless command) keeps the English.
"""

from __future__ import annotations


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Return ``text`` unchanged; ``context`` is where the translation is looked up."""
    return text

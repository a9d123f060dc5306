"""What a run's records say, in the window's words, the same way wherever they show.

Where the models ran: said once when both ran in one region (the image model and the judge
may run in different regions, issue 11). Why the judge decided: a checklist verdict's reason
is stored in English ("Rejected (4/5 ✗): misses: …"), so the window says it again from its
item verdicts in its own language; a whole-prompt reason is the judge's own words.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QCoreApplication

from imgloop_desktop.core.checklist import Checklist, Decision, reason_words
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, shown

SAME_REGION = QT_TRANSLATE_NOOP("RecordNotes", "{region} (both models)")
TWO_REGIONS = QT_TRANSLATE_NOOP("RecordNotes", "Image model in {image}, judge in {judge}")


def regions_text(image_region: str, judge_region: str) -> str:
    """ "" when neither is known (a run recorded before regions were)."""
    if not image_region and not judge_region:
        return ""
    if image_region == judge_region:
        return QCoreApplication.translate("RecordNotes", SAME_REGION).format(region=image_region)
    return QCoreApplication.translate("RecordNotes", TWO_REGIONS).format(
        image=image_region or "?", judge=judge_region or "?"
    )


class _Judged(Protocol):
    """A verdict as the loop emits it (``events.Verdict``) or the history reads it."""

    @property
    def reason(self) -> str: ...
    @property
    def decision(self) -> Decision | None: ...
    @property
    def checklist(self) -> Checklist | None: ...


def judge_reason(verdict: _Judged) -> str:
    """The judge's reason as the window shows it (see the module's docstring)."""
    if verdict.decision is None or verdict.checklist is None:
        return verdict.reason
    return shown(reason_words(verdict.decision, verdict.checklist))


def judge_misses(verdict: _Judged | None, stored: str) -> str:
    """What keeps an image from approval, in the window's words when its item verdicts are
    at hand; else ``stored`` (the English kept with the run)."""
    if verdict is None or verdict.decision is None or verdict.checklist is None:
        return stored
    return shown(verdict.decision.misses_words(verdict.checklist)) or stored

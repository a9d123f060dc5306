"""Where a run's models ran, in the window's words: said once when both ran in one region.

The image model and the judge may run in different regions (a model served in one region
only, issue 11); the progress panel, the details pane and the history browser say it the
same way.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP

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

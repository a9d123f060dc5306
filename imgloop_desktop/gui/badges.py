"""What each gallery item's badge says, and how it is drawn.

The rule that picks a badge is the history's approval rule (the person's decision where
there is one, else the judge's answer), so the grid never disagrees with exports or the
history list. Colour is never the only signal: every badge carries a symbol and a word.

Checklist verdicts (issue 12) carry their score: "5/6 ✓ approved", "4/6 ? review",
"3/6 ✗ rejected" (``Verdict.badge`` / ``VerdictRecord.badge`` and the badge's word). An
image the judge could not settle (REVIEW: an unsure must) has its own colour and "?", so it
is never mistaken for either answer. The run's best image when none was approved carries a
second pill at the bottom: "★ best, not approved".
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter

from imgloop_desktop.core.records import Decision
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, in_context


class Badge(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    REVIEW = "review"
    ERROR = "error"
    HUMAN_APPROVED = "human_approved"
    HUMAN_REJECTED = "human_rejected"
    JUDGING = "judging"
    NOT_JUDGED = "not_judged"


LABELS: dict[Badge, str] = {
    Badge.APPROVED: QT_TRANSLATE_NOOP("Badges", "✔ approved"),
    Badge.REJECTED: QT_TRANSLATE_NOOP("Badges", "✘ rejected"),
    Badge.REVIEW: QT_TRANSLATE_NOOP("Badges", "? review"),
    Badge.ERROR: QT_TRANSLATE_NOOP("Badges", "⚠ error"),
    Badge.HUMAN_APPROVED: QT_TRANSLATE_NOOP("Badges", "✔ you approved"),
    Badge.HUMAN_REJECTED: QT_TRANSLATE_NOOP("Badges", "✘ you rejected"),
    Badge.JUDGING: QT_TRANSLATE_NOOP("Badges", "… judging"),
    Badge.NOT_JUDGED: QT_TRANSLATE_NOOP("Badges", "- not judged"),
}

COLOURS: dict[Badge, str] = {
    Badge.APPROVED: "#2e7d32",
    Badge.REJECTED: "#c62828",
    Badge.REVIEW: "#8d6e00",
    Badge.ERROR: "#ef6c00",
    Badge.HUMAN_APPROVED: "#1565c0",
    Badge.HUMAN_REJECTED: "#6a1b9a",
    Badge.JUDGING: "#546e7a",
    Badge.NOT_JUDGED: "#757575",
}

UPLOAD_FAILED_LABEL = "S3 ✘"
UPLOAD_FAILED_COLOUR = "#b71c1c"
BEST_LABEL = QT_TRANSLATE_NOOP("Badges", "★ best, not approved")
BEST_COLOUR = "#4527a0"
SCORED = QT_TRANSLATE_NOOP("Badges", "{score} {word}")
"""A checklist verdict's pill: its score ("5/6 ✓") and the badge's word."""
SCORE_WORDS: dict[Badge, str] = {
    Badge.APPROVED: QT_TRANSLATE_NOOP("Badges", "approved"),
    Badge.REJECTED: QT_TRANSLATE_NOOP("Badges", "rejected"),
    Badge.REVIEW: QT_TRANSLATE_NOOP("Badges", "review"),
}


tr = in_context("Badges")


def best_label() -> str:
    """The best image's pill, in the window's language."""
    return tr(BEST_LABEL)


def badge_text(badge: Badge, score: str = "") -> str:
    """What the pill says: the score of a checklist verdict with its word, else the label.
    A person's decision, an error and "judging" keep their own label."""
    if score and badge in SCORE_WORDS:
        return tr(SCORED).format(score=score, word=tr(SCORE_WORDS[badge]))
    return tr(LABELS[badge])


def badge_for(
    *,
    verdict: str | None,
    human: Decision | None,
    attempt_failed: bool,
    judging: bool,
) -> Badge:
    """A person's decision first, then the judge's answer; without either, a failed attempt
    is an error, a live image is being judged, and anything else was never judged."""
    if human is Decision.APPROVED:
        return Badge.HUMAN_APPROVED
    if human is Decision.REJECTED:
        return Badge.HUMAN_REJECTED
    if verdict == "YES":
        return Badge.APPROVED
    if verdict == "NO":
        return Badge.REJECTED
    if verdict == "REVIEW":
        return Badge.REVIEW
    if verdict == "ERROR" or attempt_failed:
        return Badge.ERROR
    return Badge.JUDGING if judging else Badge.NOT_JUDGED


def _pill(
    painter: QPainter,
    anchor: QRect,
    text: str,
    colour: str,
    *,
    right: bool,
    bottom: bool = False,
) -> None:
    font = QFont(painter.font())
    font.setPointSizeF(max(6.0, font.pointSizeF() * 0.85))
    font.setBold(True)
    metrics = QFontMetrics(font)
    width = metrics.horizontalAdvance(text) + 10
    height = metrics.height() + 4
    width = min(width, anchor.width() - 6)  # elided rather than spilling out of the cell
    x = anchor.right() - width - 3 if right else anchor.left() + 3
    y = anchor.bottom() - height - 3 if bottom else anchor.top() + 3
    rect = QRectF(x, y, width, height)
    text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(width) - 6)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawRoundedRect(rect, height / 2, height / 2)
    painter.setPen(QColor("white"))
    painter.setFont(font)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()


def paint_badge(painter: QPainter, anchor: QRect, badge: Badge, score: str = "") -> None:
    """The badge pill at the top left of ``anchor`` (the thumbnail's cell)."""
    _pill(painter, anchor, badge_text(badge, score), COLOURS[badge], right=False)


def paint_best(painter: QPainter, anchor: QRect) -> None:
    """The run's best image when none was approved: a pill at the bottom left."""
    _pill(painter, anchor, best_label(), BEST_COLOUR, right=False, bottom=True)


def paint_upload_failed(painter: QPainter, anchor: QRect) -> None:
    """A separate mark at the top right: the local copy is safe, the S3 mirror is not."""
    _pill(painter, anchor, UPLOAD_FAILED_LABEL, UPLOAD_FAILED_COLOUR, right=True)

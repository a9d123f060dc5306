"""The large viewer: one image at fit or any zoom, with what the judge said beside it.

``ZoomCanvas`` is the picture alone (fit, 100 %, wheel and key zoom, drag to pan); the
compare view puts several side by side and keeps them in step through ``view_state``.
superqt was checked first: it has sliders, eliding labels, collapsibles and icon helpers
but no zoom/pan image view, so this is a small ``QWidget`` that paints one ``QPixmap``.
A ``QGraphicsView`` would do too, but keeping zoom and pan as two plain numbers is what
lets several canvases share them exactly (relative centre, same scale).

``ImageViewer`` reads the image's row and decodes the full file on a worker (a 4K PNG
takes tens of milliseconds); the ``QPixmap`` is made on the GUI thread when it arrives.
Decisions and marks are written by a worker too and announced with ``decided`` and
``marksChanged`` so the gallery and details pane can reload the row.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QPoint, QPointF, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QImage,
    QImageReader,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
    QResizeEvent,
    QShortcut,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from imgloop_desktop.core.records import MAX_RATING, Decision, ImageMarks, ImageRecord
from imgloop_desktop.gui import badges
from imgloop_desktop.gui.details_pane import CHECK_COLUMNS, check_rows
from imgloop_desktop.gui.details_pane import tr as dp_tr
from imgloop_desktop.gui.gallery_model import version_label
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, in_context
from imgloop_desktop.gui.record_notes import judge_reason
from imgloop_desktop.gui.workers import Workers
from imgloop_desktop.services.history import HistoryService

log = logging.getLogger(__name__)

T = TypeVar("T")
ROW = "row"
"""The workers' key of a read of the shown image's row."""

ZOOM_STEP = 1.25
MIN_ZOOM = 0.02
MAX_ZOOM = 32.0
FIT_TEXT = QT_TRANSLATE_NOOP("ImageViewer", "Fit ({percent} %)")
ZOOM_TEXT = QT_TRANSLATE_NOOP("ImageViewer", "{percent} %")
POSITION = "{n} / {total}"
STAR_ON = "★"
STAR_OFF = "☆"
FAVOURITE_ON = QT_TRANSLATE_NOOP("ImageViewer", "★ Favourite")
FAVOURITE_OFF = QT_TRANSLATE_NOOP("ImageViewer", "☆ Favourite")
NO_VERDICT = QT_TRANSLATE_NOOP("ImageViewer", "not judged")
LOADING = QT_TRANSLATE_NOOP("ImageViewer", "Loading…")
UNAVAILABLE = QT_TRANSLATE_NOOP("ImageViewer", "The image could not be shown: {error}")
DECIDED = QT_TRANSLATE_NOOP("ImageViewer", "Your decision: {decision}")
UNDECIDED = QT_TRANSLATE_NOOP("ImageViewer", "Your decision: none (the judge's verdict stands)")
HELP = QT_TRANSLATE_NOOP(
    "ImageViewer",
    "Wheel or +/- zoom, 0 fit, 1 100 %, drag to pan · ←/→ previous/next · "
    "A approve, R reject, F favourite, Ctrl+1…5 rate · Esc back",
)
TITLE = QT_TRANSLATE_NOOP("ImageViewer", "{version} · attempt {attempt} · image {index}")
JUDGE = QT_TRANSLATE_NOOP("ImageViewer", "Judge: {reason}")
NOT_SAVED = QT_TRANSLATE_NOOP("ImageViewer", "Not saved: {error}")
RATE_TIP = QT_TRANSLATE_NOOP("ImageViewer", "Rate {n} of {most} (Ctrl+{n}); click again to clear")
DECISIONS = {
    Decision.APPROVED: QT_TRANSLATE_NOOP("ImageViewer", "approved"),
    Decision.REJECTED: QT_TRANSLATE_NOOP("ImageViewer", "rejected"),
}


tr = in_context("ImageViewer")


def load_full(path: Path) -> QImage:
    """The whole image, decoded on a worker (``QImage`` is safe off the GUI thread).
    Raises OSError with Qt's reason when the file is gone or does not decode."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    image = reader.read()
    if image.isNull():
        raise OSError(reader.errorString() or f"{path.name} does not decode")
    return image


@dataclass(frozen=True)
class ViewState:
    """Zoom and pan as one canvas shares them with others: the scale (image pixels to
    screen pixels) and the centre as a fraction of the image, so images of different
    sizes still line up on the same region."""

    fit: bool
    zoom: float
    centre_x: float = 0.5
    centre_y: float = 0.5


class ZoomCanvas(QWidget):
    """One picture with fit / 100 % / zoom / pan. ``viewChanged`` fires only for changes a
    person made (wheel, keys, drag, buttons), never for ``set_view_state``, so canvases in
    step do not echo each other."""

    viewChanged = Signal()
    scaleChanged = Signal()
    """The scale shown changed for any reason (a resize while fitting too): labels."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(120, 120)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("#202020"))
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#d0d0d0"))
        self.setPalette(palette)
        self._image: QImage | None = None
        self._pixmap: QPixmap | None = None
        self._text = ""
        self._fit = True
        self._zoom = 1.0
        self._centre = QPointF(0.5, 0.5)
        self._drag_from: QPoint | None = None

    # -- content --------------------------------------------------------------------------

    def set_image(self, image: QImage | None, text: str = "") -> None:
        """Show ``image`` (the pixmap is made at paint time, on the GUI thread), or ``text``
        instead. The zoom and pan stay as they were, so moving through a run compares
        the same region of each image."""
        self._image = image if image is not None and not image.isNull() else None
        self._pixmap = None
        self._text = text
        self._clamp()
        self.update()
        self.scaleChanged.emit()

    def image_size(self) -> QSize:
        return self._image.size() if self._image is not None else QSize()

    def has_image(self) -> bool:
        return self._image is not None

    # -- zoom and pan ---------------------------------------------------------------------

    def fit_zoom(self) -> float:
        if self._image is None or self._image.width() <= 0 or self._image.height() <= 0:
            return 1.0
        return min(
            self.width() / self._image.width(), self.height() / self._image.height(), MAX_ZOOM
        )

    def zoom(self) -> float:
        """The scale in use (the fit scale while fitting)."""
        return self.fit_zoom() if self._fit else self._zoom

    def is_fit(self) -> bool:
        return self._fit

    def view_state(self) -> ViewState:
        return ViewState(self._fit, self.zoom(), self._centre.x(), self._centre.y())

    def set_view_state(self, state: ViewState) -> None:
        self._fit = state.fit
        self._zoom = min(max(state.zoom, MIN_ZOOM), MAX_ZOOM)
        self._centre = QPointF(state.centre_x, state.centre_y)
        self._clamp()
        self.update()
        self.scaleChanged.emit()

    def zoom_text(self) -> str:
        percent = round(self.zoom() * 100)
        return tr(FIT_TEXT if self._fit else ZOOM_TEXT).format(percent=percent)

    def fit(self) -> None:
        self._fit = True
        self._centre = QPointF(0.5, 0.5)
        self._changed()

    def actual_size(self) -> None:
        self.set_zoom(1.0)

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom() / ZOOM_STEP)

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Zoom so that the image point under ``anchor`` (a widget point; the centre when
        None) stays where it is."""
        if self._image is None:
            return
        anchor = anchor if anchor is not None else QPointF(self.width() / 2, self.height() / 2)
        before = self._image_point(anchor)
        self._zoom = min(max(zoom, MIN_ZOOM), MAX_ZOOM)
        self._fit = False
        after = self._image_point(anchor)
        w, h = self._image.width(), self._image.height()
        self._centre += QPointF((before.x() - after.x()) / w, (before.y() - after.y()) / h)
        self._clamp()
        self._changed()

    def pan(self, dx: float, dy: float) -> None:
        """Move the picture by (dx, dy) screen pixels, as a drag does."""
        if self._image is None or self._fit:
            return
        scale = self.zoom()
        self._centre -= QPointF(dx / scale / self._image.width(), dy / scale / self._image.height())
        self._clamp()
        self._changed()

    def target_rect(self) -> QRectF:
        """Where the whole image is painted, in widget coordinates."""
        if self._image is None:
            return QRectF()
        scale = self.zoom()
        w, h = self._image.width() * scale, self._image.height() * scale
        cx, cy = (self._centre.x(), self._centre.y()) if not self._fit else (0.5, 0.5)
        return QRectF(self.width() / 2 - cx * w, self.height() / 2 - cy * h, w, h)

    def _image_point(self, point: QPointF) -> QPointF:
        rect = self.target_rect()
        scale = self.zoom()
        return QPointF((point.x() - rect.left()) / scale, (point.y() - rect.top()) / scale)

    def _clamp(self) -> None:
        """Keep the centre where some of the image stays in view: an image smaller than
        the canvas stays centred on that axis, a larger one never leaves empty space
        beyond its edge."""
        if self._image is None or self._fit:
            return
        scale = self.zoom()
        w, h = self._image.width() * scale, self._image.height() * scale
        half_x = self.width() / 2 / w if w else 0.5
        half_y = self.height() / 2 / h if h else 0.5
        x = 0.5 if half_x >= 0.5 else min(max(self._centre.x(), half_x), 1 - half_x)
        y = 0.5 if half_y >= 0.5 else min(max(self._centre.y(), half_y), 1 - half_y)
        self._centre = QPointF(x, y)

    def _changed(self) -> None:
        self.update()
        self.scaleChanged.emit()
        self.viewChanged.emit()

    # -- events ---------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            if self._image is None:
                painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
                painter.drawText(
                    self.rect().adjusted(12, 12, -12, -12),
                    int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap),
                    self._text,
                )
                return
            if self._pixmap is None:
                self._pixmap = QPixmap.fromImage(self._image)
            scale = self.zoom()
            if scale < 1.0:  # smooth when shrinking; crisp pixels when magnifying
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawPixmap(self.target_rect(), self._pixmap, QRectF(self._pixmap.rect()))
        finally:
            painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._clamp()
        super().resizeEvent(event)
        self.scaleChanged.emit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if not steps or self._image is None:
            event.ignore()
            return
        self.set_zoom(self.zoom() * ZOOM_STEP**steps, event.position())
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = event.position().toPoint()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None:
            point = event.position().toPoint()
            delta = point - self._drag_from
            self._drag_from = point
            self.pan(delta.x(), delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None and event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = None
            self.setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """Double-click toggles fit and 100 % at the clicked point, as photo viewers do."""
        if self._fit:
            self.set_zoom(1.0, event.position())
        else:
            self.fit()
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not zoom_key(self, event):
            super().keyPressEvent(event)


def zoom_key(canvas: ZoomCanvas, event: QKeyEvent) -> bool:
    """+/-/0/1 on ``canvas``; True when the key was one of them. Shared by the viewer and
    the compare view, which take these keys whichever child has focus."""
    text = event.text()
    if text in ("+", "="):
        canvas.zoom_in()
    elif text == "-":
        canvas.zoom_out()
    elif text == "0":
        canvas.fit()
    elif text == "1":
        canvas.actual_size()
    else:
        return False
    event.accept()
    return True


def verdict_line(image: ImageRecord) -> tuple[str, str]:
    """The pill's text and colour for ``image``, as the gallery shows it."""
    verdict = image.verdict
    badge = badges.badge_for(
        verdict=verdict.result if verdict else None,
        human=image.human_decision,
        attempt_failed=False,
        judging=False,
    )
    return badges.badge_text(badge, verdict.badge if verdict else ""), badges.COLOURS[badge]


def image_title(image: ImageRecord) -> str:
    return tr(TITLE).format(
        version=version_label(image.revision), attempt=image.attempt + 1, index=image.index + 1
    )


def pill_style(colour: str) -> str:
    return f"background: {colour}; color: white; border-radius: 8px; padding: 2px 8px;"


class ImageViewer(QWidget):
    """A large view of one image of a run, and what to do about it.

    ``show_images(ids, current)`` opens it on ``current``; ←/→ move through ``ids`` (or
    through what ``sequence`` returns, so a live run's new images join in). Esc emits
    ``closed``; the host puts the gallery back.
    """

    closed = Signal()
    currentImageChanged = Signal(int)
    decided = Signal(int)
    """A decision made here was stored (the gallery reloads the row)."""
    marksChanged = Signal(int)
    """A star or rating set here was stored."""
    loaded = Signal(int)
    """The image and its row are shown (tests)."""
    failed = Signal(str)
    """A write from here failed; the reason in words (the window's status bar)."""

    def __init__(self, history: HistoryService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imageViewer")
        self.history = history
        self._jobs = Workers("viewer", max_threads=2, parent=self)
        self._ids: list[int] = []
        self.sequence: Callable[[], list[int]] | None = None
        """When set, where ←/→ read the run's images (the gallery's current list)."""
        self._current = -1
        self._record: ImageRecord | None = None
        self._closed = False

        self.canvas = ZoomCanvas(self)
        self.canvas.setObjectName("viewerCanvas")
        self.back_button = QPushButton(
            QCoreApplication.translate("ImageViewer", "← Back (Esc)"), self
        )
        self.prev_button = QToolButton(self)
        self.prev_button.setText("◀")
        self.prev_button.setToolTip(QCoreApplication.translate("ImageViewer", "Previous image (←)"))
        self.next_button = QToolButton(self)
        self.next_button.setText("▶")
        self.next_button.setToolTip(QCoreApplication.translate("ImageViewer", "Next image (→)"))
        self.position_label = QLabel(self)
        self.fit_button = QToolButton(self)
        self.fit_button.setText(QCoreApplication.translate("ImageViewer", "Fit"))
        self.fit_button.setToolTip(QCoreApplication.translate("ImageViewer", "Fit the window (0)"))
        self.actual_button = QToolButton(self)
        self.actual_button.setText("100 %")
        self.actual_button.setToolTip(
            QCoreApplication.translate("ImageViewer", "Actual pixels (1)")
        )
        self.out_button = QToolButton(self)
        self.out_button.setText("\N{MINUS SIGN}")
        self.out_button.setToolTip(QCoreApplication.translate("ImageViewer", "Zoom out (-)"))
        self.in_button = QToolButton(self)
        self.in_button.setText("+")
        self.in_button.setToolTip(QCoreApplication.translate("ImageViewer", "Zoom in (+)"))
        self.zoom_label = QLabel(self)
        self.zoom_label.setMinimumWidth(80)
        for button in (
            self.back_button,
            self.prev_button,
            self.next_button,
            self.fit_button,
            self.actual_button,
            self.out_button,
            self.in_button,
        ):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.prev_button)
        top.addWidget(self.position_label)
        top.addWidget(self.next_button)
        top.addStretch(1)
        top.addWidget(self.fit_button)
        top.addWidget(self.actual_button)
        top.addWidget(self.out_button)
        top.addWidget(self.zoom_label)
        top.addWidget(self.in_button)

        # -- beside the picture ---------------------------------------------------------
        side = QWidget(self)
        side.setObjectName("viewerSide")
        self.title_label = QLabel(side)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.verdict_label = QLabel(side)
        self.verdict_label.setObjectName("viewerVerdict")
        self.verdict_label.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.reason_label = QLabel(side)
        self.reason_label.setObjectName("viewerReason")
        self.reason_label.setWordWrap(True)
        self.reason_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.checks = QTableWidget(0, len(CHECK_COLUMNS) - 1, side)
        self.checks.setObjectName("viewerChecks")
        self.checks.setHorizontalHeaderLabels(
            [dp_tr(CHECK_COLUMNS[0]), dp_tr(CHECK_COLUMNS[1]), ""]
        )
        self.checks.verticalHeader().setVisible(False)
        self.checks.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.checks.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.checks.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.checks.setWordWrap(True)
        header = self.checks.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.checks.setVisible(False)
        self.decision_label = QLabel(side)
        self.decision_label.setWordWrap(True)
        self.approve_button = QPushButton(
            QCoreApplication.translate("ImageViewer", "Approve (A)"), side
        )
        self.reject_button = QPushButton(
            QCoreApplication.translate("ImageViewer", "Reject (R)"), side
        )
        self.clear_button = QPushButton(QCoreApplication.translate("ImageViewer", "Clear"), side)
        self.clear_button.setToolTip(
            QCoreApplication.translate(
                "ImageViewer", "Forget your decision: the judge's verdict stands"
            )
        )
        self.favourite_button = QPushButton(tr(FAVOURITE_OFF), side)
        self.favourite_button.setObjectName("viewerFavourite")
        self.favourite_button.setCheckable(True)
        self.favourite_button.setToolTip(
            QCoreApplication.translate("ImageViewer", "Mark as a favourite (F)")
        )
        self.star_buttons: list[QToolButton] = []
        for n in range(1, MAX_RATING + 1):
            star = QToolButton(side)
            star.setText(STAR_OFF)
            star.setAutoRaise(True)
            star.setToolTip(tr(RATE_TIP).format(n=n, most=MAX_RATING))
            star.setObjectName(f"viewerStar{n}")
            star.clicked.connect(lambda _=False, n=n: self._star_clicked(n))
            self.star_buttons.append(star)
        self.prompt_label = QLabel(side)
        self.prompt_label.setWordWrap(True)
        self.prompt_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.help_label = QLabel(tr(HELP), side)
        self.help_label.setWordWrap(True)
        self.help_label.setStyleSheet("color: palette(placeholder-text);")
        side_buttons: tuple[QAbstractButton, ...] = (
            self.approve_button,
            self.reject_button,
            self.clear_button,
            self.favourite_button,
            *self.star_buttons,
        )
        for side_button in side_buttons:
            side_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        decide_row = QHBoxLayout()
        decide_row.addWidget(self.approve_button)
        decide_row.addWidget(self.reject_button)
        decide_row.addWidget(self.clear_button)
        marks_row = QHBoxLayout()
        marks_row.addWidget(self.favourite_button)
        marks_row.addSpacing(12)
        for star in self.star_buttons:
            marks_row.addWidget(star)
        marks_row.addStretch(1)
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.title_label)
        side_layout.addWidget(self.verdict_label)
        side_layout.addWidget(self.reason_label)
        side_layout.addWidget(self.checks, 1)
        side_layout.addWidget(self.decision_label)
        side_layout.addLayout(decide_row)
        side_layout.addLayout(marks_row)
        side_layout.addWidget(QLabel(QCoreApplication.translate("ImageViewer", "Prompt:"), side))
        side_layout.addWidget(self.prompt_label)
        side_layout.addStretch(0)
        side_layout.addWidget(self.help_label)
        side.setMinimumWidth(260)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.canvas)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setSizes([900, 340])
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

        self.back_button.clicked.connect(self.close_viewer)
        self.prev_button.clicked.connect(self.previous)
        self.next_button.clicked.connect(self.next)
        self.fit_button.clicked.connect(self.canvas.fit)
        self.actual_button.clicked.connect(self.canvas.actual_size)
        self.in_button.clicked.connect(self.canvas.zoom_in)
        self.out_button.clicked.connect(self.canvas.zoom_out)
        self.canvas.scaleChanged.connect(self._update_zoom_label)
        self.approve_button.clicked.connect(lambda: self.decide(Decision.APPROVED))
        self.reject_button.clicked.connect(lambda: self.decide(Decision.REJECTED))
        self.clear_button.clicked.connect(lambda: self.decide(None))
        self.favourite_button.clicked.connect(self.toggle_favourite)
        self._shortcut("A", lambda: self.decide(Decision.APPROVED))
        self._shortcut("R", lambda: self.decide(Decision.REJECTED))
        self._shortcut("F", self.toggle_favourite)
        for n in range(1, MAX_RATING + 1):
            self._shortcut(f"Ctrl+{n}", functools.partial(self.set_rating, n))
        self._update_controls()

    def _shortcut(self, keys: str, slot: Callable[[], None]) -> None:
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)

    # -- contract -------------------------------------------------------------------------

    @property
    def current_id(self) -> int:
        return self._current

    @property
    def record(self) -> ImageRecord | None:
        """The shown image's row as last read or written here."""
        return self._record

    def show_images(self, image_ids: list[int], current: int) -> None:
        """Open on ``current`` (one of ``image_ids``, the run in gallery order)."""
        self._ids = [i for i in image_ids if i >= 0]
        if current not in self._ids:
            self._ids.append(current)
        self.canvas.fit()
        self._go(current)
        self.canvas.setFocus()

    def reload(self, image_id: int) -> None:
        """The row changed elsewhere (the details pane decided): read it again."""
        if image_id == self._current and image_id >= 0:
            self._read_record(image_id)

    def ids(self) -> list[int]:
        if self.sequence is not None:
            fresh = self.sequence()
            if self._current in fresh:
                self._ids = fresh
        return self._ids

    @Slot()
    def next(self) -> None:
        self._step(1)

    @Slot()
    def previous(self) -> None:
        self._step(-1)

    @Slot()
    def close_viewer(self) -> None:
        self._jobs.supersede("image")
        self.closed.emit()

    def decide(self, decision: Decision | None) -> None:
        image_id = self._current
        if image_id < 0 or self._record is None:
            return
        history = self.history

        def done(record: ImageRecord) -> None:
            if record.image_id == self._current:
                self._show_record(record)
            self.decided.emit(record.image_id)

        self._write(lambda: history.decide(image_id, decision), done, "viewer-decide")

    def toggle_favourite(self) -> None:
        record = self._record
        if record is None:
            return
        favourite = not record.favourite
        history = self.history
        self._write(
            lambda: history.set_favourite(record.image_id, favourite),
            self._marks_stored,
            "viewer-mark",
        )

    def set_rating(self, rating: int | None) -> None:
        record = self._record
        if record is None:
            return
        history = self.history
        self._write(
            lambda: history.set_rating(record.image_id, rating), self._marks_stored, "viewer-mark"
        )

    def _write(self, fn: Callable[[], T], done: Callable[[T], None], name: str) -> None:
        """A decision or mark, written on a worker. A row read still outstanding was asked
        before it (a refresh after the previous mark): its answer would show the row as it
        was, after this write has shown it as it is, so it is dropped."""
        self._jobs.supersede(ROW)
        self._jobs.start(fn, returned=done, errored=self._write_failed, name=name)

    def wait_idle(self, msecs: int = 10_000) -> bool:
        """Block until workers are done (tests only)."""
        return self._jobs.wait(msecs / 1000)

    def close_workers(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._jobs.close()
        self._jobs.wait()

    # -- internals ------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.close_viewer()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_PageUp):
            self.previous()
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_PageDown):
            self.next()
        elif key == Qt.Key.Key_Home:
            self._go_index(0)
        elif key == Qt.Key.Key_End:
            self._go_index(len(self.ids()) - 1)
        elif not zoom_key(self.canvas, event):
            super().keyPressEvent(event)
            return
        event.accept()

    def _step(self, delta: int) -> None:
        ids = self.ids()
        if self._current not in ids:
            return
        self._go_index(ids.index(self._current) + delta)

    def _go_index(self, index: int) -> None:
        ids = self.ids()
        if 0 <= index < len(ids) and ids[index] != self._current:
            self._go(ids[index])

    def _go(self, image_id: int) -> None:
        self._current = image_id
        self._record = None
        self.canvas.set_image(None, tr(LOADING))
        self._update_controls()
        self.currentImageChanged.emit(image_id)
        history = self.history

        def work() -> tuple[ImageRecord, QImage | None, str]:
            record = history.image(image_id)
            try:
                return record, load_full(record.path), ""
            except OSError as exc:
                return record, None, str(exc)

        def done(result: tuple[ImageRecord, QImage | None, str]) -> None:
            record, image, error = result
            if record.image_id != self._current:
                return
            self.canvas.set_image(image, tr(UNAVAILABLE).format(error=error) if error else "")
            self._show_record(record)
            self._update_zoom_label()
            self.loaded.emit(record.image_id)

        def failed(error: BaseException) -> None:
            if image_id == self._current:
                self.canvas.set_image(None, tr(UNAVAILABLE).format(error=error))
                log.warning("viewer: image %s: %s", image_id, error)

        self._jobs.start(work, returned=done, errored=failed, supersede="image")

    def _read_record(self, image_id: int) -> None:
        history = self.history

        def done(record: ImageRecord) -> None:
            if record.image_id == self._current:
                self._show_record(record)

        self._jobs.start(
            lambda: history.image(image_id), returned=done, errored=lambda _e: None, supersede=ROW
        )

    def _marks_stored(self, marks: ImageMarks) -> None:
        record = self._record
        if record is not None and record.image_id == marks.image_id:
            self._show_record(replace(record, favourite=marks.favourite, rating=marks.rating))
        self.marksChanged.emit(marks.image_id)

    def _write_failed(self, error: BaseException) -> None:
        log.warning("viewer: %s", error)
        self.decision_label.setText(tr(NOT_SAVED).format(error=error))
        self.failed.emit(str(error))

    def _star_clicked(self, n: int) -> None:
        record = self._record
        if record is not None:
            self.set_rating(None if record.rating == n else n)

    def _show_record(self, record: ImageRecord) -> None:
        self._record = record
        self.title_label.setText(image_title(record))
        text, colour = verdict_line(record)
        self.verdict_label.setText(text)
        self.verdict_label.setStyleSheet(pill_style(colour))
        verdict = record.verdict
        reason = judge_reason(verdict) if verdict is not None else tr(NO_VERDICT)
        self.reason_label.setText(
            tr(JUDGE).format(reason=reason) if verdict is not None else reason
        )
        rows = check_rows(verdict, record.human_items)
        self.checks.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row[:3]):
                cell = QTableWidgetItem(value)
                cell.setToolTip(row[3] if len(row) > 3 and row[3] else value)
                self.checks.setItem(r, c, cell)
        self.checks.setVisible(bool(rows))
        self.checks.resizeRowsToContents()
        self.decision_label.setText(
            tr(DECIDED).format(decision=tr(DECISIONS[record.human_decision]))
            if record.human_decision is not None
            else tr(UNDECIDED)
        )
        self.prompt_label.setText(record.prompt)
        self._update_controls()

    def _update_controls(self) -> None:
        record = self._record
        has = record is not None
        decision = record.human_decision if record is not None else None
        self.approve_button.setEnabled(has and decision is not Decision.APPROVED)
        self.reject_button.setEnabled(has and decision is not Decision.REJECTED)
        self.clear_button.setEnabled(has and decision is not None)
        favourite = bool(record and record.favourite)
        self.favourite_button.setEnabled(has)
        self.favourite_button.setChecked(favourite)
        self.favourite_button.setText(tr(FAVOURITE_ON if favourite else FAVOURITE_OFF))
        rating = (record.rating if record is not None else None) or 0
        for n, star in enumerate(self.star_buttons, start=1):
            star.setEnabled(has)
            star.setText(STAR_ON if n <= rating else STAR_OFF)
        ids = self._ids
        position = ids.index(self._current) if self._current in ids else -1
        self.position_label.setText(
            POSITION.format(n=position + 1, total=len(ids)) if position >= 0 else ""
        )
        self.prev_button.setEnabled(position > 0)
        self.next_button.setEnabled(0 <= position < len(ids) - 1)

    @Slot()
    def _update_zoom_label(self) -> None:
        self.zoom_label.setText(self.canvas.zoom_text() if self.canvas.has_image() else "")

"""The gallery: the current run's (or a past session's) images as a thumbnail grid.

A ``QListView`` in icon mode over ``GalleryModel`` (plain records). Live events change the
model at once; anything that needs the history (image ids, a reloaded row, a past
session) is fetched by a worker and applied when it comes back. Thumbnails are painted
from ``ThumbnailLoader``, which loads only what the delegate is asked to paint.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QCloseEvent, QColor, QKeyEvent, QPainter, QPalette, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSizePolicy,
    QSlider,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.records import ImageRecord, SessionTree
from imgloop_desktop.gui import badges
from imgloop_desktop.gui.compare_view import MAX_COMPARED, MIN_COMPARED, CompareView
from imgloop_desktop.gui.drag_export import DragPreparer, any_image_requested
from imgloop_desktop.gui.gallery_model import (
    GalleryItem,
    GalleryModel,
    ItemKind,
    ItemRole,
    Ref,
    items_from_session,
    tr,
    version_label,
    with_record,
)
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP
from imgloop_desktop.gui.image_viewer import ImageViewer
from imgloop_desktop.gui.settings_store import SettingsStore
from imgloop_desktop.gui.thumbnail_loader import DISK_THUMBNAIL_SIZE, ThumbnailLoader
from imgloop_desktop.gui.workers import Workers
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.services.images import thumbnail

log = logging.getLogger(__name__)

SESSION = "session"
"""The workers' key for answers about the shown session: showing another drops them."""


def _ignored(_error: BaseException) -> None:
    """A refresh that fails leaves the item as it was (the next event refreshes it again)."""


ICON_SIZE = 128
"""The thumbnail size until a person picks another (slider, Ctrl+wheel)."""
MIN_ICON_SIZE = 64
MAX_ICON_SIZE = DISK_THUMBNAIL_SIZE
"""No larger than the shared disk cache's thumbnails, so none is ever scaled up."""
ICON_STEP = 16
COMPARE_TIP = QT_TRANSLATE_NOOP(
    "Gallery", "Compare the selected images side by side (select 2-4; C)"
)
SIZE_TIP = QT_TRANSLATE_NOOP("Gallery", "Thumbnail size (Ctrl+wheel over the thumbnails)")
STAR_COLOUR = "#f9a825"
CAPTION_HEIGHT = 22
CELL_PADDING = 6
RUN_TITLE = QT_TRANSLATE_NOOP("Gallery", "Run {run_id}: {outcome}")
NOT_DRAGGED = QT_TRANSLATE_NOOP("Gallery", "Not dragged: {reasons}")
ONLY_APPROVED_DRAG = QT_TRANSLATE_NOOP(
    "Gallery",
    "Nothing to drag yet: the image is still being saved to the history; try again in a moment.",
)
NO_SESSION = QT_TRANSLATE_NOOP("Gallery", "No session")
LIVE_TITLE = QT_TRANSLATE_NOOP("Gallery", "Live run {run_id}")
LOADING_TITLE = QT_TRANSLATE_NOOP("Gallery", "Loading {run_id}…")
OPEN_FAILED = QT_TRANSLATE_NOOP("Gallery", "Session {run_id} could not be opened: {error}")
SESSION_TITLE = QT_TRANSLATE_NOOP("Gallery", "Session {run_id} · {outcome} · {started}")
NOT_PREPARED = QT_TRANSLATE_NOOP(
    "Gallery", "The images could not be prepared for dragging: {error}"
)
REASONS_SEPARATOR = QT_TRANSLATE_NOOP("Gallery", "; ")
OUTCOME_WORDS: dict[str, str] = {
    "approved": QT_TRANSLATE_NOOP("Gallery", "approved"),
    "not_approved": QT_TRANSLATE_NOOP("Gallery", "not_approved"),
    "error": QT_TRANSLATE_NOOP("Gallery", "error"),
    "cancelled": QT_TRANSLATE_NOOP("Gallery", "cancelled"),
    "interrupted": QT_TRANSLATE_NOOP("Gallery", "interrupted"),
    "budget": QT_TRANSLATE_NOOP("Gallery", "budget"),
    "running": QT_TRANSLATE_NOOP("Gallery", "running"),
}
"""How a run ended, as its title says it (the core's words in English)."""


def outcome_word(value: str) -> str:
    return tr(OUTCOME_WORDS[value]) if value in OUTCOME_WORDS else value


Index = QModelIndex | QPersistentModelIndex


def thumbnail_source(item: GalleryItem) -> Callable[[], Path]:
    """Where the worker gets the item's thumbnail file: the shared on-disk cache, keyed by
    content, so live images and reopened sessions share their thumbnails."""
    path, sha256 = item.path, item.sha256

    def source() -> Path:
        if path is None:
            raise OSError("the image has no local file")
        return thumbnail(path, sha256, DISK_THUMBNAIL_SIZE)

    return source


def _is_image(index: QModelIndex) -> bool:
    item = index.data(ItemRole)
    return isinstance(item, GalleryItem) and item.kind is ItemKind.IMAGE


def _step(images: list[int], row: int, *, forward: bool, stay: int) -> int:
    """The first image row after (or before) ``row``; ``stay`` when there is none."""
    at = bisect.bisect_right(images, row) if forward else bisect.bisect_left(images, row) - 1
    return images[at] if 0 <= at < len(images) else stay


class GalleryDelegate(QStyledItemDelegate):
    """Paints headers, thumbnails with badges, and failed-attempt tiles. Painting an image
    cell is what asks the loader for its thumbnail, so only visible cells ever load."""

    def __init__(self, loader: ThumbnailLoader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loader = loader
        self.icon_size = ICON_SIZE

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        side = self.icon_size + 2 * CELL_PADDING
        return QSize(side, side + CAPTION_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        item = index.data(ItemRole)
        if not isinstance(item, GalleryItem):
            return
        rect: QRect = option.rect
        painter.save()
        try:
            if item.kind is ItemKind.HEADER:
                self._paint_header(painter, rect, item, option)
            elif item.kind is ItemKind.FAILED:
                self._paint_failed(painter, rect, item, option)
            else:
                self._paint_image(painter, rect, item, option)
        finally:
            painter.restore()

    def _cell(self, rect: QRect) -> QRect:
        return rect.adjusted(CELL_PADDING // 2, CELL_PADDING // 2, -CELL_PADDING // 2, 0)

    def _paint_header(
        self, painter: QPainter, rect: QRect, item: GalleryItem, option: QStyleOptionViewItem
    ) -> None:
        palette: QPalette = option.palette
        cell = self._cell(rect).adjusted(0, 0, 0, -CELL_PADDING // 2)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.Highlight).lighter(170))
        painter.drawRoundedRect(cell, 6, 6)
        painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
        painter.drawRect(QRect(cell.left(), cell.top(), 4, cell.height()))
        text_rect = cell.adjusted(10, 6, -6, -6)
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignTop, version_label(item.revision))
        line = painter.fontMetrics().height()
        font.setBold(False)
        font.setItalic(True)
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.85))
        painter.setFont(font)
        subtitle = (
            QCoreApplication.translate("Gallery", "original")
            if item.revision == 0
            else QCoreApplication.translate("Gallery", "revised")
        )
        painter.drawText(text_rect.adjusted(0, line, 0, 0), Qt.AlignmentFlag.AlignTop, subtitle)
        line += painter.fontMetrics().height()
        font.setItalic(False)
        painter.setFont(font)
        body = text_rect.adjusted(0, line + 6, 0, 0)
        text = item.prompt or item.note
        if item.note and item.prompt:
            text = f"{item.prompt}\n⚠ {item.note}"
        painter.drawText(
            body,
            int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            | int(Qt.TextFlag.TextWordWrap),
            text,
        )

    def _paint_failed(
        self, painter: QPainter, rect: QRect, item: GalleryItem, option: QStyleOptionViewItem
    ) -> None:
        palette: QPalette = option.palette
        cell = self._cell(rect)
        thumb = QRect(cell.left(), cell.top(), cell.width(), self.icon_size + CELL_PADDING)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QColor(badges.COLOURS[badges.Badge.ERROR]))
        painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase))
        painter.drawRoundedRect(thumb.adjusted(1, 1, -1, -1), 4, 4)
        badges.paint_badge(painter, thumb, badges.Badge.ERROR)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(
            thumb.adjusted(6, 28, -6, -6),
            int(Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap),
            item.note,
        )
        self._caption(painter, cell, item, option)

    def _paint_image(
        self, painter: QPainter, rect: QRect, item: GalleryItem, option: QStyleOptionViewItem
    ) -> None:
        palette: QPalette = option.palette
        state = option.state
        cell = self._cell(rect)
        if state & QStyle.StateFlag.State_Selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(cell, 4, 4)
        thumb = QRect(cell.left(), cell.top(), cell.width(), self.icon_size + CELL_PADDING)
        area = thumb.adjusted(CELL_PADDING // 2, CELL_PADDING // 2, -CELL_PADDING // 2, 0)
        key = item.sha256 or f"path:{item.path}"
        pixmap = self.loader.pixmap(key, thumbnail_source(item))
        if pixmap is not None:
            size = pixmap.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(area.center())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawPixmap(target, pixmap)
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase).darker(110))
            painter.drawRect(area)
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            failed = self.loader.failed(key)
            painter.drawText(
                area,
                int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap),
                QCoreApplication.translate("Gallery", "image unavailable") if failed else "…",
            )
        badges.paint_badge(painter, thumb, item.badge, item.score)
        if item.best:
            badges.paint_best(painter, thumb)
        if item.upload_failed:
            badges.paint_upload_failed(painter, thumb)
        if item.favourite or item.rating:
            self._paint_marks(painter, thumb, item)
        self._caption(painter, cell, item, option)

    def _paint_marks(self, painter: QPainter, thumb: QRect, item: GalleryItem) -> None:
        """A gold star and the rating at the bottom right, clear of the badges (top left,
        top right) and the best pill (bottom left)."""
        text = ("★" if item.favourite else "") + (f" {item.rating}/5" if item.rating else "")
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        width = metrics.horizontalAdvance(text.strip()) + 10
        height = metrics.height() + 2
        rect = QRect(thumb.right() - width - 3, thumb.bottom() - height - 3, width, height)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 150))
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(QColor(STAR_COLOUR))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text.strip())

    def _caption(
        self, painter: QPainter, cell: QRect, item: GalleryItem, option: QStyleOptionViewItem
    ) -> None:
        palette: QPalette = option.palette
        state = option.state
        role = (
            QPalette.ColorRole.HighlightedText
            if state & QStyle.StateFlag.State_Selected
            else QPalette.ColorRole.Text
        )
        painter.setPen(palette.color(role))
        caption = QRect(cell.left(), cell.bottom() - CAPTION_HEIGHT, cell.width(), CAPTION_HEIGHT)
        text = painter.fontMetrics().elidedText(
            item.title, Qt.TextElideMode.ElideRight, caption.width() - 4
        )
        painter.drawText(caption, Qt.AlignmentFlag.AlignCenter, text)


class GalleryView(QListView):
    """Icon mode, batched layout, drag-only (Picard's drag-out; the model's ``mimeData``
    answers with exported copies). Space opens the viewer, C the compare view, and
    Ctrl+wheel asks for another thumbnail size (the panel owns the size)."""

    openKeyPressed = Signal()
    compareKeyPressed = Signal()
    sizeStepRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setUniformItemSizes(True)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(200)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setWrapping(True)
        self.setSpacing(4)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setAcceptDrops(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        """Arrow keys, Home, End and the page keys land on image tiles only.

        Prompt-version headers and failed-attempt tiles cannot be selected, so a cursor
        parked on one selects nothing and the details pane goes blank: a person moving
        through images would have to press the key again. Left and Right follow the
        reading order (what the tiles mean); Up and Down go to the nearest image in the
        nearest row above or below that has one (what the grid shows), so a header under
        the cursor is stepped over rather than stopping the move.
        """
        model = self.model()
        if model is None:
            return QModelIndex()
        images = [r for r in range(model.rowCount()) if _is_image(model.index(r, 0))]
        current = self.currentIndex()
        if not images:
            return current
        action = QAbstractItemView.CursorAction
        if self.isRightToLeft() and cursorAction in (action.MoveLeft, action.MoveRight):
            cursorAction = action.MoveRight if cursorAction == action.MoveLeft else action.MoveLeft
        if cursorAction == action.MoveHome:
            return model.index(images[0], 0)
        if cursorAction == action.MoveEnd:
            return model.index(images[-1], 0)
        if not current.isValid():
            return model.index(images[0], 0)
        row = current.row()
        forward = cursorAction in (action.MoveRight, action.MoveNext, action.MoveDown)
        forward = forward or cursorAction == action.MovePageDown
        if cursorAction in (action.MoveUp, action.MoveDown):
            below = self._nearest_row(current, images, down=forward)
            if below is not None:
                return model.index(below, 0)
        elif cursorAction in (action.MovePageUp, action.MovePageDown):
            target = super().moveCursor(cursorAction, modifiers)
            if target.isValid() and _is_image(target):
                return target
            if target.isValid() and target.row() != row:
                # A page away lands on a header: the image just past it, else just before.
                found = _step(images, target.row(), forward=forward, stay=-1)
                if found < 0 or (found > row) != forward:
                    found = _step(images, target.row(), forward=not forward, stay=row)
                return model.index(found, 0)
        return model.index(_step(images, row, forward=forward, stay=row), 0)

    def _nearest_row(self, current: QModelIndex, images: list[int], *, down: bool) -> int | None:
        """The image in the nearest laid-out row below (or above) ``current``, closest to
        its column; None when there is none (the end, or rows not laid out yet)."""
        model = self.model()
        here = self.rectForIndex(current).center()
        best: tuple[int, int, int] | None = None
        for row in images:
            rect = self.rectForIndex(model.index(row, 0))
            if not rect.isValid():
                continue
            centre = rect.center()
            dy = centre.y() - here.y() if down else here.y() - centre.y()
            if dy <= 0:
                continue
            # Equally near on both sides: going down prefers the later tile, up the earlier.
            key = (dy, abs(centre.x() - here.x()), -row if down else row)
            if best is None or key < best:
                best = key
        return None if best is None else abs(best[2])

    def keyPressEvent(self, event: QKeyEvent) -> None:
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        plain = modifiers == Qt.KeyboardModifier.NoModifier
        if plain and event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.openKeyPressed.emit()
            event.accept()
            return
        if plain and event.key() == Qt.Key.Key_C:
            self.compareKeyPressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = round(event.angleDelta().y() / 120)
            if steps:
                self.sizeStepRequested.emit(steps)
            event.accept()
            return
        super().wheelEvent(event)


class GalleryPanel(QWidget):
    """The gallery as the main window hosts it: ``on_event`` for the live run,
    ``show_session`` for a past one, ``refresh_image`` after a decision.

    ``imageSelected(id)``: the current image's history id, -1 for none (a live image whose
    id is still being looked up reports -1 and then its id).
    ``imageUpdated(id)``: an image's badge data changed (verdict, decision, upload).
    ``statusMessage(text)``: something worth a line in the status bar (a refused drag).
    ``viewRequested(id)``: double-click, Space or Enter on an image: open the large viewer.
    ``compareRequested(ids)``: the Compare button or C with 2-4 images selected.
    (``ViewerStack`` answers both; a host without one may connect them itself.)
    """

    viewRequested = Signal(int)
    compareRequested = Signal(list)
    thumbnailSizeChanged = Signal(int)

    imageSelected = Signal(int)
    imageUpdated = Signal(int)
    statusMessage = Signal(str)
    sessionLoaded = Signal(str)
    """A ``show_session`` finished loading (the window's status bar; tests)."""
    imageRefreshed = Signal(int)
    """``refresh_image`` applied the stored row."""
    idsResolved = Signal()
    """Live images got their history ids."""

    def __init__(
        self,
        history: HistoryService,
        parent: QWidget | None = None,
        *,
        settings: SettingsStore | None = None,
    ) -> None:
        """``settings``: where the thumbnail size is remembered; None keeps it for this
        window only (tests, tools)."""
        super().__init__(parent)
        self.history = history
        self.settings = settings
        self._jobs = Workers("gallery", max_threads=2, parent=self)
        # Loaded at the largest size offered: a bigger slider value never shows a blurred,
        # upscaled thumbnail, and a smaller one is scaled down at paint time.
        self.loader = ThumbnailLoader(MAX_ICON_SIZE, parent=self)
        self.drag = DragPreparer(history, self)
        self.model = GalleryModel(self)
        self.model.mime_provider = self._mime_for
        self.view = GalleryView(self)
        self.view.setModel(self.model)
        self.delegate = GalleryDelegate(self.loader, self.view)
        self.view.setItemDelegate(self.delegate)
        self.title = QLabel(tr(NO_SESSION), self)
        # A long run title must not widen the window past a small screen: it is cut at
        # the column's edge, the whole text on hover (set with the text).
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.compare_button = QPushButton(QCoreApplication.translate("Gallery", "Compare"), self)
        self.compare_button.setObjectName("galleryCompare")
        self.compare_button.setToolTip(tr(COMPARE_TIP))
        self.compare_button.setEnabled(False)
        self.size_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.size_slider.setObjectName("thumbnailSize")
        self.size_slider.setRange(MIN_ICON_SIZE, MAX_ICON_SIZE)
        self.size_slider.setSingleStep(ICON_STEP)
        self.size_slider.setPageStep(ICON_STEP * 2)
        self.size_slider.setFixedWidth(120)
        self.size_slider.setToolTip(tr(SIZE_TIP))
        self.size_slider.setAccessibleName(QCoreApplication.translate("Gallery", "Thumbnail size"))
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.title, 1)
        head.addWidget(self.compare_button)
        head.addWidget(QLabel(QCoreApplication.translate("Gallery", "Size"), self))
        head.addWidget(self.size_slider)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.view)
        saved = settings.thumbnail_size() if settings is not None else None
        self.set_thumbnail_size(saved if saved is not None else ICON_SIZE, remember=False)
        self.size_slider.valueChanged.connect(self.set_thumbnail_size)
        self.view.sizeStepRequested.connect(
            lambda steps: self.set_thumbnail_size(self.thumbnail_size + steps * ICON_STEP)
        )
        self.view.doubleClicked.connect(self._double_clicked)
        self.view.openKeyPressed.connect(self.request_view)
        self.view.compareKeyPressed.connect(self.request_compare)
        self.compare_button.clicked.connect(self.request_compare)

        self._run_id: str | None = None
        """The session shown (live or past)."""
        self._live_run_id: str | None = None
        """The run whose events are arriving; shown only when it is ``_run_id``."""
        self._resolving = False
        self._resolve_again = False
        self._loading = False
        """A ``show_session`` read is in flight."""
        self._buffered: list[object] = []
        self._last_selected = -1
        self._closed = False

        self.loader.loaded.connect(self._thumbnail_loaded)
        app = QCoreApplication.instance()
        if app is not None:  # the window should call close_workers(); this is the backstop
            app.aboutToQuit.connect(self.close_workers)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.selectionModel().currentChanged.connect(self._current_changed)

    # -- contract -----------------------------------------------------------------------------

    @property
    def run_id(self) -> str | None:
        return self._run_id

    @property
    def thumbnail_size(self) -> int:
        return self.delegate.icon_size

    def set_thumbnail_size(self, size: int, *, remember: bool = True) -> None:
        """Resize every cell (clamped to the sizes offered) and, unless told otherwise,
        remember the size for the next start."""
        size = min(max(int(size), MIN_ICON_SIZE), MAX_ICON_SIZE)
        if self.size_slider.value() != size:
            self.size_slider.blockSignals(True)
            self.size_slider.setValue(size)
            self.size_slider.blockSignals(False)
        if size == self.delegate.icon_size and self.view.iconSize().width() == size:
            return
        self.delegate.icon_size = size
        self.view.setIconSize(QSize(size, size))
        self.view.doItemsLayout()  # uniform item sizes are cached: lay out again
        self.view.viewport().update()
        if remember and self.settings is not None:
            self.settings.set_thumbnail_size(size)
        self.thumbnailSizeChanged.emit(size)

    @Slot()
    def request_view(self) -> None:
        """Open the viewer on the current image (Space, Enter)."""
        current = self.view.currentIndex()
        ids = self.selected_image_ids()
        image_id = self.model.item(current.row()).image_id if current.isValid() else -1
        if image_id < 0 and ids:
            image_id = ids[0]
        if image_id >= 0:
            self.viewRequested.emit(image_id)

    @Slot()
    def request_compare(self) -> None:
        ids = self.selected_image_ids()
        if MIN_COMPARED <= len(ids) <= MAX_COMPARED:
            self.compareRequested.emit(ids)
        else:
            self.statusMessage.emit(tr(COMPARE_TIP))

    @Slot(QModelIndex)
    def _double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            image_id = self.model.item(index.row()).image_id
            if image_id >= 0:
                self.viewRequested.emit(image_id)

    @Slot(object)
    def on_event(self, event: object) -> None:
        """A live event of the current run (on the GUI thread). Every event type is
        accepted; those the gallery does not show are ignored."""
        if isinstance(event, ev.RunStarted):
            self._new_session()
            self._live_run_id = self._run_id = event.run_id
            self._buffered.clear()
            self._loading = False
            self._set_title(tr(LIVE_TITLE).format(run_id=event.run_id))
            self.model.apply_event(event)
            self.drag.prepare([])
            self._emit_selected(-1)
            return
        if self._live_run_id is None:
            return  # no run going: nothing to apply it to
        if self._live_run_id == self._run_id:
            if self._loading:
                self._buffered.append(event)  # applied on top of the session being read
            else:
                self._apply_live(event)
        if isinstance(event, ev.RunFinished):
            self._live_run_id = None

    def _apply_live(self, event: object) -> None:
        before = self._snapshot_ids()
        if self.model.apply_event(event):
            self._resolve_ids()
        if isinstance(event, ev.RunFinished):
            self._set_title(
                tr(RUN_TITLE).format(run_id=event.run_id, outcome=outcome_word(event.outcome.value))
            )
        self._announce_changes(before)

    def _set_title(self, text: str) -> None:
        self.title.setText(text)
        self.title.setToolTip(text)

    def show_session(self, run_id: str) -> None:
        """Load a past session off the GUI thread and show it as it looked when it ran."""
        self._new_session()
        self._run_id = run_id
        self._buffered.clear()
        self._loading = True
        self._set_title(tr(LOADING_TITLE).format(run_id=run_id))
        self.model.clear()
        self._emit_selected(-1)
        history = self.history

        def failed(error: BaseException) -> None:
            self._loading = False
            self._buffered = []
            self._set_title(tr(OPEN_FAILED).format(run_id=run_id, error=error))
            log.warning("opening session %s: %s", run_id, error)

        def done(tree: SessionTree) -> None:
            self._loading = False
            buffered, self._buffered = self._buffered, []
            self._set_title(
                tr(SESSION_TITLE).format(
                    run_id=run_id,
                    outcome=outcome_word(tree.outcome.value),
                    started=f"{tree.started_at.astimezone():%Y-%m-%d %H:%M}",
                )
            )
            self.model.set_items(items_from_session(tree))
            for event in buffered:  # the live run's events that arrived while reading
                self._apply_live(event)
            self.sessionLoaded.emit(run_id)

        self._jobs.start(
            lambda: history.session(run_id), returned=done, errored=failed, key=SESSION
        )

    def _new_session(self) -> None:
        """Another session is shown: every answer about the previous one is dropped."""
        self._jobs.supersede(SESSION)
        self._resolving = self._resolve_again = False

    def clear(self) -> None:
        self._new_session()
        self._run_id = None
        self._loading = False
        self._buffered.clear()
        self._set_title(tr(NO_SESSION))
        self.model.clear()
        self.drag.prepare([])
        self._emit_selected(-1)

    def selected_image_ids(self) -> list[int]:
        rows = sorted(i.row() for i in self.view.selectionModel().selectedIndexes())
        ids = [self.model.item(r).image_id for r in rows]
        return [i for i in ids if i >= 0]

    def refresh_image(self, image_id: int) -> None:
        """Reload one image's row (after a decision in the details pane) and redraw it."""
        if image_id < 0 or self.model.row_of_id(image_id) < 0:
            return
        history = self.history

        def done(record: ImageRecord) -> None:
            row = self.model.row_of_id(image_id)
            if row < 0:
                return
            item = self.model.item(row)
            self.model.upsert(with_record(item, record))
            self.drag.invalidate()
            self.imageUpdated.emit(image_id)
            self.imageRefreshed.emit(image_id)

        self._jobs.start(
            lambda: history.image(image_id), returned=done, errored=_ignored, key=SESSION
        )

    def select_image(self, image_id: int) -> bool:
        row = self.model.row_of_id(image_id)
        if row < 0:
            return False
        self.view.setCurrentIndex(self.model.index(row))
        return True

    def wait_idle(self, msecs: int = 10_000) -> bool:
        """Block until workers are done (tests only)."""
        return self._jobs.wait(msecs / 1000) and self.loader.wait(msecs) and self.drag.wait(msecs)

    def close_workers(self) -> None:
        """Stop and wait for every worker; the panel shows what it has and fetches nothing."""
        if self._closed:
            return
        self._closed = True
        self._jobs.close()
        self._jobs.wait()
        self.loader.close()
        self.drag.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.close_workers()
        super().closeEvent(event)

    # -- internals -----------------------------------------------------------------------------

    def _mime_for(self, image_ids: list[int]) -> object:
        any_image = any_image_requested()
        try:
            mime = self.drag.mime(image_ids, any_image=any_image)
        except Exception as exc:  # called from Qt's drag code: say it, never raise into C++
            log.warning("preparing a drag of %s: %s", image_ids, exc)
            self.statusMessage.emit(tr(NOT_PREPARED).format(error=exc))
            return None
        skipped = self.drag.last_skipped
        if skipped:  # the real reason first: a file that is gone or changed
            reasons = tr(REASONS_SEPARATOR).join(skipped)
            self.statusMessage.emit(tr(NOT_DRAGGED).format(reasons=reasons))
        elif mime is None:
            self.statusMessage.emit(tr(ONLY_APPROVED_DRAG))
        return mime

    def _snapshot_ids(self) -> dict[Ref, GalleryItem]:
        return {i.ref: i for i in self.model.items() if i.image_id >= 0}

    def _announce_changes(self, before: dict[Ref, GalleryItem]) -> None:
        changed = False
        for item in self.model.items():
            old = before.get(item.ref)
            if old is not None and old != item and item.image_id >= 0:
                self.imageUpdated.emit(item.image_id)
                changed = True
        if changed:
            self.drag.invalidate()

    def _resolve_ids(self) -> None:
        """Find history ids for live images: the recorder committed each row before its event
        reached us, so one read of the session (well under a millisecond) names them all.
        Calls made while a lookup is running are folded into one more lookup."""
        if self._resolving:
            self._resolve_again = True
            return
        run_id = self._run_id
        if run_id is None:
            return
        self._resolving = True
        self._resolve_again = False
        history = self.history

        def work() -> dict[Ref, int]:
            tree = history.session(run_id)
            return {(i.revision, i.attempt, i.index): i.image_id for i in tree.images()}

        def done(ids: dict[Ref, int]) -> None:
            for row in self.model.set_image_ids(ids):
                self._resolved(row)
            self.idsResolved.emit()

        def failed(error: BaseException) -> None:
            log.warning("looking up images of %s: %s", run_id, error)

        def finished() -> None:
            self._resolving = False
            if self._resolve_again:
                self._resolve_ids()

        # A lookup for a session no longer shown is dropped with it (``_new_session`` also
        # clears the flags, so the new session's first lookup starts at once).
        self._jobs.start(work, returned=done, errored=failed, finished=finished, key=SESSION)

    def _resolved(self, row: int) -> None:
        if self.view.selectionModel().isSelected(self.model.index(row)):
            self.drag.prepare(self.selected_image_ids())
            self._update_selected()

    @Slot(str)
    def _thumbnail_loaded(self, _key: str) -> None:
        self.view.viewport().update()

    @Slot(QItemSelection, QItemSelection)
    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.drag.prepare(self.selected_image_ids())
        self._update_selected()

    @Slot(QModelIndex, QModelIndex)
    def _current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_selected()

    def _update_selected(self) -> None:
        """The current item when it is selected, else the last selected one, else -1."""
        count = len(self.selected_image_ids())
        self.compare_button.setEnabled(MIN_COMPARED <= count <= MAX_COMPARED)
        current = self.view.currentIndex()
        if current.isValid() and self.view.selectionModel().isSelected(current):
            self._emit_selected(self.model.item(current.row()).image_id)
        else:
            ids = self.selected_image_ids()
            self._emit_selected(ids[-1] if ids else -1)

    def _emit_selected(self, image_id: int) -> None:
        if image_id != self._last_selected:
            self._last_selected = image_id
            self.imageSelected.emit(image_id)


class ViewerStack(QStackedWidget):
    """``page`` (the window's usual layout, or the gallery alone) with the large viewer and
    the compare view stacked over it, wired to ``gallery``: a double-click, Space or C in
    the gallery shows one of them over the whole page, Esc puts the page back with the
    last viewed image selected, and a decision or mark made there reloads the gallery's
    cell (which tells the details pane through ``imageUpdated``).

    The host adds this widget where ``page`` was and calls ``close_workers`` on quit.
    """

    def __init__(self, gallery: GalleryPanel, page: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gallery = gallery
        self.page = page
        self.viewer = ImageViewer(gallery.history, self)
        self.compare = CompareView(gallery.history, self)
        self.addWidget(page)
        self.addWidget(self.viewer)
        self.addWidget(self.compare)
        self.viewer.sequence = gallery.model.image_ids
        gallery.viewRequested.connect(self.open_viewer)
        gallery.compareRequested.connect(self.open_compare)
        gallery.imageUpdated.connect(self._refreshed)
        self.viewer.closed.connect(self.show_page)
        self.compare.closed.connect(self.show_page)
        self.viewer.currentImageChanged.connect(gallery.select_image)
        self.viewer.decided.connect(gallery.refresh_image)
        self.viewer.marksChanged.connect(gallery.refresh_image)
        self.compare.decided.connect(gallery.refresh_image)
        self.viewer.failed.connect(gallery.statusMessage)
        self.compare.failed.connect(gallery.statusMessage)

    @Slot(int)
    def open_viewer(self, image_id: int) -> None:
        self.viewer.show_images(self.gallery.model.image_ids(), image_id)
        self.setCurrentWidget(self.viewer)
        self.viewer.canvas.setFocus()

    @Slot(list)
    def open_compare(self, image_ids: list[int]) -> None:
        self.compare.show_images(image_ids)
        self.setCurrentWidget(self.compare)

    @Slot()
    def show_page(self) -> None:
        last = self.viewer.current_id if self.currentWidget() is self.viewer else -1
        self.setCurrentWidget(self.page)
        if last >= 0:
            self.gallery.select_image(last)
        self.gallery.view.setFocus()

    def close_workers(self) -> None:
        self.viewer.close_workers()
        self.compare.close_workers()

    def _refreshed(self, image_id: int) -> None:
        """A decision made in the details pane, or a live run's verdict or upload, shows
        here too: the viewer may be open on an image the judge has not answered yet."""
        self.viewer.reload(image_id)
        self.compare.reload(image_id)

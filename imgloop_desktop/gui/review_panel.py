"""The review list (issue 12): images waiting for a person, in a dock (View > Review images).

Checklist judging never silently approves or rejects what the judge was unsure of: an
image with an unsure must goes to review, and a run that approved nothing names its best
image. Both land here (``HistoryService.review_items``). Selecting one shows it with what
keeps it from approval and the requirements it was judged against; Approve or Reject
records the person's decision (``HistoryService.decide``). Ticking "Say which requirements
it meets" sends a decision per requirement too: those are the labels a judge model is
measured against (``HistoryService.agreement``, shown in the history dock).

Every history call runs on this panel's ``gui.workers.Workers``; a newer question (another
image selected, the list reloaded) drops the answer to the older one.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal, Slot
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QResizeEvent, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from imgloop_desktop.core.records import Decision, ImageRecord, ReviewItem, ReviewReason
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, in_context
from imgloop_desktop.gui.record_notes import judge_misses
from imgloop_desktop.gui.workers import Workers
from imgloop_desktop.services.history import HistoryService

# What the review list says; the tests compare against these.
TITLE = QT_TRANSLATE_NOOP("ReviewPanel", "Review")
EMPTY = QT_TRANSLATE_NOOP(
    "ReviewPanel", "Nothing to review: every image the judge was unsure of has your decision."
)
COUNT = QT_TRANSLATE_NOOP("ReviewPanel", "{n} image(s) wait for your decision.")
LOADING = QT_TRANSLATE_NOOP("ReviewPanel", "Loading…")
REASONS = {
    ReviewReason.BEST_NOT_APPROVED: QT_TRANSLATE_NOOP("ReviewPanel", "★ best, not approved"),
    ReviewReason.UNSURE_MUSTS: QT_TRANSLATE_NOOP("ReviewPanel", "? the judge was unsure"),
}
ENTRY = "{reason} · {prompt}"
MISSES = QT_TRANSLATE_NOOP("ReviewPanel", "What keeps it from approval: {misses}")
NO_MISSES = QT_TRANSLATE_NOOP("ReviewPanel", "The judge gave no reason it misses.")
WHERE = QT_TRANSLATE_NOOP(
    "ReviewPanel", "Prompt v{revision}, attempt {attempt}, image {index} · {badge}"
)
TICK = QT_TRANSLATE_NOOP(
    "ReviewPanel", "Say which requirements it &meets (sent with your decision)"
)
TICK_TIP = QT_TRANSLATE_NOOP(
    "ReviewPanel",
    "Ticked requirements are met, unticked ones are not; each becomes a label the judge "
    "is measured against. Leave this off to decide the image as a whole.",
)
APPROVE = QT_TRANSLATE_NOOP("ReviewPanel", "A&pprove")
REJECT = QT_TRANSLATE_NOOP("ReviewPanel", "R&eject")
APPROVE_TIP = QT_TRANSLATE_NOOP("ReviewPanel", "Approve this image, whatever the judge said")
REJECT_TIP = QT_TRANSLATE_NOOP("ReviewPanel", "Reject this image, whatever the judge said")
REFRESH = QT_TRANSLATE_NOOP("ReviewPanel", "Refresh")
REFRESH_KEY = "F5"
REFRESH_TIP = QT_TRANSLATE_NOOP("ReviewPanel", "Read the list again (F5)")
ONLY = QT_TRANSLATE_NOOP("ReviewPanel", "Only {what}.")
SHOW_ALL = QT_TRANSLATE_NOOP("ReviewPanel", "Show all")
DECIDED = QT_TRANSLATE_NOOP("ReviewPanel", "Recorded: {decision}.")
DECISIONS = {
    Decision.APPROVED: QT_TRANSLATE_NOOP("ReviewPanel", "approved"),
    Decision.REJECTED: QT_TRANSLATE_NOOP("ReviewPanel", "rejected"),
}
SAVE_FAILED = QT_TRANSLATE_NOOP("ReviewPanel", "Your decision was not saved: {error}")
LOAD_FAILED = QT_TRANSLATE_NOOP("ReviewPanel", "The review list could not be read: {error}")
PICTURE_MISSING = QT_TRANSLATE_NOOP("ReviewPanel", "The image file is missing:\n{path}")
MUST = QT_TRANSLATE_NOOP("ReviewPanel", "must")
SHOULD = QT_TRANSLATE_NOOP("ReviewPanel", "should")
PREVIEW_SIDE = 768

LIST = "review-list"
PICTURE = "review-picture"


_tr = in_context("ReviewPanel")


@dataclass(frozen=True)
class _Requirement:
    item_id: str
    text: str
    must: bool
    judged_yes: bool


def requirements(image: ImageRecord) -> list[_Requirement]:
    """The requirements the image was judged against, with the judge's yes pre-ticked."""
    verdict = image.verdict
    if verdict is None or verdict.checklist is None:
        return []
    checks = verdict.checks
    out = []
    for item in verdict.checklist.items:
        found = checks.get(item.id) if checks is not None else None
        out.append(
            _Requirement(item.id, item.text, item.must, found is not None and found.result == "yes")
        )
    return out


def _load_picture(image: ImageRecord) -> QImage | None:
    """Worker side: the image, scaled down for the preview."""
    picture = QImage(str(image.path))
    if picture.isNull():
        return None
    if max(picture.width(), picture.height()) > PREVIEW_SIDE:
        picture = picture.scaled(
            QSize(PREVIEW_SIDE, PREVIEW_SIDE),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    return picture


class ReviewPanel(QWidget):
    """``decided(image_id)`` after the history recorded a decision (the gallery and the
    details pane refresh that image; the history dock its agreement); ``message(str)`` is
    for the status bar."""

    decided = Signal(int)
    message = Signal(str)

    def __init__(self, history: HistoryService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewPanel")
        self.history = history
        self._jobs = Workers("review", max_threads=2, parent=self)
        self._items: list[ReviewItem] = []
        self._loaded_once = False
        self._busy = False
        self._only: list[str] | None = None  # the runs of one queue item, or everything

        self.only_label = QLabel(self)
        self.only_label.setObjectName("reviewOnly")
        self.only_label.setWordWrap(True)
        self.show_all_button = QPushButton(_tr(SHOW_ALL), self)
        self.show_all_button.setObjectName("reviewShowAll")
        self.show_all_button.clicked.connect(lambda: self.show_only(None))

        self.count_label = QLabel(self)
        self.count_label.setObjectName("reviewCount")
        self.count_label.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("reviewList")
        self.list.setUniformItemSizes(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)

        self.picture = QLabel(self)
        self.picture.setObjectName("reviewPicture")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setMinimumSize(120, 120)
        self.picture.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._pixmap: QPixmap | None = None
        self.where_label = QLabel(self)
        self.where_label.setWordWrap(True)
        self.misses_label = QLabel(self)
        self.misses_label.setObjectName("reviewMisses")
        self.misses_label.setWordWrap(True)
        self.misses_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tick_check = QCheckBox(_tr(TICK), self)
        self.tick_check.setObjectName("reviewTick")
        self.tick_check.setToolTip(_tr(TICK_TIP))
        self.item_box = QWidget(self)
        self._item_column = QVBoxLayout(self.item_box)
        self._item_column.setContentsMargins(18, 0, 0, 0)
        self._item_checks: dict[str, QCheckBox] = {}
        self.approve_button = QPushButton(_tr(APPROVE), self)
        self.reject_button = QPushButton(_tr(REJECT), self)
        self.refresh_button = QPushButton(_tr(REFRESH), self)
        # F5 rather than a mnemonic: the History dock has a Refresh too, and Alt+letters
        # are one set for the whole window; a key bound to the focused panel is not.
        self.refresh_button.setToolTip(_tr(REFRESH_TIP))
        refresh_key = QShortcut(QKeySequence(REFRESH_KEY), self)
        refresh_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh_key.activated.connect(self.refresh_button.click)
        self.approve_button.setToolTip(_tr(APPROVE_TIP))
        self.reject_button.setToolTip(_tr(REJECT_TIP))

        left = QWidget(self)
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        only_row = QHBoxLayout()
        only_row.addWidget(self.only_label, 1)
        only_row.addWidget(self.show_all_button)
        left_column.addLayout(only_row)
        left_column.addWidget(self.count_label)
        left_column.addWidget(self.list, 1)
        left_column.addWidget(self.refresh_button)
        right = QWidget(self)
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addWidget(self.picture, 1)
        right_column.addWidget(self.where_label)
        right_column.addWidget(self.misses_label)
        right_column.addWidget(self.tick_check)
        right_column.addWidget(self.item_box)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.reject_button)
        right_column.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.list.currentRowChanged.connect(self._selected)
        self.tick_check.toggled.connect(self.item_box.setVisible)
        self.approve_button.clicked.connect(lambda: self.decide(Decision.APPROVED))
        self.reject_button.clicked.connect(lambda: self.decide(Decision.REJECTED))
        self.refresh_button.clicked.connect(self.refresh)
        app = QCoreApplication.instance()
        if app is not None:  # the window should call close_workers(); this is the backstop
            app.aboutToQuit.connect(self.close_workers)
        self._show(None)
        self.only_label.hide()
        self.show_all_button.hide()

    # -- contract ---------------------------------------------------------------------------

    def show_only(self, run_ids: list[str] | None, what: str = "") -> None:
        """List only these runs' images (a queue item's, ``what`` names it), or, with None,
        every image waiting for a person; read again either way."""
        self._only = list(run_ids) if run_ids is not None else None
        self.only_label.setText(_tr(ONLY).format(what=what) if self._only is not None else "")
        self.only_label.setVisible(self._only is not None)
        self.show_all_button.setVisible(self._only is not None)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Read the list again (opened, after a run, on request)."""
        self._loaded_once = True
        self.count_label.setText(_tr(LOADING))
        history = self.history
        only = self._only
        self._jobs.start(
            lambda: history.review_items(run_ids=only),
            returned=self._arrived,
            errored=lambda error: self.count_label.setText(_tr(LOAD_FAILED).format(error=error)),
            supersede=LIST,
            name="review-list",
        )

    def items(self) -> list[ReviewItem]:
        return list(self._items)

    def current(self) -> ReviewItem | None:
        row = self.list.currentRow()
        return self._items[row] if 0 <= row < len(self._items) else None

    def select(self, row: int) -> None:
        self.list.setCurrentRow(row)

    def set_ticks(self, ticks: dict[str, bool]) -> None:
        """Tick requirements by id (True: met) and turn per-requirement decisions on."""
        self.tick_check.setChecked(True)
        for item_id, met in ticks.items():
            if item_id in self._item_checks:
                self._item_checks[item_id].setChecked(met)

    def decide(self, decision: Decision) -> None:
        """Record the decision on the selected image off the GUI thread; with the ticks
        when per-requirement decisions are on."""
        item = self.current()
        if item is None or self._busy:
            return
        image_id = item.image.image_id
        ticks: dict[str, bool] | None = None
        if self.tick_check.isChecked() and self._item_checks:
            ticks = {i: box.isChecked() for i, box in self._item_checks.items()}
        self._busy = True
        self._set_buttons()
        history = self.history

        def done(_record: ImageRecord) -> None:
            self._busy = False
            label = DECISIONS.get(decision)
            shown = _tr(label) if label is not None else decision.value
            self.message.emit(_tr(DECIDED).format(decision=shown))
            self.decided.emit(image_id)
            self.refresh()

        def failed(error: BaseException) -> None:
            self._busy = False
            self._set_buttons()
            self.message.emit(_tr(SAVE_FAILED).format(error=error))

        self._jobs.start(
            lambda: history.decide(image_id, decision, ticks),
            returned=done,
            errored=failed,
            name="review-decide",
        )

    def wait_idle(self, msecs: int = 10_000) -> bool:
        return self._jobs.wait(msecs / 1000)

    def close_workers(self) -> None:
        self._jobs.close()
        self._jobs.wait()

    def showEvent(self, event: QShowEvent) -> None:
        """The list is read when first seen, not when the window is built."""
        super().showEvent(event)
        if not self._loaded_once:
            self.refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._rescale()

    # -- internals --------------------------------------------------------------------------

    def _arrived(self, items: list[ReviewItem]) -> None:
        keep = self.current()
        self._items = list(items)
        self.list.blockSignals(True)
        self.list.clear()
        for entry in self._items:
            prompt = " ".join(entry.run_prompt.split())
            reason = _tr(REASONS[entry.reason])
            line = QListWidgetItem(ENTRY.format(reason=reason, prompt=prompt))
            tip = [entry.run_prompt, entry.misses] if entry.misses else [entry.run_prompt]
            line.setToolTip("\n".join(tip))
            self.list.addItem(line)
        self.list.blockSignals(False)
        self.count_label.setText(_tr(COUNT).format(n=len(items)) if items else _tr(EMPTY))
        row = 0
        if keep is not None:
            ids = [i.image.image_id for i in self._items]
            row = ids.index(keep.image.image_id) if keep.image.image_id in ids else 0
        if self._items:
            self.list.setCurrentRow(row)
            self._selected(row)
        else:
            self._show(None)

    @Slot(int)
    def _selected(self, row: int) -> None:
        item = self._items[row] if 0 <= row < len(self._items) else None
        self._show(item)
        if item is None:
            return
        image = item.image
        self._jobs.start(
            lambda: _load_picture(image),
            returned=lambda picture: self._set_picture(picture, image),
            errored=lambda _error: self._set_picture(None, image),
            supersede=PICTURE,
            name="review-picture",
        )

    def _show(self, item: ReviewItem | None) -> None:
        for box in self._item_checks.values():
            box.deleteLater()
        self._item_checks.clear()
        self.tick_check.setChecked(False)
        self.item_box.setVisible(False)
        if item is None:
            self._pixmap = None
            self.picture.setPixmap(QPixmap())
            self.picture.setText("")
            self.where_label.setText("")
            self.misses_label.setText("")
            self.tick_check.setVisible(False)
            self._set_buttons()
            return
        image = item.image
        badge = image.verdict.badge if image.verdict is not None else ""
        self.where_label.setText(
            _tr(WHERE).format(
                revision=image.revision + 1,
                attempt=image.attempt + 1,
                index=image.index + 1,
                badge=badge or (image.verdict.result if image.verdict else "—"),
            )
        )
        misses = judge_misses(image.verdict, item.misses)
        self.misses_label.setText(_tr(MISSES).format(misses=misses) if misses else _tr(NO_MISSES))
        found = requirements(image)
        for req in found:
            box = QCheckBox(("★ " if req.must else "") + req.text, self.item_box)
            kind = _tr(MUST if req.must else SHOULD)
            box.setToolTip(f"{req.text}\n({kind}, {req.item_id})")
            box.setChecked(req.judged_yes)
            self._item_column.addWidget(box)
            self._item_checks[req.item_id] = box
        self.tick_check.setVisible(bool(found))
        self.picture.setText(_tr(LOADING))
        self._set_buttons()

    def _set_picture(self, picture: QImage | None, image: ImageRecord) -> None:
        current = self.current()
        if current is None or current.image.image_id != image.image_id:
            return
        if picture is None:
            self._pixmap = None
            self.picture.setPixmap(QPixmap())
            self.picture.setText(_tr(PICTURE_MISSING).format(path=image.path))
            return
        self._pixmap = QPixmap.fromImage(picture)
        self.picture.setText("")
        self._rescale()

    def _rescale(self) -> None:
        if self._pixmap is None:
            return
        self.picture.setPixmap(
            self._pixmap.scaled(
                self.picture.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    def _set_buttons(self) -> None:
        on = self.current() is not None and not self._busy
        self.approve_button.setEnabled(on)
        self.reject_button.setEnabled(on)

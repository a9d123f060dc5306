"""Compare: two to four images side by side at the same zoom, panned together.

Each pane is a ``ZoomCanvas`` with the image's verdict and prompt version above it and an
Approve button below. A zoom or drag in any pane is copied to the others as a scale and a
relative centre (``ViewState``), so the same region of each image stays in view even when
their sizes differ. Rows and files are read on a worker, like the viewer's.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QImage, QKeyEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from imgloop_desktop.core.records import Decision, ImageRecord
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, in_context
from imgloop_desktop.gui.image_viewer import (
    LOADING,
    UNAVAILABLE,
    ZoomCanvas,
    image_title,
    load_full,
    pill_style,
    verdict_line,
    zoom_key,
)
from imgloop_desktop.gui.image_viewer import tr as viewer_tr
from imgloop_desktop.gui.record_notes import judge_reason
from imgloop_desktop.gui.workers import Workers
from imgloop_desktop.services.history import HistoryService

log = logging.getLogger(__name__)

MIN_COMPARED = 2
MAX_COMPARED = 4
APPROVE = QT_TRANSLATE_NOOP("CompareView", "Approve this one")
YOU_APPROVED = QT_TRANSLATE_NOOP("CompareView", "✔ you approved")
HELP = QT_TRANSLATE_NOOP(
    "CompareView",
    "Wheel or +/- zoom all, 0 fit, 1 100 %, drag any image to pan all · Esc back",
)
NOT_JUDGED = QT_TRANSLATE_NOOP("CompareView", "not judged")
REASON_TIP = QT_TRANSLATE_NOOP("CompareView", "{reason}\n\nPrompt: {prompt}")


tr = in_context("CompareView")


class ComparePane(QWidget):
    """One image of the comparison: its verdict, prompt version, picture and Approve."""

    def __init__(self, image_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image_id = image_id
        self.record: ImageRecord | None = None
        self.title_label = QLabel(viewer_tr(LOADING), self)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.verdict_label = QLabel(self)
        self.verdict_label.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.reason_label = QLabel(self)
        self.reason_label.setWordWrap(True)
        self.reason_label.setMaximumHeight(self.fontMetrics().height() * 3 + 4)
        self.reason_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.canvas = ZoomCanvas(self)
        self.approve_button = QPushButton(tr(APPROVE), self)
        self.approve_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.approve_button.setEnabled(False)
        head = QHBoxLayout()
        head.addWidget(self.title_label)
        head.addStretch(1)
        head.addWidget(self.verdict_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(head)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.approve_button)

    def show_record(self, record: ImageRecord) -> None:
        self.record = record
        self.title_label.setText(image_title(record))
        text, colour = verdict_line(record)
        self.verdict_label.setText(text)
        self.verdict_label.setStyleSheet(pill_style(colour))
        verdict = record.verdict
        reason = judge_reason(verdict) if verdict is not None else tr(NOT_JUDGED)
        self.reason_label.setText(reason)
        self.reason_label.setToolTip(tr(REASON_TIP).format(reason=reason, prompt=record.prompt))
        mine = record.human_decision is Decision.APPROVED
        self.approve_button.setEnabled(not mine)
        self.approve_button.setText(tr(YOU_APPROVED if mine else APPROVE))


class CompareView(QWidget):
    """``show_images(ids)`` with 2-4 history ids; Esc emits ``closed``; an approval made
    here emits ``decided(id)`` once stored."""

    closed = Signal()
    decided = Signal(int)
    loaded = Signal()
    """Every pane has its row and picture (tests)."""
    failed = Signal(str)

    def __init__(self, history: HistoryService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareView")
        self.history = history
        self._jobs = Workers("compare", max_threads=2, parent=self)
        self.panes: list[ComparePane] = []
        self._syncing = False
        self._waiting = 0
        self._closed = False

        self.back_button = QPushButton(
            QCoreApplication.translate("CompareView", "← Back (Esc)"), self
        )
        self.fit_button = QToolButton(self)
        self.fit_button.setText(QCoreApplication.translate("CompareView", "Fit"))
        self.actual_button = QToolButton(self)
        self.actual_button.setText("100 %")
        self.out_button = QToolButton(self)
        self.out_button.setText("\N{MINUS SIGN}")
        self.in_button = QToolButton(self)
        self.in_button.setText("+")
        self.zoom_label = QLabel(self)
        self.zoom_label.setMinimumWidth(80)
        self.help_label = QLabel(tr(HELP), self)
        self.help_label.setStyleSheet("color: palette(placeholder-text);")
        for button in (
            self.back_button,
            self.fit_button,
            self.actual_button,
            self.out_button,
            self.in_button,
        ):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.help_label, 1)
        top.addWidget(self.fit_button)
        top.addWidget(self.actual_button)
        top.addWidget(self.out_button)
        top.addWidget(self.zoom_label)
        top.addWidget(self.in_button)
        self.grid = QGridLayout()
        self.grid.setSpacing(6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addLayout(self.grid, 1)

        self.back_button.clicked.connect(self.close_compare)
        self.fit_button.clicked.connect(lambda: self._on_lead(lambda c: c.fit()))
        self.actual_button.clicked.connect(lambda: self._on_lead(lambda c: c.actual_size()))
        self.in_button.clicked.connect(lambda: self._on_lead(lambda c: c.zoom_in()))
        self.out_button.clicked.connect(lambda: self._on_lead(lambda c: c.zoom_out()))

    # -- contract -------------------------------------------------------------------------

    def image_ids(self) -> list[int]:
        return [p.image_id for p in self.panes]

    def show_images(self, image_ids: list[int]) -> None:
        """Compare the first four of ``image_ids`` (at least two make sense; one is shown
        alone rather than refused, so a host never opens an empty view)."""
        ids = list(dict.fromkeys(i for i in image_ids if i >= 0))[:MAX_COMPARED]
        self._jobs.supersede("images")
        for pane in self.panes:
            self.grid.removeWidget(pane)
            pane.deleteLater()
        self.panes = []
        columns = 2 if len(ids) == 4 else max(1, len(ids))
        for n, image_id in enumerate(ids):
            pane = ComparePane(image_id, self)
            pane.canvas.setObjectName(f"compareCanvas{n}")
            pane.canvas.viewChanged.connect(lambda p=pane: self._sync_from(p))
            pane.canvas.scaleChanged.connect(self._update_zoom_label)
            pane.approve_button.clicked.connect(lambda _=False, i=image_id: self.approve(i))
            self.grid.addWidget(pane, n // columns, n % columns)
            self.panes.append(pane)
        self._waiting = len(ids)
        for pane in self.panes:
            self._load(pane)
        if self.panes:
            self.panes[0].canvas.setFocus()

    def approve(self, image_id: int) -> None:
        history = self.history

        def done(record: ImageRecord) -> None:
            for pane in self.panes:
                if pane.image_id == record.image_id:
                    pane.show_record(record)
            self.decided.emit(record.image_id)

        def failed(error: BaseException) -> None:
            log.warning("compare: approving %s: %s", image_id, error)
            self.failed.emit(str(error))

        self._jobs.start(
            lambda: history.decide(image_id, Decision.APPROVED),
            returned=done,
            errored=failed,
            name="compare-decide",
        )

    def reload(self, image_id: int) -> None:
        """A row changed elsewhere: read it again if it is compared here."""
        history = self.history
        for pane in self.panes:
            if pane.image_id == image_id:
                self._jobs.start(
                    lambda: history.image(image_id),
                    returned=pane.show_record,
                    errored=lambda _e: None,
                    key="images",
                )

    @Slot()
    def close_compare(self) -> None:
        self.closed.emit()

    def wait_idle(self, msecs: int = 10_000) -> bool:
        return self._jobs.wait(msecs / 1000)

    def close_workers(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._jobs.close()
        self._jobs.wait()

    # -- internals ------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close_compare()
            event.accept()
            return
        lead = self._lead()
        if lead is not None and zoom_key(lead, event):
            return
        super().keyPressEvent(event)

    def _lead(self) -> ZoomCanvas | None:
        """The canvas with focus, else the first: the one whose view the others follow."""
        for pane in self.panes:
            if pane.canvas.hasFocus():
                return pane.canvas
        return self.panes[0].canvas if self.panes else None

    def _on_lead(self, action: object) -> None:
        lead = self._lead()
        if lead is not None and callable(action):
            action(lead)

    def _sync_from(self, source: ComparePane) -> None:
        """Copy the view a person changed onto every other pane: same scale, same relative
        centre (or every pane fitting its own space)."""
        if self._syncing:
            return
        self._syncing = True
        try:
            state = source.canvas.view_state()
            for pane in self.panes:
                if pane is not source:
                    pane.canvas.set_view_state(state)
        finally:
            self._syncing = False

    @Slot()
    def _update_zoom_label(self) -> None:
        lead = self._lead()
        self.zoom_label.setText(lead.zoom_text() if lead is not None and lead.has_image() else "")

    def _load(self, pane: ComparePane) -> None:
        history = self.history
        image_id = pane.image_id

        def work() -> tuple[ImageRecord, QImage | None, str]:
            record = history.image(image_id)
            try:
                return record, load_full(record.path), ""
            except OSError as exc:
                return record, None, str(exc)

        def done(result: tuple[ImageRecord, QImage | None, str]) -> None:
            record, image, error = result
            pane.canvas.set_image(
                image, viewer_tr(UNAVAILABLE).format(error=error) if error else ""
            )
            pane.show_record(record)

        def failed(error: BaseException) -> None:
            pane.canvas.set_image(None, viewer_tr(UNAVAILABLE).format(error=error))

        def finished() -> None:
            self._waiting -= 1
            if self._waiting == 0:
                lead = self._lead()
                if lead is not None:  # a pane loaded late takes the others' view
                    self._sync_from(next(p for p in self.panes if p.canvas is lead))
                self._update_zoom_label()
                self.loaded.emit()

        pane.canvas.set_image(None, viewer_tr(LOADING))
        self._jobs.start(work, returned=done, errored=failed, finished=finished, key="images")

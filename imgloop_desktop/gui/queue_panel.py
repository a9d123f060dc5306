"""The Queue dock: the queue's items, its progress, and the buttons a person drives it with.

A view only: it shows what ``show`` is given (the items and the summary, read off the GUI
thread by ``main_window.queue_sync``) and says what the person asked for through signals.
So the widget can be tested with plain data and never touches the history or a thread.
"""

from __future__ import annotations

import textwrap
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, QPoint, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from imgloop_desktop.core.records import HistoryOutcome, QueueItem, QueueState, QueueSummary
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, in_context

COLUMNS = (
    "#",
    QT_TRANSLATE_NOOP("QueuePanel", "Prompt"),
    QT_TRANSLATE_NOOP("QueuePanel", "State"),
    QT_TRANSLATE_NOOP("QueuePanel", "Result"),
    QT_TRANSLATE_NOOP("QueuePanel", "Tries"),
    QT_TRANSLATE_NOOP("QueuePanel", "Cost"),
)
STATE_TEXT = {
    QueueState.WAITING: QT_TRANSLATE_NOOP("QueuePanel", "waiting"),
    QueueState.RUNNING: QT_TRANSLATE_NOOP("QueuePanel", "running"),
    QueueState.DONE: QT_TRANSLATE_NOOP("QueuePanel", "done"),
    QueueState.FAILED: QT_TRANSLATE_NOOP("QueuePanel", "failed"),
    QueueState.CANCELLED: QT_TRANSLATE_NOOP("QueuePanel", "cancelled"),
}
RESULT_TEXT = {
    HistoryOutcome.APPROVED: QT_TRANSLATE_NOOP("QueuePanel", "approved"),
    HistoryOutcome.NOT_APPROVED: QT_TRANSLATE_NOOP("QueuePanel", "best, not approved"),
    HistoryOutcome.BUDGET: QT_TRANSLATE_NOOP("QueuePanel", "stopped at budget"),
    HistoryOutcome.ERROR: QT_TRANSLATE_NOOP("QueuePanel", "error"),
    HistoryOutcome.CANCELLED: QT_TRANSLATE_NOOP("QueuePanel", "cancelled"),
    HistoryOutcome.INTERRUPTED: QT_TRANSLATE_NOOP("QueuePanel", "interrupted, will resume"),
}
EMPTY = QT_TRANSLATE_NOOP(
    "QueuePanel",
    "The queue is empty. Add prompts with Add to queue (the form's parameters), "
    "Paste prompts…, Add file…, or drop a .jsonl or .csv file on the window.",
)
MAX_BUDGET = 100_000.0


def money(amount: Decimal) -> str:
    return f"${amount:,.2f}" if amount >= Decimal("0.01") or amount == 0 else f"${amount:.4f}"


def time_left(summary: QueueSummary, items_at_once: int) -> str:
    """A rough time left from the done items' mean, or "" before one is done."""
    left = summary.waiting + summary.running
    if not left or summary.mean_seconds is None:
        return ""
    seconds = summary.mean_seconds * left / max(1, min(items_at_once, left))
    if seconds < 90:
        return QCoreApplication.translate("QueuePanel", "about {n} s left").format(
            n=max(1, round(seconds))
        )
    return QCoreApplication.translate("QueuePanel", "about {n} min left").format(
        n=round(seconds / 60)
    )


def summary_text(summary: QueueSummary, items_at_once: int) -> str:
    if summary.total == 0:
        return _tr(EMPTY)
    parts = [
        QCoreApplication.translate("QueuePanel", "{done} of {total} done").format(
            done=summary.done, total=summary.total
        ),
        QCoreApplication.translate("QueuePanel", "{n} approved").format(n=summary.approved),
        QCoreApplication.translate("QueuePanel", "{n} best, not approved").format(
            n=summary.best_not_approved
        ),
        QCoreApplication.translate("QueuePanel", "{n} failed").format(n=summary.failed),
    ]
    if summary.cancelled:
        parts.append(
            QCoreApplication.translate("QueuePanel", "{n} cancelled").format(n=summary.cancelled)
        )
    if summary.budget_usd > 0:
        spent = QCoreApplication.translate("QueuePanel", "{spent} spent of {budget}").format(
            spent=money(summary.cost_usd), budget=money(summary.budget_usd)
        )
    else:
        spent = QCoreApplication.translate("QueuePanel", "{spent} spent").format(
            spent=money(summary.cost_usd)
        )
    parts.append(spent)
    left = time_left(summary, items_at_once)
    if left and not summary.paused:
        parts.append(left)
    if summary.paused:
        parts.append(QCoreApplication.translate("QueuePanel", "paused"))
    return " · ".join(parts)


_tr = in_context("QueuePanel")


class QueuePanel(QWidget):
    """Signals carry item ids; ``openSession`` a run id for the gallery to show."""

    addFileRequested = Signal()
    pasteRequested = Signal()
    pausedChanged = Signal(bool)
    cancelRequested = Signal(list)
    retryRequested = Signal(list)
    removeRequested = Signal(list)
    clearFinishedRequested = Signal()
    moveRequested = Signal(int, int)
    budgetChanged = Signal(object)
    openSession = Signal(str)
    limitsRequested = Signal()
    reviewRequested = Signal(list, str)
    """An item's run ids and its name in words: list only its images for review."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queuePanel")
        self.items: list[QueueItem] = []
        self.summary = QueueSummary()
        self.items_at_once = 1
        self._build()
        self._update_buttons()

    def _build(self) -> None:
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        self.summary_label = QLabel(self.tr(EMPTY))
        self.summary_label.setObjectName("queueSummary")
        self.summary_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setObjectName("queueProgress")
        self.progress.setMaximumWidth(220)
        self.progress.setFormat("%v / %m")
        top.addWidget(self.summary_label, 1)
        top.addWidget(self.progress)
        column.addLayout(top)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("queueTable")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemSelectionChanged.connect(self._selected_run)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        column.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.pause_button = QPushButton(self.tr("Pa&use queue"))
        self.pause_button.setObjectName("queuePause")
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self._pause_toggled)
        self.add_file_button = QPushButton(self.tr("Add f&ile…"))
        self.add_file_button.clicked.connect(self.addFileRequested)
        self.paste_button = QPushButton(self.tr("Pas&te prompts…"))
        self.paste_button.clicked.connect(self.pasteRequested)
        self.up_button = QPushButton(self.tr("Move up"))
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button = QPushButton(self.tr("Move down"))
        self.down_button.clicked.connect(lambda: self._move(+1))
        self.cancel_button = QPushButton(self.tr("Ca&ncel item"))
        self.cancel_button.clicked.connect(lambda: self.cancelRequested.emit(self.selected_ids()))
        self.retry_button = QPushButton(self.tr("Retr&y failed"))
        self.retry_button.clicked.connect(self._retry)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(lambda: self.removeRequested.emit(self.selected_ids()))
        self.clear_button = QPushButton(self.tr("Clear done"))
        self.clear_button.clicked.connect(self.clearFinishedRequested)
        for button in (
            self.pause_button,
            self.add_file_button,
            self.paste_button,
            self.up_button,
            self.down_button,
            self.cancel_button,
            self.retry_button,
            self.remove_button,
            self.clear_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        budget_label = QLabel(self.tr("Queue &budget:"))
        self.budget = QDoubleSpinBox()
        self.budget.setObjectName("queueBudget")
        self.budget.setRange(0.0, MAX_BUDGET)
        self.budget.setDecimals(2)
        self.budget.setPrefix("$")
        self.budget.setSpecialValueText(self.tr("none"))
        self.budget.setToolTip(
            self.tr(
                "What the queue's items may spend together; the queue pauses when it is reached."
            )
        )
        self.budget.editingFinished.connect(self._budget_edited)
        budget_label.setBuddy(self.budget)
        buttons.addWidget(budget_label)
        buttons.addWidget(self.budget)
        self.limits_button = QPushButton(self.tr("Limits…"))
        self.limits_button.setToolTip(
            self.tr("Items and image calls at once, image calls per minute")
        )
        self.limits_button.clicked.connect(self.limitsRequested)
        buttons.addWidget(self.limits_button)
        column.addLayout(buttons)

    # -- showing ----------------------------------------------------------------------------

    def show_queue(self, items: list[QueueItem], summary: QueueSummary, items_at_once: int) -> None:
        """Show these rows, keeping the selection by item id."""
        selected = set(self.selected_ids())
        self.items, self.summary, self.items_at_once = items, summary, items_at_once
        self.table.blockSignals(True)
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            result = RESULT_TEXT.get(item.outcome, "") if item.outcome is not None else ""
            result = self.tr(result) if result else ""
            if item.state is QueueState.FAILED and item.error:
                result = self.tr("error: {error}").format(error=item.error)
            cells = (
                str(row + 1),
                item.params.prompt,
                self.tr(STATE_TEXT[item.state]),
                result,
                str(item.tries),
                money(item.cost_usd) if item.run_ids else "",
            )
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(Qt.ItemDataRole.UserRole, item.id)
                if col in (1, 3):
                    cell.setToolTip(text)
                self.table.setItem(row, col, cell)
            if item.id in selected:
                self.table.selectRow(row)
        self.table.blockSignals(False)
        self.summary_label.setText(summary_text(summary, items_at_once))
        finished = summary.done + summary.failed + summary.cancelled
        self.progress.setRange(0, max(1, summary.total))
        self.progress.setValue(finished)
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(summary.paused)
        self.pause_button.setText(
            self.tr("Res&ume queue") if summary.paused else self.tr("Pa&use queue")
        )
        self.pause_button.blockSignals(False)
        if not self.budget.hasFocus():
            self.budget.setValue(float(summary.budget_usd))
        self._update_buttons()

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectedIndexes()})
        return [self.items[row].id for row in rows if row < len(self.items)]

    def _selected_items(self) -> list[QueueItem]:
        chosen = set(self.selected_ids())
        return [item for item in self.items if item.id in chosen]

    @Slot()
    def _update_buttons(self) -> None:
        chosen = self._selected_items()
        one = len(chosen) == 1
        row = self.items.index(chosen[0]) if one else -1
        self.up_button.setEnabled(one and row > 0)
        self.down_button.setEnabled(one and 0 <= row < len(self.items) - 1)
        active = (QueueState.WAITING, QueueState.RUNNING)
        self.cancel_button.setEnabled(any(i.state in active for i in chosen))
        self.remove_button.setEnabled(any(i.state is not QueueState.RUNNING for i in chosen))
        again = (QueueState.FAILED, QueueState.CANCELLED)
        self.retry_button.setEnabled(any(i.state in again for i in self.items))
        self.retry_button.setText(
            self.tr("Retr&y selected") if chosen else self.tr("Retr&y failed")
        )
        self.clear_button.setEnabled(any(i.state is QueueState.DONE for i in self.items))

    # -- asking -----------------------------------------------------------------------------

    @Slot(bool)
    def _pause_toggled(self, paused: bool) -> None:
        self.pause_button.setText(self.tr("Res&ume queue") if paused else self.tr("Pa&use queue"))
        self.pausedChanged.emit(paused)

    def _move(self, step: int) -> None:
        chosen = self._selected_items()
        if len(chosen) != 1:
            return
        row = self.items.index(chosen[0])
        target = row + step
        if 0 <= target < len(self.items):
            self.moveRequested.emit(chosen[0].id, target)

    def _retry(self) -> None:
        again = (QueueState.FAILED, QueueState.CANCELLED)
        chosen = [i.id for i in self._selected_items() if i.state in again]
        self.retryRequested.emit(chosen or [i.id for i in self.items if i.state in again])

    @Slot()
    def _budget_edited(self) -> None:
        value = Decimal(str(round(self.budget.value(), 2)))
        if value != self.summary.budget_usd:
            self.budgetChanged.emit(value)

    def item_menu(self) -> QMenu | None:
        """The selected item's menu: open any of its runs (a retried or resumed item has
        several; choosing the row opens the last), or review only its images."""
        chosen = self._selected_items()
        if len(chosen) != 1:
            return None
        item = chosen[0]
        menu = QMenu(self)
        runs = menu.addMenu(self.tr("Open &run"))
        runs.setEnabled(bool(item.run_ids))
        for n, run_id in enumerate(item.run_ids, 1):
            action = runs.addAction(self.tr("Run {n}: {run_id}").format(n=n, run_id=run_id))
            action.triggered.connect(lambda _=False, r=run_id: self.openSession.emit(r))
        review = menu.addAction(self.tr("Re&view this item's images"))
        review.setEnabled(bool(item.run_ids))
        what = self.tr("queue item {n} ({prompt})").format(
            n=self.items.index(item) + 1,  # the row's "#"
            prompt=textwrap.shorten(item.params.prompt, 40, placeholder="…"),
        )
        review.triggered.connect(lambda: self.reviewRequested.emit(list(item.run_ids), what))
        return menu

    @Slot(QPoint)
    def _context_menu(self, pos: QPoint) -> None:
        menu = self.item_menu()
        if menu is not None:
            menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            menu.popup(self.table.viewport().mapToGlobal(pos))

    @Slot()
    def _selected_run(self) -> None:
        chosen = self._selected_items()
        if len(chosen) == 1 and chosen[0].last_run_id:
            self.openSession.emit(chosen[0].last_run_id)

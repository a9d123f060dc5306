"""The requirement checklist as a small table in the form's Judge section (issue 12).

A person sees what the judge will check before paying for a single image: each row is one
requirement with its text, a must/should toggle and a remove button; "Add requirement"
appends one; "Write from prompt" asks the judge model for a checklist (the window runs
``services.checklist.write_checklist`` on a worker and hands the answer back here), so it
can be read and corrected before Run. An empty table means "let the run write one".

During a run the table shows the run's checklist as soon as the loop says which it is
(``ChecklistSet``), and every edit a person makes is offered to the running loop through
``edited``: the window passes it to ``RunController.set_checklist`` and it applies from the
next judgement. Only whole, valid checklists leave this widget; a row left empty or a list
without a must is named in words under the table ("Requirement 3 is empty ..."), never a
traceback, and the form keeps Run disabled until it is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QSignalBlocker, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from imgloop_desktop.core.checklist import (
    MAX_ITEMS,
    Checklist,
    ChecklistItem,
    checklist_problems,
    clean_text,
)
from imgloop_desktop.core.errors import Problem
from imgloop_desktop.core.i18n_marks import Phrase
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, shown
from imgloop_desktop.gui.param_form.widgets import ERROR_STYLE, NOTE_STYLE, note_label

# What the editor says (in English; ``tr_list`` gives it in the window's language where it
# is shown); the tests compare against these.
TITLE = QT_TRANSLATE_NOOP("ChecklistTable", "Checklist")
COLUMNS = (
    QT_TRANSLATE_NOOP("ChecklistTable", "Requirement"),
    QT_TRANSLATE_NOOP("ChecklistTable", "Must"),
    "",
)
MUST = QT_TRANSLATE_NOOP("ChecklistTable", "must")
SHOULD = QT_TRANSLATE_NOOP("ChecklistTable", "should")
MUST_TIP = QT_TRANSLATE_NOOP(
    "ChecklistTable",
    "Checked: a must — an image is approved only when every must is met.\n"
    "Unchecked: a should — it only ranks images that meet the musts.",
)
REMOVE_TIP = QT_TRANSLATE_NOOP("ChecklistTable", "Remove requirement {n}")
ADD = QT_TRANSLATE_NOOP("ChecklistTable", "Add re&quirement")
ADD_TIP = QT_TRANSLATE_NOOP("ChecklistTable", "Add a requirement at the end and start typing it")
WRITE = QT_TRANSLATE_NOOP("ChecklistTable", "&Write from prompt")
WRITE_AGAIN = QT_TRANSLATE_NOOP("ChecklistTable", "&Write again")
WRITE_TIP = QT_TRANSLATE_NOOP(
    "ChecklistTable",
    "Ask the judge model to turn the prompt into requirements (one Bedrock call; a prompt "
    "written for before comes from the cache). You can edit the list before pressing Run.",
)
WRITE_AGAIN_TIP = QT_TRANSLATE_NOOP(
    "ChecklistTable", "Ask the judge model again, ignoring the checklist kept from last time"
)
WRITING = QT_TRANSLATE_NOOP("ChecklistTable", "Writing…")
EMPTY_HINT = QT_TRANSLATE_NOOP(
    "ChecklistTable",
    "No requirements yet: the run asks the judge model to write them from the prompt "
    "before the first image. Press “Write from prompt” to see and edit them first.",
)
WRITTEN = QT_TRANSLATE_NOOP("ChecklistTable", "Written by {model} — check and edit before Run.")
CACHED = QT_TRANSLATE_NOOP(
    "ChecklistTable", "Written by {model} for this prompt before (kept, no call made)."
)
WRITE_FAILED = QT_TRANSLATE_NOOP("ChecklistTable", "Could not write a checklist: {message}")
RUN_GIVEN = QT_TRANSLATE_NOOP("ChecklistTable", "The run checks these requirements.")
RUN_CACHED = QT_TRANSLATE_NOOP(
    "ChecklistTable", "The run uses the checklist written for this prompt before."
)
RUN_WRITTEN = QT_TRANSLATE_NOOP(
    "ChecklistTable",
    "The run's checklist, written by {model}. Edits apply from the next judgement.",
)
RUN_EDITED = QT_TRANSLATE_NOOP(
    "ChecklistTable", "Edited during the run: applies from the next judgement."
)
RUN_FAILED = QT_TRANSLATE_NOOP(
    "ChecklistTable",
    "The checklist could not be written ({error}); the run judges the whole prompt.",
)
CLEARED_FOR_NEW_PROMPT = QT_TRANSLATE_NOOP(
    "ChecklistTable",
    "The prompt changed, so the checklist written for the earlier one was cleared: the run "
    "writes one for this prompt (press “Write from prompt” to see it first).",
)
FOR_EARLIER_PROMPT = QT_TRANSLATE_NOOP(
    "ChecklistTable",
    "This checklist was made for an earlier prompt: check that it still fits this one, or "
    "write a new one from the prompt.",
)
RUN_NEEDS_ONE = QT_TRANSLATE_NOOP(
    "ChecklistTable", "The run keeps its last checklist: a running run needs a valid one."
)
EMPTY_TEXT = QT_TRANSLATE_NOOP(
    "ChecklistTable", "requirement {n} is empty: say what the image should show, or remove it"
)
BAD_TEXT = QT_TRANSLATE_NOOP("ChecklistTable", "requirement {n} (“{text}”): {allowed}")
NO_MUST = QT_TRANSLATE_NOOP(
    "ChecklistTable",
    "at least one requirement must be a must (tick “Must”); with none, every image "
    "would be approved",
)
TOO_MANY = QT_TRANSLATE_NOOP("ChecklistTable", "at most {n} requirements")
SENTENCE = QT_TRANSLATE_NOOP("ChecklistTable", "{problem}.")

_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_INVALID_BRUSH = QBrush(QColor(198, 40, 40, 60))


@dataclass(frozen=True)
class ItemProblem(Problem):
    """A problem of one requirement, said as a sentence: the raw ``checklist[2].text``
    naming is for files and commands, a person reads "requirement 3 is empty"."""

    row: int = -1

    def sentence(self) -> Phrase:
        """The problem as a sentence (``allowed`` is already in the window's language)."""
        said = self.allowed[:1].upper() + self.allowed[1:]
        return Phrase("ChecklistTable", SENTENCE, {"problem": said})


def tr_list(text: str) -> str:
    """One of the texts above in the window's language."""
    return QCoreApplication.translate("ChecklistTable", text) if text else text


def _problem_text(problem: Problem, items: list[ChecklistItem]) -> tuple[int, str]:
    """(row, sentence) for a problem ``checklist_problems`` found in ``items``."""
    name = problem.field
    row = -1
    if name.startswith("checklist["):
        try:
            row = int(name[len("checklist[") : name.index("]")])
        except ValueError:
            row = -1
    if 0 <= row < len(items):
        text = items[row].text
        if name.endswith(".text") and not text.strip():
            return row, tr_list(EMPTY_TEXT).format(n=row + 1)
        quoted = text if len(text) <= 40 else text[:39] + "…"
        allowed = shown(problem.phrase or problem.allowed)
        return row, tr_list(BAD_TEXT).format(n=row + 1, text=quoted, allowed=allowed)
    if "must" in problem.allowed:  # (the English words: what is wrong, not what is shown)
        return -1, tr_list(NO_MUST)
    if len(items) > MAX_ITEMS:
        return -1, tr_list(TOO_MANY).format(n=MAX_ITEMS)
    return -1, shown(problem.phrase or problem.allowed)


class ChecklistTable(QWidget):
    """The table and its buttons. ``changed`` fires on every edit a person makes (not on
    ``load``); ``writeRequested(use_cache)`` when "Write from prompt" is pressed."""

    changed = Signal()
    writeRequested = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checklistEditor")
        self._loading = False
        self._next_id = 1
        self._cached_last = False
        self._problems: list[ItemProblem] = []
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        title = QLabel(tr_list(TITLE))
        title.setStyleSheet("font-weight: bold;")
        column.addWidget(title)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("checklistTable")
        self.table.setHorizontalHeaderLabels([tr_list(c) for c in COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        must_header = self.table.horizontalHeaderItem(1)
        if must_header is not None:
            must_header.setToolTip(tr_list(MUST_TIP))
        self.table.setMinimumHeight(90)
        self.table.setMaximumHeight(260)
        self.table.itemChanged.connect(self._item_changed)
        column.addWidget(self.table)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(tr_list(ADD))
        self.add_button.setObjectName("checklistAdd")
        self.add_button.setToolTip(tr_list(ADD_TIP))
        self.add_button.clicked.connect(self.add_requirement)
        self.write_button = QPushButton(tr_list(WRITE))
        self.write_button.setObjectName("checklistWrite")
        self.write_button.setToolTip(tr_list(WRITE_TIP))
        self.write_button.clicked.connect(self._write_clicked)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.write_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        self.status = note_label(name="checklistStatus")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.status)
        self._refresh()

    # -- reading ------------------------------------------------------------------------

    def items(self) -> list[ChecklistItem]:
        """The rows as items, as typed (not validated)."""
        out: list[ChecklistItem] = []
        for row in range(self.table.rowCount()):
            text_item = self.table.item(row, 0)
            must_item = self.table.item(row, 1)
            if text_item is None or must_item is None:
                continue
            kept = text_item.data(_ID_ROLE)
            item_id, kind, deps = kept if isinstance(kept, tuple) else (f"c{row + 1}", "other", ())
            out.append(
                ChecklistItem(
                    item_id,
                    clean_text(text_item.text()),
                    must_item.checkState() == Qt.CheckState.Checked,
                    kind,
                    deps,
                )
            )
        return out

    def checklist(self) -> Checklist | None:
        """The table as a checklist; None when it is empty or invalid (``problems`` says
        which), so callers never see an exception for a half-typed row."""
        items = self.items()
        if not items or self._problems:
            return None
        return Checklist(tuple(items))

    def problems(self) -> list[ItemProblem]:
        return list(self._problems)

    def is_empty(self) -> bool:
        return self.table.rowCount() == 0

    # -- showing ------------------------------------------------------------------------

    def load(self, checklist: Checklist | None) -> None:
        """Show ``checklist`` (None: an empty table); not an edit, so ``changed`` stays
        quiet."""
        self._loading = True
        try:
            with QSignalBlocker(self.table):
                self.table.setRowCount(0)
                for item in checklist.items if checklist is not None else ():
                    self._append(item)
        finally:
            self._loading = False
        self._refresh()

    def say(self, text: str, style: str = NOTE_STYLE) -> None:
        self.status.setStyleSheet(style)
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def set_writing(self, writing: bool) -> None:
        self.write_button.setEnabled(not writing)
        self.write_button.setText(tr_list(WRITING) if writing else self._write_text())

    def written(self, checklist: Checklist, model_id: str, *, cached: bool) -> None:
        """A checklist the judge model wrote (or the cache kept) for the form's prompt:
        shown for the person to edit; an edit like any other, so the form revalidates."""
        self._cached_last = cached
        self.set_writing(False)
        self.write_button.setToolTip(tr_list(WRITE_AGAIN_TIP) if cached else tr_list(WRITE_TIP))
        self.load(checklist)
        self.say((tr_list(CACHED) if cached else tr_list(WRITTEN)).format(model=model_id))
        self.changed.emit()

    def write_failed(self, message: str) -> None:
        self.set_writing(False)
        self.say(tr_list(WRITE_FAILED).format(message=message), ERROR_STYLE)

    def _write_text(self) -> str:
        return tr_list(WRITE_AGAIN) if self._cached_last else tr_list(WRITE)

    # -- editing ------------------------------------------------------------------------

    @Slot()
    def add_requirement(self) -> None:
        """A new row (a must, since a list needs one) with its text cell open for typing."""
        taken = {i.id for i in self.items()}
        while f"c{self._next_id}" in taken:
            self._next_id += 1
        with QSignalBlocker(self.table):
            row = self._append(ChecklistItem(f"c{self._next_id}", "", True))
        self._refresh()
        self.changed.emit()
        cell = self.table.item(row, 0)
        self.table.setCurrentCell(row, 0)
        if cell is not None:
            self.table.scrollToItem(cell)
            self.table.editItem(cell)

    def remove_row(self, row: int) -> None:
        if not 0 <= row < self.table.rowCount():
            return
        removed = self.items()[row].id
        self.table.removeRow(row)
        # Items that depended on the removed one no longer do (``Checklist.without``).
        with QSignalBlocker(self.table):
            for r in range(self.table.rowCount()):
                cell = self.table.item(r, 0)
                kept = cell.data(_ID_ROLE) if cell is not None else None
                if cell is not None and isinstance(kept, tuple) and removed in kept[2]:
                    deps = tuple(d for d in kept[2] if d != removed)
                    cell.setData(_ID_ROLE, (kept[0], kept[1], deps))
        self._refresh()
        self.changed.emit()

    def _append(self, item: ChecklistItem) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        text = QTableWidgetItem(item.text)
        text.setData(_ID_ROLE, (item.id, item.kind, tuple(item.depends_on)))
        text.setToolTip(self._text_tip(item))
        must = QTableWidgetItem(tr_list(MUST) if item.must else tr_list(SHOULD))
        must.setFlags(
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsUserCheckable
            | Qt.ItemFlag.ItemIsSelectable
        )
        must.setCheckState(Qt.CheckState.Checked if item.must else Qt.CheckState.Unchecked)
        must.setToolTip(tr_list(MUST_TIP))
        self.table.setItem(row, 0, text)
        self.table.setItem(row, 1, must)
        remove = QToolButton()
        remove.setText("✕")
        remove.setObjectName("checklistRemove")
        remove.setAutoRaise(True)
        remove.clicked.connect(lambda: self.remove_row(self._row_of_button(remove)))
        self.table.setCellWidget(row, 2, remove)
        return row

    def _row_of_button(self, button: QWidget) -> int:
        for row in range(self.table.rowCount()):
            if self.table.cellWidget(row, 2) is button:
                return row
        return -1

    @staticmethod
    def _text_tip(item: ChecklistItem) -> str:
        tip = f"{item.text}\n({item.id}, {item.kind})" if item.text else item.id
        if item.depends_on:
            after = QCoreApplication.translate("ChecklistTable", "Checked only after: {ids}")
            tip += "\n" + after.format(ids=", ".join(item.depends_on))
        return tip

    @Slot(QTableWidgetItem)
    def _item_changed(self, cell: QTableWidgetItem) -> None:
        if self._loading:
            return
        if cell.column() == 1:
            with QSignalBlocker(self.table):
                cell.setText(
                    tr_list(MUST) if cell.checkState() == Qt.CheckState.Checked else tr_list(SHOULD)
                )
        self._refresh()
        self.changed.emit()

    @Slot()
    def _write_clicked(self) -> None:
        self.writeRequested.emit(not self._cached_last)

    # -- checking -----------------------------------------------------------------------

    def _refresh(self) -> None:
        """Check the rows and say what is wrong, marking the rows concerned."""
        items = self.items()
        problems: list[ItemProblem] = []
        if items:
            seen: set[str] = set()
            for found in checklist_problems(items):
                row, sentence = _problem_text(found, items)
                if sentence not in seen:
                    seen.add(sentence)
                    problems.append(ItemProblem("checklist", found.value, sentence, row=row))
        self._problems = problems
        bad_rows = {p.row for p in problems}
        with QSignalBlocker(self.table):
            for row in range(self.table.rowCount()):
                for col in (0, 1):
                    cell = self.table.item(row, col)
                    if cell is not None:
                        cell.setBackground(_INVALID_BRUSH if row in bad_rows else QBrush())
                        if col == 0:
                            cell.setToolTip(self._text_tip(items[row]))
                remove = self.table.cellWidget(row, 2)
                if remove is not None:
                    remove.setToolTip(tr_list(REMOVE_TIP).format(n=row + 1))
        self.add_button.setEnabled(len(items) < MAX_ITEMS)
        if not items and not self.status.text():
            self.say(tr_list(EMPTY_HINT))
        elif items and self.status.text() == tr_list(EMPTY_HINT):
            self.say("")

    def problem_text(self) -> str:
        return "\n".join(shown(p.sentence()) for p in self._problems)

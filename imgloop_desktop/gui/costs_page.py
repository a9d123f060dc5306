"""Preferences → Costs: the monthly budget, the person's own price rows, and the shipped
price table with its dates and sources (issue 13).

Why it looks like this:

* The budget is one field, empty for none, checked as it is typed with the same rule the
  headless command reads the file with (``services.costs.parse_monthly_cap``).
* Price rows are a JSON list in a text editor, in exactly the shape the settings file holds
  (``Overrides.from_settings``): rows have optional fields, tiers and notes, which a grid
  would hide; the JSON is what a person copies from a colleague or a price sheet.
  "Insert example rows" writes a text row and an image row to edit, so the format never
  has to be looked up. Every bad value is named with its field, its value and what is
  allowed, and **nothing is saved while anything is invalid**: a half-saved budget would
  silently lift a cap.
* A cost settings file that cannot be read (edited by hand, damaged) is said at the top in
  the same words, and its text is put in the editors to fix, never a traceback.
* Saving goes through ``services.costs.save_settings`` (atomic) and is read back with
  ``load_settings``, so what the page says was saved is what a run will use.
* The shipped table comes from ``services.costs.shipped_prices_markdown`` (the window may not
  import providers), with each row's date and source, so the person sees what they replace.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from imgloop_desktop.core.cost import Cost, money
from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.price_overrides import Overrides
from imgloop_desktop.gui.error_box import problems_text
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, in_context
from imgloop_desktop.gui.workers import Workers
from imgloop_desktop.services import costs

log = logging.getLogger(__name__)

CHECK_DELAY_MS = 200
MAX_ROWS_BYTES = costs.MAX_SETTINGS_BYTES
MONTHLY_FIELD = "Monthly budget"
ROWS_FIELD = "price_overrides"

# What the page says; the tests compare against these.
TITLE = QT_TRANSLATE_NOOP("CostsPage", "Costs")
MONTHLY_PLACEHOLDER = QT_TRANSLATE_NOOP("CostsPage", "empty = no monthly cap")
MONTHLY_HELP = QT_TRANSLATE_NOOP(
    "CostsPage",
    "The most all runs together may spend in a calendar month, in US dollars. A call that "
    "would pass it is not started and the run ends with outcome budget, keeping everything "
    "it made. The window and the headless command share it.",
)
ROWS_HELP = QT_TRANSLATE_NOOP(
    "CostsPage",
    "Your own prices (negotiated or newer), in place of the shipped rows for the same model "
    "and scope. A JSON list: text rows give USD per million tokens (input, output, optional "
    "cache_write, cache_read), image rows a per_image price or tiers. Scope: "
    '"" (everywhere), "global", "regional" or a region such as us-east-1.',
)
EXAMPLE = QT_TRANSLATE_NOOP("CostsPage", "Insert example rows")
SAVE = QT_TRANSLATE_NOOP("CostsPage", "Save")
REVERT = QT_TRANSLATE_NOOP("CostsPage", "Revert")
VALID = QT_TRANSLATE_NOOP("CostsPage", "All values are allowed.")
UNSAVED = QT_TRANSLATE_NOOP("CostsPage", "Not saved yet.")
SAVED = QT_TRANSLATE_NOOP("CostsPage", "Saved to {path}; the next run and the estimate use it.")
NOT_SAVED_INVALID = QT_TRANSLATE_NOOP(
    "CostsPage", "Nothing saved: {n} value(s) are not allowed (listed above)."
)
SAVE_FAILED = QT_TRANSLATE_NOOP("CostsPage", "Could not save {path}: {error}")
BAD_FILE = QT_TRANSLATE_NOOP(
    "CostsPage",
    "Your cost settings file cannot be used, so runs will not start until it is fixed:\n"
    "{problems}\nWhat it holds is below: fix the values named, then Save.",
)
MONTH_SO_FAR = QT_TRANSLATE_NOOP("CostsPage", "This month so far: {spent}")
MONTH_LEFT = QT_TRANSLATE_NOOP("CostsPage", "This month so far: {spent} of {cap} ({left} left)")
BUDGET_BOX = QT_TRANSLATE_NOOP("CostsPage", "Monthly budget")
CAP_LABEL = QT_TRANSLATE_NOOP("CostsPage", "Cap $")
CAP_UNIT = QT_TRANSLATE_NOOP("CostsPage", "US dollars a month")
ROWS_BOX = QT_TRANSLATE_NOOP("CostsPage", "Your prices")
ROWS_PLACEHOLDER = QT_TRANSLATE_NOOP(
    "CostsPage", "[]  (no rows: the shipped prices below are used)"
)
SHIPPED_BOX = QT_TRANSLATE_NOOP("CostsPage", "Shipped prices (checked {date})")


_tr = in_context("CostsPage")


def parse_rows(text: str) -> tuple[object, list[Problem]]:
    """The editor's JSON, or a problem naming where it stops being JSON. Empty means no
    rows."""
    if not text.strip():
        return [], []
    if len(text.encode("utf-8", "surrogatepass")) > MAX_ROWS_BYTES:
        return None, [Problem.of(ROWS_FIELD, f"{len(text):,} characters", costs.ROWS_TOO_LONG)]
    try:
        return json.loads(text, parse_float=Decimal), []
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        return None, [Problem.of(ROWS_FIELD, where, costs.ROWS_NOT_JSON, error=exc.msg)]
    except RecursionError:
        return None, [Problem.of(ROWS_FIELD, "nested too deep", costs.ROWS_NOT_JSON, error="depth")]


def read_settings(cap_text: str, rows_text: str) -> costs.CostSettings:
    """The page's two fields as settings; ValidationError names every bad value."""
    problems: list[Problem] = []
    cap: Decimal | None = None
    overrides = Overrides()
    try:
        cap = costs.parse_monthly_cap(cap_text.strip(), MONTHLY_FIELD)
    except ValidationError as exc:
        problems += exc.problems
    rows, row_problems = parse_rows(rows_text)
    problems += row_problems
    if not row_problems:
        try:
            overrides = Overrides.from_settings(_plain(rows), field=ROWS_FIELD)
        except ValidationError as exc:
            problems += exc.problems
    if problems:
        raise ValidationError(problems)
    return costs.CostSettings(cap, overrides)


def _plain(value: object) -> object:
    """Decimals (JSON numbers read exactly) as text, which the rows accept as amounts."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def rows_json(overrides: Overrides) -> str:
    rows = overrides.to_settings()
    return json.dumps(rows, indent=2, ensure_ascii=False) if rows else ""


class CostsPage(QWidget):
    """The Costs page of Preferences. ``saved(CostSettings)`` after a save that was read
    back. ``month_spend`` (optional) reads this month's spend off the GUI thread."""

    saved = Signal(object)

    def __init__(
        self,
        *,
        month_spend: Callable[[], Cost] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("costsPage")
        self._month_spend = month_spend
        self._jobs = Workers("costs-page", max_threads=1, thread_prefix="costs-", parent=self)
        self._saved_texts = ("", "")
        self._file_bad = False
        self.valid = True
        self.problems: list[Problem] = []
        self._build()
        self.load()

    def _build(self) -> None:
        column = QVBoxLayout(self)
        self.file_problem = QLabel()
        self.file_problem.setObjectName("costsFileProblem")
        self.file_problem.setWordWrap(True)
        self.file_problem.setTextFormat(Qt.TextFormat.PlainText)
        self.file_problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.file_problem.setStyleSheet("color: #c62828;")
        column.addWidget(self.file_problem)

        budget = QGroupBox(_tr(BUDGET_BOX))
        budget_column = QVBoxLayout(budget)
        row = QHBoxLayout()
        self.monthly_edit = QLineEdit()
        self.monthly_edit.setObjectName("monthlyBudget")
        self.monthly_edit.setPlaceholderText(_tr(MONTHLY_PLACEHOLDER))
        self.monthly_edit.setToolTip(_tr(MONTHLY_HELP))
        self.monthly_edit.setMaximumWidth(160)
        row.addWidget(QLabel(_tr(CAP_LABEL)))
        row.addWidget(self.monthly_edit)
        row.addWidget(QLabel(_tr(CAP_UNIT)))
        row.addStretch(1)
        budget_column.addLayout(row)
        self.month_label = QLabel()
        self.month_label.setObjectName("monthSpend")
        budget_column.addWidget(self.month_label)
        help_label = QLabel(_tr(MONTHLY_HELP))
        help_label.setWordWrap(True)
        for quiet in (self.month_label, help_label):
            quiet.setStyleSheet("color: palette(placeholder-text);")
        budget_column.addWidget(help_label)
        budget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        column.addWidget(budget)

        rows_box = QGroupBox(_tr(ROWS_BOX))
        rows_column = QVBoxLayout(rows_box)
        rows_help = QLabel(_tr(ROWS_HELP))
        rows_help.setWordWrap(True)
        rows_help.setStyleSheet("color: palette(placeholder-text);")
        rows_column.addWidget(rows_help)
        self.rows_edit = QPlainTextEdit()
        self.rows_edit.setObjectName("priceRows")
        self.rows_edit.setPlaceholderText(_tr(ROWS_PLACEHOLDER))
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        fixed.setStyleHint(QFont.StyleHint.Monospace)
        self.rows_edit.setFont(fixed)
        self.rows_edit.setMinimumHeight(160)
        rows_column.addWidget(self.rows_edit, 1)
        self.problems_label = QLabel()
        self.problems_label.setObjectName("costsProblems")
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problems_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems_label.setStyleSheet("color: #c62828;")
        rows_column.addWidget(self.problems_label)
        buttons = QHBoxLayout()
        self.example_button = QPushButton(_tr(EXAMPLE))
        self.example_button.clicked.connect(self.insert_example)
        self.status_label = QLabel()
        self.status_label.setObjectName("costsStatus")
        self.status_label.setWordWrap(True)
        self.revert_button = QPushButton(_tr(REVERT))
        self.revert_button.clicked.connect(self.load)
        self.save_button = QPushButton(_tr(SAVE))
        self.save_button.setObjectName("costsSave")
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.example_button)
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        rows_column.addLayout(buttons)
        column.addWidget(rows_box, 2)

        shipped = QGroupBox(_tr(SHIPPED_BOX).format(date=costs.price_date()))
        shipped_column = QVBoxLayout(shipped)
        self.shipped_view = QTextBrowser()
        self.shipped_view.setObjectName("shippedPrices")
        self.shipped_view.setOpenExternalLinks(True)
        self.shipped_view.setMarkdown(costs.shipped_prices_markdown())
        shipped_column.addWidget(self.shipped_view)
        self.shipped_view.setMinimumHeight(180)
        column.addWidget(shipped, 3)

        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self.check)
        self.monthly_edit.textChanged.connect(self._edited)
        self.rows_edit.textChanged.connect(self._edited)

    # -- contract -------------------------------------------------------------------------------

    @Slot()
    def load(self) -> None:
        """Show the saved settings; a file that cannot be used is said, its text put in the
        editors to fix."""
        self._say_file_problem("")
        try:
            settings = costs.load_settings()
        except ValidationError as exc:
            cap_text, rows_text = self._raw_texts(costs.settings_file())
            self._say_file_problem(_tr(BAD_FILE).format(problems=problems_text(exc.problems)))
        else:
            cap = settings.monthly_cap_usd
            cap_text = "" if cap is None else str(cap)
            rows_text = rows_json(settings.overrides)
        self._saved_texts = (cap_text, rows_text)
        self.monthly_edit.setText(cap_text)
        self.rows_edit.setPlainText(rows_text)
        self.check()
        self.status_label.setText("")
        self._update_buttons()
        self.refresh_month()

    @Slot()
    def check(self) -> bool:
        """Check both fields now; True when everything is allowed."""
        self._check_timer.stop()
        try:
            read_settings(self.monthly_edit.text(), self.rows_edit.toPlainText())
        except ValidationError as exc:
            self.problems = exc.problems
        else:
            self.problems = []
        self.valid = not self.problems
        self.problems_label.setText(problems_text(self.problems))
        self.problems_label.setVisible(bool(self.problems))
        self._update_buttons()
        return self.valid

    @Slot()
    def save(self) -> bool:
        """Save when every value is allowed, then read the file back. False (and nothing
        written) otherwise."""
        cap_text, rows_text = self.monthly_edit.text(), self.rows_edit.toPlainText()
        try:
            settings = read_settings(cap_text, rows_text)
        except ValidationError as exc:
            self.check()
            self.status_label.setText(_tr(NOT_SAVED_INVALID).format(n=len(exc.problems)))
            return False
        path = costs.settings_file()
        try:
            costs.save_settings(settings)
            settings = costs.load_settings()
        except (OSError, ValidationError) as exc:
            self.status_label.setText(_tr(SAVE_FAILED).format(path=path, error=exc))
            return False
        self._say_file_problem("")
        self._saved_texts = (cap_text, rows_text)
        self.status_label.setText(_tr(SAVED).format(path=path))
        self._update_buttons()
        self.refresh_month()
        self.saved.emit(settings)
        return True

    @Slot()
    def insert_example(self) -> None:
        """Add the example rows to what is there (or start the list with them)."""
        rows, problems = parse_rows(self.rows_edit.toPlainText())
        if problems or not isinstance(rows, list):  # never throw away what was typed
            self.check()
            return
        merged = [_plain(row) for row in rows] + list(costs.example_price_rows())
        self.rows_edit.setPlainText(json.dumps(merged, indent=2, ensure_ascii=False))

    @property
    def dirty(self) -> bool:
        """Something differs from the file, or the file itself cannot be used (saving
        replaces it)."""
        edited = (self.monthly_edit.text(), self.rows_edit.toPlainText()) != self._saved_texts
        return edited or self._file_bad

    def refresh_month(self) -> None:
        """This month's spend against the cap, read off the GUI thread."""
        reader = self._month_spend
        if reader is None:
            self.month_label.setVisible(False)
            return

        def shown(spent: Cost) -> None:
            try:
                cap = costs.parse_monthly_cap(self._saved_texts[0])
            except ValidationError:
                cap = None
            if cap is None:
                text = _tr(MONTH_SO_FAR).format(spent=spent)
            else:
                left = max(cap - spent.known, Decimal(0))
                text = _tr(MONTH_LEFT).format(spent=spent, cap=money(cap), left=money(left))
            self.month_label.setText(text)
            self.month_label.setVisible(True)

        def failed(error: BaseException) -> None:
            log.info("this month's spend: %s", error)
            self.month_label.setVisible(False)

        self._jobs.start(reader, returned=shown, errored=failed, supersede="month")

    def close_workers(self) -> None:
        self._check_timer.stop()
        self._jobs.close()
        self._jobs.wait()

    @property
    def busy(self) -> bool:
        return self._jobs.busy

    def wait_for_workers(self, timeout: float = 10.0) -> bool:
        return self._jobs.wait(timeout)

    # -- internals ------------------------------------------------------------------------------

    @Slot()
    def _edited(self) -> None:
        self.status_label.setText(_tr(UNSAVED) if self.dirty else "")
        self._update_buttons()
        self._check_timer.start()

    def _update_buttons(self) -> None:
        pending = self._check_timer.isActive()
        self.save_button.setEnabled(self.valid and not pending and self.dirty)
        self.revert_button.setEnabled(self.dirty)
        self.save_button.setToolTip(
            _tr(VALID) if self.valid else _tr(NOT_SAVED_INVALID).format(n=len(self.problems))
        )

    def _say_file_problem(self, text: str) -> None:
        self._file_bad = bool(text)
        self.file_problem.setText(text)
        self.file_problem.setVisible(bool(text))

    @staticmethod
    def _raw_texts(path: Path) -> tuple[str, str]:
        """What a bad file holds, for the editors: its budget and rows when it is a JSON
        object, else its whole text in the rows editor."""
        try:
            text = path.read_text(encoding="utf-8", errors="replace")[:MAX_ROWS_BYTES]
        except OSError:
            return "", ""
        try:
            value = json.loads(text, parse_float=Decimal)
        except (ValueError, RecursionError):
            return "", text
        if not isinstance(value, dict):
            return "", text
        cap = value.get("monthly_cap_usd")
        rows = value.get("price_overrides", [])
        cap_text = "" if cap is None else str(cap)
        rows_text = json.dumps(_plain(rows), indent=2, ensure_ascii=False) if rows else ""
        return cap_text, rows_text

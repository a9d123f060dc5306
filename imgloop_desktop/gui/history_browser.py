"""Past sessions: a searchable, filterable, paged list to reopen one or run it again.

The table model holds only the pages fetched so far. Qt asks ``canFetchMore``/``fetchMore``
as the view nears the end; a worker reads the next page of 50 with the store's keyset
cursor (as fast on page 200 as on page 1, and stable while runs are being added), and
rows are appended when it answers, so 10,000 sessions scroll without the GUI thread ever
waiting for SQLite. A filter change supersedes the pages asked for under the old one
(``gui.workers`` ``supersede``): their answers are dropped.

Under the list, the selected session's regions and notes are shown (also in each row's
tooltip): where its models ran and what the run changed or left unused from its
parameters, so "run again" is not a surprise when the model maps the size again. Beside
them, how many of its images carry Content Credentials (C2PA) and whether they still
validate (issue 16): read from the files by a worker, for the selected session only (the
check hashes every file), with the check the details pane and ``imgloop-cli history show``
use.

The search box takes the marks too (``is:fav``, ``rating>=N``: ``services.history
.parse_search``); they combine with the Favourites box and the rating list.

At the bottom, how often each judge model agreed with the person's own decisions
(``HistoryService.agreement``): the number to look at before trusting a judge's YES; and,
beside it, what the runs cost (issue 13, ``HistoryService.spend_stats``): per month, per
model, and per approved image — the number to look at before trusting a budget. Each row
shows its run's cost; a run stopped by a cap has its own outcome, "stopped at budget".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QKeyEvent, QKeySequence, QPainter, QPalette, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from imgloop_desktop.core.cost import Cost
from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.records import (
    Agreement,
    HistoryOutcome,
    SessionFilter,
    SessionPage,
    SessionSummary,
    SpendStats,
)
from imgloop_desktop.gui.cost_view import exact_cost
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, in_context
from imgloop_desktop.gui.record_notes import regions_text
from imgloop_desktop.gui.thumbnail_loader import DISK_THUMBNAIL_SIZE, ThumbnailLoader
from imgloop_desktop.gui.workers import Workers, cancelled
from imgloop_desktop.services.content_credentials import CredentialsTally, tally_credentials
from imgloop_desktop.services.history import HistoryService, make_filter

log = logging.getLogger(__name__)

PAGES = "pages"
"""The workers' key for pages of the current filter."""
CREDENTIALS = "credentials"
"""The workers' key for the selected session's Content Credentials."""

PAGE_SIZE = 50
SEARCH_DELAY_MS = 300
THUMB_SIZE = 56
ROW_HEIGHT = THUMB_SIZE + 8
SESSION_COUNT = QT_TRANSLATE_NOOP("HistoryBrowser", "{n} session(s)")
NO_MATCH = QT_TRANSLATE_NOOP("HistoryBrowser", "No sessions match")
REFRESH_KEY = "F5"
REFRESH_TIP = QT_TRANSLATE_NOOP("HistoryBrowser", "Read the list again (F5)")

Index = QModelIndex | QPersistentModelIndex

OUTCOME_LABELS: dict[HistoryOutcome, str] = {
    HistoryOutcome.APPROVED: QT_TRANSLATE_NOOP("HistoryBrowser", "approved"),
    HistoryOutcome.NOT_APPROVED: QT_TRANSLATE_NOOP("HistoryBrowser", "no image approved"),
    HistoryOutcome.ERROR: QT_TRANSLATE_NOOP("HistoryBrowser", "error"),
    HistoryOutcome.CANCELLED: QT_TRANSLATE_NOOP("HistoryBrowser", "cancelled"),
    HistoryOutcome.INTERRUPTED: QT_TRANSLATE_NOOP("HistoryBrowser", "interrupted"),
    HistoryOutcome.RUNNING: QT_TRANSLATE_NOOP("HistoryBrowser", "running"),
    HistoryOutcome.BUDGET: QT_TRANSLATE_NOOP("HistoryBrowser", "stopped at budget"),
}


class Column:
    THUMBNAIL = 0
    PROMPT = 1
    OUTCOME = 2
    STARTED = 3
    IMAGES = 4
    COST = 5
    TITLES = (
        "",
        QT_TRANSLATE_NOOP("HistoryBrowser", "Prompt"),
        QT_TRANSLATE_NOOP("HistoryBrowser", "Outcome"),
        QT_TRANSLATE_NOOP("HistoryBrowser", "Date"),
        QT_TRANSLATE_NOOP("HistoryBrowser", "Images"),
        QT_TRANSLATE_NOOP("HistoryBrowser", "Cost"),
    )


SummaryRole = Qt.ItemDataRole.UserRole + 1


AGREEMENT_TITLE = QT_TRANSLATE_NOOP("HistoryBrowser", "Judge agreement with your decisions:")
AGREEMENT_LINE = QT_TRANSLATE_NOOP(
    "HistoryBrowser",
    "{judge} (images by {image}): agreed on {agreed} of {decided} ({rate}); "
    "judge yes / you no: {yes_no}, judge no / you yes: {no_yes}",
)
AGREEMENT_NONE = QT_TRANSLATE_NOOP(
    "HistoryBrowser",
    "Judge agreement: decide images (Approve / Reject) to measure the judge.",
)

NO_COST = "—"
"""A run recorded before costs were (or without a price table): nothing to show."""
SPEND_TITLE = QT_TRANSLATE_NOOP("HistoryBrowser", "Spend:")
SPEND_NONE = QT_TRANSLATE_NOOP("HistoryBrowser", "Spend: no paid call recorded yet.")
SPEND_MONTH = QT_TRANSLATE_NOOP(
    "HistoryBrowser", "{key}: {cost} ({runs} run(s), {calls} call(s){per})"
)
SPEND_MODEL = QT_TRANSLATE_NOOP("HistoryBrowser", "{key}: {cost} ({calls} call(s))")
SPEND_PER = QT_TRANSLATE_NOOP("HistoryBrowser", ", {cost} per approved image")
SPEND_PER_ALL = QT_TRANSLATE_NOOP(
    "HistoryBrowser", "Per approved image, all time: {cost} ({approved} approved)"
)
SPEND_PER_NONE = QT_TRANSLATE_NOOP("HistoryBrowser", "Per approved image: no image approved yet")
APPROVED_SINCE = QT_TRANSLATE_NOOP("HistoryBrowser", "({n} approved since)")
LAST_PROMPT = QT_TRANSLATE_NOOP("HistoryBrowser", "Last prompt: {prompt}")
TIP_COUNTS = QT_TRANSLATE_NOOP(
    "HistoryBrowser", "{images} image(s), {attempts} attempt(s), run {run_id}"
)
TIP_COST = QT_TRANSLATE_NOOP("HistoryBrowser", "Cost: {cost}")
READ_FAILED = QT_TRANSLATE_NOOP("HistoryBrowser", "The history could not be read: {error}")
PARAMS_FAILED = QT_TRANSLATE_NOOP(
    "HistoryBrowser", "The parameters of {run_id} cannot be used: {error}"
)
SEARCH_PLACEHOLDER = QT_TRANSLATE_NOOP("HistoryBrowser", "Search prompts (any language)")
SEARCH_TIP = QT_TRANSLATE_NOOP(
    "HistoryBrowser",
    "Words in the prompts and checklists, in any language.\n"
    "is:fav — only sessions with an image you starred\n"
    "rating>=N or rating:N — only sessions with an image rated at least N (1-5)\n"
    "Example: lighthouse is:fav rating>=4",
)
RUN_CREDENTIALS = QT_TRANSLATE_NOOP("HistoryBrowser", "Content Credentials: {parts}")
RUN_CREDENTIALS_CHECKING = QT_TRANSLATE_NOOP("HistoryBrowser", "checking {images} image(s)…")
RUN_CREDENTIALS_SIGNED = QT_TRANSLATE_NOOP(
    "HistoryBrowser",
    "{signed} of {images} image(s) issued by {issuers}: {valid} valid, {invalid} invalid",
)
RUN_CREDENTIALS_NONE = QT_TRANSLATE_NOOP("HistoryBrowser", "none on its {images} image(s)")
RUN_CREDENTIALS_UNKNOWN = QT_TRANSLATE_NOOP(
    "HistoryBrowser", "{unknown} of {images} image(s) unknown ({reasons})"
)
RUN_CREDENTIALS_UNNAMED = QT_TRANSLATE_NOOP("HistoryBrowser", "an unnamed signer")
RUN_CREDENTIALS_FAILED = QT_TRANSLATE_NOOP("HistoryBrowser", "could not be checked: {error}")
ANY_OUTCOME = QT_TRANSLATE_NOOP("HistoryBrowser", "Any outcome")
FAVOURITES = QT_TRANSLATE_NOOP("HistoryBrowser", "★ Favourites")
FAVOURITES_TIP = QT_TRANSLATE_NOOP("HistoryBrowser", "Only sessions with an image you starred")
ANY_RATING = QT_TRANSLATE_NOOP("HistoryBrowser", "Any rating")
OR_MORE = QT_TRANSLATE_NOOP("HistoryBrowser", "{stars} or more")
RATING_TIP = QT_TRANSLATE_NOOP("HistoryBrowser", "Only sessions with an image rated at least this")
SINCE = QT_TRANSLATE_NOOP("HistoryBrowser", "From")
UNTIL = QT_TRANSLATE_NOOP("HistoryBrowser", "to")
OPEN = QT_TRANSLATE_NOOP("HistoryBrowser", "&Open")
RUN_AGAIN = QT_TRANSLATE_NOOP("HistoryBrowser", "Run a&gain with these parameters")
REFRESH = QT_TRANSLATE_NOOP("HistoryBrowser", "Refresh")
SPEND_DAYS_SHOWN = 5
SPEND_MONTHS_SHOWN = 3
SPEND_MODELS_SHOWN = 4


_tr = in_context("HistoryBrowser")


def short_cost(cost: Cost | None) -> str:
    """A run's cost in the list: "$0.2400"; "≥ $0.1600 + unknown" when part of it was not
    priced; "—" for a run that recorded none."""
    return NO_COST if cost is None else exact_cost(cost)


def spend_text(stats: SpendStats) -> str:
    """The latest days with spend and the latest months (newest first), the dearest models,
    each with its cost per approved image, and the cost per approved image over everything."""
    if not stats.by_month and not stats.by_model:
        return _tr(SPEND_NONE)
    lines = [_tr(SPEND_TITLE)]
    days = list(stats.by_day)[-SPEND_DAYS_SHOWN:][::-1]
    months = list(stats.by_month)[-SPEND_MONTHS_SHOWN:][::-1]
    for line in [*days, *months]:
        per = line.per_approved_image
        lines.append(
            _tr(SPEND_MONTH).format(
                key=line.key,
                cost=line.cost,
                runs=line.runs,
                calls=line.calls,
                per=_tr(SPEND_PER).format(cost=per) if per is not None else "",
            )
        )
    dearest = sorted(stats.by_model, key=lambda s: s.cost.known, reverse=True)
    for line in dearest[:SPEND_MODELS_SHOWN]:
        lines.append(_tr(SPEND_MODEL).format(key=line.key, cost=line.cost, calls=line.calls))
    if stats.per_approved_image is not None:
        lines.append(
            _tr(SPEND_PER_ALL).format(cost=stats.per_approved_image, approved=stats.approved)
        )
    else:
        lines.append(_tr(SPEND_PER_NONE))
    return "\n".join(lines)


def agreement_text(rows: list[Agreement]) -> str:
    """One line per (judge model, image model) with a decision to compare against."""
    line = _tr(AGREEMENT_LINE)
    lines = [
        line.format(
            judge=a.judge_model_id,
            image=a.image_model_id,
            agreed=a.agreed,
            decided=a.decided,
            rate=f"{a.rate:.0%}" if a.rate is not None else "—",
            yes_no=a.judge_yes_person_no,
            no_yes=a.judge_no_person_yes,
        )
        for a in rows
        if a.decided
    ]
    return "\n".join([_tr(AGREEMENT_TITLE), *lines]) if lines else _tr(AGREEMENT_NONE)


def run_credentials_text(tally: CredentialsTally) -> str:
    """One line for the selected session: how many images are signed, by whom, how many
    still validate; "none" when no image carries any; the unknown ones and why."""
    parts: list[str] = []
    if tally.signed:
        issuers = ", ".join(i or _tr(RUN_CREDENTIALS_UNNAMED) for i in tally.issuers)
        parts.append(
            _tr(RUN_CREDENTIALS_SIGNED).format(
                signed=tally.signed,
                images=tally.images,
                issuers=issuers,
                valid=tally.valid,
                invalid=tally.invalid,
            )
        )
    elif not tally.unknown:
        parts.append(_tr(RUN_CREDENTIALS_NONE).format(images=tally.images))
    if tally.unknown:
        parts.append(
            _tr(RUN_CREDENTIALS_UNKNOWN).format(
                unknown=tally.unknown, images=tally.images, reasons=", ".join(tally.reasons)
            )
        )
    return _tr(RUN_CREDENTIALS).format(parts="; ".join(parts))


def session_notes_text(s: SessionSummary) -> str:
    """The session's regions and notes, one per line ("" for a run that recorded none)."""
    regions = regions_text(s.image_region, s.judge_region)
    lines: list[str] = [regions] if regions else []
    lines += [f"• {note}" for note in s.notes]
    return "\n".join(lines)


@dataclass(frozen=True)
class _FirstPage:
    page: SessionPage
    total: int


class SessionListModel(QAbstractTableModel):
    """Rows are ``SessionSummary``s, fetched a page at a time off the GUI thread."""

    pageLoaded = Signal(int)
    """Rows now held, after a page arrived."""
    failed = Signal(str)
    totalChanged = Signal(int)

    def __init__(self, history: HistoryService, parent: Any = None) -> None:
        super().__init__(parent)
        self.history = history
        self._jobs = Workers("history-pages", max_threads=1, parent=self)
        self._rows: list[SessionSummary] = []
        self._filter = SessionFilter()
        self._cursor: str | None = None
        self._has_more = False
        self._fetching = False
        self.total = 0
        self.pages_fetched = 0

    # -- Qt model ---------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column.TITLES)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _tr(Column.TITLES[section]) if Column.TITLES[section] else ""
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        s = self._rows[index.row()]
        column = index.column()
        if role == SummaryRole:
            return s
        if role == Qt.ItemDataRole.DisplayRole:
            if column == Column.PROMPT:
                return s.prompt.replace("\n", " ")
            if column == Column.OUTCOME:
                text = _tr(OUTCOME_LABELS[s.outcome])
                if s.approved_count and s.outcome is not HistoryOutcome.APPROVED:
                    text += " " + _tr(APPROVED_SINCE).format(n=s.approved_count)
                return text
            if column == Column.STARTED:
                return f"{s.started_at.astimezone():%Y-%m-%d %H:%M}"
            if column == Column.IMAGES:
                return str(s.image_count)
            if column == Column.COST:
                return short_cost(s.cost)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [s.prompt]
            if s.latest_prompt != s.prompt:
                lines.append(_tr(LAST_PROMPT).format(prompt=s.latest_prompt))
            lines.append(f"{_tr(OUTCOME_LABELS[s.outcome])}: {s.message}" if s.message else "")
            lines.append(
                _tr(TIP_COUNTS).format(
                    images=s.image_count, attempts=s.attempt_count, run_id=s.run_id
                )
            )
            if s.cost is not None:
                lines.append(_tr(TIP_COST).format(cost=s.cost))
            lines.append(session_notes_text(s))
            return "\n".join(line for line in lines if line)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (Column.IMAGES, Column.COST):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._has_more and not self._fetching

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid() or not self._has_more or self._fetching:
            return
        self._fetching = True
        history, flt, cursor = self.history, self._filter, self._cursor
        first = cursor is None and not self._rows

        def work() -> SessionPage | _FirstPage:
            page = history.list_sessions(flt, page_size=PAGE_SIZE, cursor=cursor)
            return _FirstPage(page, history.count_sessions(flt)) if first else page

        # Pages belong to the current filter; ``reset`` drops them all with it.
        self._jobs.start(work, returned=self._arrived, errored=self._page_failed, key=PAGES)

    # -- ours -------------------------------------------------------------------------------

    @property
    def fetching(self) -> bool:
        return self._fetching

    @property
    def filter(self) -> SessionFilter:
        return self._filter

    def summary(self, row: int) -> SessionSummary:
        return self._rows[row]

    def reset(self, flt: SessionFilter | None = None) -> None:
        """Start over (a new filter, or refresh): drop rows, fetch the first page."""
        self._jobs.supersede(PAGES)
        self.beginResetModel()
        if flt is not None:
            self._filter = flt
        self._rows = []
        self._cursor = None
        self._has_more = True
        self._fetching = False
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def _page_failed(self, error: BaseException) -> None:
        self._fetching = False
        self._has_more = False
        log.warning("history page: %s", error)
        self.failed.emit(_tr(READ_FAILED).format(error=error))

    def _arrived(self, value: SessionPage | _FirstPage) -> None:
        self._fetching = False
        if isinstance(value, _FirstPage):
            self.total = value.total
            self.totalChanged.emit(value.total)
            page = value.page
        else:
            page = value
        self.pages_fetched += 1
        if page.sessions:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(page.sessions) - 1)
            self._rows.extend(page.sessions)
            self.endInsertRows()
        self._cursor = page.next_cursor
        self._has_more = page.next_cursor is not None
        self.pageLoaded.emit(len(self._rows))

    def wait(self, msecs: int = -1) -> bool:
        return self._jobs.wait(msecs / 1000 if msecs >= 0 else 3600.0)

    def close(self) -> None:
        self._jobs.close()
        self._jobs.wait()


class _ThumbnailDelegate(QStyledItemDelegate):
    """The session's approved (else last) image; asks for it only when painted."""

    def __init__(self, loader: ThumbnailLoader, history: HistoryService, parent: Any) -> None:
        super().__init__(parent)
        self.loader = loader
        self.history = history

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(THUMB_SIZE + 8, ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        super().paint(painter, option, index)  # selection background
        summary = index.data(SummaryRole)
        if not isinstance(summary, SessionSummary) or summary.thumbnail_image_id is None:
            return
        image_id = summary.thumbnail_image_id
        history = self.history
        pixmap = self.loader.pixmap(
            f"image:{image_id}", lambda: history.thumbnail(image_id, DISK_THUMBNAIL_SIZE)
        )
        rect: QRect = option.rect.adjusted(4, 4, -4, -4)
        painter.save()
        if pixmap is None:
            palette: QPalette = option.palette
            painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase).darker(110))
        else:
            size = pixmap.size().scaled(rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(rect.center())
            painter.drawPixmap(target, pixmap)
        painter.restore()


class SessionTable(QTableView):
    """A list of sessions that reads as a list: the cursor moves by row, never by cell.

    Each row is one session; its cells are not separate things a person can act on, so
    Left and Right do nothing (the current column stays put, so the focus frame does not
    wander across the row), Home and End go to the first and last loaded session, Tab
    leaves the table instead of walking its cells, and Enter opens the session under the
    cursor (``activated``) on every platform.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabKeyNavigation(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        model = self.model()
        current = self.currentIndex()
        rows = model.rowCount() if model is not None else 0
        if model is None or rows == 0:
            return QModelIndex()
        column = current.column() if current.isValid() else Column.PROMPT
        row = current.row() if current.isValid() else -1
        action = QAbstractItemView.CursorAction
        if cursorAction == action.MoveHome:
            row = 0
        elif cursorAction == action.MoveEnd:
            row = rows - 1
        elif cursorAction in (action.MoveDown, action.MoveNext):
            row = min(row + 1, rows - 1)
        elif cursorAction in (action.MoveUp, action.MovePrevious):
            row = max(row - 1, 0)
        elif cursorAction in (action.MovePageUp, action.MovePageDown):
            target = super().moveCursor(cursorAction, modifiers)
            row = target.row() if target.isValid() else max(row, 0)
        else:  # Left, Right: a row has no cells of its own to move between
            row = max(row, 0)
        return model.index(row, column)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter opens on every platform (macOS's item views take Enter as "edit")."""
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if plain and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            current = self.currentIndex()
            if current.isValid():
                self.activated.emit(current)
                event.accept()
                return
        super().keyPressEvent(event)


class HistoryBrowser(QWidget):
    """``openSession(run_id)`` on double-click, Enter or Open; ``runAgain(RunParams)`` with
    the stored parameters of the selected session."""

    openSession = Signal(str)
    runAgain = Signal(object)
    failed = Signal(str)

    def __init__(self, history: HistoryService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self._reselect: str | None = None  # a run id to select again after a refresh
        self._jobs = Workers("history-params", max_threads=1, parent=self)
        # Its own thread: a run of many signed images takes a while to check, and the
        # agreement and spend numbers should not wait behind it.
        self._credential_jobs = Workers("history-credentials", max_threads=1, parent=self)
        self._credentials_run: str | None = None
        """The session whose Content Credentials are shown (or being checked)."""
        self.model = SessionListModel(history, self)
        self.loader = ThumbnailLoader(THUMB_SIZE, parent=self)

        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText(_tr(SEARCH_PLACEHOLDER))
        self.search_edit.setToolTip(_tr(SEARCH_TIP))
        self.search_edit.setClearButtonEnabled(True)
        self.outcome_combo = QComboBox(self)
        self.outcome_combo.addItem(_tr(ANY_OUTCOME), None)
        for outcome, label in OUTCOME_LABELS.items():
            self.outcome_combo.addItem(_tr(label), outcome.value)
        today = QDate.currentDate()
        # A person's marks (schema v10): runs holding a starred or well-rated image.
        self.favourite_check = QCheckBox(_tr(FAVOURITES), self)
        self.favourite_check.setObjectName("favouritesOnly")
        self.favourite_check.setToolTip(_tr(FAVOURITES_TIP))
        self.rating_combo = QComboBox(self)
        self.rating_combo.setObjectName("minRating")
        self.rating_combo.addItem(_tr(ANY_RATING), 0)
        for stars in range(1, 6):
            marks = "★" * stars
            self.rating_combo.addItem(
                _tr(OR_MORE).format(stars=marks) if stars < 5 else marks, stars
            )
        self.rating_combo.setToolTip(_tr(RATING_TIP))
        self.since_check = QCheckBox(_tr(SINCE), self)
        self.since_edit = QDateEdit(today.addDays(-30), self)
        self.until_check = QCheckBox(_tr(UNTIL), self)
        self.until_edit = QDateEdit(today, self)
        for edit in (self.since_edit, self.until_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.count_label = QLabel(self)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.notes_label = QLabel(self)
        self.notes_label.setObjectName("sessionNotes")
        self.notes_label.setWordWrap(True)
        self.notes_label.setTextFormat(Qt.TextFormat.PlainText)
        self.notes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes_label.setVisible(False)
        self.credentials_label = QLabel(self)
        self.credentials_label.setObjectName("sessionCredentials")
        self.credentials_label.setWordWrap(True)
        self.credentials_label.setTextFormat(Qt.TextFormat.PlainText)
        self.credentials_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.credentials_label.setVisible(False)
        self.agreement_label = QLabel(self)
        self.agreement_label.setObjectName("judgeAgreement")
        self.agreement_label.setWordWrap(True)
        self.agreement_label.setTextFormat(Qt.TextFormat.PlainText)
        self.agreement_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.agreement_label.setStyleSheet("color: palette(placeholder-text);")
        self.spend_label = QLabel(self)
        self.spend_label.setObjectName("spendStats")
        self.spend_label.setWordWrap(True)
        self.spend_label.setTextFormat(Qt.TextFormat.PlainText)
        self.spend_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.spend_label.setStyleSheet("color: palette(placeholder-text);")

        self.table = SessionTable(self)
        self.table.setObjectName("sessionTable")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(Column.THUMBNAIL, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(Column.THUMBNAIL, THUMB_SIZE + 8)
        header.setSectionResizeMode(Column.PROMPT, QHeaderView.ResizeMode.Stretch)
        # Fixed widths from the font, not ResizeToContents: that measures up to a thousand
        # rows again after every page, which stalls scrolling once thousands are loaded.
        metrics = self.fontMetrics()
        for column, sample in (
            (
                Column.OUTCOME,
                f"{_tr(OUTCOME_LABELS[HistoryOutcome.NOT_APPROVED])} "
                + _tr(APPROVED_SINCE).format(n=99),
            ),
            (Column.STARTED, "2024-05-01 12:00 "),
            (Column.IMAGES, f" {_tr(Column.TITLES[Column.IMAGES])} "),
            (Column.COST, exact_cost(Cost(Decimal("0.0001"), ("a price",)))),
        ):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 16)
        self.table.setItemDelegateForColumn(
            Column.THUMBNAIL, _ThumbnailDelegate(self.loader, history, self.table)
        )

        self.open_button = QPushButton(_tr(OPEN), self)
        self.run_again_button = QPushButton(_tr(RUN_AGAIN), self)
        self.refresh_button = QPushButton(_tr(REFRESH), self)

        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 3)
        filters.addWidget(self.outcome_combo, 1)
        filters.addWidget(self.favourite_check)
        filters.addWidget(self.rating_combo)
        filters.addWidget(self.since_check)
        filters.addWidget(self.since_edit)
        filters.addWidget(self.until_check)
        filters.addWidget(self.until_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.count_label, 1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.run_again_button)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.notes_label)
        layout.addWidget(self.credentials_label)
        numbers = QHBoxLayout()
        numbers.addWidget(self.agreement_label, 1, Qt.AlignmentFlag.AlignTop)
        numbers.addWidget(self.spend_label, 1, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(numbers)
        layout.addLayout(buttons)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.apply_filter)
        self.search_edit.textChanged.connect(self._debounce.start)
        self.search_edit.returnPressed.connect(self.apply_filter)
        self.outcome_combo.currentIndexChanged.connect(self.apply_filter)
        self.favourite_check.toggled.connect(self.apply_filter)
        self.rating_combo.currentIndexChanged.connect(self.apply_filter)
        self.since_check.toggled.connect(self.since_edit.setEnabled)
        self.until_check.toggled.connect(self.until_edit.setEnabled)
        for check in (self.since_check, self.until_check):
            check.toggled.connect(self.apply_filter)
        for edit in (self.since_edit, self.until_edit):
            edit.dateChanged.connect(self._date_changed)

        self.table.activated.connect(self._activated)
        self.table.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.table.verticalScrollBar().valueChanged.connect(self._prefetch)
        self.open_button.clicked.connect(self.open_selected)
        self.run_again_button.clicked.connect(self.run_again_selected)
        self.refresh_button.clicked.connect(self.refresh)
        # F5 rather than a mnemonic: the Review dock has a Refresh too, and Alt+letters are
        # one set for the whole window; a key bound to the focused panel is not.
        self.refresh_button.setToolTip(_tr(REFRESH_TIP))
        refresh_key = QShortcut(QKeySequence(REFRESH_KEY), self)
        refresh_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh_key.activated.connect(self.refresh)
        self.model.totalChanged.connect(self._total_changed)
        self.model.pageLoaded.connect(self._page_loaded)
        self.model.failed.connect(self._say)
        self.loader.loaded.connect(self._thumbnail_loaded)
        app = QCoreApplication.instance()
        if app is not None:  # the window should call close_workers(); this is the backstop
            app.aboutToQuit.connect(self.close_workers)
        self._update_buttons()

    # -- contract ---------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Reload with the current filter (after a run finished, or on request), keeping the
        person's selected session selected once its page is back (its Content Credentials
        are checked again: a run may have added images, a file may have changed)."""
        self._reselect = self.selected_run_id()
        self._credentials_run = None
        self.apply_filter(force=True)
        self.refresh_agreement()

    @Slot()
    def refresh_agreement(self) -> None:
        """How often each judge agreed with the person (after a decision, on refresh)."""
        self._jobs.start(
            self.history.agreement,
            returned=lambda rows: self.agreement_label.setText(agreement_text(rows)),
            errored=lambda error: self.agreement_label.setText(""),
            supersede="agreement",
            name="history-agreement",
        )
        self.refresh_spend()

    @Slot()
    def refresh_spend(self) -> None:
        """What the runs cost: per month, per model, per approved image (after a run, on
        refresh)."""

        def failed(error: BaseException) -> None:
            log.info("spend stats: %s", error)
            self.spend_label.setText("")

        self._jobs.start(
            self.history.spend_stats,
            returned=lambda stats: self.spend_label.setText(spend_text(stats)),
            errored=failed,
            supersede="spend",
            name="history-spend",
        )

    def current_filter(self) -> SessionFilter:
        """The filter the widgets describe; ValidationError names every bad field."""
        outcome = self.outcome_combo.currentData()
        return make_filter(
            search=self.search_edit.text().strip(),
            outcomes=[outcome] if outcome else None,
            since=self._date(self.since_check, self.since_edit),
            until=self._date(self.until_check, self.until_edit),
            favourites=self.favourite_check.isChecked(),
            min_rating=int(self.rating_combo.currentData() or 0) or None,
        )

    @Slot()
    def apply_filter(self, force: bool = False) -> None:
        self._debounce.stop()
        try:
            flt = self.current_filter()
        except ValidationError as exc:
            self._say(str(exc))
            return
        self._say("")
        if flt != self.model.filter or force or self.model.pages_fetched == 0:
            self.model.reset(flt)
            self._update_buttons()

    def selected_run_id(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.summary(index.row()).run_id

    @Slot()
    def open_selected(self) -> None:
        run_id = self.selected_run_id()
        if run_id is not None:
            self.openSession.emit(run_id)

    @Slot()
    def run_again_selected(self) -> None:
        run_id = self.selected_run_id()
        if run_id is None:
            return
        history = self.history

        def work() -> RunParams:
            return history.run_again_params(run_id)

        def failed(error: BaseException) -> None:
            self._say(_tr(PARAMS_FAILED).format(run_id=run_id, error=error))

        self._jobs.start(work, returned=self.runAgain.emit, errored=failed)

    def wait_idle(self, msecs: int = 10_000) -> bool:
        return (
            self._jobs.wait(msecs / 1000)
            and self._credential_jobs.wait(msecs / 1000)
            and self.model.wait(msecs)
            and self.loader.wait(msecs)
        )

    def showEvent(self, event: QShowEvent) -> None:
        """The first page loads when the list is first seen, not when the window is built."""
        super().showEvent(event)
        if self.model.pages_fetched == 0 and not self.model.fetching:
            self.apply_filter()
            self.refresh_agreement()

    def close_workers(self) -> None:
        self._debounce.stop()
        self._jobs.close()
        self._credential_jobs.close()
        self._jobs.wait()
        self._credential_jobs.wait()
        self.model.close()
        self.loader.close()

    # -- internals --------------------------------------------------------------------------

    @staticmethod
    def _date(check: QCheckBox, edit: QDateEdit) -> str | None:
        if not check.isChecked():
            return None
        return str(edit.date().toString("yyyy-MM-dd"))

    @Slot()
    def _date_changed(self) -> None:
        if self.since_check.isChecked() or self.until_check.isChecked():
            self._debounce.start()

    @Slot(QModelIndex)
    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.openSession.emit(self.model.summary(index.row()).run_id)

    @Slot()
    def _update_buttons(self) -> None:
        index = self.table.currentIndex()
        has = index.isValid()
        self.open_button.setEnabled(has)
        self.run_again_button.setEnabled(has)
        summary = self.model.summary(index.row()) if has else None
        text = session_notes_text(summary) if summary is not None else ""
        self.notes_label.setText(text)
        self.notes_label.setVisible(bool(text))
        self._check_credentials(summary)

    def _check_credentials(self, summary: SessionSummary | None) -> None:
        """Count the selected session's Content Credentials on a worker, once per selection
        (this runs on every page that arrives too); a newer selection drops the older
        count, and the worker stops between files when it is dropped."""
        run_id = summary.run_id if summary is not None and summary.image_count else None
        if run_id == self._credentials_run:
            return
        self._credentials_run = run_id
        self._credential_jobs.supersede(CREDENTIALS)
        if summary is None or run_id is None:
            self.credentials_label.setText("")
            self.credentials_label.setVisible(False)
            return
        self._show_credentials(
            _tr(RUN_CREDENTIALS).format(
                parts=_tr(RUN_CREDENTIALS_CHECKING).format(images=summary.image_count)
            )
        )
        history = self.history

        def work() -> CredentialsTally:
            tree = history.session(run_id)
            return tally_credentials((image.path for image in tree.images()), stop=cancelled)

        def failed(error: BaseException) -> None:
            log.info("content credentials of %s: %s", run_id, error)
            error_text = _tr(RUN_CREDENTIALS_FAILED).format(error=error)
            self._show_credentials(_tr(RUN_CREDENTIALS).format(parts=error_text))

        self._credential_jobs.start(
            work,
            returned=lambda tally: self._show_credentials(run_credentials_text(tally)),
            errored=failed,
            supersede=CREDENTIALS,
            name="history-credentials",
        )

    def _show_credentials(self, text: str) -> None:
        self.credentials_label.setText(text)
        self.credentials_label.setVisible(True)

    @Slot(int)
    def _prefetch(self, value: int) -> None:
        """Ask for the next page a screen before the end, so scrolling rarely meets it."""
        bar = self.table.verticalScrollBar()
        if bar.maximum() - value <= self.table.viewport().height() and self.model.canFetchMore(
            QModelIndex()
        ):
            self.model.fetchMore(QModelIndex())

    @Slot(str)
    def _thumbnail_loaded(self, _key: str) -> None:
        self.table.viewport().update()

    @Slot(int)
    def _total_changed(self, total: int) -> None:
        self.count_label.setText(_tr(SESSION_COUNT).format(n=total))

    @Slot(int)
    def _page_loaded(self, rows: int) -> None:
        if rows == 0:
            self.count_label.setText(_tr(NO_MATCH))
        if self._reselect is not None:
            for row in range(self.model.rowCount()):
                if self.model.summary(row).run_id == self._reselect:
                    self._reselect = None
                    self.table.setCurrentIndex(self.model.index(row, Column.PROMPT))
                    self.table.scrollTo(self.model.index(row, Column.PROMPT))
                    break
        self._update_buttons()

    @Slot(str)
    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        if text:
            self.failed.emit(text)

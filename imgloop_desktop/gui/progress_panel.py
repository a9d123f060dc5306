"""Where the run stands, in words: prompt version j of M, attempt i of N, what is happening
now and for how long, the prompt in use, the judge's latest reason, and how it ended.

It also says where each model is called (the image model and the judge may be in different
regions: a model served in one region only) and the run's notes: what the run changed or
left unused from the parameters for this model (a size mapped to its nearest, a CFG scale
the model has no use for), and a sampling setting the judge or reviser refused and was
asked again without. These are what a person would otherwise find out only from a bill or
a log, so they are on show for the whole run, and kept in its details.

Under checklist judging (issue 12) it says which checklist the run judges against and
where it came from (given, kept from before, written by the judge model, edited by the
person during the run, or could not be written, so the run judges the whole prompt), and,
when no image was approved, which one is the best and what it still misses.

It says what the run has spent, live from the loop's ``Spent`` events (what the service
reported: images returned, tokens used), against the run's own cap when it has one, and
the run's cost when it ends (issue 13). A run stopped by a cap ends with its own outcome,
"Stopped at the budget", with which cap, what was kept and the best image named.

It is driven only by the core's events (delivered on the GUI thread), so it shows the same
thing for a live run as the history would. With several candidates in flight the loop
generates, judges and uploads at the same time; "now" lists each activity with its count
rather than pretending there is a single step.

A bar beside the words shows the same progress at a glance: attempts finished (judged, or
failed) of the most the run may make (prompt versions times attempts per prompt). It runs
busy while the run is being prepared, before the loop has said its limits. A run that is
approved early stops with the bar part-filled: it says how much of the allowance was used.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize, Qt, QTimer, Slot
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.cost import Cost, money
from imgloop_desktop.core.i18n_marks import Phrase
from imgloop_desktop.gui.error_box import show_error
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, in_context, shown
from imgloop_desktop.gui.param_form.widgets import CaptionRows
from imgloop_desktop.gui.record_notes import judge_reason, regions_text

TICK_MS = 250
BAR_MIN_WIDTH = 120
STEP_TEXT_MIN_WIDTH = 200
"""Below this much room for the step text beside the bar, the bar goes under the text."""


tr = in_context("ProgressPanel")


# What the panel says; the tests compare against these, so a wording change is one edit.
NOT_RUNNING = QT_TRANSLATE_NOOP("ProgressPanel", "Not running")
NONE_YET = "—"
STARTING = QT_TRANSLATE_NOOP("ProgressPanel", "Starting…")
PREPARING = QT_TRANSLATE_NOOP("ProgressPanel", "Preparing")
NOT_STARTED = QT_TRANSLATE_NOOP("ProgressPanel", "Not started")
COULD_NOT_START = QT_TRANSLATE_NOOP("ProgressPanel", "Could not start: {message}")
STEP = QT_TRANSLATE_NOOP("ProgressPanel", "Prompt version {version} of {versions}")
STEP_ATTEMPT = QT_TRANSLATE_NOOP("ProgressPanel", " · attempt {attempt} of {attempts}")
REVISING = QT_TRANSLATE_NOOP("ProgressPanel", "revising the prompt")
GENERATING = QT_TRANSLATE_NOOP("ProgressPanel", "generating")
JUDGING = QT_TRANSLATE_NOOP("ProgressPanel", "judging")
UPLOADING = QT_TRANSLATE_NOOP("ProgressPanel", "uploading")
WAITING = QT_TRANSLATE_NOOP("ProgressPanel", "Waiting…")
CANCELLING = QT_TRANSLATE_NOOP(
    "ProgressPanel", "Cancelling — waiting for the current call to return"
)
PHASE = QT_TRANSLATE_NOOP("ProgressPanel", "{phase} ({elapsed})")
VERDICT = QT_TRANSLATE_NOOP("ProgressPanel", "{result} — {reason}")
VERDICT_SCORED = QT_TRANSLATE_NOOP("ProgressPanel", "{result} {badge} — {reason}")
CHECKLIST_GIVEN = QT_TRANSLATE_NOOP("ProgressPanel", "{items}, given")
CHECKLIST_CACHED = QT_TRANSLATE_NOOP(
    "ProgressPanel", "{items}, written for this prompt before (no call made)"
)
CHECKLIST_WRITTEN = QT_TRANSLATE_NOOP("ProgressPanel", "{items}, written by {model}{tokens}")
CHECKLIST_EDITED = QT_TRANSLATE_NOOP(
    "ProgressPanel", "{items}, edited during the run (from the next judgement)"
)
CHECKLIST_FAILED = QT_TRANSLATE_NOOP(
    "ProgressPanel", "Could not be written: {error} — judging the whole prompt YES/NO instead"
)
CHECKLIST_ITEMS = QT_TRANSLATE_NOOP("ProgressPanel", "{n} requirement(s), {musts} must")
TOKENS = QT_TRANSLATE_NOOP("ProgressPanel", " ({input} in / {output} out tokens)")
BEST_LINE = QT_TRANSLATE_NOOP("ProgressPanel", "{where} — {misses}")
BEST_HOW = {
    "rank": QT_TRANSLATE_NOOP("ProgressPanel", "most requirements met"),
    "comparison": QT_TRANSLATE_NOOP("ProgressPanel", "picked by a comparison"),
}
STEPS_FAILED = QT_TRANSLATE_NOOP("ProgressPanel", "{n} step(s) failed")
NOTES = QT_TRANSLATE_NOOP("ProgressPanel", "{n} note(s) on attempts")
JUDGE_NOTE = QT_TRANSLATE_NOOP("ProgressPanel", "Judge: {note}")
REVISER_NOTE = QT_TRANSLATE_NOOP("ProgressPanel", "Reviser: {note}")
NOTE_LINE = QT_TRANSLATE_NOOP("ProgressPanel", "• {note}")
UPLOADS_FAILED = QT_TRANSLATE_NOOP(
    "ProgressPanel", "{n} upload(s) failed (kept on disk; retried later)"
)
FINISHED = QT_TRANSLATE_NOOP("ProgressPanel", "Finished ({n} image(s) kept)")
APPROVED_AT = QT_TRANSLATE_NOOP("ProgressPanel", "{words}: {where} ({n} image(s) kept).")
WHERE = QT_TRANSLATE_NOOP("ProgressPanel", "prompt version {version}, attempt {attempt}")
WHERE_IMAGE = QT_TRANSLATE_NOOP("ProgressPanel", ", image {index}")
ERROR_OUTCOME = QT_TRANSLATE_NOOP("ProgressPanel", "{words}: {message}")
OTHER_OUTCOME = QT_TRANSLATE_NOOP("ProgressPanel", "{words}. {message}")
SPENT = QT_TRANSLATE_NOOP("ProgressPanel", "Spent {spent}")
SPENT_OF_CAP = QT_TRANSLATE_NOOP("ProgressPanel", "Spent {spent} of {cap} cap")
SPENT_FINAL = QT_TRANSLATE_NOOP("ProgressPanel", "{spent} in all")
SPENT_FINAL_OF_CAP = QT_TRANSLATE_NOOP("ProgressPanel", "{spent} in all, of a {cap} cap")
LAST_CALL = QT_TRANSLATE_NOOP("ProgressPanel", "Last call: {kind} on {model}, {cost}")
NO_CALL_PAID = QT_TRANSLATE_NOOP("ProgressPanel", "$0.00 (no call made yet)")
BAR_FORMAT = QT_TRANSLATE_NOOP("ProgressPanel", "%v of %m attempts")
BAR_TIP = QT_TRANSLATE_NOOP(
    "ProgressPanel", "Attempts finished (judged or failed) of the most this run may make"
)

OUTCOME_WORDS = {
    ev.Outcome.APPROVED: QT_TRANSLATE_NOOP("ProgressPanel", "Approved"),
    ev.Outcome.NOT_APPROVED: QT_TRANSLATE_NOOP("ProgressPanel", "No image approved"),
    ev.Outcome.ERROR: QT_TRANSLATE_NOOP("ProgressPanel", "Stopped by an error"),
    ev.Outcome.CANCELLED: QT_TRANSLATE_NOOP("ProgressPanel", "Cancelled"),
    ev.Outcome.BUDGET: QT_TRANSLATE_NOOP("ProgressPanel", "Stopped at the budget"),
}
RESULTS = {
    "YES": QT_TRANSLATE_NOOP("ProgressPanel", "YES"),
    "NO": QT_TRANSLATE_NOOP("ProgressPanel", "NO"),
    "REVIEW": QT_TRANSLATE_NOOP("ProgressPanel", "REVIEW"),
    "ERROR": QT_TRANSLATE_NOOP("ProgressPanel", "ERROR"),
}
"""The judge's answer as the panel says it (the core's word in English)."""
LIST_SEPARATOR = QT_TRANSLATE_NOOP("ProgressPanel", ", ")
WARNING_SEPARATOR = QT_TRANSLATE_NOOP("ProgressPanel", "; ")
WARNING_END = QT_TRANSLATE_NOOP("ProgressPanel", ".")
HEAD = QT_TRANSLATE_NOOP("ProgressPanel", "Run {run_id}: {outcome}")
HEAD_COST = QT_TRANSLATE_NOOP("ProgressPanel", "Cost: {spent}")
HEAD_APPROVED = QT_TRANSLATE_NOOP("ProgressPanel", "Approved image: {path}")
ATTEMPT_LINE = QT_TRANSLATE_NOOP("ProgressPanel", "prompt {revision} attempt {attempt}: {message}")
REVISION_LINE = QT_TRANSLATE_NOOP("ProgressPanel", "revision {revision}: {error}")
CHECKLIST_LINE = QT_TRANSLATE_NOOP("ProgressPanel", "checklist: {error}")
COUNTED = QT_TRANSLATE_NOOP("ProgressPanel", "{word} ({n})")
HOW = QT_TRANSLATE_NOOP("ProgressPanel", " ({how})")


def result_word(result: str) -> str:
    return tr(RESULTS[result]) if result in RESULTS else result


def call_kind(kind: ev.CallKind) -> str:
    return tr(CALL_KINDS[kind]) if kind in CALL_KINDS else str(kind)


OUTCOME_VALUES = {
    ev.Outcome.APPROVED: QT_TRANSLATE_NOOP("ProgressPanel", "approved"),
    ev.Outcome.NOT_APPROVED: QT_TRANSLATE_NOOP("ProgressPanel", "not_approved"),
    ev.Outcome.ERROR: QT_TRANSLATE_NOOP("ProgressPanel", "error"),
    ev.Outcome.CANCELLED: QT_TRANSLATE_NOOP("ProgressPanel", "cancelled"),
    ev.Outcome.BUDGET: QT_TRANSLATE_NOOP("ProgressPanel", "budget"),
}
"""How a run ended in the details' first line (the core's word in English)."""
CALL_KINDS = {
    ev.CallKind.GENERATE: QT_TRANSLATE_NOOP("ProgressPanel", "generate"),
    ev.CallKind.JUDGE: QT_TRANSLATE_NOOP("ProgressPanel", "judge"),
    ev.CallKind.JUDGE_AGAIN: QT_TRANSLATE_NOOP("ProgressPanel", "judge again"),
    ev.CallKind.CHECKLIST: QT_TRANSLATE_NOOP("ProgressPanel", "checklist"),
    ev.CallKind.CHECKLIST_AGAIN: QT_TRANSLATE_NOOP("ProgressPanel", "checklist again"),
    ev.CallKind.REVISE: QT_TRANSLATE_NOOP("ProgressPanel", "revise"),
    ev.CallKind.REVISE_AGAIN: QT_TRANSLATE_NOOP("ProgressPanel", "revise again"),
    ev.CallKind.COMPARE: QT_TRANSLATE_NOOP("ProgressPanel", "compare"),
}
"""A paid call's kind in the last call's tooltip (the core's word in English)."""

_OUTCOME_STYLE = {
    ev.Outcome.APPROVED: "color: #2e7d32; font-weight: bold;",
    ev.Outcome.NOT_APPROVED: "color: #a15c00; font-weight: bold;",
    ev.Outcome.ERROR: "color: #c62828; font-weight: bold;",
    ev.Outcome.CANCELLED: "font-weight: bold;",
    ev.Outcome.BUDGET: "color: #6a1b9a; font-weight: bold;",
}


def format_elapsed(seconds: float) -> str:
    whole = max(0, int(seconds))
    minutes, secs = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def outcome_text(event: ev.RunFinished, said: Phrase | str = "") -> str:
    """The final line, counting from 1 like the progress line does (the core's labels count
    from 0). ``said`` is the run's message with its values apart (``RunResult.words``),
    shown in the window's language; without it, the event's English message."""
    message = shown(said) if said else event.message
    words = tr(OUTCOME_WORDS[event.outcome])
    approved = event.approved
    if approved is not None:
        ref = approved.ref
        where = tr(WHERE).format(version=ref.revision + 1, attempt=ref.attempt + 1)
        if ref.index:
            where += tr(WHERE_IMAGE).format(index=ref.index + 1)
        return tr(APPROVED_AT).format(words=words, where=where, n=len(event.candidates))
    if event.outcome in (ev.Outcome.CANCELLED, ev.Outcome.BUDGET):
        # "Cancelled; 3 image(s) kept." / "Stopped at the budget: <which cap, what was
        # spent>. 3 image(s) kept. Best, not approved: ..." (core/loop.py)
        return message
    if event.outcome is ev.Outcome.ERROR:
        return tr(ERROR_OUTCOME).format(words=words, message=message)
    return tr(OTHER_OUTCOME).format(words=words, message=message)


def spent_text(total: Cost | None, cap: Decimal | None, *, final: bool = False) -> str:
    """ "Spent $0.27 of $1.50 cap" while the run goes; "$0.27 in all, of a $1.50 cap" at
    its end. An unpriced call leaves the total "at least $X (incomplete: …)", never $0."""
    spent = tr(NO_CALL_PAID) if total is None else str(total)
    if final:
        if cap is None:
            return tr(SPENT_FINAL).format(spent=spent)
        return tr(SPENT_FINAL_OF_CAP).format(spent=spent, cap=money(cap))
    if cap is None:
        return tr(SPENT).format(spent=spent)
    return tr(SPENT_OF_CAP).format(spent=spent, cap=money(cap))


def checklist_text(event: ev.ChecklistSet) -> str:
    """One line for a ``ChecklistSet``: how many requirements, and where they came from."""
    if event.origin is ev.ChecklistOrigin.FAILED or event.checklist is None:
        no_answer = QCoreApplication.translate("ProgressPanel", "no answer")
        return tr(CHECKLIST_FAILED).format(error=event.error or no_answer)
    checklist = event.checklist
    items = tr(CHECKLIST_ITEMS).format(n=len(checklist.items), musts=len(checklist.musts))
    if event.origin is ev.ChecklistOrigin.WRITTEN:
        tokens = ""
        if event.input_tokens is not None and event.output_tokens is not None:
            tokens = tr(TOKENS).format(input=event.input_tokens, output=event.output_tokens)
        return tr(CHECKLIST_WRITTEN).format(items=items, model=event.model_id, tokens=tokens)
    if event.origin is ev.ChecklistOrigin.CACHED:
        return tr(CHECKLIST_CACHED).format(items=items)
    if event.origin is ev.ChecklistOrigin.EDITED:
        return tr(CHECKLIST_EDITED).format(items=items)
    return tr(CHECKLIST_GIVEN).format(items=items)


def best_text(event: ev.BestChosen) -> str:
    """The best image when none was approved, counted from 1, and what it misses."""
    ref = event.candidate.ref
    where = tr(WHERE).format(version=ref.revision + 1, attempt=ref.attempt + 1)
    if ref.index:
        where += tr(WHERE_IMAGE).format(index=ref.index + 1)
    misses = event.misses or event.decision.badge
    how = tr(BEST_HOW[event.how]) if event.how in BEST_HOW else event.how
    return tr(BEST_LINE).format(where=where.capitalize(), misses=misses) + tr(HOW).format(how=how)


class _FitScroll(QScrollArea):
    """Asks for the height its content needs at its width, and scrolls when the window
    cannot give it (1280x720 with the history open, or 2x scale): the gallery below keeps
    its share, and no wrapped line is cut off."""

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._width = -1

    def setWidget(self, widget: QWidget) -> None:
        super().setWidget(widget)
        widget.installEventFilter(self)

    def sizeHint(self) -> QSize:
        content = self.widget()
        if content is None:
            return super().sizeHint()
        width = self.viewport().width() if self.isVisible() else content.sizeHint().width()
        hint = content.sizeHint()
        height = content.heightForWidth(width) if content.hasHeightForWidth() else -1
        return QSize(hint.width(), height if height > 0 else hint.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), 60)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # a line wrapped or a row appeared: ask again
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != self._width:
            self._width = event.size().width()
            self.updateGeometry()  # narrower means taller


class ProgressPanel(QWidget):
    """Feed it every core event through ``on_event``; ``begin()`` when a run is asked for,
    ``show_failure()`` when one could not start. ``clock`` is injectable for tests."""

    def __init__(
        self, parent: QWidget | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(parent)
        self.setObjectName("progressPanel")
        self._now = clock
        self._running = False
        self._run_started = 0.0
        self._phase_started = 0.0
        self._phase = ""
        self._max_versions = 0
        self._max_attempts = 0
        self._done: set[tuple[int, int]] = set()
        self._generating: set[tuple[int, int]] = set()
        self._judging: set[ev.ImageRef] = set()
        self._uploading: set[ev.ImageRef] = set()
        self._revising = False
        self._cancelling = False
        self._failed_uploads: list[str] = []
        self._attempt_errors: list[str] = []
        self._notes: list[str] = []
        # The run's own notes and the judge's / reviser's (each said once, though every
        # verdict of a run carries the same fallback note), in the order they came.
        self._run_notes: list[str] = []
        self._details = ""
        self._finished: ev.RunFinished | None = None  # the last run's end, while on show
        self._cap: Decimal | None = None
        self._spent: Cost | None = None
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self.reset()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll_area = _FitScroll()
        self.scroll_area.setObjectName("progressScroll")
        outer.addWidget(self.scroll_area)
        content = QWidget()
        content.setObjectName("progressContent")
        column = QVBoxLayout(content)
        column.setContentsMargins(6, 6, 6, 6)
        # A grid, not a QFormLayout: under Xvfb a form layout gave a wrapped row (a long
        # checklist line) less height than its text needs, cutting its second line off.
        form = CaptionRows()
        self._rows = form
        self.step_label = QLabel()
        self.step_label.setObjectName("stepLabel")
        self.now_label = QLabel()
        self.now_label.setObjectName("nowLabel")
        self.now_label.setWordWrap(True)  # a narrow column wraps it instead of cutting it
        self.elapsed_label = QLabel()
        self.elapsed_label.setObjectName("elapsedLabel")
        self.reason_label = QLabel()
        self.reason_label.setObjectName("reasonLabel")
        self.reason_label.setWordWrap(True)
        self.reason_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.step_label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setObjectName("progressBar")
        self.bar.setToolTip(tr(BAR_TIP))
        self.bar.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.bar.setMinimumWidth(BAR_MIN_WIDTH)
        self.bar.setMaximumWidth(220)
        # The bar sits beside the step text, and under it when the column is too narrow
        # for both (2x scale, 1280x720 with the history open): ``resizeEvent`` turns it.
        self.step_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        step_row = self.step_row
        step_row.setContentsMargins(0, 0, 0, 0)
        step_row.addWidget(self.step_label, 1)
        step_row.addWidget(self.bar)
        form.addRow(QCoreApplication.translate("ProgressPanel", "Progress"), step_row)
        form.addRow(QCoreApplication.translate("ProgressPanel", "Now"), self.now_label)
        form.addRow(QCoreApplication.translate("ProgressPanel", "Elapsed"), self.elapsed_label)
        self.spent_label = QLabel()
        self.spent_label.setObjectName("spentLabel")
        self.spent_label.setWordWrap(True)
        self.spent_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(QCoreApplication.translate("ProgressPanel", "Cost"), self.spent_label)
        form.addRow(QCoreApplication.translate("ProgressPanel", "Judge said"), self.reason_label)
        self.checklist_label = QLabel()
        self.checklist_label.setObjectName("checklistLabel")
        self.checklist_label.setWordWrap(True)
        self.checklist_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(QCoreApplication.translate("ProgressPanel", "Checklist"), self.checklist_label)
        self.best_label = QLabel()
        self.best_label.setObjectName("bestLabel")
        self.best_label.setWordWrap(True)
        self.best_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(QCoreApplication.translate("ProgressPanel", "Best"), self.best_label)
        self._form = form
        self.regions_label = QLabel()
        self.regions_label.setObjectName("regionsLabel")
        self.regions_label.setWordWrap(True)
        self.regions_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(QCoreApplication.translate("ProgressPanel", "Regions"), self.regions_label)
        column.addLayout(form)
        self.run_notes_label = QLabel()
        self.run_notes_label.setObjectName("runNotes")
        self.run_notes_label.setWordWrap(True)
        self.run_notes_label.setTextFormat(Qt.TextFormat.PlainText)
        self.run_notes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.run_notes_label.setStyleSheet("color: palette(placeholder-text);")
        column.addWidget(self.run_notes_label)
        self.prompt_view = QPlainTextEdit()
        self.prompt_view.setObjectName("currentPrompt")
        self.prompt_view.setReadOnly(True)
        self.prompt_view.setMaximumHeight(72)
        self.prompt_view.setPlaceholderText(
            QCoreApplication.translate(
                "ProgressPanel", "The prompt in use appears here during a run."
            )
        )
        column.addWidget(self.prompt_view)
        outcome_row = QHBoxLayout()
        self.outcome_label = QLabel()
        self.outcome_label.setObjectName("outcomeLabel")
        self.outcome_label.setWordWrap(True)
        self.outcome_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_button = QPushButton(QCoreApplication.translate("ProgressPanel", "Details…"))
        self.details_button.setObjectName("detailsButton")
        self.details_button.clicked.connect(self.show_details)
        outcome_row.addWidget(self.outcome_label, 1)
        outcome_row.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(outcome_row)
        self.warning_label = QLabel()
        self.warning_label.setObjectName("warningLabel")
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet("color: #a15c00;")
        column.addWidget(self.warning_label)
        self.scroll_area.setWidget(content)

    # -- state --------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._running

    @property
    def ticking(self) -> bool:
        return self._timer.isActive()

    def reset(self) -> None:
        self._timer.stop()
        self._running = self._revising = self._cancelling = False
        self._generating.clear()
        self._judging.clear()
        self._uploading.clear()
        self._done.clear()
        self._failed_uploads.clear()
        self._attempt_errors.clear()
        self._notes.clear()
        self._run_notes.clear()
        self._phase = ""
        self._details = ""
        self._finished = None
        self._spent = None
        self._cap = None
        self.spent_label.setText(NONE_YET)
        self.spent_label.setToolTip("")
        self.step_label.setText(tr(NOT_RUNNING))
        self._idle_bar()
        self.now_label.setText(NONE_YET)
        self.elapsed_label.setText(NONE_YET)
        self.reason_label.setText(NONE_YET)
        self.regions_label.setText(NONE_YET)
        self._say_row(self.checklist_label, "")
        self._say_row(self.best_label, "")
        self._show_run_notes()
        self.prompt_view.setPlainText("")
        self._set_outcome("", "")
        self.warning_label.setVisible(False)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        captions = max((c.sizeHint().width() for c in self._rows.captions()), default=0)
        room = event.size().width() - captions - 40  # margins, spacing, a scroll bar
        wide = room >= STEP_TEXT_MIN_WIDTH + BAR_MIN_WIDTH
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.step_row.direction() != direction:
            self.step_row.setDirection(direction)

    def begin(self, text: str = STARTING, *, cap_usd: Decimal | None = None) -> None:
        """A run was asked for: clear the last one and start the clock (clients are being
        made; RunStarted follows). ``cap_usd``: the run's own budget, said beside what it
        has spent."""
        self.reset()
        self._cap = cap_usd
        self.spent_label.setText(spent_text(None, cap_usd))
        self._running = True
        self._run_started = self._phase_started = self._now()
        self._set_phase(tr(text))
        self.step_label.setText(tr(PREPARING))
        self.bar.setRange(0, 0)  # busy: the loop has not said its limits yet
        self.bar.setTextVisible(False)
        self.bar.setVisible(True)
        self._timer.start()
        self._tick()

    def set_cancelling(self) -> None:
        if not self._running:
            return
        self._cancelling = True
        self._refresh_phase()

    def show_failure(self, message: str, details: str) -> None:
        """The run could not start (invalid input, unusable credentials)."""
        self._stop_clock()
        self.step_label.setText(tr(NOT_STARTED))
        self._idle_bar()
        self.now_label.setText(NONE_YET)
        self._set_outcome(tr(COULD_NOT_START).format(message=message), details, ev.Outcome.ERROR)

    def show_session_note(self, text: str) -> None:
        """Shown while a past session is on view instead of a live run."""
        if self._running:
            return
        self.reset()
        self.step_label.setText(text)

    # -- events --------------------------------------------------------------------------------

    @Slot(object)
    def on_event(self, event: object) -> None:
        if isinstance(event, ev.RunStarted):
            if not self._running:
                self.begin()
            self._max_versions = event.max_revisions + 1
            self._max_attempts = event.max_attempts
            self._show_bar()
            self.prompt_view.setPlainText(event.prompt)
            self._show_step(0, 0)
            regions = regions_text(event.image_region, event.judge_region)
            self.regions_label.setText(regions or NONE_YET)
            for note in event.notes:
                self._add_run_note(shown(note))
        elif isinstance(event, ev.AttemptStarted):
            self._generating.add((event.revision, event.attempt))
            self._show_step(event.revision, event.attempt)
            self.prompt_view.setPlainText(event.prompt)
        elif isinstance(event, ev.AttemptFailed):
            self._generating.discard((event.revision, event.attempt))
            self._attempt_done(event.revision, event.attempt)
            self._attempt_errors.append(
                tr(ATTEMPT_LINE).format(
                    revision=event.revision, attempt=event.attempt, message=shown(event.message)
                )
            )
            self._warn()
        elif isinstance(event, ev.AttemptNote):
            self._notes.append(
                tr(ATTEMPT_LINE).format(
                    revision=event.revision, attempt=event.attempt, message=shown(event.message)
                )
            )
            self._warn()
        elif isinstance(event, ev.ImageStored):
            ref = event.candidate.ref
            self._generating.discard((ref.revision, ref.attempt))
            if event.candidate.s3_key:
                self._uploading.add(ref)
        elif isinstance(event, ev.JudgingStarted):
            self._judging.add(event.ref)
        elif isinstance(event, ev.VerdictReceived):
            self._judging.discard(event.ref)
            self._attempt_done(event.ref.revision, event.ref.attempt)
            verdict = event.verdict
            result = result_word(verdict.result.value)
            if verdict.badge:
                text = tr(VERDICT_SCORED).format(
                    result=result, badge=verdict.badge, reason=judge_reason(verdict)
                )
            else:
                text = tr(VERDICT).format(result=result, reason=judge_reason(verdict))
            self.reason_label.setText(text)
            if verdict.notes:
                self._add_run_note(tr(JUDGE_NOTE).format(note=shown(verdict.notes)))
        elif isinstance(event, ev.UploadDone):
            self._uploading.discard(event.ref)
        elif isinstance(event, ev.UploadFailed):
            self._uploading.discard(event.ref)
            self._failed_uploads.append(f"{event.ref.label} → {event.key}: {event.message}")
            self._warn()
        elif isinstance(event, ev.RevisionStarted):
            self._revising = True
        elif isinstance(event, ev.PromptRevised):
            self._revising = False
            self.prompt_view.setPlainText(event.prompt)
            self._show_step(event.revision, None)
            if event.notes:
                self._add_run_note(tr(REVISER_NOTE).format(note=shown(event.notes)))
            if not event.ok:
                self._attempt_errors.append(
                    tr(REVISION_LINE).format(revision=event.revision, error=event.error)
                )
                self._warn()
        elif isinstance(event, ev.ChecklistSet):
            self._say_row(self.checklist_label, checklist_text(event))
            if event.origin is ev.ChecklistOrigin.FAILED:
                self._attempt_errors.append(tr(CHECKLIST_LINE).format(error=event.error))
                self._warn()
        elif isinstance(event, ev.BestChosen):
            self._say_row(self.best_label, best_text(event))
        elif isinstance(event, ev.Spent):
            self._spent = event.total
            self.spent_label.setText(spent_text(event.total, self._cap))
            self.spent_label.setToolTip(
                tr(LAST_CALL).format(
                    kind=call_kind(event.kind), model=event.model_id, cost=event.cost
                )
            )
            return
        elif isinstance(event, ev.RunFinished):
            self._finish(event)
            return
        else:
            return
        self._refresh_phase()

    # -- drawing -------------------------------------------------------------------------------

    def _say_row(self, label: QLabel, text: str) -> None:
        """A row that only a checklist run fills: hidden (label and all) until it does."""
        label.setText(text)
        self._form.setRowVisible(label, bool(text))

    def _idle_bar(self) -> None:
        """No run on show: no bar (an empty one reads as a text box)."""
        self.bar.setVisible(False)
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.bar.setTextVisible(False)

    def _attempt_done(self, revision: int, attempt: int) -> None:
        """An attempt counts once, however many images it made."""
        self._done.add((revision, attempt))
        self._show_bar()

    def _show_bar(self) -> None:
        most = max(1, self._max_versions * self._max_attempts)
        self.bar.setRange(0, most)
        self.bar.setValue(min(len(self._done), most))
        self.bar.setFormat(tr(BAR_FORMAT))
        self.bar.setTextVisible(True)
        self.bar.setVisible(True)

    def _show_step(self, revision: int, attempt: int | None) -> None:
        text = tr(STEP).format(version=revision + 1, versions=self._max_versions)
        if attempt is not None:
            text += tr(STEP_ATTEMPT).format(attempt=attempt + 1, attempts=self._max_attempts)
        self.step_label.setText(text)

    def _refresh_phase(self) -> None:
        parts: list[str] = []
        if self._revising:
            parts.append(tr(REVISING))
        for word, items in (
            (GENERATING, self._generating),
            (JUDGING, self._judging),
            (UPLOADING, self._uploading),
        ):
            if items:
                n = len(items)
                parts.append(tr(word) if n == 1 else tr(COUNTED).format(word=tr(word), n=n))
        listed = tr(LIST_SEPARATOR).join(parts)
        text = listed.capitalize() if parts else tr(WAITING)
        if self._cancelling:
            text = tr(CANCELLING) + (tr(HOW).format(how=listed) if parts else "")
        self._set_phase(text)

    def _set_phase(self, text: str) -> None:
        if text != self._phase:
            self._phase = text
            self._phase_started = self._now()
        self._tick()

    @Slot()
    def _tick(self) -> None:
        now = self._now()
        if self._running:
            self.now_label.setText(
                tr(PHASE).format(
                    phase=self._phase, elapsed=format_elapsed(now - self._phase_started)
                )
            )
            self.elapsed_label.setText(format_elapsed(now - self._run_started))

    def _warn(self) -> None:
        parts = []
        if self._attempt_errors:
            parts.append(tr(STEPS_FAILED).format(n=len(self._attempt_errors)))
        if self._notes:
            parts.append(tr(NOTES).format(n=len(self._notes)))
        if self._failed_uploads:
            parts.append(tr(UPLOADS_FAILED).format(n=len(self._failed_uploads)))
        self.warning_label.setText(tr(WARNING_SEPARATOR).join(parts) + tr(WARNING_END))
        self.warning_label.setVisible(True)
        self._details = self._collected_details()
        self.details_button.setVisible(True)

    def _add_run_note(self, note: str) -> None:
        if note and note not in self._run_notes:
            self._run_notes.append(note)
            self._show_run_notes()

    def _show_run_notes(self) -> None:
        text = "\n".join(tr(NOTE_LINE).format(note=note) for note in self._run_notes)
        self.run_notes_label.setText(text)
        self.run_notes_label.setVisible(bool(text))

    @property
    def run_notes(self) -> list[str]:
        """The notes on show: the run's, then the judge's and reviser's, each once."""
        return list(self._run_notes)

    def _collected_details(self, head: str = "") -> str:
        sections = [head] if head else []
        if self._run_notes:
            heading = QCoreApplication.translate("ProgressPanel", "Run notes:")
            sections.append(heading + "\n" + "\n".join(self._run_notes))
        if self._attempt_errors:
            heading = QCoreApplication.translate("ProgressPanel", "Failed steps:")
            sections.append(heading + "\n" + "\n".join(self._attempt_errors))
        if self._notes:
            heading = QCoreApplication.translate("ProgressPanel", "Notes:")
            sections.append(heading + "\n" + "\n".join(self._notes))
        if self._failed_uploads:
            heading = QCoreApplication.translate("ProgressPanel", "Failed uploads:")
            sections.append(heading + "\n" + "\n".join(self._failed_uploads))
        return "\n\n".join(sections)

    @Slot(object)
    def show_result(self, result: object) -> None:
        """The run's end again, in the window's language: its ``RunFinished`` event carries
        the message in English only, the ``RunResult`` that follows it (the run
        controller's ``finished``) carries it with its values apart (``words``)."""
        from imgloop_desktop.core.loop import RunResult  # loaded by the run that ended

        event = self._finished
        if not isinstance(result, RunResult) or event is None or event.run_id != result.run_id:
            return
        if result.words:
            self._show_end(event, result.words)

    def _finish(self, event: ev.RunFinished) -> None:
        self._finished = event
        self._stop_clock()
        if self.bar.maximum() == 0:  # ended before the loop said its limits
            self._idle_bar()
        self._generating.clear()
        self._judging.clear()
        self._revising = False
        count = len(event.candidates)
        self.now_label.setText(tr(FINISHED).format(n=count))
        spent = event.spent if event.spent is not None else self._spent
        if event.spent is not None or self._spent is not None:
            self.spent_label.setText(spent_text(spent, self._cap, final=True))
        self._show_end(event)

    def _show_end(self, event: ev.RunFinished, said: Phrase | str = "") -> None:
        """The outcome line and the details' head (``said``: see ``outcome_text``)."""
        spent = event.spent if event.spent is not None else self._spent
        head = tr(HEAD).format(run_id=event.run_id, outcome=tr(OUTCOME_VALUES[event.outcome]))
        head += f"\n{shown(said) if said else event.message}"
        if spent is not None:
            head += "\n" + tr(HEAD_COST).format(spent=spent)
        if event.approved is not None:
            head += "\n" + tr(HEAD_APPROVED).format(path=event.approved.path)
        self._set_outcome(outcome_text(event, said), self._collected_details(head), event.outcome)

    def _stop_clock(self) -> None:
        self._tick()
        self._running = False
        self._cancelling = False
        self._timer.stop()

    def _set_outcome(self, text: str, details: str, outcome: ev.Outcome | None = None) -> None:
        self.outcome_label.setText(text)
        self.outcome_label.setStyleSheet(_OUTCOME_STYLE[outcome] if outcome else "")
        self.outcome_label.setVisible(bool(text))
        self._details = details
        self.details_button.setVisible(bool(details))

    @Slot()
    def show_details(self) -> None:
        message = (
            self.outcome_label.text()
            or self.warning_label.text()
            or QCoreApplication.translate("ProgressPanel", "Run details")
        )
        show_error(self, message, self._details or message)

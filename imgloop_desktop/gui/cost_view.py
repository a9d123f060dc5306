"""What a run will cost, shown beside the Run button as the form changes (issue 13).

One short line — "First try ≈ $0.23 · worst case $6.70 · expected $0.41" — and the
breakdown (every kind of call, how many, at what price) in its tooltip. The figures are
``services.costs.estimate_run``'s: the same the headless ``--estimate`` prints.

Why it is built this way:

* The estimate is pure arithmetic (a few milliseconds), so it runs on the GUI thread, after
  a short pause in typing so a burst of edits is computed once. The "expected" figure needs
  the person's median attempts to approval for the image/judge model pair, a history query:
  that runs on a ``gui.workers.Workers`` job, and its answer is kept per model pair, so
  changing any other field never queries again. A finished run may move the median, so the
  window forgets the cache then (``forget_history``).
* A price the table does not know is never shown as $0: the figure says "unknown", and a
  line under it names what is missing. Parameters no run would take (the form shows those
  in red) show no estimate at all rather than a second error.
* The person's own price rows (Preferences → Costs) are used when they are valid; a cost
  settings file that cannot be read is said here too, because a run will refuse to start
  on it.
"""

from __future__ import annotations

import logging
from decimal import ROUND_HALF_UP, Decimal

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from imgloop_desktop.core.cost import Cost, money
from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.price_overrides import Overrides
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, in_context
from imgloop_desktop.gui.workers import Workers
from imgloop_desktop.services.costs import RunEstimate, estimate_run
from imgloop_desktop.services.history import HistoryService

log = logging.getLogger(__name__)

DEBOUNCE_MS = 120
CENT = Decimal("0.01")

# What the line says; the tests compare against these.
FIRST = QT_TRANSLATE_NOOP("CostEstimateView", "First try ≈ {cost}")
WORST = QT_TRANSLATE_NOOP("CostEstimateView", "worst case {cost}")
EXPECTED = QT_TRANSLATE_NOOP("CostEstimateView", "expected {cost}")
CAPPED = QT_TRANSLATE_NOOP("CostEstimateView", "run cap {cap}")
CAP_BELOW_FIRST = QT_TRANSLATE_NOOP(
    "CostEstimateView",
    "The budget per run ({cap}) is below what the first try can cost: the run may stop "
    "before its first image is judged.",
)
SEPARATOR = " · "
UNKNOWN = QT_TRANSLATE_NOOP("CostEstimateView", "unknown")
AT_LEAST = QT_TRANSLATE_NOOP("CostEstimateView", "≥ {known} + unknown")
UNDER_A_CENT = "< $0.01"
INCOMPLETE = QT_TRANSLATE_NOOP("CostEstimateView", "Estimate incomplete: {what}")
BAD_SETTINGS = QT_TRANSLATE_NOOP(
    "CostEstimateView",
    "Your cost settings cannot be used ({what}); fix them in Settings → Costs and budget.",
)
TIP_HEAD = QT_TRANSLATE_NOOP("CostEstimateView", "Worst case, by call:")
TIP_LINE = QT_TRANSLATE_NOOP(
    "CostEstimateView", "{kind}: {calls} call(s), {units} x {each} = {total}"
)
TIP_FIRST = QT_TRANSLATE_NOOP(
    "CostEstimateView",
    "First try: {cost} (the first image approved, with what runs alongside it)",
)
TIP_WORST = QT_TRANSLATE_NOOP(
    "CostEstimateView", "Worst case: {cost} (every attempt, retry, revision and comparison)"
)
TIP_EXPECTED = QT_TRANSLATE_NOOP(
    "CostEstimateView",
    "Expected: {cost} (your median of {median} attempt(s) for this model pair)",
)
TIP_NO_HISTORY = QT_TRANSLATE_NOOP(
    "CostEstimateView", "Expected: no approved run of this model pair in your history yet"
)
TIP_REGIONS = QT_TRANSLATE_NOOP(
    "CostEstimateView", "Priced for the image model in {image}, the judge in {judge}"
)
TIP_OVERRIDES = QT_TRANSLATE_NOOP(
    "CostEstimateView", "Your own price rows (Settings → Costs and budget) are used."
)
CALL_KINDS = (
    # ``CallKind`` values as the tooltip writes them (capitalized).
    QT_TRANSLATE_NOOP("CostEstimateView", "Generate"),
    QT_TRANSLATE_NOOP("CostEstimateView", "Judge"),
    QT_TRANSLATE_NOOP("CostEstimateView", "Judge again"),
    QT_TRANSLATE_NOOP("CostEstimateView", "Checklist"),
    QT_TRANSLATE_NOOP("CostEstimateView", "Checklist again"),
    QT_TRANSLATE_NOOP("CostEstimateView", "Revise"),
    QT_TRANSLATE_NOOP("CostEstimateView", "Revise again"),
    QT_TRANSLATE_NOOP("CostEstimateView", "Compare"),
)


_tr = in_context("CostEstimateView")


def short_cost(cost: Cost) -> str:
    """A figure for the one-line summary: cents, or "< $0.01"; "unknown" when no part of
    it is priced and "≥ $X + unknown" when only part is. Never "$0" for an unknown price."""
    if not cost.complete:
        if cost.known == 0:
            return _tr(UNKNOWN)
        return _tr(AT_LEAST).format(known=_cents(cost.known))
    return _cents(cost.known)


def exact_cost(cost: Cost) -> str:
    """A recorded cost to the hundredth of a cent ("$0.0412"): a judge call costs a fraction
    of a cent, which cents would round away; the same words as ``short_cost`` for unknown."""
    if cost.complete:
        return money(cost.known)
    return _tr(UNKNOWN) if cost.known == 0 else _tr(AT_LEAST).format(known=money(cost.known))


def _cents(amount: Decimal) -> str:
    if 0 < amount < CENT:
        return UNDER_A_CENT
    try:
        return f"${amount.quantize(CENT, rounding=ROUND_HALF_UP):,}"
    except ArithmeticError:  # an absurd figure: money() writes it in scientific notation
        return money(amount)


def run_cap(params: RunParams) -> Decimal | None:
    """The run's own budget (``max_cost_usd``; 0 is none)."""
    return Decimal(str(params.max_cost_usd)) if params.max_cost_usd > 0 else None


def summary_text(figures: RunEstimate, cap: Decimal | None = None) -> str:
    """ "First try ≈ $0.23 · worst case $6.70 · expected $0.41" (expected only with history
    for the model pair), and " · run cap $0.30" when the run's budget is below the worst
    case: the run stops there, so the worst case is not what it can spend."""
    parts = [
        _tr(FIRST).format(cost=short_cost(figures.estimate.first_attempt)),
        _tr(WORST).format(cost=short_cost(figures.estimate.worst_case)),
    ]
    if figures.expected is not None:
        parts.append(_tr(EXPECTED).format(cost=short_cost(figures.expected)))
    worst = figures.estimate.worst_case
    if cap is not None and (not worst.complete or cap < worst.known):
        parts.append(_tr(CAPPED).format(cap=_cents(cap)))
    return SEPARATOR.join(parts)


def missing_text(figures: RunEstimate, cap: Decimal | None = None) -> str:
    """What the estimate could not price, and a run cap below the first try ("" when
    there is nothing to say)."""
    missing = figures.estimate.worst_case + figures.estimate.first_attempt
    if figures.expected is not None:
        missing = missing + figures.expected
    lines = [_tr(INCOMPLETE).format(what="; ".join(missing.missing))] if missing.missing else []
    if cap is not None and cap < figures.estimate.first_attempt.known:
        lines.append(_tr(CAP_BELOW_FIRST).format(cap=money(cap)))
    return "\n".join(lines)


def breakdown_text(figures: RunEstimate, *, overridden: bool = False) -> str:
    """The tooltip: the three figures in full (exact amounts, or "unknown (…)"), the worst
    case by kind of call, and where the calls were priced."""
    estimate = figures.estimate
    lines = [
        _tr(TIP_FIRST).format(cost=estimate.first_attempt),
        _tr(TIP_WORST).format(cost=estimate.worst_case),
    ]
    if figures.expected is not None and figures.median_attempts is not None:
        median = f"{figures.median_attempts:g}"
        lines.append(_tr(TIP_EXPECTED).format(cost=figures.expected, median=median))
    else:
        lines.append(_tr(TIP_NO_HISTORY))
    lines += ["", _tr(TIP_HEAD)]
    tip_line = _tr(TIP_LINE)
    lines += [
        tip_line.format(
            kind=_tr(str(line.kind).capitalize()),
            calls=line.calls,
            units=line.units,
            each=line.each,
            total=line.total,
        )
        for line in estimate.breakdown
    ]
    lines += ["", _tr(TIP_REGIONS).format(image=figures.image_region, judge=figures.judge_region)]
    if overridden:
        lines.append(_tr(TIP_OVERRIDES))
    return "\n".join(lines)


Pair = tuple[str, str]


class CostEstimateView(QWidget):
    """The estimate line. Feed it the form's parameters with ``show_params`` (on every
    edit; it waits for a pause), the person's price rows with ``set_overrides``."""

    def __init__(self, history: HistoryService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("costEstimate")
        self.history = history
        self._params: RunParams | None = None
        self._overrides: Overrides | None = None
        self._settings_problem = ""
        self._medians: dict[Pair, float | None] = {}
        self._asking: set[Pair] = set()
        self.figures: RunEstimate | None = None
        """The figures on show (None: no estimate for these parameters)."""
        self._jobs = Workers("cost-median", max_threads=1, parent=self)

        column = QVBoxLayout(self)
        column.setContentsMargins(8, 4, 8, 4)
        column.setSpacing(2)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("costSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setStyleSheet("font-weight: 600;")
        self.missing_label = QLabel()
        self.missing_label.setObjectName("costMissing")
        self.missing_label.setWordWrap(True)
        self.missing_label.setTextFormat(Qt.TextFormat.PlainText)
        self.missing_label.setStyleSheet("color: #a15c00;")
        column.addWidget(self.summary_label)
        column.addWidget(self.missing_label)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.recompute)
        self._draw()

    # -- contract -------------------------------------------------------------------------------

    def show_params(self, params: RunParams) -> None:
        """The form changed: recompute after a short pause in the edits."""
        self._params = params
        self._debounce.start()

    def set_overrides(self, overrides: Overrides | None, problem: str = "") -> None:
        """The person's price rows (None: the shipped table only). ``problem``: why their
        cost settings could not be read, said under the estimate."""
        self._overrides = overrides
        self._settings_problem = problem
        self._debounce.start()

    def forget_history(self) -> None:
        """A run ended or the history opened: the medians may have moved; ask again."""
        self._jobs.supersede("median")
        self._medians.clear()
        self._asking.clear()
        self._debounce.start()

    @property
    def pending(self) -> bool:
        """A recompute or a history query is still to come (tests wait on this)."""
        return self._debounce.isActive() or self._jobs.busy

    def close_workers(self) -> None:
        self._debounce.stop()
        self._jobs.close()
        self._jobs.wait()

    # -- internals ------------------------------------------------------------------------------

    @Slot()
    def recompute(self) -> None:
        self._debounce.stop()
        params = self._params
        self.figures = None
        if params is not None:
            pair = (params.image_model_id.strip(), params.judge_model_id.strip())
            if pair not in self._medians:
                self._ask_median(pair)
            try:
                self.figures = estimate_run(
                    params, overrides=self._overrides, median_attempts=self._medians.get(pair)
                )
            except ValidationError:
                self.figures = None  # the form already marks the fields in red
            except Exception:  # an estimate must never take the form down
                log.exception("the cost estimate failed")
                self.figures = None
        self._draw()

    def _ask_median(self, pair: Pair) -> None:
        if pair in self._asking:
            return
        self._asking.add(pair)
        history = self.history

        def work() -> float | None:
            return history.median_attempts(pair[0], pair[1])

        def got(median: float | None) -> None:
            self._asking.discard(pair)
            self._medians[pair] = median if median is not None and median >= 1 else None
            current = self._params
            if (
                current is not None
                and (
                    current.image_model_id.strip(),
                    current.judge_model_id.strip(),
                )
                == pair
            ):
                self.recompute()

        def failed(error: BaseException) -> None:
            # The history may not be open yet; "expected" waits for the next change.
            self._asking.discard(pair)
            log.debug("median attempts for %s: %s", pair, error)

        self._jobs.start(work, returned=got, errored=failed, key="median", name="cost-median")

    def _draw(self) -> None:
        figures = self.figures
        problem = (
            _tr(BAD_SETTINGS).format(what=self._settings_problem) if self._settings_problem else ""
        )
        if figures is None:
            self.summary_label.setText("")
            self.setToolTip("")
            missing = ""
        else:
            cap = run_cap(self._params) if self._params is not None else None
            self.summary_label.setText(summary_text(figures, cap))
            overridden = self._overrides is not None and bool(
                self._overrides.images or self._overrides.texts
            )
            self.setToolTip(breakdown_text(figures, overridden=overridden))
            missing = missing_text(figures, cap)
        self.summary_label.setVisible(figures is not None)
        note = "\n".join(text for text in (missing, problem) if text)
        self.missing_label.setText(note)
        self.missing_label.setVisible(bool(note))
        self.setVisible(figures is not None or bool(problem))

"""The run queue in the window: its dock, the form's "Add to queue", and the queue's worker.

``services.run_queue.RunQueue`` does the work (the history keeps the queue; the batch
engine runs its items); this module keeps the window's side of it: every queue operation
reads or writes the history, so each goes through one single-threaded ``Workers`` pool
(in order, never on the GUI thread), and the panel is refreshed from what the history
says afterwards, never from a guess. The queue reports changes from its own threads; a
queued signal brings them to the GUI thread, and refreshes coalesce (``supersede``).

The dock's shell (title, object name, place) is made with the window, so the remembered
layout finds it; the ``QueuePanel`` inside is built the first time the dock shows or
``panel`` is asked for (``gui.lazy_dock.LazyDock``, issue 15): a start with the dock closed
never needs it. Until then there is nothing to refresh; building it reads the queue once.

When does the queue run? Whenever it is not paused and has waiting items: after the
history opens (so a queue a quit or a crash left resumes by itself), after items are added
or retried, and on Resume. It runs with the backend chosen when it started; picking
another backend takes effect once nothing is running (the idle queue is stopped then).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMainWindow

from imgloop_desktop.core.errors import ImgloopError, ValidationError
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.records import QueueItem, QueueSummary
from imgloop_desktop.gui.error_box import describe
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, shown
from imgloop_desktop.gui.lazy_dock import LazyDock
from imgloop_desktop.gui.param_form import ParamForm
from imgloop_desktop.gui.workers import Workers
from imgloop_desktop.services import costs
from imgloop_desktop.services.backends import Backends
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.services.queue_limits import QueueLimits, limits_file, load_limits
from imgloop_desktop.services.run_queue import RunQueue

if TYPE_CHECKING:
    from imgloop_desktop.gui.queue_panel import QueuePanel

log = logging.getLogger(__name__)

T = TypeVar("T")
QUEUE_FILES = QT_TRANSLATE_NOOP("QueueSync", "Queue files (*.jsonl *.csv);;All files (*)")
CLOSE_SECONDS = 5.0


class _Relay(QObject):
    """Lives on the GUI thread; the queue's threads emit, Qt queues the call over."""

    changed = Signal()


class QueueSync(QObject):
    message = Signal(str)
    openSession = Signal(str)
    limitsRequested = Signal()
    """The panel's Limits… (the window opens Preferences on its Queue page)."""
    reviewRequested = Signal(list, str)
    """An item's runs to review on their own (the window's Review dock)."""

    def __init__(
        self,
        window: QMainWindow,
        history: HistoryService,
        form: ParamForm,
        backends: Backends,
        cost_settings: Callable[[], costs.CostSettings | None],
    ) -> None:
        super().__init__(window)
        self.window = window
        self.history = history
        self.form = form
        self.backends = backends
        self.cost_settings = cost_settings
        self.limits = QueueLimits()
        self._backend_key: str | None = None
        """The backend the queue was last started with (None: never started here)."""
        self._relay = _Relay()
        self._relay.changed.connect(self.refresh, Qt.ConnectionType.QueuedConnection)
        self.queue = RunQueue(history, changed=self._relay.changed.emit)
        self.jobs = Workers("queue", max_threads=1, parent=self)
        self._refreshes = Workers("queue-view", max_threads=1, parent=self)
        self._history_open = False
        self._panel: QueuePanel | None = None

        self.dock = LazyDock(self.tr("Queue"), "queueDock", self._build_panel, window)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()

    @property
    def panel(self) -> QueuePanel:
        """The dock's panel, built on first use."""
        self.dock.content()
        assert self._panel is not None
        return self._panel

    def _build_panel(self) -> QueuePanel:
        from imgloop_desktop.gui.queue_panel import QueuePanel  # with the dock, not the start

        self._panel = p = QueuePanel()
        p.addFileRequested.connect(self.ask_add_file)
        p.pasteRequested.connect(self.ask_paste)
        p.pausedChanged.connect(self.set_paused)
        p.cancelRequested.connect(lambda ids: self._do(lambda: self.queue.cancel(ids)))
        p.retryRequested.connect(self.retry)
        p.removeRequested.connect(lambda ids: self._do(lambda: self.queue.remove(ids)))
        p.clearFinishedRequested.connect(lambda: self._do(self.queue.clear_finished))
        p.moveRequested.connect(lambda item, to: self._do(lambda: self.queue.move(item, to)))
        p.budgetChanged.connect(self.set_budget)
        p.openSession.connect(self.openSession)
        p.limitsRequested.connect(self.limitsRequested)
        p.reviewRequested.connect(self.reviewRequested)
        self.refresh()  # the queue as the history has it now (once the history is open)
        return p

    # -- the history is open ----------------------------------------------------------------

    def history_opened(self) -> None:
        """Show the queue; resume it when it was left running (not paused) with work."""
        self._history_open = True
        self.refresh()
        self.ensure_running()

    # -- adding -----------------------------------------------------------------------------

    def add_from_form(self) -> bool:
        """The form's parameters as one queue item. False when the form is not valid."""
        if not self.form.is_valid():
            count = len(self.form.problems())
            self.message.emit(
                self.tr("Not queued: {n} value(s) are not allowed (marked in red).").format(n=count)
            )
            return False
        params = self.form.params()
        self._add(lambda: self.queue.add([params]), "the form")
        return True

    def ask_paste(self) -> None:
        text, ok = QInputDialog.getMultiLineText(
            self.window,
            self.tr("Paste prompts"),
            self.tr("One prompt per line; the other settings come from the form:"),
        )
        if ok and text.strip():
            self.add_lines(text)

    def add_lines(self, text: str) -> None:
        base = self.form.params()
        self._add(lambda: self.queue.add_lines(text, base), "the pasted lines")

    def ask_add_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self.window, self.tr("Add a queue file (JSONL or CSV)"), "", self.tr(QUEUE_FILES)
        )
        if name:
            self.add_files([Path(name)])

    def add_files(self, paths: list[Path]) -> None:
        """Each file's events, the form's settings filling the fields a line leaves out;
        a file with any bad line adds nothing and names every problem."""
        base = self.form.params()
        for path in paths:
            self._add(functools.partial(self.queue.add_file, path, base=base), path.name)

    def _add(self, add: Callable[[], list[int]], source: str) -> None:
        def added(ids: list[int]) -> None:
            self.dock.show()
            self.dock.raise_()
            self.message.emit(
                self.tr("Queued {n} item(s) from {source}.").format(n=len(ids), source=source)
            )
            self.ensure_running()

        self._do(
            add, returned=added, what=self.tr("Not queued from {source}").format(source=source)
        )

    # -- controls ---------------------------------------------------------------------------

    @Slot(bool)
    def set_paused(self, paused: bool) -> None:
        def then(_: object) -> None:
            self.message.emit(self.tr("Queue paused: running items finish.") if paused else "")
            if not paused:
                self.ensure_running()

        self._do(lambda: self.queue.set_paused(paused), returned=then)

    @Slot(list)
    def retry(self, item_ids: list[int]) -> None:
        self._do(lambda: self.queue.retry(item_ids), returned=lambda _: self.ensure_running())

    @Slot(object)
    def set_budget(self, budget: Decimal) -> None:
        self._do(lambda: self.queue.set_budget(budget), what=self.tr("Queue budget not set"))

    def ensure_running(self) -> None:
        """Start the queue's workers when it may run and has waiting items."""
        if self.queue.running or not self._history_open:
            return
        backend = self.backends.current
        if backend is None:
            return
        try:
            limits = load_limits()
        except ValidationError as exc:
            self.message.emit(
                self.tr("Queue not started: {file} has a bad value: {problem}").format(
                    file=limits_file(), problem=exc
                )
            )
            return
        self.limits = limits
        settings = self.cost_settings() or costs.CostSettings()
        try:
            credentials = self.backends.credentials()
        except ImgloopError as exc:
            self.message.emit(
                self.tr("Queue not started: {reason}").format(reason=describe(exc)[0])
            )
            return
        synthetic = backend.synthetic

        def adjust(params: RunParams) -> RunParams:
            return params.with_changes(s3_enabled=False) if synthetic else params

        monthly = (
            functools.partial(costs.monthly_left_now, self.history.db_path, settings=settings)
            if settings.monthly_cap_usd is not None
            else None
        )

        def start() -> bool:
            summary = self.queue.summary()
            if summary.paused or not summary.waiting:
                return False
            self.queue.start(
                credentials,
                concurrency=limits.items_at_once,
                limits=limits.call_limits(),
                adjust=adjust,
                price_overrides=settings.overrides,
                monthly_left=monthly,
            )
            return True

        def started(did: bool) -> None:
            if did:
                self.message.emit(
                    self.tr("Queue running with {who}…").format(who=shown(credentials.describe()))
                )

        self._backend_key = backend.key  # now, not when the worker is done: a pick of the
        # same backend in between must not restart what is starting
        self._do(start, returned=started, what=self.tr("Queue not started"))

    def backend_changed(self) -> None:
        """Restart the queue on the new backend: running items are cut short (what they
        made is kept) and wait again, as at a quit. Going on with the old backend would
        spend on the real account under the demo's banner, or fail every item when the
        demo's simulator is stopped."""

        current = self.backends.current
        if current is not None and current.key == self._backend_key:
            self.ensure_running()  # the same backend picked again: nothing is cut short
            return

        def restart() -> bool:
            if not self.queue.running:
                return False
            return self.queue.close()

        def restarted(stopped: bool) -> None:
            if stopped:
                self.message.emit(self.tr("Queue restarting with the newly chosen backend…"))
            self.ensure_running()

        self._do(restart, returned=restarted)

    # -- showing ----------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Read the queue off the GUI thread and show it; nothing before the history is
        open or while the panel is not built (building it refreshes)."""
        if not self._history_open or self._panel is None:
            return

        def read() -> tuple[list[QueueItem], QueueSummary]:
            return self.queue.items(), self.queue.summary()

        def show(value: tuple[list[QueueItem], QueueSummary]) -> None:
            self.panel.show_queue(*value, items_at_once=self.limits.items_at_once)

        self._refreshes.start(read, returned=show, errored=self._failed, supersede="refresh")

    def _do(
        self,
        fn: Callable[[], T],
        *,
        returned: Callable[[T], None] | None = None,
        what: str = "",
    ) -> None:
        def failed(error: BaseException) -> None:
            self._failed(error, what or self.tr("Queue"))

        def done(value: T) -> None:
            self.refresh()
            if returned is not None:
                returned(value)

        self.jobs.start(fn, returned=done, errored=failed, name="queue")

    def _failed(self, error: BaseException, what: str = "") -> None:
        what = what or self.tr("Queue")
        if isinstance(error, ValidationError):
            shown = "; ".join(str(p) for p in error.problems[:3])
            more = len(error.problems) - 3
            text = f"{what}: {shown}"
            if more > 0:
                text += self.tr(" (and {n} more)").format(n=more)
        elif isinstance(error, ImgloopError | OSError):
            text = f"{what}: {error}"
        else:
            log.error("queue operation failed", exc_info=error)
            text = f"{what}: {type(error).__name__}: {error}"
        self.message.emit(text)

    # -- closing ----------------------------------------------------------------------------

    def close(self, timeout: float = CLOSE_SECONDS) -> bool:
        """For a quit: stop the queue (running items wait again for the next start)."""
        self.jobs.close()
        self._refreshes.close()
        ended = self.jobs.wait(timeout) and self._refreshes.wait(timeout)
        return self.queue.close(timeout) and ended

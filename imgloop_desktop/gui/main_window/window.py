"""The main window: parameters on the left, the run's images in the middle, the selected
image on the right, the history in a dock.

The window arranges and composes; each concern is its own small module reporting by signals:
``actions`` (the action table as data), ``backend_picker``, ``account_sync``,
``history_actions`` (open/recover, export, uploads), ``event_files`` (import/export/drop) and
``closing`` (close during a run). Runs go through ``RunController``; the panels fetch their
own data on ``gui.workers``. Dialogs are opened with ``open()`` (no nested event loop), so
nothing here blocks the Qt/asyncio loop.

A start builds what the window shows at once (issue 15): the history, review and queue
docks are shells (``gui.lazy_dock.LazyDock``) whose panels are built the first time each
dock is shown or its panel is asked for (``history_browser``, ``review_panel``,
``queue_sync.panel``); the remembered layout still opens a dock left open, content and all.
The help texts' module is imported when a Help item is first chosen.

Costs (issue 13): the estimate sits at the top of the parameters, under the Run button
(``cost_view``); the person's cost settings (``services.costs``: monthly budget, their own
price rows) are read when the window opens, when Preferences saves them, and again at each
Run, so a file edited by hand is seen; a file that cannot be used refuses the run and says
why. What the monthly budget still allows is asked on the run's own thread (a history
query), never here.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from imgloop_desktop.accounts import AccountStore
from imgloop_desktop.core.errors import ImgloopError, ServiceError, ValidationError
from imgloop_desktop.core.models import Lifecycle
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.records import RecoveryReport
from imgloop_desktop.gui import i18n
from imgloop_desktop.gui.cost_view import CostEstimateView
from imgloop_desktop.gui.details_pane import DetailsPane
from imgloop_desktop.gui.error_box import describe, problems_text
from imgloop_desktop.gui.folders import open_folder
from imgloop_desktop.gui.gallery import GalleryPanel, ViewerStack, outcome_word
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, shown
from imgloop_desktop.gui.lazy_dock import LazyDock
from imgloop_desktop.gui.main_window import actions as action_table
from imgloop_desktop.gui.main_window.account_sync import AccountSync
from imgloop_desktop.gui.main_window.backend_picker import BackendPicker, shown_label
from imgloop_desktop.gui.main_window.checklist_sync import ChecklistSync
from imgloop_desktop.gui.main_window.closing import CLOSE_TIMEOUT_SECONDS, CloseGuard
from imgloop_desktop.gui.main_window.event_files import EventFiles
from imgloop_desktop.gui.main_window.history_actions import (
    SHUTDOWN_JOIN_SECONDS,
    HistoryActions,
)
from imgloop_desktop.gui.main_window.queue_sync import QueueSync
from imgloop_desktop.gui.param_form import ParamForm
from imgloop_desktop.gui.progress_panel import ProgressPanel
from imgloop_desktop.gui.run_controller import RunController
from imgloop_desktop.gui.settings_store import DISPLAY_NAME, SettingsStore
from imgloop_desktop.gui.workers import Workers
from imgloop_desktop.services import catalog, costs
from imgloop_desktop.services.backends import Backend, Backends
from imgloop_desktop.services.history import HistoryService

if TYPE_CHECKING:  # for annotations only: these modules are not needed to show the window
    from imgloop_desktop.core.loop import RunResult
    from imgloop_desktop.gui.accounts_dialog import AccountsDialog
    from imgloop_desktop.gui.history_browser import HistoryBrowser
    from imgloop_desktop.gui.review_panel import ReviewPanel

log = logging.getLogger(__name__)

STATUS_MS = 8000
DEMO_TITLE = QT_TRANSLATE_NOOP("MainWindow", " — offline demo (synthetic images)")
FIX_FIELDS = QT_TRANSLATE_NOOP("MainWindow", "Fix the {n} marked field(s) first")
VIEWING_SESSION = QT_TRANSLATE_NOOP("MainWindow", "Viewing past session {run_id}")
BAD_COST_SETTINGS = QT_TRANSLATE_NOOP(
    "MainWindow",
    "Your cost settings file cannot be used ({path}); fix it in Settings → Costs and budget",
)
COST_SETTINGS_DETAILS = QT_TRANSLATE_NOOP(
    "MainWindow",
    "{problems}\n\nNo run starts until it is fixed: ignoring it could lift your cap.",
)
DEMO_BANNER = QT_TRANSLATE_NOOP(
    "MainWindow",
    "Offline demo: Bedrock is simulated on this computer and the images are synthetic "
    "(they say so in a corner). Nothing is sent to AWS; S3 uploads are off.",
)


class MainWindow(QMainWindow):
    """``closed`` fires once the window has really closed (app.py ends the loop on it)."""

    closed = Signal()
    historyReady = Signal(object)
    """The history store is open and recovered (the RecoveryReport); tests and the app."""
    exportFinished = Signal(object)
    warmedUp = Signal()
    """The AWS service models are parsed (see ``providers.session.warm_up``)."""

    def __init__(
        self,
        *,
        settings: SettingsStore | None = None,
        history: HistoryService | None = None,
        controller: RunController | None = None,
        backends: Backends | None = None,
        profiles: Iterable[str] | None = None,
        accounts: AccountStore | None = None,
        close_timeout: float = CLOSE_TIMEOUT_SECONDS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(DISPLAY_NAME)
        self.settings = settings or SettingsStore()
        # Constructing the service does no I/O; opening (migration, crash recovery) runs on
        # a worker, so a big or damaged history never delays the first paint.
        self.history = history or HistoryService()
        self.controller = controller or RunController(self)
        self.backends = backends or Backends()
        self.accounts = accounts or AccountStore()
        self._shut_down = False
        self._shown_once = False

        self._build_widgets()
        table = action_table.build_actions(self)
        self.run_action = table["run"]
        self.cancel_action = table["cancel"]
        self.export_approved_action = table["export_approved"]
        self.history_action = table["history"]
        self.review_action = table["review"]
        self.queue_action = table["queue"]
        self.add_to_queue_action = table["add_to_queue"]
        self.preferences_action = table["preferences"]
        self.costs_action = table["costs"]
        self.import_action = table["import"]
        self.export_event_action = table["export_event"]
        self.recovery_action = table["recovery"]
        self.retry_uploads_action = table["retry_uploads"]
        self.quit_action = table["quit"]
        # The form's Run and Cancel buttons are these actions (Tab reaches them).
        self.form.set_run_action(self.run_action)
        self.form.set_cancel_action(self.cancel_action)

        running = self._running
        self.picker = BackendPicker(
            self,
            self.backends,
            self.accounts,
            self.settings,
            profiles=None if profiles is None else list(profiles),
            running=running,
        )
        self.backend_combo = self.picker.combo
        menus = action_table.build_menus(self, table)
        self._build_language_menu(menus[3])  # Settings
        action_table.build_toolbar(self, table, [QLabel(self.tr(" Backend: ")), self.backend_combo])
        self.account_sync = AccountSync(
            self,
            self.accounts,
            self.picker,
            running=running,
            params=self.form.params,
            month_spend=self.history.month_spend,
        )
        self.history_actions = HistoryActions(
            self,
            self.history,
            recovery_action=self.recovery_action,
            retry_action=self.retry_uploads_action,
            export_action=self.export_approved_action,
        )
        self.event_files = EventFiles(self, self.form, running, history=self.history)
        self.checklist_sync = ChecklistSync(
            self, self.form, self.controller, self.backends.credentials
        )
        self.queue_sync = QueueSync(
            self, self.history, self.form, self.backends, lambda: self.cost_settings
        )
        self.tabifyDockWidget(self.history_dock, self.queue_sync.dock)
        self.close_guard = CloseGuard(
            self, self.controller, self.close, close_timeout=close_timeout
        )

        self.lifecycle_jobs = Workers("lifecycle", max_threads=1, parent=self)
        # Said after the history's own opening line, which would otherwise replace it.
        self._restore_note = ""
        self._connect()
        self.picker.fill()
        self._restore()
        self.history_actions.opened.connect(self._say_restore_note)
        self.cost_settings: costs.CostSettings | None = None
        self.cost_settings_problem: ValidationError | None = None
        self.load_cost_settings()
        self._params_changed()
        self.setAcceptDrops(True)
        self._update_actions()
        self.history_actions.open()

    # -- building -----------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.form = ParamForm(self.settings)
        self.form_scroll = QScrollArea()
        self.form_scroll.setObjectName("formScroll")
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setWidget(self.form)
        self.form_scroll.setMinimumWidth(260)
        self.form_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # an empty Tab stop otherwise
        # The estimate right under the toolbar's Run button, outside the scroll area, so
        # it stays in view whichever field is being edited.
        self.cost_estimate = CostEstimateView(self.history)
        self.form_column = left = QWidget()
        left.setObjectName("formColumn")
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.setSpacing(0)
        left_column.addWidget(self.cost_estimate)
        left_column.addWidget(self.form_scroll, 1)

        self.progress = ProgressPanel()
        self.gallery = GalleryPanel(self.history, settings=self.settings)
        middle = QWidget()
        middle_column = QVBoxLayout(middle)
        middle_column.setContentsMargins(0, 0, 0, 0)
        middle_column.addWidget(self.progress)
        middle_column.addWidget(self.gallery, 1)

        self.details = DetailsPane(self.history)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([420, 620, 360])

        self.demo_banner = QLabel(self.tr(DEMO_BANNER))
        self.demo_banner.setObjectName("demoBanner")
        self.demo_banner.setWordWrap(True)
        self.demo_banner.setStyleSheet(
            "background: #fff3c4; color: #4a3b00; padding: 6px; border-bottom: 1px solid #e0c060;"
        )
        self.demo_banner.setVisible(False)

        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.demo_banner)
        # The large viewer and the compare view lie over the three columns when open.
        self.viewers = ViewerStack(self.gallery, self.splitter)
        column.addWidget(self.viewers, 1)
        self.setCentralWidget(central)

        self._history_browser: HistoryBrowser | None = None
        self.history_dock = LazyDock(
            self.tr("History"), "historyDock", self._build_history_browser, self
        )
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.history_dock)
        self.history_dock.hide()

        self._review_panel: ReviewPanel | None = None
        self.review_dock = LazyDock(self.tr("Review"), "reviewDock", self._build_review_panel, self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.review_dock)
        self.tabifyDockWidget(self.history_dock, self.review_dock)
        self.review_dock.hide()

        self.backend_label = QLabel()
        self.backend_label.setObjectName("backendLabel")
        self.statusBar().addPermanentWidget(self.backend_label)

    @property
    def history_browser(self) -> HistoryBrowser:
        """The History dock's browser, built on first use (the dock's first show)."""
        self.history_dock.content()
        assert self._history_browser is not None
        return self._history_browser

    @property
    def review_panel(self) -> ReviewPanel:
        """The Review dock's list, built on first use (the dock's first show)."""
        self.review_dock.content()
        assert self._review_panel is not None
        return self._review_panel

    def _build_history_browser(self) -> HistoryBrowser:
        from imgloop_desktop.gui.history_browser import HistoryBrowser

        self._history_browser = browser = HistoryBrowser(self.history)
        browser.openSession.connect(self.open_session)
        browser.runAgain.connect(self.run_again)
        browser.failed.connect(self._say)
        return browser

    def _build_review_panel(self) -> ReviewPanel:
        from imgloop_desktop.gui.review_panel import ReviewPanel

        self._review_panel = panel = ReviewPanel(self.history)
        panel.decided.connect(self.gallery.refresh_image)
        panel.decided.connect(self.details.on_image_updated)
        panel.decided.connect(self._decision_recorded)
        panel.message.connect(self._say)
        return panel

    def _connect(self) -> None:
        c = self.controller
        c.event.connect(self.progress.on_event)
        c.event.connect(self.gallery.on_event)
        c.finished.connect(self._run_finished)
        c.failed.connect(self._run_failed)
        c.runningChanged.connect(self._update_actions)
        self.form.validityChanged.connect(self._update_actions)
        self.form.changed.connect(self._params_changed)
        self.account_sync.costsSaved.connect(self._cost_settings_saved)
        self.gallery.imageSelected.connect(self.details.show_image)
        self.gallery.imageUpdated.connect(self.details.on_image_updated)
        self.gallery.statusMessage.connect(self._say)
        self.details.decisionChanged.connect(self.gallery.refresh_image)
        self.details.decisionChanged.connect(self._decision_recorded)
        self.details.failed.connect(self._say)
        self.picker.picked.connect(self._backend_picked)
        self.account_sync.message.connect(self._say)
        self.account_sync.checked.connect(self.form.refresh_lifecycle)
        self.form.lifecycleWanted.connect(self.refresh_lifecycle)
        h = self.history_actions
        h.message.connect(self._say)
        h.opened.connect(self._history_opened)
        h.exportFinished.connect(self.exportFinished)
        h.warmedUp.connect(self.warmedUp)
        self.event_files.message.connect(self._say)
        self.checklist_sync.message.connect(self._say)
        self.queue_sync.message.connect(self._say)
        self.queue_sync.openSession.connect(self.open_session)
        self.queue_sync.reviewRequested.connect(self.review_runs)
        self.event_files.queueFilesDropped.connect(self.queue_sync.add_files)
        self.queue_sync.limitsRequested.connect(lambda: self.account_sync.open(queue=True))
        # A dock's panel built after the window showed gets the drop routing the rest has.
        for dock in (self.history_dock, self.review_dock, self.queue_sync.dock):
            dock.built.connect(self.event_files.route_drops)
        self.close_guard.message.connect(self._say)
        self.close_guard.cancelRequested.connect(self.cancel_run)

    def _restore(self) -> None:
        geometry = self.settings.window_geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1400, 900)
        self._fit_to_screen()
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.splitter_state()
        if splitter is not None:
            self.splitter.restoreState(splitter)
        last = self.settings.last_params()
        if last is not None:
            current, replaced = catalog.with_current_models(last)
            self.form.set_params(current)
            if replaced:
                self._restore_note = "; ".join(replaced) + "."
                self._say(self._restore_note)

    def _build_language_menu(self, settings_menu: QMenu) -> None:
        """Settings → Language: the system's, or one the window speaks; from the next start."""
        menu = settings_menu.addMenu(self.tr("&Language"))
        group = QActionGroup(self)
        current = i18n.chosen()
        choices = {i18n.SYSTEM: self.tr("System language"), **i18n.LANGUAGES}
        self.language_actions: dict[str, QAction] = {}
        for key, label in choices.items():
            action = menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(key == current)
            group.addAction(action)
            action.triggered.connect(lambda _=False, key=key: self.choose_language(key))
            self.language_actions[key] = action

    def choose_language(self, language: str) -> None:
        i18n.choose(language)
        self._say(self.tr("The language changes at the next start of imgloop."))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            # Once the frame exists (the first fit ran before it did) and Qt has placed the
            # window: its title bar and status bar must be on the screen.
            self._shown_once = True
            QTimer.singleShot(0, self._fit_to_screen)
            self.form.prompt_edit.setFocus()  # typing right away goes into the prompt

    def _fit_to_screen(self) -> None:
        """Never larger than the screen it opens on, and on it: a size saved at another
        scale factor or on a larger monitor would otherwise open with its title bar or its
        Run button out of reach."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        room = screen.availableGeometry()
        frame = self.frameGeometry().size() - self.geometry().size()
        width = min(self.width(), room.width() - frame.width())
        height = min(self.height(), room.height() - frame.height())
        if (width, height) != (self.width(), self.height()):
            if self.isMaximized():
                self.showNormal()
            self.resize(width, height)
        x = min(max(self.x(), room.left()), room.right() - width - frame.width() + 1)
        y = min(max(self.y(), room.top()), room.bottom() - height - frame.height() + 1)
        if (x, y) != (self.x(), self.y()):
            self.move(max(x, room.left()), max(y, room.top()))

    def _say_restore_note(self) -> None:
        if self._restore_note:
            self._say(self._restore_note)
            self._restore_note = ""

    def _save_layout(self) -> None:
        self.settings.set_window_geometry(self.saveGeometry())
        self.settings.set_window_state(self.saveState())
        self.settings.set_splitter_state(self.splitter.saveState())
        self.settings.set_last_params(self.form.params_to_keep())
        self.settings.sync()

    # -- state the parts report (kept on the window for callers and tests) ----------------------

    @property
    def recovery_report(self) -> RecoveryReport | None:
        return self.history_actions.recovery_report

    @property
    def pending_uploads(self) -> int:
        return self.history_actions.pending_uploads

    @property
    def accounts_dialog(self) -> AccountsDialog | None:
        return self.account_sync.dialog

    @property
    def close_prompt(self) -> QMessageBox | None:
        return self.close_guard.prompt

    @property
    def close_prompt_yes(self) -> QPushButton | None:
        return self.close_guard.prompt_yes

    @property
    def close_timeout(self) -> float:
        return self.close_guard.close_timeout

    # -- backends -----------------------------------------------------------------------------

    def _fill_backends(self) -> None:
        self.picker.fill()

    def current_backend(self) -> Backend | None:
        return self.picker.current()

    def select_backend(self, key: str) -> bool:
        return self.picker.select(key)

    @Slot(object)
    def _backend_picked(self, backend: Backend) -> None:
        self.demo_banner.setVisible(backend.synthetic)
        title = DISPLAY_NAME + (self.tr(DEMO_TITLE) if backend.synthetic else "")
        self.setWindowTitle(title)
        self.backend_label.setText(self.tr("Backend: {label}").format(label=shown_label(backend)))
        self._update_actions()
        self.queue_sync.backend_changed()

    # -- running ------------------------------------------------------------------------------

    def _running(self) -> bool:
        return self.controller.is_running

    @Slot()
    def _update_actions(self) -> None:
        running = self.controller.is_running
        valid = self.form.is_valid()
        self.run_action.setEnabled(valid and not running and self.backends.current is not None)
        if not valid:
            count = len(self.form.problems())
            self.run_action.setToolTip(self.tr(FIX_FIELDS).format(n=count))
        else:
            self.run_action.setToolTip(self.tr("Start a run (Ctrl+R)"))
        self.cancel_action.setEnabled(running and not self.controller.cancelling)
        self.backend_combo.setEnabled(not running)
        self.import_action.setEnabled(not running)

    @Slot()
    def start_run(self) -> bool:
        """Run the form's parameters with the chosen backend. False when nothing started."""
        if self.controller.is_running or self.close_guard.close_after_run:
            return False
        if not self.form.is_valid():
            self.form.reveal_problems()
            problems = self.form.problems()
            self._say(
                self.tr("Not started: {n} value(s) are not allowed (marked in red).").format(
                    n=len(problems)
                )
            )
            return False
        if not self.load_cost_settings():
            self._refuse_for_cost_settings()
            return False
        settings = self.cost_settings or costs.CostSettings()
        backend = self.current_backend()
        params = self.form.params()
        self.settings.set_last_params(self.form.params_to_keep())
        if backend is not None and backend.synthetic:
            params = params.with_changes(s3_enabled=False)  # the demo has no S3 to reach
        try:
            credentials = self.backends.credentials()
        except ImgloopError as exc:
            self._run_failed(*describe(exc))
            return False
        cap = Decimal(str(params.max_cost_usd)) if params.max_cost_usd else None
        self.progress.begin(cap_usd=cap)
        started = self.controller.start(
            params,
            credentials,
            price_overrides=settings.overrides,
            monthly_left=self._monthly_left(settings),
        )
        self._update_actions()
        if started:
            self._say(
                self.tr("Running with {source}…").format(source=shown(credentials.describe()))
            )
        return started

    def _monthly_left(self, settings: costs.CostSettings) -> Callable[[], Decimal | None] | None:
        """What the monthly budget still allows, asked on the run's thread (it reads the
        history); None without a monthly cap, so no query is made."""
        if settings.monthly_cap_usd is None:
            return None
        return functools.partial(costs.monthly_left_now, self.history.db_path, settings=settings)

    def _refuse_for_cost_settings(self) -> None:
        problem = self.cost_settings_problem
        problems = problems_text(problem.problems) if problem is not None else ""
        message = self.tr(BAD_COST_SETTINGS).format(path=costs.settings_file())
        self._run_failed(message, self.tr(COST_SETTINGS_DETAILS).format(problems=problems))

    # -- costs ------------------------------------------------------------------------------

    def load_cost_settings(self) -> bool:
        """Read the cost settings (a small file); False when they cannot be used, with the
        problem kept in ``cost_settings_problem`` and said under the estimate."""
        try:
            self.cost_settings = costs.load_settings()
        except ValidationError as exc:
            self.cost_settings = None
            self.cost_settings_problem = exc
            self.cost_estimate.set_overrides(
                None, problem=self.tr("{n} bad value(s)").format(n=len(exc.problems))
            )
            return False
        self.cost_settings_problem = None
        self.cost_estimate.set_overrides(self.cost_settings.overrides)
        return True

    @Slot(object)
    def _cost_settings_saved(self, settings: costs.CostSettings) -> None:
        self.cost_settings = settings
        self.cost_settings_problem = None
        self.cost_estimate.set_overrides(settings.overrides)
        self._say(self.tr("Cost settings saved; the estimate and the next run use them."))

    @Slot()
    def _params_changed(self) -> None:
        self.cost_estimate.show_params(self.form.params())

    @Slot()
    def open_costs(self) -> None:
        """Preferences on its Costs page."""
        self.account_sync.open(costs=True)

    @Slot()
    def cancel_run(self) -> None:
        if not self.controller.is_running:
            return
        self.controller.cancel()
        self.progress.set_cancelling()
        self._say(self.tr("Cancelling: no new call starts; the one in flight is waited out."))
        self._update_actions()

    @Slot(object)
    def _run_finished(self, result: RunResult) -> None:
        self.progress.show_result(result)  # its end again, in the window's language
        self._say(
            self.tr("Run {run_id}: {outcome}. {message}").format(
                run_id=result.run_id,
                outcome=outcome_word(result.outcome.value),
                message=shown(result.words or result.message),
            )
        )
        self._after_run()

    @Slot(str, str)
    def _run_failed(self, message: str, details: str) -> None:
        self.progress.show_failure(message, details)
        self._say(self.tr("Not started: {message}").format(message=message))
        self._after_run()

    def _after_run(self) -> None:
        self.account_sync.run_ended()
        self.cost_estimate.forget_history()  # the run may have moved the median
        self._update_actions()
        self.history_actions.count_pending_uploads()
        if self.history_dock.isVisible():
            self.history_browser.refresh()
        if self.review_dock.isVisible():
            self.review_panel.refresh()
        self.close_guard.run_ended()

    @Slot(str)
    def open_session(self, run_id: str) -> None:
        self.gallery.show_session(run_id)
        self.progress.show_session_note(self.tr(VIEWING_SESSION).format(run_id=run_id))

    @Slot(object)
    def run_again(self, params: RunParams) -> None:
        """Load the session's parameters and ask to run them (Shift held: run at once), as
        the button's name promises; the question is window-modal and never blocks."""
        if not self.load_params(params, self.tr("the session")):
            return
        if QGuiApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.start_run()
            return
        box = QMessageBox(self)
        box.setObjectName("runAgainBox")
        box.setWindowTitle(self.tr("Run again"))
        box.setText(self.tr("The session's parameters are in the form. Run them now?"))
        box.setInformativeText(
            self.tr("Hold Shift when you press Run again to run without asking.")
        )
        run = box.addButton(self.tr("&Run now"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("&Not now"), QMessageBox.ButtonRole.RejectRole)
        box.buttonClicked.connect(lambda button: self.start_run() if button is run else None)
        box.open()
        self.run_again_box = box

    @Slot()
    def show_shortcuts(self) -> None:
        from imgloop_desktop.gui.main_window import help_menu  # Help items only

        help_menu.show_markdown(
            self, self.tr("Keyboard shortcuts"), help_menu.shortcuts_markdown(), "shortcutsDialog"
        )

    @Slot()
    def show_troubleshooting(self) -> None:
        from imgloop_desktop.gui.main_window import help_menu

        help_menu.show_markdown(
            self,
            self.tr("Troubleshooting"),
            help_menu.troubleshooting_markdown(),
            "troubleshootingDialog",
        )

    @Slot()
    def open_log_folder(self) -> None:
        from imgloop_desktop.gui.main_window import help_menu

        open_folder(self, help_menu.log_folder())

    @Slot()
    def show_about(self) -> None:
        from imgloop_desktop.gui.main_window import help_menu

        help_menu.show_markdown(
            self, self.tr("About imgloop desktop"), help_menu.about_markdown(), "aboutDialog"
        )

    @Slot(object, str)
    def load_params(self, params: RunParams, source: str) -> bool:
        """Fill the form (not during a run: the running parameters stay on show)."""
        if self.controller.is_running:
            self._say(self.tr("Parameters cannot be replaced during a run."))
            return False
        self.form.set_params(params)
        self._say(
            self.tr("Parameters loaded from {source}; press Run (Ctrl+R) to run them.").format(
                source=source
            )
        )
        return True

    # -- history --------------------------------------------------------------------------------

    @Slot(object)
    def _history_opened(self, report: RecoveryReport) -> None:
        self.cost_estimate.forget_history()
        self.queue_sync.history_opened()
        if self.history_dock.isVisible():
            self.history_browser.refresh()
        self.historyReady.emit(report)

    @Slot()
    def retry_uploads(self) -> None:
        """Upload the kept-but-not-mirrored images with the chosen backend's credentials."""
        backend = self.current_backend()
        if backend is None or backend.synthetic:
            self._say(self.tr("Pick an AWS backend first: the offline demo does not upload to S3."))
            return
        region = self.form.params().aws_region or None
        self.history_actions.retry_uploads(self.backends.credentials(), region)

    @Slot()
    def show_recovery_report(self) -> QMessageBox | None:
        return self.history_actions.show_recovery_report()

    @Slot()
    def open_history(self) -> None:
        """Ctrl+H toggles: the dock hides when it is the one showing."""
        dock = self.history_dock
        if dock.isVisible() and not dock.visibleRegion().isEmpty():
            dock.hide()
            return
        dock.show()
        dock.raise_()
        self.history_browser.setFocus()
        self.history_browser.refresh()

    @Slot()
    def open_queue(self) -> None:
        self.queue_sync.dock.show()
        self.queue_sync.dock.raise_()
        self.queue_sync.panel.table.setFocus()
        self.queue_sync.refresh()

    @Slot()
    def add_to_queue(self) -> bool:
        """The form's parameters as a queue item (the queue starts when it may run)."""
        return self.queue_sync.add_from_form()

    @Slot()
    def open_review(self) -> None:
        """The images waiting for a person's decision (issue 12)."""
        self.review_runs(None, "")

    @Slot(list, str)
    def review_runs(self, run_ids: list[str] | None, what: str) -> None:
        """The Review dock on these runs' images only (a queue item's, named ``what``), or
        with None on every image waiting for a person."""
        self.review_dock.show()
        self.review_dock.raise_()
        self.review_panel.list.setFocus()
        self.review_panel.show_only(run_ids, what)

    @Slot(int)
    def _decision_recorded(self, image_id: int) -> None:
        """A person decided an image (details pane or review list): the agreement and the
        review list move with it."""
        if self.history_dock.isVisible():
            self.history_browser.refresh_agreement()
        if self.review_dock.isVisible() and self.sender() is not self.review_panel:
            self.review_panel.refresh()

    @Slot()
    def export_approved(self) -> None:
        self.history_actions.ask_export(self.export_approved_to)

    def export_approved_to(self, folder: Path) -> Path:
        """Export into a new subfolder of ``folder`` (never over a person's own files)."""
        return self.history_actions.export_approved_to(folder)

    # -- event files ----------------------------------------------------------------------------

    @Slot()
    def ask_import_event(self) -> None:
        self.event_files.ask_import()

    def import_event(self, path: Path) -> bool:
        return self.event_files.import_event(path)

    @Slot()
    def ask_export_event(self) -> None:
        self.event_files.ask_export()

    def export_event(self, path: Path) -> bool:
        return self.event_files.export_event(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.event_files.accepts(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        if self.event_files.accepts(event.mimeData()):
            event.acceptProposedAction()
            self.event_files.drop(event.mimeData())

    # -- preferences ------------------------------------------------------------------------

    @Slot()
    def open_accounts(self) -> None:
        self.account_sync.open()

    def _accounts_changed(self, name: str) -> None:
        self.account_sync.accounts_changed(name)

    # -- closing ------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.close_guard.allow(event):
            return
        self.shutdown()
        event.accept()
        self.closed.emit()

    @Slot()
    def refresh_lifecycle(self) -> None:
        """Ask Bedrock's control plane for the catalog's lifecycles (kept a week, so this
        costs calls once a week at most), then relabel the pickers. Not for the demo: its
        lifecycles are the catalog's."""
        backend = self.backends.current
        if backend is None or backend.synthetic:
            return
        try:
            credentials = self.backends.credentials()
        except ServiceError:
            return
        region = self.form.params().aws_region or None
        # Retired models cannot come back; Bedrock only answers that it does not know them.
        retired = Lifecycle.END_OF_LIFE
        ids = [m.model_id for m in catalog.IMAGE_MODELS if m.lifecycle is not retired]
        ids += [m.model_id for m in catalog.TEXT_MODELS if m.lifecycle is not retired]
        self.lifecycle_jobs.start(
            lambda: catalog.refresh_lifecycle(credentials, region, ids),
            returned=lambda _known: self.form.refresh_lifecycle(),
            supersede="lifecycle",
            name="lifecycle",
        )

    def shutdown(self) -> None:
        """Save the layout, stop every worker, the demo and the history (idempotent)."""
        if self._shut_down:
            return
        self._shut_down = True
        self.close_guard.stop()
        try:
            self._save_layout()
        except Exception:
            log.exception("saving the window settings failed")
        force = self.close_guard.force_close
        if not self.controller.shutdown(SHUTDOWN_JOIN_SECONDS if not force else 1.0):
            log.warning("the run worker is still busy; it is joined when the app exits")
        self.history_actions.close(SHUTDOWN_JOIN_SECONDS)
        self.lifecycle_jobs.close()
        self.lifecycle_jobs.wait(SHUTDOWN_JOIN_SECONDS)
        self.checklist_sync.close(SHUTDOWN_JOIN_SECONDS)
        if not self.queue_sync.close(SHUTDOWN_JOIN_SECONDS):
            log.warning("the queue's workers are still busy; they end with the app")
        self.gallery.close_workers()
        self.viewers.close_workers()
        self.details.close_workers()
        for panel in (self._history_browser, self._review_panel):  # only those built
            if panel is not None:
                panel.close_workers()
        self.cost_estimate.close_workers()
        self.backends.close()
        self.history.close()  # a run still going records through its own connection

    def _say(self, text: str) -> None:
        self.statusBar().showMessage(text, STATUS_MS)

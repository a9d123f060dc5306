"""The main window: parameters on the left, the run's images in the middle, the selected
image on the right, the history in a dock.

The window only arranges and reacts. Runs go through ``RunController`` (a worker thread);
the history store is opened, recovered and exported through ``BackgroundCalls``; the gallery,
details pane and history browser fetch their own data off the GUI thread. Dialogs are opened
with ``open()`` (no nested event loop), so nothing here blocks the Qt/asyncio loop.

Closing during a run asks first; "Cancel run and close" cancels, keeps the window up (and
responsive) until the worker reports its end, then closes, so no thread outlives the
window. If the call in flight does not return within ``close_timeout`` the window closes
anyway and ``app.main`` joins the worker after the event loop ends.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from imgloop_desktop.accounts import AccountStore
from imgloop_desktop.core.errors import ImgloopError, ValidationError
from imgloop_desktop.core.loop import RunResult
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.gui.accounts_dialog import AccountsDialog, open_accounts_dialog
from imgloop_desktop.gui.details_pane import DetailsPane
from imgloop_desktop.gui.drag_export import params_from_drop
from imgloop_desktop.gui.error_box import describe, show_exception, show_info
from imgloop_desktop.gui.gallery import GalleryPanel
from imgloop_desktop.gui.history_browser import HistoryBrowser
from imgloop_desktop.gui.param_form import ParamForm
from imgloop_desktop.gui.progress_panel import ProgressPanel
from imgloop_desktop.gui.run_controller import (
    ACCOUNT_PREFIX,
    DEFAULT_KEY,
    DEMO_KEY,
    PROFILE_PREFIX,
    Backend,
    Backends,
    BackgroundCalls,
    RunController,
    aws_profiles,
    backend_choices,
    has_aws_hint,
)
from imgloop_desktop.gui.settings_store import DISPLAY_NAME, SettingsStore
from imgloop_desktop.providers.session import warm_up
from imgloop_desktop.services.history import HistoryService, retry_pending_uploads
from imgloop_desktop.storage.export import ExportResult
from imgloop_desktop.storage.history.recovery import RecoveryReport

log = logging.getLogger(__name__)

CLOSE_TIMEOUT_SECONDS = 60.0
SHUTDOWN_JOIN_SECONDS = 10.0
STATUS_MS = 8000
DEMO_BANNER = (
    "Offline demo: Bedrock is simulated on this computer and the images are synthetic "
    "(they say so in a corner). Nothing is sent to AWS; S3 uploads are off."
)


def recovery_text(report: RecoveryReport) -> tuple[str, str]:
    """(one line for the status bar, the full story) of what opening the history found."""
    parts: list[str] = []
    details: list[str] = []
    if report.interrupted:
        n = len(report.interrupted)
        parts.append(f"{n} run(s) stopped unfinished last time and are marked interrupted")
        details.append(
            "These runs were cut short (the app closed or the computer stopped). Everything "
            "they made is kept in the history:\n" + "\n".join(f"  {r}" for r in report.interrupted)
        )
    if report.repairs:
        n = len(report.repairs)
        parts.append(f"{n} file(s) left by the crash were put back in order")
        details.append(
            "Files the stopped runs left behind: whole images were added to their run, "
            "files that could not be placed were moved to a quarantine folder (nothing was "
            "deleted but temp files of unfinished writes):\n"
            + "\n".join(f"  {r}" for r in report.repairs)
        )
    if report.problems:
        n = len(report.problems)
        parts.append(f"{n} file(s) do not match the history (nothing was deleted)")
        details.append(
            "Files and history rows that disagree (left as they are for you to check):\n"
            + "\n".join(f"  {p}" for p in report.problems)
        )
    if report.still_running:
        parts.append(f"{len(report.still_running)} run(s) are being recorded by another imgloop")
        details.append(
            "Runs another imgloop process is still recording:\n"
            + "\n".join(f"  {r}" for r in report.still_running)
        )
    if not parts:
        return "History opened; nothing to recover.", ""
    return "History recovered: " + "; ".join(parts) + ".", "\n\n".join(details)


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
        # a worker below, so a big or damaged history never delays the first paint.
        self.history = history or HistoryService()
        self.calls = BackgroundCalls(self)
        self.controller = controller or RunController(self)
        self.backends = backends or Backends()
        self.accounts = accounts or AccountStore()
        self._profiles = None if profiles is None else list(profiles)
        self.accounts_dialog: AccountsDialog | None = None
        self.close_timeout = close_timeout
        self.recovery_report: RecoveryReport | None = None
        self.pending_uploads = 0
        self._accounts_stale = False
        self.close_prompt: QMessageBox | None = None
        self.close_prompt_yes: QPushButton | None = None
        self._close_after_run = False
        self._force_close = False
        self._shut_down = False
        self._close_deadline = QTimer(self)
        self._close_deadline.setSingleShot(True)
        self._close_deadline.timeout.connect(self._close_now)

        self._build_widgets()
        self._build_actions()
        self._build_menus_and_toolbar()
        self._connect()
        self._fill_backends()
        self._restore()
        self.setAcceptDrops(True)
        self._update_actions()
        # The window repairs what a crash left (adopts whole orphan images, quarantines the
        # rest, removes temp files) and says what it did; the CLI does it on request only.
        self.calls.submit(
            "history-open",
            lambda: self.history.recover(repair=True),
            self._history_opened,
            self._history_failed,
        )

    # -- building -----------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.form = ParamForm(self.settings)
        self.form_scroll = QScrollArea()
        self.form_scroll.setObjectName("formScroll")
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setWidget(self.form)
        self.form_scroll.setMinimumWidth(300)

        self.progress = ProgressPanel()
        self.gallery = GalleryPanel(self.history)
        middle = QWidget()
        middle_column = QVBoxLayout(middle)
        middle_column.setContentsMargins(0, 0, 0, 0)
        middle_column.addWidget(self.progress)
        middle_column.addWidget(self.gallery, 1)

        self.details = DetailsPane(self.history)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.form_scroll)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([420, 620, 360])

        self.demo_banner = QLabel(DEMO_BANNER)
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
        column.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.history_browser = HistoryBrowser(self.history)
        self.history_dock = QDockWidget("History", self)
        self.history_dock.setObjectName("historyDock")
        self.history_dock.setWidget(self.history_browser)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.history_dock)
        self.history_dock.hide()

        self.backend_label = QLabel()
        self.backend_label.setObjectName("backendLabel")
        self.statusBar().addPermanentWidget(self.backend_label)

    def _action(
        self, text: str, slot: object, *shortcuts: str | QKeySequence, tip: str = ""
    ) -> QAction:
        action = QAction(text, self)
        keys = [s if isinstance(s, QKeySequence) else QKeySequence(s) for s in shortcuts]
        if keys:
            action.setShortcuts(keys)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        shown = " or ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
        action.setToolTip(f"{tip or text.rstrip('…')} ({shown})" if shown else tip or text)
        action.setStatusTip(tip or text)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even with the toolbar hidden
        return action

    def _build_actions(self) -> None:
        self.run_action = self._action("&Run", self.start_run, "Ctrl+R", tip="Start a run")
        self.cancel_action = self._action(
            "&Cancel",
            self.cancel_run,
            "Ctrl+.",  # not Esc: a key pressed to leave a text field must not end a paid run
            tip="Cancel the run (images made so far are kept)",
        )
        self.export_approved_action = self._action(
            "Export &approved…", self.export_approved, "Ctrl+E", tip="Export approved images"
        )
        self.history_action = self._action(
            "Open &history", self.open_history, "Ctrl+H", tip="Browse past sessions"
        )
        # The app's preferences are where its AWS access comes from; the run settings live
        # in the form, and the layout is remembered on its own.
        self.preferences_action = self._action(
            "&Preferences: AWS accounts…",
            self.open_accounts,
            "Ctrl+,",
            tip="AWS accounts kept in the OS keyring, and the connection check",
        )
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.import_action = self._action(
            "&Import event JSON…", self.ask_import_event, "Ctrl+O", tip="Load parameters"
        )
        self.export_event_action = self._action(
            "E&xport event JSON…", self.ask_export_event, "Ctrl+S", tip="Save parameters"
        )
        self.recovery_action = self._action(
            "&Recovery report…", self.show_recovery_report, tip="What opening the history found"
        )
        self.recovery_action.setEnabled(False)
        self.retry_uploads_action = self._action(
            "Retry pending S3 &uploads",
            self.retry_uploads,
            tip="Upload again the images whose S3 copy failed or never started",
        )
        self.retry_uploads_action.setEnabled(False)
        self.quit_action = self._action("&Quit", self.close, "Ctrl+Q", tip="Quit")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)

    def _build_menus_and_toolbar(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.export_event_action)
        file_menu.addSeparator()
        file_menu.addAction(self.export_approved_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        run_menu = bar.addMenu("&Run")
        run_menu.addAction(self.run_action)
        run_menu.addAction(self.cancel_action)
        run_menu.addSeparator()
        run_menu.addAction(self.retry_uploads_action)
        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.history_action)
        view_menu.addAction(self.recovery_action)
        settings_menu = bar.addMenu("&Settings")
        settings_menu.addAction(self.preferences_action)

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.addAction(self.run_action)
        toolbar.addAction(self.cancel_action)
        toolbar.addSeparator()
        toolbar.addWidget(QLabel(" Backend: "))
        self.backend_combo = QComboBox()
        self.backend_combo.setObjectName("backendCombo")
        self.backend_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        toolbar.addWidget(self.backend_combo)
        toolbar.addSeparator()
        toolbar.addAction(self.export_approved_action)
        toolbar.addAction(self.history_action)

    def _connect(self) -> None:
        c = self.controller
        c.event.connect(self.progress.on_event)
        c.event.connect(self.gallery.on_event)
        c.finished.connect(self._run_finished)
        c.failed.connect(self._run_failed)
        c.runningChanged.connect(self._update_actions)
        self.form.validityChanged.connect(self._update_actions)
        self.gallery.imageSelected.connect(self.details.show_image)
        self.gallery.imageUpdated.connect(self.details.on_image_updated)
        self.gallery.statusMessage.connect(self._say)
        self.details.decisionChanged.connect(self.gallery.refresh_image)
        self.details.failed.connect(self._say)
        self.history_browser.openSession.connect(self.open_session)
        self.history_browser.runAgain.connect(self.run_again)
        self.history_browser.failed.connect(self._say)
        self.backend_combo.currentIndexChanged.connect(self._backend_picked)

    def _restore(self) -> None:
        geometry = self.settings.window_geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1400, 900)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.splitter_state()
        if splitter is not None:
            self.splitter.restoreState(splitter)
        last = self.settings.last_params()
        if last is not None:
            self.form.set_params(last)

    def _save_layout(self) -> None:
        self.settings.set_window_geometry(self.saveGeometry())
        self.settings.set_window_state(self.saveState())
        self.settings.set_splitter_state(self.splitter.saveState())
        self.settings.set_last_params(self.form.params())
        self.settings.sync()

    # -- backends -----------------------------------------------------------------------------

    def _fill_backends(self) -> None:
        """(Re)build the picker, keeping the current choice, else the one used last time."""
        names = aws_profiles() if self._profiles is None else self._profiles
        accounts = [info.name for info in self.accounts.list_accounts()]
        choices = backend_choices(names, accounts)
        current = self.current_backend()
        stored = current.key if current is not None else self.settings.backend_key()
        wanted = stored or (
            choices[0].key if accounts else DEFAULT_KEY if has_aws_hint(names) else DEMO_KEY
        )
        self.backend_combo.blockSignals(True)
        self.backend_combo.clear()
        for backend in choices:
            self.backend_combo.addItem(backend.label, backend)
        keys = [b.key for b in choices]
        # A choice that is gone (a deleted account) falls back to the standard chain, never
        # to another account: a run must not bill an account nobody picked.
        index = keys.index(wanted) if wanted in keys else keys.index(DEFAULT_KEY)
        self.backend_combo.setCurrentIndex(index)
        self.backend_combo.blockSignals(False)
        if stored and choices[index].key != stored:
            show_info(
                self,
                f"The backend used before ({stored}) is gone; runs now use "
                f"{choices[index].label}. Pick another in the toolbar.",
                modal=False,
            )
        self._backend_picked(index)

    def _show_backend(self, backend: Backend | None) -> None:
        """Point the picker at ``backend`` without acting on it."""
        for i in range(self.backend_combo.count()):
            if self.backend_combo.itemData(i) == backend:
                self.backend_combo.blockSignals(True)
                self.backend_combo.setCurrentIndex(i)
                self.backend_combo.blockSignals(False)
                return

    def current_backend(self) -> Backend | None:
        data = self.backend_combo.currentData()
        return data if isinstance(data, Backend) else None

    def select_backend(self, key: str) -> bool:
        for i in range(self.backend_combo.count()):
            data = self.backend_combo.itemData(i)
            if isinstance(data, Backend) and data.key == key:
                self.backend_combo.setCurrentIndex(i)
                return True
        return False

    @Slot(int)
    def _backend_picked(self, _index: int) -> None:
        backend = self.current_backend()
        if backend is None:
            return
        if self.controller.is_running and backend != self.backends.current:
            self._show_backend(self.backends.current)  # a run keeps the backend it started with
            return
        try:
            self.backends.select(backend)
        except OSError as exc:  # the demo's simulator could not bind a loopback port
            show_exception(self, exc, doing="The offline demo could not start")
            self._show_backend(self.backends.current)  # the picker shows what runs will use
            return
        self.settings.set_backend_key(backend.key)
        self.demo_banner.setVisible(backend.synthetic)
        title = DISPLAY_NAME + (" — offline demo (synthetic images)" if backend.synthetic else "")
        self.setWindowTitle(title)
        self.backend_label.setText(f"Backend: {backend.label}")
        self._update_actions()

    # -- running ------------------------------------------------------------------------------

    @Slot()
    def _update_actions(self) -> None:
        running = self.controller.is_running
        valid = self.form.is_valid()
        self.run_action.setEnabled(valid and not running and self.backends.current is not None)
        if not valid:
            count = len(self.form.problems())
            self.run_action.setToolTip(f"Fix the {count} marked field(s) first")
        else:
            self.run_action.setToolTip("Start a run (Ctrl+R)")
        self.cancel_action.setEnabled(running and not self.controller.cancelling)
        self.backend_combo.setEnabled(not running)
        self.import_action.setEnabled(not running)

    @Slot()
    def start_run(self) -> bool:
        """Run the form's parameters with the chosen backend. False when nothing started."""
        if self.controller.is_running or self._close_after_run:
            return False
        if not self.form.is_valid():
            problems = self.form.problems()
            self._say(f"Not started: {len(problems)} value(s) are not allowed (marked in red).")
            return False
        backend = self.current_backend()
        params = self.form.params()
        self.settings.set_last_params(params)
        if backend is not None and backend.synthetic:
            params = params.with_changes(s3_enabled=False)  # the demo has no S3 to reach
        try:
            credentials = self.backends.credentials()
        except ImgloopError as exc:
            self._run_failed(*describe(exc))
            return False
        self.progress.begin()
        started = self.controller.start(params, credentials)
        self._update_actions()
        if started:
            self._say(f"Running with {credentials.describe()}…")
        return started

    @Slot()
    def cancel_run(self) -> None:
        if not self.controller.is_running:
            return
        self.controller.cancel()
        self.progress.set_cancelling()
        self._say("Cancelling: no new call starts; the one in flight is waited out.")
        self._update_actions()

    @Slot(object)
    def _run_finished(self, result: object) -> None:
        if isinstance(result, RunResult):
            self._say(f"Run {result.run_id}: {result.outcome.value}. {result.message}")
        self._after_run()

    @Slot(str, str)
    def _run_failed(self, message: str, details: str) -> None:
        self.progress.show_failure(message, details)
        self._say(f"Not started: {message}")
        self._after_run()

    def _after_run(self) -> None:
        if self._accounts_stale:
            self._accounts_stale = False
            self._fill_backends()
        self._update_actions()
        self._count_pending_uploads()
        if self.history_dock.isVisible():
            self.history_browser.refresh()
        if self._close_after_run:
            QTimer.singleShot(0, self.close)

    @Slot(str)
    def open_session(self, run_id: str) -> None:
        self.gallery.show_session(run_id)
        self.progress.show_session_note(f"Viewing past session {run_id}")

    @Slot(object)
    def run_again(self, params: object) -> None:
        if isinstance(params, RunParams):
            self.load_params(params, "the session")

    def load_params(self, params: RunParams, source: str) -> bool:
        """Fill the form (not during a run: the running parameters stay on show)."""
        if self.controller.is_running:
            self._say("Parameters cannot be replaced during a run.")
            return False
        self.form.set_params(params)
        self._say(f"Parameters loaded from {source}; press Run (Ctrl+R) to run them.")
        return True

    # -- history ------------------------------------------------------------------------------

    def _history_opened(self, report: object) -> None:
        if not isinstance(report, RecoveryReport):
            return
        self.history.recovery_report = report
        self.recovery_report = report
        line, details = recovery_text(report)
        self._say(line)
        self.recovery_action.setEnabled(bool(details))
        if not report.clean:
            self.show_recovery_report()
        if self.history_dock.isVisible():
            self.history_browser.refresh()
        self.historyReady.emit(report)
        self._count_pending_uploads()
        # Now, while the person fills in the form, rather than during the first run.
        self.calls.submit("warm-up", warm_up, self._warmed_up, self._warm_up_failed)

    # -- S3 uploads that did not make it --------------------------------------------------------

    def _count_pending_uploads(self) -> None:
        self.calls.submit(
            "pending-uploads",
            lambda: len(self.history.pending_uploads()),
            self._pending_counted,
            lambda error: log.warning("counting pending uploads failed: %s", error),
        )

    def _pending_counted(self, count: object) -> None:
        self.pending_uploads = count if isinstance(count, int) else 0
        self.retry_uploads_action.setEnabled(self.pending_uploads > 0)
        if self.pending_uploads:
            self._say(
                f"{self.pending_uploads} image(s) are kept locally but not yet in S3: "
                "Run > Retry pending S3 uploads."
            )

    @Slot()
    def retry_uploads(self) -> None:
        """Upload the kept-but-not-mirrored images with the chosen backend's credentials,
        on a worker; asked for by the person, so nothing reaches the network unbidden."""
        backend = self.current_backend()
        if backend is None or backend.synthetic:
            self._say("Pick an AWS backend first: the offline demo does not upload to S3.")
            return
        credentials = self.backends.credentials()
        region = self.form.params().aws_region or None
        self.retry_uploads_action.setEnabled(False)
        self._say("Retrying pending S3 uploads…")
        self.calls.submit(
            "retry-uploads",
            lambda: retry_pending_uploads(self.history, credentials, region),
            self._uploads_retried,
            self._uploads_retry_failed,
        )

    def _uploads_retried(self, results: object) -> None:
        done = [r for r in results if r.ok] if isinstance(results, list) else []
        failed = [r for r in results if not r.ok] if isinstance(results, list) else []
        if failed:
            show_info(
                self,
                f"{len(done)} image(s) uploaded; {len(failed)} still wait for S3 (kept locally).",
                "\n".join(f"s3://{r.bucket}/{r.key}: {r.error}" for r in failed),
            )
        self._say(f"{len(done)} pending upload(s) done, {len(failed)} still waiting.")
        self._count_pending_uploads()

    def _uploads_retry_failed(self, error: BaseException) -> None:
        show_exception(self, error, doing="Pending uploads could not be retried")
        self._count_pending_uploads()

    def _warmed_up(self, _value: object) -> None:
        self.warmedUp.emit()

    def _warm_up_failed(self, error: BaseException) -> None:
        log.warning("preparing the AWS service models failed: %s", error)
        self.warmedUp.emit()  # runs still work; their first one parses the models itself

    def _history_failed(self, error: BaseException) -> None:
        show_exception(
            self,
            error,
            doing="The history could not be opened; runs still keep their images on disk",
        )
        self._say("The history could not be opened.")

    @Slot()
    def show_recovery_report(self) -> QMessageBox | None:
        if self.recovery_report is None:
            return None
        line, details = recovery_text(self.recovery_report)
        return show_info(self, line, details, modal=False)

    @Slot()
    def open_history(self) -> None:
        self.history_dock.show()
        self.history_dock.raise_()
        self.history_browser.setFocus()
        self.history_browser.refresh()

    @Slot()
    def export_approved(self) -> None:
        dialog = QFileDialog(self, "Export approved images into…")
        dialog.setObjectName("exportApprovedDialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda folder: self.export_approved_to(Path(folder)))
        dialog.open()

    def export_approved_to(self, folder: Path) -> Path:
        """Export into a new subfolder of ``folder`` (never over a person's own files)."""
        dest = folder / f"imgloop-approved-{datetime.now():%Y%m%d-%H%M%S}"
        history = self.history
        self._say(f"Exporting approved images to {dest}…")
        self.export_approved_action.setEnabled(False)
        self.calls.submit(
            "export", lambda: history.export_approved(dest), self._exported, self._export_failed
        )
        return dest

    def _exported(self, result: object) -> None:
        self.export_approved_action.setEnabled(True)
        if not isinstance(result, ExportResult):
            return
        if result.images == 0:
            message = "There are no approved images to export yet."
        else:
            message = (
                f"Exported {result.images} approved image(s) from {result.sessions} "
                f"session(s) to {result.path}."
            )
        details = ""
        if result.skipped:
            message += f" {len(result.skipped)} could not be exported."
            details = "\n".join(result.skipped)
        self._say(message)
        show_info(self, message, details)
        self.exportFinished.emit(result)

    def _export_failed(self, error: BaseException) -> None:
        self.export_approved_action.setEnabled(True)
        show_exception(self, error, doing="The export failed; nothing already exported is lost")
        self.exportFinished.emit(error)

    # -- event files ----------------------------------------------------------------------------

    @Slot()
    def ask_import_event(self) -> None:
        dialog = QFileDialog(self, "Import event JSON")
        dialog.setObjectName("importEventDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters(["Event JSON (*.json)", "All files (*)"])
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda name: self.import_event(Path(name)))
        dialog.open()

    def import_event(self, path: Path) -> bool:
        """Load an event file into the form; a bad file is reported and changes nothing."""
        if self.controller.is_running:
            self._say("Parameters cannot be replaced during a run.")
            return False
        try:
            self.form.import_event(path)
        except ValidationError as exc:
            show_exception(self, exc, doing=f"{path.name} cannot be used as an event file")
            return False
        if self.form.is_valid():
            self._say(f"Loaded parameters from {path}.")
        else:
            self._say(f"Loaded {path.name}; some values are not allowed (marked in red).")
        return True

    @Slot()
    def ask_export_event(self) -> None:
        dialog = QFileDialog(self, "Export event JSON")
        dialog.setObjectName("exportEventDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(["Event JSON (*.json)"])
        dialog.setDefaultSuffix("json")
        dialog.selectFile("event.json")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda name: self.export_event(Path(name)))
        dialog.open()

    def export_event(self, path: Path) -> bool:
        try:
            self.form.export_event(path)
        except OSError as exc:
            show_exception(self, exc, doing=f"{path} could not be written")
            return False
        self._say(f"Saved the parameters to {path}.")
        return True

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_file(event.mimeData().urls()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """An event JSON loads like File > Import; an exported PNG loads the parameters
        kept in its provenance chunk."""
        path = _dropped_file(event.mimeData().urls())
        if path is None:
            return
        event.acceptProposedAction()
        if path.suffix.lower() == ".json":
            self.import_event(path)
            return
        try:
            params = params_from_drop(event.mimeData())
        except ValidationError as exc:
            show_exception(self, exc, doing=f"{path.name} holds no parameters imgloop can use")
            return
        if params is not None:
            self.load_params(params, path.name)

    # -- preferences ------------------------------------------------------------------------

    @Slot()
    def open_accounts(self) -> None:
        """The AWS accounts dialog (keys in the OS keyring); the picker follows its changes."""
        if self.accounts_dialog is not None:
            self.accounts_dialog.raise_()
            self.accounts_dialog.activateWindow()
            return
        params = self.form.params()
        dialog = open_accounts_dialog(
            self,
            self.accounts,
            image_model_id=params.image_model_id,
            judge_model_id=params.judge_model_id,
            region=params.aws_region or None,
        )
        dialog.account_saved.connect(self._accounts_changed)
        dialog.account_deleted.connect(self._accounts_changed)
        dialog.active_changed.connect(self._active_choice_changed)
        dialog.finished.connect(self._accounts_dialog_closed)
        self.accounts_dialog = dialog

    @Slot(str)
    def _accounts_changed(self, name: str) -> None:
        if self.controller.is_running:  # the running backend stays; the list follows later
            self._accounts_stale = True
            self._say("The account list is updated when the run ends.")
            return
        self._fill_backends()
        if self.accounts.info(name) is not None and self.select_backend(f"{ACCOUNT_PREFIX}{name}"):
            self._say(f"Runs now use the AWS account '{name}' from the OS keyring.")

    @Slot()
    def _active_choice_changed(self) -> None:
        """ "Use for runs" in the dialog picks the same backend in the toolbar: one choice."""
        if self.controller.is_running:
            self._say("The choice applies to the next run; this one keeps its backend.")
            self._accounts_stale = True
            return
        active = self.accounts.active()
        if active.kind == "keyring":
            key = f"{ACCOUNT_PREFIX}{active.name}"
        else:
            key = f"{PROFILE_PREFIX}{active.name}" if active.name else DEFAULT_KEY
        self._fill_backends()
        if not self.select_backend(key):
            self._say(f"{key} is not available; the Backend picker shows what runs use.")

    @Slot(int)
    def _accounts_dialog_closed(self, _result: int) -> None:
        self.accounts_dialog = None

    # -- closing ------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.controller.is_running and not self._force_close:
            event.ignore()
            if self._close_after_run:
                self._say("Still cancelling; the window closes when the run has stopped.")
            else:
                self._ask_close()
            return
        self.shutdown()
        event.accept()
        self.closed.emit()

    def _ask_close(self) -> None:
        if self.close_prompt is not None:
            self.close_prompt.raise_()
            return
        box = QMessageBox(self)
        box.setObjectName("closeDuringRun")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("A run is in progress")
        box.setText("A run is in progress. Cancel it and close the window?")
        box.setInformativeText("Images made so far are kept, and the run is recorded as cancelled.")
        yes = box.addButton("Cancel run and close", QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton("Keep running", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.finished.connect(lambda _r: self._close_answered(box.clickedButton() is yes))
        self.close_prompt, self.close_prompt_yes = box, yes
        box.open()

    def _close_answered(self, cancel_and_close: bool) -> None:
        box, self.close_prompt, self.close_prompt_yes = self.close_prompt, None, None
        if box is not None:
            box.deleteLater()
        if not cancel_and_close:
            return
        if not self.controller.is_running:
            self.close()
            return
        self._close_after_run = True
        self.cancel_run()
        self._say("Cancelling the run; the window closes when it has stopped.")
        self._close_deadline.start(int(self.close_timeout * 1000))

    @Slot()
    def _close_now(self) -> None:
        log.warning("the run did not stop within %ss; closing anyway", self.close_timeout)
        self._force_close = True
        self.close()

    def shutdown(self) -> None:
        """Save the layout, stop every worker, the demo and the history (idempotent)."""
        if self._shut_down:
            return
        self._shut_down = True
        self._close_deadline.stop()
        try:
            self._save_layout()
        except Exception:
            log.exception("saving the window settings failed")
        if not self.controller.shutdown(SHUTDOWN_JOIN_SECONDS if not self._force_close else 1.0):
            log.warning("the run worker is still busy; it is joined when the app exits")
        self.calls.wait(SHUTDOWN_JOIN_SECONDS)
        self.gallery.close_workers()
        self.details.close_workers()
        self.history_browser.close_workers()
        self.backends.close()
        self.history.close()  # a run still going records through its own connection

    def _say(self, text: str) -> None:
        self.statusBar().showMessage(text, STATUS_MS)


def _dropped_file(urls: Iterable[object]) -> Path | None:
    """The first dropped local event JSON or PNG."""
    for url in urls:
        if isinstance(url, QUrl) and url.isLocalFile():
            path = Path(url.toLocalFile())
            if path.suffix.lower() in (".json", ".png"):
                return path
    return None

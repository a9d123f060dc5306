"""The window's history work: opening (with crash recovery), the recovery report, the AWS
model warm-up, pending S3 uploads and the export of approved images.

Every blocking call runs on this object's ``gui.workers.Workers``; the answers come back to
typed callbacks on the GUI thread. It reports by signals (``message`` for the status bar and
the window's own signals), and opens dialogs over the window it is given.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from imgloop_desktop.core.records import ExportResult, RecoveryReport
from imgloop_desktop.gui.drag_export import embed_parameters_in_signed
from imgloop_desktop.gui.error_box import show_exception, show_info
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, in_context
from imgloop_desktop.gui.workers import Workers
from imgloop_desktop.services.credentials import CredentialsSource, warm_up
from imgloop_desktop.services.history import HistoryService, UploadRetry, retry_pending_uploads

log = logging.getLogger(__name__)

SHUTDOWN_JOIN_SECONDS = 10.0

# What the history actions say; the tests compare against these.
NOTHING_TO_RECOVER = QT_TRANSLATE_NOOP("HistoryActions", "History opened; nothing to recover.")
RECOVERED = QT_TRANSLATE_NOOP("HistoryActions", "History recovered: {parts}.")
INTERRUPTED = QT_TRANSLATE_NOOP(
    "HistoryActions", "{n} run(s) stopped unfinished last time and are marked interrupted"
)
REPAIRED = QT_TRANSLATE_NOOP(
    "HistoryActions", "{n} file(s) left by the crash were put back in order"
)
PENDING_UPLOADS = QT_TRANSLATE_NOOP(
    "HistoryActions",
    "{n} image(s) are kept locally but not yet in S3: Run > Retry pending S3 uploads.",
)
UPLOADS_RETRIED = QT_TRANSLATE_NOOP(
    "HistoryActions", "{done} pending upload(s) done, {failed} still waiting."
)
EXPORTED = QT_TRANSLATE_NOOP(
    "HistoryActions", "Exported {images} approved image(s) from {sessions} session(s) to {path}."
)


_tr = in_context("HistoryActions")


def _warm_up() -> None:
    """What the first run would load, loaded on a worker while the person fills in the
    form: the AWS service models (no network call) and the run machinery (the loop and its
    wiring), which the window leaves out of its start (issue 15)."""
    warm_up()
    from imgloop_desktop.services import run  # noqa: F401 - imported for the first run


def recovery_text(report: RecoveryReport) -> tuple[str, str]:
    """(one line for the status bar, the full story) of what opening the history found."""
    parts: list[str] = []
    details: list[str] = []
    if report.interrupted:
        n = len(report.interrupted)
        parts.append(_tr(INTERRUPTED).format(n=n))
        details.append(
            QCoreApplication.translate(
                "HistoryActions",
                "These runs were cut short (the app closed or the computer stopped). "
                "Everything they made is kept in the history:",
            )
            + "\n"
            + "\n".join(f"  {r}" for r in report.interrupted)
        )
    if report.repairs:
        n = len(report.repairs)
        parts.append(_tr(REPAIRED).format(n=n))
        details.append(
            QCoreApplication.translate(
                "HistoryActions",
                "Files the stopped runs left behind: whole images were added to their run, "
                "files that could not be placed were moved to a quarantine folder (nothing was "
                "deleted but temp files of unfinished writes):",
            )
            + "\n"
            + "\n".join(f"  {r}" for r in report.repairs)
        )
    if report.problems:
        n = len(report.problems)
        parts.append(
            QCoreApplication.translate(
                "HistoryActions", "{n} file(s) do not match the history (nothing was deleted)"
            ).format(n=n)
        )
        details.append(
            QCoreApplication.translate(
                "HistoryActions",
                "Files and history rows that disagree (left as they are for you to check):",
            )
            + "\n"
            + "\n".join(f"  {p}" for p in report.problems)
        )
    if report.still_running:
        parts.append(
            QCoreApplication.translate(
                "HistoryActions", "{n} run(s) are being recorded by another imgloop"
            ).format(n=len(report.still_running))
        )
        details.append(
            QCoreApplication.translate(
                "HistoryActions", "Runs another imgloop process is still recording:"
            )
            + "\n"
            + "\n".join(f"  {r}" for r in report.still_running)
        )
    if not parts:
        return _tr(NOTHING_TO_RECOVER), ""
    return _tr(RECOVERED).format(parts="; ".join(parts)), "\n\n".join(details)


class HistoryActions(QObject):
    """``opened(RecoveryReport)``, ``exportFinished(ExportResult | BaseException)``,
    ``warmedUp()`` and ``message(str)`` report back; the window relays them."""

    opened = Signal(object)
    exportFinished = Signal(object)
    warmedUp = Signal()
    message = Signal(str)

    def __init__(
        self,
        window: QWidget,
        history: HistoryService,
        *,
        recovery_action: QAction,
        retry_action: QAction,
        export_action: QAction,
    ) -> None:
        super().__init__(window)
        self._window = window
        self.history = history
        self.workers = Workers("history", max_threads=4, parent=self)
        self.recovery_action = recovery_action
        self.retry_action = retry_action
        self.export_action = export_action
        self.recovery_report: RecoveryReport | None = None
        self.pending_uploads = 0

    # -- opening --------------------------------------------------------------------------

    def open(self) -> None:
        """Open and recover the history off the GUI thread. The window repairs what a crash
        left (adopts whole orphan images, quarantines the rest, removes temp files) and says
        what it did; the CLI does it on request only."""
        self.workers.start(
            lambda: self.history.recover(repair=True),
            returned=self._opened,
            errored=self._open_failed,
            name="history-open",
        )

    def _opened(self, report: RecoveryReport) -> None:
        self.history.recovery_report = report
        self.recovery_report = report
        line, details = recovery_text(report)
        self.message.emit(line)
        self.recovery_action.setEnabled(bool(details))
        if not report.clean:
            self.show_recovery_report()
        self.opened.emit(report)
        self.count_pending_uploads()
        # Now, while the person fills in the form, rather than during the first run.
        self.workers.start(
            _warm_up, returned=self._warmed_up, errored=self._warm_up_failed, name="warm-up"
        )

    def _open_failed(self, error: BaseException) -> None:
        show_exception(
            self._window,
            error,
            doing=QCoreApplication.translate(
                "HistoryActions",
                "The history could not be opened; runs still keep their images on disk",
            ),
        )
        self.message.emit(
            QCoreApplication.translate("HistoryActions", "The history could not be opened.")
        )

    def _warmed_up(self, _value: object) -> None:
        _freeze_startup_objects()
        self.warmedUp.emit()

    def _warm_up_failed(self, error: BaseException) -> None:
        log.warning("preparing the AWS service models failed: %s", error)
        _freeze_startup_objects()
        self.warmedUp.emit()  # runs still work; their first one parses the models itself

    @Slot()
    def show_recovery_report(self) -> QMessageBox | None:
        if self.recovery_report is None:
            return None
        line, details = recovery_text(self.recovery_report)
        return show_info(self._window, line, details, modal=False)

    # -- S3 uploads that did not make it ------------------------------------------------------

    def count_pending_uploads(self) -> None:
        history = self.history
        self.workers.start(
            lambda: len(history.pending_uploads()),
            returned=self._pending_counted,
            errored=lambda error: log.warning("counting pending uploads failed: %s", error),
            name="pending-uploads",
        )

    def _pending_counted(self, count: int) -> None:
        self.pending_uploads = count
        self.retry_action.setEnabled(count > 0)
        if count:
            self.message.emit(_tr(PENDING_UPLOADS).format(n=count))

    def retry_uploads(self, credentials: CredentialsSource, region: str | None) -> None:
        """Upload the kept-but-not-mirrored images on a worker; asked for by the person, so
        nothing reaches the network unbidden."""
        self.retry_action.setEnabled(False)
        self.message.emit(
            QCoreApplication.translate("HistoryActions", "Retrying pending S3 uploads…")
        )
        history = self.history
        self.workers.start(
            lambda: retry_pending_uploads(history, credentials, region),
            returned=self._uploads_retried,
            errored=self._uploads_retry_failed,
            name="retry-uploads",
        )

    def _uploads_retried(self, results: list[UploadRetry]) -> None:
        done = [r for r in results if r.ok]
        failed = [r for r in results if not r.ok]
        if failed:
            show_info(
                self._window,
                QCoreApplication.translate(
                    "HistoryActions",
                    "{done} image(s) uploaded; {failed} still wait for S3 (kept locally).",
                ).format(done=len(done), failed=len(failed)),
                "\n".join(f"s3://{r.bucket}/{r.key}: {r.error}" for r in failed),
            )
        self.message.emit(_tr(UPLOADS_RETRIED).format(done=len(done), failed=len(failed)))
        self.count_pending_uploads()

    def _uploads_retry_failed(self, error: BaseException) -> None:
        show_exception(
            self._window,
            error,
            doing=QCoreApplication.translate(
                "HistoryActions", "Pending uploads could not be retried"
            ),
        )
        self.count_pending_uploads()

    # -- export ---------------------------------------------------------------------------

    def ask_export(self, then: Callable[[Path], object]) -> None:
        dialog = QFileDialog(
            self._window,
            QCoreApplication.translate("HistoryActions", "Export approved images into…"),
        )
        dialog.setObjectName("exportApprovedDialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda folder: then(Path(folder)))
        dialog.open()

    def export_approved_to(self, folder: Path) -> Path:
        """Export into a new subfolder of ``folder`` (never over a person's own files)."""
        dest = folder / f"imgloop-approved-{datetime.now():%Y%m%d-%H%M%S}"
        history = self.history
        self.message.emit(
            QCoreApplication.translate(
                "HistoryActions", "Exporting approved images to {path}…"
            ).format(path=dest)
        )
        self.export_action.setEnabled(False)
        embed = embed_parameters_in_signed()  # read here: QSettings belongs to this thread
        self.workers.start(
            lambda: history.export_approved(dest, embed_in_signed=embed),
            returned=self._exported,
            errored=self._export_failed,
            name="export",
        )
        return dest

    def _exported(self, result: ExportResult) -> None:
        self.export_action.setEnabled(True)
        if result.images == 0:
            message = QCoreApplication.translate(
                "HistoryActions", "There are no approved images to export yet."
            )
        else:
            message = _tr(EXPORTED).format(
                images=result.images, sessions=result.sessions, path=result.path
            )
        details = ""
        if result.skipped:
            message += QCoreApplication.translate(
                "HistoryActions", " {n} could not be exported."
            ).format(n=len(result.skipped))
            details = "\n".join(result.skipped)
        self.message.emit(message)
        show_info(self._window, message, details)
        self.exportFinished.emit(result)

    def _export_failed(self, error: BaseException) -> None:
        self.export_action.setEnabled(True)
        show_exception(
            self._window,
            error,
            doing=QCoreApplication.translate(
                "HistoryActions", "The export failed; nothing already exported is lost"
            ),
        )
        self.exportFinished.emit(error)

    # -- closing --------------------------------------------------------------------------

    def close(self, timeout: float = SHUTDOWN_JOIN_SECONDS) -> bool:
        """Drop late answers and join the workers (the window is closing)."""
        self.workers.close()
        return self.workers.wait(timeout)


def _freeze_startup_objects() -> None:
    """Move the ~100k objects start-up made (Qt wrappers, modules, the parsed AWS service
    models) out of the garbage collector's reach. A full collection over them took 51-67 ms
    on whichever thread triggered it, holding the GIL, so the window froze for up to 84 ms
    mid-run (bench/bench_gui_stall.py: 78-84 ms before, 28-34 ms after). Costs microseconds;
    cyclic garbage already present at start-up is never collected (a fixed, one-off amount)."""
    gc.freeze()

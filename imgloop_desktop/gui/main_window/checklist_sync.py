"""The checklist between the form, the judge model and a running loop (issue 12).

Three paths, each one-way: "Write from prompt" asks the judge model on a worker
(``services.checklist.write_checklist``; one Bedrock call, or none when the cache has the
prompt) and shows the answer in the form; a run's ``ChecklistSet`` shows the checklist the
loop uses in the form; and a person's edit during a run goes to the loop through
``RunController.set_checklist``, applying from the next judgement. Nothing here blocks the
GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from imgloop_desktop.core.checklist import Checklist
from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.events import ChecklistOrigin, ChecklistSet
from imgloop_desktop.gui.error_box import describe
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, shown
from imgloop_desktop.gui.param_form import ParamForm
from imgloop_desktop.gui.run_controller import RunController
from imgloop_desktop.gui.workers import Workers
from imgloop_desktop.services.checklist import Written, write_checklist
from imgloop_desktop.services.credentials import CredentialsSource

# What the window says about the checklist; the tests compare against these.
SENT = QT_TRANSLATE_NOOP(
    "ChecklistSync", "Checklist sent to the run: it applies from the next judgement."
)
NOT_SENT = QT_TRANSLATE_NOOP(
    "ChecklistSync", "This run cannot take checklist edits; they apply to the next run."
)
WRITING = QT_TRANSLATE_NOOP("ChecklistSync", "Asking {model} for a checklist…")

JOIN_SECONDS = 10.0


class ChecklistSync(QObject):
    """Wires the form's checklist to the judge model and to the running loop;
    ``message(str)`` is for the status bar."""

    message = Signal(str)

    def __init__(
        self,
        parent: QObject,
        form: ParamForm,
        controller: RunController,
        credentials: Callable[[], CredentialsSource],
    ) -> None:
        super().__init__(parent)
        self._form = form
        self._controller = controller
        self._credentials = credentials
        self.workers = Workers("checklist", max_threads=1, parent=self)
        form.checklistWriteWanted.connect(self.write)
        form.checklistEdited.connect(self.edited)
        controller.event.connect(self.on_event)
        controller.runningChanged.connect(form.set_run_going)

    @Slot(bool)
    def write(self, use_cache: bool = True) -> None:
        """Ask the judge model for the form's prompt; the answer lands in the form."""
        params = self._form.params()
        try:
            credentials = self._credentials()
        except Exception as exc:  # no backend chosen, an account without keys
            self._form.checklist_failed(describe(exc)[0])
            return
        self._form.checklist_table.set_writing(True)
        self.message.emit(
            QCoreApplication.translate("ChecklistSync", WRITING).format(model=params.judge_model_id)
        )
        self.workers.start(
            lambda: write_checklist(params, credentials=credentials, use_cache=use_cache),
            returned=self._written,
            errored=self._failed,
            supersede="write",
            name="checklist-write",
        )

    def _written(self, written: Written) -> None:
        self._form.show_written_checklist(
            written.checklist, written.judge_model_id, cached=written.cached
        )

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationError):  # an empty prompt, a model id no run takes
            text = "; ".join(f"{p.field}: {shown(p.phrase or p.allowed)}" for p in error.problems)
        else:
            text = describe(error)[0]
        self._form.checklist_failed(text)

    @Slot(object)
    def edited(self, checklist: Checklist) -> None:
        """A person's valid edit: to the running loop, when there is one."""
        if not self._controller.is_running:
            return
        text = SENT if self._controller.set_checklist(checklist) else NOT_SENT
        self.message.emit(QCoreApplication.translate("ChecklistSync", text))

    @Slot(object)
    def on_event(self, event: object) -> None:
        # An "edited" one echoes the person's own edit: the table is already ahead of it
        # (and may be mid-typing), so it is not loaded again.
        if isinstance(event, ChecklistSet):
            if event.origin is ChecklistOrigin.EDITED:
                self._form.checklist_editor.show_run_checklist(
                    ChecklistSet(None, ChecklistOrigin.EDITED)
                )
            else:
                self._form.show_run_checklist(event)

    def close(self, timeout: float = JOIN_SECONDS) -> None:
        self.workers.close()
        self.workers.wait(timeout)

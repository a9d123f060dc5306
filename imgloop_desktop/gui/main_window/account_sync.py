"""The accounts dialog (Preferences) and the Backend picker kept in step with it; the
dialog's Costs page reports saved cost settings through ``costsSaved``.

Saved or deleted accounts rebuild the picker; "Use for runs" in the dialog writes the one
saved choice, and the picker follows it. During a run nothing moves: the run keeps its
backend, and the picker catches up when the run ends (``run_ended``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from imgloop_desktop.accounts import AccountStore
from imgloop_desktop.core.cost import Cost
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.gui.main_window.backend_picker import BackendPicker
from imgloop_desktop.services.backends import ACCOUNT_PREFIX, key_of

if TYPE_CHECKING:
    from imgloop_desktop.gui.accounts_dialog import AccountsDialog


class AccountSync(QObject):
    message = Signal(str)
    checked = Signal()
    """The dialog's connection check finished: it keeps what Bedrock said of the models'
    lifecycle, so the form's pickers can name it."""
    costsSaved = Signal(object)
    """The Costs page saved new cost settings (a ``CostSettings``, read back from the file)."""

    def __init__(
        self,
        window: QWidget,
        accounts: AccountStore,
        picker: BackendPicker,
        *,
        running: Callable[[], bool],
        params: Callable[[], RunParams],
        month_spend: Callable[[], Cost] | None = None,
    ) -> None:
        super().__init__(window)
        self._month_spend = month_spend
        self._window = window
        self.accounts = accounts
        self.picker = picker
        self._running = running
        self._params = params
        self.dialog: AccountsDialog | None = None
        self._stale = False

    def open(self, *, costs: bool = False, queue: bool = False) -> None:
        """Preferences: the AWS accounts (keys in the OS keyring; the picker follows their
        changes), or with ``costs`` its Costs page (budget and price rows), with ``queue``
        its Queue page (the run queue's limits)."""
        if self.dialog is not None:
            if costs:
                self.dialog.show_costs()
            if queue:
                self.dialog.show_queue()
            self.dialog.raise_()
            self.dialog.activateWindow()
            return
        # Preferences and its pages (accounts, costs, queue) are built the first time they
        # are opened, not while the window opens (issue 15).
        from imgloop_desktop.gui.accounts_dialog import open_accounts_dialog

        params = self._params()
        dialog = open_accounts_dialog(
            self._window,
            self.accounts,
            image_model_id=params.image_model_id,
            judge_model_id=params.judge_model_id,
            region=params.aws_region or None,
            month_spend=self._month_spend,
            costs=costs,
        )
        dialog.costs_page.saved.connect(self.costsSaved)
        dialog.account_saved.connect(self.accounts_changed)
        dialog.account_deleted.connect(self.accounts_changed)
        dialog.active_changed.connect(self.active_choice_changed)
        dialog.check_finished.connect(self._check_finished)
        dialog.finished.connect(self._closed)
        if queue:
            dialog.show_queue()
        self.dialog = dialog

    @Slot(str)
    def accounts_changed(self, name: str) -> None:
        if self._running():  # the running backend stays; the list follows later
            self._stale = True
            self.message.emit(
                QCoreApplication.translate(
                    "AccountSync", "The account list is updated when the run ends."
                )
            )
            return
        self.picker.fill()
        if self.accounts.info(name) is not None and self.picker.select(f"{ACCOUNT_PREFIX}{name}"):
            self.message.emit(
                QCoreApplication.translate(
                    "AccountSync", "Runs now use the AWS account '{name}' from the OS keyring."
                ).format(name=name)
            )

    @Slot()
    def active_choice_changed(self) -> None:
        """ "Use for runs" in the dialog picks the same backend in the toolbar: one choice."""
        if self._running():
            self.message.emit(
                QCoreApplication.translate(
                    "AccountSync", "The choice applies to the next run; this one keeps its backend."
                )
            )
            self._stale = True
            return
        active = self.accounts.active()
        self.picker.fill()
        if not self.picker.select_choice(active):
            self.message.emit(
                QCoreApplication.translate(
                    "AccountSync",
                    "{key} is not available; the Backend picker shows what runs use.",
                ).format(key=key_of(active))
            )

    def run_ended(self) -> None:
        """Apply what the dialog changed during the run (read before ``fill``, which saves
        the picker's current entry)."""
        if self._stale:
            self._stale = False
            active = self.accounts.active()
            self.picker.fill()
            self.picker.select_choice(active)

    @Slot(object)
    def _check_finished(self, _results: object) -> None:
        self.checked.emit()

    @Slot(int)
    def _closed(self, _result: int) -> None:
        self.dialog = None

"""The AWS accounts dialog: keys into the OS keyring, or an AWS profile instead, and a
"Test connection" that shows what AWS says in plain words.

The check probes the models the window's form names with the form's judge settings
(``judge_settings``, the defaults' when the window gives none), so a judge that rejects
them is found here rather than in a run.

Everything that may wait (keyring writes that can raise an unlock prompt, STS and Bedrock
calls) runs on the dialog's ``gui.workers.Workers``; results come back to typed callbacks on
the GUI thread, so the GUI thread never blocks and no widget is touched from the worker.

Workers are Python ``threading.Thread``s rather than ``QThread``s on purpose: Python 3.11
registers a never-ending "dummy" thread for every foreign thread that logs or asks for
``threading.current_thread()``, which botocore and keyring do. A Python thread ends
visibly, so nothing (the tests' leak check included) mistakes a finished check for a
running one.

Secrets: the secret and token fields are password fields, their text is never copied into
a label, tooltip, title or message, and it is cleared as soon as the keyring has it. The
accounts page writes no settings at all.

The dialog is the app's Preferences: a second tab, Costs (``gui.costs_page``), holds the
monthly budget and the person's own price rows (issue 13), saved in the data folder's
``costs.json`` that the headless command reads too; a third, Queue (``gui.queue_page``),
the run queue's limits (issue 14).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from imgloop_desktop.accounts.check import CheckResult, check_connection
from imgloop_desktop.accounts.sources import (
    KeyringAccount,
    available_profiles,
    profile_source,
    source_for,
)
from imgloop_desktop.accounts.store import (
    AccountInfo,
    AccountStore,
    ActiveChoice,
    KeyringUnavailableError,
    backend_name,
    validate_account,
)
from imgloop_desktop.core.cost import Cost
from imgloop_desktop.core.errors import ImgloopError, Problem, ServiceError, ValidationError
from imgloop_desktop.core.params import DEFAULT_IMAGE_MODEL, DEFAULT_JUDGE_MODEL, RunParams
from imgloop_desktop.core.protocols import InferenceSettings
from imgloop_desktop.gui.costs_page import CostsPage
from imgloop_desktop.gui.error_box import service_text
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, in_context, shown
from imgloop_desktop.gui.queue_page import QueuePage
from imgloop_desktop.gui.workers import Workers
from imgloop_desktop.services.credentials import CredentialsSource, redact
from imgloop_desktop.services.queue_limits import QuotaTarget

log = logging.getLogger(__name__)

# Regions where Bedrock offers image models; the field is editable for any other.
REGIONS = (
    "us-east-1",
    "us-west-2",
    "us-east-2",
    "eu-west-1",
    "eu-central-1",
    "eu-west-2",
    "eu-west-3",
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "sa-east-1",
)
STANDARD_CHAIN_LABEL = QT_TRANSLATE_NOOP(
    "AccountsDialog", "Standard AWS chain (environment variables, default profile, roles)"
)
NAME_ROLE = Qt.ItemDataRole.UserRole

# What the dialog says; the tests compare against these, so a wording change is one edit.
TITLE = QT_TRANSLATE_NOOP("AccountsDialog", "Preferences")
ACCOUNTS_TAB = QT_TRANSLATE_NOOP("AccountsDialog", "AWS accounts")
COSTS_TAB = QT_TRANSLATE_NOOP("AccountsDialog", "Costs")
QUEUE_TAB = QT_TRANSLATE_NOOP("AccountsDialog", "Queue")
COSTS_SIZE = (940, 900)
RUNS_USE = QT_TRANSLATE_NOOP("AccountsDialog", "Runs use: {choice}.")
SAVE_ACCOUNT = QT_TRANSLATE_NOOP("AccountsDialog", "Save account")
SAVE_REGION = QT_TRANSLATE_NOOP("AccountsDialog", "Save region")
REPLACE_KEYS = QT_TRANSLATE_NOOP("AccountsDialog", "Replace keys of '{name}'")
SAVED = QT_TRANSLATE_NOOP("AccountsDialog", "Saved {account} in {region}.")
TESTING = QT_TRANSLATE_NOOP("AccountsDialog", "Testing {source}…")
PASSED = "✓"
FAILED = "✗"
CHECK_LINE = "{mark} {name}: {detail}"
ALL_ANSWERED = QT_TRANSLATE_NOOP("AccountsDialog", "Everything answered.")
SOME_FAILED = QT_TRANSLATE_NOOP("AccountsDialog", "Some checks failed; see above.")
ACCOUNT_ROW = "{name} — {region} — {key}"
TEMPORARY = QT_TRANSLATE_NOOP("AccountsDialog", " — temporary")
ACTIVE_MARK = "● "
ACTIVE = QT_TRANSLATE_NOOP("AccountsDialog", " (active)")
NO_LONGER_STORED = QT_TRANSLATE_NOOP(
    "AccountsDialog",
    "keyring account '{name}', which is no longer stored; runs will refuse until you choose "
    "another account or a profile",
)
KEY_ID_HINT = QT_TRANSLATE_NOOP("AccountsDialog", "AKIA… or ASIA…")
USE_FOR_RUNS = QT_TRANSLATE_NOOP("AccountsDialog", "Use for runs")
NOT_SAVED = QT_TRANSLATE_NOOP("AccountsDialog", "Not saved")
WHAT_FAILED = QT_TRANSLATE_NOOP("AccountsDialog", "{what}: {problems}")


T = TypeVar("T")

_check = in_context("ConnectionCheck")
"""The connection check's names ("AWS identity", "Image model", ...), declared in
``accounts.check``."""


def problems_line(problems: Iterable[Problem]) -> str:
    """Invalid values on one line, each in the window's language."""
    return "; ".join(shown(p.sentence()) for p in problems)


_tr = in_context("AccountsDialog")


class AccountsDialog(QDialog):
    """Add, replace, test, delete and choose the credentials runs use.

    Show it with ``open()`` or ``show()`` (see ``open_accounts_dialog``), never ``exec()``
    from a qasync coroutine. ``active_changed`` tells the window to re-read
    ``accounts.active_source()`` before its next run.
    """

    account_saved = Signal(str)
    account_deleted = Signal(str)
    active_changed = Signal()
    check_finished = Signal(object)  # list[CheckResult]
    failed = Signal(str)

    def __init__(
        self,
        store: AccountStore | None = None,
        *,
        image_model_id: str = DEFAULT_IMAGE_MODEL,
        judge_model_id: str = DEFAULT_JUDGE_MODEL,
        judge_settings: InferenceSettings | None = None,
        region: str | None = None,
        month_spend: Callable[[], Cost] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store or AccountStore()
        self._month_spend = month_spend
        self.image_model_id = image_model_id
        self.judge_model_id = judge_model_id
        # The form's judge settings, sent with the judge's probe so a model that rejects
        # them fails the check rather than the run.
        self.judge_settings = (
            judge_settings if judge_settings is not None else RunParams().validate_settings
        )
        self.region = region or None
        self._busy = 0
        self._workers = Workers("accounts", max_threads=4, thread_prefix="accounts-", parent=self)
        self._delete_when_idle = False
        self._accounts: dict[str, AccountInfo] = {}  # the index as last read, by name
        self.setWindowTitle(_tr(TITLE))
        self._build()
        self._keyring_problem = self.store.problem_phrase()
        self._show_keyring_state()
        self._load_profiles()
        self._refresh(select=None)
        self._show_active_choice()
        self._update_buttons()

    # -- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("preferencesTabs")
        outer.addWidget(self.tabs, 1)
        accounts_page = QWidget()
        layout = QVBoxLayout(accounts_page)
        self.tabs.addTab(accounts_page, _tr(ACCOUNTS_TAB))
        self.costs_page = CostsPage(month_spend=self._month_spend)
        self.tabs.addTab(self.costs_page, _tr(COSTS_TAB))
        self.queue_page = QueuePage(quota_target=self.quota_target)
        self.tabs.addTab(self.queue_page, _tr(QUEUE_TAB))

        self.keyring_status = QLabel()
        self.keyring_status.setObjectName("keyring_status")
        self.keyring_status.setWordWrap(True)
        layout.addWidget(self.keyring_status)

        self.mode_keyring = QRadioButton(
            QCoreApplication.translate(
                "AccountsDialog", "Access keys kept in this computer's keyring"
            )
        )
        self.mode_profile = QRadioButton(
            QCoreApplication.translate(
                "AccountsDialog",
                "An AWS profile or the environment (aws configure, aws sso login)",
            )
        )
        self._modes = QButtonGroup(self)
        self._modes.addButton(self.mode_keyring)
        self._modes.addButton(self.mode_profile)
        self.mode_keyring.toggled.connect(self._mode_changed)
        layout.addWidget(self.mode_keyring)

        self.keyring_group = QGroupBox(
            QCoreApplication.translate("AccountsDialog", "Accounts in the keyring")
        )
        keyring_layout = QHBoxLayout(self.keyring_group)
        self.accounts_list = QListWidget()
        self.accounts_list.setObjectName("accounts_list")
        self.accounts_list.currentItemChanged.connect(self._account_selected)
        self.accounts_list.setMinimumWidth(320)
        keyring_layout.addWidget(self.accounts_list, 1)

        form_box = QVBoxLayout()
        form = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(QCoreApplication.translate("AccountsDialog", "work"))
        self.name_edit.textChanged.connect(self._update_buttons)
        self.key_id_edit = QLineEdit()
        self.key_id_edit.setPlaceholderText(_tr(KEY_ID_HINT))
        self.key_id_edit.textChanged.connect(self._update_buttons)
        self.secret_edit = QLineEdit()
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_edit.setPlaceholderText(
            QCoreApplication.translate(
                "AccountsDialog", "40 characters, shown once when the key was made"
            )
        )
        self.secret_edit.textChanged.connect(self._update_buttons)
        self.token_edit = QLineEdit()
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText(
            QCoreApplication.translate("AccountsDialog", "only for temporary (ASIA…) keys")
        )
        self.region_combo = QComboBox()
        self.region_combo.setEditable(True)
        self.region_combo.addItems(REGIONS)
        self.region_combo.currentTextChanged.connect(self._update_buttons)
        form.addRow(QCoreApplication.translate("AccountsDialog", "Name"), self.name_edit)
        form.addRow(QCoreApplication.translate("AccountsDialog", "Access key ID"), self.key_id_edit)
        form.addRow(
            QCoreApplication.translate("AccountsDialog", "Secret access key"), self.secret_edit
        )
        form.addRow(QCoreApplication.translate("AccountsDialog", "Session token"), self.token_edit)
        form.addRow(QCoreApplication.translate("AccountsDialog", "Region"), self.region_combo)
        form_box.addLayout(form)

        buttons = QHBoxLayout()
        self.new_button = QPushButton(QCoreApplication.translate("AccountsDialog", "New"))
        self.new_button.clicked.connect(self._new_account)
        self.save_button = QPushButton(_tr(SAVE_ACCOUNT))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save_account)
        self.delete_button = QPushButton(QCoreApplication.translate("AccountsDialog", "Delete"))
        self.delete_button.clicked.connect(self.delete_account)
        self.use_account_button = QPushButton(_tr(USE_FOR_RUNS))
        self.use_account_button.clicked.connect(self.use_selected_account)
        for button in (
            self.new_button,
            self.save_button,
            self.delete_button,
            self.use_account_button,
        ):
            buttons.addWidget(button)
        form_box.addLayout(buttons)
        keyring_layout.addLayout(form_box, 1)
        layout.addWidget(self.keyring_group)

        layout.addWidget(self.mode_profile)
        self.profile_group = QGroupBox(QCoreApplication.translate("AccountsDialog", "AWS profile"))
        profile_layout = QHBoxLayout(self.profile_group)
        self.profile_combo = QComboBox()
        self.profile_combo.setObjectName("profile_combo")
        profile_layout.addWidget(self.profile_combo, 1)
        self.use_profile_button = QPushButton(_tr(USE_FOR_RUNS))
        self.use_profile_button.clicked.connect(self.use_selected_profile)
        profile_layout.addWidget(self.use_profile_button)
        layout.addWidget(self.profile_group)

        self.active_label = QLabel()
        self.active_label.setObjectName("active_label")
        self.active_label.setWordWrap(True)
        layout.addWidget(self.active_label)

        test_row = QHBoxLayout()
        self.test_button = QPushButton(
            QCoreApplication.translate("AccountsDialog", "Test connection")
        )
        self.test_button.clicked.connect(self.test_connection)
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        layout.addLayout(test_row)
        self.results_list = QListWidget()
        self.results_list.setObjectName("results_list")
        self.results_list.setWordWrap(True)
        layout.addWidget(self.results_list)

        self.message_label = QLabel()
        self.message_label.setObjectName("message_label")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message_label)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        outer.addWidget(close)

    # -- state shown --------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while a keyring write or a connection check is running."""
        return self._busy > 0

    @property
    def keyring_usable(self) -> bool:
        return self._keyring_problem is None

    def _show_keyring_state(self) -> None:
        if self._keyring_problem is None:
            self.keyring_status.setText(
                QCoreApplication.translate(
                    "AccountsDialog",
                    "Access keys are kept in: {keyring}. They are never written to a file.",
                ).format(keyring=backend_name(self.store.backend()))
            )
            self.keyring_status.setStyleSheet("")
            return
        error = KeyringUnavailableError(self._keyring_problem)
        self.keyring_status.setText(service_text(error))
        self.keyring_status.setStyleSheet("color: #b00020;")
        self.keyring_group.setEnabled(False)
        self.mode_keyring.setEnabled(False)

    def _load_profiles(self) -> None:
        self.profile_combo.clear()
        self.profile_combo.addItem(_tr(STANDARD_CHAIN_LABEL), "")
        for name in available_profiles():
            self.profile_combo.addItem(name, name)

    def _refresh(self, select: str | None) -> None:
        """Re-read the index (a small local file, no keyring access)."""
        active = self.store.active()
        current = select or self._selected_name()
        self.accounts_list.blockSignals(True)
        self.accounts_list.clear()
        chosen: QListWidgetItem | None = None
        self._accounts = {info.name: info for info in self.store.list_accounts()}
        for info in self._accounts.values():
            item = QListWidgetItem(_account_text(info, active))
            item.setData(NAME_ROLE, info.name)
            if active == ActiveChoice("keyring", info.name):
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
            self.accounts_list.addItem(item)
            if info.name == current:
                chosen = item
        self.accounts_list.blockSignals(False)
        if chosen is not None:
            self.accounts_list.setCurrentItem(chosen)

    def _show_active_choice(self) -> None:
        active = self.store.active()
        if active.kind == "keyring" and self.keyring_usable:
            self.mode_keyring.setChecked(True)
            self._refresh(select=active.name)
        else:
            self.mode_profile.setChecked(True)
            index = self.profile_combo.findData(active.name)
            if index < 0 and active.name:
                self.profile_combo.addItem(active.name, active.name)
                index = self.profile_combo.count() - 1
            self.profile_combo.setCurrentIndex(max(index, 0))
        self._mode_changed(self.mode_keyring.isChecked())  # no toggle fires on first check
        self.active_label.setText(_tr(RUNS_USE).format(choice=self._describe_choice(active)))

    def _describe_choice(self, choice: ActiveChoice) -> str:
        if choice.kind == "demo":
            return QCoreApplication.translate(
                "AccountsDialog",
                "the offline demo (simulated Bedrock, chosen in the window's Backend picker)",
            )
        if choice.kind == "keyring":
            info = self.store.info(choice.name)
            if info is None:
                return _tr(NO_LONGER_STORED).format(name=choice.name)
            return shown(info.describe())
        return shown(profile_source(choice.name).describe())

    def _selected_name(self) -> str | None:
        item = self.accounts_list.currentItem()
        return str(item.data(NAME_ROLE)) if item is not None else None

    @Slot()
    def _update_buttons(self) -> None:
        idle = not self.busy
        keyring_ok = self.keyring_usable
        selected = self._selected_name() is not None
        name = self.name_edit.text().strip()
        existing = self._accounts.get(name)
        has_keys = bool(self.key_id_edit.text().strip() or self.secret_edit.text())
        if existing is not None and not has_keys:
            self.save_button.setText(_tr(SAVE_REGION))
        elif existing is not None:
            self.save_button.setText(_tr(REPLACE_KEYS).format(name=name))
        else:
            self.save_button.setText(_tr(SAVE_ACCOUNT))
        self.save_button.setEnabled(idle and keyring_ok and bool(name))
        self.delete_button.setEnabled(idle and keyring_ok and selected)
        self.use_account_button.setEnabled(idle and keyring_ok and selected)
        self.use_profile_button.setEnabled(idle)
        self.test_button.setEnabled(idle)
        self.new_button.setEnabled(idle)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message_label.setText(redact(text))
        self.message_label.setStyleSheet("color: #b00020;" if error else "")

    # -- reactions ------------------------------------------------------------------------

    @Slot(bool)
    def _mode_changed(self, keyring_mode: bool) -> None:
        self.keyring_group.setEnabled(keyring_mode and self.keyring_usable)
        self.profile_group.setEnabled(not keyring_mode)

    @Slot(QListWidgetItem, QListWidgetItem)
    def _account_selected(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        if current is None:
            self._update_buttons()
            return
        info = self._accounts.get(str(current.data(NAME_ROLE)))
        if info is not None:
            self.name_edit.setText(info.name)
            self.key_id_edit.setText("")
            self.key_id_edit.setPlaceholderText(
                QCoreApplication.translate(
                    "AccountsDialog", "{key} (type new keys to replace)"
                ).format(key=info.masked_key_id)
            )
            self.secret_edit.setText("")
            self.token_edit.setText("")
            self.region_combo.setCurrentText(info.region)
        self._update_buttons()

    @Slot()
    def _new_account(self) -> None:
        self.accounts_list.setCurrentRow(-1)
        for edit in (self.name_edit, self.key_id_edit, self.secret_edit, self.token_edit):
            edit.setText("")
        self.key_id_edit.setPlaceholderText(_tr(KEY_ID_HINT))
        self.region_combo.setCurrentText(REGIONS[0])
        self.name_edit.setFocus()
        self._update_buttons()

    @Slot()
    def save_account(self) -> None:
        """Validate here (pure, instant), write to the keyring on a worker."""
        name = self.name_edit.text().strip()
        key_id = self.key_id_edit.text().strip()
        secret = self.secret_edit.text().strip()
        token = self.token_edit.text().strip() or None
        region = self.region_combo.currentText().strip()
        existing = self._accounts.get(name)
        if existing is not None and not key_id and not secret and not token:
            self._start(
                "save-region",
                lambda: self.store.set_region(name, region),
                self._saved,
                lambda error: self._failed(error, _tr(NOT_SAVED)),
            )
            return
        problems = validate_account(name, key_id, secret, token, region)
        if problems:
            self._say(
                QCoreApplication.translate("AccountsDialog", "{what}: {problems}").format(
                    what=_tr(NOT_SAVED), problems=problems_line(problems)
                ),
                error=True,
            )
            self.failed.emit(self.message_label.text())
            return
        store = self.store
        self._start(
            "save",
            lambda: store.add(name, key_id, secret, token, region, replace=existing is not None),
            self._saved,
            lambda error: self._failed(error, _tr(NOT_SAVED)),
        )

    def _saved(self, info: AccountInfo) -> None:
        # The keyring has them now; no widget keeps them.
        self.secret_edit.setText("")
        self.token_edit.setText("")
        self.key_id_edit.setText("")
        self._refresh(select=info.name)
        self._show_active_choice_label()
        self._say(_tr(SAVED).format(account=shown(info.describe()), region=info.region))
        self.account_saved.emit(info.name)
        self.active_changed.emit()

    @Slot()
    def delete_account(self) -> None:
        name = self._selected_name()
        if name is None:
            return
        self._start(
            "delete",
            lambda: self.store.delete(name),
            lambda _removed: self._deleted(name),
            lambda error: self._failed(
                error, QCoreApplication.translate("AccountsDialog", "Not deleted")
            ),
        )

    def _deleted(self, name: str) -> None:
        self._new_account()
        self._refresh(select=None)
        self._show_active_choice_label()
        self._say(
            QCoreApplication.translate(
                "AccountsDialog", "Deleted account '{name}' from the keyring."
            ).format(name=name)
        )
        self.account_deleted.emit(name)
        self.active_changed.emit()

    @Slot()
    def use_selected_account(self) -> None:
        name = self._selected_name()
        if name is None:
            return
        try:
            self.store.set_active(name)
        except ImgloopError as exc:
            self._failed(exc, QCoreApplication.translate("AccountsDialog", "Not changed"))
            return
        self._refresh(select=name)
        self._show_active_choice_label()
        self.active_changed.emit()

    @Slot()
    def use_selected_profile(self) -> None:
        self.store.set_active_profile(str(self.profile_combo.currentData() or ""))
        self._refresh(select=None)
        self._show_active_choice_label()
        self.active_changed.emit()

    def _show_active_choice_label(self) -> None:
        self.active_label.setText(
            _tr(RUNS_USE).format(choice=self._describe_choice(self.store.active()))
        )

    def selected_source(self) -> CredentialsSource | None:
        """What "Test connection" tests: the selected account, or the chosen profile."""
        if self.mode_profile.isChecked():
            return profile_source(str(self.profile_combo.currentData() or ""))
        name = self._selected_name()
        return KeyringAccount(name, self.store) if name else None

    @Slot()
    def test_connection(self) -> None:
        source = self.selected_source()
        if source is None:
            self._say(
                QCoreApplication.translate(
                    "AccountsDialog", "Select a saved account (or choose an AWS profile) to test."
                ),
                error=True,
            )
            self.failed.emit(self.message_label.text())
            return
        self.results_list.clear()
        self.results_list.addItem(_tr(TESTING).format(source=shown(source.describe())))
        region, image, judge = self.region, self.image_model_id, self.judge_model_id
        settings = self.judge_settings
        self._start(
            "check",
            lambda: check_connection(source, region, image, judge, judge_settings=settings),
            self._checked,
            self._check_failed,
        )

    def quota_target(self) -> QuotaTarget:
        """What the Queue page's "Use my account's quota" reads: the credentials runs use
        (none in the offline demo) for the form's image model and region."""
        choice = self.store.active()
        source = None if choice.kind == "demo" else source_for(choice, self.store)
        return QuotaTarget(source, self.image_model_id, self.region)

    def _check_failed(self, error: BaseException) -> None:
        self.results_list.clear()
        self._failed(error, QCoreApplication.translate("AccountsDialog", "The check could not run"))

    def _checked(self, results: list[CheckResult]) -> None:
        self.results_list.clear()
        for result in results:
            mark = PASSED if result.ok else FAILED
            item = QListWidgetItem(
                CHECK_LINE.format(
                    mark=mark, name=_check(result.name), detail=redact(shown(result.said))
                )
            )
            if not result.ok:
                item.setForeground(Qt.GlobalColor.darkRed)
            self.results_list.addItem(item)
        passed = all(r.ok for r in results)
        self._say(_tr(ALL_ANSWERED if passed else SOME_FAILED))
        self.check_finished.emit(results)

    def _failed(self, error: BaseException, what: str) -> None:
        if isinstance(error, ValidationError):
            text = _tr(WHAT_FAILED).format(what=what, problems=problems_line(error.problems))
        elif isinstance(error, ServiceError):
            text = _tr(WHAT_FAILED).format(what=what, problems=service_text(error))
        else:  # logged (once, with its traceback) by gui.workers when it is unexpected
            text = QCoreApplication.translate(
                "AccountsDialog", "{what}: unexpected error ({kind}: {error})"
            ).format(what=what, kind=type(error).__name__, error=error)
        self._say(text, error=True)
        self.failed.emit(self.message_label.text())

    # -- workers --------------------------------------------------------------------------

    def _start(
        self,
        label: str,
        work: Callable[[], T],
        returned: Callable[[T], None],
        errored: Callable[[BaseException], None],
    ) -> None:
        """Run ``work`` on the dialog's ``gui.workers`` pool. Python threads on purpose: see
        the module docstring (botocore and keyring log and ask for the current thread)."""
        self._busy += 1
        self._update_buttons()
        self._say(QCoreApplication.translate("AccountsDialog", "Working…"))
        self._workers.start(
            work, returned=returned, errored=errored, finished=self._worker_finished, name=label
        )

    def _worker_finished(self) -> None:
        self._busy -= 1
        self._update_buttons()
        if self._delete_when_idle and not self.busy:
            self.deleteLater()

    def wait_for_workers(self, timeout: float = 30.0) -> None:
        """Join finished-or-finishing workers (tests, and shutdown paths off the GUI thread
        that must not leave a check running)."""
        self._workers.wait(timeout)
        self.costs_page.wait_for_workers(timeout)
        self.queue_page.wait_for_workers(timeout)

    def show_costs(self) -> None:
        """Open on the Costs page (Settings → Costs and budget), tall enough for the
        person's rows and the shipped table together."""
        self.tabs.setCurrentWidget(self.costs_page)
        screen = self.screen().availableGeometry()
        self.resize(
            min(max(self.width(), COSTS_SIZE[0]), screen.width()),
            min(max(self.height(), COSTS_SIZE[1]), screen.height() - 40),
        )

    def show_queue(self) -> None:
        """Open on the Queue page (the queue dock's Limits…)."""
        self.tabs.setCurrentWidget(self.queue_page)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._drop_secrets()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self._drop_secrets()
        self.costs_page.close_workers()  # a quick read of this month's spend, joined
        self.queue_page.close_workers()  # a quota read still running is dropped
        super().done(result)

    def _drop_secrets(self) -> None:
        self.secret_edit.setText("")
        self.token_edit.setText("")

    def dispose_when_idle(self) -> None:
        """Delete the dialog once no worker will report back to it any more."""
        if self.busy:
            self._delete_when_idle = True
        else:
            self.deleteLater()


def _account_text(info: AccountInfo, active: ActiveChoice) -> str:
    text = ACCOUNT_ROW.format(name=info.name, region=info.region, key=info.masked_key_id)
    if info.temporary:
        text += _tr(TEMPORARY)
    if active == ActiveChoice("keyring", info.name):
        text = ACTIVE_MARK + text + _tr(ACTIVE)
    return text


def open_accounts_dialog(
    parent: QWidget | None = None,
    store: AccountStore | None = None,
    *,
    image_model_id: str = DEFAULT_IMAGE_MODEL,
    judge_model_id: str = DEFAULT_JUDGE_MODEL,
    judge_settings: InferenceSettings | None = None,
    region: str | None = None,
    month_spend: Callable[[], Cost] | None = None,
    costs: bool = False,
) -> AccountsDialog:
    """Open the dialog window-modally without a nested event loop (safe under qasync) and
    delete it after it closes, once any running worker has reported back."""
    dialog = AccountsDialog(
        store,
        image_model_id=image_model_id,
        judge_model_id=judge_model_id,
        judge_settings=judge_settings,
        region=region,
        month_spend=month_spend,
        parent=parent,
    )
    if costs:
        dialog.show_costs()
    dialog.finished.connect(dialog.dispose_when_idle)
    dialog.open()
    return dialog

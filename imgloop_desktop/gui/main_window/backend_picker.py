"""The toolbar's Backend picker: what it offers, what it remembers, and the lock during a run.

The list and the credentials are ``services.backends``; the remembered choice is the accounts
file's one saved choice (the accounts dialog's "Use for runs" writes the same value), read
through ``saved_choice``, which also adopts once what older versions kept in QSettings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot
from PySide6.QtWidgets import QComboBox, QWidget

from imgloop_desktop.accounts import AccountStore, ActiveChoice
from imgloop_desktop.gui.error_box import show_exception, show_info
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP
from imgloop_desktop.gui.settings_store import SettingsStore
from imgloop_desktop.services.backends import (
    DEFAULT_KEY,
    Backend,
    Backends,
    aws_profiles,
    backend_choices,
    find,
    has_aws_hint,
    key_of,
    save_choice,
    saved_choice,
)

log = logging.getLogger(__name__)

BACKEND_GONE = QT_TRANSLATE_NOOP(
    "BackendPicker",
    "The backend used before ({key}) is gone; runs now use {label}. Pick another in the toolbar.",
)
# The fixed labels of ``services.backends`` (Qt-free), translated where the picker shows them;
# profile and account names stay as they are.
_FIXED_LABELS = (
    QT_TRANSLATE_NOOP("Backends", "AWS (default credential chain)"),
    QT_TRANSLATE_NOOP("Backends", "Offline demo (simulated Bedrock)"),
)
ACCOUNT_LABEL = QT_TRANSLATE_NOOP("Backends", "AWS account: {name} (OS keyring)")
PROFILE_LABEL = QT_TRANSLATE_NOOP("Backends", "AWS profile: {name}")


def shown_label(backend: Backend) -> str:
    """``backend.label`` in the window's language (the same text in English)."""
    if backend.kind == "account" and backend.label == ACCOUNT_LABEL.format(name=backend.profile):
        return QCoreApplication.translate("Backends", ACCOUNT_LABEL).format(name=backend.profile)
    if backend.kind == "profile" and backend.label == PROFILE_LABEL.format(name=backend.profile):
        return QCoreApplication.translate("Backends", PROFILE_LABEL).format(name=backend.profile)
    if backend.label in _FIXED_LABELS:
        return QCoreApplication.translate("Backends", backend.label)
    return backend.label


class BackendPicker(QObject):
    """Owns ``combo``. ``picked(Backend)`` fires once ``Backends`` has switched to the
    backend shown (the demo's simulator started or stopped); a person's pick is also saved."""

    picked = Signal(object)

    def __init__(
        self,
        window: QWidget,
        backends: Backends,
        accounts: AccountStore,
        settings: SettingsStore,
        *,
        profiles: list[str] | None,
        running: Callable[[], bool],
    ) -> None:
        super().__init__(window)
        self._window = window
        self.backends = backends
        self.accounts = accounts
        self.settings = settings
        self._profiles = profiles
        self._running = running
        self.combo = QComboBox(window)
        self.combo.setObjectName("backendCombo")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.currentIndexChanged.connect(self._picked)

    def fill(self) -> None:
        """(Re)build the list, keeping the current choice, else the saved one."""
        names = aws_profiles() if self._profiles is None else self._profiles
        accounts = [info.name for info in self.accounts.list_accounts()]
        choices = backend_choices(names, accounts)
        current = self.current()
        stored: ActiveChoice | None
        if current is not None:
            stored = current.choice
        else:
            legacy = self.settings.legacy_backend_key()
            stored = saved_choice(self.accounts, legacy)
            if legacy:
                self.settings.forget_legacy_backend_key()
        if stored is None:  # first launch
            first = choices[0] if accounts else None
            wanted = first or find(choices, ActiveChoice("profile", ""))
            if not accounts and not has_aws_hint(names):
                wanted = find(choices, ActiveChoice("demo"))
        else:
            wanted = find(choices, stored)
        # A choice that is gone (a deleted account) falls back to the standard chain, never
        # to another account: a run must not bill an account nobody picked.
        fallback = next(b for b in choices if b.key == DEFAULT_KEY)
        chosen = wanted or fallback
        self.combo.blockSignals(True)
        self.combo.clear()
        for backend in choices:
            self.combo.addItem(shown_label(backend), backend)
        index = choices.index(chosen)
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)
        if stored is not None and wanted is None:
            show_info(
                self._window,
                QCoreApplication.translate("BackendPicker", BACKEND_GONE).format(
                    key=key_of(stored), label=shown_label(chosen)
                ),
                modal=False,
            )
        # Filling saves nothing: only a pick does. A first launch's automatic pick stays
        # unsaved, so the first-run welcome still sees that nothing was chosen.
        self._apply(save=False)

    def current(self) -> Backend | None:
        data = self.combo.currentData()
        return data if isinstance(data, Backend) else None

    def select(self, key: str) -> bool:
        """Pick ``key`` as a person would (saved), even when it is already shown: the
        welcome's "Try the offline demo" confirms a first launch's automatic pick."""
        for i in range(self.combo.count()):
            data = self.combo.itemData(i)
            if isinstance(data, Backend) and data.key == key:
                if i == self.combo.currentIndex():
                    self._apply(save=True)
                else:
                    self.combo.setCurrentIndex(i)
                return True
        return False

    def select_choice(self, choice: ActiveChoice) -> bool:
        return self.select(key_of(choice))

    def show(self, backend: Backend | None) -> None:
        """Point the picker at ``backend`` without acting on it."""
        for i in range(self.combo.count()):
            if self.combo.itemData(i) == backend:
                self.combo.blockSignals(True)
                self.combo.setCurrentIndex(i)
                self.combo.blockSignals(False)
                return

    @Slot(int)
    def _picked(self, _index: int) -> None:
        self._apply(save=True)

    def _apply(self, *, save: bool) -> None:
        backend = self.current()
        if backend is None:
            return
        if self._running() and backend != self.backends.current:
            self.show(self.backends.current)  # a run keeps the backend it started with
            return
        try:
            self.backends.select(backend)
        except OSError as exc:  # the demo's simulator could not bind a loopback port
            show_exception(
                self._window,
                exc,
                doing=QCoreApplication.translate(
                    "BackendPicker", "The offline demo could not start"
                ),
            )
            self.show(self.backends.current)  # the picker shows what runs will use
            return
        try:
            if save:
                save_choice(self.accounts, backend.choice)
        except Exception as exc:  # the choice still holds for this session
            log.warning("remembering the backend %s failed: %s", backend.key, exc)
        self.picked.emit(backend)

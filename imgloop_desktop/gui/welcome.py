"""The first-run welcome: three ways to start, in plain words, when nothing is set up yet.

Someone who just installed the app has no account in the keyring, has picked no profile
and may not have AWS at all. Rather than a form that fails on "Run", the window opens with
a short welcome offering: add AWS keys (kept in the OS keyring), use an existing AWS
profile from ``~/.aws``, or try the offline demo. When no keyring can hold keys here, the
first choice is disabled and the reason is said plainly (``AccountStore.problem()``).

Finding out whether the welcome is needed touches the keyring (which may probe D-Bus) and
reads files, so it happens on a ``gui.workers`` thread; the answer comes back to a typed
callback on the GUI thread and only then is the dialog made. The dialog is opened with ``open()``
(window-modal, no nested event loop) and never waits on anything itself.

The dialog only emits what the person chose; ``connect_to_window`` maps those choices
onto the main window (accounts dialog, backend picker).
"""

from __future__ import annotations

import logging
import os
import weakref
from dataclasses import dataclass, field
from typing import Protocol, TypeGuard

from PySide6.QtCore import QCoreApplication, QObject, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from imgloop_desktop.accounts.sources import available_profiles
from imgloop_desktop.accounts.store import (
    DEFAULT_CHOICE,
    AccountStore,
    ActiveChoice,
    KeyringUnavailableError,
    backend_name,
)
from imgloop_desktop.core.i18n_marks import Phrase
from imgloop_desktop.gui.crash import keep_above
from imgloop_desktop.gui.error_box import service_text
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, in_context
from imgloop_desktop.gui.settings_store import APPLICATION, ORGANIZATION
from imgloop_desktop.gui.workers import Workers

log = logging.getLogger(__name__)

DONE_KEY = "firstRun/welcomeDone"
ENV_CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_ROLE_ARN")
FACTS_TIMEOUT_SECONDS = 10.0
CHECKING_KEYRING = QT_TRANSLATE_NOOP("WelcomeDialog", "Checking the system keyring…")
NO_PROFILES = QT_TRANSLATE_NOOP(
    "WelcomeDialog",
    "No profiles found. Run 'aws configure' (access keys) or 'aws configure sso' first, then "
    "choose the profile under AWS accounts.",
)
TRY_DEMO = QT_TRANSLATE_NOOP("WelcomeDialog", "Try the offline demo")


_tr = in_context("WelcomeDialog")


@dataclass(frozen=True)
class FirstRunFacts:
    """What the welcome needs to know, gathered off the GUI thread."""

    accounts: int = 0
    active: ActiveChoice = DEFAULT_CHOICE
    profiles: list[str] = field(default_factory=list)
    keyring_name: str = ""
    keyring_problem: str | Phrase | None = None
    environment_credentials: bool = False

    @property
    def configured(self) -> bool:
        """Whether the person already told us (or their environment tells boto3) which
        credentials to use; only then is the welcome skipped."""
        return self.accounts > 0 or self.active != DEFAULT_CHOICE or self.environment_credentials


def gather_facts(store: AccountStore | None = None) -> FirstRunFacts:
    """Blocking (index file, keyring probe, ~/.aws): call it from a worker thread."""
    store = store or AccountStore()
    try:
        problem: str | Phrase | None = store.problem_phrase()
        name = backend_name(store.backend())
    except Exception as exc:  # a broken keyring setup must not stop the welcome
        log.debug("keyring probe failed", exc_info=True)
        problem = QCoreApplication.translate(
            "WelcomeDialog", "The keyring could not be checked ({kind}: {error})."
        ).format(kind=type(exc).__name__, error=exc)
        name = ""
    return FirstRunFacts(
        accounts=len(store.list_accounts()),
        active=store.active(),
        profiles=available_profiles(),
        keyring_name=name,
        keyring_problem=problem,
        environment_credentials=any(os.environ.get(v) for v in ENV_CREDENTIALS),
    )


def welcome_settings() -> QSettings:
    """The window's own settings file (same organization and application names)."""
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
    )


def welcome_done(settings: QSettings | None = None) -> bool:
    value = (settings or welcome_settings()).value(DONE_KEY, False)
    return value is True or str(value).lower() in ("true", "1")


def mark_welcome_done(settings: QSettings | None = None) -> None:
    (settings or welcome_settings()).setValue(DONE_KEY, True)


def _card(title: str, text: str, *widgets: QWidget) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    column = QVBoxLayout(frame)
    heading = QLabel(f"<b>{title}</b>")
    heading.setTextFormat(Qt.TextFormat.RichText)
    column.addWidget(heading)
    body = QLabel(text)
    body.setWordWrap(True)
    column.addWidget(body)
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    row.addStretch(1)
    column.addLayout(row)
    return frame, column


class WelcomeDialog(QDialog):
    """Emits what the person chose and closes; it opens nothing itself."""

    addKeysRequested = Signal()
    profileChosen = Signal(str)
    demoRequested = Signal()

    def __init__(self, facts: FirstRunFacts | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeDialog")
        self.setWindowTitle(
            QCoreApplication.translate("WelcomeDialog", "Welcome to imgloop desktop")
        )
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(640)

        intro = QLabel(
            QCoreApplication.translate(
                "WelcomeDialog",
                "<h2>Welcome to imgloop desktop</h2>"
                "<p>imgloop makes an image on Amazon Bedrock, has a vision model judge it against "
                "your words, and rewrites the prompt until an image matches. Choose how it "
                "should reach AWS; you can change this any time.</p>",
            )
        )
        intro.setTextFormat(Qt.TextFormat.RichText)
        intro.setWordWrap(True)

        self.add_keys_button = QPushButton(
            QCoreApplication.translate("WelcomeDialog", "Add AWS access keys…")
        )
        self.add_keys_button.setObjectName("welcomeAddKeys")
        self.add_keys_button.clicked.connect(self._add_keys)
        self.keyring_label = QLabel()
        self.keyring_label.setObjectName("welcomeKeyringState")
        self.keyring_label.setWordWrap(True)
        keys_card, keys_column = _card(
            QCoreApplication.translate("WelcomeDialog", "Add AWS access keys"),
            QCoreApplication.translate(
                "WelcomeDialog",
                "Paste an access key id and secret. They are kept in your system keyring, "
                "never in a file, a log or the history.",
            ),
            self.add_keys_button,
        )
        keys_column.addWidget(self.keyring_label)

        self.profile_combo = QComboBox()
        self.profile_combo.setObjectName("welcomeProfiles")
        self.profile_combo.setMinimumWidth(200)
        self.use_profile_button = QPushButton(
            QCoreApplication.translate("WelcomeDialog", "Use this profile")
        )
        self.use_profile_button.setObjectName("welcomeUseProfile")
        self.use_profile_button.clicked.connect(self._use_profile)
        self.profile_label = QLabel()
        self.profile_label.setObjectName("welcomeProfileState")
        self.profile_label.setWordWrap(True)
        profile_card, profile_column = _card(
            QCoreApplication.translate("WelcomeDialog", "Use an existing AWS profile"),
            QCoreApplication.translate(
                "WelcomeDialog",
                "If you already use the AWS CLI (access keys, SSO or a role), pick one of its "
                "profiles from ~/.aws.",
            ),
            self.profile_combo,
            self.use_profile_button,
        )
        profile_column.addWidget(self.profile_label)

        self.demo_button = QPushButton(_tr(TRY_DEMO))
        self.demo_button.setObjectName("welcomeDemo")
        self.demo_button.clicked.connect(self._demo)
        demo_card, _ = _card(
            _tr(TRY_DEMO),
            QCoreApplication.translate(
                "WelcomeDialog",
                "No AWS account needed: Bedrock is simulated on this computer and the images "
                "are synthetic (they say so). Nothing is sent anywhere.",
            ),
            self.demo_button,
        )

        buttons = QDialogButtonBox()
        later = buttons.addButton(
            QCoreApplication.translate("WelcomeDialog", "Later"),
            QDialogButtonBox.ButtonRole.RejectRole,
        )
        later.setObjectName("welcomeLater")
        later.clicked.connect(self.reject)
        footer = QLabel(
            QCoreApplication.translate(
                "WelcomeDialog",
                "Later: Settings, Preferences: AWS accounts… (Ctrl+,) and the Backend picker "
                "in the toolbar offer the same choices.",
            )
        )
        footer.setWordWrap(True)

        # The choices scroll when the screen is short (1280x720, or 2x scale): a dialog
        # taller than its screen would clip its own text, with the buttons out of reach.
        content = QWidget()
        content.setObjectName("welcomeContent")
        inner = QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 0, 0)
        for widget in (intro, keys_card, profile_card, demo_card, footer):
            inner.addWidget(widget)
        inner.addStretch(1)
        self.choices_scroll = QScrollArea()
        self.choices_scroll.setObjectName("welcomeScroll")
        self.choices_scroll.setWidgetResizable(True)
        self.choices_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.choices_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.choices_scroll.setWidget(content)
        column = QVBoxLayout(self)
        column.addWidget(self.choices_scroll, 1)
        column.addWidget(buttons)

        self.set_facts(facts)
        self._fit_to_screen(content)

    def _fit_to_screen(self, content: QWidget) -> None:
        """As tall as the content wants, at most nine tenths of the screen it opens on."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        wanted = content.sizeHint().height() + 80
        if screen is not None:
            wanted = min(wanted, int(screen.availableGeometry().height() * 0.9))
        self.resize(max(self.width(), 640), wanted)

    def set_facts(self, facts: FirstRunFacts | None) -> None:
        """Fill in the profiles and the keyring state (None: still being checked)."""
        if facts is None:
            self.keyring_label.setText(_tr(CHECKING_KEYRING))
            self.add_keys_button.setEnabled(False)
            self.profile_combo.setEnabled(False)
            self.use_profile_button.setEnabled(False)
            self.profile_label.setText(
                QCoreApplication.translate("WelcomeDialog", "Looking for AWS profiles…")
            )
            self.profile_label.setVisible(True)
            return
        if facts.keyring_problem:
            error = KeyringUnavailableError(facts.keyring_problem)
            self.keyring_label.setText(f"⚠ {service_text(error)}")
            self.keyring_label.setStyleSheet("color: #8a4b00;")
            self.add_keys_button.setEnabled(False)
        else:
            if facts.keyring_name:
                text = QCoreApplication.translate(
                    "WelcomeDialog", "Keyring in use ({name})."
                ).format(name=facts.keyring_name)
            else:
                text = QCoreApplication.translate("WelcomeDialog", "Keyring in use.")
            self.keyring_label.setText(text)
            self.keyring_label.setStyleSheet("")
            self.add_keys_button.setEnabled(True)
        self.profile_combo.clear()
        self.profile_combo.addItems(facts.profiles)
        has_profiles = bool(facts.profiles)
        self.profile_combo.setEnabled(has_profiles)
        self.use_profile_button.setEnabled(has_profiles)
        self.profile_label.setText("" if has_profiles else _tr(NO_PROFILES))
        self.profile_label.setVisible(not has_profiles)

    @Slot()
    def _add_keys(self) -> None:
        self.accept()
        self.addKeysRequested.emit()

    @Slot()
    def _use_profile(self) -> None:
        name = self.profile_combo.currentText()
        if not name:
            return
        self.accept()
        self.profileChosen.emit(name)

    @Slot()
    def _demo(self) -> None:
        self.accept()
        self.demoRequested.emit()


class WelcomeTarget(Protocol):
    """What ``connect_to_window`` needs from the main window."""

    def open_accounts(self) -> None: ...

    def select_backend(self, key: str) -> bool: ...


def connect_to_window(dialog: WelcomeDialog, window: WelcomeTarget) -> None:
    """Keys → the accounts dialog; a profile or the demo → the window's backend picker.

    The slots hold the window weakly: the dialog is the window's child, and a slot keeping
    the window alive would make deleting the dialog delete the window (and so the dialog)
    from inside the dialog's destructor.
    """
    from imgloop_desktop.services.backends import DEMO_KEY, PROFILE_PREFIX

    ref = weakref.ref(window)

    def add_keys() -> None:
        target = ref()
        if target is not None:
            target.open_accounts()

    def use_profile(name: str) -> None:
        target = ref()
        if target is not None and not target.select_backend(PROFILE_PREFIX + name):
            log.warning("profile %s is not in the backend picker", name)

    def use_demo() -> None:
        target = ref()
        if target is not None:
            target.select_backend(DEMO_KEY)

    dialog.addKeysRequested.connect(add_keys)
    dialog.profileChosen.connect(use_profile)
    dialog.demoRequested.connect(use_demo)


class WelcomeFlow(QObject):
    """Decides off the GUI thread whether to welcome, then opens the dialog over ``window``.

    ``decided`` carries the facts (or None if they could not be gathered); ``dialog`` is
    the open welcome, if one was shown. ``force`` shows it even when already done or
    configured (a "Show welcome" menu item).
    """

    decided = Signal(object)

    def __init__(
        self,
        window: QWidget,
        *,
        store: AccountStore | None = None,
        settings: QSettings | None = None,
        force: bool = False,
    ) -> None:
        super().__init__(window)
        # Weak: this flow is the window's child, and must not be what keeps it alive.
        self._window = weakref.ref(window)
        self.store = store
        self.settings = settings or welcome_settings()
        self.force = force
        self.dialog: WelcomeDialog | None = None
        self.facts: FirstRunFacts | None = None
        self._workers = Workers("welcome-facts", max_threads=1, parent=self)

    def start(self) -> bool:
        """Start deciding; False when the welcome was already done (nothing started)."""
        if not self.force and welcome_done(self.settings):
            return False
        store = self.store

        def failed(error: BaseException) -> None:
            log.warning("could not check whether to show the welcome: %s", error)
            self._decided(None)

        # If the window closes meanwhile, this flow (its child) goes with it and the answer
        # is dropped: nobody is left to welcome.
        self._workers.start(lambda: gather_facts(store), returned=self._decided, errored=failed)
        return True

    def wait(self, timeout: float = FACTS_TIMEOUT_SECONDS) -> bool:
        return self._workers.wait(timeout)

    def _decided(self, facts: FirstRunFacts | None) -> None:
        self.facts = facts
        wanted = self.facts is not None and (self.force or not self.facts.configured)
        if wanted and self.window is not None:
            log.info("nothing is configured yet: showing the first-run welcome")
            self.show(self.facts)
        self.decided.emit(self.facts)

    @property
    def window(self) -> QWidget | None:
        return self._window()

    def show(self, facts: FirstRunFacts | None) -> WelcomeDialog:
        if self.dialog is not None:
            self.dialog.set_facts(facts)
            return self.dialog
        window = self.window
        dialog = WelcomeDialog(facts, window)
        if _is_target(window):
            connect_to_window(dialog, window)
        dialog.finished.connect(self._finished)
        dialog.destroyed.connect(self._forget_dialog)
        self.dialog = dialog
        dialog.open()
        keep_above(dialog)  # a crash report or trace already open stays readable above it
        return dialog

    @Slot(int)
    def _finished(self, _result: int) -> None:
        mark_welcome_done(self.settings)

    @Slot()
    def _forget_dialog(self) -> None:
        self.dialog = None


def _is_target(window: object) -> TypeGuard[WelcomeTarget]:
    return callable(getattr(window, "open_accounts", None)) and callable(
        getattr(window, "select_backend", None)
    )


def maybe_show_welcome(window: QWidget, *, force: bool = False) -> WelcomeFlow:
    """Show the welcome over ``window`` if this is a first run with nothing configured.

    Returns at once; keep the returned flow only if you want to watch ``decided``.
    """
    flow = WelcomeFlow(window, force=force)
    flow.start()
    return flow

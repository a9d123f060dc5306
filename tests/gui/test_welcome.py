"""The first-run welcome: shown over the window only when nothing is configured, decided
off the GUI thread, three choices that reach the window, the no-keyring message, and
shown once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from imgloop_desktop.accounts.store import AccountStore
from imgloop_desktop.gui.welcome import (
    CHECKING_KEYRING,
    NO_PROFILES,
    FirstRunFacts,
    WelcomeDialog,
    WelcomeFlow,
    gather_facts,
    welcome_done,
    welcome_settings,
)
from imgloop_desktop.services.backends import DEMO_KEY, PROFILE_PREFIX
from tests.keyring_fixtures import KEY_ID, SECRET, MemoryKeyring, use_memory_keyring, use_no_keyring

FLOW_TIMEOUT_MS = 10_000


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    yield from use_memory_keyring()


@pytest.fixture
def no_keyring(memory_keyring: MemoryKeyring) -> Iterator[KeyringBackend]:
    yield from use_no_keyring()


@pytest.fixture
def first_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Nothing configured: no AWS variables, two profiles in ~/.aws/config."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "aws-config"
    config.write_text("[default]\nregion = us-east-1\n\n[profile work]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    return config


class FakeWindow(QMainWindow):
    """The two calls the welcome makes on the real main window."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def open_accounts(self) -> None:
        self.calls.append("accounts")

    def select_backend(self, key: str) -> bool:
        self.calls.append(key)
        return True


@pytest.fixture
def window(qtbot: QtBot) -> FakeWindow:
    w = FakeWindow()
    qtbot.addWidget(w)
    w.show()
    return w


def run_flow(qtbot: QtBot, flow: WelcomeFlow) -> object:
    with qtbot.waitSignal(flow.decided, timeout=FLOW_TIMEOUT_MS) as decided:
        assert flow.start()
    assert flow.wait()
    return decided.args[0]


def test_first_run_shows_the_welcome_and_the_demo_choice_reaches_the_window(
    qtbot: QtBot, window: FakeWindow, first_run: Path
) -> None:
    flow = WelcomeFlow(window)
    facts = run_flow(qtbot, flow)
    assert isinstance(facts, FirstRunFacts)
    assert not facts.configured
    dialog = flow.dialog
    assert isinstance(dialog, WelcomeDialog)
    qtbot.waitExposed(dialog)
    assert dialog.add_keys_button.isEnabled()
    assert [dialog.profile_combo.itemText(i) for i in range(dialog.profile_combo.count())] == [
        "default",
        "work",
    ]
    dialog.demo_button.click()
    assert window.calls == [DEMO_KEY]
    assert welcome_done(welcome_settings())
    # Shown once: the next start decides nothing.
    assert not WelcomeFlow(window).start()


def test_profile_and_keys_choices(qtbot: QtBot, window: FakeWindow, first_run: Path) -> None:
    flow = WelcomeFlow(window)
    run_flow(qtbot, flow)
    assert flow.dialog is not None
    flow.dialog.profile_combo.setCurrentText("work")
    with qtbot.waitSignal(flow.dialog.profileChosen) as chosen:
        flow.dialog.use_profile_button.click()
    assert chosen.args == ["work"]
    assert window.calls == [PROFILE_PREFIX + "work"]

    again = WelcomeFlow(window, force=True)
    run_flow(qtbot, again)
    assert again.dialog is not None
    again.dialog.add_keys_button.click()
    assert window.calls[-1] == "accounts"


def test_no_keyring_disables_keys_and_says_why(
    qtbot: QtBot, window: FakeWindow, first_run: Path, no_keyring: KeyringBackend
) -> None:
    flow = WelcomeFlow(window)
    run_flow(qtbot, flow)
    dialog = flow.dialog
    assert dialog is not None
    assert not dialog.add_keys_button.isEnabled()
    text = dialog.keyring_label.text()
    assert "No keyring is available" in text
    assert "AWS profile" in text  # the way out, in plain words
    assert dialog.demo_button.isEnabled()
    dialog.reject()
    assert welcome_done(welcome_settings())


@pytest.mark.parametrize("setup", ["account", "profile", "environment"])
def test_no_welcome_when_something_is_configured(
    qtbot: QtBot,
    window: FakeWindow,
    first_run: Path,
    monkeypatch: pytest.MonkeyPatch,
    setup: str,
) -> None:
    store = AccountStore()
    if setup == "account":
        store.add("work", KEY_ID, SECRET, None, "us-east-1")
    elif setup == "profile":
        store.set_active_profile("work")
    else:
        monkeypatch.setenv("AWS_PROFILE", "work")
    flow = WelcomeFlow(window)
    facts = run_flow(qtbot, flow)
    assert isinstance(facts, FirstRunFacts) and facts.configured
    assert flow.dialog is None
    assert not welcome_done(welcome_settings())  # not shown, so not "done"


def test_facts_without_profiles_explain_how_to_make_one(
    qtbot: QtBot, first_run: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "missing"))
    facts = gather_facts()
    assert facts.profiles == []
    dialog = WelcomeDialog(facts)
    qtbot.addWidget(dialog)
    assert not dialog.use_profile_button.isEnabled()
    assert dialog.profile_label.text() == NO_PROFILES


def test_dialog_waits_for_facts_without_blocking(qtbot: QtBot) -> None:
    dialog = WelcomeDialog(None)
    qtbot.addWidget(dialog)
    assert not dialog.add_keys_button.isEnabled()
    assert dialog.keyring_label.text() == CHECKING_KEYRING
    assert dialog.demo_button.isEnabled()  # the demo needs nothing checked


def test_on_a_short_screen_the_choices_scroll_instead_of_being_cut(qtbot: QtBot) -> None:
    dialog = WelcomeDialog(None)
    qtbot.addWidget(dialog)
    dialog.show()
    room = dialog.screen().availableGeometry()
    assert dialog.height() <= room.height() * 0.9 + 1
    content = dialog.choices_scroll.widget()
    # Every choice lives in the scrolled content at its full height, nothing squeezed.
    assert content.isAncestorOf(dialog.demo_button)
    assert content.isAncestorOf(dialog.add_keys_button)
    assert content.height() >= content.minimumSizeHint().height()

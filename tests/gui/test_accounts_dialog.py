"""The accounts dialog driven by pytest-qt, offscreen, over an in-memory keyring: adding,
replacing, switching, deleting, testing off the GUI thread, the profile route, the
no-keyring message, and no secret in any widget text, settings file or data file."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from keyring.backend import KeyringBackend
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QListWidget, QWidget
from pytestqt.qtbot import QtBot

from imgloop_desktop.accounts.check import CheckResult
from imgloop_desktop.accounts.store import AccountStore, ActiveChoice
from imgloop_desktop.core.params import DEFAULT_IMAGE_MODEL, DEFAULT_JUDGE_MODEL, RunParams
from imgloop_desktop.core.protocols import InferenceSettings
from imgloop_desktop.gui import accounts_dialog
from imgloop_desktop.gui.accounts_dialog import (
    ACCOUNT_ROW,
    ACTIVE,
    ACTIVE_MARK,
    ALL_ANSWERED,
    CHECK_LINE,
    FAILED,
    NO_LONGER_STORED,
    PASSED,
    REPLACE_KEYS,
    RUNS_USE,
    SAVE_REGION,
    SAVED,
    SOME_FAILED,
    TEMPORARY,
    TESTING,
    AccountsDialog,
    open_accounts_dialog,
)
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.conftest import FAKE_KEY_ID
from tests.keyring_fixtures import (
    KEY_ID,
    SECRET,
    SESSION_TOKEN,
    TEMP_KEY_ID,
    TEMP_SECRET,
    MemoryKeyring,
    use_memory_keyring,
    use_no_keyring,
)

SECRETS = (SECRET, TEMP_SECRET, SESSION_TOKEN)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    yield from use_memory_keyring()


# The default models (Stability SD3.5 Large, Claude Sonnet 4.6 through its us. profile) are
# both served in us-west-2 only of the US regions, as today's Bedrock (the simulator) does.
CHECK_REGION = "us-west-2"


@pytest.fixture
def dialog(qtbot: QtBot) -> AccountsDialog:
    widget = AccountsDialog(region=CHECK_REGION)
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def sts_endpoint(moto_s3_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", moto_s3_url)
    return moto_s3_url


def fill(dialog: AccountsDialog, name: str, key_id: str, secret: str, token: str = "") -> None:
    dialog.mode_keyring.setChecked(True)
    assert dialog.keyring_group.isEnabled()
    dialog.name_edit.setText(name)
    dialog.key_id_edit.setText(key_id)
    dialog.secret_edit.setText(secret)
    dialog.token_edit.setText(token)
    dialog.region_combo.setCurrentText("us-east-1")


def save(qtbot: QtBot, dialog: AccountsDialog) -> None:
    with qtbot.waitSignal(dialog.account_saved, timeout=10_000):
        dialog.save_button.click()
    qtbot.waitUntil(lambda: not dialog.busy)


def shown_texts(root: QWidget) -> list[str]:
    """Every string the dialog shows or exposes, except what the two password fields hold."""
    texts = [root.windowTitle(), root.toolTip()]
    for widget in root.findChildren(QWidget):
        texts += [widget.toolTip(), widget.statusTip(), widget.whatsThis(), widget.windowTitle()]
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts += [widget.displayText(), widget.placeholderText()]
            if widget.echoMode() == QLineEdit.EchoMode.Normal:
                texts.append(widget.text())
        if isinstance(widget, QListWidget):
            for row in range(widget.count()):
                item = widget.item(row)
                texts += [item.text(), item.toolTip()]
    return texts


def leaks(root: Path) -> list[str]:
    needles = [s.encode(enc) for s in SECRETS for enc in ("utf-8", "utf-16-le")]
    return [
        str(path)
        for path in root.rglob("*")
        if path.is_file() and any(n in path.read_bytes() for n in needles)
    ]


def test_adding_an_account_stores_it_and_clears_the_secret(
    qtbot: QtBot, dialog: AccountsDialog, memory_keyring: MemoryKeyring
) -> None:
    assert dialog.secret_edit.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.token_edit.echoMode() == QLineEdit.EchoMode.Password
    fill(dialog, "work", KEY_ID, SECRET)
    assert dialog.secret_edit.displayText() != SECRET
    assert not any(SECRET in text for text in shown_texts(dialog))

    save(qtbot, dialog)

    assert ("imgloop-desktop/aws/work", "secret_access_key") in memory_keyring.entries
    assert AccountStore().get("work").secret_access_key == SECRET
    for edit in (dialog.key_id_edit, dialog.secret_edit, dialog.token_edit):
        assert edit.text() == ""
    assert dialog.accounts_list.count() == 1
    item = dialog.accounts_list.item(0)
    work = ACCOUNT_ROW.format(name="work", region="us-east-1", key="AKIA…WXYZ")
    assert item.text() == f"{ACTIVE_MARK}{work}{ACTIVE}"
    assert item.font().bold()
    described = "keyring account 'work' (AKIA…WXYZ)"  # the account's own words (accounts/)
    assert dialog.active_label.text() == RUNS_USE.format(choice=described)
    assert dialog.message_label.text() == SAVED.format(account=described, region="us-east-1")
    texts = shown_texts(dialog)
    assert not any(secret in text for text in texts for secret in (*SECRETS, KEY_ID))


def test_bad_input_is_named_masked_and_kept_for_fixing(
    qtbot: QtBot, dialog: AccountsDialog, memory_keyring: MemoryKeyring
) -> None:
    fill(dialog, "temp", TEMP_KEY_ID, TEMP_SECRET[:-3])
    with qtbot.waitSignal(dialog.failed) as blocker:
        dialog.save_button.click()
    message = str(blocker.args[0]) if blocker.args else ""
    assert "secret_access_key" in message and "<hidden, 37 characters>" in message
    assert "session_token" in message  # ASIA keys need one
    assert TEMP_SECRET[:-3] not in message
    assert memory_keyring.entries == {}
    assert dialog.secret_edit.text() == TEMP_SECRET[:-3]  # the person fixes, not retypes

    dialog.secret_edit.setText(TEMP_SECRET)
    dialog.token_edit.setText(SESSION_TOKEN)
    save(qtbot, dialog)
    assert dialog.accounts_list.item(0).text().endswith(f"ASIA…TMP1{TEMPORARY}{ACTIVE}")


def test_region_only_and_replacing_keys(qtbot: QtBot, dialog: AccountsDialog) -> None:
    fill(dialog, "work", KEY_ID, SECRET)
    save(qtbot, dialog)
    dialog.accounts_list.setCurrentRow(0)
    assert dialog.name_edit.text() == "work"
    assert dialog.save_button.text() == SAVE_REGION
    assert "AKIA…WXYZ" in dialog.key_id_edit.placeholderText()

    dialog.region_combo.setCurrentText("eu-west-1")
    save(qtbot, dialog)
    assert AccountStore().get("work").region == "eu-west-1"

    dialog.key_id_edit.setText(TEMP_KEY_ID)
    dialog.secret_edit.setText(TEMP_SECRET)
    dialog.token_edit.setText(SESSION_TOKEN)
    assert dialog.save_button.text() == REPLACE_KEYS.format(name="work")
    save(qtbot, dialog)
    keys = AccountStore().get("work")
    assert (keys.access_key_id, keys.session_token) == (TEMP_KEY_ID, SESSION_TOKEN)


def test_switching_and_deleting(qtbot: QtBot, dialog: AccountsDialog) -> None:
    fill(dialog, "work", KEY_ID, SECRET)
    save(qtbot, dialog)
    dialog.new_button.click()
    fill(dialog, "home", KEY_ID.replace("WXYZ", "HOME"), SECRET)
    save(qtbot, dialog)
    rows = [dialog.accounts_list.item(i).text() for i in range(dialog.accounts_list.count())]
    work = ACCOUNT_ROW.format(name="work", region="us-east-1", key="AKIA…WXYZ")
    assert rows == [
        ACCOUNT_ROW.format(name="home", region="us-east-1", key="AKIA…HOME"),
        f"{ACTIVE_MARK}{work}{ACTIVE}",
    ]

    dialog.accounts_list.setCurrentRow(0)
    with qtbot.waitSignal(dialog.active_changed):
        dialog.use_account_button.click()
    assert AccountStore().active() == ActiveChoice("keyring", "home")
    assert dialog.accounts_list.item(0).text().startswith(f"{ACTIVE_MARK}home")

    dialog.accounts_list.setCurrentRow(0)
    with qtbot.waitSignal(dialog.account_deleted, timeout=10_000):
        dialog.delete_button.click()
    qtbot.waitUntil(lambda: not dialog.busy)
    assert [a.name for a in AccountStore().list_accounts()] == ["work"]
    assert AccountStore().active() == ActiveChoice("keyring", "home")
    assert dialog.active_label.text() == RUNS_USE.format(
        choice=NO_LONGER_STORED.format(name="home")
    )


def test_the_profile_route(qtbot: QtBot, tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    (tmp_path / "aws-config").write_text(
        "[profile dev]\nregion = eu-west-1\n[profile sso-work]\nsso_session = corp\n",
        encoding="utf-8",
    )
    dialog = AccountsDialog()
    qtbot.addWidget(dialog)
    combo = dialog.profile_combo
    assert [combo.itemText(i) for i in range(combo.count())][1:] == ["dev", "sso-work"]
    assert dialog.mode_profile.isChecked()  # no account yet: the standard chain is active

    combo.setCurrentIndex(combo.findData("dev"))
    with qtbot.waitSignal(dialog.active_changed):
        dialog.use_profile_button.click()
    assert AccountStore().active() == ActiveChoice("profile", "dev")
    assert dialog.active_label.text() == RUNS_USE.format(choice="AWS profile 'dev'")


def test_test_connection_runs_off_the_gui_thread_and_lists_each_result(
    qtbot: QtBot,
    dialog: AccountsDialog,
    sts_endpoint: str,
    bedrock_sim: BedrockSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fill(dialog, "work", KEY_ID, SECRET)
    save(qtbot, dialog)
    dialog.accounts_list.setCurrentRow(0)
    threads: list[threading.Thread] = []
    real_check = accounts_dialog.check_connection

    def recording_check(*args: Any, **kwargs: Any) -> list[CheckResult]:
        threads.append(threading.current_thread())
        return real_check(*args, **kwargs)

    monkeypatch.setattr(accounts_dialog, "check_connection", recording_check)
    bedrock_sim.script.set_latency("generate", 0.3)

    with qtbot.waitSignal(dialog.check_finished, timeout=20_000) as blocker:
        dialog.test_button.click()
        # The click returned while the check is still waiting on Bedrock.
        assert dialog.busy and not dialog.test_button.isEnabled()
        assert dialog.results_list.item(0).text() == TESTING.format(
            source="keyring account 'work' (AKIA…WXYZ)"
        )
    qtbot.waitUntil(lambda: not dialog.busy)

    assert threads and threads[0] is not threading.main_thread()
    results = blocker.args[0] if blocker.args else []
    assert [r.ok for r in results] == [True, True, True]
    lines = [dialog.results_list.item(i).text() for i in range(dialog.results_list.count())]
    # The checks' own words come from accounts/check.py; the dialog adds the mark and name.
    assert lines[0].startswith(
        CHECK_LINE.format(
            mark=PASSED, name="AWS identity", detail="Signed in to AWS account 123456789012"
        )
    )
    assert lines[1] == CHECK_LINE.format(
        mark=PASSED,
        name="Image model",
        detail=f"{DEFAULT_IMAGE_MODEL} answers in {CHECK_REGION}.",
    )
    assert lines[2].startswith(CHECK_LINE.format(mark=PASSED, name="Judge model", detail=""))
    assert {c.access_key_id for c in bedrock_sim.calls} == {KEY_ID}
    assert dialog.message_label.text() == ALL_ANSWERED


def test_testing_the_standard_chain(
    qtbot: QtBot, dialog: AccountsDialog, sts_endpoint: str, bedrock_sim: BedrockSimulator
) -> None:
    dialog.mode_profile.setChecked(True)
    dialog.profile_combo.setCurrentIndex(0)
    with qtbot.waitSignal(dialog.check_finished, timeout=20_000):
        dialog.test_button.click()
    qtbot.waitUntil(lambda: not dialog.busy)
    assert {c.access_key_id for c in bedrock_sim.calls} == {FAKE_KEY_ID}


def test_failures_are_shown_in_plain_words(
    qtbot: QtBot, dialog: AccountsDialog, sts_endpoint: str, bedrock_sim: BedrockSimulator
) -> None:
    fill(dialog, "work", KEY_ID, SECRET)
    save(qtbot, dialog)
    dialog.accounts_list.setCurrentRow(0)
    bedrock_sim.script.fail("generate", "AccessDeniedException")
    with qtbot.waitSignal(dialog.check_finished, timeout=20_000):
        dialog.test_button.click()
    qtbot.waitUntil(lambda: not dialog.busy)
    assert (
        dialog.results_list.item(1)
        .text()
        .startswith(CHECK_LINE.format(mark=FAILED, name="Image model", detail="Access denied to"))
    )
    assert dialog.message_label.text() == SOME_FAILED


@pytest.fixture
def no_keyring(memory_keyring: MemoryKeyring) -> Iterator[KeyringBackend]:
    yield from use_no_keyring()


def test_no_keyring_says_so_and_offers_the_profile_route(
    qtbot: QtBot, no_keyring: KeyringBackend
) -> None:
    dialog = AccountsDialog()
    qtbot.addWidget(dialog)
    text = dialog.keyring_status.text()
    assert "No keyring is available on this computer" in text
    assert "AWS profile" in text and "never writes access keys to a plain file" in text
    assert not dialog.keyring_usable
    assert not dialog.keyring_group.isEnabled()
    assert not dialog.mode_keyring.isEnabled()
    assert dialog.mode_profile.isChecked()
    assert not dialog.save_button.isEnabled()


def test_the_check_sends_the_forms_judge_settings(
    qtbot: QtBot, dialog: AccountsDialog, sts_endpoint: str, bedrock_sim: BedrockSimulator
) -> None:
    """With no settings given, the defaults' judge settings go with the judge's probe."""
    defaults = RunParams().validate_settings
    assert dialog.judge_settings == defaults
    fill(dialog, "work", KEY_ID, SECRET)
    save(qtbot, dialog)
    dialog.accounts_list.setCurrentRow(0)
    with qtbot.waitSignal(dialog.check_finished, timeout=20_000):
        dialog.test_button.click()
    qtbot.waitUntil(lambda: not dialog.busy)
    body = bedrock_sim.last("revise").body
    assert bedrock_sim.last("revise").model_id == DEFAULT_JUDGE_MODEL
    expected: dict[str, object] = {"maxTokens": 1}
    if defaults.temperature is not None:
        expected["temperature"] = defaults.temperature
    if defaults.top_p is not None:
        expected["topP"] = defaults.top_p
    assert body["inferenceConfig"] == expected
    assert dialog.message_label.text() == ALL_ANSWERED


def test_a_judge_rejecting_the_forms_settings_is_a_failed_line(
    qtbot: QtBot, sts_endpoint: str, bedrock_sim: BedrockSimulator
) -> None:
    AccountStore().add("work", KEY_ID, SECRET, None, "us-east-1")
    settings = InferenceSettings(temperature=0.5, top_p=0.9, top_k=None, max_tokens=1000)
    dialog = AccountsDialog(judge_settings=settings, region=CHECK_REGION)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.check_finished, timeout=20_000) as blocker:
        dialog.test_button.click()
    qtbot.waitUntil(lambda: not dialog.busy)
    results = blocker.args[0]
    assert [r.ok for r in results] == [True, True, False]
    judge_line = dialog.results_list.item(2).text()
    assert judge_line.startswith(
        CHECK_LINE.format(mark=FAILED, name="Judge model", detail=DEFAULT_JUDGE_MODEL)
    )
    assert "Top p or Temperature" in judge_line
    assert dialog.message_label.text() == SOME_FAILED


def test_closing_mid_check_waits_for_the_worker_before_deleting(
    qtbot: QtBot, sts_endpoint: str, bedrock_sim: BedrockSimulator
) -> None:
    AccountStore().add("work", KEY_ID, SECRET, None, "us-east-1")
    dialog = open_accounts_dialog()
    assert dialog.isVisible() and dialog.mode_keyring.isChecked()
    bedrock_sim.script.set_latency("generate", 0.3)
    dialog.test_button.click()
    assert dialog.busy
    with qtbot.waitSignal(dialog.destroyed, timeout=20_000):
        dialog.reject()
    dialog_threads = [t for t in threading.enumerate() if t.name.startswith("accounts-")]
    for thread in dialog_threads:
        thread.join(10)
    assert not any(t.is_alive() for t in dialog_threads)


def test_no_secret_in_widgets_settings_or_data_after_a_session(
    qtbot: QtBot,
    dialog: AccountsDialog,
    tmp_path: Path,
    isolated_qsettings: Path,
    sts_endpoint: str,
    bedrock_sim: BedrockSimulator,
) -> None:
    fill(dialog, "temp", TEMP_KEY_ID, TEMP_SECRET, SESSION_TOKEN)
    save(qtbot, dialog)
    dialog.accounts_list.setCurrentRow(0)
    with qtbot.waitSignal(dialog.check_finished, timeout=20_000):
        dialog.test_button.click()
    qtbot.waitUntil(lambda: not dialog.busy)
    # The window will keep its own settings; make sure one is written and searched.
    settings = QSettings("imgloop", "imgloop-desktop")
    settings.setValue("accounts/active", repr(AccountStore().active()))
    settings.sync()
    dialog.close()

    texts = shown_texts(dialog)
    assert not any(secret in text for text in texts for secret in SECRETS)
    assert list(isolated_qsettings.rglob("*")), "the settings file was written somewhere else"
    assert leaks(tmp_path) == []

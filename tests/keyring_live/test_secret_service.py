"""Accounts against a real Secret Service (gnome-keyring in a private D-Bus session).

CI runs the suite under ``.ci/keyring-session.sh``, which sets
``IMGLOOP_REQUIRE_SECRET_SERVICE=1``: then anything but a reachable Secret Service is a
failure, never a skip. Elsewhere these tests skip, with the reason, unless they run in such
a private session, so they never write into a developer's own keychain.

The second test is the issue's "done when": add an account through the dialog, run the
loop against the simulator with those keys, run again from a fresh process (a restart)
without re-entering anything, delete the account, see the next run refuse; and no byte of
the secret anywhere on disk outside the keyring.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import contextlib
import json
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import SecretService
from pytestqt.qtbot import QtBot

from imgloop_desktop import paths
from imgloop_desktop.accounts.sources import KeyringAccount, active_source
from imgloop_desktop.accounts.store import (
    AccountNotFoundError,
    AccountStore,
    ActiveChoice,
    service_name,
)
from imgloop_desktop.core.events import Outcome
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.gui.accounts_dialog import AccountsDialog
from imgloop_desktop.services import run as run_service
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.conftest import FAKE_KEY_ID
from tests.keyring_fixtures import KEY_ID, SECRET, SESSION_TOKEN, TEMP_KEY_ID, TEMP_SECRET

REQUIRED = os.environ.get("IMGLOOP_REQUIRE_SECRET_SERVICE") == "1"
PRIVATE = os.environ.get("IMGLOOP_KEYRING_SESSION") == "private"
PARAMS = RunParams(
    prompt="a paper boat on a puddle",
    max_retry_attempts=2,
    max_prompt_revisions=1,
    titan_img_width=512,
    titan_img_height=512,
    s3_enabled=False,
)
RESTARTED_RUN = """
import json, sys
from imgloop_desktop.accounts import active_source
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.services import run

source = active_source()
with run.execute(RunParams(**json.loads(sys.argv[1])), credentials=source) as execution:
    result = execution.result
print(json.dumps({"source": str(source.describe()), "outcome": str(result.outcome)}))
"""


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"IMGLOOP_REQUIRE_SECRET_SERVICE=1, but {reason}")
    pytest.skip(f"{reason}; run under .ci/keyring-session.sh to test the real keyring")


@pytest.fixture
def secret_service() -> KeyringBackend:
    backend = keyring.get_keyring()
    if not isinstance(backend, SecretService.Keyring):
        _unavailable(f"keyring uses {type(backend).__module__}.{type(backend).__name__}")
    if not (PRIVATE or REQUIRED):
        pytest.skip(
            "a Secret Service is running, but it may hold your own secrets; run under "
            ".ci/keyring-session.sh to test against a private, throwaway one"
        )
    if shutil.which("secret-tool") is None:
        _unavailable("secret-tool (Debian package libsecret-tools) is not installed")
    return backend


@pytest.fixture
def names(secret_service: KeyringBackend) -> Iterator[list[str]]:
    """Unique account names, removed from the keyring whatever the test did."""
    made: list[str] = []
    yield made
    for name in made:
        for entry in ("access_key_id", "secret_access_key", "session_token", "region"):
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                keyring.delete_password(service_name(name), entry)


def new_name(names: list[str]) -> str:
    names.append(f"live-{uuid.uuid4().hex[:10]}")
    return names[-1]


def lookup(account: str, entry: str) -> str | None:
    """What ``secret-tool`` (libsecret, not python-keyring) finds: proof it is really there."""
    proc = subprocess.run(
        ["secret-tool", "lookup", "service", service_name(account), "username", entry],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return proc.stdout if proc.returncode == 0 and proc.stdout else None


def leaks(root: Path, needles: tuple[str, ...]) -> list[str]:
    patterns = [n.encode(enc) for n in needles for enc in ("utf-8", "utf-16-le")]
    return [
        str(path)
        for path in root.rglob("*")
        if path.is_file() and any(p in path.read_bytes() for p in patterns)
    ]


def test_store_read_switch_delete_in_the_real_keyring(names: list[str]) -> None:
    store = AccountStore()
    work, temp = new_name(names), new_name(names)
    store.add(work, KEY_ID, SECRET, None, "us-east-1")
    store.add(temp, TEMP_KEY_ID, TEMP_SECRET, SESSION_TOKEN, "eu-west-1")

    assert lookup(work, "secret_access_key") == SECRET
    assert lookup(temp, "session_token") == SESSION_TOKEN
    assert lookup(temp, "region") == "eu-west-1"
    keys = AccountStore().get(temp)  # a new store: nothing cached
    assert (keys.access_key_id, keys.secret_access_key, keys.session_token) == (
        TEMP_KEY_ID,
        TEMP_SECRET,
        SESSION_TOKEN,
    )

    assert store.active() == ActiveChoice("keyring", work)
    store.set_active(temp)
    assert active_source() == KeyringAccount(temp)

    store.delete(temp)
    assert lookup(temp, "secret_access_key") is None
    assert lookup(temp, "access_key_id") is None
    assert lookup(work, "secret_access_key") == SECRET
    with pytest.raises(AccountNotFoundError):
        store.get(temp)
    assert leaks(paths.data_dir(), (SECRET, TEMP_SECRET, SESSION_TOKEN)) == []


def test_dialog_run_restart_delete_refuse(
    names: list[str],
    qtbot: QtBot,
    bedrock_sim: BedrockSimulator,
    tmp_path: Path,
) -> None:
    name = new_name(names)
    dialog = AccountsDialog()
    qtbot.addWidget(dialog)
    assert dialog.keyring_usable, dialog.keyring_status.text()
    dialog.mode_keyring.setChecked(True)
    dialog.name_edit.setText(name)
    dialog.key_id_edit.setText(KEY_ID)
    dialog.secret_edit.setText(SECRET)
    dialog.region_combo.setCurrentText("us-east-1")
    with qtbot.waitSignal(dialog.account_saved, timeout=30_000):
        dialog.save_button.click()
    qtbot.waitUntil(lambda: not dialog.busy)
    assert dialog.secret_edit.text() == ""
    assert lookup(name, "secret_access_key") == SECRET

    # A run with the active account: the simulator sees SigV4 made with its key id.
    source = active_source()
    assert source == KeyringAccount(name)
    with run_service.execute(PARAMS, credentials=source) as execution:
        result = execution.result
    assert result.outcome is Outcome.APPROVED
    assert {call.access_key_id for call in bedrock_sim.calls} == {KEY_ID}

    # "Restart": a fresh process finds the account and its keys without being told.
    bedrock_sim.clear_calls()
    proc = subprocess.run(
        [sys.executable, "-c", RESTARTED_RUN, json.dumps(PARAMS.to_event())],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert answer == {"source": f"keyring account '{name}' (AKIA…WXYZ)", "outcome": "approved"}
    assert {call.access_key_id for call in bedrock_sim.calls} == {KEY_ID} != {FAKE_KEY_ID}

    # Delete through the dialog; the next run refuses, plainly, before any Bedrock call.
    dialog.accounts_list.setCurrentRow(
        next(
            i
            for i in range(dialog.accounts_list.count())
            if dialog.accounts_list.item(i).text().find(name) >= 0
        )
    )
    with qtbot.waitSignal(dialog.account_deleted, timeout=30_000):
        dialog.delete_button.click()
    qtbot.waitUntil(lambda: not dialog.busy)
    assert lookup(name, "secret_access_key") is None
    bedrock_sim.clear_calls()
    with pytest.raises(AccountNotFoundError) as refused:
        run_service.execute(PARAMS, credentials=active_source())
    assert f"No AWS account named '{name}' is stored in the keyring" in str(refused.value)
    assert "Add the account again" in str(refused.value)
    assert bedrock_sim.calls == []

    assert leaks(tmp_path, (SECRET,)) == []

"""Accounts in the keyring (an in-memory one here): storing, reading, switching, deleting,
validation that never echoes a secret, and refusing plainly when no keyring works."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import null

from imgloop_desktop.accounts.store import (
    DEFAULT_CHOICE,
    AccountInfo,
    AccountNotFoundError,
    AccountStore,
    ActiveChoice,
    KeyringUnavailableError,
    keyring_problem,
    mask_key_id,
    service_name,
    validate_account,
)
from imgloop_desktop.core.errors import ServiceError, ValidationError
from tests.keyring_fixtures import (
    KEY_ID,
    SECRET,
    SESSION_TOKEN,
    TEMP_KEY_ID,
    TEMP_SECRET,
    LockedKeyring,
    MemoryKeyring,
)


def add_work(store: AccountStore, name: str = "work", region: str = "us-east-1") -> AccountInfo:
    return store.add(name, KEY_ID, SECRET, None, region)


def all_files(*roots: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for root in roots for path in root.rglob("*") if path.is_file()}


def test_add_keeps_each_secret_under_the_accounts_service_name(
    store: AccountStore, memory_keyring: MemoryKeyring
) -> None:
    info = add_work(store)

    assert info == AccountInfo("work", "us-east-1", "WXYZ", temporary=False)
    assert memory_keyring.entries == {
        ("imgloop-desktop/aws/work", "access_key_id"): KEY_ID,
        ("imgloop-desktop/aws/work", "secret_access_key"): SECRET,
        ("imgloop-desktop/aws/work", "region"): "us-east-1",
    }
    keys = store.get("work")
    assert (keys.access_key_id, keys.secret_access_key, keys.session_token, keys.region) == (
        KEY_ID,
        SECRET,
        None,
        "us-east-1",
    )


def test_the_index_holds_names_and_regions_but_no_secret(
    store: AccountStore, isolated_env: Path
) -> None:
    store.add("temp", TEMP_KEY_ID, TEMP_SECRET, SESSION_TOKEN, "eu-west-1")
    add_work(store)

    index = isolated_env / "accounts.json"
    raw = index.read_bytes()
    for secret in (SECRET, TEMP_SECRET, SESSION_TOKEN, KEY_ID, TEMP_KEY_ID):
        assert secret.encode() not in raw
    data = json.loads(raw)
    assert data["accounts"] == {
        "temp": {"region": "eu-west-1", "key_id_suffix": "TMP1", "temporary": True},
        "work": {"region": "us-east-1", "key_id_suffix": "WXYZ", "temporary": False},
    }
    assert [a.name for a in store.list_accounts()] == ["temp", "work"]


def test_temporary_keys_keep_their_session_token(store: AccountStore) -> None:
    info = store.add("temp", TEMP_KEY_ID, TEMP_SECRET, SESSION_TOKEN, "eu-west-1")
    assert info.temporary and info.masked_key_id == "ASIA…TMP1"
    assert store.get("temp").session_token == SESSION_TOKEN


def test_pasted_whitespace_is_dropped(store: AccountStore) -> None:
    store.add("  work ", f" {KEY_ID}\n", f"{SECRET}\n", "  ", " us-west-2 ")
    keys = store.get("work")
    assert (keys.access_key_id, keys.secret_access_key, keys.session_token, keys.region) == (
        KEY_ID,
        SECRET,
        None,
        "us-west-2",
    )


def test_repr_and_str_mask_the_secrets(store: AccountStore) -> None:
    store.add("temp", TEMP_KEY_ID, TEMP_SECRET, SESSION_TOKEN, "eu-west-1")
    keys = store.get("temp")
    for text in (repr(keys), str(keys), f"{keys}", repr([keys])):
        assert TEMP_SECRET not in text
        assert SESSION_TOKEN not in text
        assert TEMP_KEY_ID not in text
        assert "ASIA…TMP1" in text


def test_first_account_becomes_active_and_switching_is_explicit(store: AccountStore) -> None:
    assert store.active() == DEFAULT_CHOICE
    add_work(store)
    assert store.active() == ActiveChoice("keyring", "work")
    store.add("home", KEY_ID.replace("WXYZ", "HOME"), SECRET, None, "us-west-2")
    assert store.active() == ActiveChoice("keyring", "work")

    store.set_active("home")
    assert store.active() == ActiveChoice("keyring", "home")
    assert AccountStore().active() == ActiveChoice("keyring", "home")  # a restart sees it

    store.set_active_profile("dev")
    assert store.active() == ActiveChoice("profile", "dev")
    store.set_active_profile(None)
    assert store.active() == DEFAULT_CHOICE


def test_switching_to_an_unknown_account_is_refused(store: AccountStore) -> None:
    with pytest.raises(AccountNotFoundError, match="'nope'"):
        store.set_active("nope")


def test_adding_an_existing_name_needs_replace(store: AccountStore) -> None:
    store.add("work", TEMP_KEY_ID, TEMP_SECRET, SESSION_TOKEN, "eu-west-1")
    with pytest.raises(ValidationError) as info:
        add_work(store)
    assert info.value.problems[0].field == "name"
    assert store.get("work").access_key_id == TEMP_KEY_ID

    # The refused add changed nothing; replace=True overwrites, token included.
    store.add("work", KEY_ID, SECRET, None, "us-west-2", replace=True)
    keys = store.get("work")
    assert (keys.access_key_id, keys.session_token, keys.region) == (KEY_ID, None, "us-west-2")
    assert store.info("work") == AccountInfo("work", "us-west-2", "WXYZ", temporary=False)


def test_region_changes_without_re_entering_keys(store: AccountStore) -> None:
    add_work(store)
    store.set_region("work", "eu-central-1")
    assert store.get("work").region == "eu-central-1"
    assert store.info("work") == AccountInfo("work", "eu-central-1", "WXYZ", temporary=False)
    with pytest.raises(ValidationError):
        store.set_region("work", "moon-1")


def test_delete_removes_every_entry_but_not_the_choice_to_use_it(
    store: AccountStore, memory_keyring: MemoryKeyring
) -> None:
    store.add("work", TEMP_KEY_ID, TEMP_SECRET, SESSION_TOKEN, "eu-west-1")
    store.delete("work")
    assert memory_keyring.entries == {}
    assert store.list_accounts() == []
    # Runs keep asking for 'work' and refuse, rather than run on whatever else is around.
    assert store.active() == ActiveChoice("keyring", "work")
    with pytest.raises(AccountNotFoundError) as info:
        store.get("work")
    assert isinstance(info.value, ServiceError)
    assert "No AWS account named 'work' is stored in the keyring" in str(info.value)
    assert "Add the account again" in str(info.value)
    with pytest.raises(AccountNotFoundError):
        store.delete("work")

    # A new account takes over a choice that points at nothing.
    store.add("home", KEY_ID, SECRET, None, "us-east-1")
    assert store.active() == ActiveChoice("keyring", "home")


def test_an_account_missing_its_secret_is_reported_as_such(
    store: AccountStore, memory_keyring: MemoryKeyring
) -> None:
    add_work(store)
    keyring.delete_password(service_name("work"), "secret_access_key")
    with pytest.raises(AccountNotFoundError, match="secret access key is missing"):
        store.get("work")


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("name", {"name": ""}),
        ("name", {"name": "-leading-dash"}),
        ("name", {"name": "a/b"}),
        ("access_key_id", {"access_key_id": "AKIDIMGLOOPTEST00000"}),
        ("access_key_id", {"access_key_id": KEY_ID.lower()}),
        ("secret_access_key", {"secret_access_key": SECRET[:-1]}),
        ("secret_access_key", {"secret_access_key": SECRET[:-1] + "!"}),
        ("session_token", {"access_key_id": TEMP_KEY_ID}),
        ("session_token", {"session_token": SESSION_TOKEN}),
        ("session_token", {"access_key_id": TEMP_KEY_ID, "session_token": "has spaces in it!!"}),
        ("region", {"region": "useast1"}),
        ("region", {"region": "US-EAST-1"}),
    ],
)
def test_each_bad_input_is_named(field: str, kwargs: dict[str, str]) -> None:
    values: dict[str, str | None] = {
        "name": "work",
        "access_key_id": KEY_ID,
        "secret_access_key": SECRET,
        "session_token": None,
        "region": "us-east-1",
    }
    values.update(kwargs)
    problems = validate_account(**values)  # type: ignore[arg-type]
    assert [p.field for p in problems] == [field]


def test_problems_never_echo_a_secret(store: AccountStore, memory_keyring: MemoryKeyring) -> None:
    bad_secret = SECRET[:-2]
    # A secret pasted into the key id field must not be echoed either.
    with pytest.raises(ValidationError) as info:
        store.add("work", SECRET, bad_secret, SESSION_TOKEN + " x", "nowhere")
    text = str(info.value) + repr(info.value.problems)
    assert {p.field for p in info.value.problems} == {
        "access_key_id",
        "secret_access_key",
        "session_token",
        "region",
    }
    for secret in (SECRET, bad_secret, SESSION_TOKEN):
        assert secret not in text
        assert secret[:12] not in text
    assert "<hidden, 38 characters>" in text
    assert memory_keyring.entries == {}


def test_key_ids_are_masked_for_display() -> None:
    assert mask_key_id(KEY_ID) == "AKIA…WXYZ"
    assert mask_key_id(SECRET) == "<hidden, 40 characters>"


# -- no keyring -----------------------------------------------------------------------------


def test_no_keyring_is_refused_in_plain_words_and_nothing_is_written(
    no_keyring: KeyringBackend,
    tmp_path: Path,
    isolated_env: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    store = AccountStore()
    before = all_files(tmp_path)

    assert store.problem() is not None
    with pytest.raises(KeyringUnavailableError) as info:
        store.add("work", KEY_ID, SECRET, None, "us-east-1")

    message = str(info.value)
    assert "No keyring is available on this computer" in message
    assert "access keys cannot be stored safely" in message
    assert "AWS profile" in message and "aws configure" in message
    assert "never writes access keys to a plain file" in message
    assert all_files(tmp_path) == before
    assert not isolated_env.exists() or not any(isolated_env.rglob("*"))
    for other in (store.get, store.delete):
        with pytest.raises(KeyringUnavailableError):
            other("work")


def test_null_and_plain_file_backends_are_not_used() -> None:
    assert "turned off" in (keyring_problem(null.Keyring()) or "")  # type: ignore[no-untyped-call]

    class PlaintextKeyring(MemoryKeyring):
        pass

    PlaintextKeyring.__module__ = "keyrings.alt.file"
    problem = keyring_problem(PlaintextKeyring())
    assert problem is not None and "keeps secrets in a file" in problem
    assert keyring_problem(MemoryKeyring()) is None


def test_a_locked_keyring_says_so(isolated_env: Path) -> None:
    store = AccountStore(backend=LockedKeyring())
    with pytest.raises(KeyringUnavailableError, match="locked") as info:
        store.add("work", KEY_ID, SECRET, None, "us-east-1")
    assert "AWS profile" in str(info.value)
    with pytest.raises(KeyringUnavailableError, match="locked"):
        store.get("work")
    assert not (isolated_env / "accounts.json").exists()


class DroppingKeyring(MemoryKeyring):
    """Accepts writes and keeps nothing, like a chain with no real backend in it."""

    def set_password(self, service: str, username: str, password: str) -> None:
        return None


class BrokenKeyring(MemoryKeyring):
    """Fails part-way, as a Secret Service that vanishes mid-write (an unwrapped D-Bus
    error)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        if username == "region":
            raise OSError("org.freedesktop.DBus.Error.ServiceUnknown")
        super().set_password(service, username, password)


def test_a_keyring_that_drops_writes_is_caught(isolated_env: Path) -> None:
    store = AccountStore(backend=DroppingKeyring())
    with pytest.raises(KeyringUnavailableError, match="did not give it back"):
        add_work(store)
    assert store.list_accounts() == []


def test_a_failed_write_leaves_no_half_account(isolated_env: Path) -> None:
    backend = BrokenKeyring()
    store = AccountStore(backend=backend)
    with pytest.raises(KeyringUnavailableError, match="OSError") as info:
        add_work(store)
    assert SECRET not in str(info.value)
    assert backend.entries == {}
    assert store.list_accounts() == []


def test_an_unreadable_index_hides_names_but_breaks_nothing(
    store: AccountStore, isolated_env: Path, caplog: pytest.LogCaptureFixture
) -> None:
    add_work(store)
    (isolated_env / "accounts.json").write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert store.list_accounts() == []
    assert "unreadable account list" in caplog.text
    assert store.get("work").access_key_id == KEY_ID  # the keys were never in the file
    add_work(store, name="again")
    assert [a.name for a in store.list_accounts()] == ["again"]


def test_the_index_is_written_atomically(store: AccountStore, isolated_env: Path) -> None:
    add_work(store)
    leftovers = [p.name for p in isolated_env.iterdir() if p.name != "accounts.json"]
    assert leftovers == []


def test_keyring_errors_are_service_errors_with_a_hint(no_keyring: KeyringBackend) -> None:
    with pytest.raises(ServiceError) as info:
        AccountStore().get("work")
    assert isinstance(info.value, KeyringUnavailableError)
    assert "AWS profile" in info.value.hint

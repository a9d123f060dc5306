"""The backend choice: one saved value (the accounts file), read back as a picker entry,
and the value older versions kept in QSettings adopted once."""

from __future__ import annotations

from imgloop_desktop.accounts import AccountStore, ActiveChoice
from imgloop_desktop.services.backends import (
    DEFAULT_KEY,
    DEMO_KEY,
    backend_choices,
    find,
    key_of,
    save_choice,
    saved_choice,
    saved_key,
)


def test_every_picker_entry_round_trips_through_its_saved_choice() -> None:
    choices = backend_choices(["dev"], ["work"])
    for backend in choices:
        assert find(choices, backend.choice) == backend
        assert key_of(backend.choice) == backend.key


def test_nothing_is_saved_until_a_choice_is_made() -> None:
    store = AccountStore()
    assert saved_choice(store) is None and saved_key(store) == ""
    save_choice(store, ActiveChoice("demo"))
    assert AccountStore().chosen() == ActiveChoice("demo")
    assert saved_key(store) == DEMO_KEY
    save_choice(store, ActiveChoice("profile", ""))
    assert saved_key(AccountStore()) == DEFAULT_KEY


def test_the_value_an_older_version_kept_is_adopted_once() -> None:
    store = AccountStore()
    assert saved_choice(store, "aws-profile:dev") == ActiveChoice("profile", "dev")
    assert store.chosen() == ActiveChoice("profile", "dev")  # now saved in the one place
    assert saved_choice(store, "demo") == ActiveChoice("profile", "dev")  # not read again
    assert saved_choice(AccountStore(), "") == ActiveChoice("profile", "dev")


def test_an_unreadable_old_value_is_ignored() -> None:
    assert saved_choice(AccountStore(), "aws-profile:") is None
    assert saved_choice(AccountStore(), "something-else") is None

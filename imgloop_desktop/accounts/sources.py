"""Credentials sources for runs: a keyring account, or the standard AWS chain.

Both satisfy ``providers.session.CredentialsSource``, so the loop, ``make_clients`` and the
connection check never know where keys come from. The keyring is read when a session is
asked for (on the worker thread that builds the clients), not when the source is made: a
source is cheap to create on the GUI thread, and an account deleted in between is noticed
by the run that would have used it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError

from imgloop_desktop.accounts.store import AccountStore, ActiveChoice
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP, Phrase
from imgloop_desktop.providers.session import (
    CREDENTIALS,
    CredentialsSource,
    DefaultChain,
    profile_names,
)

if TYPE_CHECKING:
    import boto3


UNSTORED_ACCOUNT = QT_TRANSLATE_NOOP("Credentials", "keyring account '{name}'")
"""An account the index no longer lists (deleted while chosen)."""


@dataclass(frozen=True)
class KeyringAccount:
    """The named account's keys from the OS keyring.

    ``session()`` raises ``AccountNotFoundError`` when the account is gone and
    ``KeyringUnavailableError`` when no keyring can be used; both are ``ServiceError``s
    with a hint, like every other reason a run cannot start.
    """

    name: str
    store: AccountStore = field(default_factory=AccountStore, compare=False, repr=False)

    def session(self) -> boto3.Session:
        import boto3  # here: the window makes sources while it starts, sessions on a worker

        keys = self.store.get(self.name)
        return boto3.Session(
            aws_access_key_id=keys.access_key_id,
            aws_secret_access_key=keys.secret_access_key,
            aws_session_token=keys.session_token,
            region_name=keys.region or None,
        )

    def describe(self) -> Phrase:
        info = self.store.info(self.name)
        return (
            info.describe() if info else Phrase(CREDENTIALS, UNSTORED_ACCOUNT, {"name": self.name})
        )


def profile_source(profile: str | None = None, region: str | None = None) -> DefaultChain:
    """A named profile from ~/.aws (SSO included), or with no name the whole standard chain
    (environment variables, default profile, container and instance roles)."""
    return DefaultChain(profile=profile or None, region=region or None)


def available_profiles() -> list[str]:
    """Profile names from the shared config and credentials files, for a picker.

    Reads only the files (no credentials resolved, no network); a broken file yields no
    names rather than an error, since the picker is not the place to debug it.
    """
    try:
        return profile_names()
    except (BotoCoreError, OSError, ValueError):
        return []


def source_for(choice: ActiveChoice, store: AccountStore | None = None) -> CredentialsSource:
    if choice.kind == "keyring":
        return KeyringAccount(choice.name, store or AccountStore())
    # The demo's simulator belongs to the window (services.backends); anything else that asks
    # for AWS credentials gets the standard chain.
    return profile_source(choice.name)


def active_source(store: AccountStore | None = None) -> CredentialsSource:
    """What runs should use now: the active keyring account, else the chosen profile or the
    standard chain."""
    store = store or AccountStore()
    return source_for(store.active(), store)

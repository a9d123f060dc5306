"""Which backend runs use: the picker's list, the one saved choice, and the demo's simulator.

Qt-free, so the window, the accounts dialog and any later front end agree on it.

**One saved choice.** The accounts file's active choice (``AccountStore.chosen()``) is the
source of truth: the toolbar's picker and the accounts dialog's "Use for runs" both write it,
so they cannot disagree. A backend *is* an ``ActiveChoice`` (``Backend.choice``); the window
finds the picker entry by comparing choices, with no string translation. ``key`` remains a
stable name for a backend (``aws-default``, ``aws-profile:<name>``, ``aws-account:<name>``,
``demo``) for tests and for reading the choice older versions kept in QSettings
(``backend/choice``): ``saved_choice`` reads that once, when the accounts file holds no
choice yet, and saves it there.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from imgloop_desktop.accounts.sources import KeyringAccount
from imgloop_desktop.accounts.store import DEFAULT_CHOICE, AccountStore, ActiveChoice
from imgloop_desktop.core.errors import ServiceError
from imgloop_desktop.providers.session import CredentialsSource, DefaultChain, profile_names

if TYPE_CHECKING:
    from imgloop_desktop.simulator.demo import DemoBackend

log = logging.getLogger(__name__)

DEFAULT_KEY = "aws-default"
DEMO_KEY = "demo"
PROFILE_PREFIX = "aws-profile:"
ACCOUNT_PREFIX = "aws-account:"


@dataclass(frozen=True)
class Backend:
    """One entry of the backend picker. ``key`` is what the settings remember (never a
    secret); ``synthetic`` means the images are made up by the local simulator."""

    key: str
    label: str
    kind: str
    profile: str = ""  # the AWS profile, or the keyring account's name

    @property
    def synthetic(self) -> bool:
        return self.kind == DEMO_KEY

    @property
    def choice(self) -> ActiveChoice:
        return choice_of(self)


def aws_profiles() -> list[str]:
    """Profile names from ~/.aws (no credentials resolved, no network); a broken config
    file gives none rather than an error, the picker is not where to debug it."""
    try:
        return profile_names()
    except Exception:
        log.debug("listing AWS profiles failed", exc_info=True)
        return []


def backend_choices(
    profiles: Iterable[str] | None = None, accounts: Iterable[str] = ()
) -> list[Backend]:
    """Every backend a run can use, in picker order: keyring accounts first (the way the
    app itself keeps keys), then the standard chain and profiles, then the demo."""
    names = aws_profiles() if profiles is None else list(profiles)
    choices = [
        Backend(f"{ACCOUNT_PREFIX}{name}", f"AWS account: {name} (OS keyring)", "account", name)
        for name in accounts
    ]
    choices.append(Backend(DEFAULT_KEY, "AWS (default credential chain)", "default"))
    choices += [
        Backend(f"{PROFILE_PREFIX}{name}", f"AWS profile: {name}", "profile", name)
        for name in names
    ]
    choices.append(Backend(DEMO_KEY, "Offline demo (simulated Bedrock)", DEMO_KEY))
    return choices


def has_aws_hint(profiles: Iterable[str] | None = None) -> bool:
    """Whether this machine looks set up for AWS, from the environment and config files
    alone (resolving credentials could wait on the network); picks the first-launch
    default between AWS and the demo."""
    if any(os.environ.get(v) for v in ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_ROLE_ARN")):
        return True
    return bool(aws_profiles() if profiles is None else list(profiles))


def _demo_backend() -> DemoBackend:
    """The demo's simulator, imported when the demo is first chosen: it brings an HTTP
    server and the synthetic image maker, which a start with an AWS backend never needs."""
    from imgloop_desktop.simulator.demo import DemoBackend

    return DemoBackend()


class Backends:
    """The chosen backend, and the demo's simulator for as long as the demo is chosen."""

    def __init__(self, demo_factory: Callable[[], DemoBackend] = _demo_backend) -> None:
        self._demo_factory = demo_factory
        self._demo: DemoBackend | None = None
        self._demo_credentials: CredentialsSource | None = None
        self.current: Backend | None = None

    def select(self, backend: Backend) -> None:
        if self.current == backend:
            return
        if not backend.synthetic:
            self._stop_demo()
        elif self._demo is None:
            demo = self._demo_factory()
            self._demo_credentials = demo.start()
            self._demo = demo
        self.current = backend

    def credentials(self) -> CredentialsSource:
        backend = self.current
        if backend is None:
            raise ServiceError("No backend is chosen.", hint="Pick one in the toolbar.")
        if backend.synthetic:
            assert self._demo_credentials is not None
            return self._demo_credentials
        if backend.kind == "profile":
            return DefaultChain(profile=backend.profile)
        if backend.kind == "account":
            return KeyringAccount(backend.profile)
        return DefaultChain()

    @property
    def demo_running(self) -> bool:
        return self._demo is not None

    def _stop_demo(self) -> None:
        demo, self._demo, self._demo_credentials = self._demo, None, None
        if demo is not None:
            demo.stop()

    def close(self) -> None:
        self._stop_demo()
        self.current = None


# -- the one saved choice -----------------------------------------------------------------------


def choice_of(backend: Backend) -> ActiveChoice:
    """The saved form of a picker entry."""
    if backend.kind == "account":
        return ActiveChoice("keyring", backend.profile)
    if backend.kind == DEMO_KEY:
        return ActiveChoice("demo")
    return ActiveChoice("profile", backend.profile)


def find(choices: Iterable[Backend], choice: ActiveChoice) -> Backend | None:
    """The picker entry for a saved choice, if it is still offered."""
    return next((b for b in choices if choice_of(b) == choice), None)


def _legacy_choice(key: str) -> ActiveChoice | None:
    """A QSettings ``backend/choice`` value of an older version (read once)."""
    if key == DEMO_KEY:
        return ActiveChoice("demo")
    if key == DEFAULT_KEY:
        return ActiveChoice("profile", "")
    if key.startswith(PROFILE_PREFIX) and key[len(PROFILE_PREFIX) :]:
        return ActiveChoice("profile", key[len(PROFILE_PREFIX) :])
    if key.startswith(ACCOUNT_PREFIX) and key[len(ACCOUNT_PREFIX) :]:
        return ActiveChoice("keyring", key[len(ACCOUNT_PREFIX) :])
    return None


def saved_choice(store: AccountStore, legacy_key: str = "") -> ActiveChoice | None:
    """The person's choice, or None on a first launch. When the accounts file holds none
    and an older version left one in QSettings (``legacy_key``), that one is adopted (and
    saved), so people upgrading keep their backend."""
    chosen = store.chosen()
    if chosen is not None:
        return chosen
    if not legacy_key:
        # An older accounts file keeps what the dialog's "Use for runs" chose, unmarked.
        active = store.active()
        return None if active == DEFAULT_CHOICE else active
    legacy = _legacy_choice(legacy_key)
    if legacy is not None:
        try:
            save_choice(store, legacy)
        except Exception:  # an account that is gone; the window reports the fallback
            log.info("the backend saved by an older version (%s) is gone", legacy_key)
    return legacy


def save_choice(store: AccountStore, choice: ActiveChoice) -> None:
    """Remember ``choice`` for the next launch (and for the accounts dialog)."""
    if choice == store.chosen():
        return
    if choice.kind == "keyring":
        store.set_active(choice.name)
    elif choice.kind == "demo":
        store.set_active_demo()
    else:
        store.set_active_profile(choice.name)


def key_of(choice: ActiveChoice) -> str:
    """A choice's backend key (the name ``Backend.key`` gives the same backend)."""
    if choice.kind == "keyring":
        return f"{ACCOUNT_PREFIX}{choice.name}"
    if choice.kind == "demo":
        return DEMO_KEY
    return f"{PROFILE_PREFIX}{choice.name}" if choice.name else DEFAULT_KEY


def saved_key(store: AccountStore) -> str:
    """The saved choice as a backend key ("" when none)."""
    chosen = store.chosen()
    return "" if chosen is None else key_of(chosen)

"""AWS credentials for runs: named accounts kept in the OS keyring, the standard AWS chain
as the alternative, a connection check, and log redaction so no secret leaves the keyring.

Qt-free, like every layer below ``gui``: the accounts dialog and the CLI both sit on top.

The names below are loaded on first use (PEP 562), not when the package is: the log set-up
imports ``accounts.redaction`` before the window exists, and importing the whole package
with it pulled in the keyring and boto3 (the connection check) at every start (issue 15).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from imgloop_desktop.accounts.check import CheckResult, check_connection
    from imgloop_desktop.accounts.redaction import RedactingFilter, install_redaction
    from imgloop_desktop.accounts.sources import (
        KeyringAccount,
        active_source,
        available_profiles,
        profile_source,
        source_for,
    )
    from imgloop_desktop.accounts.store import (
        AccountInfo,
        AccountKeys,
        AccountNotFoundError,
        AccountStore,
        ActiveChoice,
        KeyringUnavailableError,
        validate_account,
    )

_HOMES = {
    "CheckResult": "check",
    "check_connection": "check",
    "RedactingFilter": "redaction",
    "install_redaction": "redaction",
    "KeyringAccount": "sources",
    "active_source": "sources",
    "available_profiles": "sources",
    "profile_source": "sources",
    "source_for": "sources",
    "AccountInfo": "store",
    "AccountKeys": "store",
    "AccountNotFoundError": "store",
    "AccountStore": "store",
    "ActiveChoice": "store",
    "KeyringUnavailableError": "store",
    "validate_account": "store",
}

__all__ = [
    "AccountInfo",
    "AccountKeys",
    "AccountNotFoundError",
    "AccountStore",
    "ActiveChoice",
    "CheckResult",
    "KeyringAccount",
    "KeyringUnavailableError",
    "RedactingFilter",
    "active_source",
    "available_profiles",
    "check_connection",
    "install_redaction",
    "profile_source",
    "source_for",
    "validate_account",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})

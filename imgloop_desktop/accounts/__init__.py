"""AWS credentials for runs: named accounts kept in the OS keyring, the standard AWS chain
as the alternative, a connection check, and log redaction so no secret leaves the keyring.

Qt-free, like every layer below ``gui``: the accounts dialog and the CLI both sit on top.
"""

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

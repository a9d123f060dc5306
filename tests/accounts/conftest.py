"""Every accounts test runs against an in-memory keyring unless it asks for another."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import pytest
from keyring.backend import KeyringBackend

from imgloop_desktop.accounts.redaction import install_redaction
from imgloop_desktop.accounts.store import AccountStore
from tests.keyring_fixtures import MemoryKeyring, use_memory_keyring, use_no_keyring


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    yield from use_memory_keyring()


@pytest.fixture
def no_keyring(memory_keyring: MemoryKeyring) -> Iterator[KeyringBackend]:
    """Replaces the memory keyring for one test; both come back off in order."""
    yield from use_no_keyring()


@pytest.fixture
def store() -> AccountStore:
    return AccountStore()


@contextlib.contextmanager
def redacted_root_logging(handler: logging.Handler) -> Iterator[None]:
    """``handler`` on the root logger at DEBUG, added before redaction is installed (as the
    app's own log file is), all undone afterwards."""
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    uninstall = install_redaction()
    try:
        yield
    finally:
        uninstall()
        root.removeHandler(handler)
        handler.close()
        root.setLevel(old_level)

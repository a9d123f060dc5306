"""An in-memory keyring for tests, so no test ever reads or writes a developer's keychain.

``use_memory_keyring`` is a plain generator so any conftest can wrap it in a fixture:

    @pytest.fixture
    def memory_keyring() -> Iterator[MemoryKeyring]:
        yield from use_memory_keyring()
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TypeVar

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.compat import properties

# Keys in the shapes AWS issues them, made up for tests. The secret has 40 characters of the
# base64 alphabet and is unlike anything else a test writes, so searching bytes for it finds
# only leaks.
KEY_ID = "AKIAIMGLOOPTEST0WXYZ"
SECRET = "Zq7/imgloopSECRETtestKEY+0123456789abcde"
TEMP_KEY_ID = "ASIAIMGLOOPTEST0TMP1"
TEMP_SECRET = "Wn3+imgloopTEMPORARYsecret/9876543210zyx"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEimgloopSESSIONtoken" + "A1b2C3d4E5f6" * 20 + "=="


class MemoryKeyring(KeyringBackend):
    """A dict behind the keyring API, raising what real backends raise.

    Its priority raises, so keyring's own detection never picks it (it registers every
    backend class it sees): only ``keyring.set_keyring`` puts it in use.
    """

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test-only backend, set explicitly with keyring.set_keyring")

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            if self.entries.pop((service, username), None) is None:
                raise keyring.errors.PasswordDeleteError("No such password!")


class LockedKeyring(MemoryKeyring):
    """A Secret Service whose collection stays locked (the person dismissed the prompt)."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")


_B = TypeVar("_B", bound=KeyringBackend)


def _swap(backend: _B) -> Iterator[_B]:
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def use_memory_keyring() -> Iterator[MemoryKeyring]:
    """Make ``keyring`` use a fresh MemoryKeyring; the previous backend comes back after."""
    yield from _swap(MemoryKeyring())


def use_no_keyring() -> Iterator[KeyringBackend]:
    """Make ``keyring`` behave as on a machine with no backend at all (the ``fail`` one)."""
    yield from _swap(fail.Keyring())  # type: ignore[no-untyped-call]

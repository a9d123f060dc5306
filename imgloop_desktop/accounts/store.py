"""Named AWS accounts whose keys live in the OS keyring, and nowhere else.

Each account's secrets are kept under their own keyring service name
(``imgloop-desktop/aws/<account>``, usernames ``access_key_id``, ``secret_access_key``,
``session_token``, ``region``), so several accounts sit side by side and a person can find,
inspect or remove them with the platform's own keychain tool.

A keyring cannot list what it holds on every platform, so the names live in a small index
file in the data folder (``accounts.json``). The index holds only what is safe to show on
screen: account names, regions, whether the keys are temporary, the last four characters
of the access key id, and which credentials the next run uses. Losing it loses no secret;
leaking it leaks none.

When no keyring is usable (the ``fail`` or ``null`` backend, a plain-file backend from
keyrings.alt, a locked or absent Secret Service) every operation that would touch a secret
raises ``KeyringUnavailableError`` in plain words and points at the AWS-profile route. There
is deliberately no fallback that writes keys to a file. Those words are ``Phrase``s in the
"Keyring" translation context: English in logs and the headless command, the window's
language in the window.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from imgloop_desktop import paths
from imgloop_desktop.accounts.redaction import register_secret
from imgloop_desktop.core.atomic_file import atomic_write
from imgloop_desktop.core.errors import Problem, ServiceError, ValidationError
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP, Phrase
from imgloop_desktop.providers.session import CREDENTIALS

if TYPE_CHECKING:
    from types import ModuleType

    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)


def _keyring() -> ModuleType | None:
    """The keyring package, imported on first use; None where it is not installed.

    keyring belongs to the desktop extra: the core install (Lambda, a server) has none, and
    importing this module there must work; using a keyring account then says what to
    install. Imported here rather than at the top because the window imports this module
    while it starts and the keyring is not needed until an account is read or saved
    (importing it cost ~50 ms of every start, issue 15).
    """
    try:
        import keyring
        import keyring.errors
    except ImportError:
        return None
    return keyring


SERVICE_PREFIX = "imgloop-desktop/aws/"
ACCESS_KEY_ID = "access_key_id"
SECRET_ACCESS_KEY = "secret_access_key"
SESSION_TOKEN = "session_token"
REGION = "region"
_ENTRIES = (ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN, REGION)
INDEX_FILE = "accounts.json"
INDEX_VERSION = 1

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$")
ACCESS_KEY_ID_RE = re.compile(r"^(AKIA|ASIA)[A-Z0-9]{16}$")
SECRET_RE = re.compile(r"^[A-Za-z0-9/+]{40}$")
# STS session tokens are long base64 strings (hundreds of characters, sometimes over 1000).
SESSION_TOKEN_RE = re.compile(r"^[A-Za-z0-9/+=]{16,4096}$")
REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")

# Module prefixes of backends that keep secrets in plain (or only weakly protected) files.
_FILE_BACKEND_MODULES = ("keyrings.alt",)

_T = TypeVar("_T")

KEYRING = "Keyring"
"""The translation context of what this module says about the keyring."""

NO_KEYRING = QT_TRANSLATE_NOOP(
    "Keyring",
    "No keyring is available on this computer, so access keys cannot be stored safely. "
    "(On Linux this usually means no Secret Service, such as GNOME Keyring or KWallet, is "
    "running in this session.)",
)
NO_KEYRING_PACKAGE = QT_TRANSLATE_NOOP(
    "Keyring",
    "The keyring package is not installed: this is imgloop's core install (as on AWS "
    "Lambda), which keeps no access keys. Install the desktop parts with "
    "pip install 'imgloop-desktop[desktop]' (or only the keyring: pip install keyring).",
)
# Without the desktop parts there is no accounts dialog to point at.
NO_KEYRING_PACKAGE_HINT = QT_TRANSLATE_NOOP(
    "Keyring",
    "Or use an AWS profile instead (--profile NAME, set up with 'aws configure' or "
    "'aws configure sso'), or the standard AWS credential chain.",
)
KEYRING_OFF = QT_TRANSLATE_NOOP(
    "Keyring",
    "Keyring use is turned off on this computer (the 'null' keyring backend is "
    "configured), so access keys cannot be stored.",
)
FILE_KEYRING = QT_TRANSLATE_NOOP(
    "Keyring",
    "The only keyring available here ({backend}) keeps secrets in a file on disk, which "
    "imgloop does not use for access keys.",
)
PROFILE_ROUTE = QT_TRANSLATE_NOOP(
    "Keyring",
    "Use an AWS profile instead: run 'aws configure' (access keys) or 'aws configure sso' "
    "then 'aws sso login' (IAM Identity Center), and choose that profile under "
    "'AWS profile' in the accounts dialog. imgloop never writes access keys to a plain file.",
)
PROFILE_ROUTE_LINUX = QT_TRANSLATE_NOOP(
    "Keyring",
    "Use an AWS profile instead: run 'aws configure' (access keys) or 'aws configure sso' "
    "then 'aws sso login' (IAM Identity Center), and choose that profile under "
    "'AWS profile' in the accounts dialog. Or start and unlock a Secret Service keyring "
    "(GNOME Keyring or KWallet) and try again. imgloop never writes access keys to a plain "
    "file.",
)
LOCKED = QT_TRANSLATE_NOOP(
    "Keyring", "The keyring is locked and could not be unlocked while {action} ({error})."
)
FAILED = QT_TRANSLATE_NOOP(
    "Keyring", "The keyring could not be used while {action} ({kind}: {error})."
)
NOT_KEPT = QT_TRANSLATE_NOOP(
    "Keyring",
    "The keyring ({backend}) accepted account '{name}' but did not give it back, so it "
    "cannot be used to keep access keys.",
)
READING = QT_TRANSLATE_NOOP("Keyring", "reading account '{name}'")
SAVING = QT_TRANSLATE_NOOP("Keyring", "saving account '{name}'")
DELETING = QT_TRANSLATE_NOOP("Keyring", "deleting account '{name}'")
NOT_FOUND = QT_TRANSLATE_NOOP(
    "Keyring", "No AWS account named '{name}' is stored in the keyring ({why})."
)
GONE = QT_TRANSLATE_NOOP("Keyring", "it was deleted, or the keyring was reset")
NOT_LISTED = QT_TRANSLATE_NOOP("Keyring", "it is not in the account list")
SECRET_MISSING = QT_TRANSLATE_NOOP(
    "Keyring", "its secret access key is missing from the keyring; replace the account"
)
ADD_AGAIN = QT_TRANSLATE_NOOP(
    "Keyring",
    "Add the account again under AWS accounts, or choose another account or an AWS profile.",
)


KEYRING_ACCOUNT = QT_TRANSLATE_NOOP("Credentials", "keyring account '{name}' ({key_id})")


def _words(template: str, **values: object) -> Phrase:
    """``template``, one of the "Keyring" texts above, with its values."""
    return Phrase(KEYRING, template, values)


def _plain_hint() -> Phrase:
    """The way out when no keyring works, worded for the platform the person is on."""
    return _words(PROFILE_ROUTE_LINUX if sys.platform.startswith("linux") else PROFILE_ROUTE)


class KeyringUnavailableError(ServiceError):
    """No keyring can hold secrets here; the message says why and what to do instead.

    ``reason`` and ``hint`` may be Phrases (see ``ServiceError``); the hint defaults to the
    AWS-profile route for this platform."""

    def __init__(self, reason: str | Phrase, hint: str | Phrase | None = None) -> None:
        super().__init__(reason, hint=_plain_hint() if hint is None else hint)


class AccountNotFoundError(ServiceError):
    """The named account is not (or no longer) in the keyring: a run with it must not start.

    ``detail`` says why (one of this module's "Keyring" phrases, or plain text)."""

    def __init__(self, name: str, detail: str | Phrase = "") -> None:
        super().__init__(
            _words(NOT_FOUND, name=name, why=detail or _words(GONE)),
            hint=_words(ADD_AGAIN),
        )
        self.name = name


def mask_secret(value: str) -> str:
    """What a secret looks like in messages: its length only, so a typo can be spotted."""
    return f"<hidden, {len(value)} characters>"


def mask_key_id(value: str) -> str:
    """``AKIA…WXYZ``: enough to tell keys apart on screen, too little to use or search for.

    A value that does not look like a key id may be a secret pasted into the wrong field, so
    none of it is shown.
    """
    if len(value) >= 12 and value[:4] in ("AKIA", "ASIA") and value.isalnum():
        return f"{value[:4]}…{value[-4:]}"
    return mask_secret(value)


@dataclass(frozen=True)
class AccountInfo:
    """What the index knows about an account: safe to show, log and keep in a file."""

    name: str
    region: str
    key_id_suffix: str
    temporary: bool

    @property
    def masked_key_id(self) -> str:
        return f"{'ASIA' if self.temporary else 'AKIA'}…{self.key_id_suffix}"

    def describe(self) -> Phrase:
        """The account as a credentials source names itself (``CredentialsSource.describe``)."""
        return Phrase(
            CREDENTIALS, KEYRING_ACCOUNT, {"name": self.name, "key_id": self.masked_key_id}
        )


@dataclass(frozen=True, repr=False)
class AccountKeys:
    """One account's keys as read from the keyring.

    ``repr``/``str`` mask the secrets because this object travels through tracebacks,
    debuggers and log calls where a default dataclass repr would print them.
    """

    name: str
    access_key_id: str
    secret_access_key: str
    session_token: str | None
    region: str

    @property
    def masked_key_id(self) -> str:
        return mask_key_id(self.access_key_id)

    def __repr__(self) -> str:
        token = "<hidden>" if self.session_token else "None"
        return (
            f"AccountKeys(name={self.name!r}, access_key_id={self.masked_key_id!r}, "
            f"secret_access_key=<hidden>, session_token={token}, region={self.region!r})"
        )

    __str__ = __repr__


@dataclass(frozen=True)
class ActiveChoice:
    """Which credentials runs use: a keyring account, a named AWS profile, the standard
    chain (``kind="profile"`` with an empty ``name``: environment, default profile, roles),
    or the window's offline demo (``kind="demo"``, no AWS at all).

    This is the one saved backend choice: the window's picker and the accounts dialog both
    read and write it (``services.backends``)."""

    kind: Literal["keyring", "profile", "demo"]
    name: str = ""


DEFAULT_CHOICE = ActiveChoice("profile", "")


def service_name(account: str) -> str:
    return SERVICE_PREFIX + account


def validate_account(
    name: str,
    access_key_id: str,
    secret_access_key: str,
    session_token: str | None,
    region: str,
) -> list[Problem]:
    """Every problem with one account's inputs; secret values appear masked, never echoed."""
    problems: list[Problem] = []
    if not NAME_RE.match(name):
        problems.append(
            Problem(
                "name",
                name[:80],
                "1-64 letters, digits, spaces or '.', '_', '-', '@', starting with a letter "
                "or digit",
            )
        )
    if not ACCESS_KEY_ID_RE.match(access_key_id):
        problems.append(
            Problem(
                "access_key_id",
                mask_key_id(access_key_id),
                "20 capital letters and digits starting with AKIA (long-term keys) or ASIA "
                "(temporary keys)",
            )
        )
    if not SECRET_RE.match(secret_access_key):
        problems.append(
            Problem(
                "secret_access_key",
                mask_secret(secret_access_key),
                "the 40-character secret access key (letters, digits, '/' and '+') shown "
                "once when the access key was created",
            )
        )
    temporary = access_key_id.startswith("ASIA")
    if session_token:
        if not SESSION_TOKEN_RE.match(session_token):
            problems.append(
                Problem(
                    "session_token",
                    mask_secret(session_token),
                    "the session token that came with the temporary keys (letters, digits, "
                    "'/', '+' and '=', no spaces)",
                )
            )
        elif not temporary and ACCESS_KEY_ID_RE.match(access_key_id):
            problems.append(
                Problem(
                    "session_token",
                    mask_secret(session_token),
                    "empty for long-term (AKIA) keys: only temporary (ASIA) keys come with "
                    "a session token",
                )
            )
    elif temporary:
        problems.append(
            Problem(
                "session_token",
                "<empty>",
                "the session token that came with these temporary (ASIA) keys; they do not "
                "work without it",
            )
        )
    if not REGION_RE.match(region):
        problems.append(
            Problem("region", region[:80], "an AWS region code such as us-east-1 or eu-west-1")
        )
    return problems


def keyring_problem(backend: KeyringBackend) -> str | None:
    """Why ``backend`` cannot hold secrets, in plain English words; None when it can."""
    problem = keyring_problem_phrase(backend)
    return None if problem is None else str(problem)


def keyring_problem_phrase(backend: KeyringBackend) -> Phrase | None:
    """Why ``backend`` cannot hold secrets, in plain words (a Phrase, for the window to show
    in its language); None when it can.

    Only the backend's type is looked at, so this never unlocks or prompts; a locked or
    vanished keyring shows up when it is used (see ``AccountStore``).
    """
    from keyring.backends import chainer, fail, null  # a backend exists: so does keyring

    if isinstance(backend, fail.Keyring):
        return _words(NO_KEYRING)
    if isinstance(backend, null.Keyring):
        return _words(KEYRING_OFF)
    module = type(backend).__module__
    if module.startswith(_FILE_BACKEND_MODULES):
        return _words(FILE_KEYRING, backend=f"{module}.{type(backend).__name__}")
    if isinstance(backend, chainer.ChainerBackend):
        members: list[KeyringBackend] = list(backend.backends)
        if not members:
            return _words(NO_KEYRING)
        first = keyring_problem_phrase(members[0])  # the chainer writes to its first member
        if first is not None:
            return first
    return None


def backend_name(backend: KeyringBackend) -> str:
    """A readable name for the keyring in use ("SecretService Keyring", "macOS Keyring")."""
    try:
        return str(backend.name)
    except Exception:  # a backend's name is a classproperty that may probe the system
        return type(backend).__name__


class AccountStore:
    """Accounts in the keyring plus their index; safe to share between threads.

    ``backend`` pins a keyring backend (tests, or a future preference); by default the one
    ``keyring`` picked is looked up on each call, so ``keyring.set_keyring`` takes effect.
    """

    def __init__(
        self, index_path: Path | None = None, *, backend: KeyringBackend | None = None
    ) -> None:
        self._index_path = index_path
        self._backend = backend
        self._lock = threading.RLock()

    # -- the keyring ----------------------------------------------------------------------

    @property
    def index_path(self) -> Path:
        return self._index_path or paths.data_dir() / INDEX_FILE

    def backend(self) -> KeyringBackend:
        if self._backend is not None:
            return self._backend
        keyring = _keyring()
        if keyring is None:
            raise KeyringUnavailableError(
                _words(NO_KEYRING_PACKAGE), _words(NO_KEYRING_PACKAGE_HINT)
            )
        backend: KeyringBackend = keyring.get_keyring()
        return backend

    def problem(self) -> str | None:
        """Why keys cannot be kept here (plain English words), or None; never prompts."""
        problem = self.problem_phrase()
        return None if problem is None else str(problem)

    def problem_phrase(self) -> Phrase | None:
        """``problem()`` as a Phrase, for the window to show in its language."""
        if self._backend is None and _keyring() is None:
            return _words(NO_KEYRING_PACKAGE)
        return keyring_problem_phrase(self.backend())

    def _usable_backend(self) -> KeyringBackend:
        backend = self.backend()
        reason = keyring_problem_phrase(backend)
        if reason is not None:
            raise KeyringUnavailableError(reason)
        return backend

    def _call(self, action: Phrase, fn: Callable[[], _T]) -> _T:
        """Run one keyring call, turning every way a keyring can fail into plain words.

        Backends raise their own types (secretstorage and jeepney errors pass through
        keyring's Secret Service backend unwrapped), so anything but our own errors counts.
        """
        import keyring.errors  # a backend was found, so keyring is installed

        try:
            return fn()
        except KeyringUnavailableError:
            raise
        except keyring.errors.KeyringLocked as exc:
            raise KeyringUnavailableError(_words(LOCKED, action=action, error=str(exc))) from exc
        except keyring.errors.NoKeyringError as exc:
            raise KeyringUnavailableError(_words(NO_KEYRING)) from exc
        except Exception as exc:
            log.debug("keyring failed while %s", action, exc_info=True)
            raise KeyringUnavailableError(
                _words(FAILED, action=action, kind=type(exc).__name__, error=str(exc))
            ) from exc

    def _get(self, backend: KeyringBackend, name: str, entry: str) -> str | None:
        return self._call(
            _words(READING, name=name),
            lambda: backend.get_password(service_name(name), entry),
        )

    def _delete_entry(self, backend: KeyringBackend, name: str, entry: str) -> bool:
        import keyring.errors

        def delete() -> bool:
            try:
                backend.delete_password(service_name(name), entry)
            except keyring.errors.PasswordDeleteError:
                return False  # not there: the state we want
            return True

        return self._call(_words(DELETING, name=name), delete)

    # -- accounts -------------------------------------------------------------------------

    def list_accounts(self) -> list[AccountInfo]:
        """Accounts by name, from the index alone (no keyring access, so no prompt)."""
        with self._lock:
            accounts = self._read_index()[0]
        return [accounts[name] for name in sorted(accounts, key=str.casefold)]

    def info(self, name: str) -> AccountInfo | None:
        with self._lock:
            return self._read_index()[0].get(name)

    def add(
        self,
        name: str,
        access_key_id: str,
        secret_access_key: str,
        session_token: str | None,
        region: str,
        *,
        replace: bool = False,
    ) -> AccountInfo:
        """Store (or, with ``replace``, overwrite) an account; the first one becomes active.

        Surrounding whitespace is dropped (pasted keys often carry a newline). Raises
        ValidationError before touching the keyring, KeyringUnavailableError when no keyring
        can take the keys; a half-written account is removed again.
        """
        name = name.strip()
        access_key_id = access_key_id.strip()
        secret_access_key = secret_access_key.strip()
        token = (session_token or "").strip() or None
        region = region.strip()
        register_secret(secret_access_key)
        register_secret(token)
        problems = validate_account(name, access_key_id, secret_access_key, token, region)
        if problems:
            raise ValidationError(problems)
        with self._lock:
            accounts, active = self._read_index()
            if name in accounts and not replace:
                raise ValidationError(
                    [Problem("name", name, "a name no other account uses (or replace it)")]
                )
            backend = self._usable_backend()
            service = service_name(name)
            values = {
                ACCESS_KEY_ID: access_key_id,
                SECRET_ACCESS_KEY: secret_access_key,
                REGION: region,
            }

            def write(entry: str, value: str) -> None:
                self._call(
                    _words(SAVING, name=name),
                    lambda: backend.set_password(service, entry, value),
                )

            try:
                for entry, value in values.items():
                    write(entry, value)
                if token:
                    write(SESSION_TOKEN, token)
                else:
                    self._delete_entry(backend, name, SESSION_TOKEN)
                # Some backends accept a write and drop it (an empty chain); reading the
                # non-secret half back proves the keys really landed.
                if self._get(backend, name, ACCESS_KEY_ID) != access_key_id:
                    raise KeyringUnavailableError(
                        _words(NOT_KEPT, backend=backend_name(backend), name=name)
                    )
            except KeyringUnavailableError:
                if name not in accounts:
                    self._forget(backend, name)
                raise
            info = AccountInfo(
                name=name,
                region=region,
                key_id_suffix=access_key_id[-4:],
                temporary=access_key_id.startswith("ASIA"),
            )
            dangling = active.kind == "keyring" and active.name not in accounts
            first = active == DEFAULT_CHOICE and not accounts
            accounts[name] = info
            if first or dangling:
                active = ActiveChoice("keyring", name)
            self._write_index(accounts, active)
        log.info("stored AWS account %s in %s", info.describe(), backend_name(backend))
        return info

    def set_region(self, name: str, region: str) -> AccountInfo:
        """Change an account's region without re-entering its keys."""
        region = region.strip()
        if not REGION_RE.match(region):
            raise ValidationError(
                [Problem("region", region[:80], "an AWS region code such as us-east-1")]
            )
        with self._lock:
            accounts, active = self._read_index()
            if name not in accounts:
                raise AccountNotFoundError(name, _words(NOT_LISTED))
            backend = self._usable_backend()
            self._call(
                _words(SAVING, name=name),
                lambda: backend.set_password(service_name(name), REGION, region),
            )
            info = AccountInfo(name, region, accounts[name].key_id_suffix, accounts[name].temporary)
            accounts[name] = info
            self._write_index(accounts, active)
        return info

    def get(self, name: str) -> AccountKeys:
        """The account's keys from the keyring; AccountNotFoundError if they are gone."""
        backend = self._usable_backend()
        access_key_id = self._get(backend, name, ACCESS_KEY_ID)
        if access_key_id is None:
            raise AccountNotFoundError(name)
        secret = self._get(backend, name, SECRET_ACCESS_KEY)
        if secret is None:
            raise AccountNotFoundError(name, _words(SECRET_MISSING))
        token = self._get(backend, name, SESSION_TOKEN) or None
        register_secret(secret)
        register_secret(token)
        region = self._get(backend, name, REGION)
        if not region:
            info = self.info(name)
            region = info.region if info else ""
        return AccountKeys(name, access_key_id, secret, token, region)

    def delete(self, name: str) -> None:
        """Remove the account's keyring entries and its index entry.

        If it was the active account it stays the active choice, so the next run refuses
        with "no such account" instead of quietly running (and billing) under whatever
        other credentials the standard chain finds.
        """
        with self._lock:
            accounts, active = self._read_index()
            backend = self._usable_backend()
            removed = self._forget(backend, name)
            if name not in accounts and not removed:
                raise AccountNotFoundError(name)
            accounts.pop(name, None)
            self._write_index(accounts, active)
        log.info("deleted AWS account '%s' from the keyring", name)

    def _forget(self, backend: KeyringBackend, name: str) -> bool:
        removed = False
        for entry in _ENTRIES:
            removed = self._delete_entry(backend, name, entry) or removed
        return removed

    # -- which credentials runs use --------------------------------------------------------

    def active(self) -> ActiveChoice:
        with self._lock:
            return self._read_index()[1]

    def set_active(self, name: str) -> None:
        """Make runs use the keyring account ``name``."""
        with self._lock:
            accounts, _ = self._read_index()
            if name not in accounts:
                raise AccountNotFoundError(name, _words(NOT_LISTED))
            self._write_index(accounts, ActiveChoice("keyring", name), chosen=True)

    def chosen(self) -> ActiveChoice | None:
        """The choice a person made (``set_active*``), or None when none was made yet: the
        standard chain is then only the default, and a first launch may pick better."""
        with self._lock:
            active = self._read_index()[1]
            return active if self._chosen_marker() else None

    def set_active_demo(self) -> None:
        """Make the window's runs use its offline demo (the simulated Bedrock)."""
        with self._lock:
            accounts, _ = self._read_index()
            self._write_index(accounts, ActiveChoice("demo"), chosen=True)

    def _chosen_marker(self) -> bool:
        try:
            data = json.loads(self.index_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(data, dict) and data.get("chosen") is True

    def set_active_profile(self, profile: str | None) -> None:
        """Make runs use an AWS profile from ~/.aws, or (None or "") the standard chain."""
        with self._lock:
            accounts, _ = self._read_index()
            self._write_index(
                accounts, ActiveChoice("profile", (profile or "").strip()), chosen=True
            )

    # -- the index file -------------------------------------------------------------------

    def _read_index(self) -> tuple[dict[str, AccountInfo], ActiveChoice]:
        path = self.index_path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}, DEFAULT_CHOICE
        except (OSError, ValueError) as exc:
            # The keys are safe in the keyring; a broken list only hides their names.
            log.warning("ignoring unreadable account list %s: %s", path, exc)
            return {}, DEFAULT_CHOICE
        accounts: dict[str, AccountInfo] = {}
        raw_accounts = data.get("accounts") if isinstance(data, dict) else None
        if isinstance(raw_accounts, dict):
            for name, raw in raw_accounts.items():
                if not isinstance(raw, dict) or not NAME_RE.match(str(name)):
                    continue
                accounts[name] = AccountInfo(
                    name=name,
                    region=str(raw.get("region", "")),
                    key_id_suffix=str(raw.get("key_id_suffix", ""))[-4:],
                    temporary=bool(raw.get("temporary", False)),
                )
        active = DEFAULT_CHOICE
        raw_active = data.get("active") if isinstance(data, dict) else None
        if isinstance(raw_active, dict):
            kind = raw_active.get("kind")
            chosen = str(raw_active.get("name", ""))
            if kind == "keyring" and NAME_RE.match(chosen):
                active = ActiveChoice("keyring", chosen)  # even if deleted: see delete()
            elif kind == "profile":
                active = ActiveChoice("profile", chosen)
            elif kind == "demo":
                active = ActiveChoice("demo")
        return accounts, active

    def _write_index(
        self, accounts: dict[str, AccountInfo], active: ActiveChoice, *, chosen: bool = False
    ) -> None:
        """``chosen`` marks the active choice as the person's; it is kept from the file
        otherwise (adding or deleting an account does not make a choice)."""
        data: dict[str, object] = {
            "version": INDEX_VERSION,
            "active": {"kind": active.kind, "name": active.name},
            "chosen": chosen or self._chosen_marker(),
            "accounts": {
                name: {
                    "region": info.region,
                    "key_id_suffix": info.key_id_suffix,
                    "temporary": info.temporary,
                }
                for name, info in sorted(accounts.items())
            },
        }
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        atomic_write(self.index_path, text.encode("utf-8"), private=True)

"""Content Credentials (C2PA) of the images in the history, read from their local files: the
one check the details pane, the history panel and ``imgloop-cli history show`` share, so all
three say the same thing about the same file.

Verifying is storage's (``storage.provenance``, the C2PA SDK, loaded only for a file that
carries a manifest). What this adds is what a person reviewing a run needs around it: a file
that is gone reads as "unknown: file missing" instead of an error, a manifest the SDK could
not check (it is the optional "desktop" extra) as "unknown: c2pa-python not installed", the
words and JSON the headless command prints, and a count over one run's images for the
history panel.

Every function here blocks (the SDK hashes the whole file): call them off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from imgloop_desktop.core.pngs import PNG_SIGNATURE
from imgloop_desktop.storage.provenance import ContentCredentials, verify

__all__ = [
    "FILE_MISSING",
    "NO_SDK",
    "ContentCredentials",
    "CredentialsTally",
    "credentials_json",
    "credentials_words",
    "read_content_credentials",
    "tally_credentials",
]

FILE_MISSING = "file missing"
NO_SDK = "c2pa-python not installed"
UNKNOWN = "unknown"
"""What people and the command's JSON call storage's ``unchecked``: nothing is claimed."""


def read_content_credentials(path: Path) -> ContentCredentials:
    """The Content Credentials of the image file at ``path``: ``valid`` or ``invalid`` with
    the issuer, ``none``, or ``unchecked`` (shown as unknown) with why in ``detail``:
    ``FILE_MISSING``, ``NO_SDK``, or that the file cannot be read.

    Storage's ``content_credentials`` reads a file too; this one tells a missing file and a
    missing SDK apart in words the command can print after "unknown: "."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ContentCredentials("unchecked", detail=FILE_MISSING)
    except OSError as exc:
        return ContentCredentials(
            "unchecked", detail=f"file cannot be read ({exc.strerror or exc})"
        )
    found = verify(data, "image/png" if data.startswith(PNG_SIGNATURE) else None)
    # ``verify`` says "unchecked" only when a manifest is there and the SDK is not.
    return replace(found, detail=NO_SDK) if found.state == "unchecked" else found


def _state(credentials: ContentCredentials) -> str:
    return UNKNOWN if credentials.state == "unchecked" else credentials.state


def credentials_words(credentials: ContentCredentials) -> str:
    """English for the headless command: ``issued by X, valid (detail)``, ``none``, or
    ``unknown: file missing``."""
    if credentials.state == "unchecked":
        return f"{UNKNOWN}: {credentials.detail or 'not checked'}"
    if credentials.state == "none":
        text = "none"
    else:
        text = f"issued by {credentials.issuer or 'an unnamed signer'}, {credentials.state}"
    return f"{text} ({credentials.detail})" if credentials.detail else text


def credentials_json(credentials: ContentCredentials) -> dict[str, Any]:
    """``{"state": "valid"|"invalid"|"none"|"unknown", "issuer": str|null, "detail": str}``."""
    return {
        "state": _state(credentials),
        "issuer": credentials.issuer or None,
        "detail": credentials.detail,
    }


@dataclass(frozen=True)
class CredentialsTally:
    """How many of one run's images carry Content Credentials and whether they hold."""

    images: int = 0
    valid: int = 0
    invalid: int = 0
    none: int = 0
    unknown: int = 0
    issuers: tuple[str, ...] = ()
    """Distinct issuers of the signed images, in the order met ("" for an unnamed one)."""
    reasons: tuple[str, ...] = ()
    """Distinct reasons the unknown ones could not be checked (``FILE_MISSING``, ...)."""

    @property
    def signed(self) -> int:
        return self.valid + self.invalid

    def add(self, credentials: ContentCredentials) -> CredentialsTally:
        state = _state(credentials)
        counts = {
            "valid": self.valid,
            "invalid": self.invalid,
            "none": self.none,
            UNKNOWN: self.unknown,
        }
        counts[state] += 1
        issuers, reasons = self.issuers, self.reasons
        if state in ("valid", "invalid") and credentials.issuer not in issuers:
            issuers += (credentials.issuer,)
        if state == UNKNOWN and credentials.detail not in reasons:
            reasons += (credentials.detail,)
        return CredentialsTally(
            self.images + 1,
            counts["valid"],
            counts["invalid"],
            counts["none"],
            counts[UNKNOWN],
            issuers,
            reasons,
        )


def tally_credentials(
    paths: Iterable[Path], *, stop: Callable[[], bool] = lambda: False
) -> CredentialsTally:
    """``read_content_credentials`` over ``paths``, counted. ``stop`` is asked between files
    (a worker's cancel flag): when it says True the count so far is returned, for a caller
    that no longer wants it."""
    tally = CredentialsTally()
    for path in paths:
        if stop():
            break
        tally = tally.add(read_content_credentials(path))
    return tally

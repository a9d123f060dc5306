"""Content Credentials (C2PA): whether an image carries a signed manifest, who signed it, and
whether the signature still holds.

Amazon Nova Canvas embeds a signed C2PA manifest in every image; a person reviewing a run
should see that it is there and intact, and an export must not quietly break it (see
``storage.export.png_meta``). Verification is the C2PA SDK's (``c2pa-python``), imported
only when a file actually carries a manifest: the native library costs start-up time that
a PNG without one (most of them) should never pay.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from imgloop_desktop.core.pngs import PNG_SIGNATURE
from imgloop_desktop.storage.export.png_meta import has_c2pa_manifest

log = logging.getLogger(__name__)

State = Literal["none", "valid", "invalid", "unchecked"]
STATES: tuple[str, ...] = get_args(State)

_UNTRUSTED = "signingCredential.untrusted"
"""Not a broken signature: the signer is not on the trust list this app was given (none is
configured, so every signer but a listed one says this). Reported in ``detail``."""
_MAX_CODES = 4


@dataclass(frozen=True)
class ContentCredentials:
    """What the details pane says: ``none`` (no manifest), ``valid`` (signature and hashes
    hold), ``invalid`` (a manifest that no longer matches the bytes, or cannot be read), or
    ``unchecked`` (a manifest is there but the SDK is not installed, so nothing is claimed).
    """

    state: State
    issuer: str = ""
    detail: str = ""

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(
                f"ContentCredentials.state {self.state!r} is not allowed; one of "
                f"{', '.join(STATES)}"
            )


NONE = ContentCredentials("none")


def _issuer(manifest: dict[str, Any] | None) -> str:
    info = manifest.get("signature_info") if isinstance(manifest, dict) else None
    if not isinstance(info, dict):
        return ""
    for key in ("issuer", "common_name"):
        value = info.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _codes(results: Any, kind: str) -> list[str]:
    """Validation codes of ``kind`` ("failure", "success", ...) for the active manifest."""
    active = results.get("activeManifest") if isinstance(results, dict) else None
    entries = active.get(kind) if isinstance(active, dict) else None
    if not isinstance(entries, list):
        return []
    return [e["code"] for e in entries if isinstance(e, dict) and isinstance(e.get("code"), str)]


def verify(data: bytes, mime: str | None = "image/png") -> ContentCredentials:
    """Read and verify the C2PA manifest embedded in ``data`` (``mime`` None: the SDK tells
    the format from the bytes).

    Blocking (the SDK hashes the whole file): call it off the GUI thread. A PNG without a
    ``caBX`` chunk answers ``none`` without loading the SDK.
    """
    if data.startswith(PNG_SIGNATURE) and not has_c2pa_manifest(data):
        return NONE
    try:
        import c2pa  # type: ignore[import-untyped]  # loaded only for files that need it
    except ImportError:
        return ContentCredentials(
            "unchecked", detail="c2pa-python is not installed, so the manifest was not verified"
        )
    try:
        with c2pa.Reader(mime, io.BytesIO(data)) as reader:
            state = reader.get_validation_state()
            manifest = reader.get_active_manifest()
            results = reader.get_validation_results()
    except c2pa.C2paError as exc:
        text = str(exc)
        if "ManifestNotFound" in type(exc).__name__ or "ManifestNotFound" in text:
            return NONE
        if "NotSupported" in type(exc).__name__:
            return ContentCredentials("none", detail=f"not a format C2PA reads ({text[:120]})")
        return ContentCredentials("invalid", detail=f"the manifest cannot be read: {text[:200]}")
    except (ValueError, KeyError, json.JSONDecodeError) as exc:
        return ContentCredentials("invalid", detail=f"the manifest cannot be read: {exc}")
    issuer = _issuer(manifest)
    failures = [code for code in _codes(results, "failure") if code != _UNTRUSTED]
    untrusted = _UNTRUSTED in _codes(results, "failure")
    if state in ("Valid", "Trusted") and not failures:
        detail = "signer on the trust list" if state == "Trusted" else ""
        if untrusted:
            detail = "signer not on a trust list this app knows"
        return ContentCredentials("valid", issuer, detail)
    shown = ", ".join(failures[:_MAX_CODES]) + (" …" if len(failures) > _MAX_CODES else "")
    return ContentCredentials("invalid", issuer, shown or f"validation state {state!r}")


def content_credentials(path: Path) -> ContentCredentials:
    """``verify`` for a file on disk; a file that cannot be read says so as ``unchecked``
    rather than raising, because the caller is a details view with other things to show."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ContentCredentials("unchecked", detail=f"{path} cannot be read ({exc.strerror})")
    return verify(data, "image/png" if data.startswith(PNG_SIGNATURE) else None)

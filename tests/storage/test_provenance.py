"""Content Credentials: a real signed PNG reads as valid with its issuer, a changed one as
invalid, a plain one as none (without loading the SDK), and a bad state is refused."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from imgloop_desktop.storage import provenance
from imgloop_desktop.storage.provenance import ContentCredentials, content_credentials, verify
from tests.fakes import png
from tests.storage.export.c2pa_signing import ISSUER, sign_png


def test_a_signed_png_is_valid_and_names_its_issuer() -> None:
    found = verify(sign_png(png()))
    assert found.state == "valid"
    assert found.issuer == ISSUER
    assert "trust list" in found.detail  # a test certificate is on no trust list


def test_changed_pixels_make_the_signature_invalid() -> None:
    signed = bytearray(sign_png(png()))
    at = signed.find(b"IDAT") + 10
    signed[at] ^= 0xFF
    found = verify(bytes(signed))
    assert found.state == "invalid"
    assert found.issuer == ISSUER
    assert "dataHash.mismatch" in found.detail


def test_a_plain_png_has_none_without_loading_the_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "c2pa", None)  # importing it would now fail
    assert verify(png()) == ContentCredentials("none")


def test_a_manifest_without_the_sdk_is_unchecked(monkeypatch: pytest.MonkeyPatch) -> None:
    signed = sign_png(png())
    monkeypatch.setitem(sys.modules, "c2pa", None)
    found = verify(signed)
    assert found.state == "unchecked" and "c2pa-python" in found.detail


def test_files_on_disk(tmp_path: Path) -> None:
    signed = tmp_path / "signed.png"
    signed.write_bytes(sign_png(png()))
    assert content_credentials(signed).state == "valid"
    gone = content_credentials(tmp_path / "gone.png")
    assert gone.state == "unchecked" and "gone.png" in gone.detail


def test_a_state_outside_the_list_is_refused() -> None:
    with pytest.raises(ValueError) as raised:
        ContentCredentials("maybe")  # type: ignore[arg-type]
    text = str(raised.value)
    assert "state" in text and "'maybe'" in text and ", ".join(provenance.STATES) in text

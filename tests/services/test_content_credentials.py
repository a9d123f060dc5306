"""The one Content Credentials check the details pane, the history panel and
``imgloop-cli history show`` share: a real signed PNG is valid with its issuer, a changed
one invalid, a plain one none; a missing file and a missing SDK are unknown with why; the
command's words and JSON; and a run's images counted, stopping when asked."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from imgloop_desktop.services.content_credentials import (
    FILE_MISSING,
    NO_SDK,
    ContentCredentials,
    CredentialsTally,
    credentials_json,
    credentials_words,
    read_content_credentials,
    tally_credentials,
)
from tests.fakes import png
from tests.storage.export.c2pa_signing import ISSUER, sign_png


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    signed = sign_png(png())
    changed = bytearray(signed)
    changed[changed.find(b"IDAT") + 10] ^= 0xFF
    out = {"signed": signed, "changed": bytes(changed), "plain": png()}
    paths = {name: tmp_path / f"{name}.png" for name in out}
    for name, path in paths.items():
        path.write_bytes(out[name])
    paths["gone"] = tmp_path / "gone.png"
    return paths


def test_each_state_read_from_a_file(files: dict[str, Path]) -> None:
    signed = read_content_credentials(files["signed"])
    assert (signed.state, signed.issuer) == ("valid", ISSUER)
    changed = read_content_credentials(files["changed"])
    assert (changed.state, changed.issuer) == ("invalid", ISSUER)
    assert "dataHash.mismatch" in changed.detail
    assert read_content_credentials(files["plain"]) == ContentCredentials("none")
    assert read_content_credentials(files["gone"]) == ContentCredentials(
        "unchecked", detail=FILE_MISSING
    )
    unreadable = read_content_credentials(files["plain"].parent)  # a folder, not a file
    assert unreadable.state == "unchecked" and "cannot be read" in unreadable.detail


def test_without_the_sdk_a_manifest_is_unknown_and_a_plain_file_still_none(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "c2pa", None)
    assert read_content_credentials(files["signed"]) == ContentCredentials(
        "unchecked", detail=NO_SDK
    )
    assert read_content_credentials(files["plain"]).state == "none"


def test_words_and_json_for_the_command() -> None:
    valid = ContentCredentials("valid", "Amazon", "signer not on a trust list this app knows")
    assert credentials_words(valid) == (
        "issued by Amazon, valid (signer not on a trust list this app knows)"
    )
    assert credentials_words(ContentCredentials("invalid")) == (
        "issued by an unnamed signer, invalid"
    )
    assert credentials_words(ContentCredentials("none")) == "none"
    missing = ContentCredentials("unchecked", detail=FILE_MISSING)
    assert credentials_words(missing) == "unknown: file missing"
    assert credentials_json(missing) == {"state": "unknown", "issuer": None, "detail": FILE_MISSING}
    assert credentials_json(valid)["issuer"] == "Amazon"


def test_a_runs_images_are_counted(files: dict[str, Path]) -> None:
    names = ["signed", "changed", "plain", "gone", "signed", "gone"]
    tally = tally_credentials(files[name] for name in names)
    assert tally == CredentialsTally(
        images=6, valid=2, invalid=1, none=1, unknown=2, issuers=(ISSUER,), reasons=(FILE_MISSING,)
    )
    assert tally.signed == 3


def test_counting_stops_when_asked(files: dict[str, Path]) -> None:
    asked: list[int] = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 2

    tally = tally_credentials([files["plain"]] * 5, stop=stop)
    assert tally.images == 2 and tally.none == 2

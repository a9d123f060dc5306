"""Issue 11: an export carries what a run recorded in words (regions, run notes, the judge's
image note, the judge's and reviser's sampling notes) to the importing machine, in the
manifest and in each image's provenance chunk; a manifest written before them still
imports, reading them as empty."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest

from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.storage.export.png_meta import read_text_chunks
from tests.storage.history.fakes import (
    JUDGE_NOTE,
    REVISER_NOTE,
    NotingChat,
    params,
    run_recorded,
)

FIT_NOTE = "the judge saw a 1568 px copy (the image is 2048 px)"


def noted_run(service: HistoryService) -> str:
    """A run with every kind of note: a mapped size, both sampling notes, a judge's copy."""
    p = params("a red fox", titan_img_width=100, titan_img_height=64, max_retry_attempts=1)
    run_id = run_recorded(service.db_path, p, chat=NotingChat(verdicts=["NO", "YES"])).run_id
    with sqlite3.connect(service.db_path) as conn:
        conn.execute("UPDATE verdicts SET judge_image = ?", (FIT_NOTE,))
    conn.close()
    return run_id


def _manifest(archive: Path) -> dict[str, Any]:
    with zipfile.ZipFile(archive) as zf:
        manifest: dict[str, Any] = json.loads(zf.read("manifest.json"))
    return manifest


def test_notes_travel_in_the_manifest_and_come_back_on_import(
    service: HistoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = noted_run(service)
    original = service.session(run_id)
    assert original.notes and original.image_region == "us-west-2"
    dest = tmp_path / "e.zip"
    service.export_session(run_id, dest, as_zip=True)

    session = _manifest(dest)["sessions"][0]
    assert (session["image_region"], session["judge_region"]) == ("us-west-2", "us-east-1")
    assert session["notes"] == list(original.notes)
    versions = session["prompt_versions"]
    assert [v["notes"] for v in versions] == ["", REVISER_NOTE]
    verdicts = [i["verdict"] for v in versions for a in v["attempts"] for i in a["images"]]
    assert verdicts and all(
        (v["judge_image"], v["notes"]) == (FIT_NOTE, JUDGE_NOTE) for v in verdicts
    )
    with zipfile.ZipFile(dest) as zf:
        png_name = next(n for n in zf.namelist() if n.endswith(".png"))
        provenance = json.loads(read_text_chunks(zf.read(png_name))["imgloop"])
    assert provenance["image_region"] == "us-west-2"
    assert provenance["judge_region"] == "us-east-1"
    assert provenance["notes"] == list(original.notes)
    assert provenance["judge_image"] == FIT_NOTE

    monkeypatch.setenv("IMGLOOP_DATA_DIR", str(tmp_path / "other-machine"))
    with HistoryService.open() as there:
        assert there.import_export(dest).sessions_added == [run_id]
        copy = there.session(run_id)
    assert (copy.image_region, copy.judge_region, copy.notes) == (
        original.image_region,
        original.judge_region,
        original.notes,
    )
    assert [v.notes for v in copy.prompt_versions] == [v.notes for v in original.prompt_versions]
    for a, b in zip(original.images(), copy.images(), strict=True):
        assert b.verdict == a.verdict  # judge_image and notes included


def test_a_manifest_from_before_the_notes_still_imports(
    service: HistoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = noted_run(service)
    dest = tmp_path / "e.zip"
    service.export_session(run_id, dest, as_zip=True)
    manifest = _manifest(dest)
    session = manifest["sessions"][0]
    for key in ("image_region", "judge_region", "notes"):
        del session[key]
    for version in session["prompt_versions"]:
        del version["notes"]
        for attempt in version["attempts"]:
            for image in attempt["images"]:
                del image["verdict"]["judge_image"]
                del image["verdict"]["notes"]
    old = tmp_path / "old.zip"
    with zipfile.ZipFile(dest) as zin, zipfile.ZipFile(old, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "manifest.json":
                data = json.dumps(manifest).encode()
            zout.writestr(name, data)

    monkeypatch.setenv("IMGLOOP_DATA_DIR", str(tmp_path / "other-machine"))
    with HistoryService.open() as there:
        assert there.import_export(old).sessions_added == [run_id]
        copy = there.session(run_id)
    assert (copy.image_region, copy.judge_region, copy.notes) == ("", "", ())
    assert {v.notes for v in copy.prompt_versions} == {""}
    for image in copy.images():
        assert image.verdict is not None
        assert (image.verdict.judge_image, image.verdict.notes) == ("", "")


def test_a_note_of_the_wrong_type_is_refused_naming_it(
    service: HistoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = noted_run(service)
    dest = tmp_path / "e.zip"
    service.export_session(run_id, dest, as_zip=True)
    manifest = _manifest(dest)
    manifest["sessions"][0]["notes"] = "one note, not a list"
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(dest) as zin, zipfile.ZipFile(bad, "w") as zout:
        for name in zin.namelist():
            data = json.dumps(manifest).encode() if name == "manifest.json" else zin.read(name)
            zout.writestr(name, data)
    monkeypatch.setenv("IMGLOOP_DATA_DIR", str(tmp_path / "other-machine"))
    with HistoryService.open() as there:
        with pytest.raises(ValidationError, match=r"manifest\.sessions\[0\]\.notes"):
            there.import_export(bad)
        assert there.count_sessions() == 0

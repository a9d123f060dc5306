"""Issue 16's leftovers in export: a person's marks survive export and import, and a demo
image says it is simulated in its exported copy, not only in the original."""

from __future__ import annotations

import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sd_parsers
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.records import ImageRecord, SessionTree
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.simulator import images as simulator_images
from imgloop_desktop.storage import export
from imgloop_desktop.storage.export import png_meta
from tests.storage.history.fakes import FakeChat, params, run_recorded

A1111_PARAM = re.compile(r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')
IPTC_EXT = "{http://iptc.org/std/Iptc4xmpExt/2008-02-29/}DigitalSourceType"


def _marked_run(service: HistoryService) -> tuple[str, dict[tuple[int, int, int], tuple]]:
    """A run of three images: one starred, one rated, one both; and one left unmarked."""
    run_id = run_recorded(
        service.db_path, params("a fox"), chat=FakeChat(verdicts=["NO", "NO", "NO", "YES"])
    ).run_id
    images = list(service.session(run_id).images())
    assert len(images) >= 4
    service.set_favourite(images[0].image_id, True)
    service.set_rating(images[1].image_id, 3)
    service.set_favourite(images[2].image_id, True)
    service.set_rating(images[2].image_id, 5)
    return run_id, _marks(service, run_id)


def _marks(service: HistoryService, run_id: str) -> dict[tuple[int, int, int], tuple]:
    return {
        (i.revision, i.attempt, i.index): (i.favourite, i.rating)
        for i in service.session(run_id).images()
    }


def _entries(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        entry
        for session in manifest["sessions"]
        for version in session["prompt_versions"]
        for attempt in version["attempts"]
        for entry in attempt["images"]
    ]


def _fresh_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    other = tmp_path / "other-machine"
    monkeypatch.setenv("IMGLOOP_DATA_DIR", str(other))
    return other


# -- marks -----------------------------------------------------------------------------------


def test_the_manifest_carries_each_images_marks(service: HistoryService, tmp_path: Path) -> None:
    run_id, marks = _marked_run(service)
    service.export_session(run_id, tmp_path / "e")
    manifest = json.loads((tmp_path / "e" / export.MANIFEST_NAME).read_text("utf-8"))
    found = [(e["favourite"], e["rating"]) for e in _entries(manifest)]
    assert found == list(marks.values())
    assert (False, None) in found and (True, 5) in found


@pytest.mark.parametrize("as_zip", [False, True])
def test_marks_come_back_on_import_into_a_fresh_history(
    service: HistoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_zip: bool
) -> None:
    run_id, marks = _marked_run(service)
    dest = tmp_path / ("e.zip" if as_zip else "e")
    service.export_session(run_id, dest, as_zip=as_zip)
    _fresh_machine(tmp_path, monkeypatch)
    with HistoryService.open() as there:
        assert there.import_export(dest).sessions_added == [run_id]
        assert _marks(there, run_id) == marks
        ids = [i.image_id for i in there.session(run_id).images()]
        assert len(there.marks(ids)) == 3, "an unmarked image gets no marks row"


def test_a_second_import_leaves_marks_made_here_alone(
    service: HistoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Existing rows are never overwritten: a mark changed after the first import stays."""
    run_id, _marks_there = _marked_run(service)
    service.export_session(run_id, tmp_path / "e.zip", as_zip=True)
    _fresh_machine(tmp_path, monkeypatch)
    with HistoryService.open() as there:
        there.import_export(tmp_path / "e.zip")
        first = next(there.session(run_id).images())
        there.set_favourite(first.image_id, False)
        there.import_export(tmp_path / "e.zip")
        assert not there.image(first.image_id).favourite


def test_a_manifest_from_before_marks_imports_unmarked(
    service: HistoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id, _ = _marked_run(service)
    service.export_session(run_id, tmp_path / "e")
    path = tmp_path / "e" / export.MANIFEST_NAME
    manifest = json.loads(path.read_text("utf-8"))
    for entry in _entries(manifest):
        del entry["favourite"], entry["rating"]
    path.write_text(json.dumps(manifest), "utf-8")
    _fresh_machine(tmp_path, monkeypatch)
    with HistoryService.open() as there:
        there.import_export(tmp_path / "e")
        assert set(_marks(there, run_id).values()) == {(False, None)}


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("favourite", "yes", "true or false"),
        ("favourite", 1, "true or false"),
        ("favourite", None, "true or false"),
        ("rating", 6, "a whole number from 1 to 5, or null for no rating"),
        ("rating", 0, "a whole number from 1 to 5, or null for no rating"),
        ("rating", True, "a whole number from 1 to 5, or null for no rating"),
        ("rating", 2.5, "a whole number from 1 to 5, or null for no rating"),
        ("rating", "4", "a whole number from 1 to 5, or null for no rating"),
    ],
)
def test_a_bad_mark_names_file_field_value_and_allowed_and_imports_nothing(
    service: HistoryService,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    key: str,
    value: object,
    allowed: str,
) -> None:
    run_id, _ = _marked_run(service)
    service.export_session(run_id, tmp_path / "e")
    path = tmp_path / "e" / export.MANIFEST_NAME
    manifest = json.loads(path.read_text("utf-8"))
    entry = _entries(manifest)[1]
    entry[key] = value
    path.write_text(json.dumps(manifest), "utf-8")
    other = _fresh_machine(tmp_path, monkeypatch)
    with HistoryService.open() as there:
        with pytest.raises(ValidationError) as info:
            there.import_export(tmp_path / "e")
        assert there.count_sessions() == 0
    (problem,) = info.value.problems
    assert problem.field == (
        f"manifest.sessions[0].prompt_versions[0].attempts[1].images[0].{key} ({entry['file']})"
    )
    assert problem.value == value and type(problem.value) is type(value)
    assert problem.allowed == allowed
    message = str(info.value)
    assert entry["file"] in message and key in message and allowed in message
    assert not (other / "images").exists() or not any((other / "images").rglob("*.png"))


# -- demo images -----------------------------------------------------------------------------


def test_storage_knows_the_simulators_software_text() -> None:
    """Storage may not import the simulator, so it keeps its own copy of the text."""
    assert png_meta.SIMULATED_SOFTWARE == simulator_images.SOFTWARE


def _tree_and_image(service: HistoryService) -> tuple[SessionTree, ImageRecord]:
    run_id = run_recorded(service.db_path, params("a fox")).run_id
    tree = service.session(run_id)
    return tree, next(tree.images())


def _png_with(key: str, text: str) -> bytes:
    info = PngInfo()
    info.add_text(key, text)
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


def _source_type(data: bytes) -> str:
    packet = export.read_text_chunks(data)[png_meta.XMP_KEYWORD]
    body = packet[packet.index("<x:xmpmeta") : packet.index("</x:xmpmeta>") + 12]
    (source,) = [el.get(IPTC_EXT) for el in ET.fromstring(body).iter() if el.get(IPTC_EXT)]
    assert source is not None
    return source


def _a1111(data: bytes) -> dict[str, str]:
    last = export.read_text_chunks(data)["parameters"].split("\n")[-1]
    return {k: json.loads(v) if v.startswith('"') else v for k, v in A1111_PARAM.findall(last)}


def test_a_demo_image_says_simulated_in_its_exported_copy(service: HistoryService) -> None:
    """``annotate`` reads only the bytes it is given, so a recorded run's tree will do."""
    tree, image = _tree_and_image(service)
    demo = simulator_images.make_image("a fox", 7, 0, 64, 64)
    assert png_meta.is_simulated(demo)
    data = export.annotate(demo, tree, image).data
    found = _a1111(data)
    assert found["Simulated"] == "yes (imgloop offline demo; no model made this image)"
    assert found["Steps"].startswith("n/a") and found["Seed"] == str(image.seed)
    assert _source_type(data) == "http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia"
    assert export.read_text_chunks(data)["parameters"].isascii()  # still a plain tEXt chunk
    with Image.open(io.BytesIO(data)) as img:
        assert img.info["Software"] == simulator_images.SOFTWARE  # the original's chunk kept
        parsed = sd_parsers.ParserManager().parse(img)
    assert parsed is not None, "readers still read the line"


def test_a_model_image_is_not_called_simulated(service: HistoryService) -> None:
    tree, image = _tree_and_image(service)
    data = export.annotate(image.path.read_bytes(), tree, image).data
    assert "Simulated" not in _a1111(data)
    assert _source_type(data) == png_meta.DIGITAL_SOURCE_TYPE
    assert png_meta.DIGITAL_SOURCE_TYPE.endswith("/trainedAlgorithmicMedia")


@pytest.mark.parametrize(
    ("key", "text"),
    [("Software", "GIMP 2.10"), ("Comment", simulator_images.SOFTWARE), ("Software", "")],
)
def test_only_the_simulators_own_software_chunk_counts(key: str, text: str) -> None:
    assert not png_meta.is_simulated(_png_with(key, text))


def test_a_file_that_is_not_a_png_is_not_simulated() -> None:
    assert not png_meta.is_simulated(b"not a png")
    assert not png_meta.is_simulated(b"")


def test_a_demo_export_says_simulated_through_the_whole_path(
    service: HistoryService, tmp_path: Path
) -> None:
    """Through ``export_trees`` into a zip, not only ``annotate``."""
    tree, image = _tree_and_image(service)
    demo = simulator_images.make_image("a fox", 1, 0, 32, 32)
    image.path.write_bytes(demo)
    image = replace(image, sha256=hashlib.sha256(demo).hexdigest(), size_bytes=len(demo))
    version = tree.prompt_versions[0]
    attempt = replace(version.attempts[0], images=(image,))
    tree = replace(tree, prompt_versions=(replace(version, attempts=(attempt,)),))
    result = export.export_trees([tree], tmp_path / "e.zip", as_zip=True, selection="session")
    assert result.images == 1 and not result.skipped
    with zipfile.ZipFile(tmp_path / "e.zip") as zf:
        data = zf.read(export.export_name(tree.run_id, image))
    assert _a1111(data)["Simulated"].startswith("yes")
    assert _source_type(data).endswith("/algorithmicMedia")

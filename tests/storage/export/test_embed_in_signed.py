"""The person's "Embed parameters in signed images too" (issue 16): off, a signed original's
copy is its bytes with a sidecar and its signature validates; on, the copy carries the
chunks every other export does and says, in its own metadata, that it was modified after
signing, and the C2PA SDK reports it as no longer matching its manifest."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import c2pa  # type: ignore[import-untyped]
import pytest
import sd_parsers
from PIL import Image

from imgloop_desktop.core.records import SessionTree
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.storage import export
from imgloop_desktop.storage.export.png_meta import (
    DIGITAL_SOURCE_TYPE,
    MODIFIED_A1111,
    MODIFIED_DESCRIPTION,
    MODIFIED_NOTE,
    SIGNATURE_BROKEN,
    SIGNATURE_KEPT,
    XMP_KEYWORD,
    annotate,
    xmp_packet,
)
from imgloop_desktop.storage.provenance import verify
from tests.storage.export.c2pa_signing import ISSUER, SignedGenerator
from tests.storage.history.fakes import FakeChat, params, run_recorded

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
DC_DESCRIPTION = "{http://purl.org/dc/elements/1.1/}description"
HISTORY = "{http://ns.adobe.com/xap/1.0/mm/}History"
ST_EVT = "{http://ns.adobe.com/xap/1.0/sType/ResourceEvent#}"
IPTC_EXT = "{http://iptc.org/std/Iptc4xmpExt/2008-02-29/}DigitalSourceType"


def signed_run(service: HistoryService) -> SessionTree:
    run_id = run_recorded(
        service.db_path,
        params("a fox, signed"),
        chat=FakeChat(verdicts=["NO", "YES"]),
        generator=SignedGenerator(),
    ).run_id
    return service.session(run_id)


def entries(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        entry
        for version in manifest["sessions"][0]["prompt_versions"]
        for attempt in version["attempts"]
        for entry in attempt["images"]
    ]


def reader(dest: Path, as_zip: bool) -> Any:
    def read(name: str) -> bytes:
        if as_zip:
            with zipfile.ZipFile(dest) as zf:
                return zf.read(name)
        return (dest / name).read_bytes()

    return read


def xmp_root(data: bytes) -> ET.Element:
    packet = export.read_text_chunks(data)[XMP_KEYWORD]
    return ET.fromstring(packet[packet.index("<x:xmpmeta") : packet.index("</x:xmpmeta>") + 12])


def test_the_setting_off_keeps_the_bytes_the_signature_and_writes_a_sidecar(
    service: HistoryService, tmp_path: Path
) -> None:
    tree = signed_run(service)
    dest = tmp_path / "out"
    service.export_session(tree.run_id, dest)  # the default: off
    manifest = json.loads((dest / export.MANIFEST_NAME).read_text("utf-8"))
    for image, entry in zip(tree.images(), entries(manifest), strict=True):
        data = (dest / entry["file"]).read_bytes()
        assert data == image.path.read_bytes()
        found = verify(data)
        assert (found.state, found.issuer) == ("valid", ISSUER)
        assert entry["signature"] == SIGNATURE_KEPT and entry["metadata"] is None
        sidecar = json.loads((dest / entry["sidecar"]).read_text("utf-8"))
        assert sidecar["imgloop"]["sha256_original"] == image.sha256
        assert "content_credentials" not in sidecar["imgloop"]


@pytest.mark.parametrize("as_zip", [False, True])
def test_the_setting_on_embeds_says_modified_and_the_signature_fails(
    service: HistoryService, tmp_path: Path, as_zip: bool
) -> None:
    tree = signed_run(service)
    dest = tmp_path / ("out.zip" if as_zip else "out")
    result = service.export_session(tree.run_id, dest, as_zip=as_zip, embed_in_signed=True)
    assert result.images == len(list(tree.images())) and not result.skipped
    read = reader(dest, as_zip)
    manifest = json.loads(read(export.MANIFEST_NAME))
    for image, entry in zip(tree.images(), entries(manifest), strict=True):
        original = image.path.read_bytes()
        data = read(entry["file"])
        assert data != original
        assert entry["signed"] is True and entry["signature"] == SIGNATURE_BROKEN
        assert entry["sidecar"] is None, "the copy carries its parameters itself"
        assert entry["exported_sha256"] != entry["sha256"] == image.sha256

        chunks = export.read_text_chunks(data)
        info = json.loads(chunks["imgloop"])
        assert info["content_credentials"] == MODIFIED_NOTE
        assert info["sha256_original"] == image.sha256 and info["prompt"] == image.prompt
        assert f"Content credentials: {MODIFIED_A1111}" in chunks["parameters"]

        # What the C2PA SDK really says of such a copy: the claim's signature still checks,
        # but the hash of the bytes it covers no longer matches.
        found = verify(data)
        assert (found.state, found.issuer) == ("invalid", ISSUER)
        assert "assertion.dataHash.mismatch" in found.detail
        with c2pa.Reader("image/png", io.BytesIO(data)) as sdk:
            assert sdk.get_validation_state() == "Invalid"

        # The recorded range cuts back to the signed original, which still validates.
        offset, length = entry["metadata"]["offset"], entry["metadata"]["length"]
        assert data[:offset] + data[offset + length :] == original
        assert verify(original).state == "valid"
    if as_zip:
        with zipfile.ZipFile(dest) as zf:
            assert [n for n in zf.namelist() if n.endswith(".json")] == [export.MANIFEST_NAME]
    else:
        assert [p.name for p in dest.rglob("*.json")] == [export.MANIFEST_NAME]


def test_the_modified_copy_is_read_by_sd_parsers(service: HistoryService) -> None:
    tree = signed_run(service)
    image = tree.approved_images()[0]
    data = annotate(image.path.read_bytes(), tree, image, embed_in_signed=True).data
    info = sd_parsers.ParserManager().parse(Image.open(io.BytesIO(data)))
    assert info is not None, "sd-parsers found no parameters"
    assert info.full_prompt == image.prompt
    (sampler,) = info.samplers
    assert sampler.parameters["seed"] == str(image.seed)
    assert info.metadata["Content credentials"] == MODIFIED_A1111
    assert info.metadata["Size"] == f"{image.width}x{image.height}"


def test_the_xmp_says_ai_generated_and_modified_where_readers_look(
    service: HistoryService,
) -> None:
    tree = signed_run(service)
    image = tree.approved_images()[0]
    data = annotate(image.path.read_bytes(), tree, image, embed_in_signed=True).data
    root = xmp_root(data)
    sources = [el.get(IPTC_EXT) for el in root.iter() if el.get(IPTC_EXT)]
    assert sources == [DIGITAL_SOURCE_TYPE]
    (description,) = root.iter(DC_DESCRIPTION)
    (text,) = description.iter(f"{RDF}li")
    assert text.text == MODIFIED_DESCRIPTION
    assert text.get("{http://www.w3.org/XML/1998/namespace}lang") == "x-default"
    (history,) = root.iter(HISTORY)
    (event,) = history.iter(f"{RDF}li")
    assert event.findtext(f"{ST_EVT}action") == "edited"
    assert event.findtext(f"{ST_EVT}changed") == "/metadata"
    assert event.findtext(f"{ST_EVT}parameters") == MODIFIED_DESCRIPTION
    assert (event.findtext(f"{ST_EVT}softwareAgent") or "").startswith("imgloop-desktop ")
    with Image.open(io.BytesIO(data)) as img:  # Pillow finds the same packet
        assert MODIFIED_DESCRIPTION in img.info[XMP_KEYWORD]


def test_the_setting_changes_nothing_for_unsigned_images(
    service: HistoryService, tmp_path: Path
) -> None:
    run_id = run_recorded(service.db_path, params("a fox")).run_id
    service.export_session(run_id, tmp_path / "on", embed_in_signed=True)
    service.export_session(run_id, tmp_path / "off")
    on = json.loads((tmp_path / "on" / export.MANIFEST_NAME).read_text("utf-8"))
    off = json.loads((tmp_path / "off" / export.MANIFEST_NAME).read_text("utf-8"))
    for a, b in zip(entries(on), entries(off), strict=True):
        assert a["signature"] is None and a["signed"] is False
        assert a["exported_sha256"] == b["exported_sha256"]
        data = (tmp_path / "on" / a["file"]).read_bytes()
        assert "content_credentials" not in json.loads(export.read_text_chunks(data)["imgloop"])
        assert not list(xmp_root(data).iter(DC_DESCRIPTION))
    assert xmp_packet() == xmp_packet(modified=False)


def test_an_embedded_export_imports_back_to_the_signed_originals(
    service: HistoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = signed_run(service)
    originals = {i.sha256 for i in tree.images()}
    dest = tmp_path / "e.zip"
    service.export_session(tree.run_id, dest, as_zip=True, embed_in_signed=True)
    monkeypatch.setenv("IMGLOOP_DATA_DIR", str(tmp_path / "other-machine"))
    with HistoryService.open() as there:
        assert there.import_export(dest).sessions_added == [tree.run_id]
        imported = list(there.session(tree.run_id).images())
    assert {i.sha256 for i in imported} == originals
    for image in imported:
        assert verify(image.path.read_bytes()).state == "valid"

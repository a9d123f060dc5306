"""Provenance kept intact in exports (issue 16): the A1111 line that sd-parsers and A1111
read, the XMP mark "made by a trained model", and signed originals exported byte for byte
with their parameters in a sidecar, their signature still valid."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
import sd_parsers
from PIL import Image

from imgloop_desktop.core.records import SessionTree
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.storage import export
from imgloop_desktop.storage.export.png_meta import (
    DIGITAL_SOURCE_TYPE,
    XMP_KEYWORD,
    has_c2pa_manifest,
    sidecar_name,
)
from imgloop_desktop.storage.provenance import verify
from tests.storage.export.c2pa_signing import ISSUER, SignedGenerator
from tests.storage.history.fakes import FakeChat, params, run_recorded

NOVA = "amazon.nova-canvas-v1:0"
JUDGE = "anthropic.claude-3-5-sonnet-20240620-v1:0"
A1111_PARAM = re.compile(r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')
IPTC_EXT = "{http://iptc.org/std/Iptc4xmpExt/2008-02-29/}DigitalSourceType"


def nova_tree(service: HistoryService, prompt: str, **changes: object) -> SessionTree:
    """A recorded run, relabelled as Nova Canvas judged by Claude: ids with ':' in them,
    which is what trips readers that split on ':'."""
    run_id = run_recorded(
        service.db_path, params(prompt), chat=FakeChat(verdicts=["NO", "NO", "YES"])
    ).run_id
    tree = service.session(run_id)
    return replace(
        tree,
        image_model_id=NOVA,
        judge_model_id=JUDGE,
        params={**tree.params, **changes},
    )


def sd_parse(data: bytes) -> object:
    info = sd_parsers.ParserManager().parse(Image.open(io.BytesIO(data)))
    assert info is not None, "sd-parsers found no parameters"
    return info


def test_sd_parsers_reads_prompt_seed_size_cfg_and_model(service: HistoryService) -> None:
    tree = nova_tree(service, "a red fox, in snow: at dawn, Seed: 99")
    image = tree.approved_images()[0]
    data = export.annotate(image.path.read_bytes(), tree, image).data

    info = sd_parse(data)
    assert info.generator.name == "AUTOMATIC1111"  # type: ignore[attr-defined]
    assert info.full_prompt == image.prompt  # type: ignore[attr-defined]
    assert info.full_negative_prompt == ""  # type: ignore[attr-defined]
    (sampler,) = info.samplers  # type: ignore[attr-defined]
    assert sampler.name == "n/a (Nova Canvas on Bedrock has no sampler setting)"
    assert sampler.parameters["seed"] == str(image.seed)  # not the prompt's "Seed: 99"
    assert sampler.parameters["cfg_scale"] == "8.0"
    assert sampler.parameters["steps"] == "n/a (Nova Canvas on Bedrock has no step setting)"
    assert sampler.model.name == "amazon.nova-canvas-v1"
    assert info.metadata["Size"] == f"{image.width}x{image.height}"  # type: ignore[attr-defined]


def test_sd_parsers_reads_a_negative_prompt_where_there_is_one(
    service: HistoryService,
) -> None:
    tree = nova_tree(service, "a fox", negative_prompt="blurry,\nwatermark")
    image = tree.approved_images()[0]
    info = sd_parse(export.annotate(image.path.read_bytes(), tree, image).data)
    assert info.full_prompt == image.prompt  # type: ignore[attr-defined]
    assert info.full_negative_prompt == "blurry, watermark"  # type: ignore[attr-defined]


def test_a1111s_own_parser_still_reads_every_value(service: HistoryService) -> None:
    """The escapes that keep sd-parsers from splitting a value are undone by A1111."""
    tree = nova_tree(service, "a red fox, in snow: at dawn")
    image = tree.approved_images()[0]
    text = export.a1111_parameters(tree, image)
    last = text.split("\n")[-1]
    found = {k: json.loads(v) if v.startswith('"') else v for k, v in A1111_PARAM.findall(last)}
    assert last.startswith("Steps: n/a")
    assert found["Bedrock model"] == NOVA and found["Judge model"] == JUDGE
    assert found["Original prompt"] == "a red fox, in snow: at dawn"
    assert text.isascii()  # still a plain tEXt chunk


def test_every_export_says_ai_generated_in_xmp(service: HistoryService) -> None:
    tree = nova_tree(service, "a fox")
    image = tree.approved_images()[0]
    data = export.annotate(image.path.read_bytes(), tree, image).data
    with Image.open(io.BytesIO(data)) as img:
        packet = img.info[XMP_KEYWORD]  # Pillow reads the iTXt chunk under this keyword
    assert packet == export.read_text_chunks(data)[XMP_KEYWORD]
    body = packet[packet.index("<x:xmpmeta") : packet.index("</x:xmpmeta>") + 12]
    values = [el.get(IPTC_EXT) for el in ET.fromstring(body).iter() if el.get(IPTC_EXT)]
    assert values == [DIGITAL_SOURCE_TYPE]


def test_sidecar_names() -> None:
    assert sidecar_name("images/r/000-000-0.png") == "images/r/000-000-0.json"
    assert sidecar_name("images/r.d/file") == "images/r.d/file.json"


# -- signed originals ------------------------------------------------------------------------


def signed_run(service: HistoryService) -> SessionTree:
    run_id = run_recorded(
        service.db_path,
        params("a fox, signed"),
        chat=FakeChat(verdicts=["NO", "YES"]),
        generator=SignedGenerator(),
    ).run_id
    return service.session(run_id)


def test_inserting_chunks_would_break_a_signature(service: HistoryService) -> None:
    """Why signed originals are kept as they are: the manifest hashes the bytes around it."""
    tree = signed_run(service)
    original = tree.approved_images()[0].path.read_bytes()
    assert has_c2pa_manifest(original) and verify(original).state == "valid"
    changed, _ = export.insert_after_ihdr(original, export.text_chunk("parameters", "x"))
    assert verify(changed).state == "invalid"


@pytest.mark.parametrize("as_zip", [False, True])
def test_signed_originals_export_byte_for_byte_with_a_sidecar(
    service: HistoryService, tmp_path: Path, as_zip: bool
) -> None:
    tree = signed_run(service)
    dest = tmp_path / ("out.zip" if as_zip else "out")
    result = export.export_trees([tree], dest, as_zip=as_zip, selection="session")
    assert result.images == len(list(tree.images())) and not result.skipped

    def read(name: str) -> bytes:
        if as_zip:
            with zipfile.ZipFile(dest) as zf:
                return zf.read(name)
        return (dest / name).read_bytes()

    manifest = json.loads(read(export.MANIFEST_NAME))
    entries = [
        entry
        for version in manifest["sessions"][0]["prompt_versions"]
        for attempt in version["attempts"]
        for entry in attempt["images"]
    ]
    assert entries
    for image, entry in zip(tree.images(), entries, strict=True):
        data = read(entry["file"])
        assert data == image.path.read_bytes(), "the signed original's bytes are kept"
        assert entry["signed"] is True and entry["metadata"] is None
        assert entry["exported_sha256"] == entry["sha256"] == image.sha256
        found = verify(data)
        assert (found.state, found.issuer) == ("valid", ISSUER)
        sidecar = json.loads(read(entry["sidecar"]))
        assert entry["sidecar"] == sidecar_name(entry["file"])
        assert sidecar["digital_source_type"] == DIGITAL_SOURCE_TYPE
        assert sidecar["imgloop"]["sha256_original"] == image.sha256
        assert sidecar["parameters"].startswith(image.prompt + "\n")

    imported = export.read_manifest(dest)
    assert imported  # the manifest with its added keys still reads


def test_unsigned_images_keep_their_embedded_chunks(
    service: HistoryService, tmp_path: Path
) -> None:
    run_id = run_recorded(service.db_path, params("a fox")).run_id
    export.export_trees([service.session(run_id)], tmp_path / "out", selection="session")
    manifest = json.loads((tmp_path / "out" / export.MANIFEST_NAME).read_text())
    entry = manifest["sessions"][0]["prompt_versions"][0]["attempts"][0]["images"][0]
    assert entry["signed"] is False and entry["sidecar"] is None
    chunks = export.read_text_chunks((tmp_path / "out" / entry["file"]).read_bytes())
    assert {"parameters", "imgloop", XMP_KEYWORD} <= set(chunks)
    assert not list((tmp_path / "out").rglob("*.json"))[1:]  # only manifest.json

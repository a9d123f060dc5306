"""Export with provenance in the PNGs, import on a fresh machine, and everything an untrusted
export can do wrong."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import re
import sqlite3
import struct
import zipfile
import zlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from PIL import Image, PngImagePlugin

from imgloop_desktop.core.errors import ImgloopError, ValidationError
from imgloop_desktop.core.records import Decision, HistoryOutcome
from imgloop_desktop.services.history import HistoryService, make_filter
from imgloop_desktop.storage import export
from imgloop_desktop.storage.export import ExportError, history_import
from imgloop_desktop.storage.export import archive as export_archive
from imgloop_desktop.storage.local import LocalImageStore
from tests.conftest import FAKE_KEY_ID, FAKE_SECRET
from tests.storage.history.fakes import FakeChat, params, png, run_recorded

# AUTOMATIC1111's own infotext parser (modules/infotext_utils.py), reduced to what we write.
A1111_PARAM = re.compile(r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')


def parse_a1111(text: str) -> dict[str, str]:
    *lines, last = text.strip().split("\n")
    if len(A1111_PARAM.findall(last)) < 3:
        lines.append(last)
        last = ""
    out = {"Prompt": "\n".join(line.strip() for line in lines)}
    for key, value in A1111_PARAM.findall(last):
        out[key] = json.loads(value) if value.startswith('"') else value
    return out


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake home, so a local folder under it can be tested without touching the real one."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    return home


def approved_run(service: HistoryService, prompt: str = "a red fox, in snow: at dawn") -> str:
    return run_recorded(
        service.db_path, params(prompt), chat=FakeChat(verdicts=["NO", "YES"])
    ).run_id


# -- PNG chunks ------------------------------------------------------------------------------


def test_inserted_chunks_leave_pixels_and_original_untouched(service: HistoryService) -> None:
    chat = FakeChat(verdicts=["NO", "NO", "YES"])  # approved after one revision
    run_id = run_recorded(service.db_path, params("a red fox, in snow: at dawn"), chat=chat).run_id
    tree = service.session(run_id)
    image = tree.approved_images()[0]
    original = image.path.read_bytes()
    annotated = export.annotate(original, tree, image)
    assert annotated.offset == 33  # right after IHDR
    assert annotated.data[: annotated.offset] == original[: annotated.offset]
    cut = annotated.data[: annotated.offset] + annotated.data[annotated.offset + annotated.length :]
    assert cut == original
    with Image.open(io.BytesIO(annotated.data)) as a, Image.open(io.BytesIO(original)) as b:
        assert a.tobytes() == b.tobytes()
        assert isinstance(a, PngImagePlugin.PngImageFile)
        text = dict(a.text)  # Pillow checks each chunk's CRC while reading
    assert image.path.read_bytes() == original, "the stored original is never rewritten"

    info = parse_a1111(text["parameters"])
    assert info["Prompt"] == image.prompt == "revised prompt 1"
    assert info["Seed"] == str(image.seed)
    assert info["Size"] == "64x64" and info["CFG scale"] == "8.0"
    assert info["Model"] == "test.image-model" and info["Verdict"] == "YES"
    assert info["Original prompt"] == "a red fox, in snow: at dawn"  # quoted, read back
    assert info["Judge model"] == "test.judge" and info["Approved"] == "yes"

    meta = json.loads(text["imgloop"])
    assert meta["original_prompt"] == tree.prompt and meta["prompt"] == image.prompt
    assert meta["seed"] == image.seed and meta["cfgScale"] == 8.0
    assert (meta["width"], meta["height"]) == (64, 64)
    assert meta["image_model"] == "test.image-model" and meta["judge_model"] == "test.judge"
    assert meta["verdict"] == "YES" and meta["reason"] == "judged YES"
    assert meta["human_decision"] is None and meta["approved"] is True


def test_non_latin_prompts_use_itxt_and_read_back(service: HistoryService) -> None:
    run_id = approved_run(service, "夕焼けの海辺を歩く猫, 水彩画")
    tree = service.session(run_id)
    image = next(iter(tree.images()))
    data = export.annotate(image.path.read_bytes(), tree, image).data
    kinds = [kind for _offset, kind, _payload in export.iter_chunks(data)]
    assert kinds[:3] == [b"IHDR", b"iTXt", b"iTXt"]
    with Image.open(io.BytesIO(data)) as img:
        assert isinstance(img, PngImagePlugin.PngImageFile)
        assert parse_a1111(img.text["parameters"])["Prompt"] == "夕焼けの海辺を歩く猫, 水彩画"
    assert export.read_text_chunks(data)["parameters"].startswith("夕焼け")


def test_latin_text_is_a_plain_text_chunk() -> None:
    chunk = export.text_chunk("parameters", "a fox\nSeed: 1, Size: 8x8, Model: m")
    assert chunk[4:8] == b"tEXt"
    data, _ = export.insert_after_ihdr(png(), chunk)
    with Image.open(io.BytesIO(data)) as img:
        assert isinstance(img, PngImagePlugin.PngImageFile)
        assert img.text["parameters"].startswith("a fox")


# -- export ----------------------------------------------------------------------------------


def test_session_export_to_a_folder_has_manifest_and_annotated_copies(
    service: HistoryService, tmp_path: Path
) -> None:
    run_id = approved_run(service)
    result = service.export_session(run_id, tmp_path / "out")
    assert (result.sessions, result.images, result.skipped) == (1, 2, [])
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    assert manifest["format"] == "imgloop-history-export" and manifest["schema_version"] == 1
    assert manifest["app_version"] and manifest["selection"] == "session"
    [session] = manifest["sessions"]
    assert session["run_id"] == run_id and session["outcome"] == "approved"
    assert session["params"]["output_dir"] == ""
    images = [
        image
        for version in session["prompt_versions"]
        for attempt in version["attempts"]
        for image in attempt["images"]
    ]
    tree = service.session(run_id)
    for entry, record in zip(images, tree.images(), strict=True):
        assert entry["file"] == f"images/{run_id}/{record.path.name}"
        assert entry["sha256"] == record.sha256
        exported = (tmp_path / "out" / entry["file"]).read_bytes()
        assert hashlib.sha256(exported).hexdigest() == entry["exported_sha256"]
        assert exported != record.path.read_bytes()
    assert images[1]["effective_approved"] and images[1]["verdict"]["result"] == "YES"
    assert session["judge_approved"] == {"revision": 0, "attempt": 1, "index": 0}


def test_approved_export_follows_human_decisions(service: HistoryService, tmp_path: Path) -> None:
    first = approved_run(service, "first")
    second = approved_run(service, "second")
    one, two = list(service.session(first).images())
    service.decide(two.image_id, Decision.REJECTED)  # the judge's YES, overruled
    service.decide(one.image_id, Decision.APPROVED)  # the judge's NO, overruled
    result = service.export_approved(tmp_path / "approved.zip", as_zip=True)
    assert (result.sessions, result.images) == (2, 2)
    with zipfile.ZipFile(tmp_path / "approved.zip") as zf:
        names = sorted(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        meta = json.loads(
            export.read_text_chunks(zf.read(f"images/{first}/000-000-0.png"))["imgloop"]
        )
    assert names == sorted(
        ["manifest.json", f"images/{first}/000-000-0.png", f"images/{second}/000-001-0.png"]
    )
    assert meta["verdict"] == "NO" and meta["human_decision"] == "approved" and meta["approved"]
    assert {s["images_included"] for s in manifest["sessions"]} == {"approved"}


def test_a_changed_local_file_is_skipped_not_exported_with_a_false_hash(
    service: HistoryService, tmp_path: Path
) -> None:
    run_id = approved_run(service)
    first = next(iter(service.session(run_id).images()))
    first.path.write_bytes(png(colour=(1, 2, 3)))
    result = service.export_session(run_id, tmp_path / "out")
    assert result.images == 1 and "differs from the recorded SHA-256" in result.skipped[0]


def test_export_holds_no_secret_home_or_local_path(
    home: Path, isolated_env: Path, tmp_path: Path
) -> None:
    local = home / "Pictures" / "imgloop"
    with HistoryService.open() as service:
        p = params(output_dir=str(local), s3_enabled=True, output_s3_bucket_name="imgloop-test")
        run_id = run_recorded(service.db_path, p, chat=FakeChat(verdicts=["YES"])).run_id
        assert service.session(run_id).approved_images()[0].path.parent == local / run_id
        service.export_session(run_id, tmp_path / "s.zip", as_zip=True)
        service.export_session(run_id, tmp_path / "folder")
    blobs = [(tmp_path / "s.zip").read_bytes()]
    blobs += [f.read_bytes() for f in (tmp_path / "folder").rglob("*") if f.is_file()]
    with zipfile.ZipFile(tmp_path / "s.zip") as zf:
        blobs += [zf.read(name) for name in zf.namelist()]
    for blob in blobs:
        for needle in (FAKE_SECRET, FAKE_KEY_ID, str(Path.home()), str(isolated_env), "Pictures"):
            assert needle.encode() not in blob, needle


# -- import ----------------------------------------------------------------------------------


def _fresh_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    other = tmp_path / "other-machine"
    monkeypatch.setenv("IMGLOOP_DATA_DIR", str(other))
    return other


@pytest.mark.parametrize("as_zip", [True, False])
def test_round_trip_restores_sessions_with_identical_bytes(
    service: HistoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_zip: bool
) -> None:
    run_id = approved_run(service, "夕焼けの海辺を歩く猫")
    original = service.session(run_id)
    service.decide(next(iter(original.images())).image_id, Decision.APPROVED)
    original = service.session(run_id)
    dest = tmp_path / ("e.zip" if as_zip else "e")
    service.export_session(run_id, dest, as_zip=as_zip)

    other = _fresh_machine(tmp_path, monkeypatch)
    with HistoryService.open() as there:
        assert there.db_path.parent == other
        result = there.import_export(dest)
        assert result.sessions_added == [run_id] and result.images_added == 2
        copy = there.session(run_id)
        again = there.import_export(dest)
        assert again.sessions_merged == [run_id] and again.images_added == 0
        assert again.images_already_present == 2
        assert [s.run_id for s in there.list_sessions(make_filter(search="海辺を歩")).sessions] == [
            run_id
        ]
    assert copy.outcome is HistoryOutcome.APPROVED and copy.params == original.params
    assert [
        (v.revision, v.prompt, v.reasons, v.ok, v.created_at) for v in copy.prompt_versions
    ] == [(v.revision, v.prompt, v.reasons, v.ok, v.created_at) for v in original.prompt_versions]
    assert copy.started_at == original.started_at and copy.ended_at == original.ended_at
    for a, b in zip(original.images(), copy.images(), strict=True):
        assert b.path.is_relative_to(other) and b.path.read_bytes() == a.path.read_bytes()
        assert (b.sha256, b.seed, b.prompt, b.verdict) == (a.sha256, a.seed, a.prompt, a.verdict)
        assert b.human_decision == a.human_decision and b.decided_at == a.decided_at
        assert b.effective_approved == a.effective_approved
    assert copy.judge_approved_image_id == list(copy.images())[1].image_id


def test_a_full_export_completes_an_approved_only_import(
    service: HistoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = approved_run(service)
    service.export_approved(tmp_path / "a.zip", as_zip=True)
    service.export_session(run_id, tmp_path / "all.zip", as_zip=True)
    _fresh_machine(tmp_path, monkeypatch)
    with HistoryService.open() as there:
        assert there.import_export(tmp_path / "a.zip").images_added == 1
        result = there.import_export(tmp_path / "all.zip")
        assert result.sessions_merged == [run_id] and result.images_added == 1
        tree = there.session(run_id)
        assert len(list(tree.images())) == 2
        assert tree.judge_approved_image_id == list(tree.images())[1].image_id


def _rewrite_zip(src: Path, dest: Path, change: dict[str, bytes | None]) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for name in zin.namelist():
            if name in change:
                if change[name] is not None:
                    zout.writestr(name, change[name])  # type: ignore[arg-type]
            else:
                zout.writestr(name, zin.read(name))
        for name, data in change.items():
            if name not in zin.namelist() and data is not None:
                zout.writestr(name, data)


def _assert_nothing_imported(other: Path) -> None:
    with HistoryService.open() as there:
        assert there.count_sessions() == 0
    images = other / "images"
    assert not images.exists() or not any(images.rglob("*.png"))


def test_a_tampered_image_is_refused_naming_it(
    service: HistoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = approved_run(service)
    service.export_session(run_id, tmp_path / "e.zip", as_zip=True)
    name = f"images/{run_id}/000-001-0.png"
    with zipfile.ZipFile(tmp_path / "e.zip") as zf:
        data = bytearray(zf.read(name))
        manifest = json.loads(zf.read("manifest.json"))
    data[-20] ^= 0xFF
    _rewrite_zip(tmp_path / "e.zip", tmp_path / "bad.zip", {name: bytes(data)})
    for image in manifest["sessions"][0]["prompt_versions"][0]["attempts"][1]["images"]:
        image["exported_sha256"] = hashlib.sha256(bytes(data)).hexdigest()  # hide it well
    _rewrite_zip(
        tmp_path / "bad.zip",
        tmp_path / "worse.zip",
        {"manifest.json": json.dumps(manifest).encode()},
    )
    other = _fresh_machine(tmp_path, monkeypatch)
    with HistoryService.open() as there:
        with pytest.raises(ExportError, match=re.escape(name) + ".*exported_sha256"):
            there.import_export(tmp_path / "bad.zip")
        with pytest.raises(ExportError, match=re.escape(name) + ".*do not match the SHA-256"):
            there.import_export(tmp_path / "worse.zip")
    _assert_nothing_imported(other)


@pytest.mark.parametrize(
    "entry", ["../evil.png", "/etc/evil.png", "images/../../evil.png", "C:/evil.png", "\\evil"]
)
def test_unsafe_zip_entries_are_refused_naming_the_entry(
    service: HistoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: str
) -> None:
    run_id = approved_run(service)
    service.export_session(run_id, tmp_path / "e.zip", as_zip=True)
    _rewrite_zip(tmp_path / "e.zip", tmp_path / "bad.zip", {entry: b"x"})
    other = _fresh_machine(tmp_path, monkeypatch)
    with HistoryService.open() as there, pytest.raises(ExportError, match=re.escape(repr(entry))):
        there.import_export(tmp_path / "bad.zip")
    _assert_nothing_imported(other)
    assert not (tmp_path / "evil.png").exists()


def test_manifest_problems_name_field_value_and_what_is_allowed(
    service: HistoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = approved_run(service)
    service.export_session(run_id, tmp_path / "e")
    path = tmp_path / "e" / "manifest.json"
    manifest = json.loads(path.read_text("utf-8"))
    session = manifest["sessions"][0]
    session["run_id"] = "../../x"
    session["params"]["titan_img_width"] = "wide"
    image = session["prompt_versions"][0]["attempts"][0]["images"][0]
    image["seed"] = "abc"
    image["file"] = "../outside.png"
    image["upload_state"] = "maybe"
    path.write_text(json.dumps(manifest), "utf-8")
    _fresh_machine(tmp_path, monkeypatch)
    with HistoryService.open() as there, pytest.raises(ValidationError) as info:
        there.import_export(tmp_path / "e")
    fields = {p.field: p for p in info.value.problems}
    where = "manifest.sessions[0].prompt_versions[0].attempts[0].images[0]"
    assert fields["manifest.sessions[0].run_id"].value == "../../x"
    assert fields["manifest.sessions[0].params.titan_img_width"].allowed == "a whole number"
    assert fields[f"{where}.seed"].value == "abc"
    assert "'..'" in fields[f"{where}.file"].allowed
    assert "pending" in fields[f"{where}.upload_state"].allowed


def test_not_an_export(tmp_path: Path) -> None:
    (tmp_path / "plain.zip").write_bytes(b"not a zip")
    with HistoryService.open() as service:
        with pytest.raises(ExportError, match="not a zip"):
            service.import_export(tmp_path / "plain.zip")
        with pytest.raises(ExportError, match="neither"):
            service.import_export(tmp_path / "missing")
        (tmp_path / "folder").mkdir()
        (tmp_path / "folder" / "manifest.json").write_text('{"format": "other"}', "utf-8")
        with pytest.raises(ValidationError, match=r"manifest\.format"):
            service.import_export(tmp_path / "folder")


def test_import_refuses_sizes_that_are_not_the_files(
    tmp_path: Path, service: HistoryService
) -> None:
    """Numbers in a manifest are claims; the file's own byte and pixel counts decide."""
    run_recorded(service.db_path, params(), chat=FakeChat(verdicts=["YES"]))
    out = service.export_approved(tmp_path / "out").path
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    image = manifest["sessions"][0]["prompt_versions"][0]["attempts"][0]["images"][0]
    image["width"] = 99999
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ExportError, match="width is 99999"):
        service.import_export(out)
    image["width"], image["seed"] = 64, 10**20
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ValidationError, match="seed"):
        service.import_export(out)


# -- imports bounded and checked (issue 17, finding 6) ---------------------------------------


def _deflated_zeros(mib: int) -> tuple[bytes, int, str]:
    """A raw deflate stream of ``mib`` MiB of zeros, with their CRC-32 and SHA-256.

    Each 1 MiB block is compressed after a full flush, which restarts the compressor, so
    every block after the first is the same bytes: compressing two blocks and repeating one
    builds a 250 MiB entry in milliseconds and a few hundred KB of memory.
    """
    chunk = bytes(1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    stream = first + block * (mib - 1) + comp.flush()
    crc, sha = 0, hashlib.sha256()
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
        sha.update(chunk)
    return stream, crc, sha.hexdigest()


def _zip_bytes(entries: list[tuple[str, int, bytes, int, int]]) -> bytes:
    """A zip written record by record: (name, method, stored bytes, CRC-32, unpacked size).

    zipfile compresses whatever it is given; writing the records here lets entries share one
    precompressed stream, the way a real zip bomb is made."""
    body, central = bytearray(), bytearray()
    for name, method, data, crc, size in entries:
        encoded = name.encode()
        offset = len(body)
        body += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size,
            len(encoded), 0,
        )  # fmt: skip
        body += encoded + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data),
            size, len(encoded), 0, 0, 0, 0, 0o644 << 16, offset,
        )  # fmt: skip
        central += encoded
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(body), 0
    )
    return bytes(body + central + end)


def _manifest_of(archive: Path) -> dict[str, Any]:
    with zipfile.ZipFile(archive) as zf:
        manifest: dict[str, Any] = json.loads(zf.read("manifest.json"))
    return manifest


def _opened_entries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the zip entries the import opens (to show what it never reads)."""
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(name if isinstance(name, str) else name.filename)
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    return opened


@pytest.mark.parametrize(
    ("mib", "why"),
    [(250, "is refused: it unpacks to 262,144,000 bytes"), (20, "unpacks .* times its size")],
    ids=["over-the-image-limit", "within-it-but-inflating"],
)
def test_a_zip_bomb_of_self_consistent_entries_is_refused_from_its_directory(
    service: HistoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mib: int, why: str
) -> None:
    """Finding 6: a 1.5 MB zip of six 250 MB entries, every hash right, imported 1.5 GB.
    Now its directory is checked first and no entry is even opened."""
    run_id = approved_run(service)
    service.export_session(run_id, tmp_path / "e.zip", as_zip=True)
    manifest = _manifest_of(tmp_path / "e.zip")
    stream, crc, sha = _deflated_zeros(mib)
    names = [f"images/{run_id}/bomb-{i}.png" for i in range(6)]
    attempts = manifest["sessions"][0]["prompt_versions"][0]["attempts"]
    template = attempts[0]["images"][0]
    for attempt in attempts:
        attempt["images"] = []
    attempts[0]["images"] = [
        {**template, "index": i, "file": name, "sha256": sha, "exported_sha256": sha}
        | {"metadata": None, "size_bytes": mib << 20}
        for i, name in enumerate(names)
    ]
    body = json.dumps(manifest).encode()
    entries = [("manifest.json", zipfile.ZIP_STORED, body, zlib.crc32(body), len(body))]
    entries += [(name, zipfile.ZIP_DEFLATED, stream, crc, mib << 20) for name in names]
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(_zip_bytes(entries))
    assert bomb.stat().st_size < 2_000_000
    other = _fresh_machine(tmp_path, monkeypatch)
    opened = _opened_entries(monkeypatch)
    with (
        HistoryService.open() as there,
        pytest.raises(ExportError, match=re.escape(f"{bomb}: the entry {names[0]!r}") + ".*" + why),
    ):
        there.import_export(bomb)
    assert not set(opened) & set(names)
    _assert_nothing_imported(other)


@pytest.mark.parametrize("as_zip", [True, False], ids=["zip", "folder"])
def test_the_total_size_is_checked_before_any_image_is_read(
    service: HistoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_zip: bool
) -> None:
    run_id = approved_run(service)
    dest = tmp_path / ("e.zip" if as_zip else "e")
    service.export_session(run_id, dest, as_zip=as_zip)
    if as_zip:
        with zipfile.ZipFile(dest) as zf:
            total = sum(info.file_size for info in zf.infolist())
    else:
        total = sum(f.stat().st_size for f in dest.rglob("*") if f.is_file())
    monkeypatch.setattr(export_archive, "MAX_IMPORT_BYTES", total - 1)
    other = _fresh_machine(tmp_path, monkeypatch)
    opened = _opened_entries(monkeypatch)
    checked = mock.Mock(wraps=history_import.check_image)
    monkeypatch.setattr(history_import, "check_image", checked)
    with (
        HistoryService.open() as there,
        pytest.raises(ExportError, match=f"{total:,} bytes in all"),
    ):
        there.import_export(dest)
    assert opened == [] and checked.call_count == 0
    _assert_nothing_imported(other)


ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + bytes(40)
SCRIPT = b"#!/bin/sh\necho 'this is not a picture' > /tmp/imgloop-was-here\n"


@pytest.mark.parametrize(
    "payload", [ELF, SCRIPT, png(64, 64)[:-30]], ids=["elf", "script", "truncated-png"]
)
def test_a_file_that_is_not_an_image_is_refused_though_every_hash_matches(
    service: HistoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, payload: bytes
) -> None:
    """Finding 6: an ELF binary and a shell script with matching hashes imported as .png."""
    run_id = approved_run(service)
    service.export_session(run_id, tmp_path / "e.zip", as_zip=True)
    name = f"images/{run_id}/000-001-0.png"
    manifest = _manifest_of(tmp_path / "e.zip")
    image = manifest["sessions"][0]["prompt_versions"][0]["attempts"][1]["images"][0]
    sha = hashlib.sha256(payload).hexdigest()
    image.update(sha256=sha, exported_sha256=sha, metadata=None, size_bytes=len(payload))
    image.update(width=64, height=64)
    _rewrite_zip(
        tmp_path / "e.zip",
        tmp_path / "bad.zip",
        {name: payload, "manifest.json": json.dumps(manifest).encode()},
    )
    other = _fresh_machine(tmp_path, monkeypatch)
    with (
        HistoryService.open() as there,
        pytest.raises(ExportError, match=re.escape(name) + " is not an image that can be imported"),
    ):
        there.import_export(tmp_path / "bad.zip")
    _assert_nothing_imported(other)


def _lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with ``name``'s unpacked size set to ``size`` in its local header and in the
    central directory (the one zipfile believes)."""
    out = bytearray(data)
    encoded = name.encode()
    for signature, size_at, name_len_at, name_at in (
        (b"PK\x03\x04", 22, 26, 30),
        (b"PK\x01\x02", 24, 28, 46),
    ):
        pos = out.find(signature)
        while pos != -1:
            (length,) = struct.unpack_from("<H", out, pos + name_len_at)
            if out[pos + name_at : pos + name_at + length] == encoded:
                struct.pack_into("<I", out, pos + size_at, size)
            pos = out.find(signature, pos + 4)
    return bytes(out)


@pytest.mark.parametrize("entry", ["manifest.json", "image"])
@pytest.mark.parametrize("factor", [0.5, 2.0], ids=["says-smaller", "says-larger"])
def test_a_zip_that_lies_about_sizes_is_an_export_error_naming_archive_and_entry(
    service: HistoryService,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    entry: str,
    factor: float,
) -> None:
    """Finding 6: a central directory that lies about sizes ended in a BadZipFile traceback
    (or, when it claimed more, was believed without a word)."""
    run_id = approved_run(service)
    service.export_session(run_id, tmp_path / "e.zip", as_zip=True)
    name = entry if entry == "manifest.json" else f"images/{run_id}/000-001-0.png"
    with zipfile.ZipFile(tmp_path / "e.zip") as zf:
        actual = zf.getinfo(name).file_size
    lying = tmp_path / "lying.zip"
    original = (tmp_path / "e.zip").read_bytes()
    lying.write_bytes(_lie_about_size(original, name, int(actual * factor)))
    other = _fresh_machine(tmp_path, monkeypatch)
    with (
        HistoryService.open() as there,
        pytest.raises(ExportError, match=re.escape(f"{lying}: the entry {name!r}")),
    ):
        there.import_export(lying)
    _assert_nothing_imported(other)


def test_damaged_compressed_data_is_an_export_error(
    service: HistoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = approved_run(service)
    service.export_session(run_id, tmp_path / "e.zip", as_zip=True)
    data = bytearray((tmp_path / "e.zip").read_bytes())
    with zipfile.ZipFile(tmp_path / "e.zip") as zf:
        info = zf.getinfo("manifest.json")
    start = info.header_offset + 30 + len(info.filename.encode())
    data[start + 10 : start + 40] = b"\xff" * 30  # inside the deflate stream
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    other = _fresh_machine(tmp_path, monkeypatch)
    with (
        HistoryService.open() as there,
        pytest.raises(ExportError, match=re.escape(f"{damaged}: the entry 'manifest.json'")),
    ):
        there.import_export(damaged)
    _assert_nothing_imported(other)


def test_an_entry_is_read_only_up_to_its_limit_while_streaming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The directory is believed only so far: reading stops one byte past the limit."""
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("big.bin", bytes(2_000_000))
    got: list[int] = []
    real_read = zipfile.ZipExtFile.read

    def spy(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
        data = real_read(self, n)
        got.append(len(data))
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", spy)
    with export_archive.Source(archive) as source, pytest.raises(ExportError, match=r"big\.bin"):
        source.read("big.bin", 1000)
    assert sum(got) <= 1001


def _two_session_export(service: HistoryService, dest: Path) -> list[str]:
    run_ids = [approved_run(service, "first"), approved_run(service, "second")]
    export.export_trees(
        [service.session(r) for r in run_ids], dest, as_zip=True, selection="session"
    )
    return run_ids


@pytest.mark.parametrize(
    ("field", "value"),
    [("prompt", "a fox \ud800 in snow"), ("verdict.reason", "fine\x00 print")],
    ids=["surrogate", "nul"],
)
def test_a_surrogate_or_nul_in_the_manifest_leaves_no_file_and_no_row(
    service: HistoryService,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    field: str,
    value: str,
) -> None:
    """Finding 6: a lone surrogate in an imported prompt failed after files were written,
    leaving them behind (and the sessions before it recorded)."""
    _two_session_export(service, tmp_path / "e.zip")
    manifest = _manifest_of(tmp_path / "e.zip")
    image = manifest["sessions"][1]["prompt_versions"][0]["attempts"][1]["images"][0]
    if field == "prompt":
        image["prompt"] = value
    else:
        image["verdict"]["reason"] = value
    _rewrite_zip(
        tmp_path / "e.zip", tmp_path / "bad.zip", {"manifest.json": json.dumps(manifest).encode()}
    )
    other = _fresh_machine(tmp_path, monkeypatch)
    with HistoryService.open() as there, pytest.raises(ImgloopError) as info:
        there.import_export(tmp_path / "bad.zip")
    where = f"manifest.sessions[1].prompt_versions[0].attempts[1].images[0].{field}"
    assert where in str(info.value)
    str(info.value).encode("utf-8")  # the message itself can be printed
    _assert_nothing_imported(other)


def test_a_failure_while_recording_undoes_the_whole_import(
    service: HistoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One transaction for every session, and the files written for it removed: a failure
    in the last row leaves this history as it was."""
    _two_session_export(service, tmp_path / "e.zip")
    other = _fresh_machine(tmp_path, monkeypatch)
    real_insert = history_import._insert_image
    calls = 0

    def failing(*args: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 4:
            raise sqlite3.OperationalError("disk I/O error")
        real_insert(*args)

    monkeypatch.setattr(history_import, "_insert_image", failing)
    with (
        HistoryService.open() as there,
        pytest.raises((sqlite3.OperationalError, ImgloopError), match="disk I/O error"),
    ):
        there.import_export(tmp_path / "e.zip")
    assert calls == 4
    _assert_nothing_imported(other)


def test_a_write_error_is_an_export_error_and_undoes_the_files_written(
    service: HistoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_ids = _two_session_export(service, tmp_path / "e.zip")
    other = _fresh_machine(tmp_path, monkeypatch)
    real_save = LocalImageStore.save
    calls = 0

    def full_disk(self: LocalImageStore, run_id: str, name: str, data: bytes) -> Any:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_save(self, run_id, name, data)

    monkeypatch.setattr(LocalImageStore, "save", full_disk)
    with (
        HistoryService.open() as there,
        pytest.raises(ExportError, match=f"{run_ids[1]}.*No space left on device"),
    ):
        there.import_export(tmp_path / "e.zip")
    _assert_nothing_imported(other)


def test_an_import_that_would_fill_the_disk_is_refused_before_writing(
    service: HistoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = approved_run(service)
    service.export_session(run_id, tmp_path / "e.zip", as_zip=True)
    other = _fresh_machine(tmp_path, monkeypatch)
    monkeypatch.setattr(history_import.shutil, "disk_usage", lambda _p: SimpleNamespace(free=1))
    with HistoryService.open() as there, pytest.raises(ExportError, match="only 1 are free"):
        there.import_export(tmp_path / "e.zip")
    _assert_nothing_imported(other)


def test_an_image_already_on_disk_is_never_overwritten(
    service: HistoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file under the name an import would use is kept: the same bytes are adopted (and
    survive an undo), other bytes stop the import with the path named."""
    run_id = approved_run(service)
    originals = [image.path.read_bytes() for image in service.session(run_id).images()]
    service.export_session(run_id, tmp_path / "e.zip", as_zip=True)
    other = _fresh_machine(tmp_path, monkeypatch)
    first = other / "images" / run_id / "000-000-0.png"
    second = other / "images" / run_id / "000-001-0.png"
    second.parent.mkdir(parents=True)
    second.write_bytes(b"somebody else's bytes")
    with HistoryService.open() as there:
        with pytest.raises(ExportError, match=re.escape(str(second)) + " already exists"):
            there.import_export(tmp_path / "e.zip")
        assert second.read_bytes() == b"somebody else's bytes" and not first.exists()
        assert there.count_sessions() == 0
        second.write_bytes(originals[1])
        assert there.import_export(tmp_path / "e.zip").images_added == 2
    assert [first.read_bytes(), second.read_bytes()] == originals

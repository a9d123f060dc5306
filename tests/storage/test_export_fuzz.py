"""Property-based fuzzing of the history importer (issue 17: "the manifest reader").

Whatever an export holds, importing it ends in one of two ways: the import, or an
``ImgloopError`` (``ExportError``, ``ValidationError``, ``HistoryError``) saying what is wrong.
Never another exception, and a refused import leaves the history and the image folder
exactly as they were. The cases start from a real export and change it the ways a damaged
download, a hand-edited manifest or an attacker would: any value anywhere in the manifest,
keys removed, a manifest that is not JSON or not UTF-8, entries added, replaced or dropped,
bytes flipped, the zip cut short, sizes in its directory that lie.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3
import struct
import zipfile
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imgloop_desktop import paths
from imgloop_desktop.core.errors import ImgloopError
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.storage import export
from tests.storage.history.fakes import FakeChat, params, png, run_recorded

# Fast enough for every run (a few seconds each) while covering the cases below many times.
FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,  # no .hypothesis folder in the checkout; a failure prints its example
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

HOSTILE_TEXT = st.sampled_from(
    [
        "\ud800",
        "a\udfffb",
        "\x00",
        "nul\x00inside",
        "",
        "../x.png",
        "/etc/passwd",
        "C:/x.png",
        "images/../../x.png",
        "manifest.json",
        "x" * 300,
        "9" * 60,
        "2024-13-45T99:99:99+00:00",
        "2024-05-01T12:00:00",
        "approved",
        "YES",
        "pending",
        "running",
        "0" * 64,
    ]
)
TEXT = st.text(max_size=24) | HOSTILE_TEXT
NUMBERS = (
    st.integers()
    | st.sampled_from([0, -1, 1, 2**63 - 1, 2**63, -(2**63), 10**39, 10**40, 10**41, 10**400])
    | st.floats(allow_nan=False, allow_infinity=False)
)
LEAVES = st.none() | st.booleans() | NUMBERS | TEXT
JSON_VALUES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
BLOBS = st.binary(max_size=300) | st.sampled_from(
    [b"", png(8, 8), png(64, 64)[:-20], b"\x89PNG\r\n\x1a\n" + bytes(40), b"\x7fELF" + bytes(60)]
)


# Bodies Python's json module answers with RecursionError, ValueError or a float infinity.
RAW_BODIES = st.binary(max_size=200) | st.sampled_from(
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 20_000 + b"1" + b"}" * 20_000,
        b"9" * 5_000,
        b'{"format": "imgloop-history-export", "schema_version": ' + b"1" * 5000 + b"}",
        b"1e400",
        b"-Infinity",
        b"NaN",
        b"\xef\xbb\xbf{}",
        b'"\\ud800"',
        b"\xff\xfe{\x00}\x00",
    ]
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every JSON path in ``value`` (keys and list positions), the root included."""
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _paths(item, (*prefix, i))
    return out


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    try:
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = value
    except (KeyError, IndexError, TypeError):
        pass  # an earlier change removed the place
    return doc


def _delete(doc: Any, path: tuple[Any, ...]) -> Any:
    try:
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        del parent[path[-1]]
    except (KeyError, IndexError, TypeError):
        pass  # an earlier change removed the place
    return doc


def _lie_about_size(data: bytearray, index: int, size: int) -> None:
    """Set the unpacked size of the ``index``-th central directory record to ``size``."""
    positions = []
    pos = data.find(b"PK\x01\x02")
    while pos != -1 and pos + 28 <= len(data):
        positions.append(pos)
        pos = data.find(b"PK\x01\x02", pos + 4)
    if positions:
        struct.pack_into("<I", data, positions[index % len(positions)] + 24, size)


def _snapshot(db_path: Path, images: Path) -> tuple[Any, ...]:
    """Row counts of every history table and every file (with its size) under the image
    folder: what a refused import must leave as it was."""
    conn = sqlite3.connect(db_path)
    try:
        counts = tuple(
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("runs", "prompt_versions", "attempts", "images", "verdicts")
        )
    finally:
        conn.close()
    files = sorted(
        (str(p.relative_to(images)), p.stat().st_size) for p in images.rglob("*") if p.is_file()
    )
    return counts, tuple(files)


def _assert_every_row_has_its_image(db_path: Path, images: Path) -> None:
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT rel_path, sha256 FROM images").fetchall()
    finally:
        conn.close()
    for rel_path, sha in rows:
        assert hashlib.sha256((images / rel_path).read_bytes()).hexdigest() == sha, rel_path


@pytest.fixture
def base_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, bytes]]:
    """A real two-image export's entries, then a fresh, empty data folder to import into."""
    with HistoryService.open() as service:
        run_id = run_recorded(
            service.db_path, params(), chat=FakeChat(verdicts=["NO", "YES"])
        ).run_id
        service.export_session(run_id, tmp_path / "base.zip", as_zip=True)
    with zipfile.ZipFile(tmp_path / "base.zip") as zf:
        entries = {name: zf.read(name) for name in zf.namelist()}
    monkeypatch.setenv("IMGLOOP_DATA_DIR", str(tmp_path / "other-machine"))
    yield entries


def _mutations(manifest: Any, names: list[str]) -> st.SearchStrategy[tuple[Any, ...]]:
    manifest_paths = _paths(manifest)
    # zipfile writes only names it can encode; undecodable ones come from flipped bytes.
    entry_names = st.sampled_from(names) | TEXT.map(
        lambda t: t.encode("utf-8", "replace").decode("utf-8")
    )
    return st.one_of(
        st.tuples(st.just("set"), st.sampled_from(manifest_paths), JSON_VALUES),
        st.tuples(st.just("delete"), st.sampled_from(manifest_paths[1:])),
        st.tuples(st.just("manifest"), BLOBS | TEXT.map(lambda t: t.encode("utf-8", "replace"))),
        st.tuples(st.just("entry"), entry_names, BLOBS),
        st.tuples(st.just("drop"), st.sampled_from(names)),
        st.tuples(st.just("flip"), st.floats(0, 1), st.integers(1, 255)),
        st.tuples(st.just("cut"), st.floats(0, 1)),
        st.tuples(st.just("lie"), st.integers(0, 10), st.integers(0, 2**32 - 1)),
    )


def _build(
    entries: dict[str, bytes], mutations: list[tuple[Any, ...]], ensure_ascii: bool
) -> tuple[dict[str, bytes], bytes]:
    """The changed entries and the zip holding them (with any byte-level damage)."""
    manifest = json.loads(entries["manifest.json"])
    entries = dict(entries)
    for kind, *args in mutations:
        if kind == "set":
            manifest = _set(manifest, args[0], args[1])
        elif kind == "delete":
            manifest = _delete(manifest, args[0])
    body = json.dumps(manifest, ensure_ascii=ensure_ascii).encode("utf-8", "surrogatepass")
    entries["manifest.json"] = body
    for kind, *args in mutations:
        if kind == "manifest":
            entries["manifest.json"] = args[0]
        elif kind == "entry":
            entries[args[0]] = args[1]
        elif kind == "drop":
            entries.pop(args[0], None)
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in entries.items():
            method = zipfile.ZIP_DEFLATED if name == "manifest.json" else zipfile.ZIP_STORED
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    raw = bytearray(out.getvalue())
    for kind, *args in mutations:
        if kind == "flip" and raw:
            raw[min(int(args[0] * len(raw)), len(raw) - 1)] ^= args[1]
        elif kind == "cut":
            del raw[int(args[0] * len(raw)) :]
        elif kind == "lie":
            _lie_about_size(raw, args[0], args[1])
    return entries, bytes(raw)


def _write_folder(folder: Path, entries: dict[str, bytes]) -> None:
    folder.mkdir()
    for name, data in entries.items():
        if export.archive_name_problem(name) or not name.strip("/"):
            continue  # a folder cannot hold these; the zip cases cover them
        target = folder / name
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except (OSError, ValueError):
            continue  # a name this file system refuses (too long, a clash with a folder)


def _check_answers_cleanly(service: HistoryService, source: Path) -> None:
    images = paths.images_dir()
    images.mkdir(parents=True, exist_ok=True)
    before = _snapshot(service.db_path, images)
    try:
        service.import_export(source)
    except ImgloopError as exc:
        str(exc).encode("utf-8")  # the message can be printed
        assert _snapshot(service.db_path, images) == before, exc
    else:
        _assert_every_row_has_its_image(service.db_path, images)


def test_any_changed_export_imports_or_is_refused_cleanly(
    base_export: dict[str, bytes], tmp_path: Path
) -> None:
    manifest = json.loads(base_export["manifest.json"])
    strategy = _mutations(manifest, sorted(base_export))
    counter = itertools.count()
    with HistoryService.open() as service:

        @FUZZ
        @given(
            mutations=st.lists(strategy, min_size=1, max_size=3),
            ensure_ascii=st.booleans(),
            as_folder=st.booleans(),
        )
        def check(mutations: list[tuple[Any, ...]], ensure_ascii: bool, as_folder: bool) -> None:
            n = next(counter)
            fresh = dict(base_export)
            doc = json.loads(fresh["manifest.json"])
            doc["sessions"][0]["run_id"] = f"fuzz-{n}"  # a new session each time, unless changed
            fresh["manifest.json"] = json.dumps(doc).encode()
            entries, archive = _build(fresh, mutations, ensure_ascii)
            if as_folder:
                source = tmp_path / f"case-{n}"
                _write_folder(source, entries)
            else:
                source = tmp_path / f"case-{n}.zip"
                source.write_bytes(archive)
            _check_answers_cleanly(service, source)

        check()


def _manifest_documents(base: Any) -> st.SearchStrategy[Any]:
    """Whole documents: random JSON, and the real manifest with values swapped anywhere."""
    manifest_paths = _paths(base)

    def changed(changes: list[tuple[tuple[Any, ...], Any]]) -> Any:
        doc = json.loads(json.dumps(base))
        for path, value in changes:
            doc = _set(doc, path, value)
        return doc

    return JSON_VALUES | st.lists(
        st.tuples(st.sampled_from(manifest_paths), JSON_VALUES), min_size=1, max_size=4
    ).map(changed)


def test_the_manifest_reader_answers_any_document(
    base_export: dict[str, bytes], tmp_path: Path
) -> None:
    base = json.loads(base_export["manifest.json"])
    folder = tmp_path / "manifest-only"
    folder.mkdir()
    read: Callable[[Path], object] = export.read_manifest

    @FUZZ
    @given(doc=_manifest_documents(base), ensure_ascii=st.booleans(), raw=st.none() | RAW_BODIES)
    def check(doc: Any, ensure_ascii: bool, raw: bytes | None) -> None:
        body = json.dumps(doc, ensure_ascii=ensure_ascii).encode("utf-8", "surrogatepass")
        (folder / "manifest.json").write_bytes(body if raw is None else raw)
        try:
            read(folder)
        except ImgloopError as exc:
            str(exc).encode("utf-8")

    check()

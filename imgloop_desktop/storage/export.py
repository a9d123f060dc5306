"""Export sessions (or every approved image) to a folder or a zip, and import such an export
on another machine.

Exported PNGs carry their provenance inside the file: a ``parameters`` text chunk in the
form AUTOMATIC1111 writes (so image browsers that read it show our prompt, seed and size)
and an ``imgloop`` iTXt chunk with the full JSON. The chunks are inserted into the byte
stream right after IHDR, without decoding or re-encoding, so the pixels are untouched and
the stored original is recovered exactly by cutting the inserted bytes out again; the
manifest records where they are, and import checks the result against the original SHA-256.

Everything read back in is untrusted: archive names, manifest fields and file bytes are
checked before anything is written, and a bad one stops the import with a message naming
it.
"""

from __future__ import annotations

import hashlib
import json
import lzma
import os
import re
import shutil
import sqlite3
import stat
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any, Literal

from imgloop_desktop import __version__, paths
from imgloop_desktop.core import jsonsafe
from imgloop_desktop.core.errors import ImgloopError, Problem, ValidationError
from imgloop_desktop.core.image_check import BadImageError, ImageInfo, check_image
from imgloop_desktop.core.jsonsafe import has_surrogate
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.pngs import PNG_SIGNATURE
from imgloop_desktop.storage.history.queries import (
    AttemptRecord,
    ImageRecord,
    PromptVersionRecord,
    SessionTree,
    VerdictRecord,
)
from imgloop_desktop.storage.history.schema import (
    Decision,
    HistoryOutcome,
    UploadState,
    now_iso,
    parse_iso,
    transaction,
)
from imgloop_desktop.storage.local import LocalImageStore

FORMAT = "imgloop-history-export"
MANIFEST_VERSION = 1
MANIFEST_NAME = "manifest.json"
# -- import limits: an export is untrusted, and a few MB of zip can unpack to many GB ------
# The largest image any model in the catalog makes is 4,194,304 pixels; as an 8-bit RGBA PNG
# of pure noise (the worst case, deflate cannot shrink it) that is 16.8 MB. Twice that leaves
# room for the text chunks an export inserts and for any model that compresses badly.
MAX_IMAGE_BYTES = 32 * 1024 * 1024
# Model text in the history is capped (100,000 characters per answer), so even thousands of
# sessions fit; the limit keeps parsing to seconds and memory to well under a GB.
MAX_MANIFEST_BYTES = 128 * 1024 * 1024
# Everything an import may unpack, checked against the archive's directory before a byte is
# read and counted again while reading: about 2,000 real images, more than any one export
# people move between machines; a bigger history can be exported in parts.
MAX_IMPORT_BYTES = 4 * 1024 * 1024 * 1024
# An image entry may unpack to at most this many times its stored size (PNGs are already
# deflated: real ones shrink by a few percent in a zip, and exports store them as they are).
# This is what stops a small download turning into gigabytes within the other limits.
MAX_IMAGE_INFLATION = 100
# Entries in one archive; zipfile keeps an object per entry, and no export has more.
MAX_ARCHIVE_ENTRIES = 100_000
# Free space an import leaves beyond the images it writes, for the history's rows and journal.
_FREE_SPACE_MARGIN = 16 * 1024 * 1024
_READ_CHUNK = 1024 * 1024
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")  # as the local image store
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")

Selection = Literal["session", "approved"]


_INT_MAX = 2**63 - 1  # SQLite's INTEGER; larger numbers cannot be stored


class ExportError(ImgloopError):
    """An export or import cannot go on; the message names the file, entry or field."""


def verified_original(image: ImageRecord) -> bytes:
    """The stored original, refused when unreadable or no longer the bytes the history
    recorded: an export must not carry a hash that would lie."""
    try:
        original = image.path.read_bytes()
    except OSError as exc:
        raise ExportError(f"the local file cannot be read ({exc.strerror})") from exc
    if hashlib.sha256(original).hexdigest() != image.sha256:
        raise ExportError("the local file differs from the recorded SHA-256")
    return original


# -- PNG chunks -------------------------------------------------------------------------------


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def text_chunk(keyword: str, text: str) -> bytes:
    """``tEXt`` when the text is Latin-1 (what A1111 and most readers expect), else ``iTXt``
    (UTF-8), the way Pillow's ``PngInfo.add_text`` decides."""
    try:
        payload = keyword.encode("latin-1") + b"\0" + text.encode("latin-1")
    except UnicodeEncodeError:
        return itxt_chunk(keyword, text)
    return png_chunk(b"tEXt", payload)


def itxt_chunk(keyword: str, text: str) -> bytes:
    """Uncompressed iTXt: keyword, NUL, compression flag and method, empty language tag and
    translated keyword (each NUL-terminated), then UTF-8 text."""
    if not 1 <= len(keyword) <= 79:
        raise ValueError(f"PNG keyword {keyword!r} must be 1-79 characters")
    return png_chunk(
        b"iTXt", keyword.encode("latin-1") + b"\0\0\0" + b"\0" + b"\0" + text.encode("utf-8")
    )


def iter_chunks(data: bytes) -> Iterator[tuple[int, bytes, bytes]]:
    """(offset, type, payload) of each chunk; raises ValueError on anything not PNG-shaped."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    pos = len(PNG_SIGNATURE)
    while pos < len(data):
        if pos + 12 > len(data):
            raise ValueError(f"truncated PNG chunk at byte {pos}")
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise ValueError(f"truncated PNG chunk {kind!r} at byte {pos}")
        yield pos, kind, data[pos + 8 : pos + 8 + length]
        pos = end


def insert_after_ihdr(png: bytes, chunks: bytes) -> tuple[bytes, int]:
    """``chunks`` placed right after IHDR (readers that stop at IDAT still see them); returns
    the new bytes and the offset they were put at."""
    first = next(iter_chunks(png), None)
    if first is None or first[1] != b"IHDR":
        raise ValueError("the PNG does not start with IHDR")
    offset = first[0] + 12 + len(first[2])
    return png[:offset] + chunks + png[offset:], offset


@dataclass(frozen=True)
class AnnotatedPng:
    data: bytes
    offset: int | None
    length: int


def annotate(original: bytes, tree: SessionTree, image: ImageRecord) -> AnnotatedPng:
    """The exported copy: the original bytes plus our two text chunks, nothing re-encoded.
    A file that is not a PNG is exported unchanged (``offset`` None)."""
    chunks = text_chunk("parameters", a1111_parameters(tree, image)) + itxt_chunk(
        "imgloop", json.dumps(provenance(tree, image), ensure_ascii=False, sort_keys=True)
    )
    try:
        data, offset = insert_after_ihdr(original, chunks)
    except ValueError:
        return AnnotatedPng(original, None, 0)
    return AnnotatedPng(data, offset, len(chunks))


def read_text_chunks(png: bytes) -> dict[str, str]:
    """tEXt and uncompressed iTXt chunks by keyword (what tests and import need)."""
    out: dict[str, str] = {}
    for _offset, kind, payload in iter_chunks(png):
        if kind == b"tEXt":
            key, _, text = payload.partition(b"\0")
            out[key.decode("latin-1")] = text.decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = payload.partition(b"\0")
            flag = rest[:1]
            fields = rest[2:].split(b"\0", 2)
            if flag == b"\0" and len(fields) == 3:
                out[key.decode("latin-1")] = fields[2].decode("utf-8")
    return out


def _a1111_quote(value: object) -> str:
    """AUTOMATIC1111's rule: JSON-quote a value holding ',', ':' or a newline."""
    text = str(value)
    if "," not in text and "\n" not in text and ":" not in text:
        return text
    return json.dumps(text, ensure_ascii=False)


def _cfg(tree: SessionTree, image: ImageRecord) -> float | None:
    value = tree.params.get("titan_img_cfg_scale")
    return float(value) if isinstance(value, int | float) else None


def a1111_parameters(tree: SessionTree, image: ImageRecord) -> str:
    """The prompt that made the image on the first line(s), then one ``Key: value`` line.

    Bedrock does not report a step count, so there is no ``Steps:``; AUTOMATIC1111's parser
    only needs three or more ``Key: value`` pairs on the last line to read it.
    """
    params: dict[str, object | None] = {
        "Seed": image.seed,
        "Size": f"{image.width}x{image.height}",
        "CFG scale": _cfg(tree, image),
        "Model": tree.image_model_id,
        "Judge model": tree.judge_model_id,
        "Verdict": image.verdict.result if image.verdict else None,
        "Human decision": image.human_decision.value if image.human_decision else None,
        "Approved": "yes" if image.effective_approved else "no",
        "Original prompt": tree.prompt if tree.prompt != image.prompt else None,
        "Version": f"imgloop-desktop {__version__}",
    }
    line = ", ".join(f"{k}: {_a1111_quote(v)}" for k, v in params.items() if v is not None)
    return f"{image.prompt}\n{line}"


def provenance(tree: SessionTree, image: ImageRecord) -> dict[str, Any]:
    verdict = image.verdict
    return {
        "app": "imgloop-desktop",
        "app_version": __version__,
        "run_id": tree.run_id,
        "original_prompt": tree.prompt,
        "prompt": image.prompt,
        "image_model": tree.image_model_id,
        "judge_model": tree.judge_model_id,
        "seed": image.seed,
        "width": image.width,
        "height": image.height,
        "cfgScale": _cfg(tree, image),
        "revision": image.revision,
        "attempt": image.attempt,
        "index": image.index,
        "verdict": verdict.result if verdict else None,
        "reason": verdict.reason if verdict else None,
        "human_decision": image.human_decision.value if image.human_decision else None,
        "approved": image.effective_approved,
        "sha256_original": image.sha256,
    }


# -- export -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sessions: int
    images: int
    skipped: list[str] = field(default_factory=list)
    """Images that could not be exported (file gone or changed), each with why."""


def _iso(moment: datetime | None) -> str | None:
    return now_iso(moment) if moment is not None else None


def _public_params(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters as given, minus the local folder (an absolute path on this machine)."""
    out = dict(params)
    if "output_dir" in out:
        out["output_dir"] = ""
    return out


def export_name(run_id: str, image: ImageRecord) -> str:
    return f"images/{run_id}/{image.revision:03d}-{image.attempt:03d}-{image.index}.png"


def _image_json(image: ImageRecord, file: str | None, annotated: AnnotatedPng | None) -> Any:
    v = image.verdict
    return {
        "index": image.index,
        "file": file,
        "sha256": image.sha256,
        "exported_sha256": hashlib.sha256(annotated.data).hexdigest() if annotated else None,
        "metadata": (
            {"offset": annotated.offset, "length": annotated.length}
            if annotated and annotated.offset is not None
            else None
        ),
        "size_bytes": image.size_bytes,
        "width": image.width,
        "height": image.height,
        "seed": image.seed,
        "prompt": image.prompt,
        "s3_bucket": image.s3_bucket,
        "s3_key": image.s3_key,
        "upload_state": image.upload_state.value,
        "upload_error": image.upload_error,
        "stored_at": _iso(image.stored_at),
        "human_decision": image.human_decision.value if image.human_decision else None,
        "decided_at": _iso(image.decided_at),
        "effective_approved": image.effective_approved,
        "verdict": None
        if v is None
        else {
            "result": v.result,
            "reason": v.reason,
            "raw": v.raw,
            "model_id": v.model_id,
            "input_tokens": v.input_tokens,
            "output_tokens": v.output_tokens,
            "retried": v.retried,
            "received_at": _iso(v.received_at),
        },
    }


def _session_json(
    tree: SessionTree,
    included: set[int],
    files: dict[int, tuple[str, AnnotatedPng]],
    selection: Selection,
) -> Any:
    judge_approved = None
    for image in tree.images():
        if image.image_id == tree.judge_approved_image_id:
            judge_approved = {
                "revision": image.revision,
                "attempt": image.attempt,
                "index": image.index,
            }
    return {
        "run_id": tree.run_id,
        "prompt": tree.prompt,
        "params": _public_params(tree.params),
        "image_model_id": tree.image_model_id,
        "judge_model_id": tree.judge_model_id,
        "app_version": tree.app_version,
        "started_at": _iso(tree.started_at),
        "ended_at": _iso(tree.ended_at),
        "outcome": tree.outcome.value,
        "message": tree.message,
        "judge_approved": judge_approved,
        "images_included": "all" if selection == "session" else "approved",
        "prompt_versions": [
            {
                "revision": version.revision,
                "prompt": version.prompt,
                "previous_prompt": version.previous_prompt,
                "reasons": list(version.reasons),
                "ok": version.ok,
                "raw": version.raw,
                "error": version.error,
                "created_at": _iso(version.created_at),
                "attempts": [
                    {
                        "attempt": attempt.attempt,
                        "prompt": attempt.prompt,
                        "seed": attempt.seed,
                        "request": attempt.request,
                        "started_at": _iso(attempt.started_at),
                        "ended_at": _iso(attempt.ended_at),
                        "error": attempt.error,
                        "images": [
                            _image_json(
                                image,
                                files[image.image_id][0] if image.image_id in files else None,
                                files[image.image_id][1] if image.image_id in files else None,
                            )
                            for image in attempt.images
                            if image.image_id in included
                        ],
                    }
                    for attempt in version.attempts
                ],
            }
            for version in tree.prompt_versions
        ],
    }


class _Sink:
    """Writes export entries into a folder or a zip, the zip atomically (temp, rename)."""

    def __init__(self, dest: Path, as_zip: bool) -> None:
        self.dest = dest
        self.as_zip = as_zip
        self._zip: zipfile.ZipFile | None = None
        self._tmp: Path | None = None
        if as_zip:
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
            os.close(fd)
            self._tmp = Path(tmp)
            self._zip = zipfile.ZipFile(self._tmp, "w")
        else:
            dest.mkdir(parents=True, exist_ok=True)

    def write(self, name: str, data: bytes, *, compress: bool) -> None:
        if self._zip is not None:
            method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            info = zipfile.ZipInfo(name, date_time=datetime.now().timetuple()[:6])
            info.compress_type = method
            info.external_attr = 0o644 << 16
            self._zip.writestr(info, data)
        else:
            target = self.dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)

    def commit(self) -> None:
        if self._zip is not None and self._tmp is not None:
            self._zip.close()
            self._tmp.replace(self.dest)

    def abort(self) -> None:
        if self._zip is not None and self._tmp is not None:
            self._zip.close()
            self._tmp.unlink(missing_ok=True)


def export_trees(
    trees: list[SessionTree], dest: Path, *, as_zip: bool = False, selection: Selection
) -> ExportResult:
    """``selection`` "session": every image of each tree; "approved": only the effectively
    approved ones (the manifest still holds every prompt version and attempt).

    A file that is gone or no longer matches its recorded SHA-256 is left out and listed in
    ``skipped`` rather than exported with a hash that would lie.
    """
    sink = _Sink(dest, as_zip)
    sessions: list[Any] = []
    skipped: list[str] = []
    count = 0
    try:
        for tree in trees:
            _check_run_id(tree.run_id, "run_id")
            included: set[int] = set()
            files: dict[int, tuple[str, AnnotatedPng]] = {}
            for image in tree.images():
                if selection == "approved" and not image.effective_approved:
                    continue
                included.add(image.image_id)
                name = export_name(tree.run_id, image)
                try:
                    original = verified_original(image)
                except ExportError as exc:
                    skipped.append(f"{name}: {exc}")
                    continue
                annotated = annotate(original, tree, image)
                sink.write(name, annotated.data, compress=False)
                files[image.image_id] = (name, annotated)
                count += 1
            sessions.append(_session_json(tree, included, files, selection))
        manifest = {
            "format": FORMAT,
            "schema_version": MANIFEST_VERSION,
            "app_version": __version__,
            "exported_at": now_iso(),
            "selection": selection,
            "sessions": sessions,
        }
        sink.write(
            MANIFEST_NAME,
            json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"),
            compress=True,
        )
        sink.commit()
    except BaseException:
        sink.abort()
        raise
    return ExportResult(path=dest, sessions=len(sessions), images=count, skipped=skipped)


# -- import: reading an export ----------------------------------------------------------------


def _check_run_id(run_id: str, where: str) -> None:
    if not _SAFE_NAME.match(run_id):
        raise ExportError(
            f"{where}: {run_id!r} is not allowed; a run id of letters, digits, '.', '_' and '-'"
        )


def archive_name_problem(name: str) -> str | None:
    """Why an archive entry or manifest file name could escape the import folder, or None."""
    if not name or "\0" in name:
        return "an empty name or one with a NUL character"
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "an absolute path"
    if ".." in PurePosixPath(name.replace("\\", "/")).parts:
        return "a path with '..'"
    return None


# What zipfile, zlib and the OS raise for an archive that is damaged or made to deceive: a
# bad record or CRC, a broken deflate/bzip2/lzma stream, a file cut short, an entry name that
# is not UTF-8, a compression method zipfile lacks, an encrypted entry. Each becomes one
# ExportError naming the archive and the entry instead of a traceback.
_ARCHIVE_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    struct.error,
)
# Below this an entry cannot amplify a download into anything that matters, so its
# compression ratio is not judged (a tiny PNG may legitimately shrink a lot).
_INFLATION_FLOOR = 1024 * 1024


def _why(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return _printable(text[:300])


def _read_at_most(handle: IO[bytes], limit: int) -> bytes:
    """At most ``limit`` + 1 bytes, read in chunks: an entry or file larger than its
    directory (or ``stat``) said costs no more memory than the limit, and the one byte over
    tells the caller it was too large."""
    out = bytearray()
    while len(out) <= limit:
        chunk = handle.read(min(_READ_CHUNK, limit + 1 - len(out)))
        if not chunk:
            break
        out += chunk
    return bytes(out)


class _Source:
    """An export on disk, as a folder or a zip; every name is checked before use.

    Sizes are checked twice: against the zip's directory (or ``stat``) before anything is
    read, because a few MB of zip can claim gigabytes; and while reading, because that
    directory is written by whoever made the archive and may lie.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._infos: dict[str, zipfile.ZipInfo] = {}
        self._read_total = 0
        self._counted: set[str] = set()
        if path.is_dir():
            return
        if not path.is_file():
            raise ExportError(f"{path} is neither an export folder nor a zip file")
        try:
            self._zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise ExportError(f"{path} is not a zip file: {_why(exc)}") from exc
        except _ARCHIVE_ERRORS as exc:
            raise ExportError(f"{path} cannot be read as a zip file: {_why(exc)}") from exc
        try:
            self._check_directory(self._zip.infolist())
        except BaseException:
            self._zip.close()
            raise

    def _entry_error(self, name: str, text: str) -> ExportError:
        return ExportError(f"{self.path}: the entry {_printable(name)!r} {text}")

    def _check_directory(self, infos: list[zipfile.ZipInfo]) -> None:
        """Names, count, per-entry and total sizes and inflation, from the directory alone,
        before a single entry is opened."""
        if len(infos) > MAX_ARCHIVE_ENTRIES:
            raise ExportError(
                f"{self.path} holds {len(infos):,} entries; an export has at most "
                f"{MAX_ARCHIVE_ENTRIES:,}"
            )
        total = 0
        for info in infos:
            name = info.filename
            problem = archive_name_problem(name)
            if problem:
                raise self._entry_error(
                    name,
                    f"is refused: {problem}; entries must be relative paths inside the archive",
                )
            if name in self._infos:
                raise self._entry_error(
                    name, "is refused: it appears twice, so tools would disagree on which to use"
                )
            if info.is_dir():
                continue
            is_manifest = name == MANIFEST_NAME
            limit = MAX_MANIFEST_BYTES if is_manifest else MAX_IMAGE_BYTES
            if info.file_size > limit:
                kind = "a manifest" if is_manifest else "an image"
                raise self._entry_error(
                    name,
                    f"is refused: it unpacks to {info.file_size:,} bytes; "
                    f"{kind} in an export is at most {limit:,}",
                )
            if (
                not is_manifest
                and info.file_size > _INFLATION_FLOOR
                and info.file_size > MAX_IMAGE_INFLATION * max(info.compress_size, 1)
            ):
                ratio = info.file_size / max(info.compress_size, 1)
                raise self._entry_error(
                    name,
                    f"is refused: it unpacks to {info.file_size:,} bytes, {ratio:,.0f} times its "
                    f"size in the archive; an image unpacks to at most {MAX_IMAGE_INFLATION} "
                    "times (a PNG is already compressed), so this is a zip bomb",
                )
            total += info.file_size
            self._infos[name] = info
        if total > MAX_IMPORT_BYTES:
            raise ExportError(
                f"{self.path} unpacks to {total:,} bytes in all; an import reads at most "
                f"{MAX_IMPORT_BYTES:,}. Export fewer sessions at a time"
            )

    def check_total(self, names: list[str]) -> None:
        """For a folder, the sizes of the files the manifest names, summed before any image
        is read (a zip's whole directory was summed when it was opened)."""
        if self._zip is not None:
            return
        total = 0
        for name in dict.fromkeys(names):
            try:
                total += max((self.path / name).stat().st_size, 0)
            except (OSError, ValueError):
                continue  # reading it will say what is wrong, naming it
        if total > MAX_IMPORT_BYTES:
            raise ExportError(
                f"{self.path} holds {total:,} bytes in all; an import reads at most "
                f"{MAX_IMPORT_BYTES:,}. Export fewer sessions at a time"
            )

    def read(self, name: str, limit: int) -> bytes:
        """The whole entry or file, at most ``limit`` bytes, or ExportError naming it."""
        problem = archive_name_problem(name)
        if problem:
            raise ExportError(f"the file name {_printable(name)!r} is refused: {problem}")
        if self._zip is not None:
            data = self._read_entry(name, limit)
        else:
            data = self._read_file(name, limit)
        if name not in self._counted:  # each name counts once, however often it is read
            self._counted.add(name)
            self._read_total += len(data)
            if self._read_total > MAX_IMPORT_BYTES:
                raise ExportError(
                    f"{self.path} unpacks to more than {MAX_IMPORT_BYTES:,} bytes in all "
                    f"(reading {_printable(name)!r}); nothing was imported"
                )
        return data

    def _read_entry(self, name: str, limit: int) -> bytes:
        assert self._zip is not None
        info = self._infos.get(name)
        if info is None:
            raise ExportError(f"{self.path} has no entry {_printable(name)!r}")
        try:
            with self._zip.open(info) as handle:
                data = _read_at_most(handle, limit)
        except _ARCHIVE_ERRORS as exc:
            raise self._entry_error(
                name, f"cannot be read: {_why(exc)}; the archive is damaged"
            ) from exc
        if len(data) > limit:
            raise self._entry_error(
                name,
                f"holds more than {limit:,} bytes, though the archive's directory says "
                f"{info.file_size:,}; the archive is damaged or made to deceive",
            )
        if len(data) != info.file_size:
            raise self._entry_error(
                name,
                f"holds {len(data):,} bytes, but the archive's directory says "
                f"{info.file_size:,}; the archive is damaged or made to deceive",
            )
        return data

    def _read_file(self, name: str, limit: int) -> bytes:
        try:
            root = self.path.resolve()
            target = (root / name).resolve()
        except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop, say
            raise ExportError(f"{self.path}: {name} cannot be read ({_why(exc)})") from exc
        if not target.is_relative_to(root):
            raise ExportError(f"the file name {name!r} is refused: it leads outside {root}")
        try:
            info = target.stat()
            if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
                raise ExportError(f"{self.path}: {name} is not a regular file")
            if info.st_size > limit:
                raise ExportError(
                    f"{self.path}: {name} is refused: it is {info.st_size:,} bytes; "
                    f"at most {limit:,} are read"
                )
            with target.open("rb") as handle:
                data = _read_at_most(handle, limit)
        except OSError as exc:
            raise ExportError(
                f"{self.path}: {name} cannot be read from the export ({exc.strerror or exc})"
            ) from exc
        if len(data) > limit:
            raise ExportError(f"{self.path}: {name} is larger than {limit:,} bytes")
        return data

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> _Source:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _printable(text: str) -> str:
    """``text`` with lone surrogates and NULs written as escapes, so a message quoting a
    hostile value can always be printed, logged and stored."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\0", "\\x00")


_MISSING = object()


class _Checker:
    """Reads manifest values, collecting every problem with the field's JSON path."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, where: str, value: object, allowed: str) -> None:
        if len(self.problems) < 50:
            if isinstance(value, str):
                value = _printable(value[:77] + "..." if len(value) > 80 else value)
            elif isinstance(value, dict | list):
                value = f"<{type(value).__name__}>"
            self.problems.append(Problem(where, value, allowed))

    def str_(self, obj: dict[str, Any], key: str, where: str, *, optional: bool = False) -> Any:
        value = obj.get(key, _MISSING)
        if optional and value in (None, _MISSING):
            return None
        if isinstance(value, str):
            return value
        self.fail(f"{where}.{key}", _shown(value), "a string" + (" or null" if optional else ""))
        return ""

    def int_(
        self, obj: dict[str, Any], key: str, where: str, *, low: int = 0, optional: bool = False
    ) -> Any:
        value = obj.get(key, _MISSING)
        if optional and value in (None, _MISSING):
            return None
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= _INT_MAX:
            return value
        allowed = f"a whole number from {low} to {_INT_MAX}" + (" or null" if optional else "")
        self.fail(f"{where}.{key}", _shown(value), allowed)
        return low

    def bool_(self, obj: dict[str, Any], key: str, where: str, *, optional: bool = False) -> Any:
        value = obj.get(key, _MISSING)
        if optional and value in (None, _MISSING):
            return None
        if isinstance(value, bool):
            return value
        self.fail(f"{where}.{key}", _shown(value), "true or false")
        return False

    def time_(
        self, obj: dict[str, Any], key: str, where: str, *, optional: bool = False
    ) -> datetime | None:
        value = obj.get(key, _MISSING)
        if optional and value in (None, _MISSING):
            return None
        if isinstance(value, str):
            try:
                moment = parse_iso(value)
            except ValueError:
                pass
            else:
                if moment.tzinfo is not None:
                    return moment
        self.fail(f"{where}.{key}", _shown(value), "an ISO 8601 time with a time zone")
        return datetime.fromtimestamp(0, UTC)

    def choice(
        self,
        obj: dict[str, Any],
        key: str,
        where: str,
        choices: tuple[str, ...],
        *,
        optional: bool = False,
    ) -> Any:
        value = obj.get(key, _MISSING)
        if optional and value in (None, _MISSING):
            return None
        if value in choices:
            return value
        self.fail(f"{where}.{key}", _shown(value), "one of " + ", ".join(choices))
        return choices[0]

    def list_(self, obj: dict[str, Any], key: str, where: str) -> list[Any]:
        value = obj.get(key, _MISSING)
        if isinstance(value, list):
            return value
        self.fail(f"{where}.{key}", _shown(value), "a list")
        return []

    def obj_(self, value: object, where: str) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.fail(where, _shown(value), "a JSON object")
        return None


def _shown(value: object) -> object:
    return "<missing>" if value is _MISSING else value


@dataclass(frozen=True)
class _FileRef:
    file: str
    sha256: str
    exported_sha256: str | None
    offset: int | None
    length: int


@dataclass(frozen=True)
class _ImportSession:
    tree: SessionTree
    files: dict[tuple[int, int, int], _FileRef]
    judge_approved: tuple[int, int, int] | None


def _parse_image(c: _Checker, raw: object, where: str, revision: int, attempt: int) -> Any:
    obj = c.obj_(raw, where)
    if obj is None:
        return None
    verdict: VerdictRecord | None = None
    v = obj.get("verdict")
    if v is not None:
        vo = c.obj_(v, f"{where}.verdict")
        if vo is not None:
            w = f"{where}.verdict"
            verdict = VerdictRecord(
                result=c.choice(vo, "result", w, ("YES", "NO", "ERROR")),
                reason=c.str_(vo, "reason", w),
                raw=c.str_(vo, "raw", w),
                model_id=c.str_(vo, "model_id", w),
                input_tokens=c.int_(vo, "input_tokens", w, optional=True),
                output_tokens=c.int_(vo, "output_tokens", w, optional=True),
                retried=c.bool_(vo, "retried", w),
                received_at=c.time_(vo, "received_at", w) or datetime.fromtimestamp(0, UTC),
            )
    sha = c.str_(obj, "sha256", where)
    if not _SHA256_RE.match(sha):
        c.fail(f"{where}.sha256", sha, "64 lowercase hex digits")
    decision = c.choice(obj, "human_decision", where, ("approved", "rejected"), optional=True)
    file = c.str_(obj, "file", where, optional=True)
    if file is not None:
        problem = archive_name_problem(file)
        if problem:
            c.fail(f"{where}.file", file, f"a relative name inside the export, not {problem}")
    exported = c.str_(obj, "exported_sha256", where, optional=True)
    if exported is not None and not _SHA256_RE.match(exported):
        c.fail(f"{where}.exported_sha256", exported, "64 lowercase hex digits or null")
    offset, length = None, 0
    meta = obj.get("metadata")
    if meta is not None:
        mo = c.obj_(meta, f"{where}.metadata")
        if mo is not None:
            offset = c.int_(mo, "offset", f"{where}.metadata", low=len(PNG_SIGNATURE))
            length = c.int_(mo, "length", f"{where}.metadata", low=1)
    image = ImageRecord(
        image_id=0,
        run_id="",
        revision=revision,
        attempt=attempt,
        index=c.int_(obj, "index", where),
        rel_path="",
        path=Path(),
        sha256=sha,
        width=c.int_(obj, "width", where),
        height=c.int_(obj, "height", where),
        size_bytes=c.int_(obj, "size_bytes", where),
        seed=c.int_(obj, "seed", where, optional=True),
        prompt=c.str_(obj, "prompt", where),
        s3_bucket=c.str_(obj, "s3_bucket", where),
        s3_key=c.str_(obj, "s3_key", where),
        upload_state=UploadState(
            c.choice(obj, "upload_state", where, tuple(s.value for s in UploadState))
        ),
        upload_error=c.str_(obj, "upload_error", where),
        stored_at=c.time_(obj, "stored_at", where) or datetime.fromtimestamp(0, UTC),
        verdict=verdict,
        human_decision=Decision(decision) if decision else None,
        decided_at=c.time_(obj, "decided_at", where, optional=True),
    )
    ref = (
        _FileRef(file=file, sha256=sha, exported_sha256=exported, offset=offset, length=length)
        if file is not None
        else None
    )
    return image, ref


def _parse_session(
    c: _Checker, raw: object, where: str, files_named: set[str]
) -> _ImportSession | None:
    obj = c.obj_(raw, where)
    if obj is None:
        return None
    run_id = c.str_(obj, "run_id", where)
    if not _SAFE_NAME.match(run_id):
        c.fail(f"{where}.run_id", run_id, "letters, digits, '.', '_' and '-' (at most 128)")
    params_raw = obj.get("params")
    params: dict[str, Any] = {}
    try:
        params = RunParams.from_event(params_raw).to_event()
    except ValidationError as exc:
        for p in exc.problems:
            c.fail(f"{where}.params.{p.field}", p.value, p.allowed)
    params["output_dir"] = ""
    outcome_values = tuple(o.value for o in HistoryOutcome)
    files: dict[tuple[int, int, int], _FileRef] = {}
    versions: list[PromptVersionRecord] = []
    seen_keys: set[tuple[int, int, int]] = set()
    for vi, vraw in enumerate(c.list_(obj, "prompt_versions", where)):
        vw = f"{where}.prompt_versions[{vi}]"
        vo = c.obj_(vraw, vw)
        if vo is None:
            continue
        revision = c.int_(vo, "revision", vw)
        attempts: list[AttemptRecord] = []
        for ai, araw in enumerate(c.list_(vo, "attempts", vw)):
            aw = f"{vw}.attempts[{ai}]"
            ao = c.obj_(araw, aw)
            if ao is None:
                continue
            number = c.int_(ao, "attempt", aw)
            request = ao.get("request")
            if not isinstance(request, dict):
                c.fail(f"{aw}.request", _shown(request), "a JSON object")
                request = {}
            images: list[ImageRecord] = []
            for ii, iraw in enumerate(c.list_(ao, "images", aw)):
                parsed = _parse_image(c, iraw, f"{aw}.images[{ii}]", revision, number)
                if parsed is None:
                    continue
                image, ref = parsed
                key = (revision, number, image.index)
                if key in seen_keys:
                    c.fail(f"{aw}.images[{ii}].index", image.index, "an index not used twice")
                seen_keys.add(key)
                images.append(image)
                if ref is not None:
                    if ref.file in files_named:  # one file read once: no entry counted twice
                        c.fail(f"{aw}.images[{ii}].file", ref.file, "a file no other image names")
                    files_named.add(ref.file)
                    files[key] = ref
            attempts.append(
                AttemptRecord(
                    revision=revision,
                    attempt=number,
                    prompt=c.str_(ao, "prompt", aw),
                    seed=c.int_(ao, "seed", aw),
                    request=request,
                    started_at=c.time_(ao, "started_at", aw) or datetime.fromtimestamp(0, UTC),
                    ended_at=c.time_(ao, "ended_at", aw, optional=True),
                    error=c.str_(ao, "error", aw),
                    images=tuple(images),
                )
            )
        reasons = c.list_(vo, "reasons", vw)
        if not all(isinstance(r, str) for r in reasons):
            c.fail(f"{vw}.reasons", "<list>", "a list of strings")
            reasons = []
        versions.append(
            PromptVersionRecord(
                revision=revision,
                prompt=c.str_(vo, "prompt", vw, optional=True),
                previous_prompt=c.str_(vo, "previous_prompt", vw, optional=True),
                reasons=tuple(reasons),
                ok=c.bool_(vo, "ok", vw, optional=True),
                raw=c.str_(vo, "raw", vw),
                error=c.str_(vo, "error", vw),
                created_at=c.time_(vo, "created_at", vw) or datetime.fromtimestamp(0, UTC),
                attempts=tuple(attempts),
            )
        )
    judge_approved = None
    ja = obj.get("judge_approved")
    if ja is not None:
        jo = c.obj_(ja, f"{where}.judge_approved")
        if jo is not None:
            jw = f"{where}.judge_approved"
            judge_approved = (
                c.int_(jo, "revision", jw),
                c.int_(jo, "attempt", jw),
                c.int_(jo, "index", jw),
            )
    tree = SessionTree(
        run_id=run_id,
        prompt=c.str_(obj, "prompt", where),
        params=params,
        image_model_id=c.str_(obj, "image_model_id", where),
        judge_model_id=c.str_(obj, "judge_model_id", where),
        images_root="",
        app_version=c.str_(obj, "app_version", where),
        started_at=c.time_(obj, "started_at", where) or datetime.fromtimestamp(0, UTC),
        ended_at=c.time_(obj, "ended_at", where, optional=True),
        outcome=HistoryOutcome(c.choice(obj, "outcome", where, outcome_values)),
        message=c.str_(obj, "message", where),
        judge_approved_image_id=None,
        prompt_versions=tuple(versions),
    )
    return _ImportSession(tree=tree, files=files, judge_approved=judge_approved)


def read_manifest(source_path: Path) -> list[_ImportSession]:
    """Parse and check an export's manifest; ValidationError names every bad field."""
    with _Source(source_path) as source:
        return _read_manifest(source)


def _read_manifest(source: _Source) -> list[_ImportSession]:
    """Read through ``jsonsafe`` (size, depth and number limits: no RecursionError or
    4,300-digit ValueError from a hostile manifest), refuse unstorable text anywhere in it,
    then check every field."""
    raw = source.read(MANIFEST_NAME, MAX_MANIFEST_BYTES)
    try:
        data = jsonsafe.loads(
            raw, what=f"{MANIFEST_NAME} in {source.path}", max_bytes=MAX_MANIFEST_BYTES
        )
    except jsonsafe.JsonLimitError as exc:
        raise ExportError(str(exc)) from exc
    c = _Checker()
    _check_text(c, data, "manifest")
    if c.problems:
        raise ValidationError(c.problems)
    top = c.obj_(data, "manifest")
    if top is None:
        raise ValidationError(c.problems)
    if top.get("format") != FORMAT:
        c.fail("manifest.format", _shown(top.get("format", _MISSING)), repr(FORMAT))
    version = top.get("schema_version")
    if version != MANIFEST_VERSION:
        c.fail(
            "manifest.schema_version",
            _shown(top.get("schema_version", _MISSING)),
            f"{MANIFEST_VERSION} (an export from a newer app needs that app to import it)",
        )
    if c.problems:
        raise ValidationError(c.problems)
    sessions = []
    seen: set[str] = set()
    files_named: set[str] = set()
    for i, raw_session in enumerate(c.list_(top, "sessions", "manifest")):
        parsed = _parse_session(c, raw_session, f"manifest.sessions[{i}]", files_named)
        if parsed is not None:
            if parsed.tree.run_id in seen:
                c.fail(
                    f"manifest.sessions[{i}].run_id", parsed.tree.run_id, "a run id not repeated"
                )
            seen.add(parsed.tree.run_id)
            sessions.append(parsed)
    if c.problems:
        raise ValidationError(c.problems)
    return sessions


def _check_text(c: _Checker, value: object, where: str) -> None:
    """Every string and key in the manifest, wherever it is (attempt requests and params
    included): a lone surrogate cannot be encoded for SQLite, a file or a terminal, and a NUL
    cuts text short in SQLite and C APIs. Refused up front, naming the field, so the import
    never fails half-way on one."""
    if isinstance(value, str):
        if not value.isascii() and has_surrogate(value):  # isascii: most text, checked in C
            c.fail(where, value, "text without lone UTF-16 surrogates (\\ud800-\\udfff)")
        elif "\0" in value:
            c.fail(where, value, "text without NUL characters")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_text(c, item, f"{where}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{where}.{_printable(key)}"
            _check_text(c, key, f"{inner} (the key)")
            _check_text(c, item, inner)


def _original(source: _Source, ref: _FileRef) -> bytes:
    """The stored original: the exported file with our inserted chunks cut out, checked
    against the original SHA-256 from the manifest."""
    data = source.read(ref.file, MAX_IMAGE_BYTES)
    if ref.exported_sha256 is not None and hashlib.sha256(data).hexdigest() != ref.exported_sha256:
        raise ExportError(
            f"{source.path}: {ref.file}: its SHA-256 differs from manifest.json's "
            "exported_sha256; the export was changed or damaged, so nothing was imported"
        )
    if ref.offset is not None:
        if ref.offset + ref.length > len(data):
            raise ExportError(
                f"{source.path}: {ref.file}: its metadata range lies outside the file"
            )
        data = data[: ref.offset] + data[ref.offset + ref.length :]
    if hashlib.sha256(data).hexdigest() != ref.sha256:
        raise ExportError(
            f"{source.path}: {ref.file}: the image bytes do not match the SHA-256 in "
            "manifest.json; the export was changed or damaged, so nothing was imported"
        )
    return data


def _checked_original(source: _Source, ref: _FileRef, image: ImageRecord | None) -> int:
    """Read within limits, both hashes matched, decoded as a whole PNG and its sizes the
    manifest's; returns its length. A matching hash only proves the bytes are the ones the
    manifest names, not that they are an image: an ELF binary can carry a matching hash."""
    data = _original(source, ref)
    try:
        info = check_image(data)
    except BadImageError as exc:
        raise ExportError(
            f"{source.path}: {ref.file} is not an image that can be imported: {exc}; "
            "nothing was imported"
        ) from exc
    _check_recorded_size(data, info, image, ref)
    return len(data)


# -- import: writing into this machine's history ----------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    sessions_added: list[str] = field(default_factory=list)
    sessions_merged: list[str] = field(default_factory=list)
    images_added: int = 0
    images_already_present: int = 0


def import_export(conn: sqlite3.Connection, source_path: Path) -> ImportResult:
    """Restore the sessions of an export into this history, images into this machine's image
    folder with their original bytes.

    Nothing is written until the whole export has been checked: sizes against the limits,
    the manifest parsed and validated, and every file it names read within the limits,
    matched against both hashes and decoded as an image. Then the files are written and every
    row is recorded in one transaction; when any part fails the rows are rolled back and the
    files written so far removed, so a refused import leaves this history as it was.

    Importing the same export twice adds nothing the second time; importing a full export
    after an approved-only one adds the missing images to the sessions already there.
    Existing rows (and a person's decisions on them) are never overwritten.
    """
    with _Source(source_path) as source:
        sessions = _read_manifest(source)
        source.check_total([MANIFEST_NAME, *(r.file for s in sessions for r in s.files.values())])
        sizes: dict[str, int] = {}
        for session in sessions:  # check every file before writing anything
            images = {(i.revision, i.attempt, i.index): i for i in session.tree.images()}
            for key, ref in session.files.items():
                sizes[ref.file] = _checked_original(source, ref, images.get(key))
        store = LocalImageStore(paths.images_dir())
        missing = [
            (session, {k: r for k, r in session.files.items() if k not in existing})
            for session in sessions
            for existing in [_existing_images(conn, session.tree.run_id)]
        ]
        _check_free_space(store.root, sum(sizes[r.file] for _, m in missing for r in m.values()))
        created: list[Path] = []
        try:
            written_by_run: list[dict[tuple[int, int, int], str]] = []
            for session, refs in missing:  # disk first, as for a run
                written: dict[tuple[int, int, int], str] = {}
                for key, ref in refs.items():
                    revision, attempt, index = key
                    name = f"{revision:03d}-{attempt:03d}-{index}.png"
                    data = _original(source, ref)  # read again: the hashes are checked again
                    _place(store, session.tree.run_id, name, data, created)
                    written[key] = f"{session.tree.run_id}/{name}"
                written_by_run.append(written)
            added: list[str] = []
            merged: list[str] = []
            images_added = 0
            already = 0
            with transaction(conn):  # every session or none
                for (session, _refs), written in zip(missing, written_by_run, strict=True):
                    # Read again under the write lock: a concurrent import may have added some.
                    existing = _existing_images(conn, session.tree.run_id)
                    fresh = {k: v for k, v in written.items() if k not in existing}
                    new_run, count, present = _insert_session(conn, session, fresh, existing)
                    (added if new_run else merged).append(session.tree.run_id)
                    images_added += count
                    already += present
        except BaseException:
            _remove_created(created)
            raise
    return ImportResult(
        sessions_added=added,
        sessions_merged=merged,
        images_added=images_added,
        images_already_present=already,
    )


def _check_free_space(folder: Path, needed: int) -> None:
    """Refuse up front rather than fill the disk half-way through the writes."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError:
        return  # cannot tell; a write that fails is still undone
    if needed + _FREE_SPACE_MARGIN > free:
        raise ExportError(
            f"the import needs {needed:,} bytes in {folder}, but only {free:,} are free; "
            "nothing was imported"
        )


def _place(
    store: LocalImageStore, run_id: str, name: str, data: bytes, created: list[Path]
) -> None:
    """Write one image (atomically), noting it in ``created`` so a failure can remove it. A
    file already there is never overwritten: the same bytes are kept as they are (and not
    removed on failure), other bytes stop the import."""
    path = store.root / run_id / name
    try:
        if path.exists() or path.is_symlink():
            if path.is_file() and not path.is_symlink():
                with path.open("rb") as handle:
                    present = _read_at_most(handle, MAX_IMAGE_BYTES)
                if present == data:
                    return
            raise ExportError(
                f"{path} already exists with other content, so it was left as it is and "
                "nothing was imported; move it away (or run `imgloop-cli history check "
                "--repair`) and import again"
            )
        store.save(run_id, name, data)
    except OSError as exc:
        raise ExportError(
            f"{path} cannot be written ({exc.strerror or exc}); nothing was imported"
        ) from exc
    created.append(path)


def _remove_created(created: list[Path]) -> None:
    """Undo the writes of a failed import: the files it created, then their run folders
    when that leaves them empty. Best effort: the import's own error is what is reported."""
    for path in reversed(created):
        try:
            path.unlink(missing_ok=True)
        except OSError:
            continue
    for folder in dict.fromkeys(path.parent for path in created):
        try:
            folder.rmdir()
        except OSError:
            continue  # not empty (other images), or already gone


def _check_recorded_size(
    data: bytes, info: ImageInfo, image: ImageRecord | None, ref: _FileRef
) -> None:
    """The manifest's byte and pixel counts must be the file's own: history checks them
    against the disk later, and a wrong number would be reported forever."""
    if image is None:
        return
    for name, recorded, actual in (
        ("size_bytes", image.size_bytes, len(data)),
        ("width", image.width, info.width),
        ("height", image.height, info.height),
    ):
        if recorded != actual:
            raise ExportError(
                f"{ref.file}: the manifest's {name} is {recorded}, but the file's is {actual}"
            )


def _existing_images(conn: sqlite3.Connection, run_id: str) -> set[tuple[int, int, int]]:
    rows = conn.execute(
        "SELECT i.revision, i.attempt, i.idx FROM images AS i JOIN runs AS r "
        "ON r.id = i.run_id WHERE r.run_id = ?",
        (run_id,),
    ).fetchall()
    return {(a, b, c) for a, b, c in rows}


def _insert_session(
    conn: sqlite3.Connection,
    session: _ImportSession,
    written: dict[tuple[int, int, int], str],
    existing: set[tuple[int, int, int]],
) -> tuple[bool, int, int]:
    """The rows of one session, inside the caller's transaction: import_export records every
    session in one, so an import is either all there or not at all."""
    t = session.tree
    outcome: str = t.outcome.value
    message = t.message
    ended = t.ended_at
    if t.outcome is HistoryOutcome.RUNNING:  # exported mid-run: it will never finish here
        outcome = HistoryOutcome.INTERRUPTED.value
        message = "Interrupted: the run was still going when it was exported."
        ended = ended or t.started_at
    added = 0
    row = conn.execute("SELECT id FROM runs WHERE run_id = ?", (t.run_id,)).fetchone()
    new_run = row is None
    if row is None:
        cursor = conn.execute(
            """INSERT INTO runs (run_id, prompt, params_json, image_model_id, judge_model_id,
                   images_root, app_version, started_at, ended_at, outcome, message)
               VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?)""",
            (
                t.run_id,
                t.prompt,
                json.dumps(t.params, ensure_ascii=False, sort_keys=True),
                t.image_model_id,
                t.judge_model_id,
                t.app_version,
                now_iso(t.started_at),
                _iso(ended),
                outcome,
                message,
            ),
        )
        run_row = int(cursor.lastrowid or 0)
    else:
        run_row = int(row[0])
    for version in t.prompt_versions:
        conn.execute(
            """INSERT INTO prompt_versions (run_id, revision, prompt, previous_prompt,
                   reasons_json, ok, raw, error, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, revision) DO NOTHING""",
            (
                run_row,
                version.revision,
                version.prompt,
                version.previous_prompt,
                json.dumps(list(version.reasons), ensure_ascii=False),
                None if version.ok is None else int(version.ok),
                version.raw,
                version.error,
                now_iso(version.created_at),
            ),
        )
        for attempt in version.attempts:
            conn.execute(
                """INSERT INTO attempts (run_id, revision, attempt, prompt, seed, request_json,
                       started_at, ended_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (run_id, revision, attempt) DO NOTHING""",
                (
                    run_row,
                    version.revision,
                    attempt.attempt,
                    attempt.prompt,
                    attempt.seed,
                    json.dumps(attempt.request, ensure_ascii=False, sort_keys=True),
                    now_iso(attempt.started_at),
                    _iso(attempt.ended_at),
                    attempt.error,
                ),
            )
            attempt_id = conn.execute(
                "SELECT id FROM attempts WHERE run_id = ? AND revision = ? AND attempt = ?",
                (run_row, version.revision, attempt.attempt),
            ).fetchone()[0]
            for image in attempt.images:
                key = (image.revision, image.attempt, image.index)
                if key not in written:
                    continue  # already here, or not in this export
                _insert_image(conn, run_row, attempt_id, _imported(image), written[key])
                added += 1
    if session.judge_approved is not None:  # once its image is here
        revision, attempt_no, index = session.judge_approved
        conn.execute(
            """UPDATE runs SET approved_image_id = (SELECT id FROM images WHERE run_id = ?
                   AND revision = ? AND attempt = ? AND idx = ?)
               WHERE id = ? AND approved_image_id IS NULL""",
            (run_row, revision, attempt_no, index, run_row),
        )
    present = sum(1 for key in session.files if key in existing)
    return new_run, added, present


def _imported(image: ImageRecord) -> ImageRecord:
    """An upload that had not finished on the other machine is not retried from here, with
    this machine's credentials, into a bucket the person may not own."""
    if image.upload_state in (UploadState.PENDING, UploadState.FAILED):
        return replace(
            image,
            upload_state=UploadState.NONE,
            upload_error="imported: the upload had not finished on the exporting machine",
        )
    return image


def _insert_image(
    conn: sqlite3.Connection, run_row: int, attempt_id: int, image: ImageRecord, rel_path: str
) -> None:
    cursor = conn.execute(
        """INSERT INTO images (run_id, attempt_id, revision, attempt, idx, rel_path, sha256,
               width, height, size_bytes, seed, prompt, s3_bucket, s3_key, upload_state,
               upload_error, stored_at, human_decision, decided_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            run_row,
            attempt_id,
            image.revision,
            image.attempt,
            image.index,
            rel_path,
            image.sha256,
            image.width,
            image.height,
            image.size_bytes,
            image.seed,
            image.prompt,
            image.s3_bucket,
            image.s3_key,
            image.upload_state.value,
            image.upload_error,
            now_iso(image.stored_at),
            image.human_decision.value if image.human_decision else None,
            _iso(image.decided_at),
        ),
    )
    v = image.verdict
    if v is not None:
        conn.execute(
            """INSERT INTO verdicts (image_id, result, reason, raw, model_id, input_tokens,
                   output_tokens, retried, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                cursor.lastrowid,
                v.result,
                v.reason,
                v.raw,
                v.model_id,
                v.input_tokens,
                v.output_tokens,
                int(v.retried),
                now_iso(v.received_at),
            ),
        )

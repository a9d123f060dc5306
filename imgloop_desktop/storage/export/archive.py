"""An export on disk, read as untrusted input: archive names, sizes and compression ratios are
checked before a byte is unpacked, and counted again while reading.

The limits below are what keeps a few MB of hostile zip from becoming gigabytes of memory
or disk; the importer and the manifest reader read only through ``Source``.
"""

from __future__ import annotations

import lzma
import re
import stat
import struct
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import IO

from imgloop_desktop.storage.export.format import MANIFEST_NAME, ExportError, printable

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
_READ_CHUNK = 1024 * 1024


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


def why(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return printable(text[:300])


def read_at_most(handle: IO[bytes], limit: int) -> bytes:
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


class Source:
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
            raise ExportError(f"{path} is not a zip file: {why(exc)}") from exc
        except _ARCHIVE_ERRORS as exc:
            raise ExportError(f"{path} cannot be read as a zip file: {why(exc)}") from exc
        try:
            self._check_directory(self._zip.infolist())
        except BaseException:
            self._zip.close()
            raise

    def _entry_error(self, name: str, text: str) -> ExportError:
        return ExportError(f"{self.path}: the entry {printable(name)!r} {text}")

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
            raise ExportError(f"the file name {printable(name)!r} is refused: {problem}")
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
                    f"(reading {printable(name)!r}); nothing was imported"
                )
        return data

    def _read_entry(self, name: str, limit: int) -> bytes:
        assert self._zip is not None
        info = self._infos.get(name)
        if info is None:
            raise ExportError(f"{self.path} has no entry {printable(name)!r}")
        try:
            with self._zip.open(info) as handle:
                data = read_at_most(handle, limit)
        except _ARCHIVE_ERRORS as exc:
            raise self._entry_error(
                name, f"cannot be read: {why(exc)}; the archive is damaged"
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
            raise ExportError(f"{self.path}: {name} cannot be read ({why(exc)})") from exc
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
                data = read_at_most(handle, limit)
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

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

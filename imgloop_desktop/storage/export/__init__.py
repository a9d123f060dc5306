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

The parts, each its own module so each can be read (and changed) alone:

- ``format``: the names an export uses and ``ExportError``;
- ``png_meta``: the PNG text chunks (writing, inserting after IHDR, reading back);
- ``manifest_write``: ``export_trees``, the images and ``manifest.json`` to a folder or zip;
- ``archive``: an export on disk read as untrusted input, within size limits;
- ``manifest_read``: ``manifest.json`` parsed and checked field by field;
- ``history_import``: ``import_export``, files then rows, all or nothing.

This module is the surface the rest of the app uses (``from imgloop_desktop.storage import
export``); the names below are the ones it needs.
"""

from imgloop_desktop.core.records import ExportResult, ImportResult
from imgloop_desktop.storage.export.archive import (
    MAX_ARCHIVE_ENTRIES,
    MAX_IMAGE_BYTES,
    MAX_IMAGE_INFLATION,
    MAX_IMPORT_BYTES,
    MAX_MANIFEST_BYTES,
    archive_name_problem,
)
from imgloop_desktop.storage.export.format import (
    FORMAT,
    MANIFEST_NAME,
    MANIFEST_VERSION,
    ExportError,
)
from imgloop_desktop.storage.export.history_import import import_export
from imgloop_desktop.storage.export.manifest_read import ImportSession, read_manifest
from imgloop_desktop.storage.export.manifest_write import (
    Selection,
    export_name,
    export_trees,
    verified_original,
)
from imgloop_desktop.storage.export.png_meta import (
    AnnotatedPng,
    a1111_parameters,
    annotate,
    insert_after_ihdr,
    iter_chunks,
    itxt_chunk,
    png_chunk,
    provenance,
    read_text_chunks,
    text_chunk,
)

__all__ = [
    "FORMAT",
    "MANIFEST_NAME",
    "MANIFEST_VERSION",
    "MAX_ARCHIVE_ENTRIES",
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_INFLATION",
    "MAX_IMPORT_BYTES",
    "MAX_MANIFEST_BYTES",
    "AnnotatedPng",
    "ExportError",
    "ExportResult",
    "ImportResult",
    "ImportSession",
    "Selection",
    "a1111_parameters",
    "annotate",
    "archive_name_problem",
    "export_name",
    "export_trees",
    "import_export",
    "insert_after_ihdr",
    "iter_chunks",
    "itxt_chunk",
    "png_chunk",
    "provenance",
    "read_manifest",
    "read_text_chunks",
    "text_chunk",
    "verified_original",
]

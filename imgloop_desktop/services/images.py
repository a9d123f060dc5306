"""Image files for front ends: cached thumbnails and exported copies with their metadata.

The gallery shows thumbnails and the window drags or exports images with their parameters
written into the PNG. Those are storage's jobs; front ends reach storage only through
services (the import contracts in pyproject.toml), so these names are re-exported
unchanged and every front end writes and reads the same files.
"""

from __future__ import annotations

from imgloop_desktop.storage.export import (
    ExportError,
    annotate,
    read_text_chunks,
    verified_original,
)
from imgloop_desktop.storage.provenance import ContentCredentials, content_credentials
from imgloop_desktop.storage.thumbnails import thumbnail

__all__ = [
    "ContentCredentials",
    "ExportError",
    "annotate",
    "content_credentials",
    "read_text_chunks",
    "thumbnail",
    "verified_original",
]

"""An on-disk thumbnail cache, keyed by image content and size, so a grid of thousands of
past images scrolls without decoding 1024-pixel PNGs again.

The key is the image's SHA-256: the same bytes always give the same thumbnail, and a
re-imported or moved image finds its cached thumbnail. Qt-free; safe to call from many
worker threads at once (each write goes to its own temp file and is renamed into place).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from imgloop_desktop import paths

DEFAULT_SIZE = 256
MIN_SIZE, MAX_SIZE = 16, 2048
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_EXTENSIONS = (".jpg", ".png")


def thumbnails_dir() -> Path:
    return paths.data_dir() / "thumbnails"


def _check(sha256: str, size: int) -> None:
    if not _SHA256_RE.match(sha256):
        raise ValueError(f"sha256: {sha256!r} is not allowed; 64 lowercase hex digits")
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"size: {size!r} is not allowed; {MIN_SIZE}-{MAX_SIZE} pixels")


def cache_path(sha256: str, size: int = DEFAULT_SIZE, *, alpha: bool = False) -> Path:
    """``thumbnails/ab/abcdef…-256.jpg``: JPEG is a tenth of PNG's size for photos; images with
    transparency keep it in PNG. The two-character folder keeps directories small."""
    _check(sha256, size)
    ext = ".png" if alpha else ".jpg"
    return thumbnails_dir() / sha256[:2] / f"{sha256}-{size}{ext}"


def cached(sha256: str, size: int = DEFAULT_SIZE) -> Path | None:
    """The cached thumbnail when it is present and decodes; None means build one."""
    _check(sha256, size)
    for ext in _EXTENSIONS:
        path = thumbnails_dir() / sha256[:2] / f"{sha256}-{size}{ext}"
        if path.is_file() and _readable(path):
            return path
    return None


def _readable(path: Path) -> bool:
    try:
        with Image.open(path) as image:
            image.load()
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return False
    return True


def thumbnail(source: Path, sha256: str, size: int = DEFAULT_SIZE) -> Path:
    """The path of a thumbnail at most ``size`` pixels on its longer side, built when missing
    or unreadable. Raises OSError when ``source`` cannot be read as an image."""
    found = cached(sha256, size)
    if found is not None:
        return found
    return build(source, sha256, size)


def build(source: Path, sha256: str, size: int = DEFAULT_SIZE) -> Path:
    _check(sha256, size)
    try:
        with Image.open(source) as image:
            # JPEG decodes at 1/2, 1/4 or 1/8 scale directly; for PNG, thumbnail()'s
            # reducing_gap makes it box-reduce by an integer factor before resampling.
            image.draft("RGB", (size, size))
            image.thumbnail((size, size), Image.Resampling.LANCZOS, reducing_gap=2.0)
            alpha = image.mode in ("RGBA", "LA", "PA") or (
                image.mode == "P" and "transparency" in image.info
            )
            small = image.convert("RGBA" if alpha else "RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, ValueError) as exc:
        raise OSError(f"{source} cannot be read as an image: {exc}") from exc
    target = cache_path(sha256, size, alpha=alpha)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            if alpha:
                small.save(out, format="PNG", optimize=False)
            else:
                small.save(out, format="JPEG", quality=85)
        Path(tmp).replace(target)  # no fsync: a lost thumbnail is rebuilt, not data lost
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target

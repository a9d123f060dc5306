"""Is this really an image? Every PNG from a model, an import or the disk is decoded here.

A PNG signature says nothing about what follows it: a truncated file, random bytes after
the signature, or a 30000x30000 decompression bomb all start the same way. Only a full
decode under a pixel limit tells an image from something that must never be judged,
approved or exported as one.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from imgloop_desktop.core.errors import ImgloopError

# The largest image any model in the catalog makes is 4 megapixels (2048x2048);
# imports and checks of files on disk allow some headroom beyond that.
DEFAULT_MAX_PIXELS = 4096 * 4096


class BadImageError(ImgloopError):
    """The bytes are not a whole, decodable image within the limits; the message says why."""


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    format: str


def check_image(
    data: bytes,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    formats: tuple[str, ...] = ("PNG",),
) -> ImageInfo:
    """Decode ``data`` fully and return its size, or raise BadImageError saying what is wrong.

    The pixel count is checked from the header before any pixel is decoded, so a
    decompression bomb costs nothing.
    """
    if not data:
        raise BadImageError("the image is empty (0 bytes)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(formats)) as image:
                width, height = image.size
                kind = image.format or "?"
                if width < 1 or height < 1:
                    raise BadImageError(f"the image says it is {width}x{height} pixels")
                if width * height > max_pixels:
                    raise BadImageError(
                        f"the image says it is {width}x{height} pixels; at most "
                        f"{max_pixels:,} pixels are decoded"
                    )
                image.load()
    except BadImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise BadImageError(f"the image is too large to decode: {exc}") from exc
    except Image.DecompressionBombWarning as exc:
        raise BadImageError(f"the image is too large to decode: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise BadImageError(f"the data is not a {'/'.join(formats)} image") from exc
    except Exception as exc:  # Pillow raises many kinds for broken data; all mean "not an image"
        raise BadImageError(
            f"the data is not a whole {'/'.join(formats)} image "
            f"({type(exc).__name__}: {str(exc)[:200]})"
        ) from exc
    return ImageInfo(width=width, height=height, format=kind)

"""Synthetic pictures for the simulator.

They are real, decodable images at the size the request asked for, so everything
downstream (storage, thumbnails, the judge's downscaling) runs on the same kind of data
it gets from Bedrock. They derive only from (prompt, seed, index), so a test can assert
that a repeated call reproduces an image byte for byte, and they carry a "SIMULATED"
mark, in the pixels and in the file's metadata (``PROVENANCE``), so nobody mistakes one for
a model's work.

Speed matters more than beauty: a run of many attempts should not wait on the
simulator, so the picture is a bilinear blow-up of a 2x2 colour grid plus a few flat
shapes, and PNGs are written with the fastest zlib level.
"""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zlib
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFilter, ImageFont
from PIL.PngImagePlugin import PngInfo

# What Stability's text-to-image models return for each ``aspect_ratio`` (about one
# megapixel each); Bedrock's docs list these ratios, the pixel sizes are Stability's.
ASPECT_RATIO_SIZES: dict[str, tuple[int, int]] = {
    "1:1": (1024, 1024),
    "16:9": (1344, 768),
    "9:16": (768, 1344),
    "21:9": (1536, 640),
    "9:21": (640, 1536),
    "2:3": (832, 1216),
    "3:2": (1216, 832),
    "4:5": (896, 1088),
    "5:4": (1088, 896),
}

# Pillow's encoder names for the output formats the Stability models accept.
_FORMATS = {"png": "PNG", "jpeg": "JPEG", "jpg": "JPEG", "webp": "WEBP"}

MARK = "SIMULATED"
BOMB_SIDE = 30_000

# The picture's own metadata says what the pixel mark says, for whoever meets a copy away
# from the app: PNG text keywords the PNG specification defines (exiftool, image viewers'
# properties panes and imgloop's own chunk reader show them). imgloop's export inserts its
# chunks (which name the model the simulator stood in for) and keeps these, so an exported
# demo image still says "simulated" beside that model id. Latin-1 only, so each is a plain
# tEXt chunk every reader understands. The simulator serves the offline demo and the tests,
# hence the demo's name.
SOFTWARE = "imgloop offline demo (simulated Bedrock)"
DESCRIPTION = (
    "Synthetic image, not made by an AI model: drawn by imgloop's Bedrock simulator (offline "
    "demo) from a hash of the prompt and seed. Amazon Bedrock was not called; any model id "
    "recorded with this image names the model the simulator stood in for."
)
PROVENANCE: dict[str, str] = {
    "Software": SOFTWARE,
    "Source": "imgloop Bedrock simulator (simulated; no AI model)",
    "Description": DESCRIPTION,
}


def size_for_aspect_ratio(aspect_ratio: str) -> tuple[int, int]:
    """Raises KeyError for a ratio Stability does not offer, so callers can report it."""
    return ASPECT_RATIO_SIZES[aspect_ratio]


def derived_seed(prompt: str, index: int = 0) -> int:
    """A stable stand-in for "0 means random": tests stay reproducible, and the reported
    seed is non-zero as Bedrock's is."""
    digest = hashlib.sha256(f"seed\0{prompt}\0{index}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 4294967294 + 1


def make_image(
    prompt: str,
    seed: int,
    index: int,
    width: int,
    height: int,
    *,
    fmt: str = "png",
    filtered: bool = False,
) -> bytes:
    """Encoded image bytes; ``filtered`` gives the blurred grey picture Stability's v1 API
    hands back with CONTENT_FILTERED."""
    if width < 1 or height < 1:
        raise ValueError(f"image size must be positive, got {width}x{height}")
    encoder = _FORMATS.get(fmt.lower())
    if encoder is None:
        raise ValueError(f"unsupported image format {fmt!r}")
    digest = hashlib.sha256(f"{prompt}\0{seed}\0{index}".encode()).digest()
    img = _filtered_picture(width, height) if filtered else _picture(digest, width, height)
    _mark(img)
    buf = io.BytesIO()
    if encoder == "PNG":
        img.save(buf, "PNG", compress_level=1, pnginfo=_png_provenance())
    elif encoder == "JPEG":
        img.save(buf, "JPEG", quality=85, comment=f"{SOFTWARE}. {DESCRIPTION}")
    else:
        img.save(buf, "WEBP", quality=80, method=0)
    return buf.getvalue()


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height from the header alone; raises ValueError for bytes that are not an
    image Pillow can identify (the Converse handler turns that into a ValidationException)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.size
    except (OSError, Image.DecompressionBombError) as exc:
        raise ValueError(str(exc)) from exc


def _picture(digest: bytes, width: int, height: int) -> Image.Image:
    corners = Image.new("RGB", (2, 2))
    corners.putdata([(digest[i], digest[i + 1], digest[i + 2]) for i in (0, 3, 6, 9)])
    img = corners.resize((width, height), Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(img)
    side = min(width, height)
    for k in range(4):
        b = digest[12 + 5 * k : 17 + 5 * k]
        x, y = b[0] * width // 256, b[1] * height // 256
        r = max(2, (b[2] % 48 + 16) * side // 384)
        colour = (b[3], b[4], 255 - b[3])
        box = (x - r, y - r, x + r, y + r)
        if k % 2:
            draw.ellipse(box, fill=colour)
        else:
            draw.rectangle(box, fill=colour)
    return img


def _filtered_picture(width: int, height: int) -> Image.Image:
    return _filtered_base(width, height).copy()


@lru_cache(maxsize=8)
def _filtered_base(width: int, height: int) -> Image.Image:
    small = Image.new("RGB", (16, 16), (128, 128, 128))
    ImageDraw.Draw(small).ellipse((4, 4, 11, 11), fill=(150, 150, 150))
    return small.filter(ImageFilter.GaussianBlur(3)).resize(
        (width, height), Image.Resampling.BILINEAR
    )


def _mark(img: Image.Image) -> None:
    draw = ImageDraw.Draw(img)
    font = _font()
    left, top, right, bottom = draw.textbbox((0, 0), MARK, font=font)
    x = 6
    y = max(0, img.height - (bottom - top) - 8)
    draw.rectangle((x - 3, y - 2 + top, x + right - left + 3, y + bottom + 2), fill=(0, 0, 0))
    draw.text((x, y), MARK, fill=(255, 255, 255), font=font)


def _png_provenance() -> PngInfo:
    info = PngInfo()
    for keyword, text in PROVENANCE.items():
        info.add_text(keyword, text)
    return info


@lru_cache(maxsize=1)
def _font() -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default()


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def bad_png(variant: str, seed: int, width: int = 256, height: int = 256) -> bytes:
    """Bytes that start like a PNG but are no image anyone should judge (issue 17).

    ``truncated``: a real PNG cut in half. ``random_after_signature``: the PNG signature
    followed by 4 KiB of noise. ``bomb``: a well-formed PNG header declaring 30000x30000
    pixels (900 megapixels, ~0.9 GB decoded) with a tiny IDAT, the shape of a
    decompression bomb. All derive from ``seed`` so tests reproduce them.
    """
    if variant == "truncated":
        whole = make_image("truncated", seed, 0, width, height)
        return whole[: len(whole) // 2]
    if variant == "random_after_signature":
        return PNG_SIGNATURE + random.Random(seed).randbytes(4096)
    if variant == "bomb":
        header = struct.pack(">IIBBBBB", BOMB_SIDE, BOMB_SIDE, 1, 0, 0, 0, 0)  # 1-bit greyscale
        return (
            PNG_SIGNATURE
            + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + _png_chunk(b"IEND", b"")
        )
    raise ValueError(f"unknown bad image variant {variant!r}")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

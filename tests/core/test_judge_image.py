"""The judge's copy of an image: the original bytes when nothing needs shrinking, else a PNG
whose long side is the limit, aspect kept, and always within Converse's image limits (3.75 MB,
8,000 px a side); the stored original is never what changes."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from PIL import Image

from imgloop_desktop.core.judge_image import (
    CONVERSE_MAX_IMAGE_BYTES,
    CONVERSE_MAX_IMAGE_SIDE,
    judge_copy,
)
from tests.fakes import noisy_png


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), "red" if mode == "RGB" else None).save(out, format="PNG")
    return out.getvalue()


def size_and_format(data: bytes) -> tuple[tuple[int, int], str | None]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size, image.format


@pytest.mark.parametrize("max_side", [0, -1])
def test_no_limit_returns_the_same_bytes(max_side: int) -> None:
    original = png(1024, 1024)
    assert judge_copy(original, max_side).data is original


@pytest.mark.parametrize("max_side", [1024, 2048])
def test_an_image_that_fits_is_not_reencoded(max_side: int) -> None:
    original = png(1024, 768)
    assert judge_copy(original, max_side).data is original


def test_a_square_image_is_shrunk_to_the_limit() -> None:
    assert size_and_format(judge_copy(png(1024, 1024), 256).data) == ((256, 256), "PNG")


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [(1280, 768, (512, 307)), (768, 1280, (307, 512)), (1024, 513, (512, 256))],
)
def test_the_long_side_becomes_the_limit_and_the_aspect_is_kept(
    width: int, height: int, expected: tuple[int, int]
) -> None:
    size, _ = size_and_format(judge_copy(png(width, height), 512).data)
    assert max(size) == 512
    assert size == pytest.approx(expected, abs=1)


def test_transparency_survives_the_copy() -> None:
    with Image.open(io.BytesIO(judge_copy(png(600, 600, "RGBA"), 300).data)) as image:
        assert image.mode == "RGBA"
        assert image.size == (300, 300)


def test_the_copy_is_smaller_than_a_large_original() -> None:
    noisy = Image.effect_noise((1024, 1024), 64).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, format="PNG")
    original = out.getvalue()
    assert len(judge_copy(original, 256).data) < len(original)


def test_bytes_that_are_not_an_image_raise() -> None:
    with pytest.raises(OSError):  # PIL.UnidentifiedImageError is an OSError
        judge_copy(b"not a png", 256)


def test_a_large_4096x1024_png_is_brought_under_converse_limits(tmp_path: Path) -> None:
    original = noisy_png(4096, 1024)
    assert len(original) > CONVERSE_MAX_IMAGE_BYTES  # the case this is about
    path = tmp_path / "large.png"
    path.write_bytes(original)
    copy = judge_copy(path.read_bytes(), 0)
    assert len(copy.data) <= CONVERSE_MAX_IMAGE_BYTES
    assert len(base64.b64encode(copy.data)) <= 5 * 1024 * 1024  # what Bedrock measures
    (width, height), fmt = size_and_format(copy.data)
    assert fmt == "PNG" and copy.format == "png"
    assert (width, height) == (copy.width, copy.height)
    assert width < 4096 and width / height == pytest.approx(4.0, rel=0.01)
    note = str(copy.note)  # the English the history and the headless command keep
    assert "4096x1024" in note and "3.75 MB" in note and "unchanged" in note
    assert path.read_bytes() == original  # the original on disk is untouched


def test_a_large_png_within_the_setting_is_brought_under_the_byte_limit_too() -> None:
    copy = judge_copy(noisy_png(4096, 1024), 4096)
    assert len(copy.data) <= CONVERSE_MAX_IMAGE_BYTES
    assert copy.note


def test_a_side_over_8000_px_is_downscaled() -> None:
    copy = judge_copy(png(9000, 100), 0)
    (width, height), _ = size_and_format(copy.data)
    assert max(width, height) <= CONVERSE_MAX_IMAGE_SIDE
    assert (width, height) == (8000, 89)
    assert "9000x100" in str(copy.note) and "8000 px" in str(copy.note)


def test_a_setting_below_the_limits_needs_no_note() -> None:
    copy = judge_copy(png(9000, 100), 1024)
    assert max(copy.width, copy.height) == 1024
    assert copy.note == ""


def test_a_png_that_only_compresses_badly_is_reencoded_at_full_size() -> None:
    half_noise = Image.effect_noise((1400, 1400), 100).convert("RGB")
    half_noise.paste((0, 0, 0), (0, 0, 1400, 700))
    out = io.BytesIO()
    half_noise.save(out, format="PNG", compress_level=0)
    original = out.getvalue()
    assert len(original) > CONVERSE_MAX_IMAGE_BYTES
    copy = judge_copy(original, 0)
    assert len(copy.data) <= CONVERSE_MAX_IMAGE_BYTES
    assert size_and_format(copy.data) == ((1400, 1400), "PNG")
    assert "re-encoded with stronger PNG compression" in str(copy.note)

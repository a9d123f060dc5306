"""The judge's copy of an image: the original bytes when nothing needs shrinking, else a PNG
whose long side is the limit, aspect kept; the stored original is never what changes."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from imgloop_desktop.core.judge_image import judge_copy


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
    assert judge_copy(original, max_side) is original


@pytest.mark.parametrize("max_side", [1024, 2048])
def test_an_image_that_fits_is_not_reencoded(max_side: int) -> None:
    original = png(1024, 768)
    assert judge_copy(original, max_side) is original


def test_a_square_image_is_shrunk_to_the_limit() -> None:
    assert size_and_format(judge_copy(png(1024, 1024), 256)) == ((256, 256), "PNG")


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [(1280, 768, (512, 307)), (768, 1280, (307, 512)), (1024, 513, (512, 256))],
)
def test_the_long_side_becomes_the_limit_and_the_aspect_is_kept(
    width: int, height: int, expected: tuple[int, int]
) -> None:
    size, _ = size_and_format(judge_copy(png(width, height), 512))
    assert max(size) == 512
    assert size == pytest.approx(expected, abs=1)


def test_transparency_survives_the_copy() -> None:
    with Image.open(io.BytesIO(judge_copy(png(600, 600, "RGBA"), 300))) as image:
        assert image.mode == "RGBA"
        assert image.size == (300, 300)


def test_the_copy_is_smaller_than_a_large_original() -> None:
    noisy = Image.effect_noise((1024, 1024), 64).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, format="PNG")
    original = out.getvalue()
    assert len(judge_copy(original, 256)) < len(original)


def test_bytes_that_are_not_an_image_raise() -> None:
    with pytest.raises(OSError):  # PIL.UnidentifiedImageError is an OSError
        judge_copy(b"not a png", 256)

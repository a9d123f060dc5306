"""The application icon exists in every size and format the platforms want, and the
committed files are what packaging/make_icons.py draws now."""

from __future__ import annotations

import importlib.util
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image, ImageChops, ImageStat

from imgloop_desktop.resources import ICON_SIZES, icon_files
from tests.packaging.conftest import ICONS, PACKAGING

ICO_SIZES = {16, 24, 32, 48, 64, 128, 256}


def load_make_icons() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_icons", PACKAGING / "make_icons.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


@pytest.mark.parametrize("size", ICON_SIZES)
def test_png_at_each_size_is_square_and_transparent_around(size: int) -> None:
    path = ICONS / f"imgloop-{size}.png"
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (size, size)
        assert image.mode == "RGBA"
        alpha = image.getchannel("A")
        assert alpha.getpixel((0, 0)) == 0  # rounded corner: see-through
        assert alpha.getpixel((size // 2, size // 2)) == 255


def test_the_app_finds_every_size() -> None:
    assert sorted(icon_files()) == sorted(ICON_SIZES)


def test_windows_ico_holds_every_size() -> None:
    with Image.open(ICONS / "imgloop.ico") as ico:
        assert ico.format == "ICO"
        assert {s[0] for s in ico.info["sizes"]} >= ICO_SIZES


def test_macos_icns_opens_at_full_size() -> None:
    with Image.open(ICONS / "imgloop.icns") as icns:
        assert icns.format == "ICNS"
        assert icns.size == (1024, 1024)


def test_svg_is_well_formed_and_square() -> None:
    root = ET.parse(ICONS / "imgloop.svg").getroot()
    assert root.tag.endswith("svg")
    assert root.get("viewBox") == "0 0 512 512"


def test_committed_icons_match_the_script(tmp_path: Path) -> None:
    """Regenerate and compare pixels (not bytes: a newer zlib may pack them differently)."""
    written = load_make_icons().write_all(tmp_path)
    assert {p.name for p in written} == {p.name for p in ICONS.iterdir()}
    for size in ICON_SIZES:
        with (
            Image.open(ICONS / f"imgloop-{size}.png") as committed,
            Image.open(tmp_path / f"imgloop-{size}.png") as fresh,
        ):
            diff = ImageChops.difference(committed.convert("RGBA"), fresh.convert("RGBA"))
            worst = max(ImageStat.Stat(diff).mean)
            assert worst < 1.0, f"{size}px differs; run packaging/make_icons.py"
    assert (ICONS / "imgloop.svg").read_text() == (tmp_path / "imgloop.svg").read_text()

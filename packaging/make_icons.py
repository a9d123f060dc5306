#!/usr/bin/env python3
"""Draw the application icon: a picture frame inside a loop arrow on a rounded square.

    .venv/bin/python packaging/make_icons.py [OUTPUT_DIR]   (default: resources/icons)

The icon is drawn from geometry, not edited by hand, so every size and format (the
freedesktop PNG sizes, Windows .ico, macOS .icns, the scalable SVG) shows the same design
and a change is one edit here plus a re-run. The generated files are committed: building
a bundle or installing the launcher must not need this script.

Small sizes (32 px and under) use a simpler variant with thicker strokes and no sun,
because at 16 px the full drawing turns to mush. Each size is drawn at 8x (the big ones
at 2x of 1024) and scaled down, which gives clean anti-aliased edges with plain Pillow.
The output is deterministic (no timestamps), so a test can check the committed files are
up to date.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from imgloop_desktop.resources import ICON_SIZES  # noqa: E402 - after the path is set

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
TOP = (59, 130, 246)  # blue
BOTTOM = (124, 58, 237)  # violet
WHITE = (255, 255, 255)
SKY = (191, 227, 255)
SUN = (251, 191, 36)
HILL_BACK = (16, 185, 129)
HILL_FRONT = (5, 150, 105)


@dataclass(frozen=True)
class Geometry:
    """Everything in units of the icon's side (0..1), so one drawing serves every size."""

    inset: float  # empty margin around the rounded square
    corner: float  # its corner radius
    ring_radius: float  # the loop arrow's centre line
    ring_width: float
    gap_start: float  # degrees, clockwise from 3 o'clock: where the arrow's head sits
    gap_end: float  # where the ring starts again after the gap
    head_length: float
    head_width: float
    frame_w: float
    frame_h: float
    frame_border: float
    frame_corner: float
    sun: bool


FULL = Geometry(
    inset=0.0625,
    corner=0.2,
    ring_radius=0.305,
    ring_width=0.058,
    gap_start=255.0,
    gap_end=320.0,
    head_length=0.11,
    head_width=0.085,
    frame_w=0.37,
    frame_h=0.29,
    frame_border=0.03,
    frame_corner=0.03,
    sun=True,
)
SMALL = Geometry(
    inset=0.02,
    corner=0.2,
    ring_radius=0.33,
    ring_width=0.1,
    gap_start=250.0,
    gap_end=325.0,
    head_length=0.15,
    head_width=0.13,
    frame_w=0.4,
    frame_h=0.31,
    frame_border=0.06,
    frame_corner=0.02,
    sun=False,
)


def geometry_for(size: int) -> Geometry:
    return SMALL if size <= 32 else FULL


def _point(g: Geometry, angle: float, radius: float) -> tuple[float, float]:
    a = math.radians(angle)
    return 0.5 + radius * math.cos(a), 0.5 + radius * math.sin(a)


def arrow_head(g: Geometry) -> list[tuple[float, float]]:
    """A triangle at the ring's end, pointing clockwise along the ring."""
    a = math.radians(g.gap_start)
    bx, by = _point(g, g.gap_start, g.ring_radius)
    tx, ty = -math.sin(a), math.cos(a)  # clockwise tangent (y grows downwards)
    nx, ny = math.cos(a), math.sin(a)
    half = g.head_width
    tip = (bx + tx * g.head_length, by + ty * g.head_length)
    return [(bx + nx * half, by + ny * half), tip, (bx - nx * half, by - ny * half)]


def _gradient(side: int) -> Image.Image:
    """Blue at the top right to violet at the bottom left."""
    ramp = Image.linear_gradient("L").resize((side, side))
    diagonal = Image.blend(ramp, ramp.transpose(Image.Transpose.ROTATE_90), 0.5)
    diagonal = diagonal.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    top = Image.new("RGB", (side, side), TOP)
    bottom = Image.new("RGB", (side, side), BOTTOM)
    return Image.composite(bottom, top, diagonal)


def draw(size: int) -> Image.Image:
    """The icon at ``size`` pixels, RGBA."""
    g = geometry_for(size)
    scale = 8 if size <= 128 else max(1, 2048 // size)
    side = size * scale

    def px(v: float) -> float:
        return v * side

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return px(x0), px(y0), px(x1), px(y1)

    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    mask = Image.new("L", (side, side), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        box(g.inset, g.inset, 1 - g.inset, 1 - g.inset), radius=px(g.corner), fill=255
    )
    image.paste(_gradient(side), (0, 0), mask)
    d = ImageDraw.Draw(image)

    # The loop: an arc from the gap's end round to its start, then the arrow head.
    r = g.ring_radius
    d.arc(
        box(
            0.5 - r - g.ring_width / 2,
            0.5 - r - g.ring_width / 2,
            0.5 + r + g.ring_width / 2,
            0.5 + r + g.ring_width / 2,
        ),
        start=g.gap_end,
        end=g.gap_start + 360,
        fill=WHITE,
        width=round(px(g.ring_width)),
    )
    d.polygon([(px(x), px(y)) for x, y in arrow_head(g)], fill=WHITE)

    # The picture: a white frame around a little landscape.
    fx0, fy0 = 0.5 - g.frame_w / 2, 0.5 - g.frame_h / 2
    fx1, fy1 = 0.5 + g.frame_w / 2, 0.5 + g.frame_h / 2
    d.rounded_rectangle(box(fx0, fy0, fx1, fy1), radius=px(g.frame_corner), fill=WHITE)
    b = g.frame_border
    ix0, iy0, ix1, iy1 = fx0 + b, fy0 + b, fx1 - b, fy1 - b
    d.rectangle(box(ix0, iy0, ix1, iy1), fill=SKY)
    w, h = ix1 - ix0, iy1 - iy0
    if g.sun:
        cx, cy, sr = ix0 + 0.74 * w, iy0 + 0.3 * h, 0.14 * h
        d.ellipse(box(cx - sr, cy - sr, cx + sr, cy + sr), fill=SUN)
        d.polygon(
            [
                (px(x), px(y))
                for x, y in (
                    (ix0 + 0.3 * w, iy1),
                    (ix0 + 0.66 * w, iy0 + 0.42 * h),
                    (ix1, iy0 + 0.8 * h),
                    (ix1, iy1),
                )
            ],
            fill=HILL_BACK,
        )
    d.polygon(
        [
            (px(x), px(y))
            for x, y in (
                (ix0, iy1),
                (ix0, iy0 + 0.7 * h),
                (ix0 + 0.3 * w, iy0 + 0.3 * h),
                (ix0 + 0.72 * w, iy1),
            )
        ],
        fill=HILL_FRONT,
    )
    return image.resize((size, size), Image.Resampling.LANCZOS)


def svg() -> str:
    """The same drawing as scalable SVG (a 512 unit canvas)."""
    g = FULL
    u = 512.0

    def n(v: float) -> str:
        return f"{v * u:.2f}".rstrip("0").rstrip(".")

    r = g.ring_radius
    sx, sy = _point(g, g.gap_end, r)
    ex, ey = _point(g, g.gap_start, r)
    sweep_deg = (g.gap_start + 360 - g.gap_end) % 360
    large = 1 if sweep_deg > 180 else 0
    head = " ".join(f"{n(x)},{n(y)}" for x, y in arrow_head(g))
    fx0, fy0 = 0.5 - g.frame_w / 2, 0.5 - g.frame_h / 2
    b = g.frame_border
    ix0, iy0 = fx0 + b, fy0 + b
    w, h = g.frame_w - 2 * b, g.frame_h - 2 * b
    ix1, iy1 = ix0 + w, iy0 + h
    sun_x, sun_y, sun_r = ix0 + 0.74 * w, iy0 + 0.3 * h, 0.14 * h
    back = [
        (ix0 + 0.3 * w, iy1),
        (ix0 + 0.66 * w, iy0 + 0.42 * h),
        (ix1, iy0 + 0.8 * h),
        (ix1, iy1),
    ]
    front = [
        (ix0, iy1),
        (ix0, iy0 + 0.7 * h),
        (ix0 + 0.3 * w, iy0 + 0.3 * h),
        (ix0 + 0.72 * w, iy1),
    ]

    def poly(points: list[tuple[float, float]]) -> str:
        return " ".join(f"{n(x)},{n(y)}" for x, y in points)

    def hexcolor(c: tuple[int, int, int]) -> str:
        return "#{:02x}{:02x}{:02x}".format(*c)

    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- imgloop desktop icon; generated by packaging/make_icons.py, edit that instead -->
<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">
  <defs>
    <linearGradient id="bg" x1="1" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="{hexcolor(TOP)}"/>
      <stop offset="1" stop-color="{hexcolor(BOTTOM)}"/>
    </linearGradient>
  </defs>
  <rect x="{n(g.inset)}" y="{n(g.inset)}" width="{n(1 - 2 * g.inset)}" \
height="{n(1 - 2 * g.inset)}" rx="{n(g.corner)}" fill="url(#bg)"/>
  <path d="M {n(sx)} {n(sy)} A {n(r)} {n(r)} 0 {large} 1 {n(ex)} {n(ey)}" fill="none" \
stroke="#ffffff" stroke-width="{n(g.ring_width)}"/>
  <polygon points="{head}" fill="#ffffff"/>
  <rect x="{n(fx0)}" y="{n(fy0)}" width="{n(g.frame_w)}" height="{n(g.frame_h)}" \
rx="{n(g.frame_corner)}" fill="#ffffff"/>
  <rect x="{n(ix0)}" y="{n(iy0)}" width="{n(w)}" height="{n(h)}" fill="{hexcolor(SKY)}"/>
  <circle cx="{n(sun_x)}" cy="{n(sun_y)}" r="{n(sun_r)}" fill="{hexcolor(SUN)}"/>
  <polygon points="{poly(back)}" fill="{hexcolor(HILL_BACK)}"/>
  <polygon points="{poly(front)}" fill="{hexcolor(HILL_FRONT)}"/>
</svg>
"""


def write_all(out: Path) -> list[Path]:
    """Every icon file into ``out``; returns what was written."""
    out.mkdir(parents=True, exist_ok=True)
    images = {size: draw(size) for size in sorted({*ICON_SIZES, *ICO_SIZES})}
    written: list[Path] = []
    for size in ICON_SIZES:
        path = out / f"imgloop-{size}.png"
        images[size].save(path, format="PNG", optimize=True)
        written.append(path)
    ico = out / "imgloop.ico"
    largest = images[max(ICO_SIZES)]
    largest.save(
        ico,
        format="ICO",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)],
    )
    written.append(ico)
    icns = out / "imgloop.icns"
    big = draw(1024)
    big.save(icns, format="ICNS", append_images=[images[s] for s in (16, 32, 64, 128, 256, 512)])
    written.append(icns)
    vector = out / "imgloop.svg"
    vector.write_text(svg(), encoding="utf-8")
    written.append(vector)
    return written


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "resources" / "icons"
    for path in write_all(out):
        print(path.relative_to(out.parent) if path.is_relative_to(out.parent) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

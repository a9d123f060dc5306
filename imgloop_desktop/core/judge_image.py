"""The copy of an image the judge sees: optionally smaller, to spend fewer input tokens.

Vision models bill by image area, so a 1024 px image judged at 512 px costs about a quarter
of the image tokens. The stored original is never touched.
"""

from __future__ import annotations

import io

from PIL import Image


def judge_copy(png: bytes, max_side: int) -> bytes:
    """``png`` unchanged when ``max_side`` is 0 or the image already fits, else a PNG whose
    long side is ``max_side``."""
    if max_side <= 0:
        return png
    with Image.open(io.BytesIO(png)) as image:
        if max(image.size) <= max_side:
            return png
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=2.0)
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=1)
        return out.getvalue()

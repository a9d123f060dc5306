"""The copy of an image the judge sees: within what Converse accepts, optionally smaller.

Vision models bill by image area, so a 1024 px image judged at 512 px costs about a quarter
of the image tokens (``judge_image_max_side``). Whatever that setting, the copy always fits
Converse's per-image limits: "Each image's size, height, and width must be no more than
3.75 MB, 8000 px, and 8000 px, respectively" (Message.content,
https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Message.html). The 3.75 MB
is the raw size whose base64 is 5 MiB, which is what the service measures; a copy over it is
re-encoded with the strongest PNG compression, then downscaled in steps until it fits. The
copy stays PNG (the format the judge is sent), and the stored original is never touched.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from PIL import Image

from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP, Phrase, chained

# Converse's per-image limits (see the module docstring for the page).
CONVERSE_MAX_IMAGE_BYTES = 3_932_160  # 3.75 MiB: 5 MiB (5,242,880) once base64-encoded
CONVERSE_MAX_IMAGE_SIDE = 8000

# The note kept with a verdict when the limits changed the copy: English in the history and
# the headless command, the window's language in the window (``JudgeImage.note``).
JUDGE_COPY = "JudgeCopy"
SENT_COPY = QT_TRANSLATE_NOOP(
    "JudgeCopy",
    "The judge was sent a copy of {width}x{height} px: {changes} (Bedrock Converse limits). "
    "The saved image is unchanged.",
)
OVER_SIDE = QT_TRANSLATE_NOOP(
    "JudgeCopy", "downscaled from {width}x{height} (over {limit} px a side)"
)
RECOMPRESSED = QT_TRANSLATE_NOOP(
    "JudgeCopy", "re-encoded with stronger PNG compression (was {size}, over 3.75 MB)"
)
OVER_BYTES = QT_TRANSLATE_NOOP(
    "JudgeCopy", "downscaled from {width}x{height} to fit 3.75 MB (a {size} PNG)"
)
AND_THEN = QT_TRANSLATE_NOOP("JudgeCopy", "{first}; {then}")


@dataclass(frozen=True)
class JudgeImage:
    """The bytes the judge is sent, their size, and what was done to fit the limits: ``note``
    is empty when the image was sent as the person's setting asked, else a plain sentence (a
    Phrase: ``str()`` is the English)."""

    data: bytes
    width: int
    height: int
    note: str | Phrase = ""
    format: str = "png"


def judge_copy(png: bytes, max_side: int) -> JudgeImage:
    """``png`` unchanged when it fits both ``max_side`` (0: no setting) and Converse's limits;
    else a PNG whose long side is at most ``max_side`` and that fits the limits, with a note
    when Converse's limits (not the setting) made it smaller or re-encoded."""
    with Image.open(io.BytesIO(png)) as opened:
        width, height = opened.size
        wanted = max_side if 0 < max_side < CONVERSE_MAX_IMAGE_SIDE else CONVERSE_MAX_IMAGE_SIDE
        if max(width, height) <= wanted and len(png) <= CONVERSE_MAX_IMAGE_BYTES:
            return JudgeImage(png, width, height)
        image = opened.copy()
    notes: list[Phrase] = []
    if max(width, height) > CONVERSE_MAX_IMAGE_SIDE and not 0 < max_side < CONVERSE_MAX_IMAGE_SIDE:
        values = {"width": width, "height": height, "limit": CONVERSE_MAX_IMAGE_SIDE}
        notes.append(Phrase(JUDGE_COPY, OVER_SIDE, values))
    data = png  # only over the byte limit: re-encoded below, not at the fastest setting first
    if max(width, height) > wanted:
        image.thumbnail((wanted, wanted), Image.Resampling.LANCZOS, reducing_gap=2.0)
        data = _png(image, compress_level=1)
    if len(data) > CONVERSE_MAX_IMAGE_BYTES:
        size_before = len(data)
        data = _png(image, compress_level=9)
        shrunk_from = image.size
        while len(data) > CONVERSE_MAX_IMAGE_BYTES:
            # Bytes scale with area: aim a little under the limit, and always shrink.
            scale = min(0.9, 0.95 * math.sqrt(CONVERSE_MAX_IMAGE_BYTES / len(data)))
            side = max(1, int(max(image.size) * scale))
            image.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=2.0)
            data = _png(image, compress_level=9)
        if image.size == shrunk_from:
            notes.append(Phrase(JUDGE_COPY, RECOMPRESSED, {"size": _mb(size_before)}))
        else:
            fitted = {"width": shrunk_from[0], "height": shrunk_from[1], "size": _mb(size_before)}
            notes.append(Phrase(JUDGE_COPY, OVER_BYTES, fitted))
    note: str | Phrase = ""
    if notes:
        changes = chained(JUDGE_COPY, AND_THEN, notes)
        sent = {"width": image.size[0], "height": image.size[1], "changes": changes}
        note = Phrase(JUDGE_COPY, SENT_COPY, sent)
    return JudgeImage(data, image.size[0], image.size[1], note)


def _png(image: Image.Image, compress_level: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=compress_level)
    return out.getvalue()


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.2f} MB"

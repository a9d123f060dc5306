"""PNG metadata chunks: the provenance an exported image carries inside its own bytes.

A ``parameters`` text chunk in the form AUTOMATIC1111 writes (so image browsers that read it
show our prompt, seed and size) and an ``imgloop`` iTXt chunk with the full JSON. The chunks
are inserted right after IHDR without decoding or re-encoding, so the pixels are untouched
and the stored original is recovered exactly by cutting the inserted bytes out again.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from imgloop_desktop import __version__
from imgloop_desktop.core.pngs import PNG_SIGNATURE
from imgloop_desktop.core.records import ImageRecord, SessionTree


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def text_chunk(keyword: str, text: str) -> bytes:
    """``tEXt`` when the text is Latin-1 (what A1111 and most readers expect), else ``iTXt``
    (UTF-8), the way Pillow's ``PngInfo.add_text`` decides."""
    try:
        payload = keyword.encode("latin-1") + b"\0" + text.encode("latin-1")
    except UnicodeEncodeError:
        return itxt_chunk(keyword, text)
    return png_chunk(b"tEXt", payload)


def itxt_chunk(keyword: str, text: str) -> bytes:
    """Uncompressed iTXt: keyword, NUL, compression flag and method, empty language tag and
    translated keyword (each NUL-terminated), then UTF-8 text."""
    if not 1 <= len(keyword) <= 79:
        raise ValueError(f"PNG keyword {keyword!r} must be 1-79 characters")
    return png_chunk(
        b"iTXt", keyword.encode("latin-1") + b"\0\0\0" + b"\0" + b"\0" + text.encode("utf-8")
    )


def iter_chunks(data: bytes) -> Iterator[tuple[int, bytes, bytes]]:
    """(offset, type, payload) of each chunk; raises ValueError on anything not PNG-shaped."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    pos = len(PNG_SIGNATURE)
    while pos < len(data):
        if pos + 12 > len(data):
            raise ValueError(f"truncated PNG chunk at byte {pos}")
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise ValueError(f"truncated PNG chunk {kind!r} at byte {pos}")
        yield pos, kind, data[pos + 8 : pos + 8 + length]
        pos = end


def insert_after_ihdr(png: bytes, chunks: bytes) -> tuple[bytes, int]:
    """``chunks`` placed right after IHDR (readers that stop at IDAT still see them); returns
    the new bytes and the offset they were put at."""
    first = next(iter_chunks(png), None)
    if first is None or first[1] != b"IHDR":
        raise ValueError("the PNG does not start with IHDR")
    offset = first[0] + 12 + len(first[2])
    return png[:offset] + chunks + png[offset:], offset


@dataclass(frozen=True)
class AnnotatedPng:
    data: bytes
    offset: int | None
    length: int


def annotate(original: bytes, tree: SessionTree, image: ImageRecord) -> AnnotatedPng:
    """The exported copy: the original bytes plus our two text chunks, nothing re-encoded.
    A file that is not a PNG is exported unchanged (``offset`` None)."""
    chunks = text_chunk("parameters", a1111_parameters(tree, image)) + itxt_chunk(
        "imgloop", json.dumps(provenance(tree, image), ensure_ascii=False, sort_keys=True)
    )
    try:
        data, offset = insert_after_ihdr(original, chunks)
    except ValueError:
        return AnnotatedPng(original, None, 0)
    return AnnotatedPng(data, offset, len(chunks))


def read_text_chunks(png: bytes) -> dict[str, str]:
    """tEXt and uncompressed iTXt chunks by keyword (what tests and import need)."""
    out: dict[str, str] = {}
    for _offset, kind, payload in iter_chunks(png):
        if kind == b"tEXt":
            key, _, text = payload.partition(b"\0")
            out[key.decode("latin-1")] = text.decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = payload.partition(b"\0")
            flag = rest[:1]
            fields = rest[2:].split(b"\0", 2)
            if flag == b"\0" and len(fields) == 3:
                out[key.decode("latin-1")] = fields[2].decode("utf-8")
    return out


def _a1111_quote(value: object) -> str:
    """AUTOMATIC1111's rule: JSON-quote a value holding ',', ':' or a newline."""
    text = str(value)
    if "," not in text and "\n" not in text and ":" not in text:
        return text
    return json.dumps(text, ensure_ascii=False)


def _cfg(tree: SessionTree, image: ImageRecord) -> float | None:
    value = tree.params.get("titan_img_cfg_scale")
    return float(value) if isinstance(value, int | float) else None


def _checks_passed(image: ImageRecord) -> str | None:
    """Items passed out of all ("5/6"), without the badge's mark: the infotext stays
    Latin-1, so it is still the ``tEXt`` chunk most readers expect."""
    decision = image.verdict.decision if image.verdict else None
    return f"{decision.passed}/{decision.total}" if decision is not None else None


def a1111_parameters(tree: SessionTree, image: ImageRecord) -> str:
    """The prompt that made the image on the first line(s), then one ``Key: value`` line.

    Bedrock does not report a step count, so there is no ``Steps:``; AUTOMATIC1111's parser
    only needs three or more ``Key: value`` pairs on the last line to read it.
    """
    params: dict[str, object | None] = {
        "Seed": image.seed,
        "Size": f"{image.width}x{image.height}",
        "CFG scale": _cfg(tree, image),
        "Model": tree.image_model_id,
        "Judge model": tree.judge_model_id,
        "Verdict": image.verdict.result if image.verdict else None,
        "Checks": _checks_passed(image),
        "Human decision": image.human_decision.value if image.human_decision else None,
        "Approved": "yes" if image.effective_approved else "no",
        "Original prompt": tree.prompt if tree.prompt != image.prompt else None,
        "Version": f"imgloop-desktop {__version__}",
    }
    line = ", ".join(f"{k}: {_a1111_quote(v)}" for k, v in params.items() if v is not None)
    return f"{image.prompt}\n{line}"


def provenance(tree: SessionTree, image: ImageRecord) -> dict[str, Any]:
    verdict = image.verdict
    checklist = (verdict.checklist if verdict else None) or tree.checklist
    return {
        "app": "imgloop-desktop",
        "app_version": __version__,
        "run_id": tree.run_id,
        "original_prompt": tree.prompt,
        "prompt": image.prompt,
        "image_model": tree.image_model_id,
        "judge_model": tree.judge_model_id,
        "seed": image.seed,
        "width": image.width,
        "height": image.height,
        "cfgScale": _cfg(tree, image),
        "revision": image.revision,
        "attempt": image.attempt,
        "index": image.index,
        "verdict": verdict.result if verdict else None,
        "reason": verdict.reason if verdict else None,
        "human_decision": image.human_decision.value if image.human_decision else None,
        "approved": image.effective_approved,
        "sha256_original": image.sha256,
        # Where the models ran and what the run changed or left unused, in words; and what
        # the judge saw, when it was a smaller or re-encoded copy of this image.
        "image_region": tree.image_region,
        "judge_region": tree.judge_region,
        "notes": list(tree.notes),
        "judge_image": verdict.judge_image if verdict else None,
        # Checklist judging (schema v7): how it was judged, the requirements this image was
        # judged against (the run's when it was not judged), each item's verdict with its
        # evidence, the badge, and what a person ticked.
        "judge_mode": tree.judge_mode,
        "checklist": checklist.to_json() if checklist is not None else None,
        "checks": verdict.checks.to_json() if verdict and verdict.checks else None,
        "badge": verdict.badge if verdict else "",
        "human_items": dict(image.human_items),
        "best": image.is_best,
    }

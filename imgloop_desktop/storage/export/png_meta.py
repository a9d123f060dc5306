"""PNG metadata chunks: the provenance an exported image carries inside its own bytes.

A ``parameters`` text chunk in the form AUTOMATIC1111 writes (so image browsers and
metadata readers such as ``sd-parsers`` show our prompt, seed, size, CFG scale and model),
an ``imgloop`` iTXt chunk with the full JSON, and an XMP packet marking the image as made
by a trained model (IPTC Digital Source Type ``trainedAlgorithmicMedia``), the mark photo
tools, stock sites and social networks look for. The chunks are inserted right after IHDR
without decoding or re-encoding, so the pixels are untouched and the stored original is
recovered exactly by cutting the inserted bytes out again.

An original that carries Content Credentials (a C2PA manifest, in a ``caBX`` chunk) is the
exception: its signature covers every byte outside the manifest, so inserting anything
would break it without a word. Such a copy keeps the original bytes exactly and its
parameters go into a JSON sidecar beside it (``AnnotatedPng.sidecar``), unless the person
chose to embed parameters in signed images too (``annotate(..., embed_in_signed=True)``):
then the copy gets the same chunks as any other, and says in them that it was modified
after signing (``MODIFIED_NOTE``), so nobody mistakes its broken signature for tampering
by someone else.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape as _html_escape
from typing import Any

from imgloop_desktop import __version__
from imgloop_desktop.core.pngs import PNG_SIGNATURE
from imgloop_desktop.core.records import ImageRecord, SessionTree


def _xml_text(text: str) -> str:
    """``text`` as XML character data (&, < and > escaped). ``html.escape``, not
    ``xml.sax.saxutils``, whose import pulls in urllib and email at the app's start."""
    return _html_escape(text, quote=False)


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


DIGITAL_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
"""IPTC's term for media a trained model made from a prompt: what "AI-generated" is, in
the vocabulary C2PA, Google, Meta and Adobe read."""
SIMULATED_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia"
"""IPTC's term for media "created purely by an algorithm not based on any sampled training
data": what the offline demo's simulator draws (shapes from a hash of the prompt and seed).
``trainedAlgorithmicMedia`` would claim a model made it, which is the one thing a demo
image must not say."""
SIMULATED_SOFTWARE = "imgloop offline demo (simulated Bedrock)"
"""The ``Software`` tEXt chunk the simulator writes into every demo PNG. The same text as
``simulator.images.SOFTWARE``, kept here because storage may not import the simulator (the
import-linter contract); a test holds the two equal."""
SIMULATED_NOTE = "yes (imgloop offline demo; no model made this image)"
"""The A1111 line's ``Simulated`` value: no ',' or ':' (see ``_a1111_quote``)."""
XMP_KEYWORD = "XML:com.adobe.xmp"
"""The iTXt keyword the XMP specification (part 3) gives XMP in a PNG."""
C2PA_CHUNK = b"caBX"
"""The chunk type C2PA embeds its manifest store in (C2PA specification, PNG embedding)."""
SIDECAR_FORMAT = "imgloop-sidecar"
MODIFIED_NOTE = (
    "modified: parameters embedded after signing; the original's signature no longer validates"
)
"""The ``imgloop`` chunk's ``content_credentials`` value in the copy of a signed original
that had its parameters embedded anyway (the person's "Embed parameters in signed images
too" setting)."""
MODIFIED_A1111 = "modified (parameters embedded after signing)"
"""The A1111 line's ``Content credentials`` value in such a copy: what metadata viewers
built on A1111 readers show. No ',' or ':' (see ``_a1111_quote``)."""
MODIFIED_DESCRIPTION = (
    "Modified after signing: imgloop embedded its generation parameters in this copy, so "
    "the Content Credentials (C2PA) signature of the original no longer validates. The "
    "signed original stays unchanged where imgloop stored it."
)
"""The XMP ``dc:description`` (and the history event's ``stEvt:parameters``) of such a copy."""
SIGNATURE_KEPT = "intact"
"""A manifest entry's ``signature`` for a signed original exported byte for byte."""
SIGNATURE_BROKEN = "broken by embedding parameters"
"""A manifest entry's ``signature`` for a signed original whose copy had parameters
embedded: the copy's C2PA manifest no longer matches its bytes."""


def xmp_packet(source_type: str = DIGITAL_SOURCE_TYPE, *, modified: bool = False) -> str:
    """An XMP packet saying how the image was made (a trained model, or the demo's
    simulator), and by which app; ``modified`` (a signed original with parameters embedded
    anyway) adds a plain statement that the copy was changed after signing.

    The statement goes where people and tools look, in two standard places: ``dc:description``
    (Dublin Core, the description or caption that exiftool, Adobe Bridge, Lightroom and
    Windows' file properties show as text, so a person sees it), and one ``xmpMM:History``
    event (XMP Media Management: action ``edited``, changed part ``/metadata``, our app as
    the software agent), the structured record editing tools keep of what was done to a
    file, so a tool can tell without reading prose. No ``stEvt:when``: the copy is rebuilt
    at every drag, and a timestamp would make identical copies differ.

    Written by hand rather than through a library: it is fixed text, and the reader side
    only needs a few properties."""
    namespaces = (
        '    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"\n'
        '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n'
    )
    if modified:
        namespaces += (
            '    xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
            '    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"\n'
            '    xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"\n'
        )
    attributes = (
        f'    Iptc4xmpExt:DigitalSourceType="{source_type}"\n'
        f'    xmp:CreatorTool="imgloop-desktop {__version__}"'
    )
    body = ">\n" + _modified_xmp() + "  </rdf:Description>\n" if modified else "/>\n"
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        f"{namespaces}{attributes}{body}"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="r"?>'
    )


def _modified_xmp() -> str:
    """``dc:description`` and the ``xmpMM:History`` event of ``xmp_packet(modified=True)``."""
    note = _xml_text(MODIFIED_DESCRIPTION)
    return (
        "   <dc:description>\n"
        "    <rdf:Alt>\n"
        f'     <rdf:li xml:lang="x-default">{note}</rdf:li>\n'
        "    </rdf:Alt>\n"
        "   </dc:description>\n"
        "   <xmpMM:History>\n"
        "    <rdf:Seq>\n"
        '     <rdf:li rdf:parseType="Resource">\n'
        "      <stEvt:action>edited</stEvt:action>\n"
        "      <stEvt:changed>/metadata</stEvt:changed>\n"
        "      <stEvt:softwareAgent>imgloop-desktop "
        f"{_xml_text(__version__)}</stEvt:softwareAgent>\n"
        f"      <stEvt:parameters>{note}</stEvt:parameters>\n"
        "     </rdf:li>\n"
        "    </rdf:Seq>\n"
        "   </xmpMM:History>\n"
    )


def has_c2pa_manifest(data: bytes) -> bool:
    """Whether a PNG carries an embedded C2PA manifest store (signed or not, valid or not).

    A structural check, no SDK: export must decide in microseconds whether it may touch
    the bytes, and any manifest, even one that no longer validates, is not ours to
    disturb further. A file that is not a PNG (or is damaged) says False: such files are
    exported unchanged anyway."""
    try:
        return any(kind == C2PA_CHUNK for _offset, kind, _payload in iter_chunks(data))
    except ValueError:
        return False


@dataclass(frozen=True)
class AnnotatedPng:
    """An exported copy. ``offset``/``length`` say where inserted chunks sit (None/0 when
    nothing was inserted); ``signed`` says the original carries a C2PA manifest;
    ``sidecar`` is the JSON to write beside a signed copy whose bytes stayed the
    original's, None otherwise; ``modified`` says a signed original's copy had its
    parameters embedded anyway, so its signature no longer validates."""

    data: bytes
    offset: int | None
    length: int
    signed: bool = False
    sidecar: bytes | None = None
    modified: bool = False

    @property
    def signature(self) -> str | None:
        """What became of the original's signature in this copy, in a manifest's words:
        None (there was none), ``SIGNATURE_KEPT`` or ``SIGNATURE_BROKEN``."""
        if not self.signed:
            return None
        return SIGNATURE_BROKEN if self.modified else SIGNATURE_KEPT


def sidecar_name(name: str) -> str:
    """``images/r/000-000-0.png`` -> ``images/r/000-000-0.json``: the sidecar beside its
    image, named as most sidecar readers look for it (same stem)."""
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.json" if dot and "/" not in ext else f"{name}.json"


def sidecar_json(tree: SessionTree, image: ImageRecord, *, simulated: bool = False) -> bytes:
    """The parameters of a signed image, where its own bytes cannot hold them: the same
    JSON as the ``imgloop`` chunk, the A1111 line, and the AI-generated mark (the demo's
    ``algorithmicMedia`` one when ``simulated``)."""
    doc = {
        "format": SIDECAR_FORMAT,
        "why": (
            "the image carries Content Credentials (C2PA); its bytes are kept exactly as "
            "the model returned them so the signature stays valid"
        ),
        "digital_source_type": SIMULATED_SOURCE_TYPE if simulated else DIGITAL_SOURCE_TYPE,
        "parameters": a1111_parameters(tree, image, simulated=simulated),
        "imgloop": provenance(tree, image),
    }
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def is_simulated(original: bytes) -> bool:
    """Whether the original says, in its own ``Software`` chunk, that the offline demo's
    simulator drew it. The image's own word, not the run's model id: a demo run records the
    model the simulator stood in for, so only the bytes can tell. Anything unreadable says
    False (such files are exported unchanged anyway)."""
    try:
        for _offset, kind, payload in iter_chunks(original):
            if kind == b"tEXt":
                key, _, text = payload.partition(b"\0")
                if key == b"Software" and text == SIMULATED_SOFTWARE.encode("latin-1"):
                    return True
    except ValueError:
        return False
    return False


def annotate(
    original: bytes, tree: SessionTree, image: ImageRecord, *, embed_in_signed: bool = False
) -> AnnotatedPng:
    """The exported copy: the original bytes plus our text chunks and XMP, nothing
    re-encoded. A file that is not a PNG is exported unchanged (``offset`` None); one
    carrying a C2PA manifest is too, with its parameters in ``sidecar``, unless
    ``embed_in_signed`` (the person's choice): then it gets the chunks as well, and each
    says the copy was modified after signing (``modified``).

    Such a copy keeps the original's C2PA manifest, now failing validation, rather than
    cutting it out: a C2PA reader then shows that a signed original exists and that this
    copy is not it, where a copy without the manifest would pass for one never signed. It
    gets no sidecar: its own chunks carry the same parameters, and dropping it back reads
    them first, so a second copy of the same facts beside it would add nothing but a file
    that can drift from the image.

    A demo image (``is_simulated``) says so in the copy's own words too: the A1111 line
    gains ``Simulated: yes …`` and the XMP says ``algorithmicMedia``, because the model id
    the line carries would otherwise read as a claim that Bedrock made it."""
    simulated = is_simulated(original)
    signed = has_c2pa_manifest(original)
    if signed and not embed_in_signed:
        sidecar = sidecar_json(tree, image, simulated=simulated)
        return AnnotatedPng(original, None, 0, signed=True, sidecar=sidecar)
    info = provenance(tree, image)
    if signed:
        info["content_credentials"] = MODIFIED_NOTE
    chunks = (
        text_chunk(
            "parameters", a1111_parameters(tree, image, simulated=simulated, modified=signed)
        )
        + itxt_chunk("imgloop", json.dumps(info, ensure_ascii=False, sort_keys=True))
        + itxt_chunk(
            XMP_KEYWORD,
            xmp_packet(
                SIMULATED_SOURCE_TYPE if simulated else DIGITAL_SOURCE_TYPE, modified=signed
            ),
        )
    )
    try:
        data, offset = insert_after_ihdr(original, chunks)
    except ValueError:  # a manifest in a damaged PNG: nothing can be inserted
        if signed:
            sidecar = sidecar_json(tree, image, simulated=simulated)
            return AnnotatedPng(original, None, 0, signed=True, sidecar=sidecar)
        return AnnotatedPng(original, None, 0)
    return AnnotatedPng(data, offset, len(chunks), signed=signed, modified=signed)


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
    """AUTOMATIC1111's rule: JSON-quote a value holding ',', ':' or a newline; and inside
    the quotes, ',' and ':' written as JSON escapes. A1111's own parser decodes them back
    (it ``json.loads`` a quoted value), while readers that simply split the line on ','
    and ':' (sd-parsers and the viewers built on it) see one opaque value instead of
    fragments that could pose as other keys."""
    text = str(value)
    if "," not in text and "\n" not in text and ":" not in text:
        return text
    return json.dumps(text, ensure_ascii=False).replace(",", "\\u002c").replace(":", "\\u003a")


def _model_name(model_id: str) -> str:
    """The model id without its ``:N`` version suffix or ARN prefix: A1111 readers that
    split on ':' would drop a ``Model`` value holding one, and the model is what people
    look for (the exact id follows as ``Bedrock model``)."""
    base = re.sub(r":\d+$", "", model_id.rsplit("/", 1)[-1])
    return re.sub(r"[,:\s]+", "-", base) or "unknown"


_FAMILIES = (
    ("titan-image", "Titan Image Generator"),
    ("nova-canvas", "Nova Canvas"),
    ("stability.", "Stability AI"),
)


def _not_applicable(model_id: str, setting: str) -> str:
    """What ``Steps`` and ``Sampler`` say for a Bedrock model that takes no such setting:
    A1111 readers refuse a line without both, and "n/a" with the model's name says it was
    not a number left out. Never ',' or ':' (see ``_a1111_quote``)."""
    base = _model_name(model_id)
    if "stable-diffusion-xl" in base:  # takes steps, but imgloop does not record them
        return "n/a (not recorded)"
    name = next((label for marker, label in _FAMILIES if marker in base), base)
    return f"n/a ({name} on Bedrock has no {setting} setting)"


def _negative(tree: SessionTree) -> str | None:
    """The negative prompt where the run had one (none of today's requests send one)."""
    value = tree.params.get("negative_prompt")
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _cfg(tree: SessionTree, image: ImageRecord) -> float | None:
    value = tree.params.get("titan_img_cfg_scale")
    return float(value) if isinstance(value, int | float) else None


def _checks_passed(image: ImageRecord) -> str | None:
    """Items passed out of all ("5/6"), without the badge's mark: the infotext stays
    Latin-1, so it is still the ``tEXt`` chunk most readers expect."""
    decision = image.verdict.decision if image.verdict else None
    return f"{decision.passed}/{decision.total}" if decision is not None else None


def a1111_parameters(
    tree: SessionTree, image: ImageRecord, *, simulated: bool = False, modified: bool = False
) -> str:
    """The prompt that made the image on the first line(s), a ``Negative prompt:`` line
    when there was one, then one ``Key: value`` line.

    ``Steps`` and ``Sampler`` come first although Bedrock reports neither: every A1111
    reader expects them (sd-parsers returns nothing without ``Sampler``), so they say "n/a"
    and why. The keys readers map (CFG scale, Seed, Size, Model) come before the free-text
    ones, so a fragment of free text could never override them. ``simulated`` (a demo
    image) adds ``Simulated`` right after ``Model``, where a reader showing the model sees it;
    ``modified`` (a signed original's copy with parameters embedded anyway) adds
    ``Content credentials: modified …`` after that, for the same reason.
    """
    model = tree.image_model_id
    name = _model_name(model)
    params: dict[str, object | None] = {
        "Steps": _not_applicable(model, "step"),
        "Sampler": _not_applicable(model, "sampler"),
        "CFG scale": _cfg(tree, image),
        "Seed": image.seed,
        "Size": f"{image.width}x{image.height}",
        "Model": name,
        "Simulated": SIMULATED_NOTE if simulated else None,
        "Content credentials": MODIFIED_A1111 if modified else None,
        "Bedrock model": model if model != name else None,
        "Judge model": tree.judge_model_id,
        "Verdict": image.verdict.result if image.verdict else None,
        "Checks": _checks_passed(image),
        "Human decision": image.human_decision.value if image.human_decision else None,
        "Approved": "yes" if image.effective_approved else "no",
        "Original prompt": tree.prompt if tree.prompt != image.prompt else None,
        "Version": f"imgloop-desktop {__version__}",
    }
    line = ", ".join(f"{k}: {_a1111_quote(v)}" for k, v in params.items() if v is not None)
    negative = _negative(tree)
    middle = f"Negative prompt: {negative}\n" if negative else ""
    return f"{image.prompt}\n{middle}{line}"


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

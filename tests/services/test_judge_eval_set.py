"""The built-in labelled set: each image really shows what its labels say, read back from
the pixels (flood-filled shapes, classified by how much of their box they fill; text
compared with its rendering), and the JSONL format round-trips."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from imgloop_desktop.core.checklist import KINDS
from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.services.judge_eval_set import (
    BACKGROUND,
    COLOURS,
    TEXT_COLOUR,
    EvalCase,
    Reads,
    Thing,
    builtin_cases,
    read_set,
    render_text,
    write_set,
)

CASES = builtin_cases()


def _shape_of(fill: float) -> str:
    """A square fills its box, a circle pi/4 of it, a triangle half."""
    if fill > 0.9:
        return "square"
    if fill > 0.65:
        return "circle"
    return "triangle"


def things_in(png: bytes, texts: Sequence[str]) -> list[Thing]:
    """What the pixels show: one thing per 4-connected patch of a palette colour, and the
    black ink as one text, read as whichever of ``texts`` renders to exactly that ink
    ("?" when none does)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    pixels = list(image.get_flattened_data())
    names = {rgb: name for name, rgb in COLOURS.items()}
    allowed = {*names, BACKGROUND, TEXT_COLOUR}
    assert set(pixels) <= allowed, "only palette colours: no anti-aliasing"
    seen = bytearray(width * height)
    found: list[Thing] = []
    for start, rgb in enumerate(pixels):
        if rgb not in names or seen[start]:
            continue
        seen[start] = 1
        stack, patch = [start], []
        while stack:
            at = stack.pop()
            patch.append(at)
            x, y = at % width, at // width
            for nx, ny in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
                n = ny * width + nx
                if 0 <= nx < width and 0 <= ny < height and not seen[n] and pixels[n] == rgb:
                    seen[n] = 1
                    stack.append(n)
        xs = [p % width for p in patch]
        ys = [p // width for p in patch]
        box = (max(xs) - min(xs) + 1) * (max(ys) - min(ys) + 1)
        kind = _shape_of(len(patch) / box)
        found.append(Thing(kind, names[rgb], sum(xs) / len(xs), sum(ys) / len(ys)))
    ink = Image.eval(image.convert("L"), lambda v: 255 if v == 0 else 0)
    box = ink.getbbox()
    if box is not None:
        crop = image.crop(box)
        read = next((t for t in texts if _same(crop, render_text(t))), "?")
        centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        found.append(Thing("text", "black", *centre, text=read))
    return found


def _same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a, b.convert("RGB")).getbbox() is None


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_label_is_what_the_pixels_show(case: EvalCase) -> None:
    assert case.checklist is not None and case.scene is not None
    candidates = [c.text for c in case.claims.values() if isinstance(c, Reads)]
    candidates += [t.text for t in case.scene.texts]
    seen = things_in(case.image_bytes(), candidates)
    assert sorted((t.kind, t.colour) for t in seen) == sorted(
        (t.kind, t.colour) for t in case.scene.things()
    )
    for item in case.checklist.items:
        assert case.claims[item.id].holds(seen) is case.labels[item.id], item.text
    assert case.approved is all(case.labels[i.id] for i in case.checklist.musts)


def test_a_misspelt_sign_does_not_read_as_the_word() -> None:
    """The text check is a real one: OPFN's ink is not OPEN's."""
    misspelt = next(c for c in CASES if c.name == "sign-misspelt")
    [text] = [t for t in things_in(misspelt.image_bytes(), ["OPEN", "OPFN"]) if t.kind == "text"]
    assert text.text == "OPFN"
    assert misspelt.labels == {"c1": False}


def test_the_set_covers_every_kind_with_true_and_false_labels() -> None:
    assert 12 <= len(CASES) <= 20
    assert len({c.name for c in CASES}) == len(CASES)
    by_kind: dict[str, set[bool]] = {}
    for case in CASES:
        assert case.checklist is not None
        for item in case.checklist.items:
            by_kind.setdefault(item.kind, set()).add(case.labels[item.id])
    assert set(by_kind) == {"subject", "count", "attribute", "relation", "text"} <= set(KINDS)
    assert all(labels == {True, False} for labels in by_kind.values()), by_kind
    assert sum(c.approved for c in CASES) == len(CASES) // 2


def test_drawing_is_deterministic() -> None:
    again = builtin_cases()
    assert [c.image_bytes() for c in again] == [c.image_bytes() for c in CASES]


def test_the_written_set_reads_back_in_the_history_format(tmp_path: Path) -> None:
    target = write_set(tmp_path / "set")
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(CASES)
    assert set(rows[0]) == {
        "image",
        "prompt",
        "checklist",
        "labels",
        "approved",
        "judge_model_id",
        "image_model_id",
    }
    assert rows[0]["image"] == "three-red-circles.png"  # relative to the set's folder
    read = read_set(target)
    for back, case in zip(read, CASES, strict=True):
        assert back.prompt == case.prompt
        assert back.checklist == case.checklist
        assert back.labels == case.labels
        assert back.approved is case.approved
        assert back.image_bytes() == case.image_bytes()


def _problems(path: Path) -> dict[str, object]:
    with pytest.raises(ValidationError) as caught:
        read_set(path)
    return {p.field: p.value for p in caught.value.problems}


def test_a_persons_set_is_checked_whole_naming_each_line(tmp_path: Path) -> None:
    folder = tmp_path / "set"
    write_set(folder)
    good = json.loads((folder / "set.jsonl").read_text(encoding="utf-8").splitlines()[0])
    (folder / "not-a.png").write_bytes(b"GIF89a not a png")
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps(good | {"labels": {"c1": True, "c9": False}}),
        json.dumps(good | {"labels": {"c1": "yes"}}),
        json.dumps(good | {"approved": 1}),
        json.dumps(good | {"image": "not-a.png"}),
        json.dumps(good | {"image": "missing.png"}),
        json.dumps({k: v for k, v in good.items() if k != "prompt"}),
        json.dumps(good | {"extra": 1}),
        json.dumps(good | {"checklist": [{"text": "", "must": True}]}),
        json.dumps(good | {"checklist": None, "labels": {"c1": True}}),
        "",
        json.dumps(good | {"checklist": None, "labels": {}}),  # fine: approval only
    ]
    (folder / "mixed.jsonl").write_text("\n".join(lines), encoding="utf-8")
    problems = _problems(folder / "mixed.jsonl")
    assert set(problems) == {
        "set[2]",
        "set[3].labels.c9",
        "set[4].labels.c1",
        "set[5].approved",
        "set[6].image",
        "set[7].image",
        "set[8].prompt",
        "set[9].extra",
        "set[10].checklist[0].text",
        "set[11].labels.c1",
    }
    assert problems["set[5].approved"] == 1


def test_a_decision_against_the_ticks_is_read_and_flagged(tmp_path: Path) -> None:
    """The history keeps a person's decision and ticks apart; approval is their decision."""
    folder = tmp_path / "set"
    write_set(folder)
    good = json.loads((folder / "set.jsonl").read_text(encoding="utf-8").splitlines()[0])
    rows = [good, good | {"approved": False}, good | {"approved": False, "labels": {"c3": True}}]
    (folder / "mine.jsonl").write_text("\n".join(map(json.dumps, rows)), encoding="utf-8")
    read = read_set(folder / "mine.jsonl")
    assert [c.approved for c in read] == [True, False, False]
    assert [c.labels_disagree for c in read] == [False, True, False]  # musts c1, c2 unlabelled


def test_an_empty_or_missing_set_is_refused(tmp_path: Path) -> None:
    assert set(_problems(tmp_path / "nope.jsonl")) == {"set"}
    (tmp_path / "empty.jsonl").write_text("\n\n", encoding="utf-8")
    assert set(_problems(tmp_path / "empty.jsonl")) == {"set"}

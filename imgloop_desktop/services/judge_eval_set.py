"""Labelled images for measuring the judge (issue 12): a built-in set we draw ourselves, and a
person's set read from JSONL.

The built-in set follows GenEval's idea (Ghosh et al., 2023): images whose content is known
by construction, so every requirement's truth is a programmatic check rather than an
opinion. Each image is drawn with Pillow from a ``Scene`` (flat shapes in four colours and
black text, no anti-aliasing, fixed positions), and each requirement carries a ``Claim``
that is evaluated against the scene to give its label. Tests check the same claims against
the pixels, so a label cannot drift from what the image shows.

A person's set is the JSONL the history exports, one image per line::

    {"image": "<path>", "prompt": "...", "checklist": [items] or null,
     "labels": {"c1": true, ...}, "approved": true|false,
     "judge_model_id": "...", "image_model_id": "..."}

Relative image paths are read from the file's folder. ``write_set`` writes the built-in set
in the same format, so people can look at it and edit it. Everything read is checked before
any model is called: a problem raises ValidationError naming ``set[4].labels`` (line 4 of
the file), the value and what is allowed.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from imgloop_desktop.core import jsonsafe
from imgloop_desktop.core.checklist import Checklist, ChecklistItem
from imgloop_desktop.core.errors import ImgloopError, Problem, ValidationError
from imgloop_desktop.core.image_check import BadImageError, check_image
from imgloop_desktop.core.param_values import short, text_problem

SIDE = 384  # small enough to be cheap to judge, large enough for every shape to be clear
SHAPE_SIZE = 64  # side of a square, diameter of a circle, base and height of a triangle
TEXT_SIZE = 56
BACKGROUND = (255, 255, 255)
TEXT_COLOUR = (0, 0, 0)
COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "green": (40, 160, 60),
    "blue": (40, 80, 220),
    "yellow": (240, 200, 20),
}
SHAPES = ("circle", "square", "triangle")
BUILTIN_IMAGE_MODEL = "imgloop.builtin-eval-set"  # what "made" the built-in images

# A person's set: a history export of a few thousand images at most.
MAX_SET_BYTES = 16 * 1024 * 1024
MAX_SET_IMAGES = 2_000
MAX_IMAGE_BYTES = 32 * 1024 * 1024
MAX_PROMPT_CHARS = 10_000  # the longest prompt any catalog image model takes
MAX_MODEL_ID_CHARS = 2_048
SET_FILE = "set.jsonl"
_ROW_KEYS = (
    "image",
    "prompt",
    "checklist",
    "labels",
    "approved",
    "judge_model_id",
    "image_model_id",
)


# The scenes ----------------------------------------------------------------------------------

ShapeKind = Literal["circle", "square", "triangle"]
Relation = Literal["left of", "right of", "above", "below"]


@dataclass(frozen=True)
class Shape:
    """One flat shape, centred at (x, y)."""

    kind: ShapeKind
    colour: str
    x: int
    y: int


@dataclass(frozen=True)
class TextMark:
    """Black text, centred at (x, y), at ``TEXT_SIZE``."""

    text: str
    x: int
    y: int


@dataclass(frozen=True)
class Thing:
    """What a claim sees: a shape (or text, kind "text", colour "black") and its centre."""

    kind: str
    colour: str
    x: float
    y: float
    text: str = ""


@dataclass(frozen=True)
class Scene:
    shapes: tuple[Shape, ...] = ()
    texts: tuple[TextMark, ...] = ()

    def things(self) -> tuple[Thing, ...]:
        """The scene as claims see it (the tests build the same from pixels)."""
        return tuple(Thing(s.kind, s.colour, s.x, s.y) for s in self.shapes) + tuple(
            Thing("text", "black", t.x, t.y, t.text) for t in self.texts
        )


def font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled font at ``TEXT_SIZE``: the same on every machine with this Pillow."""
    return ImageFont.load_default(size=TEXT_SIZE)


def render_text(text: str) -> Image.Image:
    """``text`` alone, black on white, cropped to its ink: what a text mark's pixels are."""
    probe = Image.new("RGB", (SIDE * 2, TEXT_SIZE * 3), BACKGROUND)
    draw = ImageDraw.Draw(probe)
    draw.fontmode = "1"  # no anti-aliasing: ink is exactly TEXT_COLOUR
    draw.text((TEXT_SIZE // 2, TEXT_SIZE // 2), text, fill=TEXT_COLOUR, font=font())
    box = probe.convert("L").point(lambda v: 255 if v < 128 else 0).getbbox()
    return probe.crop(box) if box else probe.crop((0, 0, 1, 1))


def draw_scene(scene: Scene) -> bytes:
    """The scene as PNG bytes; the same bytes every time."""
    image = Image.new("RGB", (SIDE, SIDE), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.fontmode = "1"
    half = SHAPE_SIZE // 2
    for s in scene.shapes:
        colour = COLOURS[s.colour]
        box = (s.x - half, s.y - half, s.x + half - 1, s.y + half - 1)
        if s.kind == "square":
            draw.rectangle(box, fill=colour)
        elif s.kind == "circle":
            draw.ellipse(box, fill=colour)
        else:
            points = [(s.x, s.y - half), (s.x + half - 1, s.y + half - 1)]
            points.append((s.x - half, s.y + half - 1))
            draw.polygon(points, fill=colour)
    for t in scene.texts:
        ink = render_text(t.text)
        image.paste(ink, (t.x - ink.width // 2, t.y - ink.height // 2))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# Claims: a requirement's meaning, checked against what is in the image -----------------------


def _matches(thing: Thing, kind: str | None, colour: str | None) -> bool:
    return (kind is None or thing.kind == kind) and (colour is None or thing.colour == colour)


def _shapes(things: Sequence[Thing]) -> list[Thing]:
    return [t for t in things if t.kind != "text"]


@dataclass(frozen=True)
class Present:
    """Kind "subject": at least one such shape."""

    kind: str | None
    colour: str | None = None

    def holds(self, things: Sequence[Thing]) -> bool:
        return any(_matches(t, self.kind, self.colour) for t in things)


@dataclass(frozen=True)
class Count:
    """Kind "count": exactly ``n`` such shapes (any shape when ``kind`` is None)."""

    kind: str | None
    colour: str | None
    n: int

    def holds(self, things: Sequence[Thing]) -> bool:
        return sum(_matches(t, self.kind, self.colour) for t in _shapes(things)) == self.n


@dataclass(frozen=True)
class AllColour:
    """Kind "attribute": there is such a shape, and every one of them has ``colour``."""

    kind: str
    colour: str

    def holds(self, things: Sequence[Thing]) -> bool:
        found = [t for t in things if t.kind == self.kind]
        return bool(found) and all(t.colour == self.colour for t in found)


@dataclass(frozen=True)
class Placed:
    """Kind "relation": both exist, and every ``a`` is ``relation`` every ``b`` (centres)."""

    a: tuple[str | None, str | None]
    relation: Relation
    b: tuple[str | None, str | None]

    def holds(self, things: Sequence[Thing]) -> bool:
        first = [t for t in things if _matches(t, *self.a)]
        second = [t for t in things if _matches(t, *self.b)]
        tests: dict[str, Callable[[Thing, Thing], bool]] = {
            "left of": lambda p, q: p.x < q.x,
            "right of": lambda p, q: p.x > q.x,
            "above": lambda p, q: p.y < q.y,
            "below": lambda p, q: p.y > q.y,
        }
        test = tests[self.relation]
        return bool(first and second) and all(test(p, q) for p in first for q in second)


@dataclass(frozen=True)
class Reads:
    """Kind "text": some text in the image reads exactly ``text``."""

    text: str

    def holds(self, things: Sequence[Thing]) -> bool:
        return any(t.kind == "text" and t.text == self.text for t in things)


Claim = Present | Count | AllColour | Placed | Reads


# A labelled image ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EvalCase:
    """One labelled image: the request it answers, its requirements and their truth.

    ``labels`` may leave items out (a person labelled only some); ``approved`` is the truth
    of approval: in the built-in set, every must labelled true; in a person's set, their
    decision, which may disagree with their ticks (``labels_disagree``: every must is
    labelled and the ticks say otherwise; such images are counted, not refused). With no
    checklist the image is judged against the whole prompt and counts for approval only.
    """

    name: str
    prompt: str
    checklist: Checklist | None
    labels: Mapping[str, bool]
    approved: bool
    png: bytes | None = None  # the built-in set's images are kept in memory
    path: Path | None = None  # a person's set is read from disk when judged
    judge_model_id: str = ""
    image_model_id: str = ""
    scene: Scene | None = None
    claims: Mapping[str, Claim] = field(default_factory=dict)

    @property
    def labels_disagree(self) -> bool:
        """Every must is labelled, and "approved" is not what those labels make it."""
        if self.checklist is None:
            return False
        musts = [item.id for item in self.checklist.musts]
        if not all(m in self.labels for m in musts):
            return False
        return self.approved != all(self.labels[m] for m in musts)

    def image_bytes(self) -> bytes:
        if self.png is not None:
            return self.png
        assert self.path is not None  # one of the two is always set
        return self.path.read_bytes()

    def to_row(self, image: str) -> dict[str, object]:
        """The case as one line of the JSONL format, its image at ``image``."""
        return {
            "image": image,
            "prompt": self.prompt,
            "checklist": self.checklist.to_json() if self.checklist is not None else None,
            "labels": dict(self.labels),
            "approved": self.approved,
            "judge_model_id": self.judge_model_id,
            "image_model_id": self.image_model_id,
        }


@dataclass(frozen=True)
class _Req:
    text: str
    kind: str
    claim: Claim
    must: bool = True
    depends_on: tuple[str, ...] = ()


def _case(name: str, prompt: str, scene: Scene, *reqs: _Req) -> EvalCase:
    """A built-in case: ids c1, c2, ... in order; labels from each claim against the scene."""
    items = tuple(
        ChecklistItem(f"c{n}", r.text, r.must, r.kind, r.depends_on)
        for n, r in enumerate(reqs, start=1)
    )
    checklist = Checklist(items)
    things = scene.things()
    claims = {item.id: r.claim for item, r in zip(items, reqs, strict=True)}
    labels = {item_id: claim.holds(things) for item_id, claim in claims.items()}
    approved = all(labels[item.id] for item in checklist.musts)
    return EvalCase(
        name=name,
        prompt=prompt,
        checklist=checklist,
        labels=labels,
        approved=approved,
        png=draw_scene(scene),
        image_model_id=BUILTIN_IMAGE_MODEL,
        scene=scene,
        claims=claims,
    )


def _row(kind: ShapeKind, colour: str, xs: Sequence[int], y: int) -> tuple[Shape, ...]:
    return tuple(Shape(kind, colour, x, y) for x in xs)


_MID = SIDE // 2
_THREE = (96, 192, 288)


def builtin_cases() -> list[EvalCase]:
    """Sixteen images, each of a request drawn right or wrong on purpose (half approved):
    counts, colours, left/right, above/below, rendered text and missing subjects."""
    red_circle, blue_square, yellow_circle = (
        ("circle", "red"),
        ("square", "blue"),
        ("circle", "yellow"),
    )
    green_triangle, red_square = ("triangle", "green"), ("square", "red")
    three_red = "three red circles on a white background"
    left = "a blue square to the left of a yellow circle"
    above = "a green triangle above a red square"
    sign = 'a sign that reads "OPEN"'
    squares = "four blue squares and one yellow circle, ideally all in one row"
    green_square = "a green square next to a red circle"
    stop = 'the word "STOP" above a red triangle'
    right = "two yellow triangles to the right of a green circle"
    red_circles = (
        _Req("red circles", "subject", Present(*red_circle)),
        _Req("exactly three red circles", "count", Count(*red_circle, 3), depends_on=("c1",)),
        _Req("every circle is red", "attribute", AllColour("circle", "red"), must=False),
    )
    left_reqs = (
        _Req("a blue square", "subject", Present(*blue_square)),
        _Req("a yellow circle", "subject", Present(*yellow_circle)),
        _Req(
            "the blue square is left of the yellow circle",
            "relation",
            Placed(blue_square, "left of", yellow_circle),
            depends_on=("c1", "c2"),
        ),
    )
    above_reqs = (
        _Req("a green triangle", "subject", Present(*green_triangle)),
        _Req("a red square", "subject", Present(*red_square)),
        _Req(
            "the green triangle is above the red square",
            "relation",
            Placed(green_triangle, "above", red_square),
            depends_on=("c1", "c2"),
        ),
        _Req("exactly one red square", "count", Count(*red_square, 1), must=False),
    )
    squares_reqs = (
        _Req("blue squares", "subject", Present(*blue_square)),
        _Req("exactly four blue squares", "count", Count(*blue_square, 4), depends_on=("c1",)),
        _Req("exactly one yellow circle", "count", Count(*yellow_circle, 1)),
        _Req(
            "the yellow circle is right of the blue squares",
            "relation",
            Placed(yellow_circle, "right of", blue_square),
            must=False,
        ),
    )
    green_reqs = (
        _Req("a square", "subject", Present("square")),
        _Req("the square is green", "attribute", AllColour("square", "green"), depends_on=("c1",)),
        _Req("a red circle", "subject", Present(*red_circle)),
    )
    stop_reqs = (
        _Req('the text reads "STOP"', "text", Reads("STOP")),
        _Req("a red triangle", "subject", Present("triangle", "red")),
        _Req(
            "the text is above the red triangle",
            "relation",
            Placed(("text", None), "above", ("triangle", "red")),
            depends_on=("c1", "c2"),
        ),
    )
    right_reqs = (
        _Req("a green circle", "subject", Present("circle", "green")),
        _Req("exactly two yellow triangles", "count", Count("triangle", "yellow", 2)),
        _Req(
            "the yellow triangles are right of the green circle",
            "relation",
            Placed(("triangle", "yellow"), "right of", ("circle", "green")),
            depends_on=("c1", "c2"),
        ),
    )
    four = (60, 148, 236, 324)
    return [
        _case(
            "three-red-circles", three_red, Scene(_row("circle", "red", _THREE, _MID)), *red_circles
        ),
        _case(
            "two-red-circles",
            three_red,
            Scene(_row("circle", "red", (128, 256), _MID)),
            *red_circles,
        ),
        _case(
            "square-left-of-circle",
            left,
            Scene((Shape("square", "blue", 110, _MID), Shape("circle", "yellow", 274, _MID))),
            *left_reqs,
        ),
        _case(
            "square-right-of-circle",
            left,
            Scene((Shape("square", "blue", 274, _MID), Shape("circle", "yellow", 110, _MID))),
            *left_reqs,
        ),
        _case(
            "triangle-above-square",
            above,
            Scene((Shape("triangle", "green", _MID, 100), Shape("square", "red", _MID, 280))),
            *above_reqs,
        ),
        _case(
            "triangle-below-square",
            above,
            Scene((Shape("triangle", "green", _MID, 280), Shape("square", "red", _MID, 100))),
            *above_reqs,
        ),
        _case(
            "sign-open",
            sign,
            Scene(texts=(TextMark("OPEN", _MID, _MID),)),
            _Req('the text reads "OPEN"', "text", Reads("OPEN")),
        ),
        _case(
            "sign-misspelt",
            sign,
            Scene(texts=(TextMark("OPFN", _MID, _MID),)),
            _Req('the text reads "OPEN"', "text", Reads("OPEN")),
        ),
        _case(
            "four-squares-one-circle",
            squares,
            Scene((*_row("square", "blue", four, 120), Shape("circle", "yellow", _MID, 280))),
            *squares_reqs,
        ),
        _case(
            "five-squares-one-circle",
            squares,
            Scene(
                (
                    *_row("square", "blue", (40, 116, 192, 268, 344), 120),
                    Shape("circle", "yellow", _MID, 280),
                )
            ),
            *squares_reqs,
        ),
        _case(
            "green-square",
            green_square,
            Scene((Shape("square", "green", 110, _MID), Shape("circle", "red", 274, _MID))),
            *green_reqs,
        ),
        _case(
            "blue-square-not-green",
            green_square,
            Scene((Shape("square", "blue", 110, _MID), Shape("circle", "red", 274, _MID))),
            *green_reqs,
        ),
        _case(
            "circle-wrong-colour",
            "a red square and a blue circle",
            Scene((Shape("square", "red", 110, _MID), Shape("circle", "green", 274, _MID))),
            _Req("a red square", "subject", Present(*red_square)),
            _Req("a blue circle", "subject", Present("circle", "blue")),
            _Req("exactly two shapes", "count", Count(None, None, 2), must=False),
        ),
        _case(
            "stop-above-triangle",
            stop,
            Scene((Shape("triangle", "red", _MID, 280),), (TextMark("STOP", _MID, 100),)),
            *stop_reqs,
        ),
        _case(
            "stop-below-triangle",
            stop,
            Scene((Shape("triangle", "red", _MID, 100),), (TextMark("STOP", _MID, 280),)),
            *stop_reqs,
        ),
        _case(
            "triangles-right-of-circle",
            right,
            Scene(
                (Shape("circle", "green", 80, _MID), *_row("triangle", "yellow", (220, 320), _MID))
            ),
            *right_reqs,
        ),
    ]


# Writing and reading the JSONL format ------------------------------------------------------


def write_set(folder: Path, cases: Sequence[EvalCase] | None = None) -> Path:
    """Write ``cases`` (the built-in set by default) as ``<name>.png`` files and
    ``set.jsonl`` in ``folder``, image paths relative to it; returns the JSONL's path."""
    cases = builtin_cases() if cases is None else cases
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for case in cases:
        name = f"{case.name}.png"
        (folder / name).write_bytes(case.image_bytes())
        lines.append(json.dumps(case.to_row(name), ensure_ascii=False))
    target = folder / SET_FILE
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


_IMAGE_ALLOWED = "the path of a PNG file (relative to the set's folder, or absolute)"


def read_set(path: Path) -> list[EvalCase]:
    """A person's labelled set from JSONL (see the module docstring). Blank lines are
    skipped. Raises ValidationError with every problem found, fields named ``set[N].key``
    for line N, before any image is judged."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_SET_BYTES + 1)
    except OSError as exc:
        raise ValidationError(
            [Problem("set", str(path), f"a readable JSONL file ({exc.strerror or exc})")]
        ) from exc
    if len(data) > MAX_SET_BYTES:
        raise ValidationError(
            [Problem("set", str(path), f"a JSONL file of at most {MAX_SET_BYTES:,} bytes")]
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError([Problem("set", str(path), "UTF-8 text")]) from exc
    problems: list[Problem] = []
    cases: list[EvalCase] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(cases) >= MAX_SET_IMAGES:
            problems.append(Problem("set", str(path), f"at most {MAX_SET_IMAGES:,} images"))
            break
        case = _read_row(line, f"set[{number}]", path.parent, problems)
        if case is not None:
            cases.append(case)
    if not cases and not problems:
        problems.append(Problem("set", str(path), "a JSONL file with at least one image"))
    if problems:
        raise ValidationError(problems)
    return cases


def _read_row(line: str, where: str, folder: Path, problems: list[Problem]) -> EvalCase | None:
    """One line as a case, or None with its problems added."""
    try:
        row = jsonsafe.loads(line, what=f"line {where[4:-1]}", max_bytes=MAX_SET_BYTES)
    except jsonsafe.JsonLimitError as exc:
        problems.append(Problem(where, short(line), f"one JSON object per line; {exc}"))
        return None
    if not isinstance(row, dict):
        problems.append(Problem(where, short(row), "a JSON object with " + ", ".join(_ROW_KEYS)))
        return None
    before = len(problems)
    for key in sorted(set(_ROW_KEYS) - set(row)):
        problems.append(Problem(f"{where}.{key}", "<missing>", f"a {key} (every line has one)"))
    for key in sorted(set(row) - set(_ROW_KEYS)):
        problems.append(Problem(f"{where}.{key}", short(row[key]), "only " + ", ".join(_ROW_KEYS)))
    if len(problems) > before:
        return None
    image_path = _image(row["image"], f"{where}.image", folder, problems)
    prompt = row["prompt"]
    if not isinstance(prompt, str) or not prompt.strip() or len(prompt) > MAX_PROMPT_CHARS:
        allowed = f"the image's request, 1-{MAX_PROMPT_CHARS:,} characters, not only spaces"
        problems.append(Problem(f"{where}.prompt", short(prompt), allowed))
    elif (why := text_problem(prompt)) is not None:
        problems.append(Problem(f"{where}.prompt", short(prompt), why))
    checklist: Checklist | None = None
    labels: dict[str, bool] | None = None
    try:
        if row["checklist"] is not None:
            checklist = Checklist.from_json(row["checklist"], name=f"{where}.checklist")
    except ValidationError as exc:  # labels name its items: not checked against none
        problems.extend(exc.problems)
    else:
        labels = _labels(row["labels"], checklist, f"{where}.labels", problems)
    approved = row["approved"]
    if not isinstance(approved, bool):
        problems.append(Problem(f"{where}.approved", short(approved), "true or false"))
    ids: dict[str, str] = {}
    for key in ("judge_model_id", "image_model_id"):
        value = row[key]
        if not isinstance(value, str) or len(value) > MAX_MODEL_ID_CHARS or text_problem(value):
            problems.append(
                Problem(f"{where}.{key}", short(value), "a model id (text, may be empty)")
            )
        else:
            ids[key] = value
    if len(problems) > before or image_path is None or labels is None:
        return None
    assert isinstance(approved, bool) and isinstance(prompt, str)
    return EvalCase(
        name=str(row["image"]),
        prompt=prompt,
        checklist=checklist,
        labels=labels,
        approved=approved,
        path=image_path,
        judge_model_id=ids["judge_model_id"],
        image_model_id=ids["image_model_id"],
    )


def _image(value: object, where: str, folder: Path, problems: list[Problem]) -> Path | None:
    """The image's path once it is checked to be a whole PNG of a size the judge takes."""
    if not isinstance(value, str) or not value.strip() or text_problem(value):
        problems.append(Problem(where, short(value), _IMAGE_ALLOWED))
        return None
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = folder / path
    try:
        if path.stat().st_size > MAX_IMAGE_BYTES:
            problems.append(Problem(where, value, f"a PNG of at most {MAX_IMAGE_BYTES:,} bytes"))
            return None
        check_image(path.read_bytes())
    except OSError as exc:
        problems.append(Problem(where, value, f"{_IMAGE_ALLOWED}; {exc.strerror or exc}"))
        return None
    except BadImageError as exc:
        problems.append(Problem(where, value, f"a whole PNG image; {exc}"))
        return None
    except ImgloopError as exc:
        problems.append(Problem(where, value, f"a whole PNG image; {exc}"))
        return None
    return path


def _labels(
    value: object, checklist: Checklist | None, where: str, problems: list[Problem]
) -> dict[str, bool] | None:
    """``{"c1": true, ...}`` for ids of the checklist; ``{}`` with no checklist."""
    if not isinstance(value, dict):
        problems.append(Problem(where, short(value), "an object of item id: true or false"))
        return None
    known = set(checklist.ids) if checklist is not None else set()
    out: dict[str, bool] = {}
    bad = False
    for key, label in value.items():
        if key not in known:
            allowed = (
                "ids of the line's checklist items (" + ", ".join(sorted(known)) + ")"
                if known
                else "no labels: the line has no checklist (null), so only approved is used"
            )
            problems.append(Problem(f"{where}.{key}", short(key), allowed))
            bad = True
        elif not isinstance(label, bool):
            problems.append(Problem(f"{where}.{key}", short(label), "true or false"))
            bad = True
        else:
            out[key] = label
    return None if bad else out

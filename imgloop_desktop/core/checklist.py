"""The approval contract (issue 12): a checklist of atomic requirements, the judge's verdict
on each, and the rule that turns those verdicts into approved, review or rejected.

A ``Checklist`` is valid whenever it exists: building one with a duplicate id, a missing or
circular dependency, unusable text or no "must" at all raises ``ValidationError`` naming
``checklist[2].text`` and what is allowed, the way an event's fields are named. A person's
checklist (an event's ``checklist``, a saved run, the window's editor) is read with
``Checklist.from_json``; a model's answer is read, tolerantly, in ``core.checklist_prompts``.

Verdicts are settled against the checklist's dependencies: an item whose parent failed is
``skipped`` (not judged), whatever the model said of it. ``decide`` never approves or
rejects what the judge was unsure of: an unsure or unjudged must sends the image to review.

Pure data and rules: no model calls here, no Qt, no boto3.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, get_args

from imgloop_desktop.core import jsonsafe, jsonshape
from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP, Phrase
from imgloop_desktop.core.param_values import ONE_OF, Words, problem, says, short, text_words
from imgloop_desktop.core.text_limits import bounded, encodable

Kind = Literal["subject", "count", "attribute", "relation", "text", "style", "composition", "other"]
KINDS: tuple[str, ...] = get_args(Kind)

ItemResult = Literal["yes", "no", "unsure", "skipped", "error"]
RESULTS: tuple[str, ...] = get_args(ItemResult)
# Results that mean "this requirement is not met": a skipped item's parent failed, so it
# cannot hold either (no dog, so no brown dog).
_FAILED = ("no", "skipped")

# One prompt rarely holds more than a dozen requirements; 30 keeps a judge call's answer
# (one line of evidence each) well inside its token budget.
MAX_ITEMS = 30
MAX_TEXT_CHARS = 300
MAX_ID_CHARS = 40
# Evidence is one short sentence shown beside the item; longer is a model ignoring us.
MAX_EVIDENCE_CHARS = 500
# A checklist as JSON (a saved run, a file) is read up to this size.
MAX_CHECKLIST_BYTES = 256 * 1024

_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
ID_ALLOWED = says(
    QT_TRANSLATE_NOOP(
        "Validation",
        "1-{most} letters, digits, '_', '.' or '-', starting with a letter or digit",
    ),
    most=MAX_ID_CHARS,
)
TEXT_ALLOWED = says(
    QT_TRANSLATE_NOOP(
        "Validation",
        "text of 1-{most} characters, not only spaces, without NUL characters or "
        "lone UTF-16 surrogates",
    ),
    most=MAX_TEXT_CHARS,
)
ITEMS = QT_TRANSLATE_NOOP("Validation", "a list of 1-{most} items")
WORDS = "Checklist"
"""The translation context of what a checklist verdict says (``reason_words``)."""
_LINE_BREAKS = re.compile(r"\s*[\r\n\t\v\f\x85\u2028\u2029]+\s*")


def clean_text(text: str) -> str:
    """An item's text on one line: line breaks and tabs become one space, ends stripped."""
    return _LINE_BREAKS.sub(" ", text).strip()


def id_problem(value: str) -> Phrase | None:
    """Why ``value`` cannot be an item's id, or None."""
    if len(value) > MAX_ID_CHARS or not _ID_RE.fullmatch(value):
        return ID_ALLOWED
    return None


def _text_rule(value: str) -> Phrase | None:
    if (why := text_words(value)) is not None:
        return why
    if not value.strip():
        return TEXT_ALLOWED
    return None


@dataclass(frozen=True)
class ChecklistItem:
    """One atomic requirement. ``must`` items decide approval; the others ("should") rank
    candidates. ``depends_on`` names the items this one only makes sense after."""

    id: str
    text: str
    must: bool
    kind: str = "other"
    depends_on: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.depends_on, list):  # a string stays one, for validation to name
            object.__setattr__(self, "depends_on", tuple(self.depends_on))

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "text": self.text,
            "must": self.must,
            "kind": self.kind,
            "depends_on": list(self.depends_on),
        }


def checklist_problems(items: Sequence[object], name: str = "checklist") -> list[Problem]:
    """Every problem of ``items`` as a checklist, fields named ``name[i].text`` and so on.

    ``items`` may be built in code (the window's editor), so any value answers as a
    Problem, never a traceback.
    """
    problems: list[Problem] = []
    if not isinstance(items, Sequence) or isinstance(items, str):
        return [Problem.of(name, short(items), ITEMS, most=MAX_ITEMS)]
    if not 1 <= len(items) <= MAX_ITEMS:
        return [Problem.of(name, short(list(items)), ITEMS, most=MAX_ITEMS)]
    good: list[ChecklistItem] = []
    for i, item in enumerate(items):
        where = f"{name}[{i}]"
        if not isinstance(item, ChecklistItem):
            problems.append(
                Problem.of(where, short(item), QT_TRANSLATE_NOOP("Validation", "a checklist item"))
            )
            continue
        before = len(problems)
        if not isinstance(item.id, str) or id_problem(item.id):
            problems.append(problem(f"{where}.id", short(item.id), ID_ALLOWED))
        if not isinstance(item.text, str) or _text_rule(item.text):
            why = _text_rule(item.text) if isinstance(item.text, str) else None
            problems.append(problem(f"{where}.text", short(item.text), why or TEXT_ALLOWED))
        elif len(item.text) > MAX_TEXT_CHARS:
            problems.append(problem(f"{where}.text", short(item.text), TEXT_ALLOWED))
        if not isinstance(item.must, bool):
            problems.append(problem(f"{where}.must", short(item.must), jsonshape.TRUE_OR_FALSE))
        if item.kind not in KINDS:
            problems.append(
                Problem.of(f"{where}.kind", short(item.kind), ONE_OF, choices=", ".join(KINDS))
            )
        deps = item.depends_on
        if not isinstance(deps, tuple) or not all(isinstance(d, str) for d in deps):
            problems.append(
                Problem.of(
                    f"{where}.depends_on",
                    short(deps),
                    QT_TRANSLATE_NOOP("Validation", "a list of item ids"),
                )
            )
        if len(problems) == before:
            good.append(item)
    if problems:
        return problems
    problems.extend(_relation_problems(good, name))
    if not any(item.must for item in good):
        problems.append(
            Problem.of(
                name,
                short(list(items)),
                QT_TRANSLATE_NOOP(
                    "Validation",
                    "at least one item with must true (with none, every image would be approved)",
                ),
            )
        )
    return problems


def _relation_problems(items: Sequence[ChecklistItem], name: str) -> list[Problem]:
    """Duplicate ids, dependencies on unknown items or on the item itself, and cycles."""
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.id in first:
            problems.append(
                Problem.of(
                    f"{name}[{i}].id",
                    short(item.id),
                    QT_TRANSLATE_NOOP("Validation", "an id no other item has ({other} has it too)"),
                    other=f"{name}[{first[item.id]}]",
                )
            )
        else:
            first[item.id] = i
    for i, item in enumerate(items):
        for dep in item.depends_on:
            if dep == item.id:
                problems.append(
                    Problem.of(
                        f"{name}[{i}].depends_on",
                        short(dep),
                        QT_TRANSLATE_NOOP("Validation", "ids of other items"),
                    )
                )
            elif dep not in first:
                problems.append(
                    Problem.of(
                        f"{name}[{i}].depends_on",
                        short(dep),
                        QT_TRANSLATE_NOOP("Validation", "ids of items in this checklist ({ids})"),
                        ids=_id_list(first),
                    )
                )
    if problems:
        return problems
    cycle = _find_cycle(items)
    if cycle:
        i = first[cycle[0]]
        problems.append(
            Problem.of(
                f"{name}[{i}].depends_on",
                short(", ".join(items[i].depends_on)),
                QT_TRANSLATE_NOOP(
                    "Validation", "dependencies that never lead back to the item itself ({cycle})"
                ),
                cycle=" -> ".join(cycle),
            )
        )
    return problems


def _id_list(ids: Iterable[str]) -> str:
    listed = list(ids)
    text = ", ".join(listed[:8])
    return text + (", ..." if len(listed) > 8 else "")


def _find_cycle(items: Sequence[ChecklistItem]) -> list[str]:
    """One dependency cycle as ids (first repeated last), or [] when there is none.

    Iterative depth-first search: nothing here recurses on data."""
    deps = {item.id: item.depends_on for item in items}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in deps:
        if state.get(root):
            continue
        path: list[str] = [root]
        stack: list[Iterator[str]] = [iter(deps[root])]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(deps.get(nxt, ())))
    return []


def dependency_order(items: Sequence[ChecklistItem]) -> list[ChecklistItem]:
    """``items`` with every item after the items it depends on, otherwise in their order.

    A dependency closing a cycle (never in a ``Checklist``) is ignored."""
    by_id = {item.id: item for item in items}
    placed: set[str] = set()
    visiting: set[str] = set()
    out: list[ChecklistItem] = []

    def place(item: ChecklistItem) -> None:
        # Iterative: a 30-long chain is shallow, but nothing here should recurse on data.
        stack = [(item, iter(item.depends_on))]
        visiting.add(item.id)
        while stack:
            top, deps = stack[-1]
            dep = next(deps, None)
            if dep is None:
                stack.pop()
                visiting.discard(top.id)
                if top.id not in placed:
                    placed.add(top.id)
                    out.append(top)
            elif dep in by_id and dep not in placed and dep not in visiting:
                visiting.add(dep)
                stack.append((by_id[dep], iter(by_id[dep].depends_on)))

    for item in items:
        place(item)
    return out


_MUST_WORDS: Words = says(
    QT_TRANSLATE_NOOP("Validation", "true (the image must show it) or false (should)")
)
_ITEM_SHAPE = jsonshape.Obj(
    {
        "text": jsonshape.Str(
            non_empty=True, max_len=MAX_TEXT_CHARS, rule=_text_rule, allowed=TEXT_ALLOWED
        ),
        "must": jsonshape.Bool(allowed=_MUST_WORDS),
        "id": jsonshape.Opt(jsonshape.Str(rule=id_problem, allowed=ID_ALLOWED)),
        "kind": jsonshape.Opt(jsonshape.Str(choices=KINDS)),
        "depends_on": jsonshape.Opt(
            jsonshape.Arr(
                jsonshape.Str(allowed=says(QT_TRANSLATE_NOOP("Validation", "an item's id"))),
                max_items=MAX_ITEMS,
                allowed=says(QT_TRANSLATE_NOOP("Validation", "a list of other items' ids")),
            )
        ),
    },
    extra=False,
    value_order=True,
)
_CHECKLIST_SHAPE = jsonshape.Arr(
    _ITEM_SHAPE,
    min_items=1,
    max_items=MAX_ITEMS,
    allowed=says(
        QT_TRANSLATE_NOOP(
            "Validation", "a list of 1-{most} items, each {item} (optionally id, kind, depends_on)"
        ),
        most=MAX_ITEMS,
        item="{text, must}",
    ),
)


@dataclass(frozen=True)
class Checklist:
    """The requirements an image is judged against; valid whenever it exists."""

    items: tuple[ChecklistItem, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.items, tuple):
            object.__setattr__(self, "items", tuple(self.items))
        problems = checklist_problems(self.items)
        if problems:
            raise ValidationError(problems)

    # Reading and writing ------------------------------------------------------------

    def to_json(self) -> list[dict[str, object]]:
        """A JSON-ready list, the same shape ``from_json`` and an event's checklist take."""
        return [item.to_json() for item in self.items]

    @classmethod
    def from_json(cls, value: object, *, name: str = "checklist") -> Checklist:
        """A person's checklist (an event's ``checklist``, a saved run): a list of
        ``{text, must}``, optionally with ``id``, ``kind`` and ``depends_on``.

        An item without an id is ``c`` and its position from 1 (``c3``), so others can
        depend on it by that name; without a kind it is ``other``. Line breaks in a text
        become spaces. Raises ValidationError naming ``checklist[2].text`` and the like.
        """
        problems = jsonshape.check(_CHECKLIST_SHAPE, value, jsonshape.Plain(name))
        if problems:
            raise ValidationError(problems)
        assert isinstance(value, list)  # the shape says so
        items = tuple(
            ChecklistItem(
                id=raw.get("id", f"c{i + 1}"),
                text=clean_text(raw["text"]),
                must=raw["must"],
                kind=raw.get("kind", "other"),
                depends_on=tuple(dict.fromkeys(raw.get("depends_on", ()))),
            )
            for i, raw in enumerate(value)
        )
        problems = checklist_problems(items, name)
        if problems:
            raise ValidationError(problems)
        return cls(items)

    @classmethod
    def loads(cls, data: str | bytes, *, name: str = "checklist") -> Checklist:
        """A checklist from JSON text under the size and depth limits (a file, stdin)."""
        try:
            value = jsonsafe.loads(data, what="this one", max_bytes=MAX_CHECKLIST_BYTES)
        except jsonsafe.JsonLimitError as exc:
            raise ValidationError(
                [
                    Problem.of(
                        name,
                        f"<{type(data).__name__}>",
                        QT_TRANSLATE_NOOP("Validation", "a JSON list of items; {reason}"),
                        reason=str(exc),
                    )
                ]
            ) from exc
        return cls.from_json(value, name=name)

    # Looking up and editing (each edit returns a new, validated checklist) -------------

    def get(self, item_id: str) -> ChecklistItem | None:
        return next((item for item in self.items if item.id == item_id), None)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    @property
    def musts(self) -> tuple[ChecklistItem, ...]:
        return tuple(item for item in self.items if item.must)

    @property
    def shoulds(self) -> tuple[ChecklistItem, ...]:
        return tuple(item for item in self.items if not item.must)

    def replaced(self, item: ChecklistItem) -> Checklist:
        """This checklist with the item of ``item.id`` replaced (edited text, must flipped)."""
        if self.get(item.id) is None:
            raise KeyError(item.id)
        return Checklist(tuple(item if old.id == item.id else old for old in self.items))

    def added(self, text: str, *, must: bool, kind: str = "other") -> Checklist:
        """This checklist with a new item at the end, under a fresh id."""
        taken = set(self.ids)
        n = len(self.items) + 1
        while f"c{n}" in taken:
            n += 1
        return Checklist((*self.items, ChecklistItem(f"c{n}", clean_text(text), must, kind)))

    def without(self, item_id: str) -> Checklist:
        """This checklist without ``item_id``; items that depended on it no longer do."""
        if self.get(item_id) is None:
            raise KeyError(item_id)
        return Checklist(
            tuple(
                ChecklistItem(
                    item.id,
                    item.text,
                    item.must,
                    item.kind,
                    tuple(d for d in item.depends_on if d != item_id),
                )
                for item in self.items
                if item.id != item_id
            )
        )


def cache_key(prompt: str, judge_model_id: str, *, version: str = "1") -> str:
    """Where a written checklist is cached: per (prompt, judge model) and the wording of
    the request that wrote it (``version``), so a re-run does not pay for it again."""
    data = "\x00".join((version, judge_model_id, prompt))
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()


# Verdicts --------------------------------------------------------------------------------

_CUT_NOTE_ROOM = 60  # bounded()'s "[... cut: the answer had N characters]"


@dataclass(frozen=True)
class ItemVerdict:
    """The judge's finding on one item, with its evidence (bounded, always encodable)."""

    item_id: str
    result: ItemResult
    evidence: str = ""

    def __post_init__(self) -> None:
        if self.result not in RESULTS:
            raise ValueError(f"result must be one of {', '.join(RESULTS)}, got {self.result!r}")
        evidence = encodable(str(self.evidence)).replace("\x00", "\ufffd")
        if len(evidence) > MAX_EVIDENCE_CHARS + _CUT_NOTE_ROOM:
            evidence = bounded(evidence, MAX_EVIDENCE_CHARS)
        object.__setattr__(self, "evidence", evidence)

    def to_json(self) -> dict[str, str]:
        return {"id": self.item_id, "result": self.result, "evidence": self.evidence}


def bounded_evidence(text: str) -> str:
    """Evidence as kept: one line's worth, cut with a note past ``MAX_EVIDENCE_CHARS``."""
    return bounded(text.strip(), MAX_EVIDENCE_CHARS)


@dataclass(frozen=True)
class ItemVerdicts:
    """Every item's verdict for one image, in the checklist's order.

    ``missing`` are the items no answer judged yet (not skipped either): the caller asks
    once more for them (``checklist_prompts.judge_checklist_prompt(..., only=missing)``,
    then ``merged``) and records the rest with ``with_errors``.
    """

    verdicts: tuple[ItemVerdict, ...]
    missing: tuple[str, ...] = ()

    def get(self, item_id: str) -> ItemVerdict | None:
        return next((v for v in self.verdicts if v.item_id == item_id), None)

    @property
    def complete(self) -> bool:
        return not self.missing

    def merged(self, checklist: Checklist, later: ItemVerdicts) -> ItemVerdicts:
        """These verdicts with ``later``'s (a second answer) filling the missing items;
        dependencies are settled again over the whole."""
        answered = {v.item_id: v for v in later.verdicts if v.result != "skipped"}
        answered.update({v.item_id: v for v in self.verdicts})
        return settle(checklist, answered)

    def with_errors(self, checklist: Checklist, reason: str) -> ItemVerdicts:
        """Every missing item recorded as an ``error`` with ``reason``."""
        answered = {v.item_id: v for v in self.verdicts}
        for item_id in self.missing:
            answered[item_id] = ItemVerdict(item_id, "error", bounded_evidence(reason))
        return settle(checklist, answered)

    @classmethod
    def all_errors(cls, checklist: Checklist, reason: str) -> ItemVerdicts:
        """Every item an ``error``: no answer could be read at all."""
        return ItemVerdicts(
            tuple(ItemVerdict(i.id, "error", bounded_evidence(reason)) for i in checklist.items)
        )

    def to_json(self) -> dict[str, object]:
        return {"checks": [v.to_json() for v in self.verdicts], "missing": list(self.missing)}

    @classmethod
    def from_json(cls, value: object, checklist: Checklist) -> ItemVerdicts:
        """Verdicts as ``to_json`` wrote them (a saved run), for ``checklist``; anything
        unreadable raises ValidationError naming it."""
        problems = jsonshape.check(_VERDICTS_SHAPE, value, jsonshape.Plain("verdicts"))
        if problems:
            raise ValidationError(problems)
        assert isinstance(value, dict)
        known = set(checklist.ids)
        answered: dict[str, ItemVerdict] = {}
        for i, raw in enumerate(value["checks"]):
            if raw["id"] not in known:
                raise ValidationError(
                    [Problem(f"verdicts.checks[{i}].id", short(raw["id"]), "an item's id")]
                )
            answered[raw["id"]] = ItemVerdict(raw["id"], raw["result"], raw.get("evidence", ""))
        return settle(checklist, answered)


_VERDICTS_SHAPE = jsonshape.Obj(
    {
        "checks": jsonshape.Arr(
            jsonshape.Obj(
                {
                    "id": jsonshape.Str(rule=id_problem, allowed=ID_ALLOWED),
                    "result": jsonshape.Str(choices=RESULTS),
                    "evidence": jsonshape.Opt(jsonshape.Str(rule=text_words)),
                }
            ),
            max_items=MAX_ITEMS,
        ),
        "missing": jsonshape.Opt(jsonshape.Arr(jsonshape.Str(), max_items=MAX_ITEMS)),
    }
)


def settle(checklist: Checklist, answered: Mapping[str, ItemVerdict]) -> ItemVerdicts:
    """The verdicts of ``checklist``'s items from the judge's ``answered`` ones.

    Items are settled parents first: an item whose parent is ``no`` or ``skipped`` is
    ``skipped`` whatever the judge said of it; an item with no answer is ``missing``.
    A parent that is unsure, in error or missing does not skip its children.
    """
    settled: dict[str, ItemVerdict] = {}
    missing: set[str] = set()
    for item in dependency_order(checklist.items):
        failed = [d for d in item.depends_on if d in settled and settled[d].result in _FAILED]
        if failed:
            settled[item.id] = ItemVerdict(
                item.id, "skipped", f"not judged: it depends on {', '.join(failed)}, which failed"
            )
        elif item.id in answered:
            given = answered[item.id]
            settled[item.id] = (
                given
                if given.item_id == item.id
                else ItemVerdict(item.id, given.result, given.evidence)
            )
        else:
            missing.add(item.id)
    return ItemVerdicts(
        tuple(settled[i.id] for i in checklist.items if i.id in settled),
        tuple(i.id for i in checklist.items if i.id in missing),
    )


# The approval rule -------------------------------------------------------------------------


class Approval(StrEnum):
    APPROVED = "approved"
    REVIEW = "review"
    REJECTED = "rejected"


_MARKS = {Approval.APPROVED: "\u2713", Approval.REVIEW: "?", Approval.REJECTED: "\u2717"}


@dataclass(frozen=True)
class Decision:
    """What an image's verdicts mean under the approval rule, with the counts a badge, the
    best-candidate ranking and "what it still misses" need. Ids are in checklist order."""

    result: Approval
    musts_passed: int
    musts_total: int
    shoulds_passed: int
    shoulds_total: int
    musts_failed: int = 0
    shoulds_failed: int = 0
    failed: tuple[str, ...] = ()
    """Items not met (``no``, or ``skipped`` because a parent failed), musts and shoulds."""
    uncertain: tuple[str, ...] = ()
    """Items the judge could not settle (``unsure``, ``error``, never answered)."""
    unmet_musts: tuple[str, ...] = field(default=())
    """Musts that are not ``yes``: what the image still misses to be approved."""

    @property
    def approved(self) -> bool:
        return self.result is Approval.APPROVED

    @property
    def passed(self) -> int:
        return self.musts_passed + self.shoulds_passed

    @property
    def total(self) -> int:
        return self.musts_total + self.shoulds_total

    @property
    def badge(self) -> str:
        """Items passed out of all, marked approved (✓), review (?) or rejected (✗)."""
        return f"{self.passed}/{self.total} {_MARKS[self.result]}"

    def misses(self, checklist: Checklist) -> str:
        """What keeps this image from approval, in words ("" when approved)."""
        return str(self.misses_words(checklist))

    def misses_words(self, checklist: Checklist) -> Phrase:
        """``misses`` with the requirements' texts apart from the words around them."""
        texts = {item.id: item.text for item in checklist.items}
        failed = [texts[i] for i in self.unmet_musts if i in self.failed and i in texts]
        unsure = [texts[i] for i in self.unmet_musts if i not in self.failed and i in texts]
        parts = []
        if failed:
            template = QT_TRANSLATE_NOOP("Checklist", "misses: {items}")
            parts.append(Phrase(WORDS, template, {"items": "; ".join(failed)}))
        if unsure:
            template = QT_TRANSLATE_NOOP("Checklist", "unsure: {items}")
            parts.append(Phrase(WORDS, template, {"items": "; ".join(unsure)}))
        if len(parts) == 2:
            both = QT_TRANSLATE_NOOP("Checklist", "{first} | {second}")
            return Phrase(WORDS, both, {"first": parts[0], "second": parts[1]})
        return parts[0] if parts else Phrase(WORDS, "")

    def to_json(self) -> dict[str, object]:
        return {
            "result": str(self.result),
            "badge": self.badge,
            "musts_passed": self.musts_passed,
            "musts_total": self.musts_total,
            "shoulds_passed": self.shoulds_passed,
            "shoulds_total": self.shoulds_total,
            "failed": list(self.failed),
            "uncertain": list(self.uncertain),
            "unmet_musts": list(self.unmet_musts),
        }


def decide(checklist: Checklist, verdicts: ItemVerdicts) -> Decision:
    """The approval rule, for ``verdicts`` judged against ``checklist``.

    - REJECTED: some must is ``no`` or ``skipped`` (its parent failed).
    - APPROVED: otherwise, every must is ``yes``.
    - REVIEW: otherwise: some must is ``unsure``, in ``error`` or was never judged, so a
      person decides; it is never silently approved or rejected.
    Shoulds never change the result; they count for ranking and the badge.
    """
    by_id = {v.item_id: v.result for v in verdicts.verdicts}
    counts = {"mp": 0, "mf": 0, "sp": 0, "sf": 0}
    failed: list[str] = []
    uncertain: list[str] = []
    unmet: list[str] = []
    for item in checklist.items:
        result = by_id.get(item.id, "error")
        prefix = "m" if item.must else "s"
        if result == "yes":
            counts[prefix + "p"] += 1
            continue
        if result in _FAILED:
            counts[prefix + "f"] += 1
            failed.append(item.id)
        else:
            uncertain.append(item.id)
        if item.must:
            unmet.append(item.id)
    if counts["mf"]:
        outcome = Approval.REJECTED
    elif unmet:
        outcome = Approval.REVIEW
    else:
        outcome = Approval.APPROVED
    return Decision(
        result=outcome,
        musts_passed=counts["mp"],
        musts_total=len(checklist.musts),
        shoulds_passed=counts["sp"],
        shoulds_total=len(checklist.shoulds),
        musts_failed=counts["mf"],
        shoulds_failed=counts["sf"],
        failed=tuple(failed),
        uncertain=tuple(uncertain),
        unmet_musts=tuple(unmet),
    )


# The best candidate ----------------------------------------------------------------------


def rank_key(decision: Decision) -> tuple[int, int, int, int]:
    """Sort key, higher is better: most musts satisfied, then fewest musts failed (an
    unsure must may still hold, a failed one does not), then most shoulds satisfied, then
    fewest shoulds failed. Equal keys are a tie for the pairwise comparison to break."""
    return (
        decision.musts_passed,
        -decision.musts_failed,
        decision.shoulds_passed,
        -decision.shoulds_failed,
    )


def leaders(decisions: Sequence[Decision]) -> tuple[int, ...]:
    """Indices of the decisions tied for the best ``rank_key``, in their order (one when
    there is no tie; none for no decisions)."""
    if not decisions:
        return ()
    best = max(rank_key(d) for d in decisions)
    return tuple(i for i, d in enumerate(decisions) if rank_key(d) == best)


Pairwise = Literal["first", "second", "tie"]


def resolve_tie(a_then_b: Pairwise, b_then_a: Pairwise) -> Literal["a", "b", "tie"]:
    """The winner of two comparisons of images a and b, shown in both orders.

    ``a_then_b`` is the answer with a shown first, ``b_then_a`` with b first. Only an
    answer that names the same image both times counts; any disagreement (the model
    preferring whichever came first, or second) is a tie, so position bias cannot pick.
    """
    first = {"first": "a", "second": "b"}.get(a_then_b, "tie")
    second = {"first": "b", "second": "a"}.get(b_then_a, "tie")
    if first == second and first in ("a", "b"):
        return "a" if first == "a" else "b"
    return "tie"


def reason_words(decision: Decision, checklist: Checklist) -> Phrase:
    """A checklist verdict in one line, for the places a whole-prompt reason goes (kept in
    English with the verdict; the window shows these words translated)."""
    badge = decision.badge
    if decision.approved:
        return Phrase(
            WORDS, QT_TRANSLATE_NOOP("Checklist", "Every must is met ({badge})."), {"badge": badge}
        )
    misses = decision.misses_words(checklist)
    if decision.result is Approval.REVIEW:
        template = QT_TRANSLATE_NOOP("Checklist", "A person decides ({badge}): {misses}")
    else:
        template = QT_TRANSLATE_NOOP("Checklist", "Rejected ({badge}): {misses}")
    return Phrase(WORDS, template, {"badge": badge, "misses": misses})

"""The checklist's model calls (issue 12): the words we send, and reading what comes back.

Each request and the reader of its answer live together here, so the JSON a template asks
for and the JSON its parser reads cannot drift apart. Four calls:

- writing the checklist from the person's prompt (once per run; cached by the caller);
- judging one image against every item (one call per image; once more for missing items);
- comparing two tied best candidates (run in both orders, ``checklist.resolve_tie``);
- revising the prompt from the failed and unsure items (``revision_brief``).

The first two are asked here too (``ask_for_checklist``, ``judge_items``), through an
``Ask`` the caller passes in: the loop's bounds each call by its deadline, cancel and budget,
a service's is a plain Converse call, and both get the same retries and the same reading.

Readers are tolerant the way ``core.parsing`` is (fences, prose, an example object before
the answer, ids as numbers, "must"/"should" as words) and never raise anything but
``ModelOutputError``: the answer is capped in size and nesting before it is parsed, and
every text kept from it is bounded and encodable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from imgloop_desktop.core import jsonsafe
from imgloop_desktop.core.checklist import (
    KINDS,
    MAX_ITEMS,
    MAX_TEXT_CHARS,
    Checklist,
    ChecklistItem,
    Decision,
    ItemVerdict,
    ItemVerdicts,
    Pairwise,
    bounded_evidence,
    clean_text,
    decide,
    rank_key,
    settle,
)
from imgloop_desktop.core.errors import AttemptFailedError, ModelOutputError
from imgloop_desktop.core.models import ImageModelSpec
from imgloop_desktop.core.prompts import REVISE_HEAD, fit_to_limit
from imgloop_desktop.core.protocols import ModelReply
from imgloop_desktop.core.text_limits import encodable

# Bumped whenever a template's wording changes, so cached checklists are written anew.
PROMPT_VERSION = "checklist-1"

# Far above a 30-item answer with a sentence of evidence each (~10,000 characters); an
# answer longer than this is a model ignoring the instructions, not one worth scanning.
MAX_ANSWER_CHARS = 64_000
# Where the answer's JSON may start: enough for any prose and examples before it, and a
# bound on the work a hostile answer full of braces can cause.
MAX_JSON_STARTS = 1_000

_DECODER = json.JSONDecoder()
_STARTS = re.compile(r"[\[{]")

# Writing the checklist ---------------------------------------------------------------------

CHECKLIST_TEMPLATE = """You turn a request for an image into a checklist a reviewer can check \
against the image, one requirement at a time.

Request (it may be in any language):
<request>
{prompt}
</request>

Break the request into atomic requirements, each one thing a reviewer can answer yes or no
by looking at the image. Kinds:
- "subject": each thing, animal or person that must appear ("a dog")
- "count": how many of something ("exactly three apples")
- "attribute": a colour, material, size, state or action of one subject ("the dog is brown")
- "relation": where subjects are or what they do to each other ("the cat is left of the dog")
- "text": words to be written in the image, quoted exactly ("the sign reads \\"OPEN\\"")
- "style": medium, art style, lighting or mood ("a watercolour painting")
- "composition": framing, viewpoint or background ("a close-up", "a white background")
- "other": anything else the request asks for

Mark a requirement "must": true when the request states it, "must": false when the request
only implies or prefers it. Do not add requirements the request does not make.
When a requirement only makes sense if another holds (the dog's colour needs the dog), list
it after that one and put that one's id in its "depends_on".
Write each requirement's text as one short sentence in the language of the request. At most
{max_items} requirements, each at most {max_chars} characters.

Answer with one JSON object and nothing else:
{{"checklist": [
  {{"id": "c1", "text": "a dog", "must": true, "kind": "subject", "depends_on": []}},
  {{"id": "c2", "text": "the dog is brown", "must": true, "kind": "attribute", \
"depends_on": ["c1"]}}
]}}"""


def checklist_prompt(prompt: str) -> str:
    """The request that turns the person's ``prompt`` into a checklist (``parse_checklist``)."""
    return CHECKLIST_TEMPLATE.format(prompt=prompt, max_items=MAX_ITEMS, max_chars=MAX_TEXT_CHARS)


# Judging against it --------------------------------------------------------------------------

JUDGE_TEMPLATE = """You are checking a generated image against a request, one requirement at a \
time.

Request (it may be in any language):
<request>
{prompt}
</request>

Requirements{which} (one JSON object per line):
{items}

Look at the attached image and check each requirement on its own:
- "yes": clearly in the image as stated.
- "no": absent, different (another count, colour, place, spelling) or contradicted.
- "unsure": the image does not let you tell (too small, hidden, ambiguous).
Count objects one by one; read any text letter by letter. Small aesthetic flaws do not
matter. When a requirement depends on one you answered "no", answer it "no" as well.
Give each a piece of evidence: one short sentence on what you see, in the language of the
request.

Answer with one JSON object and nothing else, one entry per requirement, in the order given:
{{"checks": [{{"id": "{first_id}", "result": "yes" or "no" or "unsure", \
"evidence": "what you see"}}]}}"""


def _item_lines(items: Sequence[ChecklistItem]) -> str:
    # JSON per line: a quote or a line break in a person's text cannot break the list.
    return "\n".join(
        json.dumps(
            {
                "id": item.id,
                "text": item.text,
                "must": item.must,
                **({"depends_on": list(item.depends_on)} if item.depends_on else {}),
            },
            ensure_ascii=False,
        )
        for item in items
    )


def judge_checklist_prompt(
    prompt: str, checklist: Checklist, *, only: Collection[str] | None = None
) -> str:
    """The request to judge one image against every item of ``checklist``
    (``parse_item_verdicts``); with ``only``, against those items alone (asking once more
    for the items a first answer missed)."""
    items = [i for i in checklist.items if only is None or i.id in only] or list(checklist.items)
    which = " (only these; the others are already checked)" if only is not None else ""
    return JUDGE_TEMPLATE.format(
        prompt=prompt, which=which, items=_item_lines(items), first_id=items[0].id
    )


# Comparing two candidates ------------------------------------------------------------------

PAIRWISE_TEMPLATE = """You are comparing two generated images made for the same request. The \
first attached image is "first", the second is "second".

Request (it may be in any language):
<request>
{prompt}
</request>

Requirements (one JSON object per line; "must": true ones matter most):
{items}

Decide which image satisfies the request better: the one meeting more "must" requirements;
when they meet as many, the one meeting more of the others; when still equal, the one that
matches the request more faithfully overall. Answer "tie" when you cannot tell them apart.

Answer with one JSON object and nothing else:
{{"better": "first" or "second" or "tie", "reason": "one sentence"}}"""


def pairwise_prompt(prompt: str, checklist: Checklist) -> str:
    """The request comparing two images (``parse_pairwise``); ask it in both orders and
    give both answers to ``checklist.resolve_tie``."""
    return PAIRWISE_TEMPLATE.format(prompt=prompt, items=_item_lines(checklist.items))


# Revising from the failures ----------------------------------------------------------------

REVISE_TEMPLATE = (
    REVISE_HEAD
    + """What a reviewer found, requirement by requirement:
{brief}

How to write prompts for {model_name}:
{guide}

Write an improved prompt that fixes the failed and unsure requirements and keeps every
requirement that already passed, and everything else the original asks for. Write it in
English, at most {max_chars} characters, as plain prompt text.

Answer with one JSON object and nothing else:
{{"revised_prompt": "the new prompt"}}"""
)


VersionVerdicts = (
    Sequence[tuple[str, Sequence[ItemVerdicts]]] | Mapping[str, Sequence[ItemVerdicts]]
)
"""Each prompt version used so far, oldest first, with the verdicts of its images."""

_MAX_BRIEF_EVIDENCE = 2  # different pieces of evidence quoted per item


def revision_brief(checklist: Checklist, verdicts_by_version: VersionVerdicts) -> str:
    """What the reviser needs from the judge: the latest version's failed and unsure items
    with the judge's evidence, the items it must keep, and the history of versions with how
    many items each satisfied. Goes into ``revise_checklist_prompt``."""
    versions = list(
        verdicts_by_version.items()
        if isinstance(verdicts_by_version, Mapping)
        else verdicts_by_version
    )
    latest = list(versions[-1][1]) if versions else []
    failed: list[str] = []
    unsure: list[str] = []
    kept: list[str] = []
    for item in checklist.items:
        found = [v for vs in latest if (v := vs.get(item.id)) is not None]
        bad = [v for v in found if v.result in ("no", "skipped")]
        doubtful = [v for v in found if v.result in ("unsure", "error")]
        label = f"[{'must' if item.must else 'should'}] {json.dumps(item.text, ensure_ascii=False)}"
        if bad:
            failed.append(f"- {label}{_seen(bad, len(found))}")
        elif doubtful:
            unsure.append(f"- {label}{_seen(doubtful, len(found))}")
        elif not found:
            unsure.append(f"- {label} (not judged yet)")
        else:
            kept.append(f"- {label}")
    lines: list[str] = []
    if failed:
        lines += ["Failed (fix these):", *failed]
    if unsure:
        lines += ["Unsure (make these unmistakable):", *unsure]
    if kept:
        lines += ["Already met (keep these):", *kept]
    if versions:
        lines.append("Prompt versions so far, oldest first:")
        for n, (text, images) in enumerate(versions, start=1):
            lines.append(
                f"{n}. {json.dumps(text, ensure_ascii=False)}: {_score(checklist, images)}"
            )
    return "\n".join(lines)


def _seen(verdicts: Sequence[ItemVerdict], judged: int) -> str:
    """' (2 of 3 images): "evidence" / "evidence"' for a brief's line."""
    quotes: list[str] = []
    if all(v.result == "skipped" for v in verdicts):
        quotes.append("not judged: a requirement it depends on failed")
    for v in verdicts:
        if v.result == "skipped":
            continue  # our note, not the judge's words
        text = v.evidence.strip()
        if text and text not in quotes and len(quotes) < _MAX_BRIEF_EVIDENCE:
            quotes.append(text)
    count = f" ({len(verdicts)} of {judged} images)" if judged > 1 else ""
    said = ": " + " / ".join(json.dumps(q, ensure_ascii=False) for q in quotes) if quotes else ""
    return f"{count}{said}"


def _score(checklist: Checklist, images: Sequence[ItemVerdicts]) -> str:
    if not images:
        return "no image judged"
    best = max((decide(checklist, v) for v in images), key=rank_key)
    return (
        f"best image met {best.passed} of {best.total} requirements "
        f"({best.musts_passed} of {best.musts_total} musts), {len(images)} image(s)"
    )


def revise_checklist_prompt(*, original: str, latest: str, brief: str, spec: ImageModelSpec) -> str:
    """The reviser's request from a ``revision_brief``, with the model's prompt guide, in
    the style of ``prompts.revise_prompt``; its answer is read by ``parsing.parse_revision``."""
    return REVISE_TEMPLATE.format(
        model_name=spec.name,
        original=original,
        latest=latest,
        brief=brief or "- (the reviewer gave no findings)",
        guide=spec.prompt_guide,
        max_chars=spec.prompt_max_chars,
    )


# Reading answers -----------------------------------------------------------------------------


def _snippet(text: str) -> str:
    """The answer's start for an error message: one line, printable, at most ~200 chars."""
    shown = repr(" ".join(text[:400].split()))
    return shown if len(shown) <= 200 else shown[:197] + "..."


def _json_values(text: str) -> Iterator[tuple[int, int, Any]]:
    """Every JSON object or array in ``text`` as (start, end, value), outer ones first.

    Every ``{`` and ``[`` is tried in turn (up to ``MAX_JSON_STARTS``), so prose, fences
    and an example before the answer do not hide it. Size and nesting are checked before
    Python's parser runs, which then can neither overflow the stack nor take long.
    """
    if len(text) > MAX_ANSWER_CHARS:
        raise ModelOutputError(
            f"the answer has {len(text):,} characters; at most {MAX_ANSWER_CHARS:,} are read"
        )
    text = encodable(text)
    depth = jsonsafe.nesting_depth(text)
    if depth > jsonsafe.DEFAULT_MAX_DEPTH:
        raise ModelOutputError(
            f"the answer nests {depth} levels deep; at most {jsonsafe.DEFAULT_MAX_DEPTH} are read"
        )
    for n, match in enumerate(_STARTS.finditer(text)):
        if n >= MAX_JSON_STARTS:
            return
        try:
            value, end = _DECODER.raw_decode(text, match.start())
        except (ValueError, RecursionError):  # not JSON here, or a number past int's limit
            continue
        yield match.start(), end, value


def find_json(text: str, accept: Callable[[Any], bool], wanted: str) -> Any:
    """The first JSON object or array in ``text`` that ``accept`` takes; ``wanted`` words
    the ModelOutputError when none does."""
    for _, _, value in _json_values(text):
        if accept(value):
            return value
    raise ModelOutputError(f"no {wanted} in the answer: {_snippet(encodable(text))}")


def _entries(value: Any, *keys: str) -> list[Any] | None:
    """The list of entries in ``value``: itself, or under one of ``keys``."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for key in keys:
            if isinstance(value.get(key), list):
                return list(value[key])
    return None


def _first(entry: Mapping[str, Any], *keys: str) -> Any:
    return next((entry[k] for k in keys if k in entry), None)


# Checklist answers.

_TEXT_KEYS = ("text", "requirement", "description", "item", "check")
_KIND_WORDS = {
    **{k: k for k in KINDS},
    "object": "subject",
    "subjects": "subject",
    "entity": "subject",
    "counts": "count",
    "number": "count",
    "quantity": "count",
    "attributes": "attribute",
    "color": "attribute",
    "colour": "attribute",
    "property": "attribute",
    "relations": "relation",
    "spatial": "relation",
    "position": "relation",
    "action": "relation",
    "rendered_text": "text",
    "typography": "text",
    "styles": "style",
    "layout": "composition",
    "framing": "composition",
    "background": "composition",
}
_MUST_WORDS = {"must": True, "required": True, "true": True, "yes": True, "should": False}
_MUST_WORDS |= {"false": False, "no": False, "optional": False, "nice to have": False}


def _is_checklist(value: Any) -> bool:
    """A list of items with text, under a checklist key; a bare list only of objects (a
    bare list of strings is as likely a quote from prose)."""
    entries = _entries(value, "checklist", "requirements", "items") or []
    bare = isinstance(value, list)
    return any(_item_text(e) for e in entries[: MAX_ITEMS * 4] if not (bare and isinstance(e, str)))


def _item_text(entry: Any) -> str:
    raw = entry if isinstance(entry, str) else None
    if isinstance(entry, dict):
        found = _first(entry, *_TEXT_KEYS)
        raw = found if isinstance(found, str) else None
    if raw is None:
        return ""
    return fit_to_limit(clean_text(encodable(raw).replace("\x00", "")), MAX_TEXT_CHARS)


def _item_must(entry: Any) -> bool | None:
    if not isinstance(entry, dict):
        return None
    for key in ("must", "required", "priority", "importance", "level", "necessity"):
        value = entry.get(key)
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            word = value.strip().strip(".!").lower()
            if word in _MUST_WORDS:
                return _MUST_WORDS[word]
    return None


def _ref(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | str):
        text = str(value).strip() if isinstance(value, str) or abs(value) < 10**9 else ""
        return text or None
    return None


def _refs(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [r for v in values[:MAX_ITEMS] if (r := _ref(v)) is not None]


def parse_checklist(answer: str) -> Checklist:
    """The checklist a model wrote (``checklist_prompt``), read tolerantly.

    Takes ``{"checklist": [...]}`` (or ``requirements``/``items``) or a bare list holding
    objects, wherever it sits in the answer; items as objects or plain strings. Items are
    numbered anew ``c1``, ``c2``, ...; the model's ids only resolve ``depends_on`` (its own
    ids in any case, else positions as ``2`` or ``c2``). Unknown kinds are ``other``; an
    item that does not say must or should is a must (the stricter reading; a person can
    flip it); when none is a must, all are.
    Dependencies on unknown items or closing a cycle are dropped; texts are cut at
    ``MAX_TEXT_CHARS`` on a word boundary; past ``MAX_ITEMS`` musts are kept first.
    Raises ModelOutputError when no item with text can be read.
    """
    value = find_json(answer, _is_checklist, 'JSON "checklist" list with item texts')
    entries = _entries(value, "checklist", "requirements", "items") or []
    raw: list[_RawItem] = []
    for position, entry in enumerate(entries[: MAX_ITEMS * 4], start=1):
        text = _item_text(entry)
        if not text:
            continue
        item = _RawItem(position, text, _item_must(entry))
        if isinstance(entry, dict):
            item.model_id = _ref(entry.get("id"))
            kind = _first(entry, "kind", "type", "category")
            if isinstance(kind, str):
                item.kind = _KIND_WORDS.get(kind.strip().lower().replace(" ", "_"), "other")
            item.deps = _refs(_first(entry, "depends_on", "depends", "dependencies", "parent"))
        raw.append(item)
    if not raw:
        raise ModelOutputError(f"no checklist item with text in the answer: {_snippet(answer)}")
    if all(item.must is False for item in raw):
        for item in raw:
            item.must = True
    if len(raw) > MAX_ITEMS:
        musts = [item for item in raw if item.must is not False]
        shoulds = [item for item in raw if item.must is False]
        raw = sorted((musts + shoulds)[:MAX_ITEMS], key=lambda item: item.position)
    new_id = {item.position: f"c{n}" for n, item in enumerate(raw, start=1)}
    # What the model may call an item in depends_on: its own id (any case), else its
    # position in the answer ("2" or "c2").
    names: dict[str, str] = {}
    for item in raw:
        names.setdefault(str(item.position), new_id[item.position])
        names.setdefault(f"c{item.position}", new_id[item.position])
    for item in raw:
        if item.model_id is not None:
            names[item.model_id] = new_id[item.position]
            names.setdefault(item.model_id.lower(), new_id[item.position])
    items: list[ChecklistItem] = []
    for item in raw:
        own = new_id[item.position]
        resolved: list[str] = []
        for dep in item.deps:
            target = names.get(dep, names.get(dep.lower()))
            if target is not None and target != own and target not in resolved:
                resolved.append(target)
        must = True if item.must is None else item.must
        items.append(ChecklistItem(own, item.text, must, item.kind, tuple(resolved)))
    return Checklist(tuple(_without_cycles(items)))


@dataclass
class _RawItem:
    """One item as the model wrote it, before ids are given and dependencies resolved."""

    position: int  # in the model's list, from 1
    text: str
    must: bool | None  # None: the model did not say
    kind: str = "other"
    model_id: str | None = None
    deps: list[str] = field(default_factory=list)


def _without_cycles(items: Sequence[ChecklistItem]) -> list[ChecklistItem]:
    """``items`` with each dependency that closes a cycle dropped (an iterative
    depth-first search; the edge into an item already on the path goes)."""
    deps = {item.id: list(item.depends_on) for item in items}
    state: dict[str, int] = {}
    for root in deps:
        if state.get(root):
            continue
        path = [root]
        state[root] = 1
        index = [0]
        while path:
            node = path[-1]
            if index[-1] >= len(deps[node]):
                state[node] = 2
                path.pop()
                index.pop()
                continue
            nxt = deps[node][index[-1]]
            if state.get(nxt) == 1:
                del deps[node][index[-1]]
                continue
            index[-1] += 1
            if not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                index.append(0)
    return [ChecklistItem(i.id, i.text, i.must, i.kind, tuple(deps[i.id])) for i in items]


# Verdict answers.

_YES = {"yes", "y", "true", "pass", "passed", "met", "satisfied", "present", "correct", "ok"}
_NO = {"no", "n", "false", "fail", "failed", "not met", "unsatisfied", "absent", "missing"}
_NO |= {"incorrect", "wrong"}
_UNSURE = {"unsure", "uncertain", "unclear", "unknown", "maybe", "cannot tell", "can't tell"}
_UNSURE |= {"not sure", "partial", "partially", "ambiguous"}
_RESULT_KEYS = ("result", "answer", "verdict", "status", "satisfied", "passed", "value")
_EVIDENCE_KEYS = ("evidence", "reason", "explanation", "rationale", "note", "comment")
_ID_KEYS = ("id", "item_id", "item", "requirement_id", "requirement")


def _result(value: Any) -> Literal["yes", "no", "unsure"] | None:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, str):
        return None
    word = " ".join(value.strip().strip(".!\"'").lower().split())
    if word in _YES:
        return "yes"
    if word in _NO:
        return "no"
    if word in _UNSURE:
        return "unsure"
    return None


def _answered(value: Any, checklist: Checklist) -> dict[str, ItemVerdict]:
    """The verdicts readable in ``value`` for ``checklist``'s items, by item id."""
    lookup = _id_lookup(checklist)
    pairs: list[tuple[str, Any]] = []  # (item id, the entry judging it)
    entries = _entries(value, "checks", "results", "verdicts", "items", "checklist")
    if entries is None and isinstance(value, dict) and _first(value, *_ID_KEYS) is not None:
        entries = [value]  # one entry on its own: what is left of a cut-off list
    if entries is not None:
        for entry in entries[: MAX_ITEMS * 4]:
            if isinstance(entry, dict):
                raw_id = _first(entry, *_ID_KEYS)
                ref = _ref(raw_id)
                item_id = lookup.get(ref) or lookup.get(ref.lower()) if ref else None
                for text in (ref, entry.get("text")):  # named by its text instead
                    if item_id is None and isinstance(text, str):
                        item_id = lookup.get("\x00text:" + clean_text(text))
                if item_id is not None:
                    pairs.append((item_id, entry))
    elif isinstance(value, dict):  # {"c1": "yes", "c2": {"result": "no", ...}}
        inner = _first(value, "checks", "results", "verdicts")
        mapping = inner if isinstance(inner, dict) else value
        for key, entry in list(mapping.items())[: MAX_ITEMS * 4]:
            item_id = lookup.get(key.strip()) or lookup.get(key.strip().lower())
            if item_id is not None:
                pairs.append((item_id, entry))
    answered: dict[str, ItemVerdict] = {}
    for item_id, entry in pairs:
        if item_id in answered:
            continue  # the first answer for an item stands
        raw = _first(entry, *_RESULT_KEYS) if isinstance(entry, dict) else entry
        result = _result(raw)
        if result is None:
            continue
        evidence: Any = _first(entry, *_EVIDENCE_KEYS) if isinstance(entry, dict) else ""
        if not isinstance(evidence, str):
            evidence = "" if evidence is None else _json_text(evidence)
        answered[item_id] = ItemVerdict(item_id, result, bounded_evidence(evidence))
    return answered


def _json_text(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (ValueError, RecursionError):
        return ""
    return text[:1000]


def _id_lookup(checklist: Checklist) -> dict[str, str]:
    """What a model may call an item: its id (any case), its number, its text."""
    lookup: dict[str, str] = {}
    for item in checklist.items:
        lookup.setdefault(item.id, item.id)
        lookup.setdefault(item.id.lower(), item.id)
        lookup.setdefault("\x00text:" + item.text, item.id)
    for n, item in enumerate(checklist.items, start=1):
        lookup.setdefault(str(n), item.id)
    return lookup


def parse_item_verdicts(
    answer: str, checklist: Checklist, *, earlier: ItemVerdicts | None = None
) -> ItemVerdicts:
    """The judge's verdict on each item (``judge_checklist_prompt``), read tolerantly and
    settled against the checklist's dependencies (``checklist.settle``).

    Takes ``{"checks": [{"id", "result", "evidence"}]}`` (or ``results``/``verdicts``), a
    bare list, or ``{"c1": "yes", ...}``; results as yes/no/unsure or their usual synonyms
    and booleans; items by id, number or exact text. An item the answer does not judge
    readably is ``missing``; with ``earlier`` (the first answer, when this is the second)
    the two are merged, the first's verdicts standing. Raises ModelOutputError when no
    item of the checklist is judged readably.
    """
    answered: dict[str, ItemVerdict] = {}
    covered = 0
    # Every readable JSON value outside one already read adds the items it judges: a
    # cut-off list still gives its complete entries, and the first verdict on an item stands.
    for start, end, value in _json_values(answer):
        if start < covered or not isinstance(value, dict | list):
            continue
        found = _answered(value, checklist)
        if found:
            covered = end
            for item_id, verdict in found.items():
                answered.setdefault(item_id, verdict)
            if len(answered) == len(checklist.items):
                break
    if not answered:
        raise ModelOutputError(
            f"no readable verdict on any checklist item in the answer: "
            f"{_snippet(encodable(answer[:MAX_ANSWER_CHARS]))}"
        )
    found_all = settle(checklist, answered)
    return earlier.merged(checklist, found_all) if earlier is not None else found_all


# Pairwise answers.

_FIRST = {"first", "1", "a", "image 1", "first image", "the first", "the first image", "image a"}
_SECOND = {"second", "2", "b", "image 2", "second image", "the second", "the second image"}
_SECOND |= {"image b"}
_TIE = {"tie", "equal", "same", "neither", "both", "none", "draw", "no preference"}


def _pairwise_word(value: Any) -> Pairwise | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    word = " ".join(value.strip().strip(".!\"'").lower().split())
    if word in _FIRST:
        return "first"
    if word in _SECOND:
        return "second"
    if word in _TIE:
        return "tie"
    return None


_PAIR_KEYS = ("better", "winner", "result", "choice", "answer", "preferred")


def parse_pairwise(answer: str) -> Pairwise:
    """Which of two images the model found better (``pairwise_prompt``): ``first``,
    ``second`` or ``tie``; a bare word answer is read too. Raises ModelOutputError."""
    bare = _pairwise_word(answer[:100]) if len(answer) <= 100 else None
    if bare is not None:
        return bare

    def accept(value: Any) -> bool:
        return isinstance(value, dict) and _pairwise_word(_first(value, *_PAIR_KEYS)) is not None

    value = find_json(answer, accept, '"better": "first", "second" or "tie"')
    word = _pairwise_word(_first(value, *_PAIR_KEYS))
    assert word is not None  # accept() said so
    return word


# Asking. -----------------------------------------------------------------------------------

Ask = Callable[[str], ModelReply]
"""One Converse call with this request text. The caller binds the model, the sampling
settings, the image and the call's bounds; what it raises (ServiceError, Cancelled, a
budget stop) ends the asking, except AttemptFailedError where a function says otherwise."""


@dataclass(frozen=True)
class ChecklistAnswer:
    """``checklist`` as written, or None with ``error`` saying why; ``replies`` are every
    answer received (the record and the bill need the unreadable ones too)."""

    checklist: Checklist | None
    replies: tuple[ModelReply, ...]
    error: str = ""


def ask_for_checklist(prompt: str, ask: Ask) -> ChecklistAnswer:
    """The checklist for ``prompt``: one call, once more for an unreadable answer.

    A call that fails on the service's side (AttemptFailedError, a deadline) is not asked
    again: it is the answer's ``error``, so the loop can fall back to whole-prompt judging
    with what was paid for on record, and a service can say why in its own words.
    """
    request = checklist_prompt(prompt)
    replies: list[ModelReply] = []
    error = ""
    for _ in range(2):
        try:
            reply = ask(request)
        except AttemptFailedError as exc:
            error = str(exc)
            break
        replies.append(reply)
        try:
            return ChecklistAnswer(parse_checklist(encodable(reply.text)), tuple(replies))
        except ModelOutputError as exc:
            error = f"the answer could not be read, twice: {exc}"
    return ChecklistAnswer(None, tuple(replies), error)


@dataclass(frozen=True)
class ItemsJudgement:
    """One image judged against a checklist. ``unread`` is set when no answer could be read
    at all (every item is then an error carrying it)."""

    checks: ItemVerdicts
    decision: Decision
    replies: tuple[ModelReply, ...]
    unread: ModelOutputError | None = None


def judge_items(
    prompt: str, checklist: Checklist, ask: Ask, *, ask_again: bool = True
) -> ItemsJudgement:
    """Every item of ``checklist`` judged in one call (``ask`` sends the image).

    With ``ask_again`` (runs), an unreadable answer is asked for again whole and items the
    answer left out are asked for once more on their own, so one sloppy answer does not
    cost an image its approval. Without it (the judge evaluation) the first answer is
    the result, since a second ask would hide how often that answer is incomplete.
    Whatever is still unjudged is recorded as an ``error`` on its item, never guessed.
    AttemptFailedError from ``ask`` is not caught: a judge that timed out judged nothing.
    """
    question = judge_checklist_prompt(prompt, checklist)
    replies: list[ModelReply] = []
    found: ItemVerdicts | None = None
    error: ModelOutputError | None = None
    for _ in range(2 if ask_again else 1):
        replies.append(ask(question))
        try:
            found = parse_item_verdicts(encodable(replies[-1].text), checklist, earlier=found)
        except ModelOutputError as exc:
            error = exc
            continue
        if found.complete:
            break
        question = judge_checklist_prompt(prompt, checklist, only=found.missing)
    twice = len(replies) > 1
    if found is None:
        read = "could not be read, twice" if twice else "could not be read"
        checks = ItemVerdicts.all_errors(checklist, f"The judge's answer {read}: {error}")
    else:
        asked = ", asked twice" if twice else ""
        checks = found.with_errors(checklist, f"The judge did not answer this item{asked}")
        error = None
    return ItemsJudgement(checks, decide(checklist, checks), tuple(replies), error)

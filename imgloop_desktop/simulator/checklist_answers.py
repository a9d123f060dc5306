"""The simulator's answers to the checklist's three Converse calls (issue 12).

The app makes three calls beside the seed's judge and reviser, each with a request from
``core.checklist_prompts``; the simulator tells them apart by the template's first line and
the number of images (``classify``):

- ``checklist``: writing the checklist from the person's prompt (``checklist_prompt``, text
  only). Default answer: a few atomic items cut from the request's own words (so in the
  person's language), the first always a must; deterministic.
- ``check``: judging one image against the checklist (``judge_checklist_prompt``, one or
  more images). Default answer: "yes" to every item the request lists (only those, so the
  re-ask with ``only=`` gets answers for its items alone), with a line of evidence each.
- ``compare``: which of two images is better (``pairwise_prompt``, two or more images).
  Default answer: the script's ``default_comparison`` ("tie").

Each answer can be scripted (``ChecklistAnswer``, ``CheckAnswer``, ``CompareAnswer``, or
``script.Raw`` for text sent as written) and sent in one of ``STYLES``, the shapes real
models give: ``json`` (the object alone, as the template asks), ``fenced`` (in a ```json
fence), ``prose`` (the object between sentences), ``partial`` (an item left out: the
``omit`` items of a check, else the last item, though a checklist keeps one; a
comparison without its reason) and ``cut``
(stopped mid-way through the last item, as at the token limit: the reply's stopReason is
then ``max_tokens``).

Nothing here is Qt or boto3; the core's templates are imported so the markers cannot drift
from the words the app sends.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from imgloop_desktop.core.checklist import MAX_ITEMS, MAX_TEXT_CHARS
from imgloop_desktop.core.checklist_prompts import (
    CHECKLIST_TEMPLATE,
    JUDGE_TEMPLATE,
    PAIRWISE_TEMPLATE,
)

# The first line of each request: distinctive, and free of format fields.
CHECKLIST_MARKER = CHECKLIST_TEMPLATE.partition("\n")[0]
CHECK_MARKER = JUDGE_TEMPLATE.partition("\n")[0]
COMPARE_MARKER = PAIRWISE_TEMPLATE.partition("\n")[0]

CHECKLIST_OPS: tuple[str, ...] = ("checklist", "check", "compare")
STYLES: tuple[str, ...] = ("json", "fenced", "prose", "partial", "cut")
ITEM_RESULTS: tuple[str, ...] = ("yes", "no", "unsure")
COMPARISONS: tuple[str, ...] = ("first", "second", "tie")


def classify(texts: Sequence[str], image_count: int) -> str | None:
    """ "checklist", "check" or "compare" for a Converse request with these texts and this
    many images; None for anything else (the seed's "judge" or "revise")."""
    joined = "\n".join(texts)
    if image_count == 0 and CHECKLIST_MARKER in joined:
        return "checklist"
    if image_count >= 2 and COMPARE_MARKER in joined:
        return "compare"
    if image_count >= 1 and CHECK_MARKER in joined:
        return "check"
    return None


# -- scripted answers ------------------------------------------------------------------------


def _check_style(style: str) -> str:
    if style not in STYLES:
        raise ValueError(f"unknown answer style {style!r}; known: {', '.join(STYLES)}")
    return style


@dataclass(frozen=True)
class ChecklistAnswer:
    """A written checklist. ``items`` are plain texts (each a must) or objects as the
    template shows them (``{"text", "must", "kind", "depends_on", "id"}``, sent as given);
    None derives the items from the request, as the default answer does."""

    items: tuple[str | Mapping[str, Any], ...] | None = None
    style: str = "json"

    def __post_init__(self) -> None:
        _check_style(self.style)
        if self.items is not None:
            items = tuple(self.items)
            if not items or not all(isinstance(i, str | Mapping) for i in items):
                raise ValueError("checklist items must be a non-empty list of texts or objects")
            object.__setattr__(self, "items", items)


@dataclass(frozen=True)
class ItemAnswer:
    """One item's verdict: ``result`` is "yes", "no", "unsure" (or any string or boolean,
    sent as written, for a model's synonyms); ``evidence`` None writes a sentence from the
    item's text."""

    result: str | bool
    evidence: str | None = None


@dataclass(frozen=True)
class CheckAnswer:
    """Verdicts for the next judged image, by item id (or the item's exact text). Items not
    named answer ``default`` (None: the script's ``default_check``). With style "partial"
    the ``omit`` items are left out of the answer (none named: the last item asked)."""

    results: Mapping[str, ItemAnswer] = field(default_factory=dict)
    style: str = "json"
    omit: tuple[str, ...] = ()
    default: str | None = None

    def __post_init__(self) -> None:
        _check_style(self.style)
        if self.default is not None and self.default not in ITEM_RESULTS:
            raise ValueError(f"default must be one of {', '.join(ITEM_RESULTS)}")
        object.__setattr__(self, "results", item_answers(self.results))
        object.__setattr__(self, "omit", tuple(self.omit))


def item_answers(results: Mapping[str, Any]) -> dict[str, ItemAnswer]:
    """``{"c1": "no", "c2": ("no", "evidence"), "c3": {"result": ..., "evidence": ...}}``
    (or ItemAnswer values) as ItemAnswers; anything else raises ValueError."""
    if not isinstance(results, Mapping):
        raise ValueError("item results must be an object of item id: result")
    out: dict[str, ItemAnswer] = {}
    for key, value in results.items():
        if not isinstance(key, str) or not key:
            raise ValueError("item results are keyed by an item's id or text")
        if isinstance(value, ItemAnswer):
            answer = value
        elif isinstance(value, str | bool):
            answer = ItemAnswer(value)
        elif isinstance(value, tuple | list) and len(value) == 2:
            answer = ItemAnswer(value[0], value[1])
        elif (
            isinstance(value, Mapping)
            and "result" in value
            and set(value)
            <= {
                "result",
                "evidence",
            }
        ):
            answer = ItemAnswer(value["result"], value.get("evidence"))
        else:
            raise ValueError(
                f"{key}: a result (yes, no, unsure), [result, evidence] or "
                '{"result": ..., "evidence": ...}'
            )
        if not isinstance(answer.result, str | bool):
            raise ValueError(f"{key}: the result must be a string or true/false")
        if answer.evidence is not None and not isinstance(answer.evidence, str):
            raise ValueError(f"{key}: evidence must be a string")
        out[key] = answer
    return out


@dataclass(frozen=True)
class CompareAnswer:
    """Which of two images is better: "first", "second" or "tie"; ``reason`` "" writes one."""

    better: str
    reason: str = ""
    style: str = "json"

    def __post_init__(self) -> None:
        _check_style(self.style)
        if self.better not in COMPARISONS:
            raise ValueError(f"better must be one of {', '.join(COMPARISONS)}")


# -- reading the request ---------------------------------------------------------------------

_REQUEST_RE = re.compile(r"<request>(.*)</request>", re.DOTALL)
_SPLIT_RE = re.compile(r"\s*(?:[,;\n\u3001\uff0c\uff1b]|\s(?:and|with)\s)\s*", re.IGNORECASE)
_LEADING_RE = re.compile(r"^(?:and|with)\s+", re.IGNORECASE)
_WORD_RE = re.compile(r"[\w'-]+")
_NUMBER_WORDS = {
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "dozen",
    "pair",
    "single",
    "several",
}
_COLOURS = {
    "red",
    "orange",
    "yellow",
    "green",
    "blue",
    "purple",
    "violet",
    "pink",
    "brown",
    "black",
    "white",
    "grey",
    "gray",
    "golden",
    "gold",
    "silver",
    "teal",
    "turquoise",
    "crimson",
}
_STYLE_WORDS = {
    "watercolor",
    "watercolour",
    "painting",
    "photo",
    "photograph",
    "photorealistic",
    "illustration",
    "style",
    "cartoon",
    "sketch",
    "anime",
    "cinematic",
    "render",
    "oil",
    "pixel",
    "lighting",
    "serene",
    "mood",
}
_COMPOSITION_WORDS = {"background", "close-up", "closeup", "foreground", "view", "shot", "centered"}
_RELATION_WORDS = {"left", "right", "above", "below", "under", "beneath", "behind", "beside"}
_RELATION_WORDS |= {"over", "next", "holding", "riding", "between", "top"}


def request_text(prompt_text: str) -> str:
    """The person's prompt as the request quotes it (``<request>``); the whole text when
    there is no tag (a request written by hand)."""
    match = _REQUEST_RE.search(prompt_text)
    return (match[1] if match else prompt_text).strip()


def requested_items(prompt_text: str) -> list[dict[str, Any]]:
    """The checklist items a judge or compare request lists, one JSON object per line."""
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line in prompt_text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if (
            isinstance(value, dict)
            and isinstance(value.get("id"), str)
            and isinstance(value.get("text"), str)
            and value["id"] not in seen
        ):
            seen.add(value["id"])
            items.append(value)
    return items


def _kind(phrase: str, first: bool) -> str:
    words = {w.lower() for w in _WORD_RE.findall(phrase)}
    if '"' in phrase or "\u201c" in phrase or {"reads", "saying", "text", "sign"} & words:
        return "text"
    if any(w.isdigit() for w in words) or _NUMBER_WORDS & words:
        return "count"
    if _RELATION_WORDS & words:
        return "relation"
    if _COLOURS & words:
        return "attribute"
    if _STYLE_WORDS & words:
        return "style"
    if _COMPOSITION_WORDS & words:
        return "composition"
    return "subject" if first else "other"


def derive_checklist(request: str) -> list[dict[str, Any]]:
    """A checklist a model might write for ``request``: its phrases (split at commas,
    semicolons, "and" and "with"), each one item in the request's own words. The first item
    is a must; style and composition items are shoulds, the rest musts. Deterministic."""
    phrases: list[str] = []
    for part in _SPLIT_RE.split(request):
        phrase = _LEADING_RE.sub("", " ".join(part.split())).strip(" .!?\u3002")
        if phrase and phrase.lower() not in (p.lower() for p in phrases):
            phrases.append(phrase[:MAX_TEXT_CHARS])
    if not phrases:
        phrases = ["the image matches the request"]
    items: list[dict[str, Any]] = []
    for n, phrase in enumerate(phrases[: min(8, MAX_ITEMS)], start=1):
        kind = _kind(phrase, n == 1)
        must = n == 1 or kind not in ("style", "composition")
        items.append({"id": f"c{n}", "text": phrase, "must": must, "kind": kind, "depends_on": []})
    return items


# -- writing answers -------------------------------------------------------------------------

_PROSE = {
    "checklist": (
        "Here is the checklist for this request, one atomic requirement per entry:",
        "Each requirement can be answered yes or no by looking at the image.",
    ),
    "check": (
        "I looked at the image carefully and checked each requirement on its own.",
        "That is my assessment of every requirement listed.",
    ),
    "compare": (
        "I compared both images against the requirements, must ones first.",
        "This is based on the requirements listed above.",
    ),
}


def _entries_json(key: str, entries: Sequence[Mapping[str, Any]], cut: bool) -> str:
    """``{"key": [`` one entry per line ``]}``, as the templates show it; ``cut`` stops half
    way through the last entry."""
    lines = [json.dumps(e, ensure_ascii=False) for e in entries]
    head = f'{{"{key}": [\n  '
    if cut and lines:
        body = ",\n  ".join(lines[:-1])
        last = lines[-1][: max(1, len(lines[-1]) // 2)]
        return head + (body + ",\n  " if body else "") + last
    return head + ",\n  ".join(lines) + "\n]}"


def _styled(op: str, text: str, style: str) -> str:
    if style == "fenced":
        return f"```json\n{text}\n```"
    if style == "prose":
        before, after = _PROSE[op]
        return f"{before}\n\n{text}\n\n{after}"
    return text


def render_checklist(answer: ChecklistAnswer | None, prompt_text: str) -> tuple[str, bool]:
    """The answer's text and whether it was cut off (``cut``)."""
    answer = answer or ChecklistAnswer()
    if answer.items is None:
        entries: Sequence[Mapping[str, Any]] = derive_checklist(request_text(prompt_text))
    else:
        entries = [
            {"id": f"c{n}", "text": item, "must": True, "kind": "other", "depends_on": []}
            if isinstance(item, str)
            else dict(item)
            for n, item in enumerate(answer.items, start=1)
        ]
    if answer.style == "partial" and len(entries) > 1:
        entries = entries[:-1]
    cut = answer.style == "cut"
    return _styled("checklist", _entries_json("checklist", entries, cut), answer.style), cut


def _word(result: str | bool) -> str:
    if isinstance(result, bool):
        return "yes" if result else "no"
    return result.strip().lower()


def _evidence(result: str | bool, text: str) -> str:
    word = _word(result)
    if word == "yes":
        return f"Seen in the image: {text}."
    if word == "no":
        return f"Not as requested: {text}."
    return f"The image does not let me tell: {text}."


def render_checks(
    answer: CheckAnswer | None, prompt_text: str, default_result: str
) -> tuple[str, bool]:
    """Verdicts on the items the request lists (items not listed are not answered)."""
    answer = answer or CheckAnswer()
    items = requested_items(prompt_text)
    if not items:  # a request written by hand: answer the items the script names
        items = [{"id": key, "text": key} for key in answer.results]
    fallback = ItemAnswer(answer.default or default_result)
    entries: list[dict[str, Any]] = []
    for item in items:
        found = answer.results.get(item["id"]) or answer.results.get(item["text"]) or fallback
        evidence = found.evidence
        if evidence is None:
            evidence = _evidence(found.result, item["text"])
        entries.append({"id": item["id"], "result": found.result, "evidence": evidence})
    if answer.style == "partial":
        omitted = set(answer.omit) or ({entries[-1]["id"]} if entries else set())
        names = {i["id"]: i["text"] for i in items}
        entries = [e for e in entries if e["id"] not in omitted and names[e["id"]] not in omitted]
    cut = answer.style == "cut"
    return _styled("check", _entries_json("checks", entries, cut), answer.style), cut


_REASONS = {
    "first": "The first image meets more of the must requirements.",
    "second": "The second image meets more of the must requirements.",
    "tie": "Both images meet the same requirements; I cannot tell them apart.",
}


def render_comparison(answer: CompareAnswer, prompt_text: str) -> tuple[str, bool]:
    value: dict[str, str] = {"better": answer.better}
    if answer.style != "partial":
        value["reason"] = answer.reason or _REASONS[answer.better]
    text = json.dumps(value, ensure_ascii=False)
    cut = answer.style == "cut"
    if cut:
        text = text[: len(text) // 2]
    return _styled("compare", text, answer.style), cut

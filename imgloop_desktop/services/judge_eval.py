"""How well the configured judge decides (issue 12): run it over a labelled set and compare.

Each image gets one Converse call with the loop's own request and reader
(``checklist_prompts.judge_items``), on the judge's copy of the image (``judge_copy``) and
its sampling settings, so the numbers describe the judge as runs use it. It is called with
``ask_again=False``: items the answer leaves out, and an unreadable answer, are counted as
errors rather than asked for again, because what is measured is the judge's answer; the
loop's second ask would hide how often that answer is incomplete or unreadable. An image
with no checklist is judged against the whole prompt (``judge_prompt``/``parse_verdict``)
and counts for approval only.

Counted per requirement (overall and per kind) and per image (approval):

- accuracy: the judge's yes/no matches the label; an unsure or error is never correct;
- precision and recall of "yes" (an item met, an image approved): unsure, error and review
  count as "not yes", so a judge that hedges loses recall, never gains precision;
- unsure (or review) and error, explicitly; calls and input/output tokens.

A Bedrock failure (no access, throttled out) ends the evaluation with ServiceError; a call
that times out or an unreadable answer is that image's error and the rest go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from imgloop_desktop.core.cancel import Cancelled, CancelToken
from imgloop_desktop.core.checklist import KINDS
from imgloop_desktop.core.checklist_prompts import judge_items
from imgloop_desktop.core.errors import AttemptFailedError, ModelOutputError, ValidationError
from imgloop_desktop.core.events import VerdictResult
from imgloop_desktop.core.judge_image import judge_copy
from imgloop_desktop.core.params import RunParams, validate
from imgloop_desktop.core.parsing import parse_verdict
from imgloop_desktop.core.prompts import judge_prompt
from imgloop_desktop.core.protocols import ChatModel, ModelReply
from imgloop_desktop.core.text_limits import encodable
from imgloop_desktop.providers import catalog
from imgloop_desktop.providers.bedrock import ConverseChat
from imgloop_desktop.providers.session import (
    FALLBACK_REGION,
    CredentialsSource,
    close_clients,
    make_clients,
)
from imgloop_desktop.services.judge_eval_set import EvalCase
from imgloop_desktop.simulator.checklist_answers import CheckAnswer, item_answers
from imgloop_desktop.simulator.demo import DemoBackend
from imgloop_desktop.simulator.script import SimScript

log = logging.getLogger(__name__)

# What a run's judge uses beside its model: the judge's sampling settings and image size.
JUDGE_FIELDS = frozenset(
    {"judge_model_id", "aws_region", "judge_image_max_side"}
    | {f"claude_validate_{s}" for s in ("temperature", "top_p", "top_k", "max_tokens")}
)


# Counting ---------------------------------------------------------------------------------


@dataclass
class Tally:
    """Yes/no decisions against labels. ``n`` counts everything labelled; ``unsure`` and
    ``error`` are the decisions that were neither yes nor no (review, for images)."""

    n: int = 0
    correct: int = 0
    true_yes: int = 0  # said yes, labelled true
    said_yes: int = 0
    labelled_yes: int = 0
    unsure: int = 0
    error: int = 0

    def add(self, label: bool, said: str) -> None:
        """``said`` is "yes", "no", "unsure" or "error"."""
        self.n += 1
        self.labelled_yes += label
        if said == "yes":
            self.said_yes += 1
            self.true_yes += label
            self.correct += label
        elif said == "no":
            self.correct += not label
        elif said == "unsure":
            self.unsure += 1
        else:
            self.error += 1

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.n if self.n else None

    @property
    def precision(self) -> float | None:
        return self.true_yes / self.said_yes if self.said_yes else None

    @property
    def recall(self) -> float | None:
        return self.true_yes / self.labelled_yes if self.labelled_yes else None

    def to_json(self) -> dict[str, object]:
        return {
            "n": self.n,
            "correct": self.correct,
            "accuracy": _round(self.accuracy),
            "precision": _round(self.precision),
            "recall": _round(self.recall),
            "said_yes": self.said_yes,
            "labelled_yes": self.labelled_yes,
            "true_yes": self.true_yes,
            "unsure": self.unsure,
            "error": self.error,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(frozen=True)
class ItemOutcome:
    item_id: str
    kind: str
    must: bool
    label: bool | None  # None: not labelled
    result: str  # as settled: yes, no, unsure, skipped, error
    evidence: str = ""

    @property
    def said(self) -> str:
        """The result as a yes/no decision: a skipped item's parent failed, so it is "no"."""
        return {"skipped": "no"}.get(self.result, self.result)


@dataclass(frozen=True)
class ImageOutcome:
    name: str
    approved: bool  # the label
    decision: str  # approved, rejected, review, error
    items: tuple[ItemOutcome, ...] = ()
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    error: str = ""
    labels_disagree: bool = False  # the person's decision is not what their ticks make it

    @property
    def said(self) -> str:
        return {"approved": "yes", "rejected": "no", "review": "unsure"}.get(self.decision, "error")

    def to_json(self) -> dict[str, object]:
        return {
            "image": self.name,
            "approved": self.approved,
            "decision": self.decision,
            "items": [
                {
                    "id": i.item_id,
                    "kind": i.kind,
                    "must": i.must,
                    "label": i.label,
                    "result": i.result,
                    "evidence": i.evidence,
                }
                for i in self.items
            ],
            "calls": self.calls,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "error": self.error,
            "labels_disagree": self.labels_disagree,
        }


@dataclass
class EvalReport:
    """The judge's figures over one set; ``images`` keeps each image's outcome."""

    judge_model_id: str
    region: str
    images: list[ImageOutcome] = field(default_factory=list)

    @property
    def items(self) -> Tally:
        tally = Tally()
        for image in self.images:
            for item in image.items:
                if item.label is not None:
                    tally.add(item.label, item.said)
        return tally

    @property
    def by_kind(self) -> dict[str, Tally]:
        """A tally per requirement kind that has labelled items, in ``KINDS`` order."""
        tallies: dict[str, Tally] = {}
        for image in self.images:
            for item in image.items:
                if item.label is not None:
                    tallies.setdefault(item.kind, Tally()).add(item.label, item.said)
        order = {k: n for n, k in enumerate(KINDS)}
        return dict(sorted(tallies.items(), key=lambda kv: order.get(kv[0], len(order))))

    @property
    def approval(self) -> Tally:
        tally = Tally()
        for image in self.images:
            tally.add(image.approved, image.said)
        return tally

    @property
    def labels_disagree(self) -> int:
        """Images whose approval label (a person's decision) is not what their must labels
        make it: approval is measured against the decision, and this says how often."""
        return sum(i.labels_disagree for i in self.images)

    @property
    def calls(self) -> int:
        return sum(i.calls for i in self.images)

    @property
    def input_tokens(self) -> int:
        return sum(i.input_tokens for i in self.images)

    @property
    def output_tokens(self) -> int:
        return sum(i.output_tokens for i in self.images)

    def to_json(self) -> dict[str, object]:
        return {
            "judge_model_id": self.judge_model_id,
            "region": self.region,
            "images": len(self.images),
            "items": self.items.to_json(),
            "by_kind": {kind: t.to_json() for kind, t in self.by_kind.items()},
            "approval": self.approval.to_json(),
            "labels_disagree": self.labels_disagree,
            "calls": self.calls,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "results": [i.to_json() for i in self.images],
        }


# Judging ----------------------------------------------------------------------------------


def judge_case(case: EvalCase, chat: ChatModel, params: RunParams) -> ImageOutcome:
    """One call for ``case``'s image, read as the loop reads it (``judge_items`` without
    asking again). Raises ServiceError (the evaluation cannot go on); a timed-out call or
    an unreadable answer is the image's error."""
    try:
        image = judge_copy(case.image_bytes(), params.judge_image_max_side).data
    except OSError as exc:  # checked when the set was read; gone or unreadable since
        return _failed(case, f"the image could not be read: {exc}", calls=0)

    def ask(question: str) -> ModelReply:
        return chat.ask(question, params.validate_settings, image_png=image)

    checklist = case.checklist
    try:
        if checklist is None:
            return _judge_whole(case, ask(judge_prompt(case.prompt)))
        judged = judge_items(case.prompt, checklist, ask, ask_again=False)
    except AttemptFailedError as exc:
        return _failed(case, f"the call failed: {exc}", calls=1)
    (reply,) = judged.replies
    if judged.unread is not None:
        return _failed(case, f"the answer could not be read: {judged.unread}", reply)
    checks = judged.checks
    items = tuple(
        ItemOutcome(
            item.id,
            item.kind,
            item.must,
            case.labels.get(item.id),
            verdict.result if (verdict := checks.get(item.id)) is not None else "error",
            verdict.evidence if verdict is not None else "",
        )
        for item in checklist.items
    )
    return _outcome(case, str(judged.decision.result), items, reply)


def _judge_whole(case: EvalCase, reply: ModelReply) -> ImageOutcome:
    """A case without a checklist: the whole-prompt verdict, for approval only."""
    try:
        result, _reason = parse_verdict(encodable(reply.text))
    except ModelOutputError as exc:
        return _failed(case, f"the answer could not be read: {exc}", reply)
    said = {VerdictResult.YES: "approved", VerdictResult.NO: "rejected"}.get(result, "review")
    return _outcome(case, said, (), reply)


def _outcome(
    case: EvalCase, decision: str, items: tuple[ItemOutcome, ...], reply: ModelReply
) -> ImageOutcome:
    return ImageOutcome(
        case.name,
        case.approved,
        decision,
        items,
        labels_disagree=case.labels_disagree,
        calls=1,
        input_tokens=reply.input_tokens or 0,
        output_tokens=reply.output_tokens or 0,
    )


def _failed(
    case: EvalCase, why: str, reply: ModelReply | None = None, *, calls: int = 1
) -> ImageOutcome:
    checklist = case.checklist
    items = (
        tuple(
            ItemOutcome(i.id, i.kind, i.must, case.labels.get(i.id), "error", why)
            for i in checklist.items
        )
        if checklist is not None
        else ()
    )
    return ImageOutcome(
        case.name,
        case.approved,
        "error",
        items,
        labels_disagree=case.labels_disagree,
        calls=calls,
        input_tokens=(reply.input_tokens or 0) if reply else 0,
        output_tokens=(reply.output_tokens or 0) if reply else 0,
        error=why,
    )


def evaluate(
    cases: Sequence[EvalCase],
    chat: ChatModel,
    params: RunParams,
    *,
    progress: Callable[[int, ImageOutcome], None] | None = None,
    cancel: CancelToken | None = None,
) -> EvalReport:
    """Judge every case in order, one call each. Raises ServiceError, or Cancelled between
    images after a cancel."""
    report = EvalReport(chat.model_id, chat.region)
    for n, case in enumerate(cases, start=1):
        if cancel is not None and cancel.cancelled:
            raise Cancelled
        outcome = judge_case(case, chat, params)
        report.images.append(outcome)
        if progress is not None:
            progress(n, outcome)
    return report


# Wiring ---------------------------------------------------------------------------------


def check(params: RunParams) -> None:
    """The judge's fields of ``params`` as a run would check them, and the judge model
    against the region; raises ValidationError naming each problem, before any call."""
    spec = catalog.image_spec(params.image_model_id)
    problems = [p for p in validate(params, spec) if p.field in JUDGE_FIELDS]
    if not problems:
        home = params.aws_region or FALLBACK_REGION
        try:
            catalog.call_region(
                "judge_model_id", params.judge_model_id, home, pinned=bool(params.aws_region)
            )
        except ValidationError as exc:
            problems += exc.problems
    if problems:
        raise ValidationError(problems)


def run_eval(
    cases: Sequence[EvalCase],
    params: RunParams,
    *,
    credentials: CredentialsSource,
    progress: Callable[[int, ImageOutcome], None] | None = None,
    cancel: CancelToken | None = None,
) -> EvalReport:
    """``evaluate`` with the configured judge: a ConverseChat on a client for the region
    the judge is called in (``catalog.call_region``, as runs and checklists pick it).
    Raises ValidationError before any call, ServiceError, Cancelled."""
    check(params)
    pinned = bool(params.aws_region)
    clients = make_clients(credentials, params.aws_region or None)
    try:
        region = catalog.call_region(
            "judge_model_id", params.judge_model_id, clients.region, pinned=pinned
        )
        client, region = clients.runtime(region)
        chat = ConverseChat(client, params.judge_model_id, region=region)
        return evaluate(cases, chat, params, progress=progress, cancel=cancel)
    finally:
        close_clients(clients)


# The offline demo: a scripted judge whose figures are known -------------------------------

# What the demo's judge gets wrong on the built-in set, by (image, item): everything else it
# answers as labelled. "omit" leaves the item out of the answer (an error); "unreadable"
# answers prose with no verdict (every item an error, the image an error).
DEMO_MISTAKES: Mapping[tuple[str, str], str] = {
    ("two-red-circles", "c2"): "yes",  # counts two circles as three: a false approval
    ("sign-misspelt", "c1"): "yes",  # reads OPFN as OPEN: a false approval
    ("square-left-of-circle", "c3"): "no",  # gets left and right wrong: a missed approval
    ("five-squares-one-circle", "c2"): "unsure",  # cannot count five squares: review
    ("stop-above-triangle", "c1"): "unsure",  # cannot read STOP: review
    ("triangles-right-of-circle", "c2"): "omit",  # leaves the count out: error, review
    ("triangle-below-square", "*"): "unreadable",
}
DEMO_UNREADABLE = "I am sorry, I cannot assess this image against the requirements."


def demo_script(cases: Sequence[EvalCase], mistakes: Mapping[tuple[str, str], str]) -> SimScript:
    """A simulator script answering each case's check in order: the labels, except
    ``mistakes``, keyed by the case's name without a suffix (so the built-in set written
    with ``write_set`` and read back gets the same answers). Cases without a checklist get
    the verdict their ``approved`` label says."""
    script = SimScript()
    for case in cases:
        name = PurePath(case.name).stem  # a set read back: "two-red-circles.png"
        if case.checklist is None:
            wrong = mistakes.get((name, "*"))
            right = "YES" if case.approved else "NO"
            script.queue_verdicts(
                {"yes": "YES", "no": "NO"}.get(wrong or "", right)
                if wrong != "unreadable"
                else SimScript.raw(DEMO_UNREADABLE)
            )
            continue
        if mistakes.get((name, "*")) == "unreadable":
            script.queue_checks(SimScript.raw(DEMO_UNREADABLE))
            continue
        answers: dict[str, str] = {}
        omit: list[str] = []
        for item in case.checklist.items:
            wrong = mistakes.get((name, item.id))
            if wrong == "omit":
                omit.append(item.id)
            label = case.labels.get(item.id, True)
            answers[item.id] = wrong if wrong in ("yes", "no", "unsure") else _word(label)
        if omit:
            script.queue_checks(
                CheckAnswer(item_answers(answers), style="partial", omit=tuple(omit))
            )
            continue
        script.queue_checks(answers)
    return script


def _word(label: bool) -> str:
    return "yes" if label else "no"


def demo_backend(cases: Sequence[EvalCase]) -> DemoBackend:
    """The local simulator answering as ``DEMO_MISTAKES`` says, for ``--demo``."""
    return DemoBackend(demo_script(cases, DEMO_MISTAKES))

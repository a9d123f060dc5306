"""The checklist calls every caller shares (``ask_for_checklist``, ``judge_items``): how
often they ask, what they ask the second time, and what an answer that never came is."""

from __future__ import annotations

import json
from collections.abc import Iterable

import pytest

from imgloop_desktop.core.checklist import Approval, Checklist, ChecklistItem
from imgloop_desktop.core.checklist_prompts import ask_for_checklist, judge_items
from imgloop_desktop.core.errors import AttemptFailedError
from imgloop_desktop.core.events import CallKind
from imgloop_desktop.core.protocols import ModelReply

CHECKLIST = Checklist(
    (
        ChecklistItem("c1", "a fox", must=True),
        ChecklistItem("c2", "snow", must=True),
        ChecklistItem("c3", "at dusk", must=False),
    )
)
WRITTEN = json.dumps({"checklist": [{"text": "a fox", "must": True}, {"text": "snow"}]})


class Scripted:
    """An ``Ask`` answering from a list (an exception in it is raised), keeping what it
    was asked."""

    def __init__(self, answers: Iterable[str | Exception]) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    def __call__(self, question: str) -> ModelReply:
        self.asked.append(question)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return ModelReply(answer, "test.judge", input_tokens=10, output_tokens=5)


def checks(**results: str) -> str:
    return json.dumps({"checks": [{"id": k, "result": v} for k, v in results.items()]})


def test_a_checklist_is_asked_again_once_for_an_unreadable_answer() -> None:
    ask = Scripted(["I cannot.", WRITTEN])
    answer = ask_for_checklist("a fox in snow", ask)
    assert answer.checklist is not None and len(answer.checklist.items) == 2
    assert len(answer.replies) == 2 and ask.asked[0] == ask.asked[1]


def test_a_checklist_unreadable_twice_or_not_answered_says_why() -> None:
    twice = ask_for_checklist("a fox", Scripted(["no", "still no"]))
    assert twice.checklist is None and "could not be read, twice" in twice.error
    assert len(twice.replies) == 2
    # A call that failed is not asked again; what was answered before it is kept.
    failed = ask_for_checklist("a fox", Scripted(["no", AttemptFailedError("timed out")]))
    assert (failed.checklist, failed.error, len(failed.replies)) == (None, "timed out", 1)


def test_items_left_out_are_asked_for_once_more_on_their_own() -> None:
    ask = Scripted([checks(c1="yes"), checks(c2="yes")])
    judged = judge_items("a fox in snow", CHECKLIST, ask)
    assert len(ask.asked) == 2 and "only these" in ask.asked[1]
    assert '"c1"' not in ask.asked[1].split("only these")[1]
    results = [v.result for v in judged.checks.verdicts]
    assert results[:2] == ["yes", "yes"]
    c3 = judged.checks.get("c3")
    assert c3 is not None and c3.result == "error" and "asked twice" in c3.evidence
    assert judged.decision.result is Approval.APPROVED  # c3 is a should
    assert judged.unread is None


def test_without_asking_again_the_first_answer_is_the_result() -> None:
    ask = Scripted([checks(c1="yes")])
    judged = judge_items("a fox in snow", CHECKLIST, ask, ask_again=False)
    assert len(ask.asked) == 1 and len(judged.replies) == 1
    c2 = judged.checks.get("c2")
    assert c2 is not None and c2.result == "error" and "asked twice" not in c2.evidence
    assert judged.decision.result is not Approval.APPROVED
    unread = judge_items("a fox", CHECKLIST, Scripted(["no idea"]), ask_again=False)
    assert unread.unread is not None
    assert all(v.result == "error" for v in unread.checks.verdicts)


def test_a_judge_call_that_failed_is_not_caught() -> None:
    with pytest.raises(AttemptFailedError):
        judge_items("a fox", CHECKLIST, Scripted([AttemptFailedError("timed out")]))


def test_a_call_asked_again_is_billed_as_its_first_ask() -> None:
    assert CallKind.JUDGE_AGAIN.billed_as is CallKind.JUDGE
    assert CallKind.REVISE_AGAIN.billed_as is CallKind.REVISE
    assert CallKind.CHECKLIST_AGAIN.billed_as is CallKind.CHECKLIST
    assert {k.billed_as for k in CallKind} == {
        CallKind.GENERATE,
        CallKind.JUDGE,
        CallKind.CHECKLIST,
        CallKind.REVISE,
        CallKind.COMPARE,
    }

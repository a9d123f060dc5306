"""The loop under checklist judging (issue 12), synchronously against scripted fakes.

The fake chat tells the four kinds of request apart by their first words (the templates'
own), records each, and answers from per-kind queues, so a test states exactly what the
judge said and checks what the loop did with it and what it asked next.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque

import pytest

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.cancel import CancelToken
from imgloop_desktop.core.checklist import Checklist
from imgloop_desktop.core.loop import ImageLoop
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.protocols import InferenceSettings, ModelReply
from imgloop_desktop.storage.local import LocalImageStore
from tests.fakes import SPEC, FakeGenerator

ITEMS = [
    {"id": "c1", "text": "a dog", "must": True, "kind": "subject"},
    {
        "id": "c2",
        "text": "the dog is brown",
        "must": True,
        "kind": "attribute",
        "depends_on": ["c1"],
    },
    {"id": "c3", "text": "a sunny park", "must": False, "kind": "subject"},
]
CHECKLIST = Checklist.from_json(ITEMS)


def checks(**results: str) -> str:
    """A judge answer in the template's format: ``c1="yes"`` or ``c1="no:evidence"``."""
    entries = []
    for item_id, said in results.items():
        result, _, evidence = said.partition(":")
        entries.append({"id": item_id, "result": result, "evidence": evidence or f"saw {result}"})
    return json.dumps({"checks": entries})


class ScriptedChat:
    """Answers each kind of request from its own queue; records every request."""

    model_id = "test.judge"
    region = "us-east-1"

    def __init__(
        self,
        *,
        checklists: list[str] | None = None,
        checks: list[str] | None = None,
        comparisons: list[str] | None = None,
        revisions: list[str] | None = None,
        block_checklist: threading.Event | None = None,
    ) -> None:
        self.queues = {
            "checklist": deque(checklists or [json.dumps({"items": ITEMS})]),
            "check": deque(checks or []),
            "compare": deque(comparisons or []),
            "revise": deque(revisions or []),
        }
        self.calls: list[tuple[str, str, int]] = []  # (kind, prompt, images attached)
        self.lock = threading.Lock()
        self.block_checklist = block_checklist

    def kinds(self) -> list[str]:
        return [kind for kind, _, _ in self.calls]

    def prompts(self, kind: str) -> list[str]:
        return [prompt for k, prompt, _ in self.calls if k == kind]

    def ask(
        self,
        prompt: str,
        settings: InferenceSettings,
        image_png: bytes | tuple[bytes, ...] | None = None,
    ) -> ModelReply:
        images = 1 if isinstance(image_png, bytes) else len(image_png or ())
        if prompt.startswith("You turn a request"):
            kind = "checklist"
            if self.block_checklist is not None:
                self.block_checklist.wait(10)
        elif prompt.startswith("You are checking a generated image against a request, one"):
            kind = "check"
        elif prompt.startswith("You are comparing"):
            kind = "compare"
        elif images:
            kind = "verdict"  # the seed's whole-prompt judging, answered from "check"
        else:
            kind = "revise"
        with self.lock:
            self.calls.append((kind, prompt, images))
            queue = self.queues["check" if kind == "verdict" else kind]
            answer = queue.popleft() if queue else self._default(kind, len(self.calls))
        return ModelReply(answer, self.model_id, input_tokens=100, output_tokens=10)

    @staticmethod
    def _default(kind: str, n: int) -> str:
        if kind == "check":
            return checks(c1="yes", c2="yes", c3="yes")
        if kind == "compare":
            return '{"better": "tie", "reason": "same"}'
        if kind == "revise":
            return json.dumps({"revised_prompt": f"revised prompt {n}"})
        return json.dumps({"items": ITEMS})


def make_loop(
    chat: ScriptedChat,
    store: LocalImageStore,
    *,
    events: list[ev.Event] | None = None,
    cancel: CancelToken | None = None,
    **changes: object,
) -> ImageLoop:
    params = RunParams(
        prompt="a brown dog in a sunny park",
        max_retry_attempts=2,
        max_prompt_revisions=1,
        judge_mode="checklist",
    ).with_changes(**changes)
    sink = events if events is not None else []
    return ImageLoop(
        params,
        SPEC,
        generator=FakeGenerator(),
        chat=chat,
        store=store,
        emit=sink.append,
        cancel=cancel,
    )


def of_type(events: list[ev.Event], kind: type) -> list:  # type: ignore[type-arg]
    return [e for e in events if isinstance(e, kind)]


def test_the_judge_model_writes_the_checklist_once_before_the_first_image(
    store: LocalImageStore,
) -> None:
    chat = ScriptedChat(checks=[checks(c1="yes", c2="yes", c3="no:rainy")])
    events: list[ev.Event] = []
    result = make_loop(chat, store, events=events).run()

    assert result.outcome is ev.Outcome.APPROVED
    assert chat.kinds() == ["checklist", "check"]
    written = of_type(events, ev.ChecklistSet)
    assert [e.origin for e in written] == [ev.ChecklistOrigin.WRITTEN]
    assert written[0].checklist == CHECKLIST
    # The checklist is known before the first generation starts.
    first = next(i for i, e in enumerate(events) if isinstance(e, ev.AttemptStarted))
    assert events.index(written[0]) < first
    verdict = result.verdicts[result.approved.ref]  # type: ignore[union-attr]
    assert verdict.badge == "2/3 \u2713"  # a failed should never blocks approval
    assert result.checklist == CHECKLIST


def test_a_given_checklist_costs_no_call_and_every_item_goes_to_one_judge_call(
    store: LocalImageStore,
) -> None:
    chat = ScriptedChat(checks=[checks(c1="yes", c2="yes", c3="yes")])
    events: list[ev.Event] = []
    make_loop(chat, store, events=events, checklist=CHECKLIST).run()

    assert chat.kinds() == ["check"]
    assert of_type(events, ev.ChecklistSet)[0].origin is ev.ChecklistOrigin.GIVEN
    asked = chat.prompts("check")[0]
    for item in ITEMS:
        assert json.dumps(item["text"]) in asked


def test_items_the_answer_left_out_are_asked_once_more_then_recorded_as_errors(
    store: LocalImageStore,
) -> None:
    # First answer: c1 only; second (asked for the missing ones): nothing readable about c3.
    chat = ScriptedChat(
        checks=[checks(c1="yes"), checks(c2="yes"), checks(c1="no"), checks(c1="no")]
    )
    result = make_loop(chat, store, checklist=CHECKLIST, max_prompt_revisions=0).run()

    second = chat.prompts("check")[1]
    assert "only these" in second and '"c2"' in second and '"c3"' in second
    assert '"id": "c1"' not in second
    first = result.verdicts[ev.ImageRef(0, 0, 0)]
    assert first.checks is not None
    by_id = {v.item_id: v for v in first.checks.verdicts}
    assert by_id["c2"].result == "yes"
    assert by_id["c3"].result == "error" and "asked twice" in by_id["c3"].evidence
    # c3 is a should: every must is met, so the image is approved despite the error.
    assert result.outcome is ev.Outcome.APPROVED


def test_an_unsure_must_sends_the_image_to_review_never_approves_it(
    store: LocalImageStore,
) -> None:
    chat = ScriptedChat(
        checks=[
            checks(c1="yes", c2="unsure:too dark to tell", c3="yes"),
            checks(c1="yes", c2="unsure:too dark", c3="yes"),
        ]
        + [checks(c1="no:a cat", c3="yes")] * 2
    )
    events: list[ev.Event] = []
    result = make_loop(chat, store, events=events, checklist=CHECKLIST).run()

    first = result.verdicts[ev.ImageRef(0, 0, 0)]
    assert first.result is ev.VerdictResult.REVIEW
    assert not first.approved
    assert first.badge == "2/3 ?"
    assert "unsure: the dog is brown" in first.reason
    assert result.outcome is ev.Outcome.NOT_APPROVED


def test_the_reviser_sees_failed_items_with_evidence_and_what_passed(
    store: LocalImageStore,
) -> None:
    chat = ScriptedChat(
        checks=[
            checks(c1="yes", c2="no:the dog is black", c3="yes"),
            checks(c1="yes", c2="no:black fur again", c3="yes"),
        ],
        revisions=[json.dumps({"revised_prompt": "a BROWN dog, sunny park"})],
    )
    result = make_loop(chat, store, checklist=CHECKLIST).run()

    assert chat.kinds() == ["check", "check", "revise", "check"]
    brief = chat.prompts("revise")[0]
    failed = brief.split("Failed (fix these):")[1].split("Already met")[0]
    assert "the dog is brown" in failed and "the dog is black" in failed
    assert "black fur again" in failed
    kept = brief.split("Already met (keep these):")[1]
    assert "a dog" in kept and "a sunny park" in kept
    assert "best image met 2 of 3 requirements" in brief
    assert SPEC.prompt_guide in brief
    assert result.outcome is ev.Outcome.APPROVED
    assert result.prompts[-1] == "a BROWN dog, sunny park"


def test_with_no_approval_the_best_candidate_is_named_with_what_it_misses(
    store: LocalImageStore,
) -> None:
    chat = ScriptedChat(
        checks=[
            checks(c1="no:a cat", c3="yes"),  # c2 skipped: depends on c1
            checks(c1="yes", c2="no:black", c3="yes"),
            checks(c1="yes", c2="no:grey", c3="no:indoors"),
            checks(c1="no:a cat", c3="no"),
        ]
    )
    events: list[ev.Event] = []
    result = make_loop(chat, store, events=events, checklist=CHECKLIST).run()

    assert result.outcome is ev.Outcome.NOT_APPROVED
    assert "compare" not in chat.kinds()  # one leader: no comparison needed
    best = result.best
    assert best is not None and best.candidate.ref == ev.ImageRef(0, 1, 0)
    assert best.how == "rank"
    assert best.misses == "misses: the dog is brown"
    assert "Best, not approved: prompt version 1, attempt 2" in result.message
    finished = of_type(events, ev.RunFinished)[0]
    assert finished.best == best.candidate
    skipped = result.verdicts[ev.ImageRef(0, 0, 0)].checks
    assert skipped is not None and skipped.get("c2").result == "skipped"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("answers", "winner", "how"),
    [
        # The second image wins in both orders.
        (["second", "first"], ev.ImageRef(0, 1, 0), "comparison"),
        # Position bias: "first" both times is no preference, so the earliest is named.
        (["first", "first"], ev.ImageRef(0, 0, 0), "tie: the comparison did not pick"),
    ],
)
def test_a_tie_is_broken_by_one_comparison_asked_in_both_orders(
    store: LocalImageStore, answers: list[str], winner: ev.ImageRef, how: str
) -> None:
    chat = ScriptedChat(
        checks=[checks(c1="yes", c2="no", c3="yes")] * 4,
        comparisons=[json.dumps({"better": a}) for a in answers],
    )
    result = make_loop(chat, store, checklist=CHECKLIST, max_prompt_revisions=0).run()

    compares = [(k, n) for k, _, n in chat.calls if k == "compare"]
    assert compares == [("compare", 2), ("compare", 2)]  # both images, both orders
    assert result.best is not None
    assert result.best.candidate.ref == winner
    assert result.best.how.startswith(how)


def test_an_edit_takes_effect_from_the_next_judgement(store: LocalImageStore) -> None:
    edited = CHECKLIST.added("a red ball", must=True, kind="subject")
    chat = ScriptedChat(checks=[checks(c1="yes", c2="no", c3="yes")])
    events: list[ev.Event] = []
    loop = make_loop(chat, store, events=events, checklist=CHECKLIST, max_prompt_revisions=0)

    def edit_after_first_verdict(event: ev.Event) -> None:
        events.append(event)
        if isinstance(event, ev.VerdictReceived) and event.ref.attempt == 0:
            loop.set_checklist(edited)

    loop._emit_to = edit_after_first_verdict
    result = loop.run()

    first, second = chat.prompts("check")[:2]
    assert "a red ball" not in first
    assert "a red ball" in second
    edits = [e for e in events if isinstance(e, ev.ChecklistSet)]
    assert [e.origin for e in edits] == [ev.ChecklistOrigin.GIVEN, ev.ChecklistOrigin.EDITED]
    assert result.verdicts[ev.ImageRef(0, 1, 0)].checklist == edited
    assert result.checklist == edited


def test_a_checklist_that_cannot_be_written_falls_back_to_whole_prompt_judging(
    store: LocalImageStore,
) -> None:
    chat = ScriptedChat(checklists=["I cannot help with that.", "Still prose, no JSON."])
    chat.queues["check"].append('{"result": "YES", "reason": "a brown dog"}')
    events: list[ev.Event] = []
    result = make_loop(chat, store, events=events).run()

    failed = of_type(events, ev.ChecklistSet)
    assert [e.origin for e in failed] == [ev.ChecklistOrigin.FAILED]
    assert failed[0].checklist is None and "judged YES/NO" in failed[0].error
    assert failed[0].raw == "Still prose, no JSON."
    assert result.outcome is ev.Outcome.APPROVED
    assert result.verdicts[result.approved.ref].checks is None  # type: ignore[union-attr]


def test_verdict_mode_keeps_the_seeds_calls(store: LocalImageStore) -> None:
    chat = ScriptedChat()
    chat.queues["check"].append('{"result": "YES", "reason": "fine"}')
    result = make_loop(chat, store, judge_mode="verdict").run()

    assert chat.kinds() == ["verdict"]
    assert result.checklist is None and result.best is None
    with pytest.raises(ValueError, match="verdict"):
        make_loop(chat, store, judge_mode="verdict").set_checklist(CHECKLIST)


def test_cancel_while_the_checklist_is_written_ends_within_two_seconds(
    store: LocalImageStore,
) -> None:
    never = threading.Event()
    chat = ScriptedChat(block_checklist=never)
    cancel = CancelToken()
    loop = make_loop(chat, store, cancel=cancel)
    timer = threading.Timer(0.2, cancel.cancel)
    timer.start()
    started = time.monotonic()
    result = loop.run()
    never.set()  # release the abandoned call's thread
    timer.join()

    assert result.outcome is ev.Outcome.CANCELLED
    assert time.monotonic() - started < 2.5

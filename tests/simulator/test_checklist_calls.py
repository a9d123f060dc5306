"""The simulator's answers to issue 12's three Converse calls (writing a checklist, judging
an image against it, comparing two images), through a real boto3 client signed for
us-east-1 and read back with the core's own parsers, as the app will read them."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from mypy_boto3_bedrock_runtime import BedrockRuntimeClient

from imgloop_desktop.core.checklist import (
    Approval,
    Checklist,
    ItemVerdicts,
    decide,
    resolve_tie,
)
from imgloop_desktop.core.checklist_prompts import (
    checklist_prompt,
    judge_checklist_prompt,
    pairwise_prompt,
    parse_checklist,
    parse_item_verdicts,
    parse_pairwise,
    revise_checklist_prompt,
    revision_brief,
)
from imgloop_desktop.core.errors import ModelOutputError
from imgloop_desktop.core.prompts import judge_prompt, revise_prompt
from imgloop_desktop.providers.stability import SD35_LARGE as SPEC
from imgloop_desktop.simulator.checklist_answers import (
    STYLES,
    CheckAnswer,
    ChecklistAnswer,
    CompareAnswer,
    ItemAnswer,
    derive_checklist,
)
from imgloop_desktop.simulator.demo import (
    DEMO_CHECKLIST,
    DEMO_CHECKLIST_PROMPT,
    DEMO_EVIDENCE,
    DEMO_REVISION,
    demo_checklist_script,
    demo_script,
)
from imgloop_desktop.simulator.script import ABSURD_VARIANTS, OPS, Raw, SimScript
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.simulator.conftest import make_client
from tests.simulator.test_faults import post, short_client
from tests.simulator.test_server import JUDGE, png_bytes

PROMPT = "three red apples in a bowl, a cat to the left of the bowl, watercolour"
JA_PROMPT = "赤いリンゴが三つ、左に猫、水彩画"
APPLES = Checklist.from_json(
    [
        {"id": "c1", "text": "a bowl", "must": True, "kind": "subject"},
        {"text": "exactly three apples in the bowl", "must": True, "kind": "count"},
        {"text": "the apples are red", "must": True, "kind": "attribute", "depends_on": ["c2"]},
        {"text": "a watercolour painting", "must": False, "kind": "style"},
    ]
)
NEW_OPS = ("checklist", "check", "compare")


@pytest.fixture
def east(sim: BedrockSimulator) -> Iterator[BedrockRuntimeClient]:
    bedrock = make_client(sim.url, region="us-east-1")
    try:
        yield bedrock
    finally:
        bedrock.close()


def converse(client: BedrockRuntimeClient, text: str, images: int = 0) -> Any:
    """The app's Converse call: image blocks first, then the text; maxTokens and
    temperature only (Sonnet 4.6 refuses temperature with top_p)."""
    content: list[Any] = [
        {"image": {"format": "png", "source": {"bytes": png_bytes(64 + 8 * i, 64)}}}
        for i in range(images)
    ]
    content.append({"text": text})
    return client.converse(
        modelId=JUDGE,
        messages=[{"role": "user", "content": content}],
        inferenceConfig={"maxTokens": 2048, "temperature": 0.0},
    )


def text_of(response: Any) -> str:
    text: str = response["output"]["message"]["content"][0]["text"]
    return text


def write(client: BedrockRuntimeClient, prompt: str = PROMPT) -> str:
    return text_of(converse(client, checklist_prompt(prompt)))


def check(client: BedrockRuntimeClient, checklist: Checklist = APPLES, **kw: Any) -> str:
    return text_of(converse(client, judge_checklist_prompt(PROMPT, checklist, **kw), images=1))


def compare(client: BedrockRuntimeClient) -> str:
    return text_of(converse(client, pairwise_prompt(PROMPT, APPLES), images=2))


def evidence(verdicts: ItemVerdicts, item_id: str) -> str:
    found = verdicts.get(item_id)
    assert found is not None
    return found.evidence


def results(text: str, checklist: Checklist = APPLES) -> dict[str, str]:
    return {v.item_id: v.result for v in parse_item_verdicts(text, checklist).verdicts}


# -- writing the checklist -------------------------------------------------------------------


def test_the_default_checklist_is_derived_from_the_prompt(
    east: BedrockRuntimeClient, sim: BedrockSimulator
) -> None:
    first = write(east)
    assert write(east) == first, "deterministic"
    written = parse_checklist(first)
    assert [i.text for i in written.items] == [
        "three red apples in a bowl",
        "a cat to the left of the bowl",
        "watercolour",
    ]
    assert [(i.must, i.kind) for i in written.items] == [
        (True, "count"),
        (True, "relation"),
        (False, "style"),
    ]
    japanese = parse_checklist(write(east, JA_PROMPT))
    assert [i.text for i in japanese.items] == ["赤いリンゴが三つ", "左に猫", "水彩画"]
    assert japanese.musts, "at least one must, in the person's language"
    assert sim.count("checklist") == 3 and sim.count("revise") == 0
    assert sim.last("checklist").image_sizes == ()


def test_derived_checklists_always_have_a_must() -> None:
    for request in ("", "   ", "watercolour, close-up", "a fox"):
        items = derive_checklist(request)
        assert items[0]["must"] is True
        assert Checklist.from_json([{"text": i["text"], "must": i["must"]} for i in items])


def test_scripted_checklists_items_and_raw(
    east: BedrockRuntimeClient, sim: BedrockSimulator
) -> None:
    sim.script.queue_checklists(
        [
            "a dog",
            {"text": "the dog is brown", "must": True, "kind": "attribute", "depends_on": ["c1"]},
            {"text": "a sunny beach", "must": False, "kind": "composition"},
        ],
        '["not", "a", "checklist"]',
        SimScript.raw("Sorry, I cannot help with that."),
    )
    written = parse_checklist(write(east))
    assert [(i.id, i.text, i.must, i.kind, i.depends_on) for i in written.items] == [
        ("c1", "a dog", True, "other", ()),
        ("c2", "the dog is brown", True, "attribute", ("c1",)),
        ("c3", "a sunny beach", False, "composition", ()),
    ]
    assert write(east) == '["not", "a", "checklist"]'  # text is sent as written
    with pytest.raises(ModelOutputError):
        parse_checklist(write(east))
    assert len(parse_checklist(write(east)).items) == 3  # queue empty: derived again


@pytest.mark.parametrize("style", ["fenced", "prose"])
def test_checklist_styles_parse_like_plain_json(
    east: BedrockRuntimeClient, sim: BedrockSimulator, style: str
) -> None:
    items: list[str | dict[str, Any]] = [
        "a bowl",
        {"text": "three apples", "must": True, "kind": "count"},
    ]
    sim.script.queue_checklists(items)
    sim.script.queue_checklists(items, style=style)
    plain, styled = write(east), write(east)
    assert styled != plain
    assert styled.startswith("```json\n") if style == "fenced" else not styled.startswith("{")
    assert parse_checklist(styled) == parse_checklist(plain)


def test_partial_and_cut_checklists(east: BedrockRuntimeClient, sim: BedrockSimulator) -> None:
    sim.script.queue_checklists(["a", "b", "c"], style="partial")
    sim.script.queue_checklists(ChecklistAnswer(("a", "b", "c"), style="cut"))
    assert [i.text for i in parse_checklist(write(east)).items] == ["a", "b"]
    cut = converse(east, checklist_prompt(PROMPT))
    assert cut["stopReason"] == "max_tokens"
    with pytest.raises(ModelOutputError):  # a cut-off list is no checklist: the app asks again
        parse_checklist(text_of(cut))
    assert sim.count("checklist") == 2


# -- judging against it ----------------------------------------------------------------------


def test_default_checks_say_yes_to_every_item(
    east: BedrockRuntimeClient, sim: BedrockSimulator
) -> None:
    response = converse(east, judge_checklist_prompt(PROMPT, APPLES), images=1)
    verdicts = parse_item_verdicts(text_of(response), APPLES)
    assert verdicts.complete
    assert all(v.result == "yes" and v.evidence for v in verdicts.verdicts)
    assert decide(APPLES, verdicts).result is Approval.APPROVED
    record = sim.last("check")
    assert record.image_sizes == ((64, 64),)
    usage = response["usage"]
    assert usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"]
    assert (record.input_tokens, record.output_tokens) == (
        usage["inputTokens"],
        usage["outputTokens"],
    )
    assert usage["inputTokens"] > 5 + len(judge_checklist_prompt(PROMPT, APPLES)) // 4
    assert response["stopReason"] == "end_turn"


def test_checks_are_scripted_per_item(east: BedrockRuntimeClient, sim: BedrockSimulator) -> None:
    sim.script.queue_checks(
        {"c2": ("no", "Four apples, not three."), "a watercolour painting": "unsure"},
        {"c1": {"result": "yes", "evidence": "A blue bowl."}, "c2": "unsure"},
        "no",
    )
    first = parse_item_verdicts(check(east), APPLES)
    assert {v.item_id: v.result for v in first.verdicts} == {
        "c1": "yes",  # not named: the script's default
        "c2": "no",
        "c3": "skipped",  # its parent failed: settled by the core, whatever was said
        "c4": "unsure",  # named by its text
    }
    assert evidence(first, "c2") == "Four apples, not three."
    assert evidence(first, "c1") == "Seen in the image: a bowl."
    assert decide(APPLES, first).result is Approval.REJECTED
    sim.script.default_check = "unsure"
    second = parse_item_verdicts(check(east), APPLES)
    assert evidence(second, "c1") == "A blue bowl."
    assert {v.item_id: v.result for v in second.verdicts} == {
        "c1": "yes",
        "c2": "unsure",
        "c3": "unsure",  # not named: the script's default, changed since
        "c4": "unsure",
    }
    assert decide(APPLES, second).result is Approval.REVIEW
    assert results(check(east)) == {"c1": "no", "c2": "no", "c3": "skipped", "c4": "no"}
    assert results(check(east)) == dict.fromkeys(["c1", "c2", "c3", "c4"], "unsure")
    assert sim.count("check") == 4 and sim.count("judge") == 0


def test_asking_again_for_missing_items_answers_only_those(
    east: BedrockRuntimeClient, sim: BedrockSimulator
) -> None:
    sim.script.queue_checks(CheckAnswer({"c1": ItemAnswer("no")}, style="partial", omit=("c4",)))
    sim.script.queue_checks({"c4": "no"})
    first = parse_item_verdicts(check(east), APPLES)
    assert first.missing == ("c4",)
    again_text = check(east, only=first.missing)
    assert json.loads(again_text)["checks"] == [
        {"id": "c4", "result": "no", "evidence": "Not as requested: a watercolour painting."}
    ]
    merged = parse_item_verdicts(again_text, APPLES, earlier=first)
    assert merged.complete
    assert {v.item_id: v.result for v in merged.verdicts} == {
        "c1": "no",
        "c2": "yes",
        "c3": "yes",
        "c4": "no",
    }


@pytest.mark.parametrize("style", STYLES)
def test_check_styles_as_the_core_reads_them(
    east: BedrockRuntimeClient, sim: BedrockSimulator, style: str
) -> None:
    scripted = {"c1": "yes", "c2": "no", "c4": "unsure"}
    sim.script.queue_checks(scripted, style=style)
    response = converse(east, judge_checklist_prompt(PROMPT, APPLES), images=1)
    text = text_of(response)
    verdicts = parse_item_verdicts(text, APPLES)
    found = {v.item_id: v.result for v in verdicts.verdicts}
    if style == "partial":  # the last item left out: missing, for the app to ask again
        assert verdicts.missing == ("c4",)
        assert found == {"c1": "yes", "c2": "no", "c3": "skipped"}
    elif style == "cut":  # stopped at the token limit half way through the last item
        assert response["stopReason"] == "max_tokens"
        assert verdicts.missing == ("c4",)
        assert found == {"c1": "yes", "c2": "no", "c3": "skipped"}
    else:
        assert verdicts.complete
        assert found == {"c1": "yes", "c2": "no", "c3": "skipped", "c4": "unsure"}
        if style == "fenced":
            assert text.startswith("```json\n") and text.endswith("\n```")
        elif style == "prose":
            assert not text.startswith("{") and not text.endswith("}")
    if style != "cut":
        assert response["stopReason"] == "end_turn"


def test_raw_check_answers_go_out_as_written(
    east: BedrockRuntimeClient, sim: BedrockSimulator
) -> None:
    sim.script.queue_checks('{"c1": "PASS", "c2": true}', Raw("I can't see the image."))
    partial = parse_item_verdicts(check(east), APPLES)
    assert [(v.item_id, v.result) for v in partial.verdicts] == [("c1", "yes"), ("c2", "yes")]
    assert partial.missing == ("c3", "c4")
    with pytest.raises(ModelOutputError):
        parse_item_verdicts(check(east), APPLES)


# -- comparing two images ----------------------------------------------------------------------


def test_comparisons_default_tie_then_scripted(
    east: BedrockRuntimeClient, sim: BedrockSimulator
) -> None:
    assert parse_pairwise(compare(east)) == "tie"
    sim.script.queue_comparisons("first", "second", "tie")
    sim.script.queue_comparisons(CompareAnswer("first", "It has three apples."))
    assert [parse_pairwise(compare(east)) for _ in range(3)] == ["first", "second", "tie"]
    assert json.loads(compare(east)) == {"better": "first", "reason": "It has three apples."}
    # A model that always prefers the image shown first: both orders give a tie.
    sim.script.default_comparison = "first"
    a_then_b, b_then_a = parse_pairwise(compare(east)), parse_pairwise(compare(east))
    assert resolve_tie(a_then_b, b_then_a) == "tie"
    assert sim.count("compare") == 7
    assert sim.last("compare").image_sizes == ((64, 64), (72, 64))


@pytest.mark.parametrize("style", STYLES)
def test_comparison_styles(east: BedrockRuntimeClient, sim: BedrockSimulator, style: str) -> None:
    sim.script.queue_comparisons("second", style=style)
    response = converse(east, pairwise_prompt(PROMPT, APPLES), images=2)
    if style == "cut":
        assert response["stopReason"] == "max_tokens"
        with pytest.raises(ModelOutputError):
            parse_pairwise(text_of(response))
    else:
        assert parse_pairwise(text_of(response)) == "second"


# -- telling the calls apart, counting them, faults --------------------------------------------


def test_each_call_is_classified_and_counted(
    east: BedrockRuntimeClient, sim: BedrockSimulator
) -> None:
    spec = SPEC
    text_of(converse(east, judge_prompt(PROMPT), images=1))
    text_of(converse(east, revise_prompt(original=PROMPT, latest=PROMPT, reasons=[], spec=spec)))
    brief = revision_brief(APPLES, [])
    request = revise_checklist_prompt(original=PROMPT, latest="v1", brief=brief, spec=spec)
    text_of(converse(east, request))
    write(east)
    check(east)
    compare(east)
    # A marker without the images its call carries is the seed's call.
    text_of(converse(east, checklist_prompt(PROMPT), images=1))
    text_of(converse(east, judge_checklist_prompt(PROMPT, APPLES)))
    text_of(converse(east, pairwise_prompt(PROMPT, APPLES), images=1))
    assert [c.op for c in sim.calls] == [
        "judge",
        "revise",
        "revise",
        "checklist",
        "check",
        "compare",
        "judge",
        "revise",
        "judge",
    ]
    assert {op: sim.count(op) for op in NEW_OPS} == dict.fromkeys(NEW_OPS, 1)
    assert {op: sim.arrivals(op) for op in NEW_OPS} == dict.fromkeys(NEW_OPS, 1)
    assert all(sim.wait_for(op, 1, timeout=5) for op in NEW_OPS)
    assert all(c.region == "us-east-1" for c in sim.calls)
    sim.clear_calls()
    assert sim.arrivals("check") == 0 and sim.count("compare") == 0


def test_latency_applies_per_new_op(east: BedrockRuntimeClient, sim: BedrockSimulator) -> None:
    sim.script.set_latency("check", 30.0)
    sim.script.set_latency("compare", 2.0)
    sim.script.latency_scale = 0.01
    outcome: list[str] = []
    worker = threading.Thread(target=lambda: outcome.append(check(east)), name="test-check")
    worker.start()
    try:
        assert sim.wait_for_arrival("check", 1, timeout=10)
        assert sim.wait_for("check", 1, timeout=10)
    finally:
        worker.join(10)
    assert not worker.is_alive() and len(outcome) == 1
    compare(east)
    write(east)
    assert sim.last("check").latency == pytest.approx(0.3)
    assert sim.last("compare").latency == pytest.approx(0.02)
    assert sim.last("checklist").latency == 0.0


@pytest.mark.parametrize("op", NEW_OPS)
def test_error_faults_target_one_op(
    east: BedrockRuntimeClient, sim: BedrockSimulator, op: str
) -> None:
    sim.script.fail(op, "AccessDeniedException")
    calls: dict[str, Callable[[], str]] = {
        "checklist": lambda: write(east),
        "check": lambda: check(east),
        "compare": lambda: compare(east),
    }
    for name, other in calls.items():
        if name != op:
            other()  # the fault waits for its own op
    call = calls[op]
    with pytest.raises(ClientError) as exc:
        call()
    assert exc.value.response["Error"]["Code"] == "AccessDeniedException"
    assert sim.last(op).error_code == "AccessDeniedException"
    call()  # once only


def test_a_hung_check_is_never_answered(sim: BedrockSimulator) -> None:
    sim.script.hang_next("check")
    client = short_client(sim, 0.3)
    try:
        with pytest.raises(ReadTimeoutError):
            converse(client, judge_checklist_prompt(PROMPT, APPLES), images=1)
    finally:
        client.close()
    assert sim.arrivals("check") == 1 and sim.count("check") == 0
    assert sim.hanging() == 1


def _wire(text: str, images: int) -> dict[str, Any]:
    encoded = base64.b64encode(png_bytes(8, 8)).decode("ascii")
    content: list[Any] = [
        {"image": {"format": "png", "source": {"bytes": encoded}}} for _ in range(images)
    ]
    return {"messages": [{"role": "user", "content": [*content, {"text": text}]}]}


def test_absurd_bodies_for_the_new_ops(sim: BedrockSimulator) -> None:
    assert all(ABSURD_VARIANTS[op] == ABSURD_VARIANTS["judge"] for op in NEW_OPS)
    assert set(NEW_OPS) < set(OPS)
    sim.script.absurd_next("checklist", "not_json")
    sim.script.absurd_next("check", "bad_usage")
    sim.script.absurd_next("compare", "json_array")
    _, body = post(sim, JUDGE, "converse", _wire(checklist_prompt(PROMPT), 0))
    assert body.startswith(b"<html>")
    _, body = post(sim, JUDGE, "converse", _wire(judge_checklist_prompt(PROMPT, APPLES), 1))
    assert json.loads(body)["usage"]["inputTokens"] == "lots"
    _, body = post(sim, JUDGE, "converse", _wire(pairwise_prompt(PROMPT, APPLES), 2))
    assert isinstance(json.loads(body), list)
    assert [c.fault for c in sim.calls] == [
        "absurd:not_json",
        "absurd:bad_usage",
        "absurd:json_array",
    ]
    with pytest.raises(ValueError):
        sim.script.absurd_next("check", "bad_image")


# -- the script as JSON --------------------------------------------------------------------------


def test_script_json_keys() -> None:
    script = SimScript.from_dict(
        {
            "checklists": [
                ["a dog", {"text": "the dog is brown", "must": True, "depends_on": ["c1"]}],
                {"items": ["a cat"], "style": "fenced"},
                {"items": None, "style": "prose"},
                None,
                "raw text",
                {"raw": "{}"},
            ],
            "checks": [
                {"c1": "no", "c2": {"result": "unsure", "evidence": "too small"}},
                {"results": {"c2": ["no", "gone"]}, "style": "partial", "omit": ["c3"]},
                {"results": {}, "default": "no", "style": "cut"},
                "unsure",
                {"raw": "nope"},
            ],
            "comparisons": [
                "first",
                {"better": "tie", "reason": "same", "style": "prose"},
                {"raw": "second"},
            ],
            "default_check": "no",
            "default_comparison": "second",
            "latencies": {"checklist": 1.0, "check": 0.5, "compare": 0.25},
            "faults": {
                "check": [{"kind": "error", "code": "ThrottlingException", "times": 2}],
                "compare": [{"kind": "absurd", "variant": "huge_text"}],
                "checklist": [{"kind": "hang"}],
            },
        }
    )
    assert list(script.checklists) == [
        ChecklistAnswer(
            ("a dog", {"text": "the dog is brown", "must": True, "depends_on": ["c1"]})
        ),
        ChecklistAnswer(("a cat",), "fenced"),
        ChecklistAnswer(None, "prose"),
        ChecklistAnswer(None),
        Raw("raw text"),
        Raw("{}"),
    ]
    assert list(script.checks) == [
        CheckAnswer({"c1": ItemAnswer("no"), "c2": ItemAnswer("unsure", "too small")}),
        CheckAnswer({"c2": ItemAnswer("no", "gone")}, "partial", ("c3",)),
        CheckAnswer({}, "cut", default="no"),
        CheckAnswer(default="unsure"),
        Raw("nope"),
    ]
    assert list(script.comparisons) == [
        CompareAnswer("first"),
        CompareAnswer("tie", "same", "prose"),
        Raw("second"),
    ]
    assert (script.default_check, script.default_comparison) == ("no", "second")
    assert [script.latency(op) for op in NEW_OPS] == [1.0, 0.5, 0.25]
    assert [f.kind for op in NEW_OPS for f in script.faults[op]] == [
        "hang",
        "error",
        "error",
        "absurd",
    ]
    script.reset()
    assert not (script.checklists or script.checks or script.comparisons)
    assert (script.default_check, script.default_comparison) == ("yes", "tie")
    assert script.take_check() == CheckAnswer(default="yes")
    assert script.take_comparison() == CompareAnswer("tie")
    assert script.take_checklist() is None


@pytest.mark.parametrize(
    "bad",
    [
        {"checklists": [{"items": ["a"], "style": "yaml"}]},
        {"checklists": [[]]},
        {"checklists": [[1]]},
        {"checklists": [{"item": ["a"]}]},
        {"checks": [{"c1": "no", "c2": 3}]},
        {"checks": [{"results": {"c1": "no"}, "omit": "c1"}]},
        {"checks": [{"results": {}, "default": "maybe"}]},
        {"checks": [{"results": {}, "colour": "red"}]},
        {"checks": [["c1", "no"]]},
        {"comparisons": ["first", {"better": "both"}]},
        {"comparisons": [1]},
        {"default_check": "maybe"},
        {"default_comparison": "a"},
        {"checklist": []},
    ],
)
def test_bad_script_entries_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        SimScript.from_dict(bad)


# -- the demo --------------------------------------------------------------------------------


def test_demo_checklist_script_fails_the_colour_then_passes(sim: BedrockSimulator) -> None:
    sim.script = demo_checklist_script()
    sim.script.latency_scale = 0.0
    client = make_client(sim.url, region="us-east-1")
    prompt = DEMO_CHECKLIST_PROMPT
    try:
        written = parse_checklist(text_of(converse(client, checklist_prompt(prompt))))

        def judged() -> ItemVerdicts:
            request = judge_checklist_prompt(prompt, written)
            return parse_item_verdicts(text_of(converse(client, request, images=1)), written)

        first, second = judged(), judged()
        brief = revision_brief(written, [(prompt, [first, second])])
        request = revise_checklist_prompt(original=prompt, latest=prompt, brief=brief, spec=SPEC)
        revised = json.loads(text_of(converse(client, request)))
        third = judged()
    finally:
        client.close()
    assert written.to_json() == [dict(i) for i in DEMO_CHECKLIST]
    colour = written.get("c3")
    assert colour is not None and colour.kind == "attribute" and colour.must
    assert [evidence(first, "c3"), evidence(second, "c3")] == list(DEMO_EVIDENCE)
    assert "pink and orange" in brief and DEMO_EVIDENCE[0] in brief
    assert revised == {"revised_prompt": DEMO_REVISION}
    decisions = [decide(written, v) for v in (first, second, third)]
    assert [d.result for d in decisions] == [
        Approval.REJECTED,
        Approval.REJECTED,
        Approval.APPROVED,
    ]
    assert [d.failed for d in decisions] == [("c3",), ("c3",), ()]
    assert decisions[2].badge == "5/5 \u2713"
    assert [c.op for c in sim.calls] == ["checklist", "check", "check", "revise", "check"]


def test_the_verdict_demo_is_unchanged() -> None:
    script = demo_script()
    assert list(script.verdicts) == ["NO", "NO", "YES"]
    assert not (script.checklists or script.checks or script.comparisons)
    assert [script.latency(op) for op in ("generate", "judge", "revise")] == [1.0, 0.6, 0.8]
    checklist_demo = demo_checklist_script()
    assert list(checklist_demo.verdicts) == ["NO", "NO", "YES"]  # verdict mode still works
    assert [checklist_demo.latency(op) for op in NEW_OPS] == [0.8, 0.6, 0.6]

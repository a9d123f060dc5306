"""The judge evaluation against the simulator over HTTP: one call per image with the loop's
own request, figures compared with scripted answers, and how failures are counted."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from imgloop_desktop.core.errors import ServiceError, ValidationError
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.providers.session import DefaultChain
from imgloop_desktop.services import judge_eval
from imgloop_desktop.services.judge_eval import Tally, run_eval
from imgloop_desktop.services.judge_eval_set import EvalCase, builtin_cases
from imgloop_desktop.simulator import CheckAnswer
from imgloop_desktop.simulator.server import BedrockSimulator

CASES = {c.name: c for c in builtin_cases()}


def pick(*names: str) -> list[EvalCase]:
    return [CASES[n] for n in names]


def as_verdict_case(case: EvalCase) -> EvalCase:
    """The case as a verdict-mode run records it: no checklist, approval only."""
    return EvalCase(case.name, case.prompt, None, {}, case.approved, png=case.image_bytes())


def evaluate(cases: Sequence[EvalCase], **changes: object) -> judge_eval.EvalReport:
    return run_eval(cases, RunParams().with_changes(**changes), credentials=DefaultChain())


def test_one_call_per_image_with_the_loops_request(bedrock_sim: BedrockSimulator) -> None:
    """The simulator tells the loop's checklist request ("check") from the whole-prompt one
    ("judge") by its words; tokens are the simulator's own counts."""
    cases = [
        *pick("three-red-circles", "two-red-circles", "square-right-of-circle"),
        as_verdict_case(CASES["sign-misspelt"]),
    ]
    bedrock_sim.script.queue_checks(
        {"c1": "yes", "c2": "yes", "c3": "yes"},  # right
        {"c1": "yes", "c2": "yes", "c3": "yes"},  # c2 is false: a false approval
        {"c1": "no", "c2": "yes", "c3": "no"},  # c1 is true; c3 depends on it: skipped
    )
    bedrock_sim.script.queue_verdicts("NO")
    report = evaluate(cases, judge_image_max_side=256)
    assert [c.op for c in bedrock_sim.calls] == ["check", "check", "check", "judge"]
    assert report.calls == 4
    assert all(size == ((256, 256),) for size in (c.image_sizes for c in bedrock_sim.calls))
    assert report.input_tokens == sum(c.input_tokens or 0 for c in bedrock_sim.calls) > 0
    assert report.output_tokens == sum(c.output_tokens or 0 for c in bedrock_sim.calls) > 0
    third = report.images[2]
    assert [i.result for i in third.items] == ["no", "yes", "skipped"]
    assert [i.said for i in third.items] == ["no", "yes", "no"]
    assert [i.decision for i in report.images] == ["approved", "approved", "rejected", "rejected"]
    # Items: 9 labelled; wrong: two-red c2 (said yes), square-right c1 (said no).
    assert (report.items.n, report.items.correct) == (9, 7)
    assert (report.items.said_yes, report.items.true_yes, report.items.labelled_yes) == (7, 6, 7)
    count = report.by_kind["count"]
    assert (count.n, count.correct, count.precision, count.recall) == (2, 1, 0.5, 1.0)
    approval = report.approval
    assert (approval.n, approval.correct, approval.precision, approval.recall) == (4, 3, 0.5, 1.0)


def test_unsure_missing_and_unreadable_answers_are_counted_not_asked_again(
    bedrock_sim: BedrockSimulator,
) -> None:
    cases = pick("stop-above-triangle", "triangles-right-of-circle", "green-square")
    bedrock_sim.script.queue_checks(
        {"c1": "unsure"},
        CheckAnswer(style="partial", omit=("c2",)),
        "I would rather not say.",
    )
    report = evaluate(cases)
    assert bedrock_sim.count("check") == 3  # the loop would ask again for c2; we do not
    assert [i.decision for i in report.images] == ["review", "review", "error"]
    assert [i.result for i in report.images[1].items] == ["yes", "error", "yes"]
    assert report.images[2].error.startswith("the answer could not be read")
    assert (report.items.n, report.items.unsure, report.items.error) == (9, 1, 4)
    assert (report.approval.unsure, report.approval.error, report.approval.said_yes) == (2, 1, 0)
    assert report.approval.precision is None  # nothing approved: no precision to speak of
    assert report.approval.recall == 0.0


def test_a_timed_out_call_is_that_images_error(bedrock_sim: BedrockSimulator) -> None:
    bedrock_sim.script.fail("check", "ModelTimeoutException")
    report = evaluate(pick("sign-open", "sign-misspelt"))
    assert [i.decision for i in report.images] == ["error", "approved"]  # default: all yes
    assert "timed out" in report.images[0].error
    assert report.calls == bedrock_sim.arrivals("check") == 2
    assert report.items.error == 1


def test_bedrock_refusing_ends_the_evaluation(bedrock_sim: BedrockSimulator) -> None:
    bedrock_sim.script.fail("check", "AccessDeniedException")
    with pytest.raises(ServiceError):
        evaluate(pick("sign-open", "sign-misspelt"))
    assert bedrock_sim.count("check") == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"judge_model_id": "anthropic.claude-sonnet-4-6"}, "judge_model_id"),
        ({"aws_region": "eu-west-1"}, "aws_region"),
        ({"claude_validate_max_tokens": 0}, "claude_validate_max_tokens"),
        ({"judge_image_max_side": -1}, "judge_image_max_side"),
    ],
)
def test_invalid_judge_settings_make_no_call(
    bedrock_sim: BedrockSimulator, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        evaluate(pick("sign-open"), **changes)
    assert field in {p.field for p in caught.value.problems}
    assert bedrock_sim.calls == []


def test_the_demo_script_answers_the_labels_except_its_mistakes() -> None:
    cases = builtin_cases()
    script = judge_eval.demo_script(cases, {})
    assert len(script.checks) == len(cases)
    first = script.checks[0]
    assert isinstance(first, CheckAnswer)
    assert {k: v.result for k, v in first.results.items()} == {
        "c1": "yes",
        "c2": "yes",
        "c3": "yes",
    }


def test_tally_counts_unsure_and_error_as_never_correct() -> None:
    tally = Tally()
    for label, said in [(True, "yes"), (False, "yes"), (True, "no"), (False, "no")]:
        tally.add(label, said)
    tally.add(True, "unsure")
    tally.add(False, "error")
    assert (tally.n, tally.correct, tally.unsure, tally.error) == (6, 2, 1, 1)
    assert (tally.accuracy, tally.precision, tally.recall) == (2 / 6, 0.5, 1 / 3)
    assert Tally().to_json()["accuracy"] is None

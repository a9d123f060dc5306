"""Costs through the run service against the simulator over HTTP (issue 13): a run that
goes all the way makes exactly the calls the estimate's worst case counts and spends no
more than it; a capped run stops before the call that would pass its cap."""

from __future__ import annotations

from decimal import Decimal

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.providers.session import DefaultChain
from imgloop_desktop.services.costs import estimate_run
from imgloop_desktop.services.run import execute
from imgloop_desktop.simulator.script import SimScript
from imgloop_desktop.simulator.server import BedrockSimulator

PARAMS = RunParams(
    prompt="a red fox in snow",
    titan_img_width=512,
    titan_img_height=512,
    max_retry_attempts=2,
    max_prompt_revisions=1,
    judge_mode="verdict",
)


def test_a_run_to_the_worst_case_makes_the_estimates_calls_and_spends_no_more(
    bedrock_sim: BedrockSimulator,
) -> None:
    # Every judge answers unreadably once, then NO; every reviser once unreadably: each
    # retry the worst case counts is made.
    per_image = [SimScript.raw("I am not sure."), "NO"]
    bedrock_sim.script.queue_verdicts(*(per_image * 4))
    bedrock_sim.script.queue_revisions(SimScript.raw("no json"), "a red fox, snow, daylight")
    figures = estimate_run(PARAMS).estimate
    spent: list[ev.Spent] = []

    def keep(event: ev.Event) -> None:
        if isinstance(event, ev.Spent):
            spent.append(event)

    with execute(PARAMS, credentials=DefaultChain(), emit=keep) as run:
        result = run.result
    assert result.outcome is ev.Outcome.NOT_APPROVED

    lines = {line.kind: line for line in figures.breakdown}
    made = {kind: sum(1 for s in spent if s.kind is kind) for kind in ev.CallKind}
    # The estimate counts first asks and asks again apart; the run bills both as the first.
    foreseen = dict.fromkeys(ev.CallKind, 0)
    for line in figures.breakdown:
        foreseen[line.kind.billed_as] += line.calls
    assert made == foreseen
    # Image calls are priced exactly; text calls at their bound (max_tokens out).
    generated = sum((s.cost.known for s in spent if s.kind == "generate"), Decimal(0))
    assert generated == lines["generate"].total.known
    assert result.spent is not None and result.spent.complete
    assert result.spent.known <= figures.worst_case.known
    assert bedrock_sim.count("generate") == lines["generate"].calls


def test_a_capped_run_stops_before_passing_its_cap(bedrock_sim: BedrockSimulator) -> None:
    bedrock_sim.script.default_verdict = "NO"
    # SD3.5 Large is $0.08 an image: room for two images and their judging, not a third.
    params = PARAMS.with_changes(max_retry_attempts=5, max_cost_usd=0.2)
    with execute(params, credentials=DefaultChain()) as run:
        result = run.result
    assert result.outcome is ev.Outcome.BUDGET
    assert bedrock_sim.count("generate") == 2
    assert len(result.candidates) == 2
    assert result.spent is not None and result.spent.known <= Decimal("0.2")
    assert "run cap of $0.2" in result.message

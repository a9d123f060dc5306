"""Checklist runs through the run service against the simulator over HTTP: the checklist
the judge model writes is kept, so the next run of the same prompt pays no call for it, and
the comparison that breaks a tie reaches Bedrock with both images."""

from __future__ import annotations

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.providers.session import DefaultChain
from imgloop_desktop.services.run import execute
from imgloop_desktop.simulator.server import BedrockSimulator

PARAMS = RunParams(
    prompt="two red apples on a blue plate",
    titan_img_width=512,
    titan_img_height=512,
    max_retry_attempts=1,
    max_prompt_revisions=0,
    judge_mode="checklist",
)


def origins(events: list[ev.Event]) -> list[ev.ChecklistOrigin]:
    return [e.origin for e in events if isinstance(e, ev.ChecklistSet)]


def test_a_written_checklist_is_kept_for_the_next_run_of_the_prompt(
    bedrock_sim: BedrockSimulator,
) -> None:
    first: list[ev.Event] = []
    with execute(PARAMS, credentials=DefaultChain(), emit=first.append) as run:
        assert run.result.outcome is ev.Outcome.APPROVED
        written = run.result.checklist
    assert bedrock_sim.count("checklist") == 1
    assert origins(first) == [ev.ChecklistOrigin.WRITTEN]

    second: list[ev.Event] = []
    with execute(PARAMS, credentials=DefaultChain(), emit=second.append) as run:
        assert run.result.checklist == written
    assert bedrock_sim.count("checklist") == 1  # no second call
    assert origins(second) == [ev.ChecklistOrigin.CACHED]

    # Another judge model writes its own.
    other = PARAMS.with_changes(judge_model_id="us.anthropic.claude-haiku-4-5-20251001-v1:0")
    with execute(other, credentials=DefaultChain()):
        pass
    assert bedrock_sim.count("checklist") == 2


def test_a_tie_is_compared_with_both_images_in_both_orders(bedrock_sim: BedrockSimulator) -> None:
    bedrock_sim.script.default_check = "no"
    bedrock_sim.script.queue_comparisons("second", "first")
    params = PARAMS.with_changes(max_retry_attempts=2, prompt="a green kite over a beach")
    with execute(params, credentials=DefaultChain()) as run:
        result = run.result
    assert result.outcome is ev.Outcome.NOT_APPROVED
    compares = [c for c in bedrock_sim.calls if c.op == "compare"]
    assert len(compares) == 2
    assert all(len(c.image_sizes) == 2 for c in compares)
    assert result.best is not None
    assert result.best.candidate.ref == ev.ImageRef(0, 1, 0)
    assert result.best.how == "comparison"

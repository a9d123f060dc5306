"""Caps shared by runs going at once (issue 13), against the simulator: queue items running
together, and a window run beside them, spend from one monthly allowance (and the queue's
items from one queue allowance), so together they never pass a cap; a run whose call does
not fit ends ``budget``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.events import CallKind
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.price_overrides import Overrides
from imgloop_desktop.core.records import HistoryOutcome, QueueState
from imgloop_desktop.providers.session import DefaultChain
from imgloop_desktop.services import costs
from imgloop_desktop.services.batch_engine import monthly_allowance
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.services.run import execute
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.services.test_run_queue import Watched, history, watched

__all__ = ["history", "watched"]  # fixtures

WAIT = 60.0
PARAMS = RunParams(
    prompt="a red fox in snow",
    titan_img_width=512,
    titan_img_height=512,
    max_retry_attempts=2,
    judge_mode="verdict",
    s3_enabled=False,
)
# A cheap judge, so two items' image and verdict fit where a third image does not.
CHEAP_JUDGE = Overrides.from_settings(
    [
        {
            "kind": "text",
            "model": PARAMS.judge_model_id,
            "scope": "regional",
            "input": "0.30",
            "output": "1.50",
        }
    ]
)


def prompts(n: int) -> list[RunParams]:
    return [PARAMS.with_changes(prompt=f"a red fox in snow, take {i}") for i in range(n)]


def two_runs_worth() -> Decimal:
    """A cap with room for two runs' image and verdict at their worst, where three images
    at once do not fit: two and a half images."""
    figures = costs.estimate_run(PARAMS, overrides=CHEAP_JUDGE).estimate
    each = {line.kind: line.each.known for line in figures.breakdown}
    image = each[CallKind.GENERATE]
    # The verdict's worst case counts the image's tokens, and the model may return a larger
    # image than asked: two verdicts at twice the estimate must still fit in half an image.
    assert 4 * each[CallKind.JUDGE] < image / 2
    return image * 5 / 2


def month_left(history: HistoryService, cap: Decimal) -> Callable[[], Decimal | None]:
    """What the window and the command pass: the history's reading of the monthly cap."""
    settings = costs.CostSettings(cap, CHEAP_JUDGE)
    return functools.partial(costs.monthly_left_now, history.db_path, settings=settings)


def test_items_running_at_once_never_pass_the_monthly_cap_together(
    bedrock_sim: BedrockSimulator, watched: Watched, history: HistoryService
) -> None:
    cap = two_runs_worth()
    bedrock_sim.script.hold("generate")  # image calls wait, holding their worst case
    watched.queue.add(prompts(3))
    watched.queue.start(
        DefaultChain(),
        concurrency=3,
        price_overrides=CHEAP_JUDGE,
        monthly_left=month_left(history, cap),
    )
    # Two image calls are out; the third item's does not fit beside them and is not sent.
    assert bedrock_sim.wait_for_arrival("generate", 2, timeout=WAIT)
    watched.wait_for(lambda: HistoryOutcome.BUDGET in watched.outcomes(), "a refused item")
    assert bedrock_sim.arrivals("generate") == 2
    bedrock_sim.script.release("generate")
    watched.wait_for(lambda: watched.queue.summary().done == 3, "every item ended")

    outcomes = watched.outcomes()
    assert sorted(map(str, outcomes)) == ["approved", "approved", "budget"]
    assert bedrock_sim.arrivals("generate") == 2
    spent = history.month_spend()
    assert spent.complete and Decimal(0) < spent.known <= cap
    refused = next(i for i in watched.queue.items() if i.outcome is HistoryOutcome.BUDGET)
    assert refused.state is QueueState.DONE and len(refused.run_ids) == 1
    session = history.session(refused.run_ids[0])
    assert session.outcome is HistoryOutcome.BUDGET
    assert not watched.queue.summary().paused  # the month refused it, not the queue's budget


def test_items_running_at_once_never_pass_the_queue_budget_together(
    bedrock_sim: BedrockSimulator, watched: Watched
) -> None:
    cap = two_runs_worth()
    watched.queue.set_budget(cap)
    bedrock_sim.script.hold("generate")
    watched.queue.add(prompts(3))
    watched.queue.start(DefaultChain(), concurrency=3, price_overrides=CHEAP_JUDGE)
    assert bedrock_sim.wait_for_arrival("generate", 2, timeout=WAIT)
    watched.wait_for(lambda: HistoryOutcome.BUDGET in watched.outcomes(), "a refused item")
    bedrock_sim.script.release("generate")
    watched.wait_for(lambda: watched.queue.summary().running == 0, "nothing running")

    assert sorted(map(str, watched.outcomes())) == ["approved", "approved", "budget"]
    assert bedrock_sim.arrivals("generate") == 2
    summary = watched.queue.summary()
    assert summary.paused  # a budget stop pauses the queue, as before
    assert Decimal(0) < summary.cost_usd <= cap


def test_a_window_run_beside_the_queue_spends_from_the_same_month(
    bedrock_sim: BedrockSimulator, watched: Watched, history: HistoryService
) -> None:
    cap = two_runs_worth()
    left = month_left(history, cap)
    bedrock_sim.script.hold("generate")
    watched.queue.add(prompts(2))
    watched.queue.start(
        DefaultChain(), concurrency=2, price_overrides=CHEAP_JUDGE, monthly_left=left
    )
    assert bedrock_sim.wait_for_arrival("generate", 2, timeout=WAIT)
    # A run started as the window starts one, with the process's monthly allowance: its
    # image does not fit beside the queue's two, so it stops before calling anything.
    with execute(
        PARAMS,
        credentials=DefaultChain(),
        price_overrides=CHEAP_JUDGE,
        monthly_left=monthly_allowance(left),
    ) as run:
        result = run.result
    assert result.outcome is ev.Outcome.BUDGET and "monthly budget" in result.message
    assert bedrock_sim.arrivals("generate") == 2
    bedrock_sim.script.release("generate")
    watched.wait_for(lambda: watched.queue.summary().done == 2, "both items done")
    assert watched.outcomes() == [HistoryOutcome.APPROVED, HistoryOutcome.APPROVED]
    assert history.month_spend().known <= cap

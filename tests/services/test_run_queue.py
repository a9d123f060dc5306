"""The window's run queue against the simulator: items run from the history's queue, their
ends are written back, and pause, cancel, retry, budget and quit behave as a person expects."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest

from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.records import HistoryOutcome, QueueState
from imgloop_desktop.providers.session import DefaultChain
from imgloop_desktop.services.batch_engine import CallLimits
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.services.run_queue import RunQueue
from imgloop_desktop.simulator.server import BedrockSimulator

WAIT = 60.0
SMALL = RunParams(
    prompt="a red fox in snow",
    titan_img_width=512,
    titan_img_height=512,
    max_retry_attempts=2,
    s3_enabled=False,
)


def prompts(n: int) -> list[RunParams]:
    return [SMALL.with_changes(prompt=f"a red fox in snow, take {i}") for i in range(n)]


class Watched:
    """A queue whose ``changed`` wakes a waiting test: no sleeps, one condition."""

    def __init__(self, history: HistoryService) -> None:
        self.cond = threading.Condition()
        self.queue = RunQueue(history, changed=self._changed)

    def _changed(self) -> None:
        with self.cond:
            self.cond.notify_all()

    def wait_for(self, check: Callable[[], bool], what: str) -> None:
        with self.cond:
            assert self.cond.wait_for(check, timeout=WAIT), f"timed out waiting for {what}"

    def states(self) -> list[QueueState]:
        return [item.state for item in self.queue.items()]

    def outcomes(self) -> list[HistoryOutcome | None]:
        return [item.outcome for item in self.queue.items()]


@pytest.fixture
def history() -> Iterator[HistoryService]:
    service = HistoryService.open()
    yield service
    service.close()


@pytest.fixture
def watched(history: HistoryService) -> Iterator[Watched]:
    watched = Watched(history)
    yield watched
    assert watched.queue.close()


def start(watched: Watched, concurrency: int = 2) -> None:
    watched.queue.start(DefaultChain(), concurrency=concurrency)


def test_items_run_in_queue_order_and_their_ends_are_kept(
    bedrock_sim: BedrockSimulator, watched: Watched
) -> None:
    ids = watched.queue.add(prompts(3))
    start(watched, concurrency=1)
    watched.wait_for(lambda: watched.queue.summary().done == 3, "three items done")
    items = watched.queue.items()
    assert [i.id for i in items] == ids
    assert all(i.outcome is HistoryOutcome.APPROVED and len(i.run_ids) == 1 for i in items)
    started = [i.started_at for i in items]
    assert all(s is not None for s in started) and started == sorted(started)  # type: ignore[type-var]
    summary = watched.queue.summary()
    assert (summary.approved, summary.failed, summary.waiting) == (3, 0, 0)


def test_a_paused_queue_starts_nothing_until_resumed(
    bedrock_sim: BedrockSimulator, watched: Watched
) -> None:
    watched.queue.set_paused(True)
    watched.queue.add(prompts(2))
    start(watched)
    assert watched.states() == [QueueState.WAITING, QueueState.WAITING]
    watched.queue.set_paused(False)
    watched.wait_for(lambda: watched.queue.summary().done == 2, "both items done")


def test_cancel_ends_a_running_item_and_drops_a_waiting_one(
    bedrock_sim: BedrockSimulator, watched: Watched
) -> None:
    bedrock_sim.script.set_latency("generate", 0.5)
    first, second = watched.queue.add(prompts(2))
    start(watched, concurrency=1)
    watched.wait_for(
        lambda: bool(watched.queue.items()[0].run_ids), "the first item's run to start"
    )
    watched.queue.cancel([first, second])
    watched.wait_for(
        lambda: watched.states() == [QueueState.CANCELLED, QueueState.CANCELLED],
        "both items cancelled",
    )
    items = watched.queue.items()
    assert items[0].outcome is HistoryOutcome.CANCELLED and len(items[0].run_ids) == 1
    assert items[1].run_ids == ()  # never started
    assert bedrock_sim.arrivals("generate") <= 1


def test_a_failed_item_is_retried_and_then_done(
    bedrock_sim: BedrockSimulator, watched: Watched
) -> None:
    bedrock_sim.script.fail("generate", "AccessDeniedException", times=1)
    (item_id,) = watched.queue.add(prompts(1))
    start(watched)
    watched.wait_for(lambda: watched.states() == [QueueState.FAILED], "the item to fail")
    failed = watched.queue.items()[0]
    assert failed.outcome is HistoryOutcome.ERROR and failed.error
    assert watched.queue.retry() == 1
    watched.wait_for(lambda: watched.states() == [QueueState.DONE], "the retried item done")
    done = watched.queue.items()[0]
    assert done.id == item_id and done.tries == 2 and len(done.run_ids) == 2
    assert done.outcome is HistoryOutcome.APPROVED


def test_the_queue_budget_stops_items_and_pauses_the_queue(
    bedrock_sim: BedrockSimulator, watched: Watched
) -> None:
    watched.queue.set_budget(Decimal("0.0001"))  # less than one image costs
    watched.queue.add(prompts(3))
    start(watched, concurrency=1)
    watched.wait_for(lambda: watched.queue.summary().paused, "the queue to pause itself")
    watched.wait_for(lambda: watched.queue.summary().running == 0, "nothing running")
    items = watched.queue.items()
    assert items[0].outcome is HistoryOutcome.BUDGET
    assert [i.state for i in items[1:]] == [QueueState.WAITING, QueueState.WAITING]
    assert bedrock_sim.arrivals("generate") == 0  # the cap held before any image call


def test_a_quit_keeps_running_items_queued_and_the_next_start_resumes_them(
    bedrock_sim: BedrockSimulator,
) -> None:
    bedrock_sim.script.set_latency("generate", 0.5)
    history = HistoryService.open()
    first = Watched(history)
    first.queue.add(prompts(2))
    first.queue.start(DefaultChain(), concurrency=1)
    first.wait_for(lambda: bool(first.queue.items()[0].run_ids), "the first item's run")
    assert first.queue.close()
    assert first.states() == [QueueState.WAITING, QueueState.WAITING]  # a quit is no cancel
    history.close()

    bedrock_sim.script.set_latency("generate", 0.0)
    reopened = HistoryService.open()
    again = Watched(reopened)
    try:
        assert again.states() == [QueueState.WAITING, QueueState.WAITING]
        again.queue.start(DefaultChain(), concurrency=1)
        again.wait_for(lambda: again.queue.summary().done == 2, "both items done")
        resumed, untouched = again.queue.items()
        assert len(resumed.run_ids) == 2 and resumed.tries == 2
        assert len(untouched.run_ids) == 1 and untouched.tries == 1
        # The run the quit cut short is kept, ended as cancelled, beside the resumed one.
        assert reopened.session(resumed.run_ids[0]).outcome is HistoryOutcome.CANCELLED
        assert reopened.session(resumed.run_ids[1]).outcome is HistoryOutcome.APPROVED
    finally:
        assert again.queue.close()
        reopened.close()


def test_lines_and_files_are_checked_before_anything_is_added(
    watched: Watched, tmp_path: pytest.TempPathFactory
) -> None:
    from pathlib import Path

    from imgloop_desktop.core.errors import ValidationError

    assert len(watched.queue.add_lines("a cat\n\n  a dog  \n", SMALL)) == 2
    assert [i.params.prompt for i in watched.queue.items()] == ["a cat", "a dog"]
    bad = Path(str(tmp_path)) / "bad.jsonl"
    bad.write_text('{"prompt": "fine"}\n{"prompt": "x", "max_retry_attempts": 0}\n')
    with pytest.raises(ValidationError) as caught:
        watched.queue.add_file(bad)
    assert [p.field for p in caught.value.problems] == ["line 2: max_retry_attempts"]
    assert len(watched.queue.items()) == 2  # nothing of the bad file was added


def test_a_reset_image_call_gives_its_slot_back(
    bedrock_sim: BedrockSimulator, watched: Watched
) -> None:
    # The veto on resending a generation raises inside botocore's retry handlers, before
    # the gate's own; the slot must still come back, or one reset stalls the whole queue.
    bedrock_sim.script.reset_next("generate", before_headers=True)
    watched.queue.add(prompts(2))
    watched.queue.start(DefaultChain(), concurrency=2, limits=CallLimits(concurrent_calls=1))
    watched.wait_for(lambda: watched.queue.summary().done == 2, "both items done")


def test_a_cancelled_item_s_waiting_image_call_is_never_sent(
    bedrock_sim: BedrockSimulator, watched: Watched
) -> None:
    # The first item's image call is never answered, so it holds the only slot for good:
    # however loaded the machine, the second item's call can only wait for it.
    bedrock_sim.script.hang_next("generate")
    watched.queue.start(DefaultChain(), concurrency=2, limits=CallLimits(concurrent_calls=1))
    first, second = watched.queue.add(prompts(2))
    assert bedrock_sim.wait_for_arrival("generate", 1, timeout=WAIT), "no first image call"
    watched.wait_for(lambda: all(i.run_ids for i in watched.queue.items()), "both runs")
    watched.queue.cancel([second])
    watched.wait_for(lambda: watched.states()[1] is QueueState.CANCELLED, "the second cancelled")
    watched.queue.cancel([first])
    watched.wait_for(
        lambda: watched.states() == [QueueState.CANCELLED, QueueState.CANCELLED], "both ended"
    )
    assert bedrock_sim.arrivals("generate") == 1  # the second item's call never went out


def test_clearing_done_items_keeps_their_spend_against_the_budget(
    bedrock_sim: BedrockSimulator, watched: Watched
) -> None:
    watched.queue.add(prompts(2))
    start(watched)
    watched.wait_for(lambda: watched.queue.summary().done == 2, "both items done")
    spent = watched.queue.summary().cost_usd
    assert spent > 0
    watched.queue.set_paused(True)
    watched.queue.add(prompts(1))
    assert watched.queue.clear_finished() == 2
    assert watched.queue.summary().cost_usd == spent  # the budget still sees it
    assert watched.queue.remove([i.id for i in watched.queue.items()]) == 1
    assert watched.queue.summary().cost_usd == 0  # an emptied queue starts over


def test_an_item_cancelled_just_before_a_quit_stays_cancelled(
    bedrock_sim: BedrockSimulator, watched: Watched
) -> None:
    bedrock_sim.script.set_latency("generate", 0.5)
    (item_id,) = watched.queue.add(prompts(1))
    start(watched)
    watched.wait_for(lambda: bool(watched.queue.items()[0].run_ids), "its run to start")
    watched.queue.cancel([item_id])
    assert watched.queue.close()
    assert watched.states() == [QueueState.CANCELLED]

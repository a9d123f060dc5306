"""Issue 14's promise: a queue of ten items, killed (SIGKILL) in the middle, resumes at the
next start and finishes with nothing lost and nothing run twice.

The queue runs in a real child process against the simulator; it prints one line each
time an item ends, so the parent kills it at a known point (four items done, others under
way) without guessing with sleeps.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.records import HistoryOutcome, QueueState
from imgloop_desktop.providers.session import DefaultChain
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.services.run_queue import RunQueue
from imgloop_desktop.simulator.server import BedrockSimulator

ITEMS = 10
KILL_AFTER = 4
CHILD = """
import sys, threading
from imgloop_desktop.providers.session import DefaultChain
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.services.run_queue import RunQueue

history = HistoryService.open()
lock = threading.Lock()
seen = set()

def changed():
    with lock:
        for item in history.queue_items():
            if item.state.value == "done" and item.id not in seen:
                seen.add(item.id)
                print("done", item.id, flush=True)

queue = RunQueue(history, changed=changed)
queue.start(DefaultChain(), concurrency=2)
threading.Event().wait()  # until killed
"""


def test_a_killed_queue_resumes_and_finishes_with_nothing_lost_or_run_twice(
    bedrock_sim: BedrockSimulator,
) -> None:
    bedrock_sim.script.set_latency("generate", 0.2)
    base = RunParams(
        prompt="a lighthouse at dawn",
        titan_img_width=512,
        titan_img_height=512,
        max_retry_attempts=2,
        s3_enabled=False,
    )
    with HistoryService.open() as history:
        ids = RunQueue(history).add(
            [base.with_changes(prompt=f"a lighthouse at dawn, plate {n}") for n in range(ITEMS)]
        )

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=dict(os.environ),
    )
    try:
        assert child.stdout is not None
        done_before = [child.stdout.readline().split()[1] for _ in range(KILL_AFTER)]
        assert all(done_before), "the child ended before finishing four items"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        if child.stdout is not None:
            child.stdout.close()

    history = HistoryService.open()  # the start after the crash: recovery runs here
    finished = threading.Event()

    def changed() -> None:
        if history.queue_summary().done == ITEMS:
            finished.set()

    queue = RunQueue(history, changed=changed)
    try:
        left = [i for i in queue.items() if i.state is not QueueState.DONE]
        assert left and all(i.state is QueueState.WAITING for i in left)
        queue.start(DefaultChain(), concurrency=2)
        assert finished.wait(60), "the resumed queue did not finish"
    finally:
        assert queue.close()
    items = queue.items()
    history.close()

    assert [i.id for i in items] == ids  # nothing lost, order kept
    assert all(i.state is QueueState.DONE for i in items)
    assert all(i.outcome is HistoryOutcome.APPROVED for i in items)
    cut_short = 0
    with HistoryService.open() as check:
        for item in items:
            outcomes = [check.session(run_id).outcome for run_id in item.run_ids]
            # Exactly one run of each item finished; any other was cut short by the kill.
            assert outcomes.count(HistoryOutcome.APPROVED) == 1, (item.id, outcomes)
            assert set(outcomes) <= {HistoryOutcome.APPROVED, HistoryOutcome.INTERRUPTED}
            assert item.tries >= len(outcomes)  # a claim cut short before its run began
            cut_short += outcomes.count(HistoryOutcome.INTERRUPTED)
        done_first = {int(i) for i in done_before}
        assert all(len(i.run_ids) == 1 for i in items if i.id in done_first)
    assert cut_short >= 1  # the kill did land in the middle of a run

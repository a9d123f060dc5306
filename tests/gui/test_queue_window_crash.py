"""Issue 14's promise, in the window itself: a queue of ten items, the app killed (SIGKILL)
in the middle, resumes at the next start and finishes with nothing lost and nothing run
twice.

``tests/services/test_run_queue_crash.py`` proves it for ``RunQueue`` alone; here the REAL
app runs as a child process (``python -m imgloop_desktop.launcher``, offscreen), as a person
starts it: the window opens the history, finds the queue waiting and not paused, and runs it
on the standard AWS chain (fake environment keys, which also skip the first-run welcome),
pointed at the test's Bedrock simulator. The parent only watches the history file read-only
and holds the simulator's image calls, so the kill lands at a known point: some items done,
at least one item's image call on the wire, and every image already answered recorded.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.records import HistoryOutcome, QueueState
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.services.queue_limits import QueueLimits, save_limits
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.conftest import FAKE_KEY_ID

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL and SIGTERM")

ITEMS = 10
KILL_AFTER = 4  # items done before the kill
DEADLINE_SECONDS = 45.0
POLL_SECONDS = 0.02
# One image call every half second (the engine paces them one at a time): slow enough that
# the parent holds the next call long before the queue could finish, fast enough for a test.
LIMITS = QueueLimits(items_at_once=3, image_calls_at_once=2, image_calls_per_minute=120)


def wait_until(condition: Callable[[], bool], what: str, app: subprocess.Popen[bytes]) -> None:
    """Poll the running app's effects, bounded by a deadline; the app cannot call us back."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        if app.poll() is not None:
            raise AssertionError(f"the app exited ({app.returncode}) before {what}")
        threading.Event().wait(POLL_SECONDS)
    raise AssertionError(f"no {what} within {DEADLINE_SECONDS}s")


@dataclass(frozen=True)
class Snapshot:
    """What the history file says at one moment, read without taking part in it."""

    states: dict[int, str]
    runs: dict[int, tuple[str, ...]]
    images: int

    def done(self) -> int:
        return sum(1 for state in self.states.values() if state == QueueState.DONE.value)


def read_history(db: Path) -> Snapshot:
    """A read-only look (no recovery, no writes): the app owns the file while it runs."""
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=5.0)
    try:
        states = dict(conn.execute("SELECT id, state FROM queue_items").fetchall())
        runs: dict[int, list[str]] = {item: [] for item in states}
        for item, run_id in conn.execute(
            "SELECT q.item_id, q.run_id FROM queue_runs q JOIN runs r ON r.run_id = q.run_id "
            "ORDER BY r.started_at, r.id"
        ):
            runs[item].append(run_id)
        (images,) = conn.execute("SELECT count(*) FROM images").fetchone()
    finally:
        conn.close()
    return Snapshot(states, {k: tuple(v) for k, v in runs.items()}, int(images))


class App:
    """The real app on ``data``, its output kept in files (a pipe nobody reads would fill
    up and stall it)."""

    def __init__(self, data: Path, tmp_path: Path, sim: BedrockSimulator) -> None:
        self.data = data
        self.tmp_path = tmp_path
        self.sim = sim
        self.starts = 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> subprocess.Popen[bytes]:
        self.starts += 1
        env = {
            **os.environ,  # fake AWS keys and the simulator's endpoint (the fixtures')
            **self.sim.control_plane_env(),
            "QT_QPA_PLATFORM": "offscreen",
            "XDG_CONFIG_HOME": str(self.tmp_path / "config"),  # QSettings of its own
        }
        out = self.tmp_path / f"app-{self.starts}.out"
        with out.open("wb") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "imgloop_desktop.launcher", "--data-dir", str(self.data)],
                stdout=sink,
                stderr=subprocess.STDOUT,
                env=env,
            )
        return self.process

    def output(self) -> str:
        return (self.tmp_path / f"app-{self.starts}.out").read_text(errors="replace")

    def stop(self) -> None:
        """Kill whatever is left (a failed test); never waits on a hung app."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


@pytest.fixture
def app(isolated_env: Path, tmp_path: Path, bedrock_sim: BedrockSimulator) -> Iterator[App]:
    runner = App(isolated_env, tmp_path, bedrock_sim)
    try:
        yield runner
    finally:
        runner.stop()
        bedrock_sim.script.release("generate")  # a held call must not outlive the test


def test_a_queue_in_the_window_killed_mid_run_resumes_and_finishes_nothing_lost_or_twice(
    app: App, bedrock_sim: BedrockSimulator
) -> None:
    sim = bedrock_sim
    base = RunParams(
        prompt="a lighthouse at dawn",
        titan_img_width=512,
        titan_img_height=512,
        max_retry_attempts=2,
        s3_enabled=False,
    )
    save_limits(LIMITS)
    with HistoryService.open() as history:
        ids = history.queue_add(
            [base.with_changes(prompt=f"a lighthouse at dawn, plate {n}") for n in range(ITEMS)]
        )
        assert not history.queue_paused()
        db = history.db_path

    # The first start: the window resumes the waiting queue by itself.
    first = app.start()
    wait_until(lambda: read_history(db).done() >= KILL_AFTER, f"{KILL_AFTER} items done", first)
    sim.script.hold("generate")
    held_from = sim.arrivals("generate")

    def cut_in_the_middle() -> bool:
        """A call that came after the hold waits on the wire, and every image the
        simulator answered is recorded (held calls cannot be answered meanwhile)."""
        arrived, answered = sim.arrivals("generate"), sim.count("generate")
        return arrived > held_from and answered == read_history(db).images

    wait_until(cut_in_the_middle, "an image call held mid-run", first)
    first.send_signal(signal.SIGKILL)
    assert first.wait(timeout=30) == -signal.SIGKILL

    at_kill = read_history(db)
    arrived_at_kill, answered_at_kill = sim.arrivals("generate"), sim.count("generate")
    lost_calls = arrived_at_kill - at_kill.images  # image calls the kill cut short
    assert answered_at_kill == at_kill.images  # every answered image call was kept
    assert lost_calls >= 1
    done_at_kill = {i for i, state in at_kill.states.items() if state == QueueState.DONE.value}
    assert KILL_AFTER <= len(done_at_kill) < ITEMS
    running_at_kill = {
        i for i, state in at_kill.states.items() if state == QueueState.RUNNING.value
    }
    assert running_at_kill, "the kill did not land while items were running"
    assert all(len(at_kill.runs[i]) == 1 for i in done_at_kill)

    # The start after the crash: recovery, then the queue resumes on its own.
    second = app.start()
    sim.script.release("generate")  # the dead app's held calls are answered into nothing
    wait_until(lambda: read_history(db).done() == ITEMS, "the whole queue done", second)
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=60) == 0, app.output()

    with HistoryService.open() as check:
        items = check.queue_items()
        assert [i.id for i in items] == ids  # nothing lost, order kept
        assert all(i.state is QueueState.DONE for i in items)
        assert all(i.outcome is HistoryOutcome.APPROVED for i in items)
        all_runs = [run_id for item in items for run_id in item.run_ids]
        assert len(all_runs) == len(set(all_runs))  # no run counted for two items
        assert check.count_sessions() == len(all_runs)  # and none outside the queue
        trees = {run_id: check.session(run_id) for run_id in all_runs}

    new_runs: list[str] = []
    for item in items:
        outcomes = [trees[r].outcome for r in item.run_ids]
        assert outcomes.count(HistoryOutcome.APPROVED) == 1, (item.id, outcomes)
        before = at_kill.runs[item.id]
        assert item.run_ids[: len(before)] == before  # what the crash left is kept
        after = item.run_ids[len(before) :]
        new_runs += after
        if item.id in done_at_kill:
            assert after == ()  # a finished item is never run again
        elif before and trees[before[-1]].outcome is HistoryOutcome.INTERRUPTED:
            # Cut short: its interrupted run kept, plus exactly one more that finished.
            assert set(outcomes[:-1]) == {HistoryOutcome.INTERRUPTED}, (item.id, outcomes)
            assert len(after) == 1 and outcomes[-1] is HistoryOutcome.APPROVED
        else:
            assert len(after) <= 1  # waiting at the kill, or its run ended just before it
    cut_short = [
        i for i in items if HistoryOutcome.INTERRUPTED in {trees[r].outcome for r in i.run_ids}
    ]
    assert cut_short and {i.id for i in cut_short} <= running_at_kill

    # Nothing run twice: every image call after the restart is one new run's one image,
    # and every call of both starts is an image the history holds, or one the kill cut.
    images_of = {run_id: len(list(tree.images())) for run_id, tree in trees.items()}
    assert all(images_of[r] == 1 for r in new_runs)
    assert sim.arrivals("generate") - arrived_at_kill == len(new_runs)
    assert sim.arrivals("generate") == sum(images_of.values()) + lost_calls
    assert {c.access_key_id for c in sim.calls} == {FAKE_KEY_ID}  # the AWS chain, not the demo

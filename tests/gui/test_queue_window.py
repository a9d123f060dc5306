"""The run queue in the real window against the simulator: prompts added from the form and
from pasted lines run, the dock shows their ends, choosing an item shows its run in the
gallery, and a quit mid-queue resumes at the next start."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.records import HistoryOutcome, QueueState
from imgloop_desktop.gui.main_window import MainWindow
from imgloop_desktop.services.backends import DEFAULT_KEY
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.gui.window_runs import RUN_TIMEOUT_MS, MakeWindow

SMALL = RunParams(
    prompt="a lighthouse at dawn",
    titan_img_width=512,
    titan_img_height=512,
    max_retry_attempts=2,
    s3_enabled=False,
)


def ready(make_window: MakeWindow) -> MainWindow:
    window = make_window()
    window.select_backend(DEFAULT_KEY)
    window.form.set_params(SMALL)
    return window


def states(window: MainWindow) -> list[QueueState]:
    return [item.state for item in window.queue_sync.panel.items]


def test_items_from_the_form_and_pasted_lines_run_and_show_their_ends(
    make_window: MakeWindow, qtbot: QtBot, bedrock_sim: BedrockSimulator
) -> None:
    window = ready(make_window)
    assert window.add_to_queue()
    window.queue_sync.add_lines("a red cube\n\na blue sphere\n")
    qtbot.waitUntil(lambda: states(window) == [QueueState.DONE] * 3, timeout=RUN_TIMEOUT_MS)
    panel = window.queue_sync.panel
    assert window.queue_sync.dock.isVisible()
    assert [i.params.prompt for i in panel.items] == [
        "a lighthouse at dawn",
        "a red cube",
        "a blue sphere",
    ]
    form = window.form.params()
    for queued in panel.items:  # every other setting is the form's
        assert queued.params.with_changes(prompt=form.prompt) == form
    assert "3 of 3 done" in panel.summary_label.text()
    assert panel.progress.value() == 3
    with qtbot.waitSignal(window.queue_sync.openSession) as opened:
        panel.table.selectRow(1)
    assert opened.args == [panel.items[1].last_run_id]


def test_a_bad_queue_file_adds_nothing_and_says_which_line(
    make_window: MakeWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = ready(make_window)
    with qtbot.waitSignal(window.queue_sync.message):
        window.queue_sync.set_paused(True)
    bad = tmp_path / "prompts.jsonl"
    bad.write_text('{"prompt": "fine"}\n{"prompt": "x", "max_retry_attempts": 0}\n')
    with qtbot.waitSignal(window.queue_sync.message) as said:
        window.queue_sync.add_files([bad])
    assert "line 2: max_retry_attempts" in said.args[0]
    good = tmp_path / "prompts.csv"
    good.write_text("prompt,max_retry_attempts\na cat,1\na dog,3\n")
    window.queue_sync.add_files([good])
    qtbot.waitUntil(lambda: len(window.queue_sync.panel.items) == 2)
    assert [i.params.max_retry_attempts for i in window.queue_sync.panel.items] == [1, 3]
    assert states(window) == [QueueState.WAITING] * 2  # paused: nothing started


def test_a_quit_mid_queue_resumes_at_the_next_start(
    make_window: MakeWindow, qtbot: QtBot, bedrock_sim: BedrockSimulator
) -> None:
    bedrock_sim.script.hold("generate")  # the quit lands while an image call is out
    window = ready(make_window)
    window.queue_sync.add_lines("one\ntwo\nthree\n")
    try:
        qtbot.waitUntil(
            lambda: bedrock_sim.wait_for_arrival("generate", 1, timeout=0), timeout=RUN_TIMEOUT_MS
        )
        window.close()
    finally:
        bedrock_sim.script.release("generate")

    again = ready(make_window)
    qtbot.waitUntil(lambda: states(again) == [QueueState.DONE] * 3, timeout=RUN_TIMEOUT_MS)
    items = again.queue_sync.panel.items
    assert any(len(i.run_ids) == 2 for i in items)  # the one the quit cut short, run again
    assert all(i.outcome is not None for i in items)
    for item in items:  # nothing run twice: one approved run, at most the one cut short
        ends = [again.history.session(r).outcome for r in item.run_ids]
        assert ends.count(HistoryOutcome.APPROVED) == 1, ends
        assert ends.count(HistoryOutcome.CANCELLED) == len(ends) - 1 <= 1, ends


def test_limits_open_preferences_on_the_queue_page(make_window: MakeWindow, qtbot: QtBot) -> None:
    window = ready(make_window)
    window.queue_sync.panel.limits_button.click()
    dialog = window.account_sync.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.tabs.currentWidget() is dialog.queue_page
    dialog.reject()

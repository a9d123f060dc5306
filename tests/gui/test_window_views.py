"""The window's views: after a run the gallery's requests open the large viewer and the
compare view over the three columns (Esc brings them back); Ctrl+H toggles the history;
Run again asks before it runs; a saved size larger than the screen opens inside it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from imgloop_desktop.core.events import Outcome
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.services.backends import DEFAULT_KEY, DEMO_KEY, Backends
from imgloop_desktop.simulator.demo import DEMO_CHECKLIST_PROMPT, DemoBackend, demo_checklist_script
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.gui.window_runs import RUN_TIMEOUT_MS, MakeWindow, run_to_end


def test_view_and_compare_open_over_the_columns_and_esc_returns(
    make_window: MakeWindow, qtbot: QtBot, bedrock_sim: BedrockSimulator
) -> None:
    bedrock_sim.script.queue_verdicts("NO")  # two images: one rejected, one approved
    window = make_window()
    params = RunParams(
        prompt="a lighthouse", titan_img_width=512, titan_img_height=512, s3_enabled=False
    )
    run_to_end(qtbot, window, params)
    gallery, viewers = window.gallery, window.viewers
    qtbot.waitUntil(lambda: len(gallery.model.image_ids()) == 2)
    first, second = gallery.model.image_ids()
    gallery.select_image(first)
    gallery.request_view()
    qtbot.waitUntil(lambda: viewers.currentWidget() is viewers.viewer)
    assert viewers.viewer.current_id == first
    qtbot.keyClick(viewers.viewer.canvas, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: viewers.currentWidget() is viewers.page)
    viewers.open_compare([first, second])
    assert viewers.currentWidget() is viewers.compare


def test_ctrl_h_toggles_the_history_and_run_again_asks_first(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window()
    window.history_action.trigger()
    assert window.history_dock.isVisible()
    window.history_action.trigger()
    assert not window.history_dock.isVisible()
    window.run_again(RunParams(prompt="once more"))
    assert window.form.params().prompt == "once more"
    box = window.run_again_box
    assert box.isVisible() and not window.controller.is_running
    not_now = next(b for b in box.buttons() if "Not now" in b.text())
    not_now.click()
    assert not window.controller.is_running


def test_a_saved_size_larger_than_the_screen_opens_inside_it(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    first = make_window()
    first.resize(5000, 4000)
    first.move(3000, 2000)
    first.close()  # saves the layout
    again = make_window()
    room = again.screen().availableGeometry()
    frame = again.frameGeometry().size() - again.geometry().size()
    # The offscreen test screen (800 px) is narrower than the window's minimum (the three
    # columns); never wider than the larger of the two, and as high as the screen at most.
    smallest = again.minimumSizeHint().width() + frame.width()
    assert again.frameGeometry().width() <= max(room.width(), smallest)
    assert again.frameGeometry().height() <= room.height()
    assert room.contains(again.frameGeometry().topLeft())


def test_the_viewer_follows_a_live_run(
    make_window: MakeWindow, qtbot: QtBot, bedrock_sim: BedrockSimulator
) -> None:
    """Opened on an image the judge has not answered yet: the verdict appears in the viewer
    when it comes, and an image made after the viewer opened is one arrow away."""
    script = bedrock_sim.script
    script.queue_verdicts("NO")  # two images: the first rejected, the second approved
    script.hold("judge")
    window = make_window()
    window.select_backend(DEFAULT_KEY)
    window.form.set_params(
        RunParams(
            prompt="a lighthouse", titan_img_width=512, titan_img_height=512, s3_enabled=False
        )
    )
    gallery, viewers = window.gallery, window.viewers
    viewer = viewers.viewer
    try:
        assert window.start_run()
        qtbot.waitUntil(
            lambda: bedrock_sim.wait_for_arrival("judge", 1, timeout=0), timeout=RUN_TIMEOUT_MS
        )
        qtbot.waitUntil(lambda: len(gallery.model.image_ids()) == 1, timeout=RUN_TIMEOUT_MS)
        (first,) = gallery.model.image_ids()
        gallery.select_image(first)
        gallery.request_view()
        qtbot.waitUntil(lambda: viewer.record is not None and viewer.current_id == first)
        assert viewer.record is not None and viewer.record.verdict is None
        assert viewer.reason_label.text() == "not judged"
    finally:
        script.release("judge")
    qtbot.waitUntil(
        lambda: viewer.record is not None and viewer.record.verdict is not None,
        timeout=RUN_TIMEOUT_MS,
    )
    assert viewer.record is not None and viewer.record.verdict is not None
    assert viewer.record.verdict.result == "NO"
    assert viewer.reason_label.text() != "not judged"
    qtbot.waitUntil(lambda: not window.controller.is_running, timeout=RUN_TIMEOUT_MS)
    qtbot.waitUntil(lambda: len(gallery.model.image_ids()) == 2)
    second = gallery.model.image_ids()[1]
    assert viewers.currentWidget() is viewer  # the run's end did not close it
    qtbot.keyClick(viewer, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: viewer.current_id == second and viewer.record is not None)
    assert viewer.record is not None and viewer.record.image_id == second


def test_the_checklist_demo_tells_its_story_in_the_window(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    """The offline demo as a person runs it: the colour requirement fails twice, the prompt
    is revised, the next image meets every requirement; the gallery says so in scores."""
    script = demo_checklist_script()
    script.latency_scale = 0.0
    window = make_window(backends=Backends(lambda: DemoBackend(script)))
    assert window.select_backend(DEMO_KEY)
    window.form.set_params(
        RunParams(
            prompt=DEMO_CHECKLIST_PROMPT,
            max_retry_attempts=2,
            max_prompt_revisions=2,
            judge_mode="checklist",
            s3_enabled=False,
        )
    )
    with qtbot.waitSignal(window.controller.finished, timeout=RUN_TIMEOUT_MS) as signal:
        assert window.start_run()
    result = signal.args[0]
    assert result.outcome is Outcome.APPROVED and len(result.prompts) == 2
    model = window.gallery.model
    qtbot.waitUntil(lambda: len(model.image_ids()) == 3)
    scores = [model.item(r).score for r in range(model.rowCount()) if model.item(r).image_id >= 0]
    assert scores == ["4/5 ✗", "4/5 ✗", "5/5 ✓"]
    window.gallery.select_image(model.image_ids()[0])
    qtbot.waitUntil(lambda: window.details.checks.rowCount() == 5)
    checks = window.details.checks  # the judge's answer, then the requirement
    failed = [checks.item(r, 1).text() for r in range(5) if checks.item(r, 0).text() != "✓ yes"]
    assert len(failed) == 1 and "pink and orange" in failed[0]

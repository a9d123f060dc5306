"""The large viewer and the compare view in the real window: after a run, the gallery's
requests open them over the three columns, and Esc brings the columns back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from imgloop_desktop.core.params import RunParams
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.gui.window_runs import MakeWindow, run_to_end


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

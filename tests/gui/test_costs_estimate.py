"""The estimate beside Run (issue 13): it follows the form, says unknown prices as unknown
(never $0), shows nothing for parameters no run takes, and asks the history for the median
attempts once per model pair, off the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from imgloop_desktop.core.cost import Cost
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.price_overrides import Overrides
from imgloop_desktop.gui import cost_view
from imgloop_desktop.gui.cost_view import CostEstimateView, short_cost, summary_text
from imgloop_desktop.gui.main_window import MainWindow
from imgloop_desktop.services.costs import estimate_run
from imgloop_desktop.services.history import HistoryService

UNPRICED_JUDGE = "us.meta.llama3-2-90b-instruct-v1:0"
UNPRICED_IMAGE = "amazon.nova-canvas-v1:0"


class MedianHistory(HistoryService):
    """A history whose median attempts are given, counting the questions and their threads."""

    def __init__(self, db_path: Path, medians: dict[tuple[str, str], float | None]) -> None:
        super().__init__(db_path)
        self.medians = medians
        self.asked: list[tuple[str, str]] = []
        self.threads: set[str] = set()

    def median_attempts(self, image_model_id: str, judge_model_id: str) -> float | None:
        self.asked.append((image_model_id, judge_model_id))
        self.threads.add(threading.current_thread().name)
        return self.medians.get((image_model_id, judge_model_id))


@pytest.fixture
def history(tmp_path: Path) -> Iterator[MedianHistory]:
    service = MedianHistory(tmp_path / "history.sqlite3", {})
    yield service
    service.close()


@pytest.fixture
def view(qtbot: QtBot, history: MedianHistory) -> Iterator[CostEstimateView]:
    widget = CostEstimateView(history)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.close_workers()


def settle(qtbot: QtBot, view: CostEstimateView) -> None:
    qtbot.waitUntil(lambda: not view.pending, timeout=5000)


def params(**changes: object) -> RunParams:
    return RunParams(prompt="a lighthouse at dusk", judge_mode="checklist").with_changes(**changes)


def test_the_line_follows_the_parameters(qtbot: QtBot, view: CostEstimateView) -> None:
    first = params(max_retry_attempts=2, max_prompt_revisions=0)
    view.show_params(first)
    settle(qtbot, view)
    assert view.summary_label.text() == summary_text(estimate_run(first))
    assert view.summary_label.text().startswith("First try ≈ $")
    assert " · worst case $" in view.summary_label.text()
    assert "expected" not in view.summary_label.text()  # no history for this pair
    before = view.figures
    assert before is not None

    more = first.with_changes(max_retry_attempts=8, max_prompt_revisions=3)
    view.show_params(more)
    settle(qtbot, view)
    after = view.figures
    assert after is not None
    assert after.estimate.worst_case.known > before.estimate.worst_case.known
    assert view.summary_label.text() == summary_text(estimate_run(more))
    # The breakdown is on hover: every kind of call with its count and price.
    tip = view.toolTip()
    assert cost_view.TIP_HEAD in tip
    assert "Generate: " in tip and "Judge: " in tip and "Revise: " in tip
    assert cost_view.TIP_NO_HISTORY in tip
    assert not view.missing_label.isVisible()


def test_unknown_prices_are_unknown_never_zero(qtbot: QtBot, view: CostEstimateView) -> None:
    view.show_params(params(judge_model_id=UNPRICED_JUDGE))
    settle(qtbot, view)
    text = view.summary_label.text()
    assert "+ unknown" in text  # the image part is priced, the judge's is not
    assert "$0.00" not in text
    assert view.missing_label.isVisible()
    assert f"no price for text model {UNPRICED_JUDGE}" in view.missing_label.text()
    assert "unknown (" in view.toolTip() or "incomplete:" in view.toolTip()

    view.show_params(params(image_model_id=UNPRICED_IMAGE, judge_model_id=UNPRICED_JUDGE))
    settle(qtbot, view)
    assert view.summary_label.text() == "First try ≈ unknown · worst case unknown"
    assert "unknown (" in view.toolTip()


def test_invalid_parameters_show_no_estimate(qtbot: QtBot, view: CostEstimateView) -> None:
    view.show_params(params())
    settle(qtbot, view)
    assert view.isVisible()
    view.show_params(params(prompt=""))  # no run takes an empty prompt
    settle(qtbot, view)
    assert view.figures is None
    assert not view.isVisible()


def test_expected_comes_from_the_history_once_per_pair(
    qtbot: QtBot, view: CostEstimateView, history: MedianHistory
) -> None:
    run = params(max_retry_attempts=4, max_prompt_revisions=2)
    pair = (run.image_model_id, run.judge_model_id)
    history.medians[pair] = 2.0
    view.show_params(run)
    qtbot.waitUntil(lambda: "expected" in view.summary_label.text(), timeout=5000)
    assert view.summary_label.text() == summary_text(estimate_run(run, median_attempts=2.0))
    assert "your median of 2 attempt(s)" in view.toolTip()
    assert history.threads and not any(t == "MainThread" for t in history.threads)

    # Another field changes: the median is not asked again.
    view.show_params(run.with_changes(titan_img_number_of_images=2))
    settle(qtbot, view)
    assert "expected" in view.summary_label.text()
    assert history.asked == [pair]

    # A run ended: the median may have moved, so it is asked again.
    view.forget_history()
    settle(qtbot, view)
    assert history.asked == [pair, pair]


def test_the_persons_prices_are_used(qtbot: QtBot, view: CostEstimateView) -> None:
    run = params(judge_model_id=UNPRICED_JUDGE)
    rows = [{"kind": "text", "model": UNPRICED_JUDGE, "input": "1", "output": "2"}]
    overrides = Overrides.from_settings(rows)
    view.set_overrides(overrides)
    view.show_params(run)
    settle(qtbot, view)
    assert "unknown" not in view.summary_label.text()
    assert view.summary_label.text() == summary_text(estimate_run(run, overrides=overrides))
    assert cost_view.TIP_OVERRIDES in view.toolTip()

    view.set_overrides(None, problem="1 bad value(s)")
    settle(qtbot, view)
    assert cost_view.BAD_SETTINGS.format(what="1 bad value(s)") in view.missing_label.text()


def test_short_figures() -> None:
    assert short_cost(Cost.of("0.2330")) == "$0.23"
    assert short_cost(Cost.of("6.7033")) == "$6.70"
    assert short_cost(Cost.of("1234.5")) == "$1,234.50"
    assert short_cost(Cost.of("0.004")) == "< $0.01"
    assert short_cost(Cost.unknown("no price for x")) == "unknown"
    assert short_cost(Cost(Decimal("0.08"), ("no price for y",))) == "≥ $0.08 + unknown"


def test_the_window_shows_the_estimate_under_run(qtbot: QtBot) -> None:
    window = MainWindow(profiles=[])
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.waitUntil(lambda: window.recovery_report is not None)
        view = window.cost_estimate
        settle(qtbot, view)
        assert not view.isVisible()  # a new window's empty prompt: no run takes it
        # The per-run budget row the form builds from its declaration.
        assert window.form.field_widget("max_cost_usd").text() == "0 = no cap"
        window.form.prompt_edit.setPlainText("a lighthouse at dusk")
        qtbot.waitUntil(lambda: view.figures is not None and not view.pending)
        assert view.isVisible()
        assert view.summary_label.text() == summary_text(estimate_run(window.form.params()))
        window.form.images_spin.setValue(3)
        qtbot.waitUntil(lambda: view.figures is not None and not view.pending)
        assert view.summary_label.text() == summary_text(estimate_run(window.form.params()))
        window.form.prompt_edit.setPlainText("")  # invalid: the form marks it, no estimate
        qtbot.waitUntil(lambda: not view.pending and not view.isVisible())
    finally:
        window.close()
        assert window.controller.wait()


def test_a_run_cap_below_the_worst_case_is_said(qtbot: QtBot, view: CostEstimateView) -> None:
    run = params(max_cost_usd=0.3)
    view.show_params(run)
    settle(qtbot, view)
    assert view.summary_label.text().endswith(" · run cap $0.30")
    assert not view.missing_label.isVisible()

    view.show_params(params(max_cost_usd=0.05))  # below even the first image
    settle(qtbot, view)
    assert view.missing_label.text() == cost_view.CAP_BELOW_FIRST.format(cap="$0.0500")

    view.show_params(params(max_cost_usd=500))  # never reached: nothing to say
    settle(qtbot, view)
    assert "run cap" not in view.summary_label.text()

"""The Queue dock as a view: rows, progress and summary from plain data, and what each
button asks for (the window's glue and the history are tested elsewhere)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from pytestqt.qtbot import QtBot

from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.records import HistoryOutcome, QueueItem, QueueState, QueueSummary
from imgloop_desktop.gui.queue_panel import EMPTY, QueuePanel, summary_text, time_left

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def item(n: int, state: QueueState, outcome: HistoryOutcome | None = None) -> QueueItem:
    return QueueItem(
        id=100 + n,
        position=n,
        params=RunParams(prompt=f"a lighthouse, plate {n}"),
        state=state,
        outcome=outcome,
        error="AccessDenied: no model access" if state is QueueState.FAILED else "",
        tries=1 if state is not QueueState.WAITING else 0,
        added_at=NOW,
        started_at=None,
        finished_at=None,
        run_ids=(f"run-{n}",) if state is not QueueState.WAITING else (),
        cost_usd=Decimal("0.0412") if state is not QueueState.WAITING else Decimal(0),
    )


ITEMS = [
    item(0, QueueState.DONE, HistoryOutcome.APPROVED),
    item(1, QueueState.DONE, HistoryOutcome.NOT_APPROVED),
    item(2, QueueState.FAILED, HistoryOutcome.ERROR),
    item(3, QueueState.RUNNING),
    item(4, QueueState.WAITING),
]
SUMMARY = QueueSummary(
    waiting=1,
    running=1,
    done=2,
    failed=1,
    approved=1,
    best_not_approved=1,
    cost_usd=Decimal("0.1236"),
    mean_seconds=40.0,
    budget_usd=Decimal("5"),
)


def shown(qtbot: QtBot) -> QueuePanel:
    panel = QueuePanel()
    qtbot.addWidget(panel)
    panel.show_queue(ITEMS, SUMMARY, items_at_once=2)
    return panel


def test_rows_progress_and_summary_say_where_the_queue_stands(qtbot: QtBot) -> None:
    panel = shown(qtbot)
    table = panel.table
    assert table.rowCount() == 5
    assert [table.item(r, 2).text() for r in range(5)] == [
        "done",
        "done",
        "failed",
        "running",
        "waiting",
    ]
    assert table.item(1, 3).text() == "best, not approved"
    assert table.item(2, 3).text() == "error: AccessDenied: no model access"
    assert table.item(4, 5).text() == ""  # nothing spent on an item not yet run
    assert (panel.progress.value(), panel.progress.maximum()) == (3, 5)
    text = panel.summary_label.text()
    for part in ("2 of 5 done", "1 approved", "1 best, not approved", "1 failed"):
        assert part in text
    assert "$0.12 spent of $5.00" in text and "about 40 s left" in text


def test_time_left_comes_from_the_done_items_and_the_items_at_once() -> None:
    assert time_left(SUMMARY, items_at_once=2) == "about 40 s left"
    many = QueueSummary(waiting=20, done=2, mean_seconds=60.0)
    assert time_left(many, items_at_once=4) == "about 5 min left"
    assert time_left(QueueSummary(waiting=3), items_at_once=2) == ""  # nothing done yet
    assert summary_text(QueueSummary(), 2) == EMPTY
    assert "paused" in summary_text(QueueSummary(waiting=1, paused=True), 2)


def test_buttons_follow_the_selection_and_ask_with_item_ids(qtbot: QtBot) -> None:
    panel = shown(qtbot)
    assert not panel.up_button.isEnabled() and not panel.cancel_button.isEnabled()
    assert panel.retry_button.isEnabled() and panel.clear_button.isEnabled()
    panel.table.selectRow(3)  # the running item
    assert panel.cancel_button.isEnabled() and not panel.remove_button.isEnabled()
    with qtbot.waitSignal(panel.moveRequested) as moved:
        panel.up_button.click()
    assert moved.args == [103, 2]
    with qtbot.waitSignal(panel.cancelRequested) as cancelled:
        panel.cancel_button.click()
    assert cancelled.args == [[103]]
    panel.table.clearSelection()
    with qtbot.waitSignal(panel.retryRequested) as retried:
        panel.retry_button.click()
    assert retried.args == [[102]]  # every failed item when none is selected


def test_choosing_an_item_that_ran_opens_its_run_and_pause_is_a_toggle(qtbot: QtBot) -> None:
    panel = shown(qtbot)
    with qtbot.waitSignal(panel.openSession) as opened:
        panel.table.selectRow(1)
    assert opened.args == ["run-1"]
    with qtbot.waitSignal(panel.pausedChanged) as paused:
        panel.pause_button.click()
    assert paused.args == [True] and panel.pause_button.text() == "Res&ume queue"


def test_the_budget_is_asked_for_when_edited(qtbot: QtBot) -> None:
    panel = shown(qtbot)
    assert panel.budget.value() == 5.0
    panel.budget.setValue(7.5)
    with qtbot.waitSignal(panel.budgetChanged) as changed:
        panel.budget.editingFinished.emit()
    assert changed.args == [Decimal("7.5")]


def test_an_items_menu_opens_any_of_its_runs_and_reviews_only_its_images(qtbot: QtBot) -> None:
    panel = QueuePanel()
    qtbot.addWidget(panel)
    retried = replace(ITEMS[1], run_ids=("run-1a", "run-1b"))  # interrupted, then run again
    panel.show_queue([ITEMS[0], retried], SUMMARY, items_at_once=2)
    assert panel.item_menu() is None  # nothing selected
    panel.table.selectRow(1)
    menu = panel.item_menu()
    assert menu is not None
    open_run, review = menu.actions()
    runs = open_run.menu().actions()
    assert [a.text() for a in runs] == ["Run 1: run-1a", "Run 2: run-1b"]
    with qtbot.waitSignal(panel.openSession) as opened:
        runs[0].trigger()
    assert opened.args == ["run-1a"]  # not only the last one
    with qtbot.waitSignal(panel.reviewRequested) as asked:
        review.trigger()
    assert asked.args == [["run-1a", "run-1b"], "queue item 2 (a lighthouse, plate 1)"]
    panel.show_queue([ITEMS[4]], SUMMARY, items_at_once=2)  # a waiting item: nothing to open
    panel.table.selectRow(0)
    menu = panel.item_menu()
    assert menu is not None and not any(a.isEnabled() for a in menu.actions())

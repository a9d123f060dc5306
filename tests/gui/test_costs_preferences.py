"""Preferences → Costs (issue 13): a bad budget or price row is named and nothing is saved;
a good one is saved, read back by ``load_settings``, and reaches the window's estimate; a
bad settings file is said on the page, not as a traceback; the shipped table is shown with
its dates and sources."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from imgloop_desktop import paths
from imgloop_desktop.core.cost import Cost
from imgloop_desktop.gui import costs_page
from imgloop_desktop.gui.accounts_dialog import COSTS_TAB, AccountsDialog
from imgloop_desktop.gui.costs_page import CostsPage
from imgloop_desktop.gui.main_window import MainWindow
from imgloop_desktop.services import costs
from tests.keyring_fixtures import use_memory_keyring

JUDGE = "us.meta.llama3-2-90b-instruct-v1:0"


@pytest.fixture
def page(qtbot: QtBot) -> Iterator[CostsPage]:
    widget = CostsPage(month_spend=lambda: Cost.of("1.25"))
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.close_workers()


def settings_path() -> Path:
    return paths.data_dir() / costs.SETTINGS_FILE


def test_a_bad_row_is_named_and_nothing_is_saved(qtbot: QtBot, page: CostsPage) -> None:
    page.monthly_edit.setText("ten")
    bad = [{"kind": "text", "model": JUDGE, "input": "-1", "output": "2", "colour": "red"}]
    page.rows_edit.setPlainText(json.dumps(bad))
    assert not page.check()
    shown = page.problems_label.text()
    # Field, value and what is allowed, for each bad value.
    assert "Monthly budget: 'ten' is not allowed; an amount of US dollars" in shown
    assert "price_overrides[0].input: '-1' is not allowed; an amount of US dollars" in shown
    assert "price_overrides[0].colour: 'red' is not allowed; one of " in shown
    assert not page.save_button.isEnabled()
    assert not page.save()
    assert page.status_label.text() == costs_page.NOT_SAVED_INVALID.format(n=3)
    assert not settings_path().exists()

    page.rows_edit.setPlainText('[{"kind": "text",')  # not JSON at all
    page.monthly_edit.setText("")
    assert not page.check()
    assert "price_overrides: 'line 1, column 18' is not allowed; JSON" in page.problems_label.text()
    assert not page.save()
    assert not settings_path().exists()


def test_a_good_row_is_saved_and_read_back(qtbot: QtBot, page: CostsPage) -> None:
    assert page.month_label.text() == "" or page.month_label.isVisible()
    page.monthly_edit.setText("25")
    rows = [{"kind": "text", "model": JUDGE, "input": "0.72", "output": 0.72}]
    page.rows_edit.setPlainText(json.dumps(rows))
    assert page.status_label.text() == costs_page.UNSAVED
    qtbot.waitUntil(page.save_button.isEnabled)  # checked after a pause in typing
    with qtbot.waitSignal(page.saved) as signal:
        page.save_button.click()
    assert page.status_label.text() == costs_page.SAVED.format(path=settings_path())
    assert settings_path().is_file()
    read = costs.load_settings()
    assert read == signal.args[0]
    assert read.monthly_cap_usd == Decimal(25)
    (text,) = read.overrides.texts
    assert (text.model, text.input, text.output) == (JUDGE, Decimal("0.72"), Decimal("0.72"))
    assert not page.save_button.isEnabled()  # nothing left to save
    # This month's spend against the new cap, read off the GUI thread.
    qtbot.waitUntil(lambda: "of $25.0000" in page.month_label.text())
    assert page.month_label.text() == costs_page.MONTH_LEFT.format(
        spent="$1.2500", cap="$25.0000", left="$23.7500"
    )

    # Reopened, the page shows what was saved.
    again = CostsPage()
    qtbot.addWidget(again)
    assert again.monthly_edit.text() == "25"
    assert json.loads(again.rows_edit.toPlainText())[0]["model"] == JUDGE
    again.close_workers()


def test_example_rows_are_valid_and_keep_what_was_typed(page: CostsPage) -> None:
    page.rows_edit.setPlainText('[{"kind": "image", "model": "x.y-v1:0", "per_image": "0.5"}]')
    page.insert_example()
    rows = json.loads(page.rows_edit.toPlainText())
    assert rows[0]["model"] == "x.y-v1:0"
    assert len(rows) == 1 + len(costs.example_price_rows())
    assert page.check()


def test_a_bad_settings_file_is_said_on_the_page(qtbot: QtBot) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"monthly_cap_usd": "-5", "price_overrides": []}), "utf-8")
    page = CostsPage()
    qtbot.addWidget(page)
    try:
        assert page.file_problem.isVisibleTo(page)
        assert "cannot be used" in page.file_problem.text()
        assert "costs.json: monthly_cap_usd: '-5' is not allowed" in page.file_problem.text()
        assert page.monthly_edit.text() == "-5"  # what the file holds, to fix
        page.monthly_edit.setText("40")
        assert page.check()
        assert page.save()
        assert costs.load_settings().monthly_cap_usd == Decimal(40)
        assert not page.file_problem.isVisibleTo(page)

        path.write_text("{not json", "utf-8")
        page.load()
        assert "cannot be used" in page.file_problem.text()
        assert page.rows_edit.toPlainText() == "{not json"
    finally:
        page.close_workers()


def test_the_shipped_table_shows_its_dates_and_sources(page: CostsPage) -> None:
    shown = page.shipped_view.toPlainText()
    assert costs.price_date() in shown
    assert "stability.sd3-5-large-v1:0" in shown
    assert "https://aws.amazon.com/bedrock/pricing/" in shown
    assert "Not priced (shown as unknown)" in shown


@pytest.fixture
def memory_keyring() -> Iterator[None]:
    for _ in use_memory_keyring():
        yield


def test_preferences_has_a_costs_tab_and_saving_reaches_the_window(
    qtbot: QtBot, memory_keyring: None
) -> None:
    window = MainWindow(profiles=[])
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.waitUntil(lambda: window.recovery_report is not None)
        window.form.prompt_edit.setPlainText("a lighthouse at dusk")
        window.form.judge_combo.setEditText(JUDGE)
        view = window.cost_estimate
        qtbot.waitUntil(lambda: view.figures is not None and not view.pending)
        assert "unknown" in view.summary_label.text()

        window.costs_action.trigger()
        dialog = window.accounts_dialog
        assert isinstance(dialog, AccountsDialog)
        assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == COSTS_TAB
        page = dialog.costs_page
        page.rows_edit.setPlainText(
            json.dumps([{"kind": "text", "model": JUDGE, "input": "1", "output": "1"}])
        )
        assert page.check()
        assert page.save()
        qtbot.waitUntil(lambda: "unknown" not in view.summary_label.text() and not view.pending)
        assert window.cost_settings is not None and window.cost_settings.overrides.texts
        dialog.reject()
        dialog.wait_for_workers()
    finally:
        window.close()
        assert window.controller.wait()

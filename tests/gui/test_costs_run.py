"""Runs from the window with costs (issue 13), against the Bedrock simulator: a capped run
ends with outcome budget and shows what it spent, kept and named; the monthly budget from
Preferences reaches the run; a bad cost settings file refuses the run and says why; the
history dock shows each run's cost, a budget filter and the spend."""

from __future__ import annotations

import json
from decimal import Decimal

from pytestqt.qtbot import QtBot

from imgloop_desktop import paths
from imgloop_desktop.core import events as ev
from imgloop_desktop.core.cost import money
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.records import HistoryOutcome
from imgloop_desktop.gui import progress_panel as panel_texts
from imgloop_desktop.gui.history_browser import OUTCOME_LABELS, Column
from imgloop_desktop.gui.main_window import window as window_texts
from imgloop_desktop.services import costs
from imgloop_desktop.services.backends import DEFAULT_KEY
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.gui.window_runs import MakeWindow, run_to_end


def small(**changes: object) -> RunParams:
    return RunParams(
        prompt="a lighthouse at dusk", max_retry_attempts=3, max_prompt_revisions=1
    ).with_changes(**changes)


def write_settings(value: object) -> None:
    path = paths.data_dir() / costs.SETTINGS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value), encoding="utf-8")


def test_a_capped_run_stops_at_its_budget_and_shows_the_spend(
    make_window: MakeWindow, qtbot: QtBot, bedrock_sim: BedrockSimulator
) -> None:
    window = make_window()
    bedrock_sim.script.default_verdict = "NO"
    spent: list[ev.Spent] = []
    window.controller.event.connect(lambda e: spent.append(e) if isinstance(e, ev.Spent) else None)
    # Room for one image ($0.08) and a judgement or two, never the whole run.
    result = run_to_end(qtbot, window, small(max_cost_usd=0.30))
    assert result.outcome is ev.Outcome.BUDGET
    assert spent, "every paid call reports what it cost"
    total = spent[-1].total
    assert total.complete and total.known <= Decimal("0.30")
    progress = window.progress
    assert progress.outcome_label.text() == result.message
    assert progress.outcome_label.text().startswith("Stopped at the budget: ")
    assert f"{len(result.candidates)} image(s) kept." in progress.outcome_label.text()
    assert progress.spent_label.text() == panel_texts.SPENT_FINAL_OF_CAP.format(
        spent=total, cap=money(Decimal("0.30"))
    )
    assert window.statusBar().currentMessage().startswith(f"Run {result.run_id}: budget.")
    # Images made are kept, and on show.
    assert result.candidates
    qtbot.waitUntil(
        lambda: (
            len([i for i in window.gallery.model.items() if i.image_id >= 0])
            == len(result.candidates)
        )
    )

    # The history dock: its cost, and "stopped at budget" as an outcome and a filter.
    window.open_history()
    browser = window.history_browser
    qtbot.waitUntil(lambda: browser.model.rowCount() == 1, timeout=10_000)
    row = browser.model.summary(0)
    assert row.outcome is HistoryOutcome.BUDGET
    assert row.cost is not None and row.cost.known == total.known
    assert browser.model.index(0, Column.OUTCOME).data() == OUTCOME_LABELS[HistoryOutcome.BUDGET]
    assert browser.model.index(0, Column.COST).data() == money(total.known)
    qtbot.waitUntil(lambda: browser.spend_label.text().startswith("Spend:"), timeout=10_000)
    assert str(total) in browser.spend_label.text()
    index = browser.outcome_combo.findData(HistoryOutcome.BUDGET.value)
    assert index >= 0
    browser.outcome_combo.setCurrentIndex(index)
    qtbot.waitUntil(lambda: browser.model.pages_fetched > 0 and not browser.model.fetching)
    assert browser.model.rowCount() == 1
    assert browser.wait_idle()


def test_the_spend_is_live_while_the_run_goes(
    make_window: MakeWindow, qtbot: QtBot, bedrock_sim: BedrockSimulator
) -> None:
    window = make_window()
    bedrock_sim.script.queue_verdicts("NO", "YES")
    seen: list[str] = []
    progress = window.progress

    def note(event: object) -> None:
        if isinstance(event, ev.Spent):
            seen.append(progress.spent_label.text())

    window.controller.event.connect(note)
    result = run_to_end(qtbot, window, small(max_cost_usd=5))
    assert result.outcome is ev.Outcome.APPROVED
    assert seen and all(text.startswith("Spent $") for text in seen)
    assert all(text.endswith(" of $5.0000 cap") for text in seen)
    assert result.spent is not None and result.spent.complete
    assert progress.spent_label.text() == panel_texts.SPENT_FINAL_OF_CAP.format(
        spent=result.spent, cap="$5.0000"
    )


def test_the_monthly_budget_from_preferences_reaches_the_run(
    make_window: MakeWindow, qtbot: QtBot, bedrock_sim: BedrockSimulator
) -> None:
    # A monthly cap below one image: the first generation is never started.
    write_settings({"monthly_cap_usd": "0.05", "price_overrides": []})
    window = make_window()
    assert window.cost_settings is not None
    result = run_to_end(qtbot, window, small())
    assert result.outcome is ev.Outcome.BUDGET
    assert bedrock_sim.arrivals("generate") == 0
    assert not result.candidates
    assert "0 image(s) kept" in window.progress.outcome_label.text()


def test_a_bad_cost_settings_file_refuses_the_run_and_says_why(
    make_window: MakeWindow, qtbot: QtBot, bedrock_sim: BedrockSimulator
) -> None:
    window = make_window()
    window.select_backend(DEFAULT_KEY)
    window.form.set_params(small())
    # Edited by hand after the window opened: read again at Run.
    write_settings({"monthly_cap_usd": "lots", "price_overrides": []})
    assert not window.start_run()
    assert not window.controller.is_running
    path = paths.data_dir() / costs.SETTINGS_FILE
    message = window_texts.BAD_COST_SETTINGS.format(path=path)
    assert window.progress.outcome_label.text() == panel_texts.COULD_NOT_START.format(
        message=message
    )
    assert window.statusBar().currentMessage() == f"Not started: {message}"
    assert "monthly_cap_usd: 'lots' is not allowed" in window.progress._details
    assert bedrock_sim.arrivals("generate") == 0
    # The estimate says so too, where the person is looking before Run.
    qtbot.waitUntil(lambda: "cannot be used" in window.cost_estimate.missing_label.text())

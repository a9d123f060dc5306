"""The history browser, offscreen: paging past 50 sessions, search (Japanese included) with
a debounce, outcome and date filters, reopening a session in the gallery, and "run again"."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from imgloop_desktop.core.cost import Cost, money
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.records import SpendLine, SpendStats
from imgloop_desktop.gui.gallery import GalleryPanel
from imgloop_desktop.gui.gallery_model import ItemKind
from imgloop_desktop.gui.history_browser import (
    AGREEMENT_TITLE,
    NO_MATCH,
    PAGE_SIZE,
    SESSION_COUNT,
    SPEND_DAYS_SHOWN,
    Column,
    HistoryBrowser,
    spend_text,
)
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.storage.history.schema import Decision, HistoryOutcome
from tests.gui.gallery_fixtures import browser, gallery, history, record, record_many
from tests.storage.history import fakes

__all__ = ["browser", "gallery", "history"]  # fixtures

PROMPTS = [
    "海辺を歩く猫、水彩画",
    "京都の夜の路地、提灯",
    "a cat walking by the sea, watercolour",
    "a lighthouse at dusk",
    "富士山と桜、浮世絵風",
    "a bowl of ramen, pixel art",
]


def load(qtbot: QtBot, browser: HistoryBrowser) -> None:
    with qtbot.waitSignal(browser.model.pageLoaded):
        browser.show()


def run_ids(browser: HistoryBrowser) -> list[str]:
    return [browser.model.summary(r).run_id for r in range(browser.model.rowCount())]


def prompts(browser: HistoryBrowser) -> list[str]:
    return [browser.model.summary(r).prompt for r in range(browser.model.rowCount())]


def test_pages_of_fifty_are_fetched_as_the_list_scrolls(
    qtbot: QtBot, browser: HistoryBrowser, history: HistoryService
) -> None:
    ids = record_many(history, [f"session number {n}" for n in range(123)])
    load(qtbot, browser)
    model = browser.model
    assert model.rowCount() == PAGE_SIZE
    assert browser.count_label.text() == SESSION_COUNT.format(n=123)
    assert run_ids(browser) == ids[::-1][:PAGE_SIZE]  # newest first
    assert model.canFetchMore(QModelIndex())

    for expected in (100, 123):
        with qtbot.waitSignal(model.pageLoaded) as blocker:
            browser.table.scrollToBottom()
        assert blocker.args == [expected]
    assert run_ids(browser) == ids[::-1]
    assert not model.canFetchMore(QModelIndex())
    assert model.pages_fetched == 3

    # Visible rows show their session's thumbnail, loaded off the GUI thread.
    browser.table.scrollToBottom()
    row = model.rowCount() - 1
    thumb = model.summary(row).thumbnail_image_id
    assert thumb is not None
    qtbot.waitUntil(lambda: browser.loader.cached(f"image:{thumb}") is not None)
    assert browser.loader.loads_started < model.rowCount()


def test_search_in_any_language_is_debounced(
    qtbot: QtBot, browser: HistoryBrowser, history: HistoryService
) -> None:
    record_many(history, PROMPTS)
    load(qtbot, browser)
    assert browser.model.rowCount() == len(PROMPTS)
    fetched = browser.model.pages_fetched

    with qtbot.waitSignal(browser.model.pageLoaded):
        QTest.keyClicks(browser.search_edit, "cat")
    assert browser.model.pages_fetched == fetched + 1  # three keystrokes, one query
    assert prompts(browser) == ["a cat walking by the sea, watercolour"]

    for query, expected in (
        ("海辺を歩", ["海辺を歩く猫、水彩画"]),  # trigram index
        ("猫", ["海辺を歩く猫、水彩画"]),  # one character: LIKE
        ("京都", ["京都の夜の路地、提灯"]),
        ("浮世絵", ["富士山と桜、浮世絵風"]),
    ):
        with qtbot.waitSignal(browser.model.pageLoaded):
            browser.search_edit.setText(query)
        assert prompts(browser) == expected, query
    with qtbot.waitSignal(browser.model.pageLoaded):
        browser.search_edit.setText("no such prompt anywhere")
    assert browser.model.rowCount() == 0
    assert browser.count_label.text() == NO_MATCH


def test_outcome_and_date_filters(
    qtbot: QtBot, browser: HistoryBrowser, history: HistoryService
) -> None:
    start = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    ids = record_many(history, [f"day {n + 1}" for n in range(9)], start=start)
    load(qtbot, browser)
    combo = browser.outcome_combo

    with qtbot.waitSignal(browser.model.pageLoaded):
        combo.setCurrentIndex(combo.findData(HistoryOutcome.NOT_APPROVED.value))
    assert prompts(browser) == ["day 9", "day 6", "day 3"]  # every third was not approved
    assert all(
        browser.model.summary(r).outcome is HistoryOutcome.NOT_APPROVED
        for r in range(browser.model.rowCount())
    )
    with qtbot.waitSignal(browser.model.pageLoaded):
        combo.setCurrentIndex(combo.findData(HistoryOutcome.APPROVED.value))
    assert len(run_ids(browser)) == 6

    with qtbot.waitSignal(browser.model.pageLoaded):
        combo.setCurrentIndex(0)
    browser.since_edit.setDate(QDate(2024, 3, 3))
    browser.until_edit.setDate(QDate(2024, 3, 5))
    with qtbot.waitSignal(browser.model.pageLoaded):
        browser.since_check.setChecked(True)
    assert prompts(browser)[-1] == "day 3"
    with qtbot.waitSignal(browser.model.pageLoaded):
        browser.until_check.setChecked(True)
    assert prompts(browser) == ["day 5", "day 4", "day 3"]  # "until" includes its day
    assert set(run_ids(browser)) <= set(ids)

    # A range that ends before it starts is refused with the store's message.
    fetched = browser.model.pages_fetched
    with qtbot.waitSignal(browser.failed) as blocker:
        browser.since_edit.setDate(QDate(2024, 3, 8))
    assert "until" in blocker.args[0] and "a time after since" in blocker.args[0]
    assert browser.message.isVisible()
    assert browser.model.pages_fetched == fetched
    assert prompts(browser) == ["day 5", "day 4", "day 3"]


def test_opening_a_session_shows_it_in_the_gallery_offline(
    qtbot: QtBot, browser: HistoryBrowser, gallery: GalleryPanel, history: HistoryService
) -> None:
    record_many(history, ["an older session"])
    result, _ = record(
        history,
        fakes.params("a red fox in the snow", max_retry_attempts=2, max_prompt_revisions=1),
        verdicts=["NO", "NO", "NO", "YES"],
        start=datetime(2025, 1, 1, tzinfo=UTC),
    )
    opened: list[str] = []
    browser.openSession.connect(opened.append)
    browser.openSession.connect(gallery.show_session)
    load(qtbot, browser)
    assert run_ids(browser)[0] == result.run_id

    # Double-click a row.
    rect = browser.table.visualRect(browser.model.index(0, Column.PROMPT))
    with qtbot.waitSignal(gallery.sessionLoaded):
        viewport = browser.table.viewport()
        QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0), rect.center())
        QTest.mouseDClick(
            viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0), rect.center()
        )
    assert opened == [result.run_id]
    assert gallery.run_id == result.run_id
    images = [i for i in gallery.model.items() if i.kind is ItemKind.IMAGE]
    stored = list(history.session(result.run_id).images())
    assert [i.image_id for i in images] == [i.image_id for i in stored]
    assert [i.effective_approved for i in images] == [False, False, False, True]

    # Enter on the other row.
    browser.table.setCurrentIndex(browser.model.index(1, Column.PROMPT))
    browser.table.setFocus()
    with qtbot.waitSignal(browser.openSession) as blocker:
        QTest.keyClick(browser.table, Qt.Key.Key_Return)
    assert blocker.args == [run_ids(browser)[1]]


def test_run_again_rebuilds_the_stored_parameters(
    qtbot: QtBot, browser: HistoryBrowser, history: HistoryService
) -> None:
    params = fakes.params(
        "京都の夜の路地、提灯", max_retry_attempts=3, titan_img_seed=42, aws_region="eu-west-1"
    )
    record(history, params)
    load(qtbot, browser)
    assert not browser.run_again_button.isEnabled()
    browser.table.setCurrentIndex(browser.model.index(0, Column.PROMPT))
    assert browser.run_again_button.isEnabled()
    with qtbot.waitSignal(browser.runAgain) as blocker:
        browser.run_again_button.click()
    (again,) = blocker.args
    assert isinstance(again, RunParams)
    assert again == params


def test_refresh_picks_up_new_sessions(
    qtbot: QtBot, browser: HistoryBrowser, history: HistoryService
) -> None:
    load(qtbot, browser)
    assert browser.model.rowCount() == 0
    record(history, fakes.params("a fresh session"))
    with qtbot.waitSignal(browser.model.pageLoaded):
        browser.refresh()
    assert prompts(browser) == ["a fresh session"]
    assert browser.count_label.text() == SESSION_COUNT.format(n=1)


def test_refresh_keeps_the_selected_session_selected(
    qtbot: QtBot, browser: HistoryBrowser, history: HistoryService
) -> None:
    """A run ending refreshes the list; the session the person was looking at stays chosen."""
    record(history, fakes.params("an older session"))
    record(history, fakes.params("the chosen session"))
    load(qtbot, browser)
    chosen = next(r for r in range(browser.model.rowCount()) if "chosen" in prompts(browser)[r])
    browser.table.setCurrentIndex(browser.model.index(chosen, 0))
    run_id = browser.selected_run_id()
    record(history, fakes.params("a newer session"))
    with qtbot.waitSignal(browser.model.pageLoaded):
        browser.refresh()
    assert browser.selected_run_id() == run_id
    assert prompts(browser)[0] == "a newer session"


# -- issue 11: where the models ran and what the run noted --------------------------------------


def test_the_selected_sessions_regions_and_notes_are_shown(
    qtbot: QtBot, browser: HistoryBrowser, history: HistoryService
) -> None:
    # 100 x 64 is not a size the test model makes: the run maps it and notes it.
    record(history, fakes.params("a mapped size", titan_img_width=100, titan_img_height=64))
    record(history, fakes.params("a plain run"))
    load(qtbot, browser)
    assert browser.notes_label.isHidden()
    rows = {browser.model.summary(r).prompt: r for r in range(browser.model.rowCount())}
    mapped = browser.model.summary(rows["a mapped size"])
    assert mapped.notes
    browser.table.setCurrentIndex(browser.model.index(rows["a mapped size"], Column.PROMPT))
    assert browser.notes_label.isVisible()
    lines = browser.notes_label.text().splitlines()
    # The fakes call the image model in us-west-2 and the judge in us-east-1.
    assert lines[0] == "Image model in us-west-2, judge in us-east-1"
    assert lines[1:] == [f"• {note}" for note in mapped.notes]
    tip = browser.model.index(rows["a mapped size"], Column.PROMPT).data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert browser.notes_label.text() in tip
    browser.table.setCurrentIndex(browser.model.index(rows["a plain run"], Column.PROMPT))
    assert browser.notes_label.text() == "Image model in us-west-2, judge in us-east-1"


def test_the_keyboard_moves_by_row_and_enter_opens(
    qtbot: QtBot, browser: HistoryBrowser, history: HistoryService
) -> None:
    ids = record_many(history, PROMPTS[:4])[::-1]  # newest first, as listed
    load(qtbot, browser)
    table = browser.table
    table.setFocus()
    selection = table.selectionModel()

    def at() -> tuple[int, int]:
        return table.currentIndex().row(), table.currentIndex().column()

    QTest.keyClick(table, Qt.Key.Key_Down)
    start = at()
    for key, row in (
        (Qt.Key.Key_Down, start[0] + 1),
        (Qt.Key.Key_Right, start[0] + 1),  # a row has no cells to walk
        (Qt.Key.Key_Right, start[0] + 1),
        (Qt.Key.Key_Left, start[0] + 1),
        (Qt.Key.Key_End, len(ids) - 1),
        (Qt.Key.Key_Up, len(ids) - 2),
        (Qt.Key.Key_Home, 0),
    ):
        QTest.keyClick(table, key)
        assert at() == (row, start[1]), key
        # The whole row is selected, and only that row.
        assert [i.row() for i in selection.selectedRows()] == [row]
        assert len(selection.selectedIndexes()) == len(Column.TITLES)
    with qtbot.waitSignal(browser.openSession) as blocker:
        QTest.keyClick(table, Qt.Key.Key_Enter)
    assert blocker.args == [ids[0]]
    # Tab leaves the table rather than walking its cells.
    assert not table.tabKeyNavigation()


def test_spend_shows_the_latest_days_then_months_then_the_dearest_models() -> None:
    def line(key: str, usd: str, approved: int = 1) -> SpendLine:
        return SpendLine(key, Cost.of(usd), calls=4, runs=2, approved=approved)

    days = tuple(line(f"2026-11-{d:02d}", "0.40", approved=2) for d in range(20, 30))
    stats = SpendStats(
        by_day=days,
        by_month=(line("2026-10", "3.00"), line("2026-11", "4.00")),
        by_model=(line("stability.sd3-5-large-v1:0", "6.50"),),
        per_approved_image=Cost.of("0.35"),
        total=Cost.of("7.00"),
        approved=20,
    )
    shown = spend_text(stats).splitlines()
    keys = [text.split(":")[0] for text in shown[1 : 1 + SPEND_DAYS_SHOWN + 2]]
    assert keys == [
        "2026-11-29",
        "2026-11-28",
        "2026-11-27",
        "2026-11-26",
        "2026-11-25",
        "2026-11",
        "2026-10",
    ]
    assert "2026-11-24" not in spend_text(stats)  # only the latest days
    assert any(text.startswith("stability.sd3-5-large-v1:0: ") for text in shown)
    assert f"{money(Decimal('0.20'))} per approved image" in shown[1]  # 0.40 over 2 approved


def test_judge_agreement_shows_how_often_the_judge_matched_the_person(
    qtbot: QtBot, history: HistoryService, browser: HistoryBrowser
) -> None:
    """The judge said NO then YES; the person approves both: agreed on 1 of 2 (50%), and
    the one the judge rejected counts as judge no / you yes."""
    result, _ = record(history, fakes.params("a fox"), verdicts=["NO", "YES"])
    rejected, approved = history.session(result.run_id).images()
    history.decide(rejected.image_id, Decision.APPROVED)
    history.decide(approved.image_id, Decision.APPROVED)
    browser.show()
    browser.refresh_agreement()
    qtbot.waitUntil(lambda: AGREEMENT_TITLE in browser.agreement_label.text())
    line = browser.agreement_label.text().splitlines()[1]
    assert "agreed on 1 of 2 (50%)" in line
    assert line.endswith("judge yes / you no: 0, judge no / you yes: 1")

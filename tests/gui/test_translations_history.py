"""The history and review docks, the cost estimate, and Preferences → Costs and → Queue
speak Japanese under the Japanese translation (``resources/i18n/ja/history.ts``): every
label, button, check box, header, placeholder, tooltip and summary they show, with data
(model ids, amounts, JSON field names) left as it is."""

from __future__ import annotations

import re
from collections.abc import Iterator

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from imgloop_desktop.core.cost import Cost
from imgloop_desktop.core.records import Agreement
from imgloop_desktop.gui import cost_view, history_browser
from imgloop_desktop.gui.costs_page import CostsPage
from imgloop_desktop.gui.queue_page import QueuePage
from imgloop_desktop.gui.record_notes import regions_text
from tests.gui.test_translations import english_in
from tests.gui.test_translations import japanese as japanese  # the fixture, found by name
from tests.gui.window_runs import MakeWindow

# Data and names that stay as they are: the price rows' JSON fields and scopes, a Region,
# the AWS console's own page name, F5, the search box's words (typed as they are).
DATA = re.compile(
    r"input|output|cache_write|cache_read|per_image|tiers|global|regional|us-east-1|"
    r"servicequotas:\w+|Service Quotas|F5|is:fav|rating"
)


def english(text: str) -> list[str]:
    return english_in(DATA.sub("", text))


def visible_texts(widget: QWidget) -> Iterator[tuple[str, str]]:
    """Every text a person reads on ``widget``: captions, placeholders, items, tooltips."""
    for child in [widget, *widget.findChildren(QWidget)]:
        name = child.objectName() or type(child).__name__
        if isinstance(child, QAbstractButton | QLabel):
            yield name, child.text()
        if isinstance(child, QGroupBox):
            yield name, child.title()
        if isinstance(child, QLineEdit | QPlainTextEdit):
            yield f"{name} placeholder", child.placeholderText()
        if isinstance(child, QComboBox):
            for i in range(child.count()):
                yield f"{name} item {i}", child.itemText(i)
        if child.toolTip():
            yield f"{name} tooltip", child.toolTip()


def english_shown(widget: QWidget) -> list[str]:
    return [f"{name}: {text!r}" for name, text in visible_texts(widget) if english(text)]


def test_the_history_and_review_docks_speak_japanese(
    japanese: None, make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window()
    window.history_action.trigger()
    window.open_review()
    browser, review = window.history_browser, window.review_panel
    qtbot.waitUntil(lambda: bool(browser.spend_label.text() and browser.agreement_label.text()))
    qtbot.waitUntil(lambda: bool(browser.count_label.text()))
    # The list's answer, in Japanese ("Loading…" is shown translated, so waiting for the
    # English constant to go would not wait at all).
    qtbot.waitUntil(lambda: review.count_label.text().startswith("レビューするものはありません"))
    assert browser.wait_idle() and review.wait_idle()

    found = english_shown(browser) + english_shown(review)
    model = browser.model
    for column in range(model.columnCount()):
        header = model.headerData(column, Qt.Orientation.Horizontal)
        found += [f"history header {header!r}"] * bool(english(header))
    assert not found, "\n".join(found)
    assert browser.open_button.text() == "開く(&O)"
    assert "有料の呼び出しはまだ記録されていません" in browser.spend_label.text()
    assert review.count_label.text().startswith("レビューするものはありません")


def test_the_summaries_and_statuses_speak_japanese(japanese: None) -> None:
    agreement = Agreement("judge-model", "image-model", 4, 3, 1, 0)
    partly = Cost.of("0.16") + Cost.unknown("no price for x")
    texts = {
        "agreement": history_browser.agreement_text([agreement]),
        "no agreement": history_browser.agreement_text([]),
        "row cost": history_browser.short_cost(partly),
        "estimate cost": cost_view.short_cost(partly),
        "two regions": regions_text("us-east-1", "us-west-2"),
        "one region": regions_text("us-east-1", "us-east-1"),
    }
    data = re.compile(r"judge-model|image-model|us-east-1|us-west-2")
    found = [f"{k}: {t!r}" for k, t in texts.items() if english(data.sub("", t))]
    assert not found, "\n".join(found)
    assert "4 件中 3 件一致" in texts["agreement"]
    assert texts["row cost"] == "≥ $0.1600 + 不明"
    assert texts["two regions"] == "画像モデルは us-east-1、判定モデルは us-west-2"


def test_preferences_costs_and_queue_pages_speak_japanese(japanese: None, qtbot: QtBot) -> None:
    costs = CostsPage(month_spend=lambda: Cost.of("1.25"))
    queue = QueuePage()
    for page in (costs, queue):
        qtbot.addWidget(page)
        page.show()
    try:
        qtbot.waitUntil(lambda: costs.month_label.isVisible())
        costs.monthly_edit.setText("30")
        qtbot.waitUntil(lambda: costs.save_button.isEnabled())
        found = english_shown(costs) + english_shown(queue)
        assert not found, "\n".join(found)
        assert costs.status_label.text() == "まだ保存していません。"
        assert queue.save_button.text() == "キューの制限を保存(&S)"
    finally:
        costs.close_workers()

"""Checklist verdicts in the gallery, the details pane, the progress panel, the review list
and the history's judge agreement (issue 12), from a run recorded through the real loop
and recorder against a scripted judge."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.loop import RunResult
from imgloop_desktop.core.records import Decision
from imgloop_desktop.gui import badges
from imgloop_desktop.gui import details_pane as dp
from imgloop_desktop.gui import progress_panel as pp
from imgloop_desktop.gui import review_panel as rp
from imgloop_desktop.gui.details_pane import DetailsPane
from imgloop_desktop.gui.gallery import GalleryPanel
from imgloop_desktop.gui.gallery_model import GalleryModel
from imgloop_desktop.gui.history_browser import AGREEMENT_TITLE, HistoryBrowser
from imgloop_desktop.gui.progress_panel import ProgressPanel
from imgloop_desktop.gui.review_panel import ReviewPanel
from imgloop_desktop.services.history import HistoryService
from tests.core.test_loop_checklist import CHECKLIST, ScriptedChat, checks
from tests.gui.gallery_fixtures import (  # noqa: F401 (fixtures)
    browser,
    details,
    gallery,
    history,
    image_items,
    opened_urls,
    record,
)
from tests.storage.history import fakes

TIMEOUT_MS = 10_000


def checklist_run(history: HistoryService) -> tuple[RunResult, list[ev.Event]]:  # noqa: F811
    """Two images, neither approved: the first fails a must (rejected), the second leaves
    the judge unsure of one (review) and is the best."""
    chat = ScriptedChat(
        checks=[
            checks(c1="yes", c2="no:grey fur", c3="yes"),
            checks(c1="yes", c2="unsure", c3="no"),
        ]
    )
    params = fakes.params(
        "a brown dog in a sunny park",
        judge_mode="checklist",
        checklist=CHECKLIST,
        max_prompt_revisions=0,
    )
    return record(history, params, chat=chat)  # type: ignore[arg-type]


@pytest.fixture
def recorded(history: HistoryService) -> Iterator[list[ev.Event]]:  # noqa: F811
    _result, events = checklist_run(history)
    yield events


def test_badges_say_the_score_and_review_has_its_own_look() -> None:
    assert badges.badge_for(verdict="REVIEW", human=None, attempt_failed=False, judging=False) is (
        badges.Badge.REVIEW
    )
    assert badges.badge_text(badges.Badge.REVIEW, "4/5 ?") == "4/5 ? review"
    assert badges.badge_text(badges.Badge.APPROVED, "5/6 ✓") == "5/6 ✓ approved"
    assert badges.badge_text(badges.Badge.APPROVED) == badges.LABELS[badges.Badge.APPROVED]
    # A person's decision keeps its own words whatever the score.
    assert badges.badge_text(badges.Badge.HUMAN_REJECTED, "5/6 ✓") == "✘ you rejected"
    colours = set(badges.COLOURS.values())
    assert len(colours) == len(badges.COLOURS)  # review looks like nothing else


def test_live_gallery_shows_scores_review_and_the_best(recorded: list[ev.Event]) -> None:
    model = GalleryModel()
    for event in recorded:
        model.apply_event(event)
    first, second = [i for i in model.items() if i.kind.name == "IMAGE"]
    assert (first.badge, first.badge_text) == (badges.Badge.REJECTED, "2/3 ✗ rejected")
    assert (second.badge, second.badge_text) == (badges.Badge.REVIEW, "1/3 ? review")
    assert not first.best
    assert second.best
    assert "the dog is brown" in second.misses
    assert badges.BEST_LABEL in second.tooltip()


def test_reopened_gallery_shows_the_same(
    qtbot: QtBot,
    gallery: GalleryPanel,  # noqa: F811
    recorded: list[ev.Event],
) -> None:
    started = next(e for e in recorded if isinstance(e, ev.RunStarted))
    with qtbot.waitSignal(gallery.sessionLoaded, timeout=TIMEOUT_MS):
        gallery.show_session(started.run_id)
    first, second = image_items(gallery)
    assert first.badge_text == "2/3 ✗ rejected"
    assert second.badge_text == "1/3 ? review"
    assert second.best and not first.best
    assert "the dog is brown" in second.misses
    gallery.view.viewport().repaint()  # the delegate paints both pills without error


def test_details_list_every_requirement_and_the_best(
    qtbot: QtBot,
    history: HistoryService,  # noqa: F811
    details: DetailsPane,  # noqa: F811
    recorded: list[ev.Event],
) -> None:
    images = history.session(
        next(e for e in recorded if isinstance(e, ev.RunStarted)).run_id
    ).images()
    first, second = list(images)
    with qtbot.waitSignal(details.loaded, timeout=TIMEOUT_MS):
        details.show_image(second.image_id)
    assert details.fields["status"].text().startswith("1/3 ? review")
    assert details.fields["best"].text() == "Best, not approved — unsure: the dog is brown"
    assert not details.checks.isHidden()
    rows = [
        tuple(details.checks.item(r, c).text() for c in range(4))  # type: ignore[union-attr]
        for r in range(details.checks.rowCount())
    ]
    assert rows[0][:3] == (dp.RESULT_WORDS["yes"], "a dog", dp.MUST)
    assert rows[1][:3] == (dp.RESULT_WORDS["unsure"], "the dog is brown", dp.MUST)
    assert rows[2][:3] == (dp.RESULT_WORDS["no"], "a sunny park", dp.SHOULD)
    evidence = details.checks.item(0, 3)
    assert evidence is not None and evidence.toolTip() == evidence.text()  # whole on hover
    with qtbot.waitSignal(details.loaded, timeout=TIMEOUT_MS):
        details.show_image(first.image_id)
    assert details.fields["best"].text() == ""
    assert details.checks.item(1, 0).text() == dp.RESULT_WORDS["no"]  # type: ignore[union-attr]


def test_progress_panel_says_the_checklist_and_the_best(
    qtbot: QtBot, recorded: list[ev.Event]
) -> None:
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    for event in recorded:
        panel.on_event(event)
    assert panel.checklist_label.text() == pp.CHECKLIST_GIVEN.format(
        items=pp.CHECKLIST_ITEMS.format(n=3, musts=2)
    )
    assert panel.best_label.text() == (
        "Prompt version 1, attempt 2 — unsure: the dog is brown (most requirements met)"
    )
    assert panel.reason_label.text().startswith("REVIEW 1/3 ? — ")
    failed = ev.ChecklistSet(None, ev.ChecklistOrigin.FAILED, error="no JSON")
    panel.on_event(failed)
    assert panel.checklist_label.text() == pp.CHECKLIST_FAILED.format(error="no JSON")
    written = ev.ChecklistSet(
        CHECKLIST, ev.ChecklistOrigin.WRITTEN, model_id="m", input_tokens=9, output_tokens=3
    )
    assert (
        pp.checklist_text(written) == "3 requirement(s), 2 must, written by m (9 in / 3 out tokens)"
    )
    panel.reset()
    assert panel.checklist_label.text() == ""


def test_review_list_decides_with_ticks_and_agreement_follows(
    qtbot: QtBot,
    history: HistoryService,  # noqa: F811
    browser: HistoryBrowser,  # noqa: F811
    recorded: list[ev.Event],
) -> None:
    panel = ReviewPanel(history)
    qtbot.addWidget(panel)
    panel.resize(900, 500)
    try:
        with qtbot.waitSignal(panel.list.model().rowsInserted, timeout=TIMEOUT_MS):
            panel.show()
        qtbot.waitUntil(lambda: panel.count_label.text() != rp.LOADING, timeout=TIMEOUT_MS)
        items = panel.items()
        assert len(items) == 1  # the best, which is also the one the judge was unsure of
        assert items[0].reason.value == "best_not_approved"
        assert panel.list.item(0).text().startswith(rp.REASONS[items[0].reason])  # type: ignore[union-attr]
        assert panel.misses_label.text() == rp.MISSES.format(misses="unsure: the dog is brown")
        qtbot.waitUntil(
            lambda: panel.picture.pixmap() is not None and not panel.picture.pixmap().isNull(),
            timeout=TIMEOUT_MS,
        )
        image_id = items[0].image.image_id
        panel.set_ticks({"c1": True, "c2": True, "c3": False})
        with qtbot.waitSignal(panel.decided, timeout=TIMEOUT_MS) as decided:
            panel.approve_button.click()
        assert decided.args == [image_id]
        qtbot.waitUntil(lambda: panel.count_label.text() == rp.EMPTY, timeout=TIMEOUT_MS)
        record_ = history.image(image_id)
        assert record_.human_decision is Decision.APPROVED
        assert record_.human_items == {"c1": True, "c2": True, "c3": False}
        assert not panel.approve_button.isEnabled()
    finally:
        panel.close_workers()
    browser.show()
    browser.refresh_agreement()
    qtbot.waitUntil(
        lambda: (
            browser.agreement_label.text().startswith(AGREEMENT_TITLE)
            or "decide images" in browser.agreement_label.text()
        ),
        timeout=TIMEOUT_MS,
    )


def test_the_review_list_shows_one_items_runs_then_all(
    qtbot: QtBot,
    history: HistoryService,  # noqa: F811
) -> None:
    first, _ = checklist_run(history)
    second, _ = checklist_run(history)
    panel = ReviewPanel(history)
    qtbot.addWidget(panel)
    try:
        panel.show()
        panel.show_only([first.run_id], "queue item 1")
        qtbot.waitUntil(lambda: panel.count_label.text() != rp.LOADING, timeout=TIMEOUT_MS)
        assert {i.image.run_id for i in panel.items()} == {first.run_id}
        assert panel.only_label.isVisible() and panel.only_label.text() == "Only queue item 1."
        panel.show_all_button.click()
        qtbot.waitUntil(
            lambda: {i.image.run_id for i in panel.items()} == {first.run_id, second.run_id},
            timeout=TIMEOUT_MS,
        )
        assert not panel.only_label.isVisible()
    finally:
        panel.close_workers()

"""The gallery, offscreen with real widgets: it fills as a simulated run's events arrive,
resolves history ids off the GUI thread, loads thumbnails only for visible cells, groups
cells by prompt version, shows every badge, and a reopened session looks as it did live."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel
from pytestqt.qtbot import QtBot

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.gui.badges import Badge
from imgloop_desktop.gui.details_pane import DetailsPane, link_gallery_and_details
from imgloop_desktop.gui.gallery import RUN_TITLE, GalleryPanel
from imgloop_desktop.gui.gallery_model import (
    VERSION_ORIGINAL,
    VERSION_REVISED,
    ItemKind,
    version_label,
)
from imgloop_desktop.providers.session import DefaultChain
from imgloop_desktop.services import run as run_service
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.simulator.server import BedrockSimulator
from imgloop_desktop.storage.history.schema import Decision
from tests.gui.gallery_fixtures import (
    EventRelay,
    browser,
    details,
    gallery,
    history,
    image_items,
    opened_urls,
    record,
    run_on_thread,
    shape,
    visible_rows,
)
from tests.storage.history import fakes

__all__ = ["browser", "details", "gallery", "history", "opened_urls"]  # fixtures


def replay(panel: GalleryPanel, events: list[ev.Event]) -> None:
    for event in events:
        panel.on_event(event)


def settle(qtbot: QtBot, panel: GalleryPanel) -> None:
    """Ids resolved and every visible thumbnail painted from the cache."""
    qtbot.waitUntil(lambda: not panel.model.unresolved_refs() and not panel._resolving)
    rows = visible_rows(panel)
    qtbot.waitUntil(
        lambda: all(
            panel.loader.cached(panel.model.item(r).sha256) is not None
            for r in rows
            if panel.model.item(r).kind is ItemKind.IMAGE
        )
    )


def test_gallery_fills_as_a_simulated_run_goes(
    qtbot: QtBot, gallery: GalleryPanel, history: HistoryService, bedrock_sim: BedrockSimulator
) -> None:
    bedrock_sim.script.queue_verdicts("NO", "NO", "YES")
    params = RunParams(
        prompt="a lighthouse at dusk, oil painting",
        max_retry_attempts=2,
        max_prompt_revisions=1,
        titan_img_width=512,
        titan_img_height=512,
    )
    relay = EventRelay()
    relay.emitted.connect(gallery.on_event)
    seen: list[tuple[str, Badge | None, int]] = []

    def after(event: object) -> None:  # runs after the gallery's slot, on the GUI thread
        if isinstance(event, ev.ImageStored):
            row = gallery.model.row_of_ref(
                (event.candidate.ref.revision, event.candidate.ref.attempt, 0)
            )
            seen.append(("stored", gallery.model.item(row).badge, gallery.model.rowCount()))
        elif isinstance(event, ev.VerdictReceived):
            row = gallery.model.row_of_ref((event.ref.revision, event.ref.attempt, 0))
            seen.append(("verdict", gallery.model.item(row).badge, gallery.model.rowCount()))

    relay.emitted.connect(after)
    outcome: dict[str, Any] = {}

    def work() -> None:
        with run_service.execute(
            params, credentials=DefaultChain(), emit=relay.emitted.emit
        ) as run:
            outcome["result"] = run.result

    thread = run_on_thread(work)
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=60_000)
    thread.join()
    result = outcome["result"]
    assert result.outcome is ev.Outcome.APPROVED
    title = RUN_TITLE.format(run_id=result.run_id, outcome=ev.Outcome.APPROVED.value)
    qtbot.waitUntil(lambda: gallery.title.text() == title)
    settle(qtbot, gallery)

    # Each image appeared at once, being judged, and got its verdict's badge.
    assert [s[:2] for s in seen] == [
        ("stored", Badge.JUDGING),
        ("verdict", Badge.REJECTED),
        ("stored", Badge.JUDGING),
        ("verdict", Badge.REJECTED),
        ("stored", Badge.JUDGING),
        ("verdict", Badge.APPROVED),
    ]
    items = gallery.model.items()
    assert [(i.kind, i.revision) for i in items] == [
        (ItemKind.HEADER, 0),
        (ItemKind.IMAGE, 0),
        (ItemKind.IMAGE, 0),
        (ItemKind.HEADER, 1),
        (ItemKind.IMAGE, 1),
    ]
    tree = history.session(result.run_id)
    stored = {(i.revision, i.attempt, i.index): i for i in tree.images()}
    for item in image_items(gallery):
        record_ = stored[item.ref]
        assert item.image_id == record_.image_id
        assert item.sha256 == record_.sha256
        assert gallery.loader.cached(item.sha256) is not None
    assert items[3].prompt == tree.prompt_versions[1].prompt
    assert [i.badge for i in image_items(gallery)] == [
        Badge.REJECTED,
        Badge.REJECTED,
        Badge.APPROVED,
    ]


def test_badges_for_errors_refusals_and_failed_uploads(
    qtbot: QtBot, gallery: GalleryPanel, history: HistoryService
) -> None:
    result, events = record(
        history,
        fakes.params(
            max_retry_attempts=3,
            max_prompt_revisions=0,
            s3_enabled=True,
            output_s3_bucket_name="imgloop-test-bucket",
        ),
        generator=fakes.FakeGenerator(refuse={1}),
        verdicts=["not json at all", "still not json", "NO"],
        uploader=fakes.InlineUploader("imgloop-test-bucket", fail_all=True),
    )
    replay(gallery, events)
    settle(qtbot, gallery)
    items = gallery.model.items()
    assert [i.kind for i in items] == [
        ItemKind.HEADER,
        ItemKind.FAILED,
        ItemKind.IMAGE,
        ItemKind.IMAGE,
    ]
    failed = items[1]
    assert failed.attempt == 0
    assert "content filters" in failed.note
    assert [i.badge for i in image_items(gallery)] == [Badge.ERROR, Badge.REJECTED]
    assert all(i.upload_failed for i in image_items(gallery))
    assert "AccessDenied" in image_items(gallery)[0].tooltip()
    assert not any(i.judging for i in gallery.model.items())  # the run is over

    # The same session reopened from history looks the same, cell for cell.
    live = shape(gallery)
    with qtbot.waitSignal(gallery.sessionLoaded):
        gallery.show_session(result.run_id)
    assert shape(gallery) == live


def test_images_being_judged_show_it_until_the_verdict(
    qtbot: QtBot, gallery: GalleryPanel, history: HistoryService
) -> None:
    _result, events = record(
        history, fakes.params(max_retry_attempts=1, max_prompt_revisions=0), verdicts=["YES"]
    )
    stored_at = next(n for n, e in enumerate(events) if isinstance(e, ev.ImageStored))
    replay(gallery, events[: stored_at + 1])
    (item,) = image_items(gallery)
    assert item.badge is Badge.JUDGING
    assert item.image_id == -1  # looked up off the GUI thread
    with qtbot.waitSignal(gallery.idsResolved):
        pass
    assert image_items(gallery)[0].image_id > 0
    replay(gallery, events[stored_at + 1 :])
    assert image_items(gallery)[0].badge is Badge.APPROVED


def test_thumbnails_load_only_for_visible_cells(
    qtbot: QtBot, gallery: GalleryPanel, history: HistoryService
) -> None:
    result, _ = record(
        history,
        fakes.params(max_retry_attempts=12, max_prompt_revisions=0, titan_img_number_of_images=5),
    )
    gallery.resize(360, 260)
    with qtbot.waitSignal(gallery.sessionLoaded):
        gallery.show_session(result.run_id)
    total = len(image_items(gallery))
    assert total == 60
    settle(qtbot, gallery)
    loader = gallery.loader
    visible = {gallery.model.item(r).sha256 for r in visible_rows(gallery)} - {""}
    assert 0 < len(visible) < 15
    assert set(loader.requested_keys) <= visible
    assert loader.loads_started == len(visible)
    assert loader.pending <= loader.max_pending

    # Scrolling to the end loads the cells that come into view, and only those.
    gallery.view.scrollToBottom()
    last = image_items(gallery)[-1]
    qtbot.waitUntil(lambda: loader.cached(last.sha256) is not None)
    settle(qtbot, gallery)
    now_visible = {gallery.model.item(r).sha256 for r in visible_rows(gallery)} - {""}
    assert set(loader.requested_keys) <= visible | now_visible
    assert loader.loads_started < total

    # Scrolling back paints from the cache: nothing loads again.
    started = loader.loads_started
    gallery.view.scrollToTop()
    qtbot.waitUntil(lambda: gallery.view.verticalScrollBar().value() == 0)
    gallery.view.viewport().repaint()
    assert loader.loads_started == started


def test_cells_are_grouped_by_prompt_version(
    qtbot: QtBot, gallery: GalleryPanel, history: HistoryService
) -> None:
    result, _ = record(
        history,
        fakes.params(max_retry_attempts=2, max_prompt_revisions=2, titan_img_number_of_images=2),
        revisions=[
            '{"revised_prompt": "a red fox, snow, winter light"}',
            '{"revised_prompt": "a red fox in deep snow, photo"}',
        ],
    )
    with qtbot.waitSignal(gallery.sessionLoaded):
        gallery.show_session(result.run_id)
    items = gallery.model.items()
    headers = [i for i in items if i.kind is ItemKind.HEADER]
    assert [version_label(h.revision) for h in headers] == [
        "Prompt v1",
        "Prompt v2",
        "Prompt v3",
    ]
    assert VERSION_ORIGINAL in headers[0].tooltip()
    assert VERSION_REVISED in headers[1].tooltip()
    assert [h.prompt for h in headers] == [
        "a red fox in the snow",
        "a red fox, snow, winter light",
        "a red fox in deep snow, photo",
    ]
    # Each header is followed by its version's images, in attempt and index order.
    groups: dict[int, list[tuple[int, int]]] = {}
    current = -1
    for item in items:
        if item.kind is ItemKind.HEADER:
            current = item.revision
            groups[current] = []
        else:
            assert item.revision == current
            assert item.prompt == headers[current].prompt
            groups[current].append((item.attempt, item.index))
    assert groups == {r: [(0, 0), (0, 1), (1, 0), (1, 1)] for r in range(3)}

    # Headers are not selectable: select-all picks only images, in grid order.
    gallery.view.selectAll()
    expected = [i.image_id for i in image_items(gallery)]
    assert gallery.selected_image_ids() == expected
    header_index = gallery.model.index(0)
    assert not gallery.view.selectionModel().isSelected(header_index)
    # The header tile and thumbnails share one cell size (uniform sizes, batched layout).
    rect0 = gallery.view.visualRect(header_index)
    rect1 = gallery.view.visualRect(gallery.model.index(1))
    assert rect0.size() == rect1.size()
    assert rect0.top() == rect1.top()


def test_overriding_the_judge_in_the_details_pane_updates_history_and_badge(
    qtbot: QtBot, gallery: GalleryPanel, details: DetailsPane, history: HistoryService
) -> None:
    result, _ = record(
        history, fakes.params(max_retry_attempts=2, max_prompt_revisions=0), verdicts=["NO", "YES"]
    )
    link_gallery_and_details(gallery, details)
    with qtbot.waitSignal(gallery.sessionLoaded):
        gallery.show_session(result.run_id)
    rejected = image_items(gallery)[0]
    assert rejected.badge is Badge.REJECTED
    row = gallery.model.row_of_id(rejected.image_id)
    with qtbot.waitSignal(details.loaded):
        gallery.view.selectionModel().setCurrentIndex(
            gallery.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
    assert details.image_id == rejected.image_id

    with qtbot.waitSignals([details.decisionChanged, gallery.imageRefreshed]):
        details.approve_button.click()
    assert history.image(rejected.image_id).human_decision is Decision.APPROVED
    assert history.image(rejected.image_id).effective_approved
    assert gallery.model.item(row).badge is Badge.HUMAN_APPROVED
    assert history.image(rejected.image_id).verdict.result == "NO"  # type: ignore[union-attr]

    with qtbot.waitSignals([details.decisionChanged, gallery.imageRefreshed]):
        details.clear_button.click()
    assert history.image(rejected.image_id).human_decision is None
    assert gallery.model.item(row).badge is Badge.REJECTED

    approved = image_items(gallery)[1]
    with qtbot.waitSignal(details.loaded):
        gallery.select_image(approved.image_id)
    with qtbot.waitSignals([details.decisionChanged, gallery.imageRefreshed]):
        details.reject_button.click()
    assert gallery.model.item(gallery.model.row_of_id(approved.image_id)).badge is (
        Badge.HUMAN_REJECTED
    )
    assert not history.image(approved.image_id).effective_approved


def test_selection_reports_history_ids(
    qtbot: QtBot, gallery: GalleryPanel, history: HistoryService
) -> None:
    result, _ = record(history, fakes.params(max_retry_attempts=2, max_prompt_revisions=0))
    with qtbot.waitSignal(gallery.sessionLoaded):
        gallery.show_session(result.run_id)
    _first, second = image_items(gallery)
    with qtbot.waitSignal(gallery.imageSelected) as blocker:
        gallery.select_image(second.image_id)
    assert blocker.args == [second.image_id]
    with qtbot.waitSignal(gallery.imageSelected) as blocker:
        gallery.clear()
    assert blocker.args == [-1]
    assert gallery.selected_image_ids() == []


def test_events_of_a_live_run_do_not_disturb_a_past_session_on_screen(
    qtbot: QtBot, gallery: GalleryPanel, history: HistoryService
) -> None:
    past, _ = record(history, fakes.params("a quiet harbour"), verdicts=["YES"])
    _live, events = record(history, fakes.params("a busy market"), verdicts=["NO", "YES"])
    replay(gallery, events[:3])
    with qtbot.waitSignal(gallery.sessionLoaded):
        gallery.show_session(past.run_id)
    before = shape(gallery)
    replay(gallery, events[3:])
    assert shape(gallery) == before
    assert gallery.run_id == past.run_id


def test_opening_the_live_run_keeps_every_event_that_arrives_while_it_loads(
    qtbot: QtBot, gallery: GalleryPanel, history: HistoryService
) -> None:
    result, events = record(
        history, fakes.params(max_retry_attempts=2, max_prompt_revisions=1), verdicts=["NO"] * 3
    )
    stored = [n for n, e in enumerate(events) if isinstance(e, ev.ImageStored)]
    replay(gallery, events[: stored[1]])
    with qtbot.waitSignal(gallery.sessionLoaded):
        gallery.show_session(result.run_id)  # the person reopens the run that is going
        replay(gallery, events[stored[1] :])  # these arrive while the history is read
    settle(qtbot, gallery)
    assert gallery.title.text() == RUN_TITLE.format(
        run_id=result.run_id, outcome=ev.Outcome.NOT_APPROVED.value
    )
    reopened = shape(gallery)
    with qtbot.waitSignal(gallery.sessionLoaded):
        gallery.show_session(result.run_id)
    assert shape(gallery) == reopened
    assert len(image_items(gallery)) == 4


def test_the_details_pane_follows_live_changes_of_the_selected_image(
    qtbot: QtBot, gallery: GalleryPanel, details: DetailsPane, history: HistoryService
) -> None:
    link_gallery_and_details(gallery, details)
    _result, events = record(
        history, fakes.params(max_retry_attempts=1, max_prompt_revisions=0), verdicts=["YES"]
    )
    judging = next(n for n, e in enumerate(events) if isinstance(e, ev.JudgingStarted))
    with qtbot.waitSignal(gallery.idsResolved):
        replay(gallery, events[: judging + 1])
    (item,) = image_items(gallery)
    with qtbot.waitSignal(details.loaded):
        gallery.select_image(item.image_id)
    # The history already holds the verdict (the recorder ran ahead); the gallery shows
    # what its events said so far, and the pane follows the gallery's next change.
    with qtbot.waitSignal(details.loaded) as blocker:
        replay(gallery, events[judging + 1 :])
    assert blocker.args == [item.image_id]
    assert image_items(gallery)[0].badge is Badge.APPROVED
    assert details.fields["verdict"].text().startswith("YES")
    assert details.picture.has_picture()

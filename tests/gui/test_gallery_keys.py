"""Keyboard moves in the gallery land on images only: prompt-version headers and
failed-attempt tiles are stepped over by the arrows, Home, End and the page keys."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from imgloop_desktop.gui.gallery import GalleryPanel
from imgloop_desktop.gui.gallery_model import GalleryItem, ItemKind, header
from tests.gui.gallery_fixtures import gallery, history

__all__ = ["gallery", "history"]  # fixtures

COLUMNS = 4


def image(revision: int, attempt: int, image_id: int) -> GalleryItem:
    return GalleryItem(ItemKind.IMAGE, revision, attempt, 0, image_id=image_id)


def grid(panel: GalleryPanel, items: list[GalleryItem]) -> None:
    """Show ``items`` ``COLUMNS`` cells to a row, the view focused as a person's Tab leaves it."""
    panel.model.set_items(items)
    view = panel.view
    cell = view.sizeHintForIndex(panel.model.index(0))
    spacing = 2 * view.spacing()
    frame = view.width() - view.viewport().width()
    scrollbar = view.verticalScrollBar().sizeHint().width()
    width = COLUMNS * (cell.width() + spacing) + frame + scrollbar + spacing // 2
    panel.resize(width, 600)  # the view is the panel's width (no margins)
    QTest.qWaitForWindowExposed(panel)
    view.doItemsLayout()
    view.setFocus()
    rows = {view.rectForIndex(panel.model.index(r)).top() for r in range(len(items))}
    assert len(rows) == -(-len(items) // COLUMNS)  # laid out COLUMNS to a row


def current_id(panel: GalleryPanel) -> int:
    return panel.model.item(panel.view.currentIndex().row()).image_id


def press(panel: GalleryPanel, key: Qt.Key) -> int:
    QTest.keyClick(panel.view, key)
    assert panel.model.item(panel.view.currentIndex().row()).kind is ItemKind.IMAGE
    return current_id(panel)


def test_arrows_home_and_end_skip_headers_and_failed_tiles(
    qtbot: QtBot, gallery: GalleryPanel
) -> None:
    # Row by row (4 to a row):   H0  1   2   3
    #                            4   H1  5   F
    #                            6   H2  7
    failed = GalleryItem(ItemKind.FAILED, 1, 2, note="refused")
    grid(
        gallery,
        [
            header(0, "a fox"),
            image(0, 0, 1),
            image(0, 1, 2),
            image(0, 2, 3),
            image(0, 3, 4),
            header(1, "a red fox"),
            image(1, 0, 5),
            failed,
            image(1, 3, 6),
            header(2, "a red fox in snow"),
            image(2, 0, 7),
        ],
    )
    assert press(gallery, Qt.Key.Key_Right) == 1  # from nothing: the first image, not H0
    assert press(gallery, Qt.Key.Key_Left) == 1  # nothing before it but a header: stay
    assert press(gallery, Qt.Key.Key_Right) == 2
    assert press(gallery, Qt.Key.Key_Right) == 3
    assert press(gallery, Qt.Key.Key_Right) == 4  # wraps to the next row
    assert press(gallery, Qt.Key.Key_Right) == 5  # over H1
    assert press(gallery, Qt.Key.Key_Right) == 6  # over the failed tile
    assert press(gallery, Qt.Key.Key_Right) == 7  # over H2
    assert press(gallery, Qt.Key.Key_Right) == 7  # the end
    assert press(gallery, Qt.Key.Key_Left) == 6
    assert press(gallery, Qt.Key.Key_Left) == 5
    assert press(gallery, Qt.Key.Key_Home) == 1
    assert press(gallery, Qt.Key.Key_End) == 7
    assert press(gallery, Qt.Key.Key_Up) == 5  # H1 above 7: the row's nearest image
    assert press(gallery, Qt.Key.Key_Up) == 2  # straight up
    assert press(gallery, Qt.Key.Key_Down) == 5
    assert press(gallery, Qt.Key.Key_Down) == 7  # H2 below 5: nearest, the later on a tie
    assert press(gallery, Qt.Key.Key_Down) == 7  # the last row
    assert press(gallery, Qt.Key.Key_Up) == 5
    assert press(gallery, Qt.Key.Key_Left) == 4
    assert press(gallery, Qt.Key.Key_Up) == 1  # H0 above 4: its neighbour
    assert press(gallery, Qt.Key.Key_Up) == 1  # the first row
    assert press(gallery, Qt.Key.Key_PageDown) in (5, 6, 7)  # a page is the whole grid
    assert press(gallery, Qt.Key.Key_PageUp) in (1, 2, 3)


def test_the_arrow_selects_what_it_lands_on(qtbot: QtBot, gallery: GalleryPanel) -> None:
    grid(gallery, [header(0, "a fox"), image(0, 0, 11), header(1, "a red fox"), image(1, 0, 12)])
    with qtbot.waitSignal(gallery.imageSelected) as selected:
        QTest.keyClick(gallery.view, Qt.Key.Key_Right)
    assert selected.args == [11]
    with qtbot.waitSignal(gallery.imageSelected) as selected:
        QTest.keyClick(gallery.view, Qt.Key.Key_Right)
    assert selected.args == [12]
    assert gallery.selected_image_ids() == [12]
    QTest.keyClick(gallery.view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert gallery.selected_image_ids() == [11, 12]


def test_an_empty_or_header_only_gallery_takes_keys_quietly(
    qtbot: QtBot, gallery: GalleryPanel
) -> None:
    grid(gallery, [header(0, "a fox")])
    for key in (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_End, Qt.Key.Key_PageDown):
        QTest.keyClick(gallery.view, key)
        assert gallery.selected_image_ids() == []
        current = gallery.view.currentIndex()
        assert not current.isValid() or gallery.model.item(current.row()).kind is ItemKind.HEADER

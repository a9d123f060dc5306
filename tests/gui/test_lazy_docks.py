"""The History, Review and Queue docks build their panels when first shown (issue 15): a
start with them closed builds none, every way of opening one (its action, Ctrl+H, the
queue getting an item, the remembered layout) shows it filled, and a panel built after the
window showed takes dropped event files like the rest of the window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from imgloop_desktop.core.params import RunParams
from imgloop_desktop.gui.lazy_dock import LazyDock
from imgloop_desktop.gui.main_window import MainWindow
from tests.gui.window_runs import MakeWindow

NAMES = ("historyDock", "reviewDock", "queueDock")


def docks(window: MainWindow) -> dict[str, LazyDock]:
    found = {d.objectName(): d for d in window.findChildren(LazyDock)}
    assert set(found) == set(NAMES)
    return found


def built(window: MainWindow) -> set[str]:
    return {name for name, dock in docks(window).items() if dock.is_built}


def test_a_start_with_the_docks_closed_builds_no_panel(make_window: MakeWindow) -> None:
    window = make_window()
    assert built(window) == set()
    for dock in docks(window).values():
        assert dock.widget() is None and not dock.isVisible()
    window.close()  # shutting down does not build what was never shown
    assert built(window) == set()


def test_each_way_of_opening_a_dock_shows_it_built(make_window: MakeWindow, qtbot: QtBot) -> None:
    window = make_window()
    window.history_action.trigger()  # Ctrl+H
    assert window.history_dock.isVisible()
    assert window.history_dock.widget() is window.history_browser
    assert built(window) == {"historyDock"}
    window.history_action.trigger()  # Ctrl+H again: hidden, kept
    assert not window.history_dock.isVisible() and window.history_dock.is_built

    window.review_action.trigger()
    assert window.review_dock.isVisible()
    assert window.review_dock.widget() is window.review_panel
    window.queue_action.trigger()
    assert window.queue_sync.dock.isVisible()
    assert window.queue_sync.dock.widget() is window.queue_sync.panel
    assert built(window) == set(NAMES)


def test_the_dock_toggle_builds_it_and_the_panel_is_asked_for_once(
    make_window: MakeWindow,
) -> None:
    window = make_window()
    window.review_dock.toggleViewAction().trigger()
    assert window.review_dock.isVisible() and window.review_dock.is_built
    first = window.review_panel
    window.review_dock.toggleViewAction().trigger()
    window.review_dock.toggleViewAction().trigger()
    assert window.review_panel is first  # built once, never again


def test_the_queue_panel_fills_when_it_is_first_built(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window()
    with qtbot.waitSignal(window.queue_sync.message):
        window.queue_sync.set_paused(True)  # nothing runs; the items wait
    window.queue_sync.add_lines("one\ntwo\n")  # adding shows the dock
    qtbot.waitUntil(lambda: window.queue_sync.dock.isVisible())
    panel = window.queue_sync.panel
    qtbot.waitUntil(lambda: [i.params.prompt for i in panel.items] == ["one", "two"])


def test_a_dock_left_open_opens_built_at_the_next_start(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    first = make_window()
    first.open_review()
    first.close()  # saves the layout

    again = make_window()
    assert again.review_dock.isVisible()
    assert again.review_dock.widget() is again.review_panel
    assert built(again) == {"reviewDock"}  # the closed ones are still shells


def drop_event_file(target: QWidget, path: Path) -> bool:
    """Enter then drop ``path`` on ``target`` as Qt delivers a real drop, with the text a
    file manager adds (so a text field would take it as text if nothing routed it)."""
    url = QUrl.fromLocalFile(str(path))
    mime = QMimeData()
    mime.setUrls([url])
    mime.setText(url.toString())
    point = QPoint(5, 5)
    actions = Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point, actions, mime, buttons, keys)
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    QApplication.sendEvent(target, QDropEvent(QPointF(point), actions, mime, buttons, keys))
    return True


def test_a_panel_built_after_the_window_showed_routes_dropped_event_files(
    make_window: MakeWindow, tmp_path: Path
) -> None:
    window = make_window()
    window.open_history()  # built now, long after the window's Show
    event = tmp_path / "event.json"
    RunParams(prompt="from a dropped file").save(event)
    search = window.history_browser.search_edit
    assert drop_event_file(search, event)
    assert window.form.params().prompt == "from a dropped file"
    assert search.text() == ""  # loaded, not typed into the search box

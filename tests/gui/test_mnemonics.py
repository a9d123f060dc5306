"""Alt+letter mnemonics are unique within each window.

Qt gives an ``&x`` mnemonic a window-wide shortcut: when two controls in one window share
a letter, Alt+letter only cycles focus between them and activates neither, so the
second one is as good as unreachable. Docks count with the main window (Qt matches a dock's
shortcuts in its main window even when it floats, and a person may place History, Review
and Queue side by side), dialogs count on their own, and a tab widget's pages count one at
a time (only the current page is shown). A menu's items are only matched while that menu
is open, so they need be unique within their menu only.

The letter is read as Qt reads it (``QKeySequence.mnemonic``), from the texts the
widgets really show, so a translation or a text set later at runtime is what is checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import keyring
import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialogButtonBox,
    QDockWidget,
    QGroupBox,
    QLabel,
    QMenu,
    QStackedWidget,
    QTabBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from imgloop_desktop.accounts import AccountStore
from imgloop_desktop.gui.accounts_dialog import AccountsDialog
from imgloop_desktop.gui.crash import CrashDialog
from imgloop_desktop.gui.main_window import MainWindow
from imgloop_desktop.gui.welcome import FirstRunFacts, WelcomeDialog
from tests.gui.window_runs import MakeWindow
from tests.keyring_fixtures import KEY_ID, SECRET, MemoryKeyring, use_memory_keyring

NO_BUTTON = QDialogButtonBox.StandardButton.NoButton


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    yield from use_memory_keyring()


@dataclass(frozen=True)
class Mnemonic:
    key: str
    """``QKeySequence`` text, e.g. "Alt+R"."""
    what: str
    """Which control, for the failure message."""


def key_of(text: str) -> str:
    """The Alt+letter Qt registers for ``text`` ("" for none; "&&" is a literal ampersand)."""
    return QKeySequence.mnemonic(text).toString()


def _describe(widget: QWidget, text: str) -> str:
    name = widget.objectName()
    return f"{type(widget).__name__}{f' #{name}' if name else ''} {text!r}"


def _in_view(widget: QWidget, root: QWidget) -> bool:
    """Whether ``widget`` is on screen with ``root``, or may come on screen without
    anything else going: a control hidden until there is something to say (a button
    shown after a failure, a checkbox shown once an image is picked) counts, a page of a
    stack or tab widget other than the current one does not (it replaces the current
    page), nor does another window (a dialog parented to this one)."""
    node: QWidget | None = widget
    while node is not None and node is not root:
        parent = node.parentWidget()
        if node.isWindow():
            return False
        if isinstance(parent, QStackedWidget) and parent.currentWidget() is not node:
            return False
        node = parent
    return node is root


def _standard_text(button: QAbstractButton) -> str:
    """A dialog's standard button as the GNOME platform theme names it ("&Close",
    "&Cancel"): the offscreen and bare X11 themes give no letter, a person's desktop does."""
    box = button.parentWidget()
    if not isinstance(box, QDialogButtonBox) or box.standardButton(button) == NO_BUTTON:
        return ""
    text = button.text()
    return text if key_of(text) else f"&{text}"


def controls(root: QWidget, skip: Iterable[QWidget] = ()) -> list[Mnemonic]:
    """Every mnemonic a control in view under ``root`` registers, except under ``skip``
    (the docks, counted from their own contents so their tab state does not matter)."""
    skipped = tuple(skip)
    found: list[Mnemonic] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not _in_view(widget, root):
            continue
        if any(s is widget or s.isAncestorOf(widget) for s in skipped):
            continue
        texts: list[str] = []
        if isinstance(widget, QAbstractButton):  # push, tool, check and radio buttons
            texts.append(_standard_text(widget) or widget.text())
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            texts.append(widget.text())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QTabBar):
            texts += [widget.tabText(i) for i in range(widget.count()) if widget.isTabVisible(i)]
        for text in texts:
            key = key_of(text)
            if key:
                found.append(Mnemonic(key, _describe(widget, text)))
    return found


def menu_titles(window: MainWindow) -> list[Mnemonic]:
    found = []
    for action in window.menuBar().actions():
        key = key_of(action.text())
        if action.isVisible() and key:
            found.append(Mnemonic(key, f"menu {action.text()!r}"))
    return found


def collisions(found: Iterable[Mnemonic]) -> dict[str, list[str]]:
    by_key: dict[str, list[str]] = {}
    for m in found:
        by_key.setdefault(m.key, []).append(m.what)
    return {key: whats for key, whats in sorted(by_key.items()) if len(whats) > 1}


def menu_collisions(menu: QMenu, path: str) -> dict[str, dict[str, list[str]]]:
    """Collisions among one menu's visible items, and in its submenus."""
    items = [
        Mnemonic(key_of(a.text()), repr(a.text()))
        for a in menu.actions()
        if a.isVisible() and not a.isSeparator() and key_of(a.text())
    ]
    out = {path: c} if (c := collisions(items)) else {}
    for action in menu.actions():
        sub = action.menu()
        if isinstance(sub, QMenu):
            out |= menu_collisions(sub, f"{path} > {action.text()}")
    return out


def main_window_mnemonics(window: MainWindow) -> list[Mnemonic]:
    """The main window with every dock shown, each dock's contents counted whether or not
    its tab is the current one."""
    docks = window.findChildren(QDockWidget)
    assert {d.objectName() for d in docks} >= {"historyDock", "reviewDock", "queueDock"}
    for dock in docks:
        dock.show()
    found = menu_titles(window) + controls(window, skip=docks)
    for dock in docks:
        contents = dock.widget()
        assert contents is not None
        found += controls(contents)
    return found


def test_key_of_reads_the_letter_as_qt_does() -> None:
    assert key_of("Re&fresh") == "Alt+F"
    assert key_of("Save && close") == ""
    assert key_of("&& &Next") == "Alt+N"
    assert key_of("No mnemonic") == ""


def test_main_window_and_its_docks(make_window: MakeWindow, qtbot: QtBot) -> None:
    window = make_window()
    found = main_window_mnemonics(window)
    assert len(found) > 5  # the collector sees the menus and the docks' buttons
    assert collisions(found) == {}


def test_each_menu_of_the_main_window(make_window: MakeWindow) -> None:
    window = make_window()
    menus = {}
    for action in window.menuBar().actions():
        menu = action.menu()
        assert isinstance(menu, QMenu)
        menus |= menu_collisions(menu, action.text())
    assert menus == {}


def test_preferences_every_tab(qtbot: QtBot) -> None:
    store = AccountStore(backend=keyring.get_keyring())
    store.add("work", KEY_ID, SECRET, None, "us-east-1")
    dialog = AccountsDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    problems = {}
    for tab in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(tab)
        if found := collisions(controls(dialog)):
            problems[dialog.tabs.tabText(tab)] = found
    assert dialog.tabs.count() >= 3
    assert problems == {}
    dialog.close()
    dialog.wait_for_workers()


@pytest.mark.parametrize("facts", [None, FirstRunFacts(profiles=["default", "work"])])
def test_welcome(qtbot: QtBot, facts: FirstRunFacts | None) -> None:
    dialog = WelcomeDialog(facts)
    qtbot.addWidget(dialog)
    dialog.show()
    assert collisions(controls(dialog)) == {}


def test_crash_dialog(qtbot: QtBot, tmp_path: object) -> None:
    dialog = CrashDialog("Traceback: boom", None)
    qtbot.addWidget(dialog)
    dialog.show()
    assert collisions(controls(dialog)) == {}

"""The Japanese translation of the dialogs and the window's own messages: the first-run
welcome, Preferences' AWS accounts tab, the crash dialog and the offline demo's banner show
no English under it, apart from names (of the keyring, the app, AWS) that stay as they are.
The catalogue checks themselves (finished entries, placeholders, mnemonics) are
``test_translations.py``'s, which cover every ``.ts`` file."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QWidget
from pytestqt.qtbot import QtBot

from imgloop_desktop.gui.accounts_dialog import AccountsDialog
from imgloop_desktop.gui.crash import CrashDialog
from imgloop_desktop.gui.welcome import FirstRunFacts, WelcomeDialog
from imgloop_desktop.services.backends import DEMO_KEY
from tests.gui.test_translations import I18N, english_in, japanese
from tests.gui.window_runs import MakeWindow
from tests.keyring_fixtures import MemoryKeyring, use_memory_keyring

__all__ = ["japanese"]  # the fixture, used by name

# Names shown inside translated text that stay as they are: the test keyring's name, a
# profile, AWS CLI commands, file paths.
NAMES = re.compile(
    r"keyring fixtures MemoryKeyring|MemoryKeyring|work|CLI|SSO|aws( configure)?( sso)?( login)?|"
    r"(/[\w.\-]+)+"
)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    yield from use_memory_keyring()


def english(text: str) -> list[str]:
    return english_in(NAMES.sub("", text))


def visible_english(widget: QWidget, *, skip: tuple[QWidget, ...] = ()) -> list[str]:
    """Texts of the widget's labels, buttons and group boxes still in English."""
    found = []
    if english(widget.windowTitle()):
        found.append(f"title {widget.windowTitle()!r}")
    for child in widget.findChildren(QWidget):
        if any(child is s or s.isAncestorOf(child) for s in skip):
            continue
        if isinstance(child, (QAbstractButton, QLabel)):
            text = child.text()
        elif isinstance(child, QGroupBox):
            text = child.title()
        else:
            continue
        if english(text):
            found.append(f"{child.objectName() or type(child).__name__}: {text!r}")
    return found


def test_the_welcome_speaks_japanese(japanese: None, qtbot: QtBot) -> None:
    facts = FirstRunFacts(profiles=["work"], keyring_name="MemoryKeyring")
    dialog = WelcomeDialog(facts)
    qtbot.addWidget(dialog)
    assert not visible_english(dialog)
    checking = WelcomeDialog(None)
    qtbot.addWidget(checking)
    assert not visible_english(checking)
    none = WelcomeDialog(FirstRunFacts())
    qtbot.addWidget(none)
    assert not visible_english(none)


def test_the_accounts_tab_speaks_japanese(japanese: None, qtbot: QtBot) -> None:
    dialog = AccountsDialog()
    qtbot.addWidget(dialog)
    tabs = dialog.tabs
    assert tabs.tabText(0) == "AWS アカウント"
    found = visible_english(
        tabs.widget(0),
        skip=(dialog.active_label,),  # names the choice in accounts' words
    )
    profiles = [dialog.profile_combo.itemText(i) for i in range(dialog.profile_combo.count())]
    found += [f"profile {p!r}" for p in profiles[:1] if english(p)]
    buttons = dialog.findChildren(QAbstractButton)
    found += [f"button {b.text()!r}" for b in buttons if english(b.text())]
    assert not found, "\n".join(found)
    assert dialog.windowTitle() == "環境設定"
    dialog.wait_for_workers()


def test_the_crash_dialog_speaks_japanese(japanese: None, qtbot: QtBot, tmp_path: Path) -> None:
    dialog = CrashDialog("Traceback (most recent call last): ...", tmp_path / "imgloop.log")
    qtbot.addWidget(dialog)
    # The report itself stays in English: it is pasted into bug trackers.
    assert not visible_english(dialog, skip=(dialog.report_view,))
    dialog.add_report("another")
    assert not english(dialog.windowTitle())


def test_the_demo_banner_and_title_speak_japanese(
    japanese: None, make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window()
    assert window.select_backend(DEMO_KEY)
    assert window.demo_banner.isVisible()
    assert not english(window.demo_banner.text())
    assert not english(window.windowTitle().replace("imgloop desktop", ""))
    shown = window.backend_combo.currentText()
    assert shown != "Offline demo (simulated Bedrock)" and not english(shown)
    assert not english(window.backend_label.text())


def test_window_strings_are_translated_alike_in_both_catalogues() -> None:
    """dialogs.ts carries the window's new messages under MainWindow; window.ts the rest.
    A (context, source) pair in both must read the same."""

    def entries(path: Path) -> dict[tuple[str, str], str]:
        found = {}
        for context in ET.parse(path).getroot().iter("context"):
            name = context.findtext("name") or ""
            for message in context.iter("message"):
                key = (name, message.findtext("source") or "")
                found[key] = message.findtext("translation") or ""
        return found

    window, dialogs = entries(I18N / "ja" / "window.ts"), entries(I18N / "ja" / "dialogs.ts")
    differ = [k for k in window.keys() & dialogs.keys() if window[k] != dialogs[k]]
    assert not differ
    assert QCoreApplication.translate("Backends", "AWS profile: {name}") == "AWS profile: {name}"

"""The Japanese translation: every catalogue entry finished and faithful to its source
(placeholders and mnemonics kept), and the covered parts of the window show no English
under it. The covered parts grow as areas are translated (``COVERED`` below); the
catalogue checks cover every ``.ts`` file."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from imgloop_desktop.gui import i18n
from tests.gui.window_runs import MakeWindow

I18N = Path(__file__).resolve().parents[2] / "resources" / "i18n"
CATALOGUES = sorted(I18N.glob("*/*.ts"))
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
# Words that stay as they are in Japanese UI text: names, formats, keys.
KEPT = re.compile(
    r"imgloop|desktop|Bedrock|Amazon|AWS|JSON|JSONL|CSV|PNG|README|LGPL|Qt|https?://\S+|"
    r"Ctrl|Shift|Space|Enter|Esc|OS|S3|\.jsonl|\.csv|English|download\.qt\.io|md"
)
ENGLISH = re.compile(r"[A-Za-z]{3,}")


def messages() -> Iterator[tuple[Path, str, str, ET.Element]]:
    for path in CATALOGUES:
        for context in ET.parse(path).getroot().iter("context"):
            name = context.findtext("name") or ""
            for message in context.iter("message"):
                yield path, name, message.findtext("source") or "", message


def test_there_is_a_japanese_catalogue() -> None:
    assert any(p.parent.name == "ja" for p in CATALOGUES)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_entry_is_translated_and_keeps_its_placeholders_and_mnemonic(path: Path) -> None:
    problems = []
    for _, context, source, message in (m for m in messages() if m[0] == path):
        translation = message.find("translation")
        text = translation.text if translation is not None else None
        if translation is None or translation.get("type") in ("unfinished", "vanished", "obsolete"):
            problems.append(f"{context}: {source!r} is not translated")
            continue
        if not text:
            problems.append(f"{context}: {source!r} has an empty translation")
            continue
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
            problems.append(f"{context}: {source!r} -> {text!r} changes the placeholders")
        if re.search(r"&\w", source) and not re.search(r"&\w", text):
            problems.append(f"{context}: {source!r} -> {text!r} drops the mnemonic")
    assert not problems, "\n".join(problems)


@pytest.fixture
def japanese(tmp_path: Path, qapp: QApplication) -> Iterator[None]:
    """The catalogues compiled as dev.py does, installed, and removed after the test."""
    folder = tmp_path / "i18n"
    for ts in CATALOGUES:
        qm = folder / ts.parent.name / ts.with_suffix(".qm").name
        qm.parent.mkdir(parents=True, exist_ok=True)
        lrelease = Path(sys.executable).with_name("pyside6-lrelease")
        subprocess.run([str(lrelease), "-silent", str(ts), "-qm", str(qm)], check=True)
    assert i18n.install(qapp, "ja", folder) == "ja"
    yield
    i18n.install(qapp, "en")
    QLocale.setDefault(QLocale(QLocale.Language.English))


def english_in(text: str) -> list[str]:
    return ENGLISH.findall(KEPT.sub("", text.replace("&", "")))


def shown_texts(widget: QWidget) -> Iterator[tuple[str, str]]:
    for child in widget.findChildren(QWidget):
        if isinstance(child, QAbstractButton):
            yield child.objectName() or type(child).__name__, child.text()
        elif isinstance(child, QLabel):
            yield child.objectName() or "label", child.text()


def test_menus_toolbar_and_the_queue_dock_speak_japanese(
    japanese: None, make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window()
    found: list[str] = []
    for menu_action in window.menuBar().actions():
        found += [f"menu {menu_action.text()!r}"] * bool(english_in(menu_action.text()))
        menu = menu_action.menu()
        for action in menu.actions() if menu is not None else []:
            if action.text() and english_in(action.text()):
                found.append(f"menu item {action.text()!r}")
    for action in window.actions():
        tip = action.toolTip()
        if tip and english_in(tip):
            found.append(f"tooltip {tip!r}")
    panel = window.queue_sync.panel
    for name, text in shown_texts(panel):
        if english_in(text):
            found.append(f"queue {name}: {text!r}")
    headers = [panel.table.horizontalHeaderItem(i).text() for i in range(panel.table.columnCount())]
    found += [f"queue header {h!r}" for h in headers if english_in(h)]
    for dock in (window.history_dock, window.review_dock, window.queue_sync.dock):
        if english_in(dock.windowTitle()):
            found.append(f"dock {dock.windowTitle()!r}")
    assert not found, "\n".join(found)
    assert QCoreApplication.translate("Menus", "&File") == "ファイル(&F)"

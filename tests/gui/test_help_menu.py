"""Help: the shortcuts table follows the actions, troubleshooting is the README's own
section, About lists the shipped components' licences, and a folder with no file manager
to open it says so and offers the path."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from imgloop_desktop.gui.folders import open_folder
from imgloop_desktop.gui.main_window import help_menu
from imgloop_desktop.gui.main_window.actions import ACTIONS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_shortcuts_table_names_every_command_and_its_keys() -> None:
    table = help_menu.shortcuts_markdown()
    for spec in ACTIONS:
        assert f"| {spec.text.replace('&', '')} |" in table
    assert "| Run | Ctrl+R |" in table and "| Keyboard shortcuts | F1 |" in table


def test_troubleshooting_is_the_readme_s_section_and_nothing_after_it(tmp_path: Path) -> None:
    text = help_menu.troubleshooting_markdown(README)
    assert text.startswith("## Troubleshooting\n")
    assert "## Development" not in text and "libxcb" in text
    assert help_menu.readme_path() == README  # a source checkout finds it
    missing = tmp_path / "README.md"
    assert help_menu.troubleshooting_markdown(missing) == help_menu.NO_TROUBLESHOOTING


def test_about_lists_the_shipped_components_with_their_licences() -> None:
    about = help_menu.about_markdown()
    assert "| boto3 |" in about and "Apache" in about
    assert "| PySide6-Essentials |" in about and "LGPL" in about


def test_a_folder_nobody_opens_is_said_and_its_path_can_be_copied(
    qtbot: QtBot, tmp_path: Path
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    asked: list[QUrl] = []

    def nobody(url: QUrl) -> bool:
        asked.append(url)
        return False

    assert not open_folder(parent, tmp_path, nobody)
    assert asked == [QUrl.fromLocalFile(str(tmp_path))]
    box = parent.findChild(QMessageBox, "noFileManager")
    assert box is not None and str(tmp_path) in box.text()
    copy = next(b for b in box.buttons() if b.text() == "Copy path")
    copy.click()
    assert QGuiApplication.clipboard().text() == str(tmp_path)
    assert open_folder(parent, tmp_path, lambda url: True)

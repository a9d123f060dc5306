"""Opening a folder in the desktop's file manager, and what to do when there is none.

``QDesktopServices.openUrl`` returns False when no application is registered for folders
(a bare window manager, a minimal container); a button that silently does nothing then
looks broken, so the person is told, and offered the path to copy.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP

UrlOpener = Callable[[QUrl], object]
NO_FILE_MANAGER = QT_TRANSLATE_NOOP(
    "Folders",
    "No file manager answered for {path}. This desktop may not have one set up "
    "(xdg-open needs a default application for folders).",
)


def open_folder(parent: QWidget, folder: Path, open_url: UrlOpener | None = None) -> bool:
    """Ask the file manager to show ``folder``; when none answers, say so and offer to copy
    the path (a bare window manager has no default for folders)."""
    opener = open_url or QDesktopServices.openUrl
    if opener(QUrl.fromLocalFile(str(folder))) is not False:  # Qt says False for "none"
        return True
    box = QMessageBox(parent)
    box.setObjectName("noFileManager")
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle(QCoreApplication.translate("Folders", "Open folder"))
    box.setText(QCoreApplication.translate("Folders", NO_FILE_MANAGER).format(path=folder))
    copy_text = QCoreApplication.translate("Folders", "Copy path")
    copy = box.addButton(copy_text, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Close)

    def clicked(button: object) -> None:
        if button is copy:
            QGuiApplication.clipboard().setText(str(folder))

    box.buttonClicked.connect(clicked)
    box.open()
    return False

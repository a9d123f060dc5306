"""Event files in and out of the form: File > Import/Export event JSON, and drops.

A dropped event JSON loads like File > Import; a dropped PNG exported by imgloop loads the
parameters kept in its provenance chunk. Reports by ``message(str)``; parameters from a PNG
go out as ``paramsDropped(RunParams, source)`` for the window to load (it refuses during a
run).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QMimeData, QObject, Qt, QUrl, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.gui.drag_export import params_from_drop
from imgloop_desktop.gui.error_box import show_exception
from imgloop_desktop.gui.param_form import ParamForm

NOT_AN_EVENT_FILE = "{name} cannot be used as an event file"


def dropped_file(urls: Iterable[object]) -> Path | None:
    """The first dropped local event JSON or PNG."""
    for url in urls:
        if isinstance(url, QUrl) and url.isLocalFile():
            path = Path(url.toLocalFile())
            if path.suffix.lower() in (".json", ".png"):
                return path
    return None


class EventFiles(QObject):
    message = Signal(str)
    paramsDropped = Signal(object, str)

    def __init__(self, window: QWidget, form: ParamForm, running: Callable[[], bool]) -> None:
        super().__init__(window)
        self._window = window
        self.form = form
        self._running = running

    def ask_import(self) -> None:
        dialog = QFileDialog(self._window, "Import event JSON")
        dialog.setObjectName("importEventDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters(["Event JSON (*.json)", "All files (*)"])
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda name: self.import_event(Path(name)))
        dialog.open()

    def import_event(self, path: Path) -> bool:
        """Load an event file into the form; a bad file is reported and changes nothing."""
        if self._running():
            self.message.emit("Parameters cannot be replaced during a run.")
            return False
        try:
            self.form.import_event(path)
        except ValidationError as exc:
            show_exception(self._window, exc, doing=NOT_AN_EVENT_FILE.format(name=path.name))
            return False
        if self.form.is_valid():
            self.message.emit(f"Loaded parameters from {path}.")
        else:
            self.message.emit(f"Loaded {path.name}; some values are not allowed (marked in red).")
        return True

    def ask_export(self) -> None:
        dialog = QFileDialog(self._window, "Export event JSON")
        dialog.setObjectName("exportEventDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(["Event JSON (*.json)"])
        dialog.setDefaultSuffix("json")
        dialog.selectFile("event.json")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda name: self.export_event(Path(name)))
        dialog.open()

    def export_event(self, path: Path) -> bool:
        try:
            self.form.export_event(path)
        except OSError as exc:
            show_exception(self._window, exc, doing=f"{path} could not be written")
            return False
        self.message.emit(f"Saved the parameters to {path}.")
        return True

    def accepts(self, mime: QMimeData) -> bool:
        return dropped_file(mime.urls()) is not None

    def drop(self, mime: QMimeData) -> bool:
        """Handle a drop; False when it holds nothing for us."""
        path = dropped_file(mime.urls())
        if path is None:
            return False
        if path.suffix.lower() == ".json":
            self.import_event(path)
            return True
        try:
            params = params_from_drop(mime)
        except ValidationError as exc:
            show_exception(
                self._window, exc, doing=f"{path.name} holds no parameters imgloop can use"
            )
            return True
        if params is not None:
            self.paramsDropped.emit(params, path.name)
        return True

"""Event files in and out of the form: File > Import/Export event JSON, and drops.

A dropped event JSON loads like File > Import; a dropped PNG loads the parameters that made
it (``drag_export.load_params_file``: its own chunk, its sidecar, or the history by SHA-256).
Loading sets every field the file carries and keeps the form's current value for the rest,
naming them in the status line: a PNG from elsewhere says nothing about attempts or judge
settings, and those should not silently fall back to defaults. Queue files (``.jsonl``,
``.csv``) are not parameters: they leave by ``queueFilesDropped`` for the run queue.

Drops are taken anywhere on the window. The window's own ``dropEvent`` sees drops on the
panes; text fields accept drops themselves (the prompt box would paste a PNG's
``file://`` URL as text), so ``DropRouter`` watches them and takes drops of our files
before they do. Plain text dropped on a field still goes in as text.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QMimeData, QObject, Qt, Signal
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QAbstractScrollArea, QFileDialog, QWidget

from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.gui.drag_export import (
    PARAM_SUFFIXES,
    QUEUE_SUFFIXES,
    LoadedParams,
    dropped_paths,
    load_params_file,
    params_file,
    queue_files,
)
from imgloop_desktop.gui.error_box import show_exception
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, in_context
from imgloop_desktop.gui.param_form import ParamForm
from imgloop_desktop.gui.param_form.form import field_words
from imgloop_desktop.services.history import HistoryService

NOT_AN_EVENT_FILE = QT_TRANSLATE_NOOP("EventFiles", "{name} cannot be used as an event file")
NO_PARAMETERS = QT_TRANSLATE_NOOP("EventFiles", "{name} holds no parameters imgloop can use")
NOT_DURING_RUN = QT_TRANSLATE_NOOP("EventFiles", "Parameters cannot be replaced during a run.")
LOADED = QT_TRANSLATE_NOOP("EventFiles", "Loaded parameters from {source}{how}.")
LOADED_SOME = QT_TRANSLATE_NOOP(
    "EventFiles",
    "Loaded {count} settings from {source}{how}; kept your current {left} (the file does not "
    "say them).",
)
NOT_ALLOWED = QT_TRANSLATE_NOOP("EventFiles", " Some values are not allowed (marked in red).")
EVENT_JSON = QT_TRANSLATE_NOOP("EventFiles", "Event JSON (*.json)")


_tr = in_context("EventFiles")


_DRAG_EVENTS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)


def ours(mime: QMimeData) -> bool:
    """Whether a drop holds a file the window loads or queues."""
    wanted = PARAM_SUFFIXES + QUEUE_SUFFIXES
    return any(p.suffix.lower() in wanted for p in dropped_paths(mime))


class DropRouter(QObject):
    """Takes drops of our files from the text fields that would otherwise accept them as
    text, and hands them to ``drop``; everything else goes on to the field."""

    def __init__(self, drop: Callable[[QMimeData], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._drop = drop

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() not in _DRAG_EVENTS or not isinstance(event, QDropEvent):
            return False  # QDragEnterEvent and QDragMoveEvent are QDropEvents too
        if not ours(event.mimeData()):
            return False
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        if event.type() == QEvent.Type.Drop:
            self._drop(event.mimeData())
        return True


class EventFiles(QObject):
    message = Signal(str)
    """No longer emitted: drops load the form here (merged with what it shows, which the
    window's ``load_params`` would not do). Kept while window.py still connects it."""
    queueFilesDropped = Signal(list)
    """Dropped ``.jsonl`` / ``.csv`` files (a list of ``pathlib.Path``), for the run queue."""

    def __init__(
        self,
        window: QWidget,
        form: ParamForm,
        running: Callable[[], bool],
        history: HistoryService | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self.form = form
        self._running = running
        self.history = history
        """Lets a PNG without parameters be found by its SHA-256, and an exported one
        bring its whole run's settings; None reads the files alone."""
        self.router = DropRouter(self.drop, self)
        self.route_drops()
        window.installEventFilter(self)

    def route_drops(self) -> None:
        """Watch every field of the window that takes drops itself. Called again when the
        window is shown, for the parts built after this one (docks, panels); installing
        twice is harmless (Qt moves the filter to the front)."""
        for widget in self._window.findChildren(QWidget):
            if widget.isWindow() and widget is not self._window:
                continue  # a dialog of its own
            if widget.acceptDrops():
                widget.installEventFilter(self.router)
            if isinstance(widget, QAbstractScrollArea) and widget.viewport().acceptDrops():
                widget.viewport().installEventFilter(self.router)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Show:
            self.route_drops()
        return False

    # -- File menu ---------------------------------------------------------------------------

    def ask_import(self) -> None:
        dialog = QFileDialog(
            self._window, QCoreApplication.translate("EventFiles", "Import event JSON")
        )
        dialog.setObjectName("importEventDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters(
            [_tr(EVENT_JSON), QCoreApplication.translate("EventFiles", "All files (*)")]
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda name: self.import_event(Path(name)))
        dialog.open()

    def import_event(self, path: Path) -> bool:
        """Load an event file into the form; a bad file is reported and changes nothing."""
        return self._load(path, NOT_AN_EVENT_FILE)

    def ask_export(self) -> None:
        dialog = QFileDialog(
            self._window, QCoreApplication.translate("EventFiles", "Export event JSON")
        )
        dialog.setObjectName("exportEventDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters([_tr(EVENT_JSON)])
        dialog.setDefaultSuffix("json")
        dialog.selectFile("event.json")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda name: self.export_event(Path(name)))
        dialog.open()

    def export_event(self, path: Path) -> bool:
        try:
            self.form.export_event(path)
        except OSError as exc:
            show_exception(
                self._window,
                exc,
                doing=QCoreApplication.translate(
                    "EventFiles", "{path} could not be written"
                ).format(path=path),
            )
            return False
        self.message.emit(
            QCoreApplication.translate("EventFiles", "Saved the parameters to {path}.").format(
                path=path
            )
        )
        return True

    # -- drops --------------------------------------------------------------------------------

    def accepts(self, mime: QMimeData) -> bool:
        return ours(mime)

    def drop(self, mime: QMimeData) -> bool:
        """Handle a drop; False when it holds nothing for us. Queue files go out by
        ``queueFilesDropped``; the first event JSON or PNG loads the form."""
        found = dropped_paths(mime)
        queued = queue_files(found)
        if queued:
            self.queueFilesDropped.emit(queued)
        path = params_file(found)
        if path is None:
            return bool(queued)
        doing = NOT_AN_EVENT_FILE if path.suffix.lower() == ".json" else NO_PARAMETERS
        self._load(path, doing)
        return True

    def _load(self, path: Path, doing: str) -> bool:
        if self._running():
            self.message.emit(_tr(NOT_DURING_RUN))
            return False
        try:
            loaded = load_params_file(path, self.history)
        except ValidationError as exc:
            show_exception(self._window, exc, doing=_tr(doing).format(name=path.name))
            return False
        self.message.emit(self.apply(loaded))
        return True

    def apply(self, loaded: LoadedParams) -> str:
        """Show ``loaded`` in the form over its current values; what to say about it."""
        left = self.form.load_fields(loaded.values())
        how = f" ({loaded.how})" if loaded.how else ""
        if left:
            text = _tr(LOADED_SOME).format(
                count=len({field_words(name) for name in loaded.carried}),
                source=loaded.source,
                how=how,
                left=", ".join(left),
            )
        else:
            text = _tr(LOADED).format(source=loaded.source, how=how)
        return text if self.form.is_valid() else text + _tr(NOT_ALLOWED)

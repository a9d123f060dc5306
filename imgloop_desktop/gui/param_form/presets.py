"""The presets bar above the form: save, load and delete named sets of run parameters.

A widget of its own so the form holds only the parameters; it reads and shows them
through the two callables it is given.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QSignalBlocker, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.gui.param_form.widgets import ERROR_STYLE, NOTE_STYLE, ReflowGrid, note_label
from imgloop_desktop.gui.settings_store import SettingsStore


class PresetsBar(QWidget):
    """Named presets in ``settings``; ``presetsChanged`` fires when one is saved or deleted."""

    presetsChanged = Signal()

    def __init__(
        self,
        settings: SettingsStore,
        read: Callable[[], RunParams],
        show: Callable[[RunParams], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._read = read
        self._show = show
        caption = QLabel(QCoreApplication.translate("PresetsBar", "Preset:"))
        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("presetCombo")
        self.preset_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.preset_combo.setMinimumContentsLength(8)
        self.preset_load = QPushButton(QCoreApplication.translate("PresetsBar", "Load"))
        self.preset_save = QPushButton(QCoreApplication.translate("PresetsBar", "Save as…"))
        self.preset_delete = QPushButton(QCoreApplication.translate("PresetsBar", "Delete"))
        # One row when the column is wide; the buttons under the list when it is not (the
        # one row was what kept the form column from being narrower than 385 pixels).
        widgets: list[QWidget] = [
            caption,
            self.preset_combo,
            self.preset_load,
            self.preset_save,
            self.preset_delete,
        ]
        bar = ReflowGrid(
            widgets,
            wide=([(0, 0, 1, 1), (0, 1, 1, 1), (0, 2, 1, 1), (0, 3, 1, 1), (0, 4, 1, 1)], {1: 1}),
            narrow=(
                [(0, 0, 1, 1), (0, 1, 1, 2), (1, 0, 1, 1), (1, 1, 1, 1), (1, 2, 1, 1)],
                {0: 1, 1: 1, 2: 1},
            ),
        )
        bar.setObjectName("presetBar")
        self.preset_load.clicked.connect(self._load_selected_preset)
        self.preset_save.clicked.connect(self._ask_preset_name)
        self.preset_delete.clicked.connect(self._delete_selected_preset)
        self.preset_status = note_label()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(bar)
        column.addWidget(self.preset_status)
        self._refresh_presets()

    def save_preset(self, name: str) -> str:
        stored = self._settings.save_preset(name, self._read())
        self._refresh_presets(select=stored)
        self._say_preset(
            QCoreApplication.translate("PresetsBar", "Saved preset “{name}”.").format(name=stored)
        )
        self.presetsChanged.emit()
        return stored

    def load_preset(self, name: str) -> None:
        self._show(self._settings.preset(name))
        self._say_preset(
            QCoreApplication.translate("PresetsBar", "Loaded preset “{name}”.").format(name=name)
        )

    def delete_preset(self, name: str) -> bool:
        deleted = self._settings.delete_preset(name)
        self._refresh_presets()
        if deleted:
            self._say_preset(
                QCoreApplication.translate("PresetsBar", "Deleted preset “{name}”.").format(
                    name=name
                )
            )
            self.presetsChanged.emit()
        return deleted

    def preset_names(self) -> list[str]:
        return self._settings.preset_names()

    def _refresh_presets(self, select: str | None = None) -> None:
        current = select or self.preset_combo.currentText()
        with QSignalBlocker(self.preset_combo):
            self.preset_combo.clear()
            self.preset_combo.addItems(self.preset_names())
            index = self.preset_combo.findText(current)
            self.preset_combo.setCurrentIndex(max(index, 0))
        has = self.preset_combo.count() > 0
        self.preset_load.setEnabled(has)
        self.preset_delete.setEnabled(has)

    def _say_preset(self, text: str, *, error: bool = False) -> None:
        self.preset_status.setStyleSheet(ERROR_STYLE if error else NOTE_STYLE)
        self.preset_status.setText(text)
        self.preset_status.setVisible(bool(text))

    @Slot()
    def _load_selected_preset(self) -> None:
        name = self.preset_combo.currentText()
        if not name:
            return
        try:
            self.load_preset(name)
        except ValidationError as exc:
            self._say_preset(
                QCoreApplication.translate(
                    "PresetsBar", "This preset no longer reads as parameters:"
                )
                + "\n"
                + "\n".join(str(p) for p in exc.problems),
                error=True,
            )

    @Slot()
    def _delete_selected_preset(self) -> None:
        name = self.preset_combo.currentText()
        if name:
            self.delete_preset(name)

    @Slot()
    def _ask_preset_name(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        dialog = QInputDialog(self)
        dialog.setObjectName("presetNameDialog")
        dialog.setWindowTitle(QCoreApplication.translate("PresetsBar", "Save preset"))
        dialog.setLabelText(
            QCoreApplication.translate(
                "PresetsBar", "Name of the preset (an existing name is replaced):"
            )
        )
        dialog.setTextValue(self.preset_combo.currentText())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(self._save_named_preset)
        dialog.open()

    @Slot(str)
    def _save_named_preset(self, name: str) -> None:
        try:
            self.save_preset(name)
        except ValidationError as exc:
            self._say_preset("\n".join(str(p) for p in exc.problems), error=True)

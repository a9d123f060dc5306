"""Preferences → Queue: how hard the run queue may press the account.

Three numbers with the ranges ``services.queue_limits`` checks, so a value the file would
refuse cannot be typed; Save writes ``<data dir>/queue.json`` and the queue uses them from
its next start (a running queue keeps the limits it started with, said under the fields).
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, in_context, shown
from imgloop_desktop.services.queue_limits import (
    RANGES,
    QueueLimits,
    limits_file,
    load_limits,
    save_limits,
)

NOTE = QT_TRANSLATE_NOOP(
    "QueuePage",
    "Bedrock's quotas are per model and per Region, and new accounts often get less than "
    "the published defaults; these start modest. When Bedrock answers that calls are too "
    "many, the queue slows down by itself and speeds up again as calls succeed, up to the "
    "rate set here. Service Quotas in the AWS console shows your account's values. Changes "
    "apply from the queue's next start.",
)
LABELS = {
    "items_at_once": QT_TRANSLATE_NOOP("QueuePage", "&Items running at once:"),
    "image_calls_at_once": QT_TRANSLATE_NOOP("QueuePage", "Image calls at &once:"),
    "image_calls_per_minute": QT_TRANSLATE_NOOP("QueuePage", "Image calls per &minute (at most):"),
}
DEFAULTS = QT_TRANSLATE_NOOP("QueuePage", "&Defaults")
SAVE = QT_TRANSLATE_NOOP("QueuePage", "&Save queue limits")
BAD_FILE = QT_TRANSLATE_NOOP(
    "QueuePage", "{path} could not be used ({problems}); showing the defaults."
)
NOT_SAVED = QT_TRANSLATE_NOOP("QueuePage", "Not saved: {error}")
SAVED = QT_TRANSLATE_NOOP("QueuePage", "Saved; the queue uses these from its next start.")


_tr = in_context("QueuePage")


class QueuePage(QWidget):
    """``saved(QueueLimits)`` after a save."""

    saved = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queuePage")
        column = QVBoxLayout(self)
        form = QFormLayout()
        self.spins: dict[str, QSpinBox] = {}
        for name, (low, high) in RANGES.items():
            spin = QSpinBox()
            spin.setObjectName(name)
            spin.setRange(low, high)
            spin.valueChanged.connect(self._edited)
            label = QLabel(_tr(LABELS[name]))
            label.setBuddy(spin)
            form.addRow(label, spin)
            self.spins[name] = spin
        column.addLayout(form)
        note = QLabel(_tr(NOTE))
        note.setWordWrap(True)
        column.addWidget(note)
        self.status = QLabel()
        self.status.setObjectName("queueLimitsStatus")
        self.status.setWordWrap(True)
        column.addWidget(self.status)
        row = QHBoxLayout()
        row.addStretch(1)
        self.defaults_button = QPushButton(_tr(DEFAULTS))
        self.defaults_button.clicked.connect(lambda: self.show_limits(QueueLimits()))
        self.save_button = QPushButton(_tr(SAVE))
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.defaults_button)
        row.addWidget(self.save_button)
        column.addLayout(row)
        column.addStretch(1)
        self._saved = QueueLimits()
        self.load()

    def load(self) -> None:
        try:
            self._saved = load_limits()
            self.status.setText("")
        except ValidationError as exc:
            self._saved = QueueLimits()
            problems = "; ".join(shown(p.sentence()) for p in exc.problems)
            self.status.setText(_tr(BAD_FILE).format(path=limits_file(), problems=problems))
        self.show_limits(self._saved)
        self.save_button.setEnabled(False)

    def show_limits(self, limits: QueueLimits) -> None:
        for name, spin in self.spins.items():
            spin.setValue(getattr(limits, name))

    def limits(self) -> QueueLimits:
        return replace(QueueLimits(), **{n: s.value() for n, s in self.spins.items()})

    def dirty(self) -> bool:
        return self.limits() != self._saved

    @Slot()
    def _edited(self) -> None:
        self.save_button.setEnabled(self.dirty())

    @Slot()
    def save(self) -> bool:
        limits = self.limits()
        try:
            save_limits(limits)
        except (ValidationError, OSError) as exc:
            self.status.setText(_tr(NOT_SAVED).format(error=exc))
            return False
        self._saved = limits
        self.save_button.setEnabled(False)
        self.status.setText(_tr(SAVED))
        self.saved.emit(limits)
        return True

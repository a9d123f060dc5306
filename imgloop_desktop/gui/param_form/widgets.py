"""The form's small widgets and helpers: a bounded number field, size text, labels, styles.

Kept apart from the form so the form module holds only layout and reactions.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QSignalBlocker, Qt, Slot
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel, QSizePolicy, QWidget

from imgloop_desktop.core.models import ImageModelSpec, Lifecycle
from imgloop_desktop.core.params import TIMES

_SIZE_RE = re.compile(rf"^\s*(\d{{1,6}})\s*[x{TIMES}X*,]\s*(\d{{1,6}})\s*$")
INVALID_STYLE = "border: 1px solid #c62828; border-radius: 2px;"
ERROR_STYLE = "color: #c62828;"
WARN_STYLE = "color: #a15c00;"
NOTE_STYLE = "color: palette(placeholder-text);"
LIFECYCLE_WORDS = {
    Lifecycle.ACTIVE: "",
    Lifecycle.LEGACY: "legacy",
    Lifecycle.END_OF_LIFE: "end of life",
}


def size_text(width: int, height: int) -> str:
    return f"{width} {TIMES} {height}"


def parse_size(text: str) -> tuple[int, int] | None:
    """What ``size_text`` writes, or "1024x1024", "1024 * 1024", "1024, 1024"; else None."""
    match = _SIZE_RE.match(text)
    return (int(match[1]), int(match[2])) if match else None


def model_label(spec: ImageModelSpec) -> str:
    word = LIFECYCLE_WORDS[spec.lifecycle]
    return f"{spec.name} ({word})" if word else spec.name


def narrow_combo(combo: QComboBox) -> None:
    """Long model names must not make the form column wider than the window allows."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(18)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)


class NumberField(QDoubleSpinBox):
    """A spin box for whole or decimal numbers, bounded by real limits.

    A double spin box (with 0 decimals for whole numbers) because seeds go past what a
    QSpinBox can hold (Stability's 4294967294). ``set_flagged_value`` widens the range just
    enough to show an outside value; the range narrows back once the value is inside.
    """

    def __init__(
        self,
        low: float,
        high: float,
        *,
        decimals: int = 0,
        step: float = 1.0,
        special: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setDecimals(decimals)
        self.setSingleStep(step)
        self.setAccelerated(True)
        self.setKeyboardTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._special = special
        self._limits = (low, high)
        self._apply_range(low, high)
        self.valueChanged.connect(self._maybe_narrow)

    @property
    def limits(self) -> tuple[float, float]:
        return self._limits

    @property
    def integer(self) -> bool:
        return self.decimals() == 0

    def number(self) -> float:
        return self.value()

    def whole(self) -> int:
        return round(self.value())

    def set_limits(self, low: float, high: float, *, clamp: bool) -> tuple[float, float] | None:
        """New limits. With ``clamp`` an outside value moves inside and (old, new) is
        returned; without, it stays and is shown (the validator will flag it)."""
        old = self.value()
        self._limits = (low, high)
        if clamp or low <= old <= high:
            with QSignalBlocker(self):
                self._apply_range(low, high)
            new = min(max(old, low), high)
            self.setValue(new)
            return (old, new) if new != old else None
        with QSignalBlocker(self):
            self._apply_range(min(low, old), max(high, old))
            self.setValue(old)
        return None

    def set_flagged_value(self, value: float) -> None:
        low, high = self._limits
        with QSignalBlocker(self):
            self._apply_range(min(low, value), max(high, value))
        self.setValue(value)

    def _apply_range(self, low: float, high: float) -> None:
        self.setRange(low, high)
        self.setSpecialValueText(self._special if low == self._limits[0] else "")

    @Slot(float)
    def _maybe_narrow(self, value: float) -> None:
        low, high = self._limits
        if (self.minimum(), self.maximum()) != (low, high) and low <= value <= high:
            with QSignalBlocker(self):
                self._apply_range(low, high)
                self.setValue(value)


def error_label() -> QLabel:
    """The red line under a field: hidden until the validator has something to say."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setVisible(False)
    return label


def note_label(style: str = NOTE_STYLE, name: str = "") -> QLabel:
    """A quiet line under a field (what a model allows, what a setting costs)."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(style)
    label.setVisible(False)
    if name:
        label.setObjectName(name)
    return label


def in_sentence(label: str) -> str:
    """``label`` as it reads inside a sentence: "Seed" -> "seed", "CFG scale" stays."""
    if len(label) > 1 and label[1].islower():
        return label[0].lower() + label[1:]
    return label

"""The form's small widgets and helpers: a bounded number field, size text, labels, styles.

Kept apart from the form so the form module holds only layout and reactions.
"""

from __future__ import annotations

import math
import re

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSignalBlocker,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QResizeEvent, QValidator, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QLayout,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from imgloop_desktop.core.models import ImageModelSpec, Lifecycle, TextModelSpec
from imgloop_desktop.core.params import TIMES, UNSET
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, shown
from imgloop_desktop.services.catalog import LifecycleInfo

_SIZE_RE = re.compile(rf"^\s*(\d{{1,6}})\s*[x{TIMES}X*,]\s*(\d{{1,6}})\s*$")
INVALID_STYLE = "border: 1px solid #c62828; border-radius: 2px;"
ERROR_STYLE = "color: #c62828;"
WARN_STYLE = "color: #a15c00;"
NOTE_STYLE = "color: palette(placeholder-text);"
UNSET_TEXT = UNSET
"""What a spin box shows for a setting left out of the request: the word an event uses."""
LIFECYCLE_WORDS = {
    Lifecycle.ACTIVE: "",
    Lifecycle.LEGACY: QT_TRANSLATE_NOOP("ParamForm", "Legacy"),
    Lifecycle.END_OF_LIFE: QT_TRANSLATE_NOOP("ParamForm", "End of life"),
}
"""A picker's word for each lifecycle (translated where shown, ``tr_form``)."""


def tr_form(text: str) -> str:
    """``text`` (marked with ``QT_TRANSLATE_NOOP("ParamForm", ...)``) in the window's
    language."""
    return QCoreApplication.translate("ParamForm", text) if text else text


def tr_param(text: str) -> str:
    """A label, section title, help or hint declared in core (``"Params"``), translated."""
    return QCoreApplication.translate("Params", text) if text else text


def size_text(width: int, height: int) -> str:
    return f"{width} {TIMES} {height}"


# Aspect ratios people name (Stability's own list, Titan's and Nova's), as a size's ratio is
# said in a note: 1344 x 768 is "16:9" to a person (and to Stability), not its exact 7:4.
_NAMED_RATIOS = (
    (1, 1), (16, 9), (9, 16), (21, 9), (9, 21), (3, 2), (2, 3), (4, 3), (3, 4),
    (5, 4), (4, 5), (2, 1), (1, 2), (3, 1), (1, 3), (4, 1), (1, 4),
)  # fmt: skip
_RATIO_TOLERANCE = 0.04  # within 4% of a named ratio is that ratio (1536 x 640 is 21:9)


def aspect_text(width: int, height: int) -> str:
    """The aspect ratio of ``width`` x ``height`` as people name it: the nearest named
    ratio within 4%, else the exact reduced one."""
    if width <= 0 or height <= 0:
        return f"{width}:{height}"
    ratio = width / height
    w, h = min(_NAMED_RATIOS, key=lambda r: abs(math.log((r[0] / r[1]) / ratio)))
    if abs(math.log((w / h) / ratio)) <= _RATIO_TOLERANCE:
        return f"{w}:{h}"
    common = math.gcd(width, height)
    return f"{width // common}:{height // common}"


def fitted_size_note(size: tuple[int, int], fitted: tuple[int, int], model_name: str) -> str:
    """What the form says when ``size`` (an event's, a preset's, typed) is one the model
    does not make and ``fitted`` (its nearest) is what the run will use."""
    w, h = size
    fw, fh = fitted
    return QCoreApplication.translate(
        "ParamForm", "{size} is not offered by {model}; {nearest} ({aspect}) is the nearest."
    ).format(
        size=f"{w}{TIMES}{h}",
        model=model_name,
        nearest=f"{fw}{TIMES}{fh}",
        aspect=aspect_text(fw, fh),
    )


def parse_size(text: str) -> tuple[int, int] | None:
    """What ``size_text`` writes, or "1024x1024", "1024 * 1024", "1024, 1024"; else None."""
    match = _SIZE_RE.match(text)
    return (int(match[1]), int(match[2])) if match else None


def lifecycle_words(info: LifecycleInfo) -> str:
    """A model's state as a picker names it: "" when Active, "Legacy, end of life
    2026-09-30", "End of life since 2026-04-30" (the dates only when known)."""
    if info.status is Lifecycle.ACTIVE:
        return ""
    if info.status is Lifecycle.LEGACY:
        if info.end_of_life:
            return QCoreApplication.translate("ParamForm", "Legacy, end of life {date}").format(
                date=info.end_of_life
            )
        return tr_form(LIFECYCLE_WORDS[Lifecycle.LEGACY])
    if info.end_of_life:
        return QCoreApplication.translate("ParamForm", "End of life since {date}").format(
            date=info.end_of_life
        )
    return tr_form(LIFECYCLE_WORDS[Lifecycle.END_OF_LIFE])


def model_label(spec: ImageModelSpec | TextModelSpec, info: LifecycleInfo | None = None) -> str:
    """The name a picker shows: "Amazon Nova Canvas — Legacy, end of life 2026-09-30".

    ``info`` is what Bedrock last said, else the catalog (``services.catalog.lifecycle``);
    without it, the catalog's word from the spec (no dates).
    """
    known = tr_form(LIFECYCLE_WORDS[spec.lifecycle])
    words = lifecycle_words(info) if info is not None else known
    return f"{spec.name} — {words}" if words else spec.name


def lifecycle_note(name: str, info: LifecycleInfo) -> str:
    """The line under a picker: the model's state, what to use instead, and where the
    state comes from ("from Bedrock, checked 2026-11-30" / "from the app's catalog")."""
    words = lifecycle_words(info)
    if words:
        text = QCoreApplication.translate("ParamForm", "{model}: {state}").format(
            model=name, state=in_sentence(words)
        )
    else:
        text = QCoreApplication.translate("ParamForm", "{model}: active").format(model=name)
    if info.replacement and info.status is not Lifecycle.ACTIVE:
        text = QCoreApplication.translate("ParamForm", "{said}; consider {model}").format(
            said=text, model=info.replacement
        )
    return QCoreApplication.translate("ParamForm", "{said} ({source}).").format(
        said=text, source=shown(info.source_words())
    )


LABEL_ROLE = Qt.ItemDataRole.UserRole + 7
"""An item's label in a picker's list, where its text must stay the bare id."""


class LabelledItems(QStyledItemDelegate):
    """Draws each item of an editable combo's list by its ``LABEL_ROLE`` text.

    The judge picker takes any id typed into it, so each item's text must be the exact id
    (an editable combo puts the item text into its line edit and reads it back); the list
    still shows which model each id is and whether it is Legacy.
    """

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        label = index.data(LABEL_ROLE)
        if isinstance(label, str) and label:
            option.text = label


def narrow_combo(combo: QComboBox) -> None:
    """Long model names must not make the form column wider than the window allows."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(18)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)


def _wheel_only_when_focused(widget: QWidget, event: QWheelEvent) -> bool:
    """Whether ``widget`` may take ``event``. The form scrolls; a wheel turned over a combo
    box or spin box the person is only scrolling past must scroll the form, not change a
    size or a number unseen (found under Xvfb: scrolling the form changed the image size).
    Ignored, the event goes on to the scroll area."""
    if widget.hasFocus():
        return True
    event.ignore()
    return False


class ScrollSafeCombo(QComboBox):
    """A combo box that takes the mouse wheel only once it has focus (clicked or tabbed to).

    ``opening`` is emitted as its list is about to show: the model pickers ask Bedrock then
    for lifecycles (what a person opening the list wants to know), not at every start.
    """

    opening = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def showPopup(self) -> None:
        self.opening.emit()
        super().showPopup()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if _wheel_only_when_focused(self, event):
            super().wheelEvent(event)


class NumberField(QDoubleSpinBox):
    """A spin box for whole or decimal numbers, bounded by real limits.

    A double spin box (with 0 decimals for whole numbers) because seeds go past what a
    QSpinBox can hold (Stability's 4294967294). ``set_flagged_value`` widens the range just
    enough to show an outside value; the range narrows back once the value is inside.

    An ``unsettable`` field (typed ``X | None``: a judge's temperature, top p, top k) has one
    more entry one step below its real minimum, shown as "unset" (Qt's special value text)
    and read back as None: the setting is then left out of the request, which is what
    current Claude models need for top p. It sits below the range rather than beside it so
    the arrows and the keyboard reach it the way they reach any other value.
    """

    def __init__(
        self,
        low: float,
        high: float,
        *,
        decimals: int = 0,
        step: float = 1.0,
        special: str = "",
        unsettable: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setDecimals(decimals)
        self.setSingleStep(step)
        self.setAccelerated(True)
        self.setKeyboardTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel alone does not focus it
        self._unsettable = unsettable
        self._special = UNSET_TEXT if unsettable else special
        self._limits = (low, high)
        self._apply_range(self.floor, high)
        self.valueChanged.connect(self._maybe_narrow)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if _wheel_only_when_focused(self, event):
            super().wheelEvent(event)

    @property
    def limits(self) -> tuple[float, float]:
        """The real limits, without the "unset" entry below them."""
        return self._limits

    @property
    def unsettable(self) -> bool:
        return self._unsettable

    @property
    def floor(self) -> float:
        """The lowest entry while the value is inside: the "unset" slot one step below the
        real minimum for an unsettable field, else the minimum itself."""
        low = self._limits[0]
        return round(low - self.singleStep(), self.decimals()) if self._unsettable else low

    @property
    def integer(self) -> bool:
        return self.decimals() == 0

    def is_unset(self) -> bool:
        """True while the "unset" entry is shown (never for a field that cannot be unset)."""
        return (
            self._unsettable
            and self.specialValueText() == UNSET_TEXT
            and self.value() == self.minimum()
        )

    def number(self) -> float | None:
        return None if self.is_unset() else self.value()

    def whole(self) -> int | None:
        return None if self.is_unset() else round(self.value())

    def set_limits(self, low: float, high: float, *, clamp: bool) -> tuple[float, float] | None:
        """New limits. With ``clamp`` an outside value moves inside and (old, new) is
        returned; without, it stays and is shown (the validator will flag it). An unset
        value stays unset."""
        unset = self.is_unset()
        old = self.value()
        self._limits = (low, high)
        if unset:
            self.set_flagged_value(None)
            return None
        if clamp or low <= old <= high:
            with QSignalBlocker(self):
                self._apply_range(self.floor, high)
            new = min(max(old, low), high)
            self.setValue(new)
            return (old, new) if new != old else None
        self._show_outside(old)
        return None

    def set_flagged_value(self, value: float | None) -> None:
        """Show ``value`` as it is: widened to it when outside, "unset" for None."""
        if value is None:
            if not self._unsettable:
                raise ValueError("this field cannot be unset")
            with QSignalBlocker(self):
                self._apply_range(self.floor, self._limits[1])
            self.setValue(self.floor)
            return
        self._show_outside(value)

    def _show_outside(self, value: float) -> None:
        high = self._limits[1]
        floor = self.floor
        bottom = min(floor, value)
        if self._unsettable and value <= floor:
            # A number at (or below) the "unset" slot: the slot moves out of the way, so
            # the number reads as itself, flagged, and is not taken for "unset".
            bottom = min(value, floor) - self.singleStep()
        with QSignalBlocker(self):
            self._apply_range(bottom, max(high, value))
        self.setValue(value)

    # Qt shows the special text but does not take it typed; a person who reads "unset" may
    # type it (or its start, while typing), so it is read here as the "unset" entry.
    def _typed_unset(self, text: str) -> str | None:
        """ "whole", "start" or None: how far ``text`` spells "unset" (unsettable only)."""
        word = text.strip().casefold()
        # Qt validates while the base class is being set up, before ``_unsettable`` exists.
        if not (
            getattr(self, "_unsettable", False) and word and self.specialValueText() == UNSET_TEXT
        ):
            return None
        if word == UNSET_TEXT:
            return "whole"
        return "start" if UNSET_TEXT.startswith(word) else None

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        typed = self._typed_unset(text)
        if typed == "whole":
            return (QValidator.State.Acceptable, text, pos)
        if typed == "start":
            return (QValidator.State.Intermediate, text, pos)
        return super().validate(text, pos)

    def valueFromText(self, text: str) -> float:
        if self._typed_unset(text) == "whole":
            return self.minimum()
        return super().valueFromText(text)

    def _apply_range(self, low: float, high: float) -> None:
        self.setRange(low, high)
        self.setSpecialValueText(self._special if low == self.floor else "")

    @Slot(float)
    def _maybe_narrow(self, value: float) -> None:
        low, high = self._limits
        if (self.minimum(), self.maximum()) != (self.floor, high) and low <= value <= high:
            with QSignalBlocker(self):
                self._apply_range(self.floor, high)
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


Place = tuple[int, int, int, int]
"""Row, column, row span, column span in a grid."""


class ReflowGrid(QWidget):
    """A row of controls that moves to a second arrangement when the width runs out.

    A pane of fixed buttons sets the narrowest the window can be: three columns of them
    did not fit 1280 pixels with the history open, nor a 1600-pixel screen at 2x scale.
    Laid out again (``narrow``) the same buttons take more rows and less width; the
    switch happens on resize, and the narrow width is what the grid says it needs.
    """

    def __init__(
        self,
        items: list[QWidget],
        wide: tuple[list[Place], dict[int, int]],
        narrow: tuple[list[Place], dict[int, int]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._items = items
        self._wide = wide
        self._narrow_places = narrow
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._is_narrow: bool | None = None
        self._place(narrow=False)

    @property
    def is_narrow(self) -> bool:
        return bool(self._is_narrow)

    def _spacing(self) -> int:
        spacing = self._grid.horizontalSpacing()
        return (
            spacing
            if spacing >= 0
            else self.style().pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing)
        )

    def _width(self, places: list[Place]) -> int:
        """The least width ``places`` needs: each control at its size hint (a button's
        text is never cut)."""
        spacing = max(0, self._spacing())
        columns: dict[int, int] = {}
        shown = [(w, p) for w, p in zip(self._items, places, strict=True) if not w.isHidden()]
        for widget, (_row, column, _rows, span) in shown:
            columns.setdefault(column, 0)
            if span == 1:
                columns[column] = max(columns[column], _hint_width(widget))
        for widget, (_row, column, _rows, span) in shown:
            if span > 1:
                have = sum(columns.get(column + i, 0) for i in range(span))
                need = _hint_width(widget) - have - spacing * (span - 1)
                if need > 0:
                    last = column + span - 1
                    columns[last] = columns.get(last, 0) + need
        return sum(columns.values()) + spacing * max(0, len(columns) - 1)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(self._width(self._narrow_places[0]), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place(narrow=event.size().width() < self._width(self._wide[0]))

    def _place(self, *, narrow: bool) -> None:
        if narrow == self._is_narrow:
            return
        self._is_narrow = narrow
        places, stretches = self._narrow_places if narrow else self._wide
        for widget in self._items:
            self._grid.removeWidget(widget)
        for column in range(self._grid.columnCount()):
            self._grid.setColumnStretch(column, 0)
        for widget, (row, column, rows, span) in zip(self._items, places, strict=True):
            self._grid.addWidget(widget, row, column, rows, span)
        for column, stretch in stretches.items():
            self._grid.setColumnStretch(column, stretch)
        self.updateGeometry()


def _hint_width(widget: QWidget) -> int:
    if isinstance(widget, QAbstractButton):
        return widget.sizeHint().width()
    return widget.minimumSizeHint().width()


class CaptionRows(QGridLayout):
    """Captioned rows in two columns (``addRow`` as a QFormLayout has it), whose wrapped
    text gets the height it needs; a row can be hidden, caption and all.

    Under Xvfb a QFormLayout gave a wrapped value (a long reason, a checklist line) less
    height than its text needs and cut its last line off; a grid does not."""

    def __init__(self) -> None:
        super().__init__()
        self.setColumnStretch(1, 1)
        self.setHorizontalSpacing(8)
        self._captions: dict[QWidget, QLabel] = {}

    def addRow(self, caption: str, field: QWidget | QLayout) -> None:
        row = self.rowCount()
        label = QLabel(caption)
        self.addWidget(label, row, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        if isinstance(field, QLabel):
            # A long word (a path, a model id) must not widen the pane past its scroll
            # area: it is cut at the edge instead, its whole text on hover.
            policy = field.sizePolicy()
            policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
            field.setSizePolicy(policy)
        if isinstance(field, QWidget):
            self.addWidget(field, row, 1)
            self._captions[field] = label
        else:
            self.addLayout(field, row, 1)

    def captions(self) -> list[QLabel]:
        return list(self._captions.values())

    def setRowVisible(self, field: QWidget, visible: bool) -> None:
        field.setVisible(visible)
        self._captions[field].setVisible(visible)

"""One editor per form row, built from the fields' declarations (``core.param_decl``).

An editor reads its fields from its widget and shows them from a ``RunParams``; the form
reads and writes itself by looping over editors, so a new run field needs no form code
unless it wants a special widget. Plain numbers, flags, text and choices are built here
from the declaration alone (range, decimals, step, special text, hint, help); a
declaration naming a ``widget`` gets the matching special editor below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from imgloop_desktop import paths
from imgloop_desktop.core.errors import Problem
from imgloop_desktop.core.events import ChecklistOrigin, ChecklistSet
from imgloop_desktop.core.models import ImageModelSpec
from imgloop_desktop.core.param_decl import ParamField
from imgloop_desktop.core.params import SIZE_FIELD, RunParams, model_limits
from imgloop_desktop.gui.i18n import shown
from imgloop_desktop.gui.param_form import checklist_editor as words
from imgloop_desktop.gui.param_form.checklist_editor import ChecklistTable
from imgloop_desktop.gui.param_form.widgets import (
    LABEL_ROLE,
    NOTE_STYLE,
    UNSET_TEXT,
    WARN_STYLE,
    LabelledItems,
    NumberField,
    ScrollSafeCombo,
    model_label,
    narrow_combo,
    note_label,
    tr_param,
)
from imgloop_desktop.services.catalog import IMAGE_MODELS, TEXT_MODELS, lifecycle, model_notes

Slot0 = Callable[[], None]


class Editor:
    """The widget(s) of one row, for the one or more fields declared on that row.

    ``widget`` is what is marked red and what ``field_widget`` returns; ``row`` is what
    sits in the layout (the widget, or it with a button beside it); ``notes`` go under it.
    """

    def __init__(self, fields: list[ParamField], widget: QWidget, *, key: str = "") -> None:
        self.fields = fields
        self.widget = widget
        self.row = widget
        self.notes: list[QLabel] = []
        self.key = key or fields[0].name  # the name its problems carry
        tips = "; ".join(tr_param(f.declared.help) for f in fields)
        names = ", ".join(f.name for f in fields)
        widget.setToolTip(
            QCoreApplication.translate("ParamForm", "{help} ({fields})").format(
                help=tips, fields=names
            )
            if tips
            else QCoreApplication.translate("ParamForm", "Event field: {fields}").format(
                fields=names
            )
        )

    @property
    def field(self) -> ParamField:
        return self.fields[0]

    @property
    def label(self) -> str:
        return tr_param(self.field.declared.label)

    @property
    def bare(self) -> bool:
        """True when the row stands without a label (its box's title names it)."""
        return False

    def read(self) -> dict[str, Any]:
        raise NotImplementedError

    def show(self, params: RunParams) -> None:
        raise NotImplementedError

    def on_change(self, slot: Slot0) -> None:
        raise NotImplementedError

    def problems(self) -> list[Problem]:
        """What the widget itself holds that no ``RunParams`` could (a half-typed
        checklist row); the form adds these to the validator's."""
        return []


class NumberEditor(Editor):
    """A declared range (or the model's) in a spin box; outside values are shown, flagged.

    A field typed ``X | None`` (``ParamField.unsettable``) gets the spin box's "unset"
    entry below its range, read as None: the setting is then not sent to the model.
    """

    def __init__(self, f: ParamField, spec: ImageModelSpec) -> None:
        d = f.declared
        model = model_limits(spec)
        if d.bounds is not None:
            low, high = d.bounds.spin_range
        else:  # the model's range, set again whenever the model changes
            low, high = model.get(f.name) or (0.0, 0.0)
        spin = NumberField(
            low,
            high,
            decimals=d.decimals,
            step=d.step,
            special=tr_param(d.special),
            unsettable=f.unsettable,
        )
        super().__init__([f], spin)
        self.spin = spin
        if f.unsettable:
            spin.setToolTip(
                spin.toolTip()
                + "\n"
                + QCoreApplication.translate(
                    "ParamForm",
                    "The lowest entry, “{unset}”, leaves it out of the request: the model's "
                    "own default applies.",
                ).format(unset=UNSET_TEXT)
            )
        if f.name in model:  # said when the model has no such setting
            self.notes.append(note_label(name=f"unusedNote_{f.name}"))

    def read(self) -> dict[str, Any]:
        whole = self.field.type is int
        return {self.field.name: self.spin.whole() if whole else self.spin.number()}

    def show(self, params: RunParams) -> None:
        self.spin.set_flagged_value(getattr(params, self.field.name))

    def on_change(self, slot: Slot0) -> None:
        self.spin.valueChanged.connect(slot)


class CheckEditor(Editor):
    def __init__(self, f: ParamField) -> None:
        self.check = QCheckBox(tr_param(f.declared.hint))
        super().__init__([f], self.check)

    def read(self) -> dict[str, Any]:
        return {self.field.name: self.check.isChecked()}

    def show(self, params: RunParams) -> None:
        self.check.setChecked(getattr(params, self.field.name))

    def on_change(self, slot: Slot0) -> None:
        self.check.toggled.connect(slot)


class LineEditor(Editor):
    def __init__(self, f: ParamField) -> None:
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(tr_param(f.declared.hint))
        super().__init__([f], self.edit)

    def read(self) -> dict[str, Any]:
        text = self.edit.text()
        return {self.field.name: text.strip() if self.field.declared.strip else text}

    def show(self, params: RunParams) -> None:
        self.edit.setText(getattr(params, self.field.name))

    def on_change(self, slot: Slot0) -> None:
        self.edit.textChanged.connect(slot)


class ComboEditor(Editor):
    """Text picked from a list: fixed choices, or an editable list of suggestions."""

    def __init__(self, f: ParamField, items: list[str], *, editable: bool) -> None:
        self.combo = ScrollSafeCombo()
        self.combo.setEditable(editable)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.addItems(items)
        line = self.combo.lineEdit()
        if line is not None and f.declared.hint:
            line.setPlaceholderText(tr_param(f.declared.hint))
        super().__init__([f], self.combo)

    def read(self) -> dict[str, Any]:
        text = self.combo.currentText()
        return {self.field.name: text.strip() if self.field.declared.strip else text}

    def show(self, params: RunParams) -> None:
        value = getattr(params, self.field.name)
        if not self.combo.isEditable() and self.combo.findText(value) < 0:
            self.combo.addItem(value)  # shown as it came, so the validator's words fit it
        self.combo.setCurrentText(value)

    def on_change(self, slot: Slot0) -> None:
        self.combo.currentTextChanged.connect(slot)


class _PromptEdit(QPlainTextEdit):
    """A prompt box about five lines tall: Qt's default (192 px) pushed the Run button and
    the essentials below the fold at 1366x768; a longer prompt scrolls inside."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        margins = self.contentsMargins()
        lines = self.fontMetrics().lineSpacing() * 5 + 2 * self.document().documentMargin()
        return QSize(hint.width(), round(lines) + margins.top() + margins.bottom())


class PromptEditor(Editor):
    """The prompt, with a counter against the model's limit; its box's title is its label."""

    def __init__(self, f: ParamField) -> None:
        self.edit: QPlainTextEdit = _PromptEdit()
        self.edit.setPlaceholderText(tr_param(f.declared.hint))
        self.edit.setTabChangesFocus(True)
        self.edit.setMinimumHeight(90)
        super().__init__([f], self.edit)
        self.counter = QLabel()
        self.counter.setObjectName("promptCounter")
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.notes.append(self.counter)

    @property
    def bare(self) -> bool:
        return True

    def read(self) -> dict[str, Any]:
        return {self.field.name: self.edit.toPlainText()}

    def show(self, params: RunParams) -> None:
        self.edit.setPlainText(getattr(params, self.field.name))

    def on_change(self, slot: Slot0) -> None:
        self.edit.textChanged.connect(slot)


class ImageModelEditor(Editor):
    """The catalog's image models; an id it does not list (a profile, an ARN, an unknown
    id) is added as its own entry so it round-trips exactly. The form reacts to a pick.

    Each entry names the model's lifecycle as Bedrock last said it (else the catalog):
    "Amazon Nova Canvas — Legacy, end of life 2026-09-30" (``refresh_lifecycle``).
    """

    def __init__(self, f: ParamField) -> None:
        self.combo = ScrollSafeCombo()
        narrow_combo(self.combo)
        for spec in IMAGE_MODELS:
            self.combo.addItem(spec.name, spec.model_id)
        super().__init__([f], self.combo)
        self.refresh_lifecycle(None)
        self.model_note = note_label(WARN_STYLE, "modelNote")
        self.adjust_note = note_label(name="adjustNote")
        self.notes += [self.model_note, self.adjust_note]

    def refresh_lifecycle(self, region: str | None) -> None:
        """Label every catalog entry with its lifecycle as known now (no network)."""
        for spec in IMAGE_MODELS:
            index = self.combo.findData(spec.model_id)
            if index < 0:
                continue
            info = lifecycle(spec.model_id, region)
            self.combo.setItemText(index, model_label(spec, info))
            notes = model_notes(spec)
            summary = shown(info.summary_words())
            tip = f"{spec.model_id}\n{summary}\n{shown(notes) if notes else ''}".strip()
            self.combo.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)

    def read(self) -> dict[str, Any]:
        data = self.combo.currentData()
        return {self.field.name: data if isinstance(data, str) else ""}

    def show(self, params: RunParams) -> None:
        pass  # the form selects the model first, before the limits it brings

    def on_change(self, slot: Slot0) -> None:
        pass  # the form connects its own reaction (new limits, clamping)


class SizeEditor(Editor):
    """Width and height, declared on one row, as one size picked or typed. The form fills
    the list from the model; text that is not a size is the form's only own problem. A
    size the model does not make (an event's, a preset's, typed) is not an error: the run
    uses the model's nearest (``ImageModelSpec.nearest_size``), which ``fit_note`` names."""

    def __init__(self, fields: list[ParamField]) -> None:
        self.combo = ScrollSafeCombo()
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        super().__init__(fields, self.combo, key=SIZE_FIELD)
        self.size: tuple[int, int] = (fields[0].default, fields[1].default)
        """The size the run will use: what was picked, or the model's nearest to it."""
        self.size_note = note_label()
        self.fit_note = note_label(WARN_STYLE, "sizeFitNote")
        self.notes += [self.size_note, self.fit_note]

    def read(self) -> dict[str, Any]:
        return dict(zip((f.name for f in self.fields), self.size, strict=True))

    def show(self, params: RunParams) -> None:
        pass  # filled by the form with the model's sizes (``ParamForm._fill_sizes``)

    def on_change(self, slot: Slot0) -> None:
        pass  # the form parses the text first (``ParamForm._size_edited``)


class FolderEditor(LineEditor):
    """A folder path with a Browse button; empty means the app's images folder."""

    def __init__(self, f: ParamField, browse: Slot0) -> None:
        super().__init__(f)
        self.edit.setPlaceholderText(str(paths.images_dir()))
        self.browse_button = QPushButton(QCoreApplication.translate("ParamForm", "Browse…"))
        self.browse_button.clicked.connect(browse)
        self.row = QWidget()
        line = QHBoxLayout(self.row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.edit, 1)
        line.addWidget(self.browse_button)


class JudgeModelEditor(ComboEditor):
    """Any Converse model id, typed or picked. Items keep the bare id as their text (it is
    what the line edit shows and reads back); the list draws each as its name, lifecycle
    and id ("Claude Sonnet 4 — End of life (us.anthropic...)") through ``LabelledItems``."""

    def __init__(self, f: ParamField) -> None:
        super().__init__(f, [], editable=True)
        narrow_combo(self.combo)
        self.combo.setItemDelegate(LabelledItems(self.combo))
        for spec in TEXT_MODELS:
            self.combo.addItem(spec.model_id)
        self.notes.append(note_label(name="judgeNote"))
        self.refresh_lifecycle(None)

    def refresh_lifecycle(self, region: str | None) -> None:
        """Label every catalog entry with its lifecycle as known now (no network)."""
        for index, spec in enumerate(TEXT_MODELS):
            info = lifecycle(spec.model_id, region)
            label = f"{model_label(spec, info)} ({spec.model_id})"
            self.combo.setItemData(index, label, LABEL_ROLE)
            self.combo.setItemData(index, shown(info.summary_words()), Qt.ItemDataRole.ToolTipRole)

    def item_label(self, index: int) -> str:
        """What the list shows for entry ``index``."""
        label = self.combo.itemData(index, LABEL_ROLE)
        return label if isinstance(label, str) else self.combo.itemText(index)


class ChecklistEditor(Editor):
    """The row of ``RunParams.checklist``: a ``ChecklistTable``, hidden (and read as None)
    while the judge mode is "verdict", since such a run checks no list; the rows typed
    stay for when the mode is switched back."""

    def __init__(self, f: ParamField) -> None:
        self.table = ChecklistTable()
        super().__init__([f], self.table)
        self.table.table.setToolTip(self.table.toolTip())
        self.active = True

    @property
    def bare(self) -> bool:
        return True  # the widget carries its own title above the table

    def read(self) -> dict[str, Any]:
        return {self.field.name: self.table.checklist() if self.active else None}

    def show(self, params: RunParams) -> None:
        if params.checklist is not None or params.uses_checklist:
            self.table.load(params.checklist)

    def on_change(self, slot: Slot0) -> None:
        self.table.changed.connect(slot)

    def problems(self) -> list[Problem]:
        return list(self.table.problems()) if self.active else []

    def set_active(self, active: bool) -> None:
        self.active = active
        self.row.setVisible(active)

    def show_run_checklist(self, event: ChecklistSet) -> None:
        """The checklist the running loop uses from now on, and where it came from."""
        if event.checklist is not None and event.checklist != self.table.checklist():
            self.table.load(event.checklist)
        model = event.model_id or QCoreApplication.translate("ChecklistTable", "the judge model")
        error = event.error or QCoreApplication.translate("ChecklistTable", "no answer")
        said = {
            ChecklistOrigin.GIVEN: words.tr_list(words.RUN_GIVEN),
            ChecklistOrigin.CACHED: words.tr_list(words.RUN_CACHED),
            ChecklistOrigin.WRITTEN: words.tr_list(words.RUN_WRITTEN).format(model=model),
            ChecklistOrigin.EDITED: words.tr_list(words.RUN_EDITED),
            ChecklistOrigin.FAILED: words.tr_list(words.RUN_FAILED).format(error=error),
        }
        failed = event.origin is ChecklistOrigin.FAILED
        self.table.say(said[event.origin], WARN_STYLE if failed else NOTE_STYLE)


def _regions() -> list[str]:
    """Every region a catalog model is served in, plus the common ones; empty first (the
    profile's region)."""
    known = {r for spec in IMAGE_MODELS for r in spec.regions}
    known |= {r for text in TEXT_MODELS for r in text.regions}
    return ["", *sorted(known | {"us-east-1", "us-west-2", "eu-west-1", "eu-central-1"})]


def build_editor(fields: list[ParamField], spec: ImageModelSpec, browse: Slot0) -> Editor:
    """The editor for the fields declared on one row, chosen by declaration."""
    f = fields[0]
    special = f.declared.widget
    if special == "size":
        return SizeEditor(fields)
    if special == "prompt":
        return PromptEditor(f)
    if special == "image_model":
        return ImageModelEditor(f)
    if special == "judge_model":
        return JudgeModelEditor(f)
    if special == "region":
        return ComboEditor(f, _regions(), editable=True)
    if special == "folder":
        return FolderEditor(f, browse)
    if special == "checklist":
        return ChecklistEditor(f)
    if special:
        raise ValueError(f"{f.name}: no form widget called {special!r}")
    if f.type is bool:
        return CheckEditor(f)
    if f.is_number:
        return NumberEditor(f, spec)
    if f.declared.choices:
        return ComboEditor(f, list(f.declared.choices), editable=False)
    return LineEditor(f)

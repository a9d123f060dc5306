"""The run parameters as a form: every ``RunParams`` field, grouped, checked as it is typed.

The form never invents its own rules. Limits come from the chosen model's spec and every
message under a field is the validator's own (``core.params.validate``, plus
``providers.catalog.image_spec`` for the model id), so the window, the headless command and
the Lambda handler always agree on what is allowed.

Spin boxes hold the model's real limits. A value that arrives from outside (an imported
event, a preset, the last session) and lies beyond them is shown as it is and flagged
rather than silently clamped, so a person sees what the file said. Switching the image
model, a deliberate act in the form, clamps instead and says what it changed.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from imgloop_desktop import paths
from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.models import ImageModelSpec, Lifecycle
from imgloop_desktop.core.params import (
    MAX_IN_FLIGHT,
    MAX_JUDGE_SIDE,
    MAX_OUTPUT_TOKENS,
    MAX_PROMPT_REVISIONS,
    MAX_RETRY_ATTEMPTS,
    MAX_TOP_K,
    RunParams,
    extra_cost,
    validate,
)
from imgloop_desktop.gui.settings_store import SettingsStore
from imgloop_desktop.providers.catalog import IMAGE_MODELS, TEXT_MODELS, image_spec, text_spec

log = logging.getLogger(__name__)

FIELD_SIZE = "titan_img_width x titan_img_height"
GENERAL = "_general"
"""Where problems that belong to no single field are shown (none today; a safety net)."""

TIMES = "\u00d7"  # the multiplication sign, as in "1024 \u00d7 1024"
_SIZE_RE = re.compile(rf"^\s*(\d{{1,6}})\s*[x{TIMES}X*,]\s*(\d{{1,6}})\s*$")
_INVALID_STYLE = "border: 1px solid #c62828; border-radius: 2px;"
_ERROR_STYLE = "color: #c62828;"
_WARN_STYLE = "color: #a15c00;"
_NOTE_STYLE = "color: palette(placeholder-text);"
_LIFECYCLE_WORDS = {
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
    word = _LIFECYCLE_WORDS[spec.lifecycle]
    return f"{spec.name} ({word})" if word else spec.name


def _narrow_combo(combo: QComboBox) -> None:
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


class _Row:
    """One field's widget and the red line under it."""

    def __init__(self, widget: QWidget, error: QLabel) -> None:
        self.widget = widget
        self.error = error


class ParamForm(QWidget):
    """Every run parameter; ``params()`` reads them, ``set_params()`` shows them.

    ``validityChanged(bool)`` fires when the form turns valid or invalid, ``changed()`` on
    every edit. A ``SettingsStore`` adds the presets bar.
    """

    validityChanged = Signal(bool)
    changed = Signal()
    presetsChanged = Signal()

    def __init__(self, settings: SettingsStore | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("paramForm")
        self._settings = settings
        self._rows: dict[str, _Row] = {}
        self._problems: list[Problem] = []
        self._valid = False
        self._loading = False
        self._size: tuple[int, int] = (1024, 1024)
        self._size_text_problem: Problem | None = None
        self._base = RunParams()
        self._spec: ImageModelSpec = image_spec(RunParams().image_model_id)
        self._build()
        self.set_params(RunParams())

    # -- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        if self._settings is not None:
            outer.addWidget(self._build_presets())
        self.general_error = self._error_label()
        outer.addWidget(self.general_error)
        self._rows[GENERAL] = _Row(self, self.general_error)
        outer.addWidget(self._build_prompt())
        outer.addWidget(self._build_limits())
        outer.addWidget(self._build_image())
        outer.addWidget(self._build_judge())
        outer.addWidget(self._build_storage())
        outer.addStretch(1)

    def _error_label(self) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setStyleSheet(_ERROR_STYLE)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setVisible(False)
        return label

    def _note_label(self, style: str = _NOTE_STYLE) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setStyleSheet(style)
        label.setVisible(False)
        return label

    def _add_row(
        self, form: QFormLayout, label: str, key: str, widget: QWidget, *extra: QWidget
    ) -> None:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        for item in extra:
            column.addWidget(item)
        error = self._error_label()
        error.setObjectName(f"error_{key}")
        column.addWidget(error)
        form.addRow(label, box)
        self._rows[key] = _Row(widget, error)
        widget.setObjectName(key.replace(" ", "_"))
        widget.setToolTip(widget.toolTip() or f"Event field: {key}")

    def _build_presets(self) -> QWidget:
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Preset:"))
        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("presetCombo")
        self.preset_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        row.addWidget(self.preset_combo, 1)
        self.preset_load = QPushButton("Load")
        self.preset_save = QPushButton("Save as…")
        self.preset_delete = QPushButton("Delete")
        for button in (self.preset_load, self.preset_save, self.preset_delete):
            row.addWidget(button)
        self.preset_load.clicked.connect(self._load_selected_preset)
        self.preset_save.clicked.connect(self._ask_preset_name)
        self.preset_delete.clicked.connect(self._delete_selected_preset)
        self.preset_status = self._note_label()
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(bar)
        column.addWidget(self.preset_status)
        self._refresh_presets()
        return box

    def _build_prompt(self) -> QGroupBox:
        group = QGroupBox("Prompt")
        column = QVBoxLayout(group)
        self.prompt_edit = QPlainTextEdit()
        self.prompt_edit.setObjectName("prompt")
        self.prompt_edit.setPlaceholderText("Describe the image you want, in your own words.")
        self.prompt_edit.setTabChangesFocus(True)
        self.prompt_edit.setMinimumHeight(90)
        self.prompt_edit.textChanged.connect(self._edited)
        self.prompt_counter = QLabel()
        self.prompt_counter.setObjectName("promptCounter")
        self.prompt_counter.setAlignment(Qt.AlignmentFlag.AlignRight)
        error = self._error_label()
        error.setObjectName("error_prompt")
        column.addWidget(self.prompt_edit)
        column.addWidget(self.prompt_counter)
        column.addWidget(error)
        self._rows["prompt"] = _Row(self.prompt_edit, error)
        return group

    def _build_limits(self) -> QGroupBox:
        group = QGroupBox("Loop limits")
        form = QFormLayout(group)
        self.attempts_spin = NumberField(1, MAX_RETRY_ATTEMPTS)
        self.attempts_spin.setToolTip("Generations per prompt version (max_retry_attempts)")
        self.revisions_spin = NumberField(0, MAX_PROMPT_REVISIONS)
        self.revisions_spin.setToolTip(
            "How many times the prompt may be rewritten (max_prompt_revisions); "
            "3 means up to 4 prompt versions"
        )
        self._add_row(form, "Attempts per prompt", "max_retry_attempts", self.attempts_spin)
        self._add_row(form, "Prompt revisions", "max_prompt_revisions", self.revisions_spin)
        self.in_flight_spin = NumberField(1, MAX_IN_FLIGHT)
        self.in_flight_spin.setToolTip(
            "Candidates generated or judged at the same time (candidates_in_flight)"
        )
        self._add_row(form, "Candidates at once", "candidates_in_flight", self.in_flight_spin)
        self.speculative_check = QCheckBox("Generate the next while judging")
        self.cost_note = self._note_label()
        self.cost_note.setObjectName("costNote")
        self._add_row(
            form, "Look ahead", "speculative_next", self.speculative_check, self.cost_note
        )
        self.judge_side_spin = NumberField(0, MAX_JUDGE_SIDE, step=64, special="0 = full image")
        self.judge_side_spin.setToolTip(
            "Longest side of the copy sent to the judge (judge_image_max_side); "
            "the kept image is never resized"
        )
        self._add_row(form, "Judge image size", "judge_image_max_side", self.judge_side_spin)
        for spin in (
            self.attempts_spin,
            self.revisions_spin,
            self.in_flight_spin,
            self.judge_side_spin,
        ):
            spin.valueChanged.connect(self._edited)
        self.speculative_check.toggled.connect(self._edited)
        return group

    def _build_image(self) -> QGroupBox:
        group = QGroupBox("Image model")
        form = QFormLayout(group)
        self.model_combo = QComboBox()
        _narrow_combo(self.model_combo)
        for spec in IMAGE_MODELS:
            self.model_combo.addItem(model_label(spec), spec.model_id)
            index = self.model_combo.count() - 1
            self.model_combo.setItemData(
                index, f"{spec.model_id}\n{spec.notes}".strip(), Qt.ItemDataRole.ToolTipRole
            )
        self.model_note = self._note_label(_WARN_STYLE)
        self.model_note.setObjectName("modelNote")
        self.adjust_note = self._note_label()
        self.adjust_note.setObjectName("adjustNote")
        self._add_row(
            form, "Model", "image_model_id", self.model_combo, self.model_note, self.adjust_note
        )
        self.model_combo.currentIndexChanged.connect(self._model_picked)

        self.size_combo = QComboBox()
        self.size_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.size_note = self._note_label()
        self._add_row(form, f"Size (W {TIMES} H)", FIELD_SIZE, self.size_combo, self.size_note)
        self.size_combo.currentTextChanged.connect(self._size_edited)

        self.cfg_spin = NumberField(1.1, 10.0, decimals=2, step=0.5)
        self.cfg_note = self._note_label()
        self._add_row(form, "CFG scale", "titan_img_cfg_scale", self.cfg_spin, self.cfg_note)
        self.images_spin = NumberField(1, 5)
        self._add_row(form, "Images per call", "titan_img_number_of_images", self.images_spin)
        self.seed_spin = NumberField(0, 2147483646, special="0 = random")
        self.seed_spin.setToolTip("0 picks a random seed for each attempt (it is recorded)")
        self._add_row(form, "Seed", "titan_img_seed", self.seed_spin)
        for spin in (self.cfg_spin, self.images_spin, self.seed_spin):
            spin.valueChanged.connect(self._edited)
        return group

    def _build_judge(self) -> QGroupBox:
        group = QGroupBox("Judge and reviser")
        column = QVBoxLayout(group)
        top = QFormLayout()
        self.judge_combo = QComboBox()
        _narrow_combo(self.judge_combo)
        self.judge_combo.setEditable(True)
        self.judge_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for spec in TEXT_MODELS:
            word = _LIFECYCLE_WORDS[spec.lifecycle]
            self.judge_combo.addItem(spec.model_id)
            index = self.judge_combo.count() - 1
            tip = f"{spec.name} ({word})" if word else spec.name
            self.judge_combo.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
        line = self.judge_combo.lineEdit()
        if line is not None:
            line.setPlaceholderText("model id, inference profile id or ARN")
        self.judge_note = self._note_label()
        self.judge_note.setObjectName("judgeNote")
        self._add_row(top, "Model", "judge_model_id", self.judge_combo, self.judge_note)
        self.judge_combo.currentTextChanged.connect(self._edited)
        column.addLayout(top)
        self._settings_spins: dict[str, NumberField] = {}
        for role, title in (("validate", "Judge settings"), ("revise", "Reviser settings")):
            sub = QGroupBox(title)
            sub.setFlat(True)
            form = QFormLayout(sub)
            specs: tuple[tuple[str, str, NumberField], ...] = (
                ("temperature", "Temperature", NumberField(0.0, 1.0, decimals=3, step=0.05)),
                ("top_p", "Top p", NumberField(0.0, 1.0, decimals=3, step=0.01)),
                ("top_k", "Top k", NumberField(0, MAX_TOP_K)),
                ("max_tokens", "Max tokens", NumberField(1, MAX_OUTPUT_TOKENS, step=256)),
            )
            for name, label, spin in specs:
                key = f"claude_{role}_{name}"
                self._settings_spins[key] = spin
                self._add_row(form, label, key, spin)
                spin.valueChanged.connect(self._edited)
            column.addWidget(sub)
        return group

    def _build_storage(self) -> QGroupBox:
        group = QGroupBox("Storage")
        form = QFormLayout(group)
        self.output_dir_edit = QLineEdit()
        self.output_dir_edit.setPlaceholderText(str(paths.images_dir()))
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self._browse_output_dir)
        folder = QWidget()
        folder_row = QHBoxLayout(folder)
        folder_row.setContentsMargins(0, 0, 0, 0)
        folder_row.addWidget(self.output_dir_edit, 1)
        folder_row.addWidget(self.browse_button)
        self._add_row(form, "Local folder", "output_dir", folder)
        self._rows["output_dir"].widget = self.output_dir_edit
        self.output_dir_edit.setObjectName("output_dir_edit")

        self.s3_check = QCheckBox("Upload each image to S3 as well")
        self._add_row(form, "S3", "s3_enabled", self.s3_check)
        self.bucket_edit = QLineEdit()
        self.bucket_edit.setPlaceholderText("my-bucket")
        self._add_row(form, "Bucket", "output_s3_bucket_name", self.bucket_edit)
        self.prefix_edit = QLineEdit()
        self._add_row(form, "Key prefix", "output_s3_key_prefix", self.prefix_edit)
        self.region_combo = QComboBox()
        self.region_combo.setEditable(True)
        self.region_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        known = {r for spec in IMAGE_MODELS for r in spec.regions}
        known |= {r for text in TEXT_MODELS for r in text.regions}
        regions = sorted(known | {"us-east-1", "us-west-2", "eu-west-1", "eu-central-1"})
        self.region_combo.addItem("")
        self.region_combo.addItems(regions)
        region_line = self.region_combo.lineEdit()
        if region_line is not None:
            region_line.setPlaceholderText("the profile's region, else us-east-1")
        self._add_row(form, "Region", "aws_region", self.region_combo)
        self.output_dir_edit.textChanged.connect(self._edited)
        self.s3_check.toggled.connect(self._edited)
        self.bucket_edit.textChanged.connect(self._edited)
        self.prefix_edit.textChanged.connect(self._edited)
        self.region_combo.currentTextChanged.connect(self._edited)
        return group

    # -- reading and writing --------------------------------------------------------------------

    def params(self) -> RunParams:
        width, height = self._size
        spins = self._settings_spins
        # Built over the last parameters shown, so a field this form does not know yet (a
        # newer event) is carried through rather than reset to its default.
        return self._base.with_changes(
            prompt=self.prompt_edit.toPlainText(),
            max_retry_attempts=self.attempts_spin.whole(),
            max_prompt_revisions=self.revisions_spin.whole(),
            output_s3_bucket_name=self.bucket_edit.text().strip(),
            output_s3_key_prefix=self.prefix_edit.text(),
            claude_validate_temperature=spins["claude_validate_temperature"].number(),
            claude_validate_top_p=spins["claude_validate_top_p"].number(),
            claude_validate_top_k=spins["claude_validate_top_k"].whole(),
            claude_validate_max_tokens=spins["claude_validate_max_tokens"].whole(),
            claude_revise_temperature=spins["claude_revise_temperature"].number(),
            claude_revise_top_p=spins["claude_revise_top_p"].number(),
            claude_revise_top_k=spins["claude_revise_top_k"].whole(),
            claude_revise_max_tokens=spins["claude_revise_max_tokens"].whole(),
            titan_img_cfg_scale=self.cfg_spin.number(),
            titan_img_width=width,
            titan_img_height=height,
            titan_img_number_of_images=self.images_spin.whole(),
            titan_img_seed=self.seed_spin.whole(),
            image_model_id=self.image_model_id(),
            judge_model_id=self.judge_combo.currentText().strip(),
            output_dir=self.output_dir_edit.text().strip(),
            s3_enabled=self.s3_check.isChecked(),
            aws_region=self.region_combo.currentText().strip(),
            candidates_in_flight=self.in_flight_spin.whole(),
            speculative_next=self.speculative_check.isChecked(),
            judge_image_max_side=self.judge_side_spin.whole(),
        )

    def set_params(self, params: RunParams) -> None:
        """Show ``params`` exactly, flagging what the validator rejects (never clamping)."""
        self._loading = True
        self._base = params
        try:
            self._select_model(params.image_model_id)
            self._apply_spec(clamp=False, size=(params.titan_img_width, params.titan_img_height))
            self.prompt_edit.setPlainText(params.prompt)
            self.attempts_spin.set_flagged_value(params.max_retry_attempts)
            self.revisions_spin.set_flagged_value(params.max_prompt_revisions)
            self.in_flight_spin.set_flagged_value(params.candidates_in_flight)
            self.speculative_check.setChecked(params.speculative_next)
            self.judge_side_spin.set_flagged_value(params.judge_image_max_side)
            self.cfg_spin.set_flagged_value(params.titan_img_cfg_scale)
            self.images_spin.set_flagged_value(params.titan_img_number_of_images)
            self.seed_spin.set_flagged_value(params.titan_img_seed)
            for key, spin in self._settings_spins.items():
                spin.set_flagged_value(getattr(params, key))
            self.judge_combo.setCurrentText(params.judge_model_id)
            self.output_dir_edit.setText(params.output_dir)
            self.s3_check.setChecked(params.s3_enabled)
            self.bucket_edit.setText(params.output_s3_bucket_name)
            self.prefix_edit.setText(params.output_s3_key_prefix)
            self.region_combo.setCurrentText(params.aws_region)
            self.adjust_note.setVisible(False)
        finally:
            self._loading = False
        self._edited()

    def image_model_id(self) -> str:
        data = self.model_combo.currentData()
        return data if isinstance(data, str) else ""

    def spec(self) -> ImageModelSpec:
        """The limits in force: the chosen model's, or the last known model's while the id
        is one the catalog does not know (that problem is shown under the model)."""
        return self._spec

    def problems(self) -> list[Problem]:
        return list(self._problems)

    def is_valid(self) -> bool:
        return self._valid

    def error_text(self, key: str) -> str:
        """What is written under field ``key`` (an event field name), "" when valid."""
        row = self._rows.get(key)
        return row.error.text() if row is not None and not row.error.isHidden() else ""

    def field_widget(self, key: str) -> QWidget:
        return self._rows[key].widget

    # -- event files -----------------------------------------------------------------------------

    def import_event(self, path: Path) -> RunParams:
        """Load an event JSON into the form. A file that is not an event raises
        ValidationError naming every problem and leaves the form as it was; values the model
        does not allow are loaded and flagged."""
        params = RunParams.load(path)
        self.set_params(params)
        return params

    def export_event(self, path: Path) -> None:
        """Write the form as the seed's event JSON (OSError when the file cannot be written)."""
        self.params().save(path)

    # -- presets ------------------------------------------------------------------------------

    def save_preset(self, name: str) -> str:
        if self._settings is None:
            raise RuntimeError("this form has no settings store for presets")
        stored = self._settings.save_preset(name, self.params())
        self._refresh_presets(select=stored)
        self._say_preset(f"Saved preset “{stored}”.")
        self.presetsChanged.emit()
        return stored

    def load_preset(self, name: str) -> None:
        if self._settings is None:
            raise RuntimeError("this form has no settings store for presets")
        self.set_params(self._settings.preset(name))
        self._say_preset(f"Loaded preset “{name}”.")

    def delete_preset(self, name: str) -> bool:
        if self._settings is None:
            raise RuntimeError("this form has no settings store for presets")
        deleted = self._settings.delete_preset(name)
        self._refresh_presets()
        if deleted:
            self._say_preset(f"Deleted preset “{name}”.")
            self.presetsChanged.emit()
        return deleted

    def preset_names(self) -> list[str]:
        return self._settings.preset_names() if self._settings is not None else []

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
        self.preset_status.setStyleSheet(_ERROR_STYLE if error else _NOTE_STYLE)
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
                "This preset no longer reads as parameters:\n"
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
        dialog.setWindowTitle("Save preset")
        dialog.setLabelText("Name of the preset (an existing name is replaced):")
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

    # -- reacting ---------------------------------------------------------------------------------

    def _select_model(self, model_id: str) -> None:
        """Pick ``model_id`` in the list, adding it as its own entry when it is a profile id,
        an ARN or unknown, so the exact id round-trips."""
        with QSignalBlocker(self.model_combo):
            index = self.model_combo.findData(model_id)
            if index < 0:
                try:
                    label = f"{model_label(image_spec(model_id))} — {model_id}"
                except ValidationError:
                    label = f"{model_id} (unknown model)"
                self.model_combo.addItem(label, model_id)
                index = self.model_combo.count() - 1
            self.model_combo.setCurrentIndex(index)

    @Slot(int)
    def _model_picked(self, _index: int) -> None:
        if self._loading:
            return
        self._apply_spec(clamp=True, size=self._size)
        self._edited()

    def _apply_spec(self, *, clamp: bool, size: tuple[int, int]) -> None:
        """Limits and sizes of the chosen model onto the fields."""
        try:
            spec = image_spec(self.image_model_id())
        except ValidationError:
            spec = self._spec  # keep the last known limits; the id itself is flagged
        self._spec = spec
        changes: list[str] = []

        def note(name: str, moved: tuple[float, float] | None, fmt: str = "{:g}") -> None:
            if moved is not None:
                changes.append(f"{name} {fmt.format(moved[0])} → {fmt.format(moved[1])}")

        if spec.cfg_range is None:
            self.cfg_spin.setEnabled(False)
            self.cfg_note.setText(f"{spec.name} has no CFG scale setting; the value is unused.")
            self.cfg_note.setVisible(True)
        else:
            self.cfg_spin.setEnabled(True)
            self.cfg_note.setVisible(False)
            note("CFG scale", self.cfg_spin.set_limits(*spec.cfg_range, clamp=clamp))
        note("images per call", self.images_spin.set_limits(1, spec.max_images, clamp=clamp))
        note("seed", self.seed_spin.set_limits(0, spec.seed_max, clamp=clamp), "{:.0f}")
        new_size = size
        if clamp and spec.size_problem(*size) is not None:
            new_size = spec.default_size
            changes.append(f"size {size_text(*size)} → {size_text(*new_size)}")
        self._fill_sizes(spec, new_size)
        self._show_model_note(spec)
        if changes and clamp:
            self.adjust_note.setText(f"Adjusted for {spec.name}: " + "; ".join(changes) + ".")
            self.adjust_note.setVisible(True)
        else:
            self.adjust_note.setVisible(False)

    def _fill_sizes(self, spec: ImageModelSpec, size: tuple[int, int]) -> None:
        free = spec.free_size
        with QSignalBlocker(self.size_combo):
            self.size_combo.clear()
            self.size_combo.setEditable(free is not None)
            for width, height in spec.sizes:
                self.size_combo.addItem(size_text(width, height))
            index = self.size_combo.findText(size_text(*size))
            if index < 0 and free is None:
                # Shown as it came, so the validator's message under it makes sense.
                self.size_combo.addItem(size_text(*size))
                index = self.size_combo.count() - 1
            if index >= 0:
                self.size_combo.setCurrentIndex(index)
            else:
                self.size_combo.setCurrentText(size_text(*size))
        self._size = size
        self._size_text_problem = None
        if free is not None:
            self.size_note.setText(
                f"Pick one or type your own: each side {free.min_side}-{free.max_side} px, "
                f"a multiple of {free.multiple_of}, at most {free.max_pixels:,} pixels, "
                f"aspect ratio up to {free.max_aspect:g}:1."
            )
            self.size_note.setVisible(True)
        else:
            self.size_note.setVisible(False)

    def _show_model_note(self, spec: ImageModelSpec) -> None:
        parts: list[str] = []
        if spec.lifecycle is not Lifecycle.ACTIVE:
            replacement = ""
            if spec.replacement:
                try:
                    replacement = f"; consider {image_spec(spec.replacement).name}"
                except ValidationError:
                    replacement = f"; consider {spec.replacement}"
            state = "Legacy on Bedrock" if spec.lifecycle is Lifecycle.LEGACY else "End of life"
            parts.append(f"{state}{replacement}.")
        if spec.notes:
            parts.append(spec.notes)
        parts.append(f"Prompt up to {spec.prompt_max_chars} characters.")
        self.model_note.setStyleSheet(
            _WARN_STYLE if spec.lifecycle is not Lifecycle.ACTIVE else _NOTE_STYLE
        )
        self.model_note.setText(" ".join(parts))
        self.model_note.setVisible(True)

    @Slot(str)
    def _size_edited(self, text: str) -> None:
        parsed = parse_size(text)
        if parsed is None:
            self._size_text_problem = Problem(
                FIELD_SIZE, text, f"a width {TIMES} height in pixels, like {size_text(1024, 1024)}"
            )
        else:
            self._size_text_problem = None
            self._size = parsed
        self._edited()

    @Slot()
    def _browse_output_dir(self) -> None:
        dialog = QFileDialog(self, "Folder for the images")
        dialog.setObjectName("outputDirDialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        current = self.output_dir_edit.text().strip() or str(paths.images_dir())
        dialog.setDirectory(current)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.output_dir_edit.setText)
        dialog.open()

    @Slot()
    def _edited(self) -> None:
        if self._loading:
            return
        self._update_counter()
        self._update_judge_note()
        self.bucket_edit.setEnabled(self.s3_check.isChecked())
        self._revalidate()
        self.cost_note.setText(extra_cost(self.params()))
        self.cost_note.setVisible(True)
        self.changed.emit()

    def _update_counter(self) -> None:
        count = len(self.prompt_edit.toPlainText())
        limit = self._spec.prompt_max_chars
        self.prompt_counter.setText(f"{count} / {limit}")
        self.prompt_counter.setStyleSheet(_ERROR_STYLE if count > limit else _NOTE_STYLE)

    def _update_judge_note(self) -> None:
        model_id = self.judge_combo.currentText().strip()
        if not model_id:
            self.judge_note.setVisible(False)
            return
        spec = text_spec(model_id)
        if spec is None:
            text, style = (
                "Not in the catalog: any Converse model that reads images works "
                "(model id, inference profile id or ARN).",
                _NOTE_STYLE,
            )
        elif spec.lifecycle is Lifecycle.ACTIVE:
            text, style = spec.name, _NOTE_STYLE
        else:
            word = _LIFECYCLE_WORDS[spec.lifecycle]
            hint = f"; use {spec.replacement}" if spec.replacement else ""
            text, style = f"{spec.name}: {word} on Bedrock{hint}.", _WARN_STYLE
        self.judge_note.setStyleSheet(style)
        self.judge_note.setText(text)
        self.judge_note.setVisible(True)

    def _form_problems(self, params: RunParams) -> list[Problem]:
        """What the form itself must catch because the event validator cannot see it: text
        that is not a size. Every other rule lives in core validation, so the window and
        the headless command agree."""
        problems: list[Problem] = []
        if self._size_text_problem is not None:
            problems.append(self._size_text_problem)
        return problems

    def _revalidate(self) -> None:
        params = self.params()
        problems = self._form_problems(params)
        try:
            image_spec(params.image_model_id)
        except ValidationError as exc:
            problems.extend(exc.problems)
        size_flagged = any(p.field == FIELD_SIZE for p in problems)
        for problem in validate(params, self._spec):
            if problem.field == FIELD_SIZE and size_flagged:
                continue  # the text did not parse; the last good size is not the point
            problems.append(problem)
        self._problems = problems
        self._show_problems(problems)
        valid = not problems
        if valid != self._valid:
            self._valid = valid
            self.validityChanged.emit(valid)

    def _show_problems(self, problems: list[Problem]) -> None:
        by_key: dict[str, list[str]] = {}
        for problem in problems:
            key = problem.field if problem.field in self._rows else GENERAL
            by_key.setdefault(key, []).append(str(problem))
        for key, row in self._rows.items():
            messages = by_key.get(key, [])
            row.error.setText("\n".join(messages))
            row.error.setVisible(bool(messages))
            if row.widget is not self:
                # Scoped to the widget itself, so a combo's popup or a spin box's arrows
                # keep their normal look.
                style = f"#{row.widget.objectName()} {{ {_INVALID_STYLE} }}" if messages else ""
                row.widget.setStyleSheet(style)

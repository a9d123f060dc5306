"""The parameter form, driven as a person would: every field present, invalid values marked
with the validator's exact words, model switches, event files and presets."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QWheelEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget
from pytestqt.qtbot import QtBot

from imgloop_desktop.core.checklist import Checklist
from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.param_decl import Section
from imgloop_desktop.core.params import PARAMS, TIMES, RunParams, model_limits, validate
from imgloop_desktop.gui.param_form import (
    FIELD_SIZE,
    NumberField,
    ParamForm,
    parse_size,
    size_text,
)
from imgloop_desktop.gui.param_form.editors import JudgeModelEditor
from imgloop_desktop.gui.param_form.form import PROMPT_HINT, SPEED_FIELDS, _box_of
from imgloop_desktop.gui.param_form.widgets import ReflowGrid
from imgloop_desktop.gui.settings_store import SettingsStore
from imgloop_desktop.providers.catalog import image_spec

NOVA = "amazon.nova-canvas-v1:0"
SD35 = "stability.sd3-5-large-v1:0"
TITAN2 = "amazon.titan-image-generator-v2:0"
HAIKU45 = "us.anthropic.claude-haiku-4-5-20251001-v1:0"


@pytest.fixture
def form(qtbot: QtBot) -> ParamForm:
    widget = ParamForm(SettingsStore())
    qtbot.addWidget(widget)
    widget.show()
    return widget


def problem_for(params: RunParams, name: str) -> Problem:
    found = [p for p in validate(params, image_spec(params.image_model_id)) if p.field == name]
    assert found, f"the validator has nothing to say about {name}"
    return found[0]


def pick_model(form: ParamForm, model_id: str) -> None:
    index = form.model_combo.findData(model_id)
    assert index >= 0
    form.model_combo.setCurrentIndex(index)


def every_field_changed() -> RunParams:
    """Non-default values for every field, all valid for Nova Canvas."""
    return RunParams(
        prompt="a lighthouse at dusk, oil painting",
        max_retry_attempts=3,
        max_prompt_revisions=2,
        output_s3_bucket_name="my-images-bucket",
        output_s3_key_prefix="runs/lighthouse",
        claude_validate_temperature=0.5,
        claude_validate_top_p=0.9,
        claude_validate_top_k=100,
        claude_validate_max_tokens=2048,
        claude_revise_temperature=0.7,
        claude_revise_top_p=0.95,
        claude_revise_top_k=50,
        claude_revise_max_tokens=1024,
        titan_img_cfg_scale=6.5,
        titan_img_width=1280,
        titan_img_height=720,
        titan_img_number_of_images=2,
        titan_img_seed=12345,
        image_model_id=NOVA,
        judge_model_id=HAIKU45,
        output_dir="/tmp/imgloop-out",
        s3_enabled=True,
        aws_region="us-west-2",
        candidates_in_flight=2,
        speculative_next=True,
        judge_image_max_side=1024,
        max_cost_usd=12.5,
        judge_mode="checklist",
        checklist=Checklist.from_json(
            [{"text": "a lighthouse", "must": True}, {"text": "dusk light", "must": False}]
        ),
    )


def test_every_run_parameter_has_a_field_and_round_trips(form: ParamForm) -> None:
    wanted = every_field_changed()
    for f in fields(RunParams):
        assert getattr(wanted, f.name) != getattr(RunParams(), f.name), f.name
        key = FIELD_SIZE if f.name in ("titan_img_width", "titan_img_height") else f.name
        assert form.field_widget(key) is not None
    form.set_params(wanted)
    assert form.params() == wanted
    assert form.is_valid(), form.problems()


def test_defaults_need_only_a_prompt(qtbot: QtBot, form: ParamForm) -> None:
    assert not form.is_valid()
    with qtbot.waitSignal(form.validityChanged) as signal:
        qtbot.keyClicks(form.prompt_edit, "a red fox in snow")
    assert signal.args == [True]
    # The window judges by checklist; an empty one is written by the judge model.
    assert form.params() == RunParams(prompt="a red fox in snow", judge_mode="checklist")
    assert form.problems() == []


def test_prompt_counter_counts_against_the_models_limit(qtbot: QtBot, form: ParamForm) -> None:
    text = "a" * 37
    form.prompt_edit.setPlainText(text)
    assert form.prompt_counter.text() == "37 / 10000"  # Stable Diffusion 3.5 Large
    pick_model(form, NOVA)
    assert form.prompt_counter.text() == "37 / 1024"
    form.prompt_edit.setPlainText("é" * 600)  # characters, not bytes
    assert form.prompt_counter.text() == "600 / 1024"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"prompt": ""}, "prompt"),
        ({"prompt": "   "}, "prompt"),
        ({"prompt": "x" * 10_001}, "prompt"),
        ({"s3_enabled": True, "output_s3_bucket_name": "Bad_Bucket"}, "output_s3_bucket_name"),
        ({"s3_enabled": True, "output_s3_bucket_name": ""}, "output_s3_bucket_name"),
        ({"output_s3_key_prefix": "/leading"}, "output_s3_key_prefix"),
        ({"output_s3_key_prefix": "a/../b"}, "output_s3_key_prefix"),
        ({"judge_model_id": "   "}, "judge_model_id"),
        ({"image_model_id": NOVA, "titan_img_cfg_scale": 10.5}, "titan_img_cfg_scale"),
        ({"titan_img_number_of_images": 6}, "titan_img_number_of_images"),
        ({"judge_image_max_side": 100}, "judge_image_max_side"),
        ({"candidates_in_flight": 9}, "candidates_in_flight"),
    ],
)
def test_invalid_value_is_marked_with_the_validators_message(
    qtbot: QtBot, form: ParamForm, change: dict[str, object], key: str
) -> None:
    form.set_params(RunParams(prompt="fine"))
    assert form.is_valid()
    with qtbot.waitSignal(form.validityChanged) as signal:
        form.set_params(RunParams(prompt="fine").with_changes(**change))
    assert signal.args == [False]
    expected = str(problem_for(form.params(), key))
    assert form.error_text(key) == expected
    assert "#c62828" in form.field_widget(key).styleSheet()
    others = [p for p in form.problems() if p.field != key]
    assert others == []


def test_typing_invalid_values_marks_each_field(qtbot: QtBot, form: ParamForm) -> None:
    qtbot.keyClicks(form.prompt_edit, "boats")
    form.s3_check.setChecked(True)
    qtbot.keyClicks(form.bucket_edit, "UPPER")
    form.prefix_edit.clear()
    qtbot.keyClicks(form.prefix_edit, "/abs")
    form.judge_combo.setCurrentText("")
    form.region_combo.setCurrentText("mars-1")
    params = form.params()
    assert form.error_text("output_s3_bucket_name") == str(
        problem_for(params, "output_s3_bucket_name")
    )
    assert form.error_text("output_s3_key_prefix") == str(
        problem_for(params, "output_s3_key_prefix")
    )
    assert form.error_text("judge_model_id") == str(problem_for(params, "judge_model_id"))
    assert form.error_text("aws_region") == (
        "aws_region: 'mars-1' is not allowed; a region name like us-east-1, "
        "or empty for the profile's region"
    )
    assert form.error_text("prompt") == ""
    assert not form.is_valid()
    # Fixing every field turns the form valid again.
    form.bucket_edit.setText("upper")
    form.prefix_edit.setText("abs")
    form.judge_combo.setCurrentText("us.anthropic.claude-sonnet-4-6")
    form.region_combo.setCurrentText("")
    assert form.is_valid(), form.problems()
    assert form.error_text("output_s3_bucket_name") == ""


def test_bucket_is_checked_only_when_s3_is_on(form: ParamForm) -> None:
    form.set_params(RunParams(prompt="p", output_s3_bucket_name="Not Valid"))
    assert form.is_valid()
    assert not form.bucket_edit.isEnabled()
    form.s3_check.setChecked(True)
    assert form.bucket_edit.isEnabled()
    assert not form.is_valid()


def test_switching_model_updates_sizes_and_limits(form: ParamForm) -> None:
    form.set_params(
        RunParams(
            prompt="p",
            image_model_id=TITAN2,
            titan_img_number_of_images=3,
            titan_img_width=768,
            titan_img_height=1280,
            titan_img_cfg_scale=9.5,
        )
    )
    assert form.size_fit_note.isHidden()  # Titan makes 768 x 1280
    pick_model(form, SD35)
    spec = image_spec(SD35)
    sizes = [form.size_combo.itemText(i) for i in range(form.size_combo.count())]
    assert sizes == [size_text(w, h) for w, h in spec.sizes]
    assert not form.size_combo.isEditable()
    assert not form.cfg_spin.isEnabled()
    assert form.images_spin.maximum() == 5  # one call per image: the number means the same
    assert form.seed_spin.maximum() == spec.seed_max
    # The nearest size of the same aspect ratio, not a square.
    assert form.adjust_note.text() == (
        f"Adjusted for Stable Diffusion 3.5 Large: size {size_text(768, 1280)} → "
        f"{size_text(768, 1344)}."
    )
    assert (form.params().titan_img_width, form.params().titan_img_height) == (768, 1344)
    assert form.params().titan_img_cfg_scale == 9.5  # unused, kept
    assert form.is_valid()

    pick_model(form, TITAN2)
    assert form.cfg_spin.isEnabled()
    assert form.cfg_spin.limits == (1.1, 10.0)
    assert form.cfg_spin.value() == 9.5


def test_nova_canvas_takes_custom_sizes_by_its_rule(qtbot: QtBot, form: ParamForm) -> None:
    form.set_params(RunParams(prompt="p"))
    pick_model(form, NOVA)
    assert form.size_combo.isEditable()
    form.size_combo.setCurrentText(size_text(1280, 720))
    assert form.is_valid()
    assert (form.params().titan_img_width, form.params().titan_img_height) == (1280, 720)
    assert form.size_fit_note.isHidden()
    # A size the rule does not allow is not an error: the nearest it allows is used, and said.
    form.size_combo.setCurrentText("1000 x 1000")
    assert form.error_text(FIELD_SIZE) == ""
    assert form.size_fit_note.text() == (
        "1000\u00d71000 is not offered by Amazon Nova Canvas; 992\u00d7992 (1:1) is the nearest."
    )
    assert (form.params().titan_img_width, form.params().titan_img_height) == (992, 992)
    assert form.is_valid()
    form.size_combo.setCurrentText(size_text(1280, 720))
    assert form.size_fit_note.isHidden()
    form.size_combo.setCurrentText("big")
    assert form.error_text(FIELD_SIZE) == (
        f"titan_img_width x titan_img_height: 'big' is not allowed; "
        f"a width \u00d7 height in pixels, like {size_text(1024, 1024)}"
    )
    assert not form.is_valid()


def test_values_from_outside_are_shown_and_flagged_not_clamped(form: ParamForm) -> None:
    outside = RunParams(
        prompt="p",
        image_model_id=TITAN2,
        titan_img_cfg_scale=50.0,
        titan_img_number_of_images=9,
        titan_img_seed=-4,
        claude_validate_temperature=1.5,
    )
    form.set_params(outside)
    assert form.params() == outside
    assert form.cfg_spin.value() == 50.0
    assert form.seed_spin.text() == "-4"  # not the "0 = random" text of the minimum
    keys = ("titan_img_cfg_scale", "titan_img_number_of_images", "titan_img_seed")
    for key in (*keys, "claude_validate_temperature"):
        assert form.error_text(key) == str(problem_for(outside, key))
    # Back inside, the real limits return.
    form.cfg_spin.setValue(7.0)
    assert form.cfg_spin.maximum() == 10.0
    assert form.error_text("titan_img_cfg_scale") == ""


def test_seed_zero_reads_random(form: ParamForm) -> None:
    form.set_params(RunParams(prompt="p", titan_img_seed=0))
    assert form.seed_spin.text() == "0 = random"
    form.seed_spin.setValue(42)
    assert form.params().titan_img_seed == 42


def test_profile_ids_round_trip_and_unknown_models_are_flagged(form: ParamForm) -> None:
    form.set_params(RunParams(prompt="p", image_model_id="us.amazon.nova-canvas-v1:0"))
    assert form.params().image_model_id == "us.amazon.nova-canvas-v1:0"
    assert form.spec().name == "Amazon Nova Canvas"
    assert form.is_valid()
    form.set_params(RunParams(prompt="p", image_model_id="acme.painter-v9"))
    with pytest.raises(ValidationError) as caught:
        image_spec("acme.painter-v9")
    assert form.error_text("image_model_id") == str(caught.value.problems[0])
    assert not form.is_valid()


def test_judge_note_says_end_of_life_and_accepts_any_id(form: ParamForm) -> None:
    form.judge_combo.setCurrentText("anthropic.claude-3-5-sonnet-20240620-v1:0")
    assert form.judge_note.text() == (
        "Claude 3.5 Sonnet: end of life; consider us.anthropic.claude-sonnet-4-6 "
        "(from the app's catalog)."
    )
    arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.acme.vision-v1"
    form.judge_combo.setCurrentText(arn)
    assert form.params().judge_model_id == arn
    assert form.judge_note.text().startswith("Not in the catalog")


def test_event_json_round_trip(tmp_path: Path, qtbot: QtBot, form: ParamForm) -> None:
    wanted = every_field_changed()
    form.set_params(wanted)
    path = tmp_path / "event.json"
    form.export_event(path)
    assert json.loads(path.read_text(encoding="utf-8")) == wanted.to_event()
    other = ParamForm()
    qtbot.addWidget(other)
    assert other.import_event(path) == wanted
    assert other.params() == wanted


def test_seed_event_loads_with_s3_on(tmp_path: Path, form: ParamForm) -> None:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps({"prompt": "a cat", "output_s3_bucket_name": "seed-bucket"}))
    form.import_event(path)
    assert form.s3_check.isChecked()
    assert form.bucket_edit.text() == "seed-bucket"


def test_bad_event_file_names_every_problem_and_changes_nothing(
    tmp_path: Path, form: ParamForm
) -> None:
    form.set_params(RunParams(prompt="keep me"))
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"prompt": 5, "max_retry_attempts": "many", "colour": "red"}))
    with pytest.raises(ValidationError) as caught:
        form.import_event(path)
    assert [str(p) for p in caught.value.problems] == [
        "prompt: 5 is not allowed; a string",
        "max_retry_attempts: 'many' is not allowed; a whole number",
        "colour: '<str hidden>' is not allowed; not a known parameter",
    ]
    assert form.params().prompt == "keep me"
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(ValidationError) as caught:
        form.import_event(broken)
    assert "valid JSON (line 1" in str(caught.value)


def test_presets_save_load_delete(qtbot: QtBot, form: ParamForm) -> None:
    first = RunParams(prompt="first preset", max_retry_attempts=2)
    form.set_params(first)
    assert form.save_preset("  Quick  ") == "Quick"
    form.set_params(RunParams(prompt="second", image_model_id=SD35))
    form.save_preset("Stability")
    assert form.preset_names() == ["Quick", "Stability"]
    assert [form.preset_combo.itemText(i) for i in range(form.preset_combo.count())] == [
        "Quick",
        "Stability",
    ]
    form.load_preset("Quick")
    assert form.params() == first
    # Presets outlive the form: a new store over the same settings file sees them.
    assert SettingsStore().preset("Stability").image_model_id == SD35
    assert form.delete_preset("Quick")
    assert form.preset_names() == ["Stability"]
    with pytest.raises(ValidationError) as caught:
        form.save_preset("   ")
    assert str(caught.value.problems[0]) == (
        "preset name: '   ' is not allowed; a name of at least one visible character"
    )
    with pytest.raises(ValidationError):
        form.save_preset("tab\tname")


def test_preset_buttons(qtbot: QtBot, form: ParamForm) -> None:
    form.set_params(RunParams(prompt="from the button"))
    form.preset_save.click()
    dialog = form.findChild(object, "presetNameDialog")
    assert dialog is not None
    dialog.setTextValue("Button preset")
    dialog.accept()
    assert form.preset_names() == ["Button preset"]
    form.set_params(RunParams(prompt="changed"))
    form.preset_load.click()
    assert form.params().prompt == "from the button"
    form.preset_delete.click()
    assert form.preset_names() == []
    assert not form.preset_load.isEnabled()


def test_a_damaged_preset_is_reported_not_loaded(form: ParamForm) -> None:
    store = SettingsStore()
    store.qsettings.setValue("params/presets", json.dumps({"old": {"prompt": 1}}))
    form._refresh_presets()
    form.set_params(RunParams(prompt="current"))
    form.preset_load.click()
    assert form.params().prompt == "current"
    assert "preset 'old': prompt: 1 is not allowed; a string" in form.preset_status.text()


def test_tab_moves_focus_out_of_the_prompt(qtbot: QtBot, form: ParamForm) -> None:
    form.prompt_edit.setFocus()
    qtbot.keyClick(form.prompt_edit, Qt.Key.Key_Tab)
    assert "\t" not in form.params().prompt


def test_parse_size_accepts_common_spellings() -> None:
    assert parse_size("1024 x 768") == (1024, 768)
    assert parse_size(" 1024*768 ") == (1024, 768)
    assert parse_size(size_text(640, 480)) == (640, 480)
    assert parse_size("1024") is None


# -- issue 10: the rows are built from the fields' declarations ---------------------------------


def _row_label(form: ParamForm, key: str) -> str:
    """The text of the label beside field ``key``'s row ("" for a row without one)."""
    from PySide6.QtWidgets import QFormLayout, QLabel

    widget = form.field_widget(key)
    for layout in form.findChildren(QFormLayout):
        for row in range(layout.rowCount()):
            item = layout.itemAt(row, QFormLayout.ItemRole.FieldRole) or layout.itemAt(
                row, QFormLayout.ItemRole.SpanningRole
            )
            box = item.widget() if item is not None else None
            if box is not None and (box is widget or box.isAncestorOf(widget)):
                label = layout.itemAt(row, QFormLayout.ItemRole.LabelRole)
                shown = label.widget() if label is not None else None
                return shown.text() if isinstance(shown, QLabel) else ""
    raise AssertionError(f"no row holds {key}")


def test_each_row_has_its_declared_label_help_and_section(form: ParamForm) -> None:
    from PySide6.QtWidgets import QGroupBox

    for f in PARAMS:
        key = FIELD_SIZE if f.declared.widget == "size" else f.name
        widget = form.field_widget(key)
        assert f.declared.help in widget.toolTip(), f.name
        assert f.name in widget.toolTip()
        # The prompt's box and the checklist's own title name them.
        bare = f.declared.widget in ("prompt", "checklist")
        expected_label = "" if bare else f.declared.label
        assert _row_label(form, key) == expected_label, f.name
        box = widget.parent()
        while box is not None and not isinstance(box, QGroupBox):
            box = box.parent()
        assert isinstance(box, QGroupBox), f.name
        expected_box = _box_of(f)
        assert box.title() == expected_box, f.name
    titles = [box.title() for box in form.findChildren(QGroupBox)]
    assert titles == [
        Section.PROMPT.value,
        Section.IMAGE.value,
        Section.LIMITS.value,
        "Image settings",
        Section.JUDGE.value,
        Section.STORAGE.value,
        "Speed",
        Section.JUDGE_SETTINGS.value,
        Section.REVISER_SETTINGS.value,
    ]


def test_spin_boxes_hold_the_declared_ranges(form: ParamForm) -> None:
    for f in PARAMS:
        if not f.is_number or f.declared.widget:
            continue
        spin = form.field_widget(f.name)
        assert isinstance(spin, NumberField)
        d = f.declared
        limits = d.bounds.spin_range if d.bounds else model_limits(form.spec())[f.name]
        if limits is None:  # the model has no such setting: the field is greyed, not ranged
            assert not spin.isEnabled(), f.name
            continue
        assert spin.limits == limits, f.name
        # An unsettable field's lowest entry is "unset", one step below its real minimum.
        floor = round(limits[0] - d.step, d.decimals) if f.unsettable else limits[0]
        assert (spin.minimum(), spin.maximum()) == (floor, limits[1]), f.name
        assert (spin.decimals(), spin.singleStep()) == (d.decimals, d.step), f.name
        assert spin.specialValueText() == ("unset" if f.unsettable else d.special), f.name


def test_a_field_ruled_only_while_a_flag_is_on_is_greyed_while_it_is_off(form: ParamForm) -> None:
    ruled = [f for f in PARAMS if f.declared.rule is not None and f.declared.rule.only_when]
    assert ruled
    for f in ruled:
        assert f.declared.rule is not None
        flag = f.declared.rule.only_when
        form.set_params(RunParams(prompt="p").with_changes(**{flag: False}))
        assert not form.field_widget(f.name).isEnabled()
        form.set_params(RunParams(prompt="p").with_changes(**{flag: True}))
        assert form.field_widget(f.name).isEnabled()


# -- issue 11: "unset" sampling settings, unused fields, sizes mapped to the model's nearest ------

# The checklist is unsettable too (None: the judge model writes one), in its own editor.
UNSETTABLE = [f for f in PARAMS if f.unsettable and f.name != "checklist"]


def test_the_unsettable_fields_are_the_judges_and_revisers_sampling_settings() -> None:
    assert {f.name for f in UNSETTABLE} == {
        f"claude_{who}_{setting}"
        for who in ("validate", "revise")
        for setting in ("temperature", "top_p", "top_k")
    }


def test_default_top_p_shows_unset_and_reads_none(form: ParamForm) -> None:
    assert RunParams().claude_validate_top_p is None
    for name in ("claude_validate_top_p", "claude_revise_top_p"):
        spin = form.field_widget(name)
        assert isinstance(spin, NumberField)
        assert spin.text() == "unset"
        assert spin.is_unset()
    assert form.params().claude_validate_top_p is None
    assert form.params().claude_revise_top_p is None


@pytest.mark.parametrize("name", [f.name for f in UNSETTABLE])
def test_each_unsettable_field_shows_and_reads_unset(form: ParamForm, name: str) -> None:
    form.set_params(RunParams(prompt="p").with_changes(**{name: None}))
    spin = form.field_widget(name)
    assert isinstance(spin, NumberField)
    assert spin.text() == "unset"
    assert getattr(form.params(), name) is None
    assert form.is_valid(), form.problems()
    # A value shows as itself; None again shows "unset" again.
    form.set_params(RunParams(prompt="p").with_changes(**{name: 1}))
    assert spin.text() != "unset"
    assert getattr(form.params(), name) == 1
    form.set_params(RunParams(prompt="p").with_changes(**{name: None}))
    assert spin.text() == "unset"
    assert getattr(form.params(), name) is None


def test_arrows_step_between_unset_and_the_real_minimum(qtbot: QtBot, form: ParamForm) -> None:
    form.set_params(RunParams(prompt="p", claude_validate_top_k=None))
    spin = form.field_widget("claude_validate_top_k")
    assert isinstance(spin, NumberField)
    with qtbot.waitSignal(form.changed):
        qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert form.params().claude_validate_top_k == 0
    assert spin.text() == "0"
    with qtbot.waitSignal(form.changed):
        qtbot.keyClick(spin, Qt.Key.Key_Down)
    assert form.params().claude_validate_top_k is None
    assert spin.text() == "unset"
    qtbot.keyClick(spin, Qt.Key.Key_Down)  # nothing lies below "unset"
    assert form.params().claude_validate_top_k is None
    assert form.is_valid(), form.problems()


def test_typing_unset_or_a_number(qtbot: QtBot, form: ParamForm) -> None:
    form.set_params(RunParams(prompt="p", claude_revise_temperature=0.5))
    spin = form.field_widget("claude_revise_temperature")
    assert isinstance(spin, NumberField)
    spin.selectAll()
    qtbot.keyClicks(spin, "unset")
    spin.interpretText()
    assert form.params().claude_revise_temperature is None
    spin.selectAll()
    qtbot.keyClicks(spin, "0.25")
    spin.interpretText()
    assert form.params().claude_revise_temperature == 0.25


def test_a_number_outside_below_the_range_is_flagged_not_taken_for_unset(form: ParamForm) -> None:
    # -0.01 is the "unset" slot's own number for top p: from a file it is a number, flagged.
    outside = RunParams(prompt="p", claude_validate_top_p=-0.01, claude_validate_top_k=-3)
    form.set_params(outside)
    assert form.params() == outside
    for name in ("claude_validate_top_p", "claude_validate_top_k"):
        assert form.error_text(name) == str(problem_for(outside, name))
    # Back inside, the real range (and "unset" below it) returns.
    spin = form.field_widget("claude_validate_top_p")
    assert isinstance(spin, NumberField)
    spin.setValue(0.5)
    assert (spin.minimum(), spin.maximum()) == (-0.01, 1.0)
    assert spin.specialValueText() == "unset"
    assert form.error_text("claude_validate_top_p") == ""


def test_unset_round_trips_through_event_files_and_presets(
    tmp_path: Path, qtbot: QtBot, form: ParamForm
) -> None:
    wanted = RunParams(
        prompt="p",
        claude_validate_temperature=None,
        claude_validate_top_p=0.9,
        claude_validate_top_k=None,
        claude_revise_top_p=None,
    )
    form.set_params(wanted)
    path = tmp_path / "event.json"
    form.export_event(path)
    event = json.loads(path.read_text(encoding="utf-8"))
    assert event["claude_validate_temperature"] is None  # null: not sent
    assert event["claude_validate_top_p"] == 0.9
    other = ParamForm()
    qtbot.addWidget(other)
    assert other.import_event(path) == wanted

    # An event may write "unset" in words, as the docs show.
    words = tmp_path / "words.json"
    words.write_text(json.dumps({"prompt": "p", "claude_revise_top_k": "unset"}))
    assert other.import_event(words).claude_revise_top_k is None
    assert other.field_widget("claude_revise_top_k").text() == "unset"

    form.save_preset("Unset")
    form.set_params(RunParams(prompt="p", claude_validate_temperature=0.3))
    form.load_preset("Unset")
    assert form.params() == wanted
    assert form.field_widget("claude_validate_temperature").text() == "unset"


def test_a_setting_the_model_does_not_use_is_greyed_with_its_value_kept(form: ParamForm) -> None:
    from PySide6.QtWidgets import QFormLayout, QLabel

    form.set_params(RunParams(prompt="p", image_model_id=TITAN2, titan_img_cfg_scale=6.5))
    assert form.cfg_spin.isEnabled()
    assert form.cfg_note.isHidden()
    pick_model(form, SD35)
    assert not form.cfg_spin.isEnabled()
    assert form.cfg_spin.isVisible()  # shown, not hidden
    assert form.cfg_note.text() == (
        "Not used by Stable Diffusion 3.5 Large (it has no CFG scale setting); "
        "the value is kept for models that have one."
    )
    assert form.cfg_note.isVisible()
    labels = [
        label
        for layout in form.findChildren(QFormLayout)
        if (label := layout.labelForField(form.cfg_spin.parentWidget())) is not None
    ]
    assert [label.text() for label in labels if isinstance(label, QLabel)] == ["CFG scale"]
    assert not labels[0].isEnabled()
    assert form.params().titan_img_cfg_scale == 6.5
    assert form.error_text("titan_img_cfg_scale") == ""
    assert form.is_valid(), form.problems()


def test_a_loaded_size_the_model_does_not_offer_is_mapped_with_a_note(
    tmp_path: Path, form: ParamForm
) -> None:
    path = tmp_path / "seed.json"
    path.write_text(
        json.dumps({"prompt": "a cat", "titan_img_width": 1152, "titan_img_height": 640})
    )
    form.import_event(path)
    assert form.spec().model_id == SD35
    assert form.size_combo.currentText() == size_text(1344, 768)
    assert form.size_fit_note.isVisible()
    assert form.size_fit_note.text() == (
        "1152\u00d7640 is not offered by Stable Diffusion 3.5 Large; "
        "1344\u00d7768 (16:9) is the nearest."
    )
    assert (form.params().titan_img_width, form.params().titan_img_height) == (1344, 768)
    assert form.error_text(FIELD_SIZE) == ""
    assert form.is_valid(), form.problems()
    # The list holds only what the model makes: nothing was added for the event's size.
    sizes = [form.size_combo.itemText(i) for i in range(form.size_combo.count())]
    assert sizes == [size_text(w, h) for w, h in image_spec(SD35).sizes]
    # Picking a size is the person's choice: the note goes.
    form.size_combo.setCurrentIndex(0)
    assert form.size_fit_note.isHidden()
    # A size the model makes loads with no note.
    form.set_params(RunParams(prompt="p", titan_img_width=1536, titan_img_height=640))
    assert form.size_combo.currentText() == size_text(1536, 640)
    assert form.size_fit_note.isHidden()


def test_a_rule_based_model_shows_the_fitted_size_of_a_loaded_one(form: ParamForm) -> None:
    form.set_params(
        RunParams(prompt="p", image_model_id=NOVA, titan_img_width=1000, titan_img_height=1000)
    )
    assert form.size_combo.currentText() == size_text(992, 992)
    assert form.size_fit_note.text().startswith("1000\u00d71000 is not offered by Amazon Nova")
    assert (form.params().titan_img_width, form.params().titan_img_height) == (992, 992)


# -- issue 11: lifecycle in the pickers, from Bedrock's last word or the catalog -----------------


def keep_bedrock_answer(model_id: str, region: str, **fields: str) -> None:
    """What the connection check keeps after asking Bedrock (the real cache file, in the
    test's own data folder)."""
    from imgloop_desktop.core.models import Lifecycle
    from imgloop_desktop.providers.lifecycle import LifecycleCache, LifecycleInfo

    status = Lifecycle(fields.pop("status", "legacy"))
    LifecycleCache().put(region, model_id, LifecycleInfo(status, source="bedrock", **fields))


def combo_labels(form: ParamForm) -> dict[str, str]:
    return {
        form.model_combo.itemData(i): form.model_combo.itemText(i)
        for i in range(form.model_combo.count())
    }


def test_pickers_name_the_catalogs_lifecycle_and_say_so(form: ParamForm) -> None:
    labels = combo_labels(form)
    assert labels[SD35] == "Stable Diffusion 3.5 Large"  # active: the bare name
    assert labels[NOVA] == "Amazon Nova Canvas — End of life"
    assert form.model_note.text().startswith(
        "Stable Diffusion 3.5 Large: active (from the app's catalog)."
    )
    pick_model(form, NOVA)
    assert form.model_note.text().startswith(
        "Amazon Nova Canvas: end of life; consider stability.sd3-5-large-v1:0 "
        "(from the app's catalog)."
    )
    judge = form._editor("judge_model_id", JudgeModelEditor)
    index = form.judge_combo.findText("us.anthropic.claude-sonnet-4-20250514-v1:0")
    assert form.judge_combo.itemText(index) == "us.anthropic.claude-sonnet-4-20250514-v1:0"
    assert judge.item_label(index) == (
        "Claude Sonnet 4 — End of life (us.anthropic.claude-sonnet-4-20250514-v1:0)"
    )
    # The list draws that label (the delegate), while the item's text stays the id.
    from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

    delegate = form.judge_combo.itemDelegate()
    assert isinstance(delegate, QStyledItemDelegate)
    option = QStyleOptionViewItem()
    delegate.initStyleOption(option, form.judge_combo.model().index(index, 0))
    assert option.text == judge.item_label(index)
    # Picking an entry still puts the bare id in the line edit, and the form reads it.
    form.judge_combo.setCurrentIndex(index)
    assert form.params().judge_model_id == "us.anthropic.claude-sonnet-4-20250514-v1:0"


def test_pickers_use_what_bedrock_said_with_the_day_it_was_checked(
    qtbot: QtBot, form: ParamForm
) -> None:
    keep_bedrock_answer(
        NOVA, "us-east-1", end_of_life="2027-09-30", legacy_since="2026-09-30", checked="2026-11-30"
    )
    keep_bedrock_answer(
        HAIKU45, "us-east-1", end_of_life="2027-10-15", legacy_since="", checked="2026-11-29"
    )
    form.refresh_lifecycle()
    assert combo_labels(form)[NOVA] == "Amazon Nova Canvas — Legacy, end of life 2027-09-30"
    pick_model(form, NOVA)
    assert form.model_note.text().startswith(
        "Amazon Nova Canvas: legacy, end of life 2027-09-30; consider "
        "stability.sd3-5-large-v1:0 (from Bedrock, checked 2026-11-30)."
    )
    assert "#a15c00" in form.model_note.styleSheet()  # a warning's colour
    form.judge_combo.setCurrentText(HAIKU45)
    assert form.judge_note.text().startswith("Claude Haiku 4.5: legacy, end of life 2027-10-15")
    assert form.judge_note.text().endswith("(from Bedrock, checked 2026-11-29).")
    judge = form._editor("judge_model_id", JudgeModelEditor)
    assert judge.item_label(form.judge_combo.findText(HAIKU45)) == (
        f"Claude Haiku 4.5 — Legacy, end of life 2027-10-15 ({HAIKU45})"
    )
    # A new form (the next start) reads the same kept answer.
    other = ParamForm()
    qtbot.addWidget(other)
    assert combo_labels(other)[NOVA] == "Amazon Nova Canvas — Legacy, end of life 2027-09-30"


def _wheel(widget: QWidget) -> None:
    """One notch of the mouse wheel turned over ``widget``, as a person scrolling the form."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(widget.rect().center())),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_scrolling_past_a_field_does_not_change_it(form: ParamForm, qtbot: QtBot) -> None:
    """Under Xvfb, scrolling the form with the wheel changed the image size it passed over."""
    before = form.params()
    combos = form.findChildren(QComboBox)
    spins = form.findChildren(QAbstractSpinBox)
    assert combos and spins
    for widget in [*combos, *spins]:
        if widget.isEnabled() and widget.isVisible():
            _wheel(widget)
    assert form.params() == before
    # Once the person has clicked into a field, the wheel is theirs to use there.
    spin = form.field_widget("max_retry_attempts")
    assert isinstance(spin, NumberField)
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    value = spin.value()
    _wheel(spin)
    assert spin.value() != value


def test_load_fields_sets_what_it_is_given_and_names_the_rest(form: ParamForm) -> None:
    """A dropped file sets the fields it carries; the others keep what the form showed."""
    form.set_params(RunParams(prompt="before", max_retry_attempts=7, claude_revise_top_k=40))
    left = form.load_fields({"prompt": "after", "max_prompt_revisions": 1, "titan_img_seed": 5})
    shown = form.params()
    assert (shown.prompt, shown.max_prompt_revisions, shown.titan_img_seed) == ("after", 1, 5)
    assert (shown.max_retry_attempts, shown.claude_revise_top_k) == (7, 40)
    assert not {"prompt", "prompt revisions", "seed"} & set(left)
    assert left[:2] == ["attempts per prompt", "candidates at once"]
    assert left.count(f"size (W {TIMES} H)") == 1  # width and height are one row
    assert "top k (reviser settings)" in left and "top k (judge settings)" in left


# -- issue 15: a window that fits --------------------------------------------------------------


def _top(form: ParamForm, widget: QWidget) -> int:
    return widget.mapTo(form, QPoint(0, 0)).y()


def test_the_prompt_and_run_come_first_then_the_essentials(form: ParamForm) -> None:
    form.resize(420, 2400)
    layout = form.layout()
    assert layout is not None
    layout.activate()
    order = [
        form.prompt_edit,
        form.run_button,
        form.model_combo,
        form.size_combo,
        form.field_widget("max_retry_attempts"),
        form.field_widget("max_prompt_revisions"),
    ]
    tops = [_top(form, w) for w in order]
    assert tops == sorted(tops)
    assert all(w.isVisible() for w in order)
    assert _top(form, form.judge_combo) > tops[-1]
    assert _top(form, form.seed_spin) > tops[-1]  # the image model's tuning follows


def test_advanced_is_collapsed_at_first_and_remembers_being_opened(qtbot: QtBot) -> None:
    store = SettingsStore()
    form = ParamForm(store)
    qtbot.addWidget(form)
    form.show()
    hidden = [*SPEED_FIELDS, "claude_validate_temperature", "claude_revise_top_k"]
    assert not form.advanced_open
    assert not any(form.field_widget(name).isVisible() for name in hidden)
    qtbot.mouseClick(form.advanced_toggle, Qt.MouseButton.LeftButton)
    assert form.advanced_open and store.advanced_open()
    assert all(form.field_widget(name).isVisible() for name in hidden)
    again = ParamForm(store)
    qtbot.addWidget(again)
    again.show()
    assert again.advanced_open
    assert again.field_widget("candidates_in_flight").isVisible()


def test_a_flagged_value_under_advanced_opens_it_without_remembering(qtbot: QtBot) -> None:
    store = SettingsStore()
    form = ParamForm(store)
    qtbot.addWidget(form)
    form.show()
    form.set_params(RunParams(prompt="fine", candidates_in_flight=9))
    assert form.advanced_open
    assert form.field_widget("candidates_in_flight").isVisible()
    assert form.advanced_toggle.text() == "Advanced — 1 field(s) to fix"
    assert not store.advanced_open()  # the person did not ask for it
    form.set_params(RunParams(prompt="fine"))
    assert form.advanced_toggle.text() == "Advanced"


def test_an_empty_prompt_at_start_is_a_hint_not_an_error(qtbot: QtBot, form: ParamForm) -> None:
    assert not form.is_valid()
    assert not form.run_button.isEnabled()
    assert form.error_text("prompt") == ""
    assert form.prompt_hint.isVisible() and form.prompt_hint.text() == PROMPT_HINT
    assert "#c62828" not in form.prompt_edit.styleSheet()
    assert form.prompt_edit.placeholderText()
    qtbot.keyClicks(form.prompt_edit, "a")
    assert form.run_button.isEnabled()
    assert not form.prompt_hint.isVisible()
    form.prompt_edit.clear()  # typed, then emptied: now it is an error
    assert form.error_text("prompt") == str(problem_for(form.params(), "prompt"))
    assert "#c62828" in form.prompt_edit.styleSheet()
    assert not form.prompt_hint.isVisible()
    assert not form.run_button.isEnabled()


def test_pressing_run_with_an_empty_prompt_says_it_in_red(form: ParamForm) -> None:
    assert form.error_text("prompt") == ""
    form.reveal_problems()  # what the Run button does before asking to run
    assert form.error_text("prompt") == str(problem_for(form.params(), "prompt"))
    assert not form.prompt_hint.isVisible()


def test_the_run_button_is_the_windows_run(qtbot: QtBot, form: ParamForm) -> None:
    action = QAction("Run", form)
    action.setEnabled(False)
    action.setToolTip("Fix the 1 marked field(s) first")
    form.set_run_action(action)
    form.prompt_edit.setPlainText("a red fox")
    assert form.is_valid()
    assert not form.run_button.isEnabled()  # the action decides (a run may be going)
    assert form.run_button.toolTip() == "Fix the 1 marked field(s) first"
    action.setEnabled(True)
    action.setToolTip("Start a run (Ctrl+R)")
    assert form.run_button.isEnabled()
    assert form.run_button.toolTip() == "Start a run (Ctrl+R)"
    with qtbot.waitSignal(action.triggered):
        qtbot.mouseClick(form.run_button, Qt.MouseButton.LeftButton)


def test_without_an_action_run_follows_the_form(qtbot: QtBot, form: ParamForm) -> None:
    assert not form.run_button.isEnabled()
    form.prompt_edit.setPlainText("a red fox")
    assert form.run_button.isEnabled()
    with qtbot.waitSignal(form.runRequested):
        qtbot.mouseClick(form.run_button, Qt.MouseButton.LeftButton)


def test_the_form_fits_a_narrow_column(qtbot: QtBot, form: ParamForm) -> None:
    """The window gives the form 300 px at least; at 2x scale on 1600 px that is all."""
    form.set_advanced_open(True)
    assert form.minimumSizeHint().width() <= 300
    bar = form.findChild(QWidget, "presetBar")
    assert isinstance(bar, ReflowGrid)
    form.resize(form.minimumSizeHint().width(), 2000)
    qtbot.waitUntil(lambda: bar.is_narrow)

    def under_the_list() -> bool:
        return _top(form, form.preset_load) > _top(form, form.preset_combo)

    qtbot.waitUntil(under_the_list)  # the buttons went under the list
    form.resize(700, 2000)
    qtbot.waitUntil(lambda: not bar.is_narrow)

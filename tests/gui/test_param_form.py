"""The parameter form, driven as a person would: every field present, invalid values marked
with the validator's exact words, model switches, event files and presets."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.param_decl import Section
from imgloop_desktop.core.params import PARAMS, RunParams, model_limits, validate
from imgloop_desktop.gui.param_form import (
    FIELD_SIZE,
    NumberField,
    ParamForm,
    parse_size,
    size_text,
)
from imgloop_desktop.gui.settings_store import SettingsStore
from imgloop_desktop.providers.catalog import image_spec

NOVA = "amazon.nova-canvas-v1:0"
SD35 = "stability.sd3-5-large-v1:0"


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
        judge_model_id="us.anthropic.claude-sonnet-4-6",
        output_dir="/tmp/imgloop-out",
        s3_enabled=True,
        aws_region="us-west-2",
        candidates_in_flight=2,
        speculative_next=True,
        judge_image_max_side=1024,
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
    assert form.params() == RunParams(prompt="a red fox in snow")
    assert form.problems() == []


def test_prompt_counter_counts_against_the_models_limit(qtbot: QtBot, form: ParamForm) -> None:
    text = "a" * 37
    form.prompt_edit.setPlainText(text)
    assert form.prompt_counter.text() == "37 / 512"
    pick_model(form, NOVA)
    assert form.prompt_counter.text() == "37 / 1024"
    form.prompt_edit.setPlainText("é" * 600)  # characters, not bytes
    assert form.prompt_counter.text() == "600 / 1024"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"prompt": ""}, "prompt"),
        ({"prompt": "   "}, "prompt"),
        ({"prompt": "x" * 513}, "prompt"),
        ({"s3_enabled": True, "output_s3_bucket_name": "Bad_Bucket"}, "output_s3_bucket_name"),
        ({"s3_enabled": True, "output_s3_bucket_name": ""}, "output_s3_bucket_name"),
        ({"output_s3_key_prefix": "/leading"}, "output_s3_key_prefix"),
        ({"output_s3_key_prefix": "a/../b"}, "output_s3_key_prefix"),
        ({"judge_model_id": "   "}, "judge_model_id"),
        ({"titan_img_cfg_scale": 10.5}, "titan_img_cfg_scale"),
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
            prompt="p", titan_img_number_of_images=3, titan_img_width=768, titan_img_height=1280
        )
    )
    pick_model(form, SD35)
    spec = image_spec(SD35)
    sizes = [form.size_combo.itemText(i) for i in range(form.size_combo.count())]
    assert sizes == [size_text(w, h) for w, h in spec.sizes]
    assert not form.size_combo.isEditable()
    assert not form.cfg_spin.isEnabled()
    assert form.cfg_note.text() == (
        "Stable Diffusion 3.5 Large has no CFG scale setting; the value is unused."
    )
    assert form.images_spin.maximum() == 1
    assert form.images_spin.whole() == 1
    assert form.seed_spin.maximum() == spec.seed_max
    assert form.adjust_note.text() == (
        "Adjusted for Stable Diffusion 3.5 Large: images per call 3 → 1; "
        f"size {size_text(768, 1280)} → {size_text(1024, 1024)}."
    )
    assert form.params().titan_img_width == 1024
    assert form.is_valid()

    pick_model(form, "amazon.titan-image-generator-v1")
    assert form.cfg_spin.isEnabled()
    assert form.cfg_spin.limits == (1.1, 10.0)
    assert form.images_spin.maximum() == 5


def test_nova_canvas_takes_custom_sizes_by_its_rule(qtbot: QtBot, form: ParamForm) -> None:
    form.set_params(RunParams(prompt="p"))
    pick_model(form, NOVA)
    assert form.size_combo.isEditable()
    form.size_combo.setCurrentText(size_text(1280, 720))
    assert form.is_valid()
    assert (form.params().titan_img_width, form.params().titan_img_height) == (1280, 720)
    form.size_combo.setCurrentText("1000 x 1000")
    assert form.error_text(FIELD_SIZE) == (
        "titan_img_width x titan_img_height: '1000x1000' is not allowed; "
        "each side must be a multiple of 16"
    )
    form.size_combo.setCurrentText("big")
    assert form.error_text(FIELD_SIZE) == (
        f"titan_img_width x titan_img_height: 'big' is not allowed; "
        f"a width \u00d7 height in pixels, like {size_text(1024, 1024)}"
    )
    assert not form.is_valid()


def test_values_from_outside_are_shown_and_flagged_not_clamped(form: ParamForm) -> None:
    outside = RunParams(
        prompt="p",
        titan_img_cfg_scale=50.0,
        titan_img_number_of_images=9,
        titan_img_seed=-4,
        titan_img_width=333,
    )
    form.set_params(outside)
    assert form.params() == outside
    assert form.cfg_spin.value() == 50.0
    assert form.seed_spin.text() == "-4"  # not the "0 = random" text of the minimum
    for key in ("titan_img_cfg_scale", "titan_img_number_of_images", "titan_img_seed", FIELD_SIZE):
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
        "Claude 3.5 Sonnet: end of life on Bedrock; use us.anthropic.claude-sonnet-4-6."
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
        expected_label = "" if f.declared.widget == "prompt" else f.declared.label
        assert _row_label(form, key) == expected_label, f.name
        box = widget.parent()
        while box is not None and not isinstance(box, QGroupBox):
            box = box.parent()
        assert isinstance(box, QGroupBox), f.name
        assert box.title() == f.declared.section.value, f.name
    titles = [box.title() for box in form.findChildren(QGroupBox)]
    assert titles == [section.value for section in Section]


def test_spin_boxes_hold_the_declared_ranges(form: ParamForm) -> None:
    for f in PARAMS:
        if not f.is_number or f.declared.widget:
            continue
        spin = form.field_widget(f.name)
        assert isinstance(spin, NumberField)
        d = f.declared
        limits = d.bounds.spin_range if d.bounds else model_limits(form.spec())[f.name]
        assert (spin.minimum(), spin.maximum()) == limits, f.name
        assert (spin.decimals(), spin.singleStep()) == (d.decimals, d.step), f.name
        assert spin.specialValueText() == d.special, f.name


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

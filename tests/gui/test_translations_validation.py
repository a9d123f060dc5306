"""What the validator says, under the Japanese translation: the form's field errors and the
Preferences pages' problems in Japanese with the value in them; every validator template
and catalog note in core, providers and services in ``validation.ts`` (and each problem a
person can meet in the window carrying its template, so it is shown translated)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from imgloop_desktop.core.checklist import Checklist, ChecklistItem, checklist_problems
from imgloop_desktop.core.errors import VALIDATION, Problem, ValidationError
from imgloop_desktop.core.params import RunParams, validate
from imgloop_desktop.core.price_overrides import Overrides
from imgloop_desktop.gui.costs_page import CostsPage
from imgloop_desktop.gui.i18n import shown
from imgloop_desktop.gui.param_form import ParamForm
from imgloop_desktop.gui.queue_page import QueuePage
from imgloop_desktop.gui.settings_store import SettingsStore
from imgloop_desktop.providers.catalog import IMAGE_MODELS, NOTES_CONTEXT, image_spec
from imgloop_desktop.services import costs, queue_limits
from imgloop_desktop.services.queue_limits import limits_file
from tests.gui.test_translation_areas import sources
from tests.gui.test_translations import I18N, japanese

__all__ = ["japanese"]  # the fixture, found by pytest under its name

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = I18N / "ja" / "validation.ts"
NOVA = "amazon.nova-canvas-v1:0"


def test_the_validators_words_have_a_catalogue_of_their_own() -> None:
    """(``test_translation_areas`` checks the catalogue against its files.)"""
    assert {context for context, _ in sources(CATALOGUE)} == {
        VALIDATION,
        NOTES_CONTEXT,
        "Lifecycle",
        "Checklist",
        "ImageAnswers",  # an image model's refusal, declared beside the models' answers
    }
    for path in I18N.glob("*/*.ts"):
        if path.name != CATALOGUE.name:
            contexts = {context for context, _ in sources(path)}
            assert not contexts & {VALIDATION, NOTES_CONTEXT}, path


@pytest.fixture
def form(japanese: None, qtbot: QtBot) -> ParamForm:
    widget = ParamForm(SettingsStore())
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_a_bad_value_in_the_form_is_said_in_japanese(form: ParamForm) -> None:
    form.region_combo.setCurrentText("mars-1")
    assert form.error_text("aws_region") == (
        "aws_region: 'mars-1' は使えません。使える値: us-east-1 のようなリージョン名。"
        "空欄ならプロファイルのリージョン"
    )
    form.set_params(form.params().with_changes(max_retry_attempts=500, titan_img_seed=-4))
    assert form.error_text("max_retry_attempts") == (
        "max_retry_attempts: 500 は使えません。使える値: "
        "1〜100 回\uff08プロンプトの版ごとの生成回数\uff09"
    )
    assert "-4 は使えません。使える値: 0〜" in form.error_text("titan_img_seed")
    assert "\uff080 ならランダムなシード\uff09" in form.error_text("titan_img_seed")


def test_size_text_that_does_not_parse_is_said_in_japanese(form: ParamForm) -> None:
    form.model_combo.setCurrentIndex(form.model_combo.findData(NOVA))
    form.size_combo.setCurrentText("huge")
    assert form.error_text("titan_img_width x titan_img_height") == (
        "titan_img_width x titan_img_height: 'huge' は使えません。"
        "使える値: 「1024 \u00d7 1024」のような、幅 \u00d7 高さのピクセル数"
    )


def test_a_bad_budget_and_price_row_are_said_in_japanese(japanese: None, qtbot: QtBot) -> None:
    page = CostsPage()
    qtbot.addWidget(page)
    try:
        page.monthly_edit.setText("ten")
        page.rows_edit.setPlainText('[{"kind": "text", "model": "m", "input": "-1", "output": 2}]')
        assert not page.check()
        said = page.problems_label.text()
        assert (
            "'ten' は使えません。使える値: 0.01〜1,000,000 米ドルの金額。空欄なら上限なし" in said
        )
        assert (
            "price_overrides[0].input: '-1' は使えません。使える値: "
            "100 万トークンあたり 0〜1000 米ドルの金額\uff08数値または文字列\uff09"
        ) in said
        page.rows_edit.setPlainText('[{"kind": "text",')
        assert not page.check()
        assert "'line 1, column 18' は使えません。使える値: JSON: 価格行のリスト" in (
            page.problems_label.text()
        )
    finally:
        page.close_workers()


def test_a_bad_queue_limits_file_is_said_in_japanese(japanese: None, qtbot: QtBot) -> None:
    limits_file().parent.mkdir(parents=True, exist_ok=True)
    limits_file().write_text('{"items_at_once": 0}')
    page = QueuePage()
    qtbot.addWidget(page)
    assert "items_at_once: '0' は使えません。使える値: 1〜16 の整数" in page.status.text()


def _raised(call: Callable[[], object]) -> list[Problem]:
    try:
        result = call()
    except ValidationError as exc:
        return exc.problems
    assert isinstance(result, list)
    return result


def window_problems() -> list[Problem]:
    """A bad value for each kind of rule a person can meet in the window."""
    bad = RunParams(
        prompt="",
        max_retry_attempts=0,
        aws_region="mars",
        output_s3_key_prefix="/a",
        judge_mode="vote",
        max_cost_usd=-1.0,
        judge_image_max_side=5,
        image_model_id="a b",
        output_dir="a\nb",
        claude_validate_top_p=2.0,
        s3_enabled=True,
        output_s3_bucket_name="xn--abc",
        checklist=Checklist((ChecklistItem("c1", "a", True),)),
    )
    titan = "amazon.titan-image-generator-v2:0"
    event = {"claude_validate_top_k": "x", "prompt": 5, "bogus": 1, "s3_enabled": 1}
    rows = [
        {"kind": "text", "model": "a b", "input": "-1", "output": 1, "scope": "moon", "z": 1},
        {"kind": "image", "model": "m", "tiers": [{"per_image": 1, "max_pixels": 0}]},
    ]
    calls: list[Callable[[], object]] = [
        lambda: validate(bad, image_spec("stability.sd3-5-large-v1:0")),
        lambda: validate(
            bad.with_changes(image_model_id=titan, titan_img_seed=-1, titan_img_cfg_scale=99.0),
            image_spec(titan),
        ),
        lambda: RunParams.from_event(event),
        lambda: RunParams.loads(b"{" * 40, "file"),
        lambda: Checklist.from_json([{"text": "", "must": "y", "kind": "k", "id": "-"}]),
        lambda: checklist_problems(
            [ChecklistItem("a", "x", False, depends_on=("a",)), ChecklistItem("a", "y", False)]
        ),
        lambda: Overrides.from_settings(rows),
        lambda: costs.parse_monthly_cap("ten"),
        lambda: queue_limits.QueueLimits.from_json({"items_at_once": 0, "q": 1}),
        lambda: image_spec("nope"),
        lambda: SettingsStore().save_preset("a\tb", RunParams()),
    ]
    return [p for call in calls for p in _raised(call)]


def test_every_problem_a_person_can_meet_is_shown_in_japanese(japanese: None) -> None:
    problems = window_problems()
    assert len(problems) > 30
    english = [
        f"{p.field}: {shown(p.phrase or p.allowed)!r}"
        for p in problems
        if p.phrase is None or shown(p.phrase) == p.allowed
    ]
    assert not english, "\n".join(english)


def test_the_catalogs_notes_are_translated(japanese: None) -> None:
    from imgloop_desktop.providers.catalog import model_notes

    notes = {spec.model_id: model_notes(spec) for spec in IMAGE_MODELS if spec.notes}
    stability = {k: v for k, v in notes.items() if k.startswith("stability.")}
    assert stability
    for phrase in stability.values():
        assert phrase is not None and shown(phrase) != phrase.template


def test_the_models_note_under_the_picker_is_japanese(form: ParamForm) -> None:
    form.set_params(form.params().with_changes(image_model_id="stability.sd3-5-large-v1:0"))
    note = form.model_note.text()
    assert "8B parameters" not in note and "catalog" not in note and note, note

"""The details pane, offscreen: what it shows for an image, the person's decisions, copy,
open folder and the S3 console URL (through an injected opener, so nothing launches)."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication, QImage
from pytestqt.qtbot import QtBot

from imgloop_desktop.core.protocols import InferenceSettings, ModelReply
from imgloop_desktop.gui import details_pane as texts
from imgloop_desktop.gui.badges import LABELS, Badge
from imgloop_desktop.gui.details_pane import DetailsPane, cost_line, s3_console_url
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.storage.history.schema import Decision
from tests.gui.gallery_fixtures import details, history, opened_urls, record
from tests.storage.history import fakes
from tests.storage.history.spend_fakes import record_budget_run

__all__ = ["details", "history", "opened_urls"]  # fixtures


def show(qtbot: QtBot, pane: DetailsPane, image_id: int) -> None:
    with qtbot.waitSignal(pane.loaded) as blocker:
        pane.show_image(image_id)
    assert blocker.args == [image_id]


def test_shows_the_image_its_prompts_verdict_and_parameters(
    qtbot: QtBot, details: DetailsPane, history: HistoryService
) -> None:
    result, _ = record(
        history,
        fakes.params(
            "a red fox in the snow", max_retry_attempts=1, max_prompt_revisions=1, titan_img_seed=77
        ),
        verdicts=["NO", '{"result": "YES", "reason": "a fox, and snow"}'],
        revisions=['{"revised_prompt": "a red fox standing in fresh snow"}'],
    )
    tree = history.session(result.run_id)
    image = list(tree.images())[-1]
    show(qtbot, details, image.image_id)
    f = {name: label.text() for name, label in details.fields.items()}
    assert f["prompt"] == "a red fox standing in fresh snow"
    assert f["original_prompt"] == "a red fox in the snow"
    assert f["verdict"].startswith(
        texts.VERDICT.format(result="YES", model="test.judge", retried="")
    )
    assert f["reason"] == "a fox, and snow"
    assert f["seed"] == "77"
    assert f["size"] == texts.SIZE.format(width=64, height=64, size=image.size_bytes)
    assert f["cfg_scale"] == "8"
    assert f["image_model"] == "test.image-model"
    assert f["judge_model"] == "test.judge"
    assert f["upload"] == texts.UPLOAD_NONE
    assert f["status"] == texts.STATUS.format(badge=LABELS[Badge.APPROVED], approved=texts.APPROVED)
    assert f["decision"] == texts.NO_DECISION
    assert details.picture.has_picture()

    # The raw answer is behind a toggle.
    assert not details.raw_text.isVisible()
    details.raw_toggle.click()
    assert details.raw_text.isVisible()
    assert '"reason": "a fox, and snow"' in details.raw_text.toPlainText()
    details.raw_toggle.click()
    assert not details.raw_text.isVisible()

    # No S3 object: no console button; no decision yet: nothing to clear.
    assert not details.s3_button.isEnabled()
    assert not details.clear_button.isEnabled()
    assert details.approve_button.isEnabled() and details.reject_button.isEnabled()

    details.show_image(-1)
    assert details.details is None
    assert details.fields["prompt"].text() == ""
    assert not details.approve_button.isEnabled()


def test_decisions_override_the_judge_and_clearing_restores_it(
    qtbot: QtBot, details: DetailsPane, history: HistoryService
) -> None:
    result, _ = record(history, fakes.params(max_retry_attempts=1, max_prompt_revisions=0))
    (image,) = history.session(result.run_id).images()
    assert not image.effective_approved  # the fake judge said NO
    show(qtbot, details, image.image_id)

    with qtbot.waitSignal(details.decisionChanged) as blocker:
        details.approve_button.click()
    assert blocker.args == [image.image_id]
    stored = history.image(image.image_id)
    assert stored.human_decision is Decision.APPROVED and stored.effective_approved
    assert stored.verdict is not None and stored.verdict.result == "NO"  # both kept
    assert details.fields["status"].text() == texts.STATUS.format(
        badge=LABELS[Badge.HUMAN_APPROVED], approved=texts.APPROVED
    )
    assert (
        details.fields["decision"]
        .text()
        .startswith(texts.DECIDED_ON.format(decision=Decision.APPROVED.value, at=""))
    )
    assert not details.approve_button.isEnabled()
    assert details.clear_button.isEnabled()

    with qtbot.waitSignal(details.decisionChanged):
        details.reject_button.click()
    assert history.image(image.image_id).human_decision is Decision.REJECTED
    assert details.fields["status"].text() == texts.STATUS.format(
        badge=LABELS[Badge.HUMAN_REJECTED], approved=texts.NOT_APPROVED
    )

    with qtbot.waitSignal(details.decisionChanged):
        details.clear_button.click()
    assert history.image(image.image_id).human_decision is None
    assert details.fields["status"].text() == texts.STATUS.format(
        badge=LABELS[Badge.REJECTED], approved=texts.NOT_APPROVED
    )


def test_s3_console_folder_and_copy(
    qtbot: QtBot, details: DetailsPane, history: HistoryService, opened_urls: list[str]
) -> None:
    result, _ = record(
        history,
        fakes.params(
            max_retry_attempts=1,
            max_prompt_revisions=0,
            s3_enabled=True,
            output_s3_bucket_name="imgloop-test-bucket",
            aws_region="eu-west-1",
        ),
        uploader=fakes.InlineUploader("imgloop-test-bucket"),
    )
    (image,) = history.session(result.run_id).images()
    assert image.s3_key
    show(qtbot, details, image.image_id)
    assert details.fields["s3_key"].text() == image.s3_key
    assert details.fields["upload"].text() == texts.UPLOAD_DONE.format(bucket="imgloop-test-bucket")

    details.s3_button.click()
    details.folder_button.click()
    assert opened_urls == [
        "https://s3.console.aws.amazon.com/s3/object/imgloop-test-bucket"
        f"?region=eu-west-1&prefix={image.s3_key}",
        image.path.parent.as_uri(),
    ]

    details.copy_button.click()
    mime = QGuiApplication.clipboard().mimeData()
    assert [Path(u.toLocalFile()) for u in mime.urls()] == [image.path]
    assert mime.hasImage()
    QGuiApplication.clipboard().clear()


def test_console_url_defaults_to_us_east_1_and_quotes_the_key() -> None:
    assert s3_console_url("b", "generated images/a b.png", "") == (
        "https://s3.console.aws.amazon.com/s3/object/b?region=us-east-1"
        "&prefix=generated%20images/a%20b.png"
    )


def test_a_failed_upload_and_a_missing_file_are_said_plainly(
    qtbot: QtBot, details: DetailsPane, history: HistoryService
) -> None:
    result, _ = record(
        history,
        fakes.params(
            max_retry_attempts=1,
            max_prompt_revisions=0,
            s3_enabled=True,
            output_s3_bucket_name="imgloop-test-bucket",
        ),
        uploader=fakes.InlineUploader("imgloop-test-bucket", fail_all=True),
    )
    (image,) = history.session(result.run_id).images()
    image.path.unlink()
    show(qtbot, details, image.image_id)
    assert details.fields["upload"].text() == texts.UPLOAD_FAILED.format(
        error="S3 refused: AccessDenied"
    )
    assert not details.picture.has_picture()
    assert details.picture.text() == texts.FILE_MISSING.format(path=image.path)


def test_only_the_last_image_asked_for_is_shown(
    qtbot: QtBot, details: DetailsPane, history: HistoryService
) -> None:
    result, _ = record(history, fakes.params(max_retry_attempts=3, max_prompt_revisions=0))
    ids = [i.image_id for i in history.session(result.run_id).images()]
    for image_id in ids[:-1]:
        details.show_image(image_id)
    with qtbot.waitSignal(details.loaded) as blocker:
        details.show_image(ids[-1])
    assert blocker.args == [ids[-1]]
    details.wait_idle()
    QCoreApplication.processEvents()  # deliver late answers for older requests: dropped
    assert details.details is not None and details.details.image.image_id == ids[-1]


def test_an_update_right_after_switching_images_shows_the_new_picture(
    qtbot: QtBot, details: DetailsPane, history: HistoryService
) -> None:
    """A verdict for image B arriving just after B was selected must not leave A's picture
    under B's details (the pane reuses a picture only for its own image)."""
    result, _ = record(history, fakes.params("two images", max_retry_attempts=2))
    first, second = [image.image_id for image in history.session(result.run_id).images()][:2]
    show(qtbot, details, first)
    with qtbot.waitSignal(details.loaded) as blocker:
        details.show_image(second)
        details.on_image_updated(second)
    assert blocker.args == [second]
    qtbot.waitUntil(lambda: details.details is not None and details.details.picture is not None)
    assert details.details is not None
    assert details.details.image.image_id == second
    expected = history.image(second).path.read_bytes()
    assert details.details.picture is not None
    assert details.details.picture == QImage.fromData(expected)


# -- issue 11: what the judge was given, and where the models ran --------------------------------

JUDGE_NOTE = "test.judge in us-east-1 rejected `top_p`; asked again without it."
FIT_NOTE = "re-encoded as JPEG and scaled to 1568 px to fit Converse's 3.75 MB limit"


class NotingChat(fakes.FakeChat):
    """A judge whose provider left a sampling setting out, and says so."""

    def ask(
        self, prompt: str, settings: InferenceSettings, image_png: bytes | None = None
    ) -> ModelReply:
        reply = super().ask(prompt, settings, image_png)
        return ModelReply(
            reply.text, reply.model_id, reply.input_tokens, reply.output_tokens, note=JUDGE_NOTE
        )


def test_the_judges_image_and_sampling_notes_and_the_regions_are_shown(
    qtbot: QtBot, details: DetailsPane, history: HistoryService
) -> None:
    result, _ = record(
        history,
        fakes.params("a red fox", max_retry_attempts=1, max_prompt_revisions=0),
        chat=NotingChat(verdicts=["YES"]),
    )
    with sqlite3.connect(history.db_path) as conn:
        conn.execute("UPDATE verdicts SET judge_image = ?", (FIT_NOTE,))
    conn.close()
    image = next(history.session(result.run_id).images())
    show(qtbot, details, image.image_id)
    f = details.fields
    assert f["judge_image"].text() == FIT_NOTE
    assert f["judge_notes"].text() == JUDGE_NOTE
    assert f["regions"].text() == "Image model in us-west-2, judge in us-east-1"
    for name in ("judge_image", "judge_notes", "regions"):
        assert f[name].isVisible(), name


def test_rows_with_nothing_to_say_are_hidden(
    qtbot: QtBot, details: DetailsPane, history: HistoryService
) -> None:
    result, _ = record(
        history,
        fakes.params("an owl", max_retry_attempts=1, max_prompt_revisions=0),
        verdicts=["YES"],
    )
    image = next(history.session(result.run_id).images())
    show(qtbot, details, image.image_id)
    assert details.fields["judge_image"].text() == ""
    assert not details.fields["judge_image"].isVisible()
    assert not details.fields["judge_notes"].isVisible()
    assert details.fields["regions"].isVisible()  # recorded with every run now


def test_regions_are_said_once_when_both_models_ran_in_one() -> None:
    from imgloop_desktop.gui.record_notes import regions_text

    assert regions_text("eu-west-1", "eu-west-1") == "eu-west-1 (both models)"
    assert regions_text("", "") == ""


def test_a_cfg_scale_the_model_did_not_use_says_so() -> None:
    from imgloop_desktop.gui.details_pane import cfg_text

    assert cfg_text(8.0, "stability.sd3-5-large-v1:0") == (
        "8, not used (Stable Diffusion 3.5 Large has no CFG setting)"
    )
    assert cfg_text(8.0, "amazon.titan-image-generator-v2:0") == "8"
    assert cfg_text(8.0, "somebody.unknown-v1") == "8"
    assert cfg_text(None, "stability.sd3-5-large-v1:0") == ""


# -- Content Credentials (issue 16) -------------------------------------------------------------


def test_content_credentials_valid_invalid_and_none(
    qtbot: QtBot, history: HistoryService, opened_urls: list[str]
) -> None:
    """With the shared check (the default, as ``imgloop-cli history show`` uses it): a
    signed image names its issuer and says valid; the same file changed on disk says
    invalid; a plain one none; a file that is gone says unknown and why."""
    from imgloop_desktop.services.content_credentials import FILE_MISSING
    from tests.storage.export.c2pa_signing import ISSUER, SignedGenerator

    pane = DetailsPane(history)
    qtbot.addWidget(pane)
    try:
        signed, _ = record(history, verdicts=["YES"], generator=SignedGenerator())
        image = next(iter(history.session(signed.run_id).images()))
        show(qtbot, pane, image.image_id)
        text = pane.fields["credentials"].text()
        assert text.startswith(texts.CREDENTIALS_ISSUED.format(issuer=ISSUER, state="valid"))

        data = bytearray(image.path.read_bytes())
        data[data.find(b"IDAT") + 10] ^= 0xFF
        image.path.write_bytes(bytes(data))
        show(qtbot, pane, image.image_id)
        text = pane.fields["credentials"].text()
        assert text.startswith(texts.CREDENTIALS_ISSUED.format(issuer=ISSUER, state="invalid"))
        assert "dataHash.mismatch" in text

        image.path.unlink()
        show(qtbot, pane, image.image_id)
        assert pane.fields["credentials"].text() == f"unknown ({FILE_MISSING})"

        plain, _ = record(history, verdicts=["YES"])
        show(qtbot, pane, next(iter(history.session(plain.run_id).images())).image_id)
        assert pane.fields["credentials"].text() == texts.CREDENTIALS_NONE
    finally:
        pane.close_workers()


def test_without_a_verifier_nothing_is_claimed(qtbot: QtBot, history: HistoryService) -> None:
    pane = DetailsPane(history, read_credentials=None)
    qtbot.addWidget(pane)
    try:
        result, _ = record(history, verdicts=["YES"])
        show(qtbot, pane, next(iter(history.session(result.run_id).images())).image_id)
        assert pane.fields["credentials"].text() == texts.CREDENTIALS_NOT_CHECKED
    finally:
        pane.close_workers()


def test_the_cost_row_says_what_the_judging_took_of_it(isolated_env: Path) -> None:
    db = isolated_env / "costs.sqlite3"
    teller = record_budget_run(db)
    with HistoryService.open(db) as service:
        first, _second, third = service.session(teller.run_id).images()
    assert cost_line(first) == "$0.0410 (judging $0.001000 of it)"
    assert cost_line(third) == "unknown"  # never "$0"
    assert cost_line(replace(first, cost=None)) == ""  # a run from before costs: no row

"""The gallery's item model on its own: live events become cells in the order a recorded
session shows them, ids arrive later, and nothing here touches the history."""

from __future__ import annotations

from pathlib import Path

from pytestqt.modeltest import ModelTester

from imgloop_desktop.core import events as ev
from imgloop_desktop.gui.badges import Badge
from imgloop_desktop.gui.gallery_model import (
    ATTEMPT_FAILED,
    VERSION_LABEL,
    GalleryItem,
    GalleryModel,
    ItemKind,
    header,
    version_label,
)


def candidate(revision: int, attempt: int, index: int = 0) -> ev.Candidate:
    return ev.Candidate(
        ev.ImageRef(revision, attempt, index),
        Path(f"/images/{revision}-{attempt}-{index}.png"),
        sha256=f"{revision}{attempt}{index}" * 8,
        size_bytes=10,
        width=8,
        height=8,
        seed=7,
        prompt=f"prompt v{revision + 1}",
    )


def verdict(result: ev.VerdictResult, reason: str = "because") -> ev.Verdict:
    return ev.Verdict(result, reason, raw=result.value, model_id="judge")


def started(prompt: str = "a lighthouse") -> ev.RunStarted:
    return ev.RunStarted("run-1", prompt, "image-model", "judge-model", 2, 1)


def shape(model: GalleryModel) -> list[tuple[ItemKind, int, int, int]]:
    return [(i.kind, i.revision, i.attempt, i.index) for i in model.items()]


def test_live_events_build_headers_then_images_in_order(qtmodeltester: ModelTester) -> None:
    model = GalleryModel()
    model.apply_event(started())
    assert model.apply_event(ev.ImageStored(candidate(0, 1)))  # ids must be looked up
    assert model.apply_event(ev.ImageStored(candidate(0, 0)))
    model.apply_event(ev.RevisionStarted(1, ("too dark",)))
    model.apply_event(ev.PromptRevised(1, "brighter", "a lighthouse", ("too dark",), ok=True))
    model.apply_event(ev.ImageStored(candidate(1, 0)))
    assert shape(model) == [
        (ItemKind.HEADER, 0, -1, -1),
        (ItemKind.IMAGE, 0, 0, 0),
        (ItemKind.IMAGE, 0, 1, 0),
        (ItemKind.HEADER, 1, -1, -1),
        (ItemKind.IMAGE, 1, 0, 0),
    ]
    assert model.item(3).prompt == "brighter" and model.item(3).note == ""
    assert model.item(1).judging and model.item(1).badge is Badge.JUDGING
    qtmodeltester.check(model)


def test_verdicts_uploads_and_the_end_update_cells_in_place() -> None:
    model = GalleryModel()
    model.apply_event(started())
    model.apply_event(ev.ImageStored(candidate(0, 0)))
    ref = ev.ImageRef(0, 0, 0)
    model.apply_event(ev.VerdictReceived(ref, verdict(ev.VerdictResult.YES, "good light")))
    item = model.item(model.row_of_ref((0, 0, 0)))
    assert (item.verdict, item.reason, item.judging) == ("YES", "good light", False)
    assert item.effective_approved
    model.apply_event(ev.UploadFailed(ref, "bucket", "key", "AccessDenied"))
    item = model.item(model.row_of_ref((0, 0, 0)))
    assert item.upload_failed and "AccessDenied" in item.tooltip()
    model.apply_event(ev.UploadDone(ref, "bucket", "key"))
    assert not model.item(model.row_of_ref((0, 0, 0))).upload_failed
    model.apply_event(ev.ImageStored(candidate(0, 1)))
    model.apply_event(ev.RunFinished("run-1", ev.Outcome.APPROVED, "done", None, ()))
    assert not any(i.judging for i in model.items())


def test_a_failed_attempt_without_images_gets_its_own_tile() -> None:
    model = GalleryModel()
    model.apply_event(started())
    model.apply_event(ev.AttemptFailed(0, 0, "ThrottlingException: slow down"))
    failed = model.item(1)
    assert failed.kind is ItemKind.FAILED
    assert failed.title == ATTEMPT_FAILED.format(n=1) and "slow down" in failed.tooltip()
    assert failed.badge is Badge.ERROR


def test_a_failed_attempt_marks_its_images() -> None:
    model = GalleryModel()
    model.apply_event(started())
    model.apply_event(ev.ImageStored(candidate(0, 0)))
    model.apply_event(ev.AttemptFailed(0, 0, "the judge could not answer"))
    item = model.item(1)
    assert item.kind is ItemKind.IMAGE
    assert item.attempt_error == "the judge could not answer" and not item.judging


def test_ids_found_later_fill_in_only_changed_rows() -> None:
    model = GalleryModel()
    model.apply_event(started())
    model.apply_event(ev.ImageStored(candidate(0, 0)))
    model.apply_event(ev.ImageStored(candidate(0, 1)))
    assert model.unresolved_refs() == [(0, 0, 0), (0, 1, 0)]
    changed = model.set_image_ids({(0, 0, 0): 11, (0, 1, 0): 12})
    assert changed == [1, 2]
    assert model.set_image_ids({(0, 0, 0): 11}) == []
    assert model.row_of_id(12) == 2 and model.image_ids() == [11, 12]
    assert model.unresolved_refs() == []


def test_upsert_keeps_key_order_and_replaces_the_same_key() -> None:
    model = GalleryModel()
    model.upsert(header(1, "second"))
    model.upsert(header(0, "first"))
    image = GalleryItem(ItemKind.IMAGE, 0, 0, 0, prompt="first")
    model.upsert(image)
    assert [i.key for i in model.items()] == sorted(i.key for i in model.items())
    assert model.upsert(GalleryItem(ItemKind.IMAGE, 0, 0, 0, prompt="again")) == 1
    assert model.rowCount() == 3 and model.item(1).prompt == "again"
    assert version_label(1) == VERSION_LABEL.format(n=2)
    model.clear()
    assert model.rowCount() == 0

"""Drag-and-drop export: the MIME data a drag of a multi-selection carries (exported copies
with provenance chunks, originals untouched, any image with a plain drag unless the setting
restricts it), and parameters read back from a dropped PNG (its chunk, its sidecar, or the
history by SHA-256) or event JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QUrl
from PySide6.QtWidgets import QAbstractItemView
from pytestqt.qtbot import QtBot

from imgloop_desktop import paths
from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.gui.drag_export import (
    DRAG_APPROVED_ONLY_KEY,
    EMBEDDED,
    FROM_RUN,
    IN_HISTORY,
    NO_PARAMETERS,
    any_image_requested,
    approved_only_text,
    build_drag_mime,
    drag_export_dir,
    load_params_file,
    loaded_from_drop,
    params_from_drop,
    set_drag_approved_only,
)
from imgloop_desktop.gui.gallery import NOT_DRAGGED, GalleryPanel
from imgloop_desktop.gui.settings_store import SettingsStore
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.storage import export
from imgloop_desktop.storage.history.queries import ImageRecord
from imgloop_desktop.storage.history.schema import Decision
from tests.gui.gallery_fixtures import gallery, history, image_items, record, sha256_of
from tests.storage.history import fakes

__all__ = ["gallery", "history"]  # fixtures


@pytest.fixture
def session(history: HistoryService) -> list[ImageRecord]:
    """Three images: the judge says NO, NO, YES (the run stops there); the person approves
    the second one."""
    result, _ = record(
        history,
        fakes.params("a red fox in the snow", max_retry_attempts=4, max_prompt_revisions=0),
        verdicts=["NO", "NO", "YES"],
    )
    images = list(history.session(result.run_id).images())
    history.decide(images[1].image_id, Decision.APPROVED)
    return list(history.session(result.run_id).images())


def files(mime: QMimeData) -> list[Path]:
    assert all(url.isLocalFile() for url in mime.urls())
    return [Path(url.toLocalFile()) for url in mime.urls()]


def metadata(path: Path) -> dict[str, object]:
    chunks = export.read_text_chunks(path.read_bytes())
    assert "Seed: " in chunks["parameters"]
    info: dict[str, object] = json.loads(chunks["imgloop"])
    return info


def test_mime_data_of_a_multi_selection_points_to_annotated_copies(
    history: HistoryService, session: list[ImageRecord]
) -> None:
    before = {i.image_id: sha256_of(i.path) for i in session}
    ids = [i.image_id for i in session]

    mime = build_drag_mime(history, ids, any_image=False)
    assert mime is not None
    dropped = files(mime)
    assert len(dropped) == 2  # the judge's YES and the person's approval
    for path, image in zip(dropped, [session[1], session[2]], strict=True):
        assert path.is_file()
        assert path.is_relative_to(drag_export_dir())
        assert path.is_relative_to(paths.data_dir())
        assert path != image.path
        info = metadata(path)
        assert info["run_id"] == image.run_id
        assert info["sha256_original"] == image.sha256
        assert info["approved"] is True
        assert info["original_prompt"] == "a red fox in the snow"
        assert info["seed"] == image.seed
        assert (info["revision"], info["attempt"], info["index"]) == (
            image.revision,
            image.attempt,
            image.index,
        )
    assert metadata(dropped[0])["human_decision"] == "approved"
    assert metadata(dropped[0])["verdict"] == "NO"
    assert mime.hasImage()
    first = mime.imageData()
    assert (first.width(), first.height()) == (session[1].width, session[1].height)

    everything = build_drag_mime(history, ids, any_image=True)
    assert everything is not None
    assert [metadata(p)["approved"] for p in files(everything)] == [False, True, True]

    # The originals are byte for byte what they were.
    assert {i.image_id: sha256_of(i.path) for i in session} == before
    assert all(before[i.image_id] == i.sha256 for i in session)


def test_nothing_to_drag_without_an_approved_image(
    history: HistoryService, session: list[ImageRecord]
) -> None:
    rejected = [session[0].image_id]
    assert build_drag_mime(history, rejected, any_image=False) is None
    mime = build_drag_mime(history, rejected, any_image=True)
    assert mime is not None and len(mime.urls()) == 1


def test_a_changed_original_is_left_out(
    history: HistoryService, session: list[ImageRecord]
) -> None:
    session[2].path.write_bytes(fakes.png(colour=(1, 2, 3)))
    mime = build_drag_mime(history, [i.image_id for i in session], any_image=False)
    assert mime is not None
    assert [metadata(p)["sha256_original"] for p in files(mime)] == [session[1].sha256]


def test_a_plain_drag_carries_any_image_unless_the_setting_restricts_it() -> None:
    assert any_image_requested()
    set_drag_approved_only(True)
    settings = SettingsStore().qsettings  # the app's own file, where the window writes
    assert settings.value(DRAG_APPROVED_ONLY_KEY, type=bool) is True
    assert not any_image_requested()
    text = approved_only_text(["prompt 0 attempt 1 image 0"])
    assert text.startswith("Prompt 0 attempt 1 image 0 is not approved")
    assert "drag_approved_only=false under [gallery]" in text
    assert settings.fileName() in text
    assert approved_only_text(["a", "b", "c"]).startswith("3 of the selected images are")
    set_drag_approved_only(False)
    assert any_image_requested()


def test_the_gallery_drags_its_selection(
    qtbot: QtBot, gallery: GalleryPanel, history: HistoryService, session: list[ImageRecord]
) -> None:
    view = gallery.view
    assert view.dragEnabled()
    assert view.dragDropMode() is QAbstractItemView.DragDropMode.DragOnly
    assert not view.acceptDrops()
    with qtbot.waitSignal(gallery.sessionLoaded):
        gallery.show_session(session[0].run_id)

    # Selecting prepares the copies on a worker; the drag then only wraps them. A plain
    # drag carries every image; each copy says its own verdict.
    with qtbot.waitSignal(gallery.drag.prepared):
        view.selectAll()
    indexes = view.selectionModel().selectedIndexes()
    assert len(indexes) == 3
    mime = gallery.model.mimeData(indexes)
    assert mime is not None
    assert gallery.drag.sync_builds == 0
    assert [metadata(p)["sha256_original"] for p in files(mime)] == [i.sha256 for i in session]
    assert [metadata(p)["approved"] for p in files(mime)] == [False, True, True]

    # A rejected image alone goes too.
    with qtbot.waitSignal(gallery.drag.prepared):
        gallery.select_image(session[0].image_id)
    rejected = gallery.model.mimeData(view.selectionModel().selectedIndexes())
    assert rejected is not None
    [copy] = files(rejected)
    assert metadata(copy)["verdict"] == "NO" and metadata(copy)["approved"] is False

    # Restricted by the setting: no drag, and the status bar says why and how to change it.
    set_drag_approved_only(True)
    try:
        with qtbot.waitSignal(gallery.statusMessage) as blocker:
            assert gallery.model.mimeData(view.selectionModel().selectedIndexes()) is None
        assert blocker.args[0] == NOT_DRAGGED.format(reasons=approved_only_text([session[0].label]))
    finally:
        set_drag_approved_only(False)

    # A decision changes what the copies say: they are prepared again.
    with qtbot.waitSignal(gallery.drag.prepared):
        view.selectAll()
    with qtbot.waitSignals([gallery.imageRefreshed, gallery.drag.prepared]):
        history.decide(session[0].image_id, Decision.APPROVED)
        gallery.refresh_image(session[0].image_id)
    assert image_items(gallery)[0].effective_approved
    mime = gallery.model.mimeData(indexes)
    assert mime is not None
    assert [metadata(p)["approved"] for p in files(mime)] == [True, True, True]
    assert gallery.drag.sync_builds == 0

    # A drag that starts before the worker is done builds its copies on the spot.
    gallery.drag.invalidate()
    mime = gallery.model.mimeData(indexes)
    assert mime is not None and len(mime.urls()) == 3
    assert gallery.drag.sync_builds == 1
    gallery.wait_idle()


def test_params_from_a_dropped_exported_png(
    history: HistoryService, session: list[ImageRecord]
) -> None:
    mime = build_drag_mime(history, [session[2].image_id], any_image=False)
    assert mime is not None
    drop = QMimeData()
    drop.setUrls(mime.urls())
    params = params_from_drop(drop)
    assert params is not None
    stored = RunParams.from_event(history.session(session[2].run_id).params)
    assert params.prompt == stored.prompt == "a red fox in the snow"
    assert params.image_model_id == stored.image_model_id
    assert params.judge_model_id == stored.judge_model_id
    assert (params.titan_img_width, params.titan_img_height) == (64, 64)
    assert params.titan_img_seed == session[2].seed
    assert params.titan_img_cfg_scale == stored.titan_img_cfg_scale

    # With the history, the whole run comes back: attempts and revisions included.
    loaded = loaded_from_drop(drop, history)
    assert loaded is not None
    assert loaded.how == FROM_RUN.format(how=EMBEDDED, run_id=session[2].run_id)
    assert (loaded.params.max_retry_attempts, loaded.params.max_prompt_revisions) == (4, 0)
    assert loaded.params.titan_img_seed == session[2].seed
    assert {"max_retry_attempts", "max_prompt_revisions", "judge_mode"} <= loaded.carried


def test_an_original_from_the_data_folder_is_found_by_its_sha256(
    history: HistoryService, session: list[ImageRecord]
) -> None:
    """The stored original carries no parameters; the history knows its bytes."""
    original = session[0].path
    assert original.is_relative_to(paths.data_dir())
    loaded = load_params_file(original, history)
    assert loaded.how == IN_HISTORY
    assert loaded.params.prompt == "a red fox in the snow"
    assert (loaded.params.max_retry_attempts, loaded.params.max_prompt_revisions) == (4, 0)
    assert loaded.params.titan_img_seed == session[0].seed
    stored = RunParams.from_event(history.session(session[0].run_id).params)
    assert loaded.params.image_model_id == stored.image_model_id
    # Without the history (or from another computer) it is said plainly.
    with pytest.raises(ValidationError, match=NO_PARAMETERS):
        load_params_file(original)


def test_params_from_a_dropped_event_json(tmp_path: Path) -> None:
    params = fakes.params("京都の夜の路地", max_retry_attempts=4)
    event = tmp_path / "event.json"
    params.save(event)
    drop = QMimeData()
    drop.setUrls([QUrl.fromLocalFile(str(event))])
    assert params_from_drop(drop) == params

    text = QMimeData()
    text.setText(json.dumps({"prompt": "a lighthouse", "max_retry_attempts": 2}))
    assert params_from_drop(text) == RunParams(prompt="a lighthouse", max_retry_attempts=2)

    assert params_from_drop(QMimeData()) is None
    remote = QMimeData()
    remote.setUrls([QUrl("https://example.com/a.png")])
    assert params_from_drop(remote) is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"prompt": "x", "max_retry_attempts": "five"}', "max_retry_attempts: 'five'"),
        (b'{"prompt": "x",', "valid JSON"),
        (b'{"no_such_parameter": 1}', "not a known parameter"),
        (fakes.png(), NO_PARAMETERS),
        (b'{"prompt": ' + b"[" * 5000 + b"]" * 5000 + b"}", "nests 5001 levels deep"),
        (b"GIF89a....", "a PNG exported by imgloop or an event JSON file"),
    ],
)
def test_unusable_drops_raise_a_readable_validation_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    dropped = tmp_path / "dropped.bin"
    dropped.write_bytes(content)
    drop = QMimeData()
    drop.setUrls([QUrl.fromLocalFile(str(dropped))])
    with pytest.raises(ValidationError) as raised:
        params_from_drop(drop)
    assert message in str(raised.value)


def test_a_missing_dropped_file_is_a_validation_error(tmp_path: Path) -> None:
    drop = QMimeData()
    drop.setUrls([QUrl.fromLocalFile(str(tmp_path / "gone.json"))])
    with pytest.raises(ValidationError, match="a readable file"):
        params_from_drop(drop)


def test_old_drag_copies_are_pruned_and_recent_ones_kept() -> None:
    import os
    import time

    from imgloop_desktop.gui.drag_export import drag_export_dir, prune_drag_copies

    folder = drag_export_dir() / "20240101000000-abcdef01"
    folder.mkdir(parents=True)
    old, recent = folder / "old.png", folder / "recent.png"
    old.write_bytes(b"x")
    recent.write_bytes(b"y")
    ten_days_ago = time.time() - 10 * 24 * 3600
    os.utime(old, (ten_days_ago, ten_days_ago))
    assert prune_drag_copies() == 1
    assert not old.exists() and recent.exists()
    recent.unlink()
    prune_drag_copies()
    assert not folder.exists(), "empty run folders go too"


def test_a_missing_file_is_named_as_the_reason_nothing_is_dragged(
    qtbot: QtBot, gallery: GalleryPanel, history: HistoryService, session: list[ImageRecord]
) -> None:
    with qtbot.waitSignal(gallery.sessionLoaded):
        gallery.show_session(session[0].run_id)
    session[2].path.unlink()  # the approved image's file is gone
    with qtbot.waitSignal(gallery.drag.prepared):
        gallery.select_image(session[2].image_id)
    with qtbot.waitSignal(gallery.statusMessage) as blocker:
        assert gallery.model.mimeData(gallery.view.selectionModel().selectedIndexes()) is None
    message = blocker.args[0]
    assert message.startswith(NOT_DRAGGED.format(reasons="")) and "cannot be read" in message


# -- signed originals (issue 16) ----------------------------------------------------------------


def test_a_signed_original_drags_byte_for_byte_with_its_sidecar(
    history: HistoryService,
) -> None:
    """The copy keeps the signature valid; the parameters travel beside it and come back
    when the image is dropped onto the window again."""
    from imgloop_desktop.storage.provenance import verify
    from tests.storage.export.c2pa_signing import ISSUER, SignedGenerator

    result, _ = record(
        history, fakes.params("a signed fox"), verdicts=["YES"], generator=SignedGenerator()
    )
    image = next(iter(history.session(result.run_id).images()))
    mime = build_drag_mime(history, [image.image_id], any_image=False)
    assert mime is not None
    copy, sidecar = files(mime)
    assert copy.parent.is_relative_to(drag_export_dir())
    assert copy.read_bytes() == image.path.read_bytes()
    found = verify(copy.read_bytes())
    assert (found.state, found.issuer) == ("valid", ISSUER)
    assert sidecar == copy.with_suffix(".json")
    doc = json.loads(sidecar.read_text(encoding="utf-8"))
    assert doc["imgloop"]["sha256_original"] == image.sha256

    drop = QMimeData()
    drop.setUrls([QUrl.fromLocalFile(str(copy))])
    loaded = params_from_drop(drop)
    assert loaded is not None and loaded.prompt == "a signed fox"
    # The sidecar dropped on its own says the same.
    alone = load_params_file(sidecar)
    assert alone.params.prompt == "a signed fox" and alone.how == f"the sidecar {sidecar.name}"

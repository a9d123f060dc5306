"""The File menu's "Embed parameters in signed images too" (issue 16): a person's setting,
off by default and remembered, that drags obey at once: off, a signed original drags byte
for byte with its sidecar; on, its copy carries its parameters (the window's drop path and
sd-parsers read them back), says it was modified, and no longer validates."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import sd_parsers
from PIL import Image
from PySide6.QtCore import QMimeData, QSettings, QUrl
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from imgloop_desktop.core.records import ImageRecord
from imgloop_desktop.gui.drag_export import (
    EMBED_IN_SIGNED_KEY,
    EMBEDDED,
    build_drag_mime,
    embed_parameters_in_signed,
    loaded_from_drop,
    set_embed_parameters_in_signed,
)
from imgloop_desktop.gui.gallery import GalleryPanel
from imgloop_desktop.gui.main_window.actions import ACTIONS, MENUS, ActionSpec, make_action
from imgloop_desktop.gui.settings_store import SettingsStore
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.storage import export
from imgloop_desktop.storage.export.png_meta import MODIFIED_DESCRIPTION, MODIFIED_NOTE
from imgloop_desktop.storage.provenance import verify
from tests.gui.gallery_fixtures import gallery, history, record
from tests.gui.window_runs import RUN_TIMEOUT_MS, MakeWindow
from tests.storage.export.c2pa_signing import ISSUER, SignedGenerator
from tests.storage.history import fakes

__all__ = ["gallery", "history"]  # fixtures

SPEC = next(spec for spec in ACTIONS if spec.name == "embed_in_signed")


@pytest.fixture
def signed(history: HistoryService) -> ImageRecord:
    result, _ = record(
        history, fakes.params("a signed fox"), verdicts=["YES"], generator=SignedGenerator()
    )
    return next(iter(history.session(result.run_id).images()))


def urls(mime: QMimeData) -> list[Path]:
    return [Path(url.toLocalFile()) for url in mime.urls()]


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def action(parent: QWidget) -> QAction:
    """The action as the window builds it (``build_actions`` calls ``make_action``)."""
    return make_action(parent, SPEC)


# -- the setting --------------------------------------------------------------------------------


def test_the_setting_is_off_by_default_and_its_action_unchecked(parent: QWidget) -> None:
    assert not embed_parameters_in_signed()
    assert SettingsStore().qsettings.value(EMBED_IN_SIGNED_KEY) is None
    shown = action(parent)
    assert shown.isCheckable() and not shown.isChecked()


def test_toggling_the_action_is_kept_in_the_settings_file(parent: QWidget) -> None:
    action(parent).trigger()
    assert embed_parameters_in_signed()
    SettingsStore().sync()
    on_disk = QSettings(SettingsStore().file_name(), QSettings.Format.IniFormat)
    assert on_disk.value(EMBED_IN_SIGNED_KEY, False, type=bool) is True
    again = action(parent)  # as the window builds it at the next start
    assert again.isChecked()
    again.trigger()
    assert not embed_parameters_in_signed()


def test_the_action_sits_in_the_file_menu_beside_export() -> None:
    (entries,) = [entries for title, entries in MENUS if title == "&File"]
    assert entries[entries.index("export_approved") + 1] == "embed_in_signed"
    assert SPEC.setting == EMBED_IN_SIGNED_KEY and not SPEC.slot


def test_an_action_is_a_command_or_a_setting_never_both_nor_neither() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        ActionSpec("x", "X", "do_x", setting="a/b")
    with pytest.raises(ValueError, match=r"'x'.*exactly one"):
        ActionSpec("x", "X", "")


# -- drags obey it --------------------------------------------------------------------------------


def test_off_a_signed_original_drags_byte_for_byte_with_its_sidecar(
    history: HistoryService, signed: ImageRecord
) -> None:
    mime = build_drag_mime(history, [signed.image_id], any_image=True)
    assert mime is not None
    copy, sidecar = urls(mime)
    assert copy.read_bytes() == signed.path.read_bytes()
    assert (verify(copy.read_bytes()).state, verify(copy.read_bytes()).issuer) == (
        "valid",
        ISSUER,
    )
    assert json.loads(sidecar.read_text("utf-8"))["imgloop"]["sha256_original"] == signed.sha256


def test_on_a_signed_copy_carries_its_parameters_and_says_it_was_modified(
    history: HistoryService, signed: ImageRecord
) -> None:
    build_drag_mime(history, [signed.image_id], any_image=True)  # leaves a sidecar behind
    set_embed_parameters_in_signed(True)
    mime = build_drag_mime(history, [signed.image_id], any_image=True)
    assert mime is not None
    [copy] = urls(mime)
    assert not copy.with_suffix(".json").exists(), "the earlier sidecar would contradict it"
    data = copy.read_bytes()
    assert data != signed.path.read_bytes()
    chunks = export.read_text_chunks(data)
    assert json.loads(chunks["imgloop"])["content_credentials"] == MODIFIED_NOTE
    assert MODIFIED_DESCRIPTION in chunks["XML:com.adobe.xmp"]
    found = verify(data)
    assert found.state == "invalid" and "assertion.dataHash.mismatch" in found.detail

    # Dropped back on the window (no history here): its own chunk fills the form.
    drop = QMimeData()
    drop.setUrls([QUrl.fromLocalFile(str(copy))])
    loaded = loaded_from_drop(drop)
    assert loaded is not None and loaded.params.prompt == "a signed fox"
    assert loaded.params.titan_img_seed == signed.seed and loaded.how == EMBEDDED
    # And by the reader other tools use.
    info = sd_parsers.ParserManager().parse(Image.open(io.BytesIO(data)))
    assert info is not None and info.full_prompt == signed.prompt


def test_a_prepared_drag_made_before_the_setting_changed_is_made_again(
    qtbot: QtBot, gallery: GalleryPanel, signed: ImageRecord
) -> None:
    with qtbot.waitSignal(gallery.sessionLoaded):
        gallery.show_session(signed.run_id)
    with qtbot.waitSignal(gallery.drag.prepared):
        gallery.select_image(signed.image_id)
    set_embed_parameters_in_signed(True)
    mime = gallery.model.mimeData(gallery.view.selectionModel().selectedIndexes())
    assert mime is not None and gallery.drag.sync_builds == 1
    [copy] = urls(mime)
    assert "imgloop" in export.read_text_chunks(copy.read_bytes())
    # A new selection prepares under the new setting, on the worker.
    with qtbot.waitSignal(gallery.drag.prepared):
        gallery.drag.invalidate()
    again = gallery.model.mimeData(gallery.view.selectionModel().selectedIndexes())
    assert again is not None and gallery.drag.sync_builds == 1
    assert urls(again) == [copy]
    gallery.wait_idle()


def test_export_approved_follows_the_setting(
    signed: ImageRecord, make_window: MakeWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    """File → Export approved… reads the setting too: off keeps the signed bytes with a
    sidecar, on embeds the parameters and says the copy was modified."""
    window = make_window()
    for embed in (False, True):
        SettingsStore().qsettings.setValue(EMBED_IN_SIGNED_KEY, embed)
        with qtbot.waitSignal(window.exportFinished, timeout=RUN_TIMEOUT_MS):
            dest = window.export_approved_to(tmp_path / str(embed))
        [png] = dest.rglob("*.png")
        kept = png.read_bytes() == signed.path.read_bytes()
        assert kept is not embed
        assert png.with_suffix(".json").exists() is not embed
        assert (MODIFIED_NOTE in png.read_bytes().decode("latin-1")) is embed

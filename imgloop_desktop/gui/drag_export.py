"""Dragging images out of the gallery, and parameters out of files dropped onto the window.

A drag carries *exported copies*, never the originals: each is the stored PNG with the
provenance chunks of ``services.images.annotate`` inserted (pixels untouched), written under
``<data dir>/exports/drag/<run id>/``. The originals stay byte-identical, and what lands in
a file manager, mail or chat says where it came from. An original carrying Content
Credentials (a signed C2PA manifest) is the exception: its copy is the original bytes, since
anything inserted would break the signature, and its parameters travel in a JSON sidecar
beside it (``<name>.json``, dragged along with the image; dropping the image back reads it).
Only effectively approved images go by default; Alt held at drag start, or the
``gallery/drag_any`` setting, lets any go.

Writing the copies reads SQLite and disk, so ``DragPreparer`` does it on a worker as soon
as the selection changes; a drag started before that finished builds them on the spot
(a few milliseconds per image), because Qt wants the MIME data synchronously.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QGuiApplication, QImage

from imgloop_desktop import paths
from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.pngs import PNG_SIGNATURE
from imgloop_desktop.core.records import ImageRecord, SessionTree
from imgloop_desktop.gui.settings_store import SettingsStore
from imgloop_desktop.gui.workers import Workers
from imgloop_desktop.services import images
from imgloop_desktop.services.history import HistoryService

log = logging.getLogger(__name__)

PREPARE = "prepare"
"""The workers' key for copies of the current selection: a new selection drops the old."""
DRAG_ANY_KEY = "gallery/drag_any"
"""QSettings key: when true, a drag carries any selected image, not only approved ones."""
MAX_DROP_BYTES = 256 * 1024 * 1024


def drag_export_dir() -> Path:
    return paths.data_dir() / "exports" / "drag"


# Long enough for a mail or chat app that attached a dropped file by reference to send it.
DRAG_COPY_MAX_AGE = timedelta(days=7)


def prune_drag_copies(max_age: timedelta = DRAG_COPY_MAX_AGE) -> int:
    """Remove drag copies older than ``max_age`` (they are only ever copies: each original
    stays in the image store); the number removed. Run off the GUI thread."""
    root = drag_export_dir()
    if not root.is_dir():
        return 0
    cutoff = time.time() - max_age.total_seconds()
    removed = 0
    for path in [*root.glob("*/*.png"), *root.glob("*/*.json")]:
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            continue
    for folder in root.iterdir():
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return removed


def copy_name(image: ImageRecord) -> str:
    """Says where the picture came from even after it is renamed nowhere else."""
    return f"imgloop-{image.run_id}-{image.revision:03d}-{image.attempt:03d}-{image.index}.png"


@dataclass(frozen=True)
class ExportedCopy:
    image_id: int
    path: Path
    approved: bool
    sidecar: Path | None = None
    """The parameters of a signed copy, whose own bytes could not carry them."""


@dataclass(frozen=True)
class DragFiles:
    """Copies in selection order, and the images that could not be copied, with why."""

    copies: list[ExportedCopy] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def chosen(self, *, any_image: bool) -> list[ExportedCopy]:
        return [c for c in self.copies if any_image or c.approved]


def _write_if_changed(target: Path, data: bytes) -> None:
    """Temp file and rename: a drop target reading the previous copy sees whole bytes."""
    try:
        if target.stat().st_size == len(data) and target.read_bytes() == data:
            return
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_copies(
    history: HistoryService, image_ids: Sequence[int], *, approved_only: bool = False
) -> DragFiles:
    """Blocking (worker side): annotated copies of ``image_ids``, skipping any whose file is
    gone or no longer matches its recorded SHA-256 (a copy must not vouch for other bytes)."""
    trees: dict[str, SessionTree] = {}
    copies: list[ExportedCopy] = []
    skipped: list[str] = []
    seen: set[int] = set()
    for image_id in image_ids:
        if image_id in seen or image_id < 0:
            continue
        seen.add(image_id)
        found = history.image(image_id)
        tree = trees.get(found.run_id)
        if tree is None:
            tree = trees[found.run_id] = history.session(found.run_id)
        image = next((i for i in tree.images() if i.image_id == image_id), found)
        if approved_only and not image.effective_approved:
            continue
        try:
            original = images.verified_original(image)
        except images.ExportError as exc:
            skipped.append(f"{image.label}: {exc}")
            continue
        annotated = images.annotate(original, tree, image)
        target = drag_export_dir() / image.run_id / copy_name(image)
        sidecar: Path | None = None
        if annotated.sidecar is not None:
            sidecar = target.with_suffix(".json")
            _write_if_changed(sidecar, annotated.sidecar)
        _write_if_changed(target, annotated.data)
        copies.append(ExportedCopy(image_id, target, image.effective_approved, sidecar))
    return DragFiles(copies, skipped)


def mime_from_files(
    files: DragFiles, *, any_image: bool, first_image: QImage | None = None
) -> QMimeData | None:
    """File URLs of the chosen copies (each signed one followed by its sidecar) plus the
    first one's pixels (for targets that take image data, not files: chats, image
    editors). None when nothing may be dragged."""
    chosen = files.chosen(any_image=any_image)
    if not chosen:
        return None
    mime = QMimeData()
    paths_out = [p for c in chosen for p in (c.path, c.sidecar) if p is not None]
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths_out])
    image = first_image if first_image is not None else QImage(str(chosen[0].path))
    if not image.isNull():
        mime.setImageData(image)
    return mime


def build_drag_mime(
    history: HistoryService, image_ids: Sequence[int], *, any_image: bool
) -> QMimeData | None:
    """The drag's MIME data for ``image_ids`` (blocking; see the module docstring)."""
    files = export_copies(history, image_ids, approved_only=not any_image)
    return mime_from_files(files, any_image=any_image)


def drag_any_setting() -> bool:
    """Read from the app's own settings file (the one SettingsStore writes)."""
    return bool(SettingsStore().qsettings.value(DRAG_ANY_KEY, False, type=bool))


def any_image_requested(modifiers: Qt.KeyboardModifier | None = None) -> bool:
    """Alt held (now, unless ``modifiers`` is given) or the setting on."""
    held = QGuiApplication.keyboardModifiers() if modifiers is None else modifiers
    return bool(held & Qt.KeyboardModifier.AltModifier) or drag_any_setting()


@dataclass(frozen=True)
class PreparedDrag:
    image_ids: tuple[int, ...]
    files: DragFiles
    first_approved: QImage | None
    first_any: QImage | None


def _prepare(history: HistoryService, image_ids: tuple[int, ...]) -> PreparedDrag:
    files = export_copies(history, image_ids)

    def first(any_image: bool) -> QImage | None:
        chosen = files.chosen(any_image=any_image)
        return QImage(str(chosen[0].path)) if chosen else None

    return PreparedDrag(image_ids, files, first(False), first(True))


class DragPreparer(QObject):
    """Keeps the copies for the current selection ready before a drag asks for them."""

    prepared = Signal()

    def __init__(self, history: HistoryService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self._jobs = Workers("drag-copies", max_threads=1, parent=self)
        self._ready: PreparedDrag | None = None
        self._wanted: tuple[int, ...] = ()
        self.sync_builds = 0
        """Drags that had to build their copies on the GUI thread (tests watch this)."""
        self.last_skipped: list[str] = []
        """Why images of the last drag were left out (a missing or changed file)."""
        self._jobs.start(prune_drag_copies)

    @property
    def ready(self) -> PreparedDrag | None:
        return self._ready

    def prepare(self, image_ids: Sequence[int]) -> None:
        wanted = tuple(i for i in image_ids if i >= 0)
        if wanted == self._wanted and self._ready is not None:
            return
        self._wanted = wanted
        self._jobs.supersede(PREPARE)  # copies for the previous selection are not wanted
        self._ready = None
        if not wanted:
            return
        history = self.history

        def done(ready: PreparedDrag) -> None:
            self._ready = ready
            self.prepared.emit()

        def failed(error: BaseException) -> None:
            # The drag itself then builds its copies and says what went wrong.
            log.info("preparing drag copies of %s: %s", wanted, error)

        self._jobs.start(
            lambda: _prepare(history, wanted), returned=done, errored=failed, supersede=PREPARE
        )

    def invalidate(self) -> None:
        """A decision or verdict changed: the copies' metadata must be written again."""
        wanted, self._wanted = self._wanted, ()
        self.prepare(wanted)

    def mime(self, image_ids: Sequence[int], *, any_image: bool) -> QMimeData | None:
        ids = tuple(i for i in image_ids if i >= 0)
        ready = self._ready
        if ready is not None and ready.image_ids == ids:
            first = ready.first_any if any_image else ready.first_approved
            self.last_skipped = list(ready.files.skipped)
            return mime_from_files(ready.files, any_image=any_image, first_image=first)
        self.sync_builds += 1
        files = export_copies(self.history, ids, approved_only=not any_image)
        self.last_skipped = list(files.skipped)
        return mime_from_files(files, any_image=any_image)

    def wait(self, msecs: int = -1) -> bool:
        return self._jobs.wait(msecs / 1000 if msecs >= 0 else 3600.0)

    def close(self) -> None:
        self._jobs.close()
        self._jobs.wait()


# -- dropping onto the window -------------------------------------------------------------------


def params_from_drop(mime: QMimeData) -> RunParams | None:
    """Parameters from a dropped exported PNG or event JSON (the first local file), or
    from dropped JSON text; None when the drop holds nothing of the kind.

    Raises ValidationError with a readable message when the content is not usable.
    """
    for url in mime.urls():
        if url.isLocalFile():
            return params_from_file(Path(url.toLocalFile()))
    if mime.hasText():
        text = mime.text().strip()
        if text.startswith("{"):
            return _params_from_json(text, "dropped text")
    return None


def params_from_file(path: Path) -> RunParams:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_DROP_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ValidationError(
            [Problem("dropped file", str(path), f"a readable file ({reason})")]
        ) from None
    if len(data) > MAX_DROP_BYTES:
        raise ValidationError(
            [Problem("dropped file", str(path), f"at most {MAX_DROP_BYTES} bytes")]
        )
    if data.startswith(PNG_SIGNATURE):
        sidecar = _sidecar_params(path)
        if sidecar is not None and "imgloop" not in _chunks_or_empty(data):
            return sidecar
        return params_from_png(data, str(path))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = ""
    if not text.lstrip().startswith("{"):
        raise ValidationError(
            [
                Problem(
                    "dropped file",
                    path.name,
                    "a PNG exported by imgloop or an event JSON file",
                )
            ]
        )
    return _params_from_json(text, path.name)


def _chunks_or_empty(data: bytes) -> dict[str, str]:
    try:
        return images.read_text_chunks(data)
    except (ValueError, UnicodeDecodeError):
        return {}


def _sidecar_params(path: Path) -> RunParams | None:
    """The parameters in the sidecar beside a signed copy (``<name>.json`` holding our
    ``imgloop`` provenance), or None when there is no such sidecar: the image itself then
    says what it holds, or why it holds nothing."""
    sidecar = path.with_suffix(".json")
    try:
        if sidecar.stat().st_size > MAX_DROP_BYTES:
            return None
        doc: Any = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("imgloop"), dict):
        return None
    text = json.dumps(doc["imgloop"])
    return _params_from_provenance(text, sidecar.name)


def _params_from_json(text: str, where: str) -> RunParams:
    try:
        event = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            [Problem(where, text[:40], f"valid JSON (line {exc.lineno}: {exc.msg})")]
        ) from None
    return RunParams.from_event(event)


_PROVENANCE_FIELDS = {
    "original_prompt": "prompt",
    "image_model": "image_model_id",
    "judge_model": "judge_model_id",
    "seed": "titan_img_seed",
    "width": "titan_img_width",
    "height": "titan_img_height",
    "cfgScale": "titan_img_cfg_scale",
}


def params_from_png(data: bytes, where: str = "dropped image") -> RunParams:
    """The parameters that made an exported image: the person's original prompt (the one
    the judge measured against), the models, its size, cfg scale and its own seed, so
    running again starts from exactly that picture's settings."""
    try:
        chunks = images.read_text_chunks(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError([Problem(where, "<PNG>", f"a readable PNG file ({exc})")]) from None
    text = chunks.get("imgloop")
    if text is None:
        raise ValidationError(
            [Problem(where, "<PNG without imgloop metadata>", "an image exported by imgloop")]
        )
    return _params_from_provenance(text, where)


def _params_from_provenance(text: str, where: str) -> RunParams:
    """RunParams from our ``imgloop`` JSON, wherever it was carried (chunk or sidecar)."""
    try:
        info: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            [Problem(f"{where} imgloop metadata", text[:40], f"valid JSON ({exc.msg})")]
        ) from None
    if not isinstance(info, dict):
        raise ValidationError([Problem(f"{where} imgloop metadata", "<JSON>", "a JSON object")])
    if isinstance(info.get("params"), dict):
        return RunParams.from_event(info["params"])
    event = {
        name: info[key] for key, name in _PROVENANCE_FIELDS.items() if info.get(key) is not None
    }
    if not isinstance(event.get("prompt"), str) or not event["prompt"]:
        raise ValidationError(
            [Problem(f"{where} imgloop metadata", "<no original_prompt>", "a prompt")]
        )
    return RunParams.from_event(event)

"""Dragging images out of the gallery, and parameters out of files dropped onto the window.

A drag carries *exported copies*, never the originals: each is the stored PNG with the
provenance chunks of ``services.images.annotate`` inserted (pixels untouched), written under
``<data dir>/exports/drag/<run id>/``. The originals stay byte-identical, and what lands in
a file manager, mail or chat says where it came from. An original carrying Content
Credentials (a signed C2PA manifest) is the exception: its copy is the original bytes, since
anything inserted would break the signature, and its parameters travel in a JSON sidecar
beside it (``<name>.json``, dragged along with the image; dropping the image back reads it),
unless the person turned on "Embed parameters in signed images too" (``EMBED_IN_SIGNED_KEY``,
off by default): then its copy gets the chunks like any other and says in them that it was
modified after signing, so its signature no longer validates and it carries no sidecar.
Any image goes with a plain drag: its embedded provenance says its verdict, so a rejected
picture cannot pass for an approved one. (Alt+drag used to be needed for those, but GNOME,
KDE, Xfce and Openbox take Alt+drag to move the window, so on Linux it never reached us.)
The ``gallery/drag_approved_only`` setting restricts drags to approved images for people who
want nothing else to leave by accident; the refusal then names the images, why, and where
to change it.

Writing the copies reads SQLite and disk, so ``DragPreparer`` does it on a worker as soon
as the selection changes; a drag started before that finished builds them on the spot
(a few milliseconds per image), because Qt wants the MIME data synchronously.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QObject, QUrl, Signal
from PySide6.QtGui import QImage

from imgloop_desktop import paths
from imgloop_desktop.core import jsonsafe
from imgloop_desktop.core.errors import ImgloopError, Problem, ValidationError
from imgloop_desktop.core.jsonsafe import JsonLimitError
from imgloop_desktop.core.params import (
    MAX_EVENT_BYTES,
    MAX_EVENT_DEPTH,
    PARAMS_BY_NAME,
    RunParams,
)
from imgloop_desktop.core.pngs import PNG_SIGNATURE
from imgloop_desktop.core.records import ImageRecord, SessionTree
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, in_context
from imgloop_desktop.gui.settings_store import SettingsStore
from imgloop_desktop.gui.workers import Workers
from imgloop_desktop.services import images
from imgloop_desktop.services.history import HistoryService

log = logging.getLogger(__name__)

PREPARE = "prepare"
"""The workers' key for copies of the current selection: a new selection drops the old."""
DRAG_APPROVED_ONLY_KEY = "gallery/drag_approved_only"
"""QSettings key: when true, drags carry approved images only (off by default)."""
EMBED_IN_SIGNED_KEY = "export/embed_parameters_in_signed_images"
"""QSettings key: when true, the copies of signed originals (C2PA) that drags and exports
make get their parameters embedded, and say they were modified after signing; off by
default, because that breaks the original's signature (they then stay byte for byte, with
a sidecar). The File menu's checkable "Embed parameters in signed images too" writes it."""
APPROVED_ONLY = QT_TRANSLATE_NOOP(
    "DragExport",
    "{images} not approved, and this app is set to drag approved images only (so nothing "
    "unapproved leaves by accident). To drag any image, set drag_approved_only=false under "
    "[gallery] in {file}.",
)
"""Why a drag left images out while the setting restricts it, and how to change that."""
ONE_IMAGE = QT_TRANSLATE_NOOP("DragExport", "{image} is")
TWO_IMAGES = QT_TRANSLATE_NOOP("DragExport", "{first} and {second} are")
MANY_IMAGES = QT_TRANSLATE_NOOP("DragExport", "{n} of the selected images are")


tr = in_context("DragExport")


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
    label: str = ""
    """The image as a refusal names it ("prompt 0 attempt 2 image 0")."""


@dataclass(frozen=True)
class DragFiles:
    """Copies in selection order, and the images that could not be copied, with why;
    ``withheld`` names unapproved images not even copied (an approved-only build)."""

    copies: list[ExportedCopy] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)

    def chosen(self, *, any_image: bool) -> list[ExportedCopy]:
        return [c for c in self.copies if any_image or c.approved]

    def refusals(self, *, any_image: bool) -> list[str]:
        """Why selected images stay behind: a missing or changed file, and (approved-only)
        the unapproved ones with the setting that holds them back."""
        held = (
            [] if any_image else [*self.withheld, *(c.label for c in self.copies if not c.approved)]
        )
        return [*self.skipped, *([approved_only_text(held)] if held else [])]


def approved_only_text(labels: Sequence[str]) -> str:
    """``APPROVED_ONLY`` for these images, naming at most two of them."""
    if len(labels) == 1:
        images = tr(ONE_IMAGE).format(image=labels[0]).capitalize()
    elif len(labels) == 2:
        images = tr(TWO_IMAGES).format(first=labels[0], second=labels[1]).capitalize()
    else:
        images = tr(MANY_IMAGES).format(n=len(labels))
    return tr(APPROVED_ONLY).format(images=images, file=SettingsStore().qsettings.fileName())


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
    history: HistoryService,
    image_ids: Sequence[int],
    *,
    approved_only: bool = False,
    embed_in_signed: bool = False,
) -> DragFiles:
    """Blocking (worker side): annotated copies of ``image_ids``, skipping any whose file is
    gone or no longer matches its recorded SHA-256 (a copy must not vouch for other bytes).
    ``embed_in_signed``: the person's setting (``embed_parameters_in_signed``, read on the
    GUI thread by the caller), passed to ``images.annotate``."""
    trees: dict[str, SessionTree] = {}
    copies: list[ExportedCopy] = []
    skipped: list[str] = []
    withheld: list[str] = []
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
            withheld.append(image.label)
            continue
        try:
            original = images.verified_original(image)
        except images.ExportError as exc:
            skipped.append(f"{image.label}: {exc}")
            continue
        annotated = images.annotate(original, tree, image, embed_in_signed=embed_in_signed)
        target = drag_export_dir() / image.run_id / copy_name(image)
        sidecar: Path | None = None
        if annotated.sidecar is not None:
            sidecar = target.with_suffix(".json")
            _write_if_changed(sidecar, annotated.sidecar)
        else:  # a sidecar left by a drag made before the setting changed: it is stale
            target.with_suffix(".json").unlink(missing_ok=True)
        _write_if_changed(target, annotated.data)
        copies.append(
            ExportedCopy(image_id, target, image.effective_approved, sidecar, image.label)
        )
    return DragFiles(copies, skipped, withheld)


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
    history: HistoryService,
    image_ids: Sequence[int],
    *,
    any_image: bool,
    embed_in_signed: bool | None = None,
) -> QMimeData | None:
    """The drag's MIME data for ``image_ids`` (blocking; see the module docstring);
    ``embed_in_signed`` None reads the person's setting."""
    if embed_in_signed is None:
        embed_in_signed = embed_parameters_in_signed()
    files = export_copies(
        history, image_ids, approved_only=not any_image, embed_in_signed=embed_in_signed
    )
    return mime_from_files(files, any_image=any_image)


def drag_approved_only() -> bool:
    """Read from the app's own settings file (the one SettingsStore writes) at every drag,
    so a change there applies without a restart."""
    return bool(SettingsStore().qsettings.value(DRAG_APPROVED_ONLY_KEY, False, type=bool))


def set_drag_approved_only(restrict: bool) -> None:
    """For a settings page or menu toggle: restrict drags to approved images, or not."""
    SettingsStore().qsettings.setValue(DRAG_APPROVED_ONLY_KEY, restrict)


def embed_parameters_in_signed() -> bool:
    """The person's "Embed parameters in signed images too" (off unless set), read from the
    app's settings file at every drag and export, so the menu's toggle applies at once.
    GUI thread: workers are handed the value."""
    return bool(SettingsStore().qsettings.value(EMBED_IN_SIGNED_KEY, False, type=bool))


def set_embed_parameters_in_signed(embed: bool) -> None:
    """For the menu toggle (or a settings page): embed parameters in signed copies, or not."""
    SettingsStore().qsettings.setValue(EMBED_IN_SIGNED_KEY, embed)


def any_image_requested() -> bool:
    """Whether a plain drag carries every selected image: yes unless the setting restricts
    it. No modifier key: window managers take Alt+drag (and Super+drag) for themselves."""
    return not drag_approved_only()


@dataclass(frozen=True)
class PreparedDrag:
    image_ids: tuple[int, ...]
    files: DragFiles
    first_approved: QImage | None
    first_any: QImage | None
    embed_in_signed: bool = False
    """The setting the copies were made under: a drag after it changed makes them again."""


def _prepare(
    history: HistoryService, image_ids: tuple[int, ...], embed_in_signed: bool = False
) -> PreparedDrag:
    files = export_copies(history, image_ids, embed_in_signed=embed_in_signed)

    def first(any_image: bool) -> QImage | None:
        chosen = files.chosen(any_image=any_image)
        return QImage(str(chosen[0].path)) if chosen else None

    return PreparedDrag(image_ids, files, first(False), first(True), embed_in_signed)


class DragPreparer(QObject):
    """Keeps the copies for the current selection ready before a drag asks for them."""

    prepared = Signal()

    def __init__(self, history: HistoryService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self._jobs = Workers("drag-copies", max_threads=1, parent=self)
        self._ready: PreparedDrag | None = None
        self._wanted: tuple[int, ...] = ()
        self._embed = False
        self.sync_builds = 0
        """Drags that had to build their copies on the GUI thread (tests watch this)."""
        self.last_skipped: list[str] = []
        """Why images of the last drag were left out: a missing or changed file, or (with
        ``gallery/drag_approved_only`` on) not approved, with where to change that. The
        gallery says these as "Not dragged: …"."""
        self._jobs.start(prune_drag_copies)

    @property
    def ready(self) -> PreparedDrag | None:
        return self._ready

    def prepare(self, image_ids: Sequence[int]) -> None:
        wanted = tuple(i for i in image_ids if i >= 0)
        embed = embed_parameters_in_signed()
        if wanted == self._wanted and embed == self._embed and self._ready is not None:
            return
        self._wanted, self._embed = wanted, embed
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
            lambda: _prepare(history, wanted, embed),
            returned=done,
            errored=failed,
            supersede=PREPARE,
        )

    def invalidate(self) -> None:
        """A decision or verdict changed: the copies' metadata must be written again."""
        wanted, self._wanted = self._wanted, ()
        self.prepare(wanted)

    def mime(self, image_ids: Sequence[int], *, any_image: bool) -> QMimeData | None:
        ids = tuple(i for i in image_ids if i >= 0)
        ready = self._ready
        embed = embed_parameters_in_signed()
        if ready is not None and ready.image_ids == ids and ready.embed_in_signed == embed:
            first = ready.first_any if any_image else ready.first_approved
            self.last_skipped = ready.files.refusals(any_image=any_image)
            return mime_from_files(ready.files, any_image=any_image, first_image=first)
        self.sync_builds += 1
        files = export_copies(self.history, ids, approved_only=not any_image, embed_in_signed=embed)
        self.last_skipped = files.refusals(any_image=any_image)
        return mime_from_files(files, any_image=any_image)

    def wait(self, msecs: int = -1) -> bool:
        return self._jobs.wait(msecs / 1000 if msecs >= 0 else 3600.0)

    def close(self) -> None:
        self._jobs.close()
        self._jobs.wait()


# -- dropping onto the window -------------------------------------------------------------------

PARAM_SUFFIXES = (".json", ".png")
"""Files whose drop loads the form: an event JSON (or a signed copy's sidecar), a PNG."""
QUEUE_SUFFIXES = (".jsonl", ".csv")
"""Files whose drop goes to the run queue, never into the form."""
IN_HISTORY = QT_TRANSLATE_NOOP("DragExport", "found in this computer's history by its SHA-256")
EMBEDDED = QT_TRANSLATE_NOOP("DragExport", "its embedded parameters")
FROM_RUN = QT_TRANSLATE_NOOP("DragExport", "{how}, with the rest of run {run_id} from the history")
NO_PARAMETERS = (
    "an image made by imgloop: parameters inside it, a sidecar <name>.json beside it, "
    "or its SHA-256 in this computer's history"
)


def dropped_paths(mime: QMimeData) -> list[Path]:
    """The local files of a drop, in its order (remote URLs are not ours to fetch)."""
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def queue_files(paths_in: Sequence[Path]) -> list[Path]:
    return [p for p in paths_in if p.suffix.lower() in QUEUE_SUFFIXES]


def params_file(paths_in: Sequence[Path]) -> Path | None:
    """The first dropped event JSON or PNG: a signed image dragged out of the gallery comes
    with its sidecar after it, and the image is what was meant."""
    return next((p for p in paths_in if p.suffix.lower() in PARAM_SUFFIXES), None)


@dataclass(frozen=True)
class LoadedParams:
    """What a file says about a run. ``params`` is whole (defaults where the file is
    silent); ``carried`` names the fields the file actually set, so loading can keep the
    form's current value for every other field and say which those were."""

    params: RunParams
    carried: frozenset[str]
    source: str
    how: str = ""

    def values(self) -> dict[str, Any]:
        return {name: getattr(self.params, name) for name in self.carried}


def loaded_from_drop(mime: QMimeData, history: HistoryService | None = None) -> LoadedParams | None:
    """Parameters from the first dropped event JSON or PNG, or from dropped JSON text; None
    when the drop holds nothing of the kind. ``history`` lets a PNG without parameters of
    its own be found by its SHA-256, and an exported one bring its whole run's settings.

    Blocking: reads the file (and, with ``history``, one indexed and one scanning query).
    Raises ValidationError with a readable message when the content is not usable.
    """
    found = dropped_paths(mime)
    # A file named otherwise (a PNG saved without its extension) is still read by content.
    path = params_file(found) or next((p for p in found if p not in queue_files(found)), None)
    if path is not None:
        return load_params_file(path, history)
    if mime.hasText() and not mime.hasUrls():
        text = mime.text().strip()
        if text.startswith("{"):
            return _loaded_event(_json_event(text, "dropped text"), "dropped text")
    return None


def params_from_drop(mime: QMimeData, history: HistoryService | None = None) -> RunParams | None:
    """``loaded_from_drop``'s whole parameters (defaults where the file is silent)."""
    loaded = loaded_from_drop(mime, history)
    return None if loaded is None else loaded.params


def params_from_file(path: Path, history: HistoryService | None = None) -> RunParams:
    return load_params_file(path, history).params


def load_params_file(path: Path, history: HistoryService | None = None) -> LoadedParams:
    """An event JSON, a signed copy's sidecar, or a PNG imgloop made (see ``_from_png``)."""
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
        return _from_png(path, data, history)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = ""
    if not text.lstrip().startswith("{"):
        raise ValidationError(
            [Problem("dropped file", path.name, "a PNG exported by imgloop or an event JSON file")]
        )
    event = _json_event(text, path.name)
    info = event.get("imgloop") if event.get("format") == SIDECAR_FORMAT else None
    if isinstance(info, dict):  # a signed copy's sidecar, dropped on its own
        return _from_provenance(info, path.name, f"the sidecar {path.name}", history)
    loaded = _loaded_event(event, path.name)
    # A seed event that names no judge mode is judged by verdict (the seed's own rule),
    # whatever the form showed: the file says so by saying nothing.
    return LoadedParams(loaded.params, loaded.carried | {"judge_mode"}, path.name)


SIDECAR_FORMAT = "imgloop-sidecar"
"""``storage.export.png_meta.SIDECAR_FORMAT`` (gui may not import storage)."""


def _from_png(path: Path, data: bytes, history: HistoryService | None) -> LoadedParams:
    """In order: our ``imgloop`` chunk; the sidecar beside a signed copy; the history,
    by the file's SHA-256 (an untouched original from the data folder carries nothing).
    Where the history knows the image, its run's settings fill what the chunk lacks
    (attempts, revisions, judge settings …)."""
    where = path.name
    try:
        chunks: dict[str, str] | None = images.read_text_chunks(data)
    except (ValueError, UnicodeDecodeError) as exc:
        chunks, unreadable = None, str(exc)
    text = chunks.get("imgloop") if chunks is not None else None
    if text is not None:
        return _from_provenance(_provenance_json(text, where), where, tr(EMBEDDED), history)
    sidecar = _sidecar_info(path)
    if sidecar is not None:
        return _from_provenance(sidecar, where, f"its sidecar {path.stem}.json", history)
    if chunks is None:
        raise ValidationError([Problem(where, "<PNG>", f"a readable PNG file ({unreadable})")])
    found = _history_image(history, hashlib.sha256(data).hexdigest())
    if found is not None and history is not None:
        return _from_history(history, found, where, tr(IN_HISTORY))
    raise ValidationError([Problem(where, "<PNG without imgloop parameters>", NO_PARAMETERS)])


def _history_image(history: HistoryService | None, sha256: object) -> ImageRecord | None:
    if history is None or not isinstance(sha256, str) or not sha256:
        return None
    try:
        return history.image_by_sha256(sha256)
    except ImgloopError as exc:  # a damaged history: the file's own parameters still count
        log.warning("looking up a dropped image by SHA-256: %s", exc)
        return None


def _from_history(
    history: HistoryService, image: ImageRecord, source: str, how: str
) -> LoadedParams:
    """The run's own parameters with this image's seed and size: running again starts from
    exactly that picture's settings, attempts and revisions included."""
    tree = history.session(image.run_id)
    # A field this version no longer knows (a newer or older run) is left out, not refused.
    event = {k: v for k, v in tree.params.items() if k in PARAMS_BY_NAME}
    event["prompt"] = tree.prompt
    if image.seed is not None:
        event["titan_img_seed"] = image.seed
    event["titan_img_width"], event["titan_img_height"] = image.width, image.height
    return _loaded_event(event, source, how)


def _loaded_event(event: dict[str, Any], source: str, how: str = "") -> LoadedParams:
    params = RunParams.from_event(event)
    carried = {k for k in event if k in PARAMS_BY_NAME}
    if "output_s3_bucket_name" in event and "s3_enabled" not in event:
        carried.add("s3_enabled")  # from_event turns S3 on for an event naming a bucket
    if event.get("checklist") is not None:
        carried.add("judge_mode")  # an event carrying a checklist is judged against it
    return LoadedParams(params, frozenset(carried), source, how)


def _json_event(text: str, where: str) -> dict[str, Any]:
    try:
        event = _safe_json(text, where)
    except JsonLimitError as exc:
        raise ValidationError([Problem(where, text[:40], f"valid JSON ({exc})")]) from None
    if not isinstance(event, dict):
        RunParams.from_event(event)  # raises, in the validator's words
        raise AssertionError("from_event accepted a non-object")  # pragma: no cover
    return event


def _safe_json(data: str | bytes, what: str) -> Any:
    """JSON from outside under the event limits: a deeply nested or huge file is refused
    in words instead of overflowing the parser's stack on the GUI thread."""
    return jsonsafe.loads(data, what=what, max_bytes=MAX_EVENT_BYTES, max_depth=MAX_EVENT_DEPTH)


def _sidecar_info(path: Path) -> dict[str, Any] | None:
    """Our provenance in the sidecar beside a signed copy (``<stem>.json``), or None: the
    image itself then says what it holds, or why it holds nothing."""
    sidecar = path.with_suffix(".json")
    try:
        if sidecar.stat().st_size > MAX_EVENT_BYTES:
            return None
        doc = _safe_json(sidecar.read_bytes().removeprefix(b"\xef\xbb\xbf"), sidecar.name)
    except (OSError, JsonLimitError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("imgloop"), dict):
        return None
    info: dict[str, Any] = doc["imgloop"]
    return info


def _provenance_json(text: str, where: str) -> dict[str, Any]:
    try:
        info = _safe_json(text, "its imgloop metadata")
    except JsonLimitError as exc:
        raise ValidationError(
            [Problem(f"{where} imgloop metadata", text[:40], f"valid JSON ({exc})")]
        ) from None
    if not isinstance(info, dict):
        raise ValidationError([Problem(f"{where} imgloop metadata", "<JSON>", "a JSON object")])
    return info


_PROVENANCE_FIELDS = {
    "original_prompt": "prompt",
    "image_model": "image_model_id",
    "judge_model": "judge_model_id",
    "seed": "titan_img_seed",
    "width": "titan_img_width",
    "height": "titan_img_height",
    "cfgScale": "titan_img_cfg_scale",
    "judge_mode": "judge_mode",
    "checklist": "checklist",
}


def _from_provenance(
    info: dict[str, Any], source: str, how: str, history: HistoryService | None
) -> LoadedParams:
    """From our ``imgloop`` JSON (chunk or sidecar): the whole run when the history still
    has the image (by ``sha256_original``), else what the JSON itself says: the person's
    original prompt (the one the judge measured against), the models, size, CFG scale,
    the image's own seed and how it was judged."""
    found = _history_image(history, info.get("sha256_original"))
    if found is not None and history is not None:
        return _from_history(
            history, found, source, tr(FROM_RUN).format(how=how, run_id=found.run_id)
        )
    if isinstance(info.get("params"), dict):
        return _loaded_event(info["params"], source, how)
    event = {
        name: info[key] for key, name in _PROVENANCE_FIELDS.items() if info.get(key) is not None
    }
    if not isinstance(event.get("prompt"), str) or not event["prompt"]:
        raise ValidationError(
            [Problem(f"{source} imgloop metadata", "<no original_prompt>", "a prompt")]
        )
    return _loaded_event(event, source, how)


def params_from_png(data: bytes, where: str = "dropped image") -> RunParams:
    """The parameters an exported image carries in its own ``imgloop`` chunk (no history,
    no sidecar: for callers that have only the bytes)."""
    try:
        chunks = images.read_text_chunks(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError([Problem(where, "<PNG>", f"a readable PNG file ({exc})")]) from None
    text = chunks.get("imgloop")
    if text is None:
        raise ValidationError([Problem(where, "<PNG without imgloop parameters>", NO_PARAMETERS)])
    return _from_provenance(_provenance_json(text, where), where, tr(EMBEDDED), None).params

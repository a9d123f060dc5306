"""The gallery's item model: one flat list of plain records, grouped by prompt version.

Grouping in icon mode: each prompt version starts with a *header tile*, a non-selectable
cell of the same size as a thumbnail that names the version ("Prompt v2") and shows the
start of its prompt. With ``uniformItemSizes`` and a batched layout every cell must be the
same size, so a header cannot span the row; a tile in the flow keeps the list flat (one
row per cell, cheap to insert into while a run is live), keeps keyboard navigation and
selection plain, and still reads as a section start because it looks nothing like a
thumbnail. Attempts that produced no image (refused, failed) get a tile of their own, so a
session looks the same reopened from history as it did live.

Items are keyed by (revision, attempt, index) because live events name images that way;
the history id is filled in once a worker has looked it up (``set_image_ids``).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.records import (
    Decision,
    HistoryOutcome,
    ImageRecord,
    SessionTree,
    UploadState,
)
from imgloop_desktop.gui.badges import Badge, badge_for, badge_text, best_label
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, in_context, shown
from imgloop_desktop.gui.record_notes import judge_reason

ItemRole = Qt.ItemDataRole.UserRole + 1
"""``data(index, ItemRole)`` is the row's ``GalleryItem``."""
ImageIdRole = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex
Key = tuple[int, int, int, int]
Ref = tuple[int, int, int]

VERSION_LABEL = QT_TRANSLATE_NOOP("Gallery", "Prompt v{n}")
VERSION_ORIGINAL = QT_TRANSLATE_NOOP("Gallery", "the original prompt")
VERSION_REVISED = QT_TRANSLATE_NOOP("Gallery", "revised from the judge's reasons")
ATTEMPT_FAILED = QT_TRANSLATE_NOOP("Gallery", "attempt {n} failed")
IMAGE_TITLE = QT_TRANSLATE_NOOP("Gallery", "attempt {attempt} · image {index}")
BEST_TIP = QT_TRANSLATE_NOOP("Gallery", "{label}: {misses}")
FAVOURITE_WORD = QT_TRANSLATE_NOOP("Gallery", "★ favourite")
RATED = QT_TRANSLATE_NOOP("Gallery", "rated {rating}/5")
HEADER_TIP = QT_TRANSLATE_NOOP("Gallery", "{title}: {kind}")
PLACE = QT_TRANSLATE_NOOP("Gallery", "{version}, {title}")
JUDGE_TIP = QT_TRANSLATE_NOOP("Gallery", "Judge: {reason}")
ATTEMPT_TIP = QT_TRANSLATE_NOOP("Gallery", "Attempt: {error}")
UPLOAD_TIP = QT_TRANSLATE_NOOP("Gallery", "S3 upload failed: {error}")
MARKS_SEPARATOR = QT_TRANSLATE_NOOP("Gallery", " · ")
BEING_REVISED = QT_TRANSLATE_NOOP("Gallery", "the prompt is being revised…")
WAS_BEING_REVISED = QT_TRANSLATE_NOOP("Gallery", "the prompt was being revised")


tr = in_context("Gallery")


class ItemKind(IntEnum):
    HEADER = 0
    IMAGE = 1
    FAILED = 2


@dataclass(frozen=True)
class GalleryItem:
    """One cell. Plain data: the model never asks the history anything itself."""

    kind: ItemKind
    revision: int
    attempt: int = -1
    index: int = -1
    image_id: int = -1
    path: Path | None = None
    sha256: str = ""
    prompt: str = ""
    note: str = ""
    """Header: why the prompt is what it is (reviser failed, being revised). Failed tile:
    the model's message."""
    seed: int | None = None
    verdict: str | None = None
    reason: str = ""
    human: Decision | None = None
    judging: bool = False
    attempt_error: str = ""
    upload_failed: bool = False
    upload_error: str = ""
    score: str = ""
    """A checklist verdict's score ("5/6 ✓", ``Verdict.badge``); "" for a whole-prompt one."""
    best: bool = False
    """The run's best image when none was approved (``BestChosen``, ``ImageRecord.is_best``)."""
    misses: str = ""
    """What keeps the best image from approval, in words."""
    favourite: bool = False
    rating: int | None = None
    """A person's star and 1-5 rating (schema v10); drawn on the thumbnail."""

    @property
    def key(self) -> Key:
        """Sort order: by prompt version, its header first, then attempt and index."""
        if self.kind is ItemKind.HEADER:
            return (self.revision, 0, -1, -1)
        return (self.revision, 1, self.attempt, self.index)

    @property
    def ref(self) -> Ref:
        return (self.revision, self.attempt, self.index)

    @property
    def badge(self) -> Badge:
        return badge_for(
            verdict=self.verdict,
            human=self.human,
            attempt_failed=bool(self.attempt_error),
            judging=self.judging,
        )

    @property
    def badge_text(self) -> str:
        return badge_text(self.badge, self.score)

    @property
    def effective_approved(self) -> bool:
        return self.badge in (Badge.APPROVED, Badge.HUMAN_APPROVED)

    @property
    def title(self) -> str:
        if self.kind is ItemKind.HEADER:
            return version_label(self.revision)
        if self.kind is ItemKind.FAILED:
            return tr(ATTEMPT_FAILED).format(n=self.attempt + 1)
        return tr(IMAGE_TITLE).format(attempt=self.attempt + 1, index=self.index + 1)

    def tooltip(self) -> str:
        if self.kind is ItemKind.HEADER:
            title = tr(HEADER_TIP).format(title=self.title, kind=version_kind(self.revision))
            return "\n".join(t for t in (title, self.prompt, self.note) if t)
        if self.kind is ItemKind.FAILED:
            place = tr(PLACE).format(version=version_label(self.revision), title=self.title)
            return f"{place}\n{self.note}"
        place = tr(PLACE).format(version=version_label(self.revision), title=self.title)
        lines = [place, self.badge_text]
        if self.best:
            lines.append(tr(BEST_TIP).format(label=best_label(), misses=self.misses or "—"))
        if self.reason:
            lines.append(tr(JUDGE_TIP).format(reason=self.reason))
        if self.attempt_error:
            lines.append(tr(ATTEMPT_TIP).format(error=self.attempt_error))
        if self.upload_failed:
            lines.append(tr(UPLOAD_TIP).format(error=self.upload_error))
        if self.favourite or self.rating:
            lines.append(marks_text(self.favourite, self.rating))
        return "\n".join(lines)


def marks_text(favourite: bool, rating: int | None) -> str:
    """ "★ favourite · rated 4/5", for tooltips and the viewer."""
    parts = [tr(FAVOURITE_WORD)] if favourite else []
    if rating:
        parts.append(tr(RATED).format(rating=rating))
    return tr(MARKS_SEPARATOR).join(parts)


def version_label(revision: int) -> str:
    return tr(VERSION_LABEL).format(n=revision + 1)


def version_kind(revision: int) -> str:
    return tr(VERSION_ORIGINAL if revision == 0 else VERSION_REVISED)


def header(revision: int, prompt: str, note: str = "") -> GalleryItem:
    return GalleryItem(ItemKind.HEADER, revision, prompt=prompt, note=note)


def image_item(
    image: ImageRecord, *, attempt_error: str = "", live: bool = False, best_misses: str = ""
) -> GalleryItem:
    verdict = image.verdict
    return GalleryItem(
        ItemKind.IMAGE,
        image.revision,
        image.attempt,
        image.index,
        image_id=image.image_id,
        path=image.path,
        sha256=image.sha256,
        prompt=image.prompt,
        seed=image.seed,
        verdict=verdict.result if verdict else None,
        reason=judge_reason(verdict) if verdict else "",
        human=image.human_decision,
        judging=live and verdict is None and not attempt_error,
        attempt_error=attempt_error,
        upload_failed=image.upload_state is UploadState.FAILED,
        upload_error=image.upload_error,
        score=verdict.badge if verdict else "",
        best=image.is_best,
        misses=best_misses if image.is_best else "",
        favourite=image.favourite,
        rating=image.rating,
    )


def with_record(item: GalleryItem, image: ImageRecord) -> GalleryItem:
    """``item`` brought up to date with the stored row (a decision, a late verdict)."""
    fresh = image_item(image, attempt_error=item.attempt_error, live=item.judging)
    # A live BestChosen may be ahead of the row (or the row of an older store says nothing).
    best = fresh.best or item.best
    return replace(
        fresh,
        judging=item.judging and fresh.verdict is None,
        best=best,
        misses=fresh.misses or item.misses if best else "",
    )


def items_from_session(tree: SessionTree) -> list[GalleryItem]:
    """The cells of a recorded session, in the order a live run would have added them."""
    live = tree.outcome is HistoryOutcome.RUNNING
    items: list[GalleryItem] = []
    for version in tree.prompt_versions:
        if version.prompt is None:
            items.append(header(version.revision, "", tr(WAS_BEING_REVISED)))
        else:
            note = version.error if version.ok is False else ""
            items.append(header(version.revision, version.prompt, note))
        for attempt in version.attempts:
            for image in attempt.images:
                best = image.is_best or image.image_id == tree.best_image_id
                if best and not image.is_best:
                    image = replace(image, is_best=True)
                items.append(
                    image_item(
                        image, attempt_error=attempt.error, live=live, best_misses=tree.best_misses
                    )
                )
            if not attempt.images and attempt.error:
                items.append(
                    GalleryItem(
                        ItemKind.FAILED,
                        attempt.revision,
                        attempt.attempt,
                        prompt=attempt.prompt,
                        note=attempt.error,
                        attempt_error=attempt.error,
                    )
                )
    return items


class GalleryModel(QAbstractListModel):
    """A thin list over ``GalleryItem``s; ``apply_event`` turns a live event into item
    changes. Drag data comes from ``mime_provider`` (set by the panel), so the model stays
    free of history calls."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[GalleryItem] = []
        self._keys: list[Key] = []
        self._attempt_prompts: dict[tuple[int, int], str] = {}
        self.mime_provider: Any = None
        """``callable(image_ids) -> QMimeData | None``; None disables dragging out."""

    # -- Qt model ---------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default)
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role == ItemRole:
            return item
        if role == ImageIdRole:
            return item.image_id
        if role == Qt.ItemDataRole.DisplayRole:
            return item.title
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return item.tooltip()
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        item = self._items[index.row()]
        if item.kind is not ItemKind.IMAGE:
            return Qt.ItemFlag.ItemIsEnabled
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list", "application/x-qt-image"]

    def mimeData(self, indexes: Any) -> QMimeData | None:  # type: ignore[override]
        """File URLs of exported copies (Picard's way: the model answers the drag)."""
        if self.mime_provider is None:
            return None
        ids = [self._items[i.row()].image_id for i in sorted(indexes, key=lambda i: i.row())]
        result: QMimeData | None = self.mime_provider([i for i in ids if i >= 0])
        return result

    # -- reading ----------------------------------------------------------------------------

    def items(self) -> list[GalleryItem]:
        return list(self._items)

    def item(self, row: int) -> GalleryItem:
        return self._items[row]

    def row_of_ref(self, ref: Ref) -> int:
        return self._row_of((ref[0], 1, ref[1], ref[2]))

    def row_of_id(self, image_id: int) -> int:
        if image_id < 0:
            return -1
        for row, item in enumerate(self._items):
            if item.image_id == image_id:
                return row
        return -1

    def unresolved_refs(self) -> list[Ref]:
        return [i.ref for i in self._items if i.kind is ItemKind.IMAGE and i.image_id < 0]

    def image_ids(self) -> list[int]:
        return [i.image_id for i in self._items if i.kind is ItemKind.IMAGE and i.image_id >= 0]

    def _row_of(self, key: Key) -> int:
        row = bisect.bisect_left(self._keys, key)
        return row if row < len(self._keys) and self._keys[row] == key else -1

    # -- writing ----------------------------------------------------------------------------

    def set_items(self, items: list[GalleryItem]) -> None:
        self.beginResetModel()
        self._items = sorted(items, key=lambda i: i.key)
        self._keys = [i.key for i in self._items]
        self.endResetModel()

    def clear(self) -> None:
        self.set_items([])

    def upsert(self, item: GalleryItem) -> int:
        """Insert ``item`` in its group, or replace the cell with the same key; its row."""
        row = bisect.bisect_left(self._keys, item.key)
        if row < len(self._keys) and self._keys[row] == item.key:
            self._set(row, item)
            return row
        self.beginInsertRows(QModelIndex(), row, row)
        self._items.insert(row, item)
        self._keys.insert(row, item.key)
        self.endInsertRows()
        return row

    def remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._items[row]
        del self._keys[row]
        self.endRemoveRows()

    def _set(self, row: int, item: GalleryItem) -> None:
        if self._items[row] == item:
            return
        self._items[row] = item
        index = self.index(row)
        self.dataChanged.emit(index, index, [])

    def update_row(self, row: int, **changes: Any) -> GalleryItem:
        item = replace(self._items[row], **changes)
        self._set(row, item)
        return item

    def update_ref(self, ref: Ref, **changes: Any) -> GalleryItem | None:
        row = self.row_of_ref(ref)
        return self.update_row(row, **changes) if row >= 0 else None

    def set_image_ids(self, ids: dict[Ref, int]) -> list[int]:
        """Fill in history ids found by a worker; the rows whose id changed."""
        changed = []
        for row, item in enumerate(self._items):
            found = ids.get(item.ref) if item.kind is ItemKind.IMAGE else None
            if found is not None and found != item.image_id:
                self._set(row, replace(item, image_id=found))
                changed.append(row)
        return changed

    def ensure_header(self, revision: int, prompt: str = "", note: str = "") -> None:
        row = self._row_of((revision, 0, -1, -1))
        if row < 0:
            self.upsert(header(revision, prompt, note))
        elif prompt and not self._items[row].prompt:
            self.update_row(row, prompt=prompt, note=note)

    def apply_event(self, event: object) -> bool:
        """One live event; True when a new image needs its history id looked up.

        Anything the gallery does not show is ignored.
        """
        if isinstance(event, ev.RunStarted):
            self._attempt_prompts.clear()
            self.set_items([header(0, event.prompt)])
        elif isinstance(event, ev.AttemptStarted):
            self._attempt_prompts[(event.revision, event.attempt)] = event.prompt
            self.ensure_header(event.revision, event.prompt)
        elif isinstance(event, ev.AttemptFailed):
            self._attempt_failed(event)
        elif isinstance(event, ev.ImageStored):
            self._stored(event.candidate)
            return True
        elif isinstance(event, ev.JudgingStarted):
            self.update_ref(_ref(event.ref), judging=True)
        elif isinstance(event, ev.VerdictReceived):
            self.update_ref(
                _ref(event.ref),
                verdict=event.verdict.result.value,
                reason=judge_reason(event.verdict),
                score=event.verdict.badge,
                judging=False,
            )
        elif isinstance(event, ev.BestChosen):
            self.update_ref(_ref(event.candidate.ref), best=True, misses=event.misses)
        elif isinstance(event, ev.UploadDone):
            self.update_ref(_ref(event.ref), upload_failed=False, upload_error="")
        elif isinstance(event, ev.UploadFailed):
            self.update_ref(_ref(event.ref), upload_failed=True, upload_error=event.message)
        elif isinstance(event, ev.RevisionStarted):
            self.ensure_header(event.revision, "", tr(BEING_REVISED))
        elif isinstance(event, ev.PromptRevised):
            note = event.error if not event.ok else ""
            self.upsert(header(event.revision, event.prompt, note))
        elif isinstance(event, ev.RunFinished):
            for row, item in enumerate(self._items):
                if item.judging:
                    self.update_row(row, judging=False)
        return False

    def _stored(self, candidate: ev.Candidate) -> None:
        ref = candidate.ref
        self.ensure_header(ref.revision, candidate.prompt)
        if self.row_of_ref((ref.revision, ref.attempt, ref.index)) >= 0:
            return  # already read from the history, which is at least as recent
        failed_row = self._row_of((ref.revision, 1, ref.attempt, -1))
        if failed_row >= 0:  # never expected: a failure tile before the attempt's image
            self.remove(failed_row)
        self.upsert(
            GalleryItem(
                ItemKind.IMAGE,
                ref.revision,
                ref.attempt,
                ref.index,
                path=candidate.path,
                sha256=candidate.sha256,
                prompt=candidate.prompt,
                seed=candidate.seed,
                judging=True,
            )
        )

    def _attempt_failed(self, event: ev.AttemptFailed) -> None:
        said = shown(event.message)  # the window's words; the history keeps the English
        rows = [
            row
            for row, item in enumerate(self._items)
            if item.kind is ItemKind.IMAGE
            and (item.revision, item.attempt) == (event.revision, event.attempt)
        ]
        for row in rows:
            self.update_row(row, attempt_error=said, judging=False)
        if not rows:
            self.ensure_header(event.revision)
            self.upsert(
                GalleryItem(
                    ItemKind.FAILED,
                    event.revision,
                    event.attempt,
                    prompt=self._attempt_prompts.get((event.revision, event.attempt), ""),
                    note=said,
                    attempt_error=said,
                )
            )


def _ref(ref: ev.ImageRef) -> Ref:
    return (ref.revision, ref.attempt, ref.index)

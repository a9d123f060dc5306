"""Writing an export: the annotated images and ``manifest.json``, to a folder or a zip.

The manifest holds every prompt version and attempt of each session, whatever images are
included, and no credentials or absolute paths (``output_dir`` is blanked).

Checklist judging (history schema v7) adds the run's ``judge_mode``, its ``checklist``
and every ``checklist_changes`` entry, the ``best`` candidate with ``best_misses`` and
``best_how``, each verdict's ``checks`` and ``checklist``, and a person's ``human_items``;
added keys too, read as absent from an older manifest.

It also carries what the run recorded in words (history schema v5/v6): the region each
model was called in, the run's notes, the judge's image note and the judge's and reviser's
sampling notes. They are added keys, each optional on reading, so the manifest's version
stays 1: an older app ignores them (its shapes allow extra keys) and an older manifest
without them still imports here.

An image whose original carries Content Credentials (C2PA) is written byte for byte as
stored, with its parameters in a JSON sidecar beside it: its entry says ``"signed": true``,
``"signature": "intact"`` and names the ``sidecar``, and ``metadata`` is null because
nothing was inserted. When the person chose to embed parameters in signed images too
(``embed_in_signed``), the copy gets the chunks like any other and says in them that it was
modified after signing; its entry says ``"signed": true``, ``"signature": "broken by
embedding parameters"``, no sidecar, and ``metadata`` where the chunks sit (so import still
recovers the signed original exactly). ``signature`` is null for an unsigned original.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from imgloop_desktop import __version__
from imgloop_desktop.core.records import ExportResult, ImageRecord, SessionTree
from imgloop_desktop.storage.export.format import (
    FORMAT,
    MANIFEST_NAME,
    MANIFEST_VERSION,
    ExportError,
    check_run_id,
    iso_or_none,
)
from imgloop_desktop.storage.export.png_meta import AnnotatedPng, annotate, sidecar_name
from imgloop_desktop.storage.history.schema import now_iso

Selection = Literal["session", "approved"]


def verified_original(image: ImageRecord) -> bytes:
    """The stored original, refused when unreadable or no longer the bytes the history
    recorded: an export must not carry a hash that would lie."""
    try:
        original = image.path.read_bytes()
    except OSError as exc:
        raise ExportError(f"the local file cannot be read ({exc.strerror})") from exc
    if hashlib.sha256(original).hexdigest() != image.sha256:
        raise ExportError("the local file differs from the recorded SHA-256")
    return original


def _public_params(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters as given, minus the local folder (an absolute path on this machine)."""
    out = dict(params)
    if "output_dir" in out:
        out["output_dir"] = ""
    return out


def export_name(run_id: str, image: ImageRecord) -> str:
    return f"images/{run_id}/{image.revision:03d}-{image.attempt:03d}-{image.index}.png"


def _image_json(image: ImageRecord, file: str | None, annotated: AnnotatedPng | None) -> Any:
    v = image.verdict
    signed = annotated is not None and annotated.signed
    return {
        "index": image.index,
        "file": file,
        # Added keys (read as absent by older apps): a signed original kept as it was, and
        # where its parameters went instead.
        "signed": signed,
        "sidecar": sidecar_name(file)
        if annotated is not None and annotated.sidecar is not None and file is not None
        else None,
        # What became of the original's signature in the copy (added with the person's
        # "embed parameters in signed images too" setting): null, "intact" or "broken by …".
        "signature": annotated.signature if annotated is not None else None,
        "sha256": image.sha256,
        "exported_sha256": hashlib.sha256(annotated.data).hexdigest() if annotated else None,
        "metadata": (
            {"offset": annotated.offset, "length": annotated.length}
            if annotated and annotated.offset is not None
            else None
        ),
        "size_bytes": image.size_bytes,
        "width": image.width,
        "height": image.height,
        "seed": image.seed,
        "prompt": image.prompt,
        "s3_bucket": image.s3_bucket,
        "s3_key": image.s3_key,
        "upload_state": image.upload_state.value,
        "upload_error": image.upload_error,
        "stored_at": iso_or_none(image.stored_at),
        "human_decision": image.human_decision.value if image.human_decision else None,
        "decided_at": iso_or_none(image.decided_at),
        "effective_approved": image.effective_approved,
        "verdict": None
        if v is None
        else {
            "result": v.result,
            "reason": v.reason,
            "raw": v.raw,
            "model_id": v.model_id,
            "input_tokens": v.input_tokens,
            "output_tokens": v.output_tokens,
            "retried": v.retried,
            "received_at": iso_or_none(v.received_at),
            "judge_image": v.judge_image,
            "notes": v.notes,
            "checks": v.checks.to_json() if v.checks is not None else None,
            "checklist": v.checklist.to_json() if v.checklist is not None else None,
            "badge": v.badge,
        },
        "human_items": dict(image.human_items),
        # A person's marks (history schema v10), added keys like the ones above.
        "favourite": image.favourite,
        "rating": image.rating,
    }


def _ref(tree: SessionTree, image_id: int | None) -> dict[str, int] | None:
    """Where an image of the run sits (revision, attempt, index), for a reader whose ids
    differ; None when ``image_id`` names no image of the tree."""
    for image in tree.images():
        if image.image_id == image_id:
            return {"revision": image.revision, "attempt": image.attempt, "index": image.index}
    return None


def _checklist_changes(tree: SessionTree) -> list[dict[str, Any]]:
    return [
        {
            "origin": change.origin,
            "checklist": change.checklist.to_json() if change.checklist is not None else None,
            "model_id": change.model_id,
            "error": change.error,
            "created_at": iso_or_none(change.created_at),
            "input_tokens": change.input_tokens,
            "output_tokens": change.output_tokens,
        }
        for change in tree.checklist_changes
    ]


def _session_json(
    tree: SessionTree,
    included: set[int],
    files: dict[int, tuple[str, AnnotatedPng]],
    selection: Selection,
) -> Any:
    judge_approved = _ref(tree, tree.judge_approved_image_id)
    return {
        "run_id": tree.run_id,
        "prompt": tree.prompt,
        "params": _public_params(tree.params),
        "image_model_id": tree.image_model_id,
        "judge_model_id": tree.judge_model_id,
        "image_region": tree.image_region,
        "judge_region": tree.judge_region,
        "notes": list(tree.notes),
        "app_version": tree.app_version,
        "started_at": iso_or_none(tree.started_at),
        "ended_at": iso_or_none(tree.ended_at),
        "outcome": tree.outcome.value,
        "message": tree.message,
        "judge_approved": judge_approved,
        "judge_mode": tree.judge_mode,
        "checklist": tree.checklist.to_json() if tree.checklist is not None else None,
        "checklist_changes": _checklist_changes(tree),
        "best": _ref(tree, tree.best_image_id),
        "best_misses": tree.best_misses,
        "best_how": tree.best_how,
        "images_included": "all" if selection == "session" else "approved",
        "prompt_versions": [
            {
                "revision": version.revision,
                "prompt": version.prompt,
                "previous_prompt": version.previous_prompt,
                "reasons": list(version.reasons),
                "ok": version.ok,
                "raw": version.raw,
                "error": version.error,
                "notes": version.notes,
                "created_at": iso_or_none(version.created_at),
                "attempts": [
                    {
                        "attempt": attempt.attempt,
                        "prompt": attempt.prompt,
                        "seed": attempt.seed,
                        "request": attempt.request,
                        "started_at": iso_or_none(attempt.started_at),
                        "ended_at": iso_or_none(attempt.ended_at),
                        "error": attempt.error,
                        "images": [
                            _image_json(
                                image,
                                files[image.image_id][0] if image.image_id in files else None,
                                files[image.image_id][1] if image.image_id in files else None,
                            )
                            for image in attempt.images
                            if image.image_id in included
                        ],
                    }
                    for attempt in version.attempts
                ],
            }
            for version in tree.prompt_versions
        ],
    }


class _Sink:
    """Writes export entries into a folder or a zip, the zip atomically (temp, rename)."""

    def __init__(self, dest: Path, as_zip: bool) -> None:
        self.dest = dest
        self.as_zip = as_zip
        self._zip: zipfile.ZipFile | None = None
        self._tmp: Path | None = None
        if as_zip:
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
            os.close(fd)
            self._tmp = Path(tmp)
            self._zip = zipfile.ZipFile(self._tmp, "w")
        else:
            dest.mkdir(parents=True, exist_ok=True)

    def write(self, name: str, data: bytes, *, compress: bool) -> None:
        if self._zip is not None:
            method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            info = zipfile.ZipInfo(name, date_time=datetime.now().timetuple()[:6])
            info.compress_type = method
            info.external_attr = 0o644 << 16
            self._zip.writestr(info, data)
        else:
            target = self.dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)

    def commit(self) -> None:
        if self._zip is not None and self._tmp is not None:
            self._zip.close()
            self._tmp.replace(self.dest)

    def abort(self) -> None:
        if self._zip is not None and self._tmp is not None:
            self._zip.close()
            self._tmp.unlink(missing_ok=True)


def export_trees(
    trees: list[SessionTree],
    dest: Path,
    *,
    as_zip: bool = False,
    selection: Selection,
    embed_in_signed: bool = False,
) -> ExportResult:
    """``selection`` "session": every image of each tree; "approved": only the effectively
    approved ones (the manifest still holds every prompt version and attempt).
    ``embed_in_signed``: the person's "embed parameters in signed images too" setting (see
    ``png_meta.annotate``); off, signed originals are kept byte for byte with a sidecar.

    A file that is gone or no longer matches its recorded SHA-256 is left out and listed in
    ``skipped`` rather than exported with a hash that would lie.
    """
    sink = _Sink(dest, as_zip)
    sessions: list[Any] = []
    skipped: list[str] = []
    count = 0
    try:
        for tree in trees:
            check_run_id(tree.run_id, "run_id")
            included: set[int] = set()
            files: dict[int, tuple[str, AnnotatedPng]] = {}
            for image in tree.images():
                if selection == "approved" and not image.effective_approved:
                    continue
                included.add(image.image_id)
                name = export_name(tree.run_id, image)
                try:
                    original = verified_original(image)
                except ExportError as exc:
                    skipped.append(f"{name}: {exc}")
                    continue
                annotated = annotate(original, tree, image, embed_in_signed=embed_in_signed)
                sink.write(name, annotated.data, compress=False)
                if annotated.sidecar is not None:
                    sink.write(sidecar_name(name), annotated.sidecar, compress=True)
                files[image.image_id] = (name, annotated)
                count += 1
            sessions.append(_session_json(tree, included, files, selection))
        manifest = {
            "format": FORMAT,
            "schema_version": MANIFEST_VERSION,
            "app_version": __version__,
            "exported_at": now_iso(),
            "selection": selection,
            "sessions": sessions,
        }
        sink.write(
            MANIFEST_NAME,
            json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"),
            compress=True,
        )
        sink.commit()
    except BaseException:
        sink.abort()
        raise
    return ExportResult(path=dest, sessions=len(sessions), images=count, skipped=skipped)

"""Reading ``manifest.json`` back: every field checked, every problem named by its JSON path.

Nothing read here is trusted; the result is plain records (``ImportSession``) the importer
writes only after the whole export has been checked.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from imgloop_desktop.core import jsonsafe
from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.jsonsafe import has_surrogate
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.pngs import PNG_SIGNATURE
from imgloop_desktop.core.records import (
    AttemptRecord,
    Decision,
    HistoryOutcome,
    ImageRecord,
    PromptVersionRecord,
    SessionTree,
    UploadState,
    VerdictRecord,
)
from imgloop_desktop.storage.export.archive import (
    MAX_IMAGE_BYTES,
    MAX_MANIFEST_BYTES,
    Source,
    archive_name_problem,
)
from imgloop_desktop.storage.export.format import (
    FORMAT,
    MANIFEST_NAME,
    MANIFEST_VERSION,
    SAFE_NAME,
    ExportError,
    printable,
)
from imgloop_desktop.storage.history.schema import parse_iso

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")

_INT_MAX = 2**63 - 1  # SQLite's INTEGER; larger numbers cannot be stored


_MISSING = object()


class _Checker:
    """Reads manifest values, collecting every problem with the field's JSON path."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, where: str, value: object, allowed: str) -> None:
        if len(self.problems) < 50:
            if isinstance(value, str):
                value = printable(value[:77] + "..." if len(value) > 80 else value)
            elif isinstance(value, dict | list):
                value = f"<{type(value).__name__}>"
            self.problems.append(Problem(where, value, allowed))

    def str_(self, obj: dict[str, Any], key: str, where: str, *, optional: bool = False) -> Any:
        value = obj.get(key, _MISSING)
        if optional and value in (None, _MISSING):
            return None
        if isinstance(value, str):
            return value
        self.fail(f"{where}.{key}", _shown(value), "a string" + (" or null" if optional else ""))
        return ""

    def int_(
        self, obj: dict[str, Any], key: str, where: str, *, low: int = 0, optional: bool = False
    ) -> Any:
        value = obj.get(key, _MISSING)
        if optional and value in (None, _MISSING):
            return None
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= _INT_MAX:
            return value
        allowed = f"a whole number from {low} to {_INT_MAX}" + (" or null" if optional else "")
        self.fail(f"{where}.{key}", _shown(value), allowed)
        return low

    def bool_(self, obj: dict[str, Any], key: str, where: str, *, optional: bool = False) -> Any:
        value = obj.get(key, _MISSING)
        if optional and value in (None, _MISSING):
            return None
        if isinstance(value, bool):
            return value
        self.fail(f"{where}.{key}", _shown(value), "true or false")
        return False

    def time_(
        self, obj: dict[str, Any], key: str, where: str, *, optional: bool = False
    ) -> datetime | None:
        value = obj.get(key, _MISSING)
        if optional and value in (None, _MISSING):
            return None
        if isinstance(value, str):
            try:
                moment = parse_iso(value)
            except ValueError:
                pass
            else:
                if moment.tzinfo is not None:
                    return moment
        self.fail(f"{where}.{key}", _shown(value), "an ISO 8601 time with a time zone")
        return datetime.fromtimestamp(0, UTC)

    def choice(
        self,
        obj: dict[str, Any],
        key: str,
        where: str,
        choices: tuple[str, ...],
        *,
        optional: bool = False,
    ) -> Any:
        value = obj.get(key, _MISSING)
        if optional and value in (None, _MISSING):
            return None
        if value in choices:
            return value
        self.fail(f"{where}.{key}", _shown(value), "one of " + ", ".join(choices))
        return choices[0]

    def list_(self, obj: dict[str, Any], key: str, where: str) -> list[Any]:
        value = obj.get(key, _MISSING)
        if isinstance(value, list):
            return value
        self.fail(f"{where}.{key}", _shown(value), "a list")
        return []

    def obj_(self, value: object, where: str) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.fail(where, _shown(value), "a JSON object")
        return None


def _shown(value: object) -> object:
    return "<missing>" if value is _MISSING else value


@dataclass(frozen=True)
class FileRef:
    file: str
    sha256: str
    exported_sha256: str | None
    offset: int | None
    length: int


@dataclass(frozen=True)
class ImportSession:
    tree: SessionTree
    files: dict[tuple[int, int, int], FileRef]
    judge_approved: tuple[int, int, int] | None


def _parse_image(c: _Checker, raw: object, where: str, revision: int, attempt: int) -> Any:
    obj = c.obj_(raw, where)
    if obj is None:
        return None
    verdict: VerdictRecord | None = None
    v = obj.get("verdict")
    if v is not None:
        vo = c.obj_(v, f"{where}.verdict")
        if vo is not None:
            w = f"{where}.verdict"
            verdict = VerdictRecord(
                result=c.choice(vo, "result", w, ("YES", "NO", "ERROR")),
                reason=c.str_(vo, "reason", w),
                raw=c.str_(vo, "raw", w),
                model_id=c.str_(vo, "model_id", w),
                input_tokens=c.int_(vo, "input_tokens", w, optional=True),
                output_tokens=c.int_(vo, "output_tokens", w, optional=True),
                retried=c.bool_(vo, "retried", w),
                received_at=c.time_(vo, "received_at", w) or datetime.fromtimestamp(0, UTC),
            )
    sha = c.str_(obj, "sha256", where)
    if not _SHA256_RE.match(sha):
        c.fail(f"{where}.sha256", sha, "64 lowercase hex digits")
    decision = c.choice(obj, "human_decision", where, ("approved", "rejected"), optional=True)
    file = c.str_(obj, "file", where, optional=True)
    if file is not None:
        problem = archive_name_problem(file)
        if problem:
            c.fail(f"{where}.file", file, f"a relative name inside the export, not {problem}")
    exported = c.str_(obj, "exported_sha256", where, optional=True)
    if exported is not None and not _SHA256_RE.match(exported):
        c.fail(f"{where}.exported_sha256", exported, "64 lowercase hex digits or null")
    offset, length = None, 0
    meta = obj.get("metadata")
    if meta is not None:
        mo = c.obj_(meta, f"{where}.metadata")
        if mo is not None:
            offset = c.int_(mo, "offset", f"{where}.metadata", low=len(PNG_SIGNATURE))
            length = c.int_(mo, "length", f"{where}.metadata", low=1)
    image = ImageRecord(
        image_id=0,
        run_id="",
        revision=revision,
        attempt=attempt,
        index=c.int_(obj, "index", where),
        rel_path="",
        path=Path(),
        sha256=sha,
        width=c.int_(obj, "width", where),
        height=c.int_(obj, "height", where),
        size_bytes=c.int_(obj, "size_bytes", where),
        seed=c.int_(obj, "seed", where, optional=True),
        prompt=c.str_(obj, "prompt", where),
        s3_bucket=c.str_(obj, "s3_bucket", where),
        s3_key=c.str_(obj, "s3_key", where),
        upload_state=UploadState(
            c.choice(obj, "upload_state", where, tuple(s.value for s in UploadState))
        ),
        upload_error=c.str_(obj, "upload_error", where),
        stored_at=c.time_(obj, "stored_at", where) or datetime.fromtimestamp(0, UTC),
        verdict=verdict,
        human_decision=Decision(decision) if decision else None,
        decided_at=c.time_(obj, "decided_at", where, optional=True),
    )
    ref = (
        FileRef(file=file, sha256=sha, exported_sha256=exported, offset=offset, length=length)
        if file is not None
        else None
    )
    return image, ref


def _parse_session(
    c: _Checker, raw: object, where: str, files_named: set[str]
) -> ImportSession | None:
    obj = c.obj_(raw, where)
    if obj is None:
        return None
    run_id = c.str_(obj, "run_id", where)
    if not SAFE_NAME.match(run_id):
        c.fail(f"{where}.run_id", run_id, "letters, digits, '.', '_' and '-' (at most 128)")
    params_raw = obj.get("params")
    params: dict[str, Any] = {}
    try:
        params = RunParams.from_event(params_raw).to_event()
    except ValidationError as exc:
        for p in exc.problems:
            c.fail(f"{where}.params.{p.field}", p.value, p.allowed)
    params["output_dir"] = ""
    outcome_values = tuple(o.value for o in HistoryOutcome)
    files: dict[tuple[int, int, int], FileRef] = {}
    versions: list[PromptVersionRecord] = []
    seen_keys: set[tuple[int, int, int]] = set()
    for vi, vraw in enumerate(c.list_(obj, "prompt_versions", where)):
        vw = f"{where}.prompt_versions[{vi}]"
        vo = c.obj_(vraw, vw)
        if vo is None:
            continue
        revision = c.int_(vo, "revision", vw)
        attempts: list[AttemptRecord] = []
        for ai, araw in enumerate(c.list_(vo, "attempts", vw)):
            aw = f"{vw}.attempts[{ai}]"
            ao = c.obj_(araw, aw)
            if ao is None:
                continue
            number = c.int_(ao, "attempt", aw)
            request = ao.get("request")
            if not isinstance(request, dict):
                c.fail(f"{aw}.request", _shown(request), "a JSON object")
                request = {}
            images: list[ImageRecord] = []
            for ii, iraw in enumerate(c.list_(ao, "images", aw)):
                parsed = _parse_image(c, iraw, f"{aw}.images[{ii}]", revision, number)
                if parsed is None:
                    continue
                image, ref = parsed
                key = (revision, number, image.index)
                if key in seen_keys:
                    c.fail(f"{aw}.images[{ii}].index", image.index, "an index not used twice")
                seen_keys.add(key)
                images.append(image)
                if ref is not None:
                    if ref.file in files_named:  # one file read once: no entry counted twice
                        c.fail(f"{aw}.images[{ii}].file", ref.file, "a file no other image names")
                    files_named.add(ref.file)
                    files[key] = ref
            attempts.append(
                AttemptRecord(
                    revision=revision,
                    attempt=number,
                    prompt=c.str_(ao, "prompt", aw),
                    seed=c.int_(ao, "seed", aw),
                    request=request,
                    started_at=c.time_(ao, "started_at", aw) or datetime.fromtimestamp(0, UTC),
                    ended_at=c.time_(ao, "ended_at", aw, optional=True),
                    error=c.str_(ao, "error", aw),
                    images=tuple(images),
                )
            )
        reasons = c.list_(vo, "reasons", vw)
        if not all(isinstance(r, str) for r in reasons):
            c.fail(f"{vw}.reasons", "<list>", "a list of strings")
            reasons = []
        versions.append(
            PromptVersionRecord(
                revision=revision,
                prompt=c.str_(vo, "prompt", vw, optional=True),
                previous_prompt=c.str_(vo, "previous_prompt", vw, optional=True),
                reasons=tuple(reasons),
                ok=c.bool_(vo, "ok", vw, optional=True),
                raw=c.str_(vo, "raw", vw),
                error=c.str_(vo, "error", vw),
                created_at=c.time_(vo, "created_at", vw) or datetime.fromtimestamp(0, UTC),
                attempts=tuple(attempts),
            )
        )
    judge_approved = None
    ja = obj.get("judge_approved")
    if ja is not None:
        jo = c.obj_(ja, f"{where}.judge_approved")
        if jo is not None:
            jw = f"{where}.judge_approved"
            judge_approved = (
                c.int_(jo, "revision", jw),
                c.int_(jo, "attempt", jw),
                c.int_(jo, "index", jw),
            )
    tree = SessionTree(
        run_id=run_id,
        prompt=c.str_(obj, "prompt", where),
        params=params,
        image_model_id=c.str_(obj, "image_model_id", where),
        judge_model_id=c.str_(obj, "judge_model_id", where),
        images_root="",
        app_version=c.str_(obj, "app_version", where),
        started_at=c.time_(obj, "started_at", where) or datetime.fromtimestamp(0, UTC),
        ended_at=c.time_(obj, "ended_at", where, optional=True),
        outcome=HistoryOutcome(c.choice(obj, "outcome", where, outcome_values)),
        message=c.str_(obj, "message", where),
        judge_approved_image_id=None,
        prompt_versions=tuple(versions),
    )
    return ImportSession(tree=tree, files=files, judge_approved=judge_approved)


def read_manifest(source_path: Path) -> list[ImportSession]:
    """Parse and check an export's manifest; ValidationError names every bad field."""
    with Source(source_path) as source:
        return read_manifest_from(source)


def read_manifest_from(source: Source) -> list[ImportSession]:
    """Read through ``jsonsafe`` (size, depth and number limits: no RecursionError or
    4,300-digit ValueError from a hostile manifest), refuse unstorable text anywhere in it,
    then check every field."""
    raw = source.read(MANIFEST_NAME, MAX_MANIFEST_BYTES)
    try:
        data = jsonsafe.loads(
            raw, what=f"{MANIFEST_NAME} in {source.path}", max_bytes=MAX_MANIFEST_BYTES
        )
    except jsonsafe.JsonLimitError as exc:
        raise ExportError(str(exc)) from exc
    c = _Checker()
    _check_text(c, data, "manifest")
    if c.problems:
        raise ValidationError(c.problems)
    top = c.obj_(data, "manifest")
    if top is None:
        raise ValidationError(c.problems)
    if top.get("format") != FORMAT:
        c.fail("manifest.format", _shown(top.get("format", _MISSING)), repr(FORMAT))
    version = top.get("schema_version")
    if version != MANIFEST_VERSION:
        c.fail(
            "manifest.schema_version",
            _shown(top.get("schema_version", _MISSING)),
            f"{MANIFEST_VERSION} (an export from a newer app needs that app to import it)",
        )
    if c.problems:
        raise ValidationError(c.problems)
    sessions = []
    seen: set[str] = set()
    files_named: set[str] = set()
    for i, raw_session in enumerate(c.list_(top, "sessions", "manifest")):
        parsed = _parse_session(c, raw_session, f"manifest.sessions[{i}]", files_named)
        if parsed is not None:
            if parsed.tree.run_id in seen:
                c.fail(
                    f"manifest.sessions[{i}].run_id", parsed.tree.run_id, "a run id not repeated"
                )
            seen.add(parsed.tree.run_id)
            sessions.append(parsed)
    if c.problems:
        raise ValidationError(c.problems)
    return sessions


def _check_text(c: _Checker, value: object, where: str) -> None:
    """Every string and key in the manifest, wherever it is (attempt requests and params
    included): a lone surrogate cannot be encoded for SQLite, a file or a terminal, and a NUL
    cuts text short in SQLite and C APIs. Refused up front, naming the field, so the import
    never fails half-way on one."""
    if isinstance(value, str):
        if not value.isascii() and has_surrogate(value):  # isascii: most text, checked in C
            c.fail(where, value, "text without lone UTF-16 surrogates (\\ud800-\\udfff)")
        elif "\0" in value:
            c.fail(where, value, "text without NUL characters")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_text(c, item, f"{where}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{where}.{printable(key)}"
            _check_text(c, key, f"{inner} (the key)")
            _check_text(c, item, inner)


def original(source: Source, ref: FileRef) -> bytes:
    """The stored original: the exported file with our inserted chunks cut out, checked
    against the original SHA-256 from the manifest."""
    data = source.read(ref.file, MAX_IMAGE_BYTES)
    if ref.exported_sha256 is not None and hashlib.sha256(data).hexdigest() != ref.exported_sha256:
        raise ExportError(
            f"{source.path}: {ref.file}: its SHA-256 differs from manifest.json's "
            "exported_sha256; the export was changed or damaged, so nothing was imported"
        )
    if ref.offset is not None:
        if ref.offset + ref.length > len(data):
            raise ExportError(
                f"{source.path}: {ref.file}: its metadata range lies outside the file"
            )
        data = data[: ref.offset] + data[ref.offset + ref.length :]
    if hashlib.sha256(data).hexdigest() != ref.sha256:
        raise ExportError(
            f"{source.path}: {ref.file}: the image bytes do not match the SHA-256 in "
            "manifest.json; the export was changed or damaged, so nothing was imported"
        )
    return data

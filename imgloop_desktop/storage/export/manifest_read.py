"""Reading ``manifest.json`` back: every field checked, every problem named by its JSON path.

Nothing read here is trusted; the result is plain records (``ImportSession``) the importer
writes only after the whole export has been checked.

The notes a run recorded in words (regions, run notes, the judge's image note, sampling
notes) came with history schema v6; a manifest written before them has none of those keys,
so each is optional and reads as "" (or no notes). The same holds for what checklist
judging added (schema v7): a manifest without it reads as a whole-prompt run, and for a
person's favourite and rating (schema v10): a manifest without them reads as unmarked.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from imgloop_desktop.core import jsonsafe
from imgloop_desktop.core import jsonshape as js
from imgloop_desktop.core.checklist import Checklist, ItemVerdicts, id_problem
from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.events import ChecklistOrigin
from imgloop_desktop.core.jsonsafe import has_surrogate
from imgloop_desktop.core.param_values import short
from imgloop_desktop.core.params import JUDGE_MODES, RunParams
from imgloop_desktop.core.pngs import PNG_SIGNATURE
from imgloop_desktop.core.records import (
    MAX_RATING,
    MIN_RATING,
    AttemptRecord,
    ChecklistChange,
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
from imgloop_desktop.storage.history.marks_rows import rating_problem
from imgloop_desktop.storage.history.schema import parse_iso

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")

_INT_MAX = 2**63 - 1  # SQLite's INTEGER; larger numbers cannot be stored
MAX_PROBLEMS = 50
"""A damaged manifest's first problems; thousands more would help nobody."""

# -- the manifest's shape ---------------------------------------------------------------
# Declared once with ``core.jsonshape``; every record below is built only from a manifest
# that passed it, so the builders read plain, trusted values.

_TIME_WORDS = "an ISO 8601 time with a time zone"


def _time_problem(text: str) -> str | None:
    try:
        moment = parse_iso(text)
    except ValueError:
        return _TIME_WORDS
    return None if moment.tzinfo is not None else _TIME_WORDS


def _hex_problem(words: str) -> Callable[[str], str | None]:
    return lambda text: None if _SHA256_RE.match(text) else words


def _file_problem(name: str) -> str | None:
    problem = archive_name_problem(name)
    return f"a relative name inside the export, not {problem}" if problem else None


def _run_id_problem(run_id: str) -> str | None:
    return None if SAFE_NAME.match(run_id) else "letters, digits, '.', '_' and '-' (at most 128)"


def _or_missing(shape: js.Shape, allowed: str | None = None) -> js.Opt:
    """A field an older or a partial record leaves out or sets to null."""
    return js.Opt(js.OrNull(shape, allowed=allowed or ""))


_TEXT = js.Str()
_OPT_TEXT = _or_missing(js.Str())
_NOTE = js.Opt(js.Str())
"""A note added after the first manifests: left out by older ones, read as ""."""
_TIME = js.Str(rule=_time_problem, allowed=_TIME_WORDS)
_OPT_TIME = _or_missing(_TIME, _TIME_WORDS)
_COUNT = js.Int(0, _INT_MAX)
_OPT_COUNT = _or_missing(_COUNT)
_OBJECT = "a JSON object"
_DECISION = js.OneOf(*(d.value for d in Decision))
_EXPORTED_SHA = js.Str(rule=_hex_problem("64 lowercase hex digits or null"))

_ANY_OR_NULL = js.Opt(js.OrNull(js.AnyValue()))
"""A checklist or item verdicts: checked by their own loaders, which name the problem."""
_VERDICT = js.Obj(
    {
        "result": js.OneOf("YES", "NO", "ERROR", "REVIEW"),
        "checks": _ANY_OR_NULL,
        "checklist": _ANY_OR_NULL,
        "reason": _TEXT,
        "raw": _TEXT,
        "model_id": _TEXT,
        "input_tokens": _OPT_COUNT,
        "output_tokens": _OPT_COUNT,
        "retried": js.Bool(),
        "received_at": _TIME,
        "judge_image": _NOTE,
        "notes": _NOTE,
    }
)
_METADATA = js.Obj({"offset": js.Int(len(PNG_SIGNATURE), _INT_MAX), "length": js.Int(1, _INT_MAX)})
_IMAGE = js.Obj(
    {
        "verdict": _or_missing(_VERDICT, _OBJECT),
        "sha256": js.Str(rule=_hex_problem("64 lowercase hex digits")),
        "human_decision": _or_missing(
            js.OneOf("approved", "rejected"), "one of approved, rejected"
        ),
        "file": _or_missing(js.Str(rule=_file_problem)),
        "exported_sha256": _or_missing(
            js.Str(rule=_hex_problem("64 lowercase hex digits or null"))
        ),
        "metadata": _or_missing(_METADATA, _OBJECT),
        "index": _COUNT,
        "width": _COUNT,
        "height": _COUNT,
        "size_bytes": _COUNT,
        "seed": _OPT_COUNT,
        "prompt": _TEXT,
        "s3_bucket": _TEXT,
        "s3_key": _TEXT,
        "upload_state": js.OneOf(*(s.value for s in UploadState)),
        "upload_error": _TEXT,
        "stored_at": _TIME,
        "decided_at": _OPT_TIME,
        "human_items": _ANY_OR_NULL,
        # A person's marks (schema v10): checked by ``_marks``, which names the image file.
        "favourite": js.Opt(js.AnyValue()),
        "rating": js.Opt(js.AnyValue()),
    }
)
_ATTEMPT = js.Obj(
    {
        "attempt": _COUNT,
        "request": js.Obj(),
        "images": js.Arr(_IMAGE),
        "prompt": _TEXT,
        "seed": _COUNT,
        "started_at": _TIME,
        "ended_at": _OPT_TIME,
        "error": _TEXT,
    }
)
_PROMPT_VERSION = js.Obj(
    {
        "revision": _COUNT,
        "attempts": js.Arr(_ATTEMPT),
        "reasons": js.Arr(_TEXT),
        "prompt": _OPT_TEXT,
        "previous_prompt": _OPT_TEXT,
        "ok": _or_missing(js.Bool(), "true or false"),
        "raw": _TEXT,
        "error": _TEXT,
        "notes": _NOTE,
        "created_at": _TIME,
    }
)
_CHECKLIST_CHANGE = js.Obj(
    {
        "origin": js.OneOf(*(o.value for o in ChecklistOrigin)),
        "checklist": _ANY_OR_NULL,
        "model_id": _NOTE,
        "error": _NOTE,
        "created_at": _TIME,
        "input_tokens": _OPT_COUNT,
        "output_tokens": _OPT_COUNT,
    }
)
_SESSION = js.Obj(
    {
        "run_id": js.Str(rule=_run_id_problem),
        # "params" is an event: ``RunParams.from_event`` checks it, naming its fields.
        "prompt_versions": js.Arr(_PROMPT_VERSION),
        "judge_approved": _or_missing(
            js.Obj({"revision": _COUNT, "attempt": _COUNT, "index": _COUNT}), _OBJECT
        ),
        "prompt": _TEXT,
        "image_model_id": _TEXT,
        "judge_model_id": _TEXT,
        "image_region": _NOTE,
        "judge_region": _NOTE,
        "notes": js.Opt(js.Arr(_TEXT)),
        "app_version": _TEXT,
        "started_at": _TIME,
        "ended_at": _OPT_TIME,
        "outcome": js.OneOf(*(o.value for o in HistoryOutcome)),
        "message": _TEXT,
        "judge_mode": js.Opt(js.OneOf(*JUDGE_MODES)),
        "checklist": _ANY_OR_NULL,
        "checklist_changes": js.Opt(js.Arr(_CHECKLIST_CHANGE)),
        "best": _or_missing(js.Obj({"revision": _COUNT, "attempt": _COUNT, "index": _COUNT})),
        "best_misses": _NOTE,
        "best_how": _NOTE,
    }
)
_HEAD = js.Obj(
    {
        "format": js.OneOf(FORMAT, allowed=repr(FORMAT)),
        "schema_version": js.OneOf(
            MANIFEST_VERSION,
            allowed=f"{MANIFEST_VERSION} (an export from a newer app needs that app to import it)",
        ),
    }
)
"""Checked first: an export of another format or a newer version is not read further."""
_MANIFEST = js.Obj({"sessions": js.Arr(_SESSION)})
_WORDS = js.Plain("manifest")


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
    best: tuple[int, int, int] | None = None
    """The run's best candidate when none was approved (checklist judging)."""


def _time(value: str) -> datetime:
    return parse_iso(value)  # checked by the shape: it parses, with a time zone


def _time_or_none(value: str | None) -> datetime | None:
    return None if value is None else parse_iso(value)


def _checklist(value: object, where: str, problems: list[Problem]) -> Checklist | None:
    """A checklist from the manifest (None for none); its problems, named under ``where``."""
    if value is None:
        return None
    try:
        return Checklist.from_json(value, name=where)
    except ValidationError as exc:
        problems.extend(exc.problems)
        return None


def _verdict_checks(
    vo: dict[str, Any], run_checklist: Checklist | None, where: str, problems: list[Problem]
) -> dict[str, Any]:
    """A verdict's item verdicts and the checklist they were judged against (the run's when
    the verdict names none), checked by their own loaders."""
    if vo.get("checks") is None:
        return {}
    checklist = _checklist(vo.get("checklist"), f"{where}.checklist", problems) or run_checklist
    if checklist is None:
        problems.append(
            Problem(f"{where}.checks", "<item verdicts>", "item verdicts with their checklist")
        )
        return {}
    try:
        checks = ItemVerdicts.from_json(vo["checks"], checklist)
    except ValidationError as exc:
        problems.extend(Problem(f"{where}.{p.field}", p.value, p.allowed) for p in exc.problems)
        return {}
    return {"checks": checks, "checklist": checklist}


def _human_items(value: object, where: str, problems: list[Problem]) -> dict[str, bool]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and not id_problem(k) and isinstance(v, bool) for k, v in value.items()
    ):
        problems.append(Problem(where, short(value), "an object of item id to true or false"))
        return {}
    return dict(value)


FAVOURITE_WORDS = "true or false"
RATING_WORDS = f"a whole number from {MIN_RATING} to {MAX_RATING}, or null for no rating"


def _marks(obj: dict[str, Any], where: str, problems: list[Problem]) -> tuple[bool, int | None]:
    """An image's star and rating (none in a manifest written before schema v10).

    Checked here rather than by the shape so the problem can name the image's file too:
    a person fixing a hand-edited manifest looks for the image, not for an array index.
    Every problem is raised before anything is written, like any other field's."""
    file = obj.get("file")
    of = f" ({printable(file)})" if isinstance(file, str) else ""
    favourite = obj.get("favourite", False)
    rating = obj.get("rating")
    if not isinstance(favourite, bool):
        problems.append(Problem(f"{where}.favourite{of}", short(favourite), FAVOURITE_WORDS))
        favourite = False
    if rating_problem(rating) is not None:
        problems.append(Problem(f"{where}.rating{of}", short(rating), RATING_WORDS))
        rating = None
    return favourite, rating


def _image(
    obj: dict[str, Any],
    revision: int,
    attempt: int,
    *,
    where: str = "image",
    run_checklist: Checklist | None = None,
    problems: list[Problem] | None = None,
) -> tuple[ImageRecord, FileRef | None]:
    """An image record (and its file) from a checked manifest entry; what only the loaders
    of checklists and item verdicts can tell goes into ``problems``."""
    problems = problems if problems is not None else []
    verdict: VerdictRecord | None = None
    if (vo := obj.get("verdict")) is not None:
        verdict = VerdictRecord(
            result=vo["result"],
            reason=vo["reason"],
            raw=vo["raw"],
            model_id=vo["model_id"],
            input_tokens=vo.get("input_tokens"),
            output_tokens=vo.get("output_tokens"),
            retried=vo["retried"],
            received_at=_time(vo["received_at"]),
            judge_image=vo.get("judge_image", ""),
            notes=vo.get("notes", ""),
            **_verdict_checks(vo, run_checklist, f"{where}.verdict", problems),
        )
    offset, length = None, 0
    if (meta := obj.get("metadata")) is not None:
        offset, length = meta["offset"], meta["length"]
    decision = obj.get("human_decision")
    favourite, rating = _marks(obj, where, problems)
    image = ImageRecord(
        image_id=0,
        run_id="",
        revision=revision,
        attempt=attempt,
        index=obj["index"],
        rel_path="",
        path=Path(),
        sha256=obj["sha256"],
        width=obj["width"],
        height=obj["height"],
        size_bytes=obj["size_bytes"],
        seed=obj.get("seed"),
        prompt=obj["prompt"],
        s3_bucket=obj["s3_bucket"],
        s3_key=obj["s3_key"],
        upload_state=UploadState(obj["upload_state"]),
        upload_error=obj["upload_error"],
        stored_at=_time(obj["stored_at"]),
        verdict=verdict,
        human_decision=Decision(decision) if decision else None,
        decided_at=_time_or_none(obj.get("decided_at")),
        human_items=_human_items(obj.get("human_items"), f"{where}.human_items", problems),
        favourite=favourite,
        rating=rating,
    )
    file = obj.get("file")
    ref = (
        FileRef(
            file=file,
            sha256=obj["sha256"],
            exported_sha256=obj.get("exported_sha256"),
            offset=offset,
            length=length,
        )
        if file is not None
        else None
    )
    return image, ref


def _params_problems(session: object, where: str) -> list[Problem]:
    """A session's params are an event, checked by the event loader, named under ``where``."""
    if not isinstance(session, dict):
        return []  # the shape has named the session itself
    try:
        RunParams.from_event(session.get("params"))
    except ValidationError as exc:
        return [Problem(f"{where}.params.{p.field}", p.value, p.allowed) for p in exc.problems]
    return []


def _session(
    obj: dict[str, Any], where: str, files_named: set[str], problems: list[Problem]
) -> ImportSession:
    """A session from a checked manifest entry; what only the whole can tell (an index or
    a file used twice) goes into ``problems``."""
    params = RunParams.from_event(obj.get("params")).to_event()
    params["output_dir"] = ""
    files: dict[tuple[int, int, int], FileRef] = {}
    versions: list[PromptVersionRecord] = []
    run_checklist = _checklist(obj.get("checklist"), f"{where}.checklist", problems)
    changes = tuple(
        ChecklistChange(
            origin=co["origin"],
            checklist=_checklist(
                co.get("checklist"), f"{where}.checklist_changes[{ci}].checklist", problems
            ),
            model_id=co.get("model_id", ""),
            error=co.get("error", ""),
            created_at=_time(co["created_at"]),
            input_tokens=co.get("input_tokens"),
            output_tokens=co.get("output_tokens"),
        )
        for ci, co in enumerate(obj.get("checklist_changes", ()))
    )
    seen_keys: set[tuple[int, int, int]] = set()
    for vi, vo in enumerate(obj["prompt_versions"]):
        vw = f"{where}.prompt_versions[{vi}]"
        revision = vo["revision"]
        attempts: list[AttemptRecord] = []
        for ai, ao in enumerate(vo["attempts"]):
            aw = f"{vw}.attempts[{ai}]"
            number = ao["attempt"]
            images: list[ImageRecord] = []
            for ii, io in enumerate(ao["images"]):
                image, ref = _image(
                    io,
                    revision,
                    number,
                    where=f"{aw}.images[{ii}]",
                    run_checklist=run_checklist,
                    problems=problems,
                )
                key = (revision, number, image.index)
                if key in seen_keys:
                    problems.append(
                        Problem(f"{aw}.images[{ii}].index", image.index, "an index not used twice")
                    )
                seen_keys.add(key)
                images.append(image)
                if ref is not None:
                    if ref.file in files_named:  # one file read once: no entry counted twice
                        problems.append(
                            Problem(
                                f"{aw}.images[{ii}].file",
                                short(ref.file),
                                "a file no other image names",
                            )
                        )
                    files_named.add(ref.file)
                    files[key] = ref
            attempts.append(
                AttemptRecord(
                    revision=revision,
                    attempt=number,
                    prompt=ao["prompt"],
                    seed=ao["seed"],
                    request=ao["request"],
                    started_at=_time(ao["started_at"]),
                    ended_at=_time_or_none(ao.get("ended_at")),
                    error=ao["error"],
                    images=tuple(images),
                )
            )
        versions.append(
            PromptVersionRecord(
                revision=revision,
                prompt=vo.get("prompt"),
                previous_prompt=vo.get("previous_prompt"),
                reasons=tuple(vo["reasons"]),
                ok=vo.get("ok"),
                raw=vo["raw"],
                error=vo["error"],
                created_at=_time(vo["created_at"]),
                attempts=tuple(attempts),
                notes=vo.get("notes", ""),
            )
        )
    judge_approved = None
    if (jo := obj.get("judge_approved")) is not None:
        judge_approved = (jo["revision"], jo["attempt"], jo["index"])
    best = None
    if (bo := obj.get("best")) is not None:
        best = (bo["revision"], bo["attempt"], bo["index"])
    tree = SessionTree(
        run_id=obj["run_id"],
        prompt=obj["prompt"],
        params=params,
        image_model_id=obj["image_model_id"],
        judge_model_id=obj["judge_model_id"],
        image_region=obj.get("image_region", ""),
        judge_region=obj.get("judge_region", ""),
        notes=tuple(obj.get("notes", ())),
        images_root="",
        app_version=obj["app_version"],
        started_at=_time(obj["started_at"]),
        ended_at=_time_or_none(obj.get("ended_at")),
        outcome=HistoryOutcome(obj["outcome"]),
        message=obj["message"],
        judge_approved_image_id=None,
        prompt_versions=tuple(versions),
        judge_mode=obj.get("judge_mode", "verdict"),
        checklist=run_checklist,
        checklist_changes=changes,
        best_misses=obj.get("best_misses", ""),
        best_how=obj.get("best_how", ""),
    )
    return ImportSession(tree=tree, files=files, judge_approved=judge_approved, best=best)


def read_manifest(source_path: Path) -> list[ImportSession]:
    """Parse and check an export's manifest; ValidationError names every bad field."""
    with Source(source_path) as source:
        return read_manifest_from(source)


def _refuse_if_any(problems: list[Problem]) -> None:
    if problems:
        raise ValidationError(problems[:MAX_PROBLEMS])


def read_manifest_from(source: Source) -> list[ImportSession]:
    """Read through ``jsonsafe`` (size, depth and number limits: no RecursionError or
    4,300-digit ValueError from a hostile manifest), refuse unstorable text anywhere in it,
    then check its shape, then build the records and check what only the whole can tell."""
    raw = source.read(MANIFEST_NAME, MAX_MANIFEST_BYTES)
    try:
        data = jsonsafe.loads(
            raw, what=f"{MANIFEST_NAME} in {source.path}", max_bytes=MAX_MANIFEST_BYTES
        )
    except jsonsafe.JsonLimitError as exc:
        raise ExportError(str(exc)) from exc
    problems: list[Problem] = []
    _check_text(problems, data, "manifest")
    _refuse_if_any(problems)
    _refuse_if_any(js.check(_HEAD, data, _WORDS, limit=MAX_PROBLEMS))
    problems = js.check(_MANIFEST, data, _WORDS, limit=MAX_PROBLEMS)
    assert isinstance(data, dict)  # _HEAD says so
    raw_sessions = data["sessions"] if isinstance(data.get("sessions"), list) else []
    for i, raw_session in enumerate(raw_sessions):
        problems += _params_problems(raw_session, f"manifest.sessions[{i}]")
    _refuse_if_any(problems)
    sessions = []
    seen: set[str] = set()
    files_named: set[str] = set()
    for i, raw_session in enumerate(raw_sessions):
        where = f"manifest.sessions[{i}]"
        parsed = _session(raw_session, where, files_named, problems)
        if parsed.tree.run_id in seen:
            problems.append(
                Problem(f"{where}.run_id", short(parsed.tree.run_id), "a run id not repeated")
            )
        seen.add(parsed.tree.run_id)
        sessions.append(parsed)
    _refuse_if_any(problems)
    return sessions


def _check_text(problems: list[Problem], value: object, where: str) -> None:
    """Every string and key in the manifest, wherever it is (attempt requests and params
    included): a lone surrogate cannot be encoded for SQLite, a file or a terminal, and a NUL
    cuts text short in SQLite and C APIs. Refused up front, naming the field, so the import
    never fails half-way on one. A deep scan of every value, so not a shape."""
    if len(problems) >= MAX_PROBLEMS:
        return
    if isinstance(value, str):
        if not value.isascii() and has_surrogate(value):  # isascii: most text, checked in C
            allowed = "text without lone UTF-16 surrogates (\\ud800-\\udfff)"
            problems.append(Problem(where, short(value), allowed))
        elif "\0" in value:
            problems.append(Problem(where, short(value), "text without NUL characters"))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_text(problems, item, f"{where}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{where}.{printable(key)}"
            _check_text(problems, key, f"{inner} (the key)")
            _check_text(problems, item, inner)


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

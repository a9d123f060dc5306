"""A model's lifecycle (Active, Legacy, end of life) as Bedrock says it, remembered with the
day it was read, and the app's catalog when Bedrock cannot be asked.

Bedrock's control plane answers ``GetFoundationModel`` with ``modelDetails.modelLifecycle``:
``status`` (ACTIVE or LEGACY) and, as timestamps, ``legacyTime``, ``endOfLifeTime``,
``startOfLifeTime`` and ``publicExtendedAccessTime`` (botocore's ``bedrock`` 2023-04-20
model, ``FoundationModelLifecycle``). An end-of-life model is not listed at all (the call
is refused), so "end of life" is known from the catalog, or from a Legacy entry whose
end-of-life day has passed.

Answers are kept in ``<data dir>/model_lifecycle.json``, keyed by region and base model id
(the id inside a profile id or ARN, ``catalog.base_model_id``), each with its status, its
Legacy and end-of-life days when known and the day it was read. An entry older than
``MAX_AGE`` is read again by ``refresh`` when Bedrock answers; until then, and whenever
Bedrock is unreachable or the control plane is refused (AccessDenied is common), the kept
entry or else the catalog's ``lifecycle`` answers, and ``LifecycleInfo.source`` says which.

The file is written atomically (``core.atomic_file``). A damaged or unreadable file is
treated as empty. Reading it is cheap (a parsed copy is kept while the file is unchanged),
so the model picker may ask for every model it lists, and botocore is imported only by
``refresh``. Nothing here starts a
thread; ``refresh`` makes network calls on the
calling thread, which must not be the GUI thread.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from imgloop_desktop.core.atomic_file import atomic_write
from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP, Phrase
from imgloop_desktop.core.models import Lifecycle
from imgloop_desktop.paths import data_dir
from imgloop_desktop.providers.catalog import (
    IMAGE_MODELS,
    base_model_id,
    call_region,
    current_replacement,
    text_spec,
)

log = logging.getLogger(__name__)

CACHE_FILE = "model_lifecycle.json"
CACHE_VERSION = 1
MAX_AGE = timedelta(days=7)

_CONTEXT = "Lifecycle"
"""The translation context of a lifecycle's words (resources/i18n/ja/validation.ts)."""


def _words(template: str, **values: object) -> Phrase:
    return Phrase(_CONTEXT, template, values)


BEDROCK = "bedrock"
CATALOG = "catalog"
NONE = "none"  # neither Bedrock (as far as kept) nor the catalog knows the id

# Answers that say the control plane will not answer these credentials at all: asking for
# the next model would only repeat them.
_REFUSED_CODES = frozenset(
    {
        "AccessDeniedException",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnknownOperationException",
    }
)


@dataclass(frozen=True)
class LifecycleInfo:
    """What is known of one model's lifecycle, and from where.

    ``end_of_life`` and ``legacy_since`` are ISO days ("2027-01-15") or "" when unknown;
    ``checked`` is the ISO day Bedrock was asked ("" for the catalog); ``source`` is
    "bedrock", "catalog" or "none" (an id neither knows: then ``status`` is ACTIVE only
    because nothing says otherwise). ``replacement`` is an Active model to suggest for a
    Legacy or end-of-life one ("" when none is known; from the catalog either way).
    """

    status: Lifecycle
    end_of_life: str = ""
    legacy_since: str = ""
    checked: str = ""
    source: str = CATALOG
    replacement: str = ""

    def source_words(self) -> Phrase:
        """Where this came from, in words: "from Bedrock, checked 2026-11-30"."""
        if self.source == BEDROCK:
            if self.checked:
                return _words(
                    QT_TRANSLATE_NOOP("Lifecycle", "from Bedrock, checked {date}"),
                    date=self.checked,
                )
            return _words(QT_TRANSLATE_NOOP("Lifecycle", "from Bedrock"))
        if self.source == CATALOG:
            return _words(QT_TRANSLATE_NOOP("Lifecycle", "from the app's catalog"))
        return _words(QT_TRANSLATE_NOOP("Lifecycle", "not known to the app's catalog"))

    @property
    def source_text(self) -> str:
        return str(self.source_words())

    def summary_words(self) -> Phrase:
        """One line for a tooltip or a check result, e.g. "Legacy since 2026-01-15, end of
        life 2027-01-15; consider us.anthropic.claude-sonnet-4-6 (from Bedrock, checked
        2026-11-30)", with its values apart (the window shows it translated)."""
        since, eol = self.legacy_since, self.end_of_life
        if self.status is Lifecycle.ACTIVE:
            state = _words(QT_TRANSLATE_NOOP("Lifecycle", "Active"))
        elif self.status is Lifecycle.LEGACY and since and eol:
            template = QT_TRANSLATE_NOOP("Lifecycle", "Legacy since {since}, end of life {eol}")
            state = _words(template, since=since, eol=eol)
        elif self.status is Lifecycle.LEGACY and since:
            template = QT_TRANSLATE_NOOP(
                "Lifecycle", "Legacy since {since}, end of life not announced"
            )
            state = _words(template, since=since)
        elif self.status is Lifecycle.LEGACY and eol:
            state = _words(QT_TRANSLATE_NOOP("Lifecycle", "Legacy, end of life {eol}"), eol=eol)
        elif self.status is Lifecycle.LEGACY:
            state = _words(QT_TRANSLATE_NOOP("Lifecycle", "Legacy, end of life not announced"))
        elif eol:
            state = _words(QT_TRANSLATE_NOOP("Lifecycle", "End of life since {eol}"), eol=eol)
        else:
            state = _words(QT_TRANSLATE_NOOP("Lifecycle", "End of life"))
        if self.replacement and self.status is not Lifecycle.ACTIVE:
            template = QT_TRANSLATE_NOOP("Lifecycle", "{state}; consider {model}")
            state = _words(template, state=state, model=self.replacement)
        return _words(
            QT_TRANSLATE_NOOP("Lifecycle", "{state} ({source})"),
            state=state,
            source=self.source_words(),
        )

    def summary(self) -> str:
        return str(self.summary_words())


class ControlPlane(Protocol):
    """The one Bedrock control-plane call read here (boto3's ``bedrock`` client)."""

    def get_foundation_model(self, *, modelIdentifier: str) -> Mapping[str, Any]: ...


# -- reading Bedrock's answer -----------------------------------------------------------------


def from_details(model_id: str, details: Mapping[str, Any], *, today: date) -> LifecycleInfo:
    """The lifecycle in a ``GetFoundationModel`` answer's ``modelDetails``, checked ``today``.

    A status other than ACTIVE (LEGACY, or one botocore does not know yet) is Legacy: the
    model still answers but is on its way out.
    """
    raw = details.get("modelLifecycle")
    lifecycle: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    status = str(lifecycle.get("status") or "ACTIVE").upper()
    return LifecycleInfo(
        status=Lifecycle.ACTIVE if status == "ACTIVE" else Lifecycle.LEGACY,
        end_of_life=_iso_day(lifecycle.get("endOfLifeTime")),
        legacy_since=_iso_day(lifecycle.get("legacyTime")),
        checked=today.isoformat(),
        source=BEDROCK,
        replacement=current_replacement(model_id) if status != "ACTIVE" else "",
    )


def _iso_day(value: object) -> str:
    """A botocore timestamp (datetime) or epoch seconds as a UTC ISO day; "" otherwise."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).date().isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return ""
    return ""


def from_catalog(model_id: str) -> LifecycleInfo:
    """The catalog's word on ``model_id`` (no dates: the catalog keeps none)."""
    base = base_model_id(model_id)
    image = next((s for s in IMAGE_MODELS if s.model_id == base), None)
    spec = image or text_spec(model_id)
    if spec is None:
        return LifecycleInfo(Lifecycle.ACTIVE, source=NONE)
    replacement = current_replacement(model_id) if spec.lifecycle is not Lifecycle.ACTIVE else ""
    return LifecycleInfo(spec.lifecycle, source=CATALOG, replacement=replacement)


# -- the kept answers ---------------------------------------------------------------------------


def default_path() -> Path:
    """The cache file in the app's data folder (read from the environment each time, so a
    test's ``IMGLOOP_DATA_DIR`` applies)."""
    return data_dir() / CACHE_FILE


_LOCK = threading.Lock()  # one read-modify-write at a time within the process
# The parsed file by path, with the (inode, mtime, size) it was read at: every write is a
# rename, so a new inode says the file changed.
_PARSED: dict[Path, tuple[tuple[int, int, int], dict[str, dict[str, dict[str, str]]]]] = {}


class LifecycleCache:
    """``{region: {base id: {status, end_of_life, legacy_since, checked}}}`` in one JSON file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else default_path()

    def get(self, region: str, model_id: str) -> LifecycleInfo | None:
        entry = self._load().get(region, {}).get(base_model_id(model_id))
        return _info(model_id, entry) if entry is not None else None

    def entries(self, model_id: str) -> dict[str, LifecycleInfo]:
        """Every kept answer for ``model_id``'s base id, by region."""
        base = base_model_id(model_id)
        found: dict[str, LifecycleInfo] = {}
        for region, models in self._load().items():
            entry = models.get(base)
            info = _info(model_id, entry) if entry is not None else None
            if info is not None:
                found[region] = info
        return found

    def put(self, region: str, model_id: str, info: LifecycleInfo) -> None:
        """Keep ``info`` (a Bedrock answer) for ``region`` and ``model_id``'s base id.

        Raises OSError when the file cannot be written; callers that only remember in
        passing (the connection check) catch it.
        """
        entry = {
            "status": info.status.value,
            "end_of_life": info.end_of_life,
            "legacy_since": info.legacy_since,
            "checked": info.checked,
        }
        with _LOCK:
            data = {r: dict(models) for r, models in self._load().items()}
            data.setdefault(region, {})[base_model_id(model_id)] = entry
            text = json.dumps({"version": CACHE_VERSION, "regions": data}, indent=2, sort_keys=True)
            atomic_write(self.path, (text + "\n").encode("utf-8"))
            _PARSED.pop(self.path, None)

    def _load(self) -> dict[str, dict[str, dict[str, str]]]:
        try:
            stat = self.path.stat()
        except OSError:
            return {}
        signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        kept = _PARSED.get(self.path)
        if kept is not None and kept[0] == signature:
            return kept[1]
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            log.warning("model lifecycle cache %s unreadable, ignored: %s", self.path, exc)
            return {}
        parsed = _parse(raw)
        _PARSED[self.path] = (signature, parsed)
        return parsed


_ENTRY_KEYS = ("status", "end_of_life", "legacy_since", "checked")


def _parse(raw: object) -> dict[str, dict[str, dict[str, str]]]:
    """Only well-formed entries of a file of this version; anything else is dropped."""
    if not isinstance(raw, Mapping) or raw.get("version") != CACHE_VERSION:
        return {}
    regions = raw.get("regions")
    parsed: dict[str, dict[str, dict[str, str]]] = {}
    for region, models in regions.items() if isinstance(regions, Mapping) else ():
        if not isinstance(region, str) or not isinstance(models, Mapping):
            continue
        for base, entry in models.items():
            if isinstance(base, str) and isinstance(entry, Mapping):
                fields = {k: entry.get(k) for k in _ENTRY_KEYS}
                if all(isinstance(v, str) for v in fields.values()):
                    parsed.setdefault(region, {})[base] = {k: str(v) for k, v in fields.items()}
    return parsed


def _info(model_id: str, entry: Mapping[str, str]) -> LifecycleInfo | None:
    try:
        status = Lifecycle(entry["status"])
        checked = date.fromisoformat(entry["checked"]).isoformat()
        days = [entry["end_of_life"], entry["legacy_since"]]
        for day in days:
            if day:
                date.fromisoformat(day)
    except (KeyError, ValueError):
        return None
    replacement = current_replacement(model_id) if status is not Lifecycle.ACTIVE else ""
    return LifecycleInfo(status, days[0], days[1], checked, BEDROCK, replacement)


# -- answering --------------------------------------------------------------------------------


def today_utc() -> date:
    return datetime.now(UTC).date()


def lookup_region(model_id: str, home: str) -> str:
    """The region whose control plane describes ``model_id`` as runs call it: the region a
    run would call it in from ``home`` (Stability models: us-west-2), else ``home``."""
    try:
        return call_region("model_id", model_id, home, pinned=False) or home
    except ValidationError:
        return home


def known(
    model_id: str,
    *,
    region: str | None = None,
    cache: LifecycleCache | None = None,
    today: date | None = None,
) -> LifecycleInfo:
    """The best answer without a network call: the kept Bedrock answer for ``region`` (the
    region runs would call the model in from there), else the most recently checked one
    of any region, else the catalog's. A kept Legacy answer whose end-of-life day has
    passed reads as end of life."""
    cache = cache or LifecycleCache()
    entries = cache.entries(model_id)
    chosen: LifecycleInfo | None = None
    if region:
        chosen = entries.get(lookup_region(model_id, region)) or entries.get(region)
    if chosen is None and entries:
        chosen = max(entries.values(), key=lambda info: info.checked)
    if chosen is None:
        return from_catalog(model_id)
    return _aged(chosen, today or today_utc())


def _aged(info: LifecycleInfo, today: date) -> LifecycleInfo:
    if (
        info.status is Lifecycle.LEGACY
        and info.end_of_life
        and date.fromisoformat(info.end_of_life) <= today
    ):
        return replace(info, status=Lifecycle.END_OF_LIFE)
    return info


def record(
    region: str,
    model_id: str,
    details: Mapping[str, Any],
    *,
    cache: LifecycleCache | None = None,
    today: date | None = None,
) -> LifecycleInfo:
    """Keep the lifecycle in a ``GetFoundationModel`` answer read in ``region`` (for callers
    that read it for their own reasons, like the connection check). Never raises: a cache
    that cannot be written is logged and the answer is still returned."""
    info = from_details(model_id, details, today=today or today_utc())
    try:
        (cache or LifecycleCache()).put(region, model_id, info)
    except OSError as exc:
        log.warning("could not keep the lifecycle of %s: %s", model_id, exc)
    return info


def read(client: ControlPlane, model_id: str, *, today: date | None = None) -> LifecycleInfo:
    """Ask Bedrock (``client``'s region) for ``model_id``'s lifecycle. Raises botocore's
    ClientError or BotoCoreError as they come."""
    answer = client.get_foundation_model(modelIdentifier=base_model_id(model_id))
    details = answer.get("modelDetails")
    return from_details(
        model_id, details if isinstance(details, Mapping) else {}, today=today or today_utc()
    )


def is_fresh(info: LifecycleInfo, today: date) -> bool:
    if info.source != BEDROCK or not info.checked:
        return False
    return today - date.fromisoformat(info.checked) < MAX_AGE


def refresh(
    client_for: Callable[[str], ControlPlane],
    home: str,
    model_ids: Iterable[str],
    *,
    cache: LifecycleCache | None = None,
    today: date | None = None,
) -> dict[str, LifecycleInfo]:
    """Each of ``model_ids``' lifecycle, asking Bedrock for those with no fresh kept answer.

    ``client_for(region)`` makes the control-plane client of a region, once per region
    (each model is looked up in the region runs call it in from ``home``; see
    ``lookup_region``); closing them is the caller's. Once Bedrock is unreachable or
    refuses these credentials, no further model is asked: the rest answer from what is
    kept or the catalog. Never raises for what AWS answers; a model Bedrock does not list
    (end of life, not offered there) is answered by what is kept or the catalog.
    """
    # botocore only here: the picker's ``known`` must not pay for importing it.
    from botocore.exceptions import BotoCoreError, ClientError

    cache = cache or LifecycleCache()
    day = today or today_utc()
    ready: dict[str, ControlPlane] = {}
    results: dict[str, LifecycleInfo] = {}
    stop = False
    for model_id in model_ids:
        region = lookup_region(model_id, home)
        kept = cache.get(region, model_id)
        info: LifecycleInfo | None = None
        if not stop and (kept is None or not is_fresh(kept, day)):
            try:
                client = ready.get(region)
                if client is None:
                    client = ready[region] = client_for(region)
                info = read(client, model_id, today=day)
            except ClientError as exc:
                # A model not listed (end of life, not offered there) stops nothing.
                code = str(exc.response.get("Error", {}).get("Code", "") or "")
                log.info("no lifecycle from Bedrock for %s in %s: %s", model_id, region, code)
                stop = code in _REFUSED_CODES
            except BotoCoreError as exc:  # unreachable, no credentials, a broken answer
                log.info("Bedrock's control plane not usable (%s); using what is kept", exc)
                stop = True
        if info is None:
            results[model_id] = known(model_id, region=home, cache=cache, today=day)
            continue
        try:
            cache.put(region, model_id, info)
        except OSError as exc:
            log.warning("could not keep the lifecycle of %s: %s", model_id, exc)
        results[model_id] = _aged(info, day)
    return results

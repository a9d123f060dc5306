"""Checklists written before, per (prompt, judge model), so writing one again costs nothing.

A small JSON file in the data folder, written atomically: a checklist is a few hundred
bytes and a person writes a few a day, so a file beats a table here, and the history stays
the record of runs. Both ``imgloop-cli checklist`` and a run (``services.run``) read and
fill it; a cache that cannot be read or written only costs a call.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from imgloop_desktop import paths
from imgloop_desktop.core import jsonsafe
from imgloop_desktop.core.atomic_file import atomic_write
from imgloop_desktop.core.checklist import Checklist, cache_key
from imgloop_desktop.core.checklist_prompts import PROMPT_VERSION
from imgloop_desktop.core.errors import ImgloopError, ValidationError

log = logging.getLogger(__name__)

CACHE_FILE = "checklists.json"
# Ten thousand checklists of a few hundred bytes: far more than a person writes, and a
# file that stays quick to read whole.
MAX_CACHED = 10_000
MAX_CACHE_BYTES = 16 * 1024 * 1024


SIMULATED = "simulated:"
"""Prefixed to the model id of checklists the offline demo's simulator wrote: they are made
up, and a real run of the same prompt must ask the real model, not reuse them."""


def key_for(prompt: str, judge_model_id: str, *, simulated: bool) -> str:
    """The cache key of a checklist written by today's checklist request, by a real model or
    (``simulated``) by the demo's simulator."""
    model = f"{SIMULATED}{judge_model_id}" if simulated else judge_model_id
    return cache_key(prompt, model, version=PROMPT_VERSION)


def _cache_path() -> Path:
    return paths.data_dir() / CACHE_FILE


def _read_cache() -> dict[str, object]:
    """The kept checklists by key; a missing, unreadable or foreign file is an empty cache
    (it only saves a call), never an error."""
    path = _cache_path()
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_CACHE_BYTES + 1)
        if len(data) > MAX_CACHE_BYTES:
            raise ValueError("too large")
        value = jsonsafe.loads(data, what="the checklist cache", max_bytes=MAX_CACHE_BYTES)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, ImgloopError) as exc:
        log.warning("ignoring the checklist cache %s: %s", path, exc)
        return {}
    return value if isinstance(value, dict) else {}


def cached(key: str) -> Checklist | None:
    entry = _read_cache().get(key)
    if entry is None:
        return None
    try:
        return Checklist.from_json(entry)
    except ValidationError as exc:
        log.warning("ignoring a damaged cached checklist: %s", exc)
        return None


def keep(key: str, checklist: Checklist) -> None:
    """Add to the cache; the oldest entries go past MAX_CACHED. A cache that cannot be
    written costs a call next time, nothing more."""
    cache = _read_cache()
    cache.pop(key, None)
    cache[key] = checklist.to_json()
    while len(cache) > MAX_CACHED:
        cache.pop(next(iter(cache)))
    try:
        path = _cache_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(cache, ensure_ascii=False).encode("utf-8"))
    except OSError as exc:
        log.warning("the checklist could not be kept for next time: %s", exc)

"""Writing a prompt's requirement checklist with the judge's model (issue 12), kept per
(prompt, judge model) so writing it again costs nothing.

One Converse call turns the person's prompt into atomic requirements (``core.checklist``);
an unreadable answer is asked for once more, then reported. The cache is a small JSON file
in the data folder, written atomically: a checklist is a few hundred bytes and a person
writes a few a day, so a file beats a table here, and the history stays the record of runs.
The loop will use the same function before a run's first judgement (next step of issue 12).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from imgloop_desktop import paths
from imgloop_desktop.core import jsonsafe
from imgloop_desktop.core.atomic_file import atomic_write
from imgloop_desktop.core.checklist import Checklist, cache_key
from imgloop_desktop.core.checklist_prompts import PROMPT_VERSION, checklist_prompt, parse_checklist
from imgloop_desktop.core.errors import (
    ImgloopError,
    ModelOutputError,
    Problem,
    ServiceError,
    ValidationError,
)
from imgloop_desktop.core.param_values import short, text_problem
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.providers import catalog
from imgloop_desktop.providers.bedrock import ConverseChat
from imgloop_desktop.providers.session import CredentialsSource, make_clients
from imgloop_desktop.services.run import close_clients

log = logging.getLogger(__name__)

CACHE_FILE = "checklists.json"
# Ten thousand checklists of a few hundred bytes: far more than a person writes, and a
# file that stays quick to read whole.
MAX_CACHED = 10_000
MAX_CACHE_BYTES = 16 * 1024 * 1024
MAX_PROMPT_CHARS = 10_000  # the longest prompt any catalog image model takes


@dataclass(frozen=True)
class Written:
    checklist: Checklist
    judge_model_id: str
    region: str  # "" when it came from the cache
    cached: bool


def write_checklist(
    params: RunParams, *, credentials: CredentialsSource, use_cache: bool = True
) -> Written:
    """The checklist for ``params.prompt`` written by ``params.judge_model_id`` with the
    reviser's sampling settings, from the cache when it was written before.

    Raises ValidationError (a prompt or model no run would take), ServiceError (Bedrock
    refused, or the model's answer was unreadable twice) before anything is cached.
    """
    problem = _prompt_problem(params.prompt)
    if problem:
        raise ValidationError([Problem("prompt", short(params.prompt), problem)])
    judge = params.judge_model_id
    key = cache_key(params.prompt, judge, version=PROMPT_VERSION)
    if use_cache:
        kept = _cached(key)
        if kept is not None:
            return Written(kept, judge, "", cached=True)
    pinned = bool(params.aws_region)
    catalog.call_region("judge_model_id", judge, params.aws_region or "us-east-1", pinned=pinned)
    clients = make_clients(credentials, params.aws_region or None)
    try:
        region = catalog.call_region("judge_model_id", judge, clients.region, pinned=pinned)
        client, region = clients.runtime(region)
        chat = ConverseChat(client, judge, region=region)
        written = _ask(chat, params)
    finally:
        close_clients(clients)
    _keep(key, written)
    return Written(written, judge, region, cached=False)


def _prompt_problem(prompt: str) -> str | None:
    if not prompt.strip():
        return "a prompt that is not empty or only spaces"
    if len(prompt) > MAX_PROMPT_CHARS:
        return f"at most {MAX_PROMPT_CHARS:,} characters (this one has {len(prompt):,})"
    return text_problem(prompt)


def _ask(chat: ConverseChat, params: RunParams) -> Checklist:
    """One call; an unreadable answer is asked for once more, then is an error."""
    request = checklist_prompt(params.prompt)
    error: ModelOutputError | None = None
    for _ in range(2):
        reply = chat.ask(request, params.revise_settings)
        try:
            return parse_checklist(reply.text)
        except ModelOutputError as exc:
            error = exc
    raise ServiceError(
        f"{chat.model_id} in {chat.region} did not write a usable checklist, twice: {error}",
        model_id=chat.model_id,
        region=chat.region,
        hint="Try again, or pick another judge model.",
    )


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


def _cached(key: str) -> Checklist | None:
    entry = _read_cache().get(key)
    if entry is None:
        return None
    try:
        return Checklist.from_json(entry)
    except ValidationError as exc:
        log.warning("ignoring a damaged cached checklist: %s", exc)
        return None


def _keep(key: str, checklist: Checklist) -> None:
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

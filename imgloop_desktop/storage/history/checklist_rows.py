"""Checklists, item verdicts and a person's ticks as the history stores them (schema v7).

They are kept as JSON text in ordinary columns (``''`` when there is none), written in the
shapes ``Checklist.to_json`` and ``ItemVerdicts.to_json`` give, so a saved run reads back
through the same validating loaders the rest of the app uses. Reading is forgiving on
purpose: one damaged value (a hand-edited file, a bug in an older build) must not make a
whole session unreadable, so it is logged and read as "none" instead of raising.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Mapping

from imgloop_desktop.core import jsonsafe
from imgloop_desktop.core.checklist import MAX_CHECKLIST_BYTES, Checklist, ItemVerdicts
from imgloop_desktop.core.errors import ValidationError

log = logging.getLogger(__name__)

# Item verdicts carry evidence (up to ~560 characters each, 30 items): well under this.
MAX_CHECKS_BYTES = 256 * 1024


def checklist_text(checklist: Checklist | None) -> str:
    """A checklist as stored: its JSON list, or '' for none. Not ASCII-escaped, so the
    text stays readable in the file and searchable with LIKE in any script."""
    if checklist is None:
        return ""
    return json.dumps(checklist.to_json(), ensure_ascii=False)


def items_text(checklist: Checklist | None) -> str:
    """The items' texts, one per line: what session search matches, without the JSON's
    keys ("must", "kind") matching every checklist run."""
    if checklist is None:
        return ""
    return "\n".join(item.text for item in checklist.items)


def checks_text(checks: ItemVerdicts | None) -> str:
    if checks is None:
        return ""
    return json.dumps(checks.to_json(), ensure_ascii=False)


def human_items_text(items: Mapping[str, bool] | None) -> str:
    """A person's ticks by item id, or '' when they decided the image as a whole."""
    if not items:
        return ""
    return json.dumps(dict(items), ensure_ascii=False, sort_keys=True)


@functools.lru_cache(maxsize=256)
def _parse_checklist(text: str) -> Checklist | str:
    """A checklist, or why it cannot be read. Cached: every image of a run carries the same
    few checklists, and a ``Checklist`` is immutable, so one parse serves them all."""
    try:
        return Checklist.loads(text, name="checklist")
    except ValidationError as exc:
        return str(exc)


def read_checklist(text: str | None, where: str) -> Checklist | None:
    """The stored checklist, or None for none or a damaged value (logged with ``where``)."""
    if not text:
        return None
    parsed = _parse_checklist(text)
    if isinstance(parsed, str):
        log.warning("%s: the stored checklist cannot be read (%s); shown without it", where, parsed)
        return None
    return parsed


def read_checks(text: str | None, checklist: Checklist | None, where: str) -> ItemVerdicts | None:
    """The stored item verdicts for ``checklist``; None without either, or when damaged."""
    if not text or checklist is None:
        return None
    try:
        value = jsonsafe.loads(text, what=where, max_bytes=MAX_CHECKS_BYTES)
        return ItemVerdicts.from_json(value, checklist)
    except (jsonsafe.JsonLimitError, ValidationError, ValueError) as exc:
        log.warning("%s: the stored item verdicts cannot be read (%s); shown without", where, exc)
        return None


def read_human_items(text: str | None, where: str) -> dict[str, bool]:
    """A person's ticks by item id; {} for none or a damaged value (logged)."""
    if not text:
        return {}
    try:
        value = jsonsafe.loads(text, what=where, max_bytes=MAX_CHECKLIST_BYTES)
    except jsonsafe.JsonLimitError as exc:
        log.warning("%s: the stored item ticks cannot be read (%s)", where, exc)
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, bool) for k, v in value.items()
    ):
        log.warning("%s: the stored item ticks are not a map of item id to true/false", where)
        return {}
    return dict(value)

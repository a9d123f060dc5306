"""Money as the history stores it (schema v8): exact decimal text, and the reasons a cost is
incomplete as a JSON list.

SQLite has no decimal type: a REAL cannot hold $0.003 exactly, and ``sum()`` over TEXT
converts to REAL. So every amount is kept as the text of a ``Decimal`` (plain notation, no
exponent, so the file reads as a person expects) and every sum is made here, in Python.
A ``Cost`` keeps what could not be priced; that list travels with the amount, so a month
with one unknown price reads back as incomplete, never as a smaller complete sum.

Reading is forgiving like ``checklist_rows``: a damaged value is logged and read as a cost
that says so, never as zero and never as an exception that hides the whole session.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from imgloop_desktop.core.cost import Cost

log = logging.getLogger(__name__)

DAMAGED = "a cost in the history could not be read"


def usd_text(cost: Cost) -> str:
    """The known part, exactly, without an exponent (``0.000123``, never ``1.23E-4``)."""
    return format(cost.known, "f")


def missing_text(cost: Cost) -> str:
    """What could not be priced, as a JSON list (``[]`` when the cost is complete)."""
    return json.dumps(list(cost.missing), ensure_ascii=False)


def read_cost(usd: object, missing_json: object, where: str) -> Cost | None:
    """A stored cost; None when none was stored (both columns NULL). A damaged amount or
    list is logged with ``where`` and read as incomplete, naming the damage."""
    if usd is None and missing_json is None:
        return None
    try:
        known = Decimal(str(usd))
        if not known.is_finite():
            raise InvalidOperation(str(usd))
    except InvalidOperation:
        log.warning("%s: the amount %r cannot be read; it is shown as unknown", where, usd)
        return Cost.unknown(DAMAGED)
    missing: tuple[str, ...] = ()
    if missing_json not in (None, ""):
        try:
            value = json.loads(str(missing_json))
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError("not a list of text")
            missing = tuple(value)
        except ValueError:
            log.warning("%s: what was not priced cannot be read; the cost is incomplete", where)
            missing = (DAMAGED,)
    return Cost(known, tuple(sorted(set(missing))))


def total(costs: Iterable[Cost | None]) -> Cost | None:
    """The sum of ``costs``, None when there is none to sum (nothing recorded)."""
    result: Cost | None = None
    for cost in costs:
        if cost is not None:
            result = cost if result is None else result + cost
    return result

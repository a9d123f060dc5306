"""The estimate before Run (issue 13): every call the loop can make for a run's parameters,
priced at its worst case, and the expected cost from the person's own median attempts.

The counting rules are ``core.cost``'s module docstring; they follow ``core.loop``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from imgloop_desktop.core.checklist import (
    MAX_ID_CHARS,
    MAX_ITEMS,
    MAX_TEXT_CHARS,
    Checklist,
    ChecklistItem,
)
from imgloop_desktop.core.checklist_prompts import (
    checklist_prompt,
    judge_checklist_prompt,
    pairwise_prompt,
    revise_checklist_prompt,
)
from imgloop_desktop.core.cost import (
    Cost,
    ImageCall,
    PriceTable,
    TextRequest,
    judge_image_size,
    worst_case_call,
)
from imgloop_desktop.core.events import CallKind
from imgloop_desktop.core.models import ImageModelSpec
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.prompts import judge_prompt, revise_prompt
from imgloop_desktop.core.text_limits import MAX_REASON_CHARS

# -- the estimate before Run ------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One kind of call in an estimate: ``calls`` calls, paid as ``units`` units of
    ``each`` (a generation's unit is one attempt, which may be several image calls: a
    one-image-per-call model asked for 3 images makes 3; every other unit is one call).
    A run's ``Spent`` names an "again" line's calls by ``kind.billed_as``."""

    kind: CallKind
    calls: int
    units: int
    each: Cost
    total: Cost

    def to_json(self) -> dict[str, object]:
        return {
            "kind": str(self.kind),
            "calls": self.calls,
            "units": self.units,
            "each": self.each.to_json(),
            "total": self.total.to_json(),
        }


@dataclass(frozen=True)
class Estimate:
    """The figures the form shows before Run.

    ``first_attempt``: a run whose first image is approved, with what the concurrency
    settings start alongside it; ``worst_case``: every attempt, judgement, retry, revision,
    checklist and comparison the loop can make; ``breakdown``: the worst case by call kind.
    """

    first_attempt: Cost
    worst_case: Cost
    breakdown: tuple[Line, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "first_attempt": self.first_attempt.to_json(),
            "worst_case": self.worst_case.to_json(),
            "breakdown": [line.to_json() for line in self.breakdown],
        }


@dataclass(frozen=True)
class _Calls:
    """The worst-case price of one call of each kind for a run's settings."""

    generation: Cost  # one attempt: every image call it makes
    calls_per_generation: int
    judge: Cost
    checklist: Cost
    revise: Cost
    compare: Cost


def _placeholder_checklist() -> Checklist:
    """The largest checklist a model may write (``MAX_ITEMS`` items of ``MAX_TEXT_CHARS``
    characters, ids of ``MAX_ID_CHARS``): the bound on the judge's request before it is
    written. Dependencies are left out: they add a few ids per item at most."""
    items = tuple(
        ChecklistItem(
            id=f"{n:0{MAX_ID_CHARS}d}",
            text=(f"{n:03d} " + "W" * MAX_TEXT_CHARS)[:MAX_TEXT_CHARS],
            must=True,
        )
        for n in range(1, MAX_ITEMS + 1)
    )
    return Checklist(items)


def _checklist_revision_brief(params: RunParams, spec: ImageModelSpec) -> str:
    """A stand-in for the longest ``revision_brief``: every item failed with two quoted
    pieces of evidence of a reason's length, and every prompt version at the model's limit."""
    evidence = "E" * MAX_REASON_CHARS
    items = [
        f'- [must] "{"W" * MAX_TEXT_CHARS}" (99 of 99 images): "{evidence}" / "{evidence}"'
        for _ in range(MAX_ITEMS)
    ]
    versions = [
        f'{n}. "{"P" * spec.prompt_max_chars}": best image met 99 of 99 requirements '
        "(99 of 99 musts), 99 image(s)"
        for n in range(1, params.max_prompt_revisions + 2)
    ]
    return "\n".join(["Failed (fix these):", *items, "Prompt versions so far:", *versions])


def _split(images: int, per_call: int) -> list[int]:
    """Images asked per call for one attempt (``providers.bedrock`` splits the same way)."""
    per_call = max(1, per_call)
    images = max(1, images)
    return [min(per_call, images - first) for first in range(0, images, per_call)]


def _call_prices(
    params: RunParams,
    spec: ImageModelSpec,
    prices: PriceTable,
    image_region: str,
    judge_region: str,
) -> _Calls:
    width, height = spec.nearest_size(params.titan_img_width, params.titan_img_height)
    split = _split(_counts(params)[2], spec.max_images)
    generation = Cost.total(
        worst_case_call(ImageCall(params.image_model_id, width, height, n, image_region), prices)
        for n in split
    )
    judged = judge_image_size(width, height, params.judge_image_max_side)
    judge_id = params.judge_model_id
    judge_tokens = params.claude_validate_max_tokens
    revise_tokens = params.claude_revise_max_tokens

    def text(request: str, max_tokens: int, images: int = 0) -> Cost:
        return worst_case_call(
            TextRequest(judge_id, request, max_tokens, (judged,) * images, judge_region), prices
        )

    verdict_judge = text(judge_prompt(params.prompt), judge_tokens, 1)
    latest = "P" * spec.prompt_max_chars
    attempts, _, images, _ = _counts(params)
    reasons = ["R" * MAX_REASON_CHARS] * (attempts * images)
    verdict_revise = text(
        revise_prompt(original=params.prompt, latest=latest, reasons=reasons, spec=spec),
        revise_tokens,
    )
    if not params.uses_checklist:
        return _Calls(generation, len(split), verdict_judge, Cost(), verdict_revise, Cost())
    checklist = params.checklist or _placeholder_checklist()
    checklist_judge = text(judge_checklist_prompt(params.prompt, checklist), judge_tokens, 1)
    brief = _checklist_revision_brief(params, spec)
    checklist_revise = text(
        revise_checklist_prompt(original=params.prompt, latest=latest, brief=brief, spec=spec),
        revise_tokens,
    )
    # A checklist that cannot be written leaves the run judging (and revising) against the
    # whole prompt: the dearer of the two bounds each such call.
    return _Calls(
        generation,
        len(split),
        _dearer(verdict_judge, checklist_judge),
        text(checklist_prompt(params.prompt), revise_tokens),
        _dearer(verdict_revise, checklist_revise),
        text(pairwise_prompt(params.prompt, checklist), judge_tokens, 2),
    )


def _dearer(a: Cost, b: Cost) -> Cost:
    """The larger bound; an incomplete one counts by its known part and stays incomplete."""
    larger = a if a.known >= b.known else b
    return Cost(larger.known, (a + b).missing)


def _line(kind: CallKind, units: int, each: Cost, calls_per_unit: int = 1) -> Line:
    """``units`` of ``kind``, each costing ``each`` and making ``calls_per_unit`` calls."""
    return Line(kind, units * calls_per_unit, units, each, each.times(units))


def _counts(params: RunParams) -> tuple[int, int, int, int]:
    """Attempts, revisions, images per attempt and candidates in flight, brought inside
    what the loop can do: the form asks for an estimate while a field is still being typed,
    before validation, and an out-of-range number must not make a negative figure."""
    return (
        max(params.max_retry_attempts, 0),
        max(params.max_prompt_revisions, 0),
        max(params.titan_img_number_of_images, 1),
        max(params.candidates_in_flight, 1),
    )


def _plan(params: RunParams, calls: _Calls, approved_at: int | None) -> tuple[Line, ...]:
    """The calls of a run approved at overall attempt ``approved_at`` (1-based, counting
    across prompt versions), or of one never approved (None: the worst case).

    Approved runs count each call once (no retries) plus what the concurrency settings
    start alongside the approved attempt; the worst case counts every retry too.
    """
    attempts, revisions, images, in_flight = _counts(params)
    versions = revisions + 1
    writes_checklist = params.uses_checklist and params.checklist is None
    lines: list[Line] = []
    if approved_at is None or attempts == 0:
        generations = versions * attempts
        lines.append(
            _line(CallKind.GENERATE, generations, calls.generation, calls.calls_per_generation)
        )
        lines.append(_line(CallKind.JUDGE, generations * images, calls.judge))
        lines.append(_line(CallKind.JUDGE_AGAIN, generations * images, calls.judge))
        if writes_checklist:
            lines.append(_line(CallKind.CHECKLIST, 1, calls.checklist))
            lines.append(_line(CallKind.CHECKLIST_AGAIN, 1, calls.checklist))
        lines.append(_line(CallKind.REVISE, revisions, calls.revise))
        lines.append(_line(CallKind.REVISE_AGAIN, revisions, calls.revise))
        if params.uses_checklist:
            lines.append(_line(CallKind.COMPARE, 2, calls.compare))
        return tuple(lines)
    n = min(max(approved_at, 1), versions * attempts)
    version = (n - 1) // attempts  # 0-based prompt version of the approved attempt
    used = n - version * attempts  # attempts of that version up to the approved one
    alongside = in_flight - 1 + (1 if params.speculative_next else 0)
    generations = n + min(attempts - used, alongside)
    lines.append(
        _line(CallKind.GENERATE, generations, calls.generation, calls.calls_per_generation)
    )
    lines.append(_line(CallKind.JUDGE, generations * images, calls.judge))
    if writes_checklist:
        lines.append(_line(CallKind.CHECKLIST, 1, calls.checklist))
    lines.append(_line(CallKind.REVISE, version, calls.revise))
    return tuple(line for line in lines if line.calls)


def _sum(lines: Iterable[Line]) -> Cost:
    return Cost.total(line.total for line in lines)


def estimate(
    params: RunParams,
    image_spec: ImageModelSpec,
    prices: PriceTable,
    *,
    image_region: str = "",
    judge_region: str = "",
) -> Estimate:
    """The first attempt's and the worst case's cost of running ``params`` on
    ``image_spec`` (the catalog's spec for ``params.image_model_id``), priced by
    ``prices`` in the regions the calls go to (``catalog.call_region``; "" when unknown).

    Never calls a service. A price the table lacks makes the figures incomplete, with the
    known part and what is missing.
    """
    calls = _call_prices(params, image_spec, prices, image_region, judge_region)
    worst = tuple(line for line in _plan(params, calls, None) if line.calls)
    first = _plan(params, calls, 1)
    return Estimate(first_attempt=_sum(first), worst_case=_sum(worst), breakdown=worst)


def expected(
    params: RunParams,
    image_spec: ImageModelSpec,
    prices: PriceTable,
    median_attempts: float | Decimal,
    *,
    image_region: str = "",
    judge_region: str = "",
) -> Cost:
    """The cost of a run approved at the person's median attempt for this model pair
    (attempts counted across prompt versions, from the history), each call at its bound.

    A fractional median (an even number of runs) is interpolated between its neighbours;
    one past the run's last attempt is taken as the last. Raises ValueError for a median
    that is not a finite number of at least 1.
    """
    median = (
        median_attempts if isinstance(median_attempts, Decimal) else Decimal(str(median_attempts))
    )
    if not median.is_finite() or median < 1:
        raise ValueError(f"median_attempts must be a finite number of at least 1, not {median}")
    attempts, revisions, _, _ = _counts(params)
    calls = _call_prices(params, image_spec, prices, image_region, judge_region)
    if attempts == 0:  # nothing is generated, so nothing can be approved
        return _sum(_plan(params, calls, None))
    median = min(median, Decimal((revisions + 1) * attempts))
    low = int(median)
    fraction = median - low
    low_cost = _sum(_plan(params, calls, low))
    if fraction == 0:
        return low_cost
    high_cost = _sum(_plan(params, calls, low + 1))
    known = low_cost.known + (high_cost.known - low_cost.known) * fraction
    return Cost(known, (low_cost + high_cost).missing)

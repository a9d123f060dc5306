"""Whether a run's parameters can run, and where its models are called: what the form's
cost estimate and every front end ask before a run, without the run machinery (the loop,
the clients, the history recorder) that ``services.run`` brings, which the window's start
does not need (issue 15).
"""

from __future__ import annotations

from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.models import ImageModelSpec
from imgloop_desktop.core.params import RunParams, validate
from imgloop_desktop.providers import catalog
from imgloop_desktop.providers.catalog import image_spec
from imgloop_desktop.providers.session import FALLBACK_REGION


def check(params: RunParams) -> ImageModelSpec:
    """The image model's spec, or ValidationError with every problem in ``params``:
    its fields, and each model against the region when the person set one (or against
    profile rules that hold in every region)."""
    spec = image_spec(params.image_model_id)
    problems = validate(params, spec)
    if not problems:
        home = params.aws_region or FALLBACK_REGION
        for field, model_id in _model_fields(params):
            try:
                catalog.call_region(field, model_id, home, pinned=bool(params.aws_region))
            except ValidationError as exc:
                problems += [p for p in exc.problems if p not in problems]
    if problems:
        raise ValidationError(problems)
    return spec


def _model_fields(params: RunParams) -> tuple[tuple[str, str], ...]:
    return (("image_model_id", params.image_model_id), ("judge_model_id", params.judge_model_id))


def regions(params: RunParams, home: str) -> tuple[str, str]:
    """Where the image model and the judge are called for a person whose region is
    ``home`` (see ``catalog.call_region``); ``check`` has already refused what cannot be."""
    pinned = bool(params.aws_region)
    return (
        catalog.call_region("image_model_id", params.image_model_id, home, pinned=pinned),
        catalog.call_region("judge_model_id", params.judge_model_id, home, pinned=pinned),
    )

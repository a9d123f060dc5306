"""What a run will cost before it starts (issue 13), for the form and ``run --estimate``.

No Bedrock call and no credentials: the regions are the ones a run would use from the
event's region (else us-east-1), because a regional profile can cost more than a global one.
"""

from __future__ import annotations

from dataclasses import dataclass

from imgloop_desktop.core.cost import Cost
from imgloop_desktop.core.cost_estimate import Estimate, estimate, expected
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.price_overrides import Overrides
from imgloop_desktop.providers.prices import price_table
from imgloop_desktop.providers.session import FALLBACK_REGION
from imgloop_desktop.services.run import check, regions


@dataclass(frozen=True)
class RunEstimate:
    estimate: Estimate
    expected: Cost | None
    """From the person's median attempts to approval for this model pair; None without
    history for it."""
    median_attempts: float | None
    image_region: str
    judge_region: str

    def to_json(self) -> dict[str, object]:
        return {
            **self.estimate.to_json(),
            "expected": self.expected.to_json() if self.expected is not None else None,
            "median_attempts": self.median_attempts,
            "image_region": self.image_region,
            "judge_region": self.judge_region,
        }


def estimate_run(
    params: RunParams,
    *,
    overrides: Overrides | None = None,
    median_attempts: float | None = None,
) -> RunEstimate:
    """The first attempt's cost, the worst case and (with ``median_attempts``) the expected
    cost of ``params``. Raises ValidationError for parameters no run would take."""
    spec = check(params)
    image_region, judge_region = regions(params, params.aws_region or FALLBACK_REGION)
    table = price_table(overrides)
    figures = estimate(params, spec, table, image_region=image_region, judge_region=judge_region)
    likely = None
    if median_attempts is not None:
        likely = expected(
            params,
            spec,
            table,
            median_attempts,
            image_region=image_region,
            judge_region=judge_region,
        )
    return RunEstimate(figures, likely, median_attempts, image_region, judge_region)

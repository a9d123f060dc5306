"""Suggested queue limits from the account's quota: the quota itself, inside the ranges the
file allows, and image calls at once a tenth of it."""

from __future__ import annotations

import pytest

from imgloop_desktop.services.queue_limits import (
    RANGES,
    ImageQuota,
    QueueLimits,
    QuotaTarget,
    account_quota,
    suggested_limits,
)


def _quota(per_minute: float) -> ImageQuota:
    return ImageQuota(
        model_id="stability.stable-image-core-v1:1",
        model_name="Stable Image Core",
        region="us-west-2",
        requests_per_minute=per_minute,
        quota_name="On-demand InvokeModel requests per minute for Stable Image Core",
        quota_code="L-TEST",
        applied=True,
    )


@pytest.mark.parametrize(
    ("per_minute", "at_once", "calls"),
    [
        (20.0, 2, 20),  # the shipped defaults
        (10.0, 1, 10),
        (7.9, 1, 7),  # whole calls, rounded down
        (0.0, 1, 1),  # a quota of nothing still leaves the lowest allowed values
        (95.0, 9, 95),
        (1_000_000.0, RANGES["image_calls_at_once"][1], RANGES["image_calls_per_minute"][1]),
    ],
)
def test_the_suggestion_follows_the_quota_inside_the_ranges(
    per_minute: float, at_once: int, calls: int
) -> None:
    current = QueueLimits(items_at_once=7, image_calls_at_once=5, image_calls_per_minute=300)
    suggested = suggested_limits(_quota(per_minute), current)
    assert suggested == QueueLimits(
        items_at_once=7, image_calls_at_once=at_once, image_calls_per_minute=calls
    )
    QueueLimits.from_json(
        {
            "items_at_once": suggested.items_at_once,
            "image_calls_at_once": suggested.image_calls_at_once,
            "image_calls_per_minute": suggested.image_calls_per_minute,
        }
    )  # always a value the file accepts


def test_the_demo_has_no_account_to_ask() -> None:
    with pytest.raises(ValueError, match="offline demo"):
        account_quota(QuotaTarget(None, "stability.stable-image-core-v1:1"))

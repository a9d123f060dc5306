"""How hard the window's queue may press the account: items at once, image calls at once,
image calls per minute. Kept in ``<data dir>/queue.json`` (Preferences → Queue).

The defaults are deliberately modest: Bedrock's on-demand quotas are per model and per
Region, and new accounts often get less than the published defaults (the quotas page says
so), so a first queue should not meet throttling at once. Throttling answers lower the
rate automatically and successes raise it back to the ceiling set here; a person whose
Service Quotas show more raises these.

Preferences → Queue can also read the account's own quota for the form's image model
(``account_quota``, Service Quotas through ``providers.quotas``) and turn it into suggested
limits (``suggested_limits``); nothing is saved until the person saves.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from imgloop_desktop import paths
from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP
from imgloop_desktop.core.param_values import ONE_OF, short

# ImageQuota is re-exported: the window reads it from here (front ends reach providers
# only through services).
from imgloop_desktop.providers.quotas import ImageQuota as ImageQuota
from imgloop_desktop.providers.quotas import read_image_quota
from imgloop_desktop.providers.session import CredentialsSource
from imgloop_desktop.services.batch_engine import CallLimits
from imgloop_desktop.services.settings_files import read_settings, write_settings

LIMITS_FILE = "queue.json"
MAX_LIMITS_BYTES = 4096

# (field, lowest, highest) for each limit; the window's spin boxes use the same ranges.
RANGES: dict[str, tuple[int, int]] = {
    "items_at_once": (1, 16),
    "image_calls_at_once": (1, 16),
    "image_calls_per_minute": (1, 6000),
}


@dataclass(frozen=True)
class QueueLimits:
    items_at_once: int = 3
    image_calls_at_once: int = 2
    image_calls_per_minute: int = 20

    def call_limits(self) -> CallLimits:
        return CallLimits(
            concurrent_calls=self.image_calls_at_once,
            calls_per_minute=float(self.image_calls_per_minute),
            min_calls_per_minute=min(1.0, float(self.image_calls_per_minute)),
        )

    @classmethod
    def from_json(cls, value: object) -> QueueLimits:
        """Checked values (ValidationError naming each bad field, its value, the range)."""
        if not isinstance(value, dict):
            raise ValidationError(
                [
                    Problem.of(
                        "queue limits",
                        short(repr(value)),
                        QT_TRANSLATE_NOOP("Validation", "a JSON object"),
                    )
                ]
            )
        problems: list[Problem] = []
        known: dict[str, int] = {}
        for name in value:
            if name not in RANGES:
                problems.append(Problem.of(name, "set", ONE_OF, choices=", ".join(RANGES)))
        for name, (low, high) in RANGES.items():
            if name not in value:
                continue
            got = value[name]
            if isinstance(got, bool) or not isinstance(got, int) or not low <= got <= high:
                problems.append(
                    Problem.of(
                        name,
                        short(repr(got)),
                        QT_TRANSLATE_NOOP("Validation", "a whole number {low}-{high}"),
                        low=low,
                        high=high,
                    )
                )
            else:
                known[name] = got
        if problems:
            raise ValidationError(problems)
        return cls(**known)


def _path() -> Path:
    return paths.data_dir() / LIMITS_FILE


def limits_file() -> Path:
    return _path()


def load_limits() -> QueueLimits:
    """The saved limits; none saved means the defaults. A bad file raises ValidationError
    naming the file and the field (a silently ignored file would run faster than asked)."""
    return read_settings(
        _path(), "queue limits", QueueLimits.from_json, QueueLimits, max_bytes=MAX_LIMITS_BYTES
    )


def save_limits(limits: QueueLimits) -> None:
    """Write atomically; raises OSError when the data folder cannot be written."""
    QueueLimits.from_json(asdict(limits))  # never write what would not load
    write_settings(_path(), asdict(limits))


# About how many image calls one "at once" slot makes in a minute: a Stability image (the
# catalog's active models, about 1 MP each) takes several seconds to come back, so one slot
# makes roughly ten calls a minute. More slots than the quota can feed only queue more
# calls for Bedrock to throttle.
CALLS_PER_MINUTE_PER_SLOT = 10


@dataclass(frozen=True)
class QuotaTarget:
    """Whose quota to read, for which model, where: the credentials runs use (None in the
    offline demo, whose simulated Bedrock has no account), the form's image model, and the
    form's region (None: where the model is served, as runs choose)."""

    source: CredentialsSource | None
    image_model_id: str
    region: str | None = None


def account_quota(target: QuotaTarget) -> ImageQuota:
    """The account's requests-per-minute quota for the target's model (network calls: run
    it off the GUI thread). Raises ServiceError in plain words (no permission, no network,
    no quota listed for the model) and ValidationError for an unknown model or region; a
    demo target (no credentials) is refused with ValueError: the caller says so first."""
    if target.source is None:
        raise ValueError("the offline demo has no AWS account to read quotas from")
    return read_image_quota(target.source, target.image_model_id, target.region)


def _clamp(name: str, value: int) -> int:
    low, high = RANGES[name]
    return max(low, min(high, value))


def suggested_limits(quota: ImageQuota, current: QueueLimits) -> QueueLimits:
    """Limits that use the account's quota without asking for throttling.

    Image calls per minute: the quota itself (whole calls, rounded down), inside RANGES:
    the queue's own rate limiter then never sends faster than Bedrock admits, and its
    throttling back-off is left for other traffic on the same account. Image calls at once:
    one per CALLS_PER_MINUTE_PER_SLOT calls a minute (at least one), since more calls in
    flight than the quota can serve would only wait to be throttled; a quota of 20 gives
    the shipped defaults, 2 at once. Items running at once are the person's choice (they
    share the calls) and stay as they are.
    """
    per_minute = _clamp("image_calls_per_minute", math.floor(quota.requests_per_minute))
    at_once = _clamp("image_calls_at_once", per_minute // CALLS_PER_MINUTE_PER_SLOT)
    return replace(current, image_calls_per_minute=per_minute, image_calls_at_once=at_once)

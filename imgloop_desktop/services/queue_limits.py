"""How hard the window's queue may press the account: items at once, image calls at once,
image calls per minute. Kept in ``<data dir>/queue.json`` (Preferences → Queue).

The defaults are deliberately modest: Bedrock's on-demand quotas are per model and per
Region, and new accounts often get less than the published defaults (the quotas page says
so), so a first queue should not meet throttling at once. Throttling answers lower the
rate automatically and successes raise it back to the ceiling set here; a person whose
Service Quotas show more raises these.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from imgloop_desktop import paths
from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP
from imgloop_desktop.core.param_values import ONE_OF, short
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

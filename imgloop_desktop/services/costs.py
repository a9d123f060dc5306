"""What a run will cost before it starts (issue 13), and the person's cost settings.

The estimate needs no Bedrock call and no credentials: the regions are the ones a run would
use from the event's region (else us-east-1), because a regional profile can cost more than
a global one.

The cost settings (a monthly budget and the person's own price rows) live in one small JSON
file in the data folder, not in the window's QSettings, so the headless command keeps the
same budget and prices as the window: a monthly cap that only the window respected would
not be a cap.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from imgloop_desktop import paths
from imgloop_desktop.core.cost import Cost
from imgloop_desktop.core.cost_estimate import Estimate, estimate, expected
from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP
from imgloop_desktop.core.param_values import short
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.price_overrides import Overrides
from imgloop_desktop.providers.prices import price_table
from imgloop_desktop.providers.session import FALLBACK_REGION
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.services.run_check import check, regions
from imgloop_desktop.services.settings_files import read_settings, write_settings


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


log = logging.getLogger(__name__)

SETTINGS_FILE = "costs.json"
MAX_SETTINGS_BYTES = 1024 * 1024
# A month's cap in US dollars: above this is a typo, not a budget.
MAX_MONTHLY_USD = Decimal(1_000_000)
MONTHLY_ALLOWED = QT_TRANSLATE_NOOP(
    "Validation", "an amount of US dollars from 0.01 to {most}, or empty for no cap"
)
# The Preferences page's editor of price rows (gui/costs_page.py) says these.
ROWS_TOO_LONG = QT_TRANSLATE_NOOP("Validation", "at most 1 MiB of JSON")
ROWS_NOT_JSON = QT_TRANSLATE_NOOP(
    "Validation", "JSON: a list of price rows, [] or empty for none ({error})"
)


@dataclass(frozen=True)
class CostSettings:
    """The person's monthly budget (None: no cap) and their own price rows."""

    monthly_cap_usd: Decimal | None = None
    overrides: Overrides = field(default_factory=Overrides)

    def to_json(self) -> dict[str, object]:
        return {
            "monthly_cap_usd": str(self.monthly_cap_usd) if self.monthly_cap_usd else None,
            "price_overrides": self.overrides.to_settings(),
        }


def parse_monthly_cap(value: object, field_name: str = "monthly_cap_usd") -> Decimal | None:
    """A monthly cap as a person typed it (number or text); None/"" means no cap. Raises
    ValidationError naming the field, the value and what is allowed."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise InvalidOperation
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or not Decimal("0.01") <= amount <= MAX_MONTHLY_USD:
        raise ValidationError(
            [Problem.of(field_name, short(value), MONTHLY_ALLOWED, most=f"{MAX_MONTHLY_USD:,}")]
        )
    return amount


def settings_from_json(value: object) -> CostSettings:
    """Cost settings from their JSON; ValidationError names every bad field."""
    if not isinstance(value, dict):
        raise ValidationError(
            [
                Problem.of(
                    "cost settings",
                    short(value),
                    QT_TRANSLATE_NOOP(
                        "Validation", "an object with monthly_cap_usd and price_overrides"
                    ),
                )
            ]
        )
    problems: list[Problem] = []
    cap: Decimal | None = None
    overrides = Overrides()
    try:
        cap = parse_monthly_cap(value.get("monthly_cap_usd"))
    except ValidationError as exc:
        problems += exc.problems
    try:
        overrides = Overrides.from_settings(value.get("price_overrides", []))
    except ValidationError as exc:
        problems += exc.problems
    if problems:
        raise ValidationError(problems)
    return CostSettings(cap, overrides)


def _settings_path() -> Path:
    return paths.data_dir() / SETTINGS_FILE


def load_settings() -> CostSettings:
    """The saved cost settings; none saved means no cap and the shipped prices.

    A file that cannot be read or holds a bad value raises ValidationError naming the file
    and the field: ignoring it would silently lift the person's monthly cap.
    """
    return read_settings(
        _settings_path(),
        "cost settings",
        settings_from_json,
        CostSettings,
        max_bytes=MAX_SETTINGS_BYTES,
    )


def save_settings(settings: CostSettings) -> None:
    """Write atomically; raises OSError when the data folder cannot be written."""
    write_settings(_settings_path(), settings.to_json())


def monthly_left(settings: CostSettings, spent_this_month: Cost) -> Decimal | None:
    """What the monthly budget still allows (never below 0); None without a cap. Only the
    known part of this month's spend counts: an unpriced call cannot be charged to it."""
    if settings.monthly_cap_usd is None:
        return None
    return max(settings.monthly_cap_usd - spent_this_month.known, Decimal(0))


def monthly_left_now(
    history_path: Path | None = None, *, settings: CostSettings | None = None
) -> Decimal | None:
    """What the monthly budget allows at this instant, for a run about to start: the
    window's runs, the command's and every batch item all spend the same month, so each
    asks the history just before it starts, never once for many.

    ``history_path``: the history file (default: the data folder's); ``settings``: the cost
    settings already read (default: read now). None without a monthly cap, and then the
    history is not opened. Call it off the GUI thread. Raises ValidationError for a bad
    settings file; the history's errors (ImgloopError, OSError) as ``HistoryService.open``.
    """
    if settings is None:
        settings = load_settings()
    if settings.monthly_cap_usd is None:
        return None
    with HistoryService.open(history_path) as history:
        return monthly_left(settings, history.month_spend())


# -- for the window's Preferences (issue 13) ---------------------------------------------------
# The window may not import providers (the layer contract), so what it shows of the shipped
# table comes through these passthroughs.


def shipped_prices_markdown() -> str:
    """The shipped price table as ``docs/costs.md`` shows it (image rows, text rows, the
    models priced unknown), then each row's note: what Preferences shows beside the
    person's own rows, so they see which figure they are replacing and where it came from."""
    from imgloop_desktop.providers.prices import markdown_table, notes_markdown

    return (
        f"Shipped prices, checked on {price_date()}. Image prices are USD per image "
        "returned; text prices are USD per million tokens.\n\n"
        f"{markdown_table()}\nWhat each row is and where its figure was read:\n\n"
        f"{notes_markdown()}"
    )


def price_date() -> str:
    """When the shipped table was last checked against its sources (YYYY-MM-DD)."""
    from imgloop_desktop.providers.prices import AS_OF

    return AS_OF.isoformat()


def settings_file() -> Path:
    """Where the cost settings live, for the window to name in a message."""
    return _settings_path()


def example_price_rows() -> list[dict[str, object]]:
    """One text row and one image row in the shape ``Overrides.from_settings`` reads, with
    today's shipped figures for the default judge and image model: a starting point a
    person edits rather than a format they must look up."""
    return [
        {
            "kind": "text",
            "model": "us.anthropic.claude-sonnet-4-6",
            "scope": "regional",
            "input": "3.30",
            "output": "16.50",
            "note": "my negotiated price",
        },
        {
            "kind": "image",
            "model": "stability.sd3-5-large-v1:0",
            "per_image": "0.08",
            "note": "my negotiated price",
        },
    ]

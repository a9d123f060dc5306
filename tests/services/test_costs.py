"""The person's cost settings and the estimate service: a bad file is refused naming it and
the field (a monthly cap silently ignored would be no cap), good ones round-trip."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from imgloop_desktop import paths
from imgloop_desktop.core.cost import Cost
from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.price_overrides import Overrides
from imgloop_desktop.services import costs


def settings_file() -> Path:
    return paths.data_dir() / costs.SETTINGS_FILE


def test_no_file_is_no_cap_and_the_shipped_prices() -> None:
    assert not settings_file().exists()
    assert costs.load_settings() == costs.CostSettings()


def test_settings_round_trip_exactly() -> None:
    overrides = Overrides.from_settings(
        [{"kind": "image", "model": "stability.sd3-5-large-v1:0", "per_image": "0.065"}]
    )
    saved = costs.CostSettings(Decimal("25.50"), overrides)
    costs.save_settings(saved)
    assert costs.load_settings() == saved
    assert json.loads(settings_file().read_text())["monthly_cap_usd"] == "25.50"


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ('{"monthly_cap_usd": "-3"}', "costs.json: monthly_cap_usd"),
        ('{"monthly_cap_usd": "lots"}', "costs.json: monthly_cap_usd"),
        (
            '{"price_overrides": [{"kind": "text", "model": "x", "input": -1, "output": 1}]}',
            "costs.json: price_overrides[0].input",
        ),
        ("{not json", "cost settings file"),
        ("[1, 2]", "costs.json: cost settings"),
    ],
)
def test_a_bad_file_is_refused_naming_the_field(content: str, field: str) -> None:
    settings_file().parent.mkdir(parents=True, exist_ok=True)
    settings_file().write_text(content, encoding="utf-8")
    with pytest.raises(ValidationError) as raised:
        costs.load_settings()
    assert raised.value.problems[0].field == field


@pytest.mark.parametrize("value", [0, "0.001", "1e400", True, [], "NaN", "2000000"])
def test_a_monthly_cap_outside_its_range_is_refused(value: object) -> None:
    with pytest.raises(ValidationError, match="monthly_cap_usd"):
        costs.parse_monthly_cap(value)


def test_what_the_month_still_allows_never_goes_below_zero() -> None:
    capped = costs.CostSettings(Decimal(10))
    assert costs.monthly_left(capped, Cost(Decimal("3.25"))) == Decimal("6.75")
    assert costs.monthly_left(capped, Cost(Decimal(12))) == Decimal(0)
    assert costs.monthly_left(costs.CostSettings(), Cost(Decimal(12))) is None


def test_the_estimate_uses_the_persons_prices_and_history() -> None:
    params = RunParams(prompt="a red fox", max_retry_attempts=2, max_prompt_revisions=0)
    shipped = costs.estimate_run(params)
    cheaper = Overrides.from_settings(
        [{"kind": "image", "model": "stability.sd3-5-large-v1:0", "per_image": "0.01"}]
    )
    own = costs.estimate_run(params, overrides=cheaper, median_attempts=1.5)
    assert own.estimate.worst_case.known < shipped.estimate.worst_case.known
    assert own.expected is not None and own.expected.complete
    assert own.image_region == "us-west-2" and own.judge_region == "us-east-1"
    assert json.loads(json.dumps(own.to_json()))["median_attempts"] == 1.5
    with pytest.raises(ValidationError, match="prompt"):
        costs.estimate_run(RunParams(prompt=""))


def test_what_the_month_allows_now_reads_the_settings_and_the_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = tmp_path / "elsewhere" / "history.sqlite3"
    history.parent.mkdir()
    # No cap: the history is not even opened.
    assert costs.monthly_left_now(history) is None
    assert not history.exists()
    costs.save_settings(costs.CostSettings(Decimal(10)))
    assert costs.monthly_left_now(history) == Decimal(10)  # nothing spent yet
    assert history.exists()
    monkeypatch.setattr(costs.HistoryService, "month_spend", lambda _self: Cost(Decimal("3.25")))
    assert costs.monthly_left_now(history) == Decimal("6.75")
    # Settings already read are used as they are, not read again.
    assert costs.monthly_left_now(history, settings=costs.CostSettings(Decimal(4))) == Decimal(
        "0.75"
    )

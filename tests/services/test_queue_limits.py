"""Preferences → Queue's limits: defaults, a round trip, and every bad value named."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.services.queue_limits import (
    RANGES,
    QueueLimits,
    limits_file,
    load_limits,
    save_limits,
)


def test_nothing_saved_means_the_defaults() -> None:
    assert load_limits() == QueueLimits()


def test_saved_limits_come_back_and_become_the_engine_s_call_limits() -> None:
    save_limits(QueueLimits(items_at_once=5, image_calls_at_once=3, image_calls_per_minute=90))
    limits = load_limits()
    assert limits == QueueLimits(5, 3, 90)
    calls = limits.call_limits()
    assert (calls.concurrent_calls, calls.calls_per_minute) == (3, 90.0)


def test_a_bad_file_names_the_file_the_field_and_the_range() -> None:
    limits_file().parent.mkdir(parents=True, exist_ok=True)
    limits_file().write_text('{"items_at_once": 0, "image_calls_per_minute": "fast", "x": 1}')
    with pytest.raises(ValidationError) as caught:
        load_limits()
    fields = {p.field: p.allowed for p in caught.value.problems}
    assert fields["queue.json: items_at_once"] == "a whole number 1-16"
    assert fields["queue.json: image_calls_per_minute"] == "a whole number 1-6000"
    assert "queue.json: x" in fields
    limits_file().write_text("not json")
    with pytest.raises(ValidationError) as caught:
        load_limits()
    assert caught.value.problems[0].field == "queue limits file"


def test_saving_refuses_what_would_not_load() -> None:
    with pytest.raises(ValidationError):
        save_limits(QueueLimits(items_at_once=99))
    assert not limits_file().exists()


@given(st.dictionaries(st.sampled_from([*RANGES, "other"]), st.integers() | st.text()))
def test_any_json_object_loads_in_range_or_is_refused_by_name(value: dict[str, object]) -> None:
    try:
        limits = QueueLimits.from_json(value)
    except ValidationError as exc:
        assert all(p.field in value for p in exc.problems)
        return
    for name, (low, high) in RANGES.items():
        assert low <= getattr(limits, name) <= high

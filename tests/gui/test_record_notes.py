"""Where a run's models ran, said the same way everywhere in the window."""

from __future__ import annotations

from imgloop_desktop.gui.record_notes import regions_text


def test_regions_are_said_once_when_both_models_ran_in_one() -> None:
    assert regions_text("us-east-1", "us-east-1") == "us-east-1 (both models)"
    assert regions_text("us-west-2", "us-east-1") == "Image model in us-west-2, judge in us-east-1"
    assert regions_text("", "us-east-1") == "Image model in ?, judge in us-east-1"


def test_a_run_recorded_before_regions_says_nothing() -> None:
    assert regions_text("", "") == ""

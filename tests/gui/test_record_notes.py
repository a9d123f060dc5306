"""Where a run's models ran, said the same way everywhere in the window."""

from __future__ import annotations

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.checklist import Checklist, ItemVerdict, decide, reason_words, settle
from imgloop_desktop.gui.record_notes import judge_misses, judge_reason, regions_text
from tests.gui.test_translations import japanese

__all__ = ["japanese"]  # the fixture, found by pytest under its name


def test_regions_are_said_once_when_both_models_ran_in_one() -> None:
    assert regions_text("us-east-1", "us-east-1") == "us-east-1 (both models)"
    assert regions_text("us-west-2", "us-east-1") == "Image model in us-west-2, judge in us-east-1"
    assert regions_text("", "us-east-1") == "Image model in ?, judge in us-east-1"


def test_a_run_recorded_before_regions_says_nothing() -> None:
    assert regions_text("", "") == ""


def _verdict(checks: dict[str, str]) -> ev.Verdict:
    checklist = Checklist.from_json(
        [{"text": "a red fox", "must": True}, {"text": "snow falling", "must": True}]
    )
    answered = {i: ItemVerdict(i, result, "seen") for i, result in checks.items()}
    verdicts = settle(checklist, answered)
    decision = decide(checklist, verdicts)
    reason = str(reason_words(decision, checklist))
    return ev.Verdict(
        ev.VerdictResult.NO,
        reason,
        "",
        "judge",
        checks=verdicts,
        decision=decision,
        checklist=checklist,
    )


def test_a_checklist_reason_is_said_again_from_its_items() -> None:
    verdict = _verdict({"c1": "yes", "c2": "no"})
    assert judge_reason(verdict) == verdict.reason == "Rejected (1/2 ✗): misses: snow falling"
    assert judge_misses(verdict, "") == "misses: snow falling"
    plain = ev.Verdict(ev.VerdictResult.NO, "too dark", "", "judge")
    assert judge_reason(plain) == "too dark" and judge_misses(plain, "kept") == "kept"


def test_a_checklist_reason_in_japanese(japanese: None) -> None:
    said = judge_reason(_verdict({"c1": "yes", "c2": "unsure"}))
    assert said.startswith("人の判断が必要です") and "1/2 ?" in said
    assert "判断できなかった項目" in said and said.endswith("snow falling")

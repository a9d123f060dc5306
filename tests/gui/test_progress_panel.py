"""The progress panel turns the core's events into words: which step, what is happening now
and for how long, warnings for failed steps, notes and uploads, and how the run ended.

The clock is injected, so every duration here is exact. ``show_error`` is replaced to read
the details the "Details…" button would show without opening a dialog.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QBoxLayout
from pytestqt.qtbot import QtBot

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.params import RunParams, fit_to_model
from imgloop_desktop.core.protocols import GenerationRequest
from imgloop_desktop.gui import progress_panel
from imgloop_desktop.gui.progress_panel import ProgressPanel, format_elapsed, outcome_text
from imgloop_desktop.services.catalog import image_spec
from tests.gui.test_translations import japanese  # noqa: F401 (the fixture)

REF = ev.ImageRef(0, 1, 0)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def panel(qtbot: QtBot, clock: Clock) -> ProgressPanel:
    widget = ProgressPanel(clock=clock)
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def shown_details(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(message, details) of every "Details…" the panel would open."""
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        progress_panel,
        "show_error",
        lambda _parent, message, details: shown.append((message, details)),
    )
    return shown


def candidate(ref: ev.ImageRef = REF, s3_key: str | None = None) -> ev.Candidate:
    return ev.Candidate(ref, Path("x.png"), "0" * 64, 10, 8, 8, 7, "a boat", s3_key=s3_key)


def attempt(revision: int, number: int) -> ev.AttemptStarted:
    return ev.AttemptStarted(revision, number, GenerationRequest("a boat", 512, 512, 8.0, 1, 7))


def started(panel: ProgressPanel, attempts: int = 3, revisions: int = 1) -> None:
    panel.on_event(ev.RunStarted("r1", "a boat", "img", "judge", attempts, revisions))


def finished(
    outcome: ev.Outcome, message: str = "", approved: ev.Candidate | None = None
) -> ev.RunFinished:
    kept = (approved,) if approved is not None else ()
    return ev.RunFinished("r1", outcome, message, approved, kept)


def step(version: int, versions: int, attempt: int | None = None, attempts: int = 0) -> str:
    """The progress line, from the panel's own wording."""
    text = progress_panel.STEP.format(version=version, versions=versions)
    if attempt is not None:
        text += progress_panel.STEP_ATTEMPT.format(attempt=attempt, attempts=attempts)
    return text


def now(phase: str, elapsed: str = "0:00") -> str:
    return progress_panel.PHASE.format(phase=phase, elapsed=elapsed)


GENERATING = progress_panel.GENERATING.capitalize()
WORDS = progress_panel.OUTCOME_WORDS


def approved_at(version: int, attempt: int, kept: int, image: int = 0) -> str:
    where = progress_panel.WHERE.format(version=version, attempt=attempt)
    if image:
        where += progress_panel.WHERE_IMAGE.format(index=image)
    return progress_panel.APPROVED_AT.format(words=WORDS[ev.Outcome.APPROVED], where=where, n=kept)


# -- the pure texts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(-4.0, "0:00"), (0.0, "0:00"), (59.9, "0:59"), (61.0, "1:01"), (3600.0, "1:00:00")],
)
def test_elapsed_is_minutes_and_seconds_with_hours_only_when_needed(
    seconds: float, text: str
) -> None:
    assert format_elapsed(seconds) == text


def test_outcome_text_counts_from_one_and_names_the_image_only_past_the_first() -> None:
    first = candidate(ev.ImageRef(1, 2, 0))
    assert outcome_text(finished(ev.Outcome.APPROVED, approved=first)) == approved_at(2, 3, 1)
    second = candidate(ev.ImageRef(0, 0, 1))
    assert outcome_text(finished(ev.Outcome.APPROVED, approved=second)) == approved_at(
        1, 1, 1, image=2
    )


def test_outcome_text_for_runs_without_an_approval() -> None:
    cancelled = finished(ev.Outcome.CANCELLED, "Cancelled; 3 image(s) kept.")
    assert outcome_text(cancelled) == "Cancelled; 3 image(s) kept."
    assert outcome_text(finished(ev.Outcome.ERROR, "Throttled.")) == (
        progress_panel.ERROR_OUTCOME.format(words=WORDS[ev.Outcome.ERROR], message="Throttled.")
    )
    assert outcome_text(finished(ev.Outcome.NOT_APPROVED, "3 tried.")) == (
        progress_panel.OTHER_OUTCOME.format(
            words=WORDS[ev.Outcome.NOT_APPROVED], message="3 tried."
        )
    )


# -- events to labels --------------------------------------------------------------------------


def test_a_run_started_without_begin_starts_the_clock(panel: ProgressPanel) -> None:
    assert not panel.running
    started(panel, attempts=4, revisions=2)
    assert panel.running and panel.ticking
    assert panel.step_label.text() == step(1, 3, 1, 4)
    assert panel.prompt_view.toPlainText() == "a boat"


def test_now_counts_each_activity_in_flight(panel: ProgressPanel, clock: Clock) -> None:
    started(panel)
    panel.on_event(attempt(0, 0))
    panel.on_event(attempt(0, 1))
    assert panel.now_label.text() == now(f"{GENERATING} (2)")
    clock.now += 2
    panel.on_event(ev.ImageStored(candidate(ev.ImageRef(0, 0, 0), s3_key="a.png")))
    panel.on_event(ev.JudgingStarted(ev.ImageRef(0, 0, 0)))
    in_flight = f"{GENERATING}, {progress_panel.JUDGING}, {progress_panel.UPLOADING}"
    assert panel.now_label.text() == now(in_flight)
    clock.now += 5
    panel._tick()
    assert panel.now_label.text() == now(in_flight, "0:05")
    assert panel.elapsed_label.text() == "0:07"
    panel.on_event(ev.UploadDone(ev.ImageRef(0, 0, 0), "b", "a.png"))
    assert panel.now_label.text() == now(f"{GENERATING}, {progress_panel.JUDGING}")


def test_a_failed_attempt_stops_generating(panel: ProgressPanel) -> None:
    started(panel)
    panel.on_event(attempt(0, 1))
    panel.on_event(ev.AttemptFailed(0, 1, "boom"))
    assert panel.now_label.text() == now(progress_panel.WAITING)


def test_an_image_without_an_s3_key_is_not_uploading(panel: ProgressPanel) -> None:
    started(panel)
    panel.on_event(attempt(0, 1))
    panel.on_event(ev.ImageStored(candidate()))
    assert panel.now_label.text() == now(progress_panel.WAITING)


def test_cancelling_says_what_it_waits_for(panel: ProgressPanel) -> None:
    started(panel)
    panel.on_event(attempt(0, 0))
    panel.set_cancelling()
    assert panel.now_label.text() == now(
        f"{progress_panel.CANCELLING} ({progress_panel.GENERATING})"
    )
    panel.on_event(ev.AttemptFailed(0, 0, "cancelled"))
    assert panel.now_label.text() == now(progress_panel.CANCELLING)


def test_cancelling_is_ignored_when_nothing_runs(panel: ProgressPanel) -> None:
    panel.set_cancelling()
    assert panel.now_label.text() == progress_panel.NONE_YET


def test_events_the_panel_does_not_show_change_nothing(panel: ProgressPanel) -> None:
    started(panel)
    before = panel.now_label.text(), panel.step_label.text()
    panel.on_event(object())
    assert (panel.now_label.text(), panel.step_label.text()) == before


# -- warnings, failed steps and notes ----------------------------------------------------------


def test_warnings_count_failed_steps_notes_and_uploads(
    panel: ProgressPanel, shown_details: list[tuple[str, str]]
) -> None:
    started(panel)
    assert not panel.warning_label.isVisible()
    panel.on_event(ev.AttemptFailed(0, 1, "boom"))
    assert panel.warning_label.isVisible()
    assert panel.warning_label.text() == progress_panel.STEPS_FAILED.format(n=1) + "."
    panel.on_event(ev.AttemptNote(0, 2, "judged at 512 px"))
    panel.on_event(ev.PromptRevised(1, "a boat", "a boat", (), ok=False, error="reviser down"))
    panel.on_event(ev.UploadFailed(REF, "b", "k.png", "AccessDenied"))
    assert panel.warning_label.text() == (
        f"{progress_panel.STEPS_FAILED.format(n=2)}; {progress_panel.NOTES.format(n=1)}; "
        f"{progress_panel.UPLOADS_FAILED.format(n=1)}."
    )
    assert panel.details_button.isVisible()
    panel.show_details()
    assert shown_details == [
        (
            panel.warning_label.text(),
            "Failed steps:\nprompt 0 attempt 1: boom\nrevision 1: reviser down"
            "\n\nNotes:\nprompt 0 attempt 2: judged at 512 px"
            f"\n\nFailed uploads:\n{REF.label} → k.png: AccessDenied",
        )
    ]


def test_the_finished_run_keeps_its_failed_steps_in_the_details(
    panel: ProgressPanel, clock: Clock, shown_details: list[tuple[str, str]]
) -> None:
    started(panel)
    panel.on_event(ev.AttemptFailed(0, 0, "boom"))
    clock.now += 12
    approved = candidate()
    panel.on_event(finished(ev.Outcome.APPROVED, "Approved.", approved))
    assert not panel.running and not panel.ticking
    assert panel.now_label.text() == progress_panel.FINISHED.format(n=1)
    assert panel.elapsed_label.text() == "0:12"
    assert panel.outcome_label.text() == outcome_text(finished(ev.Outcome.APPROVED, "", approved))
    panel.show_details()
    assert shown_details == [
        (
            panel.outcome_label.text(),
            "Run r1: approved\nApproved.\nApproved image: x.png"
            "\n\nFailed steps:\nprompt 0 attempt 0: boom",
        )
    ]


def test_a_new_run_clears_the_last_ones_warnings(panel: ProgressPanel) -> None:
    started(panel)
    panel.on_event(ev.AttemptFailed(0, 0, "boom"))
    panel.on_event(finished(ev.Outcome.NOT_APPROVED, "None."))
    panel.begin()
    assert not panel.warning_label.isVisible()
    assert not panel.outcome_label.isVisible()
    assert not panel.details_button.isVisible()
    assert panel.step_label.text() == progress_panel.PREPARING
    assert panel.now_label.text() == now(progress_panel.STARTING)
    assert panel.reason_label.text() == progress_panel.NONE_YET


# -- runs that never start, and past sessions --------------------------------------------------


def test_a_run_that_could_not_start(
    panel: ProgressPanel, shown_details: list[tuple[str, str]]
) -> None:
    panel.begin()
    panel.show_failure("No credentials.", "Set up an account.")
    assert not panel.running and not panel.ticking
    could_not_start = progress_panel.COULD_NOT_START.format(message="No credentials.")
    assert panel.step_label.text() == progress_panel.NOT_STARTED
    assert panel.now_label.text() == progress_panel.NONE_YET
    assert panel.outcome_label.text() == could_not_start
    panel.show_details()
    assert shown_details == [(could_not_start, "Set up an account.")]


def test_a_session_note_shows_only_when_no_run_is_live(panel: ProgressPanel) -> None:
    panel.show_session_note("Viewing session r0")
    assert panel.step_label.text() == "Viewing session r0"
    started(panel)
    panel.show_session_note("Viewing session r9")
    assert panel.step_label.text() == step(1, 2, 1, 3)


# -- issue 11: where the models are called, and the run's notes --------------------------------


def test_regions_say_where_each_model_is_called(panel: ProgressPanel) -> None:
    assert panel.regions_label.text() == progress_panel.NONE_YET
    panel.on_event(
        ev.RunStarted(
            "r1", "a boat", "img", "judge", 3, 1, image_region="us-west-2", judge_region="us-east-1"
        )
    )
    assert panel.regions_label.text() == "Image model in us-west-2, judge in us-east-1"
    panel.begin()
    assert panel.regions_label.text() == progress_panel.NONE_YET
    panel.on_event(
        ev.RunStarted(
            "r2", "a boat", "img", "judge", 3, 1, image_region="us-east-1", judge_region="us-east-1"
        )
    )
    assert panel.regions_label.text() == "us-east-1 (both models)"


def test_run_judge_and_reviser_notes_are_shown_once_and_kept_in_the_details(
    panel: ProgressPanel, shown_details: list[tuple[str, str]]
) -> None:
    assert not panel.run_notes_label.isVisible()
    size_note = "1152\u00d7640 is not a size Stable Diffusion 3.5 Large makes; the nearest is used."
    cfg_note = "titan_img_cfg_scale (8) is not used: Stable Diffusion 3.5 Large has no CFG."
    panel.on_event(ev.RunStarted("r1", "a boat", "img", "judge", 3, 1, notes=(size_note, cfg_note)))
    assert panel.run_notes_label.isVisible()
    assert panel.run_notes_label.text() == f"• {size_note}\n• {cfg_note}"
    fallback = "us.anthropic.claude-sonnet-4-6 in us-east-1 rejected `top_p`; asked without it."
    verdict = ev.Verdict(ev.VerdictResult.NO, "blurry", "NO blurry", "judge", notes=fallback)
    for ref in (REF, ev.ImageRef(0, 2, 0)):  # every verdict carries it; it is said once
        panel.on_event(ev.VerdictReceived(ref, verdict))
    panel.on_event(
        ev.PromptRevised(1, "a sharp boat", "a boat", ("blurry",), True, notes="reviser: same")
    )
    assert panel.run_notes == [size_note, cfg_note, f"Judge: {fallback}", "Reviser: reviser: same"]
    assert panel.run_notes_label.text().count(fallback) == 1
    panel.on_event(finished(ev.Outcome.NOT_APPROVED, "None."))
    assert panel.run_notes_label.isVisible()  # still there to read after the run
    panel.show_details()
    details = shown_details[-1][1]
    assert f"Run notes:\n{size_note}\n{cfg_note}\nJudge: {fallback}" in details
    panel.begin()
    assert not panel.run_notes_label.isVisible()
    assert panel.run_notes == []


# -- the bar beside the words ------------------------------------------------------------------


def rejected(revision: int, attempt: int, index: int = 0) -> ev.VerdictReceived:
    ref = ev.ImageRef(revision, attempt, index)
    return ev.VerdictReceived(ref, ev.Verdict(ev.VerdictResult.NO, "blurry", "NO", "judge"))


def test_the_bar_counts_finished_attempts_of_the_runs_most(panel: ProgressPanel) -> None:
    assert panel.bar.isHidden()  # no run on show
    panel.begin()
    assert panel.bar.isVisible()
    assert panel.bar.maximum() == 0  # busy until the loop says its limits
    started(panel, attempts=3, revisions=1)
    assert (panel.bar.minimum(), panel.bar.maximum(), panel.bar.value()) == (0, 6, 0)
    panel.on_event(attempt(0, 0))
    assert panel.bar.value() == 0  # started is not finished
    panel.on_event(rejected(0, 0))
    panel.on_event(rejected(0, 0, index=1))  # a second image of the same attempt
    assert panel.bar.value() == 1
    panel.on_event(ev.AttemptFailed(0, 1, "boom"))
    assert panel.bar.value() == 2
    assert panel.bar.text() == "2 of 6 attempts"
    panel.on_event(finished(ev.Outcome.APPROVED, approved=candidate(ev.ImageRef(0, 2, 0))))
    assert panel.bar.value() == 2  # approved early: the bar says how much was used


def test_the_bar_is_reset_between_runs(panel: ProgressPanel) -> None:
    panel.begin()
    started(panel, attempts=2, revisions=0)
    panel.on_event(rejected(0, 0))
    panel.on_event(finished(ev.Outcome.NOT_APPROVED, "1 tried."))
    panel.show_session_note("Viewing past session r0")
    assert panel.bar.isHidden()
    panel.begin()
    assert panel.bar.maximum() == 0
    started(panel, attempts=4, revisions=0)
    assert (panel.bar.maximum(), panel.bar.value()) == (4, 0)


def test_a_run_that_could_not_start_leaves_the_bar_idle(panel: ProgressPanel) -> None:
    panel.begin()
    panel.show_failure("no credentials", "details")
    assert panel.bar.isHidden()


def test_the_bar_goes_under_the_step_text_when_the_column_is_narrow(
    panel: ProgressPanel, qtbot: QtBot
) -> None:
    """Beside the text where there is room; under it in a narrow column (2x scale), so the
    column is never widened past its scroll area and nothing is cut at its edge."""
    panel.show()
    panel.resize(700, 300)
    qtbot.waitUntil(lambda: panel.step_row.direction() is QBoxLayout.Direction.LeftToRight)
    panel.resize(240, 300)
    qtbot.waitUntil(lambda: panel.step_row.direction() is QBoxLayout.Direction.TopToBottom)
    content = panel.scroll_area.widget()
    assert content is not None
    qtbot.waitUntil(lambda: content.width() <= panel.scroll_area.viewport().width())
    panel.resize(700, 300)
    qtbot.waitUntil(lambda: panel.step_row.direction() is QBoxLayout.Direction.LeftToRight)


def test_the_runs_own_notes_are_in_the_windows_language(
    panel: ProgressPanel,
    japanese: None,  # noqa: F811 (the imported fixture)
) -> None:
    spec = image_spec("stability.stable-image-core-v1:1")
    _, notes = fit_to_model(RunParams(prompt="a lake"), spec)
    panel.on_event(ev.RunStarted("r1", "a lake", spec.model_id, "judge", 2, 1, notes=notes))
    said = panel.run_notes_label.text()
    assert "titan_img_cfg_scale" in said and "is not used" not in said
    assert str(notes[0]).startswith("titan_img_cfg_scale (8) is not used")  # kept in English

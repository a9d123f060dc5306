"""The real main window, offscreen, against the Bedrock simulator: runs to an approved image
and to none, cancelling, closing during a run, errors in plain words, the progress texts,
event files, export, history recovery, the demo backend and remembered layout."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import QMimeData, QPointF, QSize, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from imgloop_desktop import paths
from imgloop_desktop.accounts import AccountStore
from imgloop_desktop.core import events as ev
from imgloop_desktop.core.params import (
    DEFAULT_IMAGE_MODEL,
    DEFAULT_JUDGE_MODEL,
    SEED_IMAGE_MODEL,
    SEED_JUDGE_MODEL,
    RunParams,
)
from imgloop_desktop.core.protocols import GenerationRequest
from imgloop_desktop.gui import progress_panel as panel_texts
from imgloop_desktop.gui.main_window import (
    DEMO_BANNER,
    MainWindow,
    backend_picker,
    closing,
    event_files,
    history_actions,
    recovery_text,
)
from imgloop_desktop.gui.main_window import window as window_texts
from imgloop_desktop.gui.param_form.widgets import LABEL_ROLE
from imgloop_desktop.gui.progress_panel import ProgressPanel, outcome_text
from imgloop_desktop.gui.settings_store import SettingsStore
from imgloop_desktop.providers.session import DefaultChain
from imgloop_desktop.services.backends import (
    ACCOUNT_PREFIX,
    DEFAULT_KEY,
    DEMO_KEY,
    Backends,
    saved_key,
)
from imgloop_desktop.services.run import execute
from imgloop_desktop.simulator.demo import DemoBackend
from imgloop_desktop.simulator.script import SimScript
from imgloop_desktop.simulator.server import BedrockSimulator
from imgloop_desktop.storage.export import insert_after_ihdr, itxt_chunk
from imgloop_desktop.storage.history import HistoryRecorder, default_db_path
from imgloop_desktop.storage.history.recovery import RecoveryReport
from tests.fakes import png as png_bytes
from tests.gui.window_runs import RUN_TIMEOUT_MS, MakeWindow, run_to_end
from tests.keyring_fixtures import KEY_ID, SECRET, use_memory_keyring


def small(**changes: object) -> RunParams:
    return RunParams(
        prompt="a lighthouse at dusk", max_retry_attempts=2, max_prompt_revisions=1
    ).with_changes(**changes)


def step(version: int, versions: int, attempt: int | None = None, attempts: int = 0) -> str:
    """The progress line, from the panel's own wording."""
    text = panel_texts.STEP.format(version=version, versions=versions)
    if attempt is not None:
        text += panel_texts.STEP_ATTEMPT.format(attempt=attempt, attempts=attempts)
    return text


def phase_text(phase: str, elapsed: str = "0:00") -> str:
    return panel_texts.PHASE.format(phase=phase, elapsed=elapsed)


def message_boxes(window: MainWindow) -> list[QMessageBox]:
    return [b for b in window.findChildren(QMessageBox) if b.isVisible()]


def test_window_layout_actions_and_shortcuts(make_window: MakeWindow) -> None:
    window = make_window()
    assert window.splitter.count() == 3
    assert window.splitter.widget(0) is window.form_column
    assert window.form_scroll.parent() is window.form_column
    assert window.cost_estimate.parent() is window.form_column  # right under Run
    assert window.form_scroll.widget() is window.form
    assert window.splitter.widget(2) is window.details
    assert window.gallery.isVisibleTo(window)
    browser = window.history_browser  # built on first use (issue 15)
    assert window.history_dock.widget() is browser
    shortcuts = {
        window.run_action: ["Ctrl+R"],
        window.cancel_action: ["Ctrl+."],
        window.export_approved_action: ["Ctrl+E"],
        window.history_action: ["Ctrl+H"],
        window.preferences_action: ["Ctrl+,"],
        window.import_action: ["Ctrl+O"],
        window.export_event_action: ["Ctrl+S"],
        window.quit_action: ["Ctrl+Q"],
    }
    for action, keys in shortcuts.items():
        assert [
            s.toString(QKeySequence.SequenceFormat.PortableText) for s in action.shortcuts()
        ] == keys
    assert window.statusBar().currentMessage() == history_actions.NOTHING_TO_RECOVER
    assert window.recovery_report == RecoveryReport()


def test_run_stays_disabled_while_anything_is_invalid(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window()
    window.form.set_params(RunParams(prompt=""))
    assert not window.run_action.isEnabled()
    assert window.run_action.toolTip() == window_texts.FIX_FIELDS.format(n=1)
    assert not window.start_run()
    qtbot.keyClicks(window.form.prompt_edit, "a cat")
    assert window.run_action.isEnabled()
    window.form.s3_check.setChecked(True)  # no bucket yet
    assert not window.run_action.isEnabled()
    assert window.form.error_text("output_s3_bucket_name").startswith(
        "output_s3_bucket_name: '' is not allowed; 3-63 characters"
    )
    window.form.bucket_edit.setText("my-bucket")
    assert window.run_action.isEnabled()
    assert not window.cancel_action.isEnabled()


def test_run_to_an_approved_image(
    make_window: MakeWindow, qtbot: QtBot, bedrock_sim: BedrockSimulator
) -> None:
    window = make_window()
    bedrock_sim.script.queue_verdicts("NO", "YES")
    window.select_backend(DEFAULT_KEY)
    window.form.set_params(small())
    with qtbot.waitSignal(window.controller.finished, timeout=RUN_TIMEOUT_MS) as signal:
        assert window.start_run()
        assert not window.run_action.isEnabled()
        assert window.cancel_action.isEnabled()
        assert not window.backend_combo.isEnabled()
        assert window.progress.ticking
    result = signal.args[0]
    assert result.outcome is ev.Outcome.APPROVED
    progress = window.progress
    assert progress.step_label.text() == step(1, 2, 2, 2)
    assert progress.outcome_label.text() == panel_texts.APPROVED_AT.format(
        words=panel_texts.OUTCOME_WORDS[ev.Outcome.APPROVED],
        where=panel_texts.WHERE.format(version=1, attempt=2),
        n=2,
    )
    assert progress.prompt_view.toPlainText() == "a lighthouse at dusk"
    assert progress.reason_label.text().startswith("YES — ")
    assert not progress.ticking
    assert window.run_action.isEnabled()
    assert not window.cancel_action.isEnabled()
    # The gallery filled as images arrived and got their history ids.
    qtbot.waitUntil(
        lambda: sorted(i.image_id >= 0 for i in window.gallery.model.items()).count(True) == 2
    )
    assert window.statusBar().currentMessage().startswith(f"Run {result.run_id}: approved.")
    assert SettingsStore().last_params() == small()


def test_run_with_no_image_approved(
    make_window: MakeWindow, qtbot: QtBot, bedrock_sim: BedrockSimulator
) -> None:
    window = make_window()
    bedrock_sim.script.default_verdict = "NO"
    result = run_to_end(qtbot, window, small())
    assert result.outcome is ev.Outcome.NOT_APPROVED
    progress = window.progress
    assert progress.step_label.text() == step(2, 2, 2, 2)
    assert progress.outcome_label.text() == panel_texts.OTHER_OUTCOME.format(
        words=panel_texts.OUTCOME_WORDS[ev.Outcome.NOT_APPROVED],
        # The loop's own words (core/loop.py):
        message="No image was approved after 2 prompt version(s) x 2 attempt(s); 4 image(s) kept.",
    )
    assert progress.prompt_view.toPlainText() == result.prompts[-1]
    assert progress.reason_label.text().startswith("NO — ")
    assert progress.details_button.isVisible()


def test_cancel_from_the_toolbar_keeps_what_was_made(
    make_window: MakeWindow, qtbot: QtBot, bedrock_sim: BedrockSimulator
) -> None:
    window = make_window()
    bedrock_sim.script.default_verdict = "NO"
    bedrock_sim.script.set_latency("generate", 0.4)
    window.form.set_params(small(max_retry_attempts=5))
    with qtbot.waitSignal(window.controller.finished, timeout=RUN_TIMEOUT_MS) as signal:
        assert window.start_run()
        assert bedrock_sim.wait_for_arrival("generate", 2)
        window.cancel_action.trigger()
        assert not window.cancel_action.isEnabled()
        assert window.progress.now_label.text().startswith(panel_texts.CANCELLING)
    result = signal.args[0]
    assert result.outcome is ev.Outcome.CANCELLED
    assert window.progress.outcome_label.text() == result.message
    assert result.message.startswith("Cancelled;")
    assert bedrock_sim.arrivals("generate") == 2
    assert all(c.path.is_file() for c in result.candidates)


def test_closing_during_a_run_asks_then_cancels_and_waits(
    make_window: MakeWindow, qtbot: QtBot, bedrock_sim: BedrockSimulator
) -> None:
    window = make_window()
    bedrock_sim.script.default_verdict = "NO"
    bedrock_sim.script.set_latency("generate", 0.4)
    window.form.set_params(small(max_retry_attempts=5))
    assert window.start_run()
    assert bedrock_sim.wait_for_arrival("generate")
    window.close()
    assert window.isVisible()
    prompt = window.close_prompt
    assert prompt is not None and prompt.isVisible()
    assert prompt.text() == closing.CLOSE_QUESTION
    assert window.close_prompt_yes is not None
    with qtbot.waitSignal(window.closed, timeout=RUN_TIMEOUT_MS):
        window.close_prompt_yes.click()
    assert not window.isVisible()
    assert not window.controller.is_running
    assert window.controller.last_result is not None
    assert window.controller.last_result.outcome is ev.Outcome.CANCELLED
    assert not window.backends.demo_running


def test_closing_during_a_run_can_be_declined(
    make_window: MakeWindow, qtbot: QtBot, bedrock_sim: BedrockSimulator
) -> None:
    window = make_window()
    bedrock_sim.script.set_latency("generate", 0.3)
    window.form.set_params(small())
    with qtbot.waitSignal(window.controller.finished, timeout=RUN_TIMEOUT_MS) as signal:
        assert window.start_run()
        window.close()
        prompt = window.close_prompt
        assert prompt is not None
        # Answer with a timer, as a person would click while the run goes on.
        QTimer.singleShot(0, prompt.reject)
        qtbot.waitUntil(lambda: window.close_prompt is None)
        assert window.isVisible()
        assert not window.controller.cancelling
    assert signal.args[0].outcome is ev.Outcome.APPROVED
    assert window.isVisible()


def test_a_failed_start_is_shown_in_plain_words(
    make_window: MakeWindow, qtbot: QtBot, bedrock_sim: BedrockSimulator
) -> None:
    window = make_window(profiles=["ghost"])
    assert window.select_backend("aws-profile:ghost")
    window.form.set_params(small())
    with qtbot.waitSignal(window.controller.failed, timeout=RUN_TIMEOUT_MS):
        assert window.start_run()
    outcome = window.progress.outcome_label.text()
    assert outcome.startswith(panel_texts.COULD_NOT_START.format(message="AWS profile not found"))
    assert window.progress.details_button.isVisible()
    assert message_boxes(window) == []  # no dialog, no traceback
    assert window.run_action.isEnabled()
    window.progress.details_button.click()
    boxes = [b for b in window.progress.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1 and boxes[0].text() == outcome
    assert "AWS profile not found" in boxes[0].detailedText()
    boxes[0].close()


def test_a_service_error_ends_the_run_readably(
    make_window: MakeWindow, qtbot: QtBot, bedrock_sim: BedrockSimulator
) -> None:
    window = make_window()
    bedrock_sim.script.fail("generate", "AccessDeniedException")
    result = run_to_end(qtbot, window, small())
    assert result.outcome is ev.Outcome.ERROR
    text = window.progress.outcome_label.text()
    assert text.startswith(
        panel_texts.ERROR_OUTCOME.format(
            words=panel_texts.OUTCOME_WORDS[ev.Outcome.ERROR], message=""
        )
    )
    assert "Traceback" not in text
    assert window.progress.details_button.isVisible()
    assert message_boxes(window) == []


def test_progress_panel_texts_follow_the_events(qtbot: QtBot) -> None:
    now = [100.0]
    panel = ProgressPanel(clock=lambda: now[0])
    qtbot.addWidget(panel)
    panel.show()
    assert panel.step_label.text() == panel_texts.NOT_RUNNING
    panel.on_event(ev.RunStarted("r1", "a boat", "img", "judge", max_attempts=5, max_revisions=3))
    assert panel.step_label.text() == step(1, 4, 1, 5)
    request = GenerationRequest("a boat, at sea", 1024, 1024, 8.0, 1, 7)
    panel.on_event(ev.AttemptStarted(1, 2, request))
    assert panel.step_label.text() == step(2, 4, 3, 5)
    assert panel.prompt_view.toPlainText() == "a boat, at sea"
    generating = panel_texts.GENERATING.capitalize()
    assert panel.now_label.text() == phase_text(generating)
    now[0] += 3
    panel._tick()
    assert panel.now_label.text() == phase_text(generating, "0:03")
    assert panel.elapsed_label.text() == "0:03"
    ref = ev.ImageRef(1, 2, 0)
    candidate = ev.Candidate(ref, Path("x.png"), "0" * 64, 10, 8, 8, 7, "a boat", s3_key="k.png")
    panel.on_event(ev.ImageStored(candidate))
    panel.on_event(ev.JudgingStarted(ref))
    in_flight = f"{panel_texts.JUDGING}, {panel_texts.UPLOADING}".capitalize()
    assert panel.now_label.text() == phase_text(in_flight)
    verdict = ev.Verdict(ev.VerdictResult.NO, "No boat is visible.", "{}", "judge")
    panel.on_event(ev.VerdictReceived(ref, verdict))
    assert panel.reason_label.text() == panel_texts.VERDICT.format(
        result="NO", reason="No boat is visible."
    )
    panel.on_event(ev.UploadFailed(ref, "b", "k.png", "AccessDenied"))
    assert panel.warning_label.text() == panel_texts.UPLOADS_FAILED.format(n=1) + "."
    panel.on_event(ev.RevisionStarted(2, ("No boat is visible.",)))
    assert panel.now_label.text() == phase_text(panel_texts.REVISING.capitalize())
    panel.on_event(ev.PromptRevised(2, "a sailing boat", "a boat, at sea", (), ok=True))
    assert panel.step_label.text() == step(3, 4)
    assert panel.prompt_view.toPlainText() == "a sailing boat"
    now[0] += 65
    finished = ev.RunFinished(
        "r1", ev.Outcome.ERROR, "Throttled out. Try later.", None, (candidate,)
    )
    panel.on_event(finished)
    assert panel.outcome_label.text() == outcome_text(finished)
    assert panel.elapsed_label.text() == "1:08"
    assert not panel.ticking
    assert panel.details_button.isVisible()


def test_event_json_import_export_and_a_bad_file(make_window: MakeWindow, tmp_path: Path) -> None:
    window = make_window()
    window.form.set_params(small(titan_img_seed=99))
    out = tmp_path / "saved.json"
    assert window.export_event(out)
    assert json.loads(out.read_text(encoding="utf-8")) == small(titan_img_seed=99).to_event()
    window.form.set_params(RunParams(prompt="other"))
    assert window.import_event(out)
    assert window.form.params() == small(titan_img_seed=99)

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"prompt": "ok", "titan_img_seed": "lucky", "max_retries": 3}))
    assert not window.import_event(bad)
    boxes = message_boxes(window)
    assert len(boxes) == 1
    box = boxes[0]
    assert box.text() == event_files.NOT_AN_EVENT_FILE.format(name="bad.json")
    assert box.informativeText() == "2 values are not allowed."
    assert box.detailedText() == (
        "• titan_img_seed: 'lucky' is not allowed; a whole number\n"
        "• max_retries: '<int hidden>' is not allowed; not a known parameter"
    )
    box.close()
    assert window.form.params() == small(titan_img_seed=99)  # nothing lost

    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps({"prompt": "ok", "claude_validate_temperature": 4}))
    assert window.import_event(outside)
    assert not window.run_action.isEnabled()
    assert window.form.error_text("claude_validate_temperature") == (
        "claude_validate_temperature: 4.0 is not allowed; 0.0-1.0"
    )


def test_export_approved_writes_a_new_folder(
    make_window: MakeWindow, qtbot: QtBot, bedrock_sim: BedrockSimulator, tmp_path: Path
) -> None:
    window = make_window()
    run_to_end(qtbot, window, small())
    with qtbot.waitSignal(window.exportFinished, timeout=RUN_TIMEOUT_MS) as signal:
        dest = window.export_approved_to(tmp_path)
    result = signal.args[0]
    assert result.images == 1
    assert dest.parent == tmp_path
    assert (dest / "manifest.json").is_file()
    assert len(list(dest.rglob("*.png"))) == 1
    assert message_boxes(window)[0].text() == history_actions.EXPORTED.format(
        images=1, sessions=1, path=dest
    )


def test_history_recovery_is_reported_in_plain_words(make_window: MakeWindow, qtbot: QtBot) -> None:
    recorder = HistoryRecorder(default_db_path(), small())
    recorder(ev.RunStarted("20240101000000-0badc0de", "p", "img", "judge", 2, 1))
    recorder.close()  # as if the app died mid-run
    window = make_window()
    report = window.recovery_report
    assert report is not None and report.interrupted == ["20240101000000-0badc0de"]
    line, details = recovery_text(report)
    assert line == history_actions.RECOVERED.format(parts=history_actions.INTERRUPTED.format(n=1))
    assert window.statusBar().currentMessage() == line
    assert "20240101000000-0badc0de" in details
    shown = message_boxes(window)
    assert shown and shown[0].text() == line
    assert shown[0].windowModality() == Qt.WindowModality.NonModal
    assert window.recovery_action.isEnabled()


def test_the_window_repairs_what_a_crash_left_at_start(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    run_id = "20240101000000-0badc0de"
    recorder = HistoryRecorder(default_db_path(), small())
    recorder(ev.RunStarted(run_id, "p", "img", "judge", 2, 1))
    recorder.close()  # as if the app died mid-run, right after writing these two files:
    folder = paths.images_dir() / run_id
    folder.mkdir(parents=True)
    (folder / "000-000-0.png").write_bytes(png_bytes())
    (folder / ".000-000-1.png.q8w7e6r5.part").write_bytes(png_bytes()[:30])
    window = make_window()
    report = window.recovery_report
    assert report is not None and report.problems == []
    assert sorted((r.kind.value, r.path.name) for r in report.repairs) == [
        ("adopted", "000-000-0.png"),
        ("removed", ".000-000-1.png.q8w7e6r5.part"),
    ]
    line, details = recovery_text(report)
    assert history_actions.REPAIRED.format(n=2) in line
    assert "000-000-0.png" in details and "quarantine" in details
    assert window.history.check_files(verify=True) == []


def test_history_dock_opens_past_sessions_and_runs_again(
    make_window: MakeWindow, qtbot: QtBot, bedrock_sim: BedrockSimulator
) -> None:
    window = make_window()
    result = run_to_end(qtbot, window, small())
    window.history_action.trigger()
    assert window.history_dock.isVisible()
    with qtbot.waitSignal(window.gallery.sessionLoaded, timeout=RUN_TIMEOUT_MS):
        window.history_browser.openSession.emit(result.run_id)
    assert window.progress.step_label.text() == window_texts.VIEWING_SESSION.format(
        run_id=result.run_id
    )
    window.history_browser.runAgain.emit(RunParams(prompt="once more"))
    assert window.form.params() == RunParams(prompt="once more")


def test_offline_demo_is_labelled_and_stopped(make_window: MakeWindow, qtbot: QtBot) -> None:
    script = SimScript(default_verdict="YES")
    window = make_window(backends=Backends(lambda: DemoBackend(script)))
    assert window.select_backend(DEMO_KEY)
    assert window.backends.demo_running
    assert window.demo_banner.isVisible()
    assert window.demo_banner.text() == DEMO_BANNER
    assert window.windowTitle().endswith(window_texts.DEMO_TITLE)
    window.form.set_params(small(s3_enabled=True, output_s3_bucket_name="my-bucket"))
    with qtbot.waitSignal(window.controller.finished, timeout=RUN_TIMEOUT_MS) as signal:
        assert window.start_run()
    result = signal.args[0]
    assert result.outcome is ev.Outcome.APPROVED
    assert all(c.s3_key == "" for c in result.candidates)  # no S3 in the demo
    assert saved_key(window.accounts) == DEMO_KEY
    window.select_backend(DEFAULT_KEY)
    assert not window.backends.demo_running
    assert not window.demo_banner.isVisible()
    window.select_backend(DEMO_KEY)
    window.close()
    assert not window.backends.demo_running


def test_layout_and_last_parameters_are_remembered(make_window: MakeWindow) -> None:
    first = make_window()
    screen = first.screen().availableGeometry()  # restoreGeometry keeps a window on screen
    first.resize(screen.width() - 4, screen.height() - 120)
    first.splitter.setSizes([300, 100, 400])
    size = first.size()
    sizes = first.splitter.sizes()
    first.form.set_params(small(titan_img_seed=5))
    first.close()
    second = make_window()
    assert second.size() == size
    assert size != QSize(1400, 900)
    assert second.splitter.sizes() == sizes
    assert second.form.params() == small(titan_img_seed=5)
    assert second.current_backend() is not None
    assert second.current_backend().key == first.current_backend().key


def test_settings_hold_no_secret(make_window: MakeWindow, isolated_qsettings: Path) -> None:
    from tests.conftest import FAKE_SECRET

    window = make_window()
    window.form.set_params(small())
    window.form.save_preset("mine")
    window.close()
    texts = [p.read_text(errors="replace") for p in isolated_qsettings.rglob("*") if p.is_file()]
    assert texts
    assert not any(FAKE_SECRET in text for text in texts)


def test_app_main_runs_until_the_window_closes(qtbot: QtBot) -> None:
    from imgloop_desktop.gui import app as app_module

    closer = QTimer()
    closer.setInterval(20)

    def close_when_ready() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.recovery_report is not None:
                widget.close()

    closer.timeout.connect(close_when_ready)
    closer.start()
    try:
        assert app_module.main(["imgloop-desktop"]) == 0
    finally:
        closer.stop()
    assert QApplication.instance().applicationName() == "imgloop-desktop"


def test_keyring_accounts_join_the_picker_and_sign_runs(
    make_window: MakeWindow, qtbot: QtBot, bedrock_sim: BedrockSimulator
) -> None:
    for _ in use_memory_keyring():
        store = AccountStore(backend=keyring.get_keyring())
        store.add("work", KEY_ID, SECRET, None, "us-east-1")
        window = make_window(accounts=store)
        assert window.select_backend(f"{ACCOUNT_PREFIX}work")
        window.form.set_params(small(max_retry_attempts=1, max_prompt_revisions=0))
        with qtbot.waitSignal(window.controller.finished, timeout=RUN_TIMEOUT_MS):
            assert window.start_run()
        assert {call.access_key_id for call in bedrock_sim.calls} == {KEY_ID}
        store.add("personal", KEY_ID.replace("WXYZ", "PERS"), SECRET, None, "us-east-1")
        store.delete("work")
        window._fill_backends()
        current = window.current_backend()
        assert current is not None and current.key == DEFAULT_KEY, "never another account"
        notices = [b.text() for b in window.findChildren(QMessageBox)]
        gone = backend_picker.BACKEND_GONE.format(key=f"{ACCOUNT_PREFIX}work", label=current.label)
        assert gone in notices


def test_saving_an_account_during_a_run_keeps_the_runs_backend(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    script = SimScript()
    script.set_latency("generate", 0.5)
    window = make_window(backends=Backends(lambda: DemoBackend(script)))
    assert window.select_backend(DEMO_KEY)
    window.form.set_params(small(max_retry_attempts=1, max_prompt_revisions=0))
    with qtbot.waitSignal(window.controller.finished, timeout=RUN_TIMEOUT_MS) as done:
        assert window.start_run()
        window._accounts_changed("work")
        window.backend_combo.setCurrentIndex(0)  # the person tries the picker, too
        assert window.backends.current is not None and window.backends.current.key == DEMO_KEY
        assert window.backends.demo_running
    assert done.args[0].outcome is ev.Outcome.APPROVED


def annotated_png(params: RunParams) -> bytes:
    """A PNG carrying the provenance chunk imgloop's export writes."""
    provenance = {
        "original_prompt": params.prompt,
        "image_model": params.image_model_id,
        "judge_model": params.judge_model_id,
        "seed": params.titan_img_seed,
        "width": params.titan_img_width,
        "height": params.titan_img_height,
        "cfgScale": params.titan_img_cfg_scale,
    }
    chunk = itxt_chunk("imgloop", json.dumps(provenance, ensure_ascii=False))
    return insert_after_ihdr(png_bytes(8, 8), chunk)[0]


def test_dropping_an_exported_png_loads_its_parameters(
    make_window: MakeWindow, tmp_path: Path
) -> None:
    window = make_window()
    wanted = small(prompt="夕焼けの海辺を歩く猫", titan_img_cfg_scale=6.5, titan_img_seed=77)
    png = tmp_path / "exported.png"
    png.write_bytes(annotated_png(wanted))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(png))])
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(drop)
    loaded = window.form.params()
    assert (loaded.prompt, loaded.titan_img_cfg_scale, loaded.titan_img_seed) == (
        wanted.prompt,
        6.5,
        77,
    )


def test_pending_uploads_are_offered_and_retried(
    make_window: MakeWindow, qtbot: QtBot, bedrock_sim: BedrockSimulator, s3_endpoint: str
) -> None:
    """A run whose bucket did not exist leaves its image waiting; the window says so and
    uploads it when asked, with the chosen backend's credentials."""
    params = small(
        max_retry_attempts=1,
        max_prompt_revisions=0,
        s3_enabled=True,
        output_s3_bucket_name="imgloop-gui-retry",
    )
    with execute(params, credentials=DefaultChain()) as run:
        result, clients = run.result, run.clients
        assert result.uploads and not any(u.ok for u in result.uploads.values())
        clients.s3.create_bucket(Bucket="imgloop-gui-retry")
        window = make_window()
        window.select_backend(DEFAULT_KEY)
        qtbot.waitUntil(lambda: window.retry_uploads_action.isEnabled())
        assert window.statusBar().currentMessage() == history_actions.PENDING_UPLOADS.format(n=1)
        window.retry_uploads_action.trigger()
        qtbot.waitUntil(
            lambda: (
                window.pending_uploads == 0
                and window.statusBar().currentMessage()
                == history_actions.UPLOADS_RETRIED.format(done=1, failed=0)
            )
        )
        key = result.candidates[0].s3_key
        body = clients.s3.get_object(Bucket="imgloop-gui-retry", Key=key)["Body"].read()
        assert body == result.candidates[0].path.read_bytes()
        assert not window.retry_uploads_action.isEnabled()


def test_use_for_runs_in_the_dialog_moves_the_backend_picker(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    for _ in use_memory_keyring():
        store = AccountStore(backend=keyring.get_keyring())
        store.add("work", KEY_ID, SECRET, None, "us-east-1")
        window = make_window(accounts=store)
        window.select_backend(DEFAULT_KEY)
        window.open_accounts()
        dialog = window.accounts_dialog
        assert dialog is not None
        store.set_active("work")
        dialog.active_changed.emit()
        current = window.current_backend()
        assert current is not None and current.key == f"{ACCOUNT_PREFIX}work"
        dialog.close()
        dialog.wait_for_workers()


def test_the_backend_an_older_version_remembered_is_kept(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    """Older versions kept the choice in QSettings; it moves once into the one saved
    choice (the accounts file) and the window opens on it."""
    settings = SettingsStore()
    settings.qsettings.setValue("backend/choice", DEMO_KEY)
    settings.sync()
    window = make_window(backends=Backends(lambda: DemoBackend(SimScript())))
    current = window.current_backend()
    assert current is not None and current.key == DEMO_KEY
    assert window.backends.demo_running
    assert saved_key(window.accounts) == DEMO_KEY
    assert SettingsStore().legacy_backend_key() == ""


def test_a_run_shows_its_regions_and_notes_while_it_goes_and_after(
    make_window: MakeWindow, qtbot: QtBot, bedrock_sim: BedrockSimulator
) -> None:
    """Issue 11: the default model has no CFG scale; the run says so, and where it ran."""
    window = make_window()
    bedrock_sim.script.queue_verdicts("YES")
    result = run_to_end(qtbot, window, small())
    assert result.outcome is ev.Outcome.APPROVED
    progress = window.progress
    assert progress.regions_label.text() != panel_texts.NONE_YET
    assert "us-" in progress.regions_label.text()
    assert progress.run_notes_label.isVisible()
    assert any("titan_img_cfg_scale" in note for note in progress.run_notes), progress.run_notes


def test_a_form_remembered_with_retired_models_reopens_on_current_ones(
    make_window: MakeWindow,
) -> None:
    """An earlier version remembered the seed's defaults, retired since: the window must not
    reopen on a form that can only fail. It switches to the replacements and says so."""
    store = SettingsStore()
    store.set_last_params(
        small(image_model_id=SEED_IMAGE_MODEL, judge_model_id=SEED_JUDGE_MODEL, prompt="kept")
    )
    store.sync()
    window = make_window()
    params = window.form.params()
    assert (params.image_model_id, params.judge_model_id) == (
        DEFAULT_IMAGE_MODEL,
        DEFAULT_JUDGE_MODEL,
    )
    assert params.prompt == "kept"
    said = window.statusBar().currentMessage()
    assert SEED_IMAGE_MODEL in said and DEFAULT_IMAGE_MODEL in said and "end of life" in said


def test_opening_a_model_picker_reads_lifecycles_from_bedrock(
    make_window: MakeWindow,
    qtbot: QtBot,
    bedrock_sim: BedrockSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The picker asks Bedrock's control plane (GetFoundationModel) when it opens, off the
    GUI thread, keeps the answers a week, and relabels its entries with them."""
    for name, value in bedrock_sim.control_plane_env().items():
        monkeypatch.setenv(name, value)
    window = make_window()
    assert window.select_backend(DEFAULT_KEY)
    premier = window.form.judge_combo.findText("us.amazon.nova-premier-v1:0")
    assert premier >= 0
    window.form.model_combo.showPopup()
    window.form.model_combo.hidePopup()
    qtbot.waitUntil(
        lambda: (
            "from Bedrock" in window.form.judge_note.text()
            or "checked" in str(window.form.judge_combo.itemData(premier, LABEL_ROLE))
        ),
        timeout=10_000,
    )
    asked = bedrock_sim.count("get_foundation_model")
    assert asked > 0
    assert "Legacy" in str(window.form.judge_combo.itemData(premier, LABEL_ROLE))
    # Opening it again within the week asks nothing more.
    window.form.judge_combo.showPopup()
    window.form.judge_combo.hidePopup()
    window.lifecycle_jobs.wait()
    assert bedrock_sim.count("get_foundation_model") == asked

"""The checklist editor (issue 12): rows read as a Checklist, invalid edits named in words,
hidden in verdict mode, written from the prompt on a worker, and edits during a run reach
the running loop from the next judgement."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt
from pytestqt.qtbot import QtBot

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.cancel import CancelToken
from imgloop_desktop.core.checklist import Checklist
from imgloop_desktop.core.loop import ImageLoop, RunResult
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.protocols import GeneratedImage, GenerationRequest
from imgloop_desktop.gui.main_window.checklist_sync import SENT, ChecklistSync
from imgloop_desktop.gui.param_form import ParamForm
from imgloop_desktop.gui.param_form import checklist_editor as words
from imgloop_desktop.gui.run_controller import RunController, takes_loop_ready
from imgloop_desktop.providers.session import DefaultChain
from imgloop_desktop.services.checklist import Written
from imgloop_desktop.storage.local import LocalImageStore
from tests.core.test_loop_checklist import CHECKLIST, ScriptedChat, checks
from tests.fakes import SPEC, FakeGenerator

RUN_TIMEOUT_MS = 20_000


@pytest.fixture
def form(qtbot: QtBot) -> ParamForm:
    widget = ParamForm()
    qtbot.addWidget(widget)
    return widget


def type_row(form: ParamForm, row: int, text: str) -> None:
    cell = form.checklist_table.table.item(row, 0)
    assert cell is not None
    cell.setText(text)


def test_the_window_judges_by_checklist_and_an_empty_one_is_written_by_the_run(
    form: ParamForm,
) -> None:
    assert form.params().judge_mode == "checklist"
    assert form.params().checklist is None
    assert form.checklist_table.isVisibleTo(form)
    assert form.checklist_table.status.text() == words.EMPTY_HINT


def test_rows_read_as_the_checklist_and_round_trip(form: ParamForm) -> None:
    form.set_params(RunParams(prompt="a brown dog", judge_mode="checklist", checklist=CHECKLIST))
    assert form.checklist_table.table.rowCount() == 3
    assert form.params().checklist == CHECKLIST  # ids, kinds and dependencies kept
    must = form.checklist_table.table.item(2, 1)
    assert must is not None and must.text() == words.SHOULD
    must.setCheckState(Qt.CheckState.Checked)
    assert must.text() == words.MUST
    changed = form.params().checklist
    assert changed is not None and changed.items[2].must
    assert form.is_valid()


def test_add_edit_and_remove_requirements(qtbot: QtBot, form: ParamForm) -> None:
    form.prompt_edit.setPlainText("a red fox")
    edits: list[object] = []
    form.checklistEdited.connect(edits.append)
    form.checklist_table.add_button.click()
    # An empty row is named, not a traceback; Run stays off until it is fixed.
    assert not form.is_valid()
    assert (
        form.error_text("checklist") == "Requirement 1 is empty: say what the image should "
        "show, or remove it."
    )
    assert edits == []
    type_row(form, 0, "a red fox")
    assert form.is_valid(), form.problems()
    assert form.params().checklist == Checklist.from_json([{"text": "a red fox", "must": True}])
    assert len(edits) == 1
    form.checklist_table.add_button.click()
    type_row(form, 1, "  snow\non the ground ")
    checklist = form.params().checklist
    assert checklist is not None and checklist.items[1].text == "snow on the ground"
    remove = form.checklist_table.table.cellWidget(0, 2)
    assert remove is not None
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    checklist = form.params().checklist
    assert checklist is not None and [i.text for i in checklist.items] == ["snow on the ground"]


def test_a_list_without_a_must_is_refused_in_words(form: ParamForm) -> None:
    form.prompt_edit.setPlainText("a red fox")
    form.checklist_table.add_button.click()
    type_row(form, 0, "a red fox")
    must = form.checklist_table.table.item(0, 1)
    assert must is not None
    must.setCheckState(Qt.CheckState.Unchecked)
    assert not form.is_valid()
    assert form.error_text("checklist").startswith("At least one requirement must be a must")
    assert form.params().checklist is None  # never an invalid Checklist, never an exception


def test_verdict_mode_hides_the_editor_and_reads_none(form: ParamForm) -> None:
    form.set_params(RunParams(prompt="p", judge_mode="checklist", checklist=CHECKLIST))
    mode = form.field_widget("judge_mode")
    from PySide6.QtWidgets import QComboBox

    assert isinstance(mode, QComboBox)
    mode.setCurrentText("verdict")
    assert not form.checklist_table.isVisibleTo(form)
    assert form.params().checklist is None
    assert form.is_valid(), form.problems()
    mode.setCurrentText("checklist")  # the rows typed are still there
    assert form.params().checklist == CHECKLIST


def test_an_event_file_keeps_its_own_judge_mode(form: ParamForm, tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text('{"prompt": "a seed event"}', encoding="utf-8")
    assert form.import_event(path).judge_mode == "verdict"
    assert form.params().judge_mode == "verdict"


def test_presets_kept_before_checklists_default_to_checklist(qtbot: QtBot) -> None:
    import json

    from imgloop_desktop.gui.settings_store import KEY_PRESETS, SettingsStore

    store = SettingsStore()
    store.qsettings.setValue(KEY_PRESETS, json.dumps({"old": {"prompt": "kept"}}))
    assert store.preset("old").judge_mode == "checklist"
    store.save_preset("verdict", RunParams(prompt="p", judge_mode="verdict"))
    assert store.preset("verdict").judge_mode == "verdict"


def test_write_from_prompt_runs_on_a_worker_and_is_shown_for_editing(
    qtbot: QtBot, form: ParamForm, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[str, bool, str]] = []

    def fake_write(params: RunParams, *, credentials: Any, use_cache: bool = True) -> Written:
        asked.append((params.prompt, use_cache, threading.current_thread().name))
        return Written(CHECKLIST, params.judge_model_id, "", cached=True)

    monkeypatch.setattr(
        "imgloop_desktop.gui.main_window.checklist_sync.write_checklist", fake_write
    )
    controller = RunController()
    owner = QObject()
    sync = ChecklistSync(owner, form, controller, DefaultChain)
    try:
        form.prompt_edit.setPlainText("a brown dog in a sunny park")
        form.checklist_table.write_button.click()
        qtbot.waitUntil(lambda: form.params().checklist == CHECKLIST, timeout=5000)
        assert asked[0][:2] == ("a brown dog in a sunny park", True)
        assert asked[0][2] != threading.current_thread().name
        status = form.checklist_table.status.text()
        assert status == words.CACHED.format(model=form.params().judge_model_id)
        # Kept from last time: the button now asks afresh.
        assert form.checklist_table.write_button.text() == words.WRITE_AGAIN
        form.checklist_table.write_button.click()
        qtbot.waitUntil(lambda: len(asked) == 2, timeout=5000)
        assert asked[1][1] is False
        qtbot.waitUntil(lambda: form.checklist_table.write_button.isEnabled(), timeout=5000)
    finally:
        sync.close()


def test_a_write_that_fails_is_said_under_the_table(qtbot: QtBot, form: ParamForm) -> None:
    owner = QObject()
    sync = ChecklistSync(owner, form, RunController(), DefaultChain)
    try:
        form.checklist_table.write_button.click()  # no prompt yet
        qtbot.waitUntil(lambda: form.checklist_table.write_button.isEnabled(), timeout=5000)
        assert form.checklist_table.status.text().startswith("Could not write a checklist: prompt")
        assert form.params().checklist is None
    finally:
        sync.close()


# -- edits during a run ---------------------------------------------------------------------


class GatedGenerator(FakeGenerator):
    """Holds the second generation until ``gate`` opens, so a test can edit in between."""

    def __init__(self, gate: threading.Event) -> None:
        super().__init__()
        self.gate = gate

    def generate(self, request: GenerationRequest) -> list[GeneratedImage]:
        if len(self.requests) >= 1:
            self.gate.wait(10)
        return super().generate(request)


@dataclass
class FakeExecution:
    result: RunResult

    def __enter__(self) -> FakeExecution:
        return self

    def __exit__(self, *_exc: object) -> None:
        pass


class LoopOnFakes:
    """An execute function like ``services.run.execute``, on fakes, handing over its loop."""

    def __init__(self, chat: ScriptedChat, store: LocalImageStore, gate: threading.Event):
        self.chat = chat
        self.store = store
        self.gate = gate

    def __call__(
        self,
        params: RunParams,
        *,
        credentials: Any,
        emit: Any = None,
        cancel: CancelToken | None = None,
        loop_ready: Any = None,
    ) -> FakeExecution:
        loop = ImageLoop(
            params,
            SPEC,
            generator=GatedGenerator(self.gate),
            chat=self.chat,
            store=self.store,
            emit=emit,
            cancel=cancel,
        )
        if loop_ready is not None:
            loop_ready(loop)
        return FakeExecution(loop.run())


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()  # never leave the run thread waiting


def test_an_edit_during_a_run_reaches_the_next_judge_request(
    qtbot: QtBot, form: ParamForm, tmp_path: Path, gate: threading.Event
) -> None:
    chat = ScriptedChat(checks=[checks(c1="yes", c2="no", c3="yes")])
    execute = LoopOnFakes(chat, LocalImageStore(tmp_path / "images"), gate)
    assert takes_loop_ready(execute)
    controller = RunController(execute=execute)
    owner = QObject()
    sync = ChecklistSync(owner, form, controller, DefaultChain)
    said: list[str] = []
    sync.message.connect(said.append)
    seen: list[object] = []
    controller.event.connect(seen.append)
    try:
        form.set_params(
            RunParams(
                prompt="a brown dog in a sunny park",
                judge_mode="checklist",
                max_retry_attempts=2,
                max_prompt_revisions=0,
            )
        )
        assert form.params().checklist is None  # the run writes one
        assert controller.start(form.params(), DefaultChain())
        # The written checklist is shown as soon as the loop says which it is.
        qtbot.waitUntil(lambda: form.params().checklist == CHECKLIST, timeout=RUN_TIMEOUT_MS)
        assert not form.checklist_table.write_button.isEnabled()
        qtbot.waitUntil(
            lambda: any(isinstance(e, ev.VerdictReceived) for e in seen), timeout=RUN_TIMEOUT_MS
        )
        form.checklist_table.add_button.click()
        type_row(form, 3, "a red ball")
        assert said == [SENT]
        type_row(form, 3, "  ")  # an empty row is not sent: the run keeps its checklist
        assert said == [SENT]
        assert form.checklist_table.status.text() == words.RUN_NEEDS_ONE
        type_row(form, 3, "a red ball")
        assert said == [SENT, SENT]
        gate.set()
        with qtbot.waitSignal(controller.finished, timeout=RUN_TIMEOUT_MS):
            pass
    finally:
        gate.set()
        controller.shutdown()
        sync.close()
    first, second = chat.prompts("check")[:2]
    assert "a red ball" not in first
    assert "a red ball" in second
    origins = [e.origin for e in seen if isinstance(e, ev.ChecklistSet)]
    assert origins == [ev.ChecklistOrigin.WRITTEN, ev.ChecklistOrigin.EDITED]
    assert form.checklist_table.status.text() == words.RUN_EDITED
    assert form.checklist_table.write_button.isEnabled()


def test_an_edit_before_the_loop_exists_is_handed_over_when_it_does(
    qtbot: QtBot, tmp_path: Path, gate: threading.Event
) -> None:
    edited = CHECKLIST.added("a red ball", must=True)
    chat = ScriptedChat(checks=[checks(c1="yes", c2="yes", c3="yes", c4="yes")])
    started = threading.Event()
    inner = LoopOnFakes(chat, LocalImageStore(tmp_path / "images"), gate)

    def execute(params: RunParams, *, loop_ready: Any = None, **kw: Any) -> FakeExecution:
        started.wait(10)  # the edit comes first
        return inner(params, loop_ready=loop_ready, **kw)

    controller = RunController(execute=execute)
    gate.set()
    try:
        params = RunParams(prompt="a brown dog", judge_mode="checklist", checklist=CHECKLIST)
        with qtbot.waitSignal(controller.finished, timeout=RUN_TIMEOUT_MS):
            assert controller.start(params, DefaultChain())
            assert controller.set_checklist(edited)
            started.set()
    finally:
        started.set()
        controller.shutdown()
    assert "a red ball" in chat.prompts("check")[0]


def test_a_verdict_run_takes_no_edits(qtbot: QtBot, tmp_path: Path, gate: threading.Event) -> None:
    chat = ScriptedChat()
    chat.queues["check"].append('{"result": "YES", "reason": "fine"}')
    controller = RunController(execute=LoopOnFakes(chat, LocalImageStore(tmp_path), gate))
    gate.set()
    try:
        with qtbot.waitSignal(controller.finished, timeout=RUN_TIMEOUT_MS):
            assert controller.start(RunParams(prompt="p", judge_mode="verdict"), DefaultChain())
            assert not controller.can_edit_checklist
            assert not controller.set_checklist(CHECKLIST)
    finally:
        controller.shutdown()


def test_a_new_prompt_clears_the_checklist_the_judge_model_wrote(form: ParamForm) -> None:
    """A checklist is the prompt's requirements: one written for "a brown dog" must not
    judge "a red fox in snow". The run then writes one for the new prompt."""
    form.prompt_edit.setPlainText("a brown dog")
    form.show_written_checklist(CHECKLIST, "us.anthropic.claude-sonnet-4-6", cached=False)
    assert form.params().checklist == CHECKLIST
    form.prompt_edit.setPlainText("a red fox in snow")
    assert form.params().checklist is None
    assert form.checklist_table.is_empty()
    assert form.checklist_table.status.text() == words.CLEARED_FOR_NEW_PROMPT
    assert form.is_valid()


def test_a_runs_written_checklist_is_cleared_by_the_next_prompt(form: ParamForm) -> None:
    form.prompt_edit.setPlainText("a brown dog")
    written = ev.ChecklistSet(CHECKLIST, ev.ChecklistOrigin.WRITTEN, model_id="judge")
    form.set_run_going(True)
    form.show_run_checklist(written)
    form.prompt_edit.setPlainText("a brown dog, running")  # while it runs: its list stays
    assert form.params().checklist == CHECKLIST
    form.set_run_going(False)
    form.prompt_edit.setPlainText("a red fox in snow")
    assert form.params().checklist is None


def test_the_persons_own_checklist_is_kept_and_said_to_be_for_an_earlier_prompt(
    form: ParamForm,
) -> None:
    form.set_params(RunParams(prompt="a brown dog", judge_mode="checklist", checklist=CHECKLIST))
    form.prompt_edit.setPlainText("a red fox in snow")
    assert form.params().checklist == CHECKLIST
    assert form.checklist_table.status.text() == words.FOR_EARLIER_PROMPT
    form.prompt_edit.setPlainText("a brown dog")  # back to its own prompt: no warning
    assert not form.checklist_table.status.text()
    form.show_written_checklist(CHECKLIST, "judge", cached=True)
    type_row(form, 0, "a brown dog with a red collar")  # the person's now
    form.prompt_edit.setPlainText("a black dog")
    edited = form.params().checklist
    assert edited is not None and edited.items[0].text == "a brown dog with a red collar"
    assert form.checklist_table.status.text() == words.FOR_EARLIER_PROMPT


def test_the_next_start_remembers_the_persons_checklist_not_the_models(form: ParamForm) -> None:
    """The form kept at quit: the model's list is left for the cache to give back, so the
    restored form does not pass it off as the person's (given, kept under a new prompt)."""
    form.prompt_edit.setPlainText("a brown dog")
    form.show_written_checklist(CHECKLIST, "judge", cached=False)
    assert form.params().checklist == CHECKLIST
    assert form.params_to_keep().checklist is None
    assert form.params_to_keep().prompt == "a brown dog"
    type_row(form, 0, "a brown dog with a red collar")
    kept = form.params_to_keep().checklist
    assert kept is not None and kept.items[0].text == "a brown dog with a red collar"

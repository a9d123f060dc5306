"""The run controller against the Bedrock simulator: events reach the GUI thread in order,
runs end approved, not approved, in error or cancelled, and no worker is left behind."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.loop import RunResult
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.gui.run_controller import RunController
from imgloop_desktop.gui.workers import Workers
from imgloop_desktop.providers.session import DefaultChain
from imgloop_desktop.services.backends import (
    DEFAULT_KEY,
    DEMO_KEY,
    Backend,
    Backends,
    backend_choices,
)
from imgloop_desktop.simulator.demo import DemoBackend, DemoCredentials
from imgloop_desktop.simulator.script import SimScript
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.hung_endpoint import HungEndpoint

RUN_TIMEOUT_MS = 30_000


@pytest.fixture
def controller(qtbot: QtBot) -> Iterator[RunController]:
    ctl = RunController()
    yield ctl
    ctl.shutdown()


class Recorder(QObject):
    """Collects what the controller emits, and on which thread each arrived."""

    def __init__(self, controller: RunController) -> None:
        super().__init__()
        self.events: list[object] = []
        self.threads: set[str] = set()
        self.results: list[object] = []
        self.failures: list[tuple[str, str]] = []
        controller.event.connect(self._event)
        controller.finished.connect(self.results.append)
        controller.failed.connect(lambda m, d: self.failures.append((m, d)))

    def _event(self, event: object) -> None:
        self.threads.add(threading.current_thread().name)
        self.events.append(event)


def small(**changes: object) -> RunParams:
    return RunParams(
        prompt="a lighthouse at dusk", max_retry_attempts=2, max_prompt_revisions=1
    ).with_changes(**changes)


def run(qtbot: QtBot, controller: RunController, params: RunParams) -> RunResult:
    with qtbot.waitSignal(controller.finished, timeout=RUN_TIMEOUT_MS) as signal:
        assert controller.start(params, DefaultChain())
        assert controller.is_running
    assert not controller.is_running
    result = signal.args[0]
    assert isinstance(result, RunResult)
    return result


def test_approved_run_delivers_every_event_on_the_gui_thread(
    qtbot: QtBot, controller: RunController, bedrock_sim: BedrockSimulator
) -> None:
    seen = Recorder(controller)
    bedrock_sim.script.queue_verdicts("NO", "YES")
    result = run(qtbot, controller, small())
    assert result.outcome is ev.Outcome.APPROVED
    assert result.approved is not None and result.approved.path.is_file()
    assert seen.threads == {threading.main_thread().name}
    kinds = [type(e).__name__ for e in seen.events]
    assert kinds[0] == "RunStarted"
    assert kinds[-1] == "RunFinished"
    assert kinds.count("ImageStored") == 2
    assert kinds.count("VerdictReceived") == 2
    assert seen.results == [result]
    assert controller.last_result is result


def test_run_with_no_image_approved(
    qtbot: QtBot, controller: RunController, bedrock_sim: BedrockSimulator
) -> None:
    bedrock_sim.script.default_verdict = "NO"
    result = run(qtbot, controller, small())
    assert result.outcome is ev.Outcome.NOT_APPROVED
    assert len(result.candidates) == 4  # 2 prompt versions x 2 attempts
    assert len(result.prompts) == 2
    assert bedrock_sim.count("revise") == 1


def test_cancel_mid_run_keeps_what_was_made(
    qtbot: QtBot, controller: RunController, bedrock_sim: BedrockSimulator
) -> None:
    bedrock_sim.script.default_verdict = "NO"
    bedrock_sim.script.set_latency("generate", 0.5)
    seen = Recorder(controller)
    with qtbot.waitSignal(controller.finished, timeout=RUN_TIMEOUT_MS) as signal:
        controller.start(small(max_retry_attempts=5), DefaultChain())
        assert bedrock_sim.wait_for_arrival("generate", 2, timeout=10)
        controller.cancel()
        assert controller.cancelling
    result = signal.args[0]
    assert result.outcome is ev.Outcome.CANCELLED
    assert bedrock_sim.arrivals("generate") == 2  # nothing new started after cancel
    assert len(result.candidates) in (1, 2)
    assert all(c.path.is_file() for c in result.candidates)
    finished = [e for e in seen.events if isinstance(e, ev.RunFinished)]
    assert finished[0].outcome is ev.Outcome.CANCELLED
    assert not controller.is_running


def test_cancel_on_a_hung_service_ends_within_two_seconds(
    qtbot: QtBot, controller: RunController, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17: the window's Cancel no longer waits out the call in flight."""
    hung = HungEndpoint()
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", hung.url)
        with qtbot.waitSignal(controller.finished, timeout=RUN_TIMEOUT_MS) as signal:
            controller.start(small(), DefaultChain())
            assert hung.first_request.wait(30)
            asked = time.monotonic()
            controller.cancel()
        elapsed = time.monotonic() - asked
    finally:
        hung.close()
    assert signal.args[0].outcome is ev.Outcome.CANCELLED
    assert elapsed <= 2.0, f"Cancel took {elapsed:.2f} s"
    assert hung.requests == 1


def test_invalid_parameters_fail_before_any_call(
    qtbot: QtBot, controller: RunController, bedrock_sim: BedrockSimulator
) -> None:
    with qtbot.waitSignal(controller.failed) as signal:
        assert not controller.start(RunParams(prompt=""), DefaultChain())
    message, details = signal.args
    assert message == "1 value is not allowed."
    assert details.startswith("• prompt: '' is not allowed; 1-10000 characters")
    assert not controller.is_running
    assert bedrock_sim.count() == 0


def test_unknown_profile_fails_with_a_hint(
    qtbot: QtBot, controller: RunController, bedrock_sim: BedrockSimulator
) -> None:
    with qtbot.waitSignal(controller.failed, timeout=RUN_TIMEOUT_MS) as signal:
        assert controller.start(small(), DefaultChain(profile="no-such-profile"))
    message, _details = signal.args
    assert "AWS profile not found" in message
    assert "aws configure list-profiles" in message
    assert "Traceback" not in message + _details
    assert not controller.is_running
    assert bedrock_sim.count() == 0


def test_no_credentials_stop_the_run_before_it_starts(
    qtbot: QtBot,
    controller: RunController,
    bedrock_sim: BedrockSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Checked before any call: a readable message, no Bedrock call, no failed session."""
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with qtbot.waitSignal(controller.failed, timeout=RUN_TIMEOUT_MS) as failed:
        assert controller.start(small(), DefaultChain())
    assert failed.args[0].startswith("No usable AWS credentials were found")
    assert "aws configure" in failed.args[0] + failed.args[1]
    assert bedrock_sim.calls == []
    assert controller.wait()


def test_model_not_enabled_ends_the_run_with_a_readable_message(
    qtbot: QtBot, controller: RunController, bedrock_sim: BedrockSimulator
) -> None:
    bedrock_sim.script.fail("generate", "AccessDeniedException")
    result = run(qtbot, controller, small())
    assert result.outcome is ev.Outcome.ERROR
    assert "Traceback" not in result.message
    assert "access" in result.message.lower()


def test_a_second_start_is_refused_while_running(
    qtbot: QtBot, controller: RunController, bedrock_sim: BedrockSimulator
) -> None:
    bedrock_sim.script.set_latency("generate", 0.3)
    with qtbot.waitSignal(controller.finished, timeout=RUN_TIMEOUT_MS):
        assert controller.start(small(), DefaultChain())
        with qtbot.waitSignal(controller.failed) as refused:
            assert not controller.start(small(), DefaultChain())
        assert refused.args[0] == "A run is already in progress."


def test_background_calls_report_on_the_gui_thread(qtbot: QtBot) -> None:
    calls = Workers("calls")
    got: list[tuple[str, object]] = []

    def record(kind: str) -> object:
        def done(value: object) -> None:
            got.append((kind, value))
            got.append(("thread", threading.current_thread().name))

        return done

    calls.start(lambda: 41 + 1, returned=record("value"), errored=record("error"))
    qtbot.waitUntil(lambda: len(got) == 2)
    calls.start(lambda: 1 / 0, returned=record("value"), errored=record("error"))
    qtbot.waitUntil(lambda: len(got) == 4)
    assert got[0] == ("value", 42)
    assert got[1] == ("thread", threading.main_thread().name)
    assert got[2][0] == "error" and isinstance(got[2][1], ZeroDivisionError)
    assert calls.wait(5)


def test_backend_choices_list_profiles_between_aws_and_demo() -> None:
    choices = backend_choices(["dev", "prod"])
    assert [c.label for c in choices] == [
        "AWS (default credential chain)",
        "AWS profile: dev",
        "AWS profile: prod",
        "Offline demo (simulated Bedrock)",
    ]
    assert [c.synthetic for c in choices] == [False, False, False, True]


def test_backends_run_the_demo_only_while_chosen() -> None:
    backends = Backends(lambda: DemoBackend(SimScript()))
    demo = Backend(DEMO_KEY, "demo", DEMO_KEY)
    backends.select(demo)
    assert backends.demo_running
    credentials = backends.credentials()
    assert isinstance(credentials, DemoCredentials)
    assert credentials.bedrock_endpoint_url.startswith("http://127.0.0.1:")
    backends.select(Backend("aws-profile:dev", "dev", "profile", "dev"))
    assert not backends.demo_running
    assert backends.credentials() == DefaultChain(profile="dev")
    backends.select(Backend(DEFAULT_KEY, "default", "default"))
    assert backends.credentials() == DefaultChain()
    backends.select(demo)
    backends.close()
    assert not backends.demo_running


def test_demo_run_end_to_end(qtbot: QtBot, controller: RunController) -> None:
    script = SimScript(default_verdict="YES")
    script.queue_verdicts("NO")
    backends = Backends(lambda: DemoBackend(script))
    backends.select(Backend(DEMO_KEY, "demo", DEMO_KEY))
    try:
        with qtbot.waitSignal(controller.finished, timeout=RUN_TIMEOUT_MS) as signal:
            controller.start(small(), backends.credentials())
        result = signal.args[0]
        assert result.outcome is ev.Outcome.APPROVED
        assert len(result.candidates) == 2
    finally:
        backends.close()

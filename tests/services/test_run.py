"""The run service against the simulator: concurrency settings through the real providers,
and who closes the clients a run is made on."""

from __future__ import annotations

import sqlite3

import pytest

from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.events import Outcome
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.providers.session import Clients, DefaultChain, make_clients
from imgloop_desktop.services import run as run_service
from imgloop_desktop.services.run import close_clients as real_close_clients
from imgloop_desktop.services.run import execute
from imgloop_desktop.simulator.server import BedrockSimulator
from imgloop_desktop.storage.history import default_db_path


def test_throttle_storm_is_absorbed_by_the_shared_client(bedrock_sim: BedrockSimulator) -> None:
    """Three generations in flight all meet throttling; the one adaptive client they share
    retries each throttled call, and no call is made beyond those retries."""
    bedrock_sim.script.fail("generate", "ThrottlingException", times=4)
    bedrock_sim.script.queue_verdicts("NO", "NO", "NO", "YES")
    params = RunParams(
        prompt="a red fox in snow",
        titan_img_width=512,
        titan_img_height=512,
        max_retry_attempts=6,
        candidates_in_flight=3,
    )
    with execute(params, credentials=DefaultChain()) as run:
        result, clients = run.result, run.clients
        assert result.outcome is Outcome.APPROVED
        generated = len(result.candidates)
        assert bedrock_sim.arrivals("generate") == generated + 4
        assert generated <= 6
        throttled = [c for c in bedrock_sim.calls if c.error_code == "ThrottlingException"]
        assert len(throttled) == 4
        assert clients.bedrock_runtime.meta.config.retries["mode"] == "adaptive"


def test_judge_sees_the_downscaled_copy(bedrock_sim: BedrockSimulator) -> None:
    params = RunParams(prompt="a red fox in snow", max_retry_attempts=1, judge_image_max_side=256)
    with execute(params, credentials=DefaultChain()) as run:
        result = run.result
        assert result.outcome is Outcome.APPROVED
        assert list(bedrock_sim.last("judge").image_sizes) == [(256, 256)]
        verdict = next(iter(result.verdicts.values()))
        assert verdict.input_tokens is not None and verdict.input_tokens < 1000


SMALL = RunParams(
    prompt="a red fox in snow", titan_img_width=512, titan_img_height=512, max_retry_attempts=1
)


@pytest.fixture
def closed(monkeypatch: pytest.MonkeyPatch) -> list[Clients]:
    """Every client pair the run service closes, still closed for real."""
    seen: list[Clients] = []

    def record(clients: Clients) -> None:
        seen.append(clients)
        real_close_clients(clients)

    monkeypatch.setattr(run_service, "close_clients", record)
    return seen


def test_the_clients_execute_makes_close_when_the_run_is_left(
    bedrock_sim: BedrockSimulator, closed: list[Clients]
) -> None:
    with execute(SMALL, credentials=DefaultChain()) as run:
        assert run.result.outcome is Outcome.APPROVED
        assert run.region == run.clients.region == "us-east-1"
        assert closed == []
    assert closed == [run.clients]


def test_clients_the_caller_passes_stay_the_callers(
    bedrock_sim: BedrockSimulator, closed: list[Clients]
) -> None:
    clients = make_clients(DefaultChain(), None)
    try:
        with execute(SMALL, credentials=DefaultChain(), clients=clients) as run:
            assert run.clients is clients
        assert closed == []
    finally:
        real_close_clients(clients)


def test_a_run_that_cannot_start_closes_the_clients_it_made(
    bedrock_sim: BedrockSimulator, closed: list[Clients], monkeypatch: pytest.MonkeyPatch
) -> None:
    def unusable(*_: object) -> None:
        raise OSError(30, "Read-only file system", "history.sqlite3")

    monkeypatch.setattr(run_service, "HistoryRecorder", unusable)
    with pytest.raises(OSError, match="Read-only"):
        execute(SMALL, credentials=DefaultChain())
    assert len(closed) == 1
    assert bedrock_sim.calls == []


def test_invalid_parameters_make_no_clients(closed: list[Clients]) -> None:
    with pytest.raises(ValidationError):
        execute(RunParams(prompt=""), credentials=DefaultChain())
    assert closed == []


def test_a_run_with_every_default_is_approved_on_todays_models(
    bedrock_sim: BedrockSimulator,
) -> None:
    """Issue 11's "done when": only a prompt, every other field at its default, against a
    simulator answering as today's Bedrock. The image model is served in us-west-2 only, so
    it is called there while the judge's us. profile is called from the run's us-east-1."""
    with execute(RunParams(prompt="a red fox in snow"), credentials=DefaultChain()) as run:
        result = run.result
        assert result.outcome is Outcome.APPROVED, result.message
    assert {c.region for c in bedrock_sim.calls if c.op == "generate"} == {"us-west-2"}
    assert {c.region for c in bedrock_sim.calls if c.op == "judge"} == {"us-east-1"}
    assert all(c.status == 200 for c in bedrock_sim.calls)  # no setting refused, no retry
    judged = bedrock_sim.last("judge").body
    assert "topP" not in judged["inferenceConfig"]  # unset by default
    with sqlite3.connect(default_db_path()) as db:
        row = db.execute(
            "SELECT image_region, judge_region, notes FROM runs WHERE run_id = ?",
            (result.run_id,),
        ).fetchone()
    assert row[:2] == ("us-west-2", "us-east-1")
    assert "titan_img_cfg_scale (8) is not used" in row[2]


def test_each_model_runs_in_the_region_the_person_set_when_it_serves_both(
    bedrock_sim: BedrockSimulator,
) -> None:
    params = RunParams(prompt="a red fox in snow", aws_region="us-west-2", max_retry_attempts=1)
    with execute(params, credentials=DefaultChain()) as run:
        assert run.result.outcome is Outcome.APPROVED
    assert {c.region for c in bedrock_sim.calls} == {"us-west-2"}

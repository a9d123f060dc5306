"""Issue 17 end to end: the real loop, boto3 and the history against a misbehaving Bedrock
(the simulator's scripted faults). Each case bounds the wall time, checks the outcome and
that every image made is on disk, named in the history, and that the history checks clean."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import time
from collections.abc import Iterator

import pytest

from imgloop_desktop.core.events import Outcome, VerdictResult
from imgloop_desktop.core.loop import RunResult
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.providers import catalog
from imgloop_desktop.providers.session import DefaultChain
from imgloop_desktop.services import run as run_service
from imgloop_desktop.simulator.server import BedrockSimulator
from imgloop_desktop.storage.history import default_db_path
from imgloop_desktop.storage.history.recovery import check_files

PARAMS = RunParams(
    prompt="a red fox in snow",
    titan_img_width=512,
    titan_img_height=512,
    max_retry_attempts=2,
    max_prompt_revisions=0,
)


def run(params: RunParams = PARAMS) -> tuple[RunResult, float]:
    started = time.monotonic()
    with run_service.execute(params, credentials=DefaultChain()) as execution:
        result = execution.result
    return result, time.monotonic() - started


@pytest.fixture
def history() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(default_db_path())
    yield conn
    conn.close()


def assert_nothing_lost(result: RunResult) -> None:
    for candidate in result.candidates:
        assert candidate.path.is_file()
    with sqlite3.connect(default_db_path()) as conn:
        rows = conn.execute("SELECT count(*) FROM images").fetchone()[0]
        assert rows == len(result.candidates)
        assert check_files(conn, verify=True) == []
    conn.close()


@pytest.mark.parametrize("variant", ["truncated", "random_after_signature", "bomb"])
def test_an_undecodable_image_is_never_judged_and_the_next_attempt_goes_on(
    bedrock_sim: BedrockSimulator, variant: str
) -> None:
    bedrock_sim.script.bad_image_next(variant)
    result, elapsed = run()
    assert result.outcome is Outcome.APPROVED
    assert result.approved is not None and result.approved.ref.attempt == 1
    assert bedrock_sim.count("judge") == 1
    assert elapsed < 30
    bad = list(result.approved.path.parent.glob("*.bad"))
    assert [p.name for p in bad] == ["000-000-0.bad"]
    assert_nothing_lost(result)


def test_forty_images_for_one_asked_cost_one_judgement(bedrock_sim: BedrockSimulator) -> None:
    bedrock_sim.script.extra_images_next(40)
    result, _ = run()
    assert result.outcome is Outcome.APPROVED
    assert len(result.candidates) == 1
    assert bedrock_sim.count("judge") == 1
    assert_nothing_lost(result)
    with sqlite3.connect(default_db_path()) as conn:
        (notes,) = conn.execute("SELECT notes FROM attempts").fetchone()
    conn.close()
    assert "returned 40 images for 1 asked" in notes


@pytest.mark.parametrize("variant", ["json_array", "deep_nesting", "huge_int", "not_json"])
def test_an_absurd_generation_body_ends_the_run_with_a_clear_error(
    bedrock_sim: BedrockSimulator, variant: str
) -> None:
    bedrock_sim.script.absurd_next("generate", variant)
    result, elapsed = run()
    assert result.outcome is Outcome.ERROR
    assert "Unexpected error" not in result.message
    assert PARAMS.image_model_id in result.message
    assert elapsed < 30
    assert_nothing_lost(result)


@pytest.mark.parametrize("variant", ["json_array", "deep_nesting", "bad_usage"])
def test_an_absurd_judge_body_ends_the_run_keeping_the_image(
    bedrock_sim: BedrockSimulator, variant: str
) -> None:
    bedrock_sim.script.absurd_next("judge", variant)
    result, elapsed = run()
    assert result.outcome is Outcome.ERROR
    assert "Unexpected error" not in result.message
    assert len(result.candidates) == 1
    assert elapsed < 30
    assert_nothing_lost(result)


def test_a_thirty_megabyte_judge_answer_is_never_approved_or_kept_whole(
    bedrock_sim: BedrockSimulator,
) -> None:
    bedrock_sim.script.absurd_next("judge", "huge_text", times=2)
    result, _ = run(PARAMS.with_changes(max_retry_attempts=1))
    assert result.outcome is Outcome.NOT_APPROVED
    (verdict,) = result.verdicts.values()
    assert verdict.result is VerdictResult.ERROR
    with sqlite3.connect(default_db_path()) as conn:
        (raw_length,) = conn.execute("SELECT length(raw) FROM verdicts").fetchone()
    conn.close()
    assert raw_length < 20_000
    assert default_db_path().stat().st_size < 5_000_000


def test_a_trickling_generation_is_abandoned_at_the_loops_deadline(
    bedrock_sim: BedrockSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A byte every 0.2 s never trips the SDK's read timeout; the loop's deadline does."""
    family = catalog.image_spec(PARAMS.image_model_id).family
    monkeypatch.setitem(catalog.IMAGE_READ_TIMEOUT_SECONDS, family, 0.5)
    monkeypatch.setattr(run_service, "DEADLINE_SLACK_SECONDS", 0.5)
    bedrock_sim.script.trickle_next("generate", chunk_bytes=16, interval=0.2)
    result, elapsed = run()
    assert result.outcome is Outcome.APPROVED
    assert result.approved is not None and result.approved.ref.attempt == 1
    assert elapsed < 15
    with sqlite3.connect(default_db_path()) as conn:
        errors = [row[0] for row in conn.execute("SELECT error FROM attempts ORDER BY attempt")]
    conn.close()
    assert "no answer within 1 s" in errors[0]
    assert_nothing_lost(result)


def test_a_reset_mid_body_fails_cleanly(bedrock_sim: BedrockSimulator) -> None:
    bedrock_sim.script.reset_next("generate", after_bytes=100, times=10)
    result, elapsed = run()
    assert result.outcome is Outcome.ERROR
    assert "Unexpected error" not in result.message
    assert elapsed < 60
    assert_nothing_lost(result)


def test_the_service_deadlines_sit_above_the_sdk_timeouts() -> None:
    for spec in catalog.IMAGE_MODELS:
        limits = run_service.deadlines(spec)
        assert limits.generation > catalog.image_read_timeout(spec.model_id)
        assert limits.judge > 2 * catalog.CHAT_READ_TIMEOUT_SECONDS


def test_a_model_timeout_is_one_failed_attempt_and_the_run_goes_on(
    bedrock_sim: BedrockSimulator,
) -> None:
    """Issue 11: Bedrock's ModelTimeoutException (408) costs the attempt it hit, is not sent
    again by the SDK, and is no reason for the reviser."""
    bedrock_sim.script.fail("generate", "ModelTimeoutException")
    params = dataclasses.replace(PARAMS, max_retry_attempts=1, max_prompt_revisions=1)
    result, elapsed = run(params)
    assert result.outcome is Outcome.APPROVED
    assert result.approved is not None and result.approved.ref.revision == 1
    assert bedrock_sim.count("generate") == 2  # one timed out, one made the image
    revise = [call for call in bedrock_sim.calls if call.op == "revise"]
    assert len(revise) == 1
    assert "ModelTimeoutException" not in json.dumps(revise[0].body)
    assert elapsed < 30
    with sqlite3.connect(default_db_path()) as conn:
        errors = [row[0] for row in conn.execute("SELECT error FROM attempts ORDER BY id")]
    conn.close()
    assert "ModelTimeoutException" in errors[0] and errors[1] == ""
    assert_nothing_lost(result)

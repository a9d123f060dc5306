"""``imgloop-cli batch`` in process, against the simulator: invalid files make no call and
name line and field; a small batch prints one line per item, then its summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from imgloop_desktop import paths
from imgloop_desktop.cli.batch_cmd import exit_code
from imgloop_desktop.cli.main import main
from imgloop_desktop.core.events import Outcome
from imgloop_desktop.services import queue_limits
from imgloop_desktop.services.queue_limits import QueueLimits
from imgloop_desktop.simulator.server import BedrockSimulator

ONE_SHOT = {"max_retry_attempts": 1, "max_prompt_revisions": 0}


@pytest.fixture(autouse=True)
def roomy_limits() -> QueueLimits:
    """The account limits the command shares with the window's queue (Preferences → Queue),
    set wide: the defaults are sized for a new Bedrock account, not for a test."""
    limits = QueueLimits(items_at_once=4, image_calls_at_once=8, image_calls_per_minute=3000)
    queue_limits.save_limits(limits)
    return limits


def jsonl(tmp_path: Path, *events: dict[str, Any] | str) -> Path:
    path = tmp_path / "prompts.jsonl"
    lines = [e if isinstance(e, str) else json.dumps(e) for e in events]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def out_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_invalid_lines_exit_2_naming_line_and_field_with_no_call(
    bedrock_sim: BedrockSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = jsonl(
        tmp_path,
        {"prompt": "a cat"},
        {"prompt": "a dog", "max_retry_attempts": 0},
        "{not json",
    )
    assert main(["batch", str(path), "--quiet"]) == 2
    captured = capsys.readouterr()
    assert "invalid input: line 2: max_retry_attempts" in captured.err
    assert "invalid input: line 3: " in captured.err
    (printed,) = out_lines(captured.out)
    assert printed["statusCode"] == 400 and printed["status"] == "FAIL"
    fields = [p["field"] for p in printed["problems"]]
    assert "line 2: max_retry_attempts" in fields
    assert bedrock_sim.count() == 0


def test_a_missing_file_is_invalid_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["batch", str(tmp_path / "none.jsonl")]) == 2
    assert "batch file" in capsys.readouterr().err


def test_a_small_batch_prints_each_item_and_a_summary(
    bedrock_sim: BedrockSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bedrock_sim.script.queue_verdicts("YES", "NO", "YES")
    path = jsonl(
        tmp_path,
        {"prompt": "a red fox in snow", **ONE_SHOT},
        {"prompt": "a grey wolf in snow", **ONE_SHOT},
        {"prompt": "a white owl in snow", **ONE_SHOT},
    )
    code = main(["batch", str(path), "--concurrency", "1", "--no-s3"])
    captured = capsys.readouterr()
    *items, summary = out_lines(captured.out)
    assert [(i["line"], i["status"], i["statusCode"]) for i in items] == [
        (1, "SUCCESS", 200),
        (2, "FAIL", 400),
        (3, "SUCCESS", 200),
    ]
    assert all(i["run_id"] and i["candidates"] for i in items)
    assert summary["summary"] is True
    assert (summary["items"], summary["done"], summary["approved"]) == (3, 3, 2)
    assert (summary["not_approved"], summary["failed"]) == (1, 0)
    assert summary["wall_seconds"] > 0
    assert "line 2: " in captured.err  # progress, prefixed with the item's line
    assert code == 1


def test_all_approved_exits_0_concurrently(
    bedrock_sim: BedrockSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = jsonl(tmp_path, *({"prompt": f"a red fox, take {n}", **ONE_SHOT} for n in range(4)))
    assert main(["batch", str(path), "--concurrency", "4", "--no-s3", "--quiet"]) == 0
    *items, summary = out_lines(capsys.readouterr().out)
    assert sorted(i["line"] for i in items) == [1, 2, 3, 4]
    assert summary["approved"] == 4


def test_concurrency_is_bounded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["batch", str(tmp_path / "x.jsonl"), "--concurrency", "0"])
    assert caught.value.code == 2


@pytest.mark.parametrize(
    ("outcomes", "code"),
    [
        ([Outcome.APPROVED, Outcome.APPROVED], 0),
        ([Outcome.APPROVED, Outcome.NOT_APPROVED], 1),
        ([Outcome.NOT_APPROVED, Outcome.BUDGET], 4),
        ([Outcome.BUDGET, Outcome.ERROR], 3),
        ([Outcome.APPROVED, Outcome.CANCELLED], 3),
    ],
)
def test_the_worst_item_sets_the_exit_code(outcomes: list[Outcome], code: int) -> None:
    assert exit_code(outcomes) == code


def test_the_account_limits_from_preferences_hold_for_the_command(
    bedrock_sim: BedrockSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queue_limits.save_limits(
        QueueLimits(items_at_once=2, image_calls_at_once=1, image_calls_per_minute=1200)
    )
    path = jsonl(tmp_path, {"prompt": "a cat", **ONE_SHOT}, {"prompt": "a dog", **ONE_SHOT})
    assert main(["batch", str(path), "--quiet"]) == 0
    *_, summary = out_lines(capsys.readouterr().out)
    assert summary["image_calls_per_minute"] == 1200.0  # the saved ceiling, not the default


def test_a_bad_limits_file_is_invalid_input_naming_it(
    bedrock_sim: BedrockSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (paths.data_dir() / queue_limits.LIMITS_FILE).write_text(
        '{"image_calls_at_once": 0}', encoding="utf-8"
    )
    path = jsonl(tmp_path, {"prompt": "a cat", **ONE_SHOT})
    assert main(["batch", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "image_calls_at_once" in err and "0" in err
    assert bedrock_sim.count() == 0

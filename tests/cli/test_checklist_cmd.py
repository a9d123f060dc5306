"""``imgloop-cli checklist "prompt"``: the judge's model writes the requirement checklist
(issue 12), printed as JSON, kept per prompt and judge model."""

from __future__ import annotations

import json
from typing import Any

import pytest

from imgloop_desktop.cli import main as cli_main
from imgloop_desktop.simulator.server import BedrockSimulator


def checklist(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = cli_main.main(["checklist", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else None, err


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["   "], "prompt"),
        (["a\x00b"], "prompt"),
        (["x" * 10_001], "prompt"),
        (["a fox", "--judge-model", "has spaces in it"], "judge_model_id"),
        (["a fox", "--region", "mars-1"], "aws_region"),
        (["a fox", "--judge-model", "anthropic.claude-sonnet-4-6"], "judge_model_id"),
        (["a fox", "--region", "eu-west-1"], "aws_region"),  # a us. profile from eu-west-1
    ],
)
def test_invalid_input_exits_2_naming_the_field_without_a_call(
    capsys: pytest.CaptureFixture[str], bedrock_sim: BedrockSimulator, args: list[str], field: str
) -> None:
    code, response, err = checklist(capsys, *args)
    assert code == 2, err
    body = json.loads(response["body"])  # the same answer as ``run`` gives
    assert field in {p["field"] for p in body["problems"]}
    assert f"invalid input: {field}" in err
    assert bedrock_sim.calls == []


def test_prints_the_models_checklist_then_serves_it_from_the_cache(
    capsys: pytest.CaptureFixture[str], bedrock_sim: BedrockSimulator
) -> None:
    bedrock_sim.script.queue_checklists(
        [{"text": "a red fox", "must": True}, {"text": "snow falling", "must": False}],
        style="fenced",
    )
    code, first, err = checklist(capsys, "a red fox in falling snow")
    assert code == 0, err
    assert first["prompt"] == "a red fox in falling snow" and first["cached"] is False
    items = first["checklist"]
    assert [(i["text"], i["must"]) for i in items] == [("a red fox", True), ("snow falling", False)]
    assert bedrock_sim.count("checklist") == 1

    code, again, err = checklist(capsys, "a red fox in falling snow")
    assert code == 0, err
    assert again["cached"] is True and again["checklist"] == first["checklist"]
    assert bedrock_sim.count("checklist") == 1  # kept: no second call

    code, fresh, err = checklist(capsys, "a red fox in falling snow", "--fresh")
    assert code == 0, err
    assert fresh["cached"] is False
    assert bedrock_sim.count("checklist") == 2


def test_the_events_judge_model_writes_it_and_keys_the_cache(
    capsys: pytest.CaptureFixture[str], bedrock_sim: BedrockSimulator, tmp_path: Any
) -> None:
    judge = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"prompt": "ignored", "judge_model_id": judge}), "utf-8")
    code, written, err = checklist(capsys, "two cats", "--event", str(event))
    assert code == 0, err
    assert written["judge_model_id"] == judge and written["cached"] is False
    [call] = [c for c in bedrock_sim.calls if c.op == "checklist"]
    assert judge in call.model_id
    code, other, err = checklist(capsys, "two cats")  # the default judge: its own entry
    assert code == 0, err
    assert other["cached"] is False and other["judge_model_id"] != judge

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

"""``imgloop-cli cloud submit|status|pull`` through the command's own entry, against moto
(the Map's part played as in tests/services/test_cloud.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from imgloop_desktop.cli.main import main
from imgloop_desktop.services import cloud
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.services.test_cloud import (  # fixtures and the Map's stand-in
    BUCKET,
    LINES,
    PREFIX,
    aws,
    events_file,
    play_the_map,
    sfn_url,
)

__all__ = ["aws", "sfn_url"]  # pytest finds the imported fixtures by name


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(["cloud", *argv])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else None, captured.err


def test_submit_status_pull(
    aws: str,
    bedrock_sim: BedrockSimulator,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, ref, _ = cli(
        capsys,
        "submit",
        str(events_file(tmp_path, LINES[:2])),
        "--state-machine",
        aws,
        "--bucket",
        BUCKET,
        "--prefix",
        PREFIX,
    )
    assert code == 0 and ref["items"] == 2
    assert ref["events_key"] == f"{PREFIX}batches/{ref['batch_id']}/prompts.jsonl"
    arn = ref["execution_arn"]

    code, state, _ = cli(capsys, "status", arn)
    assert code == 0 and state["status"] == "RUNNING" and state["items"] is None

    code, _, err = cli(capsys, "pull", arn, "--to", str(tmp_path / "early"))
    assert code == 3 and "no results yet" in err

    play_the_map(arn, monkeypatch, tmp_path)
    code, state, _ = cli(capsys, "status", arn)
    assert code == 0 and state["status"] == "SUCCEEDED"
    assert state["counts"] == {"total": 2, "succeeded": 2, "failed": 0}
    assert state["outcomes"] == {"approved": 2}

    code, report, _ = cli(capsys, "pull", arn)  # default folder: beside the history
    assert code == 0 and len(report["sessions_added"]) == 2
    assert Path(report["folder"]).parent.name == "cloud"
    with HistoryService.open() as history:
        assert {s.run_id for s in history.list_sessions().sessions} == set(report["sessions_added"])


def test_invalid_input_exits_2_naming_field_value_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = events_file(tmp_path, [{"prompt": "x", "image_model_id": "no.such-model"}])
    code, out, err = cli(
        capsys, "submit", str(path), "--state-machine", "arn:nope", "--bucket", BUCKET
    )
    assert code == 2
    fields = [p["field"] for p in out["problems"]]
    assert fields == ["state_machine_arn"]
    assert "invalid input: state_machine_arn: 'arn:nope' is not allowed; a state machine" in err

    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:imgloop-batch"
    code, out, err = cli(capsys, "submit", str(path), "--state-machine", arn, "--bucket", BUCKET)
    assert code == 2
    problem = out["problems"][0]
    assert problem["field"] == "line 1: image_model_id" and problem["value"] == "no.such-model"
    assert problem["allowed"]

    code, out, err = cli(capsys, "status", "not-an-arn")
    assert code == 2 and out["problems"][0]["field"] == "execution_arn"


def test_aws_failures_exit_3_with_the_call_named(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(
        capsys,
        "submit",
        str(events_file(tmp_path)),
        "--state-machine",
        aws,
        "--bucket",
        "no-such-bucket",
    )
    assert code == 3 and out is None
    assert err.startswith("error: uploading s3://no-such-bucket/") and "NoSuchBucket" in err
    missing = aws.replace(":stateMachine:", ":execution:") + ":gone"
    code, _, err = cli(capsys, "status", missing)
    assert code == 3 and "ExecutionDoesNotExist" in err


def test_no_credentials_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    arn = "arn:aws:states:us-east-1:123456789012:execution:imgloop-batch:b-1"
    code, _, err = cli(capsys, "status", arn)
    assert code == 3 and err.startswith("error: ")


def test_deploy_prints_the_build_and_sam_commands_for_the_checkout(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # no SAM CLI
    code, body, err = cli(
        capsys, "deploy", "--bucket", "my-bucket", "--region", "eu-west-1", "--stack-name", "b2"
    )
    assert code == 0 and body["ran"] is False
    build, deploy = body["commands"]
    assert build == "python3 packaging/aws/build_lambda.py"
    assert deploy.startswith("sam deploy --template-file packaging/aws/template.yaml")
    for part in ("--region eu-west-1", "--stack-name b2", "BatchBucket=my-bucket"):
        assert part in deploy
    assert "--confirm-changeset" not in deploy
    assert (Path(body["cwd"]) / "packaging/aws/template.yaml").is_file()
    assert "SAM CLI not found" in err


def test_deploy_runs_the_commands_when_sam_is_installed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A checkout whose builder and SAM CLI only record how they were called.
    aws = tmp_path / "packaging" / "aws"
    aws.mkdir(parents=True)
    (aws / "template.yaml").write_text("Resources: {}\n")
    calls = tmp_path / "calls.txt"
    (aws / "build_lambda.py").write_text(
        f"open({str(calls)!r}, 'a').write('build\\n')\n", encoding="utf-8"
    )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    sam = bin_dir / "sam"
    sam.write_text(f'#!/bin/sh\necho "sam $*" >> {calls}\n')
    sam.chmod(0o755)
    python3 = bin_dir / "python3"
    python3.symlink_to(sys.executable)
    monkeypatch.setenv("PATH", str(bin_dir))
    real = cloud.deploy_commands
    monkeypatch.setattr(cloud, "deploy_commands", lambda **kw: real(**kw, root=tmp_path))
    code, body, _ = cli(capsys, "deploy", "--bucket", "my-bucket")
    assert code == 0 and body["ran"] is True
    build, deploy = calls.read_text().splitlines()
    assert build == "build"
    assert deploy.startswith("sam deploy --template-file packaging/aws/template.yaml")
    assert deploy.endswith("--confirm-changeset")  # SAM asks before it changes anything


def test_deploy_names_every_bad_value_and_runs_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, body, err = cli(
        capsys, "deploy", "--bucket", "My_Bucket", "--prefix", "x", "--max-concurrency", "0"
    )
    assert code == 2
    assert [p["field"] for p in body["problems"]] == ["bucket", "prefix", "max_concurrency"]
    assert "invalid input: bucket" in err

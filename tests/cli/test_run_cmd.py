"""The headless command end to end: a real subprocess, boto3 → our Bedrock simulator and
moto's S3 server, both reached through the standard AWS endpoint variables."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest

from imgloop_desktop import paths
from imgloop_desktop.core.params import DEFAULT_IMAGE_MODEL, SEED_IMAGE_MODEL, SEED_JUDGE_MODEL
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.conftest import FAKE_KEY_ID, FAKE_SECRET

BUCKET = "imgloop-e2e"
SEED_EVENT = json.loads(
    (Path(__file__).parents[2] / "resources" / "examples" / "seed-event.json").read_text()
)


@pytest.fixture
def s3(s3_endpoint: str) -> Iterator[Any]:
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    yield client
    client.close()


def event_file(tmp_path: Path, **changes: Any) -> Path:
    event = dict(SEED_EVENT, output_s3_bucket_name=BUCKET, output_s3_key_prefix="e2e") | changes
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event, ensure_ascii=False), encoding="utf-8")
    return path


def cli(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "imgloop_desktop.cli.main", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def finish(proc: subprocess.Popen[str]) -> tuple[int, dict[str, Any], dict[str, Any], str]:
    out, err = proc.communicate(timeout=120)
    response = json.loads(out)
    return proc.returncode, response, json.loads(response["body"]), err


def run_cli(*args: str | Path) -> tuple[int, dict[str, Any], dict[str, Any], str]:
    return finish(cli(*args))


def test_approved_after_one_revision_like_the_seed(
    bedrock_sim: BedrockSimulator, s3: Any, tmp_path: Path
) -> None:
    bedrock_sim.script.queue_verdicts("NO", "NO", "YES")
    event = event_file(tmp_path, max_retry_attempts=2, max_prompt_revisions=3)
    code, response, body, err = run_cli("run", "--event", event)

    assert code == 0, err
    assert response["statusCode"] == 200
    assert body["status"] == "SUCCESS"
    assert body["message"] == "Image generated successfully"
    key = body["output_s3_object_url"].split("prefix=")[1]
    assert key.startswith("e2e-") and key.endswith("-001-000.png")
    assert body["output_s3_bucket_url"].endswith(f"/s3/buckets/{BUCKET}")
    local = Path(body["local_path"])
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == local.read_bytes()
    assert [c["verdict"] for c in body["candidates"]] == ["NO", "NO", "YES"]
    assert all(c["uploaded"] for c in body["candidates"])
    assert bedrock_sim.count("generate") == 3
    # The seed's event sets temperature and top_p; Claude Sonnet 4.6 takes only one of them,
    # so its first judge call is refused once, sent again without top_p, and that is said.
    assert bedrock_sim.count("judge") == 4
    assert "left out for the rest of the run" in err
    assert bedrock_sim.count("revise") == 1
    assert {c.access_key_id for c in bedrock_sim.calls} == {FAKE_KEY_ID}
    assert "prompt version 2: " in err and "YES" in err
    # The image model is served in us-west-2 only; the judge's profile from the run's region.
    assert {c.region for c in bedrock_sim.calls if c.op == "generate"} == {"us-west-2"}
    assert {c.region for c in bedrock_sim.calls if c.op != "generate"} == {"us-east-1"}
    assert "stability.sd3-5-large-v1:0 in us-west-2" in err
    assert FAKE_SECRET not in err and FAKE_SECRET not in json.dumps(response)


def test_no_approval_runs_documented_counts(bedrock_sim: BedrockSimulator, tmp_path: Path) -> None:
    """max_prompt_revisions=2 revises twice (the seed's code revised once): 3 x 2 attempts."""
    bedrock_sim.script.default_verdict = "NO"
    event = event_file(tmp_path, max_retry_attempts=2, max_prompt_revisions=2)
    code, response, body, _ = run_cli("run", "--event", event, "--no-s3")
    assert code == 1
    assert response["statusCode"] == 400
    assert body["error"] == "Failed to generate a valid image after all attempts and revisions"
    assert len(body["candidates"]) == 6
    assert len(body["prompts"]) == 3
    assert all(Path(c["local_path"]).exists() for c in body["candidates"])
    assert (bedrock_sim.count("generate"), bedrock_sim.count("revise")) == (6, 2)
    assert all(c["s3_key"] is None for c in body["candidates"])


def test_invalid_input_exits_before_any_call(bedrock_sim: BedrockSimulator, tmp_path: Path) -> None:
    event = event_file(tmp_path, claude_validate_top_p=2, titan_img_width=5000, prompt="")
    code, response, body, err = run_cli("run", "--event", event)
    assert code == 2
    assert response["statusCode"] == 400
    fields = {p["field"] for p in body["problems"]}
    assert fields == {"prompt", "claude_validate_top_p", "titan_img_width"}
    assert "titan_img_width: 5000 is not allowed; 320-4096 pixels" in err
    assert bedrock_sim.calls == []


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"aws_region": "us-east-1"}, "aws_region", "us-west-2"),
        ({"image_model_id": "us.stability.sd3-5-large-v1:0"}, "image_model_id", "no 'us.'"),
        ({"judge_model_id": "anthropic.claude-sonnet-4-6"}, "judge_model_id", "us.anthropic"),
    ],
)
def test_a_model_its_region_does_not_serve_is_refused_before_any_call(
    bedrock_sim: BedrockSimulator, tmp_path: Path, changes: dict[str, str], field: str, says: str
) -> None:
    code, _, body, _ = run_cli("run", "--event", event_file(tmp_path, **changes))
    assert code == 2
    (problem,) = body["problems"]
    assert problem["field"] == field and says in problem["allowed"]
    assert bedrock_sim.calls == []


def test_a_seed_size_on_a_stability_model_is_mapped_and_said(
    bedrock_sim: BedrockSimulator, tmp_path: Path
) -> None:
    event = event_file(tmp_path, titan_img_width=1152, titan_img_height=640)
    code, _, body, err = run_cli("run", "--event", event, "--no-s3")
    assert code == 0, err
    assert "the nearest, 1344\u00d7768, is used" in err
    assert "titan_img_cfg_scale (10) is not used" in err  # the seed event sets 10
    assert bedrock_sim.last("generate").body["aspect_ratio"] == "16:9"
    assert (body["candidates"][0]["width"], body["candidates"][0]["height"]) == (1344, 768)


def test_s3_outage_keeps_the_local_copy_and_approval(
    bedrock_sim: BedrockSimulator, s3_endpoint: str, tmp_path: Path
) -> None:
    """The bucket does not exist: every upload fails, nothing else does."""
    code, _, body, err = run_cli("run", "--event", event_file(tmp_path))
    assert code == 0
    assert Path(body["local_path"]).read_bytes()[:4] == b"\x89PNG"
    assert [c["uploaded"] for c in body["candidates"]] == [False]
    assert "upload failed" in err and "NoSuchBucket" in err


def test_end_of_life_model_names_a_replacement(
    bedrock_sim: BedrockSimulator, tmp_path: Path
) -> None:
    """An event naming the seed's own models loads unchanged and fails at once, naming the
    current model to use instead."""
    event = event_file(tmp_path, image_model_id=SEED_IMAGE_MODEL, judge_model_id=SEED_JUDGE_MODEL)
    code, response, body, _ = run_cli("run", "--event", event, "--no-s3")
    assert code == 3
    assert response["statusCode"] == 500
    assert SEED_IMAGE_MODEL in body["error"]
    assert "end of its life" in body["error"] or "end-of-life" in body["error"]
    assert DEFAULT_IMAGE_MODEL in body["error"]
    assert bedrock_sim.count("generate") == 1 and bedrock_sim.count("judge") == 0


def test_model_faults_are_survived(bedrock_sim: BedrockSimulator, tmp_path: Path) -> None:
    """Throttling is retried by boto3; a model error and a content filter each cost one
    attempt; a fenced judge answer is read."""
    script = bedrock_sim.script
    script.fail("generate", "ThrottlingException", times=2)
    script.titan_error_next("image generation failed on the model side")  # "Inference error"
    script.refuse_next_generation()
    script.queue_verdicts(script.raw('```json\n{"result": "YES", "reason": "all there"}\n```'))
    code, _, body, err = run_cli("run", "--event", event_file(tmp_path), "--no-s3")
    assert code == 0, err
    assert [c["attempt"] for c in body["candidates"]] == [2]
    assert "Inference error" in err and "Filter reason: prompt" in err
    assert body["candidates"][0]["reason"] == "all there"


def test_ctrl_c_cancels_and_keeps_images(bedrock_sim: BedrockSimulator, tmp_path: Path) -> None:
    # The judge answers only after a few seconds, so Ctrl-C surely lands while it is in flight;
    # its NO then ends the run cancelled (a YES would still approve: it was paid for).
    bedrock_sim.script.set_latency("judge", 3.0)
    bedrock_sim.script.queue_verdicts("NO")
    proc = cli("run", "--event", event_file(tmp_path), "--no-s3")
    try:
        assert bedrock_sim.wait_for_arrival("judge", 1, timeout=60)
        proc.send_signal(signal.SIGINT)
        code, response, body, err = finish(proc)
    finally:
        proc.kill()
        proc.wait()
    assert code == 3
    assert response["statusCode"] == 500
    assert body["status"] == "CANCELLED"
    assert len(body["candidates"]) == 1
    assert Path(body["candidates"][0]["local_path"]).exists()
    assert bedrock_sim.count("generate") == 1
    assert "cancelling" in err


def test_lambda_handler_runs_the_same_core(
    bedrock_sim: BedrockSimulator, s3: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from imgloop_desktop.cli.lambda_handler import lambda_handler

    event = dict(SEED_EVENT, output_s3_bucket_name=BUCKET, output_dir=str(tmp_path / "out"))
    response = lambda_handler(event, None)
    body = json.loads(response["body"])
    assert response["statusCode"] == 200, body
    assert Path(body["local_path"]).is_relative_to(tmp_path / "out")
    assert lambda_handler({"prompt": ""}, None)["statusCode"] == 400


def test_offline_demo_needs_no_aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    code, _, body, err = run_cli("demo", "--output-dir", tmp_path / "demo")
    assert code == 0, err
    assert "synthetic" in err
    assert len(body["prompts"]) == 2
    assert Path(body["local_path"]).is_relative_to(tmp_path / "demo")
    # The demo judges by checklist: the colour item fails twice, is revised, then passes.
    assert body["judge_mode"] == "checklist"
    assert [item["id"] for item in body["checklist"]] == ["c1", "c2", "c3", "c4", "c5"]
    badges = [c["checks"]["badge"] for c in body["candidates"]]
    assert badges == ["4/5 \u2717", "4/5 \u2717", "5/5 \u2713"]
    first = {i["id"]: i for i in body["candidates"][0]["checks"]["items"]}
    assert first["c3"]["result"] == "no" and "dawn" in first["c3"]["evidence"]
    assert "pink and orange" in body["prompts"][1]
    assert "checklist (written, 5 items)" in err


def test_an_events_checklist_is_used_and_the_best_candidate_named(
    bedrock_sim: BedrockSimulator, tmp_path: Path
) -> None:
    checklist = [
        {"text": "two red apples", "must": True},
        {"text": "a blue plate", "must": True},
        {"text": "soft daylight", "must": False},
    ]
    bedrock_sim.script.queue_checks({"c1": "no", "c3": "no"}, {"c1": "no"}, {"c1": "no"})
    # The seed's top_p left out: Sonnet 4.6 refuses it beside a temperature (one more call).
    event = event_file(
        tmp_path,
        max_retry_attempts=3,
        max_prompt_revisions=0,
        checklist=checklist,
        claude_validate_top_p="unset",
    )
    code, response, body, err = run_cli("run", "--event", event, "--no-s3")

    assert code == 1, err
    assert response["statusCode"] == 400
    assert bedrock_sim.count("checklist") == 0  # the event's own, no call to write one
    assert bedrock_sim.count("check") == 3 and bedrock_sim.count("judge") == 0
    assert body["judge_mode"] == "checklist"
    badges = [c["checks"]["badge"] for c in body["candidates"]]
    assert badges == ["1/3 \u2717", "2/3 \u2717", "2/3 \u2717"]
    best = body["best"]
    assert best["label"] == "best, not approved"
    assert (best["attempt"], best["badge"]) == (1, "2/3 \u2717")  # ties: compared, else earliest
    assert best["misses"] == "misses: two red apples"
    assert best["unmet_musts"] == ["c1"]
    assert "best, not approved" in err


def test_runs_are_recorded_for_offline_review(
    bedrock_sim: BedrockSimulator, tmp_path: Path
) -> None:
    bedrock_sim.script.queue_verdicts("NO", "YES")
    code, _, body, _ = run_cli("run", "--event", event_file(tmp_path), "--no-s3")
    assert code == 0
    shown = subprocess.run(
        [sys.executable, "-m", "imgloop_desktop.cli.main", "history", "show", body["run_id"]],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "approved" in shown
    assert SEED_EVENT["prompt"] in shown


def test_failed_uploads_are_retried_after_the_run(
    bedrock_sim: BedrockSimulator, s3_endpoint: str, tmp_path: Path
) -> None:
    """The bucket is missing during the run; once it exists, the kept images go up."""
    code, _, body, _ = run_cli("run", "--event", event_file(tmp_path))
    assert code == 0 and [c["uploaded"] for c in body["candidates"]] == [False]
    client = boto3.client("s3", region_name="us-east-1")
    try:
        client.create_bucket(Bucket=BUCKET)
        retry = subprocess.run(
            [sys.executable, "-m", "imgloop_desktop.cli.main", "history", "retry-uploads"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert retry.returncode == 0, retry.stderr
        assert "1 uploaded, 0 still waiting" in retry.stdout
        key = body["candidates"][0]["s3_key"]
        stored = client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        assert stored == Path(body["local_path"]).read_bytes()
        again = subprocess.run(
            [sys.executable, "-m", "imgloop_desktop.cli.main", "history", "retry-uploads"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert "0 uploaded, 0 still waiting" in again.stdout
    finally:
        client.close()


def test_no_credentials_is_a_500_with_exit_3_not_a_traceback(
    bedrock_sim: BedrockSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    code, response, body, err = run_cli("run", "--event", event_file(tmp_path), "--no-s3")
    assert code == 3
    assert response["statusCode"] == 500 and body["status"] == "FAIL"
    assert "credentials" in body["error"].lower()
    assert "Traceback" not in err
    assert bedrock_sim.calls == []


def test_a_relative_output_dir_is_recorded_as_absolute(
    bedrock_sim: BedrockSimulator, tmp_path: Path
) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "imgloop_desktop.cli.main",
            "run",
            "--event",
            str(event_file(tmp_path)),
            "--no-s3",
            "--output-dir",
            "rel-out",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    body = json.loads(json.loads(proc.stdout)["body"])
    local = Path(body["local_path"])
    assert local.is_absolute() and local.is_relative_to(tmp_path / "rel-out")
    check = subprocess.run(
        [sys.executable, "-m", "imgloop_desktop.cli.main", "history", "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_monthly_budget_in_the_cost_settings_holds_for_the_command(
    bedrock_sim: BedrockSimulator, tmp_path: Path
) -> None:
    settings = paths.data_dir() / "costs.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    # SD3.5 Large is $0.08 an image: the month allows one image and its judging.
    settings.write_text('{"monthly_cap_usd": "0.15"}', encoding="utf-8")
    bedrock_sim.script.default_verdict = "NO"
    event = event_file(tmp_path, max_retry_attempts=4, max_prompt_revisions=0)
    code, response, body, err = run_cli("run", "--event", event, "--no-s3")

    assert code == 4, err
    assert response["statusCode"] == 402
    assert body["status"] == "BUDGET" and "monthly budget" in body["error"]
    assert bedrock_sim.count("generate") == 1
    assert len(body["candidates"]) == 1
    assert Decimal(body["spent"]["usd"]) <= Decimal("0.15")

    # The month's spend is in the history: the next run may not start a generation at all.
    code, _, body, _ = run_cli("run", "--event", event, "--no-s3")
    assert code == 4 and bedrock_sim.count("generate") == 1


def test_a_bad_cost_settings_file_is_invalid_input(
    bedrock_sim: BedrockSimulator, tmp_path: Path
) -> None:
    settings = paths.data_dir() / "costs.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('{"monthly_cap_usd": "-5"}', encoding="utf-8")
    code, _, body, err = run_cli("run", "--event", event_file(tmp_path), "--no-s3")
    assert "monthly_cap_usd" in err
    assert code == 2
    assert body["problems"][0]["field"] == "costs.json: monthly_cap_usd"
    assert bedrock_sim.count("generate") == 0


def estimate(event: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "imgloop_desktop.cli.main", "run", "--event", str(event)]
    return subprocess.run(
        [*command, "--estimate"], capture_output=True, text=True, timeout=60, check=False
    )


def test_estimate_prints_the_forms_figures_without_calling_bedrock(
    bedrock_sim: BedrockSimulator, tmp_path: Path
) -> None:
    event = event_file(tmp_path, max_retry_attempts=2, max_prompt_revisions=1)
    done = estimate(event)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert Decimal(figures["first_attempt"]["usd"]) < Decimal(figures["worst_case"]["usd"])
    generate = next(line for line in figures["breakdown"] if line["kind"] == "generate")
    assert (generate["calls"], generate["total"]["usd"]) == (4, "0.32")  # 4 x $0.08
    assert figures["expected"] is None  # no approved run of this pair yet
    assert bedrock_sim.calls == []

    bedrock_sim.script.queue_verdicts("NO", "YES")
    assert run_cli("run", "--event", event, "--no-s3")[0] == 0
    calls = len(bedrock_sim.calls)
    again = estimate(event)
    figures = json.loads(again.stdout)
    assert figures["median_attempts"] == 2
    assert Decimal(figures["expected"]["usd"]) > Decimal(figures["first_attempt"]["usd"])
    assert len(bedrock_sim.calls) == calls

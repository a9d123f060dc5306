"""``services.cloud`` against moto: submit uploads what the state machine reads, status reads
what it writes, pull turns it into runs the history lists.

moto can neither run a Distributed Map over a JSONL ItemReader nor invoke a Lambda without
Docker, and its ResultWriter writes an empty manifest, so the Map's part is played here
(``play_the_map``): it reads ``prompts.jsonl`` from moto's S3 as the ItemReader does, feeds
each line to the real handler (against the Bedrock simulator, images to moto's S3) merged
as the ItemSelector and the Run task do, writes the results as the ResultWriter lays them
out, and sets the execution's status and output on moto's Step Functions backend (in this
process, so the test can reach it; S3 is the shared moto server).
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from moto.stepfunctions.models import stepfunctions_backends

from imgloop_desktop.cli.lambda_handler import lambda_handler
from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.services import cloud
from imgloop_desktop.services.credentials import DefaultChain
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.simulator.server import BedrockSimulator

ROOT = Path(__file__).resolve().parents[2]
ASL = ROOT / "packaging" / "aws" / "statemachine.asl.json"
ACCOUNT, REGION = "123456789012", "us-east-1"
BUCKET, PREFIX = "imgloop-batches", "imgloop/"
CREDENTIALS = DefaultChain(region=REGION)
LINES: list[dict[str, Any]] = [
    {"prompt": "A red fox asleep in fresh snow", "max_retry_attempts": 1},
    {"prompt": "A ceramic teapot on a wooden table", "judge_mode": "checklist"},
    {"prompt": "A lighthouse at dusk", "max_prompt_revisions": 1},
]


@pytest.fixture(scope="module")
def sfn_url() -> Iterator[str]:
    """moto's Step Functions in this process, so a test can set an execution's outcome."""
    server = ThreadedMotoServer("127.0.0.1", 0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def aws(s3_endpoint: str, sfn_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A bucket in moto's S3 and the stack's state machine in moto's Step Functions;
    yields the state machine's ARN."""
    request = urllib.request.Request(f"{sfn_url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=5):
        pass
    monkeypatch.setenv("AWS_ENDPOINT_URL_SFN", sfn_url)
    s3 = boto3.client("s3", region_name=REGION)
    sfn = boto3.client("stepfunctions", region_name=REGION)
    try:
        s3.create_bucket(Bucket=BUCKET)
        definition = ASL.read_text(encoding="utf-8")
        for name, value in {
            "BatchPrefix": PREFIX,
            "BatchBucket": BUCKET,
            "MaxConcurrency": "4",
            "ToleratedFailurePercentage": "100",
            "RunFunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:imgloop-batch-run",
        }.items():
            definition = definition.replace("${" + name + "}", value)
        created = sfn.create_state_machine(
            name="imgloop-batch",
            definition=definition,
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/imgloop-batch",
        )
        yield created["stateMachineArn"]
    finally:
        s3.close()
        sfn.close()


def events_file(tmp_path: Path, lines: list[Any] | None = None) -> Path:
    path = tmp_path / "prompts.jsonl"
    path.write_text(
        "".join(json.dumps(e) + "\n" for e in (LINES if lines is None else lines)),
        encoding="utf-8",
    )
    return path


def play_the_map(
    execution_arn: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    *,
    raised: set[int] = frozenset(),  # type: ignore[assignment]
) -> dict[str, Any]:
    """What the deployed state machine does for this execution, per the definition."""
    definition = json.loads(ASL.read_text(encoding="utf-8"))
    assert definition["States"]["Prompts"]["ItemReader"]["ReaderConfig"]["InputType"] == "JSONL"
    backend = stepfunctions_backends[ACCOUNT][REGION]
    execution = backend.describe_execution(execution_arn)
    batch_id = json.loads(execution.execution_input)["batch_id"]
    folder = f"{PREFIX}batches/{batch_id}/"
    s3 = boto3.client("s3", region_name=REGION)
    try:
        lines = s3.get_object(Bucket=BUCKET, Key=folder + "prompts.jsonl")["Body"].read()
        with monkeypatch.context() as lambda_env:  # the Lambda's own /tmp, not our history
            lambda_env.setenv("IMGLOOP_DATA_DIR", str(tmp_path / "lambda-tmp"))
            lambda_env.setenv("AWS_LAMBDA_FUNCTION_NAME", "imgloop-batch-run")
            succeeded, failed = [], []
            for index, line in enumerate(lines.decode("utf-8").splitlines()):
                given = {
                    "event": json.loads(line),
                    "storage": {
                        "s3_enabled": True,
                        "output_s3_bucket_name": BUCKET,
                        "output_s3_key_prefix": f"{folder}images/item-{index}",
                    },
                }
                child: dict[str, Any] = {
                    "ExecutionArn": f"arn:aws:states:{REGION}:{ACCOUNT}:execution:"
                    f"imgloop-batch/Prompts:{uuid.uuid4()}",
                    "Input": json.dumps(given),
                    "InputDetails": {"Included": True},
                    "Name": str(uuid.uuid4()),
                    "StartDate": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                    "StateMachineArn": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:"
                    "imgloop-batch/Prompts",
                }
                if index in raised:
                    child |= {
                        "Status": "FAILED",
                        "Error": "BedrockThrottledError",
                        "Cause": "Bedrock kept throttling",
                    }
                    failed.append(child)
                    continue
                answer = lambda_handler(given["event"] | given["storage"], None)
                child |= {
                    "Status": "SUCCEEDED",
                    "Output": json.dumps(answer),
                    "OutputDetails": {"Included": True},
                    "StopDate": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                }
                succeeded.append(child)
        map_run_id = str(uuid.uuid4())
        results = f"{folder}results/{map_run_id}/"
        files: dict[str, list[dict[str, Any]]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
        for kind, records in (("SUCCEEDED", succeeded), ("FAILED", failed)):
            if records:
                body = json.dumps(records).encode("utf-8")
                s3.put_object(Bucket=BUCKET, Key=f"{results}{kind}_0.json", Body=body)
                files[kind].append({"Key": f"{results}{kind}_0.json", "Size": len(body)})
        map_run_arn = f"arn:aws:states:{REGION}:{ACCOUNT}:mapRun:imgloop-batch/Prompts:{map_run_id}"
        manifest = {"DestinationBucket": BUCKET, "MapRunArn": map_run_arn, "ResultFiles": files}
        s3.put_object(Bucket=BUCKET, Key=f"{results}manifest.json", Body=json.dumps(manifest))
    finally:
        s3.close()
    output = {
        "batch_id": batch_id,
        "results": {
            "MapRunArn": map_run_arn,
            "ResultWriterDetails": {"Bucket": BUCKET, "Key": f"{results}manifest.json"},
        },
    }
    execution.status = "SUCCEEDED"
    execution.stop_date = datetime.now(UTC)
    execution.output = json.dumps(output)
    return output


def test_submit_status_pull_round_trip(
    aws: str, bedrock_sim: BedrockSimulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ref = cloud.submit(
        events_file(tmp_path),
        state_machine_arn=aws,
        bucket=BUCKET,
        prefix=PREFIX,
        credentials=CREDENTIALS,
        batch_id="b-1",
    )
    assert ref.events_key == "imgloop/batches/b-1/prompts.jsonl" and ref.items == 3
    # Exactly what the state machine's Plan state derives from {"batch_id"}.
    described = boto3.client("stepfunctions", region_name=REGION)
    try:
        execution = described.describe_execution(executionArn=ref.execution_arn)
    finally:
        described.close()
    assert json.loads(execution["input"]) == {"batch_id": "b-1"}
    assert execution["status"] == "RUNNING"

    state = cloud.status(ref.execution_arn, credentials=CREDENTIALS)
    assert state.status == "RUNNING" and state.batch_id == "b-1" and state.items is None
    with pytest.raises(cloud.NotReadyError, match="no results yet"):
        cloud.pull(ref.execution_arn, tmp_path / "early", credentials=CREDENTIALS)

    output = play_the_map(ref.execution_arn, monkeypatch, tmp_path, raised={2})
    state = cloud.status(ref.execution_arn, credentials=CREDENTIALS)
    assert state.status == "SUCCEEDED" and state.finished
    assert state.results_key == output["results"]["ResultWriterDetails"]["Key"]
    assert state.counts == {"total": 3, "succeeded": 2, "failed": 1}
    assert [i.index for i in state.items or []] == [0, 1, 2]
    assert [i.outcome for i in state.items or []] == ["approved", "approved", None]
    assert state.outcomes() == {"approved": 2, "failed": 1}
    assert "throttling" in (state.items or [])[2].message
    assert json.loads(json.dumps(state.to_json()))["counts"]["total"] == 3

    with HistoryService.open() as history:
        assert history.list_sessions().sessions == []
        report = cloud.pull(
            ref.execution_arn, tmp_path / "pulled", credentials=CREDENTIALS, history=history
        )
        run_ids = {i.run_id for i in state.items or [] if i.run_id}
        assert set(report.imported.sessions_added) == run_ids and len(run_ids) == 2
        assert report.images >= 2 and report.imported.images_added == report.images
        listed = history.list_sessions().sessions
        assert {s.run_id for s in listed} == run_ids
        assert {s.prompt for s in listed} == {LINES[0]["prompt"], LINES[1]["prompt"]}
        for run_id in run_ids:  # what the window opens: the tree, its images on disk
            tree = history.session(run_id)
            assert tree.outcome.value == "approved"
            images = list(tree.images())
            assert images and all(i.path.is_file() for i in images)
            assert tree.judge_approved_image_id in {i.image_id for i in images}
        assert [s for s in report.skipped if "item 2: no run" not in s] == []
        teapot = next(history.session(r) for r in run_ids if "teapot" in listed_prompt(listed, r))
        assert teapot.judge_mode == "checklist" and teapot.checklist is not None
        assert all(i.verdict and i.verdict.checks for i in teapot.images())
        # Step Functions' files are kept beside the export the history read.
        assert {p.name for p in report.result_files} == {
            "manifest.json",
            "SUCCEEDED_0.json",
            "FAILED_0.json",
        }
        assert (tmp_path / "pulled" / "manifest.json").is_file()

        with pytest.raises(ValidationError, match="batch_id"):  # never over its events
            cloud.submit(
                events_file(tmp_path),
                state_machine_arn=aws,
                bucket=BUCKET,
                prefix=PREFIX,
                credentials=CREDENTIALS,
                batch_id="b-1",
            )
        again = cloud.pull(
            ref.execution_arn, tmp_path / "pulled", credentials=CREDENTIALS, history=history
        )
        assert again.imported.sessions_added == [] and again.imported.images_added == 0
        assert history.count_sessions() == 2


def listed_prompt(sessions: Any, run_id: str) -> str:
    return str(next(s.prompt for s in sessions if s.run_id == run_id))


def test_a_bad_line_uploads_nothing_and_names_line_and_field(
    aws: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = events_file(
        tmp_path, [LINES[0], {"prompt": "x", "max_retry_attempts": "many"}, {"promtp": "typo"}]
    )
    with pytest.raises(ValidationError) as caught:
        cloud.submit(
            path, state_machine_arn=aws, bucket=BUCKET, prefix=PREFIX, credentials=CREDENTIALS
        )
    fields = [p.field for p in caught.value.problems]
    assert any(f.startswith("line 2: max_retry_attempts") for f in fields), fields
    assert any(f.startswith("line 3") for f in fields), fields
    s3 = boto3.client("s3", region_name=REGION)
    try:
        assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
    finally:
        s3.close()


def test_arguments_are_checked_before_any_call(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        cloud.submit(
            events_file(tmp_path),
            state_machine_arn="not-an-arn",
            bucket="Bad_Bucket",
            prefix="no-slash",
            credentials=CREDENTIALS,
        )
    assert [p.field for p in caught.value.problems] == ["state_machine_arn", "bucket", "prefix"]
    with pytest.raises(ValidationError, match="execution_arn"):
        cloud.status("arn:aws:states:us-east-1:1:execution:x", credentials=CREDENTIALS)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="at least one event"):
        cloud.read_events(empty)


def test_aws_refusals_are_cloud_errors(aws: str, tmp_path: Path) -> None:
    with pytest.raises(cloud.CloudError, match=r"starting .*failed"):
        cloud.submit(
            events_file(tmp_path),
            state_machine_arn=aws + "-gone",
            bucket=BUCKET,
            prefix=PREFIX,
            credentials=CREDENTIALS,
        )
    with pytest.raises(cloud.CloudError, match=r"uploading .*NoSuchBucket"):
        cloud.submit(
            events_file(tmp_path),
            state_machine_arn=aws,
            bucket="no-such-bucket",
            prefix=PREFIX,
            credentials=CREDENTIALS,
        )
    gone = aws.replace(":stateMachine:", ":execution:") + ":nothing"
    with pytest.raises(cloud.CloudError, match="describing"):
        cloud.status(gone, credentials=CREDENTIALS)


def test_live_counts_of_a_running_map(
    aws: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """moto answers ListMapRuns with nothing; its backend is given one Map run here."""
    ref = cloud.submit(
        events_file(tmp_path),
        state_machine_arn=aws,
        bucket=BUCKET,
        prefix=PREFIX,
        credentials=CREDENTIALS,
    )
    backend = stepfunctions_backends[ACCOUNT][REGION]
    map_run = f"arn:aws:states:{REGION}:{ACCOUNT}:mapRun:imgloop-batch/Prompts:abc"
    counts = {"pending": 1, "running": 1, "succeeded": 1, "failed": 0, "total": 3}
    monkeypatch.setattr(
        backend,
        "list_map_runs",
        lambda execution_arn: {"mapRuns": [{"mapRunArn": map_run}]},
        raising=False,
    )
    monkeypatch.setattr(
        backend, "describe_map_run", lambda map_run_arn: {"itemCounts": counts}, raising=False
    )
    state = cloud.status(ref.execution_arn, credentials=CREDENTIALS)
    assert state.map_run_arn == map_run and state.items is None
    assert state.counts["running"] == 1 and state.counts["total"] == 3

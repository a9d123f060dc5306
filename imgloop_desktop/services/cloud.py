"""Batches on AWS from this machine: submit a JSONL of events, follow it, bring the runs home.

The other half of packaging/aws/ (docs/scale-out.md holds the contract): the state machine
reads ``<prefix>batches/<batch_id>/prompts.jsonl``, runs the Lambda handler once per line,
puts each line's images under ``…/images/item-<n>-…`` and writes every child execution's
result under ``…/results/<map run id>/`` (``manifest.json``, ``SUCCEEDED_<n>.json``,
``FAILED_<n>.json``), naming the manifest's key in the execution's output
(``results.ResultWriterDetails``). Only the execution ARN is needed after submitting:
everything else is read from what the execution says, so ``status`` and ``pull`` work
from another machine too.

``pull`` turns each line's result (the seed's result JSON, ``cli/result.py``) and its
downloaded images into a history export (``storage/export``'s manifest format) in the
download folder, and imports that through ``HistoryService.import_export``: the one path
by which runs made elsewhere enter the history, with every check it makes. Pulling again
adds nothing twice.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from imgloop_desktop import __version__, paths
from imgloop_desktop.core import jsonsafe
from imgloop_desktop.core.atomic_file import atomic_write
from imgloop_desktop.core.checklist import Checklist, ItemVerdicts
from imgloop_desktop.core.errors import ImgloopError, Problem, ValidationError
from imgloop_desktop.core.param_values import short
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.records import HistoryOutcome, ImportResult
from imgloop_desktop.providers import aws_errors
from imgloop_desktop.providers.session import FALLBACK_REGION, CredentialsSource, client_config
from imgloop_desktop.services import run_check
from imgloop_desktop.services.history import HistoryService

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_stepfunctions import SFNClient

EVENTS_NAME = "prompts.jsonl"
MAX_EVENTS_FILE_BYTES = 64 * 1024 * 1024
"""A JSONL of events read whole before anything is uploaded: thousands of prompts fit."""
MAX_RESULT_FILE_BYTES = 512 * 1024 * 1024
"""A result file is read whole; Step Functions splits results into several files."""
MAX_PROBLEMS = 50
AWS_READ_TIMEOUT_SECONDS = 60.0
"""S3 and Step Functions answer in seconds; a run's Bedrock ceiling is far too long here."""

_STATE_MACHINE_ARN = re.compile(
    r"^arn:aws[a-z-]*:states:(?P<region>[a-z0-9-]+):\d{12}:stateMachine:[A-Za-z0-9_.:-]{1,160}$"
)
_EXECUTION_ARN = re.compile(
    r"^arn:aws[a-z-]*:states:(?P<region>[a-z0-9-]+):\d{12}:execution:"
    r"[A-Za-z0-9_.-]{1,80}:[A-Za-z0-9_.-]{1,80}$"
)
_BATCH_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_ITEM_PREFIX = re.compile(r"/images/item-(\d+)$")
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")  # as storage.export's SAFE_NAME
_FINISHED = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})


class CloudError(ImgloopError):
    """Step Functions or S3 refused or failed a call, or wrote something this cannot read;
    the message says which call and what to do."""


class NotReadyError(CloudError):
    """The execution has written no results yet (still running, or stopped before the Map)."""


@dataclass(frozen=True)
class BatchRef:
    """A submitted batch: where its events went and the execution that runs them."""

    batch_id: str
    execution_arn: str
    bucket: str
    events_key: str
    items: int

    def to_json(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "execution_arn": self.execution_arn,
            "bucket": self.bucket,
            "events_key": self.events_key,
            "items": self.items,
        }


@dataclass(frozen=True)
class ItemResult:
    """One line of the batch as its child execution ended.

    ``status`` is Step Functions' (a handler that answered, even 400 or 500, SUCCEEDED);
    ``outcome`` is the run's (approved, not_approved, error, cancelled, budget), or
    ``invalid`` for a line the handler refused, or None when the handler raised.
    """

    index: int
    status: str
    outcome: str | None
    status_code: int | None
    run_id: str | None
    message: str
    event: dict[str, Any] = field(repr=False)
    body: dict[str, Any] = field(repr=False)
    started_at: datetime | None = None
    stopped_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "status": self.status,
            "outcome": self.outcome,
            "status_code": self.status_code,
            "run_id": self.run_id,
            "message": self.message,
            "images": len(_uploaded(self.body)),
        }


@dataclass(frozen=True)
class BatchStatus:
    """What the execution says, and when it has written results, what each line became."""

    execution_arn: str
    status: str
    batch_id: str
    started_at: datetime | None
    stopped_at: datetime | None
    error: str = ""
    cause: str = ""
    map_run_arn: str = ""
    bucket: str = ""
    results_key: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    items: list[ItemResult] | None = None
    result_files: list[str] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.status in _FINISHED

    def outcomes(self) -> dict[str, int]:
        """How many lines ended each way (their runs' outcomes), when results are there."""
        tally = Counter(i.outcome or i.status.lower() for i in self.items or [])
        return dict(sorted(tally.items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "execution_arn": self.execution_arn,
            "batch_id": self.batch_id,
            "status": self.status,
            "started_at": _iso(self.started_at),
            "stopped_at": _iso(self.stopped_at),
            "error": self.error,
            "cause": self.cause,
            "map_run_arn": self.map_run_arn,
            "bucket": self.bucket,
            "results_key": self.results_key,
            "counts": self.counts,
            "outcomes": self.outcomes() if self.items is not None else None,
            "items": [i.to_json() for i in self.items] if self.items is not None else None,
        }


@dataclass(frozen=True)
class PullReport:
    """What ``pull`` downloaded and what the history took."""

    batch_id: str
    folder: Path
    result_files: list[Path]
    images: int
    imported: ImportResult
    items: list[ItemResult]
    skipped: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "folder": str(self.folder),
            "result_files": [str(p) for p in self.result_files],
            "images_downloaded": self.images,
            "sessions_added": self.imported.sessions_added,
            "sessions_merged": self.imported.sessions_merged,
            "images_added": self.imported.images_added,
            "images_already_present": self.imported.images_already_present,
            "items": [i.to_json() for i in self.items],
            "skipped": self.skipped,
        }


# -- keys and names ----------------------------------------------------------------------------


def batch_folder(prefix: str, batch_id: str) -> str:
    """``<prefix>batches/<batch_id>/``, the one folder a batch reads and writes."""
    return f"{prefix}batches/{batch_id}/"


def new_batch_id(now: datetime | None = None) -> str:
    """Sortable by time and unique without asking S3: ``20261201T013000Z-3f9a1c``."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{moment:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def check_execution_arn(arn: str) -> str:
    """The region the execution runs in, or ValidationError naming the value."""
    match = _EXECUTION_ARN.match(arn)
    if match is None:
        raise ValidationError(
            [
                Problem(
                    "execution_arn",
                    short(arn),
                    "an execution ARN, arn:aws:states:<region>:<account>:execution:"
                    "<state machine>:<name>, as `cloud submit` printed it",
                )
            ]
        )
    return match["region"]


def _check_submit_args(state_machine_arn: str, bucket: str, prefix: str, batch_id: str) -> str:
    problems: list[Problem] = []
    match = _STATE_MACHINE_ARN.match(state_machine_arn)
    if match is None:
        problems.append(
            Problem(
                "state_machine_arn",
                short(state_machine_arn),
                "a state machine ARN, arn:aws:states:<region>:<account>:stateMachine:<name> "
                "(the stack's StateMachineArn output)",
            )
        )
    if not _BUCKET.match(bucket) or ".." in bucket:
        problems.append(Problem("bucket", short(bucket), "an S3 bucket name (the stack's)"))
    if prefix and (not prefix.endswith("/") or prefix.startswith("/") or "//" in prefix):
        problems.append(
            Problem("prefix", short(prefix), "the stack's BatchPrefix: empty, or ending with /")
        )
    if not _BATCH_ID.match(batch_id):
        problems.append(
            Problem("batch_id", short(batch_id), "letters, digits, '.', '_' and '-' (at most 80)")
        )
    if problems:
        raise ValidationError(problems)
    assert match is not None
    return match["region"]


# -- deploying ------------------------------------------------------------------------------

_STACK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")
_TEMPLATE_PREFIX = re.compile(r"^[A-Za-z0-9!_.*()/-]*/$")  # the template's AllowedPattern
_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
MAX_CONCURRENCY = 1000  # the template's MaxValue


@dataclass(frozen=True)
class Deploy:
    """The two commands that deploy the stack from a source checkout, in order."""

    root: Path
    build: list[str]
    deploy: list[str]


def deploy_commands(
    *,
    bucket: str,
    prefix: str = "imgloop/",
    stack_name: str = "imgloop-batch",
    region: str | None = None,
    max_concurrency: int = 4,
    confirm: bool = False,
    root: Path | None = None,
) -> Deploy:
    """Build the Lambda artifact, then ``sam deploy`` the template with these parameters.

    The artifact and the template are the checkout's (packaging/aws/); an installed
    package has neither, so this raises CloudError naming what is missing. Every value
    is checked as the template would (ValidationError naming each), before any command
    is shown, so a typo is not found by CloudFormation minutes later.
    """
    problems: list[Problem] = []
    if not _BUCKET.match(bucket) or ".." in bucket:
        problems.append(Problem("bucket", short(bucket), "an existing S3 bucket's name"))
    if not _TEMPLATE_PREFIX.match(prefix):
        problems.append(
            Problem("prefix", short(prefix), "letters, digits and !_.*()/- ending with /")
        )
    if not _STACK_NAME.match(stack_name):
        problems.append(
            Problem("stack_name", short(stack_name), "a letter, then letters, digits and -")
        )
    if region is not None and not _REGION.match(region):
        problems.append(Problem("region", short(region), "an AWS Region such as us-west-2"))
    if not 1 <= max_concurrency <= MAX_CONCURRENCY:
        problems.append(Problem("max_concurrency", str(max_concurrency), f"1-{MAX_CONCURRENCY}"))
    if problems:
        raise ValidationError(problems)
    root = root or Path(__file__).resolve().parents[2]
    template = root / "packaging" / "aws" / "template.yaml"
    builder = root / "packaging" / "aws" / "build_lambda.py"
    if not template.is_file() or not builder.is_file():
        raise CloudError(
            f"{template} is not here: deploy from a source checkout of imgloop desktop "
            "(the template and the Lambda builder are not part of the installed package)"
        )
    deploy = [
        "sam",
        "deploy",
        "--template-file",
        str(template.relative_to(root)),
        "--stack-name",
        stack_name,
        "--capabilities",
        "CAPABILITY_IAM",
        "--resolve-s3",
        "--parameter-overrides",
        f"BatchBucket={bucket}",
        f"BatchPrefix={prefix}",
        f"MaxConcurrency={max_concurrency}",
    ]
    if region:
        deploy[4:4] = ["--region", region]
    if confirm:
        deploy.append("--confirm-changeset")
    build = ["python3", str(builder.relative_to(root))]
    return Deploy(root, build, deploy)


# -- reading the events ------------------------------------------------------------------------


def read_events(path: Path) -> list[str]:
    """Every event line of ``path``, checked as ``imgloop-cli run --event`` checks an event.

    Blank lines are left out (the Map would read them as items); each other line must be
    one event. ValidationError names ``line N: field`` for every problem (the first 50), so
    a file is fixed in one go and nothing is uploaded while any line is bad. The lines go
    up as written (one compact JSON object each), so the Lambda sees what the file said.
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_EVENTS_FILE_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ValidationError(
            [Problem("events file", short(str(path)), f"a readable file ({reason})")]
        ) from exc
    except ValueError as exc:  # a path holding NUL
        raise ValidationError(
            [Problem("events file", short(str(path)), "a file path without NUL characters")]
        ) from exc
    if len(data) > MAX_EVENTS_FILE_BYTES:
        raise ValidationError(
            [
                Problem(
                    "events file",
                    short(str(path)),
                    f"at most {MAX_EVENTS_FILE_BYTES:,} bytes; split the batch",
                )
            ]
        )
    data = data.removeprefix(b"\xef\xbb\xbf")
    problems: list[Problem] = []
    lines: list[str] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        where = f"line {number}"
        try:
            params = RunParams.loads(raw.rstrip(b"\r"), f"{path} {where}", field=where)
            run_check.check(params)
        except ValidationError as exc:
            problems += [_on_line(where, p) for p in exc.problems]
            continue
        event = json.loads(raw)  # parsed once already, under the limits
        lines.append(json.dumps(event, ensure_ascii=False, separators=(",", ":")))
    if not lines and not problems:
        problems.append(
            Problem("events file", short(str(path)), "a JSONL file with at least one event")
        )
    if problems:
        raise ValidationError(problems[:MAX_PROBLEMS])
    return lines


def _on_line(where: str, problem: Problem) -> Problem:
    field_name = problem.field if problem.field.startswith(where) else f"{where}: {problem.field}"
    return Problem(field_name, problem.value, problem.allowed)


# -- AWS clients -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Aws:
    s3: S3Client
    sfn: SFNClient
    region: str


@contextmanager
def _clients(credentials: CredentialsSource, region: str | None) -> Iterator[_Aws]:
    """S3 and Step Functions clients from the person's credentials source, the way
    ``providers.session`` builds a run's (adaptive retries, timeouts, the standard
    ``AWS_ENDPOINT_URL_*`` variables), closed on leaving."""
    made: list[Any] = []
    try:
        session = credentials.session()
        if session.get_credentials() is None:
            raise NoCredentialsError()
        resolved = region or session.region_name or FALLBACK_REGION
        config = client_config(read_timeout=AWS_READ_TIMEOUT_SECONDS)
        s3 = session.client("s3", region_name=resolved, config=config)
        made.append(s3)
        sfn = session.client("stepfunctions", region_name=resolved, config=config)
        made.append(sfn)
    except BotoCoreError as exc:
        for client in made:
            client.close()
        raise aws_errors.translate(
            exc,
            model_id="",
            region=region or "",
            operation="CreateClient",
            profile=getattr(credentials, "profile", None),
        ) from exc
    try:
        yield _Aws(s3, sfn, resolved)
    finally:
        for client in made:
            client.close()


@contextmanager
def _aws_call(what: str) -> Iterator[None]:
    """A failed S3 or Step Functions call as a CloudError naming the call, AWS's code and
    message (redacted: botocore's text can carry signatures)."""
    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = aws_errors.clip(str(error.get("Code", "") or ""), 100)
        message = aws_errors.clip(str(error.get("Message", "") or "") or str(exc), 500)
        raise CloudError(aws_errors.redact(f"{what} failed: {code}: {message}")) from exc
    except BotoCoreError as exc:
        raise CloudError(
            aws_errors.redact(f"{what} failed: {aws_errors.clip(str(exc), 500)}")
        ) from exc


# -- submit ------------------------------------------------------------------------------------


def submit(
    events_file: Path,
    *,
    state_machine_arn: str,
    bucket: str,
    prefix: str = "imgloop/",
    credentials: CredentialsSource,
    region: str | None = None,
    batch_id: str | None = None,
) -> BatchRef:
    """Check every line, upload them as the batch's ``prompts.jsonl`` and start the
    execution with ``{"batch_id"}``, the only input the state machine takes.

    ``prefix`` and ``bucket`` must be the stack's (``BatchPrefix``, ``BatchBucket``): the
    state machine derives every key from them. Nothing is uploaded when any line is bad
    (ValidationError); a refused upload or start is a CloudError.
    """
    batch_id = batch_id or new_batch_id()
    home = _check_submit_args(state_machine_arn, bucket, prefix, batch_id)
    lines = read_events(events_file)
    key = batch_folder(prefix, batch_id) + EVENTS_NAME
    body = "".join(line + "\n" for line in lines).encode("utf-8")
    with _clients(credentials, region or home) as aws:
        try:
            with _aws_call(f"uploading s3://{bucket}/{key}"):
                # Never over another batch's events: a batch id used before is refused.
                aws.s3.put_object(
                    Bucket=bucket,
                    Key=key,
                    Body=body,
                    ContentType="application/jsonl",
                    IfNoneMatch="*",
                )
        except CloudError as exc:
            if "PreconditionFailed" in str(exc):
                raise ValidationError(
                    [Problem("batch_id", batch_id, f"a batch id not used before in s3://{bucket}")]
                ) from exc
            raise
        with _aws_call(f"starting {state_machine_arn}"):
            started = aws.sfn.start_execution(
                stateMachineArn=state_machine_arn,
                name=batch_id,
                input=json.dumps({"batch_id": batch_id}),
            )
    return BatchRef(batch_id, started["executionArn"], bucket, key, len(lines))


# -- status ------------------------------------------------------------------------------------


def status(
    execution_arn: str, *, credentials: CredentialsSource, region: str | None = None
) -> BatchStatus:
    """The execution's status; while its Map runs, Step Functions' item counts; once the
    results are written, every line's outcome from the result files."""
    home = check_execution_arn(execution_arn)
    with _clients(credentials, region or home) as aws:
        return _status(aws, execution_arn)


def _status(aws: _Aws, execution_arn: str) -> BatchStatus:
    with _aws_call(f"describing {execution_arn}"):
        described = aws.sfn.describe_execution(executionArn=execution_arn)
    batch_id = str(_json_or_empty(described.get("input", "")).get("batch_id", ""))
    output = _json_or_empty(described.get("output", ""))
    results = output.get("results") if isinstance(output.get("results"), dict) else {}
    assert isinstance(results, dict)
    writer = results.get("ResultWriterDetails")
    base: dict[str, Any] = {
        "execution_arn": execution_arn,
        "status": described["status"],
        "batch_id": batch_id,
        "started_at": described.get("startDate"),
        "stopped_at": described.get("stopDate"),
        "error": described.get("error", ""),
        "cause": described.get("cause", ""),
    }
    if not isinstance(writer, dict) or not writer.get("Bucket") or not writer.get("Key"):
        counts, map_run = _live_counts(aws, execution_arn)
        return BatchStatus(**base, map_run_arn=map_run, counts=counts)
    bucket, key = str(writer["Bucket"]), str(writer["Key"])
    manifest = _read_json(aws, bucket, key)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("ResultFiles"), dict):
        raise CloudError(f"s3://{bucket}/{key} is not a Distributed Map result manifest")
    files: dict[str, list[str]] = {}
    for kind, entries in manifest["ResultFiles"].items():
        keys = [str(e["Key"]) for e in entries if isinstance(e, dict) and e.get("Key")]
        files[str(kind)] = keys
    items: list[ItemResult] = []
    for kind in ("SUCCEEDED", "FAILED", "PENDING"):
        for file_key in files.get(kind, []):
            records = _read_json(aws, bucket, file_key)
            if not isinstance(records, list):
                raise CloudError(f"s3://{bucket}/{file_key} is not a list of child executions")
            items += [_item(r, len(items) + n) for n, r in enumerate(records)]
    items.sort(key=lambda i: i.index)
    statuses = Counter(i.status for i in items)
    counts = {
        "total": len(items),
        "succeeded": statuses.get("SUCCEEDED", 0),
        "failed": sum(n for s, n in statuses.items() if s != "SUCCEEDED"),
    }
    return BatchStatus(
        **base,
        map_run_arn=str(manifest.get("MapRunArn") or results.get("MapRunArn") or ""),
        bucket=bucket,
        results_key=key,
        counts=counts,
        items=items,
        result_files=[key, *(k for kind in files.values() for k in kind)],
    )


def _live_counts(aws: _Aws, execution_arn: str) -> tuple[dict[str, int], str]:
    """Step Functions' own counts of a Map run still going (no results written yet)."""
    with _aws_call(f"listing the map runs of {execution_arn}"):
        runs = aws.sfn.list_map_runs(executionArn=execution_arn).get("mapRuns", [])
    if not runs:
        return {}, ""
    arn = runs[0]["mapRunArn"]
    with _aws_call(f"describing {arn}"):
        found: dict[str, Any] = dict(aws.sfn.describe_map_run(mapRunArn=arn).get("itemCounts", {}))
    names = ("total", "pending", "running", "succeeded", "failed", "timedOut", "aborted")
    return {n: int(found.get(n, 0)) for n in names}, arn


def _item(record: object, fallback_index: int) -> ItemResult:
    """One child execution as the ResultWriter wrote it: ``Input`` (the ItemSelector's
    ``{"event", "storage"}``) and ``Output`` (the handler's ``{"statusCode", "body"}``)
    are JSON text; a failed child has ``Error`` and ``Cause`` instead of ``Output``."""
    rec = record if isinstance(record, dict) else {}
    given = _json_or_empty(rec.get("Input", ""))
    event = given.get("event") if isinstance(given.get("event"), dict) else {}
    storage = given.get("storage") if isinstance(given.get("storage"), dict) else {}
    assert isinstance(event, dict) and isinstance(storage, dict)
    found = _ITEM_PREFIX.search(str(storage.get("output_s3_key_prefix", "")))
    index = int(found[1]) if found else fallback_index
    answer = _json_or_empty(rec.get("Output", ""))
    body = _json_or_empty(answer.get("body", "")) if isinstance(answer.get("body"), str) else {}
    code = answer.get("statusCode")
    run_id = body.get("run_id") if isinstance(body.get("run_id"), str) else None
    if run_id is not None:
        outcome: str | None = str(body.get("outcome", ""))
    elif isinstance(code, int):
        outcome = "invalid" if body.get("problems") is not None else "error"
    else:
        outcome = None
    message = str(
        body.get("error") or body.get("message") or rec.get("Cause") or rec.get("Error") or ""
    )
    return ItemResult(
        index=index,
        status=str(rec.get("Status", "")),
        outcome=outcome,
        status_code=code if isinstance(code, int) else None,
        run_id=run_id,
        message=aws_errors.clip(message, 500),
        event=event | storage,  # as the Run task merged them (JsonMerge: storage wins)
        body=body,
        started_at=_when(rec.get("StartDate")),
        stopped_at=_when(rec.get("StopDate")),
    )


def _read_json(aws: _Aws, bucket: str, key: str) -> object:
    with _aws_call(f"reading s3://{bucket}/{key}"):
        data = aws.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    try:
        return jsonsafe.loads(data, what=f"s3://{bucket}/{key}", max_bytes=MAX_RESULT_FILE_BYTES)
    except jsonsafe.JsonLimitError as exc:
        raise CloudError(str(exc)) from exc


def _json_or_empty(text: object) -> dict[str, Any]:
    """A JSON object from text Step Functions handed on, or {} for anything else."""
    if not isinstance(text, str) or not text:
        return {}
    try:
        value = jsonsafe.loads(text, what="a result", max_bytes=MAX_RESULT_FILE_BYTES)
    except jsonsafe.JsonLimitError:
        return {}
    return value if isinstance(value, dict) else {}


def _when(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _uploaded(body: dict[str, Any]) -> list[dict[str, Any]]:
    candidates = body.get("candidates")
    return [
        c
        for c in (candidates if isinstance(candidates, list) else [])
        if isinstance(c, dict) and c.get("uploaded") and isinstance(c.get("s3_key"), str)
    ]


# -- pull --------------------------------------------------------------------------------------


def default_folder(batch_id: str) -> Path:
    """Where ``pull`` puts a batch when no folder is given: beside the history."""
    return paths.data_dir() / "cloud" / (batch_id or "batch")


def pull(
    execution_arn: str,
    dest: Path | None = None,
    *,
    credentials: CredentialsSource,
    region: str | None = None,
    history: HistoryService | None = None,
) -> PullReport:
    """Download the result files and every uploaded image, then record each run in the
    history, so cloud runs open in the window like local ones.

    ``dest`` (default ``<data dir>/cloud/<batch_id>``) ends up an export folder the history
    can import again (``imgloop-cli history import``): ``manifest.json``,
    ``images/<run_id>/…png``, and Step Functions' own files under ``results/``. Raises
    NotReadyError while no results are written, CloudError when AWS refuses a call, and
    the history's own errors (ExportError, HistoryError) when it refuses the import.
    """
    home = check_execution_arn(execution_arn)
    with _clients(credentials, region or home) as aws:
        state = _status(aws, execution_arn)
        if state.items is None:
            raise NotReadyError(
                f"the batch has written no results yet (status {state.status}"
                + (f": {state.error} {state.cause}".rstrip() if state.error else "")
                + "); check with `imgloop-cli cloud status` and pull once it has finished"
            )
        folder = (dest or default_folder(state.batch_id)).expanduser().resolve()
        saved = [_download_result(aws, state, key, folder) for key in state.result_files]
        sessions: list[dict[str, Any]] = []
        skipped: list[str] = []
        images = 0
        for item in state.items:
            if item.run_id is None:
                skipped.append(f"item {item.index}: no run ({item.outcome}): {item.message}")
                continue
            if not _RUN_ID.match(item.run_id):
                skipped.append(f"item {item.index}: run id {item.run_id!r} cannot be stored")
                continue
            files = _download_images(aws, state.bucket, item, folder, skipped)
            images += len(files)
            sessions.append(_session(item, files, skipped))
    manifest = {
        "format": "imgloop-history-export",
        "schema_version": 1,
        "app_version": __version__,
        "exported_at": datetime.now(UTC).isoformat(),
        "selection": "session",
        "source": {"execution_arn": execution_arn, "batch_id": state.batch_id},
        "sessions": sessions,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2)
    atomic_write(folder / "manifest.json", text.encode("utf-8"))
    if history is None:
        with HistoryService.open() as own:
            imported = own.import_export(folder)
    else:
        imported = history.import_export(folder)
    return PullReport(state.batch_id, folder, saved, images, imported, state.items, skipped)


def _download_result(aws: _Aws, state: BatchStatus, key: str, folder: Path) -> Path:
    """``results/<map run id>/<file>``, named by the key's last two parts."""
    parts = [p for p in key.split("/") if p not in ("", ".", "..")][-2:]
    target = folder.joinpath("results", *parts)
    with _aws_call(f"reading s3://{state.bucket}/{key}"):
        data = aws.s3.get_object(Bucket=state.bucket, Key=key)["Body"].read()
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, data)
    return target


def _download_images(
    aws: _Aws, bucket: str, item: ItemResult, folder: Path, skipped: list[str]
) -> dict[tuple[int, int, int], tuple[str, int]]:
    """Each uploaded image of the run, checked against the SHA-256 the run recorded; a
    missing or different object is noted in ``skipped`` (the history would refuse the whole
    import over one bad file)."""
    assert item.run_id is not None
    written: dict[tuple[int, int, int], tuple[str, int]] = {}
    for c in _uploaded(item.body):
        ref = (_count(c.get("revision")), _count(c.get("attempt")), _count(c.get("index")))
        key = str(c["s3_key"])
        try:
            with _aws_call(f"reading s3://{bucket}/{key}"):
                data = aws.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except CloudError as exc:
            skipped.append(f"item {item.index}: {exc}")
            continue
        if hashlib.sha256(data).hexdigest() != c.get("sha256"):
            skipped.append(f"item {item.index}: s3://{bucket}/{key} differs from the run's image")
            continue
        name = f"images/{item.run_id}/{ref[0]:03d}-{ref[1]:03d}-{ref[2]}.png"
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, data)
        written[ref] = (name, len(data))
    return written


def _session(
    item: ItemResult, files: dict[tuple[int, int, int], tuple[str, int]], skipped: list[str]
) -> dict[str, Any]:
    """One run in the history export's manifest format, from what the handler answered.

    The answer holds the prompt versions, every candidate with its verdict, the checklist
    and the best candidate; what it lacks (each call's request, a revision's reasons, exact
    times) is left empty, and the child execution's start and stop stand for the run's.
    """
    body = item.body
    params = RunParams.from_event(item.event)  # the handler accepted it: it has a run id
    event = params.to_event() | {"output_dir": ""}
    started = item.started_at or datetime.now(UTC)
    ended = item.stopped_at or started
    checklist = _checklist(body.get("checklist"))
    judged = ended.isoformat()
    candidates = [c for c in body.get("candidates") or [] if isinstance(c, dict)]
    prompts = [str(p) for p in body.get("prompts") or [] if isinstance(p, str)]
    revisions = max([len(prompts) - 1, *(_count(c.get("revision")) for c in candidates)], default=0)
    approved = None
    best = body.get("best") if isinstance(body.get("best"), dict) else None
    versions = []
    for revision in range(revisions + 1):
        attempts: dict[int, dict[str, Any]] = {}
        for c in candidates:
            if _count(c.get("revision")) != revision:
                continue
            ref = (revision, _count(c.get("attempt")), _count(c.get("index")))
            attempt = attempts.setdefault(
                ref[1],
                {
                    "attempt": ref[1],
                    "prompt": str(c.get("prompt", "")),
                    "seed": _count(c.get("seed")),
                    "request": {},
                    "started_at": started.isoformat(),
                    "ended_at": ended.isoformat(),
                    "error": "",
                    "images": [],
                },
            )
            if body.get("local_path") and c.get("local_path") == body.get("local_path"):
                approved = {"revision": ref[0], "attempt": ref[1], "index": ref[2]}
            if ref not in files:
                continue
            name, size = files[ref]
            attempt["images"].append(
                _image(c, ref, name, size, params, checklist, judged, item, skipped)
            )
        versions.append(
            {
                "revision": revision,
                "prompt": prompts[revision] if revision < len(prompts) else None,
                "previous_prompt": prompts[revision - 1] if 0 < revision <= len(prompts) else None,
                "reasons": [],
                "ok": None,
                "raw": "",
                "error": "",
                "notes": "",
                "created_at": started.isoformat(),
                "attempts": [attempts[a] for a in sorted(attempts)],
            }
        )
    outcome = str(body.get("outcome", ""))
    if outcome not in {o.value for o in HistoryOutcome} or outcome == HistoryOutcome.RUNNING:
        outcome = HistoryOutcome.ERROR.value
    return {
        "run_id": item.run_id,
        "prompt": params.prompt,
        "params": event,
        "image_model_id": params.image_model_id,
        "judge_model_id": params.judge_model_id,
        "notes": [f"run on AWS Step Functions: batch line {item.index}"],
        "app_version": __version__,
        "started_at": started.isoformat(),
        "ended_at": ended.isoformat(),
        "outcome": outcome,
        "message": str(body.get("error") or body.get("message") or ""),
        "judge_approved": approved if outcome == HistoryOutcome.APPROVED else None,
        "judge_mode": body.get("judge_mode") or params.judge_mode,
        "checklist": checklist.to_json() if checklist is not None else None,
        "checklist_changes": [],
        "best": (
            {k: _count(best.get(k)) for k in ("revision", "attempt", "index")} if best else None
        ),
        "best_misses": str(best.get("misses", "")) if best else "",
        "best_how": str(best.get("chosen_by", "")) if best else "",
        "prompt_versions": versions,
    }


def _image(
    c: dict[str, Any],
    ref: tuple[int, int, int],
    name: str,
    size: int,
    params: RunParams,
    checklist: Checklist | None,
    judged: str,
    item: ItemResult,
    skipped: list[str],
) -> dict[str, Any]:
    verdict = None
    if c.get("verdict") in ("YES", "NO", "ERROR", "REVIEW"):
        verdict = {
            "result": c["verdict"],
            "reason": str(c.get("reason") or ""),
            "raw": "",
            "model_id": params.judge_model_id,
            "retried": False,
            "received_at": judged,
            "checks": None,
            "checklist": None,
        }
        checks = c.get("checks")
        if checklist is not None and isinstance(checks, dict):
            given: dict[str, Any] = {"checks": checks.get("items"), "missing": []}
            try:
                ItemVerdicts.from_json(given, checklist)
            except ValidationError as exc:  # judged against an earlier checklist
                skipped.append(f"item {item.index}: item verdicts of {name} left out: {exc}")
            else:
                verdict |= {"checks": given, "checklist": checklist.to_json()}
    return {
        "index": ref[2],
        "file": name,
        "sha256": c["sha256"],
        "exported_sha256": None,
        "metadata": None,
        "size_bytes": size,
        "width": _count(c.get("width")),
        "height": _count(c.get("height")),
        "seed": c.get("seed") if isinstance(c.get("seed"), int) else None,
        "prompt": str(c.get("prompt", "")),
        "s3_bucket": params.output_s3_bucket_name,
        "s3_key": str(c["s3_key"]),
        "upload_state": "done",
        "upload_error": "",
        "stored_at": judged,
        "verdict": verdict,
        "human_decision": None,
        "decided_at": None,
        "human_items": {},
    }


def _checklist(value: object) -> Checklist | None:
    if value is None:
        return None
    try:
        return Checklist.from_json(value)
    except ValidationError:
        return None


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0

"""The Lambda artifact holds the core only, fits Lambda's limits, and runs.

packaging/aws/build_lambda.py builds the artifact from pyproject's core dependencies. Here
it is built twice, with pip's cache: once for this machine (x86_64 or arm64, this Python)
so a subprocess can import and run the handler from it alone, with no site-packages, so
Qt, qasync and keyring are absent; and once as deployed (arm64, Lambda's Python) to
measure it. The handler then runs every line of packaging/aws/examples/prompts.jsonl the
way the state machine feeds it (the ItemSelector's storage fields merged over the line)
against the Bedrock simulator and moto's S3, as a Lambda container would: one process,
warm, one invocation after another.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from imgloop_desktop.cli import lambda_handler as handler_module
from imgloop_desktop.core.events import Outcome
from imgloop_desktop.core.loop import RunResult
from imgloop_desktop.providers.aws_errors import translate
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.packaging.conftest import PACKAGING, ROOT

AWS = PACKAGING / "aws"
SAMPLE = AWS / "examples" / "prompts.jsonl"
ASL = AWS / "statemachine.asl.json"
BUCKET = "imgloop-batch-test"
PREFIX = "imgloop/"
BATCH_ID = "test-batch"
DESKTOP_ONLY = ("PySide6", "shiboken6", "qasync", "keyring", "secretstorage", "jeepney")
DESKTOP_LIST = ",".join(DESKTOP_ONLY)
EM_AARCH64 = 183  # ELF e_machine of arm64 shared objects


def load_builder() -> ModuleType:
    """packaging/aws/build_lambda.py, which is a script, not a module of the package."""
    spec = importlib.util.spec_from_file_location("build_lambda", AWS / "build_lambda.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_lambda", module)
    spec.loader.exec_module(module)
    return module


build_lambda = load_builder()


def host_arch() -> str:
    machine = platform.machine().lower()
    return "aarch64" if machine in ("aarch64", "arm64") else "x86_64"


@pytest.fixture(scope="module")
def host_artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The artifact for this machine and this Python (it cannot import arm64 wheels)."""
    out = tmp_path_factory.mktemp("lambda-host") / "lambda"
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    artifact = build_lambda.build(out, arch=host_arch(), python_version=version, make_zip=False)
    return Path(artifact.folder)


@pytest.fixture
def s3(s3_endpoint: str) -> Iterator[Any]:
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    yield client
    client.close()


def test_core_dependencies_leave_the_desktop_parts_to_an_extra() -> None:
    with (ROOT / "pyproject.toml").open("rb") as f:
        project = tomllib.load(f)["project"]
    names = " ".join(project["dependencies"]).lower()
    for desktop in ("pyside6", "qasync", "keyring"):
        assert desktop not in names, f"{desktop} is a core dependency"
    desktop_extra = " ".join(project["optional-dependencies"]["desktop"]).lower()
    assert all(name in desktop_extra for name in ("pyside6", "qasync", "keyring"))
    assert build_lambda.core_dependencies() == project["dependencies"]


def test_the_arm64_zip_fits_lambda(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The deployed artifact: no desktop parts, arm64 binaries, and its sizes printed."""
    artifact = build_lambda.build(tmp_path / "lambda")
    with capsys.disabled():
        print(f"\n{artifact.report()}")
    assert artifact.within_limits, artifact.report()
    with zipfile.ZipFile(artifact.zip_path) as zf:
        names = zf.namelist()
        tops = {n.split("/")[0] for n in names}
        assert not tops & set(DESKTOP_ONLY), tops & set(DESKTOP_ONLY)
        assert "imgloop_desktop/cli/lambda_handler.py" in names
        assert not any(n.startswith("imgloop_desktop/gui/") for n in names)
        assert not any("__pycache__" in n for n in names)
        libraries = [n for n in names if n.startswith("PIL/_imaging.") and n.endswith(".so")]
        assert libraries, "Pillow's extension is missing"
        header = zf.read(libraries[0])[:20]
        assert int.from_bytes(header[18:20], "little") == EM_AARCH64, libraries[0]
        assert all((zf.getinfo(n).external_attr >> 16) & 0o444 == 0o444 for n in names)


RUN_ITEMS = r"""
import importlib.util, json, sys
artifact, items = sys.argv[1], sys.argv[2]
sys.path.insert(0, artifact)
missing = [m for m in sys.argv[3].split(",") if importlib.util.find_spec(m) is not None]
assert not missing, f"desktop parts importable: {missing}"
import imgloop_desktop
assert imgloop_desktop.__file__.startswith(artifact), imgloop_desktop.__file__
from imgloop_desktop.cli.lambda_handler import lambda_handler
for line in open(items, encoding="utf-8"):
    response = lambda_handler(json.loads(line), None)
    print(json.dumps(response), flush=True)
print(json.dumps({"qt_loaded": [m for m in sys.modules if m.startswith(("PySide6", "qasync"))]}))
"""


def as_the_state_machine_sends(lines: list[str]) -> list[dict[str, Any]]:
    """Each JSONL line merged with the storage fields the ItemSelector adds (JsonMerge:
    the second object's fields win), with the keys the definition would compute."""
    storage = json.loads(ASL.read_text())["States"]["Prompts"]["ItemSelector"]["storage"]
    assert set(storage) == {"s3_enabled", "output_s3_bucket_name", "output_s3_key_prefix.$"}
    images = f"{PREFIX}batches/{BATCH_ID}/images/"
    return [
        json.loads(line)
        | {
            "s3_enabled": True,
            "output_s3_bucket_name": BUCKET,
            "output_s3_key_prefix": f"{images}item-{index}",
        }
        for index, line in enumerate(lines)
    ]


def run_in_artifact(
    artifact: Path, events: list[dict[str, Any]], tmp_path: Path
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    items = tmp_path / "items.jsonl"
    items.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    env = dict(
        os.environ,
        AWS_LAMBDA_FUNCTION_NAME="imgloop-test-run",
        IMGLOOP_RAISE_WHEN_THROTTLED="1",
    )
    # -I -S: no site-packages (ours or the system's), no PYTHON* variables, no cwd on the
    # path, so only the artifact and the standard library can be imported.
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", RUN_ITEMS, str(artifact), str(items), DESKTOP_LIST],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    return lines[:-1], lines[-1]


def test_handler_runs_every_sample_line_from_the_artifact_without_qt(
    host_artifact: Path, bedrock_sim: BedrockSimulator, s3: Any, tmp_path: Path
) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 3
    events = as_the_state_machine_sends(lines)
    # A line the handler must reject (unknown field) is answered, not raised: the Map
    # records it as a result, and the batch goes on.
    events.append(events[0] | {"promtp": "typo"})
    responses, tail = run_in_artifact(host_artifact, events, tmp_path)
    assert tail == {"qt_loaded": []}
    assert [r["statusCode"] for r in responses] == [200] * len(lines) + [400]
    keys = [
        o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    ]  # every item's images went to its own keys under the batch
    for index, response in enumerate(responses[:-1]):
        body = json.loads(response["body"])
        assert body["status"] == "SUCCESS", body
        written = [c["s3_key"] for c in body["candidates"] if c["uploaded"]]
        assert written, body
        item_prefix = f"{PREFIX}batches/{BATCH_ID}/images/item-{index}-"
        assert all(k.startswith(item_prefix) and k in keys for k in written)
    # Each invocation's images folder is gone once its uploads are done (warm containers).
    invocations = Path(os.environ["IMGLOOP_DATA_DIR"]) / "invocations"
    assert invocations.is_dir() and not any(invocations.iterdir())


def test_keyring_account_without_keyring_says_what_to_install(
    host_artifact: Path, tmp_path: Path
) -> None:
    """The core install has no keyring: --account must explain, not raise ImportError."""
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"prompt": "a lighthouse at dusk"}), encoding="utf-8")
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "sys.argv = ['imgloop-cli', 'run', '--event', sys.argv[2], '--account', 'work', "
        "'--no-s3']; "
        "from imgloop_desktop.cli.entry import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", script, str(host_artifact), str(event)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "Traceback" not in output and "ImportError" not in output, output
    assert "imgloop-desktop[desktop]" in output, output


def throttled_result() -> RunResult:
    """A run ended the way the loop ends one that Bedrock throttled out."""
    answer: Any = {
        "Error": {"Code": "ThrottlingException", "Message": "Too many requests"},
        "ResponseMetadata": {"HTTPStatusCode": 429},
    }
    error = ClientError(answer, "InvokeModel")
    service_error = translate(
        error, model_id="stability.sd3-5-large-v1:0", region="us-west-2", operation="InvokeModel"
    )
    return RunResult(
        run_id="r1",
        outcome=Outcome.ERROR,
        message=str(service_error),
        approved=None,
        candidates=[],
        prompts=["a fox"],
    )


class FakeExecution:
    def __init__(self, result: RunResult) -> None:
        self.result = result
        self.region = "us-west-2"

    def __enter__(self) -> FakeExecution:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


@pytest.mark.parametrize("raise_when_throttled", [True, False])
def test_a_throttled_out_run_is_raised_for_the_state_machine_to_retry(
    monkeypatch: pytest.MonkeyPatch, raise_when_throttled: bool
) -> None:
    """Bedrock's throttling reaches the Map's Retry rule by the error's class name; a plain
    invocation (no variable) keeps the seed's 500 answer."""
    result = throttled_result()
    assert handler_module.throttled_out(result)
    assert not handler_module.throttled_out(
        RunResult("r2", Outcome.ERROR, "Access denied to the model", None, [], [])
    )
    monkeypatch.setattr(
        "imgloop_desktop.services.run.execute", lambda *a, **k: FakeExecution(result)
    )
    if raise_when_throttled:
        monkeypatch.setenv(handler_module.RAISE_WHEN_THROTTLED, "1")
        with pytest.raises(handler_module.BedrockThrottledError):
            handler_module.lambda_handler({"prompt": "a fox"}, None)
    else:
        response = handler_module.lambda_handler({"prompt": "a fox"}, None)
        assert response["statusCode"] == 500
    retried = json.loads(ASL.read_text())["States"]["Prompts"]["ItemProcessor"]["States"]["Run"]
    errors = {e for rule in retried["Retry"] for e in rule["ErrorEquals"]}
    assert handler_module.BedrockThrottledError.__name__ in errors

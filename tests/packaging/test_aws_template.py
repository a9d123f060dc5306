"""packaging/aws: the SAM template passes cfn-lint, the state machine definition passes an
Amazon States Language validator, and the two agree with each other and with the code.

Two ASL validators run, because each catches what the other does not:

- ``asl-validator`` (npm, pinned in packaging/aws/asl-validator/package-lock.json and
  installed into build/aws-tools here): the ASL specification's JSON schemas plus checks
  of JSONPath expressions and ARNs, including the Distributed Map fields;
- cfn-lint's E3601, which validates a ``AWS::StepFunctions::StateMachine`` definition
  against AWS's own schema; it only sees an inline definition, so the substituted file is
  inlined into a one-resource template for it.

On a developer machine without Node.js the npm validator is skipped; in CI (``CI`` set)
a missing tool fails the test (as require_tool does for the Linux packaging validators).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.packaging.conftest import PACKAGING, ROOT, require_tool
from tests.packaging.test_lambda_artifact import build_lambda

AWS = PACKAGING / "aws"
TEMPLATE = AWS / "template.yaml"
ASL = AWS / "statemachine.asl.json"
VALIDATOR_PINS = AWS / "asl-validator"
TOOLS = ROOT / "build" / "aws-tools"
# What CloudFormation would put in for DefinitionSubstitutions, to validate the definition
# as Step Functions will receive it.
SAMPLE_SUBSTITUTIONS = {
    "BatchBucket": "imgloop-batch-test",
    "BatchPrefix": "imgloop/",
    "RunFunctionArn": "arn:aws:lambda:us-west-2:123456789012:function:imgloop-run",
    "MaxConcurrency": "4",
    "ToleratedFailurePercentage": "100",
}
BROKEN_DEFINITION = {
    "StartAt": "Run",
    "States": {"Run": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Nxt": "X"}},
}


def missing(message: str) -> None:
    """Skip on a developer machine, fail in CI, where a skipped check checks nothing."""
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must install it")
    pytest.skip(message)


def cfn_lint() -> list[str]:
    """cfn-lint's command from this environment (the test extra installs it)."""
    script = Path(sys.executable).with_name("cfn-lint")
    if importlib.util.find_spec("cfnlint") is None or not script.exists():
        missing("cfn-lint is not installed (pip install -e '.[test]')")
    return [str(script)]


def run_cfn_lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*cfn_lint(), "--format", "parseable", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def load_template() -> dict[str, Any]:
    """The template as cfn-lint reads it (the short-form !Ref/!Sub tags understood)."""
    cfn_lint()
    from cfnlint.decode import decode  # type: ignore[import-untyped]

    template, problems = decode(str(TEMPLATE))
    assert template is not None and not problems, problems
    return dict(template)


def substituted_definition() -> dict[str, Any]:
    text = ASL.read_text(encoding="utf-8")
    for name, value in SAMPLE_SUBSTITUTIONS.items():
        text = text.replace("${" + name + "}", value)
    definition: dict[str, Any] = json.loads(text)
    return definition


def asl_validator() -> Path:
    """The pinned asl-validator, installed with npm ci into build/aws-tools when the lock
    file changed (a stamp holds its hash), so later runs cost nothing."""
    require_tool("node", "nodejs")
    npm = require_tool("npm", "npm")
    binary = TOOLS / "node_modules" / ".bin" / "asl-validator"
    lock = (VALIDATOR_PINS / "package-lock.json").read_bytes()
    digest = hashlib.sha256((VALIDATOR_PINS / "package.json").read_bytes() + lock).hexdigest()
    stamp = TOOLS / ".installed"
    if binary.exists() and stamp.exists() and stamp.read_text() == digest:
        return binary
    TOOLS.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(VALIDATOR_PINS / name, TOOLS / name)
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=TOOLS,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    stamp.write_text(digest)
    return binary


def run_asl_validator(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(asl_validator()), "--json-path", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# -- cfn-lint -------------------------------------------------------------------------------


def test_cfn_lint_passes_on_the_template() -> None:
    done = run_cfn_lint(TEMPLATE)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_cfn_lint_validates_the_definition_as_step_functions_gets_it(tmp_path: Path) -> None:
    inline: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Batch": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "RoleArn": "arn:aws:iam::123456789012:role/imgloop-batch",
                    "Definition": substituted_definition(),
                },
            }
        },
    }
    path = tmp_path / "inline.json"
    path.write_text(json.dumps(inline, indent=1), encoding="utf-8")
    done = run_cfn_lint(path)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr
    # ... and it does look inside: a broken definition is an error.
    inline["Resources"]["Batch"]["Properties"]["Definition"] = BROKEN_DEFINITION
    path.write_text(json.dumps(inline, indent=1), encoding="utf-8")
    assert "E3601" in run_cfn_lint(path).stdout


# -- asl-validator --------------------------------------------------------------------------


@pytest.mark.parametrize("substituted", [False, True], ids=["as-committed", "substituted"])
def test_asl_validator_passes_on_the_definition(substituted: bool, tmp_path: Path) -> None:
    path = ASL
    if substituted:
        path = tmp_path / "statemachine.json"
        path.write_text(json.dumps(substituted_definition()), encoding="utf-8")
    done = run_asl_validator(path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_asl_validator_rejects_a_broken_definition(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(BROKEN_DEFINITION), encoding="utf-8")
    assert run_asl_validator(path).returncode != 0


# -- the template, the definition and the code agree -----------------------------------------


def test_every_placeholder_is_substituted() -> None:
    machine = load_template()["Resources"]["BatchStateMachine"]["Properties"]
    given = set(machine["DefinitionSubstitutions"])
    used = set(re.findall(r"\$\{(\w+)\}", ASL.read_text(encoding="utf-8")))
    assert used == given == set(SAMPLE_SUBSTITUTIONS)
    assert (TEMPLATE.parent / machine["DefinitionUri"]).resolve() == ASL


def test_the_definition_is_a_distributed_map_over_jsonl_in_s3() -> None:
    batch = json.loads(ASL.read_text(encoding="utf-8"))["States"]["Prompts"]
    assert batch["Type"] == "Map"
    assert batch["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert batch["ItemReader"]["ReaderConfig"] == {"InputType": "JSONL"}
    assert batch["ItemReader"]["Resource"] == "arn:aws:states:::s3:getObject"
    assert batch["ResultWriter"]["Resource"] == "arn:aws:states:::s3:putObject"
    assert batch["MaxConcurrencyPath"] == "$.max_concurrency"
    plan = json.loads(ASL.read_text(encoding="utf-8"))["States"]["Plan"]["Parameters"]
    assert plan["max_concurrency.$"] == "States.StringToJson('${MaxConcurrency}')"
    retry = batch["ItemProcessor"]["States"]["Run"]["Retry"]
    errors = {e for rule in retry for e in rule["ErrorEquals"]}
    assert {"BedrockThrottledError", "Lambda.TooManyRequestsException"} <= errors
    assert all(rule["BackoffRate"] > 1 for rule in retry)


def test_the_function_matches_the_handler_and_the_build() -> None:
    template = load_template()
    function = template["Resources"]["RunFunction"]["Properties"]
    module, _, name = function["Handler"].rpartition(".")
    assert callable(getattr(importlib.import_module(module), name))
    assert function["Runtime"] == f"python{build_lambda.DEFAULT_PYTHON}"
    assert function["Architectures"] == ["arm64"] and build_lambda.DEFAULT_ARCH == "aarch64"
    assert function["Timeout"] == 900
    code = (TEMPLATE.parent / function["CodeUri"]).resolve()
    assert code == build_lambda.DEFAULT_OUT.with_suffix(".zip")
    variables = function["Environment"]["Variables"]
    assert variables["IMGLOOP_RAISE_WHEN_THROTTLED"] == "1"
    assert template["Parameters"]["MaxConcurrency"]["Default"] <= 10


def statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    policies = template["Resources"][role]["Properties"]["Policies"]
    return [s for p in policies for s in p["PolicyDocument"]["Statement"]]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("role", ["RunFunctionRole", "BatchStateMachineRole"])
def test_roles_grant_no_wildcards(role: str) -> None:
    """Least privilege: named actions only, and no statement on every resource."""
    template = load_template()
    assert "ManagedPolicyArns" not in template["Resources"][role]["Properties"]
    for statement in statements(template, role):
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            assert "*" not in action, statement
        for resource in as_list(statement["Resource"]):
            assert resource != "*", statement


def test_the_function_may_only_invoke_models_and_touch_one_prefix() -> None:
    template = load_template()
    actions = {a for s in statements(template, "RunFunctionRole") for a in as_list(s["Action"])}
    assert actions == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "bedrock:InvokeModel",
        "s3:PutObject",
        "s3:GetObject",
        "s3:ListBucket",
    }
    machine = {
        a for s in statements(template, "BatchStateMachineRole") for a in as_list(s["Action"])
    }
    assert "states:StartExecution" in machine and "lambda:InvokeFunction" in machine
    assert not any(a.startswith("bedrock:") for a in machine)

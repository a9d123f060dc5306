"""The GitHub Actions workflows pass actionlint, with shellcheck on every ``run:`` block.

actionlint comes from the ``test`` extra (a wheel that ships the binary into the venv's
scripts folder); shellcheck from the OS (Debian ``shellcheck``). Without either the tests
skip on a developer machine and fail in CI, where a skip would silently stop the check.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.conftest import ROOT, require_tool

WORKFLOWS = ROOT / ".github" / "workflows"
TIMEOUT_SECONDS = 120


def actionlint() -> str:
    """actionlint from this venv (where the test extra installs it), else from PATH."""
    name = "actionlint.exe" if os.name == "nt" else "actionlint"
    beside = Path(sys.executable).with_name(name)
    if beside.is_file():
        return str(beside)
    if shutil.which("actionlint"):
        return require_tool("actionlint", "the test extra")
    message = "actionlint is not installed (pip install the test extra)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must install it")
    pytest.skip(message)


def lint(*files: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    shellcheck = require_tool("shellcheck", "shellcheck")
    return subprocess.run(
        [
            actionlint(),
            "-no-color",
            "-oneline",
            f"-shellcheck={shellcheck}",
            *(str(f) for f in files),
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def test_the_release_and_test_workflows_exist() -> None:
    names = {f.name for f in workflow_files()}
    assert {"release.yml", "test.yml"} <= names


def test_workflows_pass_actionlint_and_shellcheck() -> None:
    result = lint(*workflow_files())
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_actionlint_reports_a_shellcheck_finding(tmp_path: Path) -> None:
    """The check above is only worth something if shellcheck really runs on run: blocks."""
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    bad = workflows / "bad.yml"
    bad.write_text(
        "on: push\n"
        "jobs:\n"
        "  a:\n"
        "    runs-on: ubuntu-24.04\n"
        "    steps:\n"
        "      - run: echo $UNQUOTED_PATH\n",
        encoding="utf-8",
    )
    result = lint(bad, cwd=tmp_path)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "SC2086" in result.stdout, result.stdout + result.stderr

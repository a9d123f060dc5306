"""``imgloop --self-test`` and the launcher's own options: the checks pass here, a broken
part fails the run (and only that check), and the launcher works with Qt absent until a
window is really wanted."""

from __future__ import annotations

import importlib.metadata
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from keyring.backend import KeyringBackend

from imgloop_desktop import __version__, launcher, selftest
from tests.keyring_fixtures import use_no_keyring

QT_BLOCKER = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"PySide6", "shiboken6", "qasync"}:
            raise ImportError(f"Qt imported: {name}")
        return None
sys.meta_path.insert(0, Block())
"""


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **env},
    )


@pytest.fixture
def no_keyring() -> Iterator[KeyringBackend]:
    yield from use_no_keyring()


def test_self_test_passes_through_the_launcher(tmp_path: Path) -> None:
    data = tmp_path / "portable"
    result = subprocess.run(
        [sys.executable, "-m", "imgloop_desktop.launcher", "--data-dir", str(data), "--self-test"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"imgloop desktop {__version__} self-test"
    for name in ("qt", "data directory", "keyring", "simulator", "resources"):
        assert any(line.startswith(f"ok   {name} ") for line in lines), result.stdout
    assert lines[-1] == "self-test passed"
    assert (data / "history.sqlite3").exists()  # --data-dir reached the history


def test_a_failing_check_fails_the_run_and_the_rest_still_run() -> None:
    ran: list[str] = []

    def broken() -> str:
        ran.append("broken")
        raise OSError("disk full")

    def fine() -> str:
        ran.append("fine")
        return "all good"

    out = io.StringIO()
    code = selftest.run_self_test(out, checks=(("broken", broken), ("fine", fine)))
    assert code == 1
    assert ran == ["broken", "fine"]
    text = out.getvalue()
    assert "FAIL broken          OSError: disk full" in text
    assert "ok   fine            all good" in text
    assert text.rstrip().endswith("self-test FAILED: broken")


def test_report_can_go_to_a_file(tmp_path: Path) -> None:
    report = tmp_path / "self-test.txt"
    code = selftest.run_self_test(checks=(("fine", lambda: "yes"),), report_path=report)
    assert code == 0
    assert report.read_text().splitlines()[-1] == "self-test passed"


def test_an_unusable_data_dir_fails_its_check(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = isolated_env.parent / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("IMGLOOP_DATA_DIR", str(blocker))
    [result] = selftest.run_checks((("data directory", selftest.check_data_dir),))
    assert not result.ok
    assert "Error" in result.detail


def test_no_keyring_is_reported_but_not_a_failure(no_keyring: KeyringBackend) -> None:
    detail = selftest.check_keyring()
    assert "not usable here" in detail
    assert "SecretService" in detail  # the backends keyring knows about are listed


def test_missing_keyring_backends_fail_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_entry_points(**_kwargs: Any) -> list[object]:
        return []

    monkeypatch.setattr(importlib.metadata, "entry_points", no_entry_points)
    with pytest.raises(selftest.CheckFailed, match="no keyring backends"):
        selftest.check_keyring()


def test_simulator_check_answers_and_stops_its_server() -> None:
    assert "Converse answered" in selftest.check_simulator()
    # conftest's no_thread_left_behind fails the test if the simulator kept a thread


def test_resources_check_finds_the_icons() -> None:
    assert "8 icon sizes" in selftest.check_resources()


# -- the launcher ---------------------------------------------------------------------------


def test_launcher_and_selftest_import_without_qt() -> None:
    code = QT_BLOCKER + (
        "import imgloop_desktop.launcher, imgloop_desktop.selftest, imgloop_desktop.logs, "
        "imgloop_desktop.resources\nprint('ok')"
    )
    result = run_python(code)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


@pytest.mark.parametrize(
    ("option", "expected"),
    [("--version", f"imgloop desktop {__version__}"), ("--help", "--data-dir PATH")],
)
def test_version_and_help_need_no_qt(option: str, expected: str) -> None:
    code = QT_BLOCKER + (
        f"from imgloop_desktop.launcher import main\nimport sys\nsys.exit(main([{option!r}]))"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


def test_data_dir_is_set_before_the_self_test_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    def fake_self_test(*_args: Any, **_kwargs: Any) -> int:
        seen.append(os.environ["IMGLOOP_DATA_DIR"])
        return 0

    monkeypatch.setattr(selftest, "run_self_test", fake_self_test)
    assert launcher.main(["--data-dir", str(tmp_path / "portable"), "--self-test"]) == 0
    assert seen == [str(tmp_path / "portable")]


def test_other_arguments_go_to_the_window(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from imgloop_desktop.gui import startup

    calls: list[list[str]] = []

    def fake_start(argv: list[str]) -> int:
        calls.append(list(argv))
        return 7

    monkeypatch.setattr(startup, "start_gui", fake_start)
    monkeypatch.setattr(sys, "argv", ["/opt/imgloop/imgloop"])
    code = launcher.main(["--data-dir", str(tmp_path / "d"), "-platform", "offscreen"])
    assert code == 7
    assert calls == [["/opt/imgloop/imgloop", "-platform", "offscreen"]]
    assert os.environ["IMGLOOP_DATA_DIR"] == str(tmp_path / "d")


def test_headless_commands_go_to_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    from imgloop_desktop.cli import main as cli_main

    calls: list[list[str]] = []

    def fake_cli(argv: list[str]) -> int:
        calls.append(argv)
        return 3

    monkeypatch.setattr(cli_main, "main", fake_cli)
    assert launcher.main(["demo", "--quiet"]) == 3
    assert calls == [["demo", "--quiet"]]


def test_the_window_without_the_desktop_extra_says_how_to_add_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A core-only install (as for Lambda) has no Qt: the launcher says which extra to
    install instead of a ModuleNotFoundError traceback."""
    import importlib.util

    from imgloop_desktop import launcher

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "PySide6" else real(name, *a)
    )
    assert launcher.main([]) == 2
    assert "pip install 'imgloop-desktop[desktop]'" in capsys.readouterr().err

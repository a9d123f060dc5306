"""``imgloop --self-test``: does this install (or bundle) actually work, without a screen?

The packaging smoke check runs the built binary with it: a bundle can build fine and still
miss a Qt plugin, the keyring's dynamically loaded backends, botocore's data files or the
resources. Each check exercises one of those the way the app does, prints one line, and
the exit code is 0 only if all pass.

"No keyring on this machine" is reported but never a failure: a build server has no
Secret Service and the app works without one (AWS profiles, the demo). What fails the
keyring check is a bundle that lost keyring's backend list, since then no machine could
ever store keys.

Qt is imported only inside the Qt check (from ``gui.startup``), so this module stays
importable where Qt is not.
"""

from __future__ import annotations

import importlib.metadata
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from imgloop_desktop import __version__, paths
from imgloop_desktop.resources import icon_files, resources_dir

REPORT_FILE = "self-test.txt"
PROMPT = "A lighthouse on a cliff at dusk"


class CheckFailed(Exception):
    """A check that ran and found a problem (as opposed to crashing)."""


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    seconds: float

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        return f"{mark} {self.name:<15} {self.detail} ({self.seconds:.2f}s)"


def check_qt() -> str:
    from imgloop_desktop.gui.startup import qt_self_check

    return qt_self_check()


def check_data_dir() -> str:
    from imgloop_desktop.services.history import HistoryService

    folder = paths.data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    service = HistoryService.open()
    try:
        sessions = service.db_path
    finally:
        service.close()
    return f"{folder} (history {sessions.name} opened)"


def check_keyring() -> str:
    from imgloop_desktop.accounts.store import AccountStore, backend_name

    backends = sorted(e.name for e in importlib.metadata.entry_points(group="keyring.backends"))
    if not backends:
        raise CheckFailed("no keyring backends are registered (keyring's metadata is missing)")
    store = AccountStore()
    backend = store.backend()
    problem = store.problem()
    state = "usable" if problem is None else f"not usable here ({problem})"
    return f"{backend_name(backend)}: {state}; backends: {', '.join(backends)}"


def check_simulator() -> str:
    from imgloop_desktop.core.params import DEFAULT_JUDGE_MODEL
    from imgloop_desktop.services.demo import converse_once

    text = converse_once(f"Improve: {PROMPT}", DEFAULT_JUDGE_MODEL)
    if not text:
        raise CheckFailed("the simulator's Converse answer has no text")
    return f"Converse answered through boto3 ({len(text)} characters)"


def check_resources() -> str:
    icons = icon_files()
    if not icons:
        if getattr(sys, "frozen", False):
            raise CheckFailed("the bundle has no application icons")
        return f"no icons with this install (resources folder: {resources_dir() or 'none'})"
    return f"{len(icons)} icon sizes in {next(iter(icons.values())).parent}"


CHECKS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("qt", check_qt),
    ("data directory", check_data_dir),
    ("keyring", check_keyring),
    ("simulator", check_simulator),
    ("resources", check_resources),
)


Checks = tuple[tuple[str, Callable[[], str]], ...]


def run_checks(checks: Checks | None = None) -> list[CheckResult]:
    """Every check runs even after one fails, so one report shows everything wrong."""
    results = []
    for name, check in CHECKS if checks is None else checks:
        started = time.monotonic()
        try:
            detail, ok = check(), True
        except Exception as exc:
            detail, ok = f"{type(exc).__name__}: {exc}", False
        results.append(CheckResult(name, ok, detail, time.monotonic() - started))
    return results


def run_self_test(
    out: TextIO | None = None,
    *,
    checks: Checks | None = None,
    report_path: Path | None = None,
) -> int:
    """Run every check, print one line each; 0 if all passed, 1 otherwise.

    ``report_path`` writes the report to a file instead: a windowed bundle on Windows has
    no stdout at all, so the launcher then puts it in ``<data dir>/self-test.txt``, where
    the build script reads it.
    """
    header = f"imgloop desktop {__version__} self-test"
    results = run_checks(checks)
    failed = [r for r in results if not r.ok]
    lines = [header, *(r.line() for r in results)]
    lines.append(
        "self-test passed"
        if not failed
        else f"self-test FAILED: {', '.join(r.name for r in failed)}"
    )
    text = "\n".join(lines) + "\n"
    if report_path is not None:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(text, encoding="utf-8")
    else:
        stream = out if out is not None else sys.stdout
        stream.write(text)
        stream.flush()
    return 1 if failed else 0

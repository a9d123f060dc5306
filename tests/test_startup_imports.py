"""What a window start imports, checked in a fresh interpreter (issue 15).

boto3 (with most of botocore), the keyring and the demo's simulator cost a third of a start
and are needed only for a run, the accounts dialog, S3 or the demo. They are imported where
first used; these tests keep them out of the import of the window and of the log set-up,
so a top-level import added later cannot quietly undo it. The check records who imported
an unwanted module, so a failure names the culprit.

The window's closed docks (History, Review, Queue), Preferences and the Help texts are built
when first opened, and the run machinery (the loop and its wiring) is loaded by the warm-up
after the window shows, so their modules stay out of the window's import too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

LAZY = ("boto3", "keyring", "imgloop_desktop.simulator")
"""Imported on first use only; never by importing the window."""

ON_FIRST_OPEN = (
    "imgloop_desktop.gui.history_browser",
    "imgloop_desktop.gui.review_panel",
    "imgloop_desktop.gui.queue_panel",
    "imgloop_desktop.gui.main_window.help_menu",
)
"""Imported when their dock (or a Help item) is first opened; never by importing the window."""

ON_FIRST_USE = (
    "imgloop_desktop.services.run",
    "imgloop_desktop.core.loop",
    "imgloop_desktop.gui.accounts_dialog",
)
"""The run machinery (loaded by the warm-up after the window shows, else by the first run)
and Preferences (built when first opened); never by importing the window."""

PROBE = """
import importlib, importlib.abc, json, sys, traceback
WATCHED = {watched!r}
found = {{}}

class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        for top in WATCHED:
            if (name == top or name.startswith(top + ".")) and top not in found:
                stack = traceback.extract_stack()[:-1]
                ours = [f"{{f.filename}}:{{f.lineno}}" for f in stack
                        if "imgloop_desktop" in f.filename]
                found[top] = ours[-6:]
        return None

sys.meta_path.insert(0, Watch())
importlib.import_module({module!r})
print(json.dumps(found))
"""


def _imported_by(module: str, watched: tuple[str, ...] = LAZY) -> dict[str, list[str]]:
    """The ``watched`` modules importing ``module`` pulls in, each with our frames that did it."""
    code = PROBE.format(watched=watched, module=module)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    found: dict[str, list[str]] = json.loads(proc.stdout.strip().splitlines()[-1])
    return found


def too_early(found: dict[str, list[str]]) -> str:
    """Each module imported too early, with the chain of our frames that imported it."""
    return "imported too early:\n" + "\n".join(
        f"{name} via {' <- '.join(reversed(frames))}" for name, frames in found.items()
    )


@pytest.mark.parametrize(
    "module",
    [
        "imgloop_desktop.gui.main_window",
        "imgloop_desktop.gui.app",
        "imgloop_desktop.gui.startup",
        "imgloop_desktop.logs",
        "imgloop_desktop.accounts",
    ],
)
def test_importing_the_window_leaves_boto3_keyring_and_simulator_for_later(module: str) -> None:
    found = _imported_by(module)
    assert not found, too_early(found)


def test_importing_the_window_leaves_the_run_machinery_and_preferences_for_first_use() -> None:
    found = _imported_by("imgloop_desktop.gui.app", ON_FIRST_USE)
    assert not found, too_early(found)


def test_the_demo_backend_leaves_boto3_for_the_first_run() -> None:
    """A first launch without AWS picks the demo while the window opens; its simulator is
    imported then, boto3 only when a run makes its session."""
    found = _imported_by("imgloop_desktop.simulator.demo", ("boto3",))
    assert not found, too_early(found)


def test_importing_the_window_leaves_the_docks_panels_and_help_for_their_first_opening() -> None:
    found = _imported_by("imgloop_desktop.gui.app", ON_FIRST_OPEN)
    assert not found, too_early(found)


def test_the_lazy_package_exports_still_resolve() -> None:
    """``from imgloop_desktop.accounts import X`` works for every name it ever exported."""
    import imgloop_desktop.accounts as accounts

    assert set(accounts.__all__) == set(accounts._HOMES)
    for name in accounts.__all__:
        assert getattr(accounts, name) is not None
    with pytest.raises(AttributeError):
        _ = accounts.no_such_name  # type: ignore[attr-defined]

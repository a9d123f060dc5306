"""How fast does the window open, and how fast does Quit let the process go? (issue 15)

Run: ``.venv/bin/python bench/bench_startup.py [--repeat R]``. Not a test: it prints figures
and asserts nothing.

Each start is a real process, ``python -m imgloop_desktop --data-dir <temp>``, with
``IMGLOOP_STARTUP_PROBE=1`` (see ``gui.app``): the app prints the wall-clock time of its main
window's first Show event and first paint, waits until it is idle (history open, AWS models
warmed up), prints the time and triggers Quit as a person would. The benchmark takes the
time just before it starts the process, and the time the process has exited.

Each probe line also carries the process's CPU seconds (all threads) at that moment, so
the CPU time to the window shown, and its ratio, are printed too: on a shared machine
other programs' turns stretch the wall clock of either start, and the CPU time counts only
the start's own work (it still moves with the machine's load, less so; compare within a
run, and over several runs).

The yardstick is a minimal PySide6 window (one ``QMainWindow``, nothing else) started the
same way in the same run with the same environment: the ratio of the two start times says
what the app adds to what Qt and Python cost anyway on this machine (target at most 1.5).
Quit to exit, idle, has an absolute target: at most 0.3 s.

Like a person's machine, the children run with compiled bytecode: ``PYTHONPYCACHEPREFIX``
points into the benchmark's temp folder (nothing is written into the source tree) and an
untimed first start of each fills it (and the OS file cache). Everything the app touches
is under that temp folder: data folder, QSettings (``XDG_CONFIG_HOME``), AWS config files;
AWS sees only fake keys, so the default-chain backend is picked (no demo simulator) and
nothing reaches the network. Offscreen unless ``QT_QPA_PLATFORM`` says otherwise.

A third kind of start is timed in the same run: a first launch on a machine without AWS
(no keys, no profiles), where the window picks the offline demo and starts its simulator
while it opens; that is what a new person sees first.

The breakdown (Python, Qt and the modules; making the window; made to shown) comes from the
``building`` and ``built`` probe lines, printed by the minimal window at the same moments;
``docs/startup.md`` explains what it shows and why the ratio target is not met.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from imgloop_desktop.gui.app import PROBE_ENV, PROBE_PREFIX  # noqa: E402 - after sys.path

START_RATIO_TARGET = 1.5
QUIT_TARGET_SECONDS = 0.3
CHILD_TIMEOUT_SECONDS = 120.0

MINIMAL_WINDOW = f"""
import sys, time
from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

def line(what):
    print("{PROBE_PREFIX}", what, f"{{time.time():.6f}}", f"{{time.process_time():.6f}}",
          flush=True)

class Window(QMainWindow):
    seen = set()

    def event(self, event):
        kind = event.type()
        if kind == QEvent.Type.Show and "shown" not in self.seen:
            self.seen.add("shown")
            line("shown")
        elif kind == QEvent.Type.Paint and "painted" not in self.seen:
            self.seen.add("painted")
            line("painted")
            QTimer.singleShot(0, self.quit)
        return super().event(event)

    def quit(self):
        line("quit")
        self.close()

app = QApplication(sys.argv)
line("building")
window = Window()
window.setWindowTitle("minimal")
# widgets
window.resize(1400, 900)
line("built")
window.show()
app.exec()
"""

LIKE_FOR_LIKE_WIDGETS = """
import asyncio, qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDockWidget, QDoubleSpinBox, QFormLayout, QGroupBox, QLabel,
    QLineEdit, QListView, QPlainTextEdit, QProgressBar, QPushButton, QScrollArea, QSpinBox,
    QSplitter, QWidget)
asyncio.set_event_loop(qasync.QEventLoop(app))
form = QWidget()
rows = QFormLayout(form)
rows.addRow("Prompt", QPlainTextEdit())
for i in range(6):
    combo = QComboBox()
    combo.addItems(["a", "b", "c"])
    rows.addRow(f"choice {i}", combo)
for i in range(8):
    rows.addRow(f"number {i}", QSpinBox())
for i in range(4):
    rows.addRow(f"decimal {i}", QDoubleSpinBox())
for i in range(3):
    rows.addRow(f"switch {i}", QCheckBox("on"))
rows.addRow("text", QLineEdit())
rows.addRow(QGroupBox("Advanced"))
rows.addRow(QPushButton("Run"))
rows.addRow(QProgressBar())
scroll = QScrollArea()
scroll.setWidget(form)
scroll.setWidgetResizable(True)
split = QSplitter()
for part in (scroll, QListView(), QLabel("details")):
    split.addWidget(part)
window.setCentralWidget(split)
for name in ("File", "Edit", "View", "Run", "Help"):
    menu = window.menuBar().addMenu(name)
    for i in range(8):
        menu.addAction(f"{name} {i}")
window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, QDockWidget("History"))
window.statusBar().showMessage("ready")
"""
LIKE_FOR_LIKE_WINDOW = MINIMAL_WINDOW.replace("# widgets", LIKE_FOR_LIKE_WIDGETS)
"""The same minimal window holding the kinds of widgets the app's first screen shows (a
text box, combos, spin boxes, a scroll area, a splitter, a list, menus, a dock, a status
bar) and the qasync loop, with no app code: what Qt itself costs for such a window. It
imports qasync and those widget classes while the window is made (after ``building``)."""


@dataclass
class Launch:
    """One process's times, in seconds after the benchmark started it."""

    marks: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    """The process's own CPU seconds (all threads) at each mark."""
    exited: float = 0.0

    def since_quit(self) -> float:
        return self.exited - self.marks["quit"]


def environment(root: Path, *, aws_keys: bool = True) -> dict[str, str]:
    """The children's environment: isolated under ``root``, bytecode cached there.

    Without ``aws_keys`` the machine looks like a first launch without AWS: the window
    picks the offline demo and starts its simulator while it opens."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        {
            PROBE_ENV: "1",
            "PYTHONPYCACHEPREFIX": str(root.parent / "pycache"),
            "XDG_CONFIG_HOME": str(root / "config"),
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(root / "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(root / "aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    if aws_keys:
        env["AWS_ACCESS_KEY_ID"] = "AKIDIMGLOOPBENCH0000"
        env["AWS_SECRET_ACCESS_KEY"] = "imgloop-bench-secret-not-a-real-key"
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def launch(command: list[str], env: dict[str, str], log: Path) -> Launch:
    """Start ``command``, collect its probe lines, wait for it to exit."""
    result = Launch()
    with log.open("w", encoding="utf-8") as errors:
        started = time.time()
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=errors, text=True
        )
        assert process.stdout is not None
        try:
            for line in process.stdout:  # ends when the process closes stdout (its exit)
                parts = line.split()
                if len(parts) in (3, 4) and parts[0] == PROBE_PREFIX:
                    result.marks[parts[1]] = float(parts[2]) - started
                    if len(parts) == 4:
                        result.cpu[parts[1]] = float(parts[3])
            code = process.wait(timeout=CHILD_TIMEOUT_SECONDS)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        result.exited = time.time() - started
    missing = {"shown", "painted", "quit"} - set(result.marks)
    if code != 0 or missing:
        raise SystemExit(
            f"{command[1:3]} exited {code}, missing {sorted(missing)}:\n"
            + log.read_text(encoding="utf-8")[-4000:]
        )
    return result


def summary(values: list[float]) -> str:
    return (
        f"{statistics.median(values):.3f} s (median of {len(values)}; "
        f"{min(values):.3f}-{max(values):.3f})"
    )


def stage(launches: list[Launch], start: str | None, end: str) -> str:
    """The median seconds from mark ``start`` (the process's start when None) to ``end``."""
    spans = [r.marks[end] - (r.marks[start] if start else 0.0) for r in launches]
    return f"{statistics.median(spans):.3f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed starts of each (5)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="imgloop-bench-startup-") as folder:
        root = Path(folder) / "aws"
        env = environment(root)
        demo_root = Path(folder) / "demo"
        demo_env = environment(demo_root, aws_keys=False)
        app = [sys.executable, "-m", "imgloop_desktop", "--data-dir", str(root / "data")]
        demo_app = [sys.executable, "-m", "imgloop_desktop", "--data-dir", str(demo_root / "data")]
        minimal = [sys.executable, "-c", MINIMAL_WINDOW]
        like = [sys.executable, "-c", LIKE_FOR_LIKE_WINDOW]
        log = Path(folder) / "stderr.txt"
        launch(app, env, log)  # untimed: bytecode, file cache, first-run state
        launch(demo_app, demo_env, log)
        launch(minimal, env, log)
        launch(like, env, log)
        apps: list[Launch] = []
        demos: list[Launch] = []
        minimals: list[Launch] = []
        likes: list[Launch] = []
        for _ in range(max(1, options.repeat)):  # interleaved: all see the same machine
            apps.append(launch(app, env, log))
            demos.append(launch(demo_app, demo_env, log))
            minimals.append(launch(minimal, env, log))
            likes.append(launch(like, env, log))
    platform = env["QT_QPA_PLATFORM"]
    app_shown = [r.marks["shown"] for r in apps]
    min_shown = [r.marks["shown"] for r in minimals]
    app_painted = [r.marks["painted"] for r in apps]
    min_painted = [r.marks["painted"] for r in minimals]
    ratio = statistics.median(app_shown) / statistics.median(min_shown)
    app_cpu = [r.cpu["shown"] for r in apps if "shown" in r.cpu]
    min_cpu = [r.cpu["shown"] for r in minimals if "shown" in r.cpu]
    paint_ratio = statistics.median(app_painted) / statistics.median(min_painted)
    quit_times = [r.since_quit() for r in apps]
    loop_ended = [r.marks["loop-ended"] - r.marks["quit"] for r in apps if "loop-ended" in r.marks]
    idle_at = [r.marks["quit"] for r in apps]
    print(f"platform {platform}, Python {sys.version.split()[0]}, {len(apps)} runs each")
    print(f"start to main window shown:   imgloop {summary(app_shown)}")
    print(f"                              minimal PySide6 window {summary(min_shown)}")
    print(f"  ratio {ratio:.2f} (target <= {START_RATIO_TARGET})")
    if app_cpu and min_cpu:
        cpu_ratio = statistics.median(app_cpu) / statistics.median(min_cpu)
        print(f"CPU to main window shown:     imgloop {summary(app_cpu)}")
        print(f"                              minimal PySide6 window {summary(min_cpu)}")
        print(f"  ratio {cpu_ratio:.2f} (this process's own work only)")
    like_shown = [r.marks["shown"] for r in likes]
    print(f"                              same kinds of widgets, no app code {summary(like_shown)}")
    like_ratio = statistics.median(like_shown) / statistics.median(min_shown)
    app_like_ratio = statistics.median(app_shown) / statistics.median(like_shown)
    print(f"  Qt's own floor for such a window: ratio {like_ratio:.2f} to the minimal one")
    print(f"  what the app adds to that floor: ratio {app_like_ratio:.2f}")
    print("  where the time goes (medians; imgloop, minimal, same kinds of widgets):")
    for label, start, end in (
        ("Python, Qt, modules, QApplication", None, "building"),
        ("making the window", "building", "built"),
        ("made to shown", "built", "shown"),
    ):
        spans = ", ".join(stage(runs, start, end) for runs in (apps, minimals, likes))
        print(f"    {label + ':':36}{spans}")
    print(f"start to first paint:         imgloop {summary(app_painted)}")
    print(f"                              minimal PySide6 window {summary(min_painted)}")
    print(f"  ratio {paint_ratio:.2f}")
    print(f"start to idle (history open, models warmed): {summary(idle_at)}")
    demo_shown = [r.marks["shown"] for r in demos]
    demo_ratio = statistics.median(demo_shown) / statistics.median(min_shown)
    print(f"first launch without AWS (offline demo picked), to shown: {summary(demo_shown)}")
    print(f"  ratio {demo_ratio:.2f} to the minimal window")
    print(
        f"Quit to process exit, idle:   {summary(quit_times)} (target <= {QUIT_TARGET_SECONDS} s)"
    )
    if loop_ended:
        print(f"  of which Quit to event loop ended: {summary(loop_ended)}")
    print(f"  minimal window, close to exit: {summary([r.since_quit() for r in minimals])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

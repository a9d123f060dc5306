"""Does the window stay responsive during a run? The longest stall of the Qt event loop.

Run: ``.venv/bin/python bench/bench_gui_stall.py [--repeat R] [--images N]``. Not a test: it
prints figures and asserts nothing.

It builds the real main window offscreen (unless ``QT_QPA_PLATFORM`` says otherwise) over a
temp data folder and temp settings, with fake AWS keys, and points boto3 at an in-process
``BedrockSimulator`` through ``AWS_ENDPOINT_URL_BEDROCK_RUNTIME`` (fixed small latencies, so
the figures measure the app, not the network). Full runs (every image rejected, every
prompt revision made) go through the run controller with the gallery, details pane and
progress panel attached. A 5 ms ``QTimer`` records the gap between its ticks; the longest
gap is the longest time the GUI thread was busy (or waiting for the GIL) in one go. The
target is under 50 ms.

The same runs are then made headless (``services.run.execute`` on this thread, nothing
shown), and the GUI run's wall time is printed as a ratio to it: what showing a run costs.

The simulator runs in this process, so its own work (making the synthetic PNGs, answering
HTTP) competes for the GIL too; against real Bedrock that work happens elsewhere.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_MS = 50.0
TICK_MS = 5
LATENCIES = {"generate": 0.05, "judge": 0.03, "revise": 0.04}


def isolate(root: Path) -> None:
    """Everything the app touches goes under ``root``; AWS sees only fake keys."""
    os.environ["IMGLOOP_DATA_DIR"] = str(root / "data")
    for name in list(os.environ):
        if name.startswith("AWS_"):
            del os.environ[name]
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "AKIDIMGLOOPBENCH0000",
            "AWS_SECRET_ACCESS_KEY": "imgloop-bench-secret-not-a-real-key",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(root / "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(root / "aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


class GapMeter:
    """A QTimer every ``TICK_MS``; records the wall time between consecutive ticks."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self._last) * 1000)
        self._last = now

    def start(self) -> None:
        self.gaps = []
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return self.gaps


def wait_for(signal: Any, start: Callable[[], object] | None = None) -> None:
    """Spin the Qt event loop until ``signal`` fires (after calling ``start``)."""
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()
    signal.connect(loop.quit)
    if start is not None:
        start()
    loop.exec()
    signal.disconnect(loop.quit)


def spin(msecs: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(msecs, loop.quit)
    loop.exec()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind (default 3)")
    parser.add_argument("--images", type=int, default=2, help="images per generation (1-5)")
    parser.add_argument("--attempts", type=int, default=4, help="attempts per prompt version")
    parser.add_argument("--revisions", type=int, default=2, help="prompt revisions")
    parser.add_argument(
        "--size",
        type=int,
        default=1024,
        help="image side in pixels (the model's nearest size is used; default 1024)",
    )
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="imgloop-gui-bench-"))
    isolate(root)

    from PySide6.QtCore import QElapsedTimer, QSettings, QStandardPaths

    from imgloop_desktop.core.params import RunParams, fit_to_model
    from imgloop_desktop.gui.app import application
    from imgloop_desktop.gui.main_window import MainWindow
    from imgloop_desktop.providers.catalog import image_spec
    from imgloop_desktop.providers.session import DefaultChain
    from imgloop_desktop.services import run as run_service
    from imgloop_desktop.services.backends import DEFAULT_KEY
    from imgloop_desktop.services.history import HistoryService
    from imgloop_desktop.simulator.script import SimScript
    from imgloop_desktop.simulator.server import BedrockSimulator

    QStandardPaths.setTestModeEnabled(True)
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(root / "qsettings"))
    app = application(["bench_gui_stall"])

    params = RunParams(
        prompt="a lighthouse on a cliff at dusk, oil painting",
        max_retry_attempts=args.attempts,
        max_prompt_revisions=args.revisions,
        titan_img_number_of_images=args.images,
        titan_img_width=args.size,
        titan_img_height=args.size,
    )
    images_per_run = (args.revisions + 1) * args.attempts * args.images
    # The default image model (SD3.5 Large) makes fixed sizes only; say what was drawn.
    fitted, _notes = fit_to_model(params, image_spec(params.image_model_id))
    width, height = fitted.titan_img_width, fitted.titan_img_height

    def fresh_script() -> SimScript:
        script = SimScript(default_verdict="NO")
        for op, seconds in LATENCIES.items():
            script.set_latency(op, seconds)
        return script

    simulator = BedrockSimulator(fresh_script())
    os.environ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] = simulator.start()

    # -- start-up: window, history recovery, AWS model warm-up ---------------------------------
    clock = QElapsedTimer()
    clock.start()
    meter = GapMeter()
    window = MainWindow(profiles=[])
    construct_ms = clock.elapsed()
    window.resize(1400, 900)
    history_ms: list[int] = []
    window.historyReady.connect(lambda _report: history_ms.append(clock.elapsed()))
    meter.start()
    wait_for(window.warmedUp, window.show)
    startup_gaps = meter.stop()
    warm_ms = clock.elapsed()
    window.select_backend(DEFAULT_KEY)
    window.form.set_params(params)

    # -- GUI runs ------------------------------------------------------------------------------
    gui_times: list[float] = []
    run_gaps: list[float] = []
    for n in range(1, args.repeat + 1):
        simulator.script = fresh_script()
        meter.start()
        started = time.perf_counter()
        if not window.start_run():
            print("the run did not start:", window.progress.outcome_label.text())
            return 1
        # The end arrives as a queued signal, so it cannot fire before the loop spins.
        wait_for(window.controller.runningChanged)
        gui_times.append(time.perf_counter() - started)
        spin(300)  # what the last events asked the gallery for (ids, thumbnails)
        gaps = meter.stop()
        run_gaps.extend(gaps)
        result = window.controller.last_result
        if result is None or len(result.candidates) != images_per_run:
            print("unexpected run result:", window.progress.outcome_label.text())
            return 1
        print(f"  GUI run {n}: {gui_times[-1]:.2f} s, longest stall {max(gaps):.1f} ms")

    # -- the same runs headless ------------------------------------------------------------------
    headless_times: list[float] = []
    for _ in range(args.repeat):
        simulator.script = fresh_script()
        started = time.perf_counter()
        with run_service.execute(params, credentials=DefaultChain()):
            headless_times.append(time.perf_counter() - started)

    window.close()
    simulator.stop()
    open_started = time.perf_counter()
    HistoryService.open().close()
    reopen_ms = (time.perf_counter() - open_started) * 1000

    worst = max(run_gaps)
    p99 = percentile(run_gaps, 99)
    gui = statistics.median(gui_times)
    headless = statistics.median(headless_times)
    start_worst = max(startup_gaps, default=0.0)
    print(
        f"runs: {args.repeat} GUI + {args.repeat} headless, each {images_per_run} images "
        f"({args.revisions + 1} prompt versions x {args.attempts} attempts x {args.images} "
        f"of {width}x{height}), simulated latencies {LATENCIES}"
    )
    print(f"event-loop ticks measured during GUI runs: {len(run_gaps)} (every {TICK_MS} ms)")
    print(
        f"longest stall during runs: {worst:.1f} ms = {worst / TARGET_MS:.2f} x the "
        f"{TARGET_MS:.0f} ms target"
    )
    print(
        f"p99 gap during runs: {p99:.1f} ms = {p99 / TARGET_MS:.2f} x target "
        f"(median {statistics.median(run_gaps):.1f} ms)"
    )
    print(
        f"run wall time, median: GUI {gui:.2f} s, headless {headless:.2f} s, "
        f"ratio {gui / headless:.2f}"
    )
    print(
        f"start-up: window built in {construct_ms} ms on the GUI thread; history opened and "
        f"recovered off it by {history_ms[0] if history_ms else -1} ms; AWS models parsed "
        f"off it by {warm_ms} ms; longest stall meanwhile {start_worst:.1f} ms = "
        f"{start_worst / TARGET_MS:.2f} x target"
    )
    print(
        "HistoryService.open() (migration check + recovery) on the bench's history: "
        f"{reopen_ms:.1f} ms"
    )
    # Tear Qt down while Python is still whole rather than leave it to interpreter exit.
    # (With PySide6 6.12.0 on Python 3.11 the process may still abort at exit with
    # "deallocating True or False/None": a refcount bug in that release, see docs/gui.md.)
    del window, meter
    gc.collect()
    app.processEvents()
    app.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())

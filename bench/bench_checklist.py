"""What judging against a checklist costs: the same simulated run judged whole ("verdict")
and item by item ("checklist"), counted from the simulator's call log, in one process.

Run: ``.venv/bin/python bench/bench_checklist.py [--runs 3] [--scale 0.05]``. Each run is
the demo's story (``simulator.demo.demo_checklist_script``): two images rejected, the prompt
revised, the third image approved. In verdict mode the script answers NO, NO, YES; in
checklist mode the judge first writes a five-item checklist, then fails the colour item
twice and passes every item on the third image. Everything goes over HTTP through the app's
own run service (history, local store; S3 off), against a fresh simulator per run.

Issue 12 requires: judge calls per image stay one, and the checklist adds one call per run
(writing it). The run service keeps written checklists per (prompt, judge model), so that
call is paid by a prompt's first run only: "checklist" gives every run a fresh data folder
(nothing kept, the one extra call each time), "checklist, kept" runs in one folder warmed by
a run that is not counted (no extra call). Figures are per approved image and as ratios to
"verdict", so a noisy machine moves both sides alike; the script's latencies are scaled by
``--scale``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from imgloop_desktop.core.events import Outcome
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.services.run import execute
from imgloop_desktop.simulator.demo import DEMO_CHECKLIST_PROMPT, DemoBackend, demo_checklist_script
from imgloop_desktop.simulator.script import RUNTIME_OPS

MODES = ("verdict", "checklist")
JUDGE_OPS = ("judge", "check")  # the whole-prompt judgement, the checklist judgement


@dataclass
class Figures:
    runs: int = 0
    approved: int = 0
    images: int = 0
    judge_calls: int = 0
    checklist_calls: int = 0
    calls: int = 0
    tokens: int = 0
    seconds: float = 0.0

    def per_approved(self, value: float) -> float:
        return value / self.approved if self.approved else float("nan")


def one_run(mode: str, scale: float, data_dir: Path) -> Figures:
    """One run of the demo's story in ``mode`` against its own simulator, keeping its
    history, images and checklist cache in ``data_dir``."""
    os.environ["IMGLOOP_DATA_DIR"] = str(data_dir)
    script = demo_checklist_script()
    script.latency_scale = scale
    backend = DemoBackend(script)
    params = RunParams(
        prompt=DEMO_CHECKLIST_PROMPT,
        max_retry_attempts=2,
        max_prompt_revisions=2,
        judge_mode=mode,
        s3_enabled=False,
    )
    with backend as credentials:
        start = time.perf_counter()
        with execute(params, credentials=credentials) as run:
            outcome = run.result.outcome
        seconds = time.perf_counter() - start
        calls = [c for c in backend.simulator.calls if c.op in RUNTIME_OPS]
    return Figures(
        runs=1,
        approved=int(outcome is Outcome.APPROVED),
        images=sum(c.op == "generate" for c in calls),
        judge_calls=sum(c.op in JUDGE_OPS for c in calls),
        checklist_calls=sum(c.op == "checklist" for c in calls),
        calls=len(calls),
        tokens=sum((c.input_tokens or 0) + (c.output_tokens or 0) for c in calls),
        seconds=seconds,
    )


def measure(mode: str, runs: int, scale: float, root: Path, *, kept: bool = False) -> Figures:
    """``runs`` runs in ``mode``, each in a fresh data folder, or (``kept``) all in one
    folder after an uncounted run has written the checklist it keeps."""
    shared = Path(tempfile.mkdtemp(dir=root))
    if kept:
        one_run(mode, scale, shared)
    total = Figures()
    for _ in range(runs):
        f = one_run(mode, scale, shared if kept else Path(tempfile.mkdtemp(dir=root)))
        total.runs += f.runs
        total.approved += f.approved
        total.images += f.images
        total.judge_calls += f.judge_calls
        total.checklist_calls += f.checklist_calls
        total.calls += f.calls
        total.tokens += f.tokens
        total.seconds += f.seconds
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per mode")
    parser.add_argument("--scale", type=float, default=0.05, help="multiply every latency")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="imgloop-bench-") as tmp:
        root = Path(tmp)
        os.environ.update(
            AWS_CONFIG_FILE=str(root / "none"), AWS_SHARED_CREDENTIALS_FILE=str(root / "none")
        )
        figures = {
            "verdict": measure("verdict", args.runs, args.scale, root),
            "checklist": measure("checklist", args.runs, args.scale, root),
            "checklist, kept": measure("checklist", args.runs, args.scale, root, kept=True),
        }
    print(f"{args.runs} run(s) per mode of the demo's story; latencies x{args.scale:g}")
    print(
        f"{'mode':15} {'runs':>4} {'approved':>8} {'images':>6} {'judge calls/image':>17} "
        f"{'checklist calls/run':>19} {'calls/run':>9} {'calls/approved':>14} "
        f"{'tokens/approved':>15} {'s/run':>6}"
    )
    for mode, f in figures.items():
        print(
            f"{mode:15} {f.runs:4d} {f.approved:8d} {f.images:6d} "
            f"{f.judge_calls / f.images:17.2f} {f.checklist_calls / f.runs:19.2f} "
            f"{f.calls / f.runs:9.2f} {f.per_approved(f.calls):14.2f} "
            f"{f.per_approved(f.tokens):15.1f} {f.seconds / f.runs:6.2f}"
        )
    verdict = figures["verdict"]
    print()
    ok = True
    for name in ("checklist", "checklist, kept"):
        f = figures[name]
        judge_ratio = (f.judge_calls / f.images) / (verdict.judge_calls / verdict.images)
        extra = (f.calls - verdict.calls) / args.runs
        wanted = 1.0 if name == "checklist" else 0.0
        ok = ok and judge_ratio == 1.0 and extra == wanted
        print(
            f"{name} / verdict: judge calls per image {judge_ratio:.2f} (required 1.00), "
            f"calls per approved image "
            f"{f.per_approved(f.calls) / verdict.per_approved(verdict.calls):.2f}, "
            f"tokens per approved image "
            f"{f.per_approved(f.tokens) / verdict.per_approved(verdict.tokens):.2f}; "
            f"extra calls per run {extra:+.2f} (required {wanted:+.2f})"
        )
    print("issue 12's call budget: " + ("met" if ok else "NOT met"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""A batch of 20 prompts: the queue at concurrency 4 against the items one after another.

Run: ``.venv/bin/python bench/bench_batch.py [--scale 1.0]``. Bedrock is our simulator on
loopback with the loop's latencies (generate 1.0 s, judge 0.6 s, revise 0.8 s, times
``--scale``, as bench_loop). Both variants go through ``services.batch.run_batch`` (history,
local store; S3 off), the baseline with ``concurrency=1``; the figure is the ratio of wall
times measured in the same process, so a noisy machine moves both sides alike.

The simulator enforces a rate limit on image calls (``SimScript.set_rate_limit``: a token
bucket of ``--limit`` per second, burst ``--burst``); a call beyond it answers
ThrottlingException, as Bedrock does past an account's quota. The one
after another run stays under it; the concurrent run meets it, so the batch's adaptive
limiter (ceiling above the service's limit) is lowered by the throttling and raised again,
and botocore's adaptive retries absorb each refused call: no item may fail for it.

A throttle costs the whole batch about two seconds of wall time whatever the latencies:
botocore's adaptive mode then rate-limits the shared client from its measured send rate
and recovers over seconds. At ``--scale 0.5`` that fixed cost puts the ratio at about
0.30-0.32; at the loop's own latencies (the default, 1.0) it is about 0.28.

The judge answers each prompt the same way in both variants (two rejections, then an
approval): the simulator's verdict queue is shared by every caller, so the bench keys its
answers by the prompt the judge is asked about (the simulator offers no per-prompt script;
this wraps its private Converse handler). Every item then does the same work either way,
and the ratio measures the queue, not which item drew the rejections.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from imgloop_desktop.core.params import RunParams
from imgloop_desktop.providers.session import DefaultChain
from imgloop_desktop.services.batch import BatchSummary, CallLimits, run_batch
from imgloop_desktop.simulator.server import BedrockSimulator

LATENCY = {"generate": 1.0, "judge": 0.6, "revise": 0.8}
PROMPTS = 20
CONCURRENCY = 4
VERDICTS_PER_PROMPT = ("NO", "NO", "YES")
HOME_REGION = "us-east-1"
TARGET = 0.30
# The batch's own ceiling for image calls, above the simulated service's limit on purpose.
CEILING_PER_MINUTE = 1200.0


class PerPromptVerdicts:
    """The judge's answers by prompt: ``VERDICTS_PER_PROMPT`` in turn for each "study N",
    then approval. The server thread answering a judge call sets the prompt first."""

    def __init__(self, sim: BedrockSimulator) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._asked: dict[str, int] = {}
        converse = sim._converse

        def keyed(op: str, body: dict[str, Any]) -> Any:
            self._local.text = str(body)
            return converse(op, body)

        sim._converse = keyed  # type: ignore[method-assign]
        sim.script.take_verdict = self.take  # type: ignore[method-assign]

    def take(self) -> str:
        match = re.search(r"study \d+", getattr(self._local, "text", ""))
        key = match.group(0) if match else ""
        with self._lock:
            n = self._asked.get(key, 0)
            self._asked[key] = n + 1
        return VERDICTS_PER_PROMPT[n] if n < len(VERDICTS_PER_PROMPT) else "YES"

    def reset(self) -> None:
        with self._lock:
            self._asked.clear()


def events(n: int) -> list[RunParams]:
    return [
        RunParams(
            prompt=f"a red fox sitting in deep snow at dusk, study {i + 1}",
            max_retry_attempts=8,
            max_prompt_revisions=1,
            titan_img_width=1024,
            titan_img_height=1024,
            s3_enabled=False,
        )
        for i in range(n)
    ]


def measure(
    sim: BedrockSimulator,
    per_second: float,
    burst: float,
    verdicts: PerPromptVerdicts,
    params: list[RunParams],
    concurrency: int,
) -> tuple[float, BatchSummary, int]:
    verdicts.reset()
    sim.clear_calls()
    sim.script.set_rate_limit("generate", per_second * 60, burst)  # a fresh bucket
    start = time.perf_counter()
    summary = run_batch(
        params,
        concurrency=concurrency,
        credentials=DefaultChain(),
        limits=CallLimits(concurrent_calls=concurrency, calls_per_minute=CEILING_PER_MINUTE),
        region=HOME_REGION,
    )
    return time.perf_counter() - start, summary, sim.count("generate")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every latency")
    parser.add_argument(
        "--limit",
        type=float,
        default=None,
        help="service image calls per second (default: a fifth above what concurrency 4 asks "
        "on average, so only calls arriving together meet the small burst)",
    )
    parser.add_argument("--burst", type=float, default=2.0, help="service bucket size")
    args = parser.parse_args()
    # Four items each generate about once per (generate + judge) latency.
    per_second = args.limit or 1.2 * CONCURRENCY / (
        (LATENCY["generate"] + LATENCY["judge"]) * args.scale
    )

    tmp = tempfile.TemporaryDirectory(prefix="imgloop-bench-batch-")
    os.environ.update(
        IMGLOOP_DATA_DIR=tmp.name,
        AWS_ACCESS_KEY_ID="AKIDBENCH00000000000",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION=HOME_REGION,
        AWS_CONFIG_FILE=str(Path(tmp.name) / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(Path(tmp.name) / "none"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    sim = BedrockSimulator()
    sim.start()
    os.environ.update(sim.env())
    for op, seconds in LATENCY.items():
        sim.script.set_latency(op, seconds * args.scale)
    verdicts = PerPromptVerdicts(sim)
    params = events(PROMPTS)
    print(
        f"{PROMPTS} prompts; latencies x{args.scale:g}: generate "
        f"{LATENCY['generate'] * args.scale:.2f}s, judge {LATENCY['judge'] * args.scale:.2f}s, "
        f"revise {LATENCY['revise'] * args.scale:.2f}s; "
        f"judge script {'/'.join(VERDICTS_PER_PROMPT)} per prompt; "
        f"service limit {per_second:.2f} image calls/s (burst {args.burst:g}); "
        f"batch ceiling {CEILING_PER_MINUTE:.0f}/min"
    )
    try:
        print(
            f"{'variant':24} {'wall':>8} {'approved':>8} {'failed':>6} {'gens':>5} "
            f"{'svc throttled':>13} {'seen':>5} {'lowest/min':>10} {'end/min':>8}"
        )
        rows = []
        for name, concurrency in (
            ("one after another", 1),
            (f"concurrency {CONCURRENCY}", CONCURRENCY),
        ):
            seconds, summary, gens = measure(
                sim, per_second, args.burst, verdicts, params, concurrency
            )
            rows.append((seconds, summary))
            print(
                f"{name:24} {seconds:7.2f}s {summary.approved:8d} {summary.failed:6d} {gens:5d} "
                f"{sim.script.rate_limits['generate'].throttled:13d} {summary.throttles:5d} "
                f"{summary.lowest_rate_per_minute:10.0f} {summary.rate_per_minute:8.0f}"
            )
        (sequential, seq_summary), (concurrent, con_summary) = rows
        ratio = concurrent / sequential
        ok = ratio <= TARGET and con_summary.failed == 0 and con_summary.approved == PROMPTS
        print(
            f"wall-time ratio, concurrency {CONCURRENCY} / one after another: "
            f"{concurrent:.2f}s / {sequential:.2f}s = {ratio:.3f} (target <= {TARGET:.2f}); "
            f"throttled calls absorbed: {con_summary.throttles}, items failed: "
            f"{con_summary.failed + seq_summary.failed} -> {'PASS' if ok else 'FAIL'}"
        )
    finally:
        sim.stop()
        tmp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""How fast the simulator stops mid-call, and how fast it paints a 1024 px image.

Run: ``.venv/bin/python bench/bench_simulator.py [--rounds 5]``. These were wall-clock
assertions in ``tests/simulator/test_server.py``; timings belong here, where a busy machine
makes a slow number rather than a failed test (the test keeps a generous bound on stop).

- **Stop mid-call.** Each round starts the simulator with generation scripted to take 60 s,
  sends one Stable Diffusion 3.5 Large request through boto3 (signed for us-west-2, the
  only region serving it), waits until it has arrived, then times ``stop()``. A round whose
  request the simulator refused at once (so ``stop()`` found nothing in flight) fails.
  Printed: median and worst seconds, and the worst as a ratio of the scripted latency (stop
  must interrupt the wait, so the ratio should be near 0), and of an idle stop in this run.
- **Image painting.** ``make_image`` for a 1024x1024 PNG, against the ~50 ms per image the
  loop's tests budget for. Printed: median seconds and its ratio to that budget.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import threading
import time

import boto3
import botocore.config

from imgloop_desktop.simulator.images import make_image
from imgloop_desktop.simulator.server import BedrockSimulator

LATENCY_SECONDS = 60.0
IMAGE_BUDGET_SECONDS = 0.05
# A current image model and the region that serves it: the simulator refuses end-of-life
# models (Titan) and a model called from a region that does not serve it, and a refusal
# answers at once, before the scripted latency, which would leave nothing to interrupt.
MODEL = "stability.sd3-5-large-v1:0"
REGION = "us-west-2"
BODY = {
    "prompt": "a red fox in snow",
    "mode": "text-to-image",
    "aspect_ratio": "1:1",
    "seed": 7,
    "output_format": "png",
}


def stop_mid_call() -> float:
    """Seconds ``stop()`` takes while one generation sits in its scripted latency."""
    sim = BedrockSimulator()
    sim.script.set_latency("generate", LATENCY_SECONDS)
    url = sim.start()
    client = boto3.client(
        "bedrock-runtime",
        region_name=REGION,
        endpoint_url=url,
        aws_access_key_id="AKIDBENCH",
        aws_secret_access_key="bench",
        config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}),
    )

    def call() -> None:
        with contextlib.suppress(Exception):  # the socket closing under it is expected
            client.invoke_model(modelId=MODEL, body=json.dumps(BODY))

    worker = threading.Thread(target=call)
    worker.start()
    try:
        if not sim.wait_for_arrival("generate", timeout=10):
            raise SystemExit("the generation never arrived")
        began = time.perf_counter()
        sim.stop()
        took = time.perf_counter() - began
    finally:
        worker.join(30)
        client.close()
    refused = [c for c in sim.calls if c.op == "generate" and c.error_code is not None]
    if refused:
        # Answered before its latency: stop() timed an idle server, not a mid-call one.
        raise SystemExit(f"the generation was refused: {refused[0].error_code}")
    return took


def stop_idle() -> float:
    """Seconds ``stop()`` takes with no call in flight: the floor for the ratio above."""
    sim = BedrockSimulator()
    sim.start()
    began = time.perf_counter()
    sim.stop()
    return time.perf_counter() - began


def paint_seconds(index: int) -> float:
    began = time.perf_counter()
    make_image("a red fox in snow", index, 0, 1024, 1024)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    idle = statistics.median(stop_idle() for _ in range(args.rounds))
    busy = [stop_mid_call() for _ in range(args.rounds)]
    worst = max(busy)
    print(f"{'stop':<22} {'median s':>9} {'worst s':>8} {'worst/latency':>14} {'worst/idle':>11}")
    print(
        f"{'mid-call (60 s)':<22} {statistics.median(busy):>9.3f} {worst:>8.3f} "
        f"{worst / LATENCY_SECONDS:>14.4f} {worst / idle if idle else float('inf'):>11.1f}"
    )

    make_image("warm up", 0, 0, 64, 64)
    painted = statistics.median(paint_seconds(i) for i in range(args.rounds))
    print(f"{'paint':<22} {'median s':>9} {'median/budget':>14}")
    print(f"{'1024x1024 PNG':<22} {painted:>9.3f} {painted / IMAGE_BUDGET_SECONDS:>14.2f}")


if __name__ == "__main__":
    main()

"""``python -m imgloop_desktop.simulator``: serve the simulator until Ctrl-C or SIGTERM,
so the app (or the CLI) can be pointed at it by hand.

Its defaults mirror a current account (retired models answer as retired); a script with
``"serve_retired": true`` answers the old image families as in 2024."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from imgloop_desktop.simulator.script import SimScript
from imgloop_desktop.simulator.server import BedrockSimulator


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m imgloop_desktop.simulator",
        description="Serve a loopback Amazon Bedrock Runtime simulator.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8123, help="port; 0 picks a free one")
    parser.add_argument("--script", type=Path, help="JSON file with verdicts, faults, latencies")
    parser.add_argument("--latency-scale", type=float, help="multiply every scripted latency")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)

    try:
        script = SimScript.load(args.script) if args.script else SimScript()
    except (OSError, ValueError) as exc:
        print(f"cannot load script: {exc}", file=sys.stderr)
        return 2
    if args.latency_scale is not None:
        script.latency_scale = args.latency_scale

    done = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    sim = BedrockSimulator(script, host=args.host, port=args.port)
    try:
        url = sim.start()
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(f"Bedrock simulator listening on {url}", flush=True)
    print(f"  export AWS_ENDPOINT_URL_BEDROCK_RUNTIME={url}", flush=True)
    print(f"  export AWS_ENDPOINT_URL_BEDROCK={url}  # GetFoundationModel", flush=True)
    try:
        while not done.wait(0.5):
            pass
    finally:
        sim.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("Bedrock simulator stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

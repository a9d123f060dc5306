"""Cancel latency against a Bedrock that never answers (issue 17; target <= 2 s).

Run: ``.venv/bin/python bench/bench_cancel.py [--rounds 10]``. Each round starts the real
headless command (``python -m imgloop_desktop.cli run``) against the simulator with the
generation (or, in the second half, the judge) scripted to hang, waits until the request
has arrived, sends SIGINT, and times the moment the process has exited with its result JSON.
One more set of rounds sends a second SIGINT right after the first was acknowledged.
Printed: median and worst latency per case and the worst as a ratio of the 2 s target,
all measured in this one run.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from imgloop_desktop.simulator.server import BedrockSimulator

TARGET_SECONDS = 2.0
EVENT = {"prompt": "a lighthouse in a storm", "max_retry_attempts": 2}


def one_round(sim: BedrockSimulator, folder: Path, op: str, twice: bool) -> float:
    sim.script.hang_next(op)
    before = sim.arrivals(op)
    event = folder / "event.json"
    event.write_text(json.dumps(EVENT))
    env = dict(os.environ, **sim.env(), IMGLOOP_DATA_DIR=str(folder / "data"))
    env.update(AWS_ACCESS_KEY_ID="AKIDBENCH", AWS_SECRET_ACCESS_KEY="bench", AWS_REGION="us-east-1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "imgloop_desktop.cli", "run", "--event", str(event), "--no-s3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 60
    while sim.arrivals(op) == before or sim.hanging() == 0:
        if time.monotonic() > deadline or proc.poll() is not None:
            raise SystemExit(f"the {op} call never arrived")
        time.sleep(0.01)
    asked = time.monotonic()
    proc.send_signal(signal.SIGINT)
    if twice:
        assert proc.stderr is not None
        while "cancelling" not in proc.stderr.readline():
            pass
        proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    elapsed = time.monotonic() - asked
    body = json.loads(json.loads(out)["body"])
    if proc.returncode != 3 or body["status"] != "CANCELLED" or "Traceback" in err:
        raise SystemExit(f"round failed: exit {proc.returncode}, {body.get('status')}\n{err}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    sim = BedrockSimulator()
    sim.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            print(f"{'case':<34} {'median s':>9} {'worst s':>8} {'worst/target':>13}")
            for label, op, twice in (
                ("Ctrl-C, generation hung", "generate", False),
                ("Ctrl-C, judge hung", "judge", False),
                ("Ctrl-C twice, generation hung", "generate", True),
            ):
                times = [one_round(sim, folder, op, twice) for _ in range(args.rounds)]
                worst = max(times)
                print(
                    f"{label:<34} {statistics.median(times):>9.2f} {worst:>8.2f} "
                    f"{worst / TARGET_SECONDS:>13.2f}"
                )
    finally:
        sim.stop()


if __name__ == "__main__":
    main()

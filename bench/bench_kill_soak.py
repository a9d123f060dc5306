"""Kill -9 soak: runs killed at random instants, then ``history check --repair``, then
``history check`` must pass.

Run: ``.venv/bin/python bench/bench_kill_soak.py [--kills 20] [--seed 1]``. Each round
starts ``imgloop-cli demo`` (the real loop against the offline simulator) on one shared data
folder and SIGKILLs it: either at a random instant within one calibrated run's length, or
(``--aim`` share) the moment a chosen temp or image file appears, where a kill leaves a
``.part`` file or an image with no row (uniform kills almost never land there); then runs
``imgloop-cli history check --repair --json`` and then ``imgloop-cli history check``. A kill
is survived when that last check exits 0 with nothing printed on stderr as a traceback.
Counts are from this one run; the seed makes the kill instants repeatable, not the
machine's timing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVENT = {
    "prompt": "A lighthouse on a cliff in a storm, waves breaking, dramatic sky",
    "max_retry_attempts": 4,
    "max_prompt_revisions": 2,
}


@dataclass
class Tally:
    rounds: int = 0
    kills: int = 0  # rounds whose process was still running when SIGKILL went
    survived: int = 0  # of those, how many left a history that checks clean after repair
    clean_ends: int = 0  # rounds whose run finished before its kill; checked all the same
    repairs: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def cli(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imgloop_desktop.cli.main", *argv],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def demo(env: dict[str, str], event: Path) -> subprocess.Popen[str]:
    argv = ["demo", "--quiet", "--event", str(event)]
    return subprocess.Popen(
        [sys.executable, "-m", "imgloop_desktop.cli.main", *argv],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def calibrate(env: dict[str, str], event: Path) -> float:
    """One whole demo run's wall time: the kills land anywhere inside that span."""
    start = time.perf_counter()
    process = demo(env, event)
    process.wait(timeout=300)
    return time.perf_counter() - start


def aimed_kill(process: subprocess.Popen[str], images: Path, part: bool, nth: int) -> bool:
    """SIGKILL the moment the run's folder holds a temp file (``part``: a write under way)
    after ``nth`` images, or its image number ``nth + 1`` (just renamed: its row may not be
    committed yet). Polls without sleeping, so the kill follows the file by microseconds."""
    before = {p.name for p in images.iterdir()} if images.exists() else set()
    folder: Path | None = None
    while process.poll() is None:
        if folder is None:
            new = {p.name for p in images.iterdir()} - before if images.exists() else set()
            folder = images / min(new) if new else None
            continue
        try:
            names = [p.name for p in folder.iterdir()]
        except FileNotFoundError:
            continue
        pngs = sum(name.endswith(".png") for name in names)
        parts = len(names) - pngs
        if (part and parts and pngs >= nth) or (not part and pngs > nth):
            process.send_signal(signal.SIGKILL)
            return True
    return False


def one_round(
    env: dict[str, str], event: Path, span: float, aim: float, rng: random.Random, t: Tally
) -> None:
    process = demo(env, event)
    killed = False
    if rng.random() < aim:
        images = Path(env["IMGLOOP_DATA_DIR"]) / "images"
        killed = aimed_kill(process, images, rng.random() < 0.5, rng.randint(0, 2))
    else:
        try:
            process.wait(timeout=rng.uniform(0.0, span))  # a deadline: returns if it ends
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            killed = True
    process.wait(timeout=60)
    t.rounds += 1
    t.kills += killed
    t.clean_ends += not killed
    repair = cli(env, "history", "check", "--repair", "--json")
    if "Traceback" in repair.stderr or repair.returncode not in (0, 1):
        t.failures.append(f"round {t.rounds}: check --repair exit {repair.returncode}")
        return
    for action in json.loads(repair.stdout).get("repairs", []):
        t.repairs[action["kind"]] += 1
    check = cli(env, "history", "check")
    if check.returncode == 0 and "Traceback" not in check.stderr:
        t.survived += killed
    else:
        last = (check.stdout + check.stderr).strip().splitlines()[-1:]
        t.failures.append(f"round {t.rounds}: check exit {check.returncode}: {last}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20, help="runs to kill (default 20)")
    parser.add_argument("--seed", type=int, default=1, help="seed for the kill instants")
    parser.add_argument(
        "--aim",
        type=float,
        default=0.5,
        help="share of kills aimed at the instant a file appears (default 0.5); the rest "
        "land at a uniformly random time",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="imgloop-kill-soak-") as data:
        env = dict(os.environ, IMGLOOP_DATA_DIR=data, PYTHONPATH=str(ROOT))
        event = Path(data) / "event.json"
        event.write_text(json.dumps(EVENT), encoding="utf-8")
        span = calibrate(env, event)
        print(
            f"one whole demo run: {span:.2f} s; {args.aim:.0%} of kills aimed at a file "
            "appearing, the rest uniformly within that time"
        )
        tally = Tally()
        while tally.kills < args.kills and tally.rounds < 3 * args.kills:
            one_round(env, event, span, args.aim, rng, tally)
        final = cli(env, "history", "list", "--json", "--page-size", "1000")
        outcomes = Counter(s["outcome"] for s in json.loads(final.stdout)["sessions"])
    print(
        f"kills survived: {tally.survived}/{tally.kills}, "
        f"orphans adopted: {tally.repairs['adopted']}, "
        f"quarantined: {tally.repairs['quarantined']}, "
        f"part files removed: {tally.repairs['removed']}"
    )
    print(
        f"runs that ended before their kill (checked too): {tally.clean_ends}; "
        f"sessions by outcome: {dict(sorted(outcomes.items()))}"
    )
    for failure in tally.failures:
        print(f"  {failure}")
    return 0 if tally.survived == tally.kills == args.kills and not tally.failures else 1


if __name__ == "__main__":
    sys.exit(main())

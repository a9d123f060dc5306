"""How fast the history answers with a big library: 10,000 sessions and 100,000 images.

Run: ``.venv/bin/python bench/bench_history.py [--sessions N] [--repeat R]``. It builds the
store in a temp folder with one bulk SQL transaction (no image files: the queries never
open them), then times each query through the same service the GUI calls and prints the
median, the slowest run and the ratio to the 100 ms target.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from imgloop_desktop.services.history import HistoryService, make_filter
from imgloop_desktop.storage.history.schema import connect, now_iso, transaction

TARGET_MS = 100.0
SUBJECTS = [
    "a red fox in the snow",
    "a lighthouse in a storm",
    "an owl at night",
    "a bowl of ramen",
    "a cyberpunk street market",
    "夕焼けの海辺を歩く猫",
    "桜の下で眠る柴犬",
    "京都の古い町並み、雨の夜",
    "富士山と湖の朝焼け",
]
STYLES = ["watercolor", "oil painting", "photograph, 50mm", "水彩画", "浮世絵風", "pixel art"]


def build(db: Path, sessions: int, images_per_session: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    conn = connect(db)
    try:
        with transaction(conn):
            image_id = 0
            attempt_id = 0
            for run in range(1, sessions + 1):
                started = start + timedelta(minutes=run * 97 + rng.randint(0, 60))
                prompt = f"{rng.choice(SUBJECTS)}, {rng.choice(STYLES)} #{run}"
                approved = rng.random() < 0.35
                outcome = "approved" if approved else rng.choice(["not_approved", "error"])
                conn.execute(
                    """INSERT INTO runs (id, run_id, prompt, params_json, image_model_id,
                           judge_model_id, started_at, ended_at, outcome, message)
                       VALUES (?, ?, ?, ?, 'amazon.titan-image-generator-v2:0',
                           'anthropic.claude-3-5-sonnet-20240620-v1:0', ?, ?, ?, '')""",
                    (
                        run,
                        f"{started:%Y%m%d%H%M%S}-{run:08x}",
                        prompt,
                        json.dumps({"prompt": prompt, "titan_img_cfg_scale": 8.0}),
                        now_iso(started),
                        now_iso(started + timedelta(minutes=3)),
                        outcome,
                    ),
                )
                versions = [prompt, f"{prompt}, more detail", f"{rng.choice(SUBJECTS)}, revised"]
                for revision, text in enumerate(versions):
                    conn.execute(
                        """INSERT INTO prompt_versions (run_id, revision, prompt, reasons_json, ok,
                               created_at) VALUES (?, ?, ?, '["the subject is missing"]', 1, ?)""",
                        (run, revision, text, now_iso(started + timedelta(seconds=revision))),
                    )
                for n in range(images_per_session):
                    attempt_id += 1
                    image_id += 1
                    revision = min(n * len(versions) // images_per_session, len(versions) - 1)
                    ts = now_iso(started + timedelta(seconds=10 + n))
                    conn.execute(
                        """INSERT INTO attempts (id, run_id, revision, attempt, prompt, seed,
                               request_json, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?,
                               '{"width": 1024, "height": 1024}', ?, ?)""",
                        (attempt_id, run, revision, n, versions[revision], n, ts, ts),
                    )
                    last = n == images_per_session - 1
                    decision = None
                    if rng.random() < 0.02:
                        decision = rng.choice(["approved", "rejected"])
                    conn.execute(
                        """INSERT INTO images (id, run_id, attempt_id, revision, attempt, idx,
                               rel_path, sha256, width, height, size_bytes, seed, prompt,
                               stored_at, human_decision, decided_at)
                           VALUES (?, ?, ?, ?, ?, 0, ?, ?, 1024, 1024, 1500000, ?, ?, ?, ?, ?)""",
                        (
                            image_id,
                            run,
                            attempt_id,
                            revision,
                            n,
                            f"{run}/{n:03d}.png",
                            f"{image_id:064x}",
                            n,
                            versions[revision],
                            ts,
                            decision,
                            ts if decision else None,
                        ),
                    )
                    conn.execute(
                        """INSERT INTO verdicts (image_id, result, reason, raw, model_id,
                               input_tokens, output_tokens, received_at)
                           VALUES (?, ?, 'reason', '{"result": "NO"}', 'judge', 1600, 80, ?)""",
                        (image_id, "YES" if approved and last else "NO", ts),
                    )
    finally:
        conn.close()


def measure(fn: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """(first, median, max) in milliseconds; the first call is reported apart (cold cache)."""
    times = []
    for _ in range(repeat + 1):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times[0], statistics.median(times[1:]), max(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--images-per-session", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="imgloop-bench-") as tmp:
        os.environ["IMGLOOP_DATA_DIR"] = tmp
        db = Path(tmp) / "history.sqlite3"
        t0 = time.perf_counter()
        build(db, args.sessions, args.images_per_session)
        built = time.perf_counter() - t0
        size = sum(f.stat().st_size for f in Path(tmp).iterdir() if f.is_file()) / 1e6
        print(
            f"built {args.sessions:,} sessions / {args.sessions * args.images_per_session:,} "
            f"images in {built:.1f} s ({size:.0f} MB on disk)"
        )

        with HistoryService.open(db) as service:
            first = service.list_sessions(page_size=50).sessions
            some_run = first[len(first) // 2].run_id
            deep_cursor = None
            for _ in range(args.sessions // 50 - 2):  # walk to the second-to-last page
                deep_cursor = service.list_sessions(page_size=50, cursor=deep_cursor).next_cursor
            deep_page = max(1, args.sessions // 50 - 1)
            cases: list[tuple[str, Callable[[], object]]] = [
                ("list first page (50)", lambda: service.list_sessions(page_size=50)),
                (
                    f"list deep page {deep_page} (offset)",
                    lambda: service.list_sessions(page_size=50, page=deep_page),
                ),
                (
                    f"list deep page {deep_page} (cursor)",
                    lambda: service.list_sessions(page_size=50, cursor=deep_cursor),
                ),
                (
                    "search English, common word: lighthouse",
                    lambda: service.list_sessions(make_filter(search="lighthouse")),
                ),
                (
                    "search English, rare: ramen, pixel art #99",
                    lambda: service.list_sessions(make_filter(search="ramen, pixel art #99")),
                ),
                (
                    "search Japanese, 5 chars (trigram FTS)",
                    lambda: service.list_sessions(make_filter(search="海辺を歩く")),
                ),
                (
                    "search Japanese, 1 char (LIKE)",
                    lambda: service.list_sessions(make_filter(search="猫")),
                ),
                (
                    "filter approved + date range",
                    lambda: service.list_sessions(
                        make_filter(outcomes=["approved"], since="2023-06-01", until="2023-12-31")
                    ),
                ),
                ("count all sessions", lambda: service.count_sessions()),
                ("open one session's full tree", lambda: service.session(some_run)),
                ("approved images (gallery, 200)", lambda: service.approved_images(limit=200)),
            ]
            print(f"\n{'query':<42} {'first':>8} {'median':>8} {'max':>8}  ratio to 100 ms")
            for name, fn in cases:
                cold, median, worst = measure(fn, args.repeat)
                print(
                    f"{name:<42} {cold:>6.1f}ms {median:>6.1f}ms {worst:>6.1f}ms  "
                    f"{median / TARGET_MS:.3f}"
                )


if __name__ == "__main__":
    main()

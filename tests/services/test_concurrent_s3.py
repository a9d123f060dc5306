"""Two runs started in the same second with the same S3 prefix, against the Bedrock
simulator and moto's S3 (issue 17, finding 1).

Both runs compute the same keys (the seed's layout has only the second in it), so every
upload after the first of each pair meets an object that is not its own. Nothing may be
overwritten: each history row must name a key of its own whose bytes are the row's file.
"""

from __future__ import annotations

import functools
import hashlib
import sqlite3
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from imgloop_desktop import paths
from imgloop_desktop.core.loop import ImageLoop, RunResult
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.providers.session import DefaultChain
from imgloop_desktop.services import run as run_service
from imgloop_desktop.simulator.server import BedrockSimulator
from imgloop_desktop.storage.history import default_db_path

BUCKET = "imgloop-concurrent"
PREFIX = "same-prefix"
# Both loops read this clock, so both runs start "in the same second" however slow the
# machine is; the keys they compute are then certain to collide.
SAME_SECOND = datetime(2026, 11, 30, 18, 0, 0, tzinfo=UTC)


def _run(prompt: str) -> RunResult:
    params = RunParams(
        prompt=prompt,
        titan_img_width=512,
        titan_img_height=512,
        max_retry_attempts=3,
        max_prompt_revisions=1,
        s3_enabled=True,
        output_s3_bucket_name=BUCKET,
        output_s3_key_prefix=PREFIX,
    )
    with run_service.execute(params, credentials=DefaultChain()) as run:
        return run.result


def _rows() -> list[tuple[Path, str, str, str]]:
    """(local file, bucket, key, upload state) for every image row in the history."""
    conn = sqlite3.connect(default_db_path())
    try:
        rows = conn.execute(
            """SELECT r.images_root, i.rel_path, i.s3_bucket, i.s3_key, i.upload_state
               FROM images AS i JOIN runs AS r ON r.id = i.run_id ORDER BY i.id"""
        ).fetchall()
    finally:
        conn.close()
    return [
        (paths.images_dir(root) / rel, bucket, key, state) for root, rel, bucket, key, state in rows
    ]


def test_same_second_runs_never_overwrite_each_other(
    bedrock_sim: BedrockSimulator, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bedrock_sim.script.default_verdict = "NO"  # every attempt is spent: 6 images per run
    monkeypatch.setattr(
        run_service, "ImageLoop", functools.partial(ImageLoop, now=lambda: SAME_SECOND)
    )
    s3: Any = boto3.client("s3", region_name="us-east-1")
    try:
        s3.create_bucket(Bucket=BUCKET)
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="same-second-run") as pool:
            futures = [pool.submit(_run, p) for p in ("a red fox in snow", "a blue heron at dawn")]
            first, second = (f.result(timeout=120) for f in futures)

        # The scenario really happened: both runs computed the same keys.
        intended = [{c.s3_key for c in r.candidates} for r in (first, second)]
        assert len(intended[0]) == len(intended[1]) == 6
        assert intended[0] == intended[1]

        rows = _rows()
        assert len(rows) == 12
        assert all(state == "done" for *_, state in rows), rows
        keys = Counter(key for _, _, key, _ in rows)
        assert [k for k, n in keys.items() if n > 1] == [], "two rows name the same S3 object"
        for path, bucket, key, _ in rows:
            assert bucket == BUCKET
            in_s3 = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            assert (
                hashlib.sha256(in_s3).hexdigest() == hashlib.sha256(path.read_bytes()).hexdigest()
            ), f"s3://{bucket}/{key} does not hold {path.name} of its row"
        # The loop's UploadDone carried the key written: the results name the rows' keys.
        written = [o.key for r in (first, second) for o in r.uploads.values() if o.ok]
        assert sorted(written) == sorted(keys)
        listed = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
        assert sorted(o["Key"] for o in listed) == sorted(keys), "an object no row names"
    finally:
        s3.close()

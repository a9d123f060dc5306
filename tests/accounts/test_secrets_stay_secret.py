"""End to end: keys added to the keyring, a whole run and a connection check made with them,
botocore logging at DEBUG into a log file; afterwards no byte of any secret is on disk."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from imgloop_desktop import paths
from imgloop_desktop.accounts.check import check_connection
from imgloop_desktop.accounts.sources import KeyringAccount
from imgloop_desktop.accounts.store import AccountStore
from imgloop_desktop.cli import result as cli_result
from imgloop_desktop.core.events import Event, Outcome
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.services import run as run_service
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.accounts.conftest import redacted_root_logging
from tests.keyring_fixtures import KEY_ID, SECRET, SESSION_TOKEN, TEMP_KEY_ID, TEMP_SECRET

SECRETS = (SECRET, TEMP_SECRET, SESSION_TOKEN)


def leaks(root: Path, needles: tuple[str, ...]) -> list[str]:
    """Every file under ``root`` holding any needle, in UTF-8 or UTF-16 (Windows settings)."""
    found = []
    patterns = [n.encode(enc) for n in needles for enc in ("utf-8", "utf-16-le")]
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found.extend(f"{path}: {p[:8]!r}…" for p in patterns if p in data)
    return found


@pytest.fixture
def debug_log_file(isolated_env: Path) -> Iterator[Path]:
    """The worst case: everything, botocore's wire logging included, into a file."""
    log_file = isolated_env / "logs" / "imgloop.log"
    log_file.parent.mkdir(parents=True)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    with redacted_root_logging(handler):
        yield log_file


def test_no_secret_reaches_the_data_dir_logs_or_exports(
    store: AccountStore,
    bedrock_sim: BedrockSimulator,
    moto_s3_url: str,
    debug_log_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", moto_s3_url)
    store.add("work", KEY_ID, SECRET, None, "us-east-1")
    store.add("temp", TEMP_KEY_ID, TEMP_SECRET, SESSION_TOKEN, "us-east-1")
    store.set_active("temp")
    bedrock_sim.script.queue_verdicts("NO", "NO", "YES")
    params = RunParams(
        prompt="a red bicycle against a white wall",
        max_retry_attempts=2,
        max_prompt_revisions=2,
        titan_img_width=512,
        titan_img_height=512,
        s3_enabled=False,
    )
    events: list[Event] = []
    log = logging.getLogger("imgloop_desktop.test")

    checks = check_connection(KeyringAccount("temp"), None, params.image_model_id, "x.judge")
    for check in checks:
        log.info("check %s ok=%s: %s", check.name, check.ok, check.detail)
    with run_service.execute(
        params, credentials=KeyringAccount("temp"), emit=events.append
    ) as execution:
        outcome = execution.result
    for event in events:
        log.debug("event %r", event)
    log.debug("keys %r", store.get("temp"))

    assert outcome.outcome is Outcome.APPROVED
    assert {call.access_key_id for call in bedrock_sim.calls} == {TEMP_KEY_ID}
    exports = paths.data_dir() / "exports"
    exports.mkdir()
    (exports / "result.json").write_text(
        json.dumps(cli_result.from_result(outcome, params, execution.region)), encoding="utf-8"
    )
    params.save(exports / "event.json")

    assert "Sending http request" in debug_log_file.read_text(encoding="utf-8")
    assert list(paths.images_dir().rglob("*.png"))
    assert leaks(tmp_path, SECRETS) == []
    # Key ids are not secret, but nothing here needs them in full either.
    assert leaks(paths.data_dir(), (KEY_ID, TEMP_KEY_ID)) == []

"""Fixtures every test shares: no test touches the developer's data, AWS config or keychain,
and no test leaves a thread behind."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from imgloop_desktop.simulator.server import BedrockSimulator

FAKE_KEY_ID = "AKIDIMGLOOPTEST00000"
FAKE_SECRET = "imgloop-test-secret-not-a-real-key-000000"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data folder and fake AWS identity for each test."""
    data = tmp_path / "data"
    monkeypatch.setenv("IMGLOOP_DATA_DIR", str(data))
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return data


@pytest.fixture(autouse=True)
def no_thread_left_behind() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5.0
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    left = [t.name for t in set(threading.enumerate()) - before if t.is_alive()]
    assert not left, f"test left threads running: {left}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            threading.Event().wait(0.05)  # polling a starting server, bounded by the deadline
    raise RuntimeError(f"{url} did not answer within {timeout}s")


@pytest.fixture(scope="session")
def moto_s3_url() -> Iterator[str]:
    """moto's S3 in server mode, as a separate process on loopback, like a real endpoint."""
    port = free_port()
    moto_server = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(moto_server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/moto-api/", process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3_endpoint(moto_s3_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point boto3 at moto through the standard variable, with a clean state per test."""
    request = urllib.request.Request(f"{moto_s3_url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=5):
        pass
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_s3_url)
    return moto_s3_url


@pytest.fixture
def bedrock_sim(monkeypatch: pytest.MonkeyPatch) -> Iterator[BedrockSimulator]:
    """Our Bedrock simulator on loopback, reached through the standard endpoint variable."""
    simulator = BedrockSimulator()
    simulator.start()
    for name, value in {**simulator.env(), **simulator.service_quotas_env()}.items():
        monkeypatch.setenv(name, value)
    try:
        yield simulator
    finally:
        simulator.stop()


def _simulator_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("bedrock-sim")]


@pytest.fixture
def sim() -> Iterator[BedrockSimulator]:
    """A simulator of the test's own (no endpoint variables set), stopped completely: no
    thread of it may outlive the test."""
    simulator = BedrockSimulator()
    simulator.start()
    try:
        yield simulator
    finally:
        simulator.stop()
        assert not simulator.running
        assert _simulator_threads() == []

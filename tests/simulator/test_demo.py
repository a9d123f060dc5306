"""The demo backend tells each run the whole story (issue 15): a run is the key its session
signs with, so runs get their own copy of the script even when their calls interleave; a
story that approved starts over at the next call that can open a run (runs sharing one
session, as the window's queue does); a run is rejected until its prompt is revised, at any
attempts per prompt; and the pictures say in their metadata that they are simulated."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator

import pytest
from botocore.exceptions import ClientError
from mypy_boto3_bedrock_runtime import BedrockRuntimeClient
from PIL import Image

from imgloop_desktop.simulator.demo import (
    DEMO_KEY_PREFIX,
    DemoBackend,
    PerRunScript,
    demo_script,
    next_demo_key_id,
)
from imgloop_desktop.simulator.images import PROVENANCE, make_image
from tests.simulator.conftest import make_client
from tests.simulator.test_server import (
    SD35,
    judge,
    png_bytes,
    reply_text,
    revise,
    stability_body,
)

NewRun = Callable[[], BedrockRuntimeClient]


@pytest.fixture
def backend() -> Iterator[DemoBackend]:
    demo = DemoBackend(story=demo_script)
    demo.start()
    demo.simulator.script.latency_scale = 0.0
    try:
        yield demo
    finally:
        demo.stop()


@pytest.fixture
def run_client(backend: DemoBackend) -> Iterator[NewRun]:
    """Clients for runs, each signing with its own demo key, as each run's session does."""
    made: list[BedrockRuntimeClient] = []

    def new_run() -> BedrockRuntimeClient:
        made.append(make_client(backend.simulator.url, next_demo_key_id()))
        return made[-1]

    try:
        yield new_run
    finally:
        for client in made:
            client.close()


def verdict(client: BedrockRuntimeClient) -> str:
    result: str = json.loads(reply_text(judge(client, png_bytes(64, 64))))["result"]
    return result


def revised(client: BedrockRuntimeClient) -> None:
    """The run's reviser call, after its prompt's attempts were all rejected."""
    revise(client, "Rewrite this prompt: a fox")


def generate(client: BedrockRuntimeClient) -> None:
    client.invoke_model(modelId=SD35, body=json.dumps(stability_body()))["body"].read()


def test_demo_key_ids_are_new_for_every_session() -> None:
    keys = {next_demo_key_id() for _ in range(3)}
    assert len(keys) == 3
    assert all(len(k) == 20 and k.startswith(DEMO_KEY_PREFIX) for k in keys)


def test_interleaved_runs_each_hear_the_whole_story(
    backend: DemoBackend, run_client: NewRun
) -> None:
    first, second = run_client(), run_client()
    heard = [verdict(first), verdict(second), verdict(first)]
    revised(first)
    heard += [verdict(first), verdict(second)]
    revised(second)
    heard.append(verdict(second))
    assert heard == ["NO", "NO", "NO", "YES", "NO", "YES"]
    script = backend.simulator.script
    assert isinstance(script, PerRunScript)
    assert script.stories_started == 2


def test_an_approved_story_restarts_at_the_next_generate_on_its_session(
    backend: DemoBackend, run_client: NewRun
) -> None:
    queue = run_client()  # one session for several runs, as the window's queue has
    generate(queue)
    assert [verdict(queue) for _ in range(2)] == ["NO", "NO"]
    revised(queue)
    assert verdict(queue) == "YES"
    # Another image of the approved attempt: still the finished run, the default answer.
    assert verdict(queue) == "YES"
    generate(queue)  # the next run begins
    assert [verdict(queue) for _ in range(2)] == ["NO", "NO"]
    revised(queue)
    assert verdict(queue) == "YES"
    script = backend.simulator.script
    assert isinstance(script, PerRunScript) and script.stories_started == 2


def test_a_run_is_rejected_until_its_prompt_is_revised(run_client: NewRun) -> None:
    """More attempts per prompt than the story's two rejections (the window asks for five):
    the run is still rejected, so it reaches its revision, and approved after it."""
    run = run_client()
    assert [verdict(run) for _ in range(5)] == ["NO"] * 5
    revised(run)
    assert verdict(run) == "YES"


def test_shared_settings_stay_the_simulators(backend: DemoBackend, run_client: NewRun) -> None:
    """Faults and latencies are scripted once for every run, not per story."""
    script = backend.simulator.script
    assert script.latencies["generate"] == demo_script().latencies["generate"]
    script.fail("generate", "ThrottlingException", times=2)  # the client retries once
    with pytest.raises(ClientError, match="ThrottlingException"):
        generate(run_client())
    assert backend.simulator.count("generate") == 2


@pytest.mark.parametrize("fmt", ["png", "jpeg"])
def test_pictures_say_they_are_simulated(fmt: str) -> None:
    data = make_image("a fox", 7, 0, 64, 48, fmt=fmt)
    assert data == make_image("a fox", 7, 0, 64, 48, fmt=fmt)  # still reproducible
    with Image.open(io.BytesIO(data)) as img:
        if fmt == "png":
            assert getattr(img, "text", {}) == PROVENANCE
            assert "simulated" in PROVENANCE["Software"].lower()
        else:
            comment = img.info["comment"].decode("latin-1")
            assert PROVENANCE["Software"] in comment and PROVENANCE["Description"] in comment

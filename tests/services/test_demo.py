"""The offline demo shows the whole loop every time (issue 15): each run the window (or the
command) starts against one demo backend is rejected, revised and approved, with images of
its own that say, inside the file, that they are simulated; exported copies keep saying so.

Runs go through ``services.run.execute``, as the window's run controller and the command
call it, against ``services.demo.DemoBackend`` with the demo's latencies switched off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from imgloop_desktop.core.events import Outcome
from imgloop_desktop.core.loop import RunResult
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.providers.session import make_clients
from imgloop_desktop.services.credentials import DefaultChain
from imgloop_desktop.services.demo import DemoBackend, SimScript
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.services.run import close_clients, execute
from imgloop_desktop.simulator.demo import (
    DEMO_CHECKLIST_PROMPT,
    DEMO_KEY_PREFIX,
    DemoCredentials,
    demo_checklist_script,
    demo_script,
)
from imgloop_desktop.simulator.server import BedrockSimulator
from imgloop_desktop.storage.export.png_meta import read_text_chunks

# The command's example event (cli.main.EXAMPLE_EVENT), the demo's own story.
DEMO_RUN = RunParams(
    prompt=DEMO_CHECKLIST_PROMPT,
    max_retry_attempts=2,
    max_prompt_revisions=2,
    judge_mode="checklist",
    s3_enabled=False,
)
# The story every run must tell: rejected twice, revised once, approved.
WHOLE_LOOP = ["NO", "NO", "YES"]


@pytest.fixture
def demo() -> Iterator[tuple[DemoBackend, DemoCredentials]]:
    backend = DemoBackend()
    credentials = backend.start()
    backend.simulator.script.latency_scale = 0.0
    try:
        yield backend, credentials
    finally:
        backend.stop()


def _run(credentials: DemoCredentials, params: RunParams = DEMO_RUN) -> RunResult:
    with execute(params, credentials=credentials) as run:
        return run.result


def _story(result: RunResult) -> list[str]:
    return [str(v.result) for v in result.verdicts.values()]


def _pixels(result: RunResult) -> list[bytes]:
    out = []
    for candidate in result.candidates:
        with Image.open(candidate.path) as img:
            out.append(img.tobytes())
    return out


def test_every_run_is_rejected_revised_and_approved(
    demo: tuple[DemoBackend, DemoCredentials],
) -> None:
    backend, credentials = demo
    first, second = _run(credentials), _run(credentials)
    for result in (first, second):
        assert result.outcome is Outcome.APPROVED
        assert _story(result) == WHOLE_LOOP
        assert len(result.prompts) == 2  # one revision
    # The second run used the cached checklist: no checklist call, the story still told.
    assert backend.simulator.count("checklist") == 1
    assert backend.simulator.count("revise") == 2
    keys = {call.access_key_id for call in backend.simulator.calls}
    assert len(keys) == 2 and all(k and k.startswith(DEMO_KEY_PREFIX) for k in keys)
    # Fresh seeds per attempt: no image of the second run repeats one of the first.
    assert not set(_pixels(first)) & set(_pixels(second))


@pytest.mark.parametrize("judge_mode", ["checklist", "verdict"])
@pytest.mark.parametrize("attempts", [1, 5])
def test_a_run_is_rejected_until_its_prompt_is_revised_at_any_attempts_per_prompt(
    judge_mode: str, attempts: int
) -> None:
    """The window's form asks for five attempts per prompt, the story has two rejections:
    the demo still shows a revision (every attempt of the first prompt rejected) and an
    approval after it; with one attempt per prompt, one rejection."""
    backend = DemoBackend(story=demo_checklist_script)
    credentials = backend.start()
    backend.simulator.script.latency_scale = 0.0
    params = RunParams(
        prompt=DEMO_CHECKLIST_PROMPT,
        max_retry_attempts=attempts,
        judge_mode=judge_mode,
        s3_enabled=False,
    )
    try:
        for _ in range(2):  # every run, not only the first
            result = _run(credentials, params)
            assert result.outcome is Outcome.APPROVED
            assert _story(result) == ["NO"] * attempts + ["YES"]
            assert len(result.prompts) == 2  # one revision
    finally:
        backend.stop()


def test_a_persons_own_prompt_gets_its_own_checklist_and_revision(
    demo: tuple[DemoBackend, DemoCredentials],
) -> None:
    """Not the demo's mountains and lake: the checklist is the person's phrases, its first
    item fails until the prompt is revised, the revision restates their prompt."""
    _backend, credentials = demo
    params = RunParams(prompt="a red fox in snow, watercolour", judge_mode="checklist")
    result = _run(credentials, params.with_changes(s3_enabled=False))
    assert result.outcome is Outcome.APPROVED
    assert _story(result) == ["NO"] * params.max_retry_attempts + ["YES"]
    assert result.checklist is not None
    assert [item.text for item in result.checklist.items] == ["a red fox in snow", "watercolour"]
    first = next(iter(result.verdicts.values()))
    assert first.checks is not None
    failed = first.checks.get("c1")
    assert failed is not None and failed.result == "no"
    assert "a red fox in snow" in failed.evidence
    assert "red fox in snow" in result.prompts[1] and "mountain" not in result.prompts[1]


def test_a_given_seed_reproduces_a_runs_images(
    demo: tuple[DemoBackend, DemoCredentials],
) -> None:
    _backend, credentials = demo
    seeded = DEMO_RUN.with_changes(titan_img_seed=1234)
    first, second = _run(credentials, seeded), _run(credentials, seeded)
    assert _story(first) == _story(second) == WHOLE_LOOP
    assert [c.seed for c in first.candidates] == [c.seed for c in second.candidates]
    assert [c.sha256 for c in first.candidates] == [c.sha256 for c in second.candidates]


def test_runs_sharing_one_session_each_see_the_story() -> None:
    """The window's queue runs items on one client set; one after another, each item is
    still rejected, revised and approved (here in verdict mode, the seed's story)."""
    backend = DemoBackend(story=demo_script)
    credentials = backend.start()
    backend.simulator.script.latency_scale = 0.0
    params = DEMO_RUN.with_changes(judge_mode="verdict")
    clients = make_clients(credentials, credentials.region)
    try:
        for _ in range(2):
            with execute(params, credentials=credentials, clients=clients) as run:
                assert run.result.outcome is Outcome.APPROVED
                assert _story(run.result) == WHOLE_LOOP
                assert len(run.result.prompts) == 2
    finally:
        close_clients(clients)
        backend.stop()
    assert len({call.access_key_id for call in backend.simulator.calls}) == 1


def test_a_given_script_is_answered_as_written_across_runs() -> None:
    """Tests that script their own queues keep today's meaning: one script for all runs."""
    script = SimScript()
    script.queue_verdicts("NO")
    backend = DemoBackend(script)
    credentials = backend.start()
    params = DEMO_RUN.with_changes(judge_mode="verdict", max_prompt_revisions=0)
    try:
        assert _story(_run(credentials, params)) == ["NO", "YES"]
        assert _story(_run(credentials, params)) == ["YES"]
    finally:
        backend.stop()
    assert backend.simulator.script is script


def test_demo_images_and_their_exported_copies_say_they_are_simulated(
    demo: tuple[DemoBackend, DemoCredentials], tmp_path: Path
) -> None:
    _backend, credentials = demo
    result = _run(credentials)
    stored = read_text_chunks(result.candidates[0].path.read_bytes())
    assert "simulated" in stored["Software"].lower()
    assert "not made by an AI model" in stored["Description"]
    with HistoryService.open() as history:
        history.export_session(result.run_id, tmp_path / "export")
    copies = sorted((tmp_path / "export").rglob("*.png"))
    assert len(copies) == len(result.candidates)
    for copy in copies:
        chunks = read_text_chunks(copy.read_bytes())
        # The exporter names the model the simulator stood in for; the image's own chunks,
        # kept in the copy, say that no model made it.
        assert "stability.sd3-5-large" in chunks["parameters"]
        assert chunks["Software"] == stored["Software"]
        assert chunks["Description"] == stored["Description"]


def test_a_demo_checklist_is_never_served_to_a_real_run(
    demo: tuple[DemoBackend, DemoCredentials], bedrock_sim: BedrockSimulator
) -> None:
    """The demo's simulator made its checklist up: a run of the same prompt on a real
    account (here the loopback Bedrock the tests call real) asks the real model."""
    _backend, credentials = demo
    _run(credentials)
    with execute(DEMO_RUN.with_changes(max_retry_attempts=1), credentials=DefaultChain()) as run:
        assert run.result.outcome is not None
    assert bedrock_sim.count("checklist") == 1

"""The run service against the simulator: concurrency settings through the real providers."""

from __future__ import annotations

from imgloop_desktop.core.events import Outcome
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.providers.session import DefaultChain
from imgloop_desktop.services.run import execute
from imgloop_desktop.simulator.server import BedrockSimulator


def test_throttle_storm_is_absorbed_by_the_shared_client(bedrock_sim: BedrockSimulator) -> None:
    """Three generations in flight all meet throttling; the one adaptive client they share
    retries each throttled call, and no call is made beyond those retries."""
    bedrock_sim.script.fail("generate", "ThrottlingException", times=4)
    bedrock_sim.script.queue_verdicts("NO", "NO", "NO", "YES")
    params = RunParams(
        prompt="a red fox in snow",
        titan_img_width=512,
        titan_img_height=512,
        max_retry_attempts=6,
        candidates_in_flight=3,
    )
    result, clients = execute(params, credentials=DefaultChain())
    try:
        assert result.outcome is Outcome.APPROVED
        generated = len(result.candidates)
        assert bedrock_sim.arrivals("generate") == generated + 4
        assert generated <= 6
        throttled = [c for c in bedrock_sim.calls if c.error_code == "ThrottlingException"]
        assert len(throttled) == 4
        assert clients.bedrock_runtime.meta.config.retries["mode"] == "adaptive"
    finally:
        clients.bedrock_runtime.close()
        clients.s3.close()


def test_judge_sees_the_downscaled_copy(bedrock_sim: BedrockSimulator) -> None:
    params = RunParams(prompt="a red fox in snow", max_retry_attempts=1, judge_image_max_side=256)
    result, clients = execute(params, credentials=DefaultChain())
    try:
        assert result.outcome is Outcome.APPROVED
        assert list(bedrock_sim.last("judge").image_sizes) == [(256, 256)]
        verdict = next(iter(result.verdicts.values()))
        assert verdict.input_tokens is not None and verdict.input_tokens < 1000
    finally:
        clients.bedrock_runtime.close()
        clients.s3.close()

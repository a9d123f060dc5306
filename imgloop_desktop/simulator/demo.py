"""The offline demo: the real loop against our simulator, for people without AWS access.

Everything but Bedrock is real (disk, history, the loop); the images are synthetic and
say so. The demo's credentials are placeholders that only the simulator accepts.

The simulator's defaults mirror a current account, so the demo runs the app's current
defaults as a real account would: the image model (``stability.sd3-5-large-v1:0``) answers
in us-west-2 only, where the app calls it whatever the person's region; the judge and
reviser (``us.anthropic.claude-sonnet-4-6``) answer from the person's region, us-east-1
here, which the ``us.`` profile takes (so does us-west-2).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

import boto3

from imgloop_desktop.simulator.script import SimScript
from imgloop_desktop.simulator.server import BedrockSimulator

DEMO_KEY_ID = "AKIDOFFLINEDEMO00000"


@dataclass(frozen=True)
class DemoCredentials:
    """A CredentialsSource that reaches only the local simulator."""

    bedrock_endpoint_url: str
    # The person's region: the judge's ``us.`` profile is called from it; the Stability image
    # models are called in us-west-2 by the app whatever this is.
    region: str = "us-east-1"

    def session(self) -> boto3.Session:
        return boto3.Session(
            aws_access_key_id=DEMO_KEY_ID,
            aws_secret_access_key="offline-demo-placeholder",
            region_name=self.region,
        )

    def describe(self) -> str:
        return "Offline demo (simulated Bedrock)"


def demo_script() -> SimScript:
    """Two rejections, then approval after one revision: the whole loop in a few seconds."""
    script = SimScript(default_verdict="YES")
    script.queue_verdicts("NO", "NO", "YES")
    script.set_latency("generate", 1.0)
    script.set_latency("judge", 0.6)
    script.set_latency("revise", 0.8)
    return script


class DemoBackend:
    """Starts the simulator for as long as the demo is used."""

    def __init__(self, script: SimScript | None = None) -> None:
        self.simulator = BedrockSimulator(script or demo_script())

    def start(self) -> DemoCredentials:
        return DemoCredentials(self.simulator.start())

    def stop(self) -> None:
        self.simulator.stop()

    def __enter__(self) -> DemoCredentials:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

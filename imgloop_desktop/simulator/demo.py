"""The offline demo: the real loop against our simulator, for people without AWS access.

Everything but Bedrock is real (disk, history, the loop); the images are synthetic and
say so. The demo's credentials are placeholders that only the simulator accepts.

The simulator's defaults mirror a current account, so the demo runs the app's current
defaults as a real account would: the image model (``stability.sd3-5-large-v1:0``) answers
in us-west-2 only, where the app calls it whatever the person's region; the judge and
reviser (``us.anthropic.claude-sonnet-4-6``) answer from the person's region, us-east-1
here, which the ``us.`` profile takes (so does us-west-2).

``demo_script`` is the seed's verdict run (rejected twice, approved after a revision);
``demo_checklist_script`` is the same story told item by item for the checklist (issue 12).
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


# The checklist demo's request: the CLI demo's example event (cli.main.EXAMPLE_EVENT).
DEMO_CHECKLIST_PROMPT = "A serene landscape with mountains and a lake at dawn, mist over the water"
# What the demo's judge writes for it: plain objects as the checklist template asks for.
# c3 is the colour item the demo fails twice; c4 depends on the lake being there.
DEMO_CHECKLIST: tuple[dict[str, object], ...] = (
    {"id": "c1", "text": "mountains", "must": True, "kind": "subject", "depends_on": []},
    {"id": "c2", "text": "a lake", "must": True, "kind": "subject", "depends_on": []},
    {
        "id": "c3",
        "text": "the sky shows the pink and orange colours of dawn",
        "must": True,
        "kind": "attribute",
        "depends_on": [],
    },
    {
        "id": "c4",
        "text": "mist over the water",
        "must": True,
        "kind": "attribute",
        "depends_on": ["c2"],
    },
    {"id": "c5", "text": "a serene mood", "must": False, "kind": "style", "depends_on": []},
)
DEMO_FAILED_ITEM = "c3"
DEMO_EVIDENCE = (
    "The sky is a flat midday blue; there is no pink or orange of dawn.",
    "The sky is pale grey-blue above the peaks; still no dawn colours.",
)
DEMO_REVISION = (
    "A serene mountain landscape at dawn: the sky glowing pink and orange above the peaks, "
    "a calm lake below with mist drifting over the water, soft early light"
)


def demo_checklist_script() -> SimScript:
    """The checklist run (issue 12), for ``judge_mode: "checklist"``: the judge writes
    ``DEMO_CHECKLIST`` (five items, four musts); the first image fails the colour item c3
    ("the sky shows the pink and orange colours of dawn") with evidence, the second fails it
    again, the reviser rewrites the prompt to fix it (``DEMO_REVISION``), and the next image
    passes every item, so it is approved. Same timing as ``demo_script``.

    Calls, in order: checklist; generate, check (c3 no); generate, check (c3 no); revise;
    generate, check (all yes). A verdict-mode run against this script behaves as
    ``demo_script`` (NO, NO, YES), with the same revision. Comparisons answer "tie".
    Use it as ``DemoBackend(demo_checklist_script())``.
    """
    script = demo_script()
    script.queue_checklists(list(DEMO_CHECKLIST))
    script.queue_checks(*({DEMO_FAILED_ITEM: ("no", evidence)} for evidence in DEMO_EVIDENCE))
    script.queue_revisions(DEMO_REVISION)
    script.default_check = "yes"
    script.set_latency("checklist", 0.8)
    script.set_latency("check", 0.6)
    script.set_latency("compare", 0.6)
    return script


class DemoBackend:
    """Starts the simulator for as long as the demo is used."""

    def __init__(self, script: SimScript | None = None) -> None:
        self.simulator = BedrockSimulator(script or demo_checklist_script())

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

"""A loopback Amazon Bedrock Runtime for tests, demos and offline development.

Point boto3 at it with ``endpoint_url=sim.url`` or
``AWS_ENDPOINT_URL_BEDROCK_RUNTIME=sim.url`` (``sim.env()``), and the control plane's
GetFoundationModel with ``AWS_ENDPOINT_URL_BEDROCK`` (``sim.control_plane_env()``); script
its answers through ``sim.script`` (issue 12's checklist calls: ``checklist_answers``).
What it serves, where and until when is ``served.SERVED``.
"""

from imgloop_desktop.simulator.checklist_answers import (
    CheckAnswer,
    ChecklistAnswer,
    CompareAnswer,
    ItemAnswer,
)
from imgloop_desktop.simulator.script import Fault, Raw, SimScript
from imgloop_desktop.simulator.served import SERVED, Lifecycle, ServedModel
from imgloop_desktop.simulator.server import BedrockSimulator, CallRecord

__all__ = [
    "SERVED",
    "BedrockSimulator",
    "CallRecord",
    "CheckAnswer",
    "ChecklistAnswer",
    "CompareAnswer",
    "Fault",
    "ItemAnswer",
    "Lifecycle",
    "Raw",
    "ServedModel",
    "SimScript",
]

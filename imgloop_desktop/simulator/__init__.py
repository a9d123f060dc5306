"""A loopback Amazon Bedrock Runtime for tests, demos and offline development.

Point boto3 at it with ``endpoint_url=sim.url`` or
``AWS_ENDPOINT_URL_BEDROCK_RUNTIME=sim.url``; script its answers through ``sim.script``.
"""

from imgloop_desktop.simulator.script import Fault, Raw, SimScript
from imgloop_desktop.simulator.server import BedrockSimulator, CallRecord

__all__ = ["BedrockSimulator", "CallRecord", "Fault", "Raw", "SimScript"]

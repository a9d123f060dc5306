"""The demo backend for front ends: our Bedrock simulator, run locally, as credentials.

``--demo``, the window's demo backend and the self-test all run against the simulator
instead of AWS. Front ends reach the simulator only through services (the import contracts
in pyproject.toml), so the backend and its script type are re-exported here unchanged, and
the self-test's one round trip through boto3 is a service function rather than client code
in a front end.

``DemoBackend()`` tells every run its own copy of the demo's story (rejected twice, revised,
approved): runs are told apart by the key their session signs with, so front ends call no
hook when a run starts (``simulator.demo`` explains why). ``DemoBackend(script)`` answers
that one script for all runs, as tests that queue their own answers expect.
"""

from __future__ import annotations

from imgloop_desktop.providers.session import close_clients, make_clients
from imgloop_desktop.simulator.demo import DemoBackend
from imgloop_desktop.simulator.script import SimScript

__all__ = ["DemoBackend", "SimScript", "converse_once"]


def converse_once(prompt: str, model_id: str) -> str:
    """Ask a fresh simulator one Converse question through boto3 and return the answer's text.

    The self-test uses it to prove the bundled botocore models, our client set-up and the
    simulator work together. One attempt only: a failure is reported, not retried. The
    answer is ``""`` when the reply holds no text; the simulator is stopped either way.
    """
    backend = DemoBackend(SimScript())
    credentials = backend.start()
    try:
        clients = make_clients(credentials, credentials.region, max_attempts=1)
        try:
            answer = clients.bedrock_runtime.converse(
                modelId=model_id,
                messages=[{"role": "user", "content": [{"text": prompt}]}],
                inferenceConfig={"maxTokens": 256},
            )
        finally:
            close_clients(clients)
    finally:
        backend.stop()
    content = answer["output"].get("message", {}).get("content", [])
    return "".join(str(block.get("text", "")) for block in content)
